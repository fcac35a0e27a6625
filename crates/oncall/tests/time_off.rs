//! `oncall` on `examples/time-off.json`: time off and holidays in who-is-on-call and timelines,
//! as text and JSON (docs/rules.md, "Time off and holidays"). The example's facts: the weekly
//! business-hours rotation (Berlin, Mon-Fri 09:00-17:00, `skip`) goes alice, bob, carol from
//! Monday 2026-11-02; bob is away 2026-11-12 to 2026-11-14 (his week of the 9th); the rotation
//! is closed on Berlin's holidays (2026-12-25, 26, 2027-01-01). The daily backstop (New York,
//! 09:00, `cover`) goes dave, erin; erin trains on 2026-11-10 08:00-20:00 New York time; dave
//! is away on the `us` calendar's Thanksgiving (2026-11-26 and 27, New York dates).

mod common;
use common::*;
use serde_json::json;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/time-off.json");

fn ok(args: &[&str]) -> Run {
    let run = oncall(args);
    assert_eq!(run.code, 0, "oncall {args:?} failed:\n{}", run.stderr);
    run
}

#[test]
fn who_says_a_shift_was_reassigned_and_why() {
    let run = ok(&["who", EXAMPLE, "--schedule", "support", "--at", "2026-11-10T10:00:00Z"]);
    assert!(
        run.stdout.contains(
            "carol@example.com  ← rotation business-hours, reassigned by time off (skip: bob@example.com away, vacation)"
        ),
        "{}",
        run.stdout
    );
    let run = ok(&["who", EXAMPLE, "--schedule", "support", "--at", "2026-11-10T10:00:00Z", "--format", "json"]);
    assert_eq!(
        run.json(),
        json!({"_parent": {"name": "support", "enabled": true},
               "onCallParticipants": [{"name": "carol@example.com", "type": "user"}],
               "timeOff": [{"rotation": "business-hours", "participant": "carol@example.com", "policy": "skip",
                            "absent": ["bob@example.com"], "reason": "vacation"}]})
    );
    assert!(run.stdout.starts_with("{\n  \"_parent\""), "Opsgenie's keys first:\n{}", run.stdout);
    // The order resumes: alice has the week of the 16th, bob that of the 23rd; no `timeOff` key.
    let run = ok(&["who", EXAMPLE, "--schedule", "support", "--at", "2026-11-17T10:00:00Z", "--format", "json"]);
    assert_eq!(
        run.json(),
        json!({"_parent": {"name": "support", "enabled": true},
               "onCallParticipants": [{"name": "alice@example.com", "type": "user"}]})
    );
    let run =
        ok(&["who", EXAMPLE, "--schedule", "support", "--at", "2026-11-24T10:00:00Z", "--flat", "--format", "json"]);
    assert_eq!(run.json()["onCallRecipients"], json!(["bob@example.com"]));
}

#[test]
fn a_holiday_closes_business_hours_and_the_backstop_shows_through() {
    // Christmas Day 11:00 Berlin: business hours closed; the backstop's shift of the 24th
    // (09:00 New York, 2026-12-24T14:00Z, k = 52: dave) is on call.
    let run =
        ok(&["who", EXAMPLE, "--schedule", "support", "--at", "2026-12-25T10:00:00Z", "--flat", "--format", "json"]);
    assert_eq!(run.json()["onCallRecipients"], json!(["dave@example.com"]));
}

#[test]
fn timelines_list_changed_shifts_and_who_is_away() {
    let args = [
        "timeline",
        EXAMPLE,
        "--schedule",
        "support",
        "--date",
        "2026-11-09",
        "--interval",
        "1",
        "--interval-unit",
        "weeks",
    ];
    let run = ok(&args);
    assert!(run.stdout.contains("shifts changed by time off\n"), "{}", run.stdout);
    assert!(run.stdout.contains("reassigned by time off (cover: erin@example.com away, training)"), "{}", run.stdout);
    assert!(run.stdout.contains("\naway\n"), "{}", run.stdout);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let v = ok(&json_args).json();
    // The week's window ends at local midnight, 2026-11-15T23:00Z: the shift is clipped to it.
    assert_eq!(
        v["timeOff"][0],
        json!({"rotation": "business-hours", "startDate": "2026-11-09T08:00:00Z", "endDate": "2026-11-15T23:00:00Z",
               "participant": "carol@example.com", "policy": "skip", "absent": ["bob@example.com"], "reason": "vacation"})
    );
    // Erin's shift from Monday 09:00 New York (14:00Z) overlaps her training on Tuesday 08:00.
    assert_eq!(
        v["timeOff"][1],
        json!({"rotation": "backstop", "startDate": "2026-11-09T14:00:00Z", "endDate": "2026-11-10T14:00:00Z",
               "participant": "dave@example.com", "policy": "cover", "absent": ["erin@example.com"], "reason": "training"})
    );
    assert_eq!(
        v["away"],
        json!([{"user": "bob@example.com", "startDate": "2026-11-11T23:00:00Z", "endDate": "2026-11-13T23:00:00Z", "reason": "vacation"},
               {"user": "erin@example.com", "startDate": "2026-11-10T13:00:00Z", "endDate": "2026-11-11T01:00:00Z", "reason": "training"}])
    );
}
