//! Gaps in escalations (issue 16): a rule whose schedule has nobody on call, under each `onGap`
//! policy of the escalation (docs/rules.md, escalation timelines).
//!
//! The document: schedule `days` has ann on call 09:00–17:00 UTC only (a daily rotation with a
//! time-of-day restriction); escalation `esc`: rule 1 at +0 → `days`, rule 2 at +10 → user bob.
//! The alert is created at 20:00 UTC, in the gap.

mod common;

use common::t;
use oncall_core::alert::{Alert, AlertEvent};
use oncall_core::escalation::{EscalateOptions, EscalationTimeline, Hop, LogKind, Target, UnreachedReason};
use oncall_core::{Config, Error, Limits};
use serde_json::{Value, json};

fn doc(on_gap: Value) -> Value {
    let mut esc = json!({"name": "esc", "rules": [
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0},
         "recipient": {"type": "schedule", "name": "days"}},
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 10},
         "recipient": {"type": "user", "username": "bob"}}]});
    if let Value::Object(extra) = on_gap {
        esc.as_object_mut().unwrap().extend(extra);
    }
    json!({
        "users": [{"username": "ann"}, {"username": "bob"}, {"username": "cat"}],
        "teams": [{"name": "oncall-leads", "members": [{"user": {"username": "cat"}}]}],
        "schedules": [{"name": "days", "rotations": [{"name": "day", "type": "daily",
            "startDate": "2026-11-01T09:00:00Z", "participants": ["ann"],
            "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}}}]}],
        "escalations": [esc]})
}

/// The one builder of this file's runs: document `d` (see [`doc`]) compiled within `limits`,
/// and the timeline of an alert to `esc` created at 20:00 UTC with `events`.
fn escalate(d: &Value, limits: Limits, events: &[AlertEvent]) -> EscalationTimeline {
    let config = Config::from_json_with_limits(&d.to_string(), limits).unwrap_or_else(|e| panic!("{e}"));
    config
        .escalate(
            &Alert::new("disk full"),
            &Target::Escalation("esc".into()),
            t("2026-11-10T20:00:00Z"),
            events,
            &EscalateOptions::default(),
        )
        .unwrap()
}

fn run(on_gap: Value) -> EscalationTimeline {
    escalate(&doc(on_gap), Limits::default(), &[])
}

/// (instant, user) of every create-alert or renotified notification.
fn sent(tl: &EscalationTimeline) -> Vec<(String, String)> {
    tl.notifications.iter().map(|n| (oncall_core::time::format_instant(n.at), n.user.clone())).collect()
}

#[test]
fn by_default_a_gap_is_reported_and_the_next_rule_keeps_its_time() {
    for policy in [json!({}), json!({"onGap": "report"}), json!({"onGap": ""})] {
        let tl = run(policy);
        assert_eq!(tl.unreached.len(), 1);
        assert_eq!(tl.unreached[0].reason, UnreachedReason::Gap);
        assert_eq!(sent(&tl), [("2026-11-10T20:10:00Z".to_string(), "bob".to_string())]);
        assert!(tl.log.iter().all(|l| l.kind != LogKind::GapPolicy));
    }
}

#[test]
fn skip_fires_the_next_rule_at_once() {
    let tl = run(json!({"onGap": "skip"}));
    assert_eq!(tl.unreached.len(), 1, "the gap is still reported");
    assert_eq!(sent(&tl), [("2026-11-10T20:00:00Z".to_string(), "bob".to_string())]);
    // Rule 2 fired once (now), not again at +10.
    let fired: Vec<_> = tl.log.iter().filter(|l| l.kind == LogKind::RuleFired).collect();
    assert_eq!(fired.len(), 2);
    assert!(tl.log.iter().any(|l| l.kind == LogKind::GapPolicy && l.message.contains("onGap skip")));
}

#[test]
fn wait_fires_the_rule_again_when_someone_comes_on_call() {
    let tl = run(json!({"onGap": "wait"}));
    assert!(tl.unreached.is_empty(), "{:?}", tl.unreached);
    assert_eq!(
        sent(&tl),
        [
            ("2026-11-10T20:10:00Z".to_string(), "bob".to_string()),
            ("2026-11-11T09:00:00Z".to_string(), "ann".to_string()),
        ]
    );
    let wait = tl.log.iter().find(|l| l.kind == LogKind::GapPolicy).unwrap();
    assert!(wait.message.contains("2026-11-11T09:00:00Z"), "{}", wait.message);
}

#[test]
fn wait_stops_at_an_acknowledgement() {
    let events = [AlertEvent::new(
        t("2026-11-10T21:00:00Z"),
        oncall_core::alert::Action::Acknowledge { user: Some("bob".into()) },
    )];
    let tl = escalate(&doc(json!({"onGap": "wait"})), Limits::default(), &events);
    assert_eq!(sent(&tl).iter().filter(|(_, u)| u == "ann").count(), 0, "if-not-acked: no retry after the ack");
    assert!(tl.log.iter().any(|l| l.kind == LogKind::RuleSkipped && l.at == t("2026-11-11T09:00:00Z")));
}

#[test]
fn wait_with_nobody_ever_on_call_again_is_reported() {
    let mut d = doc(json!({"onGap": "wait"}));
    d["schedules"][0]["rotations"][0]["endDate"] = json!("2026-11-10T12:00:00Z");
    let tl = escalate(&d, Limits::default(), &[]);
    assert_eq!(tl.unreached.len(), 1);
    assert!(tl.unreached[0].message.contains("nobody is ever on call in it again"), "{}", tl.unreached[0].message);
}

#[test]
fn wait_past_the_horizon_is_reported() {
    let mut d = doc(json!({"onGap": "wait"}));
    d["schedules"][0]["rotations"][0]["startDate"] = json!("2040-01-01T09:00:00Z");
    let tl = escalate(&d, Limits { next_horizon_days: 30, ..Limits::default() }, &[]);
    assert_eq!(tl.unreached.len(), 1);
    assert!(
        tl.unreached[0]
            .message
            .contains("nobody comes on call in it within nextHorizonDays (30 days; next at 2040-01-01T09:00:00Z)"),
        "{}",
        tl.unreached[0].message
    );
}

#[test]
fn fallback_notifies_the_named_user_or_team_instead() {
    let tl = run(json!({"onGap": "fallback", "gapFallback": {"type": "user", "username": "cat"}}));
    assert!(tl.unreached.is_empty(), "{:?}", tl.unreached);
    assert_eq!(sent(&tl)[0], ("2026-11-10T20:00:00Z".to_string(), "cat".to_string()));
    assert!(matches!(tl.notifications[0].via.last(), Some(Hop::GapFallback { schedule }) if schedule == "days"));
    let tl = run(json!({"onGap": "fallback", "gapFallback": {"type": "team", "name": "oncall-leads"}}));
    assert_eq!(sent(&tl)[0], ("2026-11-10T20:00:00Z".to_string(), "cat".to_string()));
}

#[test]
fn a_bad_policy_is_an_error_naming_its_path() {
    let cases = [
        (json!({"onGap": "later"}), "escalations[0].onGap"),
        (json!({"onGap": "fallback"}), "escalations[0].gapFallback"),
        (json!({"gapFallback": {"type": "user", "username": "cat"}}), "escalations[0].gapFallback"),
        (
            json!({"onGap": "fallback", "gapFallback": {"type": "schedule", "name": "days"}}),
            "escalations[0].gapFallback.type",
        ),
        (json!({"onGap": "fallback", "gapFallback": {"type": "team", "name": "nope"}}), "escalations[0].gapFallback"),
    ];
    for (policy, path) in cases {
        let e = Config::from_json(&doc(policy.clone()).to_string()).unwrap_err();
        let Error::Invalid(problems) = &e else { panic!("{policy}: {e:?}") };
        assert!(problems.iter().any(|p| p.path == path), "{policy}: {problems:?}");
    }
}

#[test]
fn skip_chains_through_consecutive_gaps() {
    let mut d = doc(json!({"onGap": "skip"}));
    let rules = d["escalations"][0]["rules"].as_array_mut().unwrap();
    let again = json!({"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 5},
                        "recipient": {"type": "schedule", "name": "days"}});
    rules.insert(1, again);
    let tl = escalate(&d, Limits::default(), &[]);
    assert_eq!(tl.unreached.len(), 2, "both gaps are reported");
    assert_eq!(sent(&tl), [("2026-11-10T20:00:00Z".to_string(), "bob".to_string())]);
    assert_eq!(tl.log.iter().filter(|l| l.kind == LogKind::RuleFired).count(), 3, "each rule fires once");
}
