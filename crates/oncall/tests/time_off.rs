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
                            "absent": ["bob@example.com"], "reason": "vacation", "timeOff": 0}]})
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
               "participant": "carol@example.com", "policy": "skip", "absent": ["bob@example.com"], "reason": "vacation", "timeOff": 0})
    );
    // Erin's shift from Monday 09:00 New York (14:00Z) overlaps her training on Tuesday 08:00.
    assert_eq!(
        v["timeOff"][1],
        json!({"rotation": "backstop", "startDate": "2026-11-09T14:00:00Z", "endDate": "2026-11-10T14:00:00Z",
               "participant": "dave@example.com", "policy": "cover", "absent": ["erin@example.com"], "reason": "training", "timeOff": 0})
    );
    assert_eq!(
        v["away"],
        json!([{"user": "bob@example.com", "startDate": "2026-11-11T23:00:00Z", "endDate": "2026-11-13T23:00:00Z", "reason": "vacation"},
               {"user": "erin@example.com", "startDate": "2026-11-10T13:00:00Z", "endDate": "2026-11-11T01:00:00Z", "reason": "training"}])
    );
}

/// Thursday 2026-11-26 21:00 Berlin, outside business hours: the backstop (dave's turn, New
/// York's Thanksgiving on the `us` calendar) shows through.
const THANKSGIVING: &str = "2026-11-26T20:00:00Z";

#[test]
fn holidays_from_an_ics_file_replace_or_add_a_calendar() {
    let who = |extra: &[&str], at: &str| {
        let mut args = vec!["who", EXAMPLE, "--schedule", "support", "--at", at, "--format", "json"];
        args.extend_from_slice(extra);
        ok(&args).json()["onCallParticipants"][0]["name"].as_str().unwrap().to_string()
    };
    assert_eq!(who(&[], THANKSGIVING), "erin@example.com", "dave is away: erin covers");
    // The file replaces the document's `us`: only 2026-12-03, a Thursday, in New York.
    let ics = temp_file(
        "us.ics",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261203\r\nSUMMARY:Office move\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let flag = format!("us={}", ics.display());
    assert_eq!(who(&["--holidays", &flag], THANKSGIVING), "dave@example.com");
    // Dave's shift from Wednesday 09:00 New York overlaps his new holiday from Thursday 00:00.
    assert_eq!(who(&["--holidays", &flag], "2026-12-02T20:00:00Z"), "erin@example.com");
    // A new name adds a calendar; nobody binds it, nothing changes.
    let extra = format!("office={}", ics.display());
    assert_eq!(who(&["--holidays", &extra], THANKSGIVING), "erin@example.com");
    // The same flag on the other commands where holidays matter.
    for cmd in [
        vec!["next", EXAMPLE, "--schedule", "support", "--at", THANKSGIVING],
        vec!["handoffs", EXAMPLE, "--schedule", "support", "--rotation", "backstop", "--from", THANKSGIVING],
        vec!["timeline", EXAMPLE, "--schedule", "support", "--from", "2026-11-23", "--to", "2026-11-30"],
        vec!["report", EXAMPLE, "--schedule", "support", "--from", "2026-11-23", "--to", "2026-11-30"],
        vec!["diff", EXAMPLE, EXAMPLE, "--schedule", "support", "--from", "2026-11-23", "--to", "2026-11-30"],
    ] {
        let mut args = cmd.clone();
        args.extend(["--holidays", &flag]);
        ok(&args);
    }
}

#[test]
fn a_bad_holidays_flag_names_the_flag_and_the_file() {
    let base = ["who", EXAMPLE, "--schedule", "support", "--at", THANKSGIVING, "--holidays"];
    let run = oncall(&[&base[..], &["us.ics"]].concat());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--holidays: expected NAME=FILE.ics"), "{}", run.stderr);
    let run = oncall(&[&base[..], &["us=/nonexistent/us.ics"]].concat());
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with("--holidays us=/nonexistent/us.ics: cannot read"), "{}", run.stderr);
    let timed = temp_file(
        "timed.ics",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261203T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let flag = format!("us={}", timed.display());
    let run = oncall(&[&base[..], &[flag.as_str()]].concat());
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with(&format!("--holidays {flag}: ")), "{}", run.stderr);
    assert!(run.stderr.contains("not an all-day event"), "{}", run.stderr);
}

#[test]
fn final_schedule_sources_name_the_time_off_rule() {
    let args = [
        "timeline",
        EXAMPLE,
        "--schedule",
        "support",
        "--from",
        "2026-11-26T14:00:00Z",
        "--to",
        "2026-11-27T14:00:00Z",
        "--expand",
        "sources",
    ];
    let text = ok(&args).stdout;
    assert!(
        text.contains("erin@example.com: rotation backstop turn 24, time off cover (dave@example.com absent, holiday calendar us: holiday (calendar us))"),
        "{text}"
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let v = ok(&json_args).json();
    let origins: Vec<_> = v["finalSchedule"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["sources"].as_array().cloned().unwrap_or_default())
        .map(|src| src["origin"].clone())
        .collect();
    assert!(
        origins.contains(&json!({"type": "time-off", "rotation": "backstop", "turn": 24, "policy": "cover",
            "absent": ["dave@example.com"], "reason": "holiday (calendar us)", "holiday": "us"})),
        "{origins:?}"
    );
}
