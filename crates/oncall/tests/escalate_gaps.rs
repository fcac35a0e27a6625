//! End-to-end: `oncall escalate` with an escalation's `onGap` policy (docs/rules.md).

mod common;
use common::*;

const DOC: &str = r#"{"users": [{"username": "ann"}, {"username": "bob"}],
  "schedules": [{"name": "days", "rotations": [{"name": "day", "type": "daily",
      "startDate": "2026-11-01T09:00:00Z", "participants": ["ann"],
      "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}}}]}],
  "escalations": [{"name": "esc", "onGap": "wait", "rules": [
      {"delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "days"}},
      {"delay": {"timeAmount": 10}, "recipient": {"type": "user", "username": "bob"}}]}]}"#;

#[test]
fn escalate_shows_what_the_gap_policy_did() {
    let path = temp_file("gap.json", DOC);
    let p = path.to_str().unwrap();
    let args = ["escalate", p, "--escalation", "esc", "--message", "disk full", "--at", "2026-11-10T20:00:00Z"];
    let text = oncall(&[&args[..], &["--tz", "UTC"]].concat());
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("GAP"), "{}", text.stdout);
    assert!(text.stdout.contains("onGap wait"), "{}", text.stdout);
    let json = oncall(&[&args[..], &["--format", "json"]].concat()).json();
    let users: Vec<_> = json["notifications"].as_array().unwrap().iter().map(|n| n["user"].clone()).collect();
    assert_eq!(users, ["bob", "ann"]);
    assert_eq!(json["notifications"][1]["at"], "2026-11-11T09:00:00Z");
    assert!(json["log"].as_array().unwrap().iter().any(|l| l["kind"] == "gap-policy"));
    assert_eq!(json["unreached"], serde_json::json!([]));
}
