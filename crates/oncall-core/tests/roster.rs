//! docs/rules.md: roster changes (dated versions of a rotation, `changes`).
//!
//! Zone facts used here (each transition checked against chrono-tz):
//! * America/Chicago: 2026-03-08 02:00 CST (-06) → 03:00 CDT (-05) at 08:00Z.
//! * Europe/London: 2026-03-29 01:00 GMT → 02:00 BST (+01) at 01:00Z.
//! * Australia/Lord_Howe (30-minute DST): 2026-10-04 02:00 (+10:30) → 02:30 (+11) at
//!   2026-10-03T15:30Z.
//! * Pacific/Chatham: 2026-04-05 03:45 (+13:45) → 02:45 (+12:45) at 2026-04-04T14:00Z, so
//!   02:45–03:45 local happens twice that night.

mod common;

use chrono::Duration;
use common::*;
use oncall_core::config::{Document, Participant, RosterChange, Rotation};
use oncall_core::strategies::{self, anchor};
use oncall_core::{Config, Limits};
use proptest::prelude::*;

fn daily(zone: &str, start: &str, participants: &str, changes: &str) -> Config {
    one(
        zone,
        &format!(
            r#"{{"name":"r","type":"daily","startDate":"{start}","participants":{participants},"changes":{changes}}}"#
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// after-current-shift: the person on call stays until their shift ends.

#[test]
fn after_current_shift_keeps_the_shift_and_continues_after_the_last_one_in_chicago() {
    // Daily 09:00: 15:00Z in CST, 14:00Z from 2026-03-08 (CDT). Turns a, b, c, a, …
    let plain = daily("America/Chicago", "2026-03-05T09:00", r#"["a","b","c"]"#, "[]");
    let changed = daily(
        "America/Chicago",
        "2026-03-05T09:00",
        r#"["a","b","c"]"#,
        r#"[{"effective":"2026-03-07T12:00","rollout":"after-current-shift","participants":["a","b","c","d"]}]"#,
    );
    assert_eq!(handoffs(&plain, "r", "2026-03-07T00:00:00Z", 2), ["2026-03-07T15:00:00Z c", "2026-03-08T14:00:00Z a"]);
    // c's shift (from 2026-03-07 09:00 CST) runs to its end across the DST change; then the new
    // order goes on after c: d, a, b, c, d.
    assert_eq!(
        handoffs(&changed, "r", "2026-03-07T00:00:00Z", 6),
        [
            "2026-03-07T15:00:00Z c",
            "2026-03-08T14:00:00Z d",
            "2026-03-09T14:00:00Z a",
            "2026-03-10T14:00:00Z b",
            "2026-03-11T14:00:00Z c",
            "2026-03-12T14:00:00Z d"
        ]
    );
    assert_eq!(who_s(&changed, "2026-03-08T13:59:59Z"), ["c"]);
    assert_eq!(who_s(&changed, "2026-03-08T14:00:00Z"), ["d"]);
    assert_eq!(who_s(&changed, "2026-03-12T20:00:00Z"), ["d"]);
    // Where each one comes from names the version of the turn.
    let sources = |at: &str| changed.schedule("s").unwrap().on_call_sources(t(at)).unwrap();
    assert_eq!(sources("2026-03-08T13:00:00Z")[0].change, None);
    assert_eq!(sources("2026-03-08T14:00:00Z")[0].change, Some(0));
    // Before the change nothing moved.
    assert_eq!(
        final_schedule(&timeline(&changed, "2026-03-05T00:00:00Z", "2026-03-08T14:00:00Z")),
        final_schedule(&timeline(&plain, "2026-03-05T00:00:00Z", "2026-03-08T14:00:00Z"))
    );
    // The hand-off answers say which version a turn belongs to.
    let list = changed.schedule("s").unwrap().handoff_list("r", t("2026-03-07T00:00:00Z"), 2).unwrap();
    assert_eq!(list.handoffs.iter().map(|h| h.change).collect::<Vec<_>>(), [None, Some(0)]);
    let json = serde_json::to_value(&list).unwrap();
    assert_eq!(json["handoffs"][1]["change"], 0);
    assert!(json["handoffs"][0].get("change").is_none());
}

#[test]
fn a_length_change_after_the_current_shift_keeps_the_local_time_through_a_lord_howe_gap() {
    // Daily 02:15 (+10:30 before 2026-10-04, +11 after). On 2026-10-04, 02:15 is in the
    // 30-minute gap: that hand-off is at 02:30 (+11) = 2026-10-03T15:30Z.
    let c = daily(
        "Australia/Lord_Howe",
        "2026-10-01T02:15",
        r#"["a","b"]"#,
        r#"[{"effective":"2026-10-03T12:00","rollout":"after-current-shift","length":2}]"#,
    );
    // a's shift from 2026-10-03 02:15 ends at the gap hand-off; b goes on, now for two days,
    // from the nominal 02:15: 2026-10-06 02:15 (+11) = 2026-10-05T15:15Z.
    assert_eq!(
        handoffs(&c, "r", "2026-10-02T00:00:00Z", 4),
        ["2026-10-02T15:45:00Z a", "2026-10-03T15:30:00Z b", "2026-10-05T15:15:00Z a", "2026-10-07T15:15:00Z b"]
    );
}

// ---------------------------------------------------------------------------------------------
// immediate: the new version starts at `effective`.

#[test]
fn immediate_length_change_cuts_the_shift_and_the_same_person_goes_on_in_chicago() {
    // effective 2026-03-07 21:00 CST = 2026-03-08T03:00Z, inside c's shift (15:00Z to 14:00Z).
    let c = daily(
        "America/Chicago",
        "2026-03-05T09:00",
        r#"["a","b","c"]"#,
        r#"[{"effective":"2026-03-07T21:00","rollout":"immediate","length":2}]"#,
    );
    // c's interrupted turn goes on under the new version; its grid is anchored at 21:00 local
    // every two days: 2026-03-09 21:00 CDT = 2026-03-10T02:00Z.
    assert_eq!(
        handoffs(&c, "r", "2026-03-07T00:00:00Z", 4),
        ["2026-03-07T15:00:00Z c", "2026-03-08T03:00:00Z c", "2026-03-10T02:00:00Z a", "2026-03-12T02:00:00Z b"]
    );
    assert_eq!(who_s(&c, "2026-03-09T12:00:00Z"), ["c"]);
    assert_eq!(who_s(&c, "2026-03-10T02:00:00Z"), ["a"]);
}

#[test]
fn immediate_removal_in_a_chatham_fold_hands_over_to_the_next_one_still_listed() {
    // Daily 03:00 in Pacific/Chatham. 2026-04-05 03:00 happens twice; a hand-off (a start)
    // takes the first, +13:45 = 2026-04-04T13:15Z. The next day is +12:45: 14:15Z.
    let c = daily(
        "Pacific/Chatham",
        "2026-04-02T03:00",
        r#"["a","b","c"]"#,
        r#"[{"effective":"2026-04-05T03:30","rollout":"immediate","participants":["c","b"]}]"#,
    );
    // effective 03:30, first occurrence (+13:45) = 2026-04-04T13:45Z cuts a's shift; a is gone,
    // so the order goes on after c (the one before a): b, then c, b on the old grid.
    assert_eq!(
        handoffs(&c, "r", "2026-04-04T13:00:00Z", 4),
        ["2026-04-04T13:15:00Z a", "2026-04-04T13:45:00Z b", "2026-04-05T14:15:00Z c", "2026-04-06T14:15:00Z b"]
    );
    assert_eq!(who_s(&c, "2026-04-04T13:44:59Z"), ["a"]);
    assert_eq!(who_s(&c, "2026-04-04T13:45:00Z"), ["b"]);
}

// ---------------------------------------------------------------------------------------------
// after-full-rotation: the old order completes its cycle first.

#[test]
fn after_full_rotation_waits_for_the_top_of_the_order_across_london_dst() {
    // Weekly Monday 09:00: GMT until 2026-03-29, then BST (08:00Z). Turns: a (03-02), b, c,
    // a (03-23), b (03-30), c (04-06), a (04-13) …
    let c = one(
        "Europe/London",
        r#"{"name":"r","type":"weekly","startDate":"2026-03-02T09:00","participants":["a","b","c"],
            "changes":[{"effective":"2026-03-25T12:00","rollout":"after-full-rotation",
                        "participants":["a","c"],"length":2}]}"#,
    );
    // The first hand-off at or after effective is b's (03-30); the cycle completes when a would
    // start over, 2026-04-13. The last one who served is c, so the new order [a, c] goes on with
    // a, every two weeks from 09:00 local.
    assert_eq!(
        handoffs(&c, "r", "2026-03-25T12:00:00Z", 5),
        [
            "2026-03-30T08:00:00Z b",
            "2026-04-06T08:00:00Z c",
            "2026-04-13T08:00:00Z a",
            "2026-04-27T08:00:00Z c",
            "2026-05-11T08:00:00Z a"
        ]
    );
}

#[test]
fn turns_count_on_across_several_versions() {
    // UTC daily, [a, b]; then [a, b, c] after the current shift; then [c, d] immediately.
    let c = daily(
        "UTC",
        "2026-01-01T00:00",
        r#"["a","b"]"#,
        r#"[{"effective":"2026-01-02T12:00","rollout":"after-current-shift","participants":["a","b","c"]},
            {"effective":"2026-01-05T12:00","rollout":"immediate","participants":["c","d"]}]"#,
    );
    // 01-01 a, 01-02 b, then after b: c (01-03), a (01-04), b (01-05, cut at 12:00). b is gone;
    // walking back through [a, b, c]: a is gone too, then c: after c in [c, d] comes d. Then
    // the old grid goes on: c (01-06), d (01-07).
    assert_eq!(
        handoffs(&c, "r", "2025-12-31T00:00:00Z", 8),
        [
            "2026-01-01T00:00:00Z a",
            "2026-01-02T00:00:00Z b",
            "2026-01-03T00:00:00Z c",
            "2026-01-04T00:00:00Z a",
            "2026-01-05T00:00:00Z b",
            "2026-01-05T12:00:00Z d",
            "2026-01-06T00:00:00Z c",
            "2026-01-07T00:00:00Z d"
        ]
    );
    // Next and previous turns go through the versions too.
    let s = c.schedule("s").unwrap();
    let next = s.next_on_call(t("2026-01-05T06:00:00Z")).unwrap().flat();
    assert_eq!(next.next_on_call_participants, ["d"]);
    assert_eq!(f(next.exact_next_on_call_at.unwrap()), "2026-01-05T12:00:00Z");
}

#[test]
fn restrictions_and_custom_rotations_keep_working_with_versions() {
    // A custom Monday/Thursday rotation, business hours only; from the first hand-off after
    // 2026-01-07 the order is [c, a].
    let c = one(
        "UTC",
        r#"{"name":"r","type":"custom","recurrence":"FREQ=WEEKLY;BYDAY=MO,TH","startDate":"2026-01-05T09:00",
            "participants":["a","b"],
            "timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"endHour":17}},
            "changes":[{"effective":"2026-01-07T00:00","rollout":"after-current-shift","participants":["c","a"]}]}"#,
    );
    // The switch is the hand-off of 01-08; the last turn before it is a's (01-05), and after a
    // in [c, a] comes c.
    assert_eq!(
        handoffs(&c, "r", "2026-01-04T00:00:00Z", 4),
        ["2026-01-05T09:00:00Z a", "2026-01-08T09:00:00Z c", "2026-01-12T09:00:00Z a", "2026-01-15T09:00:00Z c"]
    );
    assert_eq!(who_s(&c, "2026-01-08T12:00:00Z"), ["c"]);
    assert!(who_s(&c, "2026-01-08T18:00:00Z").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Errors name their path.

fn with_changes(changes: &str) -> String {
    sched_json(
        "UTC",
        &[&format!(
            r#"{{"name":"r","type":"daily","startDate":"2026-01-01T00:00","endDate":"2026-02-01T00:00",
                "participants":["a","b"],"changes":{changes}}}"#
        )],
        "[]",
    )
}

#[test]
fn bad_changes_are_errors_with_their_paths() {
    let p = "schedules[0].rotations[0].changes";
    let m = problem_at(
        &with_changes(
            r#"[{"effective":"2026-01-10T00:00","rollout":"immediate","length":2},
                {"effective":"2026-01-09T00:00","rollout":"immediate","length":3}]"#,
        ),
        &format!("{p}[1].effective"),
    );
    assert_eq!(m, "must be after changes[0].effective (2026-01-10T00:00:00Z)");
    let m = problem_at(
        &with_changes(
            r#"[{"effective":"2026-01-10T12:00","rollout":"after-full-rotation","length":2},
                {"effective":"2026-01-11T00:00","rollout":"immediate","length":3}]"#,
        ),
        &format!("{p}[1].effective"),
    );
    assert!(m.starts_with("must be after 2026-01-11T00:00:00Z when changes[0] takes effect"), "{m}");
    assert_eq!(
        problem_at(
            &with_changes(r#"[{"effective":"2026-01-10T00:00","rollout":"later","length":2}]"#),
            &format!("{p}[0].rollout")
        ),
        "unknown rollout \"later\" (expected immediate, after-current-shift or after-full-rotation)"
    );
    assert!(
        problem_at(&with_changes(r#"[{"effective":"2026-01-10T00:00","rollout":"immediate"}]"#), &format!("{p}[0]"))
            .starts_with("needs participants or length")
    );
    assert_eq!(
        problem_at(
            &with_changes(r#"[{"effective":"2026-01-10T00:00","rollout":"immediate","participants":[]}]"#),
            &format!("{p}[0].participants")
        ),
        "must not be empty"
    );
    assert_eq!(
        problem_at(
            &with_changes(r#"[{"effective":"2026-01-10T00:00","rollout":"immediate","length":0}]"#),
            &format!("{p}[0].length")
        ),
        "must be at least 1 and at most 10000, found 0"
    );
    assert_eq!(
        problem_at(
            &with_changes(r#"[{"effective":"2025-12-10T00:00","rollout":"immediate","length":2}]"#),
            &format!("{p}[0].effective")
        ),
        "must be after the rotation's startDate"
    );
    assert_eq!(
        problem_at(
            &with_changes(r#"[{"effective":"2026-03-10T00:00","rollout":"immediate","length":2}]"#),
            &format!("{p}[0].effective")
        ),
        "must be before the rotation's endDate"
    );
    // A switch instant at or after endDate: the change would never take effect.
    assert_eq!(
        problem_at(
            &with_changes(r#"[{"effective":"2026-01-31T12:00","rollout":"after-current-shift","length":2}]"#),
            &format!("{p}[0].rollout")
        ),
        "takes effect at 2026-02-01T00:00:00Z, not before the rotation's endDate"
    );
    assert!(
        problem_at(
            &with_changes(
                r#"[{"effective":"2026-01-10T00:00","rollout":"immediate","participants":["a"],"lenght":2}]"#
            ),
            &format!("{p}[0].lenght")
        )
        .contains("did you mean `length`?")
    );
    assert_eq!(
        problem_at(&with_changes(r#"[{"effective":"2026-01-10T00:00","participants":["a"]}]"#), &format!("{p}[0]")),
        "missing required field `rollout`"
    );
    let custom = sched_json(
        "UTC",
        &[
            r#"{"name":"r","type":"custom","recurrence":"FREQ=DAILY","startDate":"2026-01-01T00:00","participants":["a"],
             "changes":[{"effective":"2026-01-10T00:00","rollout":"immediate","length":2}]}"#,
        ],
        "[]",
    );
    assert!(problem_at(&custom, &format!("{p}[0].length")).starts_with("not allowed with type \"custom\""));
}

#[test]
fn the_number_of_changes_is_bounded() {
    let changes: Vec<String> = (1..=5)
        .map(|d| format!(r#"{{"effective":"2026-01-{:02}T12:00","rollout":"immediate","participants":["a"]}}"#, d + 1))
        .collect();
    let json = with_changes(&format!("[{}]", changes.join(",")));
    assert!(Config::from_json(&json).is_ok());
    let err = Config::from_json_with_limits(&json, Limits { max_roster_changes: 4, ..Limits::default() }).unwrap_err();
    assert_eq!(err.to_string(), "schedules[0].rotations[0].changes: 5 changes, more than 4 (limit maxRosterChanges)");
}

#[test]
fn who_is_on_call_with_many_versions_stays_fast() {
    // 1 000 versions of an hourly rotation: a query is a binary search plus arithmetic.
    let changes: Vec<String> = (0..1000)
        .map(|i| {
            format!(
                r#"{{"effective":"{}","rollout":"after-current-shift","participants":["u{i}","v{i}"],"length":{}}}"#,
                oncall_core::time::format_instant(
                    t("2026-01-01T00:00:00Z") + Duration::days(i + 1) + Duration::minutes(30)
                ),
                1 + i % 3
            )
        })
        .collect();
    let c = one(
        "Europe/London",
        &format!(
            r#"{{"name":"r","type":"hourly","startDate":"2026-01-01T00:00","participants":["a","b"],"changes":[{}]}}"#,
            changes.join(",")
        ),
    );
    let s = c.schedule("s").unwrap();
    let (answers, took) = timed(|| {
        (0..20_000)
            .map(|i| {
                s.on_call(t("2026-01-01T00:00:00Z") + Duration::minutes(157 * i)).unwrap().flat().on_call_recipients
            })
            .filter(|w| !w.is_empty())
            .count()
    });
    assert_eq!(answers, 20_000);
    assert!(took.as_secs() < 20, "{took:?}");
}

// ---------------------------------------------------------------------------------------------
// The law: a roster change never changes anything before its effective time.

/// A change of `r` (participants derived from its own, optional length) at `hours` after its
/// anchor.
fn change_of(r: &Rotation, hours: i64, rollout: &str, shape: u8, length: Option<i64>) -> RosterChange {
    let own = r.participants.clone();
    let zed = Participant { kind: "user".into(), username: Some("zed".into()), ..Default::default() };
    let participants = match shape {
        0 => None,
        1 => Some(own.iter().rev().cloned().collect()),
        2 => Some(own.iter().skip(1).cloned().chain([zed]).collect()),
        _ => Some(own.iter().cloned().chain([zed]).collect::<Vec<_>>()),
    };
    let custom = r.kind == "custom";
    let length = if custom { None } else { length };
    let participants = if participants.is_none() && length.is_none() { Some(own) } else { participants };
    let start = chrono::NaiveDateTime::parse_from_str(&r.start_date, "%Y-%m-%dT%H:%M:%S").unwrap();
    RosterChange {
        effective: (start + Duration::hours(hours)).format("%Y-%m-%dT%H:%M:%S").to_string(),
        rollout: rollout.into(),
        participants,
        length,
    }
}

/// Now and then time off: the users of generated documents away near DST transitions, the
/// holiday calendar they bind, and a `timeOffPolicy` for the rotation (`skip`, `cover` or
/// `mask`).
type Away = Option<(Vec<oncall_core::config::User>, oncall_core::holiday::HolidayCalendarDoc, &'static str)>;

fn time_off(zone: &'static str) -> BoxedStrategy<Away> {
    prop::option::weighted(
        0.7,
        (
            strategies::users_away(zone),
            strategies::holiday_calendar(zone),
            prop::sample::select(vec!["skip", "cover", "mask"]),
        ),
    )
    .boxed()
}

/// `doc` with the time off of `away`, if any.
fn with_time_off(mut doc: Document, away: Away) -> Document {
    if let Some((users, calendar, policy)) = away {
        doc.users = Some(users);
        doc.holiday_calendars = vec![calendar];
        doc.schedules[0].rotations[0].time_off_policy = Some(policy.into());
    }
    doc
}

fn effective_instant(doc: &Document) -> chrono::DateTime<chrono::Utc> {
    let r = &doc.schedules[0].rotations[0];
    let zone = r.timezone.clone().or(doc.schedules[0].timezone.clone()).unwrap();
    oncall_core::time::parse_instant(
        &r.changes[0].effective,
        oncall_core::time::parse_zone(&zone).unwrap(),
        oncall_core::time::Edge::Start,
    )
    .unwrap()
}

proptest! {
    #![proptest_config(proptest::test_runner::Config { failure_persistence: None, ..proptest::test_runner::Config::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)) })]

    #[test]
    fn a_roster_change_never_changes_any_instant_before_its_effective_time(
        (zone, r, away) in strategies::zone().prop_flat_map(|z| (Just(z), strategies::rotation(z), time_off(z))),
        hours in 1i64..=120,
        rollout in prop::sample::select(vec!["immediate", "after-current-shift", "after-full-rotation"]),
        shape in 0u8..4,
        length in prop::option::of(1i64..=3),
    ) {
        let plain = with_time_off(one_rotation_doc(r.clone(), zone), away);
        let mut changed = plain.clone();
        changed.schedules[0].rotations[0].changes = vec![change_of(&r, hours, rollout, shape, length)];
        let a = Config::compile(&plain).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        // A change past endDate (or whose rollout would be) is refused, with a path: skip it.
        let b = match Config::compile(&changed) {
            Ok(b) => b,
            Err(e) => {
                prop_assert!(e.problems().iter().all(|p| p.path.starts_with("schedules[0].rotations[0].changes[0]")), "{e}");
                return Ok(());
            }
        };
        let eff = effective_instant(&changed);
        let from = anchor(&plain) - Duration::days(1);
        let (sa, sb) = (a.schedule("s").unwrap(), b.schedule("s").unwrap());
        // The final schedules agree up to effective …
        let before = |s: &oncall_core::Schedule<'_>| s.segments(from, eff).unwrap().collect::<Vec<_>>();
        prop_assert_eq!(before(&sa), before(&sb));
        // … and so do the hand-offs before it (when a participant of a hand-off in excluded
        // hours comes on call is about the shift's future: compared when before effective).
        let early = |s: &oncall_core::Schedule<'_>| {
            s.handoffs("r0", from)
                .unwrap()
                .take_while(|h| h.at < eff)
                .take(2000)
                .map(|h| (h.at, h.participant, h.in_excluded_hours, h.on_call_from.filter(|&o| o < eff), h.change))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(early(&sa), early(&sb));
        // With after-current-shift, the shift in force at effective also runs to its end.
        if rollout == "after-current-shift" && let Some(h) = sa.handoffs("r0", eff - Duration::seconds(1)).unwrap().next() {
            let to = h.at;
            // The switch is that hand-off of the old grid.
            let first = sb.handoffs("r0", eff - Duration::seconds(1)).unwrap().next().map(|h| h.at);
            prop_assert_eq!(first, Some(to));
            prop_assert_eq!(
                sa.segments(from, to).unwrap().collect::<Vec<_>>(),
                sb.segments(from, to).unwrap().collect::<Vec<_>>()
            );
        }
        // Every hand-off of the changed rotation still has a participant and instants increase.
        let later: Vec<_> = sb.handoffs("r0", eff - Duration::seconds(1)).unwrap().take(50).collect();
        prop_assert!(later.windows(2).all(|w| w[0].at < w[1].at));
    }

    #[test]
    fn a_later_change_never_changes_anything_before_its_effective_time(
        (zone, r, away) in strategies::zone().prop_flat_map(|z| (Just(z), strategies::rotation(z), time_off(z))),
        (h1, h2) in (1i64..=60, 1i64..=60),
        rollouts in (0usize..3, 0usize..3),
        shapes in (0u8..4, 0u8..4),
        lengths in (prop::option::of(1i64..=3), prop::option::of(1i64..=3)),
    ) {
        const ROLLOUTS: [&str; 3] = ["immediate", "after-current-shift", "after-full-rotation"];
        let first = change_of(&r, h1, ROLLOUTS[rollouts.0], shapes.0, lengths.0);
        let second = change_of(&r, h1 + h2, ROLLOUTS[rollouts.1], shapes.1, lengths.1);
        let mut one_change = with_time_off(one_rotation_doc(r.clone(), zone), away);
        one_change.schedules[0].rotations[0].changes = vec![first.clone()];
        let mut two = one_change.clone();
        two.schedules[0].rotations[0].changes.push(second);
        let (Ok(a), Ok(b)) = (Config::compile(&one_change), Config::compile(&two)) else {
            return Ok(());
        };
        let mut only_second = two.clone();
        only_second.schedules[0].rotations[0].changes.remove(0);
        let eff = effective_instant(&only_second);
        let from = anchor(&one_change) - Duration::days(1);
        let (sa, sb) = (a.schedule("s").unwrap(), b.schedule("s").unwrap());
        prop_assert_eq!(
            sa.segments(from, eff).unwrap().collect::<Vec<_>>(),
            sb.segments(from, eff).unwrap().collect::<Vec<_>>()
        );
        let turns = |s: &oncall_core::Schedule<'_>| {
            s.handoffs("r0", from).unwrap().take_while(|h| h.at < eff).take(2000).map(|h| (h.at, h.participant, h.change)).collect::<Vec<_>>()
        };
        prop_assert_eq!(turns(&sa), turns(&sb));
    }
}

#[test]
fn the_bundled_example_rolls_out_as_configuration_md_says() {
    // examples/roster-change.json (docs/configuration.md, roster change). Berlin is on CET (+01)
    // from November to March: Monday 09:00 is 08:00Z.
    let c = config(include_str!("../../../examples/roster-change.json"));
    let s = c.schedule("platform").unwrap();
    let who = |at: &str| s.on_call(t(at)).unwrap().flat().on_call_recipients;
    // ben keeps the week from 2026-11-09; then cy, dee (the newcomer), ann, …
    assert_eq!(who("2026-11-12T12:00:00Z"), ["ben@example.com"]);
    assert_eq!(who("2026-11-16T12:00:00Z"), ["cy@example.com"]);
    assert_eq!(who("2026-11-23T12:00:00Z"), ["dee@example.com"]);
    // From 2027-01-04 the order completes its cycle first: ann's turn comes round on
    // 2027-01-25; from then on, two-week shifts continuing after dee.
    let list = s.handoff_list("primary", t("2027-01-17T00:00:00Z"), 3).unwrap();
    let got: Vec<_> = list.handoffs.iter().map(|h| (f(h.at), h.participant.name.clone(), h.change)).collect();
    assert_eq!(
        got,
        [
            ("2027-01-18T08:00:00Z".to_string(), "dee@example.com".to_string(), Some(0)),
            ("2027-01-25T08:00:00Z".to_string(), "ann@example.com".to_string(), Some(1)),
            ("2027-02-08T08:00:00Z".to_string(), "ben@example.com".to_string(), Some(1)),
        ]
    );
}

#[test]
fn reaching_a_change_of_a_custom_rotation_is_bounded_by_max_recurrence_work() {
    let doc = |effective: &str| {
        sched_json(
            "UTC",
            &[&format!(
                r#"{{"name":"r","type":"custom","recurrence":"FREQ=DAILY;BYHOUR=9","startDate":"2026-01-01T09:00",
                    "participants":["a","b"],
                    "changes":[{{"effective":"{effective}","rollout":"after-current-shift","participants":["b","a"]}}]}}"#
            )],
            "[]",
        )
    };
    let limits = Limits { max_recurrence_work: 1_000, ..Limits::default() };
    // Compiling the rule caches its first 4 096 occurrences (to 2037): a change in 2030 costs
    // nothing more, one in 2060 (about 12 400 occurrences) more than 1 000 beyond them.
    assert!(Config::from_json_with_limits(&doc("2030-01-01T00:00"), limits).is_ok());
    let err = Config::from_json_with_limits(&doc("2060-01-01T00:00"), limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "schedules[0].rotations[0].changes[0].effective: reaching it needs more than 1000 occurrences of the recurrence (limit maxRecurrenceWork)"
    );
}
