//! The escalation runtime: a loop that records the notifications that fall due and delivers
//! the recorded ones.
//!
//! Every tick ([`TICK`]) it (1) records, in one transaction, the due notifications of the
//! alerts whose next one is due ([`crate::alerts::materialize`]), then (2) claims the recorded
//! rows whose attempt is due, oldest first, delivers them with up to [`IN_FLIGHT`] in flight
//! (one alert's rows one after another, in order; [`Runtime::tick`]), and records the attempts'
//! outcomes (and a line each in the alert's log) in grouped transactions ([`mark_all`]).
//!
//! **Delivery.** A notification of contact method `m` goes to the webhook of `--deliver m=URL`,
//! else of `--deliver *=URL`, else as one JSON line on standard output. A webhook answering
//! 2xx delivers it; anything else (an error status, a refused connection, no answer within
//! [`HTTP_TIMEOUT`]) is retried after 1, 2, 4, 8, 16, 32, 60, 60, 60 seconds ([`backoff`]):
//! at most [`MAX_ATTEMPTS`] attempts, then the notification is `failed` (in its log).
//!
//! **At least once, one key.** A row is written before its first attempt and marked after it.
//! A kill between webhooks' 2xx and their marks (at most the deliveries in flight and the marks
//! waiting for the marker) makes the restarted service (or another replica) send them again
//! with the same `idempotencyKey`, which the receiver uses to drop the repeat; nothing else is
//! ever sent twice, and nothing recorded is lost.
//!
//! **Leases: one replica per notification.** Before sending, a replica claims due rows with a
//! lease: `lease_owner` (its [`Runtime::replica`] id) and `lease_until` ([`Runtime::lease`]
//! seconds on), with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas claiming at once take
//! different rows. A row is claimable when it is pending, its attempt is due, and it has no
//! lease or an expired one: the work of a replica that died is taken over once its leases
//! expire. Before each send the replica renews its lease if it would expire within the
//! webhook's timeout (and skips the row if the lease is no longer its own), and the outcome is
//! written only under its own lease. A SQLite file is served by one process: its leases are
//! released at start ([`crate::store::Store::open`]).
//!
//! **One clock.** All times compared are service seconds of [`Clock::now`]; on PostgreSQL the
//! process's clock is corrected by its measured difference to the database's clock
//! ([`crate::set_db_clock_offset`], at every tick), so replicas whose clocks disagree agree on
//! what is due. A notification due while the service was down is
//! recorded and sent at start, with `"late": true` (also any sent more than [`LATE_AFTER`]
//! seconds after it was due).

use crate::alerts::{instant, materialize_synced};
use crate::store::{Conn, Engine, params};
use crate::store::{Store, log};
use crate::{Clock, Error, Metrics, Route};
use oncall_core::Loaded;
use serde_json::Value;
use std::io::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Time between two ticks of the loop.
pub const TICK: Duration = Duration::from_millis(200);
/// Attempts of one notification before it is `failed`.
pub const MAX_ATTEMPTS: i64 = 10;
/// How long one webhook request may take.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// A notification sent this many seconds after it was due is marked late.
pub const LATE_AFTER: i64 = 60;
/// Rows claimed per tick at most.
pub const BATCH: i64 = 200;
/// Deliveries in flight at once per replica by default: at most this many alerts' webhooks are
/// being posted to at one time (`ONCALL_SERVE_IN_FLIGHT`, 1 to 256, changes it).
pub const IN_FLIGHT: usize = 16;
/// How long the outcome of a create or an action stays readable at
/// `GET /v2/alerts/requests/{requestId}`: three days (service seconds). Opsgenie keeps request
/// statuses for a limited time too; a client asks about a request seconds after making it.
pub const REQUEST_RETENTION_SECS: i64 = 3 * 86_400;
/// Seconds between two prunings of expired request statuses.
const PRUNE_EVERY_SECS: i64 = 60;
/// Request-status rows deleted per pruning at most (the rest go at the next one).
const PRUNE_BATCH: i64 = 10_000;

/// The configurations in use: `base`, compiled from the configuration file, and `effective`,
/// the same with the overrides stored in the database applied on top
/// ([`oncall_core::live_overrides::apply`]), which every answer and escalation uses.
///
/// **Swaps happen under the database lock** ([`Configs::install`] is called inside a
/// [`Store`] call), and every reader that pairs the configuration with the database reads it
/// inside its own [`Store`] call, so no transaction sees a configuration that changed in its
/// middle.
///
/// **Replicas.** Another replica may change the stored overrides: each change counts up their
/// version in the database ([`crate::overrides::version`]), and [`Configs::sync`] (at the start
/// of every escalation transaction, [`crate::alerts::materialize_synced`]) reloads them when it
/// moved, so no escalation is computed with overrides older than the database's.
#[derive(Clone)]
pub struct Configs(Arc<RwLock<(Arc<Loaded>, Arc<Loaded>)>>, Arc<AtomicI64>);

impl Configs {
    /// Both the same configuration (no stored overrides yet), or the file's and the effective
    /// one of the overrides of version `version`.
    pub fn new(base: Loaded, effective: Loaded) -> Configs {
        Configs(Arc::new(RwLock::new((Arc::new(base), Arc::new(effective)))), Arc::new(AtomicI64::new(-1)))
    }

    /// Reloads the stored overrides if their version moved since this replica last read them
    /// (another replica changed them): the file's configuration with them on top. Overrides
    /// this replica's file refuses (replicas with different files) leave the configuration as
    /// it was, with an error in the log.
    pub fn sync(&self, c: &Conn) -> Result<(), Error> {
        let version = crate::overrides::version(c)?;
        let seen = self.1.load(Ordering::Relaxed);
        if version == seen {
            return Ok(());
        }
        let base = self.base();
        match crate::overrides::effective(c, &base)? {
            Ok(effective) => {
                match self.0.write() {
                    Ok(mut g) => g.1 = Arc::new(effective),
                    Err(p) => p.into_inner().1 = Arc::new(effective),
                }
                if seen >= 0 {
                    crate::log_line("info", &format!("stored overrides reloaded (version {version})"));
                }
            }
            Err(e) => crate::log_line(
                "error",
                &format!("stored overrides of version {version} refused: {}", crate::error_lines(&e).join("; ")),
            ),
        }
        self.1.store(version, Ordering::Relaxed);
        Ok(())
    }

    /// The configuration answers and escalations use.
    pub fn effective(&self) -> Arc<Loaded> {
        self.0.read().map(|g| g.1.clone()).unwrap_or_else(|p| p.into_inner().1.clone())
    }

    /// The configuration file's.
    pub fn base(&self) -> Arc<Loaded> {
        self.0.read().map(|g| g.0.clone()).unwrap_or_else(|p| p.into_inner().0.clone())
    }

    /// Puts new configurations in place and makes every alert whose escalation may still
    /// notify (or change its state) be recomputed at the next tick: its notifications from now
    /// on are those of the new configuration; those already recorded stay. Call it inside a
    /// [`Store`] call, with that call's connection.
    pub fn install(&self, c: &Conn, base: Arc<Loaded>, effective: Arc<Loaded>) -> Result<(), Error> {
        self.1.store(crate::overrides::version(c)?, Ordering::Relaxed);
        c.execute("UPDATE alerts SET next_due = materialized_until WHERE is_open = 1 OR next_due IS NOT NULL", &[])?;
        c.execute("UPDATE alerts SET stable_until = 0 WHERE is_open = 1 OR stable_until IS NOT NULL", &[])?;
        match self.0.write() {
            Ok(mut g) => *g = (base, effective),
            Err(p) => *p.into_inner() = (base, effective),
        }
        Ok(())
    }
}

/// Seconds to wait after failed attempt `attempt` (1-based) before the next.
///
/// ```
/// assert_eq!((1..=9).map(oncall_serve::runtime::backoff).collect::<Vec<_>>(), [1, 2, 4, 8, 16, 32, 60, 60, 60]);
/// ```
pub fn backoff(attempt: i64) -> i64 {
    if attempt >= 7 { 60 } else { 1 << (attempt - 1).clamp(0, 6) }
}

/// The state the loop shares with the API.
pub struct Runtime {
    /// The database.
    pub store: Store,
    /// The configurations (the file's, and with the stored overrides).
    pub configs: Configs,
    /// Where notifications go.
    pub routes: Vec<Route>,
    /// The service's clock.
    pub clock: Clock,
    /// When this process started (service seconds).
    pub started_at: i64,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// When expired request statuses were last pruned (service seconds).
    pub pruned_at: AtomicI64,
    /// This process's id in `lease_owner`: unique among the replicas.
    pub replica: String,
    /// How long a claim of due notifications lasts (service seconds).
    pub lease: i64,
    /// Deliveries in flight at once at most ([`IN_FLIGHT`] by default).
    pub in_flight: usize,
}

/// The default lease: 30 wall-clock seconds (`ONCALL_SERVE_LEASE_SECS` changes it).
pub const LEASE_SECS: i64 = 30;

/// A replica id: the host's name, the process id and the start instant.
pub fn replica_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}-{}-{nanos}", host.trim(), std::process::id())
}

struct Due {
    key: String,
    seq: i64,
    due_at: i64,
    method: String,
    body: String,
    attempts: i64,
    next_attempt_at: i64,
    lease_until: i64,
}

/// The outcome of one attempt, waiting to be written by the marker ([`mark_all`]).
struct Mark {
    key: String,
    seq: i64,
    method: String,
    user: String,
    attempt: i64,
    ok: bool,
    failed: bool,
    late: bool,
    now: i64,
    what: String,
}

impl Runtime {
    /// Runs the loop until the task is dropped. The loop sleeps [`TICK`] between two ticks,
    /// except after a tick that claimed a full batch ([`BATCH`]): more is due, so the next tick
    /// starts at once.
    pub async fn run(self: Arc<Self>) {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().timeout_global(Some(HTTP_TIMEOUT)).http_status_as_error(false).build().into();
        loop {
            match self.tick(&agent).await {
                Ok(claimed) if claimed >= BATCH as usize => continue,
                Ok(_) => {}
                Err(e) => crate::log_line("error", &format!("escalation runtime: {e}")),
            }
            tokio::time::sleep(TICK).await;
        }
    }

    /// One tick: record what fell due, deliver what is due; returns how many rows it claimed.
    ///
    /// **Concurrent delivery.** The claimed rows are grouped by alert; up to
    /// [`Runtime::in_flight`] alerts' groups are delivered at once (default [`IN_FLIGHT`]), each
    /// group's rows one after another in the order they fell due (so one alert's notifications
    /// of a tick reach the webhooks in order; different alerts' interleave). Each outcome goes
    /// to one marker, which writes all the outcomes that are waiting in one transaction (each
    /// row only under this replica's lease). The tick ends when every claimed row is sent or
    /// skipped and every outcome is written.
    pub async fn tick(self: &Arc<Self>, agent: &ureq::Agent) -> Result<usize, Error> {
        if let Ok(Some(offset)) = self.store.call(|c| c.clock_offset_millis(crate::local_millis)).await {
            crate::set_db_clock_offset(offset);
        }
        let now = self.clock.now();
        let configs = self.configs.clone();
        let written = self.store.call(move |c| materialize_synced(c, &configs, now)).await?;
        self.metrics.notifications_recorded.fetch_add(written as u64, Ordering::Relaxed);
        if now - self.pruned_at.load(Ordering::Relaxed) >= PRUNE_EVERY_SECS {
            self.pruned_at.store(now, Ordering::Relaxed);
            let pruned = self.store.call(move |c| prune_requests(c, now)).await?;
            if pruned > 0 {
                crate::log_line(
                    "info",
                    &format!("pruned {pruned} request statuses older than {REQUEST_RETENTION_SECS} s"),
                );
            }
        }
        let (replica, lease_until) = (self.replica.clone(), now + self.lease);
        let mut due: Vec<Due> = self.store.call(move |c| claim(c, &replica, now, lease_until)).await?;
        let claimed = due.len();
        if claimed == 0 {
            return Ok(0);
        }
        due.sort_by_key(|d| (d.next_attempt_at, d.due_at));
        let mut groups: Vec<Vec<Due>> = Vec::new();
        let mut index: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for d in due {
            match index.get(&d.seq) {
                Some(&i) => groups[i].push(d),
                None => {
                    index.insert(d.seq, groups.len());
                    groups.push(vec![d]);
                }
            }
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Mark>();
        let marker = {
            let (store, replica) = (self.store.clone(), self.replica.clone());
            tokio::spawn(async move {
                let mut result = Ok(());
                while let Some(first) = rx.recv().await {
                    let mut marks = vec![first];
                    while let Ok(m) = rx.try_recv() {
                        marks.push(m);
                    }
                    let replica = replica.clone();
                    if let Err(e) = store.call(move |c| mark_all(c, &replica, marks)).await {
                        crate::log_line("error", &format!("escalation runtime: marking outcomes: {e}"));
                        result = Err(e);
                    }
                }
                result
            })
        };
        let slots = Arc::new(tokio::sync::Semaphore::new(self.in_flight.max(1)));
        let mut senders = tokio::task::JoinSet::new();
        for group in groups {
            let permit = slots.clone().acquire_owned().await.map_err(|e| Error::Internal(e.to_string()))?;
            let (rt, agent, tx) = (self.clone(), agent.clone(), tx.clone());
            senders.spawn(async move {
                let _permit = permit;
                for d in group {
                    match rt.deliver(&agent, d).await {
                        Ok(Some(mark)) => {
                            if tx.send(mark).is_err() {
                                break;
                            }
                        }
                        Ok(None) => {}
                        Err(e) => {
                            // The rest of the group keeps its lease and is claimed again when
                            // the lease expires.
                            crate::log_line("error", &format!("escalation runtime: {e}"));
                            break;
                        }
                    }
                }
            });
        }
        drop(tx);
        while let Some(joined) = senders.join_next().await {
            if let Err(e) = joined {
                crate::log_line("error", &format!("escalation runtime: delivery task: {e}"));
            }
        }
        marker.await.map_err(|e| Error::Internal(format!("marker task failed: {e}")))??;
        Ok(claimed)
    }

    /// Whether this replica still holds `d`'s lease for the whole of a send (renewing it when it
    /// would expire within the webhook's timeout): `false` when another replica took the row.
    async fn hold(&self, d: &mut Due) -> Result<bool, Error> {
        let now = self.clock.now();
        let margin = (HTTP_TIMEOUT.as_secs() as i64 + 5) * self.clock.scale;
        if now + margin < d.lease_until {
            return Ok(true);
        }
        let (key, replica, until) = (d.key.clone(), self.replica.clone(), now + self.lease);
        let renewed = self
            .store
            .call(move |c| {
                c.execute(
                    "UPDATE notifications SET lease_until = ?3 WHERE idempotency_key = ?1 AND lease_owner = ?2
                       AND state = 'pending'",
                    params![key, replica, until],
                )
            })
            .await?;
        d.lease_until = until;
        Ok(renewed == 1)
    }

    /// Sends one attempt of `d` (when this replica still holds its lease) and returns its
    /// outcome, to be written by the marker.
    async fn deliver(&self, agent: &ureq::Agent, mut d: Due) -> Result<Option<Mark>, Error> {
        if !self.hold(&mut d).await? {
            crate::log_line("warn", &format!("notification {}: lease taken over by another replica", d.key));
            return Ok(None);
        }
        let now = self.clock.now();
        let attempt = d.attempts + 1;
        let late = d.due_at < self.started_at || now - d.due_at > LATE_AFTER;
        let mut body: Value =
            serde_json::from_str(&d.body).map_err(|e| Error::Corrupt(format!("notification: {e}")))?;
        if let Value::Object(o) = &mut body {
            o.insert("attempt".into(), attempt.into());
            o.insert("late".into(), late.into());
            o.insert("sentAt".into(), oncall_core::time::format_instant(instant(now)).into());
        }
        let route = self
            .routes
            .iter()
            .find(|r| r.method == d.method)
            .or_else(|| self.routes.iter().find(|r| r.method == "*"))
            .cloned();
        let text = body.to_string();
        let (ok, what) = match route {
            None => {
                let mut out = std::io::stdout().lock();
                match writeln!(out, "{text}").and_then(|()| out.flush()) {
                    Ok(()) => (true, "written to standard output".to_string()),
                    Err(e) => (false, format!("standard output: {e}")),
                }
            }
            Some(route) => {
                let agent = agent.clone();
                let url = route.url.clone();
                let result = tokio::task::spawn_blocking(move || {
                    agent.post(&url).content_type("application/json").send(text.as_str()).map(|r| r.status().as_u16())
                })
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
                match result {
                    Ok(s) if (200..300).contains(&s) => (true, format!("POST {}: {s}", route.url)),
                    Ok(s) => (false, format!("POST {}: status {s}", route.url)),
                    Err(e) => (false, format!("POST {}: {e}", route.url)),
                }
            }
        };
        let m = &self.metrics;
        if ok {
            m.notifications_sent.fetch_add(1, Ordering::Relaxed);
            m.delivery_lag_seconds_sum.fetch_add((now - d.due_at).max(0) as u64, Ordering::Relaxed);
        } else {
            m.notification_attempts_failed.fetch_add(1, Ordering::Relaxed);
        }
        let failed = !ok && attempt >= MAX_ATTEMPTS;
        if failed {
            m.notifications_failed.fetch_add(1, Ordering::Relaxed);
        }
        let user = body.get("user").and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(Some(Mark { key: d.key, seq: d.seq, method: d.method, user, attempt, ok, failed, late, now, what }))
    }
}

/// Writes the outcomes `marks` in one transaction: each row's state, attempts, next attempt and
/// a line in its alert's log, only where `replica` still holds the row's lease (a row whose
/// lease expired during the send and was taken by another replica keeps that replica's outcome).
fn mark_all(c: &mut Conn, replica: &str, marks: Vec<Mark>) -> Result<(), Error> {
    let tx = c.transaction()?;
    for m in marks {
        let (state, next) = match (m.ok, m.failed) {
            (true, _) => ("delivered", m.now),
            (false, true) => ("failed", m.now),
            (false, false) => ("pending", m.now + backoff(m.attempt)),
        };
        let marked = tx.execute(
            "UPDATE notifications SET state = ?2, attempts = ?3, next_attempt_at = ?4, delivered_at = ?5, late = ?6,
               lease_owner = NULL, lease_until = NULL
             WHERE idempotency_key = ?1 AND lease_owner = ?7",
            params![m.key, state, m.attempt, next, m.ok.then_some(m.now), m.late as i64, replica],
        )?;
        if marked == 0 {
            crate::log_line(
                "warn",
                &format!("notification {}: lease lost during the send; outcome not recorded", m.key),
            );
            continue;
        }
        let late = if m.late { ", late" } else { "" };
        let outcome = match (m.ok, m.failed) {
            (true, _) => "delivered".to_string(),
            (false, true) => format!("failed; no more attempts (limit {MAX_ATTEMPTS})"),
            (false, false) => format!("failed; next attempt in {} s", backoff(m.attempt)),
        };
        let (method, user, key, attempt, what) = (&m.method, &m.user, &m.key, m.attempt, &m.what);
        let message =
            format!("{method} notification to {user} (key {key}), attempt {attempt}{late}: {what}: {outcome}");
        log(&tx, m.seq, m.now, "notification-attempt", &message)?;
    }
    tx.commit()
}

/// Deletes request statuses processed more than [`REQUEST_RETENTION_SECS`] before `now` (at
/// most [`PRUNE_BATCH`] at a time); returns how many.
pub fn prune_requests(c: &mut Conn, now: i64) -> Result<usize, Error> {
    c.execute(
        "DELETE FROM requests WHERE request_id IN
           (SELECT request_id FROM requests WHERE processed_at < ?1 ORDER BY processed_at LIMIT ?2)",
        params![now - REQUEST_RETENTION_SECS, PRUNE_BATCH],
    )
}

/// Claims up to [`BATCH`] notifications whose attempt is due at `now` and that no replica holds
/// (no lease, or one that expired): they are `replica`'s until `lease_until`. On PostgreSQL the
/// rows are locked with `FOR UPDATE SKIP LOCKED`, so replicas claiming at once take different
/// rows; one statement, outside any transaction.
fn claim(c: &mut Conn, replica: &str, now: i64, lease_until: i64) -> Result<Vec<Due>, Error> {
    let lock = if c.engine() == Engine::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE notifications SET lease_owner = ?1, lease_until = ?2
         WHERE idempotency_key IN (SELECT idempotency_key FROM notifications
           WHERE state = 'pending' AND next_attempt_at <= ?3 AND (lease_until IS NULL OR lease_until <= ?3)
           ORDER BY next_attempt_at, due_at LIMIT ?4 {lock})
         RETURNING idempotency_key, alert_seq, due_at, method, body, attempts, next_attempt_at"
    );
    c.query(&sql, params![replica, lease_until, now, BATCH])?
        .iter()
        .map(|r| {
            Ok(Due {
                key: r.get(0)?,
                seq: r.get(1)?,
                due_at: r.get(2)?,
                method: r.get(3)?,
                body: r.get(4)?,
                attempts: r.get(5)?,
                next_attempt_at: r.get(6)?,
                lease_until,
            })
        })
        .collect()
}
