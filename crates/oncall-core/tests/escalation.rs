//! Escalation timelines (issue: alerts, routing rules, escalation policies, notification rules).
//!
//! Most tests use `examples/escalation.json`. Its facts, all in November 2026 (Berlin is on CET,
//! UTC+1; New York on EST, UTC−5):
//!
//! * `checkout-primary` (Berlin): daily hand-off at 10:00 local = 09:00Z, turn k counted from
//!   Mon 2026-11-02, `[ann, ben][k % 2]`: on Tue 11-10 ben until 09:00Z (k = 7), then ann (k = 8).
//! * `checkout-secondary` (Berlin): rotation `daily` hands off at 09:00 local = 08:00Z,
//!   `[cat, dan, ben][k % 3]` (11-10 08:00Z: k = 8 → ben; before: k = 7 → dan; next k = 9 → cat);
//!   rotation `weekly` from 11-02 09:00 local, `[ann, dan][k % 2]` (11-09 … 11-16: k = 1 → dan;
//!   previous and next: ann).
//! * `checkout_escalation`: rule 1 if-not-acked at +0 → primary; rule 2 if-not-acked at +10 →
//!   secondary; rule 3 if-not-closed at +30 → team admins (dan). Repeat: wait 20, count 2,
//!   resetRecipientStates: cycles start at +0, +50, +100 (50 = last delay 30 + wait 20).
//! * ann (Berlin): create-alert "Daytime" 08:00–20:00 local: mobile at +0, voice at +5, loops
//!   every 15 minutes (largest sendAfter 5 + loopAfter 10); create-alert "Night" for P1/P2 only:
//!   voice; acknowledged-alert: email. cat (New York): sms at +0, email at +2. ben, dan: no rules
//!   (the default: email at +0 to the username).
//! * Team routing: P1 → escalation; tag `noise` → none; 20:00–08:00 Berlin → secondary schedule
//!   only; default → escalation.
//! * Forwarding ben → cat from 11-20 00:00 to 11-23 00:00 Berlin.

use chrono::{DateTime, Utc};
use oncall_core::alert::{Action, Alert, AlertBook, AlertEvent, AlertId, AlertStatus};
use oncall_core::escalation::{EscalateOptions, EscalationTimeline, Hop, LogKind, Target, UnreachedReason};
use oncall_core::notification::{ActionType, ContactMethod, MAX_NOTIFICATION_LOOPS};
use oncall_core::{Config, Error, Limits};
use serde_json::{Value, json};

const EXAMPLE: &str = include_str!("../../../examples/escalation.json");

fn example() -> Config {
    Config::from_json(EXAMPLE).unwrap_or_else(|e| panic!("example does not load:\n{e}"))
}

/// The example with `edit` applied to its JSON.
fn example_with(edit: impl FnOnce(&mut Value)) -> Config {
    let mut doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    edit(&mut doc);
    Config::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("edited example does not load:\n{e}"))
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("bad instant {s:?}: {e}")).with_timezone(&Utc)
}

fn ev(at: &str, action: Action) -> AlertEvent {
    AlertEvent::new(t(at), action)
}

fn ack(at: &str, user: &str) -> AlertEvent {
    ev(at, Action::Acknowledge { user: Some(user.into()) })
}

fn close(at: &str, user: &str) -> AlertEvent {
    ev(at, Action::Close { user: Some(user.into()) })
}

fn p(priority: &str) -> Alert {
    let mut a = Alert::new("Checkout latency above 2 s");
    a.priority = Some(priority.into());
    a
}

fn team() -> Target {
    Target::Team("checkout".into())
}

fn esc() -> Target {
    Target::Escalation("checkout_escalation".into())
}

fn run(c: &Config, alert: &Alert, target: &Target, at: &str, events: &[AlertEvent]) -> EscalationTimeline {
    c.escalate(alert, target, t(at), events, &EscalateOptions::default()).unwrap_or_else(|e| panic!("escalate: {e}"))
}

fn short(user: &str) -> &str {
    user.split('@').next().unwrap_or(user)
}

/// Notifications as `HH:MM user method` (UTC).
fn sent(tl: &EscalationTimeline) -> Vec<String> {
    tl.notifications.iter().map(|n| format!("{} {} {}", n.at.format("%H:%M"), short(&n.user), n.method)).collect()
}

/// Escalation rule firings as `HH:MM rule N cycle C` (UTC, rules counted from 1).
fn fired(tl: &EscalationTimeline) -> Vec<String> {
    fired_kind(tl, LogKind::RuleFired)
}

fn fired_kind(tl: &EscalationTimeline, kind: LogKind) -> Vec<String> {
    tl.log
        .iter()
        .filter(|l| l.kind == kind)
        .filter_map(|l| {
            l.via.iter().rev().find_map(|h| match h {
                Hop::Escalation { rule_index, cycle, .. } => {
                    Some(format!("{} rule {} cycle {cycle}", l.at.format("%H:%M"), rule_index + 1))
                }
                _ => None,
            })
        })
        .collect()
}

fn log_kinds(tl: &EscalationTimeline, kind: LogKind) -> Vec<String> {
    tl.log.iter().filter(|l| l.kind == kind).map(|l| format!("{} {}", l.at.format("%H:%M"), l.message)).collect()
}

// ---------------------------------------------------------------------------------------------
// Escalation rules, conditions and repeats.

#[test]
fn acknowledgement_stops_if_not_acked_rules_but_not_if_not_closed_ones() {
    // Tue 11-10 10:30 Berlin = 09:30Z: business hours, P3 → default routing → the escalation.
    let tl = run(
        &example(),
        &p("P3"),
        &team(),
        "2026-11-10T09:30:00Z",
        &[ack("2026-11-10T09:33:00Z", "ann@example.com"), close("2026-11-10T10:10:00Z", "dan@example.com")],
    );
    // Rule 1 at 09:30Z → primary: ann (k = 8), daytime rule: mobile now, voice at +5 (cancelled
    // by the ack at 09:33). Rule 2 (if-not-acked, 09:40Z) is skipped. Rule 3 (if-not-closed,
    // 10:00Z) still reaches the admin dan (default email).
    assert_eq!(sent(&tl), ["09:30 ann mobile", "10:00 dan email"]);
    assert_eq!(fired(&tl), ["09:30 rule 1 cycle 0", "10:00 rule 3 cycle 0"]);
    assert_eq!(fired_kind(&tl, LogKind::RuleSkipped), ["09:40 rule 2 cycle 0"]);
    let cancelled = log_kinds(&tl, LogKind::StepCancelled);
    assert_eq!(cancelled.len(), 1);
    assert!(cancelled[0].starts_with("09:35 voice to +49 30 5550100 for ann@example.com"), "{cancelled:?}");
    assert!(cancelled[0].ends_with("cancelled: the alert is acknowledged"), "{cancelled:?}");
    // The final state.
    let a = &tl.alert;
    assert_eq!((a.status, a.acknowledged, a.count), (AlertStatus::Closed, true, 1));
    assert_eq!(a.owner.as_deref(), Some("ann@example.com"));
    assert_eq!(a.report.ack_time, Some(3 * 60_000));
    assert_eq!(a.report.close_time, Some(40 * 60_000));
    assert_eq!(a.report.closed_by.as_deref(), Some("dan@example.com"));
    // The chain of the first notification: routing default rule → escalation rule 1 → primary.
    let n = &tl.notifications[0];
    assert_eq!(n.action_type, ActionType::CreateAlert);
    assert_eq!(n.notification_rule.name, "Daytime: push, then call");
    assert_eq!((n.notification_rule.index, n.notification_rule.step), (Some(0), 0));
    let via = serde_json::to_value(&n.via).unwrap();
    assert_eq!(
        via,
        json!([
            {"type": "routing", "team": "checkout", "ruleIndex": 3, "ruleName": "default"},
            {"type": "escalation", "name": "checkout_escalation", "ruleIndex": 0, "cycle": 0,
             "condition": "if-not-acked", "notifyType": "default", "escalationTime": 0},
            {"type": "schedule", "name": "checkout-primary", "notifyType": "default"}
        ])
    );
}

#[test]
fn repeat_cycles_start_every_last_delay_plus_wait_interval() {
    // Nobody acknowledges; close after the last cycle. Cycle n starts at 09:30Z + n × 50 min.
    let tl =
        run(&example(), &p("P3"), &esc(), "2026-11-10T09:30:00Z", &[close("2026-11-10T11:45:00Z", "dan@example.com")]);
    assert_eq!(
        fired(&tl),
        [
            "09:30 rule 1 cycle 0",
            "09:40 rule 2 cycle 0",
            "10:00 rule 3 cycle 0",
            "10:20 rule 1 cycle 1",
            "10:30 rule 2 cycle 1",
            "10:50 rule 3 cycle 1",
            "11:10 rule 1 cycle 2",
            "11:20 rule 2 cycle 2",
            "11:40 rule 3 cycle 2",
        ]
    );
    let cycles = log_kinds(&tl, LogKind::CycleStarted);
    assert_eq!(cycles.len(), 2);
    assert!(cycles[0].starts_with("10:20 ") && cycles[1].starts_with("11:10 "), "{cycles:?}");
    // Not acknowledged: the reset has nothing to reset.
    assert!(log_kinds(&tl, LogKind::AcknowledgementReset).is_empty());
}

#[test]
fn waitinterval_zero_disables_repeats() {
    let c = example_with(|d| d["escalations"][0]["repeat"]["waitInterval"] = json!(0));
    let tl = run(&c, &p("P3"), &esc(), "2026-11-10T09:30:00Z", &[close("2026-11-10T13:00:00Z", "dan@example.com")]);
    assert_eq!(fired(&tl), ["09:30 rule 1 cycle 0", "09:40 rule 2 cycle 0", "10:00 rule 3 cycle 0"]);
}

#[test]
fn reset_recipient_states_reopens_an_acknowledged_alert_at_each_repeat() {
    let tl = run(
        &example(),
        &p("P3"),
        &team(),
        "2026-11-10T09:30:00Z",
        &[ack("2026-11-10T09:33:00Z", "ann@example.com"), close("2026-11-10T10:35:00Z", "dan@example.com")],
    );
    // Cycle 1 starts at 10:20Z: the ack is reset, so rule 1 (if-not-acked) fires again and ann
    // is renotified (renotified-alert falls back to her create-alert rules): mobile 10:20, voice
    // 10:25; her next loop (10:35) is cancelled by the close. Rule 2 at 10:30Z (11:30 Berlin):
    // secondary = ben (daily k = 8) and dan (weekly k = 1), default emails.
    assert_eq!(
        sent(&tl),
        [
            "09:30 ann mobile",
            "10:00 dan email",
            "10:20 ann mobile",
            "10:25 ann voice",
            "10:30 ben email",
            "10:30 dan email"
        ]
    );
    assert_eq!(log_kinds(&tl, LogKind::AcknowledgementReset).len(), 1);
    assert!(log_kinds(&tl, LogKind::AcknowledgementReset)[0].starts_with("10:20 "));
    let renotified: Vec<_> = tl
        .notifications
        .iter()
        .filter(|n| n.action_type == ActionType::RenotifiedAlert)
        .map(|n| short(&n.user))
        .collect();
    assert_eq!(renotified, ["ann", "ann", "dan"]);
    // The reset left the alert unacknowledged; the close ended it.
    assert!(!tl.alert.acknowledged);
    assert_eq!(tl.alert.status, AlertStatus::Closed);
    assert!(log_kinds(&tl, LogKind::StepCancelled).iter().any(|m| m.starts_with("10:35 mobile")));
}

#[test]
fn a_handoff_between_rule_1_and_rule_2_changes_whom_rule_2_reaches() {
    // Created 07:40Z (08:40 Berlin): rule 2 fires at 07:50Z, before the secondary's 08:00Z
    // hand-off: daily k = 7 → dan, weekly → dan.
    let before = run(&example(), &p("P3"), &esc(), "2026-11-10T07:40:00Z", &[close("2026-11-10T08:09:00Z", "x")]);
    assert_eq!(sent(&before), ["07:40 ben email", "07:50 dan email"]);
    // Created 07:50Z: rule 2 fires at 08:00Z, on the hand-off: daily k = 8 → ben (renotified),
    // weekly → dan.
    let after = run(&example(), &p("P3"), &esc(), "2026-11-10T07:50:00Z", &[close("2026-11-10T08:09:00Z", "x")]);
    assert_eq!(sent(&after), ["07:50 ben email", "08:00 ben email", "08:00 dan email"]);
    assert_eq!(after.notifications[1].action_type, ActionType::RenotifiedAlert);
    // Rule 1 itself: the primary hands off at 09:00Z, ben before, ann after.
    let tl = run(&example(), &p("P3"), &esc(), "2026-11-10T08:55:00Z", &[close("2026-11-10T09:06:00Z", "x")]);
    assert_eq!(sent(&tl), ["08:55 ben email", "09:05 ben email", "09:05 dan email"]);
}

#[test]
fn next_and_previous_on_a_schedule_with_several_rotations() {
    let c = example_with(|d| {
        d["escalations"].as_array_mut().unwrap().push(json!({
            "name": "turns", "rules": [
                {"notifyType": "next", "delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "checkout-secondary"}},
                {"notifyType": "previous", "delay": {"timeAmount": 1}, "recipient": {"type": "schedule", "name": "checkout-secondary"}},
                {"notifyType": "default", "delay": {"timeAmount": 2}, "recipient": {"type": "schedule", "name": "checkout-secondary"}}]}));
        // Everyone on default rules, to see only who is reached.
        for u in d["users"].as_array_mut().unwrap() {
            u.as_object_mut().unwrap().remove("notificationRules");
        }
    });
    // 11-10 11:00Z (12:00 Berlin): daily k = 8 → ben (next cat, previous dan); weekly k = 1 →
    // dan (next and previous ann).
    let tl = run(
        &c,
        &p("P3"),
        &Target::Escalation("turns".into()),
        "2026-11-10T11:00:00Z",
        &[close("2026-11-10T11:03:00Z", "x")],
    );
    assert_eq!(
        sent(&tl),
        [
            "11:00 cat email",
            "11:00 ann email",
            "11:01 dan email",
            "11:01 ann email",
            "11:02 ben email",
            "11:02 dan email"
        ]
    );
    let hops: Vec<String> = tl
        .notifications
        .iter()
        .map(|n| match n.via.last() {
            Some(Hop::Schedule { notify_type, .. }) => notify_type.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(hops, ["next", "next", "previous", "previous", "default", "default"]);
}

#[test]
fn escalate_to_next_processes_the_next_rule_at_once() {
    let tl = run(
        &example(),
        &p("P3"),
        &esc(),
        "2026-11-10T09:30:00Z",
        &[
            ev("2026-11-10T09:31:00Z", Action::EscalateToNext { escalation: None }),
            ev("2026-11-10T09:32:00Z", Action::EscalateToNext { escalation: Some("checkout_escalation".into()) }),
            close("2026-11-10T09:41:00Z", "x"),
        ],
    );
    // Rule 2 at 09:31 instead of 09:40 (and not again at 09:40); rule 3 at 09:32.
    assert_eq!(fired(&tl), ["09:30 rule 1 cycle 0", "09:31 rule 2 cycle 0", "09:32 rule 3 cycle 0"]);
    assert_eq!(log_kinds(&tl, LogKind::EscalatedToNext).len(), 2);
    assert!(tl.notifications.iter().filter(|n| n.at == t("2026-11-10T09:31:00Z")).all(|n| matches!(
        n.via.iter().find(|h| matches!(h, Hop::Escalation { .. })),
        Some(Hop::Escalation { escalated_to_next: true, .. })
    )));
    // Escalating a schedule target is refused: there is no escalation.
    let c = example();
    let err = c
        .escalate(
            &p("P3"),
            &Target::Schedule("checkout-primary".into()),
            t("2026-11-10T09:30:00Z"),
            &[ev("2026-11-10T09:31:00Z", Action::EscalateToNext { escalation: None })],
            &EscalateOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidTransition { .. }), "{err}");
    assert!(err.to_string().contains("no escalation is running"), "{err}");
}

#[test]
fn close_ends_everything() {
    let tl =
        run(&example(), &p("P3"), &esc(), "2026-11-10T09:30:00Z", &[close("2026-11-10T09:35:00Z", "ben@example.com")]);
    // The voice step at 09:35 comes after the close at the same instant: cancelled.
    assert_eq!(sent(&tl), ["09:30 ann mobile"]);
    assert_eq!(fired(&tl), ["09:30 rule 1 cycle 0"]);
    assert_eq!(tl.alert.status, AlertStatus::Closed);
    // ann was a recipient and has no closed-alert rule: she is not told, and the log says so.
    assert!(log_kinds(&tl, LogKind::NotNotified)[0].contains("has no closed-alert notification rule"));
}

// ---------------------------------------------------------------------------------------------
// Snooze, unacknowledge, notes and acknowledgement notifications.

#[test]
fn snooze_stops_everything_and_renotifies_as_if_new_at_its_end() {
    let tl = run(
        &example(),
        &p("P3"),
        &esc(),
        "2026-11-10T09:30:00Z",
        &[
            ev(
                "2026-11-10T09:32:00Z",
                Action::Snooze { until: t("2026-11-10T10:32:00Z"), user: Some("ann@example.com".into()) },
            ),
            close("2026-11-10T10:40:00Z", "x"),
        ],
    );
    // 09:35 voice cancelled (snoozed); rules 2 and 3 of the old flow never fire. At 10:32 the
    // flow restarts: rule 1 → ann again (renotified): mobile 10:32, voice 10:37.
    assert_eq!(sent(&tl), ["09:30 ann mobile", "10:32 ann mobile", "10:37 ann voice"]);
    assert_eq!(fired(&tl), ["09:30 rule 1 cycle 0", "10:32 rule 1 cycle 0"]);
    assert_eq!(tl.notifications[1].action_type, ActionType::RenotifiedAlert);
    assert!(log_kinds(&tl, LogKind::StepCancelled)[0].ends_with("the alert is snoozed"));
    assert_eq!(log_kinds(&tl, LogKind::SnoozeEnded).len(), 1);
    assert!(!tl.alert.snoozed);
}

#[test]
fn acknowledging_a_snoozed_alert_cancels_the_snooze() {
    let tl = run(
        &example(),
        &p("P3"),
        &esc(),
        "2026-11-10T09:30:00Z",
        &[
            ev("2026-11-10T09:32:00Z", Action::Snooze { until: t("2026-11-10T10:32:00Z"), user: None }),
            ack("2026-11-10T09:50:00Z", "ann@example.com"),
        ],
    );
    // Nothing happens at 10:32; the ack stops the restarted … nothing: the alert stays acked.
    assert_eq!(sent(&tl), ["09:30 ann mobile"]);
    assert!(log_kinds(&tl, LogKind::SnoozeEnded).is_empty());
    assert!(tl.alert.acknowledged && !tl.alert.snoozed && tl.alert.snoozed_until.is_none());
}

#[test]
fn an_acknowledged_then_snoozed_alert_is_unacknowledged_when_the_snooze_ends() {
    let tl = run(
        &example(),
        &p("P3"),
        &esc(),
        "2026-11-10T09:30:00Z",
        &[
            ack("2026-11-10T09:31:00Z", "ann@example.com"),
            ev("2026-11-10T09:32:00Z", Action::Snooze { until: t("2026-11-10T09:50:00Z"), user: None }),
            close("2026-11-10T09:55:00Z", "x"),
        ],
    );
    assert_eq!(sent(&tl), ["09:30 ann mobile", "09:50 ann mobile"]);
    assert_eq!(tl.alert.status, AlertStatus::Closed);
    assert!(!tl.alert.acknowledged);
}

#[test]
fn unacknowledge_restarts_the_whole_flow() {
    let tl = run(
        &example(),
        &p("P3"),
        &esc(),
        "2026-11-10T09:30:00Z",
        &[
            ack("2026-11-10T09:33:00Z", "ann@example.com"),
            ev("2026-11-10T09:45:00Z", Action::Unacknowledge { user: Some("ann@example.com".into()) }),
            close("2026-11-10T10:16:00Z", "x"),
        ],
    );
    // Old flow: rule 2 skipped at 09:40 (acked); its rule 3 (10:00) is invalidated. New flow from
    // 09:45: rule 1 09:45, rule 2 09:55 (10:55 Berlin: ben and dan), rule 3 10:15 (dan).
    assert_eq!(
        fired(&tl),
        ["09:30 rule 1 cycle 0", "09:45 rule 1 cycle 0", "09:55 rule 2 cycle 0", "10:15 rule 3 cycle 0"]
    );
    assert_eq!(fired_kind(&tl, LogKind::RuleSkipped), ["09:40 rule 2 cycle 0"]);
    assert_eq!(
        sent(&tl),
        [
            "09:30 ann mobile",
            "09:45 ann mobile",
            "09:50 ann voice",
            "09:55 ben email",
            "09:55 dan email",
            "10:00 ann mobile",
            "10:05 ann voice",
            "10:15 ann mobile",
            "10:15 dan email",
        ]
    );
}

#[test]
fn acknowledged_alert_rules_tell_the_other_recipients() {
    let tl = run(
        &example(),
        &p("P3"),
        &esc(),
        "2026-11-10T09:30:00Z",
        &[
            ack("2026-11-10T09:45:00Z", "dan@example.com"),
            ev(
                "2026-11-10T09:46:00Z",
                Action::AddNote { note: "rolling back".into(), user: Some("dan@example.com".into()) },
            ),
            close("2026-11-10T09:50:00Z", "dan@example.com"),
        ],
    );
    // ann (09:30) and ben, dan (09:40) were notified. dan acks at 09:45: ann's
    // acknowledged-alert rule emails her; ben has no such rule; dan is not told about his own ack.
    assert_eq!(
        sent(&tl),
        ["09:30 ann mobile", "09:35 ann voice", "09:40 ben email", "09:40 dan email", "09:45 ann email"]
    );
    let told = &tl.notifications[4];
    assert_eq!(told.action_type, ActionType::AcknowledgedAlert);
    assert_eq!(told.to, "ann@example.com");
    assert_eq!(
        serde_json::to_value(&told.via).unwrap(),
        json!([{"type": "event", "action": "acknowledge", "user": "dan@example.com"}])
    );
    let not = log_kinds(&tl, LogKind::NotNotified);
    assert!(
        not.iter().any(|m| m.starts_with("09:45 ben@example.com has no acknowledged-alert notification rule")),
        "{not:?}"
    );
    assert!(not.iter().any(|m| m.starts_with("09:46 ann@example.com has no add-note notification rule")), "{not:?}");
    assert_eq!(tl.alert.notes.len(), 1);
}

#[test]
fn assign_sends_an_assigned_alert_notification() {
    let tl = run(
        &example(),
        &p("P3"),
        &esc(),
        "2026-11-10T09:30:00Z",
        &[
            ev("2026-11-10T09:31:00Z", Action::Assign { owner: "cat@example.com".into() }),
            close("2026-11-10T09:34:00Z", "x"),
        ],
    );
    // cat has no assigned-alert rule and no default applies to that type.
    assert_eq!(sent(&tl), ["09:30 ann mobile"]);
    assert_eq!(tl.alert.owner.as_deref(), Some("cat@example.com"));
    assert!(
        log_kinds(&tl, LogKind::NotNotified)[0].contains("cat@example.com has no assigned-alert notification rule")
    );
}

// ---------------------------------------------------------------------------------------------
// Routing.

#[test]
fn routing_rules_first_match_wins_with_time_restriction_and_none() {
    let c = example();
    // 23:00 Berlin (22:00Z), P3: the nights rule sends it to the secondary schedule, once, with
    // no escalation: daily k = 8 → ben, weekly → dan.
    let tl = run(&c, &p("P3"), &team(), "2026-11-10T22:00:00Z", &[]);
    let r = tl.routing.as_ref().unwrap();
    assert_eq!((r.rule_index, r.rule_name.as_deref()), (Some(2), Some("Nights: secondary only")));
    assert_eq!(r.skipped.iter().map(|s| s.rule_index).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(sent(&tl), ["22:00 ben email", "22:00 dan email"]);
    assert!(fired(&tl).is_empty());
    assert_eq!(tl.alert.status, AlertStatus::Open);
    // P1 at night: the first rule wins, the escalation runs.
    let tl = run(&c, &p("P1"), &team(), "2026-11-10T22:00:00Z", &[close("2026-11-10T22:01:00Z", "x")]);
    assert_eq!(tl.routing.as_ref().unwrap().rule_index, Some(0));
    assert_eq!(fired(&tl), ["22:00 rule 1 cycle 0"]);
    // Tagged noise: nobody, said explicitly.
    let mut noise = p("P3");
    noise.tags = vec!["noise".into()];
    let tl = run(&c, &noise, &team(), "2026-11-10T12:00:00Z", &[]);
    assert!(tl.notifications.is_empty());
    assert_eq!(tl.unreached.len(), 1);
    assert_eq!(tl.unreached[0].reason, UnreachedReason::RoutedToNone);
    assert_eq!(tl.unreached[0].message, "team checkout's routing rule 2 \"Noise goes nowhere\" notifies no one");
    // The same decision from the public routing query.
    let d = c.route_alert("checkout", &noise, t("2026-11-10T12:00:00Z")).unwrap();
    assert_eq!(d.notify.kind, "none");
}

#[test]
fn routing_conditions_not_details_and_message_matches() {
    let c = example_with(|d| {
        d["teams"][0]["routingRules"] = json!([
            {"name": "db but not staging",
             "criteria": {"type": "match-all-conditions", "conditions": [
               {"field": "details", "operation": "contains-key", "expectedValue": "db"},
               {"field": "tags", "operation": "contains", "expectedValue": "staging", "not": true},
               {"field": "message", "operation": "matches", "expectedValue": "Checkout .*"},
               {"field": "priority", "operation": "less-than", "expectedValue": "P2"}]},
             "notify": {"type": "schedule", "name": "checkout-secondary"}},
            {"name": "rest", "notify": {"type": "schedule", "name": "checkout-primary"}}]);
    });
    let mut a = p("P3");
    a.details.insert("db".into(), "orders".into());
    let d = c.route_alert("checkout", &a, t("2026-11-10T12:00:00Z")).unwrap();
    assert_eq!(d.rule_name.as_deref(), Some("db but not staging"));
    a.tags = vec!["staging".into()];
    assert_eq!(c.route_alert("checkout", &a, t("2026-11-10T12:00:00Z")).unwrap().rule_name.as_deref(), Some("rest"));
    a.tags.clear();
    a.priority = Some("P1".into());
    // P1 is not less than P2 (P1 is the highest).
    assert_eq!(c.route_alert("checkout", &a, t("2026-11-10T12:00:00Z")).unwrap().rule_name.as_deref(), Some("rest"));
}

// ---------------------------------------------------------------------------------------------
// Notification rules, quiet hours, forwarding.

#[test]
fn quiet_hours_skip_to_the_next_rule_or_leave_the_user_unnotified() {
    let c = example();
    // 23:00 Berlin (22:00Z), escalation target: primary = ann (k = 8). P3: her daytime rule is
    // outside its window and her night rule wants P1/P2: she is not notified, and it says why.
    let tl = run(&c, &p("P3"), &esc(), "2026-11-10T22:00:00Z", &[close("2026-11-10T22:11:00Z", "x")]);
    assert_eq!(sent(&tl), ["22:10 ben email", "22:10 dan email"]);
    assert_eq!(tl.unreached.len(), 1);
    let u = &tl.unreached[0];
    assert_eq!(
        (u.reason, u.user.as_deref(), u.action_type),
        (UnreachedReason::NoMatchingRule, Some("ann@example.com"), Some(ActionType::CreateAlert))
    );
    assert_eq!(
        u.message,
        "ann@example.com not notified: no create-alert rule applies (rule 1 \"Daytime: push, then call\": outside its time restriction (quiet hours, Europe/Berlin time); rule 2 \"Night: call for P1 and P2 only\": its criteria do not match the alert)"
    );
    // P2: the night rule applies: a voice call at once.
    let tl = run(&c, &p("P2"), &esc(), "2026-11-10T22:00:00Z", &[close("2026-11-10T22:11:00Z", "x")]);
    assert_eq!(sent(&tl), ["22:00 ann voice", "22:10 ben email", "22:10 dan email"]);
    assert_eq!(tl.notifications[0].notification_rule.name, "Night: call for P1 and P2 only");
    // 07:59 Berlin is quiet, 08:00 Berlin is daytime (half-open window).
    let tl = run(&c, &p("P3"), &Target::User("ann@example.com".into()), "2026-11-10T06:59:00Z", &[]);
    assert_eq!(tl.unreached.len(), 1);
    let tl = run(
        &c,
        &p("P3"),
        &Target::User("ann@example.com".into()),
        "2026-11-10T07:00:00Z",
        &[ack("2026-11-10T07:01:00Z", "ann@example.com")],
    );
    assert_eq!(sent(&tl), ["07:00 ann mobile"]);
}

#[test]
fn forwarding_redirects_at_send_time_under_the_target_users_rules() {
    // Sat 11-21 12:00 Berlin (11:00Z): primary k = 19 → ben, forwarded to cat (11-20 … 11-23),
    // whose own rules apply: sms now, email after 2 minutes.
    let tl = run(&example(), &p("P3"), &team(), "2026-11-21T11:00:00Z", &[close("2026-11-21T11:05:00Z", "x")]);
    assert_eq!(sent(&tl), ["11:00 cat sms", "11:02 cat email"]);
    for n in &tl.notifications {
        assert_eq!(n.forwarded_from.as_deref(), Some("ben@example.com"));
    }
    assert_eq!(tl.notifications[0].to, "+1 212 5550199");
    // A day after the window ends ben gets his own default email again (Tue 11-24 is k = 22 → ann,
    // so ask the user directly).
    let tl = run(&example(), &p("P3"), &Target::User("ben@example.com".into()), "2026-11-23T00:00:00Z", &[]);
    assert_eq!(sent(&tl), ["00:00 ben email"]);
    assert!(tl.notifications[0].forwarded_from.is_none());
}

#[test]
fn notification_loops_repeat_until_acknowledged_and_are_bounded() {
    // ann's daytime rule loops every 15 minutes: 09:30, 09:45, 10:00 … until the ack at 10:01.
    let tl = run(
        &example(),
        &p("P3"),
        &Target::User("ann@example.com".into()),
        "2026-11-10T09:30:00Z",
        &[ack("2026-11-10T10:01:00Z", "ann@example.com")],
    );
    assert_eq!(
        sent(&tl),
        ["09:30 ann mobile", "09:35 ann voice", "09:45 ann mobile", "09:50 ann voice", "10:00 ann mobile"]
    );
    assert_eq!(tl.notifications[4].notification_rule.loop_index, 2);
    // Never acknowledged: at most MAX_NOTIFICATION_LOOPS loops.
    let tl = run(&example(), &p("P3"), &Target::User("ann@example.com".into()), "2026-11-10T09:30:00Z", &[]);
    assert_eq!(tl.notifications.len(), 2 * MAX_NOTIFICATION_LOOPS as usize);
    assert_eq!(tl.notifications.last().unwrap().at, t("2026-11-10T14:20:00Z")); // 09:30 + 19 × 15 + 5
}

#[test]
fn a_user_without_rules_gets_the_default_email_at_minute_zero() {
    let tl = run(&example(), &p("P3"), &Target::User("dan@example.com".into()), "2026-11-10T09:30:00Z", &[]);
    assert_eq!(tl.notifications.len(), 1);
    let n = &tl.notifications[0];
    assert_eq!((n.method, n.to.as_str(), n.notification_rule.default), (ContactMethod::Email, "dan@example.com", true));
    assert_eq!(n.notification_rule.index, None);
}

// ---------------------------------------------------------------------------------------------
// Gaps, disabled schedules, teams, random, cycles.

const SMALL: &str = r#"{
  "users": [{"username": "a"}, {"username": "b"}, {"username": "c"}, {"username": "d"}, {"username": "e"}],
  "teams": [{"name": "t", "members": [
     {"user": {"username": "a"}, "role": "admin"}, {"user": {"username": "b"}}, {"user": {"username": "c"}},
     {"user": {"username": "d"}}, {"user": {"username": "e"}}]},
   {"name": "loop", "routingRules": [{"notify": {"type": "escalation", "name": "via-team"}}]}],
  "schedules": [
    {"name": "office", "rotations": [{"type": "daily", "startDate": "2026-11-01T00:00:00Z", "participants": ["a"],
      "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}}}]},
    {"name": "off", "enabled": false, "rotations": [{"type": "daily", "startDate": "2026-11-01T00:00:00Z", "participants": ["b"]}]}],
  "escalations": [
    {"name": "gaps", "rules": [
      {"delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "office"}},
      {"delay": {"timeAmount": 1}, "recipient": {"type": "schedule", "name": "off"}},
      {"delay": {"timeAmount": 2}, "notifyType": "users", "recipient": {"type": "team", "name": "t"}}]},
    {"name": "lottery", "rules": [{"notifyType": "random", "recipient": {"type": "team", "name": "t"}}],
     "repeat": {"waitInterval": 1, "count": 20}},
    {"name": "via-team", "rules": [{"recipient": {"type": "team", "name": "loop"}}]},
    {"name": "auto", "rules": [
      {"delay": {"timeAmount": 0}, "recipient": {"type": "user", "username": "a"}},
      {"condition": "if-not-closed", "delay": {"timeAmount": 5}, "recipient": {"type": "user", "username": "b"}}],
     "repeat": {"waitInterval": 10, "count": 1, "closeAlertAfterAll": true}}]
}"#;

fn small() -> Config {
    Config::from_json(SMALL).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn gaps_and_disabled_schedules_are_unreached_entries_never_silence() {
    // 20:00Z: office (09–17 UTC) has nobody; "off" is disabled; users-role members b…e are reached.
    let tl = run(&small(), &Alert::new("m"), &Target::Escalation("gaps".into()), "2026-11-10T20:00:00Z", &[]);
    let reasons: Vec<_> = tl.unreached.iter().map(|u| (u.at.format("%H:%M").to_string(), u.reason)).collect();
    assert_eq!(reasons, [("20:00".into(), UnreachedReason::Gap), ("20:01".into(), UnreachedReason::ScheduleDisabled)]);
    assert_eq!(tl.unreached[0].message, "nobody is on call in schedule office (a gap): nobody notified");
    assert_eq!(tl.unreached[1].message, "schedule off is disabled: nobody notified");
    assert_eq!(sent(&tl), ["20:02 b email", "20:02 c email", "20:02 d email", "20:02 e email"]);
    // A schedule target with nobody on call: the same.
    let tl = run(&small(), &Alert::new("m"), &Target::Schedule("office".into()), "2026-11-10T20:00:00Z", &[]);
    assert_eq!(tl.unreached[0].reason, UnreachedReason::Gap);
}

#[test]
fn random_is_deterministic_for_a_seed() {
    let c = small();
    let picks = |seed: u64| -> Vec<String> {
        let tl = c
            .escalate(
                &Alert::new("m"),
                &Target::Escalation("lottery".into()),
                t("2026-11-10T10:00:00Z"),
                &[],
                &EscalateOptions { seed },
            )
            .unwrap();
        tl.notifications.iter().map(|n| n.user.clone()).collect()
    };
    let first = picks(7);
    assert_eq!(first.len(), 21); // 1 + count 20 cycles, one member each
    assert_eq!(first, picks(7));
    assert!(first.iter().all(|u| ["a", "b", "c", "d", "e"].contains(&u.as_str())));
    // Different cycles pick different members, and different seeds differ.
    let distinct: std::collections::BTreeSet<_> = first.iter().collect();
    assert!(distinct.len() > 1, "{first:?}");
    assert!((0..10).any(|s| picks(s) != first));
}

#[test]
fn a_reference_cycle_reaches_nobody_and_says_so() {
    // via-team → team loop → routing → via-team again.
    let tl = run(&small(), &Alert::new("m"), &Target::Escalation("via-team".into()), "2026-11-10T10:00:00Z", &[]);
    assert_eq!(tl.unreached.len(), 1);
    assert_eq!(tl.unreached[0].reason, UnreachedReason::Cycle);
}

#[test]
fn close_alert_after_all_closes_after_the_last_cycle() {
    // Cycles at 10:00 and 10:15 (last delay 5 + wait 10); the last rule fires at 10:20, its
    // notification is sent, then the alert closes.
    let tl = run(&small(), &Alert::new("m"), &Target::Escalation("auto".into()), "2026-11-10T10:00:00Z", &[]);
    assert_eq!(sent(&tl), ["10:00 a email", "10:05 b email", "10:15 a email", "10:20 b email"]);
    assert_eq!(tl.alert.status, AlertStatus::Closed);
    assert_eq!(tl.alert.report.closed_by.as_deref(), Some("closeAlertAfterAll"));
    assert_eq!(tl.alert.report.close_time, Some(20 * 60_000));
    assert_eq!(log_kinds(&tl, LogKind::AutoClosed).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Alerts: limits, de-duplication, invalid transitions, bounds.

#[test]
fn alert_limits_name_the_field_and_never_truncate() {
    let c = example();
    let long = Alert::new("x".repeat(131));
    let err = c.escalate(&long, &esc(), t("2026-11-10T09:30:00Z"), &[], &EscalateOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "message: at most 130 characters, found 131");
    let mut tags = p("P3");
    tags.tags = (0..21).map(|i| format!("t{i}")).collect();
    tags.description = Some("d".repeat(15_001));
    let err = tags.validate().unwrap_err();
    assert_eq!(
        err.problems().iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        ["description: at most 15000 characters, found 15001", "tags: at most 20 entries, found 21"]
    );
    assert!(
        Alert::from_json(r#"{"message": "m", "priorty": "P1"}"#)
            .unwrap_err()
            .to_string()
            .contains("unknown field `priorty`")
    );
}

#[test]
fn deduplication_counts_among_open_alerts_only() {
    let mut book = AlertBook::new();
    let mut a = p("P2");
    a.alias = Some("checkout-latency".into());
    let first = book.create(a.clone(), t("2026-11-10T09:30:00Z")).unwrap();
    let second = book.create(a.clone(), t("2026-11-10T09:31:00Z")).unwrap();
    let third = book.create(a.clone(), t("2026-11-10T09:32:00Z")).unwrap();
    assert_eq!((first.count, second.count, third.count), (1, 2, 3));
    assert!(!first.deduplicated && second.deduplicated && third.deduplicated);
    assert_eq!(third.id, first.id);
    let s = book.get(&AlertId::Alias("checkout-latency".into())).unwrap();
    assert_eq!((s.count, s.last_occurred_at, s.created_at), (3, t("2026-11-10T09:32:00Z"), t("2026-11-10T09:30:00Z")));
    // Another alias is another alert; tiny ids are sequential.
    let other = book.create(Alert::new("disk"), t("2026-11-10T09:33:00Z")).unwrap();
    assert_eq!((other.tiny_id.as_str(), other.alias.as_str()), ("2", "alert-2"));
    // Closed: the alias starts a new alert.
    book.apply(&AlertId::Tiny("1".into()), t("2026-11-10T09:40:00Z"), Action::Close { user: None }).unwrap();
    let fresh = book.create(a, t("2026-11-10T09:41:00Z")).unwrap();
    assert_eq!((fresh.tiny_id.as_str(), fresh.count, fresh.deduplicated), ("3", 1, false));
    // By alias, the open alert is found; the closed one by id.
    assert_eq!(book.get(&AlertId::Alias("checkout-latency".into())).unwrap().tiny_id, "3");
    assert_eq!(book.get(&AlertId::Id("alert-1".into())).unwrap().status, AlertStatus::Closed);
    // The book replays an alert's history as a timeline: duplicates count, they do not notify.
    let tl = book.timeline(&example(), &AlertId::Id("alert-1".into()), &esc(), &EscalateOptions::default()).unwrap();
    assert_eq!(tl.alert.count, 3);
    assert_eq!(tl.alert.last_occurred_at, t("2026-11-10T09:32:00Z"));
    // Closed at 09:40, before rule 2 of that instant (events come first).
    assert_eq!(sent(&tl), ["09:30 ann mobile", "09:35 ann voice"]);
    assert_eq!(log_kinds(&tl, LogKind::Duplicate).len(), 2);
    assert_eq!(log_kinds(&tl, LogKind::Closed).len(), 1);
}

#[test]
fn invalid_transitions_are_errors_and_change_nothing() {
    let c = example();
    let err = c
        .escalate(
            &p("P3"),
            &esc(),
            t("2026-11-10T09:30:00Z"),
            &[close("2026-11-10T09:31:00Z", "x"), ack("2026-11-10T09:32:00Z", "y")],
            &EscalateOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "cannot acknowledge alert 1: the alert is closed (events[1] at 2026-11-10T09:32:00Z)");
    let err = c
        .escalate(
            &p("P3"),
            &esc(),
            t("2026-11-10T09:30:00Z"),
            &[ack("2026-11-10T09:29:00Z", "y")],
            &EscalateOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "events[0].at: must not be before the creation: events come in time order");
    let mut book = AlertBook::new();
    book.create(Alert::new("m"), t("2026-11-10T09:30:00Z")).unwrap();
    let id = AlertId::Tiny("1".into());
    book.apply(&id, t("2026-11-10T09:31:00Z"), Action::Close { user: None }).unwrap();
    let before = book.get(&id).unwrap().clone();
    assert!(matches!(
        book.apply(&id, t("2026-11-10T09:32:00Z"), Action::Acknowledge { user: None }),
        Err(Error::InvalidTransition { .. })
    ));
    assert_eq!(book.get(&id).unwrap(), &before);
    assert_eq!(book.history(&id).unwrap().len(), 1);
    // Unknown targets.
    let err = c
        .escalate(&p("P3"), &Target::Team("nope".into()), t("2026-11-10T09:30:00Z"), &[], &EscalateOptions::default())
        .unwrap_err();
    assert_eq!(err.to_string(), "team \"nope\" not found");
}

#[test]
fn the_start_message_counts_in_words() {
    let started = |rules: usize, count: i64| {
        let rules: Vec<Value> = (0..rules)
            .map(|i| json!({"delay": {"timeAmount": i}, "recipient": {"type": "user", "username": "a"}}))
            .collect();
        let doc =
            json!({"escalations": [{"name": "e", "rules": rules, "repeat": {"waitInterval": 5, "count": count}}]});
        let c = Config::from_json(&doc.to_string()).unwrap();
        let tl = c
            .escalate(
                &Alert::new("m"),
                &Target::Escalation("e".into()),
                t("2026-11-10T09:30:00Z"),
                &[],
                &EscalateOptions::default(),
            )
            .unwrap();
        log_kinds(&tl, LogKind::EscalationStarted).join("|")
    };
    assert_eq!(started(1, 1), "09:30 escalation e started: 1 rule, 1 repeat cycle every 5m (no reset)");
    assert_eq!(started(2, 3), "09:30 escalation e started: 2 rules, 3 repeat cycles every 6m (no reset)");
}

#[test]
fn bounded_by_a_documented_limit() {
    // 600 rules a minute apart, repeated 20 times: 12 600 notifications > maxNotifications.
    let rules: Vec<Value> =
        (0..600).map(|i| json!({"condition": "if-not-closed", "delay": {"timeAmount": i}, "recipient": {"type": "user", "username": "a"}})).collect();
    let doc = json!({"escalations": [{"name": "other", "rules": [{"recipient": {"type": "user", "username": "a"}}]},
                                     {"name": "big", "rules": rules, "repeat": {"waitInterval": 1, "count": 20}}]});
    let mut c = Config::from_json(&doc.to_string()).unwrap();
    let run = |c: &Config, events: &[AlertEvent]| {
        c.escalate(
            &Alert::new("m"),
            &Target::Escalation("big".into()),
            t("2026-11-10T09:30:00Z"),
            events,
            &EscalateOptions::default(),
        )
    };
    let err = run(&c, &[]).unwrap_err();
    assert!(
        matches!(&err, Error::LimitExceeded { limit: "maxNotifications", path, .. } if path == "escalations[1]"),
        "{err}"
    );
    assert_eq!(
        err.to_problems()[0].message,
        "this escalation timeline would have more than 10000 notifications; ask for a shorter window (until) (limit maxNotifications)"
    );
    // Each limit is a field of `Limits`: loosened, the same timeline answers; tightened, the
    // steps and the events are refused the same way.
    c.set_limits(Limits { max_notifications: 20_000, ..Limits::default() });
    assert_eq!(run(&c, &[]).unwrap().notifications.len(), 12_600);
    c.set_limits(Limits { max_escalation_steps: 100, ..Limits::default() });
    let err = run(&c, &[]).unwrap_err();
    assert!(
        matches!(&err, Error::LimitExceeded { limit: "maxEscalationSteps", path, .. } if path == "escalations[1]"),
        "{err}"
    );
    c.set_limits(Limits { max_alert_events: 2, ..Limits::default() });
    let note = |m: &str| AlertEvent::new(t(m), Action::AddNote { note: "n".into(), user: None });
    let events = [note("2026-11-10T09:31:00Z"), note("2026-11-10T09:32:00Z"), note("2026-11-10T09:33:00Z")];
    let err = run(&c, &events).unwrap_err();
    assert!(matches!(&err, Error::LimitExceeded { limit: "maxAlertEvents", path, .. } if path == "events[2]"), "{err}");
    assert_eq!(err.to_problems()[0].message, "the alert has 3 events, more than 2 (limit maxAlertEvents)");
    assert!(run(&c, &events[..2]).is_err_and(|e| matches!(e, Error::LimitExceeded { limit: "maxNotifications", .. })));
}

#[test]
fn notification_rule_problems_are_reported_with_paths() {
    let err = Config::from_json(
        r#"{"users": [{"username": "a", "notificationRules": [
            {"name": "r", "actionType": "create-alert", "steps": [{"contact": {"method": "fax", "to": "1"}}],
             "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 25, "endHour": 1}}},
            {"name": "s", "actionType": "schedule-start"}]}]}"#,
    )
    .unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "users[0].notificationRules[0].timeRestriction.restriction.startHour",
            "users[0].notificationRules[0].steps[0].contact.method",
            "users[0].notificationRules[1].notificationTime",
        ]
    );
}

#[test]
fn the_json_shape_is_stable() {
    let tl = run(
        &example(),
        &p("P3"),
        &team(),
        "2026-11-10T09:30:00Z",
        &[ack("2026-11-10T09:33:00Z", "ann@example.com"), close("2026-11-10T09:50:00Z", "ann@example.com")],
    );
    let v = serde_json::to_value(&tl).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["alert", "log", "notifications", "routing", "target", "unreached"]);
    assert_eq!(v["target"], json!({"type": "team", "name": "checkout"}));
    assert_eq!(
        v["notifications"][0],
        json!({
            "at": "2026-11-10T09:30:00Z", "user": "ann@example.com", "method": "mobile", "to": "Ann's phone",
            "actionType": "create-alert", "notifiedAt": "2026-11-10T09:30:00Z",
            "notificationRule": {"index": 0, "name": "Daytime: push, then call", "default": false, "step": 0, "loop": 0},
            "via": [
                {"type": "routing", "team": "checkout", "ruleIndex": 3, "ruleName": "default"},
                {"type": "escalation", "name": "checkout_escalation", "ruleIndex": 0, "cycle": 0,
                 "condition": "if-not-acked", "notifyType": "default", "escalationTime": 0},
                {"type": "schedule", "name": "checkout-primary", "notifyType": "default"}]
        })
    );
    assert_eq!(v["alert"]["status"], "closed");
    assert_eq!(v["alert"]["acknowledged"], true);
    assert_eq!(v["alert"]["tinyId"], "1");
    assert_eq!(v["routing"]["ruleIndex"], 3);
    assert_eq!(
        v["routing"]["skipped"][0],
        json!({"ruleIndex": 0, "ruleName": "P1 always escalates", "reason": "its criteria do not match the alert"})
    );
    assert_eq!(v["log"][0]["kind"], "created");
}
