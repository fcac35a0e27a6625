//! docs/rules.md: layering rotations, overrides and forwarding.
//!
//! All schedules here are in UTC unless a comment says otherwise, so expected instants are the
//! local times as written.

mod common;

use common::*;
use oncall_core::Expand;
use oncall_core::output::Kind;

/// A daily rotation from 2026-01-01 00:00Z with the given name, participants and extra fields.
fn daily(name: &str, participants: &str, extra: &str) -> String {
    format!(
        r#"{{"name":"{name}","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":{participants}{extra}}}"#
    )
}

const OFFICE: &str = r#","timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"endHour":17}}"#;

// ---------------------------------------------------------------------------------------------
// Layering rotations.

#[test]
fn equal_priority_rotations_are_on_call_together_in_rotation_order() {
    let cfg = sched("UTC", &[&daily("first", r#"["zoe","yan"]"#, ""), &daily("second", r#"["bob","amy"]"#, "")]);
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["zoe", "bob"]);
    assert_eq!(who_s(&cfg, "2026-01-02T12:00:00Z"), ["yan", "amy"]);
}

#[test]
fn higher_priority_hides_lower_and_its_gaps_fall_through() {
    let cfg = sched(
        "UTC",
        &[&daily("base", r#"["alice"]"#, ""), &daily("layer", r#"["bob"]"#, &format!(r#","priority":1{OFFICE}"#))],
    );
    assert_eq!(who_s(&cfg, "2026-01-05T08:59:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-01-05T09:00:00Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-01-05T16:59:59Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-01-05T17:00:00Z"), ["alice"]);
}

#[test]
fn a_none_turn_in_a_higher_layer_lets_the_lower_layer_show() {
    let cfg = sched(
        "UTC",
        &[&daily("base", r#"["alice"]"#, ""), &daily("layer", r#"["bob",{"type":"none"}]"#, r#","priority":5"#)],
    );
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-01-02T12:00:00Z"), ["alice"]);
}

#[test]
fn a_layer_before_its_start_date_lets_the_lower_layer_show() {
    let cfg = sched(
        "UTC",
        &[
            &daily("base", r#"["alice"]"#, ""),
            r#"{"name":"layer","type":"daily","priority":1,"startDate":"2026-02-01T00:00:00Z",
                "endDate":"2026-03-01T00:00:00Z","participants":["bob"]}"#,
        ],
    );
    assert_eq!(who_s(&cfg, "2026-01-31T23:59:59Z"), ["alice"]);
    assert_eq!(who_s(&cfg, "2026-02-01T00:00:00Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-03-01T00:00:00Z"), ["alice"]);
}

#[test]
fn equal_highest_priorities_share() {
    let cfg = sched(
        "UTC",
        &[
            &daily("low", r#"["carol"]"#, ""),
            &daily("high1", r#"["alice"]"#, r#","priority":2"#),
            &daily("high2", r#"["bob"]"#, r#","priority":2"#),
        ],
    );
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["alice", "bob"]);
}

#[test]
fn a_user_reached_twice_is_listed_once_in_first_position() {
    let cfg =
        sched("UTC", &[&daily("a", r#"["bob"]"#, ""), &daily("b", r#"["alice"]"#, ""), &daily("c", r#"["bob"]"#, "")]);
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["bob", "alice"]);
    let nested = cfg.schedule("s").unwrap().on_call(t("2026-01-01T12:00:00Z")).unwrap();
    let names: Vec<&str> = nested.on_call_participants.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["bob", "alice"]);
}

#[test]
fn a_disabled_schedule_still_answers() {
    let cfg = config(
        r#"{"schedules":[{"name":"off","enabled":false,"rotations":[
            {"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}]}]}"#,
    );
    let s = cfg.schedule("off").unwrap();
    let answer = s.on_call(t("2026-01-02T00:00:00Z")).unwrap();
    assert!(!answer.parent.enabled);
    assert_eq!(answer.parent.name, "off");
    assert_eq!(answer.flat().on_call_recipients, ["alice"]);
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(json["_parent"]["enabled"], false);
    assert!(!s.next_on_call(t("2026-01-02T00:00:00Z")).unwrap().parent.enabled);
}

// ---------------------------------------------------------------------------------------------
// Overrides.

#[test]
fn rotation_scoped_override_applies_only_where_the_rotation_is_active() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("office", r#"["alice"]"#, OFFICE), &daily("all", r#"["bob"]"#, "")],
        r#"[{"user":"zed","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-06T00:00:00Z",
             "rotations":[{"name":"office"}]}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-05T08:00:00Z"), ["bob"], "office is restricted out: no override");
    assert_eq!(who_s(&cfg, "2026-01-05T10:00:00Z"), ["zed", "bob"]);
    assert_eq!(who_s(&cfg, "2026-01-05T18:00:00Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-01-06T10:00:00Z"), ["alice", "bob"]);
}

#[test]
fn rotation_scoped_override_takes_a_none_turn() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("r", r#"["alice",{"type":"none"}]"#, "")],
        r#"[{"user":"zed","startDate":"2026-01-02T06:00:00Z","endDate":"2026-01-02T18:00:00Z",
             "rotations":[{"name":"r"}]}]"#,
    );
    assert!(who_s(&cfg, "2026-01-02T05:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-02T06:00:00Z"), ["zed"]);
    assert!(who_s(&cfg, "2026-01-02T18:00:00Z").is_empty());
}

#[test]
fn rotation_scoped_override_does_not_apply_outside_the_rotation_dates() {
    let cfg = sched_with_overrides(
        "UTC",
        &[r#"{"name":"r","type":"daily","startDate":"2026-01-03T00:00:00Z","participants":["alice"]}"#],
        r#"[{"user":"zed","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-04T00:00:00Z",
             "rotations":[{"name":"r"}]}]"#,
    );
    assert!(who_s(&cfg, "2026-01-02T12:00:00Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-03T12:00:00Z"), ["zed"]);
}

#[test]
fn rotation_scoped_none_override_lets_a_lower_layer_show() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("base", r#"["alice"]"#, ""), &daily("top", r#"["bob"]"#, r#","priority":1"#)],
        r#"[{"user":{"type":"none"},"startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z",
             "rotations":[{"name":"top"}]}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["bob"]);
    assert_eq!(who_s(&cfg, "2026-01-02T12:00:00Z"), ["alice"]);
}

#[test]
fn schedule_wide_override_replaces_the_whole_set_and_fills_gaps() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("office", r#"["alice"]"#, OFFICE), &daily("other", r#"["bob"]"#, OFFICE)],
        r#"[{"user":"zed","startDate":"2026-01-05T06:00:00Z","endDate":"2026-01-05T12:00:00Z"}]"#,
    );
    assert!(who_s(&cfg, "2026-01-05T05:59:59Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-05T06:00:00Z"), ["zed"], "fills the gap before 09:00");
    assert_eq!(who_s(&cfg, "2026-01-05T10:00:00Z"), ["zed"], "replaces both rotations");
    assert_eq!(who_s(&cfg, "2026-01-05T12:00:00Z"), ["alice", "bob"]);
}

#[test]
fn schedule_wide_none_override_means_nobody_at_all() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("a", r#"["alice"]"#, ""), &daily("b", r#"["bob"]"#, r#","priority":3"#)],
        r#"[{"user":{"type":"none"},"startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-06T00:00:00Z"}]"#,
    );
    assert!(who_s(&cfg, "2026-01-05T12:00:00Z").is_empty());
    assert_eq!(who_s(&cfg, "2026-01-06T00:00:00Z"), ["bob"]);
}

#[test]
fn schedule_wide_beats_rotation_scoped_even_when_listed_earlier() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("r", r#"["alice"]"#, "")],
        r#"[{"user":"wide","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-06T00:00:00Z"},
            {"user":"scoped","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-07T00:00:00Z",
             "rotations":[{"name":"r"}]}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-05T12:00:00Z"), ["wide"]);
    assert_eq!(who_s(&cfg, "2026-01-06T12:00:00Z"), ["scoped"]);
}

#[test]
fn later_override_in_the_list_wins_and_the_earlier_one_resumes() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("r", r#"["alice"]"#, "")],
        r#"[{"user":"first","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-05T12:00:00Z"},
            {"user":"second","startDate":"2026-01-05T06:00:00Z","endDate":"2026-01-05T09:00:00Z"}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-05T05:00:00Z"), ["first"]);
    assert_eq!(who_s(&cfg, "2026-01-05T07:00:00Z"), ["second"]);
    assert_eq!(who_s(&cfg, "2026-01-05T10:00:00Z"), ["first"]);
    assert_eq!(who_s(&cfg, "2026-01-05T12:00:00Z"), ["alice"]);
}

#[test]
fn later_rotation_scoped_override_wins_over_an_earlier_one() {
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("r", r#"["alice"]"#, "")],
        r#"[{"user":"first","startDate":"2026-01-05T06:00:00Z","endDate":"2026-01-05T09:00:00Z","rotations":[{"name":"r"}]},
            {"user":"second","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-05T12:00:00Z","rotations":[{"name":"r"}]}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-05T07:00:00Z"), ["second"]);
}

#[test]
fn overrides_do_not_change_turn_counting() {
    // Daily a/b/c; the whole of 01-02 (b's turn) is overridden; 01-03 is still c's turn.
    let cfg = sched_with_overrides(
        "UTC",
        &[&daily("r", r#"["alice","bob","carol"]"#, "")],
        r#"[{"user":"zed","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z","rotations":[{"name":"r"}]}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-02T12:00:00Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-01-03T00:00:00Z"), ["carol"]);
    // Hand-offs are by turns, not overrides.
    assert_eq!(
        handoffs(&cfg, "r", "2026-01-01T12:00:00Z", 2),
        ["2026-01-02T00:00:00Z bob", "2026-01-03T00:00:00Z carol"]
    );
}

#[test]
fn override_by_rotation_id() {
    let cfg = sched_with_overrides(
        "UTC",
        &[r#"{"id":"rot-1","name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}"#],
        r#"[{"user":{"type":"user","username":"zed"},"startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-06T00:00:00Z",
             "rotations":[{"id":"rot-1"}]}]"#,
    );
    assert_eq!(who_s(&cfg, "2026-01-05T12:00:00Z"), ["zed"]);
}

// ---------------------------------------------------------------------------------------------
// Forwarding.

fn with_forwarding(rules: &str) -> oncall_core::Config {
    config(&format!(
        r#"{{"schedules":[
            {{"name":"s","rotations":[{{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}}]}},
            {{"name":"s2","rotations":[{{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["carl","alice"]}}]}}],
          "forwardingRules":{rules}}}"#
    ))
}

fn fwd(from: &str, to: &str, start: &str, end: &str) -> String {
    format!(
        r#"{{"alias":"{from}-{to}","fromUser":{{"username":"{from}"}},"toUser":{{"username":"{to}"}},"startDate":"{start}","endDate":"{end}"}}"#
    )
}

#[test]
fn forwarding_shows_the_target_with_forwarded_from() {
    let rules = format!("[{}]", fwd("alice", "bob", "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"));
    let cfg = with_forwarding(&rules);
    assert_eq!(who_s(&cfg, "2026-01-04T23:59:59Z"), ["alice"]);
    let answer = cfg.schedule("s").unwrap().on_call(t("2026-01-05T00:00:00Z")).unwrap();
    assert_eq!(answer.flat().on_call_recipients, ["bob"]);
    let p = &answer.on_call_participants[0];
    assert_eq!((p.name.as_str(), p.kind), ("bob", Kind::User));
    assert_eq!(p.forwarded_from.as_ref().map(|f| f.name.as_str()), Some("alice"));
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(json["onCallParticipants"][0]["forwardedFrom"]["name"], "alice");
    assert_eq!(who_s(&cfg, "2026-01-06T00:00:00Z"), ["alice"], "half-open window");
}

#[test]
fn forwarding_applies_in_every_schedule() {
    let rules = format!("[{}]", fwd("alice", "bob", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"));
    let cfg = with_forwarding(&rules);
    assert_eq!(who(&cfg, "s", "2026-01-02T12:00:00Z"), ["bob"]);
    // s2: turn 1 on 01-02 is alice.
    assert_eq!(who(&cfg, "s2", "2026-01-02T12:00:00Z"), ["bob"]);
    assert_eq!(who(&cfg, "s2", "2026-01-03T12:00:00Z"), ["carl"]);
}

#[test]
fn forwarding_chains_are_followed() {
    let rules = format!(
        "[{},{}]",
        fwd("alice", "bob", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
        fwd("bob", "carol", "2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z")
    );
    let cfg = with_forwarding(&rules);
    assert_eq!(who_s(&cfg, "2026-01-09T12:00:00Z"), ["bob"]);
    let answer = cfg.schedule("s").unwrap().on_call(t("2026-01-10T12:00:00Z")).unwrap();
    let p = &answer.on_call_participants[0];
    assert_eq!(p.name, "carol");
    assert_eq!(p.forwarded_from.as_ref().unwrap().name, "alice");
}

#[test]
fn a_forwarding_cycle_stops_at_the_last_user_before_the_repeat_and_is_reported() {
    let rules = format!(
        "[{},{}]",
        fwd("alice", "bob", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
        fwd("bob", "alice", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    );
    let cfg = with_forwarding(&rules);
    let answer = cfg.schedule("s").unwrap().on_call(t("2026-01-10T12:00:00Z")).unwrap();
    let p = &answer.on_call_participants[0];
    assert_eq!(p.name, "bob");
    assert_eq!(p.forwarded_from.as_ref().unwrap().name, "alice");
    assert!(
        cfg.warnings().iter().any(|w| w.path.starts_with("forwardingRules[") && w.message.contains("cycle")),
        "warnings: {:?}",
        cfg.warnings()
    );
}

#[test]
fn timeline_final_periods_of_type_forwarding_carry_from_user() {
    let rules = format!("[{}]", fwd("alice", "bob", "2026-01-02T06:00:00Z", "2026-01-02T18:00:00Z"));
    let cfg = with_forwarding(&rules);
    let e = Expand { forwarding: true, ..Expand::default() };
    let tl = timeline_of(&cfg, "s", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", e);
    assert_eq!(
        periods(&tl.final_timeline, "r"),
        [
            "2026-01-02T00:00:00Z..2026-01-02T06:00:00Z default alice",
            "2026-01-02T06:00:00Z..2026-01-02T18:00:00Z forwarding bob from alice",
            "2026-01-02T18:00:00Z..2026-01-03T00:00:00Z default alice",
        ]
    );
    assert_eq!(
        periods(tl.forwarding_timeline.as_ref().unwrap(), "r"),
        ["2026-01-02T06:00:00Z..2026-01-02T18:00:00Z forwarding bob from alice"]
    );
    assert_eq!(
        final_schedule(&tl),
        [
            "2026-01-02T00:00:00Z..2026-01-02T06:00:00Z alice",
            "2026-01-02T06:00:00Z..2026-01-02T18:00:00Z bob",
            "2026-01-02T18:00:00Z..2026-01-03T00:00:00Z alice",
        ]
    );
}

#[test]
fn forwarding_applies_to_override_users_too() {
    let json = r#"{"schedules":[{"name":"s","rotations":[
            {"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}],
          "overrides":[{"user":"zed","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-06T00:00:00Z"}]}],
        "forwardingRules":[{"fromUser":{"username":"zed"},"toUser":{"username":"yan"},
          "startDate":"2026-01-05T12:00:00Z","endDate":"2026-01-05T13:00:00Z"}]}"#;
    let cfg = config(json);
    assert_eq!(who_s(&cfg, "2026-01-05T11:00:00Z"), ["zed"]);
    assert_eq!(who_s(&cfg, "2026-01-05T12:30:00Z"), ["yan"]);
}
