//! `oncall serve` driven by real clients: Prometheus Alertmanager (Debian's package
//! `prometheus-alertmanager`) with its `opsgenie_configs` pointed at the service, and the
//! official Opsgenie SDKs for Python (`opsgenie-sdk` on PyPI) and Node (`opsgenie-sdk` on npm). A webhook receiver in the test takes
//! every notification the service delivers and checks it against the core's escalation
//! timelines, replayed from the service's own database. Each test runs on both engines
//! (`on_both!`: a SQLite file, and a database on the private PostgreSQL of
//! `scripts/with-postgres`; without the script the PostgreSQL runs are skipped).
//!
//! The clients are installed by `scripts/install-test-tools` (which `scripts/test` runs first);
//! without them these tests fail, saying so. Run: `scripts/install-test-tools &&
//! scripts/with-postgres cargo test -p oncall --test serve_clients` (about 20 s).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const AM_KEY: &str = "alertmanager-key";
const SDK_KEY: &str = "python-sdk-key";
const NODE_KEY: &str = "node-sdk-key";

#[macro_use]
mod serve_support;
use serve_support::{Db, free_port, spawn_http};

on_both!(alertmanager_opsgenie_notifier_creates_and_closes_by_its_alias);
on_both!(opsgenie_python_sdk_creates_gets_acknowledges_and_closes);
on_both!(opsgenie_node_sdk_creates_gets_acknowledges_and_closes);

/// Where `scripts/install-test-tools` puts what it installs: `ONCALL_TEST_TOOLS`, else
/// `test-tools` in the target directory.
fn tools() -> PathBuf {
    match std::env::var_os("ONCALL_TEST_TOOLS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("test-tools"),
    }
}

fn missing(what: &str) -> ! {
    panic!("{what} is not installed: run scripts/install-test-tools (scripts/test does) before these tests");
}

fn alertmanager_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ONCALL_ALERTMANAGER") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("prometheus-alertmanager"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| missing("Prometheus Alertmanager (Debian's prometheus-alertmanager)"))
}

fn node_modules() -> PathBuf {
    let modules = tools().join("node/node_modules");
    if !modules.join("opsgenie-sdk").is_dir() {
        missing(&format!("the Opsgenie Node SDK (npm, in {})", modules.display()));
    }
    modules
}

fn sdk_python() -> PathBuf {
    let python = tools().join("venv/bin/python");
    if !python.is_file() {
        missing(&format!("the Opsgenie Python SDK (a venv at {})", python.parent().unwrap().display()));
    }
    python
}

/// The configuration: the integrations' owner team pages ann at once, boss after a minute if
/// nobody acknowledged, cy after ten if nobody closed. ann is told of acknowledgements, notes
/// and closes too.
fn config(dir: &Path) -> PathBuf {
    let tell = |action: &str| {
        json!({"name": action, "actionType": action, "enabled": true,
               "steps": [{"contact": {"method": "email", "to": "ann@example.com"}, "sendAfter": {"timeAmount": 0}}]})
    };
    let doc = json!({
      "users": [
        {"username": "ann", "notificationRules": [
            {"name": "page", "actionType": "create-alert", "enabled": true,
             "steps": [{"contact": {"method": "email", "to": "ann@example.com"}, "sendAfter": {"timeAmount": 0}},
                       {"contact": {"method": "sms", "to": "+49 1"}, "sendAfter": {"timeAmount": 5}}]},
            tell("acknowledged-alert"), tell("closed-alert"), tell("add-note")]},
        {"username": "ben"}, {"username": "boss"}, {"username": "cy"}],
      "teams": [{"name": "payments", "members": [{"user": {"username": "ann"}}, {"user": {"username": "ben"}}],
                 "routingRules": [{"name": "default", "isDefault": true, "notify": {"type": "escalation", "name": "ops"}}]}],
      "schedules": [{"name": "primary", "rotations": [{"type": "weekly", "length": 1, "startDate": "2026-01-01T00:00:00Z",
                     "participants": [{"type": "user", "username": "ann"}]}]}],
      "escalations": [{"name": "ops", "rules": [
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "primary"}},
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 1}, "recipient": {"type": "user", "username": "boss"}},
        {"condition": "if-not-closed", "notifyType": "default", "delay": {"timeAmount": 10}, "recipient": {"type": "user", "username": "cy"}}]}],
      "integrations": [
        {"name": "alertmanager", "type": "API", "ownerTeam": {"name": "payments"}, "apiKey": AM_KEY},
        {"name": "python-sdk", "type": "API", "ownerTeam": {"name": "payments"}, "apiKey": SDK_KEY},
        {"name": "node-sdk", "type": "API", "ownerTeam": {"name": "payments"}, "apiKey": NODE_KEY}]
    });
    let path = dir.join("config.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

fn tmp(name: &str) -> PathBuf {
    serve_support::tmp_dir("clients", name)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// GET or POST (JSON) on 127.0.0.1; the status and the body as JSON (or a string).
fn http(method: &str, url: &str, key: Option<&str>, body: Option<&Value>) -> Result<(u16, Value), String> {
    let agent = agent();
    let auth = key.map(|k| format!("GenieKey {k}"));
    let r = if method == "GET" {
        let mut r = agent.get(url);
        if let Some(a) = &auth {
            r = r.header("Authorization", a);
        }
        r.call()
    } else {
        let mut r = agent.post(url).content_type("application/json");
        if let Some(a) = &auth {
            r = r.header("Authorization", a);
        }
        r.send(body.map(Value::to_string).unwrap_or_default().as_str())
    };
    let mut r = r.map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out after {secs} s waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process killed when dropped, its output in files of the test's directory.
struct Proc {
    child: Child,
    name: String,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &str, dir: &Path, cmd: &mut Command) -> Proc {
        let out = dir.join(format!("{name}.stdout"));
        let log = dir.join(format!("{name}.stderr"));
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc { child, name: name.to_string(), log }
    }

    /// Waits until `url` answers 200, failing if the process exits first.
    fn wait_ready(&mut self, url: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok((200, _)) = http("GET", url, None, None) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("{} exited with {status}:\n{}", self.name, self.stderr());
            }
            assert!(Instant::now() < deadline, "{} did not answer {url}:\n{}", self.name, self.stderr());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `oncall serve` on a free port, every notification to `hook`.
fn serve(dir: &Path, db: &Db, hook: &Receiver) -> (Proc, String) {
    let port = free_port();
    let mut p = Proc::spawn(
        "oncall-serve",
        dir,
        Command::new(env!("CARGO_BIN_EXE_oncall")).args([
            "serve".to_string(),
            config(dir).display().to_string(),
            "--db".into(),
            db.arg(dir),
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--deliver".into(),
            format!("*={}", hook.url),
        ]),
    );
    let url = format!("http://127.0.0.1:{port}");
    p.wait_ready(&format!("{url}/healthz"));
    (p, url)
}

/// A webhook receiver: records every POST and answers 200.
#[derive(Clone)]
struct Receiver {
    got: Arc<Mutex<Vec<Value>>>,
    url: String,
}

impl Receiver {
    fn start() -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
                let g = g.clone();
                async move {
                    g.lock().unwrap().push(v);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let url = spawn_http(app, "/hook");
        Receiver { got, url }
    }

    fn all(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }
}

type Expected = BTreeMap<(String, String, String, String, String), usize>;

/// The notifications the core's escalation timelines call for, from the service's own file:
/// each alert's payload, creation and events, replayed by `Config::escalate` for each of its
/// targets (`alert_targets`: here the integration's owner team).
fn expected(dir: &Path, db: &Db) -> Expected {
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let config = oncall_core::Config::from_json(&text).unwrap();
    let mut out = BTreeMap::new();
    // owner_team: '' for none (no team is named '').
    let alerts = db
        .rows(dir, "SELECT CAST(seq AS TEXT), payload, CAST(created_at AS TEXT), COALESCE(owner_team, '') FROM alerts");
    for row in alerts {
        let [seq, payload, created, owner_team] = <[String; 4]>::try_from(row).unwrap();
        let (seq, created): (i64, i64) = (seq.parse().unwrap(), created.parse().unwrap());
        let owner_team = Some(owner_team).filter(|t| !t.is_empty());
        let alert = oncall_core::alert::Alert::from_json(&payload).unwrap();
        let rows: Vec<String> = db
            .rows(dir, &format!("SELECT event FROM alert_events WHERE alert_seq = {seq} ORDER BY n"))
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        let events =
            oncall_core::alert::AlertEvent::list_from_json(&format!("[{}]", rows.join(",")), chrono_tz::Tz::UTC)
                .unwrap();
        let events = oncall_core::alert::escalation_events(&events);
        let created = chrono::DateTime::from_timestamp(created, 0).unwrap();
        let targets = oncall_core::alert::alert_targets(&alert, owner_team.as_deref());
        assert!(!targets.is_empty(), "alert-{seq} has no target");
        for target in targets {
            let tl = config.escalate(&alert, &target, created, &events, &Default::default()).unwrap();
            for n in tl.notifications {
                let k = (
                    format!("alert-{seq}"),
                    oncall_core::time::format_instant(n.at),
                    n.user.clone(),
                    n.method.as_str().to_string(),
                    serde_json::to_value(n.action_type).unwrap().as_str().unwrap().to_string(),
                );
                *out.entry(k).or_insert(0) += 1;
            }
        }
    }
    out
}

/// Whether the service has recorded and delivered everything due so far for alerts that
/// have no notification left to come (every alert closed and materialized past its close).
fn settled(dir: &Path, db: &Db) -> bool {
    db.count(dir, "SELECT CAST(COUNT(*) AS TEXT) FROM alerts WHERE next_due IS NOT NULL OR is_open = 1") == 0
        && db.count(dir, "SELECT CAST(COUNT(*) AS TEXT) FROM notifications WHERE state <> 'delivered'") == 0
}

/// Every delivery the receiver got: each carries the webhook contract's fields, each key
/// once, and together they are exactly the core's timelines. Returns them.
fn check_deliveries(dir: &Path, db: &Db, hook: &Receiver) -> Vec<Value> {
    wait_until("every notification recorded and delivered", 30, || settled(dir, db));
    let want = expected(dir, db);
    let got = hook.all();
    let mut have: Expected = BTreeMap::new();
    let mut keys = std::collections::BTreeSet::new();
    for n in &got {
        for field in ["idempotencyKey", "at", "user", "method", "to", "actionType", "alert", "via", "attempt", "sentAt"]
        {
            assert!(n.get(field).is_some(), "{field} missing in {n}");
        }
        for f in ["id", "tinyId", "alias", "message", "priority", "status"] {
            assert!(n["alert"].get(f).is_some(), "alert.{f} missing in {n}");
        }
        assert!(keys.insert(n["idempotencyKey"].as_str().unwrap().to_string()), "a key twice: {n}");
        assert_eq!((n["attempt"].as_i64(), n["late"].as_bool()), (Some(1), Some(false)), "{n}");
        let k = (
            n["alert"]["id"].as_str().unwrap().to_string(),
            n["at"].as_str().unwrap().to_string(),
            n["user"].as_str().unwrap().to_string(),
            n["method"].as_str().unwrap().to_string(),
            n["actionType"].as_str().unwrap().to_string(),
        );
        *have.entry(k).or_insert(0) += 1;
    }
    assert_eq!(have, want, "delivered against the core's timelines");
    got
}

/// Runs a client script to its end (at most a minute); its stdout as one JSON document.
fn run_client(name: &str, dir: &Path, service: &Proc, cmd: &mut Command) -> Value {
    let mut client = Proc::spawn(name, dir, cmd);
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = client.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "{name} did not finish:\n{}", client.stderr());
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = std::fs::read_to_string(dir.join(format!("{name}.stdout"))).unwrap();
    assert!(status.success(), "{name} failed ({status}):\n{}\nservice:\n{}", client.stderr(), service.stderr());
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{name} printed no JSON ({e}): {out}"))
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn alertmanager_opsgenie_notifier_creates_and_closes_by_its_alias(db: Db) {
    let bin = alertmanager_bin();
    let dir = tmp(&format!("alertmanager-{}", db.tag()));
    let hook = Receiver::start();
    let (mut service, url) = serve(&dir, &db, &hook);

    // Alertmanager's Opsgenie notifier, pointed at the service. Its priority is a template:
    // the usual severity mapping (critical → P1, warning → P2, else P3).
    let am_port = free_port();
    let am_config = format!(
        r#"route:
  receiver: oncall
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['via="webhook"']
      receiver: oncall-webhook
receivers:
  - name: oncall
    opsgenie_configs:
      - api_key: {AM_KEY}
        api_url: {url}/
        send_resolved: true
        priority: '{{{{ if eq .CommonLabels.severity "critical" }}}}P1{{{{ else if eq .CommonLabels.severity "warning" }}}}P2{{{{ else }}}}P3{{{{ end }}}}'
  - name: oncall-webhook
    webhook_configs:
      - url: {url}/v1/integrations/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: GenieKey
            credentials: {AM_KEY}
"#
    );
    std::fs::write(dir.join("alertmanager.yml"), am_config).unwrap();
    std::fs::create_dir_all(dir.join("am-data")).unwrap();
    let mut am = Proc::spawn(
        "alertmanager",
        &dir,
        Command::new(&bin).args([
            format!("--config.file={}", dir.join("alertmanager.yml").display()),
            format!("--storage.path={}", dir.join("am-data").display()),
            format!("--web.listen-address=127.0.0.1:{am_port}"),
            "--cluster.listen-address=".to_string(),
            "--log.level=debug".to_string(),
        ]),
    );
    let am_url = format!("http://127.0.0.1:{am_port}");
    am.wait_ready(&format!("{am_url}/-/ready"));

    let now = chrono::Utc::now();
    // DiskFull and CpuHot go to the Opsgenie notifier; QueueBacklog (label via=webhook) to the
    // webhook receiver, Alertmanager's own payload.
    let alert = |name: &str, severity: &str, ends: Option<chrono::DateTime<chrono::Utc>>| {
        let mut labels = json!({"alertname": name, "severity": severity, "instance": "db1"});
        if name == "QueueBacklog" {
            labels["via"] = json!("webhook");
        }
        let mut a = json!({"labels": labels, "annotations": {"summary": format!("{name} on db1")},
                           "startsAt": oncall_core::time::format_instant(now - chrono::Duration::seconds(30)),
                           "generatorURL": "http://prometheus.example/graph"});
        if let Some(e) = ends {
            a["endsAt"] = json!(oncall_core::time::format_instant(e));
        }
        a
    };
    let post = |alerts: Value| {
        let (code, v) = http("POST", &format!("{am_url}/api/v2/alerts"), None, Some(&alerts)).unwrap();
        assert_eq!(code, 200, "Alertmanager refused the alerts: {v}");
    };
    let firing = [("DiskFull", "critical"), ("CpuHot", "warning"), ("QueueBacklog", "critical")];
    post(Value::Array(firing.iter().map(|(n, s)| alert(n, s, None)).collect()));

    // Alertmanager's alias: hex SHA-256 of the group key, `{}:{alertname="…"}` for groups of
    // the root route grouped by alertname, `{}/{via="webhook"}:{alertname="…"}` for its child
    // route (the webhook receiver's payload carries that key; the service hashes it).
    let aliases = [
        sha256_hex(r#"{}:{alertname="DiskFull"}"#),
        sha256_hex(r#"{}:{alertname="CpuHot"}"#),
        sha256_hex(r#"{}/{via="webhook"}:{alertname="QueueBacklog"}"#),
    ];
    assert_eq!(aliases[0], oncall_core::alertmanager::group_alias(r#"{}:{alertname="DiskFull"}"#));
    let get = |alias: &str| http("GET", &format!("{url}/v2/alerts/{alias}?identifierType=alias"), Some(AM_KEY), None);
    let diag = |am: &Proc, service: &Proc| format!("alertmanager:\n{}\nservice:\n{}", am.stderr(), service.stderr());
    let priorities = ["P1", "P2", "P1"];
    for ((alias, priority), (name, _)) in aliases.iter().zip(priorities).zip(firing) {
        wait_until(&format!("{name} at the service\n{}", diag(&am, &service)), 30, || {
            matches!(get(alias), Ok((200, _)))
        });
        let (_, v) = get(alias).unwrap();
        let a = &v["data"];
        assert_eq!(
            (a["alias"].as_str(), a["priority"].as_str(), a["status"].as_str(), a["count"].as_u64()),
            (Some(alias.as_str()), Some(priority), Some("open"), Some(1)),
            "{v}\n{}",
            diag(&am, &service)
        );
        assert!(a["message"].as_str().unwrap().starts_with(&format!("[FIRING:1] {name}")), "{v}");
        assert_eq!(a["integration"]["name"], "alertmanager");
    }

    // Resolved (endsAt in the past): Alertmanager closes each alert by its alias, one group at
    // a time.
    for (i, (name, severity)) in firing.iter().enumerate() {
        post(json!([alert(name, severity, Some(now - chrono::Duration::seconds(1)))]));
        wait_until(
            &format!("{name} closed\n{}", diag(&am, &service)),
            30,
            || matches!(get(&aliases[i]), Ok((200, ref v)) if v["data"]["status"] == "closed"),
        );
        for later in &aliases[i + 1..] {
            assert_eq!(get(later).unwrap().1["data"]["status"], "open", "{}", diag(&am, &service));
        }
    }
    let disk = &aliases[0];
    let (_, log) =
        http("GET", &format!("{url}/v2/alerts/{disk}/logs?identifierType=alias"), Some(AM_KEY), None).unwrap();
    let kinds: Vec<&str> = log["data"].as_array().unwrap().iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"created") && kinds.contains(&"close"), "{kinds:?}");

    // The receiver got what the core's timelines say: ann paged for each alert, then told of
    // its close, and the notifications carry Alertmanager's alias.
    let got = check_deliveries(&dir, &db, &hook);
    for (alias, priority) in aliases.iter().zip(priorities) {
        let mine: Vec<&Value> = got.iter().filter(|n| n["alert"]["alias"] == alias.as_str()).collect();
        let kinds: Vec<&str> = mine.iter().map(|n| n["actionType"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"create-alert") && kinds.contains(&"closed-alert"), "{kinds:?}");
        assert!(mine.iter().all(|n| n["alert"]["priority"] == priority && n["user"] == "ann"), "{mine:?}");
    }
    // Alertmanager reported no failed notification.
    let (_, metrics) = http("GET", &format!("{am_url}/metrics"), None, None).unwrap();
    let failed: f64 = metrics
        .as_str()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("alertmanager_notifications_failed_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(failed, 0.0, "{}", diag(&am, &service));
    drop(am);
    let _ = service.child.kill();
}

fn opsgenie_python_sdk_creates_gets_acknowledges_and_closes(db: Db) {
    let python = sdk_python();
    let dir = tmp(&format!("python-sdk-{}", db.tag()));
    let hook = Receiver::start();
    let (service, url) = serve(&dir, &db, &hook);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/opsgenie_python_sdk.py");
    let seen = run_client("python-sdk", &dir, &service, Command::new(&python).arg(&script).args([&url, SDK_KEY]));

    assert_eq!(seen["create"]["alertId"], "alert-1", "{seen}");
    assert_eq!(seen["create"]["status"], "Created alert");
    let g = &seen["get"];
    assert_eq!(
        (g["id"].as_str(), g["tinyId"].as_str(), g["alias"].as_str(), g["priority"].as_str(), g["status"].as_str()),
        (Some("alert-1"), Some("1"), Some("checkout-latency"), Some("P2"), Some("open")),
        "{seen}"
    );
    assert_eq!(g["message"], "Checkout latency over 2 s");
    assert_eq!(g["tags"], json!(["checkout", "latency"]));
    assert_eq!(g["details"], json!({"region": "eu-west-1"}));
    assert_eq!((g["entity"].as_str(), g["source"].as_str()), (Some("checkout"), Some("python-sdk")));
    assert_eq!((g["acknowledged"].as_bool(), g["count"].as_u64()), (Some(false), Some(1)));
    assert_eq!(g["integration"], "python-sdk");
    for t in ["created", "escalation:routed", "escalation:rule-fired", "notification-attempt"] {
        assert!(seen["logTypes"].as_array().unwrap().contains(&json!(t)), "{t} missing from the log: {seen}");
    }
    assert_eq!(seen["list"], json!(["alert-1"]));
    assert_eq!(seen["count"], 1);
    let a = &seen["afterAcknowledge"];
    assert_eq!(
        (a["acknowledged"].as_bool(), a["owner"].as_str(), a["count"].as_u64(), a["status"].as_str()),
        (Some(true), Some("ben"), Some(2), Some("open")),
        "{seen}"
    );
    assert_eq!(seen["notes"], json!(["looking at it", "rolled back"]), "{seen}");
    let c = &seen["afterClose"];
    assert_eq!((c["status"].as_str(), c["acknowledged"].as_bool()), (Some("closed"), Some(true)), "{seen}");
    assert_eq!(c["notes"], json!(["looking at it", "rolled back", "fixed"]), "{seen}");
    assert_eq!((seen["unknownAlertStatus"].as_u64(), seen["wrongKeyStatus"].as_u64()), (Some(404), Some(401)));

    // ann was paged, then told of ben's acknowledgement, notes and close; boss and cy were
    // not reached (acknowledged within the minute, closed within ten).
    let got = check_deliveries(&dir, &db, &hook);
    let kinds: Vec<&str> = got.iter().map(|n| n["actionType"].as_str().unwrap()).collect();
    for k in ["create-alert", "acknowledged-alert", "add-note", "closed-alert"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(got.iter().all(|n| n["user"] == "ann" && n["alert"]["alias"] == "checkout-latency"), "{got:?}");
}

fn opsgenie_node_sdk_creates_gets_acknowledges_and_closes(db: Db) {
    let modules = node_modules();
    let dir = tmp(&format!("node-sdk-{}", db.tag()));
    let hook = Receiver::start();
    let (service, url) = serve(&dir, &db, &hook);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/opsgenie_node_sdk.js");
    let seen = run_client(
        "node-sdk",
        &dir,
        &service,
        Command::new("node").arg(&script).args([&url, NODE_KEY]).env("NODE_PATH", &modules),
    );
    assert_eq!(seen["create"], json!({"alertId": "alert-1", "alias": "node-sdk-queue"}), "{seen}");
    assert_eq!(seen["get"], json!({"id": "alert-1", "priority": "P1", "status": "open", "tags": ["queue"]}), "{seen}");
    assert_eq!(seen["afterAcknowledge"], json!({"acknowledged": true, "owner": "ben"}), "{seen}");
    assert_eq!(seen["afterClose"], json!({"status": "closed"}), "{seen}");
    let got = check_deliveries(&dir, &db, &hook);
    let kinds: Vec<&str> = got.iter().map(|n| n["actionType"].as_str().unwrap()).collect();
    for k in ["create-alert", "acknowledged-alert", "add-note", "closed-alert"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert!(got.iter().all(|n| n["user"] == "ann" && n["alert"]["priority"] == "P1"), "{got:?}");
}
