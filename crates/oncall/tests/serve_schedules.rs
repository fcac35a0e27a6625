//! `oncall serve`'s Schedule API, stored overrides and SIGHUP reload, end to end: the real
//! binary as a child process over 127.0.0.1, its database (each test on both engines,
//! `on_both!`: a SQLite file, and a database on the private PostgreSQL of
//! `scripts/with-postgres`), and answers compared with the CLI's own JSON (`oncall
//! who|next|timeline --format json`, run in-process on the same configuration file).
//!
//! Run: `scripts/with-postgres cargo test -p oncall --test serve_schedules` (without the script
//! the PostgreSQL runs are skipped).

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "schedules-key";

#[macro_use]
mod serve_support;
use serve_support::Db;

on_both!(schedule_api_answers_exactly_as_the_cli);
on_both!(stored_overrides_change_every_answer_and_survive_restarts);
on_both!(sighup_reloads_a_valid_file_and_refuses_an_invalid_one);
on_both!(on_calls_carry_the_clis_time_off_extension);

fn document(extra_schedule: bool, timezone: &str, with_cy: bool) -> Value {
    let mut users = vec![json!({"username": "ann"}), json!({"username": "ben"}), json!({"username": "boss"})];
    if with_cy {
        users.push(json!({"username": "cy"}));
    }
    let mut schedules = vec![json!({"name": "primary", "id": "sched-1", "timezone": timezone,
        "rotations": [{"name": "day", "type": "daily", "length": 1, "startDate": "2026-01-01T00:00:00Z",
                       "participants": [{"type": "user", "username": "ann"}, {"type": "user", "username": "ben"}]}],
        "overrides": [{"alias": "file-boss", "user": {"type": "user", "username": "boss"},
                       "startDate": "2026-11-10T06:00:00Z", "endDate": "2026-11-10T08:00:00Z"}]})];
    if extra_schedule {
        schedules
            .push(json!({"name": "secondary", "rotations": [{"type": "weekly", "startDate": "2026-01-05T00:00:00Z",
            "participants": [{"type": "user", "username": "boss"}]}]}));
    }
    json!({
      "users": users,
      "teams": [{"name": "payments", "members": [{"user": {"username": "ann"}}],
                 "routingRules": [{"name": "default", "isDefault": true, "notify": {"type": "escalation", "name": "ops"}}]}],
      "schedules": schedules,
      "escalations": [{"name": "ops", "rules": [
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "primary"}}]}],
      "integrations": [{"name": "prometheus", "type": "API", "ownerTeam": {"name": "payments"}, "apiKey": KEY}]
    })
}

fn write(path: &Path, doc: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
}

fn tmp(name: &str) -> PathBuf {
    serve_support::tmp_dir("sched", name)
}

struct Service {
    child: Option<Child>,
    dir: PathBuf,
    /// The `--db` argument.
    db: String,
    port: u16,
    starts: usize,
}

impl Service {
    fn start(dir: &Path, db: &Db) -> Service {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut s = Service { child: None, dir: dir.to_path_buf(), db: db.arg(dir), port, starts: 0 };
        s.restart();
        s
    }

    fn restart(&mut self) {
        self.starts += 1;
        let out = std::fs::File::create(self.stdout_path()).unwrap();
        let err = std::fs::File::create(self.stderr_path()).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_oncall"))
            .arg("serve")
            .arg(self.dir.join("config.json"))
            .arg("--db")
            .arg(&self.db)
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.try_call("GET", "/healthz", None).map(|r| r.0) != Ok(200) {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("oncall serve exited with {status}: {}", self.stderr());
            }
            assert!(Instant::now() < deadline, "oncall serve did not answer /healthz");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stdout_path(&self) -> PathBuf {
        self.dir.join(format!("stdout-{}.jsonl", self.starts))
    }

    fn stderr_path(&self) -> PathBuf {
        self.dir.join(format!("stderr-{}.log", self.starts))
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.stderr_path()).unwrap_or_default()
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    fn hup(&self) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        assert!(Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<(u16, Value), String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let auth = format!("GenieKey {KEY}");
        let r = match method {
            "GET" => agent.get(&url).header("Authorization", &auth).call(),
            "DELETE" => agent.delete(&url).header("Authorization", &auth).call(),
            "PUT" => agent
                .put(&url)
                .header("Authorization", &auth)
                .content_type("application/json")
                .send(body.unwrap_or(json!({})).to_string().as_str()),
            _ => agent
                .post(&url)
                .header("Authorization", &auth)
                .content_type("application/json")
                .send(body.unwrap_or(json!({})).to_string().as_str()),
        };
        let mut r = r.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().map_err(|e| e.to_string())?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.try_call(method, path, body).unwrap()
    }

    /// `data` of a 200 answer, after checking the envelope.
    fn data(&self, path: &str) -> Value {
        let (code, v) = self.call("GET", path, None);
        assert_eq!(code, 200, "{path}: {v}");
        assert!(v["took"].is_number() && v["requestId"].is_string(), "{path}: {v}");
        v["data"].clone()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The CLI's JSON answer on the same configuration file.
fn cli(dir: &Path, args: &[&str]) -> Value {
    let config = dir.join("config.json");
    let mut all = vec!["oncall".to_string(), args[0].to_string(), config.display().to_string()];
    all.extend(args[1..].iter().map(|a| a.to_string()));
    all.extend(["--format".to_string(), "json".to_string()]);
    let out = oncall::run(all);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn wait_until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn schedule_api_answers_exactly_as_the_cli(db: Db) {
    let dir = tmp(&format!("api-{}", db.tag()));
    write(&dir.join("config.json"), &document(false, "Europe/Berlin", true));
    let s = Service::start(&dir, &db);

    let list = s.data("/v2/schedules");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!((list[0]["name"].as_str(), list[0]["id"].as_str()), (Some("primary"), Some("sched-1")));
    assert!(list[0].get("rotations").is_none());
    assert_eq!(s.call("GET", "/v2/schedules", None).1["expandable"], json!(["rotation"]));
    let expanded = s.data("/v2/schedules?expand=rotation");
    assert_eq!(expanded[0]["rotations"][0]["name"], "day");
    let one = s.data("/v2/schedules/sched-1");
    assert_eq!((one["timezone"].as_str(), one["enabled"].as_bool()), (Some("Europe/Berlin"), Some(true)));
    assert_eq!(s.data("/v2/schedules/primary?identifierType=name")["id"], "sched-1");
    // By id, a schedule with an id is not found by its name; unknown ones are 404.
    assert_eq!(s.call("GET", "/v2/schedules/primary", None).0, 404);
    let (code, v) = s.call("GET", "/v2/schedules/nope?identifierType=name", None);
    assert!(code == 404 && v["message"].is_string() && v["requestId"].is_string(), "{v}");
    let (code, v) = s.call("GET", "/v2/schedules/sched-1?identifierType=tiny", None);
    assert_eq!((code, v["errors"]["identifierType"].is_string()), (422, true), "{v}");

    // On-calls, flat and nested, at an instant the file's override covers and one it does not.
    for at in ["2026-11-10T07:00:00Z", "2026-11-10T12:00:00Z", "2026-11-12T03:00:00Z"] {
        let q = at.replace(':', "%3A");
        assert_eq!(
            s.data(&format!("/v2/schedules/sched-1/on-calls?date={q}")),
            cli(&dir, &["who", "--schedule", "primary", "--at", at])
        );
        assert_eq!(
            s.data(&format!("/v2/schedules/primary/on-calls?scheduleIdentifierType=name&flat=true&date={q}")),
            cli(&dir, &["who", "--schedule", "primary", "--at", at, "--flat"])
        );
        assert_eq!(
            s.data(&format!("/v2/schedules/sched-1/next-on-calls?date={q}")),
            cli(&dir, &["next", "--schedule", "primary", "--at", at])
        );
        assert_eq!(
            s.data(&format!("/v2/schedules/sched-1/next-on-calls?flat=true&date={q}")),
            cli(&dir, &["next", "--schedule", "primary", "--at", at, "--flat"])
        );
    }
    // A naive date is read in the schedule's zone, as the CLI reads it.
    assert_eq!(
        s.data("/v2/schedules/sched-1/on-calls?date=2026-11-10T08%3A30"),
        cli(&dir, &["who", "--schedule", "primary", "--at", "2026-11-10T08:30"])
    );
    let (code, v) = s.call("GET", "/v2/schedules/sched-1/on-calls?date=tomorrow", None);
    assert_eq!((code, v["errors"]["date"].is_string()), (422, true), "{v}");
    assert_eq!(s.call("GET", "/v2/schedules/sched-1/on-calls?flat=yes", None).0, 422);

    // Timelines: date, interval, intervalUnit, expand.
    let t = s.data(
        "/v2/schedules/sched-1/timeline?date=2026-11-09&interval=2&intervalUnit=days&expand=base,override,forwarding",
    );
    let want = cli(
        &dir,
        &[
            "timeline",
            "--schedule",
            "primary",
            "--date",
            "2026-11-09",
            "--interval",
            "2",
            "--interval-unit",
            "days",
            "--expand",
            "base,override,forwarding",
        ],
    );
    assert_eq!(t, want);
    assert!(t["overrideTimeline"].is_object() && t["baseTimeline"].is_object());
    let week = s.call("GET", "/v2/schedules/sched-1/timeline?date=2026-11-09", None).1;
    assert_eq!(week["data"], cli(&dir, &["timeline", "--schedule", "primary", "--date", "2026-11-09"]));
    assert_eq!(week["expandable"], json!(["base", "forwarding", "override"]));
    for bad in ["intervalUnit=years", "interval=0", "expand=everything", "date=x"] {
        let (code, v) = s.call("GET", &format!("/v2/schedules/sched-1/timeline?{bad}"), None);
        assert_eq!(code, 422, "{bad}: {v}");
        let field = bad.split('=').next().unwrap();
        assert!(v["errors"][field].is_string(), "{bad}: {v}");
    }
    // A window past the supported range: refused by the core, named.
    let (code, v) =
        s.call("GET", "/v2/schedules/sched-1/timeline?date=2026-01-01&interval=3000&intervalUnit=months", None);
    assert_eq!((code, v["errors"]["interval"].is_string()), (422, true), "{v}");
}

fn stored_overrides_change_every_answer_and_survive_restarts(db: Db) {
    let dir = tmp(&format!("overrides-{}", db.tag()));
    write(&dir.join("config.json"), &document(false, "UTC", true));
    let mut s = Service::start(&dir, &db);
    let base = "/v2/schedules/sched-1/overrides";

    // The file's override is listed, in Opsgenie's shape.
    let list = s.data(base);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["alias"], "file-boss");
    assert_eq!(list[0]["_parent"]["name"], "primary");
    assert_eq!(list[0]["startDate"], "2026-11-10T06:00:00Z");

    // Created: 201 with the alias; then on-calls, next-on-calls and timelines see it.
    let body = json!({"alias": "cy-covers", "user": {"type": "user", "username": "cy"},
                      "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T14:00:00Z", "rotations": [{"name": "day"}]});
    let (code, v) = s.call("POST", base, Some(body));
    assert_eq!((code, v["data"]["alias"].as_str()), (201, Some("cy-covers")), "{v}");
    let flat = |s: &Service, at: &str| {
        s.data(&format!("/v2/schedules/sched-1/on-calls?flat=true&date={}", at.replace(':', "%3A")))["onCallRecipients"]
            .clone()
    };
    assert_eq!(flat(&s, "2026-11-10T13:00:00Z"), json!(["cy"]));
    assert_eq!(
        cli(&dir, &["who", "--schedule", "primary", "--at", "2026-11-10T13:00:00Z", "--flat"])["onCallRecipients"],
        json!(["ben"])
    );
    assert_eq!(flat(&s, "2026-11-10T15:00:00Z"), json!(["ben"]));
    let next = s.data("/v2/schedules/sched-1/next-on-calls?flat=true&date=2026-11-10T11%3A00%3A00Z");
    assert_eq!(next["exactNextOnCallParticipants"], json!(["cy"]), "{next}");
    let t = s.data("/v2/schedules/sched-1/timeline?date=2026-11-10T00%3A00%3A00Z&interval=1&intervalUnit=days");
    assert!(t["finalSchedule"].as_array().unwrap().iter().any(|seg| seg["recipients"] == json!(["cy"])), "{t}");
    assert_eq!(s.data(&format!("{base}/cy-covers"))["user"]["username"], "cy");
    assert_eq!(s.data(base).as_array().unwrap().len(), 2);

    // Refused by the core, with paths in the body; nothing stored.
    let (code, v) = s.call(
        "POST",
        base,
        Some(json!({"alias": "x", "user": {"type": "user", "username": "zed"}, "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T14:00:00Z"})),
    );
    assert_eq!(code, 422, "{v}");
    assert!(v["errors"]["user"].is_string(), "{v}");
    let (code, v) = s.call(
        "POST",
        base,
        Some(json!({"alias": "file-boss", "user": {"type": "none"}, "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T14:00:00Z"})),
    );
    assert_eq!((code, v["errors"]["alias"].is_string()), (422, true), "{v}");
    let (code, v) =
        s.call("POST", base, Some(json!({"alias": "y", "user": {"type": "none"}, "startDate": "soon", "endDate": 3})));
    assert_eq!(code, 422, "{v}");
    assert!(v["errors"]["endDate"].is_string(), "{v}");
    let (code, v) = s.call(
        "POST",
        base,
        Some(json!({"alias": "z", "user": {"type": "none"}, "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T14:00:00Z",
                     "rotations": [{"name": "night"}]})),
    );
    assert!(code == 422 && v["errors"]["rotations[0]"].is_string(), "{v}");
    assert_eq!(s.data(base).as_array().unwrap().len(), 2);
    // Without an alias, one is made up.
    let (code, v) = s.call(
        "POST",
        "/v2/schedules/primary/overrides?scheduleIdentifierType=name",
        Some(json!({"user": {"type": "none"}, "startDate": "2027-01-01T00:00:00Z", "endDate": "2027-01-02T00:00:00Z"})),
    );
    assert_eq!(code, 201, "{v}");
    let made = v["data"]["alias"].as_str().unwrap().to_string();
    assert_eq!(s.call("DELETE", &format!("{base}/{made}"), None).0, 200);

    // Updated: the same alias, a new user.
    let (code, v) = s.call(
        "PUT",
        &format!("{base}/cy-covers"),
        Some(json!({"user": {"type": "user", "username": "boss"}, "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T14:00:00Z"})),
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(flat(&s, "2026-11-10T13:00:00Z"), json!(["boss"]));
    // The file's overrides are the file's.
    let (code, v) = s.call(
        "PUT",
        &format!("{base}/file-boss"),
        Some(json!({"user": {"type": "none"}, "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T14:00:00Z"})),
    );
    assert_eq!((code, v["errors"]["alias"].is_string()), (422, true), "{v}");
    assert_eq!(s.call("DELETE", &format!("{base}/file-boss"), None).0, 422);
    assert_eq!(s.call("DELETE", &format!("{base}/nothing"), None).0, 404);
    assert_eq!(s.call("GET", &format!("{base}/nothing"), None).0, 404);

    // Kept in the database: a kill -9 and a restart keep it.
    s.kill9();
    s.restart();
    assert_eq!(flat(&s, "2026-11-10T13:00:00Z"), json!(["boss"]));

    // An escalation that notifies the schedule sees a stored override: one covering now.
    let now = chrono::Utc::now();
    let fmt = |t: chrono::DateTime<chrono::Utc>| oncall_core::time::format_instant(t);
    let (code, v) = s.call(
        "POST",
        base,
        Some(json!({"alias": "cy-now", "user": {"type": "user", "username": "cy"},
                    "startDate": fmt(now - chrono::Duration::hours(1)), "endDate": fmt(now + chrono::Duration::hours(1))})),
    );
    assert_eq!(code, 201, "{v}");
    let (code, _) = s.call("POST", "/v2/alerts", Some(json!({"message": "Payment API 5xx", "alias": "pay"})));
    assert_eq!(code, 202);
    let out = s.stdout_path();
    wait_until("the notification on stdout", 15, || std::fs::read_to_string(&out).is_ok_and(|t| !t.trim().is_empty()));
    let line: Value = serde_json::from_str(std::fs::read_to_string(&out).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(line["user"], "cy", "{line}");

    // Deleted: the rotation is back.
    assert_eq!(s.call("DELETE", &format!("{base}/cy-covers"), None).1["result"], "Deleted");
    assert_eq!(flat(&s, "2026-11-10T13:00:00Z"), json!(["ben"]));
}

fn sighup_reloads_a_valid_file_and_refuses_an_invalid_one(db: Db) {
    let dir = tmp(&format!("hup-{}", db.tag()));
    let config = dir.join("config.json");
    write(&config, &document(false, "UTC", true));
    let s = Service::start(&dir, &db);
    // State that must survive: an alert, and a stored override.
    assert_eq!(s.call("POST", "/v2/alerts", Some(json!({"message": "before the reload", "alias": "keep"}))).0, 202);
    let body = json!({"alias": "cy-covers", "user": {"type": "user", "username": "cy"},
                      "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T14:00:00Z"});
    assert_eq!(s.call("POST", "/v2/schedules/sched-1/overrides", Some(body)).0, 201);
    let flat_at_13 = |s: &Service| {
        s.data("/v2/schedules/sched-1/on-calls?flat=true&date=2026-11-10T13%3A00%3A00Z")["onCallRecipients"].clone()
    };
    assert_eq!(flat_at_13(&s), json!(["cy"]));

    // A valid new file: a second schedule appears, the stored override still applies.
    write(&config, &document(true, "UTC", true));
    s.hup();
    wait_until("the reload", 15, || s.stderr().contains("configuration reloaded"));
    assert_eq!(s.data("/v2/schedules").as_array().unwrap().len(), 2);
    assert_eq!(flat_at_13(&s), json!(["cy"]));
    assert_eq!(s.data("/v2/alerts/keep?identifierType=alias")["message"], "before the reload");
    assert_eq!(
        s.data("/v2/schedules/secondary/on-calls?flat=true&date=2026-11-10T13%3A00%3A00Z")["onCallRecipients"],
        json!(["boss"])
    );

    // An invalid file: refused with its errors (path and message) in the log; the old one stays.
    write(&config, &document(false, "Mars/Olympus", true));
    s.hup();
    wait_until("the refusal in the log", 15, || s.stderr().contains("reload refused"));
    let log = s.stderr();
    let refused: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["message"].as_str().is_some_and(|m| m.starts_with("reload refused")))
        .collect();
    assert!(refused.iter().all(|l| l["level"] == "error"), "{log}");
    assert!(refused.iter().any(|l| l["message"].as_str().unwrap().contains("schedules[0].timezone")), "{log}");
    assert_eq!(s.data("/v2/schedules").as_array().unwrap().len(), 2, "the running configuration stays");
    assert_eq!(flat_at_13(&s), json!(["cy"]));

    // A file that the stored overrides contradict (it drops the user cy) is refused too.
    write(&config, &document(true, "UTC", false));
    let before = s.stderr().matches("reload refused (").count();
    s.hup();
    wait_until("the second refusal", 15, || s.stderr().matches("reload refused (").count() > before);
    assert!(s.stderr().contains("stored overrides"), "{}", s.stderr());
    assert_eq!(flat_at_13(&s), json!(["cy"]));
    assert_eq!(s.data("/v2/alerts/keep?identifierType=alias")["status"], "open");
}

/// The `timeOff` extension of on-calls is the CLI's too (examples/time-off.json, with a key).
fn on_calls_carry_the_clis_time_off_extension(db: Db) {
    let dir = tmp(&format!("timeoff-{}", db.tag()));
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/time-off.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc.as_object_mut().unwrap().remove("$schema");
    doc["integrations"] = json!([{"name": "test", "type": "API", "apiKey": KEY}]);
    write(&dir.join("config.json"), &doc);
    let s = Service::start(&dir, &db);
    for at in ["2026-11-10T10:00:00Z", "2026-11-17T10:00:00Z"] {
        let q = at.replace(':', "%3A");
        let got = s.data(&format!("/v2/schedules/support/on-calls?scheduleIdentifierType=name&date={q}"));
        assert_eq!(got, cli(&dir, &["who", "--schedule", "support", "--at", at]), "{at}");
        let flat = s.data(&format!("/v2/schedules/support/on-calls?scheduleIdentifierType=name&flat=True&date={q}"));
        assert_eq!(flat, cli(&dir, &["who", "--schedule", "support", "--at", at, "--flat"]), "{at}");
    }
    let with = s.data("/v2/schedules/support/on-calls?scheduleIdentifierType=name&date=2026-11-10T10%3A00%3A00Z");
    assert!(with["timeOff"].is_array(), "the example changes a shift at this instant: {with}");
}
