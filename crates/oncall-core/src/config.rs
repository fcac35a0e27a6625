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
//! Cost: a valid JSON text is read once, straight into the typed document, with every rule
//! above checked on the way (a checking deserializer between serde_json and the document's
//! readers), so its memory is the text plus the document. A text that read refuses (a limit
//! crossed, a repeated key, a wrong type, a list where an object belongs, …) is read again the
//! way that explains it: a scan (limits, duplicate keys) that stops at a crossed limit, the
//! typed read when the scan found nothing, and only for a document that still fails a tree for
//! the collector, which visits each node once: each object's unknown keys, then its own fields
//! (its lists and nested objects replaced by empty placeholders), then each list item and
//! nested object in turn. So explaining a document costs time proportional to its size, however
//! many problems it has. A YAML text is scanned into a tree in one pass, then read the same way.
//! (The one-pass read comes with the `fast-read` feature, on by default; without it, as in the
//! WebAssembly package, a JSON text is scanned, then read into a tree and from it.)
//!
//! Measured (benches/README.md, `load` group, 2026-12-04, loaded shared machine): a valid
//! JSON document reads in 3.7–4.6× the time of serde_json's bare pass over the same text
//! (`IgnoredAny`; 7.2× for the document of 100 000 overrides), in about 0.59 of the
//! instructions it took with the scan before the typed read, and 5–6.5× faster than the
//! path-tracking reader that explains a refused one.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One account: users, teams, schedules, escalation policies and forwarding rules.
/// Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    /// `$schema`: where editors find the JSON Schema of this format (`docs/oncall.schema.json`).
    /// Read and ignored by the engine; allowed only at the top of the document.
    #[serde(default, rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `users`: declared users. When present, every user reference must name one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub users: Option<Vec<User>>,
    /// `teams`: teams with their members and routing rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub teams: Vec<Team>,
    /// `schedules`: on-call schedules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub schedules: Vec<Schedule>,
    /// `escalations`: escalation policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub escalations: Vec<Escalation>,
    /// `forwardingRules`: forwarding rules (user A's notifications go to user B for a while).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub forwarding_rules: Vec<ForwardingRule>,
    /// `payRules`: how on-call hours are paid (see [`crate::pay`]); not an Opsgenie field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub pay_rules: Vec<crate::pay::PayRule>,
    /// `holidayCalendars` (extension): named lists of holiday dates, bound to rotations and
    /// users by `holidays` (see [`crate::holiday`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holiday_calendars: Vec<crate::holiday::HolidayCalendarDoc>,
    /// `integrations`: API integrations (Opsgenie's shape): the keys `oncall serve` accepts in
    /// `Authorization: GenieKey …`, each with the team its alerts are routed by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub integrations: Vec<Integration>,
}

/// An API integration (Opsgenie's `{"name", "type": "API", "ownerTeam", …}`), with its key
/// written in the document (`apiKey`) or read by the embedder from an environment variable
/// (`apiKeyEnv`): exactly one of the two. `type` is `API` (the default).
///
/// ```
/// let doc = oncall_core::config::Document::from_json(r#"{"teams": [{"name": "payments"}],
///   "integrations": [{"name": "prometheus", "type": "API", "ownerTeam": {"name": "payments"}, "apiKeyEnv": "PROM_KEY"}]}"#)?;
/// assert_eq!(doc.integrations[0].api_key_env.as_deref(), Some("PROM_KEY"));
/// # Ok::<(), oncall_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Integration {
    /// `id`: Opsgenie id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: the integration's name (required, unique).
    pub name: String,
    /// `type`: `API` (the only type served; default `API`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `enabled`: a disabled integration's key is refused (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `ownerTeam`: the team whose routing rules route its alerts that name no responders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_team: Option<NameRef>,
    /// `apiKey`: the key, written in the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// `apiKeyEnv`: the name of the environment variable holding the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// `priorityLabel` (*extension*): the label of an Alertmanager webhook's alerts that gives
    /// the priority (default `severity`; see [`crate::alertmanager`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_label: Option<String>,
    /// `priorities` (*extension*): label value → priority for Alertmanager webhooks; default
    /// critical → P1, warning → P2, info → P3; other values P3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub priorities: Option<Vec<PriorityMapping>>,
}

/// One `priorities` entry of an [`Integration`]: `{"value": "critical", "priority": "P1"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PriorityMapping {
    /// `value`: the label's value.
    pub value: String,
    /// `priority`: `P1` … `P5`.
    pub priority: String,
}

/// A user of the account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = time_zone_alias))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// `id`: Opsgenie's user id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `username`: the login name, usually an e-mail address. Required.
    pub username: String,
    /// `fullName`: display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// `role`: account role as exported by Opsgenie (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<serde_json::Value>,
    /// `timezone` (Opsgenie's GET /v2/users spells it `timeZone`; both are read, `""` is
    /// absent): the user's IANA zone: quiet hours and naive forwarding times are read in it.
    #[serde(default, alias = "timeZone", deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `locale`: locale as exported by Opsgenie (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `notificationRules`: notification rules (used by escalation timelines, see [`crate::notification`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub notification_rules: Vec<NotificationRule>,
    /// `blocked`: read-only in Opsgenie; read and ignored (see [`crate::opsgenie::IGNORED_FIELDS`]).
    #[serde(default, skip_serializing)]
    pub blocked: Option<Ignored>,
    /// `verified`: read-only in Opsgenie; read and ignored.
    #[serde(default, skip_serializing)]
    pub verified: Option<Ignored>,
    /// `createdAt`: read-only in Opsgenie; read and ignored.
    #[serde(default, skip_serializing)]
    pub created_at: Option<Ignored>,
    /// `userAddress`: not used by the engine; read and ignored.
    #[serde(default, skip_serializing)]
    pub user_address: Option<Ignored>,
    /// `tags`: not used by the engine; read and ignored.
    #[serde(default, skip_serializing)]
    pub tags: Option<Ignored>,
    /// `details`: not used by the engine; read and ignored.
    #[serde(default, skip_serializing)]
    pub details: Option<Ignored>,
    /// `skypeUsername`: not used by the engine; read and ignored.
    #[serde(default, skip_serializing)]
    pub skype_username: Option<Ignored>,
    /// `mutedUntil`: not used by the engine (muting is not modelled); read and ignored.
    #[serde(default, skip_serializing)]
    pub muted_until: Option<Ignored>,
    /// `userContacts`: the contact methods of GET /v2/users/{id}; read and ignored (the steps of
    /// notification rules carry the contacts the engine uses).
    #[serde(default, skip_serializing)]
    pub user_contacts: Option<Ignored>,
    /// `invitationDisabled`: sent by clients creating a user; read and ignored.
    #[serde(default, skip_serializing)]
    pub invitation_disabled: Option<Ignored>,
    /// `timeOff` (extension): when the user is away (see [`crate::timeoff`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub time_off: Vec<crate::timeoff::TimeOff>,
    /// `holidays` (extension): names of holiday calendars on whose dates (in the user's zone)
    /// the user is away.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
}

/// A team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Team {
    /// `id`: Opsgenie's team id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: team name. Required, unique.
    pub name: String,
    /// `description`: free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `members`: members with their team role (`admin` or `user`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub members: Vec<TeamMember>,
    /// `routingRules`: routing rules, evaluated top-down; the first match wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub routing_rules: Vec<RoutingRule>,
    /// `links`: the `{web, api}` URLs of GET /v2/teams; read and ignored.
    #[serde(default, skip_serializing)]
    pub links: Option<Ignored>,
}

/// A member of a team.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamMember {
    /// `user`: the user.
    pub user: UserRef,
    /// `role`: `admin` or `user` (default `user`; `""` is the default).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A reference to a user by `username` or `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRef {
    /// `id`: Opsgenie's user id (`""` is absent, as the Go SDK writes it).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `username`: the username (`""` is absent).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `type`: accepted for Opsgenie exports that write `{"type":"user", …}` here.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A reference to a team, schedule, escalation or rotation by `name` or `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameRef {
    /// `id`: Opsgenie id (`""` is absent).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: name (`""` is absent).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `type`: accepted for Opsgenie exports that write a `type` here.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A team routing rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoutingRule {
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `isDefault`: marks the team's default rule (it matches everything and comes last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
    /// `order`: position as exported by Opsgenie (list order is what counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// `criteria`: which alerts the rule matches (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Criteria>,
    /// `timezone`: zone of the time restriction (default UTC; `""` is the default).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `timeRestriction`: when the rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_restriction: Option<TimeRestriction>,
    /// `notify`: what to notify: `{"type": "escalation"|"schedule"|"none", "name"|"id"}`.
    pub notify: NameRef,
}

/// Alert-matching criteria shared by routing and notification rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Criteria {
    /// `type`: `match-all`, `match-any-condition` or `match-all-conditions`.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["match-all", "match-any-condition", "match-all-conditions"])))]
    #[serde(rename = "type")]
    pub kind: String,
    /// `conditions`: the conditions (for the two `match-*-condition*` kinds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub conditions: Vec<Condition>,
}

/// One condition on an alert field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Condition {
    /// `field`: `message`, `alias`, `description`, `source`, `entity`, `tags`, `actions`, `details`,
    /// `extra-properties`, `recipients`, `responders`, `teams` or `priority`.
    pub field: String,
    /// `key`: the key, for `extra-properties` / `details`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `not`: negates the condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<bool>,
    /// `operation`: `contains`, `equals`, `matches`, `starts-with`, `ends-with`, `is-empty`,
    /// `equals-ignore-whitespace`, `contains-key`, `contains-value`, `greater-than`, `less-than`.
    pub operation: String,
    /// `expectedValue`: the value compared with (default empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_value: Option<String>,
    /// `order`: position as exported by Opsgenie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
}

/// An on-call schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: name. Required, unique.
    pub name: String,
    /// `description`: free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `timezone`: IANA zone (default `UTC`; `""` is the default). Rotations, overrides and naive
    /// query times are read in it.
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `enabled`: default true. A disabled schedule still answers queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `ownerTeam`: the owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_team: Option<NameRef>,
    /// `rotations`: rotations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub rotations: Vec<Rotation>,
    /// `overrides`: overrides, oldest first (a later override wins over an earlier one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub overrides: Vec<Override>,
}

/// A rotation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rotation {
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: name (default `rotation-N`, N counting from 1, also for `""`), unique in the schedule.
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `type`: `hourly`, `daily`, `weekly`, `monthly` or `custom`.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["hourly", "daily", "weekly", "monthly", "custom"])))]
    #[serde(rename = "type")]
    pub kind: String,
    /// `length`: shift length in units of `type` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
    /// `startDate`: the anchor: the first hand-off.
    pub start_date: String,
    /// `endDate`: optional end: nobody is on call from it on (`""` is absent).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// `participants`: participants, in turn order.
    #[serde(deserialize_with = "compact")]
    pub participants: Vec<Participant>,
    /// `timeRestriction`: optional time restriction (`{}`, as the Go SDK writes an empty one, is
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_restriction: Option<TimeRestriction>,
    /// `timezone`: extension: the rotation's own IANA zone (default: the schedule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `priority`: extension: layer priority (default 0); higher layers hide lower ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// `recurrence`: extension: the RFC 5545 recurrence of a `custom` rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<String>,
    /// `changes`: extension: dated versions of the roster (participants and/or length), oldest
    /// first, each taking over as its `rollout` says; see [`RosterChange`] and the rules in
    /// `docs/rules.md` (roster changes). An Opsgenie export has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub changes: Vec<RosterChange>,
    /// `timeOffPolicy`: extension: `skip` (default), `cover` or `mask`: what the rotation does
    /// with the shift of a participant who is away (see [`crate::timeoff`]).
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["skip", "cover", "mask"])))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_off_policy: Option<String>,
    /// `holidays`: extension: names of holiday calendars on whose dates (in the rotation's
    /// zone) the rotation is closed (see [`crate::holiday`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
    /// `_parent`: the schedule `{id, name, enabled}` of a rotation fetched on its own; read and
    /// ignored.
    #[serde(rename = "_parent", default, skip_serializing)]
    pub parent: Option<Ignored>,
}

/// A dated version of a rotation's roster (extension): from the instant its `rollout` gives
/// (at or after `effective`), the rotation takes its turns from this version's `participants`
/// and/or steps by this version's `length`; what came before is unchanged.
///
/// ```
/// use oncall_core::Config;
/// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
///   {"name": "weekly", "type": "weekly", "startDate": "2026-11-02T09:00", "participants": ["ann", "ben", "cy"],
///    "changes": [{"effective": "2026-11-11T12:00", "rollout": "after-current-shift",
///                 "participants": ["ann", "ben", "cy", "dee"]}]}]}]}"#)?;
/// let ops = config.schedule("ops")?;
/// // ben's shift (from 2026-11-09) runs to its end; then the new order goes on after ben.
/// assert_eq!(ops.on_call("2026-11-12T12:00:00Z".parse()?)?.flat().on_call_recipients, ["ben"]);
/// assert_eq!(ops.on_call("2026-11-16T12:00:00Z".parse()?)?.flat().on_call_recipients, ["cy"]);
/// assert_eq!(ops.on_call("2026-11-23T12:00:00Z".parse()?)?.flat().on_call_recipients, ["dee"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RosterChange {
    /// `effective`: when the change is decided to take effect (RFC 3339, or a local time in the
    /// rotation's zone); after `startDate`, before `endDate`, and after the instant the
    /// previous change took over.
    pub effective: String,
    /// `rollout`: where the new version starts: `immediate` (at `effective`),
    /// `after-current-shift` (at the first hand-off at or after `effective`) or
    /// `after-full-rotation` (at the first hand-off at or after `effective` where the order
    /// starts over from its first participant).
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["immediate", "after-current-shift", "after-full-rotation"]))
    )]
    pub rollout: String,
    /// `participants`: the new turn order (default: the previous version's).
    #[serde(default, deserialize_with = "compact_opt", skip_serializing_if = "Option::is_none")]
    pub participants: Option<Vec<Participant>>,
    /// `length`: the new shift length in units of `type` (default: the previous version's);
    /// not for `custom` rotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
}

/// A participant: `{"type":"user","username":…}`, `{"type":"team","name":…}`,
/// `{"type":"escalation","name":…}`, `{"type":"none"}` (JSM's `noone` is read the same), or the
/// shorthand string `"alice"`. An empty `id`, `username` or `name` (the Go SDK always writes
/// `"username": ""`) is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// `type`: `user`, `team`, `escalation`, `schedule` or `none`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `username`: for users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `name`: for teams, escalations and schedules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A participant written as an object.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ParticipantObject"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ParticipantObject {
    /// `type`: `user`, `team`, `escalation`, `schedule` or `none`.
    #[serde(rename = "type")]
    kind: String,
    /// `id`: Opsgenie's id of the user, team, escalation or schedule (`""` is absent).
    #[serde(default, deserialize_with = "empty_as_none")]
    id: Option<String>,
    /// `username`: for users (`""` is absent).
    #[serde(default, deserialize_with = "empty_as_none")]
    username: Option<String>,
    /// `name`: for teams, escalations and schedules (`""` is absent).
    #[serde(default, deserialize_with = "empty_as_none")]
    name: Option<String>,
}

/// The schema of a participant: the shorthand string or the object (the derive cannot see the
/// hand-written [`Deserialize`] below, which accepts both).
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Participant {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Participant".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let object = generator.subschema_for::<ParticipantObject>();
        schemars::json_schema!({
            "description": "A participant: `{\"type\":\"user\",\"username\":…}`, `{\"type\":\"team\",\"name\":…}`, `{\"type\":\"escalation\",\"name\":…}`, `{\"type\":\"schedule\",\"name\":…}`, `{\"type\":\"none\"}`, or a username string as shorthand for a user.",
            "anyOf": [
                {"type": "string", "description": "A username: shorthand for `{\"type\":\"user\",\"username\":…}`."},
                object
            ]
        })
    }
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
                // An empty username is absent, in the shorthand as in the object.
                let username = (!s.is_empty()).then(|| s.to_string());
                Ok(Participant { kind: "user".into(), username, ..Default::default() })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Participant, A::Error> {
                let o = ParticipantObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Participant { kind: o.kind, id: o.id, username: o.username, name: o.name })
            }
        }
        d.deserialize_any(V)
    }
}

/// A time restriction, in Opsgenie's two shapes. An empty one (`{}`, no `type` and no window,
/// as the Go SDK writes an unset restriction) means no restriction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeRestriction {
    /// `type`: `time-of-day` (uses `restriction`) or `weekday-and-time-of-day` (uses `restrictions`).
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["time-of-day", "weekday-and-time-of-day"])))]
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub kind: String,
    /// `restriction`: the daily window of a `time-of-day` restriction. Beside `restrictions`, an
    /// all-zero window (`{}`, which the Go SDK and the Terraform provider write there) is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<TimeOfDay>,
    /// `restrictions`: the weekly spans of a `weekday-and-time-of-day` restriction (1 to 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub restrictions: Option<Vec<WeekdaySpan>>,
}

/// A daily window. A missing hour or minute is 0: the Go SDK leaves zero values out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeOfDay {
    /// `startHour`: 0–23 (default 0).
    #[serde(default)]
    pub start_hour: i64,
    /// `startMin`: 0–59 (default 0).
    #[serde(default)]
    pub start_min: i64,
    /// `endHour`: 0–23, or 24 with minute 0 for the end of the day (default 0).
    #[serde(default)]
    pub end_hour: i64,
    /// `endMin`: 0–59 (default 0).
    #[serde(default)]
    pub end_min: i64,
}

/// One weekly span from (startDay, start time) forward to (endDay, end time). A missing hour or
/// minute is 0 (the Go SDK leaves zero values out); the days are required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeekdaySpan {
    /// `startDay`: `monday` … `sunday`.
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]))
    )]
    pub start_day: String,
    /// `startHour`: 0–23 (default 0).
    #[serde(default)]
    pub start_hour: i64,
    /// `startMin`: 0–59 (default 0).
    #[serde(default)]
    pub start_min: i64,
    /// `endDay`: `monday` … `sunday`.
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]))
    )]
    pub end_day: String,
    /// `endHour`: 0–23, or 24 with minute 0 (default 0).
    #[serde(default)]
    pub end_hour: i64,
    /// `endMin`: 0–59 (default 0).
    #[serde(default)]
    pub end_min: i64,
}

/// An override.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Override {
    /// `alias`: identifier of the override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// `user`: the user who takes over, or `{"type":"none"}` for nobody.
    pub user: Participant,
    /// `startDate`: start (naive times are read in the schedule's zone).
    pub start_date: String,
    /// `endDate`: end (exclusive).
    pub end_date: String,
    /// `rotations`: the rotations it applies to; absent or empty means the whole schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub rotations: Option<Vec<NameRef>>,
    /// `_parent`: the schedule `{id, name, enabled}` of GET …/overrides; read and ignored.
    #[serde(rename = "_parent", default, skip_serializing)]
    pub parent: Option<Ignored>,
}

/// A forwarding rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForwardingRule {
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `alias`: identifier of the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// `fromUser`: whose notifications are forwarded.
    pub from_user: UserRef,
    /// `toUser`: who receives them.
    pub to_user: UserRef,
    /// `startDate`: start (naive times are read in the `fromUser`'s zone, else UTC).
    pub start_date: String,
    /// `endDate`: end (exclusive).
    pub end_date: String,
}

/// An escalation policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Escalation {
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: name. Required, unique.
    pub name: String,
    /// `description`: free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `ownerTeam`: the owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_team: Option<NameRef>,
    /// `rules`: the rules, each with its delay from the start of the cycle.
    #[serde(default)]
    #[serde(deserialize_with = "compact")]
    pub rules: Vec<EscalationRule>,
    /// `repeat`: repeating the rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    /// `onGap` (extension): what a rule does when its schedule has nobody on call: `report`
    /// (default, also for `""`: the gap is reported as unreached, the next rule keeps its
    /// time), `skip` (the next rule fires at once), `wait` (the rule fires again when someone
    /// comes on call) or `fallback` (`gapFallback` is notified instead).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub on_gap: Option<String>,
    /// `gapFallback` (extension): with `onGap: fallback`, the user or team notified when a
    /// rule's schedule has nobody on call (a team: all its members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_fallback: Option<Participant>,
}

/// One escalation rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EscalationRule {
    /// `condition`: `if-not-acked` (default, also for `""`) or `if-not-closed`.
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `notifyType`: `default`, `next`, `previous`, `users`, `admins`, `all` or `random` (default
    /// `default`, also for `""`).
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub notify_type: Option<String>,
    /// `delay`: delay from the start of the cycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Delay>,
    /// `recipient`: the recipient: a user, schedule or team.
    pub recipient: Participant,
}

/// A delay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delay {
    /// `timeAmount`: the amount.
    pub time_amount: i64,
    /// `timeUnit`: `minutes` (default, also for `""`), `hours`, `days` or `seconds`; Terraform's
    /// singular `minute`, `hour`, `day`, `second` are read the same.
    #[serde(default, deserialize_with = "empty_as_none", skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<String>,
}

/// Repeat settings of an escalation.
///
/// Every field is nullable in Opsgenie's OpenAPI definition (`EscalationRepeat`): `null` is
/// the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Repeat {
    /// `waitInterval`: minutes after the last rule before the rules repeat; 0 disables repeating.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub wait_interval: i64,
    /// `count`: how many times to repeat (at most 20; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// `resetRecipientStates`: revert acknowledged and seen states on each repeat.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub reset_recipient_states: bool,
    /// `closeAlertAfterAll`: close the alert when the repeats are done.
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub close_alert_after_all: bool,
}

/// A user's notification rule (Opsgenie's `notification-rules` of a user).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationRule {
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: name. Required.
    pub name: String,
    /// `actionType`: `create-alert`, `acknowledged-alert`, `closed-alert`, `renotified-alert`, `assigned-alert`,
    /// `add-note`, `schedule-start`, `schedule-end` or `incoming-call-routing`.
    pub action_type: String,
    /// `criteria`: which alerts the rule matches (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Criteria>,
    /// `notificationTime`: `just-before`, `15-minutes-ago`, `1-hour-ago`, `1-day-ago` (schedule-start/end rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub notification_time: Option<Vec<String>>,
    /// `timeRestriction`: when the rule applies, in the user's zone (quiet hours are the times it excludes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_restriction: Option<TimeRestriction>,
    /// `schedules`: the schedules of a schedule-start/end rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "compact_opt")]
    pub schedules: Option<Vec<NameRef>>,
    /// `steps`: the steps: a contact each, sent `sendAfter` after the notification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "compact")]
    pub steps: Vec<NotificationStep>,
    /// `repeat`: repeating the steps until the alert is acknowledged or closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<NotificationRepeat>,
    /// `order`: order among the user's rules of the same action type (lowest first; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// `enabled`: default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// One step of a notification rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationStep {
    /// `id`: Opsgenie id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `contact`: where to send.
    pub contact: Contact,
    /// `sendAfter`: delay from the notification (default 0 minutes, at most one day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_after: Option<Delay>,
    /// `enabled`: default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `_parent`: the rule `{id, name}` of a step fetched from Opsgenie; read and ignored.
    #[serde(rename = "_parent", default, skip_serializing)]
    pub parent: Option<Ignored>,
}

/// A contact: a method and an address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    /// `method`: `email`, `sms`, `voice` or `mobile`.
    pub method: String,
    /// `to`: the address, number or device.
    pub to: String,
}

/// Repeat settings of a notification rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationRepeat {
    /// `loopAfter`: minutes between the last step and the next loop of the steps.
    #[serde(default)]
    pub loop_after: i64,
    /// `enabled`: default true.
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

/// A field Opsgenie's API returns (or its official clients send) that the engine does not use:
/// any value is read and dropped, and it is never written back. The fields of this type are
/// listed in [`crate::opsgenie::IGNORED_FIELDS`]; [`crate::opsgenie::ignored_fields`] names the
/// ones a document has.
///
/// ```
/// use oncall_core::config::Document;
/// let doc = Document::from_json(r#"{"teams":[{"name":"ops","links":{"web":"https://x"}}]}"#)?;
/// assert!(doc.teams[0].links.is_some());
/// assert_eq!(serde_json::to_string(&doc)?, r#"{"teams":[{"name":"ops"}]}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ignored;

/// The schema of a user also names `timeZone`, Opsgenie's spelling that the loader reads as
/// `timezone` (a serde alias, which the schema derive does not see).
#[cfg(feature = "schema")]
fn time_zone_alias(schema: &mut schemars::Schema) {
    if let Some(props) = schema.get_mut("properties").and_then(serde_json::Value::as_object_mut)
        && let Some(tz) = props.get("timezone").cloned()
    {
        props.insert("timeZone".into(), tz);
    }
}

/// Any value (the field is read and ignored).
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Ignored {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Ignored".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A field Opsgenie returns that the engine reads and ignores: any value."
        })
    }
}

impl<'de> Deserialize<'de> for Ignored {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(d).map(|_| Ignored)
    }
}

/// `""` and `null` are absent (the Go SDK writes every unset string as `""`).
fn empty_as_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

/// `null` is the type's default (for fields Opsgenie's OpenAPI definition marks nullable).
fn null_as_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl Document {
    /// The JSON Schema (draft 2020-12) of what the readers accept, generated from these types:
    /// a document (`$defs/Document`), or a saved Opsgenie GET response holding one
    /// (`$defs/OpsgenieResponse`: `data` with `took`, `requestId` and the other envelope keys;
    /// `data` is a document, one schedule, team, user, escalation or forwarding rule, or a list
    /// of them), which the readers unwrap (see [`crate::opsgenie::unwrap_envelope`]). The
    /// repository keeps a copy in `docs/oncall.schema.json` for editors and validators; a test
    /// keeps it equal to this.
    ///
    /// # Example
    ///
    /// ```
    /// let schema = oncall_core::config::Document::json_schema();
    /// assert_eq!(schema["title"], "Document");
    /// assert_eq!(schema["$defs"]["Document"]["additionalProperties"], false);
    /// assert_eq!(schema["$defs"]["OpsgenieResponse"]["required"][0], "data");
    /// assert!(schema["$defs"]["Rotation"]["required"].as_array().unwrap().iter().any(|k| k == "startDate"));
    /// ```
    #[cfg(feature = "schema")]
    pub fn json_schema() -> serde_json::Value {
        use serde_json::{Value, json};
        let Value::Object(mut top) = serde_json::to_value(schemars::schema_for!(Document)).expect("a schema is JSON")
        else {
            unreachable!("schemars writes an object")
        };
        let mut defs = match top.remove("$defs") {
            Some(Value::Object(defs)) => defs,
            _ => serde_json::Map::new(),
        };
        let (schema, title) = (top.remove("$schema"), top.remove("title"));
        defs.insert("Document".into(), Value::Object(top));
        let kinds: Vec<Value> = ["Document", "Schedule", "Team", "User", "Escalation", "ForwardingRule"]
            .iter()
            .map(|d| json!({"$ref": format!("#/$defs/{d}")}))
            .collect();
        let one = json!({ "anyOf": kinds });
        let mut data = one.clone();
        if let Some(Value::Array(any)) = data.get_mut("anyOf") {
            any.push(json!({"type": "array", "items": one}));
        }
        let mut envelope = serde_json::Map::new();
        envelope.insert("data".into(), data);
        for key in crate::opsgenie::ENVELOPE_KEYS {
            envelope.insert((*key).into(), json!({"description": "Read and ignored."}));
        }
        defs.insert(
            "OpsgenieResponse".into(),
            json!({
                "description": "A saved Opsgenie GET response (`{data, took, requestId}`): the readers unwrap it.",
                "type": "object",
                "required": ["data"],
                "properties": envelope,
                "additionalProperties": false,
            }),
        );
        json!({
            "$schema": schema,
            "title": title,
            "description": "An oncall configuration document, or a saved Opsgenie GET response holding one.",
            "anyOf": [{"$ref": "#/$defs/Document"}, {"$ref": "#/$defs/OpsgenieResponse"}],
            "$defs": defs,
        })
    }

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

    /// Reads a JSON document within `limits` by the path-tracking reader alone, without the
    /// typed fast path: the same answer as [`Document::from_json_with_limits`] (same document
    /// or same error), more slowly. For the tests and benchmarks that compare the two.
    #[doc(hidden)]
    pub fn from_json_explained_with_limits(text: &str, limits: &crate::Limits) -> crate::Result<Document> {
        crate::read::json_explained(text, limits)
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
