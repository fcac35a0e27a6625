//! `oncall serve`: Opsgenie's Alert and Schedule APIs over the `oncall` engine, with a durable
//! escalation runtime.
//!
//! A thin wrapper: HTTP ([`api`], [`schedule_api`]), storage ([`store`], [`alerts`],
//! [`overrides`]), a clock ([`Clock`]) and a delivery loop ([`runtime`]). Every scheduling,
//! routing, escalation and notification rule is in `oncall-core`: an alert's state is the core's
//! replay of its stored events, its notifications are those of the core's escalation timeline
//! ([`alerts`]), schedule answers are the core's (serialized as the CLI prints them), and stored
//! overrides are applied and validated by the core. See `docs/serve.md`.
//!
//! ```no_run
//! let config = oncall_core::Loaded::from_json(&std::fs::read_to_string("examples/payments.json")?)?;
//! let options = oncall_serve::Options::new("oncall.db", "127.0.0.1:8080");
//! oncall_serve::serve(config, options)?; // until SIGINT or SIGTERM
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod alerts;
pub mod api;
pub mod overrides;
pub mod runtime;
pub mod schedule_api;
pub mod store;
pub mod trailing_slash;

use oncall_core::Loaded;
use oncall_core::config::Document;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Everything that can go wrong in the service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database file cannot be opened or migrated.
    #[error("database {path}: {source}")]
    Database {
        /// The file.
        path: String,
        /// Why.
        source: rusqlite::Error,
    },
    /// A statement failed.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A PostgreSQL statement failed.
    #[error("database: {0}")]
    Postgres(#[from] postgres::Error),
    /// The database cannot be reached (PostgreSQL down, refusing, or a connection lost): the API
    /// answers 503, and the service goes on once it is back.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The file was written by a newer version.
    #[error("the database has schema version {found}; this version knows up to {known}")]
    SchemaTooNew {
        /// The file's version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// A stored row cannot be read back.
    #[error("database holds an unreadable row: {0}")]
    Corrupt(String),
    /// A problem of the configuration for serving (an integration's key).
    #[error("{path}: {message}")]
    Config {
        /// Where in the document.
        path: String,
        /// What.
        message: String,
    },
    /// A `--deliver` value.
    #[error("--deliver {value:?}: {message}")]
    Deliver {
        /// The value.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// The listen address.
    #[error("--listen {addr}: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// An error of the core.
    #[error(transparent)]
    Core(#[from] oncall_core::Error),
    /// A failure of the service itself.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether this error means the database cannot be reached right now rather than that the
    /// request or the data is wrong: [`Error::Unavailable`], and a PostgreSQL error on a closed
    /// connection, an I/O error talking to the server, or one whose SQLSTATE is of class 08
    /// (connection exception), 57P01 to 57P03 (the server shutting down, crashed, or still
    /// starting: what `pg_ctl stop` and a restart give a connection in use) or 53300 (too many
    /// connections). The API answers these with 503, and the connection is not reused.
    ///
    /// ```
    /// use oncall_serve::Error;
    /// assert!(Error::Unavailable("database down".into()).is_unavailable());
    /// assert!(!Error::Internal("a bug".into()).is_unavailable());
    /// ```
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Unavailable(_) => true,
            Error::Postgres(e) => {
                if e.is_closed() {
                    return true;
                }
                if let Some(code) = e.code() {
                    let code = code.code();
                    return code.starts_with("08") || ["57P01", "57P02", "57P03", "53300"].contains(&code);
                }
                std::error::Error::source(e).is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
            }
            _ => false,
        }
    }
}

/// Where the notifications of one contact method go: `--deliver METHOD=URL`.
///
/// ```
/// let r: oncall_serve::Route = "email=http://127.0.0.1:9000/hook".parse()?;
/// assert_eq!((r.method.as_str(), r.url.as_str()), ("email", "http://127.0.0.1:9000/hook"));
/// assert!("fax=http://x".parse::<oncall_serve::Route>().is_err());
/// # Ok::<(), oncall_serve::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `email`, `sms`, `voice`, `mobile` or `*`.
    pub method: String,
    /// The webhook.
    pub url: String,
}

impl std::str::FromStr for Route {
    type Err = Error;
    fn from_str(s: &str) -> Result<Route, Error> {
        let fail = |m: &str| Error::Deliver { value: s.to_string(), message: m.to_string() };
        let (method, url) = s.split_once('=').ok_or_else(|| fail("expected METHOD=URL"))?;
        if !matches!(method, "email" | "sms" | "voice" | "mobile" | "*") {
            return Err(fail("METHOD is email, sms, voice, mobile or *"));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2048 {
            return Err(fail("URL is an http:// or https:// address (at most 2048 bytes)"));
        }
        Ok(Route { method: method.to_string(), url: url.to_string() })
    }
}

/// The service's clock, in whole seconds since the epoch. `scale` 1 is the wall clock; a
/// larger scale (for tests and demonstrations, `ONCALL_SERVE_CLOCK=ANCHOR:SCALE`) runs service
/// time `scale` times faster from the instant `anchor` (seconds since the epoch), the same
/// function of the wall clock in every process, so restarts agree on it.
///
/// ```
/// let c = oncall_serve::Clock::parse("1700000000:60").unwrap();
/// assert_eq!(c.at_wall_millis(1_700_000_010_000), 1_700_000_600);
/// assert_eq!(oncall_serve::Clock::default().at_wall_millis(1_700_000_010_999), 1_700_000_010);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Where scaled time starts (seconds since the epoch).
    pub anchor: i64,
    /// How many service seconds pass per wall-clock second.
    pub scale: i64,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock { anchor: 0, scale: 1 }
    }
}

impl Clock {
    /// Reads `ANCHOR:SCALE` (scale 1 to 3600).
    pub fn parse(s: &str) -> Option<Clock> {
        let (a, k) = s.split_once(':')?;
        let (anchor, scale) = (a.trim().parse().ok()?, k.trim().parse().ok()?);
        (1..=3600).contains(&scale).then_some(Clock { anchor, scale })
    }

    /// The service time at a wall-clock instant (milliseconds since the epoch).
    pub fn at_wall_millis(&self, ms: i64) -> i64 {
        self.anchor + (ms - self.anchor * 1000) * self.scale / 1000
    }

    /// Now, in service seconds: [`Clock::at_wall_millis`] of this process's clock
    /// ([`local_millis`]) corrected by the database's ([`set_db_clock_offset`]).
    pub fn now(&self) -> i64 {
        self.at_wall_millis(local_millis() + DB_CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// Milliseconds this process's clock is off on purpose (`ONCALL_SERVE_CLOCK_SKEW_SECS`, for
/// tests of replicas whose clocks disagree).
static CLOCK_SKEW_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
/// The database's clock minus this process's, in milliseconds (PostgreSQL; 0 on SQLite).
static DB_CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// This process's clock (milliseconds since the epoch): the system's, plus the skew a test
/// asked for ([`set_clock_skew_millis`]).
pub fn local_millis() -> i64 {
    let ms =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    ms + CLOCK_SKEW_MS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Makes this process's clock run `ms` ahead (or behind, negative) of the system's: the test
/// hook `ONCALL_SERVE_CLOCK_SKEW_SECS` of `oncall serve`.
pub fn set_clock_skew_millis(ms: i64) {
    CLOCK_SKEW_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

/// Sets the measured difference between the database's clock and this process's
/// ([`store::Store::clock_offset_millis`]): every [`Clock::now`] of the process is the
/// database's time, so replicas agree on what is due whatever their own clocks say.
pub fn set_db_clock_offset(ms: i64) {
    DB_CLOCK_OFFSET_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Alerts created.
    pub alerts_created: AtomicU64,
    /// Creates counted into an open alert.
    pub alerts_deduplicated: AtomicU64,
    /// Notification rows recorded.
    pub notifications_recorded: AtomicU64,
    /// Notifications delivered.
    pub notifications_sent: AtomicU64,
    /// Failed attempts.
    pub notification_attempts_failed: AtomicU64,
    /// Notifications given up.
    pub notifications_failed: AtomicU64,
    /// Seconds from due to delivered, summed.
    pub delivery_lag_seconds_sum: AtomicU64,
}

/// An API key and its integration.
#[derive(Debug, Clone)]
pub struct Key {
    /// The key.
    pub key: String,
    /// The integration's name.
    pub name: String,
    /// Its owner team's name.
    pub owner_team: Option<String>,
    /// Whether it is enabled.
    pub enabled: bool,
    /// How its Alertmanager webhooks map labels to priorities.
    pub priorities: oncall_core::alertmanager::PriorityMap,
}

/// The integrations' keys: `apiKey`, or the environment variable `apiKeyEnv` names (read by
/// `env`, so the core stays free of I/O). A variable that is unset or empty is an error naming
/// the integration.
///
/// ```
/// let doc = oncall_core::config::Document::from_json(r#"{"teams": [{"name": "payments"}], "integrations": [
///   {"name": "prometheus", "ownerTeam": {"name": "payments"}, "apiKeyEnv": "PROM_KEY"}]}"#)?;
/// let keys = oncall_serve::keys(&doc, |v| (v == "PROM_KEY").then(|| "s3cret".to_string()))?;
/// assert_eq!((keys[0].key.as_str(), keys[0].owner_team.as_deref()), ("s3cret", Some("payments")));
/// assert!(oncall_serve::keys(&doc, |_| None).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn keys(doc: &Document, env: impl Fn(&str) -> Option<String>) -> Result<Vec<Key>, Error> {
    let mut out = Vec::new();
    for (i, g) in doc.integrations.iter().enumerate() {
        let key = match (&g.api_key, &g.api_key_env) {
            (Some(k), _) => k.clone(),
            (None, Some(var)) => env(var).filter(|v| !v.trim().is_empty()).ok_or_else(|| Error::Config {
                path: format!("integrations[{i}].apiKeyEnv"),
                message: format!("the environment variable {var} is not set (or empty)"),
            })?,
            (None, None) => {
                return Err(Error::Config {
                    path: format!("integrations[{i}]"),
                    message: "needs apiKey or apiKeyEnv".into(),
                });
            }
        };
        let owner_team = g.owner_team.as_ref().and_then(|t| {
            t.name.clone().or_else(|| {
                t.id.as_ref()
                    .and_then(|id| doc.teams.iter().find(|x| x.id.as_ref() == Some(id)).map(|x| x.name.clone()))
            })
        });
        out.push(Key {
            key,
            name: g.name.clone(),
            owner_team,
            enabled: g.enabled.unwrap_or(true),
            priorities: oncall_core::alertmanager::PriorityMap::of(g),
        });
    }
    Ok(out)
}

/// How to re-read the configuration file on SIGHUP: the embedder's reader (the CLI's, which
/// reads JSON or YAML within the core's limits), returning the compiled configuration or one
/// line per problem.
#[derive(Clone)]
pub struct Reload(pub Arc<dyn Fn() -> Result<Loaded, Vec<String>> + Send + Sync>);

impl std::fmt::Debug for Reload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reload(..)")
    }
}

/// Options of [`serve`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The SQLite file (created on first start), or a PostgreSQL URL (`postgres://…`).
    pub db: PathBuf,
    /// The address to listen on.
    pub listen: String,
    /// Webhooks by contact method; without one, notifications are JSON lines on stdout.
    pub deliver: Vec<Route>,
    /// The clock.
    pub clock: Clock,
    /// How to re-read the configuration on SIGHUP (without it, SIGHUP is logged and ignored).
    pub reload: Option<Reload>,
    /// The settings `oncall serve` takes from its environment ([`env_settings`]).
    pub settings: EnvSettings,
}

impl Options {
    /// Options with a database and an address, no webhooks, the wall clock, no reload, the
    /// default [`EnvSettings`].
    pub fn new(db: impl Into<PathBuf>, listen: impl Into<String>) -> Options {
        Options {
            db: db.into(),
            listen: listen.into(),
            deliver: Vec::new(),
            clock: Clock::default(),
            reload: None,
            settings: EnvSettings::default(),
        }
    }
}

/// What `oncall serve` reads from its environment besides `ONCALL_SERVE_CLOCK` and the keys'
/// variables ([`env_settings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvSettings {
    /// `ONCALL_SERVE_CLOCK_SKEW_SECS` (a test hook): this process's clock runs that many
    /// seconds ahead (negative: behind), [`CLOCK_SKEW_SECS_MAX`] either way at most; default 0.
    pub clock_skew_secs: i64,
    /// `ONCALL_SERVE_LEASE_SECS`: the delivery lease in wall-clock seconds, 1 to
    /// [`LEASE_SECS_MAX`]; default [`runtime::LEASE_SECS`].
    pub lease_secs: i64,
    /// `ONCALL_SERVE_IN_FLIGHT`: webhook deliveries in flight at once per replica, 1 to
    /// [`IN_FLIGHT_MAX`]; default [`runtime::IN_FLIGHT`].
    pub in_flight: usize,
}

impl Default for EnvSettings {
    fn default() -> EnvSettings {
        EnvSettings { clock_skew_secs: 0, lease_secs: runtime::LEASE_SECS, in_flight: runtime::IN_FLIGHT }
    }
}

/// The largest `ONCALL_SERVE_CLOCK_SKEW_SECS`, either way: a day.
pub const CLOCK_SKEW_SECS_MAX: i64 = 86_400;
/// The longest `ONCALL_SERVE_LEASE_SECS`: an hour.
pub const LEASE_SECS_MAX: i64 = 3600;
/// The largest `ONCALL_SERVE_IN_FLIGHT`.
pub const IN_FLIGHT_MAX: i64 = 256;

/// The [`EnvSettings`] from the variables `get` finds (an unset one keeps its default). A
/// value that is not a whole number in the variable's range is refused, with a message naming
/// the variable, its value and the range: the service does not start on a setting it would
/// otherwise ignore.
///
/// ```
/// use oncall_serve::{EnvSettings, env_settings};
/// let get = |v: &str| (v == "ONCALL_SERVE_IN_FLIGHT").then(|| "4".to_string());
/// assert_eq!(env_settings(get).unwrap(), EnvSettings { in_flight: 4, ..EnvSettings::default() });
/// let get = |v: &str| (v == "ONCALL_SERVE_LEASE_SECS").then(|| "0".to_string());
/// assert_eq!(env_settings(get).unwrap_err(), "ONCALL_SERVE_LEASE_SECS=\"0\": expected whole seconds from 1 to 3600");
/// ```
pub fn env_settings(get: impl Fn(&str) -> Option<String>) -> Result<EnvSettings, String> {
    let int = |name: &str, lo: i64, hi: i64, what: &str| -> Result<Option<i64>, String> {
        match get(name) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
                _ => Err(format!("{name}={v:?}: expected {what} from {lo} to {hi}")),
            },
        }
    };
    let mut s = EnvSettings::default();
    if let Some(n) = int("ONCALL_SERVE_CLOCK_SKEW_SECS", -CLOCK_SKEW_SECS_MAX, CLOCK_SKEW_SECS_MAX, "whole seconds")? {
        s.clock_skew_secs = n;
    }
    if let Some(n) = int("ONCALL_SERVE_LEASE_SECS", 1, LEASE_SECS_MAX, "whole seconds")? {
        s.lease_secs = n;
    }
    if let Some(n) = int("ONCALL_SERVE_IN_FLIGHT", 1, IN_FLIGHT_MAX, "a number of deliveries")? {
        s.in_flight = n as usize;
    }
    Ok(s)
}

/// One structured log line on standard error: `{"at", "level", "message"}`.
pub fn log_line(level: &str, message: &str) {
    let at = oncall_core::time::format_instant(chrono::Utc::now());
    eprintln!("{}", serde_json::json!({"at": at, "level": level, "message": message}));
}

/// One line per problem of a configuration error, `path: message`.
pub fn error_lines(e: &oncall_core::Error) -> Vec<String> {
    match e.to_problems() {
        ps if ps.is_empty() => vec![e.to_string()],
        ps => ps.iter().map(|p| p.to_string()).collect(),
    }
}

/// Serves until SIGINT or SIGTERM: opens (or creates) the database, applies the overrides
/// stored in it on top of `config` (refusing to start when the core refuses them), binds
/// `listen`, runs the escalation runtime, and reloads the configuration on SIGHUP
/// ([`reload`]). Keys come from the configuration and the process's environment.
pub fn serve(config: Loaded, options: Options) -> Result<(), Error> {
    let keys = keys(&config.document, |v| std::env::var(v).ok())?;
    let EnvSettings { clock_skew_secs, lease_secs: lease_wall, in_flight } = options.settings;
    set_clock_skew_millis(clock_skew_secs.saturating_mul(1000));
    let db_text = options.db.to_string_lossy().into_owned();
    let shown = store::display_db(&db_text);
    let store = store::Store::open_db(&db_text)?;
    let engine = store.engine();
    if let Some(offset) = store.clock_offset_millis(local_millis)? {
        set_db_clock_offset(offset);
    }
    let effective = store.with(|c| overrides::effective(c, &config))?.map_err(|e| Error::Config {
        path: "stored overrides".into(),
        message: format!("the configuration refuses overrides stored in {}: {}", shown, error_lines(&e).join("; ")),
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&options.listen)
            .await
            .map_err(|source| Error::Listen { addr: options.listen.clone(), source })?;
        let addr = listener.local_addr().map_err(|source| Error::Listen { addr: options.listen.clone(), source })?;
        let metrics = Arc::new(Metrics::default());
        let rt = Arc::new(runtime::Runtime {
            store,
            configs: runtime::Configs::new(config, effective),
            routes: options.deliver.clone(),
            clock: options.clock,
            started_at: options.clock.now(),
            metrics: metrics.clone(),
            pruned_at: std::sync::atomic::AtomicI64::new(i64::MIN / 2),
            replica: runtime::replica_id(),
            lease: lease_wall.saturating_mul(options.clock.scale),
            in_flight,
        });
        let app = Arc::new(api::App {
            rt: rt.clone(),
            keys: std::sync::RwLock::new(keys),
            requests: AtomicU64::new(0),
            metrics,
        });
        let loop_task = tokio::spawn(rt.run());
        let hup_task = tokio::spawn(on_sighup(app.clone(), options.reload.clone()));
        log_line("info", &format!("listening on {addr}; database {shown} ({engine:?})"));
        let served =
            axum::serve(listener, trailing_slash::service(api::router(app))).with_graceful_shutdown(shutdown()).await;
        loop_task.abort();
        hup_task.abort();
        served.map_err(|e| Error::Internal(format!("server: {e}")))
    })
}

/// Reloads on every SIGHUP ([`reload`]).
async fn on_sighup(app: Arc<api::App>, reload_with: Option<Reload>) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            log_line("error", "cannot listen for SIGHUP; reload is off");
            return;
        };
        while hup.recv().await.is_some() {
            let Some(r) = reload_with.clone() else {
                log_line("warn", "SIGHUP: no configuration file to reload");
                continue;
            };
            reload(&app, &r).await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (app, reload_with);
    }
}

/// Re-reads and compiles the configuration file, then puts it in place with the stored
/// overrides on top, or refuses it: a file that does not read or compile, an integration key
/// that cannot be read, or stored overrides the new file refuses leave the running
/// configuration as it was, and every problem is logged (one `error` line each, `path:
/// message`). Alerts, their events, pending notifications and stored overrides live in the
/// database and are untouched; the escalations of open alerts go on under the new
/// configuration from the next tick. Returns whether the new configuration is in place.
pub async fn reload(app: &api::App, r: &Reload) -> bool {
    let f = r.0.clone();
    let read = match tokio::task::spawn_blocking(move || f()).await {
        Ok(x) => x,
        Err(e) => Err(vec![format!("the reader failed: {e}")]),
    };
    let refuse = |lines: Vec<String>| {
        for l in &lines {
            log_line("error", &format!("reload refused: {l}"));
        }
        log_line("error", &format!("reload refused ({} problems); the running configuration stays", lines.len()));
        false
    };
    let base = match read {
        Ok(c) => c,
        Err(lines) => return refuse(lines),
    };
    let new_keys = match keys(&base.document, |v| std::env::var(v).ok()) {
        Ok(k) => k,
        Err(e) => return refuse(vec![e.to_string()]),
    };
    let configs = app.rt.configs.clone();
    let installed = app
        .rt
        .store
        .call(move |c| {
            let effective = match overrides::effective(c, &base)? {
                Ok(e) => e,
                Err(e) => return Ok(Err(error_lines(&e))),
            };
            let tx = c.transaction()?;
            configs.install(&tx, Arc::new(base), Arc::new(effective))?;
            tx.commit()?;
            Ok(Ok(()))
        })
        .await;
    match installed {
        Ok(Ok(())) => {
            if let Ok(mut k) = app.keys.write() {
                *k = new_keys;
            }
            log_line("info", "configuration reloaded");
            true
        }
        Ok(Err(lines)) => refuse(lines.into_iter().map(|l| format!("stored overrides: {l}")).collect()),
        Err(e) => refuse(vec![e.to_string()]),
    }
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    log_line("info", "shutting down");
}
