//! docs/rules.md: rotations and time restrictions.
//!
//! Zone facts used here (each transition checked against chrono-tz):
//! * America/New_York: 2026-03-08 02:00 EST (-05) → 03:00 EDT (-04) at 07:00Z;
//!   2026-11-01 02:00 EDT → 01:00 EST at 06:00Z.
//! * America/Chicago: 2026-03-08 02:00 CST (-06) → 03:00 CDT (-05) at 08:00Z;
//!   2026-11-01 02:00 CDT → 01:00 CST at 07:00Z.
//! * Europe/London: 2026-03-29 01:00 GMT → 02:00 BST (+01) at 01:00Z;
//!   2026-10-25 02:00 BST → 01:00 GMT at 01:00Z.
//! * Australia/Lord_Howe (30-minute DST): 2026-04-05 02:00 (+11) → 01:30 (+10:30) at
//!   2026-04-04T15:00Z; 2026-10-04 02:00 (+10:30) → 02:30 (+11) at 2026-10-03T15:30Z.
//! * America/Santiago (DST at local midnight): 2025-09-07 00:00 (-04) → 01:00 (-03) at 04:00Z;
//!   2026-04-05 00:00 (-03) → 2026-04-04 23:00 (-04) at 2026-04-05T03:00Z.
//! * America/Havana (DST at local midnight): 2025-03-09 00:00 CST (-05) → 01:00 CDT (-04) at
//!   05:00Z; 2025-11-02 01:00 CDT → 00:00 CST at 05:00Z.
//! * Europe/Berlin: CET (+01) in January.
//! * Asia/Kolkata: +05:30, no DST.

mod common;

use common::*;

fn rot(kind: &str, start: &str, participants: &str) -> String {
    format!(r#"{{"name":"r","type":"{kind}","startDate":"{start}","participants":{participants}}}"#)
}

fn rot_len(kind: &str, length: u32, start: &str, participants: &str) -> String {
    format!(r#"{{"name":"r","type":"{kind}","length":{length},"startDate":"{start}","participants":{participants}}}"#)
}

const AB: &str = r#"["alice","bob"]"#;
const ABC: &str = r#"["alice","bob","carol"]"#;
const ABCD: &str = r#"["a","b","c","d"]"#;

fn restricted(zone: &str, restriction: &str) -> oncall_core::Config {
    one(
        zone,
        &format!(
            r#"{{"name":"r","type":"weekly","startDate":"2025-12-29T00:00","participants":["alice"],
                "timeRestriction":{restriction}}}"#
        ),
    )
}

fn time_of_day(sh: u32, sm: u32, eh: u32, em: u32) -> String {
    format!(
        r#"{{"type":"time-of-day","restriction":{{"startHour":{sh},"startMin":{sm},"endHour":{eh},"endMin":{em}}}}}"#
    )
}

fn weekly_span(sd: &str, sh: u32, ed: &str, eh: u32) -> String {
    format!(r#"{{"startDay":"{sd}","startHour":{sh},"startMin":0,"endDay":"{ed}","endHour":{eh},"endMin":0}}"#)
}

fn weekday(spans: &[String]) -> String {
    format!(r#"{{"type":"weekday-and-time-of-day","restrictions":[{}]}}"#, spans.join(","))
}

// ---------------------------------------------------------------------------------------------
// Daily rotations across DST in several zones.

#[test]
fn daily_new_york_keeps_local_time_across_both_transitions() {
    // 09:00 EST = 14:00Z until 2026-03-07; 09:00 EDT = 13:00Z from 2026-03-08.
    let cfg = one("America/New_York", &rot("daily", "2026-03-06T09:00", AB));
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-06T00:00:00Z", 4),
        [
            "2026-03-06T14:00:00Z alice",
            "2026-03-07T14:00:00Z bob",
            "2026-03-08T13:00:00Z alice",
            "2026-03-09T13:00:00Z bob"
        ]
    );
    // 09:00 EDT = 13:00Z until 2026-10-31; 09:00 EST = 14:00Z from 2026-11-01.
    assert_eq!(
        handoff_times(&cfg, "r", "2026-10-30T00:00:00Z", 4),
        ["2026-10-30T13:00:00Z", "2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z", "2026-11-02T14:00:00Z"]
    );
}

#[test]
fn daily_chicago_at_two_in_the_morning_over_the_gap() {
    // 02:00 CST = 08:00Z; 2026-03-08 02:00 does not exist → 03:00 CDT = 08:00Z; then 02:00 CDT = 07:00Z.
    let cfg = one("America/Chicago", &rot("daily", "2026-03-06T02:00", AB));
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-06T00:00:00Z", 4),
        [
            "2026-03-06T08:00:00Z alice",
            "2026-03-07T08:00:00Z bob",
            "2026-03-08T08:00:00Z alice",
            "2026-03-09T07:00:00Z bob"
        ]
    );
}

#[test]
fn daily_chicago_in_the_fold_takes_the_first_occurrence() {
    // 01:30 CDT = 06:30Z; 2026-11-01 01:30 is ambiguous → first (CDT) 06:30Z; 01:30 CST = 07:30Z.
    let cfg = one("America/Chicago", &rot("daily", "2026-10-31T01:30", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-10-31T00:00:00Z", 3),
        ["2026-10-31T06:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T07:30:00Z"]
    );
}

#[test]
fn daily_santiago_midnight_handoff_on_the_day_midnight_does_not_exist() {
    // 00:00 -04 = 04:00Z; 2025-09-07 00:00 does not exist → 01:00 -03 = 04:00Z; then 00:00 -03 = 03:00Z.
    let cfg = one("America/Santiago", &rot("daily", "2025-09-05T00:00", ABC));
    assert_eq!(
        handoffs(&cfg, "r", "2025-09-05T00:00:00Z", 4),
        [
            "2025-09-05T04:00:00Z alice",
            "2025-09-06T04:00:00Z bob",
            "2025-09-07T04:00:00Z carol",
            "2025-09-08T03:00:00Z alice"
        ]
    );
    assert_eq!(who_s(&cfg, "2025-09-07T03:59:59Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2025-09-07T04:00:00Z"), ["carol"]);
    assert_eq!(who_s(&cfg, "2025-09-08T02:59:59Z"), ["carol"], "the 2025-09-07 shift lasts 23 h");
}

#[test]
fn daily_santiago_midnight_handoff_when_clocks_go_back_at_midnight() {
    // 2026-04-04 00:00 -03 = 03:00Z. At 2026-04-05T03:00Z the clock goes from 24:00 -03 back to
    // 23:00 -04, so 2026-04-05 00:00 happens once, at -04 = 04:00Z: the 04-04 shift lasts 25 h.
    let cfg = one("America/Santiago", &rot("daily", "2026-04-03T00:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-04-03T00:00:00Z", 4),
        ["2026-04-03T03:00:00Z", "2026-04-04T03:00:00Z", "2026-04-05T04:00:00Z", "2026-04-06T04:00:00Z"]
    );
    assert_eq!(who_s(&cfg, "2026-04-05T03:30:00Z"), ["bob"]);
}

#[test]
fn daily_havana_midnight_handoffs_over_gap_and_fold() {
    // Spring: 00:00 CST = 05:00Z; 2025-03-09 00:00 does not exist → 01:00 CDT = 05:00Z; then 04:00Z.
    let cfg = one("America/Havana", &rot("daily", "2025-03-07T00:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2025-03-07T00:00:00Z", 4),
        ["2025-03-07T05:00:00Z", "2025-03-08T05:00:00Z", "2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z"]
    );
    // Fall: 00:00 CDT = 04:00Z; 2025-11-02 00:00 happens at 04:00Z (CDT) and 05:00Z (CST): first;
    // 2025-11-03 00:00 CST = 05:00Z.
    let cfg = one("America/Havana", &rot("daily", "2025-10-31T00:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2025-10-31T00:00:00Z", 4),
        ["2025-10-31T04:00:00Z", "2025-11-01T04:00:00Z", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z"]
    );
}

#[test]
fn daily_lord_howe_half_hour_gap() {
    // 02:00 +10:30 = 15:30Z the day before; 2026-10-04 02:00 is in the 30-minute gap → 02:30 +11 =
    // 2026-10-03T15:30Z; 2026-10-05 02:00 +11 = 2026-10-04T15:00Z.
    let cfg = one("Australia/Lord_Howe", &rot("daily", "2026-10-02T02:00", AB));
    assert_eq!(
        handoffs(&cfg, "r", "2026-10-01T00:00:00Z", 4),
        [
            "2026-10-01T15:30:00Z alice",
            "2026-10-02T15:30:00Z bob",
            "2026-10-03T15:30:00Z alice",
            "2026-10-04T15:00:00Z bob"
        ]
    );
}

#[test]
fn daily_lord_howe_half_hour_fold() {
    // 01:45 +11 = 14:45Z the day before; 2026-04-05 01:45 happens at +11 (2026-04-04T14:45Z) and
    // +10:30 (15:15Z): first; 2026-04-06 01:45 +10:30 = 2026-04-05T15:15Z.
    let cfg = one("Australia/Lord_Howe", &rot("daily", "2026-04-03T01:45", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-04-02T00:00:00Z", 4),
        ["2026-04-02T14:45:00Z", "2026-04-03T14:45:00Z", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"]
    );
}

#[test]
fn daily_utc_and_kolkata_are_fixed() {
    let cfg = one("UTC", &rot("daily", "2026-03-27T09:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-03-28T00:00:00Z", 3),
        ["2026-03-28T09:00:00Z", "2026-03-29T09:00:00Z", "2026-03-30T09:00:00Z"]
    );
    // Kolkata +05:30: 00:00 local = 18:30Z the day before.
    let cfg = one("Asia/Kolkata", &rot("daily", "2026-03-07T00:00", AB));
    assert_eq!(handoff_times(&cfg, "r", "2026-03-07T00:00:00Z", 2), ["2026-03-07T18:30:00Z", "2026-03-08T18:30:00Z"]);
}

// ---------------------------------------------------------------------------------------------
// Weekly rotations.

#[test]
fn weekly_london_keeps_monday_nine_local_across_both_transitions() {
    // 2026-03-16 and 03-23 are GMT (09:00Z); from 2026-03-29 BST (08:00Z).
    let cfg = one("Europe/London", &rot("weekly", "2026-03-16T09:00", ABC));
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-15T00:00:00Z", 4),
        [
            "2026-03-16T09:00:00Z alice",
            "2026-03-23T09:00:00Z bob",
            "2026-03-30T08:00:00Z carol",
            "2026-04-06T08:00:00Z alice"
        ]
    );
    // Monday 2026-10-19 is BST (08:00Z); Monday 2026-10-26 is GMT again (09:00Z).
    assert_eq!(handoff_times(&cfg, "r", "2026-10-18T00:00:00Z", 2), ["2026-10-19T08:00:00Z", "2026-10-26T09:00:00Z"]);
    assert_eq!(who_s(&cfg, "2026-03-30T07:59:59Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-03-30T08:00:00Z"), ["carol"]);
}

#[test]
fn weekly_length_two_in_chicago() {
    // Monday 2026-03-02 09:00 CST = 15:00Z; every 2 weeks; from 2026-03-08 CDT → 14:00Z.
    let cfg = one("America/Chicago", &rot_len("weekly", 2, "2026-03-02T09:00", ABC));
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-01T00:00:00Z", 4),
        [
            "2026-03-02T15:00:00Z alice",
            "2026-03-16T14:00:00Z bob",
            "2026-03-30T14:00:00Z carol",
            "2026-04-13T14:00:00Z alice"
        ]
    );
    assert_eq!(who_s(&cfg, "2026-03-10T12:00:00Z"), ["alice"]);
}

#[test]
fn weekly_santiago_sunday_midnight_over_the_gap() {
    // Sunday 2025-08-31 00:00 -04 = 04:00Z; Sunday 2025-09-07 00:00 does not exist → 01:00 -03 =
    // 04:00Z; Sunday 2025-09-14 00:00 -03 = 03:00Z.
    let cfg = one("America/Santiago", &rot("weekly", "2025-08-31T00:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2025-08-30T00:00:00Z", 3),
        ["2025-08-31T04:00:00Z", "2025-09-07T04:00:00Z", "2025-09-14T03:00:00Z"]
    );
}

// ---------------------------------------------------------------------------------------------
// Hourly rotations.

#[test]
fn twelve_hour_rotation_keeps_nine_and_twenty_one_local_in_spring() {
    // 09:00 EST = 14:00Z; 21:00 EST = 02:00Z (next day); after 2026-03-08 02:00 → EDT:
    // 09:00 EDT = 13:00Z, 21:00 EDT = 01:00Z. The night shift 02:00Z → 13:00Z lasts 11 h.
    let cfg = one("America/New_York", &rot_len("hourly", 12, "2026-03-07T09:00", AB));
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-07T00:00:00Z", 4),
        [
            "2026-03-07T14:00:00Z alice",
            "2026-03-08T02:00:00Z bob",
            "2026-03-08T13:00:00Z alice",
            "2026-03-09T01:00:00Z bob"
        ]
    );
}

#[test]
fn twelve_hour_rotation_keeps_nine_and_twenty_one_local_in_autumn() {
    // 09:00 EDT = 13:00Z; 21:00 EDT = 01:00Z; 2026-11-01 09:00 EST = 14:00Z; 21:00 EST = 02:00Z.
    // The night shift 01:00Z → 14:00Z lasts 13 h.
    let cfg = one("America/New_York", &rot_len("hourly", 12, "2026-10-31T09:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-10-31T00:00:00Z", 4),
        ["2026-10-31T13:00:00Z", "2026-11-01T01:00:00Z", "2026-11-01T14:00:00Z", "2026-11-02T02:00:00Z"]
    );
    assert_eq!(who_s(&cfg, "2026-11-01T13:59:59Z"), ["bob"]);
}

#[test]
fn hourly_zero_length_shift_in_the_gap_still_consumes_its_turn() {
    // Hourly from 2026-03-08 00:00 EST (05:00Z), turns a b c d:
    // k0 00:00 → 05:00Z a; k1 01:00 → 06:00Z b; k2 02:00 (gap) → 07:00Z c; k3 03:00 EDT → 07:00Z d;
    // k4 04:00 EDT → 08:00Z a. c's shift has zero length; at 07:00Z it is d's turn.
    let cfg = one("America/New_York", &rot("hourly", "2026-03-08T00:00", ABCD));
    assert_eq!(who_s(&cfg, "2026-03-08T06:59:59Z"), ["b"]);
    assert_eq!(who_s(&cfg, "2026-03-08T07:00:00Z"), ["d"]);
    assert_eq!(who_s(&cfg, "2026-03-08T08:00:00Z"), ["a"]);
    // The shared instant is listed once, with the participant who ends up on call.
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-08T05:30:00Z", 4),
        ["2026-03-08T06:00:00Z b", "2026-03-08T07:00:00Z d", "2026-03-08T08:00:00Z a", "2026-03-08T09:00:00Z b"]
    );
}

#[test]
fn hourly_over_havana_midnight_gap() {
    // From 2025-03-08 22:00 CST (03:00Z on 03-09), turns a b c d: 23:00 → 04:00Z b;
    // 00:00 (gap) → 05:00Z c; 01:00 CDT → 05:00Z d; 02:00 CDT → 06:00Z a.
    let cfg = one("America/Havana", &rot("hourly", "2025-03-08T22:00", ABCD));
    assert_eq!(
        handoffs(&cfg, "r", "2025-03-09T03:30:00Z", 3),
        ["2025-03-09T04:00:00Z b", "2025-03-09T05:00:00Z d", "2025-03-09T06:00:00Z a"]
    );
}

#[test]
fn hourly_chicago_fold_hour_lasts_two_real_hours() {
    // From 2026-11-01 00:00 CDT (05:00Z): 01:00 is ambiguous → first (CDT) 06:00Z; 02:00 CST = 08:00Z.
    let cfg = one("America/Chicago", &rot("hourly", "2026-11-01T00:00", ABC));
    assert_eq!(
        handoffs(&cfg, "r", "2026-11-01T04:00:00Z", 4),
        [
            "2026-11-01T05:00:00Z alice",
            "2026-11-01T06:00:00Z bob",
            "2026-11-01T08:00:00Z carol",
            "2026-11-01T09:00:00Z alice"
        ]
    );
    assert_eq!(who_s(&cfg, "2026-11-01T07:30:00Z"), ["bob"]);
}

#[test]
fn hourly_lord_howe_half_hour_gap_and_fold() {
    // Gap: from 2026-10-04 00:00 +10:30 (2026-10-03T13:30Z): 01:00 → 14:30Z; 02:00 (gap) → 02:30 +11
    // = 15:30Z; 03:00 +11 = 16:00Z. The 02:00 shift lasts 30 minutes.
    let cfg = one("Australia/Lord_Howe", &rot("hourly", "2026-10-04T00:00", ABC));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-10-03T13:00:00Z", 4),
        ["2026-10-03T13:30:00Z", "2026-10-03T14:30:00Z", "2026-10-03T15:30:00Z", "2026-10-03T16:00:00Z"]
    );
    // Fold: from 2026-04-05 00:30 +11 (2026-04-04T13:30Z): 01:30 is ambiguous → first (+11) 14:30Z;
    // 02:30 +10:30 = 16:00Z. The 01:30 shift lasts 1.5 h.
    let cfg = one("Australia/Lord_Howe", &rot("hourly", "2026-04-05T00:30", ABC));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-04-04T13:00:00Z", 4),
        ["2026-04-04T13:30:00Z", "2026-04-04T14:30:00Z", "2026-04-04T16:00:00Z", "2026-04-04T17:00:00Z"]
    );
}

#[test]
fn eight_hour_rotation_in_kolkata() {
    // 06:00 +05:30 = 00:30Z; then 08:30Z and 16:30Z.
    let cfg = one("Asia/Kolkata", &rot_len("hourly", 8, "2026-01-01T06:00", ABC));
    assert_eq!(
        handoffs(&cfg, "r", "2026-01-01T00:00:00Z", 4),
        [
            "2026-01-01T00:30:00Z alice",
            "2026-01-01T08:30:00Z bob",
            "2026-01-01T16:30:00Z carol",
            "2026-01-02T00:30:00Z alice"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Monthly rotations.

#[test]
fn monthly_anchored_on_the_31st_clamps_to_month_end() {
    let cfg = one("UTC", &rot("monthly", "2026-01-31T09:00", AB));
    assert_eq!(
        handoffs(&cfg, "r", "2026-01-01T00:00:00Z", 5),
        [
            "2026-01-31T09:00:00Z alice",
            "2026-02-28T09:00:00Z bob",
            "2026-03-31T09:00:00Z alice",
            "2026-04-30T09:00:00Z bob",
            "2026-05-31T09:00:00Z alice"
        ]
    );
    assert_eq!(who_s(&cfg, "2026-03-30T12:00:00Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-03-31T09:00:00Z"), ["alice"]);
}

#[test]
fn monthly_clamps_to_february_29_in_a_leap_year() {
    let cfg = one("UTC", &rot("monthly", "2028-01-31T09:00", AB));
    assert_eq!(handoff_times(&cfg, "r", "2028-01-31T12:00:00Z", 2), ["2028-02-29T09:00:00Z", "2028-03-31T09:00:00Z"]);
}

#[test]
fn monthly_keeps_local_time_across_dst() {
    // 09:00 EST = 14:00Z in Jan/Feb and from November; 09:00 EDT = 13:00Z from March to October.
    let cfg = one("America/New_York", &rot("monthly", "2026-01-31T09:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-01-01T00:00:00Z", 4),
        ["2026-01-31T14:00:00Z", "2026-02-28T14:00:00Z", "2026-03-31T13:00:00Z", "2026-04-30T13:00:00Z"]
    );
    assert_eq!(handoff_times(&cfg, "r", "2026-10-01T00:00:00Z", 2), ["2026-10-31T13:00:00Z", "2026-11-30T14:00:00Z"]);
}

#[test]
fn quarterly_in_london() {
    // length 3 months; 10:00 GMT = 10:00Z in January, 10:00 BST = 09:00Z in April, July, October.
    let cfg = one("Europe/London", &rot_len("monthly", 3, "2026-01-15T10:00", AB));
    assert_eq!(
        handoffs(&cfg, "r", "2026-01-01T00:00:00Z", 5),
        [
            "2026-01-15T10:00:00Z alice",
            "2026-04-15T09:00:00Z bob",
            "2026-07-15T09:00:00Z alice",
            "2026-10-15T09:00:00Z bob",
            "2027-01-15T10:00:00Z alice"
        ]
    );
}

#[test]
fn monthly_santiago_midnight_on_the_day_midnight_does_not_exist() {
    // 2025-08-07 00:00 -04 = 04:00Z; 2025-09-07 00:00 does not exist → 04:00Z; 2025-10-07 -03 = 03:00Z.
    let cfg = one("America/Santiago", &rot("monthly", "2025-08-07T00:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2025-08-01T00:00:00Z", 3),
        ["2025-08-07T04:00:00Z", "2025-09-07T04:00:00Z", "2025-10-07T03:00:00Z"]
    );
}

// ---------------------------------------------------------------------------------------------
// Turns, dates, participants.

#[test]
fn length_greater_than_one_day() {
    let cfg = one("UTC", &rot_len("daily", 3, "2026-01-01T00:00:00Z", AB));
    assert_eq!(who_s(&cfg, "2026-01-03T23:59:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-04T00:00:00Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-01-07T00:00:00Z"), ["alice"]);
}

#[test]
fn turns_follow_participants_in_order_and_repeat() {
    let cfg = one("UTC", &rot("daily", "2026-01-01T00:00:00Z", r#"["a","b","a","c"]"#));
    let names: Vec<String> = handoffs(&cfg, "r", "2025-12-31T00:00:00Z", 6)
        .iter()
        .map(|h| h.split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(names, ["a", "b", "a", "c", "a", "b"]);
}

#[test]
fn nobody_before_start_date_and_from_end_date() {
    let cfg = one(
        "UTC",
        r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","endDate":"2026-01-03T00:00:00Z",
            "participants":["alice","bob"]}"#,
    );
    assert!(who_s(&cfg, "2025-12-31T23:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-02T23:59:59Z"), ["bob"]);
    assert!(who_s(&cfg, "2026-01-03T00:00:00Z").is_empty());
    assert!(who_s(&cfg, "2027-01-01T00:00:00Z").is_empty());
    // No hand-off at or after the end.
    assert_eq!(handoffs(&cfg, "r", "2026-01-01T12:00:00Z", 5), ["2026-01-02T00:00:00Z bob"]);
}

#[test]
fn end_date_in_the_middle_of_a_shift_cuts_it() {
    let cfg = one(
        "UTC",
        r#"{"name":"r","type":"weekly","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-08T12:00:00Z",
            "participants":["alice","bob"]}"#,
    );
    let tl = timeline(&cfg, "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        ["2026-01-05T00:00:00Z..2026-01-08T12:00:00Z alice", "2026-01-08T12:00:00Z..2026-01-12T00:00:00Z -"]
    );
}

#[test]
fn a_none_participant_is_a_gap() {
    let cfg = one("UTC", &rot("daily", "2026-01-01T00:00:00Z", r#"["alice",{"type":"none"},"bob"]"#));
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-02T12:00:00Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-03T12:00:00Z"), ["bob"]);
    assert_eq!(
        handoffs(&cfg, "r", "2026-01-01T12:00:00Z", 3),
        ["2026-01-02T00:00:00Z (none)", "2026-01-03T00:00:00Z bob", "2026-01-04T00:00:00Z alice"]
    );
}

#[test]
fn an_anchor_from_2000_answers_correctly_in_2026() {
    // Weekly from Monday 2000-01-03 09:00 London. Monday 2026-01-05 is 9499 days = 1357 weeks later,
    // so 2026-03-23 is turn 1368 (1368 mod 3 = 0, alice; 09:00 GMT = 09:00Z) and 2026-03-30 is turn
    // 1369 (bob; 09:00 BST = 08:00Z), 2026-04-06 turn 1370 (carol).
    let cfg = one("Europe/London", &rot("weekly", "2000-01-03T09:00", ABC));
    let ((), took) = timed(|| {
        assert_eq!(who_s(&cfg, "2026-03-23T09:00:00Z"), ["alice"]);
        assert_eq!(who_s(&cfg, "2026-03-30T07:59:59Z"), ["alice"]);
        assert_eq!(who_s(&cfg, "2026-03-30T08:00:00Z"), ["bob"]);
        assert_eq!(
            handoffs(&cfg, "r", "2026-03-23T12:00:00Z", 2),
            ["2026-03-30T08:00:00Z bob", "2026-04-06T08:00:00Z carol"]
        );
    });
    assert!(took.as_secs() < 5, "an old anchor must not make queries slow ({took:?})");
}

// ---------------------------------------------------------------------------------------------
// Custom (RRULE) rotations.

#[test]
fn custom_rrule_monday_and_thursday() {
    // DTSTART Monday 2026-03-02 09:00 New York. 09:00 EST = 14:00Z on 03-02 and 03-05; 09:00 EDT =
    // 13:00Z from 03-09 (DST began 03-08).
    let cfg = one(
        "America/New_York",
        r#"{"name":"r","type":"custom","recurrence":"FREQ=WEEKLY;BYDAY=MO,TH","startDate":"2026-03-02T09:00",
            "participants":["alice","bob"]}"#,
    );
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-01T00:00:00Z", 5),
        [
            "2026-03-02T14:00:00Z alice",
            "2026-03-05T14:00:00Z bob",
            "2026-03-09T13:00:00Z alice",
            "2026-03-12T13:00:00Z bob",
            "2026-03-16T13:00:00Z alice"
        ]
    );
    assert_eq!(who_s(&cfg, "2026-03-08T12:00:00Z"), ["bob"]);
}

#[test]
fn custom_rrule_exdate_keeps_the_current_participant() {
    // Thursday 2026-03-05 09:00 is excluded: alice keeps the shift until Monday 03-09 09:00 EDT
    // (13:00Z), which is the next occurrence and so the next turn (bob).
    let cfg = one(
        "America/New_York",
        r#"{"name":"r","type":"custom","recurrence":"RRULE:FREQ=WEEKLY;BYDAY=MO,TH\nEXDATE:20260305T090000",
            "startDate":"2026-03-02T09:00","participants":["alice","bob"]}"#,
    );
    assert_eq!(who_s(&cfg, "2026-03-05T15:00:00Z"), ["alice"]);
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-01T00:00:00Z", 4),
        [
            "2026-03-02T14:00:00Z alice",
            "2026-03-09T13:00:00Z bob",
            "2026-03-12T13:00:00Z alice",
            "2026-03-16T13:00:00Z bob"
        ]
    );
}

#[test]
fn custom_finite_rule_last_shift_lasts_until_end_date() {
    // COUNT=3 from 2026-01-01 09:00Z: occurrences 01-01, 01-02, 01-03; the last shift runs to endDate.
    let cfg = one(
        "UTC",
        r#"{"name":"r","type":"custom","recurrence":"FREQ=DAILY;COUNT=3","startDate":"2026-01-01T09:00:00Z",
            "endDate":"2026-01-10T00:00:00Z","participants":["alice","bob","carol"]}"#,
    );
    assert_eq!(
        handoffs(&cfg, "r", "2025-12-31T00:00:00Z", 10),
        ["2026-01-01T09:00:00Z alice", "2026-01-02T09:00:00Z bob", "2026-01-03T09:00:00Z carol"]
    );
    assert_eq!(who_s(&cfg, "2026-01-09T23:59:59Z"), ["carol"]);
    assert!(who_s(&cfg, "2026-01-10T00:00:00Z").is_empty());
}

#[test]
fn custom_daily_rule_at_santiago_midnight_follows_the_wall_clock_rule() {
    // Same instants as the daily rotation: 2025-09-07 00:00 does not exist → 04:00Z.
    let cfg = one(
        "America/Santiago",
        r#"{"name":"r","type":"custom","recurrence":"FREQ=DAILY","startDate":"2025-09-05T00:00",
            "participants":["alice","bob","carol"]}"#,
    );
    assert_eq!(
        handoff_times(&cfg, "r", "2025-09-05T00:00:00Z", 4),
        ["2025-09-05T04:00:00Z", "2025-09-06T04:00:00Z", "2025-09-07T04:00:00Z", "2025-09-08T03:00:00Z"]
    );
}

#[test]
fn custom_finite_rule_without_end_date_is_an_error() {
    let json = sched_json(
        "UTC",
        &[r#"{"name":"r","type":"custom","recurrence":"FREQ=DAILY;COUNT=3","startDate":"2026-01-01T09:00:00Z",
              "participants":["alice"]}"#],
        "[]",
    );
    problem_at(&json, "schedules[0].rotations[0].endDate");
}

// ---------------------------------------------------------------------------------------------
// Time restrictions.

#[test]
fn time_of_day_window() {
    let cfg = restricted("UTC", &time_of_day(9, 0, 17, 0));
    assert!(who_s(&cfg, "2026-01-07T08:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-07T09:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-07T16:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-07T17:00:00Z").is_empty());
}

#[test]
fn time_of_day_window_with_minutes() {
    let cfg = restricted("UTC", &time_of_day(8, 45, 12, 15));
    assert!(who_s(&cfg, "2026-01-07T08:44:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-07T08:45:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-07T12:14:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-07T12:15:00Z").is_empty());
}

#[test]
fn time_of_day_is_evaluated_in_the_rotation_zone() {
    // Berlin CET (+01) in January: 22:00–06:00 local = 21:00Z–05:00Z next day (overnight window).
    let cfg = restricted("Europe/Berlin", &time_of_day(22, 0, 6, 0));
    assert!(who_s(&cfg, "2026-01-07T20:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-07T21:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-07T23:30:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-08T04:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-08T05:00:00Z").is_empty());
    assert!(who_s(&cfg, "2026-01-08T12:00:00Z").is_empty());
}

#[test]
fn restriction_uses_the_rotation_zone_over_the_schedule_zone() {
    // Schedule in UTC, rotation in Chicago (CST -06 in January): 09:00–17:00 local = 15:00Z–23:00Z.
    let cfg = one(
        "UTC",
        &format!(
            r#"{{"name":"r","type":"daily","timezone":"America/Chicago","startDate":"2026-01-01T00:00",
                "participants":["alice"],"timeRestriction":{}}}"#,
            time_of_day(9, 0, 17, 0)
        ),
    );
    assert!(who_s(&cfg, "2026-01-07T14:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-07T15:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-07T22:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-07T23:00:00Z").is_empty());
}

#[test]
fn time_of_day_start_equal_to_end_is_the_whole_day() {
    let cfg = restricted("UTC", &time_of_day(10, 0, 10, 0));
    for at in ["2026-01-07T09:59:59Z", "2026-01-07T10:00:00Z", "2026-01-08T03:00:00Z"] {
        assert_eq!(who_s(&cfg, at), ["alice"], "at {at}");
    }
}

#[test]
fn end_hour_24_is_the_end_of_the_day() {
    let cfg = restricted("UTC", &time_of_day(18, 0, 24, 0));
    assert!(who_s(&cfg, "2026-01-07T17:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-07T18:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-07T23:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-08T00:00:00Z").is_empty());
}

#[test]
fn weekday_span_friday_evening_to_monday_morning() {
    // New York in January is EST: Friday 2026-01-09 17:00 = 22:00Z to Monday 01-12 08:00 = 13:00Z.
    let cfg = restricted("America/New_York", &weekday(&[weekly_span("friday", 17, "monday", 8)]));
    assert!(who_s(&cfg, "2026-01-09T21:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-09T22:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-11T12:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-12T12:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-12T13:00:00Z").is_empty());
    assert!(who_s(&cfg, "2026-01-14T12:00:00Z").is_empty());
}

#[test]
fn weekday_span_over_the_spring_transition_is_an_hour_shorter() {
    // Friday 2026-03-06 17:00 EST = 22:00Z to Monday 03-09 08:00 EDT = 12:00Z: 62 h, not 63 h.
    let cfg = restricted("America/New_York", &weekday(&[weekly_span("friday", 17, "monday", 8)]));
    let tl = timeline(&cfg, "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-03-06T00:00:00Z..2026-03-06T22:00:00Z -",
            "2026-03-06T22:00:00Z..2026-03-09T12:00:00Z alice",
            "2026-03-09T12:00:00Z..2026-03-10T00:00:00Z -",
        ]
    );
}

#[test]
fn weekday_span_wrapping_sunday_to_monday() {
    let cfg = restricted("UTC", &weekday(&[weekly_span("sunday", 20, "monday", 4)]));
    assert!(who_s(&cfg, "2026-01-11T19:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-11T20:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-12T03:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-12T04:00:00Z").is_empty());
    assert!(who_s(&cfg, "2026-01-10T21:00:00Z").is_empty(), "Saturday");
}

#[test]
fn weekday_span_ending_at_hour_24() {
    // Monday 00:00 → Friday 24:00 = Saturday 00:00.
    let cfg = restricted("UTC", &weekday(&[weekly_span("monday", 0, "friday", 24)]));
    assert_eq!(who_s(&cfg, "2026-01-12T00:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-16T23:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-17T00:00:00Z").is_empty());
    assert!(who_s(&cfg, "2026-01-18T23:59:59Z").is_empty());
}

#[test]
fn weekday_spans_are_a_union_and_identical_bounds_are_the_whole_week() {
    let cfg = restricted(
        "UTC",
        &weekday(&[weekly_span("monday", 9, "monday", 17), weekly_span("wednesday", 9, "wednesday", 17)]),
    );
    assert_eq!(who_s(&cfg, "2026-01-12T10:00:00Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-13T10:00:00Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-14T10:00:00Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-01-14T17:00:00Z").is_empty());

    let cfg = restricted("UTC", &weekday(&[weekly_span("wednesday", 12, "wednesday", 12)]));
    for at in ["2026-01-12T10:00:00Z", "2026-01-14T11:59:59Z", "2026-01-14T12:00:00Z", "2026-01-18T23:00:00Z"] {
        assert_eq!(who_s(&cfg, at), ["alice"], "at {at}");
    }
}

#[test]
fn restrictions_mask_and_never_reflow_turns() {
    // Daily a/b/c from Monday 2026-01-05 00:00Z, active Monday 09:00 → Friday 17:00 only.
    // Turns: Mon a, Tue b, Wed c, Thu a, Fri b, Sat c (lost), Sun a (lost), Mon 01-12 b (turn 7).
    let cfg = one(
        "UTC",
        &format!(
            r#"{{"name":"r","type":"daily","startDate":"2026-01-05T00:00:00Z","participants":["alice","bob","carol"],
                "timeRestriction":{}}}"#,
            weekday(&[weekly_span("monday", 9, "friday", 17)])
        ),
    );
    let tl = timeline(&cfg, "2026-01-05T00:00:00Z", "2026-01-13T00:00:00Z");
    assert_eq!(
        periods(&tl.final_timeline, "r"),
        [
            "2026-01-05T09:00:00Z..2026-01-06T00:00:00Z default alice",
            "2026-01-06T00:00:00Z..2026-01-07T00:00:00Z default bob",
            "2026-01-07T00:00:00Z..2026-01-08T00:00:00Z default carol",
            "2026-01-08T00:00:00Z..2026-01-09T00:00:00Z default alice",
            "2026-01-09T00:00:00Z..2026-01-09T17:00:00Z default bob",
            "2026-01-12T09:00:00Z..2026-01-13T00:00:00Z default bob",
        ]
    );
    assert!(who_s(&cfg, "2026-01-10T12:00:00Z").is_empty());
}

#[test]
fn custom_hourly_rule_over_the_gap_lists_the_shared_instant_once() {
    // FREQ=HOURLY from 2026-03-08 00:00 EST (05:00Z): local 02:00 (gap) and 03:00 EDT both map to
    // 07:00Z; c's shift is empty and d is on call from 07:00Z.
    let cfg = one(
        "America/New_York",
        r#"{"name":"r","type":"custom","recurrence":"FREQ=HOURLY","startDate":"2026-03-08T00:00","participants":["a","b","c","d"]}"#,
    );
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-08T05:30:00Z", 3),
        ["2026-03-08T06:00:00Z b", "2026-03-08T07:00:00Z d", "2026-03-08T08:00:00Z a"]
    );
    assert_eq!(who_s(&cfg, "2026-03-08T07:00:00Z"), ["d"]);
}

#[test]
fn overnight_window_across_dst_changes_length() {
    // 22:00–06:00 New York. Spring: 2026-03-07 22:00 EST = 03-08T03:00Z to 06:00 EDT = 10:00Z (7 h).
    // Autumn: 2026-10-31 22:00 EDT = 11-01T02:00Z to 06:00 EST = 11:00Z (9 h).
    let cfg = restricted("America/New_York", &time_of_day(22, 0, 6, 0));
    let tl = timeline(&cfg, "2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-03-08T00:00:00Z..2026-03-08T03:00:00Z -",
            "2026-03-08T03:00:00Z..2026-03-08T10:00:00Z alice",
            "2026-03-08T10:00:00Z..2026-03-08T12:00:00Z -",
        ]
    );
    let tl = timeline(&cfg, "2026-11-01T00:00:00Z", "2026-11-01T12:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-11-01T00:00:00Z..2026-11-01T02:00:00Z -",
            "2026-11-01T02:00:00Z..2026-11-01T11:00:00Z alice",
            "2026-11-01T11:00:00Z..2026-11-01T12:00:00Z -",
        ]
    );
}

#[test]
fn twenty_four_hour_rotation_keeps_local_time_like_a_daily_one() {
    // Hourly length 24 is wall-clock too: 09:00 EST = 14:00Z, then 09:00 EDT = 13:00Z (a 23 h shift).
    let cfg = one("America/New_York", &rot_len("hourly", 24, "2026-03-07T09:00", AB));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-03-07T00:00:00Z", 3),
        ["2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"]
    );
}

#[test]
fn a_zero_length_shift_leaves_no_period_in_the_timeline() {
    // Hourly a b c d from 2026-03-08 00:00 EST: c's 02:00 turn and d's 03:00 EDT turn both start
    // at 07:00Z, so c never appears.
    let cfg = one("America/New_York", &rot("hourly", "2026-03-08T00:00", ABCD));
    let tl = timeline(&cfg, "2026-03-08T06:00:00Z", "2026-03-08T09:00:00Z");
    assert_eq!(
        periods(&tl.final_timeline, "r"),
        [
            "2026-03-08T06:00:00Z..2026-03-08T07:00:00Z default b",
            "2026-03-08T07:00:00Z..2026-03-08T08:00:00Z default d",
            "2026-03-08T08:00:00Z..2026-03-08T09:00:00Z default a",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// A startDate on the second pass of a fall-back fold (issue 10, item 12): hand-off 0 is that
// instant, not the first pass of the same local time, for every rotation type and every zone
// with a fold the suite uses.

/// (zone, the second pass of a local time inside the zone's fall-back fold, with its offset).
/// Each is checked against chrono-tz below: the local time is ambiguous and this is its later
/// instant.
const FOLD_SECOND_PASSES: [(&str, &str); 6] = [
    // 2024-11-03 02:00 EDT → 01:00 EST.
    ("America/New_York", "2024-11-03T01:30:00-05:00"),
    // 2024-11-03 02:00 CDT → 01:00 CST (the case of the issue).
    ("America/Chicago", "2024-11-03T01:30:00-06:00"),
    // 2024-10-27 02:00 BST → 01:00 GMT.
    ("Europe/London", "2024-10-27T01:30:00+00:00"),
    // 2024-04-07 02:00 (+11) → 01:30 (+10:30): a 30-minute fold.
    ("Australia/Lord_Howe", "2024-04-07T01:45:00+10:30"),
    // 2024-04-07 00:00 (-03) → 2024-04-06 23:00 (-04): the fold is the last hour of the day.
    ("America/Santiago", "2024-04-06T23:30:00-04:00"),
    // 2024-11-03 01:00 CDT → 00:00 CST: the fold is the first hour of the day.
    ("America/Havana", "2024-11-03T00:30:00-05:00"),
];

fn is_second_pass(zone: &str, start: &str) -> bool {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    let given = chrono::DateTime::parse_from_rfc3339(start).unwrap();
    match tz.from_local_datetime(&given.naive_local()) {
        chrono::LocalResult::Ambiguous(first, last) => {
            first.with_timezone(&Utc) < last.with_timezone(&Utc) && last.with_timezone(&Utc) == given
        }
        _ => false,
    }
}

use chrono::Utc;

#[test]
fn start_on_the_second_pass_of_a_fold_starts_then_in_every_fold_zone_and_type() {
    let rotations = [
        rot("daily", "{start}", r#"["a","b"]"#),
        rot("weekly", "{start}", r#"["a","b"]"#),
        rot("monthly", "{start}", r#"["a","b"]"#),
        rot_len("hourly", 6, "{start}", r#"["a","b"]"#),
        r#"{"name":"r","type":"custom","recurrence":"FREQ=DAILY","startDate":"{start}","participants":["a","b"]}"#
            .to_string(),
        r#"{"name":"r","type":"custom","recurrence":"FREQ=MINUTELY;INTERVAL=15","startDate":"{start}","participants":["a","b"]}"#
            .to_string(),
    ];
    for (zone, start) in FOLD_SECOND_PASSES {
        assert!(is_second_pass(zone, start), "{zone} {start} is not the second pass of a fold");
        let anchor = t(start);
        let before = anchor - chrono::Duration::days(2);
        for rotation in &rotations {
            let cfg = one(zone, &rotation.replace("{start}", start));
            let s = cfg.schedule("s").unwrap();
            let ctx = format!("{zone} {start} {rotation}");
            // who: nobody one second before the anchor (that is after the first pass), a at it.
            assert!(s.on_call(anchor - chrono::Duration::seconds(1)).unwrap().on_call_participants.is_empty(), "{ctx}");
            assert_eq!(who_s(&cfg, &f(anchor)), ["a"], "{ctx}");
            // next from before the fold: the change is the anchor, to a.
            let next = s.next_on_call(before).unwrap();
            assert_eq!(next.exact_next_on_call_at, Some(anchor), "{ctx}");
            assert_eq!(next.flat().exact_next_on_call_participants, ["a"], "{ctx}");
            // The timeline from before the start: nobody until the anchor, then a's first shift.
            let tl = s.timeline(before, anchor + chrono::Duration::days(3), oncall_core::Expand::default()).unwrap();
            let first = tl.final_schedule.iter().find(|g| !g.recipients.is_empty()).unwrap();
            assert_eq!((first.start_date, first.recipients.clone()), (anchor, vec!["a".to_string()]), "{ctx}");
            // The first hand-off listed from before the start is the anchor.
            assert_eq!(handoffs(&cfg, "r", &f(before), 1), [format!("{} a", f(anchor))], "{ctx}");
            // The index (asked often) gives the same answers.
            let mut eager = one(zone, &rotation.replace("{start}", start));
            eager.set_index_options(oncall_core::IndexOptions::EAGER);
            let e = eager.schedule("s").unwrap();
            assert_eq!(e.next_on_call(before).unwrap().exact_next_on_call_at, Some(anchor), "{ctx} (index)");
            assert_eq!(e.on_call(anchor).unwrap().flat().on_call_recipients, ["a"], "{ctx} (index)");
        }
    }
}
