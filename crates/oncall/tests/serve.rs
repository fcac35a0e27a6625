//! `oncall serve` end to end: the real binary as a child process, real HTTP over 127.0.0.1, a
//! real database (a SQLite file, and a database on the private PostgreSQL of
//! `scripts/with-postgres`: each test runs on both, `on_both!`), a real webhook receiver (an axum
//! server in the test), and `kill -9`.
//!
//! Run: `scripts/with-postgres cargo test -p oncall --test serve` (about a minute on the
//! project's 2-core machine; without the script the PostgreSQL runs are skipped).

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "test-key-1";

#[macro_use]
mod serve_support;
use serve_support::{Db, free_port, pg, spawn_http};

on_both!(alert_api_follows_opsgenie);
on_both!(webhook_gets_every_field_and_retries_with_the_same_key);
on_both!(without_deliver_notifications_are_json_lines_on_stdout);
on_both!(deliveries_run_concurrently_up_to_the_limit);
on_both!(kill_9_at_random_moments_loses_nothing_and_sends_nothing_twice);
on_both!(alertmanager_webhook_creates_by_group_alias_and_resolved_closes);

fn config(dir: &Path) -> PathBuf {
    let doc = json!({
      "users": [
        {"username": "ann", "notificationRules": [{"name": "page", "actionType": "create-alert", "enabled": true,
          "steps": [{"contact": {"method": "email", "to": "ann@example.com"}, "sendAfter": {"timeAmount": 0}},
                    {"contact": {"method": "sms", "to": "+49 1"}, "sendAfter": {"timeAmount": 1}}]}]},
        {"username": "ben"}, {"username": "boss"}, {"username": "cy"}],
      "teams": [{"name": "payments", "members": [{"user": {"username": "ann"}}, {"user": {"username": "ben"}}],
                 "routingRules": [{"name": "default", "isDefault": true, "notify": {"type": "escalation", "name": "ops"}}]}],
      "schedules": [{"name": "primary", "rotations": [{"type": "hourly", "length": 1, "startDate": "2026-01-01T00:00:00Z",
                     "participants": [{"type": "user", "username": "ann"}, {"type": "user", "username": "ben"}]}]}],
      "escalations": [{"name": "ops", "rules": [
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "primary"}},
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 1}, "recipient": {"type": "user", "username": "boss"}},
        {"condition": "if-not-closed", "notifyType": "default", "delay": {"timeAmount": 2}, "recipient": {"type": "user", "username": "cy"}}],
        "repeat": {"waitInterval": 1, "count": 2, "resetRecipientStates": true, "closeAlertAfterAll": true}}],
      "integrations": [{"name": "prometheus", "type": "API", "ownerTeam": {"name": "payments"}, "apiKey": KEY},
                       {"name": "off", "type": "API", "enabled": false, "apiKey": "disabled-key"}]
    });
    let path = dir.join("config.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

fn tmp(name: &str) -> PathBuf {
    serve_support::tmp_dir("e2e", name)
}

/// The service as a child process.
struct Service {
    child: Option<Child>,
    dir: PathBuf,
    port: u16,
    args: Vec<String>,
    env: Vec<(String, String)>,
    starts: usize,
}

impl Service {
    fn new(dir: &Path, db: &Db, deliver: &[String], env: Vec<(String, String)>) -> Service {
        let mut args = vec!["serve".to_string(), config(dir).display().to_string(), "--db".into(), db.arg(dir)];
        for d in deliver {
            args.push("--deliver".into());
            args.push(d.clone());
        }
        Service { child: None, dir: dir.to_path_buf(), port: free_port(), args, env, starts: 0 }
    }

    fn start(&mut self) {
        self.starts += 1;
        let out = std::fs::File::create(self.dir.join(format!("stdout-{}.jsonl", self.starts))).unwrap();
        let err = std::fs::File::create(self.dir.join(format!("stderr-{}.log", self.starts))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_oncall"))
            .args(&self.args)
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .envs(self.env.iter().cloned())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok((200, _)) = self.try_call("GET", "/healthz", None, None) {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let log = std::fs::read_to_string(self.dir.join(format!("stderr-{}.log", self.starts))).unwrap();
                panic!("oncall serve exited with {status}: {log}");
            }
            assert!(Instant::now() < deadline, "oncall serve did not answer /healthz");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap(); // SIGKILL on Unix
            c.wait().unwrap();
        }
    }

    fn try_call(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let auth = key.map(|k| format!("GenieKey {k}"));
        let r = match method {
            "GET" => {
                let mut r = agent.get(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            "DELETE" => {
                let mut r = agent.delete(&url);
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            _ => {
                let mut r = agent.post(&url).content_type("application/json");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.send(body.unwrap_or(json!({})).to_string().as_str())
            }
        };
        let mut r = r.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.try_call(method, path, Some(KEY), body).unwrap()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A webhook receiver: records every POST (with the wall-clock millisecond it arrived); answers
/// 500 to the first `fail_first` ones; takes `delay` to answer each.
#[derive(Clone)]
struct Receiver {
    got: Arc<Mutex<Vec<Value>>>,
    fail_first: Arc<Mutex<usize>>,
    url: String,
}

fn wall_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

impl Receiver {
    fn start(fail_first: usize) -> Receiver {
        Receiver::slow(fail_first, Duration::ZERO)
    }

    fn slow(fail_first: usize, delay: Duration) -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let fail = Arc::new(Mutex::new(fail_first));
        let (g, f) = (got.clone(), fail.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |axum::Json(mut v): axum::Json<Value>| {
                let (g, f) = (g.clone(), f.clone());
                async move {
                    v["receivedAtMillis"] = wall_millis().into();
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    {
                        let mut left = f.lock().unwrap();
                        if *left > 0 {
                            *left -= 1;
                            return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                        }
                    }
                    g.lock().unwrap().push(v);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let url = spawn_http(app, "/hook");
        Receiver { got, fail_first: fail, url }
    }

    fn all(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn request_status(s: &Service, body: &Value) -> Value {
    let rid = body["requestId"].as_str().unwrap();
    let (code, v) = s.call("GET", &format!("/v2/alerts/requests/{rid}"), None);
    assert_eq!(code, 200, "{v}");
    v["data"].clone()
}

fn alert_api_follows_opsgenie(db: Db) {
    let dir = tmp(&format!("api-{}", db.tag()));
    let mut s = Service::new(&dir, &db, &[], vec![]);
    s.start();

    // Keys: none, wrong, disabled.
    assert_eq!(s.try_call("POST", "/v2/alerts", None, Some(json!({"message": "m"}))).unwrap().0, 401);
    let (code, v) = s.try_call("POST", "/v2/alerts", Some("nope"), Some(json!({"message": "m"}))).unwrap();
    assert_eq!((code, v["message"].as_str()), (401, Some("Could not authenticate")));
    assert!(v["requestId"].is_string() && v["took"].is_number());
    assert_eq!(s.try_call("GET", "/v2/alerts", Some("disabled-key"), None).unwrap().0, 403);

    // Field limits: 422 naming each field.
    let (code, v) = s.call("POST", "/v2/alerts", Some(json!({"message": "x".repeat(131), "tags": vec!["t"; 21]})));
    assert_eq!(code, 422, "{v}");
    assert_eq!(v["errors"]["message"], "at most 130 characters, found 131");
    assert_eq!(v["errors"]["tags"], "at most 20 entries, found 21");
    let (code, v) = s.call("POST", "/v2/alerts", Some(json!({"message": "m", "bogus": 1})));
    assert_eq!(code, 422, "{v}");

    // Create: 202, then the request's status; de-duplication by alias.
    let (code, v) = s.call(
        "POST",
        "/v2/alerts",
        Some(json!({"message": "Disk full", "alias": "disk-1", "priority": "P1", "tags": ["db"]})),
    );
    assert_eq!(code, 202, "{v}");
    assert_eq!(v["result"], "Request will be processed");
    let st = request_status(&s, &v);
    assert_eq!(
        (st["isSuccess"].as_bool(), st["action"].as_str(), st["alertId"].as_str()),
        (Some(true), Some("Create"), Some("alert-1"))
    );
    let (_, v) = s.call("POST", "/v2/alerts", Some(json!({"message": "Disk full", "alias": "disk-1"})));
    assert_eq!(request_status(&s, &v)["alertId"], "alert-1");
    s.call("POST", "/v2/alerts", Some(json!({"message": "CPU hot", "alias": "cpu-1", "priority": "P2"})));

    for path in ["/v2/alerts/alert-1", "/v2/alerts/disk-1?identifierType=alias", "/v2/alerts/1?identifierType=tiny"] {
        let (code, v) = s.call("GET", path, None);
        assert_eq!(code, 200, "{path}: {v}");
        let a = &v["data"];
        assert_eq!(
            (a["id"].as_str(), a["count"].as_u64(), a["priority"].as_str()),
            (Some("alert-1"), Some(2), Some("P1"))
        );
        assert_eq!(a["integration"]["name"], "prometheus");
    }
    assert_eq!(s.call("GET", "/v2/alerts/alert-9", None).0, 404);
    assert_eq!(s.call("GET", "/v2/alerts/x?identifierType=name", None).0, 422);

    // Actions: 202 each, state follows the core's state machine.
    let ack = s.call(
        "POST",
        "/v2/alerts/disk-1/acknowledge?identifierType=alias",
        Some(json!({"user": "ann", "note": "looking"})),
    );
    assert_eq!(ack.0, 202);
    assert_eq!(request_status(&s, &ack.1)["isSuccess"], true);
    let a = s.call("GET", "/v2/alerts/alert-1", None).1["data"].clone();
    assert_eq!((a["acknowledged"].as_bool(), a["owner"].as_str()), (Some(true), Some("ann")));
    let notes = s.call("GET", "/v2/alerts/alert-1/notes", None).1["data"].clone();
    assert_eq!(notes[0]["note"], "looking");
    // Acknowledging twice: accepted, and the request says why it failed.
    let again = s.call("POST", "/v2/alerts/alert-1/acknowledge", None);
    assert_eq!(again.0, 202);
    let st = request_status(&s, &again.1);
    assert_eq!(st["isSuccess"], false);
    assert!(st["status"].as_str().unwrap().contains("already acknowledged"), "{st}");
    assert_eq!(s.call("POST", "/v2/alerts/alert-1/unacknowledge", None).0, 202);
    // A snooze longer than a week is refused by the core's state machine; one hour is fine.
    let week = oncall_core::time::format_instant(chrono::Utc::now() + chrono::Duration::days(8));
    let long = s.call("POST", "/v2/alerts/alert-1/snooze", Some(json!({"endTime": week})));
    assert_eq!(request_status(&s, &long.1)["isSuccess"], false);
    let hour = oncall_core::time::format_instant(chrono::Utc::now() + chrono::Duration::hours(1));
    let snooze = s.call("POST", "/v2/alerts/alert-1/snooze", Some(json!({"endTime": hour})));
    assert_eq!(request_status(&s, &snooze.1)["isSuccess"], true);
    assert_eq!(s.call("GET", "/v2/alerts/alert-1", None).1["data"]["snoozed"], true);
    assert_eq!(s.call("POST", "/v2/alerts/alert-1/snooze", Some(json!({}))).0, 422);
    assert_eq!(s.call("POST", "/v2/alerts/alert-1/notes", Some(json!({"note": "n".repeat(25_001)}))).0, 422);
    assert_eq!(s.call("POST", "/v2/alerts/alert-1/assign", Some(json!({"owner": {"username": "ben"}}))).0, 202);
    assert_eq!(s.call("GET", "/v2/alerts/alert-1", None).1["data"]["owner"], "ben");
    let esc =
        s.call("POST", "/v2/alerts/cpu-1/escalate?identifierType=alias", Some(json!({"escalation": {"name": "ops"}})));
    assert_eq!(request_status(&s, &esc.1)["isSuccess"], true);
    let close = s.call("POST", "/v2/alerts/alert-1/close", Some(json!({"user": "ben"})));
    assert_eq!(request_status(&s, &close.1)["isSuccess"], true);
    let unknown = s.call("POST", "/v2/alerts/alert-77/close", None);
    assert_eq!(request_status(&s, &unknown.1)["status"], "Alert does not exist");
    // A closed alias is free: a new alert.
    let (_, v) = s.call("POST", "/v2/alerts", Some(json!({"message": "Disk full", "alias": "disk-1"})));
    assert_eq!(request_status(&s, &v)["alertId"], "alert-3");

    // List, query, sort, paging, count.
    let (code, v) = s.call("GET", "/v2/alerts?query=status:open&sort=tinyId&order=asc", None);
    assert_eq!(code, 200, "{v}");
    let ids: Vec<&str> = v["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["alert-2", "alert-3"]);
    let (_, v) = s.call("GET", "/v2/alerts?limit=1", None);
    assert_eq!(v["data"][0]["id"], "alert-3");
    assert!(v["paging"]["next"].is_string());
    let (_, v) = s.call("GET", "/v2/alerts?query=status%3Aclosed%20AND%20tag%3Adb", None);
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(s.call("GET", "/v2/alerts/count?query=priority:P2", None).1["data"]["count"], 1);
    assert_eq!(s.call("GET", "/v2/alerts?limit=101", None).0, 422);
    assert_eq!(s.call("GET", "/v2/alerts?sort=bogus", None).0, 422);
    let (code, v) = s.call("GET", "/v2/alerts?query=a%20OR%20b", None);
    assert_eq!(code, 422);
    assert!(v["errors"]["query"].is_string());

    // The log shows the events; the body limit holds.
    let log = s.call("GET", "/v2/alerts/alert-1/logs", None).1["data"].clone();
    let kinds: Vec<&str> = log.as_array().unwrap().iter().map(|l| l["type"].as_str().unwrap()).collect();
    for k in ["created", "duplicate", "acknowledge", "add-note", "unacknowledge", "snooze", "assign", "close"] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let big = json!({"message": "m", "description": "d".repeat(300_000)});
    assert_eq!(s.call("POST", "/v2/alerts", Some(big)).0, 413);

    // Everything is in the file: a restart shows the same alerts.
    s.kill9();
    s.start();
    let a = s.call("GET", "/v2/alerts/alert-2", None).1["data"].clone();
    assert_eq!(a["message"], "CPU hot");
    assert_eq!(s.call("GET", "/v2/alerts/count", None).1["data"]["count"], 3);
}

fn webhook_gets_every_field_and_retries_with_the_same_key(db: Db) {
    let dir = tmp(&format!("hook-{}", db.tag()));
    let hook = Receiver::start(2);
    let mut s = Service::new(&dir, &db, &[format!("*={}", hook.url)], vec![]);
    s.start();
    let (code, v) = s.call(
        "POST",
        "/v2/alerts",
        Some(
            json!({"message": "Payment API 5xx", "alias": "pay", "responders": [{"type": "user", "username": "ben"}]}),
        ),
    );
    assert_eq!(code, 202, "{v}");
    // Attempts 1 and 2 fail (500), 3 goes through after 1 s + 2 s of backoff.
    wait_until("the webhook delivery", 20, || !hook.all().is_empty());
    let got = hook.all();
    let n = &got[0];
    for field in ["idempotencyKey", "at", "user", "method", "to", "actionType", "alert", "via"] {
        assert!(n.get(field).is_some(), "{field} missing in {n}");
    }
    assert_eq!(
        (n["user"].as_str(), n["method"].as_str(), n["actionType"].as_str()),
        (Some("ben"), Some("email"), Some("create-alert"))
    );
    assert_eq!(n["alert"]["alias"], "pay");
    for f in ["id", "tinyId", "alias", "message", "priority", "status"] {
        assert!(n["alert"].get(f).is_some(), "alert.{f} missing");
    }
    assert_eq!(n["attempt"], 3);
    let log = s.call("GET", "/v2/alerts/pay/logs?identifierType=alias", None).1["data"].clone();
    let attempts: Vec<String> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["type"] == "notification-attempt")
        .map(|l| l["log"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    assert!(attempts[0].contains("status 500") && attempts[0].contains("next attempt in 1 s"), "{attempts:?}");
    assert!(attempts[2].contains("delivered"), "{attempts:?}");
    // The core's escalation log is in it too: the rule that paged ben.
    assert!(log.as_array().unwrap().iter().any(|l| l["type"] == "escalation:created"), "{log}");
    let key = n["idempotencyKey"].as_str().unwrap();
    assert!(attempts.iter().all(|a| a.contains(key)));
    let metrics = s.try_call("GET", "/metrics", None, None).unwrap().1;
    assert!(metrics.as_str().unwrap().contains("oncall_notifications_sent_total 1"), "{metrics}");
    assert_eq!(*hook.fail_first.lock().unwrap(), 0);
}

/// Deliveries in flight now, and the most in flight at once.
type InFlight = Arc<Mutex<(usize, usize)>>;

/// A receiver that holds every POST until `together` of them are in flight at once (or 3 s have
/// passed), and records the most in flight it saw, and every POST.
fn gate_receiver(together: usize) -> (String, InFlight, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new((0usize, 0usize))); // (in flight now, most in flight)
    let got = Arc::new(Mutex::new(Vec::new()));
    let (s, g) = (seen.clone(), got.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let (s, g) = (s.clone(), g.clone());
            async move {
                {
                    let mut n = s.lock().unwrap();
                    n.0 += 1;
                    n.1 = n.1.max(n.0);
                }
                let deadline = Instant::now() + Duration::from_secs(3);
                while s.lock().unwrap().1 < together && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                s.lock().unwrap().0 -= 1;
                g.lock().unwrap().push(v);
                axum::http::StatusCode::OK
            }
        }),
    );
    let url = spawn_http(app, "/hook");
    (url, seen, got)
}

/// With `ONCALL_SERVE_IN_FLIGHT=3`, webhooks are posted concurrently (the receiver sees two at
/// once) and never more than three at once; every alert's notification arrives once.
fn deliveries_run_concurrently_up_to_the_limit(db: Db) {
    let dir = tmp(&format!("in-flight-{}", db.tag()));
    let (url, seen, got) = gate_receiver(2);
    let mut s = Service::new(&dir, &db, &[format!("*={url}")], vec![("ONCALL_SERVE_IN_FLIGHT".into(), "3".into())]);
    s.start();
    for i in 0..12 {
        let (code, v) = s.call(
            "POST",
            "/v2/alerts",
            Some(json!({"message": format!("disk {i}"), "alias": format!("disk-{i}"),
                "responders": [{"type": "user", "username": "ben"}]})),
        );
        assert_eq!(code, 202, "{v}");
    }
    wait_until("12 deliveries", 60, || got.lock().unwrap().len() >= 12);
    let most = seen.lock().unwrap().1;
    assert!((2..=3).contains(&most), "most deliveries in flight at once: {most}");
    let keys: BTreeSet<String> =
        got.lock().unwrap().iter().map(|v| v["idempotencyKey"].as_str().unwrap().to_string()).collect();
    assert_eq!((keys.len(), got.lock().unwrap().len()), (12, 12));
}

fn without_deliver_notifications_are_json_lines_on_stdout(db: Db) {
    let dir = tmp(&format!("stdout-{}", db.tag()));
    let mut s = Service::new(&dir, &db, &[], vec![]);
    s.start();
    s.call("POST", "/v2/alerts", Some(json!({"message": "m", "responders": [{"type": "user", "username": "boss"}]})));
    let path = dir.join("stdout-1.jsonl");
    wait_until("a line on stdout", 10, || std::fs::read_to_string(&path).is_ok_and(|t| t.lines().count() == 1));
    let line: Value = serde_json::from_str(std::fs::read_to_string(&path).unwrap().trim()).unwrap();
    assert_eq!((line["user"].as_str(), line["method"].as_str()), (Some("boss"), Some("email")));
}

/// A small deterministic generator (the seed is printed, so a failure can be replayed).
struct Rng(u64);
impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// The notifications the core's escalation timelines call for, from the service's own file:
/// each alert's payload, creation and events (what the API accepted), replayed by
/// `Config::escalate` for the integration's owner team.
fn expected(dir: &Path, db: &Db) -> Timelines {
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let config = oncall_core::Config::from_json(&text).unwrap();
    let mut out = BTreeMap::new();
    let alerts: Vec<(i64, String, i64)> = db
        .rows(dir, "SELECT CAST(seq AS TEXT), payload, CAST(created_at AS TEXT) FROM alerts")
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[1].clone(), r[2].parse().unwrap()))
        .collect();
    for (seq, payload, created) in alerts {
        let alert = oncall_core::alert::Alert::from_json(&payload).unwrap();
        let rows: Vec<String> = db
            .rows(dir, &format!("SELECT event FROM alert_events WHERE alert_seq = {seq} ORDER BY n"))
            .into_iter()
            .map(|mut r| r.remove(0))
            .collect();
        let events =
            oncall_core::alert::AlertEvent::list_from_json(&format!("[{}]", rows.join(",")), chrono_tz::Tz::UTC)
                .unwrap();
        let created = chrono::DateTime::from_timestamp(created, 0).unwrap();
        let tl = config
            .escalate(
                &alert,
                &oncall_core::escalation::Target::Team("payments".into()),
                created,
                &events,
                &Default::default(),
            )
            .unwrap();
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
    out
}

/// Checks the webhook's log against the core's timelines (`want`) and the database: under each
/// idempotency key the same notification, every expected notification delivered, nothing else,
/// and every notification row `delivered`. Returns how many POSTs repeated a key.
fn check_delivered(got: &[Value], want: &Timelines, dir: &Path, db: &Db) -> usize {
    let mut by_key: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for n in got {
        by_key.entry(n["idempotencyKey"].as_str().unwrap().to_string()).or_default().push(n);
    }
    let mut have: Timelines = BTreeMap::new();
    for list in by_key.values() {
        let n = list[0];
        // Every copy under one key is the same notification.
        for m in list {
            assert_eq!(
                (m["at"].clone(), m["user"].clone(), m["method"].clone()),
                (n["at"].clone(), n["user"].clone(), n["method"].clone())
            );
        }
        let k = (
            n["alert"]["id"].as_str().unwrap().to_string(),
            n["at"].as_str().unwrap().to_string(),
            n["user"].as_str().unwrap().to_string(),
            n["method"].as_str().unwrap().to_string(),
            n["actionType"].as_str().unwrap().to_string(),
        );
        *have.entry(k).or_insert(0) += 1;
    }
    assert_eq!(&have, want, "delivered (by key) against the core's timelines");
    // The database agrees: one row per key, each delivered.
    let rows = db.rows(dir, "SELECT idempotency_key, state FROM notifications");
    let states: BTreeMap<String, String> = rows.into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(states.keys().cloned().collect::<BTreeSet<_>>(), by_key.keys().cloned().collect::<BTreeSet<_>>());
    assert!(states.values().all(|s| s == "delivered"), "{states:?}");
    let repeats = got.len() - by_key.len();
    let late = by_key.values().filter(|l| l[0]["late"] == true).count();
    eprintln!(
        "{} notifications, {} POSTs, {repeats} repeated under the same key, {late} late",
        by_key.len(),
        got.len()
    );
    repeats
}

type Timelines = BTreeMap<(String, String, String, String, String), usize>;

type Step = Box<dyn Fn(&Service)>;

fn kill_9_at_random_moments_loses_nothing_and_sends_nothing_twice(db: Db) {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("seed {seed}");
    let mut rng = Rng(seed);
    let dir = tmp(&format!("crash-{}", db.tag()));
    let hook = Receiver::start(0);
    // One wall-clock second is one service minute: the escalation (rules at 0, 1 and 2 minutes,
    // two repeats, ann's sms step after 1 minute) runs in about 9 s.
    let anchor = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    // On PostgreSQL a restarted process is a new replica: what the killed one had leased and
    // not marked waits for its lease to expire (2 wall-clock seconds here, 30 by default).
    let env = vec![
        ("ONCALL_SERVE_CLOCK".to_string(), format!("{anchor}:60")),
        ("ONCALL_SERVE_LEASE_SECS".to_string(), "2".to_string()),
    ];
    let mut s = Service::new(&dir, &db, &[format!("*={}", hook.url)], env);
    s.start();
    let mut kills = 0;
    // Each step runs on a live service; a kill -9 follows each at a random moment.
    let steps: Vec<Step> = vec![
        Box::new(|s| {
            s.call("POST", "/v2/alerts", Some(json!({"message": "a1", "alias": "a1"})));
            s.call("POST", "/v2/alerts", Some(json!({"message": "a2", "alias": "a2"})));
        }),
        Box::new(|s| {
            s.call("POST", "/v2/alerts", Some(json!({"message": "a3", "alias": "a3", "priority": "P1"})));
        }),
        Box::new(|s| {
            s.call("POST", "/v2/alerts/a1/acknowledge?identifierType=alias", Some(json!({"user": "ann"})));
            s.call("POST", "/v2/alerts", Some(json!({"message": "a4", "alias": "a4"})));
        }),
        Box::new(|s| {
            s.call("POST", "/v2/alerts/a2/close?identifierType=alias", Some(json!({"user": "ben"})));
            s.call("POST", "/v2/alerts", Some(json!({"message": "a3 again", "alias": "a3"})));
        }),
        Box::new(move |s| {
            // Snoozed for two service minutes: renotified as new when the snooze ends.
            let now = oncall_serve::Clock { anchor: anchor as i64, scale: 60 }.now();
            let until = oncall_core::time::format_instant(chrono::DateTime::from_timestamp(now + 120, 0).unwrap());
            s.call("POST", "/v2/alerts/a4/snooze?identifierType=alias", Some(json!({"endTime": until})));
            s.call("POST", "/v2/alerts", Some(json!({"message": "a5", "alias": "a5"})));
        }),
        Box::new(|_| {}),
        Box::new(|_| {}),
        Box::new(|_| {}),
    ];
    for step in &steps {
        step(&s);
        std::thread::sleep(Duration::from_millis(200 + rng.next(1200)));
        s.kill9();
        kills += 1;
        std::thread::sleep(Duration::from_millis(100 + rng.next(900)));
        s.start();
    }
    // Every timeline has ended (the last alert was created about 8 s ago at most); wait until
    // everything due was delivered.
    let want = expected(&dir, &db);
    let total: usize = want.values().sum();
    assert!(total > 20, "the scenario should page often: {want:?}");
    // Delivered, and marked: a kill between a webhook's 2xx and the mark leaves the row pending
    // until the next process (on PostgreSQL, once the lease expired) sends it again under its key.
    wait_until("every expected notification delivered and marked", 60, || {
        let keys: BTreeSet<String> =
            hook.all().iter().map(|n| n["idempotencyKey"].as_str().unwrap().to_string()).collect();
        keys.len() >= expected(&dir, &db).values().sum::<usize>()
            && db.rows(&dir, "SELECT state FROM notifications").iter().all(|r| r[0] == "delivered")
    });
    std::thread::sleep(Duration::from_secs(2));
    let want = expected(&dir, &db);
    let got = hook.all();
    let repeats = check_delivered(&got, &want, &dir, &db);
    // A repeat under one key can only come from a kill between a 2xx and its mark.
    assert!(repeats <= kills, "{repeats} repeats for {kills} kills");
    // The escalation closed every alert after its last cycle (closeAlertAfterAll), and the
    // service's state says so: nothing is open, and a3's alias takes a new alert.
    let open = s.call("GET", "/v2/alerts/count?query=status:open", None).1;
    assert_eq!(open["data"]["count"], 0, "{open}");
    let (_, v) = s.call("POST", "/v2/alerts", Some(json!({"message": "a3 later", "alias": "a3"})));
    assert_eq!(request_status(&s, &v)["status"], "Created alert");
}

fn alertmanager_webhook_creates_by_group_alias_and_resolved_closes(db: Db) {
    let dir = tmp(&format!("am-{}", db.tag()));
    let mut s = Service::new(&dir, &db, &[], vec![]);
    s.start();
    let payload = |status: &str, n: usize| {
        let alerts: Vec<Value> = (0..n)
            .map(|i| json!({"status": status, "labels": {"alertname": "DiskFull", "severity": "critical", "instance": format!("db{i}")},
                            "annotations": {"summary": "disk almost full"}, "startsAt": "2026-11-10T10:00:00Z",
                            "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph", "fingerprint": format!("{i:016x}")}))
            .collect();
        json!({"version": "4", "groupKey": "{}:{alertname=\"DiskFull\"}", "truncatedAlerts": 0, "status": status,
               "receiver": "oncall", "groupLabels": {"alertname": "DiskFull"},
               "commonLabels": {"alertname": "DiskFull", "severity": "critical"}, "commonAnnotations": {"summary": "disk almost full"},
               "externalURL": "http://alertmanager:9093", "alerts": alerts})
    };
    let (code, v) = s.call("POST", "/v1/integrations/alertmanager", Some(payload("firing", 2)));
    assert_eq!(code, 202, "{v}");
    // A group of 2 000 alerts (over the Alert API's body limit) is fine here.
    let (code, v) = s.call("POST", "/v1/integrations/alertmanager", Some(payload("firing", 2000)));
    assert_eq!(code, 202, "{v}");
    // The alias is Alertmanager's: hex SHA-256 of the group key.
    let alias = oncall_core::alertmanager::group_alias("{}:{alertname=\"DiskFull\"}");
    let (code, v) = s.call("GET", &format!("/v2/alerts/{alias}?identifierType=alias"), None);
    assert_eq!(code, 200, "{v}");
    let a = &v["data"];
    assert_eq!(
        (a["count"].as_u64(), a["priority"].as_str(), a["status"].as_str()),
        (Some(2), Some("P1"), Some("open"))
    );
    assert_eq!(a["message"], "[FIRING:2] DiskFull (critical)");
    assert_eq!(a["details"]["severity"], "critical");
    let (code, _) = s.call("POST", "/v1/integrations/alertmanager", Some(payload("resolved", 2)));
    assert_eq!(code, 202);
    assert_eq!(s.call("GET", &format!("/v2/alerts/{alias}?identifierType=alias"), None).1["data"]["status"], "closed");
    let (code, v) = s.call(
        "POST",
        "/v1/integrations/alertmanager",
        Some(json!({"version": "4", "groupKey": "g", "status": "odd"})),
    );
    assert_eq!((code, v["errors"]["status"].is_string()), (422, true), "{v}");
    assert_eq!(s.try_call("POST", "/v1/integrations/alertmanager", None, Some(payload("firing", 1))).unwrap().0, 401);
}

// Several replicas on one PostgreSQL database (docs/deploy.md): each test its own database.

/// A replica of the service on `db`, in a directory of its own (its configuration and logs).
fn replica(name: &str, db: &Db, deliver: &[String], env: &[(String, String)]) -> Service {
    Service::new(&tmp(name), db, deliver, env.to_vec())
}

/// Two replicas `NAME-a` and `NAME-b` on `db`, started, with `n` alerts created through them
/// in turn (message and alias `{prefix}{i}`, the even ones through a).
fn two_replicas_with_alerts(
    name: &str,
    db: &Db,
    deliver: &[String],
    envs: [&[(String, String)]; 2],
    prefix: &str,
    n: usize,
) -> (Service, Service) {
    let mut a = replica(&format!("{name}-a"), db, deliver, envs[0]);
    let mut b = replica(&format!("{name}-b"), db, deliver, envs[1]);
    a.start();
    b.start();
    for i in 0..n {
        let s = if i % 2 == 0 { &a } else { &b };
        let (code, v) = s.call(
            "POST",
            "/v2/alerts",
            Some(json!({"message": format!("{prefix}{i}"), "alias": format!("{prefix}{i}")})),
        );
        assert_eq!(code, 202, "{v}");
    }
    (a, b)
}

/// One wall-clock second is one service minute from now (the escalation of `config` runs in
/// about 9 s), with `more` variables.
fn fast_clock(more: &[(&str, &str)]) -> (i64, Vec<(String, String)>) {
    let anchor = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let mut env = vec![("ONCALL_SERVE_CLOCK".to_string(), format!("{anchor}:60"))];
    env.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    (anchor, env)
}

/// Waits until the webhook got every notification the core's timelines call for.
fn wait_for_all(hook: &Receiver, dir: &Path, db: &Db, secs: u64) {
    wait_until("every expected notification", secs, || {
        let keys: BTreeSet<String> =
            hook.all().iter().map(|n| n["idempotencyKey"].as_str().unwrap().to_string()).collect();
        let want = expected(dir, db);
        !want.is_empty() && keys.len() >= want.values().sum::<usize>()
    });
}

#[test]
fn replicas_deduplicate_concurrent_creates_of_one_alias() {
    let Some(url) = pg::fresh_database("replicas_dedup") else { return };
    let db = Db::Postgres(url);
    let mut a = replica("dedup-a", &db, &[], &[]);
    let mut b = replica("dedup-b", &db, &[], &[]);
    a.start();
    b.start();
    // Four clients per replica at once, each 10 creates of alias `same` and 10 of its own (the
    // core counts up to 100).
    std::thread::scope(|scope| {
        for (i, s) in [&a, &b].into_iter().enumerate() {
            for t in 0..4 {
                scope.spawn(move || {
                    for k in 0..10 {
                        let (code, v) = s.call("POST", "/v2/alerts", Some(json!({"message": "same", "alias": "same"})));
                        assert_eq!(code, 202, "{v}");
                        let own = json!({"message": "own", "alias": format!("own-{i}-{t}-{k}")});
                        assert_eq!(s.call("POST", "/v2/alerts", Some(own)).0, 202);
                    }
                });
            }
        }
    });
    let failed = db.rows(&a.dir, "SELECT status, alias FROM requests WHERE success = 0");
    assert!(failed.is_empty(), "{failed:?}");
    // One alert of alias `same`, counted 80 times, whichever replica answers.
    for s in [&a, &b] {
        let v = s.call("GET", "/v2/alerts/same?identifierType=alias", None).1;
        assert_eq!(v["data"]["count"], 80, "{v}");
        assert_eq!(s.call("GET", "/v2/alerts/count?query=alias:same", None).1["data"]["count"], 1);
        assert_eq!(s.call("GET", "/v2/alerts/count", None).1["data"]["count"], 81);
    }
    let rows = db
        .rows(&a.dir, "SELECT CAST(COUNT(*) AS TEXT), CAST(MAX(occurrences) AS TEXT) FROM alerts WHERE alias = 'same'");
    assert_eq!(rows, [["1", "80"]]);
    let rows = db.rows(&a.dir, "SELECT CAST(COUNT(*) AS TEXT) FROM requests WHERE action = 'Create' AND success = 1");
    assert_eq!(rows, [["160"]]);
}

#[test]
fn a_killed_replicas_leased_notifications_are_delivered_by_another_once() {
    let Some(url) = pg::fresh_database("replicas_kill") else { return };
    let db = Db::Postgres(url);
    // A slow receiver, so that a replica is caught in the middle of its deliveries.
    let hook = Receiver::slow(0, Duration::from_millis(150));
    let (anchor, env) = fast_clock(&[("ONCALL_SERVE_LEASE_SECS", "2")]);
    let deliver = [format!("*={}", hook.url)];
    let (mut a, _b) = two_replicas_with_alerts("kill", &db, &deliver, [&env, &env], "k", 6);
    // Kill -9 replica a while it holds leases of notifications it has not marked.
    let pid = a.child.as_ref().unwrap().id();
    let held = format!(
        "SELECT idempotency_key, CAST(lease_until AS TEXT) FROM notifications
           WHERE state = 'pending' AND lease_owner LIKE '%-{pid}-%'"
    );
    wait_until("replica a holding leases", 30, || !db.rows(&a.dir, &held).is_empty());
    a.kill9();
    // Every POST that arrives from here on comes from the survivor.
    let killed_at = wall_millis();
    // The notifications a leased and did not mark, each with the service second its lease ends.
    let orphaned: BTreeMap<String, i64> =
        db.rows(&a.dir, &held).into_iter().map(|r| (r[0].clone(), r[1].parse().unwrap())).collect();
    assert!(!orphaned.is_empty(), "replica a held no lease at the kill");
    wait_for_all(&hook, &a.dir, &db, 60);
    std::thread::sleep(Duration::from_secs(2));
    let got = hook.all();
    let repeats = check_delivered(&got, &expected(&a.dir, &db), &a.dir, &db);
    eprintln!("{} notifications leased by the killed replica, taken over", orphaned.len());
    // The survivor waited for each of a's leases to expire, then delivered it exactly once (by
    // the test's clock; one service second, 1/60 wall-clock second, of rounding).
    let clock = oncall_serve::Clock { anchor, scale: 60 };
    for (key, &until) in &orphaned {
        let arrivals: Vec<i64> = got
            .iter()
            .filter(|n| n["idempotencyKey"] == key.as_str())
            .map(|n| n["receivedAtMillis"].as_i64().unwrap())
            .collect();
        let (before, after): (Vec<i64>, Vec<i64>) = arrivals.iter().partition(|&&ms| ms < killed_at);
        // None of the survivor's sends came before the lease ended.
        for &ms in &after {
            let arrived = clock.at_wall_millis(ms);
            assert!(
                arrived >= until - 1,
                "{key}: the survivor delivered it at service second {arrived}, {} s before the killed replica's \
                 lease ended at {until} (killed at {})",
                until - arrived,
                clock.at_wall_millis(killed_at)
            );
        }
        assert_eq!(
            after.len(),
            1,
            "{key} (leased by the killed replica until service second {until}) arrived {} times after the kill, \
             expected exactly once",
            after.len()
        );
        assert!(
            before.len() <= 1,
            "{key} (leased by the killed replica) arrived {} times before the kill",
            before.len()
        );
    }
    // Only the notification in flight at the kill (a 2xx not yet marked) may come again.
    assert!(repeats <= 1, "{repeats} repeats for one kill");
    assert!(db.rows(&a.dir, &held).is_empty());
}

/// The `oncall_notifications_sent_total` counter of a replica's `/metrics`.
fn sent_total(s: &Service) -> u64 {
    let metrics = s.try_call("GET", "/metrics", None, None).unwrap().1;
    let text = metrics.as_str().unwrap().to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("oncall_notifications_sent_total "))
        .unwrap_or_else(|| panic!("no oncall_notifications_sent_total in {text}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn two_live_replicas_deliver_the_same_due_work_once() {
    let Some(url) = pg::fresh_database("replicas_both") else { return };
    let db = Db::Postgres(url);
    // A slow receiver: each replica's sends overlap the other's claims.
    let hook = Receiver::slow(0, Duration::from_millis(100));
    let (_, env) = fast_clock(&[("ONCALL_SERVE_LEASE_SECS", "2")]);
    let deliver = [format!("*={}", hook.url)];
    let (a, b) = two_replicas_with_alerts("both", &db, &deliver, [&env, &env], "b", 8);
    wait_for_all(&hook, &a.dir, &db, 60);
    std::thread::sleep(Duration::from_secs(2));
    let got = hook.all();
    // No kill: not one notification may come twice.
    assert_eq!(check_delivered(&got, &expected(&a.dir, &db), &a.dir, &db), 0, "nothing twice");
    // Both replicas delivered, and their counts add up to what the receiver got.
    let (sa, sb) = (sent_total(&a), sent_total(&b));
    eprintln!("replica a delivered {sa}, replica b {sb}");
    assert!(sa > 0 && sb > 0, "both replicas should deliver: a {sa}, b {sb}");
    assert_eq!(sa + sb, got.len() as u64, "the replicas' sent counts against the receiver's {} POSTs", got.len());
}

#[test]
fn replicas_with_clocks_a_minute_off_fire_nothing_early_or_twice() {
    let Some(url) = pg::fresh_database("replicas_clock") else { return };
    let db = Db::Postgres(url);
    let hook = Receiver::start(0);
    let (anchor, ahead) = fast_clock(&[("ONCALL_SERVE_CLOCK_SKEW_SECS", "60")]);
    let behind: Vec<(String, String)> = ahead
        .iter()
        .map(
            |(k, v)| {
                if k == "ONCALL_SERVE_CLOCK_SKEW_SECS" { (k.clone(), "-60".into()) } else { (k.clone(), v.clone()) }
            },
        )
        .collect();
    let deliver = [format!("*={}", hook.url)];
    let (a, _b) = two_replicas_with_alerts("clock", &db, &deliver, [&ahead, &behind], "c", 4);
    wait_for_all(&hook, &a.dir, &db, 60);
    std::thread::sleep(Duration::from_secs(2));
    let got = hook.all();
    assert_eq!(check_delivered(&got, &expected(&a.dir, &db), &a.dir, &db), 0, "nothing twice");
    // Nothing arrived before it was due, by the test's own clock (one service minute a
    // wall-clock second: a replica trusting a clock a minute ahead would send an hour early).
    let clock = oncall_serve::Clock { anchor, scale: 60 };
    for n in &got {
        let due = chrono::DateTime::parse_from_rfc3339(n["at"].as_str().unwrap()).unwrap().timestamp();
        let arrived = clock.at_wall_millis(n["receivedAtMillis"].as_i64().unwrap());
        assert!(arrived >= due - 3, "{n} arrived at service second {arrived}, due at {due}");
    }
}

/// A PostgreSQL server of the test's own (a fault test restarts it), from the binaries
/// `scripts/with-postgres` found: `None` without them.
struct OwnPostgres {
    data: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn start(name: &str) -> Option<OwnPostgres> {
        pg::fresh_database(name)?;
        let bin = std::env::var("ONCALL_TEST_POSTGRES_BIN").ok()?;
        let root = std::env::temp_dir().join(format!("oncall-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let own = OwnPostgres { data: root.join("data"), port: free_port() };
        if Self::as_user().is_some() {
            assert!(Command::new("chown").args(["postgres:", root.to_str().unwrap()]).status().unwrap().success());
        }
        own.run(
            &format!("{bin}/initdb"),
            &["-D", own.data.to_str().unwrap(), "-U", "oncall", "--auth=trust", "--no-sync"],
        );
        own.pg_ctl("start");
        Some(own)
    }

    fn as_user() -> Option<String> {
        std::env::var("ONCALL_TEST_POSTGRES_AS").ok().filter(|v| !v.trim().is_empty())
    }

    fn run(&self, program: &str, args: &[&str]) {
        let mut cmd = match Self::as_user() {
            Some(wrapper) => {
                let mut words = wrapper.split_whitespace();
                let mut c = Command::new(words.next().unwrap());
                c.args(words).arg(program);
                c
            }
            None => Command::new(program),
        };
        let out = cmd.args(args).output().unwrap();
        assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn pg_ctl(&self, what: &str) {
        let bin = std::env::var("ONCALL_TEST_POSTGRES_BIN").unwrap();
        let socket_dir = self.data.parent().unwrap().to_str().unwrap().to_string();
        let opts = format!("-c listen_addresses=127.0.0.1 -p {} -k {socket_dir}", self.port);
        let log = self.data.parent().unwrap().join("server.log");
        let mut args = vec!["-D", self.data.to_str().unwrap(), "-w", "-t", "60", "-m", "fast"];
        if what == "start" {
            args.extend(["-o", opts.as_str(), "-l", log.to_str().unwrap()]);
        }
        args.push(what);
        self.run(&format!("{bin}/pg_ctl"), &args);
    }

    fn url(&self) -> String {
        format!("postgresql://oncall@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        if self.data.exists() {
            let bin = std::env::var("ONCALL_TEST_POSTGRES_BIN").unwrap_or_default();
            let mut c = match Self::as_user() {
                Some(w) => {
                    let mut words = w.split_whitespace().map(str::to_string).collect::<Vec<_>>().into_iter();
                    let mut c = Command::new(words.next().unwrap());
                    c.args(words);
                    c.arg(format!("{bin}/pg_ctl"));
                    c
                }
                None => Command::new(format!("{bin}/pg_ctl")),
            };
            let _ = c.args(["-D", self.data.to_str().unwrap(), "-m", "immediate", "stop"]).output();
            let _ = std::fs::remove_dir_all(self.data.parent().unwrap());
        }
    }
}

#[test]
fn postgres_restarted_under_load_503_meanwhile_and_nothing_accepted_is_lost() {
    let Some(server) = OwnPostgres::start("pg_restart") else { return };
    let db = Db::Postgres(server.url());
    let mut s = replica("pg-restart", &db, &[], &[]);
    s.start();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let results: Mutex<Vec<(u16, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        // Two clients create alerts until told to stop (at most 3 000 creates each).
        for t in 0..2 {
            let (s, stop, results) = (&s, &stop, &results);
            scope.spawn(move || {
                for k in 0..3000 {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let alias = format!("r-{t}-{k}");
                    let r = s.try_call("POST", "/v2/alerts", Some(KEY), Some(json!({"message": "m", "alias": alias})));
                    let code = r.map(|(c, _)| c).unwrap_or(0);
                    results.lock().unwrap().push((code, alias));
                    std::thread::sleep(Duration::from_millis(10));
                }
            });
        }
        let count = |code: u16| results.lock().unwrap().iter().filter(|r| r.0 == code).count();
        wait_until("creates before the restart", 30, || count(202) >= 20);
        server.pg_ctl("stop");
        let before = count(503);
        wait_until("503 answers while PostgreSQL is down", 30, || count(503) > before);
        server.pg_ctl("start");
        let accepted = count(202);
        wait_until("creates accepted again after the restart", 30, || count(202) >= accepted + 20);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let results = results.into_inner().unwrap();
    let codes: BTreeSet<u16> = results.iter().map(|r| r.0).collect();
    let errors = || -> String {
        let log = std::fs::read_to_string(s.dir.join(format!("stderr-{}.log", s.starts))).unwrap_or_default();
        log.lines().filter(|l| l.contains("error")).take(20).collect::<Vec<_>>().join("\n")
    };
    assert!(codes.iter().all(|c| [202, 503].contains(c)), "answers: {codes:?}; the service's errors:\n{}", errors());
    // Every accepted create is in the database.
    let stored: BTreeSet<String> =
        db.rows(&s.dir, "SELECT alias FROM alerts").into_iter().map(|mut r| r.remove(0)).collect();
    let accepted: Vec<&String> = results.iter().filter(|r| r.0 == 202).map(|r| &r.1).collect();
    let lost: Vec<&&String> = accepted.iter().filter(|a| !stored.contains(a.as_str())).collect();
    assert!(lost.is_empty(), "accepted but not stored: {lost:?}");
    let refused = results.iter().filter(|r| r.0 == 503).count();
    eprintln!("{} creates accepted, {refused} answered 503 during the outage", accepted.len());
    // The service is healthy again.
    assert_eq!(s.try_call("GET", "/healthz", None, None).unwrap().0, 200);
}

#[test]
fn an_override_added_through_one_replica_is_in_the_others_answers() {
    let Some(url) = pg::fresh_database("replicas_override") else { return };
    let db = Db::Postgres(url);
    let mut a = replica("override-a", &db, &[], &[]);
    let mut b = replica("override-b", &db, &[], &[]);
    a.start();
    b.start();
    let on_call = |s: &Service| {
        let path = "/v2/schedules/primary/on-calls?scheduleIdentifierType=name&flat=true&date=2026-11-10T13%3A30%3A00Z";
        let (code, v) = s.call("GET", path, None);
        assert_eq!(code, 200, "{v}");
        v["data"]["onCallRecipients"].clone()
    };
    let before = on_call(&b);
    assert_ne!(before, json!(["cy"]));
    let body = json!({"alias": "cy-covers", "user": {"type": "user", "username": "cy"},
                      "startDate": "2026-11-10T13:00:00Z", "endDate": "2026-11-10T14:00:00Z"});
    let (code, v) = a.call("POST", "/v2/schedules/primary/overrides?scheduleIdentifierType=name", Some(body));
    assert_eq!(code, 201, "{v}");
    assert_eq!(on_call(&a), json!(["cy"]));
    // Replica b reloads the stored overrides at its next tick.
    wait_until("replica b answering with the override", 20, || on_call(&b) == json!(["cy"]));
    let (code, _) = b.call("DELETE", "/v2/schedules/primary/overrides/cy-covers?scheduleIdentifierType=name", None);
    assert!(code == 200 || code == 202, "{code}");
    wait_until("replica a answering without the override", 20, || on_call(&a) == before);
}

/// `oncall serve` refuses, before it opens the database or binds, each `ONCALL_SERVE_*` setting
/// outside its range: exit status 2 and a line naming the variable, its value and the range.
#[test]
fn invalid_serve_settings_in_the_environment_are_refused_at_start() {
    let dir = tmp("bad-env");
    let config = config(&dir);
    let cases = [
        ("ONCALL_SERVE_CLOCK", "soon", "expected ANCHOR:SCALE (scale 1 to 3600)"),
        ("ONCALL_SERVE_CLOCK", "1700000000:0", "expected ANCHOR:SCALE (scale 1 to 3600)"),
        ("ONCALL_SERVE_IN_FLIGHT", "0", "expected a number of deliveries from 1 to 256"),
        ("ONCALL_SERVE_IN_FLIGHT", "257", "expected a number of deliveries from 1 to 256"),
        ("ONCALL_SERVE_IN_FLIGHT", "many", "expected a number of deliveries from 1 to 256"),
        ("ONCALL_SERVE_LEASE_SECS", "0", "expected whole seconds from 1 to 3600"),
        ("ONCALL_SERVE_LEASE_SECS", "3601", "expected whole seconds from 1 to 3600"),
        ("ONCALL_SERVE_LEASE_SECS", "2.5", "expected whole seconds from 1 to 3600"),
        ("ONCALL_SERVE_CLOCK_SKEW_SECS", "86401", "expected whole seconds from -86400 to 86400"),
        ("ONCALL_SERVE_CLOCK_SKEW_SECS", "-86401", "expected whole seconds from -86400 to 86400"),
        ("ONCALL_SERVE_CLOCK_SKEW_SECS", "a minute", "expected whole seconds from -86400 to 86400"),
        ("ONCALL_SERVE_CLOCK_SKEW_SECS", "", "expected whole seconds from -86400 to 86400"),
    ];
    for (name, value, range) in cases {
        let db = dir.join("never.db");
        let out = Command::new(env!("CARGO_BIN_EXE_oncall"))
            .args(["serve", config.to_str().unwrap(), "--db", db.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .env(name, value)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}={value:?}: {stderr}");
        assert!(stderr.contains(&format!("{name}={value:?}: {range}")), "{name}={value:?}: {stderr}");
        assert!(!db.exists(), "{name}={value:?}: the database was opened");
    }
}
