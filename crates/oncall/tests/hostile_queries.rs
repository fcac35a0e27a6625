//! Hostile queries (issue 10): generated documents and arguments through the `oncall` binary,
//! each run under a 2 GiB address-space limit (`prlimit --as`) and a generous time bound
//! (`timeout`), must end with an answer or an error naming its limit — never an abort, a hang or
//! unbounded output.

mod common;
use common::{BIN, temp_file};
use serde_json::{Value, json};
use std::process::Command;
use std::time::Duration;

/// Address space allowed to one run.
const MEMORY: &str = "--as=2147483648";
/// Seconds allowed to one run (a debug build on a shared machine).
const SECONDS: &str = "120";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// `oncall args…` under the memory and time bounds.
#[allow(clippy::disallowed_methods)] // the test's own time bound, not the engine's clock
fn bounded(args: &[&str]) -> Run {
    let started = std::time::Instant::now();
    let out = Command::new("prlimit")
        .args([MEMORY, "--", "timeout", SECONDS, BIN])
        .args(args)
        .output()
        .expect("run prlimit (util-linux) and timeout (coreutils)");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: started.elapsed(),
    };
    // 124: timeout killed it; 134 / signals: an abort (out of memory). 2 is a usage error (a
    // flag's value refused, docs/cli.md).
    assert!((0..=2).contains(&run.code), "oncall {args:?} exited {} after {:?}:\n{}", run.code, run.took, run.stderr);
    run
}

fn file(name: &str, doc: &Value) -> String {
    temp_file(name, &doc.to_string()).to_str().unwrap().to_string()
}

fn refused(run: &Run, limit: &str) {
    assert_eq!(run.code, 1, "expected a refusal naming {limit}, got:\n{}", &run.stdout[..run.stdout.len().min(500)]);
    assert!(run.stderr.contains(&format!("(limit {limit})")), "{}", run.stderr);
    assert!(run.stdout.len() < 1 << 20, "a refusal prints no answer");
}

fn weekly(name: &str, participants: Value) -> Value {
    json!({"name": name, "type": "weekly", "startDate": "2026-01-05T00:00:00Z", "participants": participants})
}

/// Team t_i routes to escalation e_i, whose two rules both notify team t_{i+1}.
fn doubling(depth: usize) -> Value {
    let teams: Vec<Value> = (0..depth)
        .map(|i| {
            json!({"name": format!("t{i}"), "members": [{"user": {"username": "u"}}],
                   "routingRules": [{"name": "r", "order": 0, "notify": {"type": "escalation", "name": format!("e{i}")}}]})
        })
        .collect();
    let escalations: Vec<Value> = (0..depth)
        .map(|i| {
            let to = if i + 1 < depth {
                json!({"type": "team", "name": format!("t{}", i + 1)})
            } else {
                json!({"type": "user", "username": "u"})
            };
            let rule = json!({"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0}, "recipient": to});
            json!({"name": format!("e{i}"), "rules": [rule, rule]})
        })
        .collect();
    json!({"users": [{"username": "u"}], "teams": teams, "escalations": escalations,
           "schedules": [{"name": "s", "rotations": [weekly("r", json!([{"type": "team", "name": "t0"}]))]}]})
}

#[test]
fn exponential_reference_graphs_are_refused_by_every_command() {
    let path = file("doubling.json", &doubling(30));
    let at = "2026-02-01T00:00:00Z";
    for args in [
        vec!["who", &path, "--schedule", "s", "--at", at],
        vec!["who", &path, "--schedule", "s", "--at", at, "--flat", "--format", "json"],
        vec!["next", &path, "--schedule", "s", "--at", at],
        vec!["timeline", &path, "--schedule", "s", "--date", at],
        vec!["timeline", &path, "--schedule", "s", "--date", at, "--format", "ics"],
        vec!["report", &path, "--schedule", "s", "--from", at, "--to", "2026-02-08T00:00:00Z"],
    ] {
        refused(&bounded(&args), "maxExpansion");
    }
    // check finishes, naming the cycle-free blow-up where it checks coverage.
    let check = bounded(&["check", &path, "--at", at, "--format", "json"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let warnings = check.json()["warnings"].to_string();
    assert!(warnings.contains("maxExpansion"), "{warnings}");
}

fn forward(from: &str, to: &str) -> Value {
    json!({"fromUser": {"username": from}, "toUser": {"username": to},
           "startDate": "2026-03-01T00:00:00Z", "endDate": "2026-03-10T00:00:00Z"})
}

#[test]
fn forwarding_lints_are_linear() {
    // 52 layers of two users, each forwarding to both users of the next (104 rules in the
    // issue took 71 s and doubled per layer), and a chain of 10 000 rules closed into a cycle.
    let layers = 52;
    let mut rules = Vec::new();
    for l in 0..layers {
        for a in 0..2 {
            for b in 0..2 {
                rules.push(forward(&format!("u{}", 2 * l + a), &format!("u{}", 2 * ((l + 1) % layers) + b)));
            }
        }
    }
    let users: Vec<Value> = (0..2 * layers).map(|i| json!({"username": format!("u{i}")})).collect();
    let path = file("layers.json", &json!({"users": users, "forwardingRules": rules}));
    let run = bounded(&["check", &path, "--at", "2026-02-01T00:00:00Z", "--format", "json"]);
    assert!(run.took < Duration::from_secs(30), "{:?}", run.took);
    assert!(run.json()["warnings"].to_string().contains("forwarding cycle"));

    let n = 10_000;
    let rules: Vec<Value> = (0..n).map(|i| forward(&format!("c{i}"), &format!("c{}", (i + 1) % n))).collect();
    let users: Vec<Value> = (0..n).map(|i| json!({"username": format!("c{i}")})).collect();
    let path = file("chain.json", &json!({"users": users, "forwardingRules": rules}));
    let run = bounded(&["check", &path, "--at", "2026-02-01T00:00:00Z", "--format", "json"]);
    assert!(run.took < Duration::from_secs(30), "{:?}", run.took);
    let warnings = run.json()["warnings"].clone();
    let cycles: Vec<&Value> = warnings
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["message"].as_str().unwrap().starts_with("forwarding cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "one cycle, reported once");
}

#[test]
fn long_names_never_blow_up_output() {
    // A 1 MB username: refused by the document limits or by maxOutputBytes, never aborted.
    let name = "n".repeat(1 << 20);
    let doc = json!({"schedules": [{"name": "s", "rotations": [
        {"name": "r", "type": "hourly", "startDate": "2026-01-05T00:00:00Z", "participants": [name, "b"]}]}]});
    let path = file("long-name.json", &doc);
    for args in [
        vec![
            "handoffs",
            &path,
            "--schedule",
            "s",
            "--rotation",
            "r",
            "--from",
            "2026-02-01T00:00:00Z",
            "--count",
            "10000",
        ],
        vec![
            "timeline",
            &path,
            "--schedule",
            "s",
            "--date",
            "2026-02-01",
            "--interval",
            "12",
            "--interval-unit",
            "months",
        ],
        vec![
            "timeline",
            &path,
            "--schedule",
            "s",
            "--date",
            "2026-02-01",
            "--interval",
            "1",
            "--interval-unit",
            "months",
            "--format",
            "ics",
        ],
    ] {
        let run = bounded(&args);
        assert_eq!(run.code, 1, "{}", &run.stdout[..run.stdout.len().min(200)]);
        assert!(run.stderr.contains("(limit max"), "{}", &run.stderr[..run.stderr.len().min(500)]);
    }
}

#[test]
fn timeline_periods_are_counted() {
    let rotations: Vec<Value> = (0..200)
        .map(|i| {
            json!({"name": format!("h{i}"), "type": "hourly", "startDate": "2026-01-05T00:00:00Z",
                   "participants": [format!("a{i}"), format!("b{i}")]})
        })
        .collect();
    let path = file("aligned.json", &json!({"schedules": [{"name": "s", "rotations": rotations}]}));
    let run = bounded(&[
        "timeline",
        &path,
        "--schedule",
        "s",
        "--date",
        "2026-03-01",
        "--interval",
        "1",
        "--interval-unit",
        "months",
        "--format",
        "json",
    ]);
    refused(&run, "maxTimelinePeriods");
}

#[test]
fn ics_grows_linearly_with_the_on_call_set() {
    let members: Vec<Value> = (0..9_000).map(|i| json!({"user": {"username": format!("m{i:05}")}})).collect();
    let doc = json!({"teams": [{"name": "big", "members": members}],
                     "schedules": [{"name": "s", "rotations": [weekly("r", json!([{"type": "team", "name": "big"}]))]}]});
    let path = file("big-team.json", &doc);
    let run = bounded(&[
        "timeline",
        &path,
        "--schedule",
        "s",
        "--from",
        "2026-02-02T00:00:00Z",
        "--to",
        "2026-02-03T00:00:00Z",
        "--format",
        "ics",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.matches("BEGIN:VEVENT\r\n").count(), 9_000);
    // Bounded bytes per event: no event lists the other 8 999.
    assert!(run.stdout.len() < 9_000 * 400, "{} bytes", run.stdout.len());
    for line in run.stdout.split("\r\n") {
        assert!(line.len() <= 75);
    }
}

#[test]
fn next_says_how_far_it_searched() {
    // A boss layer until 2040 hides an hourly rotation: no change within the horizon.
    let doc = json!({"schedules": [{"name": "s", "rotations": [
        {"name": "boss", "type": "weekly", "priority": 1, "startDate": "2026-01-05T00:00:00Z",
         "endDate": "2040-01-01T00:00:00Z", "participants": ["boss"]},
        {"name": "h", "type": "hourly", "startDate": "2026-01-05T00:00:00Z", "participants": ["a", "b"]}]}]});
    let path = file("hidden.json", &doc);
    let run =
        bounded(&["next", &path, "--schedule", "s", "--at", "2026-02-01T00:00:00Z", "--format", "json", "--flat"]);
    let v = run.json();
    assert_eq!(v["exactNextOnCallAt"], Value::Null);
    assert_eq!(v["searchedUntil"], "2036-02-09T00:00:00Z"); // 3 660 days later
    let text = bounded(&["next", &path, "--schedule", "s", "--at", "2026-02-01T00:00:00Z"]).stdout;
    assert!(
        text.contains("no change before Sat 2036-02-09 00:00 UTC (2036-02-09T00:00:00Z): the search stopped there"),
        "{text}"
    );
}

#[test]
fn offsets_out_of_range_are_errors_naming_the_flag_or_field() {
    let doc = json!({"schedules": [{"name": "s", "rotations": [weekly("r", json!(["a", "b"]))]}]});
    let path = file("plain.json", &doc);
    for (flag, value) in [
        ("--at", "2026-02-01T00:00:00+99:99"),
        ("--at", "2026-02-01T00:00:00+25:00"),
        ("--at", "2026-02-01T00:00:00-24:00"),
    ] {
        let run = bounded(&["who", &path, "--schedule", "s", flag, value]);
        assert_eq!(run.code, 2, "a flag's value refused is a usage error");
        assert!(run.stderr.starts_with("--at: ") && run.stderr.contains("outside -23:59 to +23:59"), "{}", run.stderr);
    }
    let run = bounded(&[
        "timeline",
        &path,
        "--schedule",
        "s",
        "--from",
        "2026-02-01T00:00:00Z",
        "--to",
        "2026-02-02T00:00:00-24:00",
    ]);
    assert!(run.code == 2 && run.stderr.starts_with("--to: "), "{}", run.stderr);
    let bad = json!({"schedules": [{"name": "s", "rotations": [
        {"name": "r", "type": "weekly", "startDate": "2026-01-05T00:00:00+25:00", "participants": ["a"]}]}]});
    let run = bounded(&["check", &file("bad-offset.json", &bad)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("schedules[0].rotations[0].startDate") && run.stderr.contains("+25:00"),
        "{}",
        run.stderr
    );
}

#[test]
fn control_characters_in_names_cannot_reach_the_terminal() {
    let evil = "evil\u{1b}]0;owned\u{7}\nwarning: forged";
    let doc = json!({"users": [{"username": evil}, {"username": "idle"}], "schedules": [{"name": "s", "rotations": [
        {"name": "solo\nwarning: forged", "type": "weekly", "startDate": "2026-01-05T00:00:00Z", "participants": [evil]}]}]});
    let path = file("evil.json", &doc);
    let at = "2026-02-01T00:00:00Z";
    for args in [
        vec!["who", &path, "--schedule", "s", "--at", at],
        vec!["next", &path, "--schedule", "s", "--at", at],
        vec!["handoffs", &path, "--schedule", "s", "--rotation", "solo\nwarning: forged", "--from", at],
        vec!["timeline", &path, "--schedule", "s", "--date", at],
        vec!["report", &path, "--schedule", "s", "--from", at, "--to", "2026-02-08T00:00:00Z"],
        vec!["check", &path, "--at", at],
        vec!["timeline", &path, "--schedule", "s", "--date", at, "--format", "ics"],
    ] {
        let run = bounded(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'), "{args:?}:\n{}", run.stdout);
        assert!(!run.stdout.lines().any(|l| l.starts_with("warning: forged")), "{args:?}:\n{}", run.stdout);
    }
    let check = bounded(&["check", &path, "--at", at]).stdout;
    assert!(check.contains(r"evil\u{1b}]0;owned\u{7}\u{a}warning: forged"), "{check}");
}

#[test]
fn report_windows_are_bounded() {
    let rotations: Vec<Value> = (0..20)
        .map(|i| json!({"name": format!("h{i}"), "type": "hourly", "startDate": "1900-01-01T00:00:00Z", "participants": [format!("a{i}"), "b"]}))
        .collect();
    let path = file("centuries.json", &json!({"schedules": [{"name": "s", "rotations": rotations}]}));
    let run = bounded(&["report", &path, "--schedule", "s", "--from", "1900-01-01", "--to", "2199-12-01"]);
    refused(&run, "maxReportDays");
}

#[test]
fn a_dense_rule_anchored_in_1900_answers_in_2199() {
    let doc = json!({"schedules": [{"name": "s", "rotations": [
        {"name": "q", "type": "custom", "recurrence": "FREQ=MINUTELY;INTERVAL=15", "startDate": "1900-01-01T00:00:00Z",
         "participants": ["a", "b", "c"]}]}]});
    let path = file("dense.json", &doc);
    let run = bounded(&["who", &path, "--schedule", "s", "--at", "2199-06-01T12:07:00Z", "--format", "json", "--flat"]);
    assert!(run.took < Duration::from_secs(10), "{:?}", run.took);
    assert_eq!(run.json()["onCallRecipients"], json!([quarter_hour_turn((1900, 1, 1), (2199, 6, 1))]));
}

#[test]
fn a_by_part_rule_anchored_in_1900_is_refused_in_2199_by_max_recurrence_work() {
    let doc = |start: &str| {
        json!({"schedules": [{"name": "s", "rotations": [
            {"name": "q", "type": "custom", "recurrence": "FREQ=HOURLY;BYMINUTE=0,15,30,45", "startDate": start,
             "participants": ["a", "b", "c"]}]}]})
    };
    // About 10.5 million occurrences from 1900 to 2199: refused after a million, quickly.
    let old = file("by-minute-1900.json", &doc("1900-01-01T00:00:00Z"));
    let at = "2199-01-01T00:00:00Z";
    for args in [
        vec!["who", &old, "--schedule", "s", "--at", at],
        vec!["who", &old, "--schedule", "s", "--at", at, "--flat", "--format", "json"],
        vec!["next", &old, "--schedule", "s", "--at", at],
        vec!["timeline", &old, "--schedule", "s", "--date", at],
        vec!["handoffs", &old, "--schedule", "s", "--rotation", "q", "--from", at],
    ] {
        let run = bounded(&args);
        refused(&run, "maxRecurrenceWork");
        assert!(run.stderr.contains("schedules[0].rotations[0]"), "{}", run.stderr);
        assert!(run.took < Duration::from_secs(30), "{args:?}: {:?}", run.took);
    }
    // The same rule anchored in 2020 answers in 2026 (about 210 000 occurrences).
    let recent = file("by-minute-2020.json", &doc("2020-01-01T00:00:00Z"));
    let run =
        bounded(&["who", &recent, "--schedule", "s", "--at", "2026-06-01T12:07:00Z", "--format", "json", "--flat"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["onCallRecipients"], json!([quarter_hour_turn((2020, 1, 1), (2026, 6, 1))]));
}

#[test]
fn control_characters_quoted_in_error_messages_are_escaped_on_stderr() {
    // A key and a reference of the document quoted back in messages on stderr.
    let doc = json!({"sched\u{1b}]0;owned\u{7}ules": [], "users": [{"username": "a"}],
        "schedules": [{"name": "s", "rotations": [
            {"name": "r", "type": "daily", "startDate": "2026-01-01T00:00", "participants": ["b\nwarning: forged"]}]}]});
    let run = bounded(&["check", &file("evil-errors.json", &doc)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}'), "{}", run.stderr);
    assert!(!run.stderr.lines().any(|l| l.starts_with("warning: forged")), "{}", run.stderr);
    assert!(run.stderr.contains(r"sched\u{1b}]0;owned\u{7}ules"), "{}", run.stderr);
}

#[test]
fn control_characters_in_refused_arguments_are_escaped_on_stderr() {
    // clap quotes what it refuses: an unknown command, an unknown flag, a bad value (found by the
    // `cli` fuzz target: `unrecognized subcommand '\x0c…'` reached stderr raw).
    let doc = json!({"schedules": [{"name": "s", "rotations": [weekly("r", json!(["a"]))]}]});
    let path = file("plain-args.json", &doc);
    // (clap drops ANSI sequences such as ESC [2J itself; a form feed or a bell it kept.)
    for args in [
        vec!["\u{c}who\u{7}"],
        vec!["who", &path, "--schedule", "s", "--at\u{c}\u{7}"],
        vec!["timeline", &path, "--schedule", "s", "--format", "text\u{c}\u{1b}[2J"],
    ] {
        let run = bounded(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.chars().any(|c| c.is_control() && c != '\n'), "{args:?}: {:?}", run.stderr);
        assert!(run.stderr.contains(r"\u{c}"), "{args:?}: {:?}", run.stderr);
    }
}

/// Who of `a`, `b`, `c` (in turn, every 15 minutes from midnight UTC of `anchor`) holds the
/// quarter-hour from 12:00 UTC on `day`: hand-off number days × 96 + 48, modulo 3.
fn quarter_hour_turn(anchor: (i32, u32, u32), day: (i32, u32, u32)) -> &'static str {
    let date = |(y, m, d): (i32, u32, u32)| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    let k = (date(day) - date(anchor)).num_days() * 96 + 48;
    ["a", "b", "c"][(k % 3) as usize]
}
