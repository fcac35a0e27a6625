//! docs/rules.md#queries: who, next, hand-offs, timelines, bounded work, and the expansion of team and
//! escalation participants.
//!
//! Zone facts used here: America/New_York springs forward 2026-03-08 02:00 EST → 03:00 EDT
//! (07:00Z) and falls back 2026-11-01 02:00 EDT → 01:00 EST (06:00Z); Europe/Berlin is CET (+01)
//! in January and CEST (+02) in July; Europe/London springs forward 2026-03-29 01:00 GMT → 02:00
//! BST (01:00Z).

mod common;

use common::*;
use oncall_core::output::{Kind, Participant, SCHEDULE_WIDE};
use oncall_core::{Error, Expand, IntervalUnit, MAX_TIMELINE_STEPS};

fn daily(name: &str, participants: &str, extra: &str) -> String {
    format!(
        r#"{{"name":"{name}","type":"daily","startDate":"2026-01-01T09:00:00Z","participants":{participants}{extra}}}"#
    )
}

// ---------------------------------------------------------------------------------------------
// Next on-call.

#[test]
fn next_on_call_is_the_next_change_strictly_after_at() {
    let cfg = sched("UTC", &[&daily("r", r#"["alice","bob"]"#, "")]);
    let s = cfg.schedule("s").unwrap();
    let next = s.next_on_call(t("2026-01-01T10:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-02T09:00:00Z"));
    let flat = next.flat();
    assert_eq!(flat.exact_next_on_call_participants, ["bob"]);
    assert_eq!(flat.next_on_call_participants, ["bob"]);
    // Exactly on a hand-off: that hand-off is "now", the next one is a day later.
    let next = s.next_on_call(t("2026-01-02T09:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-03T09:00:00Z"));
    assert_eq!(next.flat().exact_next_on_call_participants, ["alice"]);
    // Before the anchor, the first change is the anchor.
    let next = s.next_on_call(t("2025-12-31T00:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-01T09:00:00Z"));
    assert_eq!(next.flat().exact_next_on_call_participants, ["alice"]);
}

#[test]
fn next_on_call_skips_handoffs_that_change_nothing() {
    // "solo" hands off to alice every day (no change); "weekly" changes on Monday 2026-01-12.
    let cfg = sched(
        "UTC",
        &[
            &daily("solo", r#"["alice"]"#, ""),
            r#"{"name":"weekly","type":"weekly","startDate":"2026-01-05T00:00:00Z","participants":["bob","carol"]}"#,
        ],
    );
    let next = cfg.schedule("s").unwrap().next_on_call(t("2026-01-06T12:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-12T00:00:00Z"));
    let flat = next.flat();
    assert_eq!(flat.exact_next_on_call_participants, ["alice", "carol"]);
    // Per rotation: the participant of its next shift, in rotation order.
    assert_eq!(flat.next_on_call_participants, ["alice", "carol"]);
}

#[test]
fn next_on_call_change_can_be_a_restriction_edge() {
    let cfg = sched(
        "UTC",
        &[&daily(
            "r",
            r#"["alice"]"#,
            r#","timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"endHour":17}}"#,
        )],
    );
    let next = cfg.schedule("s").unwrap().next_on_call(t("2026-01-05T10:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-05T17:00:00Z"));
    assert!(next.exact_next_on_call_recipients.is_empty());
}

#[test]
fn next_on_call_sees_an_upcoming_override() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("r", r#"["alice"]"#, "")],
        r#"[{"user":"zed","startDate":"2026-01-05T12:00:00Z","endDate":"2026-01-05T13:00:00Z"}]"#,
    );
    let next = cfg.schedule("s").unwrap().next_on_call(t("2026-01-05T10:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-05T12:00:00Z"));
    assert_eq!(next.flat().exact_next_on_call_participants, ["zed"]);
}

#[test]
fn next_on_call_is_null_when_every_rotation_has_ended() {
    let cfg = sched(
        "UTC",
        &[r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","endDate":"2026-01-03T00:00:00Z",
              "participants":["alice","bob"]}"#],
    );
    let s = cfg.schedule("s").unwrap();
    // Before the end, the next change is the end itself (to nobody).
    let next = s.next_on_call(t("2026-01-02T12:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-03T00:00:00Z"));
    assert!(next.exact_next_on_call_recipients.is_empty());
    assert!(next.next_on_call_recipients.is_empty(), "no further shift of the rotation");
    // After the end nothing ever changes.
    let next = s.next_on_call(t("2026-01-05T00:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at, None);
    assert!(next.next_on_call_recipients.is_empty());
    assert!(next.exact_next_on_call_recipients.is_empty());
    let json = serde_json::to_value(next.flat()).unwrap();
    assert!(json["exactNextOnCallAt"].is_null());
}

// ---------------------------------------------------------------------------------------------
// Hand-offs.

#[test]
fn handoffs_are_strictly_after_from() {
    let cfg = sched("UTC", &[&daily("r", r#"["alice","bob","carol"]"#, "")]);
    assert_eq!(
        handoffs(&cfg, "r", "2026-01-02T09:00:00Z", 2),
        ["2026-01-03T09:00:00Z carol", "2026-01-04T09:00:00Z alice"]
    );
    assert_eq!(
        handoffs(&cfg, "r", "2026-01-02T08:59:59Z", 2),
        ["2026-01-02T09:00:00Z bob", "2026-01-03T09:00:00Z carol"]
    );
    // Before the anchor the first hand-off is the anchor itself.
    assert_eq!(handoffs(&cfg, "r", "2020-01-01T00:00:00Z", 1), ["2026-01-01T09:00:00Z alice"]);
}

#[test]
fn handoff_list_counts_and_names_the_rotation() {
    let cfg = sched("UTC", &[&daily("r", r#"["alice","bob"]"#, "")]);
    let s = cfg.schedule("s").unwrap();
    let list = s.handoff_list("r", t("2026-01-01T12:00:00Z"), 3).unwrap();
    assert_eq!(list.rotation, "r");
    assert_eq!(list.parent.name, "s");
    let got: Vec<String> = list.handoffs.iter().map(|h| f(h.at)).collect();
    assert_eq!(got, ["2026-01-02T09:00:00Z", "2026-01-03T09:00:00Z", "2026-01-04T09:00:00Z"]);
    let json = serde_json::to_value(&list).unwrap();
    assert_eq!(json["handoffs"][0]["participant"]["name"], "bob");
    assert_eq!(json["handoffs"][0]["participant"]["type"], "user");
    assert!(matches!(s.handoff_list("nope", t("2026-01-01T12:00:00Z"), 3), Err(Error::UnknownRotation { .. })));
}

#[test]
fn unknown_schedule_is_an_error() {
    let cfg = sched("UTC", &[&daily("r", r#"["alice"]"#, "")]);
    assert!(matches!(cfg.schedule("nope"), Err(Error::UnknownSchedule { .. })));
}

// ---------------------------------------------------------------------------------------------
// Timelines.

#[test]
fn timeline_periods_are_clipped_to_the_window() {
    let cfg = sched(
        "UTC",
        &[r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice","bob"]}"#],
    );
    let tl = timeline(&cfg, "2026-01-01T12:00:00Z", "2026-01-03T06:00:00Z");
    assert_eq!(f(tl.start_date), "2026-01-01T12:00:00Z");
    assert_eq!(f(tl.end_date), "2026-01-03T06:00:00Z");
    assert_eq!(
        periods(&tl.final_timeline, "r"),
        [
            "2026-01-01T12:00:00Z..2026-01-02T00:00:00Z default alice",
            "2026-01-02T00:00:00Z..2026-01-03T00:00:00Z default bob",
            "2026-01-03T00:00:00Z..2026-01-03T06:00:00Z default alice",
        ]
    );
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-01-01T12:00:00Z..2026-01-02T00:00:00Z alice",
            "2026-01-02T00:00:00Z..2026-01-03T00:00:00Z bob",
            "2026-01-03T00:00:00Z..2026-01-03T06:00:00Z alice",
        ]
    );
}

#[test]
fn final_schedule_has_gaps_and_merges_equal_neighbours_across_rotations() {
    // alice is on call 00–12 through one rotation and 12–24 through another on Jan 5 and 6; the
    // final schedule is one segment. bob covers 06–08 on Jan 6 only (a weekly rotation from
    // Tuesday 06:00 restricted to 06:00–08:00); the window starts with a gap before 2026-01-05.
    let cfg = sched(
        "UTC",
        &[
            r#"{"name":"am","type":"daily","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-07T00:00:00Z","participants":["alice"],
                "timeRestriction":{"type":"time-of-day","restriction":{"startHour":0,"endHour":12}}}"#,
            r#"{"name":"pm","type":"daily","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-07T00:00:00Z","participants":["alice"],
                "timeRestriction":{"type":"time-of-day","restriction":{"startHour":12,"endHour":24}}}"#,
            r#"{"name":"bob","type":"weekly","startDate":"2026-01-06T06:00:00Z","endDate":"2026-01-07T00:00:00Z","participants":["bob"],
                "timeRestriction":{"type":"time-of-day","restriction":{"startHour":6,"endHour":8}}}"#,
        ],
    );
    let tl = timeline(&cfg, "2026-01-04T12:00:00Z", "2026-01-07T12:00:00Z");
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-01-04T12:00:00Z..2026-01-05T00:00:00Z -",
            "2026-01-05T00:00:00Z..2026-01-06T06:00:00Z alice",
            "2026-01-06T06:00:00Z..2026-01-06T08:00:00Z alice,bob",
            "2026-01-06T08:00:00Z..2026-01-07T00:00:00Z alice",
            "2026-01-07T00:00:00Z..2026-01-07T12:00:00Z -",
        ]
    );
    assert_eq!(
        periods(&tl.final_timeline, "am"),
        [
            "2026-01-05T00:00:00Z..2026-01-05T12:00:00Z default alice",
            "2026-01-06T00:00:00Z..2026-01-06T12:00:00Z default alice",
        ]
    );
}

#[test]
fn final_schedule_recipients_are_sorted() {
    let cfg = sched("UTC", &[&daily("a", r#"["zoe"]"#, ""), &daily("b", r#"["adam"]"#, "")]);
    assert_eq!(who_s(&cfg, "2026-01-02T00:00:00Z"), ["zoe", "adam"], "who keeps rotation order");
    let tl = timeline(&cfg, "2026-01-02T00:00:00Z", "2026-01-02T01:00:00Z");
    assert_eq!(final_schedule(&tl), ["2026-01-02T00:00:00Z..2026-01-02T01:00:00Z adam,zoe"]);
}

/// A busy schedule: layers, restrictions over DST, a none turn, overrides of both scopes and
/// forwarding, in New York around the 2026-03-08 transition.
fn busy() -> oncall_core::Config {
    config(
        r#"{"schedules":[{"name":"s","timezone":"America/New_York","rotations":[
            {"name":"base","type":"daily","startDate":"2026-03-01T09:00","participants":["alice","bob",{"type":"none"}]},
            {"name":"night","type":"hourly","length":12,"priority":1,"startDate":"2026-03-01T21:00",
             "participants":["carol",{"type":"none"},"dave"],
             "timeRestriction":{"type":"time-of-day","restriction":{"startHour":22,"endHour":6}}},
            {"name":"weekend","type":"weekly","startDate":"2026-03-02T00:00","participants":["erin","frank"],
             "timeRestriction":{"type":"weekday-and-time-of-day","restrictions":[
               {"startDay":"friday","startHour":17,"startMin":0,"endDay":"monday","endHour":8,"endMin":0}]}}],
          "overrides":[
            {"user":"zed","startDate":"2026-03-07T12:00","endDate":"2026-03-08T12:00","rotations":[{"name":"weekend"}]},
            {"user":"yan","startDate":"2026-03-10T03:00","endDate":"2026-03-10T05:00"}]}],
          "forwardingRules":[{"fromUser":{"username":"bob"},"toUser":{"username":"gus"},
            "startDate":"2026-03-09T00:00:00Z","endDate":"2026-03-12T00:00:00Z"}]}"#,
    )
}

#[test]
fn final_schedule_covers_the_window_contiguously_and_agrees_with_who() {
    let cfg = busy();
    let (from, to) = ("2026-03-01T00:00:00Z", "2026-03-15T00:00:00Z");
    let tl = timeline(&cfg, from, to);
    let segs = &tl.final_schedule;
    assert!(segs.len() > 10, "a busy fortnight: {:#?}", final_schedule(&tl));
    assert_eq!(f(segs[0].start_date), from);
    assert_eq!(f(segs[segs.len() - 1].end_date), to);
    for w in segs.windows(2) {
        assert_eq!(w[0].end_date, w[1].start_date, "contiguous");
        assert_ne!(w[0].recipients, w[1].recipients, "adjacent equal segments are merged");
    }
    for seg in segs {
        assert!(seg.start_date < seg.end_date);
        let last = seg.end_date - chrono::Duration::seconds(1);
        for at in [seg.start_date, last] {
            let mut now = who_s(&cfg, &f(at));
            now.sort();
            assert_eq!(now, seg.recipients, "at {}", f(at));
        }
    }
    // The streaming API gives the same segments.
    let streamed: Vec<_> = cfg.schedule("s").unwrap().segments(t(from), t(to)).unwrap().collect();
    assert_eq!(&streamed, segs);
}

#[test]
fn expand_layers_appear_only_when_asked() {
    let cfg = sched_with_overrides(
        "UTC",
        &[r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice","bob"]}"#],
        r#"[{"user":"zed","startDate":"2026-01-01T06:00:00Z","endDate":"2026-01-01T12:00:00Z","rotations":[{"name":"r"}]},
            {"user":"yan","startDate":"2026-01-01T18:00:00Z","endDate":"2026-01-01T20:00:00Z"}]"#,
    );
    let (from, to) = ("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
    let plain = timeline(&cfg, from, to);
    assert!(plain.base_timeline.is_none() && plain.override_timeline.is_none() && plain.forwarding_timeline.is_none());
    let json = serde_json::to_value(&plain).unwrap();
    assert!(json.get("baseTimeline").is_none() && json.get("overrideTimeline").is_none());
    assert!(json.get("forwardingTimeline").is_none());
    assert_eq!(
        periods(&plain.final_timeline, "r"),
        [
            "2026-01-01T00:00:00Z..2026-01-01T06:00:00Z default alice",
            "2026-01-01T06:00:00Z..2026-01-01T12:00:00Z override zed",
            "2026-01-01T12:00:00Z..2026-01-01T18:00:00Z default alice",
            "2026-01-01T18:00:00Z..2026-01-01T20:00:00Z override yan",
            "2026-01-01T20:00:00Z..2026-01-02T00:00:00Z default alice",
        ]
    );
    // The schedule-wide override is placed in the rotation it overrides, as Opsgenie shows it:
    // no entry of its own, and `order` counts from 1.
    assert_eq!(plain.final_timeline.rotations.len(), 1);
    assert!(plain.final_timeline.rotations.iter().all(|r| r.name != SCHEDULE_WIDE));
    assert_eq!(json["finalTimeline"]["rotations"][0]["order"], serde_json::json!(1.0));

    let all = Expand::parse("base,override,forwarding").unwrap();
    let full = timeline_of(&cfg, "s", from, to, all);
    assert_eq!(
        periods(full.base_timeline.as_ref().unwrap(), "r"),
        ["2026-01-01T00:00:00Z..2026-01-02T00:00:00Z default alice"]
    );
    let over = full.override_timeline.as_ref().unwrap();
    assert_eq!(
        periods(over, "r"),
        [
            "2026-01-01T06:00:00Z..2026-01-01T12:00:00Z override zed",
            "2026-01-01T18:00:00Z..2026-01-01T20:00:00Z override yan"
        ]
    );
    assert_eq!(over.rotations.len(), 1);
    assert!(periods(full.forwarding_timeline.as_ref().unwrap(), "r").is_empty());
    assert_eq!(full.final_schedule, plain.final_schedule);
    assert!(Expand::parse("bogus").is_err());
}

#[test]
fn timeline_window_must_not_be_empty() {
    let cfg = sched("UTC", &[&daily("r", r#"["alice"]"#, "")]);
    let s = cfg.schedule("s").unwrap();
    let at = t("2026-01-01T00:00:00Z");
    assert!(matches!(s.timeline(at, at, Expand::default()), Err(Error::InvalidArgument { .. })));
    assert!(s.segments(at, t("2025-01-01T00:00:00Z")).is_err());
}

#[test]
fn interval_windows_are_counted_in_the_schedule_zone() {
    // London: local midnight 2026-03-23 is 00:00Z (GMT); a week later is 2026-03-30 00:00 BST = 03-29T23:00Z.
    let cfg = sched("Europe/London", &[&daily("r", r#"["alice"]"#, "")]);
    let s = cfg.schedule("s").unwrap();
    let from = s.parse_time("2026-03-23T00:00").unwrap();
    assert_eq!(f(from), "2026-03-23T00:00:00Z");
    assert_eq!(f(s.interval_end(from, 1, IntervalUnit::Weeks).unwrap()), "2026-03-29T23:00:00Z");
    // New York: 2026-03-07 00:00 EST = 05:00Z; two days later 03-09 00:00 EDT = 04:00Z.
    // 2026-10-15 00:00 EDT = 04:00Z; a month later 11-15 00:00 EST = 05:00Z.
    let cfg = sched("America/New_York", &[&daily("r", r#"["alice"]"#, "")]);
    let s = cfg.schedule("s").unwrap();
    assert_eq!(f(s.interval_end(t("2026-03-07T05:00:00Z"), 2, IntervalUnit::Days).unwrap()), "2026-03-09T04:00:00Z");
    assert_eq!(f(s.interval_end(t("2026-10-15T04:00:00Z"), 1, IntervalUnit::Months).unwrap()), "2026-11-15T05:00:00Z");
}

// ---------------------------------------------------------------------------------------------
// Bounded work.

const HOURLY: &str = r#"{"name":"r","type":"hourly","startDate":"2000-01-01T00:00:00Z","participants":["a","b","c"]}"#;

#[test]
fn a_two_hundred_year_hourly_timeline_is_refused_quickly() {
    let cfg = sched("UTC", &[HOURLY]);
    let s = cfg.schedule("s").unwrap();
    let (result, took) = timed(|| s.timeline(t("2000-01-01T00:00:00Z"), t("2199-12-31T00:00:00Z"), Expand::default()));
    let err = result.unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { limit: "maxTimelinePeriods", .. }), "{err:?}");
    assert!(err.to_string().contains(&MAX_TIMELINE_STEPS.to_string()), "the error names the limit: {err}");
    assert!(took.as_secs() < 15, "refused after {took:?}");
}

#[test]
fn segments_stream_a_hundred_years_lazily() {
    let cfg = sched("UTC", &[HOURLY]);
    let s = cfg.schedule("s").unwrap();
    let (first, took) = timed(|| {
        s.segments(t("2000-01-01T00:00:00Z"), t("2100-01-01T00:00:00Z"))
            .unwrap()
            .take(5)
            .map(|s| format!("{}..{} {}", f(s.start_date), f(s.end_date), s.recipients.join(",")))
            .collect::<Vec<String>>()
    });
    assert_eq!(
        first,
        [
            "2000-01-01T00:00:00Z..2000-01-01T01:00:00Z a",
            "2000-01-01T01:00:00Z..2000-01-01T02:00:00Z b",
            "2000-01-01T02:00:00Z..2000-01-01T03:00:00Z c",
            "2000-01-01T03:00:00Z..2000-01-01T04:00:00Z a",
            "2000-01-01T04:00:00Z..2000-01-01T05:00:00Z b",
        ]
    );
    assert!(took.as_secs() < 2, "took {took:?}");
}

// ---------------------------------------------------------------------------------------------
// Team and escalation participants.

const ROUTING: &str = r#"{
  "teams":[
    {"name":"platform","members":[{"user":{"username":"m1"}},{"user":{"username":"m2"},"role":"admin"}],
     "routingRules":[
       {"name":"office","timezone":"Europe/Berlin",
        "timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"endHour":17}},
        "notify":{"type":"escalation","name":"day-esc"}},
       {"name":"rest","notify":{"type":"schedule","name":"night"}}]},
    {"name":"bare","members":[{"user":{"username":"m1"}},{"user":{"username":"m2"}}]}],
  "escalations":[{"name":"day-esc","rules":[
    {"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":0},"recipient":{"type":"user","username":"e0"}},
    {"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":10},"recipient":{"type":"user","username":"e10"}},
    {"condition":"if-not-acked","notifyType":"default","delay":{"timeAmount":0},"recipient":{"type":"schedule","name":"night"}}]}],
  "schedules":[
    {"name":"front","rotations":[{"name":"r","type":"weekly","startDate":"2026-01-05T00:00:00Z","participants":[{"type":"team","name":"platform"}]}]},
    {"name":"night","rotations":[{"name":"n","type":"weekly","startDate":"2026-01-05T00:00:00Z","participants":["nina"]}]},
    {"name":"bare-front","rotations":[{"name":"r","type":"weekly","startDate":"2026-01-05T00:00:00Z","participants":[{"type":"team","name":"bare"}]}]},
    {"name":"esc-front","rotations":[{"name":"r","type":"weekly","startDate":"2026-01-05T00:00:00Z","participants":[{"type":"escalation","name":"day-esc"}]}]}]}"#;

fn children(p: &Participant) -> &[Participant] {
    p.on_call_participants.as_deref().unwrap_or_else(|| panic!("{} has no nested participants", p.name))
}

#[test]
fn team_participant_uses_the_first_matching_routing_rule_in_its_zone() {
    let cfg = config(ROUTING);
    // July, Berlin CEST (+02): office hours 09:00–17:00 = 07:00Z–15:00Z.
    assert_eq!(who(&cfg, "front", "2026-07-01T06:59:59Z"), ["nina"]);
    assert_eq!(who(&cfg, "front", "2026-07-01T07:00:00Z"), ["e0", "nina"]);
    assert_eq!(who(&cfg, "front", "2026-07-01T14:59:59Z"), ["e0", "nina"]);
    assert_eq!(who(&cfg, "front", "2026-07-01T15:00:00Z"), ["nina"]);
    // January, Berlin CET (+01): office hours = 08:00Z–16:00Z.
    assert_eq!(who(&cfg, "front", "2026-01-07T07:59:59Z"), ["nina"]);
    assert_eq!(who(&cfg, "front", "2026-01-07T08:00:00Z"), ["e0", "nina"]);
    // Nested shape outside office hours: team → schedule → user.
    let answer = cfg.schedule("front").unwrap().on_call(t("2026-07-01T20:00:00Z")).unwrap();
    let team = &answer.on_call_participants[0];
    assert_eq!((team.name.as_str(), team.kind), ("platform", Kind::Team));
    let sched = &children(team)[0];
    assert_eq!((sched.name.as_str(), sched.kind), ("night", Kind::Schedule));
    assert_eq!(children(sched)[0].name, "nina");
}

#[test]
fn team_without_routing_expands_to_all_members() {
    let cfg = config(ROUTING);
    assert_eq!(who(&cfg, "bare-front", "2026-07-01T12:00:00Z"), ["m1", "m2"]);
}

#[test]
fn escalation_participant_expands_to_rules_with_time_and_notify_type() {
    let cfg = config(ROUTING);
    let answer = cfg.schedule("esc-front").unwrap().on_call(t("2026-07-01T12:00:00Z")).unwrap();
    let esc = &answer.on_call_participants[0];
    assert_eq!((esc.name.as_str(), esc.kind), ("day-esc", Kind::Escalation));
    let rules: Vec<(String, Kind, Option<i64>, Option<String>)> =
        children(esc).iter().map(|p| (p.name.clone(), p.kind, p.escalation_time, p.notify_type.clone())).collect();
    let d = Some("default".to_string());
    assert_eq!(
        rules,
        [
            ("e0".to_string(), Kind::User, Some(0), d.clone()),
            ("e10".to_string(), Kind::User, Some(10), d.clone()),
            ("night".to_string(), Kind::Schedule, Some(0), d),
        ]
    );
    // Flat recipients only from delay-0 rules.
    assert_eq!(answer.flat().on_call_recipients, ["e0", "nina"]);
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(json["onCallParticipants"][0]["onCallParticipants"][1]["escalationTime"], 10);
    assert_eq!(json["onCallParticipants"][0]["onCallParticipants"][1]["notifyType"], "default");
}

#[test]
fn a_reference_cycle_expands_to_nobody_on_its_second_visit_and_is_reported() {
    // Schedule a → team loop → escalation loop-esc → schedule a.
    let cfg = config(
        r#"{"teams":[{"name":"loop","routingRules":[{"notify":{"type":"escalation","name":"loop-esc"}}]}],
            "escalations":[{"name":"loop-esc","rules":[
              {"delay":{"timeAmount":0},"recipient":{"type":"user","username":"first"}},
              {"delay":{"timeAmount":0},"recipient":{"type":"schedule","name":"a"}}]}],
            "schedules":[{"name":"a","rotations":[{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z",
              "participants":[{"type":"team","name":"loop"}]}]}]}"#,
    );
    let answer = cfg.schedule("a").unwrap().on_call(t("2026-01-02T00:00:00Z")).unwrap();
    assert_eq!(answer.flat().on_call_recipients, ["first"]);
    let team = &answer.on_call_participants[0];
    let esc = &children(team)[0];
    let again = &children(esc)[1];
    assert_eq!((again.name.as_str(), again.kind), ("a", Kind::Schedule));
    assert!(children(again).is_empty(), "the second visit expands to nobody");
    assert!(
        cfg.warnings().iter().any(|w| w.message.contains("cycle")),
        "Config::warnings reports the cycle: {:?}",
        cfg.warnings()
    );
}

#[test]
fn a_configuration_without_cycles_has_no_cycle_warnings() {
    // The fixture's rotations have one participant each on purpose, which a single-participant
    // lint may report; nothing else may be reported (in particular no reference or forwarding cycle).
    let warnings = config(ROUTING).warnings().to_vec();
    assert!(warnings.iter().all(|w| w.message.contains("single participant")), "{warnings:?}");
}

#[test]
fn team_routing_windows_are_boundaries_of_the_timeline() {
    // July, Berlin CEST (+02): the office rule applies 07:00Z–15:00Z.
    let cfg = config(ROUTING);
    let tl = timeline_of(&cfg, "front", "2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z", Expand::default());
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-07-01T00:00:00Z..2026-07-01T07:00:00Z nina",
            "2026-07-01T07:00:00Z..2026-07-01T15:00:00Z e0,nina",
            "2026-07-01T15:00:00Z..2026-07-02T00:00:00Z nina",
        ]
    );
    let next = cfg.schedule("front").unwrap().next_on_call(t("2026-07-01T03:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-07-01T07:00:00Z"));
}

#[test]
fn an_escalation_targeting_a_disabled_schedule_notifies_nobody_from_it() {
    let cfg = config(
        r#"{"escalations":[{"name":"esc","rules":[
              {"delay":{"timeAmount":0},"recipient":{"type":"schedule","name":"off"}},
              {"delay":{"timeAmount":0},"recipient":{"type":"user","username":"boss"}}]}],
            "schedules":[
              {"name":"off","enabled":false,"rotations":[{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}]},
              {"name":"front","rotations":[{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z",
                "participants":[{"type":"escalation","name":"esc"}]}]}]}"#,
    );
    assert_eq!(who(&cfg, "off", "2026-01-02T00:00:00Z"), ["alice"], "the disabled schedule itself still answers");
    let answer = cfg.schedule("front").unwrap().on_call(t("2026-01-02T00:00:00Z")).unwrap();
    assert_eq!(answer.flat().on_call_recipients, ["boss"]);
    let off = &children(&answer.on_call_participants[0])[0];
    assert_eq!((off.name.as_str(), off.kind), ("off", Kind::Schedule));
    assert!(children(off).is_empty());
}

#[test]
fn base_layer_shows_hidden_rotations_that_the_final_layer_leaves_out() {
    let cfg = sched(
        "UTC",
        &[
            r#"{"name":"low","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}"#,
            r#"{"name":"high","type":"daily","priority":1,"startDate":"2026-01-01T00:00:00Z","participants":["bob"],
                "timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"endHour":17}}}"#,
        ],
    );
    let e = Expand { base: true, ..Expand::default() };
    let tl = timeline_of(&cfg, "s", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", e);
    assert_eq!(
        periods(&tl.final_timeline, "low"),
        [
            "2026-01-02T00:00:00Z..2026-01-02T09:00:00Z default alice",
            "2026-01-02T17:00:00Z..2026-01-03T00:00:00Z default alice",
        ]
    );
    assert_eq!(periods(&tl.final_timeline, "high"), ["2026-01-02T09:00:00Z..2026-01-02T17:00:00Z default bob"]);
    let base = tl.base_timeline.as_ref().unwrap();
    assert_eq!(periods(base, "low"), ["2026-01-02T00:00:00Z..2026-01-03T00:00:00Z default alice"]);
    assert_eq!(periods(base, "high"), ["2026-01-02T09:00:00Z..2026-01-02T17:00:00Z default bob"]);
}

#[test]
fn schedule_wide_override_on_a_schedule_without_rotations() {
    let cfg = config(
        r#"{"schedules":[{"name":"s","overrides":[
            {"user":"zed","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z"}]}]}"#,
    );
    assert!(who_s(&cfg, "2026-01-01T12:00:00Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-02T12:00:00Z"), ["zed"]);
    let next = cfg.schedule("s").unwrap().next_on_call(t("2026-01-02T12:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-01-03T00:00:00Z"));
}

#[test]
fn next_on_call_per_rotation_before_the_anchor_is_the_first_turn() {
    let cfg = sched("UTC", &[&daily("r", r#"["alice","bob"]"#, "")]);
    let next = cfg.schedule("s").unwrap().next_on_call(t("2025-06-01T00:00:00Z")).unwrap();
    assert_eq!(next.flat().next_on_call_participants, ["alice"]);
}

#[test]
fn next_on_call_per_rotation_skips_a_zero_length_shift() {
    // Hourly a b c d from 2026-03-08 00:00 EST (05:00Z): local 02:00 (c, gap) and 03:00 EDT (d) are
    // both 07:00Z, so c's shift is empty. At 06:30Z the rotation's next shift is d's, as
    // `handoffs` says and as the exact next on-call set says.
    let cfg = sched(
        "America/New_York",
        &[r#"{"name":"r","type":"hourly","startDate":"2026-03-08T00:00","participants":["a","b","c","d"]}"#],
    );
    assert_eq!(handoffs(&cfg, "r", "2026-03-08T06:30:00Z", 1), ["2026-03-08T07:00:00Z d"]);
    let next = cfg.schedule("s").unwrap().next_on_call(t("2026-03-08T06:30:00Z")).unwrap().flat();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2026-03-08T07:00:00Z"));
    assert_eq!(next.exact_next_on_call_participants, ["d"]);
    assert_eq!(next.next_on_call_participants, ["d"]);
}

#[test]
fn next_on_call_finds_a_change_more_than_ten_years_ahead() {
    // alice is on call without change until the rotation ends on 2040-01-01: that is the next change.
    let cfg = sched(
        "UTC",
        &[r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","endDate":"2040-01-01T00:00:00Z",
              "participants":["alice"]}"#],
    );
    let next = cfg.schedule("s").unwrap().next_on_call(t("2026-06-01T00:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(f).as_deref(), Some("2040-01-01T00:00:00Z"));
    assert!(next.exact_next_on_call_recipients.is_empty());
}

#[test]
fn the_same_people_in_another_order_is_no_change() {
    // Until 2026-01-05 r0 and r2 both yield cat (listed first, from r0); then only r2 does, so
    // cat is listed after ann. The set {ann, cat} never changes: there is no next change.
    let cfg = config(
        r#"{"schedules":[{"name":"s","rotations":[
            {"name":"r0","type":"daily","startDate":"2026-01-01T00:00:00Z","endDate":"2026-01-05T00:00:00Z","participants":["cat"]},
            {"name":"r1","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["ann"]},
            {"name":"r2","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["cat"]}]}]}"#,
    );
    let s = cfg.schedule("s").unwrap();
    let next = s.next_on_call(t("2026-01-02T00:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at, None);
    let tl = s.timeline(t("2026-01-02T00:00:00Z"), t("2026-01-09T00:00:00Z"), Expand::default()).unwrap();
    assert_eq!(tl.final_schedule.len(), 1);
}
