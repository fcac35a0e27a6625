//! End-to-end tests of `oncall diff` and of `oncall timeline --expand sources`.

mod common;
use common::*;
use serde_json::json;

const OLD: &str = r#"{"schedules": [{"name": "ops", "timezone": "UTC", "rotations": [
  {"name": "day", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann", "ben"]}]}]}"#;

/// The same hand-offs written in Berlin time; ben's turns go to cat.
const NEW: &str = r#"{"schedules": [{"name": "ops", "timezone": "Europe/Berlin", "rotations": [
  {"name": "day", "type": "daily", "startDate": "2026-01-01T01:00", "participants": ["ann", "cat"]}]}]}"#;

#[test]
fn diff_lists_changed_intervals_and_hours_per_user() {
    let (old, new) = (temp_file("old.json", OLD), temp_file("new.json", NEW));
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let args = ["diff", o, n, "--schedule", "ops", "--from", "2026-01-01T00:00Z", "--to", "2026-01-05T00:00Z"];
    let run = oncall(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d = run.json();
    assert_eq!(d["presence"], "both");
    assert_eq!((d["oldTimezone"].as_str(), d["newTimezone"].as_str()), (Some("UTC"), Some("Europe/Berlin")));
    assert_eq!(
        d["changes"],
        json!([
            {"startDate": "2026-01-02T00:00:00Z", "endDate": "2026-01-03T00:00:00Z",
             "old": ["ben"], "new": ["cat"], "gained": ["cat"], "lost": ["ben"]},
            {"startDate": "2026-01-04T00:00:00Z", "endDate": "2026-01-05T00:00:00Z",
             "old": ["ben"], "new": ["cat"], "gained": ["cat"], "lost": ["ben"]}])
    );
    assert_eq!(
        d["users"],
        json!([
            {"username": "ben", "gainedSeconds": 0, "lostSeconds": 172800, "netSeconds": -172800},
            {"username": "cat", "gainedSeconds": 172800, "lostSeconds": 0, "netSeconds": 172800}])
    );
    assert_eq!(d["changedSeconds"], 172800);

    let text = oncall(&args);
    assert_eq!(text.code, 0);
    assert!(text.stdout.contains("ops (zone UTC → Europe/Berlin)"), "{}", text.stdout);
    assert!(text.stdout.contains("2d changed in 2 intervals"), "{}", text.stdout);
    assert!(text.stdout.contains("cat   48.0      0.0     +48.0"), "{}", text.stdout);

    // --exit-code: 3 when they differ, 0 when they do not.
    assert_eq!(oncall(&[&args[..], &["--exit-code"]].concat()).code, 3);
    let same =
        oncall(&["diff", o, o, "--schedule", "ops", "--from", "2026-01-01", "--to", "2026-01-05", "--exit-code"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(same.stdout.contains("no difference"), "{}", same.stdout);
}

#[test]
fn diff_reports_a_schedule_in_one_configuration_only() {
    let old = temp_file("old.json", OLD);
    let new = temp_file("other.json", r#"{"schedules": [{"name": "other"}]}"#);
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let run = oncall(&["diff", o, n, "--schedule", "ops", "--from", "2026-01-01", "--to", "2026-01-02"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("only in OLD"), "{}", run.stdout);
    let none = oncall(&["diff", o, n, "--schedule", "nope", "--from", "2026-01-01", "--to", "2026-01-02"]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("--schedule:") && none.stderr.contains("known: ops, other"), "{}", none.stderr);
    let backwards = oncall(&["diff", o, n, "--schedule", "ops", "--from", "2026-01-02", "--to", "2026-01-01"]);
    assert_eq!(backwards.code, 2, "{}", backwards.stderr);
}

#[test]
fn timeline_expand_sources_names_rotation_turn_override_and_forwarding() {
    let doc = r#"{"schedules": [{"name": "ops", "rotations": [
        {"name": "day", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann", "ben"]}],
      "overrides": [{"alias": "ben-sick", "user": "cat", "startDate": "2026-01-02T12:00:00Z",
                     "endDate": "2026-01-03T00:00:00Z", "rotations": [{"name": "day"}]}]}],
      "forwardingRules": [{"fromUser": {"username": "ann"}, "toUser": {"username": "dan"},
                           "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-01T06:00:00Z"}]}"#;
    let path = temp_file("sources.json", doc);
    let p = path.to_str().unwrap();
    let args = ["timeline", p, "--schedule", "ops", "--from", "2026-01-01T00:00Z", "--to", "2026-01-03T00:00Z"];
    let plain = oncall(&[&args[..], &["--format", "json"]].concat()).json();
    assert!(plain["finalSchedule"][0].get("sources").is_none(), "no sources unless asked for");
    let run = oncall(&[&args[..], &["--format", "json", "--expand", "sources"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tl = run.json();
    let sources: Vec<_> = tl["finalSchedule"].as_array().unwrap().iter().map(|s| s["sources"].clone()).collect();
    assert_eq!(
        sources,
        [
            json!([{"recipient": "dan", "recipientType": "user", "origin": {"type": "rotation", "rotation": "day", "turn": 0},
                    "forwarded": [{"rule": 0, "from": "ann", "to": "dan"}]}]),
            json!([{"recipient": "ann", "recipientType": "user", "origin": {"type": "rotation", "rotation": "day", "turn": 0}}]),
            json!([{"recipient": "ben", "recipientType": "user", "origin": {"type": "rotation", "rotation": "day", "turn": 1}}]),
            json!([{"recipient": "cat", "recipientType": "user",
                    "origin": {"type": "override", "override": "ben-sick", "rotation": "day", "turn": 1}}]),
        ]
    );
    let periods = &tl["finalTimeline"]["rotations"][0]["periods"];
    assert_eq!(periods.as_array().unwrap().len(), 4, "split where the source changes: {periods}");
    assert_eq!(periods[0]["type"], "forwarding");
    assert_eq!(periods[0]["source"], sources[0][0]);
    assert_eq!(periods[3]["source"]["origin"]["override"], "ben-sick");
    let plain_periods = &plain["finalTimeline"]["rotations"][0]["periods"];
    assert!(plain_periods.as_array().unwrap().iter().all(|p| p.get("source").is_none()));
    let text = oncall(&[&args[..], &["--expand", "sources"]].concat());
    assert!(text.stdout.contains("SOURCE"), "{}", text.stdout);
    assert!(
        text.stdout.contains("dan: rotation day turn 0, forwarded from ann (forwarding rule 1)"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("cat: override ben-sick (rotation day turn 1)"), "{}", text.stdout);
}
