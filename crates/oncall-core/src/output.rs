//! Answers to queries. They serialize (serde, camelCase) to exactly the JSON shapes of the
//! `oncall` command, which are the `data` objects of Opsgenie's responses plus documented
//! extensions; wrappers only print them.

use crate::time::utc_serde;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The schedule an answer is about (`_parent` in Opsgenie's responses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parent {
    /// Opsgenie id, when the document gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Schedule name.
    pub name: String,
    /// Whether the schedule is enabled.
    pub enabled: bool,
}

/// What a participant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A user.
    User,
    /// A team (nested participants come from its routing).
    Team,
    /// An escalation policy (nested participants are its rules).
    Escalation,
    /// A schedule (nested participants are its on-call set).
    Schedule,
    /// Nobody (an intentional gap).
    None,
}

/// A participant of an answer, as in Opsgenie's `onCallParticipants`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// Opsgenie id, when the document gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Username, or the team, escalation or schedule name (empty for `none`).
    pub name: String,
    /// What it is.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Escalation rules only: the rule's delay in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_time: Option<i64>,
    /// Escalation rules only: the rule's notify type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_type: Option<String>,
    /// A forwarded user: who the notification was meant for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<Box<Participant>>,
    /// Teams, escalations and schedules: who they reach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_call_participants: Option<Vec<Participant>>,
}

impl Participant {
    pub(crate) fn leaf(kind: Kind, name: &str, id: Option<&String>) -> Participant {
        Participant {
            id: id.cloned(),
            name: name.to_string(),
            kind,
            escalation_time: None,
            notify_type: None,
            forwarded_from: None,
            on_call_participants: None,
        }
    }

    /// The usernames this participant reaches, in order, without repeats. For an escalation,
    /// only the rules with delay 0 count.
    pub fn usernames(&self) -> Vec<String> {
        flatten(std::slice::from_ref(self))
    }

    /// Pushes every username reached, in order, repeats included.
    fn collect_usernames<'p>(&'p self, out: &mut Vec<&'p str>) {
        if self.escalation_time.is_some_and(|m| m != 0) {
            return;
        }
        if self.kind == Kind::User {
            out.push(&self.name);
        } else if let Some(children) = &self.on_call_participants {
            for c in children {
                c.collect_usernames(out);
            }
        }
    }
}

/// Who is on call (`oncall who`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnCall {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: Parent,
    /// The on-call participants, nested (teams and escalations expanded).
    pub on_call_participants: Vec<Participant>,
}

impl OnCall {
    /// The flat answer: usernames (Opsgenie's `flat=true`).
    pub fn flat(&self) -> FlatOnCall {
        FlatOnCall { parent: self.parent.clone(), on_call_recipients: flatten(&self.on_call_participants) }
    }
}

/// The usernames `ps` reach, in order of first appearance, without repeats (linear in the
/// participants: a hash set, not a scan, removes repeats).
pub(crate) fn flatten(ps: &[Participant]) -> Vec<String> {
    let mut all = Vec::new();
    for p in ps {
        p.collect_usernames(&mut all);
    }
    let mut seen = std::collections::HashSet::with_capacity(all.len());
    all.into_iter().filter(|n| seen.insert(*n)).map(str::to_string).collect()
}

/// Who is on call, flat (`oncall who --flat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlatOnCall {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: Parent,
    /// Usernames.
    pub on_call_recipients: Vec<String>,
}

/// Who is next (`oncall next`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextOnCall {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: Parent,
    /// Per rotation, the participant of its next shift (rotations that have ended give nothing).
    pub next_on_call_recipients: Vec<Participant>,
    /// The final on-call set from the next change on.
    pub exact_next_on_call_recipients: Vec<Participant>,
    /// The instant the final on-call set next changes; `null` when it does not change before
    /// `searchedUntil`, or never (when `searchedUntil` is `null` too).
    #[serde(serialize_with = "opt_ts")]
    pub exact_next_on_call_at: Option<DateTime<Utc>>,
    /// When no change was found: the instant the search stopped (its horizon,
    /// `nextHorizonDays` ahead, or its work bound), before which nothing changes. `null` when a
    /// change was found or nothing ever changes again.
    #[serde(serialize_with = "opt_ts")]
    pub searched_until: Option<DateTime<Utc>>,
}

impl NextOnCall {
    /// The flat answer (Opsgenie's names `nextOnCallParticipants`, `exactNextOnCallParticipants`).
    pub fn flat(&self) -> FlatNextOnCall {
        FlatNextOnCall {
            parent: self.parent.clone(),
            next_on_call_participants: flatten(&self.next_on_call_recipients),
            exact_next_on_call_participants: flatten(&self.exact_next_on_call_recipients),
            exact_next_on_call_at: self.exact_next_on_call_at,
            searched_until: self.searched_until,
        }
    }
}

/// Who is next, flat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlatNextOnCall {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: Parent,
    /// Usernames of the per-rotation next participants.
    pub next_on_call_participants: Vec<String>,
    /// Usernames on call from the next change on.
    pub exact_next_on_call_participants: Vec<String>,
    /// The instant of the next change.
    #[serde(serialize_with = "opt_ts")]
    pub exact_next_on_call_at: Option<DateTime<Utc>>,
    /// As [`NextOnCall::searched_until`].
    #[serde(serialize_with = "opt_ts")]
    pub searched_until: Option<DateTime<Utc>>,
}

fn opt_ts<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&crate::time::format_instant(*t)),
        None => s.serialize_none(),
    }
}

/// One hand-off of a rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handoff {
    /// When.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// Who takes over (by the rotation's turns, before overrides).
    pub participant: Participant,
}

/// Hand-offs of a rotation (`oncall handoffs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handoffs {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: Parent,
    /// The rotation's name.
    pub rotation: String,
    /// The hand-offs, in order.
    pub handoffs: Vec<Handoff>,
}

/// The type of a timeline period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodType {
    /// A rotation's own shift.
    Default,
    /// An override.
    Override,
    /// A forwarded shift (the recipient is the forwarding target).
    Forwarding,
}

/// A maximal period of one recipient in one rotation, clipped to the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// Start (inclusive).
    #[serde(with = "utc_serde")]
    pub start_date: DateTime<Utc>,
    /// End (exclusive).
    #[serde(with = "utc_serde")]
    pub end_date: DateTime<Utc>,
    /// `default`, `override` or `forwarding`.
    #[serde(rename = "type")]
    pub kind: PeriodType,
    /// Who.
    pub recipient: Participant,
    /// Forwarding periods: whose shift it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_user: Option<Participant>,
}

/// The periods of one rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineRotation {
    /// Opsgenie id, when the document gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Rotation name. Schedule-wide overrides appear as an extra entry named
    /// [`SCHEDULE_WIDE`], after the rotations.
    pub name: String,
    /// Position of the rotation in the schedule.
    pub order: usize,
    /// The periods, in order.
    pub periods: Vec<Period>,
}

/// The name of the extra timeline entry that holds schedule-wide overrides.
pub const SCHEDULE_WIDE: &str = "(schedule-wide overrides)";

/// One layer of a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Layer {
    /// Per rotation.
    pub rotations: Vec<TimelineRotation>,
}

/// A maximal segment of constant final on-call set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// Start (inclusive).
    #[serde(with = "utc_serde")]
    pub start_date: DateTime<Utc>,
    /// End (exclusive).
    #[serde(with = "utc_serde")]
    pub end_date: DateTime<Utc>,
    /// Sorted usernames on call; empty is a gap.
    pub recipients: Vec<String>,
}

/// A timeline (`oncall timeline`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: Parent,
    /// Window start.
    #[serde(with = "utc_serde")]
    pub start_date: DateTime<Utc>,
    /// Window end.
    #[serde(with = "utc_serde")]
    pub end_date: DateTime<Utc>,
    /// After overrides, forwarding and layering: what each rotation contributes to the answer.
    pub final_timeline: Layer,
    /// Each rotation's own shifts after restrictions (with `expand` base).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_timeline: Option<Layer>,
    /// Overrides where they take effect (with `expand` override).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub override_timeline: Option<Layer>,
    /// Forwarded periods (with `expand` forwarding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarding_timeline: Option<Layer>,
    /// The flat final schedule: consecutive segments covering the window, gaps included.
    pub final_schedule: Vec<Segment>,
}

/// `text` safe to print on a terminal or in a one-line message: every control character (C0,
/// DEL, C1 — a newline that would forge a line, an escape that would retitle the terminal) and
/// every bidirectional-override character is written as a visible `\u{…}` escape, and a
/// backslash is doubled so the escapes cannot be forged either. Other text is returned as it is,
/// without copying.
///
/// ```
/// use oncall_core::output::printable;
/// assert_eq!(printable("ann"), "ann");
/// assert_eq!(printable("ann\nwarning: forged"), r"ann\u{a}warning: forged");
/// assert_eq!(printable("\u{1b}]0;owned\u{7}"), r"\u{1b}]0;owned\u{7}");
/// assert_eq!(printable(r"a\b"), r"a\\b");
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control() || c == '\\' || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if unsafe_char(c) => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The length in bytes of `value` as compact JSON, counted without building the text: what
/// `maxOutputBytes` ([`Limits`](crate::Limits)) measures.
pub(crate) fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    // Serializing our answers cannot fail; a failure would count what was written.
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

/// The refusal of an answer larger than `maxOutputBytes`, about argument `path`.
pub(crate) fn too_many_bytes(what: &str, path: &str, limit: usize) -> crate::Error {
    crate::Error::LimitExceeded {
        limit: "maxOutputBytes",
        path: path.into(),
        message: format!("{what} would be larger than {limit} bytes; ask for less"),
        line: None,
        column: None,
    }
}
