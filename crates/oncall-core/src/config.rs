//! The configuration document: typed, serde-derived mirrors of Opsgenie's REST shapes.
//!
//! These structs are the document exactly as written (camelCase field names, Opsgenie enum
//! values). They do not check meaning: [`crate::Config`] compiles a [`Document`] and reports
//! every semantic problem with its path. Unknown fields are rejected, so a misspelt `startdate`
//! is an error, never silently ignored.
//!
//! Timestamps stay strings here, because a naive local time (`2026-11-02T09:00`) is read in the
//! zone of the object it belongs to, which is known only when compiling.
//!
//! # Reading a document
//!
//! [`Document::from_json`], [`Document::from_yaml`] and [`Document::from_value`] (and their
//! `_with_limits` forms) keep these rules, for every embedding alike:
//!
//! - **Input size** (`maxInputBytes`): the text itself; for YAML also the document after alias
//!   expansion, counted while reading (each scalar's and key's bytes plus one byte per node,
//!   every time an alias repeats them), so an alias bomb stops at the limit.
//! - **Nesting** (`maxDepth`): objects and lists nested more deeply are refused (the JSON
//!   reader itself stops at 128 levels, whatever `maxDepth` says).
//! - **Strings**: a string under one of the free-text keys [`TEXT_FIELDS`] (`description`,
//!   `expectedValue`, `recurrence`) may have up to `maxTextBytes`; every other string (names,
//!   usernames, ids, aliases, zones, dates, enum values, object keys) up to `maxNameBytes`.
//! - **Lists** (`maxListLen`): the items of one list, or the keys of one object.
//! - **Duplicate keys** in JSON and YAML objects are an error naming the key's path. YAML merge
//!   keys (`<<`) are not duplicates: the mapping's own keys win over merged ones.
//! - **Numbers** must be finite: YAML `.nan`, `.inf` and `-.inf` are errors.
//! - Crossing a limit is an [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming the
//!   limit by its camelCase name and the path (`users[3].username: 2000000 bytes, more than
//!   1024 (limit maxNameBytes)`); reading stops there, so it is the only error.
//! - Otherwise every structural problem is reported with its path (the document's own
//!   indices), in the document's words (`expected an integer, found the string "1"`, never a
//!   Rust type), an unknown field with the closest field's name when one is close (`did you
//!   mean `startDate`?`). Past `maxErrors` problems the rest are counted
//!   ([`Error::TooManyProblems`](crate::Error::TooManyProblems), displayed `… and 1 234 more
//!   errors`). A YAML problem carries the line and column of its node.
//!
//! Cost: a valid JSON text is scanned once without building anything (limits, duplicate keys),
//! then read straight into the typed document, so its memory is the text plus the document.
//! Only a document the typed read refuses is read into a tree for the collector, which visits
//! each node once: each object's unknown keys, then its own fields (its lists and nested
//! objects replaced by empty placeholders), then each list item and nested object in turn. So
//! explaining a document costs time proportional to its size, however many problems it has.
//! A YAML text is scanned into a tree in one pass, then read the same way.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One account: users, teams, schedules, escalation policies and forwarding rules.
/// Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    /// Declared users. When present, every user reference must name one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub users: Option<Vec<User>>,
    /// Teams with their members and routing rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub teams: Vec<Team>,
    /// On-call schedules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub schedules: Vec<Schedule>,
    /// Escalation policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub escalations: Vec<Escalation>,
    /// Forwarding rules (user A's notifications go to user B for a while).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub forwarding_rules: Vec<ForwardingRule>,
}

/// A user of the account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// Opsgenie's user id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The login name, usually an e-mail address. Required.
    pub username: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Account role as exported by Opsgenie (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<serde_json::Value>,
    /// The user's IANA zone: quiet hours and naive forwarding times are read in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Locale as exported by Opsgenie (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Notification rules (used by escalation timelines, see [`crate::notification`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub notification_rules: Vec<NotificationRule>,
}

/// A team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Team {
    /// Opsgenie's team id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Team name. Required, unique.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members with their team role (`admin` or `user`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub members: Vec<TeamMember>,
    /// Routing rules, evaluated top-down; the first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub routing_rules: Vec<RoutingRule>,
}

/// A member of a team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamMember {
    /// The user.
    pub user: UserRef,
    /// `admin` or `user` (default `user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A reference to a user by `username` or `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRef {
    /// Opsgenie's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Accepted for Opsgenie exports that write `{"type":"user", …}` here.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A reference to a team, schedule, escalation or rotation by `name` or `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameRef {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Accepted for Opsgenie exports that write a `type` here.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A team routing rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoutingRule {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Marks the team's default rule (it matches everything and comes last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// Position as exported by Opsgenie (list order is what counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// Which alerts the rule matches (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Criteria>,
    /// Zone of the time restriction (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// When the rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_restriction: Option<TimeRestriction>,
    /// What to notify: `{"type": "escalation"|"schedule"|"none", "name"|"id"}`.
    pub notify: NameRef,
}

/// Alert-matching criteria shared by routing and notification rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Criteria {
    /// `match-all`, `match-any-condition` or `match-all-conditions`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The conditions (for the two `match-*-condition*` kinds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub conditions: Vec<Condition>,
}

/// One condition on an alert field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Condition {
    /// `message`, `alias`, `description`, `source`, `entity`, `tags`, `actions`, `details`,
    /// `extra-properties`, `recipients`, `responders`, `teams` or `priority`.
    pub field: String,
    /// The key, for `extra-properties` / `details`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Negates the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<bool>,
    /// `contains`, `equals`, `matches`, `starts-with`, `ends-with`, `is-empty`,
    /// `equals-ignore-whitespace`, `contains-key`, `contains-value`, `greater-than`, `less-than`.
    pub operation: String,
    /// The value compared with (default empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_value: Option<String>,
    /// Position as exported by Opsgenie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
}

/// An on-call schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name. Required, unique.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// IANA zone (default `UTC`). Rotations, overrides and naive query times are read in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Default true. A disabled schedule still answers queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_team: Option<NameRef>,
    /// Rotations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub rotations: Vec<Rotation>,
    /// Overrides, oldest first (a later override wins over an earlier one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub overrides: Vec<Override>,
}

/// A rotation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rotation {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name (default `rotation-N`, N counting from 1), unique in the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `hourly`, `daily`, `weekly`, `monthly` or `custom`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Shift length in units of `type` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
    /// The anchor: the first hand-off.
    pub start_date: String,
    /// Optional end: nobody is on call from it on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// Participants, in turn order.
    #[serde(deserialize_with = "compact")]
    pub participants: Vec<Participant>,
    /// Optional time restriction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_restriction: Option<TimeRestriction>,
    /// Extension: the rotation's own IANA zone (default: the schedule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Extension: layer priority (default 0); higher layers hide lower ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// Extension: the RFC 5545 recurrence of a `custom` rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<String>,
}

/// A participant: `{"type":"user","username":…}`, `{"type":"team","name":…}`,
/// `{"type":"escalation","name":…}`, `{"type":"none"}`, or the shorthand string `"alice"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// `user`, `team`, `escalation`, `schedule` or `none`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// For users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// For teams, escalations and schedules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ParticipantObject {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

impl<'de> Deserialize<'de> for Participant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Participant;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a participant object or a username string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Participant, E> {
                Ok(Participant { kind: "user".into(), username: Some(s.to_string()), ..Default::default() })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Participant, A::Error> {
                let o = ParticipantObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Participant { kind: o.kind, id: o.id, username: o.username, name: o.name })
            }
        }
        d.deserialize_any(V)
    }
}

/// A time restriction, in Opsgenie's two shapes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeRestriction {
    /// `time-of-day` (uses `restriction`) or `weekday-and-time-of-day` (uses `restrictions`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The daily window of a `time-of-day` restriction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<TimeOfDay>,
    /// The weekly spans of a `weekday-and-time-of-day` restriction (1 to 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub restrictions: Option<Vec<WeekdaySpan>>,
}

/// A daily window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeOfDay {
    /// 0–23.
    pub start_hour: i64,
    /// 0–59 (default 0).
    #[serde(default)]
    pub start_min: i64,
    /// 0–23, or 24 with minute 0 for the end of the day.
    pub end_hour: i64,
    /// 0–59 (default 0).
    #[serde(default)]
    pub end_min: i64,
}

/// One weekly span from (startDay, start time) forward to (endDay, end time).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeekdaySpan {
    /// `monday` … `sunday`.
    pub start_day: String,
    /// 0–23.
    pub start_hour: i64,
    /// 0–59 (default 0).
    #[serde(default)]
    pub start_min: i64,
    /// `monday` … `sunday`.
    pub end_day: String,
    /// 0–23, or 24 with minute 0.
    pub end_hour: i64,
    /// 0–59 (default 0).
    #[serde(default)]
    pub end_min: i64,
}

/// An override.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Override {
    /// Identifier of the override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The user who takes over, or `{"type":"none"}` for nobody.
    pub user: Participant,
    /// Start (naive times are read in the schedule's zone).
    pub start_date: String,
    /// End (exclusive).
    pub end_date: String,
    /// The rotations it applies to; absent or empty means the whole schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub rotations: Option<Vec<NameRef>>,
}

/// A forwarding rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForwardingRule {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Identifier of the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Whose notifications are forwarded.
    pub from_user: UserRef,
    /// Who receives them.
    pub to_user: UserRef,
    /// Start (naive times are read in the `fromUser`'s zone, else UTC).
    pub start_date: String,
    /// End (exclusive).
    pub end_date: String,
}

/// An escalation policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Escalation {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name. Required, unique.
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_team: Option<NameRef>,
    /// The rules, each with its delay from the start of the cycle.
    #[serde(default)]
    #[serde(deserialize_with = "compact")]
    pub rules: Vec<EscalationRule>,
    /// Repeating the rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
}

/// One escalation rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EscalationRule {
    /// `if-not-acked` (default) or `if-not-closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `default`, `next`, `previous`, `users`, `admins`, `all` or `random` (default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_type: Option<String>,
    /// Delay from the start of the cycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Delay>,
    /// The recipient: a user, schedule or team.
    pub recipient: Participant,
}

/// A delay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delay {
    /// The amount.
    pub time_amount: i64,
    /// `minutes` (default), `hours`, `days` or `seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<String>,
}

/// Repeat settings of an escalation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Repeat {
    /// Minutes after the last rule before the rules repeat; 0 disables repeating.
    #[serde(default)]
    pub wait_interval: i64,
    /// How many times to repeat (at most 20; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// Revert acknowledged and seen states on each repeat.
    #[serde(default)]
    pub reset_recipient_states: bool,
    /// Close the alert when the repeats are done.
    #[serde(default)]
    pub close_alert_after_all: bool,
}

/// A user's notification rule (Opsgenie's `notification-rules` of a user).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationRule {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name. Required.
    pub name: String,
    /// `create-alert`, `acknowledged-alert`, `closed-alert`, `renotified-alert`, `assigned-alert`,
    /// `add-note`, `schedule-start`, `schedule-end` or `incoming-call-routing`.
    pub action_type: String,
    /// Which alerts the rule matches (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Criteria>,
    /// `just-before`, `15-minutes-ago`, `1-hour-ago`, `1-day-ago` (schedule-start/end rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub notification_time: Option<Vec<String>>,
    /// When the rule applies, in the user's zone (quiet hours are the times it excludes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_restriction: Option<TimeRestriction>,
    /// The schedules of a schedule-start/end rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub schedules: Option<Vec<NameRef>>,
    /// The steps: a contact each, sent `sendAfter` after the notification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub steps: Vec<NotificationStep>,
    /// Repeating the steps until the alert is acknowledged or closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<NotificationRepeat>,
    /// Order among the user's rules of the same action type (lowest first; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// One step of a notification rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationStep {
    /// Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where to send.
    pub contact: Contact,
    /// Delay from the notification (default 0 minutes, at most one day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_after: Option<Delay>,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// A contact: a method and an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    /// `email`, `sms`, `voice` or `mobile`.
    pub method: String,
    /// The address, number or device.
    pub to: String,
}

/// Repeat settings of a notification rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationRepeat {
    /// Minutes between the last step and the next loop of the steps.
    #[serde(default)]
    pub loop_after: i64,
    /// Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Reads a list and gives back the room its growth left over: a list read from text grows by
/// doubling, so without this up to half of a long list's memory would be unused.
fn compact<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    let mut items = Vec::<T>::deserialize(d)?;
    items.shrink_to_fit();
    Ok(items)
}

/// [`compact`] for an optional list.
fn compact_opt<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Vec<T>>, D::Error> {
    let mut items = Option::<Vec<T>>::deserialize(d)?;
    if let Some(items) = &mut items {
        items.shrink_to_fit();
    }
    Ok(items)
}

/// Extra keys an Opsgenie export may carry that are not part of the document.
#[allow(dead_code)]
pub(crate) type Extra = BTreeMap<String, serde_json::Value>;

impl Document {
    /// Reads a JSON document within the default [`Limits`](crate::Limits). Reports every
    /// structural problem (unknown fields, with a suggestion when the name is close; wrong types;
    /// missing required fields; duplicate keys), each with its path; see the
    /// [reading rules](crate::config#reading-a-document).
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::config::Document;
    /// let err = Document::from_json(r#"{"schedules":[{"name":"a","rotations":[{"type":"daily","startdate":"x"}]}]}"#)
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("schedules[0].rotations[0].startdate: unknown field `startdate`; did you mean `startDate`?"), "{err}");
    /// ```
    pub fn from_json(text: &str) -> crate::Result<Document> {
        Self::from_json_with_limits(text, &crate::Limits::default())
    }

    /// Reads a JSON document within `limits`: the ones about documents (`maxInputBytes`,
    /// `maxDepth`, `maxNameBytes`, `maxTextBytes`, `maxListLen`, `maxErrors`) are kept while
    /// reading, and crossing one is an [`Error::LimitExceeded`](crate::Error::LimitExceeded)
    /// naming it and the path.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::{config::Document, Limits};
    /// let tight = Limits { max_name_bytes: 8, ..Limits::default() };
    /// let err = Document::from_json_with_limits(r#"{"users": [{"username": "a-very-long-name"}]}"#, &tight).unwrap_err();
    /// assert_eq!(err.to_string(), "users[0].username: 16 bytes, more than 8 (limit maxNameBytes)");
    /// ```
    pub fn from_json_with_limits(text: &str, limits: &crate::Limits) -> crate::Result<Document> {
        crate::read::json(text, limits)
    }

    /// Reads a YAML document within the default [`Limits`](crate::Limits), with the same checks
    /// as [`Document::from_json`]. Aliases count against `maxInputBytes` by the bytes they
    /// expand to; merge keys (`<<`) work; every problem carries its line and column.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::config::Document;
    /// let err = Document::from_yaml("schedules:\n  - name: s\n    timezone: [UTC]\n").unwrap_err();
    /// assert_eq!(err.to_string(), "schedules[0].timezone: expected a string, found a list (line 3, column 5)");
    /// assert_eq!(Document::from_yaml("").unwrap_err().to_string(), "the document is empty");
    /// ```
    #[cfg(feature = "yaml")]
    pub fn from_yaml(text: &str) -> crate::Result<Document> {
        Self::from_yaml_with_limits(text, &crate::Limits::default())
    }

    /// Reads a YAML document within `limits` (see [`Document::from_json_with_limits`]).
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::{config::Document, Limits};
    /// // An alias repeats its anchor's bytes: four 10-byte names are more than 32 bytes.
    /// let text = "a: &a [xxxxxxxxxx]\nusers: [*a, *a, *a]\n";
    /// let err = Document::from_yaml_with_limits(text, &Limits { max_input_bytes: 48, ..Limits::default() }).unwrap_err();
    /// assert!(err.to_string().contains("the document expands to more than 48 bytes (limit maxInputBytes)"), "{err}");
    /// ```
    #[cfg(feature = "yaml")]
    pub fn from_yaml_with_limits(text: &str, limits: &crate::Limits) -> crate::Result<Document> {
        crate::read::yaml(text, limits)
    }

    /// Reads a document from a JSON value within the default [`Limits`](crate::Limits), with
    /// the same checks as [`Document::from_json`] (duplicate keys cannot be seen any more: a
    /// value has already kept one of them).
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::config::Document;
    /// let doc = Document::from_value(serde_json::json!({"schedules": [{"name": "ops"}]}))?;
    /// assert_eq!(doc.schedules[0].name, "ops");
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn from_value(value: serde_json::Value) -> crate::Result<Document> {
        Self::from_value_with_limits(&value, &crate::Limits::default())
    }

    /// Reads a document from a JSON value within `limits` (`maxInputBytes` does not apply: the
    /// value is already in memory).
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::{config::Document, Limits};
    /// let value = serde_json::json!({"schedules": [{"name": "a"}, {"name": "b"}]});
    /// let err = Document::from_value_with_limits(&value, &Limits { max_list_len: 1, ..Limits::default() }).unwrap_err();
    /// assert_eq!(err.to_string(), "schedules: more than 1 item (limit maxListLen)");
    /// ```
    pub fn from_value_with_limits(value: &serde_json::Value, limits: &crate::Limits) -> crate::Result<Document> {
        crate::read::value(value, limits)
    }
}

pub use crate::read::{TEXT_FIELDS, suggest};
