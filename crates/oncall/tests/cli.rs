//! End-to-end tests of the `oncall` binary (docs/cli.md).

mod common;
use common::*;
use serde_json::{Value, json};

const PAYMENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/payments.json");

/// `oncall` on the payments example with `args` after the command; asserts success.
fn ok(command: &str, args: &[&str]) -> Run {
    let mut all = vec![command, PAYMENTS];
    all.extend_from_slice(args);
    let run = oncall(&all);
    assert_eq!(run.code, 0, "oncall {all:?} failed:\n{}", run.stderr);
    run
}

/// Writes `text` to a fresh file in the temp dir whose name ends in `name`.
fn parent() -> Value {
    json!({"name": "payments-primary", "enabled": true})
}

fn user(name: &str) -> Value {
    json!({"name": name, "type": "user"})
}

#[test]
fn help_works() {
    let run = oncall(&["--help"]);
    assert_eq!(run.code, 0);
    for command in ["check", "who", "next", "handoffs", "timeline"] {
        assert!(run.stdout.contains(command), "--help lacks {command}:\n{}", run.stdout);
    }
    assert_eq!(oncall(&["timeline", "--help"]).code, 0);
}

#[test]
fn who_json_at_fixed_instants() {
    let who = |at| ok("who", &["--schedule", "payments-primary", "--at", at, "--format", "json"]).json();
    // The rotation-scoped override gives bob's business-hours shift to alice.
    assert_eq!(
        who("2026-11-10T10:00:00Z"),
        json!({"_parent": parent(), "onCallParticipants": [user("alice@example.com")]})
    );
    // Off-hours, second week: erin.
    assert_eq!(
        who("2026-11-10T20:00:00Z"),
        json!({"_parent": parent(), "onCallParticipants": [user("erin@example.com")]})
    );
    // The schedule-wide override for the long weekend.
    assert_eq!(
        who("2026-11-28T10:00:00Z"),
        json!({"_parent": parent(), "onCallParticipants": [user("dave@example.com")]})
    );
}

#[test]
fn who_naive_time_is_read_in_the_schedule_zone() {
    // 11:00 in Berlin = 10:00Z.
    let naive = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-10T11:00", "--format", "json"]).json();
    let utc = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z", "--format", "json"]).json();
    assert_eq!(naive, utc);
}

#[test]
fn who_and_next_text_say_which_rotation_each_person_comes_from() {
    let text = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z"]).stdout;
    assert!(
        text.ends_with("\n  alice@example.com  ← rotation business-hours, override alice-covers-bob-tuesday\n"),
        "{text}"
    );
    let text = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-28T10:00:00Z", "--flat"]).stdout;
    assert!(
        text.ends_with("\n  dave@example.com  ← override dave-takes-the-long-weekend (whole schedule)\n"),
        "{text}"
    );
    let text = ok("next", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z"]).stdout;
    assert!(text.contains("on call from then:\n  erin@example.com  ← rotation off-hours\n"), "{text}");
    assert!(text.contains("  business-hours  Mon 2026-11-16 09:00 CET  carol@example.com\n"), "{text}");
    assert!(
        text.contains("  off-hours       Mon 2026-11-16 09:00 CET  alice@example.com  (in excluded hours: on call from Mon 2026-11-16 18:00 CET)\n"),
        "{text}"
    );
}

#[test]
fn times_without_seconds_are_read() {
    let utc = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z", "--format", "json"]).json();
    for at in ["2026-11-10T10:00Z", "2026-11-10T11:00+01:00"] {
        let run = ok("who", &["--schedule", "payments-primary", "--at", at, "--format", "json"]);
        assert_eq!(run.json(), utc, "{at}");
    }
}

#[test]
fn an_ambiguous_local_time_says_which_occurrence_it_took() {
    // Berlin falls back at 03:00 CEST on 2026-10-25: 02:30 happens at 00:30Z and again at 01:30Z.
    let args = ["who", PAYMENTS, "--schedule", "payments-primary", "--at", "2026-10-25T02:30", "--format", "json"];
    let run = oncall(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "oncall: note: --at 2026-10-25T02:30 occurs twice in Europe/Berlin; took the first occurrence, \
         2026-10-25T00:30:00Z (the second is 2026-10-25T01:30:00Z)\n"
    );
    let first = oncall(&[
        "who",
        PAYMENTS,
        "--schedule",
        "payments-primary",
        "--at",
        "2026-10-25T00:30:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(run.stdout, first.stdout);
    // The end of a window takes the last occurrence, and says so.
    let run = oncall(&[
        "timeline",
        PAYMENTS,
        "--schedule",
        "payments-primary",
        "--from",
        "2026-10-24",
        "--to",
        "2026-10-25T02:30",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("--to 2026-10-25T02:30 occurs twice in Europe/Berlin; took the last occurrence, 2026-10-25T01:30:00Z (the first is 2026-10-25T00:30:00Z)"), "{}", run.stderr);
    // An unambiguous time, or one with an offset, says nothing.
    let run = oncall(&["who", PAYMENTS, "--schedule", "payments-primary", "--at", "2026-10-25T02:30:00+02:00"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let run = oncall(&["who", PAYMENTS, "--schedule", "payments-primary", "--at", "2026-10-26T02:30"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}

#[test]
fn who_flat_json() {
    let run =
        ok("who", &["--schedule", "payments-primary", "--at", "2026-11-10T20:00:00Z", "--flat", "--format", "json"]);
    assert_eq!(run.json(), json!({"_parent": parent(), "onCallRecipients": ["erin@example.com"]}));
}

#[test]
fn who_default_is_now() {
    let run = ok("who", &["--schedule", "payments-primary", "--format", "json"]);
    assert_eq!(run.json()["_parent"], parent());
    let run = ok("who", &["--schedule", "payments-primary", "--at", "now", "--format", "json"]);
    assert!(run.json()["onCallParticipants"].is_array());
}

#[test]
fn next_json() {
    let run = ok("next", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z", "--format", "json"]);
    let v = run.json();
    assert_eq!(v["_parent"], parent());
    assert_eq!(v["exactNextOnCallAt"], "2026-11-10T17:00:00Z");
    assert_eq!(v["exactNextOnCallRecipients"], json!([user("erin@example.com")]));
    assert!(v["nextOnCallRecipients"].is_array());

    let flat =
        ok("next", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z", "--flat", "--format", "json"]);
    let f = flat.json();
    assert_eq!(f["exactNextOnCallAt"], "2026-11-10T17:00:00Z");
    assert_eq!(f["exactNextOnCallParticipants"], json!(["erin@example.com"]));
    assert!(f["nextOnCallParticipants"].as_array().unwrap().iter().all(Value::is_string));
    assert!(f.get("nextOnCallRecipients").is_none());
}

#[test]
fn handoffs_json() {
    let run = ok(
        "handoffs",
        &[
            "--schedule",
            "payments-primary",
            "--rotation",
            "business-hours",
            "--from",
            "2026-11-10T00:00:00Z",
            "--count",
            "3",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        run.json(),
        json!({
            "_parent": parent(),
            "rotation": "business-hours",
            "handoffs": [
                {"at": "2026-11-16T08:00:00Z", "participant": user("carol@example.com")},
                {"at": "2026-11-23T08:00:00Z", "participant": user("alice@example.com")},
                {"at": "2026-11-30T08:00:00Z", "participant": user("bob@example.com")},
            ]
        })
    );
}

#[test]
fn handoffs_in_excluded_hours_are_marked() {
    // off-hours hands off on Monday 09:00 Berlin, when its window (Friday 18:00 to Monday 09:00)
    // has just closed: the new participant is on call from Monday 18:00.
    let args =
        ["--schedule", "payments-primary", "--rotation", "off-hours", "--from", "2026-11-10T00:00:00Z", "--count", "1"];
    let run = ok("handoffs", &[&args[..], &["--format", "json"]].concat());
    assert_eq!(
        run.json()["handoffs"],
        json!([{"at": "2026-11-16T08:00:00Z", "participant": user("alice@example.com"),
                "inExcludedHours": true, "onCallFrom": "2026-11-16T17:00:00Z"}])
    );
    let text = ok("handoffs", &args).stdout;
    assert!(text.contains("NOTE\n"), "{text}");
    assert!(text.contains("alice@example.com  in excluded hours: on call from Mon 2026-11-16 18:00 CET\n"), "{text}");
    // business-hours hands off at 09:00, inside its window: nothing to mark (see handoffs_json).
    let text =
        ok("handoffs", &["--schedule", "payments-primary", "--rotation", "business-hours", "--count", "1"]).stdout;
    assert!(!text.contains("excluded"), "{text}");
}

#[test]
fn handoffs_count_defaults_to_ten() {
    let run = ok(
        "handoffs",
        &[
            "--schedule",
            "payments-primary",
            "--rotation",
            "off-hours",
            "--from",
            "2026-11-10T00:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.json()["handoffs"].as_array().unwrap().len(), 10);
}

#[test]
fn handoffs_count_out_of_range_is_a_usage_error() {
    for count in ["0", "10001", "-1", "many"] {
        let run = oncall(&[
            "handoffs",
            PAYMENTS,
            "--schedule",
            "payments-primary",
            "--rotation",
            "off-hours",
            "--count",
            count,
        ]);
        assert_eq!(run.code, 2, "--count {count}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

fn timeline_json(args: &[&str]) -> Value {
    let mut all = vec!["--schedule", "payments-primary", "--format", "json"];
    all.extend_from_slice(args);
    ok("timeline", &all).json()
}

#[test]
fn timeline_json_covers_the_window() {
    let v = timeline_json(&["--from", "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z"]);
    assert_eq!(v["_parent"], parent());
    assert_eq!(v["startDate"], "2026-11-01T00:00:00Z");
    assert_eq!(v["endDate"], "2026-12-01T00:00:00Z");
    let segments = v["finalSchedule"].as_array().unwrap();
    assert!(segments.len() > 10);
    assert_eq!(segments.first().unwrap()["startDate"], v["startDate"]);
    assert_eq!(segments.last().unwrap()["endDate"], v["endDate"]);
    for pair in segments.windows(2) {
        assert_eq!(pair[0]["endDate"], pair[1]["startDate"], "segments not contiguous: {pair:?}");
        assert_ne!(pair[0]["recipients"], pair[1]["recipients"], "equal neighbours not merged");
    }
    // Before the anchor (2026-11-02 09:00 Berlin) nobody is on call.
    assert_eq!(segments[0]["endDate"], "2026-11-02T08:00:00Z");
    assert_eq!(segments[0]["recipients"], json!([]));
    let names: Vec<&str> =
        v["finalTimeline"]["rotations"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.starts_with(&["business-hours", "off-hours"]), "{names:?}");
    for key in ["baseTimeline", "overrideTimeline", "forwardingTimeline"] {
        assert!(v.get(key).is_none(), "{key} present without --expand");
    }
}

#[test]
fn timeline_expand_adds_layers() {
    let window = ["--from", "2026-11-09T00:00:00Z", "--to", "2026-11-16T00:00:00Z"];
    let mut args = window.to_vec();
    args.extend(["--expand", "base"]);
    let v = timeline_json(&args);
    assert!(v["baseTimeline"]["rotations"].is_array());
    assert!(v.get("overrideTimeline").is_none());
    assert!(v.get("forwardingTimeline").is_none());

    let mut args = window.to_vec();
    args.extend(["--expand", "base,override,forwarding"]);
    let v = timeline_json(&args);
    for key in ["baseTimeline", "overrideTimeline", "forwardingTimeline"] {
        assert!(v[key]["rotations"].is_array(), "{key} missing");
    }
    // The rotation-scoped override on Tuesday shows in the override layer.
    let over = &v["overrideTimeline"]["rotations"][0]["periods"];
    assert_eq!(over[0]["type"], "override");
    assert_eq!(over[0]["recipient"], user("alice@example.com"));
}

#[test]
fn timeline_bad_expand_is_a_usage_error() {
    let run =
        oncall(&["timeline", PAYMENTS, "--schedule", "payments-primary", "--date", "2026-11-09", "--expand", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
}

#[test]
fn timeline_date_interval_is_counted_in_the_schedule_zone() {
    let v = timeline_json(&["--date", "2026-11-09", "--interval", "1", "--interval-unit", "weeks"]);
    assert_eq!(v["startDate"], "2026-11-08T23:00:00Z");
    assert_eq!(v["endDate"], "2026-11-15T23:00:00Z");
    // Defaults: one week.
    let d = timeline_json(&["--date", "2026-11-09"]);
    assert_eq!((&d["startDate"], &d["endDate"]), (&v["startDate"], &v["endDate"]));
    // Days and months.
    let days = timeline_json(&["--date", "2026-11-09", "--interval", "3", "--interval-unit", "days"]);
    assert_eq!(days["endDate"], "2026-11-11T23:00:00Z");
    // A month across the end of summer time: 2026-10-01 00:00 CEST to 2026-11-01 00:00 CET.
    let month = timeline_json(&["--date", "2026-10-01", "--interval", "1", "--interval-unit", "months"]);
    assert_eq!(month["startDate"], "2026-09-30T22:00:00Z");
    assert_eq!(month["endDate"], "2026-10-31T23:00:00Z");
}

#[test]
fn timeline_window_end_in_a_fold_takes_the_last_occurrence() {
    // docs/rules.md (time): a 00:00-01:30 window on a US fall-back day lasts 2.5 hours.
    let config = temp_file(
        "ny.json",
        r#"{"schedules": [{"name": "ny", "timezone": "America/New_York", "rotations": [
            {"name": "d", "type": "daily", "startDate": "2026-10-01T09:00", "participants": ["ann"]}]}]}"#,
    );
    let run = oncall(&[
        "timeline",
        config.to_str().unwrap(),
        "--schedule",
        "ny",
        "--from",
        "2026-11-01T00:00",
        "--to",
        "2026-11-01T01:30",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["startDate"], "2026-11-01T04:00:00Z");
    assert_eq!(v["endDate"], "2026-11-01T06:30:00Z");
}

#[test]
fn timeline_window_arguments_are_checked() {
    let base = ["timeline", PAYMENTS, "--schedule", "payments-primary"];
    let usage = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let run = oncall(&args);
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
    };
    usage(&[]);
    usage(&["--from", "2026-11-01"]);
    usage(&["--to", "2026-11-01"]);
    usage(&["--from", "2026-11-01", "--to", "2026-11-02", "--date", "2026-11-01"]);
    usage(&["--date", "2026-11-01", "--interval", "0"]);
    usage(&["--date", "2026-11-01", "--interval-unit", "years"]);
    usage(&["--from", "2026-11-01", "--to", "2026-11-02", "--interval", "2"]);
    usage(&["--date", "2026-11-01", "--format", "xml"]);
    // An empty window is a value out of range: a usage error too.
    let mut args = base.to_vec();
    args.extend(["--from", "2026-11-02", "--to", "2026-11-01"]);
    let run = oncall(&args);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--to"), "{}", run.stderr);
}

#[test]
fn timeline_ics() {
    let window = ["--schedule", "payments-primary", "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-20T00:00:00Z"];
    let mut args = window.to_vec();
    args.extend(["--format", "ics"]);
    let ics = ok("timeline", &args).stdout;
    let v = timeline_json(&window[2..]);
    let pairs: usize =
        v["finalSchedule"].as_array().unwrap().iter().map(|s| s["recipients"].as_array().unwrap().len()).sum();
    assert!(pairs > 0);

    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(ics.contains("PRODID:-//oncall//oncall//EN\r\n"));
    assert_eq!(ics.matches("\n").count(), ics.matches("\r\n").count(), "bare LF in ICS");
    assert_eq!(ics.matches("BEGIN:VEVENT\r\n").count(), pairs);
    assert_eq!(ics.matches("END:VEVENT\r\n").count(), pairs);
    // DTSTAMP is the window start: the output is deterministic.
    assert_eq!(ics.matches("DTSTAMP:20261101T000000Z\r\n").count(), pairs);
    assert!(ics.contains("SUMMARY:On call: alice@example.com (payments-primary)\r\n"));
    assert!(ics.contains("DTSTART:20261102T080000Z\r\n"));
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line}");
    }
    let again = ok("timeline", &args).stdout;
    assert_eq!(ics, again);
}

#[test]
fn text_outputs_for_people() {
    let who = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z"]).stdout;
    assert!(who.contains("payments-primary (Europe/Berlin)"), "{who}");
    assert!(who.contains("Tue 2026-11-10 11:00 CET"), "{who}");
    assert!(who.contains("alice@example.com"), "{who}");

    let next = ok("next", &["--schedule", "payments-primary", "--at", "2026-11-10T10:00:00Z"]).stdout;
    assert!(next.contains("Tue 2026-11-10 18:00 CET"), "{next}");
    assert!(next.contains("2026-11-10T17:00:00Z"), "{next}");
    assert!(next.contains("erin@example.com"), "{next}");

    let handoffs = ok(
        "handoffs",
        &[
            "--schedule",
            "payments-primary",
            "--rotation",
            "business-hours",
            "--from",
            "2026-11-10T00:00:00Z",
            "--count",
            "3",
        ],
    )
    .stdout;
    assert!(handoffs.contains("WHEN (local)"), "{handoffs}");
    let rows: Vec<&str> = handoffs.lines().filter(|l| l.contains("2026-11-")).skip(1).collect();
    assert_eq!(rows.len(), 3, "{handoffs}");
    assert!(rows[0].contains("Mon 2026-11-16 09:00 CET") && rows[0].contains("carol@example.com"));
    assert!(rows[2].contains("bob@example.com"));

    let timeline =
        ok("timeline", &["--schedule", "payments-primary", "--from", "2026-11-01", "--to", "2026-11-04"]).stdout;
    assert!(timeline.contains("— gap —"), "{timeline}");
    assert!(timeline.contains("Sun 2026-11-01 00:00 CET"), "{timeline}");
    assert!(timeline.contains("dave@example.com"), "{timeline}");
    assert!(timeline.contains("business-hours") && timeline.contains("off-hours"), "{timeline}");
}

#[test]
fn text_shows_nobody_and_the_weekend_override() {
    let who = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-01T10:00:00Z"]).stdout;
    assert!(who.contains("nobody is on call"), "{who}");
    let who = ok("who", &["--schedule", "payments-primary", "--at", "2026-11-28T10:00:00Z", "--flat"]).stdout;
    assert!(who.contains("dave@example.com"), "{who}");
}

#[test]
fn check_valid_example() {
    let run = ok("check", &[]);
    assert!(run.stdout.starts_with("ok: 2 schedules, 3 rotations"), "{}", run.stdout);
    assert!(run.stdout.contains("5 users"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let json = ok("check", &["--format", "json"]).json();
    assert_eq!(json, json!({"valid": true, "errors": [], "warnings": []}));
}

#[test]
fn check_reports_every_structural_error() {
    // Serde-level problems: a misspelt field in a rotation and an unknown top-level key.
    let config = temp_file(
        "structural.json",
        r#"{"schedules": [{"name": "s", "rotations": [
              {"name": "r", "type": "weekly", "startdate": "2026-11-02T09:00", "participants": ["a"]}]}],
            "forwardingRule": []}"#,
    );
    let run = oncall(&["check", config.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines.len() >= 2, "{}", run.stderr);
    assert!(lines.iter().any(|l| l.starts_with("schedules[0].rotations[0].startdate: ")), "{}", run.stderr);
    assert!(lines.iter().any(|l| l.starts_with("forwardingRule: ")), "{}", run.stderr);
}

#[test]
fn check_reports_every_semantic_error() {
    let config = temp_file(
        "semantic.json",
        r#"{"schedules": [{"name": "s", "timezone": "Mars/Olympus", "rotations": [
              {"name": "r", "type": "weekly", "length": 0, "startDate": "2026-11-02T09:00", "participants": []}]}]}"#,
    );
    let path = config.to_str().unwrap();
    let run = oncall(&["check", path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines.len() >= 3, "{}", run.stderr);
    for path in
        ["schedules[0].timezone: ", "schedules[0].rotations[0].length: ", "schedules[0].rotations[0].participants: "]
    {
        assert!(lines.iter().any(|l| l.starts_with(path)), "no line for {path}:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("Mars/Olympus"));

    // The JSON report carries the same problems, and the status is still 1.
    let run = oncall(&["check", path, "--format", "json"]);
    assert_eq!(run.code, 1);
    let v = run.json();
    assert_eq!(v["valid"], false);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), lines.len());
    assert!(errors.iter().any(|e| e["path"] == "schedules[0].rotations[0].length" && e["message"].is_string()));
}

#[test]
fn queries_on_an_invalid_config_fail_with_paths() {
    let config = temp_file(
        "invalid.json",
        r#"{"schedules": [{"name": "s", "rotations": [
              {"name": "r", "type": "weekly", "length": 0, "startDate": "2026-11-02T09:00", "participants": ["a"]}]}]}"#,
    );
    let run = oncall(&["who", config.to_str().unwrap(), "--schedule", "s", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("schedules[0].rotations[0].length: "), "{}", run.stderr);
}

#[test]
fn syntax_error_names_the_file() {
    let config = temp_file("syntax.json", "{not json");
    let path = config.to_str().unwrap();
    let run = oncall(&["check", path]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with(&format!("{path}: ")), "{}", run.stderr);
}

#[test]
fn missing_file() {
    let run = oncall(&["who", "/nonexistent/oncall.json", "--schedule", "x"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("/nonexistent/oncall.json: cannot read"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn unknown_schedule_and_rotation() {
    let run = oncall(&["who", PAYMENTS, "--schedule", "nope"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("\"nope\""), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    let run = oncall(&["handoffs", PAYMENTS, "--schedule", "payments-primary", "--rotation", "nope"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--rotation") && run.stderr.contains("business-hours"), "{}", run.stderr);
}

#[test]
fn bad_time_argument() {
    // A value on the command line that cannot be read is a usage error, like a bad --count.
    let run = oncall(&["who", PAYMENTS, "--schedule", "payments-primary", "--at", "tomorrow", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.starts_with("--at: "), "{}", run.stderr);
    assert!(run.stderr.contains("tomorrow"), "{}", run.stderr);

    let run = oncall(&["next", PAYMENTS, "--schedule", "payments-primary", "--at", "2300-01-01T00:00:00Z"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("outside the supported range"), "{}", run.stderr);
}

#[test]
fn missing_schedule_is_a_usage_error() {
    let run = oncall(&["who", PAYMENTS]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--schedule"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(oncall(&["bogus-command"]).code, 2);
    assert_eq!(oncall(&[]).code, 2);
}

const YAML: &str = "
users:
  - username: ann
  - username: ben
  - username: cat
teams:
  - name: ops
    members:
      - user: {username: ann}
        role: admin
      - user: {username: ben}
schedules:
  - name: ops-primary
    timezone: America/New_York
    enabled: false
    rotations:
      - name: daily
        type: daily
        startDate: '2026-11-01T09:00'
        participants:
          - ann
          - {type: team, name: ops}
          - {type: none}
          - ben
forwardingRules:
  - alias: ben-away
    fromUser: {username: ben}
    toUser: {username: cat}
    startDate: '2026-11-01T00:00'
    endDate: '2026-11-30T00:00'
";

#[test]
fn yaml_config_works() {
    let config = temp_file("ops.yaml", YAML);
    let path = config.to_str().unwrap();
    let check = oncall(&["check", path]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.starts_with("ok: 1 schedule, 1 rotation"), "{}", check.stdout);

    let run = oncall(&["who", path, "--schedule", "ops-primary", "--at", "2026-11-01T12:00", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json(),
        json!({"_parent": {"name": "ops-primary", "enabled": false}, "onCallParticipants": [user("ann")]})
    );

    // Forwarded user, on the fourth day: ben forwards to cat.
    let run = oncall(&["who", path, "--schedule", "ops-primary", "--at", "2026-11-04T12:00", "--format", "json"]);
    assert_eq!(
        run.json()["onCallParticipants"],
        json!([{"name": "cat", "type": "user", "forwardedFrom": {"name": "ben", "type": "user"}}])
    );
    let text = oncall(&["who", path, "--schedule", "ops-primary", "--at", "2026-11-04T12:00"]).stdout;
    assert!(text.contains("cat (forwarded from ben)"), "{text}");
    assert!(text.contains("disabled"), "{text}");

    // A team participant nests its members.
    let run = oncall(&["who", path, "--schedule", "ops-primary", "--at", "2026-11-02T12:00", "--format", "json"]);
    let team = &run.json()["onCallParticipants"][0];
    assert_eq!(team["type"], "team");
    assert_eq!(team["onCallParticipants"][0], user("ann"));
    let text = oncall(&["who", path, "--schedule", "ops-primary", "--at", "2026-11-02T12:00"]).stdout;
    // Where it comes from, then whom it reaches.
    assert!(text.contains("  team ops  ← rotation daily\n    ann\n"), "{text}");

    // The `none` turn is a gap in the timeline.
    let run = oncall(&[
        "timeline",
        path,
        "--schedule",
        "ops-primary",
        "--date",
        "2026-11-01",
        "--interval",
        "4",
        "--interval-unit",
        "days",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.matches("— gap —").count(), 2, "{}", run.stdout);
}

#[test]
fn yaml_errors_have_paths() {
    let config = temp_file("broken.yml", "schedules:\n  - name: s\n    timezone: Nowhere/Land\n");
    let run = oncall(&["check", config.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("schedules[0].timezone: "), "{}", run.stderr);
}

#[test]
fn handoffs_name_the_roster_version_of_each_turn() {
    // docs/cli.md: a rotation with `changes`; c keeps her shift across the DST change, then the
    // new order goes on after her with d.
    let doc = r#"{"schedules": [{"name": "s", "timezone": "America/Chicago", "rotations": [
      {"name": "r", "type": "daily", "startDate": "2026-03-05T09:00", "participants": ["a", "b", "c"],
       "changes": [{"effective": "2026-03-07T12:00", "rollout": "after-current-shift",
                    "participants": ["a", "b", "c", "d"]}]}]}]}"#;
    let path = temp_file("roster.json", doc);
    let path = path.to_str().unwrap();
    let args = ["handoffs", path, "--schedule", "s", "--rotation", "r", "--from", "2026-03-07T00:00Z", "--count", "3"];
    let run = oncall(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json()["handoffs"],
        json!([{"at": "2026-03-07T15:00:00Z", "participant": user("c")},
               {"at": "2026-03-08T14:00:00Z", "participant": user("d"), "change": 0},
               {"at": "2026-03-09T14:00:00Z", "participant": user("a"), "change": 0}])
    );
    let run = oncall(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "s (America/Chicago): hand-offs of rotation r after Fri 2026-03-06 18:00 CST\n\
         \x20 WHEN (local)              UTC                   WHO  VERSION\n\
         \x20 Sat 2026-03-07 09:00 CST  2026-03-07T15:00:00Z  c    as written\n\
         \x20 Sun 2026-03-08 09:00 CDT  2026-03-08T14:00:00Z  d    changes[0]\n\
         \x20 Mon 2026-03-09 09:00 CDT  2026-03-09T14:00:00Z  a    changes[0]\n"
    );
    // Who is on call says which version the turn comes from.
    let run = oncall(&["who", path, "--schedule", "s", "--at", "2026-03-08T20:00Z"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.ends_with("\n  d  ← rotation r (changes[0])\n"), "{}", run.stdout);
    let run = oncall(&["who", path, "--schedule", "s", "--at", "2026-03-07T20:00Z"]);
    assert!(run.stdout.ends_with("\n  c  ← rotation r\n"), "{}", run.stdout);
    // A bad change is an error with its path (exit 1).
    let bad = temp_file("roster-bad.json", &doc.replace("after-current-shift", "later"));
    let run = oncall(&["check", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("schedules[0].rotations[0].changes[0].rollout: unknown rollout \"later\""),
        "{}",
        run.stderr
    );
}
