//! Per-user notification rules (Opsgenie's *notification preferences*).
//!
//! When an alert notifies a user, the user's own rules decide how: the rules of the event's
//! **action type** are tried by `order` (lowest first; equal orders keep document order), and
//! the **first enabled rule whose criteria match the alert and whose time restriction contains
//! the instant** (read in the **user's** zone, UTC when the user has none) is used; the rest are
//! skipped. A rule's time restriction is where it applies: outside it (quiet hours) the rule does
//! not match and the next rule is tried. When no rule matches, the user is not notified for that
//! event, and escalation timelines say so with each rule's reason.
//!
//! Each enabled step of the chosen rule sends to its contact (`email`, `sms`, `voice`, `mobile`)
//! `sendAfter` after the notification. With `repeat` enabled, the steps run again in loops: loop
//! k starts k × (largest `sendAfter` + `loopAfter`) after the notification, at most
//! [`MAX_NOTIFICATION_LOOPS`] loops, and only while the alert is open and not acknowledged.
//!
//! **Defaults** (Opsgenie does not document a new user's rules; these are ours):
//!
//! * a user with **no `create-alert` rule at all** gets one email at minute 0 to their username;
//! * `renotified-alert` falls back to the user's `create-alert` rules (and then to the default
//!   above) when the user has no `renotified-alert` rule at all;
//! * for the other action types a user without a rule of that type is not notified.
//!
//! A user whose rules of the type all are disabled, or none matches, is **not** notified (the
//! default is only for users who never wrote a rule of the type).
//!
//! Paging action types (`create-alert`, `renotified-alert`, `assigned-alert`) stop when the alert
//! is acknowledged, closed or snoozed: a step whose time comes after that is cancelled, and
//! `repeat` only applies to them. Informational types (`acknowledged-alert`, `closed-alert`,
//! `add-note`) always send all their steps once. `schedule-start`, `schedule-end` and
//! `incoming-call-routing` rules are validated but not used by alert timelines.

use crate::compile::{Compiler, Config};
use crate::config::{self, Document};
use crate::criteria::{AlertFields, Criteria};
use crate::error::Problem;
use crate::restriction::Restriction;
use crate::time::Ts;
use chrono_tz::Tz;
use serde::Serialize;

/// The most loops a repeating notification rule runs for one notification.
pub const MAX_NOTIFICATION_LOOPS: u32 = 20;

/// The longest `sendAfter` and `loopAfter` accepted: one day.
pub const MAX_SEND_AFTER_SECS: i64 = 86_400;

/// What a notification rule reacts to (Opsgenie's `actionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionType {
    /// You are a recipient of a new alert.
    CreateAlert,
    /// An alert you were notified about was acknowledged by someone else.
    AcknowledgedAlert,
    /// An alert you were notified about was closed by someone else.
    ClosedAlert,
    /// An escalation, a repeat, a snooze end or an unacknowledge notifies you again.
    RenotifiedAlert,
    /// An alert was assigned to you.
    AssignedAlert,
    /// A note was added to an alert you were notified about.
    AddNote,
    /// Your on-call shift starts.
    ScheduleStart,
    /// Your on-call shift ends.
    ScheduleEnd,
    /// Incoming call routing.
    IncomingCallRouting,
}

impl ActionType {
    /// Every action type, in Opsgenie's order.
    pub const ALL: [ActionType; 9] = [
        ActionType::CreateAlert,
        ActionType::AcknowledgedAlert,
        ActionType::ClosedAlert,
        ActionType::RenotifiedAlert,
        ActionType::AssignedAlert,
        ActionType::AddNote,
        ActionType::ScheduleStart,
        ActionType::ScheduleEnd,
        ActionType::IncomingCallRouting,
    ];

    /// Opsgenie's name, e.g. `create-alert`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::CreateAlert => "create-alert",
            ActionType::AcknowledgedAlert => "acknowledged-alert",
            ActionType::ClosedAlert => "closed-alert",
            ActionType::RenotifiedAlert => "renotified-alert",
            ActionType::AssignedAlert => "assigned-alert",
            ActionType::AddNote => "add-note",
            ActionType::ScheduleStart => "schedule-start",
            ActionType::ScheduleEnd => "schedule-end",
            ActionType::IncomingCallRouting => "incoming-call-routing",
        }
    }

    /// Reads Opsgenie's name.
    pub fn parse(s: &str) -> Option<ActionType> {
        ActionType::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether notifications of this type page until the alert is acknowledged (steps after an
    /// acknowledgement, close or snooze are cancelled, and `repeat` applies).
    pub fn is_paging(self) -> bool {
        matches!(self, ActionType::CreateAlert | ActionType::RenotifiedAlert | ActionType::AssignedAlert)
    }
}

impl std::fmt::Display for ActionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contact method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactMethod {
    /// E-mail.
    Email,
    /// Text message.
    Sms,
    /// Phone call.
    Voice,
    /// Push notification to the mobile app.
    Mobile,
}

impl ContactMethod {
    /// The method's name: `email`, `sms`, `voice` or `mobile`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactMethod::Email => "email",
            ContactMethod::Sms => "sms",
            ContactMethod::Voice => "voice",
            ContactMethod::Mobile => "mobile",
        }
    }

    fn parse(s: &str) -> Option<ContactMethod> {
        match s {
            "email" => Some(ContactMethod::Email),
            "sms" => Some(ContactMethod::Sms),
            "voice" => Some(ContactMethod::Voice),
            "mobile" => Some(ContactMethod::Mobile),
            _ => None,
        }
    }
}

impl std::fmt::Display for ContactMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compiled step.
#[derive(Debug, Clone)]
pub(crate) struct CStep {
    /// Index of the step in the rule's `steps`.
    pub(crate) index: usize,
    pub(crate) method: ContactMethod,
    pub(crate) to: String,
    pub(crate) after_secs: i64,
}

/// A compiled notification rule.
#[derive(Debug)]
pub(crate) struct CNotificationRule {
    /// Index of the rule in the user's `notificationRules`.
    pub(crate) index: usize,
    pub(crate) name: String,
    pub(crate) action: ActionType,
    pub(crate) criteria: Criteria,
    pub(crate) restriction: Restriction,
    pub(crate) tz: Tz,
    /// The enabled steps, in document order.
    pub(crate) steps: Vec<CStep>,
    /// `loopAfter` in seconds when repeating.
    pub(crate) loop_secs: Option<i64>,
    pub(crate) order: i64,
    pub(crate) enabled: bool,
}

/// The outcome of choosing a user's rule for an event.
#[derive(Debug)]
pub(crate) enum Choice<'a> {
    /// This rule (of `action`, which may be the create-alert fallback of renotified-alert).
    Rule(&'a CNotificationRule),
    /// The default: one email at minute 0 to the username.
    Default,
    /// The user has no rule of the type and no default applies.
    NoRule,
    /// The user has rules of the type but none applies: (rule index, name, why) each.
    NoneMatched(Vec<(usize, String, String)>),
}

impl Config {
    /// The compiled rules of user `u` (empty when the user has none).
    fn rules_of(&self, u: usize) -> &[CNotificationRule] {
        self.notification_rules.get(&u).map_or(&[], Vec::as_slice)
    }

    /// Chooses user `u`'s rule for an event of type `action` about `alert` at `t`.
    pub(crate) fn choose_rule(&self, u: usize, action: ActionType, alert: &AlertFields, t: Ts) -> Choice<'_> {
        let rules = self.rules_of(u);
        let of = |a: ActionType| rules.iter().filter(move |r| r.action == a);
        let mut action = action;
        if action == ActionType::RenotifiedAlert && of(action).next().is_none() {
            action = ActionType::CreateAlert;
        }
        if of(action).next().is_none() {
            return if action == ActionType::CreateAlert { Choice::Default } else { Choice::NoRule };
        }
        // Rules are stored sorted by (action, order, index).
        let mut reasons = Vec::new();
        for r in of(action) {
            let why = if !r.enabled {
                "disabled".to_string()
            } else if !r.criteria.matches(alert) {
                "its criteria do not match the alert".to_string()
            } else if !r.restriction.contains(r.tz, t) {
                format!("outside its time restriction (quiet hours, {} time)", r.tz.name())
            } else {
                return Choice::Rule(r);
            };
            reasons.push((r.index, r.name.clone(), why));
        }
        Choice::NoneMatched(reasons)
    }
}

/// Compiles a user's notification rules (path `users[i].notificationRules`), reporting every
/// problem. The result is sorted by (action type, order, document index).
pub(crate) fn compile_rules(
    c: &mut Compiler<'_>,
    doc: &Document,
    rules: &[config::NotificationRule],
    tz: Tz,
    path: &str,
) -> Vec<CNotificationRule> {
    let mut out = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let rp = format!("{path}[{i}]");
        let before = c.problems.len();
        if r.name.trim().is_empty() {
            bad(c, format!("{rp}.name"), "must not be empty");
        }
        let action = ActionType::parse(&r.action_type);
        if action.is_none() {
            let all: Vec<&str> = ActionType::ALL.iter().map(|a| a.as_str()).collect();
            bad(
                c,
                format!("{rp}.actionType"),
                format!("unknown action type {:?} (expected one of {})", r.action_type, all.join(", ")),
            );
        }
        let scheduled = matches!(action, Some(ActionType::ScheduleStart | ActionType::ScheduleEnd));
        let criteria = Criteria::compile(r.criteria.as_ref(), &format!("{rp}.criteria"), &mut c.problems);
        match &r.notification_time {
            None if scheduled => {
                bad(c, format!("{rp}.notificationTime"), "required for schedule-start and schedule-end rules")
            }
            Some(list) => {
                for (k, v) in list.iter().enumerate() {
                    if !matches!(v.as_str(), "just-before" | "15-minutes-ago" | "1-hour-ago" | "1-day-ago") {
                        bad(
                            c,
                            format!("{rp}.notificationTime[{k}]"),
                            format!("expected just-before, 15-minutes-ago, 1-hour-ago or 1-day-ago, found {v:?}"),
                        );
                    }
                }
            }
            None => {}
        }
        if let Some(list) = &r.schedules {
            if !scheduled && !list.is_empty() {
                bad(c, format!("{rp}.schedules"), "only allowed on schedule-start and schedule-end rules");
            }
            for (k, s) in list.iter().enumerate() {
                let known = doc
                    .schedules
                    .iter()
                    .any(|d| s.name.as_ref().is_some_and(|n| *n == d.name) || (s.id.is_some() && s.id == d.id));
                if !known {
                    bad(c, format!("{rp}.schedules[{k}]"), "unknown schedule");
                }
            }
        }
        let restriction = match &r.time_restriction {
            None => Restriction::Always,
            Some(tr) => c.restriction(tr, &format!("{rp}.timeRestriction")),
        };
        let mut steps = Vec::new();
        for (k, s) in r.steps.iter().enumerate() {
            let sp = format!("{rp}.steps[{k}]");
            let method = ContactMethod::parse(&s.contact.method);
            if method.is_none() {
                bad(
                    c,
                    format!("{sp}.contact.method"),
                    format!("expected email, sms, voice or mobile, found {:?}", s.contact.method),
                );
            }
            if s.contact.to.trim().is_empty() {
                bad(c, format!("{sp}.contact.to"), "must not be empty");
            }
            let after = match &s.send_after {
                None => 0,
                Some(d) => duration(c, d.time_amount, d.time_unit.as_deref(), &format!("{sp}.sendAfter")),
            };
            if let (Some(method), true) = (method, s.enabled.unwrap_or(true)) {
                steps.push(CStep { index: k, method, to: s.contact.to.clone(), after_secs: after });
            }
        }
        let loop_secs = match &r.repeat {
            Some(rep) if rep.enabled.unwrap_or(true) => {
                let p = format!("{rp}.repeat.loopAfter");
                if rep.loop_after < 1 {
                    bad(c, p, format!("must be at least 1 minute when repeat is enabled, found {}", rep.loop_after));
                    None
                } else {
                    Some(duration(c, rep.loop_after, None, &p))
                }
            }
            _ => None,
        };
        let order = r.order.unwrap_or(0);
        if order < 0 {
            bad(c, format!("{rp}.order"), format!("must be at least 0, found {order}"));
        }
        let Some(action) = action else { continue };
        if c.problems.len() > before {
            continue;
        }
        out.push(CNotificationRule {
            index: i,
            name: r.name.clone(),
            action,
            criteria,
            restriction,
            tz,
            steps,
            loop_secs,
            order,
            enabled: r.enabled.unwrap_or(true),
        });
    }
    out.sort_by_key(|r| (r.action, r.order, r.index));
    out
}

fn bad(c: &mut Compiler<'_>, path: impl Into<String>, message: impl Into<String>) {
    c.problems.push(Problem::new(path, message));
}

/// A duration of minutes (default unit) between 0 and one day, in seconds.
fn duration(c: &mut Compiler<'_>, amount: i64, unit: Option<&str>, path: &str) -> i64 {
    let unit_secs = match crate::compile::time_unit_secs(unit) {
        Some(secs) => secs,
        None => {
            let other = unit.unwrap_or_default();
            bad(c, format!("{path}.timeUnit"), format!("expected minutes, hours, days or seconds, found {other:?}"));
            60
        }
    };
    let secs = amount.saturating_mul(unit_secs);
    if !(0..=MAX_SEND_AFTER_SECS).contains(&secs) {
        bad(
            c,
            path.to_string(),
            format!("must be between 0 and one day, found {amount} {}", unit.unwrap_or("minutes")),
        );
    }
    secs.clamp(0, MAX_SEND_AFTER_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Edge, parse_ts};

    fn config(rules: &str) -> crate::Result<Config> {
        Config::from_json(&format!(
            r#"{{"users":[{{"username":"ann","timezone":"Europe/Berlin","notificationRules":{rules}}}]}}"#
        ))
    }

    fn at(s: &str) -> Ts {
        parse_ts(s, Tz::UTC, Edge::Start).unwrap()
    }

    #[test]
    fn first_matching_rule_by_order_and_quiet_hours() {
        let c = config(
            r#"[
            {"name":"night","actionType":"create-alert","order":2,
             "steps":[{"contact":{"method":"voice","to":"+49"}}]},
            {"name":"day","actionType":"create-alert","order":1,
             "timeRestriction":{"type":"time-of-day","restriction":{"startHour":8,"endHour":20}},
             "steps":[{"contact":{"method":"sms","to":"+49"}}]}]"#,
        )
        .unwrap();
        let a = AlertFields::empty();
        // 10:00 Berlin (winter, +01:00) is inside "day".
        match c.choose_rule(0, ActionType::CreateAlert, &a, at("2026-11-10T09:00:00Z")) {
            Choice::Rule(r) => assert_eq!(r.name, "day"),
            other => panic!("{other:?}"),
        }
        // 21:00 Berlin is outside "day": "night" is next by order.
        match c.choose_rule(0, ActionType::CreateAlert, &a, at("2026-11-10T20:00:00Z")) {
            Choice::Rule(r) => assert_eq!(r.name, "night"),
            other => panic!("{other:?}"),
        }
        // Renotified falls back to create-alert rules; acknowledged has no rule and no default.
        assert!(matches!(
            c.choose_rule(0, ActionType::RenotifiedAlert, &a, at("2026-11-10T09:00:00Z")),
            Choice::Rule(_)
        ));
        assert!(matches!(
            c.choose_rule(0, ActionType::AcknowledgedAlert, &a, at("2026-11-10T09:00:00Z")),
            Choice::NoRule
        ));
    }

    #[test]
    fn default_only_without_any_rule_of_the_type() {
        let c = config(r#"[{"name":"off","actionType":"create-alert","enabled":false}]"#).unwrap();
        match c.choose_rule(0, ActionType::CreateAlert, &AlertFields::empty(), at("2026-11-10T09:00:00Z")) {
            Choice::NoneMatched(r) => assert_eq!(r, [(0, "off".to_string(), "disabled".to_string())]),
            other => panic!("{other:?}"),
        }
        let c = config("[]").unwrap();
        assert!(matches!(
            c.choose_rule(0, ActionType::CreateAlert, &AlertFields::empty(), at("2026-11-10T09:00:00Z")),
            Choice::Default
        ));
    }

    #[test]
    fn problems_have_paths() {
        let err = config(
            r#"[{"name":"","actionType":"new-alert","steps":[{"contact":{"method":"pager","to":""},
              "sendAfter":{"timeAmount":2000}}],"repeat":{"loopAfter":0}}]"#,
        )
        .unwrap_err();
        let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "users[0].notificationRules[0].name",
                "users[0].notificationRules[0].actionType",
                "users[0].notificationRules[0].steps[0].contact.method",
                "users[0].notificationRules[0].steps[0].contact.to",
                "users[0].notificationRules[0].steps[0].sendAfter",
                "users[0].notificationRules[0].repeat.loopAfter",
            ]
        );
    }
}
