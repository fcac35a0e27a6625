//! Answers to queries. They serialize (serde, camelCase) to exactly the JSON shapes of the
//! `oncall` command, which are the `data` objects of Opsgenie's responses plus documented
//! extensions; wrappers only print them.

use crate::time::{opt_utc_serde, utc_serde};
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
    /// Username, or the team, escalation or schedule name. Empty for `none`, and then left out
    /// of the JSON (Opsgenie writes no name for an empty slot).
    #[serde(skip_serializing_if = "String::is_empty")]
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

/// Where a participant of the on-call answer comes from (see
/// [`Schedule::on_call_sources`](crate::Schedule::on_call_sources)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// `rotation`: the rotation's name; absent for a schedule-wide override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<String>,
    /// `turn`: the rotation's turn number (0 for the shift starting at its `startDate`; see
    /// [`crate::provenance`]); absent for a schedule-wide override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turn: Option<u64>,
    /// `viaOverride`: the override that put the participant there, if any: its `alias`, or its
    /// place in the schedule's list (`overrides[1]`) when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_override: Option<String>,
    /// `participant`: as in the on-call answer (teams and escalations expanded).
    pub participant: Participant,
    /// `change`: for a participant by the rotation's turn (no override), the index in the
    /// rotation's `changes` of the roster version of that turn; absent for the rotation as
    /// written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<usize>,
    /// `reassigned` (extension, present when time off changed the shift): the rotation's
    /// policy, who was absent and why (see [`crate::timeoff`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reassigned: Option<crate::timeoff::Reassigned>,
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

/// Who is on call as `oncall who --format json` prints it and `oncall serve` answers
/// `GET /v2/schedules/{id}/on-calls` ([`Schedule::on_call_answer`](crate::Schedule::on_call_answer)):
/// the answer, nested or flat, and after Opsgenie's keys the extension `timeOff`, only when time
/// off changed the shift of someone on call (so an answer without time off is exactly
/// Opsgenie's). Each `timeOff` item is `{rotation, participant, policy, absent, reason}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OnCallAnswer {
    /// Nested participants.
    Nested(WithTimeOff<OnCall>),
    /// Usernames only (`flat`).
    Flat(WithTimeOff<FlatOnCall>),
}

/// An answer with the `timeOff` extension ([`OnCallAnswer`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WithTimeOff<T: Serialize> {
    /// The answer.
    #[serde(flatten)]
    pub answer: T,
    /// The shifts of the people on call that time off changed.
    #[serde(rename = "timeOff", skip_serializing_if = "Vec::is_empty")]
    pub time_off: Vec<serde_json::Value>,
}

/// Cuts participants to the depth of Opsgenie's answers: a team on call has no nested
/// participants; an escalation lists its rules, where a schedule has no nested participants and
/// a team only the users it reaches directly. The engine nests deeper (a team through its
/// routing to an escalation or schedule, a schedule inside an escalation to its on-call users).
fn opsgenie_depth(ps: &[Participant], in_escalation: bool) -> Vec<Participant> {
    ps.iter()
        .map(|p| {
            let mut p = p.clone();
            p.on_call_participants = match (p.kind, in_escalation) {
                (Kind::Escalation, false) => p.on_call_participants.map(|c| opsgenie_depth(&c, true)),
                (Kind::Team, true) => {
                    p.on_call_participants.map(|c| c.into_iter().filter(|x| x.kind == Kind::User).collect())
                }
                _ => None,
            };
            p
        })
        .collect()
}

impl OnCall {
    /// The answer at the depth of Opsgenie's `flat=false` answer (see the `oncall who
    /// --opsgenie-depth` flag): a team on call without nested participants, an escalation with
    /// its rules, a schedule inside it without its on-call users, a team inside it with its
    /// users.
    ///
    /// ```
    /// use oncall_core::Config;
    /// let config = Config::from_json(r#"{"teams":[{"name":"ops","members":[{"user":{"username":"ann"}}]}],
    ///   "schedules":[{"name":"s","rotations":[{"type":"daily","startDate":"2026-01-01T00:00:00Z",
    ///     "participants":[{"type":"team","name":"ops"}]}]}]}"#)?;
    /// let who = config.schedule("s")?.on_call("2026-01-02T00:00:00Z".parse()?)?;
    /// assert!(who.on_call_participants[0].on_call_participants.is_some());
    /// assert!(who.opsgenie_depth().on_call_participants[0].on_call_participants.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn opsgenie_depth(&self) -> OnCall {
        OnCall { parent: self.parent.clone(), on_call_participants: opsgenie_depth(&self.on_call_participants, false) }
    }

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

/// The schedule an answer is about, borrowed from the configuration: [`Parent`] without
/// copying its name (serializes exactly as [`Parent`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParentRef<'c> {
    /// Opsgenie id, when the document gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'c str>,
    /// Schedule name.
    pub name: &'c str,
    /// Whether the schedule is enabled.
    pub enabled: bool,
}

impl ParentRef<'_> {
    /// The owned [`Parent`].
    pub fn to_owned(&self) -> Parent {
        Parent { id: self.id.map(str::to_string), name: self.name.to_string(), enabled: self.enabled }
    }
}

/// Who is on call, borrowed from the configuration
/// ([`Schedule::on_call_ref`](crate::Schedule::on_call_ref)): the same answer as [`OnCall`],
/// serialized to the same JSON, without copying a name. Once the answer index holds the instant
/// the participants are borrowed from it too, so the answer allocates nothing; otherwise they are
/// the owned result of evaluating the rotations.
///
/// ```
/// use oncall_core::{Config, IndexOptions};
/// let mut config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
///   {"name": "r", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann", "ben"]}]}]}"#)?;
/// config.set_index_options(IndexOptions::EAGER);
/// let ops = config.schedule("ops")?;
/// let at = "2026-01-02T10:00:00Z".parse()?;
/// let who = ops.on_call_ref(at)?;
/// assert!(matches!(who.on_call_participants, std::borrow::Cow::Borrowed(_)), "from the index");
/// assert_eq!(who.on_call_participants[0].name, "ben");
/// assert_eq!(who.flat().on_call_recipients, ["ben"]);
/// assert_eq!(serde_json::to_string(&who)?, serde_json::to_string(&ops.on_call(at)?)?);
/// assert_eq!(who.into_owned(), ops.on_call(at)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnCallRef<'c> {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: ParentRef<'c>,
    /// The on-call participants, nested (teams and escalations expanded).
    pub on_call_participants: std::borrow::Cow<'c, [Participant]>,
}

impl<'c> OnCallRef<'c> {
    /// The owned answer ([`Schedule::on_call`](crate::Schedule::on_call)).
    pub fn into_owned(self) -> OnCall {
        OnCall { parent: self.parent.to_owned(), on_call_participants: self.on_call_participants.into_owned() }
    }

    /// The flat answer (Opsgenie's `flat=true`), its usernames borrowed from this answer.
    pub fn flat(&self) -> FlatOnCallRef<'_> {
        let mut all = Vec::new();
        for p in self.on_call_participants.iter() {
            p.collect_usernames(&mut all);
        }
        // Usually a handful of names: a scan removes repeats without a hash set's allocation;
        // a long list uses one, so the answer stays linear in the participants.
        let names: Vec<&str> = if all.len() <= 16 {
            let mut names = Vec::with_capacity(all.len());
            for n in all {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            names
        } else {
            let mut seen = std::collections::HashSet::with_capacity(all.len());
            all.into_iter().filter(|n| seen.insert(*n)).collect()
        };
        FlatOnCallRef { parent: self.parent, on_call_recipients: names }
    }
}

/// Who is on call, flat and borrowed ([`OnCallRef::flat`]); serializes as [`FlatOnCall`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlatOnCallRef<'a> {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: ParentRef<'a>,
    /// Usernames.
    pub on_call_recipients: Vec<&'a str>,
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
    /// Both lists at the depth of Opsgenie's answers (see [`OnCall::opsgenie_depth`]).
    ///
    /// ```
    /// use oncall_core::Config;
    /// let config = Config::from_json(r#"{"teams":[{"name":"ops","members":[{"user":{"username":"ann"}}]}],
    ///   "schedules":[{"name":"s","rotations":[{"type":"daily","startDate":"2026-01-01T00:00:00Z",
    ///     "participants":[{"type":"team","name":"ops"},"bob"]}]}]}"#)?;
    /// let next = config.schedule("s")?.next_on_call("2026-01-01T12:00:00Z".parse()?)?.opsgenie_depth();
    /// assert_eq!(next.exact_next_on_call_recipients[0].name, "bob");
    /// assert!(next.next_on_call_recipients.iter().all(|p| p.on_call_participants.is_none()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn opsgenie_depth(&self) -> NextOnCall {
        NextOnCall {
            parent: self.parent.clone(),
            next_on_call_recipients: opsgenie_depth(&self.next_on_call_recipients, false),
            exact_next_on_call_recipients: opsgenie_depth(&self.exact_next_on_call_recipients, false),
            exact_next_on_call_at: self.exact_next_on_call_at,
            searched_until: self.searched_until,
        }
    }

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
#[serde(rename_all = "camelCase")]
pub struct Handoff {
    /// When.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// Who takes over (by the rotation's turns, before overrides).
    pub participant: Participant,
    /// `inExcludedHours` (extension, present when true): the hand-off falls in hours the
    /// rotation's time restriction excludes, so the participant is not on call at `at`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_excluded_hours: bool,
    /// `onCallFrom` (extension): for a hand-off in excluded hours, when the participant actually
    /// comes on call (the first window of the shift); absent when the shift has no window (the
    /// turn passes unseen) or the hand-off is inside a window.
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_utc_serde")]
    pub on_call_from: Option<DateTime<Utc>>,
    /// `change` (extension, absent for the rotation as written): the index in the rotation's
    /// `changes` of the roster version this turn belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<usize>,
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
    /// Forwarding periods: the username whose shift it was (a string, as Opsgenie's
    /// `TimelinePeriod.fromUser`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_user: Option<String>,
    /// `source` (extension, final timeline with `expand=sources` only): where the period comes
    /// from (rotation and turn, override, forwarding chain); periods split where it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::provenance::ShiftSource>,
}

/// The periods of one rotation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRotation {
    /// Opsgenie id, when the document gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Rotation name. A schedule-wide override's periods are placed in every rotation (it
    /// overrides them all); only a schedule without rotations shows them in an entry of their
    /// own, named [`SCHEDULE_WIDE`].
    pub name: String,
    /// Position of the rotation in the schedule, as Opsgenie numbers it: `1.0` for the first
    /// (a number, Opsgenie's `TimelineRotation.order` is a float).
    pub order: f64,
    /// The periods, in order.
    pub periods: Vec<Period>,
}

/// The name of the timeline entry that holds the schedule-wide overrides of a schedule without
/// rotations (with rotations, they are placed in the rotations they override).
pub const SCHEDULE_WIDE: &str = "(schedule-wide overrides)";

/// One layer of a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
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
    /// `sources` (extension, only when asked for: [`Schedule::segments_with_sources`](crate::Schedule::segments_with_sources),
    /// the timeline's `expand=sources`): where each participant comes from, in rotation order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<crate::provenance::ShiftSource>>,
}

/// A timeline (`oncall timeline`).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// `timeOff` (extension, present when not empty): the shifts time off changed
    /// ([`Schedule::time_off`](crate::Schedule::time_off)).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub time_off: Vec<crate::timeoff::Reassignment>,
    /// `away` (extension, present when not empty): who is away and which rotations are closed
    /// for holidays in the window ([`Schedule::away`](crate::Schedule::away)).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub away: Vec<crate::timeoff::AwayPeriod>,
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
