//! Alerts: their fields and limits, the state machine, and an in-memory [`AlertBook`].
//!
//! **Fields and limits** (Opsgenie's create-alert payload): `message` (required, at most 130
//! characters), `alias` (512), `description` (15 000), `responders` (50), `visibleTo` (50),
//! `actions` (10 of at most 50 characters), `tags` (20 of at most 50), `details` (keys and values
//! together at most 8 000 characters), `entity` (512), `source` (100), `priority` `P1`…`P5`
//! (default `P3`), `user` (100), `note` (25 000). Lengths count characters (Unicode scalar
//! values). A violated limit is an error naming the field (`message: at most 130 characters,
//! found 131`); nothing is ever truncated. Every violation is reported, not only the first.
//!
//! **State machine.** An alert is `open` or `closed`; an open alert may be acknowledged and may be
//! snoozed until an instant.
//!
//! | action | allowed when | effect |
//! |---|---|---|
//! | `acknowledge` | open, not acknowledged | acknowledged; the acknowledging user becomes the owner; a snooze is cancelled |
//! | `unacknowledge` | open, acknowledged | not acknowledged; the notification flow restarts as if the alert were just created |
//! | `snooze` (until T) | open; T after the event and at most a week later | no notifications until T; at T the alert is un-acknowledged and renotified as if new; a new snooze replaces the end |
//! | `close` | open | closed: everything stops; the alias is free for a new alert |
//! | `add-note` | always | a note is added |
//! | `escalate-to-next` | open | the next escalation rule not yet processed is processed at once |
//! | `assign` (owner) | open | the owner changes; the owner gets an `assigned-alert` notification |
//! | `duplicate` | open | a create with the same alias: `count` + 1 (counting stops at [`MAX_DEDUP_COUNT`]), `lastOccurredAt` |
//!
//! Any other transition is an [`Error::InvalidTransition`] and changes nothing. Events at the
//! instant a snooze ends are applied before it ends (so an acknowledgement at that very instant
//! cancels it).
//!
//! **De-duplication.** [`AlertBook::create`] with an alias that an **open** alert has increments
//! that alert's count instead of creating one; an alias whose alert is closed starts a new alert
//! (new id and tiny id, count 1). Aliases compare exactly (case-sensitive). A create without an
//! alias gets the new alert's id as its alias, as in Opsgenie.

use crate::config::Participant as ParticipantRef;
use crate::criteria::{AlertFields, parse_priority};
use crate::error::{Error, Problem, Result};
use crate::time::{Edge, Ts, format_instant, parse_ts, to_utc, utc_serde};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Opsgenie stops counting duplicates at 100 (de-duplication itself goes on).
pub const MAX_DEDUP_COUNT: u32 = 100;

/// The longest snooze: one week.
pub const MAX_SNOOZE_SECS: i64 = 7 * 86_400;

/// Field limits: (field, most characters).
const LIMITS: [(&str, usize); 8] = [
    ("message", 130),
    ("alias", 512),
    ("description", 15_000),
    ("entity", 512),
    ("source", 100),
    ("user", 100),
    ("note", 25_000),
    ("details", 8_000),
];

fn limit(field: &str) -> usize {
    LIMITS.iter().find(|(f, _)| *f == field).map_or(usize::MAX, |(_, n)| *n)
}

/// An alert as created (Opsgenie's create-alert payload). Unknown fields are an error.
///
/// ```
/// use oncall_core::alert::Alert;
/// let alert = Alert::from_json(r#"{"message": "Payment API 5xx", "priority": "P1", "tags": ["api"]}"#)?;
/// assert_eq!(alert.fields().priority, 1);
/// let long = Alert::new("x".repeat(131));
/// assert_eq!(long.validate().unwrap_err().to_string(), "message: at most 130 characters, found 131");
/// # Ok::<(), oncall_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Alert {
    /// The message (required, at most 130 characters).
    #[serde(default)]
    pub message: String,
    /// The de-duplication key (at most 512 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Description (at most 15 000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Responders: teams, users, escalations, schedules (at most 50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responders: Vec<ParticipantRef>,
    /// Teams and users who see the alert without being notified (at most 50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visible_to: Vec<ParticipantRef>,
    /// Custom actions (at most 10 of at most 50 characters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Tags (at most 20 of at most 50 characters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Details (keys and values together at most 8 000 characters).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// Entity (at most 512 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Source (at most 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `P1` (highest) … `P5`; default `P3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// Display name of the creator (at most 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A note added on creation (at most 25 000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Alert {
    /// An alert with this message and nothing else.
    pub fn new(message: impl Into<String>) -> Alert {
        Alert { message: message.into(), ..Alert::default() }
    }

    /// Reads an alert from JSON (structure only; see [`Alert::validate`] for the limits).
    pub fn from_json(text: &str) -> Result<Alert> {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            Error::invalid(path, crate::read::plain(&e.into_inner().to_string()))
        })
    }

    /// The priority, 1 (`P1`) to 5; 3 when absent. An invalid priority reads as 3 (and is
    /// reported by [`Alert::validate`]).
    pub fn priority_level(&self) -> u8 {
        self.priority.as_deref().and_then(parse_priority).unwrap_or(3)
    }

    /// Checks every limit; the error holds every violation, each naming its field.
    pub fn validate(&self) -> Result<()> {
        let mut p = Vec::new();
        let text = |p: &mut Vec<Problem>, field: &str, value: &str| {
            let n = value.chars().count();
            if n > limit(field) {
                p.push(Problem::new(field, format!("at most {} characters, found {n}", limit(field))));
            }
        };
        if self.message.trim().is_empty() {
            p.push(Problem::new("message", "required (1 to 130 characters)"));
        }
        text(&mut p, "message", &self.message);
        for (field, value) in [
            ("alias", &self.alias),
            ("description", &self.description),
            ("entity", &self.entity),
            ("source", &self.source),
            ("user", &self.user),
            ("note", &self.note),
        ] {
            if let Some(v) = value {
                text(&mut p, field, v);
            }
        }
        let list = |p: &mut Vec<Problem>, field: &str, items: &[String], most: usize, each: usize| {
            if items.len() > most {
                p.push(Problem::new(field, format!("at most {most} entries, found {}", items.len())));
            }
            for (i, s) in items.iter().enumerate() {
                let n = s.chars().count();
                if n > each {
                    p.push(Problem::new(format!("{field}[{i}]"), format!("at most {each} characters, found {n}")));
                }
            }
        };
        list(&mut p, "actions", &self.actions, 10, 50);
        list(&mut p, "tags", &self.tags, 20, 50);
        for (field, items) in [("responders", &self.responders), ("visibleTo", &self.visible_to)] {
            if items.len() > 50 {
                p.push(Problem::new(field, format!("at most 50 entries, found {}", items.len())));
            }
        }
        let details: usize = self.details.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
        if details > limit("details") {
            p.push(Problem::new(
                "details",
                format!("at most {} characters (keys and values together), found {details}", limit("details")),
            ));
        }
        if let Some(pr) = &self.priority
            && parse_priority(pr).is_none()
        {
            p.push(Problem::new("priority", format!("expected P1, P2, P3, P4 or P5, found {pr:?}")));
        }
        if p.is_empty() { Ok(()) } else { Err(Error::Invalid(p)) }
    }

    /// The fields routing and notification-rule criteria look at. `responders` and `teams` hold
    /// the responders' names (teams also in `teams`); `recipients` is the same as `responders`.
    pub fn fields(&self) -> AlertFields {
        let name = |r: &ParticipantRef| r.name.clone().or_else(|| r.username.clone()).or_else(|| r.id.clone());
        let responders: Vec<String> = self.responders.iter().filter_map(name).collect();
        AlertFields {
            message: self.message.clone(),
            alias: self.alias.clone().unwrap_or_default(),
            description: self.description.clone().unwrap_or_default(),
            source: self.source.clone().unwrap_or_default(),
            entity: self.entity.clone().unwrap_or_default(),
            tags: self.tags.clone(),
            actions: self.actions.clone(),
            details: self.details.clone(),
            recipients: responders.clone(),
            teams: self.responders.iter().filter(|r| r.kind == "team").filter_map(name).collect(),
            responders,
            priority: self.priority_level(),
        }
    }
}

/// What happens to an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Acknowledge; `user` (if given) becomes the owner and is not told about their own ack.
    Acknowledge {
        /// Who acknowledged.
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// Unacknowledge: restarts the notification flow.
    Unacknowledge {
        /// Who.
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// Snooze until an instant (at most a week ahead).
    Snooze {
        /// The end of the snooze.
        #[serde(with = "utc_serde")]
        until: DateTime<Utc>,
        /// Who.
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// Close.
    Close {
        /// Who closed it (not told about their own close).
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// Add a note (at most 25 000 characters).
    AddNote {
        /// The note.
        note: String,
        /// Who.
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
    /// Process the next escalation rule not yet processed, now.
    EscalateToNext {
        /// The escalation (default: the alert's own).
        #[serde(skip_serializing_if = "Option::is_none")]
        escalation: Option<String>,
    },
    /// Assign an owner (a username).
    Assign {
        /// The new owner.
        owner: String,
    },
    /// A create with the alias of this open alert.
    Duplicate,
}

impl Action {
    /// The action's name, e.g. `add-note`.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Acknowledge { .. } => "acknowledge",
            Action::Unacknowledge { .. } => "unacknowledge",
            Action::Snooze { .. } => "snooze",
            Action::Close { .. } => "close",
            Action::AddNote { .. } => "add-note",
            Action::EscalateToNext { .. } => "escalate-to-next",
            Action::Assign { .. } => "assign",
            Action::Duplicate => "duplicate",
        }
    }

    /// The user who acted, when known.
    pub fn user(&self) -> Option<&str> {
        match self {
            Action::Acknowledge { user }
            | Action::Unacknowledge { user }
            | Action::Snooze { user, .. }
            | Action::Close { user }
            | Action::AddNote { user, .. } => user.as_deref(),
            _ => None,
        }
    }
}

/// An action at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertEvent {
    /// When.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// What.
    #[serde(flatten)]
    pub action: Action,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawEvent {
    at: String,
    action: String,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    escalation: Option<String>,
}

/// Events gathered from several sources (an event list, an acknowledgement or close given
/// apart), each with the name its source knows it by, in the time order
/// [`Config::escalate`](crate::Config::escalate) needs. Events at the same instant keep the order
/// they were given in. Errors of the core name events by their place in that order
/// (`events[k]`); [`NamedEvents::rename`] gives them their source's name back.
///
/// ```
/// use oncall_core::alert::{Action, AlertEvent, NamedEvents};
/// let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
/// let events = NamedEvents::new(vec![
///     (AlertEvent::new(t("2026-11-10T10:30:00Z"), Action::Close { user: None }), "--close-at".into()),
///     (AlertEvent::new(t("2026-11-10T10:05:00Z"), Action::Acknowledge { user: None }), "--ack-at".into()),
/// ]);
/// assert_eq!(events.events()[0].action, Action::Acknowledge { user: None });
/// assert_eq!(events.rename("events[1].at: must not be before events[0]"), "--close-at.at: must not be before --ack-at");
/// ```
#[derive(Debug, Clone, Default)]
pub struct NamedEvents {
    events: Vec<AlertEvent>,
    names: Vec<String>,
}

impl NamedEvents {
    /// The events, put in time order.
    pub fn new(mut list: Vec<(AlertEvent, String)>) -> NamedEvents {
        list.sort_by_key(|(e, _)| e.at);
        let (events, names) = list.into_iter().unzip();
        NamedEvents { events, names }
    }

    /// The events in time order.
    pub fn events(&self) -> &[AlertEvent] {
        &self.events
    }

    /// The name of event `k` (in time order).
    pub fn name(&self, k: usize) -> Option<&str> {
        self.names.get(k).map(String::as_str)
    }

    /// The index `k` of the first `events[k]` in `text`.
    pub fn first_index(text: &str) -> Option<usize> {
        let after = &text[text.find("events[")? + 7..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        after[..digits].parse().ok()
    }

    /// `text` with every `events[k]` replaced by the name of event `k`.
    pub fn rename(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find("events[") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 7..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let name = (digits > 0 && after.as_bytes().get(digits) == Some(&b']'))
                .then(|| after[..digits].parse::<usize>().ok())
                .flatten()
                .and_then(|k| self.name(k));
            match name {
                Some(name) => {
                    out.push_str(name);
                    rest = &after[digits + 1..];
                }
                None => {
                    out.push_str("events[");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

impl AlertEvent {
    /// An event.
    pub fn new(at: DateTime<Utc>, action: Action) -> AlertEvent {
        AlertEvent { at, action }
    }

    /// Reads a JSON list of events `[{"at": "2026-11-10T10:05:00Z", "action": "acknowledge",
    /// "user": "bob"}, …]`. Actions: `acknowledge`, `unacknowledge`, `snooze` (with `until`),
    /// `close`, `add-note` (with `note`), `escalate-to-next` (optional `escalation`), `assign`
    /// (with `owner`), `duplicate`. Naive times are read in `tz`. Problems carry paths such as
    /// `events[2].until`.
    ///
    /// ```
    /// use oncall_core::alert::{Action, AlertEvent};
    /// let events = AlertEvent::list_from_json(
    ///     r#"[{"at": "2026-11-10T10:05", "action": "acknowledge", "user": "bob"}]"#, chrono_tz::Tz::Europe__Berlin)?;
    /// assert_eq!(events[0].at.to_rfc3339(), "2026-11-10T09:05:00+00:00");
    /// assert_eq!(events[0].action, Action::Acknowledge { user: Some("bob".into()) });
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn list_from_json(text: &str, tz: Tz) -> Result<Vec<AlertEvent>> {
        let mut de = serde_json::Deserializer::from_str(text);
        let raw: Vec<RawEvent> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { "events".to_string() } else { format!("events{path}") };
            Error::invalid(path, crate::read::plain(&e.into_inner().to_string()))
        })?;
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for (i, r) in raw.into_iter().enumerate() {
            let p = format!("events[{i}]");
            let time = |field: &str, text: &str, problems: &mut Vec<Problem>| {
                parse_ts(text, tz, Edge::Start)
                    .map(to_utc)
                    .map_err(|m| problems.push(Problem::new(format!("{p}.{field}"), m)))
                    .ok()
            };
            let at = time("at", &r.at, &mut problems);
            let need = |field: &str, v: Option<String>, problems: &mut Vec<Problem>| {
                if v.is_none() {
                    problems.push(Problem::new(format!("{p}.{field}"), format!("required for {:?}", r.action)));
                }
                v
            };
            let mut extra: Vec<&str> = Vec::new();
            let action = match r.action.as_str() {
                "acknowledge" => Some(Action::Acknowledge { user: r.user }),
                "unacknowledge" => Some(Action::Unacknowledge { user: r.user }),
                "close" => Some(Action::Close { user: r.user }),
                "snooze" => {
                    let until =
                        need("until", r.until.clone(), &mut problems).and_then(|u| time("until", &u, &mut problems));
                    until.map(|until| Action::Snooze { until, user: r.user })
                }
                "add-note" => {
                    need("note", r.note.clone(), &mut problems).map(|note| Action::AddNote { note, user: r.user })
                }
                "escalate-to-next" => Some(Action::EscalateToNext { escalation: r.escalation.clone() }),
                "assign" => need("owner", r.owner.clone(), &mut problems).map(|owner| Action::Assign { owner }),
                "duplicate" => Some(Action::Duplicate),
                other => {
                    problems.push(Problem::new(
                        format!("{p}.action"),
                        format!("unknown action {other:?} (expected acknowledge, unacknowledge, snooze, close, add-note, escalate-to-next, assign or duplicate)"),
                    ));
                    None
                }
            };
            if r.until.is_some() && r.action != "snooze" {
                extra.push("until");
            }
            if r.note.is_some() && r.action != "add-note" {
                extra.push("note");
            }
            if r.owner.is_some() && r.action != "assign" {
                extra.push("owner");
            }
            if r.escalation.is_some() && r.action != "escalate-to-next" {
                extra.push("escalation");
            }
            for f in extra {
                problems.push(Problem::new(format!("{p}.{f}"), format!("not allowed with action {:?}", r.action)));
            }
            if let (Some(at), Some(action)) = (at, action) {
                out.push(AlertEvent { at, action });
            }
        }
        if problems.is_empty() { Ok(out) } else { Err(Error::Invalid(problems)) }
    }
}

/// `open` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// Open.
    Open,
    /// Closed (terminal).
    Closed,
}

/// A note on an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// When.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// Who.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The text.
    pub note: String,
}

/// Opsgenie's alert `report`: times in milliseconds since creation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Milliseconds from creation to the (last) acknowledgement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_time: Option<i64>,
    /// Milliseconds from creation to the close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_time: Option<i64>,
    /// Who acknowledged (last).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// Who closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
}

/// The state of an alert (Opsgenie's alert model, camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertState {
    /// Identifier, `alert-N`.
    pub id: String,
    /// Short sequential identifier, `N`.
    pub tiny_id: String,
    /// The alias (the id when the create gave none).
    pub alias: String,
    /// The message.
    pub message: String,
    /// `P1` … `P5`.
    pub priority: String,
    /// Tags.
    pub tags: Vec<String>,
    /// `open` or `closed`.
    pub status: AlertStatus,
    /// Whether acknowledged.
    pub acknowledged: bool,
    /// Whether snoozed.
    pub snoozed: bool,
    /// The end of the snooze, while snoozed.
    #[serde(serialize_with = "opt_ts", skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Occurrences: 1 plus the de-duplicated creates (counting stops at [`MAX_DEDUP_COUNT`]).
    pub count: u32,
    /// Creation.
    #[serde(with = "utc_serde")]
    pub created_at: DateTime<Utc>,
    /// The latest occurrence (creation or duplicate).
    #[serde(with = "utc_serde")]
    pub last_occurred_at: DateTime<Utc>,
    /// The latest change.
    #[serde(with = "utc_serde")]
    pub updated_at: DateTime<Utc>,
    /// The owner (who acknowledged, or was assigned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Notes, oldest first (the create's `note` first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Acknowledgement and close times.
    pub report: Report,
    /// The alert as created.
    #[serde(skip)]
    pub alert: Alert,
}

fn opt_ts<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_instant(*t)),
        None => s.serialize_none(),
    }
}

impl AlertState {
    /// A new open alert created at `at` (the alert must be valid).
    pub(crate) fn new(n: u64, alert: Alert, at: DateTime<Utc>) -> AlertState {
        let id = format!("alert-{n}");
        let notes = alert.note.iter().map(|note| Note { at, user: alert.user.clone(), note: note.clone() }).collect();
        AlertState {
            alias: alert.alias.clone().unwrap_or_else(|| id.clone()),
            id,
            tiny_id: n.to_string(),
            message: alert.message.clone(),
            priority: format!("P{}", alert.priority_level()),
            tags: alert.tags.clone(),
            status: AlertStatus::Open,
            acknowledged: false,
            snoozed: false,
            snoozed_until: None,
            count: 1,
            created_at: at,
            last_occurred_at: at,
            updated_at: at,
            owner: None,
            notes,
            report: Report::default(),
            alert,
        }
    }

    /// The state of alert number `n` (id `alert-n`, tiny id `n`) created at `created_at` after
    /// its `events` (in time order) and as of `now`: what a service that stores an alert's
    /// creation and events (not its state) shows. Snoozes end as in [`AlertBook`]. An event the
    /// state machine refuses is an error naming it (`events[k]`).
    ///
    /// ```
    /// use oncall_core::alert::{Action, Alert, AlertEvent, AlertState};
    /// let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    /// let events = [AlertEvent::new(t("2026-11-10T10:01:00Z"), Action::Acknowledge { user: Some("ann".into()) })];
    /// let s = AlertState::replay(7, Alert::new("Disk full"), t("2026-11-10T10:00:00Z"), &events, t("2026-11-10T10:02:00Z"))?;
    /// assert_eq!((s.id.as_str(), s.acknowledged, s.owner.as_deref()), ("alert-7", true, Some("ann")));
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn replay(
        n: u64,
        alert: Alert,
        created_at: DateTime<Utc>,
        events: &[AlertEvent],
        now: DateTime<Utc>,
    ) -> Result<AlertState> {
        let mut s = AlertState::new(n, alert, created_at);
        for (k, e) in events.iter().enumerate() {
            s.end_snooze_before(e.at);
            s.apply(e.at, &e.action)
                .map_err(|err| Error::InvalidArgument { what: format!("events[{k}]"), message: err.to_string() })?;
        }
        s.end_snooze_before(now);
        Ok(s)
    }

    /// Takes over what an escalation changes by itself — the status (a `closeAlertAfterAll`
    /// close), the acknowledgement (a repeat's `resetRecipientStates`, a snooze's end), the
    /// snooze and the report — from `escalated`, the state of
    /// [`Config::escalate_until`](crate::Config::escalate_until) at the same instant; ids,
    /// counts, notes and the owner stay this replay's.
    pub fn follow_escalation(&mut self, escalated: &AlertState) {
        self.status = escalated.status;
        self.acknowledged = escalated.acknowledged;
        self.snoozed = escalated.snoozed;
        self.snoozed_until = escalated.snoozed_until;
        self.report.close_time = escalated.report.close_time;
        self.report.closed_by.clone_from(&escalated.report.closed_by);
        self.updated_at = self.updated_at.max(escalated.updated_at);
    }

    /// The state as of `at` for an action at `at`: a snooze that ended strictly before is over.
    pub fn end_snooze_before(&mut self, at: DateTime<Utc>) {
        if let Some(until) = self.snoozed_until
            && until < at
        {
            self.end_snooze(until);
        }
    }

    /// Whether the alert is open.
    pub fn is_open(&self) -> bool {
        self.status == AlertStatus::Open
    }

    fn refuse(&self, action: &Action, message: impl Into<String>) -> Error {
        Error::InvalidTransition {
            alert: self.tiny_id.clone(),
            action: action.name().to_string(),
            message: message.into(),
        }
    }

    /// Checks that `action` is allowed now, without changing anything.
    pub fn check(&self, at: DateTime<Utc>, action: &Action) -> Result<()> {
        let closed = self.status == AlertStatus::Closed;
        let fail = |m: &str| Err(self.refuse(action, m));
        match action {
            Action::AddNote { note, .. } => {
                let n = note.chars().count();
                if n > limit("note") {
                    return Err(Error::invalid("note", format!("at most {} characters, found {n}", limit("note"))));
                }
                Ok(())
            }
            _ if closed => fail("the alert is closed"),
            Action::Acknowledge { .. } if self.acknowledged => fail("the alert is already acknowledged"),
            Action::Unacknowledge { .. } if !self.acknowledged => fail("the alert is not acknowledged"),
            Action::Snooze { until, .. } => {
                let secs = until.timestamp() - at.timestamp();
                if secs <= 0 {
                    fail("the snooze must end after it starts")
                } else if secs > MAX_SNOOZE_SECS {
                    fail("a snooze lasts at most one week")
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Applies `action` at `at`, or refuses it (changing nothing) with
    /// [`Error::InvalidTransition`].
    pub fn apply(&mut self, at: DateTime<Utc>, action: &Action) -> Result<()> {
        self.check(at, action)?;
        self.updated_at = at;
        let since = (at - self.created_at).num_milliseconds();
        match action {
            Action::Acknowledge { user } => {
                self.acknowledged = true;
                self.end_snooze_silently();
                if user.is_some() {
                    self.owner.clone_from(user);
                }
                self.report.ack_time = Some(since);
                self.report.acknowledged_by.clone_from(user);
            }
            Action::Unacknowledge { .. } => self.acknowledged = false,
            Action::Snooze { until, .. } => {
                self.snoozed = true;
                self.snoozed_until = Some(*until);
            }
            Action::Close { user } => {
                self.status = AlertStatus::Closed;
                self.end_snooze_silently();
                self.report.close_time = Some(since);
                self.report.closed_by.clone_from(user);
            }
            Action::AddNote { note, user } => self.notes.push(Note { at, user: user.clone(), note: note.clone() }),
            Action::EscalateToNext { .. } => {}
            Action::Assign { owner } => self.owner = Some(owner.clone()),
            Action::Duplicate => {
                self.count = (self.count + 1).min(MAX_DEDUP_COUNT);
                self.last_occurred_at = at;
            }
        }
        Ok(())
    }

    fn end_snooze_silently(&mut self) {
        self.snoozed = false;
        self.snoozed_until = None;
    }

    /// Ends a snooze whose end is at or before `at`: the alert becomes un-acknowledged (it is
    /// treated as just received). Returns whether a snooze ended.
    pub(crate) fn end_snooze(&mut self, at: DateTime<Utc>) -> bool {
        match self.snoozed_until {
            Some(until) if until <= at && self.is_open() => {
                self.end_snooze_silently();
                self.acknowledged = false;
                self.updated_at = until;
                true
            }
            _ => false,
        }
    }

    /// A repeat with `resetRecipientStates`: an acknowledged open alert becomes unacknowledged.
    pub(crate) fn reset_ack(&mut self, at: Ts) -> bool {
        if self.acknowledged && self.is_open() {
            self.acknowledged = false;
            self.updated_at = to_utc(at);
            true
        } else {
            false
        }
    }

    /// `closeAlertAfterAll`: closes an open alert.
    pub(crate) fn auto_close(&mut self, at: Ts, by: &str) -> bool {
        if !self.is_open() {
            return false;
        }
        let at = to_utc(at);
        self.status = AlertStatus::Closed;
        self.end_snooze_silently();
        self.updated_at = at;
        self.report.close_time = Some((at - self.created_at).num_milliseconds());
        self.report.closed_by = Some(by.to_string());
        true
    }
}

/// The events of an alert's history that its escalation depends on: all but duplicates (a
/// duplicate only counts), so a service can pass a long-lived alert's history to
/// [`crate::Config::escalate`] however often its sender repeats it.
///
/// ```
/// use oncall_core::alert::{escalation_events, Action, AlertEvent};
/// let t = "2026-11-10T10:00:00Z".parse().unwrap();
/// let h = [AlertEvent::new(t, Action::Duplicate), AlertEvent::new(t, Action::Close { user: None })];
/// assert_eq!(escalation_events(&h).len(), 1);
/// ```
pub fn escalation_events(history: &[AlertEvent]) -> Vec<AlertEvent> {
    history.iter().filter(|e| e.action != Action::Duplicate).cloned().collect()
}

/// Who an alert's notifications come from: each of its responders (a team, user, escalation or
/// schedule, by name, username or id) in order; an alert that names no responders and came
/// through an integration with an owner team is for that team (its routing rules decide).
/// Responders of another type (none in Opsgenie's create payload) are left out.
///
/// ```
/// use oncall_core::alert::{Alert, alert_targets};
/// use oncall_core::escalation::Target;
/// let a = Alert::from_json(r#"{"message": "m", "responders": [{"type": "user", "username": "ann"}]}"#)?;
/// assert_eq!(alert_targets(&a, Some("payments")), [Target::User("ann".into())]);
/// assert_eq!(alert_targets(&Alert::new("m"), Some("payments")), [Target::Team("payments".into())]);
/// assert!(alert_targets(&Alert::new("m"), None).is_empty());
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn alert_targets(alert: &Alert, owner_team: Option<&str>) -> Vec<crate::escalation::Target> {
    use crate::escalation::Target;
    if alert.responders.is_empty() {
        return owner_team.map(|t| vec![Target::Team(t.to_string())]).unwrap_or_default();
    }
    alert
        .responders
        .iter()
        .filter_map(|r| {
            let name = match r.kind.as_str() {
                "user" => r.username.clone().or_else(|| r.id.clone()).or_else(|| r.name.clone()),
                _ => r.name.clone().or_else(|| r.id.clone()),
            }?;
            Some(match r.kind.as_str() {
                "team" => Target::Team(name),
                "user" => Target::User(name),
                "escalation" => Target::Escalation(name),
                "schedule" => Target::Schedule(name),
                _ => return None,
            })
        })
        .collect()
}

/// An alert as a service stores it: its number, its create payload, the owner team of the
/// integration it came through, its creation and its history (never its state).
#[derive(Debug, Clone, Copy)]
pub struct StoredAlert<'a> {
    /// Its number: the id is `alert-n`, the tiny id `n`.
    pub n: u64,
    /// The create payload.
    pub alert: &'a Alert,
    /// The owner team of its integration (its target when it names no responders).
    pub owner_team: Option<&'a str>,
    /// Its creation.
    pub created_at: DateTime<Utc>,
    /// Its events, in time order (duplicates included).
    pub events: &'a [AlertEvent],
}

/// The state of a stored alert at an instant ([`crate::Config::stored_alert_state_at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateAt {
    /// The state.
    pub state: AlertState,
    /// Until when the state stays this one without a new event: at every instant from the one
    /// asked about up to (not including) this one it is the same. `None`: for ever (the
    /// escalation is over and nothing is snoozed).
    pub stable_until: Option<DateTime<Utc>>,
}

impl crate::Config {
    /// The state of a stored alert as of `now`: the replay of its events
    /// ([`AlertState::replay`]), with what its escalation changed by itself by then (an
    /// automatic close after the last repeat, a repeat's acknowledgement reset;
    /// [`AlertState::follow_escalation`]).
    ///
    /// **Several targets.** An alert notifies each of its [`alert_targets`] by that target's
    /// escalation, but it has one state: it takes what the escalation changes by itself from
    /// its **first** target's escalation only (the first responder, or the integration's owner
    /// team). A first target without an escalation (a user, a schedule, an unknown name)
    /// changes nothing by itself.
    ///
    /// ```
    /// use oncall_core::{Config, alert::{Alert, StoredAlert}};
    /// let config = Config::from_json(r#"{"escalations": [{"name": "ops", "rules": [
    ///     {"condition": "if-not-acked", "delay": {"timeAmount": 0}, "recipient": {"type": "user", "username": "ann"}}],
    ///   "repeat": {"waitInterval": 5, "count": 1, "closeAlertAfterAll": true}}]}"#)?;
    /// let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    /// let alert = Alert::from_json(r#"{"message": "m", "responders": [{"type": "escalation", "name": "ops"}]}"#)?;
    /// let stored = StoredAlert { n: 1, alert: &alert, owner_team: None, created_at: t("2026-11-10T10:00:00Z"), events: &[] };
    /// assert!(config.stored_alert_state(&stored, t("2026-11-10T10:01:00Z"))?.is_open());
    /// assert!(!config.stored_alert_state(&stored, t("2026-11-10T11:00:00Z"))?.is_open());
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn stored_alert_state(&self, a: &StoredAlert<'_>, now: DateTime<Utc>) -> Result<AlertState> {
        let mut state = AlertState::replay(a.n, a.alert.clone(), a.created_at, a.events, now)?;
        if let Some(target) = alert_targets(a.alert, a.owner_team).first() {
            let events = escalation_events(a.events);
            let options = crate::EscalateOptions::default();
            if let Ok(tl) = self.escalate_until(a.alert, target, a.created_at, &events, &options, Some(now)) {
                state.follow_escalation(&tl.alert);
            }
        }
        Ok(state)
    }

    /// [`Config::stored_alert_state`], and until when it holds without a new event
    /// (`stable_until`): the first instant after `now` at which the state may change by itself,
    /// the next entry of the first target's escalation timeline, or just after a snooze's end (a
    /// snooze ending at T is over after T).
    ///
    /// ```
    /// use oncall_core::{Config, alert::{Alert, StoredAlert}};
    /// let config = Config::from_json(r#"{"escalations": [{"name": "ops", "rules": [
    ///     {"condition": "if-not-acked", "delay": {"timeAmount": 0}, "recipient": {"type": "user", "username": "ann"}}],
    ///   "repeat": {"waitInterval": 5, "count": 1, "closeAlertAfterAll": true}}]}"#)?;
    /// let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    /// let alert = Alert::from_json(r#"{"message": "m", "responders": [{"type": "escalation", "name": "ops"}]}"#)?;
    /// let stored = StoredAlert { n: 1, alert: &alert, owner_team: None, created_at: t("2026-11-10T10:00:00Z"), events: &[] };
    /// let at = config.stored_alert_state_at(&stored, t("2026-11-10T10:01:00Z"))?;
    /// assert!(at.state.is_open());
    /// let closed = config.stored_alert_state_at(&stored, at.stable_until.unwrap())?;
    /// assert!(!closed.state.is_open() && closed.stable_until.is_none());
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn stored_alert_state_at(&self, a: &StoredAlert<'_>, now: DateTime<Utc>) -> Result<StateAt> {
        let state = self.stored_alert_state(a, now)?;
        let mut stable_until = state.snoozed_until.filter(|&u| u >= now).map(|u| u + chrono::Duration::nanoseconds(1));
        if let Some(target) = alert_targets(a.alert, a.owner_team).first() {
            let events = escalation_events(a.events);
            if let Ok(full) = self.escalate(a.alert, target, a.created_at, &events, &crate::EscalateOptions::default())
            {
                let next = full.entries().iter().map(|e| e.at()).filter(|&at| at > now).min();
                stable_until = match (stable_until, next) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
            }
        }
        Ok(StateAt { state, stable_until })
    }
}

/// How an alert is named in an [`AlertBook`] (Opsgenie's `identifierType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertId {
    /// By id (`alert-3`).
    Id(String),
    /// By alias: the open alert with it, else the newest alert with it.
    Alias(String),
    /// By tiny id (`3`).
    Tiny(String),
}

/// The result of [`AlertBook::create`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The alert's id (the existing one when de-duplicated).
    pub id: String,
    /// Its tiny id.
    pub tiny_id: String,
    /// Its alias.
    pub alias: String,
    /// Whether the create was de-duplicated into an open alert.
    pub deduplicated: bool,
    /// The alert's count after the create.
    pub count: u32,
}

/// Alerts kept between events: pure, in memory, deterministic.
///
/// Operations must come in time order (an instant before the previous operation's is refused).
/// Ids are `alert-1`, `alert-2`, … and tiny ids `1`, `2`, … in creation order. Each alert keeps
/// its event history, so [`AlertBook::timeline`] can replay its notifications.
///
/// ```
/// use oncall_core::alert::{Action, Alert, AlertBook, AlertId, AlertStatus};
/// let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
/// let mut book = AlertBook::new();
/// let mut disk = Alert::new("Disk full");
/// disk.alias = Some("disk-db1".into());
/// let a = book.create(disk.clone(), t("2026-11-10T10:00:00Z"))?;
/// let b = book.create(disk.clone(), t("2026-11-10T10:05:00Z"))?;
/// assert!(b.deduplicated && b.id == a.id && b.count == 2);
/// book.apply(&AlertId::Alias("disk-db1".into()), t("2026-11-10T10:06:00Z"), Action::Close { user: None })?;
/// // Closing an alert twice is refused and changes nothing.
/// assert!(book.apply(&AlertId::Tiny("1".into()), t("2026-11-10T10:07:00Z"), Action::Close { user: None }).is_err());
/// let c = book.create(disk, t("2026-11-10T10:08:00Z"))?;
/// assert_eq!((c.tiny_id.as_str(), c.count, c.deduplicated), ("2", 1, false));
/// assert_eq!(book.get(&AlertId::Tiny("1".into())).unwrap().status, AlertStatus::Closed);
/// # Ok::<(), oncall_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AlertBook {
    alerts: Vec<AlertState>,
    histories: Vec<Vec<AlertEvent>>,
    last: Option<DateTime<Utc>>,
}

impl AlertBook {
    /// An empty book.
    pub fn new() -> AlertBook {
        AlertBook::default()
    }

    fn clock(&mut self, at: DateTime<Utc>) -> Result<()> {
        if let Some(last) = self.last
            && at < last
        {
            return Err(Error::InvalidArgument {
                what: "at".into(),
                message: format!(
                    "{} is before the previous event ({}): events must come in time order",
                    format_instant(at),
                    format_instant(last)
                ),
            });
        }
        Ok(())
    }

    /// Ends the snoozes that are over by `at` (strictly before it), in every alert.
    fn advance(&mut self, at: DateTime<Utc>) {
        for a in &mut self.alerts {
            if a.snoozed_until.is_some_and(|u| u < at) {
                let until = a.snoozed_until.unwrap_or(at);
                a.end_snooze(until);
            }
        }
        self.last = Some(at);
    }

    /// Advances the book's clock to `at`, ending the snoozes that are over strictly before it.
    pub fn advance_to(&mut self, at: DateTime<Utc>) -> Result<()> {
        self.clock(at)?;
        self.advance(at);
        Ok(())
    }

    /// Creates an alert at `at`, or de-duplicates it into the open alert with the same alias.
    /// The alert is validated first (every violated limit reported, nothing changed).
    pub fn create(&mut self, alert: Alert, at: DateTime<Utc>) -> Result<Created> {
        alert.validate()?;
        self.clock(at)?;
        self.advance(at);
        if let Some(alias) = &alert.alias
            && let Some(i) = self.alerts.iter().position(|a| a.is_open() && &a.alias == alias)
        {
            let a = &mut self.alerts[i];
            a.apply(at, &Action::Duplicate)?;
            self.histories[i].push(AlertEvent { at, action: Action::Duplicate });
            return Ok(Created {
                id: a.id.clone(),
                tiny_id: a.tiny_id.clone(),
                alias: a.alias.clone(),
                deduplicated: true,
                count: a.count,
            });
        }
        let n = self.alerts.len() as u64 + 1;
        let state = AlertState::new(n, alert, at);
        let created = Created {
            id: state.id.clone(),
            tiny_id: state.tiny_id.clone(),
            alias: state.alias.clone(),
            deduplicated: false,
            count: 1,
        };
        self.alerts.push(state);
        self.histories.push(Vec::new());
        Ok(created)
    }

    fn position(&self, id: &AlertId) -> Option<usize> {
        match id {
            AlertId::Id(x) => self.alerts.iter().position(|a| &a.id == x),
            AlertId::Tiny(x) => self.alerts.iter().position(|a| &a.tiny_id == x),
            AlertId::Alias(x) => self
                .alerts
                .iter()
                .position(|a| a.is_open() && &a.alias == x)
                .or_else(|| self.alerts.iter().rposition(|a| &a.alias == x)),
        }
    }

    fn find(&self, id: &AlertId) -> Result<usize> {
        self.position(id).ok_or_else(|| {
            let (kind, value) = match id {
                AlertId::Id(v) => ("id", v),
                AlertId::Alias(v) => ("alias", v),
                AlertId::Tiny(v) => ("tiny id", v),
            };
            Error::UnknownAlert { identifier: format!("{kind} {value:?}") }
        })
    }

    /// Applies an action to an alert at `at`. An invalid transition is an error and changes
    /// nothing (not even the book's clock).
    pub fn apply(&mut self, id: &AlertId, at: DateTime<Utc>, action: Action) -> Result<&AlertState> {
        let i = self.find(id)?;
        self.clock(at)?;
        // Check against the state as of `at` without committing anything on failure.
        let mut probe = self.alerts[i].clone();
        if probe.snoozed_until.is_some_and(|u| u < at) {
            let until = probe.snoozed_until.unwrap_or(at);
            probe.end_snooze(until);
        }
        probe.check(at, &action)?;
        self.advance(at);
        self.alerts[i].apply(at, &action)?;
        self.histories[i].push(AlertEvent { at, action });
        Ok(&self.alerts[i])
    }

    /// An alert by identifier.
    pub fn get(&self, id: &AlertId) -> Option<&AlertState> {
        self.position(id).map(|i| &self.alerts[i])
    }

    /// Every alert, in creation order.
    pub fn alerts(&self) -> &[AlertState] {
        &self.alerts
    }

    /// The events applied to an alert after its creation (duplicates included), in order.
    pub fn history(&self, id: &AlertId) -> Option<&[AlertEvent]> {
        self.position(id).map(|i| self.histories[i].as_slice())
    }

    /// The escalation timeline of an alert of the book: its creation and its history replayed
    /// by [`crate::Config::escalate`].
    pub fn timeline(
        &self,
        config: &crate::Config,
        id: &AlertId,
        target: &crate::escalation::Target,
        options: &crate::escalation::EscalateOptions,
    ) -> Result<crate::escalation::EscalationTimeline> {
        let i = self.find(id)?;
        let a = &self.alerts[i];
        config.escalate(&a.alert, target, a.created_at, &self.histories[i], options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn every_violation_is_named() {
        let mut a = Alert::new("m".repeat(131));
        a.tags = (0..21).map(|i| format!("t{i}")).collect();
        a.tags[3] = "x".repeat(51);
        a.priority = Some("P0".into());
        a.alias = Some("a".repeat(513));
        let e = a.validate().unwrap_err();
        let lines: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            lines,
            [
                "message: at most 130 characters, found 131",
                "alias: at most 512 characters, found 513",
                "tags: at most 20 entries, found 21",
                "tags[3]: at most 50 characters, found 51",
                "priority: expected P1, P2, P3, P4 or P5, found \"P0\"",
            ]
        );
        // Exactly at the limits is fine; characters, not bytes.
        let mut ok = Alert::new("é".repeat(130));
        ok.description = Some("d".repeat(15_000));
        assert!(ok.validate().is_ok());
        assert_eq!(Alert::new("").validate().unwrap_err().to_string(), "message: required (1 to 130 characters)");
    }

    #[test]
    fn state_machine_refuses_and_changes_nothing() {
        let mut s = AlertState::new(1, Alert::new("m"), t("2026-11-10T10:00:00Z"));
        let before = s.clone();
        let e = s.apply(t("2026-11-10T10:01:00Z"), &Action::Unacknowledge { user: None }).unwrap_err();
        assert_eq!(e.to_string(), "cannot unacknowledge alert 1: the alert is not acknowledged");
        assert_eq!(s, before);
        s.apply(t("2026-11-10T10:02:00Z"), &Action::Close { user: Some("bob".into()) }).unwrap();
        let before = s.clone();
        for a in [
            Action::Acknowledge { user: None },
            Action::Close { user: None },
            Action::Duplicate,
            Action::EscalateToNext { escalation: None },
            Action::Snooze { until: t("2026-11-10T11:00:00Z"), user: None },
        ] {
            assert!(matches!(s.apply(t("2026-11-10T10:03:00Z"), &a), Err(Error::InvalidTransition { .. })), "{a:?}");
        }
        assert_eq!(s, before);
        assert_eq!(s.report.close_time, Some(120_000));
    }

    #[test]
    fn snooze_limits() {
        let mut s = AlertState::new(1, Alert::new("m"), t("2026-11-10T10:00:00Z"));
        let at = t("2026-11-10T10:00:00Z");
        assert!(s.apply(at, &Action::Snooze { until: at, user: None }).is_err());
        assert!(s.apply(at, &Action::Snooze { until: t("2026-11-17T10:00:01Z"), user: None }).is_err());
        s.apply(at, &Action::Snooze { until: t("2026-11-17T10:00:00Z"), user: None }).unwrap();
        assert!(s.snoozed);
    }

    #[test]
    fn book_dedup_counts_and_time_order() {
        let mut book = AlertBook::new();
        let mut a = Alert::new("m");
        a.alias = Some("x".into());
        for k in 0..105 {
            book.create(a.clone(), t("2026-11-10T10:00:00Z") + chrono::Duration::seconds(k)).unwrap();
        }
        let s = book.get(&AlertId::Alias("x".into())).unwrap();
        assert_eq!(s.count, MAX_DEDUP_COUNT);
        assert_eq!(s.last_occurred_at, t("2026-11-10T10:01:44Z"));
        assert_eq!(book.alerts().len(), 1);
        let e = book.create(a, t("2026-11-10T09:00:00Z")).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }));
        // Unknown identifiers.
        assert!(book.get(&AlertId::Id("alert-9".into())).is_none());
        assert!(matches!(
            book.apply(&AlertId::Tiny("9".into()), t("2026-11-10T11:00:00Z"), Action::Duplicate),
            Err(Error::UnknownAlert { .. })
        ));
    }

    #[test]
    fn several_targets_take_the_state_of_the_first_escalation() {
        let config = crate::Config::from_json(
            r#"{"users": [{"username": "ann"}, {"username": "ben"}],
                "escalations": [
                  {"name": "closes", "rules": [{"condition": "if-not-acked", "delay": {"timeAmount": 0},
                    "recipient": {"type": "user", "username": "ann"}}],
                   "repeat": {"waitInterval": 5, "count": 1, "closeAlertAfterAll": true}},
                  {"name": "keeps", "rules": [{"condition": "if-not-acked", "delay": {"timeAmount": 0},
                    "recipient": {"type": "user", "username": "ben"}}]}]}"#,
        )
        .unwrap();
        let created = t("2026-11-10T10:00:00Z");
        let later = t("2026-11-10T12:00:00Z");
        let state = |responders: &str| {
            let alert = Alert::from_json(&format!(r#"{{"message": "m", "responders": {responders}}}"#)).unwrap();
            let stored = StoredAlert { n: 1, alert: &alert, owner_team: None, created_at: created, events: &[] };
            config.stored_alert_state_at(&stored, later).unwrap()
        };
        let closes = r#"{"type": "escalation", "name": "closes"}"#;
        let keeps = r#"{"type": "escalation", "name": "keeps"}"#;
        // The first responder's escalation closes it after its last repeat …
        let first = state(&format!("[{closes}, {keeps}]"));
        assert!(!first.state.is_open());
        assert_eq!(first.stable_until, None);
        // … the second's does not.
        assert!(state(&format!("[{keeps}, {closes}]")).state.is_open());
        // A user first: nothing closes it by itself.
        assert!(state(&format!(r#"[{{"type": "user", "username": "ann"}}, {closes}]"#)).state.is_open());
        // Before the close, the state is stable until it.
        let alert = Alert::from_json(&format!(r#"{{"message": "m", "responders": [{closes}]}}"#)).unwrap();
        let stored = StoredAlert { n: 1, alert: &alert, owner_team: None, created_at: created, events: &[] };
        let early = config.stored_alert_state_at(&stored, t("2026-11-10T10:01:00Z")).unwrap();
        assert!(early.state.is_open());
        let until = early.stable_until.unwrap();
        assert!(until > t("2026-11-10T10:01:00Z") && until <= t("2026-11-10T10:10:00Z"), "{until}");
    }

    #[test]
    fn a_snooze_is_stable_until_just_after_its_end() {
        let config = crate::Config::from_json("{}").unwrap();
        let alert = Alert::new("m");
        let created = t("2026-11-10T10:00:00Z");
        let events = [AlertEvent::new(created, Action::Snooze { until: t("2026-11-10T11:00:00Z"), user: None })];
        let stored = StoredAlert { n: 1, alert: &alert, owner_team: None, created_at: created, events: &events };
        let at = config.stored_alert_state_at(&stored, t("2026-11-10T11:00:00Z")).unwrap();
        assert!(at.state.snoozed);
        assert_eq!(at.stable_until, Some(t("2026-11-10T11:00:00Z") + chrono::Duration::nanoseconds(1)));
        let after = config.stored_alert_state_at(&stored, t("2026-11-10T11:00:01Z")).unwrap();
        assert!(!after.state.snoozed && after.stable_until.is_none());
    }

    #[test]
    fn book_snooze_ends_lazily() {
        let mut book = AlertBook::new();
        book.create(Alert::new("m"), t("2026-11-10T10:00:00Z")).unwrap();
        let id = AlertId::Id("alert-1".into());
        book.apply(&id, t("2026-11-10T10:01:00Z"), Action::Acknowledge { user: Some("ann".into()) }).unwrap();
        book.apply(&id, t("2026-11-10T10:02:00Z"), Action::Snooze { until: t("2026-11-10T11:00:00Z"), user: None })
            .unwrap();
        assert!(book.get(&id).unwrap().acknowledged);
        book.advance_to(t("2026-11-10T11:00:01Z")).unwrap();
        let s = book.get(&id).unwrap();
        assert!(!s.snoozed && !s.acknowledged && s.owner.as_deref() == Some("ann"));
        assert_eq!(book.history(&id).unwrap().len(), 2);
    }
}
