//! Team routing rules: which escalation or schedule an alert for a team goes to.
//!
//! When an alert is created for a team (or a team is reached by an escalation rule with
//! `notifyType: default`), the team's routing rules are evaluated **top-down in document order**
//! and the **first rule whose criteria match the alert and whose time restriction contains the
//! instant** (read in the rule's own `timezone`, UTC by default) applies:
//!
//! * `notify.type: escalation` — that escalation policy runs for the alert;
//! * `notify.type: schedule` — the users on call in that schedule are notified once, with no
//!   escalation after it;
//! * `notify.type: none` — nobody is notified (the timeline says so).
//!
//! A default rule (`isDefault: true`, usually `match-all` and last) is an ordinary rule here. When
//! no rule matches, the team's default target applies as in who-is-on-call (the escalation named
//! `<team>_escalation`, the schedule named `<team>_schedule`, or the first escalation or schedule
//! the team owns), else every member of the team is notified.

use crate::alert::Alert;
use crate::compile::{Config, Target};
use crate::criteria::AlertFields;
use crate::error::{Error, Result};
use crate::time::{Ts, to_utc, utc_serde};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Where a routing decision sends the alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTarget {
    /// `escalation`, `schedule`, `none` or `members` (every member of the team).
    #[serde(rename = "type")]
    pub kind: String,
    /// The escalation's or schedule's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A routing rule that did not apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkippedRule {
    /// Index in the team's `routingRules`.
    pub rule_index: usize,
    /// The rule's name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_name: Option<String>,
    /// Why it did not apply.
    pub reason: String,
}

/// The outcome of a team's routing for an alert at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingDecision {
    /// The team.
    pub team: String,
    /// When the rules were evaluated.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// Index of the rule that applied in the team's `routingRules`; `null` when none did.
    pub rule_index: Option<usize>,
    /// The name of the rule that applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_name: Option<String>,
    /// Whether the rule that applied is the team's default rule.
    pub is_default: bool,
    /// Where the alert goes.
    pub notify: RouteTarget,
    /// When no rule applied: what was used instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// The rules tried before, with the reason each did not apply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedRule>,
}

/// Where routing sends an alert, internally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Routed {
    Target(Target),
    Members,
}

impl Config {
    /// A team's index by name (or Opsgenie id).
    pub(crate) fn team_index(&self, name: &str) -> Result<usize> {
        self.teams
            .iter()
            .position(|t| t.name == name)
            .or_else(|| self.teams.iter().position(|t| t.id.as_deref() == Some(name)))
            .ok_or_else(|| Error::UnknownTarget { kind: "team".into(), name: name.into() })
    }

    pub(crate) fn target_ref(&self, target: Target) -> RouteTarget {
        match target {
            Target::Escalation(e) => {
                RouteTarget { kind: "escalation".into(), name: Some(self.escalations[e].name.clone()) }
            }
            Target::Schedule(s) => RouteTarget { kind: "schedule".into(), name: Some(self.schedules[s].name.clone()) },
            Target::Nobody => RouteTarget { kind: "none".into(), name: None },
        }
    }

    /// Evaluates team `ti`'s routing rules for an alert with `fields` at `t`.
    pub(crate) fn route(&self, ti: usize, fields: &AlertFields, t: Ts) -> (RoutingDecision, Routed) {
        let team = &self.teams[ti];
        let mut skipped = Vec::new();
        for (i, r) in team.routing.iter().enumerate() {
            let name = r.name.as_deref().map(str::to_string);
            let reason = if !r.criteria.matches(fields) {
                "its criteria do not match the alert".to_string()
            } else if !r.restriction.contains(r.tz, t) {
                format!("outside its time restriction ({} time)", r.tz.name())
            } else {
                let decision = RoutingDecision {
                    team: team.name.clone(),
                    at: to_utc(t),
                    rule_index: Some(i),
                    rule_name: name,
                    is_default: r.is_default,
                    notify: self.target_ref(r.notify),
                    fallback: None,
                    skipped,
                };
                return (decision, Routed::Target(r.notify));
            };
            skipped.push(SkippedRule { rule_index: i, rule_name: name, reason });
        }
        let (notify, fallback, routed) = match team.default_target {
            Some(target) => {
                let r = self.target_ref(target);
                let why = format!("no routing rule applies: the team's default {}", r.kind);
                (r, why, Routed::Target(target))
            }
            None => (
                RouteTarget { kind: "members".into(), name: None },
                "no routing rule applies and the team has no default escalation or schedule: every member".to_string(),
                Routed::Members,
            ),
        };
        let decision = RoutingDecision {
            team: team.name.clone(),
            at: to_utc(t),
            rule_index: None,
            rule_name: None,
            is_default: false,
            notify,
            fallback: Some(fallback),
            skipped,
        };
        (decision, routed)
    }

    /// Where team `team`'s routing rules send `alert` created at `at`, with the rules that did not
    /// apply and why.
    ///
    /// ```
    /// use oncall_core::{Config, alert::Alert};
    /// let config = Config::from_json(r#"{
    ///   "schedules": [{"name": "day"}, {"name": "night"}],
    ///   "teams": [{"name": "ops", "routingRules": [
    ///     {"name": "P1", "criteria": {"type": "match-all-conditions", "conditions": [
    ///        {"field": "priority", "operation": "equals", "expectedValue": "P1"}]},
    ///      "notify": {"type": "schedule", "name": "night"}},
    ///     {"name": "rest", "isDefault": true, "notify": {"type": "schedule", "name": "day"}}]}]}"#)?;
    /// let d = config.route_alert("ops", &Alert::new("disk full"), "2026-11-10T10:00:00Z".parse()?)?;
    /// assert_eq!((d.rule_index, d.notify.name.as_deref()), (Some(1), Some("day")));
    /// assert_eq!(d.skipped[0].reason, "its criteria do not match the alert");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route_alert(&self, team: &str, alert: &Alert, at: DateTime<Utc>) -> Result<RoutingDecision> {
        alert.validate()?;
        let ti = self.team_index(team)?;
        let t = crate::time::check_range(at.timestamp())
            .map_err(|m| Error::InvalidTime { what: "at".into(), message: m })?;
        let mut fields = alert.fields();
        if !fields.teams.contains(&self.teams[ti].name) {
            fields.teams.push(self.teams[ti].name.clone());
        }
        Ok(self.route(ti, &fields, t).0)
    }
}
