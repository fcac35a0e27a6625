//! docs/rules.md (time and daylight saving): instants, zones, the wall-clock rule and half-open intervals.
//!
//! Zone facts used here (checked against chrono-tz):
//! * America/New_York springs forward 2026-03-08 02:00 EST (-05:00) → 03:00 EDT (-04:00), at
//!   07:00Z, and falls back 2026-11-01 02:00 EDT → 01:00 EST, at 06:00Z (01:00–02:00 happens twice).
//! * Europe/Berlin is CET (+01:00) in November and January.
//! * Asia/Kolkata is +05:30 all year.

mod common;

use common::*;
use oncall_core::Expand;

const DAILY_AB: &str = r#""participants":["alice","bob"]"#;

fn daily(start: &str) -> String {
    format!(r#"{{"name":"r","type":"daily","startDate":"{start}",{DAILY_AB}}}"#)
}

#[test]
fn naive_and_offset_start_dates_are_the_same_anchor() {
    // Berlin in November is CET (+01:00): local 09:00 = 08:00Z.
    for start in ["2026-11-02T09:00", "2026-11-02T09:00:00", "2026-11-02T09:00:00+01:00", "2026-11-02T08:00:00Z"] {
        let cfg = one("Europe/Berlin", &daily(start));
        assert_eq!(
            handoffs(&cfg, "r", "2026-11-01T00:00:00Z", 3),
            ["2026-11-02T08:00:00Z alice", "2026-11-03T08:00:00Z bob", "2026-11-04T08:00:00Z alice"],
            "startDate {start}"
        );
    }
}

#[test]
fn naive_start_date_is_read_in_the_rotation_zone_not_the_schedule_zone() {
    // Schedule in UTC, rotation in Asia/Kolkata (+05:30): local 09:00 = 03:30Z.
    let cfg = one(
        "UTC",
        r#"{"name":"r","type":"daily","timezone":"Asia/Kolkata","startDate":"2026-06-01T09:00","participants":["alice"]}"#,
    );
    assert!(who_s(&cfg, "2026-06-01T03:29:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-06-01T03:30:00Z"), ["alice"]);
}

#[test]
fn naive_override_times_are_read_in_the_schedule_zone() {
    // New York in July is EDT (-04:00): 09:00–17:00 local = 13:00Z–21:00Z.
    let cfg = sched_with_overrides(
        "America/New_York",
        &[&daily("2026-06-01T00:00")],
        r#"[{"user":"zed","startDate":"2026-07-01T09:00","endDate":"2026-07-01T17:00"}]"#,
    );
    assert_ne!(who_s(&cfg, "2026-07-01T12:59:59Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-07-01T13:00:00Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-07-01T20:59:59Z"), ["zed"]);
    assert_ne!(who_s(&cfg, "2026-07-01T21:00:00Z"), ["zed"]);
}

#[test]
fn query_times_parse_naive_in_the_schedule_zone_with_the_gap_rule() {
    let cfg = one("America/New_York", &daily("2026-03-01T09:00"));
    let s = cfg.schedule("s").unwrap();
    // 2026-03-08 02:30 does not exist in New York: first instant after the gap is 03:00 EDT = 07:00Z.
    assert_eq!(f(s.parse_time("2026-03-08T02:30").unwrap()), "2026-03-08T07:00:00Z");
    // 2026-11-01 01:30 happens twice: a query time takes the first occurrence (EDT) = 05:30Z.
    assert_eq!(f(s.parse_time("2026-11-01T01:30").unwrap()), "2026-11-01T05:30:00Z");
    // With an offset the zone is irrelevant.
    assert_eq!(f(s.parse_time("2026-11-02T09:00:00+01:00").unwrap()), "2026-11-02T08:00:00Z");
    assert!(s.parse_time("next tuesday").is_err());
}

#[test]
fn start_date_in_the_spring_gap_maps_to_the_first_instant_after_it() {
    // 2026-03-08 02:30 NY does not exist → 03:00 EDT = 07:00Z; the next days' 02:30 are EDT = 06:30Z.
    let cfg = one("America/New_York", &daily("2026-03-08T02:30"));
    assert!(who_s(&cfg, "2026-03-08T06:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-03-08T07:00:00Z"), ["alice"]);
    assert_eq!(
        handoffs(&cfg, "r", "2026-03-01T00:00:00Z", 3),
        ["2026-03-08T07:00:00Z alice", "2026-03-09T06:30:00Z bob", "2026-03-10T06:30:00Z alice"]
    );
}

#[test]
fn daily_handoff_inside_the_gap_moves_to_the_end_of_the_gap() {
    // Anchored 2026-03-07 02:30 EST = 07:30Z. On 03-08 02:30 does not exist → 07:00Z (03:00 EDT).
    // On 03-09 02:30 EDT = 06:30Z.
    let cfg = one("America/New_York", &daily("2026-03-07T02:30"));
    assert_eq!(
        handoff_times(&cfg, "r", "2026-03-07T00:00:00Z", 3),
        ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"]
    );
}

#[test]
fn handoff_in_the_fold_takes_the_first_occurrence() {
    // 2026-10-31 01:30 EDT = 05:30Z; 2026-11-01 01:30 occurs at 05:30Z (EDT) and 06:30Z (EST):
    // a hand-off is a start, so 05:30Z; 2026-11-02 01:30 EST = 06:30Z.
    let cfg = one("America/New_York", &daily("2026-10-31T01:30"));
    assert_eq!(
        handoffs(&cfg, "r", "2026-10-30T00:00:00Z", 3),
        ["2026-10-31T05:30:00Z alice", "2026-11-01T05:30:00Z bob", "2026-11-02T06:30:00Z alice"]
    );
    assert_eq!(who_s(&cfg, "2026-11-01T05:29:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-11-01T05:30:00Z"), ["bob"]);
}

#[test]
fn override_ending_in_the_fold_ends_at_the_last_occurrence() {
    // Override 2026-11-01 00:00 EDT (04:00Z) to 01:30 local. 01:30 happens at 05:30Z (EDT) and
    // 06:30Z (EST); an end takes the last occurrence: 06:30Z. The override lasts 2.5 h.
    let cfg = sched_with_overrides(
        "America/New_York",
        &[r#"{"name":"r","type":"daily","startDate":"2026-10-01T12:00","participants":["alice"]}"#],
        r#"[{"user":"zed","startDate":"2026-11-01T00:00","endDate":"2026-11-01T01:30"}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-11-01T03:59:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-11-01T04:00:00Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-11-01T05:45:00Z"), ["zed"], "01:45 EDT is before the second 01:30");
    assert_eq!(who_s(&cfg, "2026-11-01T06:29:59Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-11-01T06:30:00Z"), ["alice"]);
}

#[test]
fn override_starting_in_the_fold_starts_at_the_first_occurrence() {
    // 2026-11-01 01:30 NY as a start = 05:30Z (EDT); 03:00 EST = 08:00Z.
    let cfg = sched_with_overrides(
        "America/New_York",
        &[r#"{"name":"r","type":"daily","startDate":"2026-10-01T12:00","participants":["alice"]}"#],
        r#"[{"user":"zed","startDate":"2026-11-01T01:30","endDate":"2026-11-01T03:00"}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-11-01T05:29:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-11-01T05:30:00Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-11-01T07:59:59Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-11-01T08:00:00Z"), ["alice"]);
}

#[test]
fn rotation_end_date_in_the_fold_is_its_last_occurrence() {
    // endDate 2026-11-01 01:30 local NY is an end: last occurrence, 01:30 EST = 06:30Z.
    let cfg = one(
        "America/New_York",
        r#"{"name":"r","type":"daily","startDate":"2026-10-01T12:00","endDate":"2026-11-01T01:30","participants":["alice"]}"#,
    );
    assert_eq!(who_s(&cfg, "2026-11-01T06:29:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-11-01T06:30:00Z").is_empty());
}

#[test]
fn restriction_window_over_the_fold_lasts_two_and_a_half_hours() {
    // Window 00:00–01:30 daily in New York. On 2026-10-31: 04:00Z–05:30Z (EDT, 1.5 h).
    // On the fall-back day 2026-11-01: 00:00 EDT = 04:00Z to the LAST 01:30, EST = 06:30Z (2.5 h).
    // On 2026-11-02: 00:00 EST = 05:00Z to 06:30Z (1.5 h).
    let cfg = one(
        "America/New_York",
        r#"{"name":"r","type":"daily","startDate":"2026-10-01T00:00","participants":["alice"],
            "timeRestriction":{"type":"time-of-day","restriction":{"startHour":0,"startMin":0,"endHour":1,"endMin":30}}}"#,
    );
    let tl = timeline(&cfg, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-10-31T00:00:00Z..2026-10-31T04:00:00Z -",
            "2026-10-31T04:00:00Z..2026-10-31T05:30:00Z alice",
            "2026-10-31T05:30:00Z..2026-11-01T04:00:00Z -",
            "2026-11-01T04:00:00Z..2026-11-01T06:30:00Z alice",
            "2026-11-01T06:30:00Z..2026-11-02T05:00:00Z -",
            "2026-11-02T05:00:00Z..2026-11-02T06:30:00Z alice",
            "2026-11-02T06:30:00Z..2026-11-03T00:00:00Z -",
        ]
    );
    let lengths: Vec<i64> = tl
        .final_schedule
        .iter()
        .filter(|s| !s.recipients.is_empty())
        .map(|s| (s.end_date - s.start_date).num_minutes())
        .collect();
    assert_eq!(lengths, [90, 150, 90]);
}

#[test]
fn restriction_window_over_the_gap_is_shortened() {
    // Window 01:00–03:30 on 2026-03-08 NY: 01:00 EST = 06:00Z to 03:30 EDT = 07:30Z: 1.5 h, not 2.5 h.
    let cfg = one(
        "America/New_York",
        r#"{"name":"r","type":"daily","startDate":"2026-03-01T00:00","participants":["alice"],
            "timeRestriction":{"type":"time-of-day","restriction":{"startHour":1,"startMin":0,"endHour":3,"endMin":30}}}"#,
    );
    let tl = timeline(&cfg, "2026-03-08T00:00:00Z", "2026-03-08T12:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-03-08T00:00:00Z..2026-03-08T06:00:00Z -",
            "2026-03-08T06:00:00Z..2026-03-08T07:30:00Z alice",
            "2026-03-08T07:30:00Z..2026-03-08T12:00:00Z -",
        ]
    );
}

#[test]
fn restriction_window_starting_in_the_gap_starts_at_its_end() {
    // Window 02:15–04:00 on 2026-03-08 NY: 02:15 does not exist → 07:00Z; 04:00 EDT = 08:00Z.
    let cfg = one(
        "America/New_York",
        r#"{"name":"r","type":"daily","startDate":"2026-03-01T00:00","participants":["alice"],
            "timeRestriction":{"type":"time-of-day","restriction":{"startHour":2,"startMin":15,"endHour":4,"endMin":0}}}"#,
    );
    assert!(who_s(&cfg, "2026-03-08T06:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-03-08T07:00:00Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-03-08T07:59:59Z"), ["alice"]);
    assert!(who_s(&cfg, "2026-03-08T08:00:00Z").is_empty());
}

#[test]
fn an_instant_exactly_on_a_handoff_belongs_to_the_new_shift() {
    let cfg = one("UTC", &daily("2026-01-01T00:00:00Z"));
    assert_eq!(who_s(&cfg, "2026-01-01T23:59:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-02T00:00:00Z"), ["bob"]);
    assert!(who_s(&cfg, "2025-12-31T23:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-01T00:00:00Z"), ["alice"]);
}

#[test]
fn exactly_at_an_override_end_the_override_no_longer_applies() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("2026-01-01T00:00:00Z")],
        r#"[{"user":"zed","startDate":"2026-01-01T10:00:00Z","endDate":"2026-01-01T12:00:00Z"}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-01T09:59:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-01T10:00:00Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-01-01T11:59:59Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["alice"]);
}

#[test]
fn output_instants_are_utc_with_z_and_whole_seconds() {
    let cfg = one("Asia/Kolkata", &daily("2026-06-01T09:00"));
    let s = cfg.schedule("s").unwrap();
    let list = s.handoff_list("r", t("2026-06-01T00:00:00.999Z"), 1).unwrap();
    let json = serde_json::to_value(&list).unwrap();
    // Kolkata +05:30: 09:00 local = 03:30Z.
    assert_eq!(json["handoffs"][0]["at"], "2026-06-01T03:30:00Z");
    let tl = s.timeline(t("2026-06-01T00:00:00Z"), t("2026-06-02T00:00:00Z"), Expand::default()).unwrap();
    let json = serde_json::to_value(&tl).unwrap();
    assert_eq!(json["startDate"], "2026-06-01T00:00:00Z");
    assert_eq!(json["finalSchedule"][1]["startDate"], "2026-06-01T03:30:00Z");
    assert_eq!(json["finalTimeline"]["rotations"][0]["periods"][0]["endDate"], "2026-06-02T00:00:00Z");
}

#[test]
fn kolkata_half_hour_offset_without_dst() {
    // Asia/Kolkata is +05:30 all year: 09:00 local is 03:30Z in January and July alike.
    let cfg = one("Asia/Kolkata", &daily("2026-01-01T09:00"));
    assert_eq!(handoff_times(&cfg, "r", "2026-01-10T12:00:00Z", 1), ["2026-01-11T03:30:00Z"]);
    assert_eq!(handoff_times(&cfg, "r", "2026-07-10T12:00:00Z", 1), ["2026-07-11T03:30:00Z"]);
}

#[test]
fn lord_howe_half_hour_fold_lengthens_a_window_ending_after_it() {
    // Lord Howe falls back 2026-04-05 02:00 (+11) → 01:30 (+10:30) at 2026-04-04T15:00Z.
    // Window 01:30–02:00: on 04-05 01:30 is ambiguous → first (+11) = 04-04T14:30Z; 02:00 happens
    // once, at +10:30 = 15:30Z: 1 h. On 04-06: 01:30 +10:30 = 04-05T15:00Z to 15:30Z: 30 min.
    let cfg = one(
        "Australia/Lord_Howe",
        r#"{"name":"r","type":"daily","startDate":"2026-03-01T00:00","participants":["alice"],
            "timeRestriction":{"type":"time-of-day","restriction":{"startHour":1,"startMin":30,"endHour":2,"endMin":0}}}"#,
    );
    let tl = timeline(&cfg, "2026-04-04T12:00:00Z", "2026-04-05T18:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-04-04T12:00:00Z..2026-04-04T14:30:00Z -",
            "2026-04-04T14:30:00Z..2026-04-04T15:30:00Z alice",
            "2026-04-04T15:30:00Z..2026-04-05T15:00:00Z -",
            "2026-04-05T15:00:00Z..2026-04-05T15:30:00Z alice",
            "2026-04-05T15:30:00Z..2026-04-05T18:00:00Z -",
        ]
    );
}
