//! Moving off Opsgenie, end to end: `check` on Opsgenie's recorded data, `verify` against its
//! recorded answers, `import opsgenie` from a folder of saved responses and from a local HTTP
//! server on 127.0.0.1 that serves them (paging, a 429 retried, the key checked).
//!
//! The recorded material is the repository's copy in `testdata/opsgenie-recorded`.

mod common;

use common::oncall;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn recorded() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/opsgenie-recorded")
}

fn response(name: &str) -> Value {
    let path = recorded().join("responses").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oncall-opsgenie-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, v: &Value) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn check_accepts_every_recorded_document_and_counts_what_it_ignored() {
    let mut n = 0;
    for entry in std::fs::read_dir(recorded()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        n += 1;
        let run = oncall(&["check", s(&path), "--at", "2019-10-15T10:00:00Z"]);
        assert_eq!(run.code, 0, "{}:\n{}", path.display(), run.stderr);
        if path.ends_with("07-docs-list-users.json") {
            assert!(run.stdout.contains("read and ignored 10 Opsgenie fields"), "{}", run.stdout);
            let json = oncall(&["check", s(&path), "--at", "2019-10-15T10:00:00Z", "--format", "json"]).json();
            assert_eq!(json["ignored"].as_array().unwrap().len(), 10);
        }
    }
    assert!(n >= 8, "found {n} documents");
}

#[test]
fn who_still_equals_opsgenies_recorded_answers() {
    let doc = recorded().join("01-recorded-get-schedule-first_line.json");
    for at in ["2019-10-15T10Z", "2019-10-25T10Z"] {
        let instant = format!("{}:00:00Z", at.trim_end_matches('Z'));
        let run = oncall(&["who", s(&doc), "--schedule", "first_line", "--at", &instant, "--format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.json(), response(&format!("recorded-on-calls-first_line-{at}.response.json"))["data"]);
    }
}

#[test]
fn verify_passes_on_the_recorded_answers_and_prints_every_difference() {
    let doc = recorded().join("01-recorded-get-schedule-first_line.json");
    let responses = recorded().join("responses");
    let run = oncall(&["verify", s(&doc), "--against", s(&responses)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("2 answers compared, 0 with differences"), "{}", run.stdout);
    // The 15 October answer saved as if it were the 25 October one: two differences, exit 1.
    let dir = temp_dir("verify");
    write(
        &dir,
        "on-calls-2019-10-25T10:00:00Z.json",
        &response("recorded-on-calls-first_line-2019-10-15T10Z.response.json"),
    );
    let run = oncall(&["verify", s(&doc), "--against", s(&dir)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("onCallParticipants[user user12@example.org]: Opsgenie user user12@example.org, engine absent"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("onCallParticipants[user user14@example.org]: Opsgenie absent, engine user user14@example.org")
    );
    let json = oncall(&["verify", s(&doc), "--against", s(&dir), "--format", "json"]).json();
    assert_eq!(json["compared"][0]["differences"].as_array().unwrap().len(), 2);
    // Nothing comparable is a failure, not a pass.
    let empty = temp_dir("verify-empty");
    assert_eq!(oncall(&["verify", s(&doc), "--against", s(&empty)]).code, 1);
}

/// The recorded dxw account: the schedule list (saved without expand), each schedule fetched
/// on its own, and a heartbeat list in Opsgenie's `ListHeartbeatsResponse` shape.
#[test]
fn verify_reports_a_timelines_final_schedule_as_the_diff_does() {
    // The captured timeline against the schedule rebuilt from it without its override: the
    // override's weekend is one interval, and the hours move from bob to alice.
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../oncall-core/tests/fixtures/captured-timeline-schedule.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    doc["schedules"][0]["overrides"] = json!([]);
    let dir = temp_dir("verify-timeline");
    write(&dir, "doc.json", &doc);
    let answers = temp_dir("verify-timeline-answers");
    write(&answers, "timeline.json", &response("captured-timeline.response.json"));
    let run = oncall(&["verify", s(&dir.join("doc.json")), "--against", s(&answers)]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "finalTimeline[2022-04-02T00:00:00Z/2022-04-04T00:00:00Z]: Opsgenie bob.familyname@example.com, engine alice.lastname@example.com"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("alice.lastname@example.com  48.0      0.0     +48.0"), "{}", run.stdout);
    let json = oncall(&["verify", s(&dir.join("doc.json")), "--against", s(&answers), "--format", "json"]).json();
    assert_eq!(
        json["compared"][0]["hours"][1],
        json!({"username": "bob.familyname@example.com", "gainedSeconds": 0, "lostSeconds": 172_800, "netSeconds": -172_800})
    );
}

fn dxw_folder(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    write(&dir, "schedules.json", &response("recorded-list-schedules.response.json"));
    write(
        &dir,
        "schedules/e71d500f-896a-4b28-8b08-3bfe56e1ed76.json",
        &response("recorded-get-schedule-first_line.response.json"),
    );
    write(
        &dir,
        "schedules/b8e97704-0e9d-41b5-b27c-9d9027c83943.json",
        &response("recorded-get-schedule-ooh_second_line.response.json"),
    );
    write(
        &dir,
        "heartbeats.json",
        &json!({"data": {"heartbeats": [{"name": "nightly-backup", "interval": 1, "intervalUnit": "days", "enabled": true}]}, "took": 0.1, "requestId": "r"}),
    );
    dir
}

#[test]
fn import_from_a_folder_builds_a_document_that_gives_opsgenies_answers() {
    let dir = dxw_folder("import-folder");
    let out = dir.join("imported.yaml");
    let run = oncall(&["import", "opsgenie", "--from", s(&dir), "--output", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("imported 0 users, 0 teams, 2 schedules (7 rotations, 0 overrides)"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "not carried over: heartbeats: heartbeats are not carried over (the engine has none): nightly-backup"
        ),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("schedules:"), "YAML by the file's extension:\n{text}");
    let run = oncall(&["verify", s(&out), "--against", s(&recorded().join("responses"))]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("2 answers compared, 0 with differences"), "{}", run.stdout);
}

#[test]
fn import_names_what_it_cannot_carry_over_and_fails_when_the_document_does_not_check() {
    // The recorded demisto account: teams (without members) and escalations naming two
    // schedules that were not saved.
    let dir = temp_dir("import-teams");
    write(&dir, "teams.json", &response("recorded-list-teams.response.json"));
    write(&dir, "escalations.json", &response("recorded-list-escalations.response.json"));
    write(&dir, "policies.json", &json!({"data": [{"id": "p1", "name": "Auto close", "type": "alert"}]}));
    let run = oncall(&["import", "opsgenie", "--from", s(&dir)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("team \"Engineering\": its members were not saved"), "{}", run.stderr);
    assert!(run.stderr.contains("not carried over: policies: alert and notification policies are not carried over (the engine has none): Auto close"));
    assert!(
        run.stderr.contains("check: escalations[0].rules[0].recipient: unknown schedule \"Engineering_schedule\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("read and ignored 2 Opsgenie fields (teams[].links ×2)"), "{}", run.stderr);
    // Still written, for a look.
    assert!(run.json()["escalations"].as_array().is_some_and(|e| e.len() == 2));
    // With the schedules of the same account (05's, in GET shape), it checks.
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(recorded().join("05-recorded-escalations-and-teams.json")).unwrap(),
    )
    .unwrap();
    write(&dir, "schedules.json", &json!({"data": doc["schedules"], "took": 0.01, "requestId": "r"}));
    let run = oncall(&["import", "opsgenie", "--from", s(&dir)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A field Opsgenie might add one day: named by its path, not carried over, not fatal.
    write(
        &dir,
        "forwarding-rules.json",
        &json!({"data": [{"id": "f", "fromUser": {"username": "a"}, "toUser": {"username": "b"},
        "startDate": "2026-12-24T00:00:00Z", "endDate": "2026-12-25T00:00:00Z", "reason": "holiday"}]}),
    );
    let run = oncall(&["import", "opsgenie", "--from", s(&dir)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("not carried over: forwardingRules[0].reason: a field the engine does not know"),
        "{}",
        run.stderr
    );
}

/// A tiny HTTP/1.1 server on 127.0.0.1 answering GETs from `routes` (path and query → body;
/// they may be added after it starts, since paging links name its address). It checks the API
/// key, answers 429 to the first request for `throttled`, and records every request target.
struct Server {
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

type Routes = Arc<Mutex<BTreeMap<String, Value>>>;

fn serve(routes: Routes, throttled: &'static str) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut auth = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.strip_prefix("Authorization:").or_else(|| h.strip_prefix("authorization:")) {
                    auth = v.trim().to_string();
                }
            }
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let first = {
                let mut l = seen.lock().unwrap();
                let first = !l.contains(&target);
                l.push(target.clone());
                first
            };
            let (status, extra, body) = if auth != "GenieKey test-key" {
                ("401 Unauthorized", "", json!({"message": "Key format is not valid!"}).to_string())
            } else if target == throttled && first {
                ("429 Too Many Requests", "Retry-After: 0\r\n", json!({"message": "Too many requests"}).to_string())
            } else {
                match routes.lock().unwrap().get(&target) {
                    Some(v) => ("200 OK", "", v.to_string()),
                    None => ("404 Not Found", "", json!({"message": "Not found"}).to_string()),
                }
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Server { url, log }
}

#[test]
fn live_import_pages_retries_and_builds_what_the_folder_import_builds() {
    let first = response("recorded-get-schedule-first_line.response.json")["data"].clone();
    let second = response("recorded-get-schedule-ooh_second_line.response.json")["data"].clone();
    // The account's users as /v2/users lists them (id and username, from the recorded
    // rotations), in two pages of Opsgenie's paging shape.
    let mut users: Vec<Value> = Vec::new();
    for s in [&first, &second] {
        for r in s["rotations"].as_array().unwrap() {
            for p in r["participants"].as_array().unwrap() {
                let u = json!({"id": p["id"], "username": p["username"], "fullName": "", "timeZone": "Europe/London",
                    "blocked": false, "verified": true, "role": {"id": "User", "name": "User"}, "createdAt": "2017-05-12T08:34:30.283Z"});
                if !users.contains(&u) {
                    users.push(u);
                }
            }
        }
    }
    let (page1, page2) = users.split_at(users.len() / 2);
    let mut routes = BTreeMap::new();
    routes.insert(
        "/v2/schedules?expand=rotation".to_string(),
        json!({"data": [second, first], "expandable": ["rotation"], "took": 0.01, "requestId": "r"}),
    );
    for id in ["e71d500f-896a-4b28-8b08-3bfe56e1ed76", "b8e97704-0e9d-41b5-b27c-9d9027c83943"] {
        routes.insert(format!("/v2/schedules/{id}/overrides"), json!({"data": [], "took": 0.0, "requestId": "r"}));
    }
    for list in ["teams", "escalations", "forwarding-rules"] {
        routes.insert(format!("/v2/{list}"), json!({"data": [], "took": 0.0, "requestId": "r"}));
    }
    routes.insert(
        "/v2/integrations".to_string(),
        json!({"data": [{"id": "i1", "name": "Datadog", "type": "Datadog", "enabled": true}]}),
    );
    for u in &users {
        routes.insert(
            format!("/v2/users/{}/notification-rules", u["id"].as_str().unwrap()),
            json!({"data": [], "took": 0.0, "requestId": "r"}),
        );
    }
    let routes: Routes = Arc::new(Mutex::new(routes));
    let server = serve(Arc::clone(&routes), "/v2/teams");
    {
        let mut r = routes.lock().unwrap();
        let next = format!("{}/v2/users?limit=100&offset={}", server.url, page1.len());
        r.insert(
            "/v2/users?limit=100".into(),
            json!({"data": page1, "paging": {"next": next, "first": "", "last": ""}, "totalCount": users.len(), "took": 0.01, "requestId": "r"}),
        );
        r.insert(
            format!("/v2/users?limit=100&offset={}", page1.len()),
            json!({"data": page2, "paging": {}, "totalCount": users.len(), "took": 0.01, "requestId": "r"}),
        );
    }
    let saved = temp_dir("live-saved");
    let out = std::process::Command::new(common::BIN)
        .args(["import", "opsgenie", "--api-url", &server.url, "--save", s(&saved), "--backoff-ms", "1"])
        .env("OPSGENIE_API_KEY", "test-key")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let live: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(live["users"].as_array().unwrap().len(), users.len(), "both pages were read");
    assert!(
        stderr.contains(
            "not carried over: integrations: integrations are not carried over (the engine has none): Datadog"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("not carried over: heartbeats"), "a refused list is named too: {stderr}");
    let log = server.log.lock().unwrap().clone();
    assert_eq!(log.iter().filter(|l| *l == "/v2/teams").count(), 2, "the 429 was retried: {log:?}");
    // The saved folder imports to the same document.
    let again = oncall(&["import", "opsgenie", "--from", s(&saved)]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json(), live);
    // And the imported document gives Opsgenie's recorded answers.
    let doc = saved.join("imported.json");
    std::fs::write(&doc, live.to_string()).unwrap();
    let run = oncall(&["verify", s(&doc), "--against", s(&recorded().join("responses"))]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // A wrong key is an error naming the request.
    let out = std::process::Command::new(common::BIN)
        .args(["import", "opsgenie", "--api-url", &server.url])
        .env("OPSGENIE_API_KEY", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GET /v2/users?limit=100: HTTP 401"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No key at all is a usage problem named by its variable.
    let out = std::process::Command::new(common::BIN)
        .args(["import", "opsgenie", "--api-url", &server.url, "--api-key-env", "ONCALL_TEST_NO_SUCH_KEY"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("ONCALL_TEST_NO_SUCH_KEY is not set"));
}

#[test]
fn opsgenie_depth_gives_the_docs_sample_shape() {
    let doc = recorded().join("24-docs-who-is-on-call-scenario.json");
    let run = oncall(&[
        "who",
        s(&doc),
        "--schedule",
        "ScheduleName",
        "--at",
        "2019-10-15T10:00:00Z",
        "--format",
        "json",
        "--opsgenie-depth",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected = response("docs-who-is-on-call.response.json")["data"].clone();
    // The documentation's sample anonymised both usernames to "user@example.com"; the ids are
    // the scenario's.
    let users = &mut expected["onCallParticipants"][1]["onCallParticipants"][2]["onCallParticipants"];
    users[0]["name"] = json!("user1@example.com");
    users[1]["name"] = json!("user2@example.com");
    assert_eq!(run.json(), expected);
    let deep =
        oncall(&["who", s(&doc), "--schedule", "ScheduleName", "--at", "2019-10-15T10:00:00Z", "--format", "json"])
            .json();
    assert!(
        deep["onCallParticipants"][0]["onCallParticipants"].is_array(),
        "without the flag, the team's routing is nested"
    );
}
