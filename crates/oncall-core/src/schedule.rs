//! Schedules: combining rotations, overrides and forwarding, and answering queries.
//!
//! At an instant, each rotation yields its participant (after its restriction and its
//! rotation-scoped overrides) or nobody. The schedule's on-call set is the **union of the
//! participants of the rotations with the highest `priority` among those that yield someone**;
//! with every priority at its default 0 this is Opsgenie's rule (every rotation is on call
//! together), higher priorities give PagerDuty-style layers whose gaps fall through. A
//! schedule-wide override replaces the whole set. Forwarding then redirects each user, following
//! chains (A → B while B → C) and stopping at the last user before a repeat. Team participants
//! expand through the team's routing (first rule whose criteria match an empty alert and whose
//! window contains the instant, else the team's default target — the escalation named
//! `<team>_escalation`, the schedule named `<team>_schedule`, or the first escalation or schedule
//! the team owns — else every member); escalation participants expand to their rules.
//!
//! Everything else follows from one primitive: the answer is constant between consecutive
//! **boundaries** (hand-offs, restriction window edges, rotation starts and ends, override and
//! forwarding edges, and the same for every schedule and team the schedule reaches), and the next
//! boundary after any instant is found without scanning the past. Timelines walk boundaries;
//! who-is-on-call evaluates a single instant. Once a stretch of time is asked about often, the
//! answer index ([`IndexOptions`](crate::IndexOptions)) keeps the walk's result for it, and
//! who-is-on-call, next-on-call and final timelines there become binary searches and copies;
//! answers are the same either way.

use crate::compile::{CSchedule, Config, NotifyType, Recipient, Slot, Target};
use crate::error::{Error, Result};
use crate::output::{
    self, Kind, Layer, NextOnCall, OnCall, Parent, Participant, Period, PeriodType, Segment, Timeline, TimelineRotation,
};
use crate::time::{Edge, MAX_INSTANT, Ts, check_range, parse_ts, to_utc};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The default of `maxTimelinePeriods` ([`Limits`](crate::Limits)): [`Schedule::timeline`]
/// refuses an answer with more periods (all layers and the final schedule counted), and walks
/// at most that many boundaries, with [`Error::LimitExceeded`]. [`Schedule::segments`] streams
/// any range without this limit. The answer index indexes no stretch with more boundaries.
pub const MAX_TIMELINE_STEPS: usize = crate::Limits::DEFAULT.max_timeline_periods;

/// The most boundaries [`Schedule::next_on_call`] examines looking for a change, besides its
/// horizon (`nextHorizonDays` of [`Limits`](crate::Limits)). Hand-offs that cannot change
/// anything (a rotation whose participants are all the same) are not boundaries, so this only
/// limits pathological schedules whose hand-offs keep producing the same answer (rotations
/// hidden for ever under a higher layer). The search also stops after [`MAX_NEXT_WORK`]
/// boundary evaluations (a boundary where 5 000 rotations hand off counts 5 000). When it stops
/// without finding a change, the answer says how far it searched
/// ([`NextOnCall::searched_until`](crate::output::NextOnCall::searched_until)), never that nothing changes.
pub const MAX_NEXT_STEPS: usize = 1_000_000;

/// The most boundary-source evaluations [`Schedule::next_on_call`] spends looking for a change
/// (see [`MAX_NEXT_STEPS`]): it bounds the time of one answer whatever the schedule.
pub const MAX_NEXT_WORK: usize = 1_000_000;

/// What a search for the next change found.
pub(crate) enum NextChange {
    /// The set changes at that instant, to these participants.
    At(Ts, Vec<Participant>),
    /// Nothing the schedule depends on ever changes again.
    Never,
    /// No change before that instant; the search stopped there (its horizon or work bound).
    SearchedTo(Ts),
}

/// A schedule of a [`Config`], ready to answer queries. Cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a> {
    pub(crate) config: &'a Config,
    pub(crate) index: usize,
}

/// Which extra layers a timeline carries besides the final one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expand {
    /// Each rotation's own shifts (`baseTimeline`).
    pub base: bool,
    /// Overrides where they take effect (`overrideTimeline`).
    pub overrides: bool,
    /// Forwarded periods (`forwardingTimeline`).
    pub forwarding: bool,
    /// Where each answer comes from: the final schedule's segments carry their sources
    /// ([`Schedule::segments_with_sources`]).
    pub sources: bool,
}

impl Expand {
    /// Reads a comma-separated list of `base`, `override`, `forwarding`, `sources`.
    ///
    /// ```
    /// let e = oncall_core::Expand::parse("base,forwarding")?;
    /// assert!(e.base && e.forwarding && !e.overrides);
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn parse(list: &str) -> Result<Expand> {
        let mut e = Expand::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item {
                "base" => e.base = true,
                "override" | "overrides" => e.overrides = true,
                "forwarding" => e.forwarding = true,
                "source" | "sources" => e.sources = true,
                other => {
                    return Err(Error::InvalidArgument {
                        what: "expand".into(),
                        message: format!("unknown layer {other:?} (expected base, override, forwarding or sources)"),
                    });
                }
            }
        }
        Ok(e)
    }
}

/// The unit of a timeline window given as a date and an interval (Opsgenie's `intervalUnit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalUnit {
    /// Calendar days in the schedule's zone.
    Days,
    /// Weeks of seven calendar days.
    Weeks,
    /// Calendar months (the day of the month is clamped to the month's last day).
    Months,
}

impl std::str::FromStr for IntervalUnit {
    type Err = Error;
    fn from_str(s: &str) -> Result<IntervalUnit> {
        match s {
            "days" => Ok(IntervalUnit::Days),
            "weeks" => Ok(IntervalUnit::Weeks),
            "months" => Ok(IntervalUnit::Months),
            other => Err(Error::InvalidArgument {
                what: "intervalUnit".into(),
                message: format!("expected days, weeks or months, found {other:?}"),
            }),
        }
    }
}

/// Whether a rotation's state yields someone.
#[inline]
fn yields(effective: Option<Slot>) -> bool {
    effective.is_some_and(|e| e != Slot::Nobody)
}

/// The state of one rotation at an instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RotState {
    /// Turn number, when the rotation is active (running and inside its windows).
    pub(crate) k: Option<u64>,
    /// The rotation-scoped override in force, if active.
    pub(crate) ov: Option<u32>,
    /// Who the rotation yields after its override (Nobody when active but empty).
    pub(crate) effective: Option<Slot>,
}

/// The state of a schedule at an instant.
#[derive(Debug, Clone)]
pub(crate) struct Snap {
    pub(crate) rots: Vec<RotState>,
    /// Rotations that reach the final answer (highest priority among those yielding someone).
    pub(crate) shown: Vec<bool>,
    pub(crate) wide: Option<u32>,
}

fn ts_of(what: &str, t: DateTime<Utc>) -> Result<Ts> {
    check_range(t.timestamp()).map_err(|m| Error::InvalidTime { what: what.into(), message: m })
}

impl<'a> Schedule<'a> {
    fn s(&self) -> &'a CSchedule {
        &self.config.schedules[self.index]
    }

    /// The schedule's name.
    pub fn name(&self) -> &'a str {
        &self.s().name
    }

    /// The schedule's zone.
    pub fn timezone(&self) -> Tz {
        self.s().tz
    }

    /// Whether the schedule is enabled.
    pub fn enabled(&self) -> bool {
        self.s().enabled
    }

    /// The names of the rotations, in order.
    pub fn rotation_names(&self) -> impl Iterator<Item = &'a str> {
        self.s().rotations.iter().map(|r| r.name.as_str())
    }

    /// The `_parent` object of answers.
    pub fn parent(&self) -> Parent {
        Parent { id: self.s().id.clone(), name: self.s().name.clone(), enabled: self.s().enabled }
    }

    /// The `_parent` object of answers, borrowed ([`output::OnCallRef`]).
    pub fn parent_ref(&self) -> output::ParentRef<'a> {
        let s = self.s();
        output::ParentRef { id: s.id.as_deref(), name: &s.name, enabled: s.enabled }
    }

    /// Who is on call at `at` as `oncall who --format json` prints it ([`output::OnCallAnswer`]):
    /// nested or `flat`, cut to Opsgenie's depth with `opsgenie_depth`, with the `timeOff`
    /// extension when time off changed a shift of someone on call.
    pub fn on_call_answer(&self, at: DateTime<Utc>, flat: bool, opsgenie_depth: bool) -> Result<output::OnCallAnswer> {
        let mut answer = self.on_call(at)?;
        if opsgenie_depth {
            answer = answer.opsgenie_depth();
        }
        let time_off: Vec<serde_json::Value> = self
            .on_call_sources(at)?
            .iter()
            .filter_map(|src| {
                let r = src.reassigned.as_ref()?;
                let mut v = serde_json::json!({"rotation": src.rotation, "participant": src.participant.name});
                if let (Some(obj), Ok(serde_json::Value::Object(extra))) = (v.as_object_mut(), serde_json::to_value(r))
                {
                    obj.extend(extra);
                }
                Some(v)
            })
            .collect();
        Ok(if flat {
            output::OnCallAnswer::Flat(output::WithTimeOff { answer: answer.flat(), time_off })
        } else {
            output::OnCallAnswer::Nested(output::WithTimeOff { answer, time_off })
        })
    }

    /// The schedule as Opsgenie's Schedule API shows it (`GET /v2/schedules/{identifier}`): `id`
    /// (when the document gave one), `name`, `description`, `timezone` (the zone in use),
    /// `enabled`, `ownerTeam`, and, with `rotations`, the rotations as the document writes them.
    /// `document` is the one the configuration was compiled from (see
    /// [`Loaded`](crate::Loaded)): the configuration does not keep descriptions and rotations as
    /// written.
    ///
    /// ```
    /// let loaded = oncall_core::Loaded::from_json(r#"{"schedules": [{"name": "ops", "description": "payments"}]}"#)?;
    /// let v = loaded.schedule("ops")?.api_object(&loaded.document, false);
    /// assert_eq!((v["name"].as_str(), v["description"].as_str()), (Some("ops"), Some("payments")));
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn api_object(&self, document: &crate::config::Document, rotations: bool) -> serde_json::Value {
        let d = document.schedules.iter().find(|d| d.name == self.name());
        let mut v =
            serde_json::json!({"name": self.name(), "timezone": self.timezone().name(), "enabled": self.enabled()});
        if let (Some(d), Some(m)) = (d, v.as_object_mut()) {
            if let Some(id) = &d.id {
                m.insert("id".into(), id.clone().into());
            }
            m.insert("description".into(), d.description.clone().unwrap_or_default().into());
            if let Some(t) = &d.owner_team {
                m.insert("ownerTeam".into(), serde_json::to_value(t).unwrap_or_default());
            }
            if rotations {
                m.insert("rotations".into(), serde_json::to_value(&d.rotations).unwrap_or_default());
            }
        }
        v
    }

    /// Reads a time argument: RFC 3339, or a naive local time in the schedule's zone.
    ///
    /// ```
    /// # let config = oncall_core::Config::from_json(r#"{"schedules":[{"name":"s","timezone":"Asia/Kolkata"}]}"#)?;
    /// let s = config.schedule("s")?;
    /// assert_eq!(s.parse_time("2026-06-01T09:00")?.to_rfc3339(), "2026-06-01T03:30:00+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse_time(&self, text: &str) -> Result<DateTime<Utc>> {
        parse_ts(text, self.s().tz, Edge::Start)
            .map(to_utc)
            .map_err(|m| Error::InvalidTime { what: "time".into(), message: m })
    }

    /// Reads a time argument that **ends** a window: like [`Schedule::parse_time`], but a naive
    /// local time in a fall-back fold maps to its last occurrence.
    pub fn parse_time_end(&self, text: &str) -> Result<DateTime<Utc>> {
        parse_ts(text, self.s().tz, Edge::End)
            .map(to_utc)
            .map_err(|m| Error::InvalidTime { what: "time".into(), message: m })
    }

    /// Who is on call at `at`.
    ///
    /// ```
    /// use oncall_core::Config;
    /// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
    ///   {"name": "day", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann", "ben"],
    ///    "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}}}]}]}"#)?;
    /// let ops = config.schedule("ops")?;
    /// assert_eq!(ops.on_call("2026-01-02T10:00:00Z".parse()?)?.flat().on_call_recipients, ["ben"]);
    /// assert!(ops.on_call("2026-01-02T18:00:00Z".parse()?)?.on_call_participants.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_call(&self, at: DateTime<Utc>) -> Result<OnCall> {
        self.on_call_ref(at).map(output::OnCallRef::into_owned)
    }

    /// [`Schedule::on_call`] borrowing from the configuration: the same answer (and the same
    /// JSON), without copying the schedule's or the participants' names. When the answer index
    /// holds `at` ([`IndexOptions`](crate::IndexOptions)), the participants are the index's own
    /// and the call allocates nothing; otherwise they are evaluated as for `on_call`. Use it where
    /// the answer is only read or serialized (the command, the wasm package and the service do).
    ///
    /// ```
    /// use oncall_core::Config;
    /// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
    ///   {"name": "r", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann", "ben"]}]}]}"#)?;
    /// let who = config.schedule("ops")?.on_call_ref("2026-01-02T10:00:00Z".parse()?)?;
    /// assert_eq!(who.parent.name, "ops");
    /// assert_eq!(who.flat().on_call_recipients, ["ben"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_call_ref(&self, at: DateTime<Utc>) -> Result<output::OnCallRef<'a>> {
        let t = ts_of("at", at)?;
        let c = self.config;
        c.recurrence_work(self.index, t)?;
        let on_call_participants = match c.index.on_call(c, self.index, t) {
            Some(answer) => std::borrow::Cow::Borrowed(answer),
            None => std::borrow::Cow::Owned(c.expanded(|v| c.final_participants(self.index, t, v))?),
        };
        Ok(output::OnCallRef { parent: self.parent_ref(), on_call_participants })
    }

    /// Where each participant of [`Schedule::on_call`] comes from at `at`: the rotation (and the
    /// rotation-scoped override, if one replaced its participant) or a schedule-wide override.
    /// One entry per rotation that yields someone in the on-call set (the rotations of the
    /// highest priority among those yielding someone), in rotation order; a person reached
    /// through two rotations appears under both. An override is named by its `alias`, or by its
    /// place (`overrides[1]`) when it has none. Forwarding applies as in `on_call`.
    ///
    /// ```
    /// use oncall_core::Config;
    /// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
    ///   {"name": "day", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann", "ben"]},
    ///   {"name": "backup", "type": "weekly", "startDate": "2026-01-01T00:00:00Z", "participants": ["cat"]}],
    ///   "overrides": [{"alias": "ann-sick", "user": "dan", "startDate": "2026-01-03T00:00:00Z",
    ///                  "endDate": "2026-01-04T00:00:00Z", "rotations": [{"name": "day"}]}]}]}"#)?;
    /// let ops = config.schedule("ops")?;
    /// let from = |at: &str| -> Result<Vec<String>, Box<dyn std::error::Error>> {
    ///     Ok(ops.on_call_sources(at.parse()?)?.iter().map(|s| format!("{} {:?} {:?}", s.participant.name,
    ///         s.rotation, s.via_override)).collect())
    /// };
    /// assert_eq!(from("2026-01-02T12:00:00Z")?, [r#"ben Some("day") None"#, r#"cat Some("backup") None"#]);
    /// assert_eq!(from("2026-01-03T12:00:00Z")?, [r#"dan Some("day") Some("ann-sick")"#, r#"cat Some("backup") None"#]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_call_sources(&self, at: DateTime<Utc>) -> Result<Vec<output::Source>> {
        let t = ts_of("at", at)?;
        self.config.recurrence_work(self.index, t)?;
        Ok(self.config.sources(self.index, t))
    }

    /// The next shift of each rotation strictly after `at`, in rotation order: the rotation's
    /// name, the hand-off and who takes over by the turns (as [`Schedule::handoffs`] gives it;
    /// rotations without a hand-off ahead are left out). `nextOnCallRecipients` of
    /// [`Schedule::next_on_call`] lists the same participants without the rotations.
    ///
    /// A hand-off in hours the rotation's restriction excludes says when the participant really
    /// comes on call ([`output::Handoff::on_call_from`]):
    ///
    /// ```
    /// use oncall_core::{Config, time::format_instant};
    /// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
    ///   {"name": "days", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann", "ben"]},
    ///   {"name": "nights", "type": "weekly", "startDate": "2026-01-05T09:00:00Z", "participants": ["cat", "dan"],
    ///    "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 18, "endHour": 9}}}]}]}"#)?;
    /// let shifts = config.schedule("ops")?.next_shifts("2026-01-06T12:00:00Z".parse()?)?;
    /// let days = &shifts[0];
    /// assert_eq!((days.0.as_str(), format_instant(days.1.at), days.1.participant.name.as_str()), ("days", "2026-01-07T09:00:00Z".into(), "ann"));
    /// let nights = &shifts[1].1;
    /// assert_eq!((format_instant(nights.at), nights.participant.name.as_str()), ("2026-01-12T09:00:00Z".into(), "dan"));
    /// assert!(nights.in_excluded_hours);
    /// assert_eq!(nights.on_call_from.map(format_instant).as_deref(), Some("2026-01-12T18:00:00Z"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_shifts(&self, at: DateTime<Utc>) -> Result<Vec<(String, output::Handoff)>> {
        let mut out = Vec::new();
        for r in &self.s().rotations {
            if let Some(h) = self.handoffs(&r.name, at)?.next() {
                out.push((r.name.clone(), h));
            }
        }
        Ok(out)
    }

    /// Who is next: per rotation the participant of its next shift, and the instant the final
    /// on-call set next changes (strictly after `at`) with the set from then on.
    ///
    /// The search walks the boundaries up to `nextHorizonDays` ahead ([`Limits`](crate::Limits),
    /// 3 660 days by default; at most [`MAX_NEXT_STEPS`] boundaries and [`MAX_NEXT_WORK`]
    /// evaluations). Three answers: a change (`exact_next_on_call_at` set, possibly past the
    /// horizon when no boundary lies between); nothing ever changes again (both
    /// `exact_next_on_call_at` and `searched_until` `None`: no hand-off, window, override or
    /// forwarding edge is left); or no change before `searched_until`, where the search stopped.
    ///
    /// ```
    /// use oncall_core::{Config, Limits};
    /// // A boss layer until February hides a daily rotation.
    /// let mut config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
    ///   {"name": "boss", "type": "weekly", "priority": 1, "startDate": "2026-01-01T00:00:00Z",
    ///    "endDate": "2026-02-01T00:00:00Z", "participants": ["boss"]},
    ///   {"name": "day", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann", "ben"]}]}]}"#)?;
    /// let next = config.schedule("ops")?.next_on_call("2026-01-02T10:00:00Z".parse()?)?;
    /// assert_eq!(next.exact_next_on_call_at.unwrap().to_rfc3339(), "2026-02-01T00:00:00+00:00");
    /// assert_eq!(next.searched_until, None);
    /// // Looking less than a day ahead finds no change, and says how far it looked: to the
    /// // first hand-off past the horizon, which changes nothing.
    /// config.set_limits(Limits { next_horizon_days: 0, ..Limits::default() });
    /// let next = config.schedule("ops")?.next_on_call("2026-01-02T10:00:00Z".parse()?)?;
    /// assert_eq!(next.exact_next_on_call_at, None);
    /// assert_eq!(next.searched_until.unwrap().to_rfc3339(), "2026-01-03T09:00:00+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_on_call(&self, at: DateTime<Utc>) -> Result<NextOnCall> {
        let t = ts_of("at", at)?;
        let c = self.config;
        c.recurrence_work(self.index, t)?;
        let exact = match c.index.next_change(c, self.index, t) {
            Some((b, set)) if b < horizon(c, t) => NextChange::At(b, set.to_vec()),
            _ => c.next_change(self.index, t)?,
        };
        let next = c.expanded(|v| c.turn_participants(self.index, t, 1, v))?;
        let (at, exact, searched) = match exact {
            NextChange::At(b, set) => (Some(to_utc(b)), set, None),
            NextChange::Never => (None, Vec::new(), None),
            NextChange::SearchedTo(b) => (None, Vec::new(), Some(to_utc(b))),
        };
        Ok(NextOnCall {
            parent: self.parent(),
            next_on_call_recipients: next,
            exact_next_on_call_recipients: exact,
            exact_next_on_call_at: at,
            searched_until: searched,
        })
    }

    fn rotation_index(&self, name: &str) -> Result<usize> {
        let s = self.s();
        s.rotations
            .iter()
            .position(|r| r.name == name)
            .or_else(|| s.rotations.iter().position(|r| r.id.as_deref() == Some(name)))
            .ok_or_else(|| Error::UnknownRotation { schedule: s.name.clone(), name: name.to_string() })
    }

    /// The hand-offs of a rotation strictly after `from`, lazily, in order. Hand-offs that fall
    /// on the same instant (a DST gap) come once, with the participant who ends up on call.
    /// Participants are by the rotation's turns (overrides do not change turns).
    ///
    /// ```
    /// use oncall_core::Config;
    /// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "timezone": "America/New_York", "rotations": [
    ///   {"name": "daily", "type": "daily", "startDate": "2026-03-06T09:00", "participants": ["ann", "ben"]}]}]}"#)?;
    /// let next: Vec<String> = config.schedule("ops")?.handoffs("daily", "2026-03-07T00:00:00Z".parse()?)?
    ///     .take(2).map(|h| format!("{} {}", oncall_core::time::format_instant(h.at), h.participant.name)).collect();
    /// assert_eq!(next, ["2026-03-07T14:00:00Z ben", "2026-03-08T13:00:00Z ann"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handoffs(&self, rotation: &str, from: DateTime<Utc>) -> Result<HandoffIter<'a>> {
        let r = self.rotation_index(rotation)?;
        let t = ts_of("from", from)?;
        let c = self.config;
        c.rotation_work(self.index, r, &self.s().rotations[r], t, c.limits.max_recurrence_work)?;
        let h = &self.s().rotations[r].handoffs;
        let k = h.index_at(t).map_or(0, |k| k + 1);
        Ok(HandoffIter { schedule: *self, rotation: r, k, after: t })
    }

    /// The `oncall handoffs` answer: the first `count` hand-offs after `from`. Refused with
    /// [`Error::LimitExceeded`] when it would be larger than `maxOutputBytes` as compact JSON
    /// (long names), counted as the list is built.
    pub fn handoff_list(&self, rotation: &str, from: DateTime<Utc>, count: usize) -> Result<output::Handoffs> {
        let limit = self.config.limits.max_output_bytes;
        let mut bytes = 0usize;
        let mut list = Vec::new();
        for h in self.handoffs(rotation, from)?.take(count) {
            bytes = bytes.saturating_add(output::json_len(&h));
            if bytes > limit {
                return Err(output::too_many_bytes("this list of hand-offs", "count", limit));
            }
            list.push(h);
        }
        let r = self.rotation_index(rotation)?;
        Ok(output::Handoffs { parent: self.parent(), rotation: self.s().rotations[r].name.clone(), handoffs: list })
    }

    /// The flat final schedule over `[from, to)`, streamed lazily: consecutive segments of
    /// constant on-call set, gaps included. Any range of the engine is allowed.
    pub fn segments(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<SegmentIter<'a>> {
        let (from, to) = self.window(from, to)?;
        self.config.recurrence_work(self.index, from)?;
        Ok(SegmentIter {
            schedule: *self,
            to,
            steps: Steps::new(self.config, self.index, from),
            pending: None,
            error: None,
            sources: false,
        })
    }

    /// [`Schedule::segments`] where each segment also says where each participant comes from
    /// ([`Segment::sources`]: rotation and turn, override, forwarding chain; see
    /// [`crate::provenance`]). A segment is maximal for its set and its sources, so a new turn
    /// of the same person starts a new one.
    pub fn segments_with_sources(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<SegmentIter<'a>> {
        let (f, _) = self.window(from, to)?;
        Ok(SegmentIter {
            sources: true,
            steps: Steps::with_turns(self.config, self.index, f),
            ..self.segments(from, to)?
        })
    }

    /// The end of a window that starts at `date` and lasts `interval` days, weeks or months,
    /// counted in the schedule's local wall-clock time (so a week across a DST change is 167 or
    /// 169 hours). The end is resolved as an end (see [`crate::time::Edge::End`]).
    ///
    /// ```
    /// use oncall_core::{Config, IntervalUnit};
    /// let config = Config::from_json(r#"{"schedules":[{"name":"s","timezone":"Europe/London"}]}"#)?;
    /// let s = config.schedule("s")?;
    /// let from = s.parse_time("2026-03-23")?; // local midnight, GMT
    /// let to = s.interval_end(from, 1, IntervalUnit::Weeks)?; // local midnight, BST
    /// assert_eq!(to.to_rfc3339(), "2026-03-29T23:00:00+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn interval_end(&self, date: DateTime<Utc>, interval: u32, unit: IntervalUnit) -> Result<DateTime<Utc>> {
        let tz = self.s().tz;
        let start = crate::time::local(tz, ts_of("date", date)?);
        let n = i64::from(interval);
        let end = match unit {
            IntervalUnit::Days => start.checked_add_signed(chrono::Duration::days(n)),
            IntervalUnit::Weeks => start.checked_add_signed(chrono::Duration::days(7 * n)),
            IntervalUnit::Months => start.checked_add_months(chrono::Months::new(interval)),
        };
        let end = end.map(|l| crate::time::resolve(tz, l, Edge::End)).filter(|&t| t < MAX_INSTANT);
        end.map(to_utc).ok_or_else(|| Error::InvalidArgument {
            what: "interval".into(),
            message: "the window ends after the supported range (2200-01-01)".into(),
        })
    }

    fn window(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(Ts, Ts)> {
        let f = ts_of("from", from)?;
        let t = to.timestamp().min(MAX_INSTANT);
        if t <= f {
            return Err(Error::InvalidArgument { what: "to".into(), message: "must be after from".into() });
        }
        Ok((f, t))
    }

    /// The timeline over `[from, to)`: per rotation, maximal periods clipped to the window for
    /// the final layer (and the layers `expand` asks for), and the flat final schedule.
    ///
    /// Refused with [`Error::LimitExceeded`] (`maxTimelinePeriods`) when the answer would hold
    /// more periods than the limit, counting every layer's periods and the final schedule's
    /// segments (or when the walk passes that many boundaries); use [`Schedule::segments`] to
    /// stream longer ranges.
    pub fn timeline(&self, from: DateTime<Utc>, to: DateTime<Utc>, expand: Expand) -> Result<Timeline> {
        let (from, to) = self.window(from, to)?;
        let c = self.config;
        c.recurrence_work(self.index, from)?;
        let indexed = if expand == Expand::default() { c.index.timeline(c, self.index, from, to) } else { None };
        let walked = match indexed {
            Some(walked) => walked,
            None => c.walk(self.index, from, to, expand, c.limits.max_timeline_periods, |_, _, _| ())?,
        };
        if walked.periods() > c.limits.max_timeline_periods {
            return Err(too_large(c.limits.max_timeline_periods));
        }
        // Counted before the answer is built: long names would otherwise build it first.
        if walked.output_bytes(c) > c.limits.max_output_bytes {
            return Err(output::too_many_bytes("this timeline", "to", c.limits.max_output_bytes));
        }
        let mut answer = self.timeline_of(walked, from, to, expand);
        answer.time_off = self.time_off(answer.start_date, answer.end_date)?;
        answer.away = self.away(answer.start_date, answer.end_date)?;
        // The time off lists were not counted above: count the whole answer once when it has them.
        if (!answer.time_off.is_empty() || !answer.away.is_empty())
            && output::json_len(&answer) > c.limits.max_output_bytes
        {
            return Err(output::too_many_bytes("this timeline", "to", c.limits.max_output_bytes));
        }
        if expand.sources {
            answer.final_schedule = self.sourced_final_schedule(&answer, from, to)?;
            crate::provenance::source_periods(&mut answer.final_timeline, &answer.final_schedule);
            let layers =
                [Some(&answer.final_timeline), answer.base_timeline.as_ref(), answer.override_timeline.as_ref()]
                    .into_iter()
                    .chain([answer.forwarding_timeline.as_ref()])
                    .flatten();
            let periods: usize = layers.flat_map(|l| &l.rotations).map(|r| r.periods.len()).sum();
            if periods + answer.final_schedule.len() > c.limits.max_timeline_periods {
                return Err(too_large(c.limits.max_timeline_periods));
            }
            if output::json_len(&answer) > c.limits.max_output_bytes {
                return Err(output::too_many_bytes("this timeline", "to", c.limits.max_output_bytes));
            }
        }
        Ok(answer)
    }

    /// The final schedule of `answer` with sources, within the limits the rest of `answer`
    /// leaves (`maxTimelinePeriods`, `maxOutputBytes`).
    fn sourced_final_schedule(&self, answer: &Timeline, from: Ts, to: Ts) -> Result<Vec<Segment>> {
        let c = self.config;
        let layers = [Some(&answer.final_timeline), answer.base_timeline.as_ref(), answer.override_timeline.as_ref()]
            .into_iter()
            .chain([answer.forwarding_timeline.as_ref()])
            .flatten();
        let periods: usize = layers.flat_map(|l| &l.rotations).map(|r| r.periods.len()).sum();
        let mut bytes = output::json_len(answer).saturating_sub(output::json_len(&answer.final_schedule));
        let mut out = Vec::new();
        let mut segments = self.segments_with_sources(to_utc(from), to_utc(to))?;
        for seg in segments.by_ref() {
            bytes = bytes.saturating_add(output::json_len(&seg) + 1);
            if periods + out.len() >= c.limits.max_timeline_periods {
                return Err(too_large(c.limits.max_timeline_periods));
            }
            if bytes > c.limits.max_output_bytes {
                return Err(output::too_many_bytes("this timeline", "to", c.limits.max_output_bytes));
            }
            out.push(seg);
        }
        match segments.error() {
            Some(e) => Err(e.clone()),
            None => Ok(out),
        }
    }

    fn timeline_of(&self, walked: Walked, from: Ts, to: Ts, expand: Expand) -> Timeline {
        let c = self.config;
        let s = self.s();
        let n = s.rotations.len();
        let layer = |periods: Periods| Layer {
            rotations: periods
                .output(c)
                .into_iter()
                .enumerate()
                .filter(|(i, p)| *i < n || !p.is_empty())
                .map(|(i, periods)| TimelineRotation {
                    id: s.rotations.get(i).and_then(|r| r.id.clone()),
                    name: s.rotations.get(i).map_or(output::SCHEDULE_WIDE.to_string(), |r| r.name.clone()),
                    order: (i + 1) as f64,
                    periods,
                })
                .collect(),
        };
        let Walked { fin, base, over, fwd, segments } = walked;
        Timeline {
            parent: self.parent(),
            start_date: to_utc(from),
            end_date: to_utc(to),
            final_timeline: layer(fin),
            base_timeline: expand.base.then(|| layer(base)),
            override_timeline: expand.overrides.then(|| layer(over)),
            forwarding_timeline: expand.forwarding.then(|| layer(fwd)),
            final_schedule: segments.output(c),
            time_off: Vec::new(),
            away: Vec::new(),
        }
    }
}

/// Where next-on-call stops looking from `t`: `nextHorizonDays` later, at most the end of the
/// engine's range.
fn horizon(c: &Config, t: Ts) -> Ts {
    t.saturating_add(c.limits.next_horizon_days.max(0).saturating_mul(86_400)).min(MAX_INSTANT)
}

/// The refusal of a timeline with more than `limit` periods (`maxTimelinePeriods`).
pub(crate) fn too_large(limit: usize) -> Error {
    Error::LimitExceeded {
        limit: "maxTimelinePeriods",
        path: "to".into(),
        message: format!(
            "this timeline would have more than {limit} periods; ask for a shorter window or stream it (Schedule::segments)"
        ),
        line: None,
        column: None,
    }
}

/// What a walk over `[from, to)` found, as keys: per layer the periods of each rotation (the
/// last index is the schedule-wide overrides), and the flat final segments.
pub(crate) struct Walked {
    pub(crate) fin: Periods,
    pub(crate) base: Periods,
    pub(crate) over: Periods,
    pub(crate) fwd: Periods,
    pub(crate) segments: Segments,
}

impl Walked {
    /// An upper bound of the answer's size as compact JSON (see `maxOutputBytes`): per period
    /// its fixed fields and the names and ids it carries, per segment its usernames (each name
    /// measured once).
    fn output_bytes(&self, c: &Config) -> usize {
        // Each participant's name and id as JSON strings, measured once.
        let mut sizes: std::collections::HashMap<Slot, usize> = std::collections::HashMap::new();
        let mut slot = |s: Slot| {
            *sizes.entry(s).or_insert_with(|| {
                let (name, id) = c.slot_leaf_ref(s);
                output::json_len(name) + id.map_or(0, output::json_len) + 64
            })
        };
        let mut n = 0usize;
        for periods in [&self.fin, &self.base, &self.over, &self.fwd] {
            for list in &periods.done {
                for &((_, s, from), _, _) in list {
                    let from = from.map_or(0, &mut slot);
                    n = n.saturating_add(128 + slot(s) + from);
                }
            }
        }
        for (set, _, _) in &self.segments.done {
            n = n.saturating_add(96);
            match set {
                FlatSet::Users(users) => {
                    for &u in users {
                        n = n.saturating_add(slot(Slot::User(u)));
                    }
                }
            }
        }
        n
    }

    /// Periods of every layer and segments of the final schedule.
    fn periods(&self) -> usize {
        [&self.fin, &self.base, &self.over, &self.fwd].iter().map(|p| p.len()).sum::<usize>() + self.segments.done.len()
    }
}

impl Config {
    /// Walks the boundaries of schedule `si` over `[from, to)`, collecting the final layer (and
    /// those `expand` asks for) and calling `each` with every instant evaluated (`from`, then each
    /// boundary before `to`). Refused with [`too_large`] past `limit` instants or periods.
    pub(crate) fn walk(
        &self,
        si: usize,
        from: Ts,
        to: Ts,
        expand: Expand,
        limit: usize,
        mut each: impl FnMut(Ts, &Snap, &FlatSet),
    ) -> Result<Walked> {
        let s = &self.schedules[si];
        let n = s.rotations.len();
        let (mut fin, mut base, mut over, mut fwd) =
            (Periods::new(n + 1), Periods::new(n + 1), Periods::new(n + 1), Periods::new(n + 1));
        let mut segments = Segments::default();
        let mut steps = Steps::new(self, si, from);
        let mut count = 0;
        while let Some((t, snap)) = steps.next().filter(|&(t, _)| t < to) {
            count += 1;
            let periods = [&fin, &base, &over, &fwd].iter().map(|p| p.len()).sum::<usize>() + segments.done.len();
            if count > limit || periods > limit {
                return Err(too_large(limit));
            }
            // A schedule-wide override overrides every rotation: its period is placed in each
            // (in one entry of its own only when the schedule has no rotation).
            let wide_user = snap.wide.map(|o| s.overrides[o as usize].user());
            let wide_key = wide_user.flatten().map(|u| self.final_key(PeriodType::Override, Slot::User(u), t));
            let wide_over = wide_user.map(|u| (PeriodType::Override, u.map_or(Slot::Nobody, Slot::User), None));
            for (r, st) in snap.rots.iter().enumerate() {
                let rot = &s.rotations[r];
                let slot = st.k.map(|k| rot.slot(k));
                if expand.base {
                    base.put(r, t, slot.filter(|&x| x != Slot::Nobody).map(|x| (PeriodType::Default, x, None)));
                }
                if expand.overrides {
                    let user = st.ov.map(|o| s.overrides[o as usize].user().map_or(Slot::Nobody, Slot::User));
                    let scoped = user.map(|u| (PeriodType::Override, u, None));
                    over.put(r, t, if snap.wide.is_some() { wide_over } else { scoped });
                }
                let key = if snap.wide.is_some() {
                    wide_key
                } else {
                    snap.shown[r]
                        .then(|| {
                            let kind = if st.ov.is_some() { PeriodType::Override } else { PeriodType::Default };
                            (kind, st.effective.unwrap_or(Slot::Nobody))
                        })
                        .map(|(kind, slot)| self.final_key(kind, slot, t))
                };
                fin.put(r, t, key);
                if expand.forwarding {
                    fwd.put(r, t, key.filter(|k| k.0 == PeriodType::Forwarding));
                }
            }
            if n == 0 {
                if expand.overrides {
                    over.put(n, t, wide_over);
                }
                fin.put(n, t, wide_key);
                if expand.forwarding {
                    fwd.put(n, t, wide_key.filter(|k| k.0 == PeriodType::Forwarding));
                }
            }
            let set = self.flat_users(si, t, snap)?;
            each(t, snap, &set);
            segments.put(t, set);
        }
        for periods in [&mut fin, &mut base, &mut over, &mut fwd] {
            periods.close(to);
        }
        segments.close(to);
        Ok(Walked { fin, base, over, fwd, segments })
    }

    /// The first boundary after `t` where the final on-call set of schedule `si` changes, with
    /// the participants from then on; `None` when nothing changes within [`MAX_NEXT_STEPS`]
    /// boundaries. A change is a change of the set of usernames on call, as in the final
    /// schedule: the same people listed in another order (one rotation ends, another already had
    /// them) is no change.
    pub(crate) fn next_change(&self, si: usize, t: Ts) -> Result<NextChange> {
        let horizon = horizon(self, t);
        let mut steps = Steps::new(self, si, t);
        let Some(now) = steps.next().map(|(t, snap)| self.flat_users(si, t, snap)).transpose()? else {
            return Ok(NextChange::Never);
        };
        let (mut last, mut work) = (t, 0usize);
        for _ in 0..MAX_NEXT_STEPS {
            work += 1 + steps.fired();
            let Some((b, snap)) = steps.next() else {
                return Ok(if steps.exhausted() { NextChange::Never } else { NextChange::SearchedTo(MAX_INSTANT) });
            };
            // Nothing changes between two boundaries: the first boundary at or past the horizon
            // is still the answer when it is a change, and bounds the search when it is not.
            if self.flat_users(si, b, snap)? != now {
                return Ok(NextChange::At(b, self.expanded(|v| self.participants_of(si, b, snap, v))?));
            }
            if b >= horizon {
                return Ok(NextChange::SearchedTo(b));
            }
            last = b;
            if work > MAX_NEXT_WORK {
                break;
            }
        }
        Ok(NextChange::SearchedTo(last))
    }

    /// Whether `t` is itself a boundary of schedule `si`.
    pub(crate) fn is_boundary(&self, si: usize, t: Ts) -> bool {
        Walker::new(self, si, t - 1).next() == Some(t)
    }

    /// The answer index of schedule `si` over `[from, to)`: `None` past [`MAX_TIMELINE_STEPS`].
    pub(crate) fn index_chunk(&self, si: usize, from: Ts, to: Ts) -> Option<crate::index::Chunk> {
        let mut bounds = Vec::new();
        if self.is_boundary(si, from) {
            bounds.push(from);
        }
        let mut who: Vec<(Ts, u32, FlatSet)> = Vec::new();
        let mut answers: Vec<Vec<Participant>> = Vec::new();
        let mut interned: std::collections::HashMap<Vec<Participant>, u32> = std::collections::HashMap::new();
        let mut over = false;
        let walked = self
            .walk(si, from, to, Expand::default(), MAX_TIMELINE_STEPS, |t, snap, set| {
                if t > from {
                    bounds.push(t);
                }
                let Ok(answer) = self.expanded(|v| self.participants_of(si, t, snap, v)) else {
                    over = true;
                    return;
                };
                if who.last().is_some_and(|&(_, id, _)| answers[id as usize] == answer) {
                    return;
                }
                let id = match interned.get(&answer) {
                    Some(&id) => id,
                    None => {
                        let id = answers.len() as u32;
                        answers.push(answer.clone());
                        interned.insert(answer, id);
                        id
                    }
                };
                who.push((t, id, set.clone()));
            })
            .ok()?;
        if over {
            return None;
        }
        crate::index::Chunk::new(bounds, who, answers, walked.fin.done, walked.segments.done)
    }
}

/// What a timeline period is about: its type, its recipient and, for forwarding, whose shift.
pub(crate) type PeriodKey = (PeriodType, Slot, Option<Slot>);

/// Builds maximal periods per rotation from keys; participants are made only when a period ends.
pub(crate) struct Periods {
    open: Vec<Option<(PeriodKey, Ts)>>,
    pub(crate) done: Vec<Vec<(PeriodKey, Ts, Ts)>>,
}

impl Periods {
    pub(crate) fn new(n: usize) -> Periods {
        Periods { open: vec![None; n], done: vec![Vec::new(); n] }
    }

    /// Closed periods so far.
    fn len(&self) -> usize {
        self.done.iter().map(Vec::len).sum()
    }

    /// From `t` on, rotation `r` has period `key` (or nothing).
    fn put(&mut self, r: usize, t: Ts, key: Option<PeriodKey>) {
        if self.open[r].map(|o| o.0) == key {
            return;
        }
        if let Some((k, start)) = self.open[r].take() {
            self.done[r].push((k, start, t));
        }
        self.open[r] = key.map(|k| (k, t));
    }

    /// Ends every open period at `to`.
    fn close(&mut self, to: Ts) {
        for r in 0..self.open.len() {
            self.put(r, to, None);
        }
    }

    /// Adds a closed period of rotation `r`, merged with the last one when it continues it.
    pub(crate) fn append(&mut self, r: usize, key: PeriodKey, start: Ts, end: Ts) {
        match self.done[r].last_mut() {
            Some(last) if last.0 == key && last.2 == start => last.2 = end,
            _ => self.done[r].push((key, start, end)),
        }
    }

    fn output(self, c: &Config) -> Vec<Vec<Period>> {
        self.done
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .map(|((kind, slot, from), start, end)| Period {
                        start_date: to_utc(start),
                        end_date: to_utc(end),
                        kind,
                        recipient: c.slot_leaf(slot),
                        from_user: from.map(|f| c.slot_leaf(f).name),
                        source: None,
                    })
                    .collect()
            })
            .collect()
    }
}

/// Builds the flat final schedule from per-boundary user sets.
#[derive(Default)]
pub(crate) struct Segments {
    open: Option<(FlatSet, Ts)>,
    pub(crate) done: Vec<(FlatSet, Ts, Ts)>,
}

/// A final on-call set: user indices, sorted (after forwarding, and through teams and
/// escalations when they expand).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum FlatSet {
    Users(Vec<usize>),
}

impl Segments {
    fn put(&mut self, t: Ts, set: FlatSet) {
        if self.open.as_ref().is_some_and(|o| o.0 == set) {
            return;
        }
        if let Some((s, start)) = self.open.take() {
            self.done.push((s, start, t));
        }
        self.open = Some((set, t));
    }

    fn close(&mut self, to: Ts) {
        if let Some((s, start)) = self.open.take() {
            self.done.push((s, start, to));
        }
    }

    /// Adds a closed segment, merged with the last one when it continues it.
    pub(crate) fn append(&mut self, set: &FlatSet, start: Ts, end: Ts) {
        match self.done.last_mut() {
            Some(last) if last.0 == *set && last.2 == start => last.2 = end,
            _ => self.done.push((set.clone(), start, end)),
        }
    }

    fn output(self, c: &Config) -> Vec<Segment> {
        self.done.into_iter().map(|(set, start, end)| c.segment(set, start, end)).collect()
    }
}

/// `v` without repeats, keeping first appearances in order: a scan for a few participants (no
/// allocation on the hot path), a hash set for many (linear, not quadratic).
fn unique(mut v: Vec<Participant>) -> Vec<Participant> {
    if v.len() > 16 {
        return unique_many_cold(v);
    }
    let mut i = 0;
    while i < v.len() {
        if v[..i].contains(&v[i]) {
            v.remove(i);
        } else {
            i += 1;
        }
    }
    v
}

/// [`unique`] of a long list. Out of line: a WebAssembly engine that compiles each function the
/// first time it runs (V8) then compiles the hash set only for an answer that needs it.
#[inline(never)]
fn unique_many_cold(mut v: Vec<Participant>) -> Vec<Participant> {
    let keep: Vec<bool> = {
        let mut seen = std::collections::HashSet::with_capacity(v.len());
        v.iter().map(|p| seen.insert(p)).collect()
    };
    let mut keep = keep.into_iter();
    v.retain(|_| keep.next().unwrap_or(false));
    v
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The hand-offs of a rotation, lazily (see [`Schedule::handoffs`]).
#[derive(Debug, Clone)]
pub struct HandoffIter<'a> {
    schedule: Schedule<'a>,
    rotation: usize,
    k: u64,
    after: Ts,
}

impl Iterator for HandoffIter<'_> {
    type Item = output::Handoff;

    fn next(&mut self) -> Option<output::Handoff> {
        let c = self.schedule.config;
        let rot = &c.schedules[self.schedule.index].rotations[self.rotation];
        let h = &rot.handoffs;
        loop {
            let at = h.handoff(self.k)?;
            if at >= h.end {
                return None;
            }
            // Several hand-offs on one instant: the last one wins.
            let mut k = self.k;
            while h.handoff(k + 1) == Some(at) {
                k += 1;
            }
            self.k = k + 1;
            if at <= self.after {
                continue;
            }
            let slot = rot.slot(k);
            // A hand-off in the hours the restriction excludes: the participant comes on call
            // when the next window of the shift opens, or not at all (the turn is lost).
            // A hand-off on one of the rotation's holidays is the same: it is closed then.
            let (in_excluded_hours, on_call_from) = if rot.restriction.contains(rot.tz, at) && !rot.time_off.closed(at)
            {
                (false, None)
            } else {
                let mut next = k + 1;
                let end = loop {
                    match h.handoff(next) {
                        Some(t) if t == at => next += 1,
                        Some(t) => break t.min(h.end),
                        None => break h.end,
                    }
                };
                let windows = rot.restriction.windows(rot.tz, at, end);
                let opens = rot.time_off.first_open(&windows, at, end);
                (true, opens.map(to_utc))
            };
            return Some(output::Handoff {
                at: to_utc(at),
                participant: c.slot_leaf(slot),
                in_excluded_hours,
                on_call_from,
                change: rot.handoffs.version_of_turn(k).checked_sub(1),
            });
        }
    }
}

/// The flat final schedule, lazily (see [`Schedule::segments`]).
#[derive(Debug, Clone)]
pub struct SegmentIter<'a> {
    schedule: Schedule<'a>,
    to: Ts,
    steps: Steps<'a>,
    /// The segment being built: its set, its sources (when asked for) and start.
    pending: Option<(FlatSet, Option<Vec<crate::provenance::SourceKey>>, Ts)>,
    /// Why the iteration stopped early (a limit), if it did.
    error: Option<Error>,
    /// Whether segments carry their sources.
    sources: bool,
}

impl SegmentIter<'_> {
    /// Why the iteration ended before the end of the range, if it did: an expansion of team or
    /// escalation references that crossed `maxExpansion` ([`Error::LimitExceeded`]). `None`
    /// when the segments covered the whole range.
    ///
    /// ```
    /// # let config = oncall_core::Config::from_json(r#"{"schedules":[{"name":"s"}]}"#)?;
    /// let s = config.schedule("s")?;
    /// let mut segments = s.segments("2026-01-01T00:00:00Z".parse()?, "2026-01-02T00:00:00Z".parse()?)?;
    /// assert_eq!(segments.by_ref().count(), 1);
    /// assert!(segments.error().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
}

impl std::fmt::Debug for Walker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walker").field("sources", &self.sources.len()).finish()
    }
}

impl Iterator for SegmentIter<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        let c = self.schedule.config;
        let si = self.schedule.index;
        let to = self.to;
        if self.error.is_some() {
            return None;
        }
        while let Some((t, snap)) = self.steps.next().filter(|&(t, _)| t < to) {
            let set = match c.flat_users(si, t, snap) {
                Ok(set) => set,
                Err(e) => {
                    self.error = Some(e);
                    self.pending = None;
                    return None;
                }
            };
            let keys = self.sources.then(|| c.source_keys(si, t, snap));
            if self.pending.as_ref().is_some_and(|(p, k, _)| *p == set && *k == keys) {
                continue;
            }
            if let Some((done, keys, start)) = self.pending.replace((set, keys, t)) {
                return Some(c.sourced_segment(si, done, keys, start, t));
            }
        }
        let (set, keys, start) = self.pending.take()?;
        Some(c.sourced_segment(si, set, keys, start, self.to))
    }
}

/// One source of boundaries of a schedule's answers.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// Hand-offs (and the start) of rotation `.1` of schedule `.0`.
    Handoffs(usize, usize),
    /// Restriction window edges of a rotation, while it runs.
    Windows(usize, usize),
    /// The rotation's end.
    End(usize, usize),
    /// Rotation-scoped override edges.
    Overrides(usize, usize),
    /// Edges of the rotation's holidays.
    Closed(usize, usize),
    /// Schedule-wide override edges.
    Wide(usize),
    /// Window edges of routing rule `.1` of team `.0`.
    Routing(usize, usize),
    /// Forwarding rule edges.
    Forwarding,
}

/// Walks the boundaries of a schedule's answers in order, keeping each source's next boundary
/// and recomputing only the sources it passes. Exact: a source's first boundary after an
/// earlier instant that still lies beyond the new instant is also its first boundary after it.
#[derive(Clone)]
pub(crate) struct Walker<'c> {
    c: &'c Config,
    sources: Vec<Source>,
    /// The next boundary of each source that has one, smallest first (a heap: a step costs the
    /// sources it reaches, not all of them).
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(Ts, u32)>>,
    /// The sources whose boundary the last step reached.
    fired: Vec<Source>,
    /// Whether every hand-off is a boundary, also those of rotations that always yield the same
    /// participant ([`Walker::with_turns`]).
    turns: bool,
}

impl<'c> Walker<'c> {
    /// A walker over the boundaries of schedule `si` (and everything it reaches) after `t`.
    pub(crate) fn new(c: &'c Config, si: usize, t: Ts) -> Walker<'c> {
        let s = &c.schedules[si];
        let mut sources = vec![Source::Forwarding];
        for &d in std::iter::once(&si).chain(&s.dep_schedules) {
            sources.push(Source::Wide(d));
            for r in 0..c.schedules[d].rotations.len() {
                sources.extend([
                    Source::Handoffs(d, r),
                    Source::Windows(d, r),
                    Source::End(d, r),
                    Source::Overrides(d, r),
                ]);
                if !c.schedules[d].rotations[r].time_off.is_empty() {
                    sources.push(Source::Closed(d, r));
                }
            }
        }
        for &ti in &s.dep_teams {
            sources.extend((0..c.teams[ti].routing.len()).map(|k| Source::Routing(ti, k)));
        }
        let heap = sources
            .iter()
            .enumerate()
            .filter_map(|(i, &src)| c.source_next(src, t, false).map(|n| std::cmp::Reverse((n, i as u32))))
            .collect();
        Walker { c, sources, heap, fired: Vec::new(), turns: false }
    }

    /// A walker that also stops at the hand-offs of rotations whose participants are all the
    /// same (they change no answer, but they start a new turn: what sources tell).
    pub(crate) fn with_turns(c: &'c Config, si: usize, t: Ts) -> Walker<'c> {
        let mut w = Walker::new(c, si, t);
        w.turns = true;
        w.heap = w
            .sources
            .iter()
            .enumerate()
            .filter_map(|(i, &src)| c.source_next(src, t, true).map(|n| std::cmp::Reverse((n, i as u32))))
            .collect();
        w
    }

    /// The next boundary, advancing past it.
    pub(crate) fn next(&mut self) -> Option<Ts> {
        let std::cmp::Reverse((b, _)) = *self.heap.peek()?;
        self.fired.clear();
        while let Some(&std::cmp::Reverse((n, i))) = self.heap.peek() {
            if n > b {
                break;
            }
            self.heap.pop();
            let src = self.sources[i as usize];
            if let Some(next) = self.c.source_next(src, b, self.turns) {
                self.heap.push(std::cmp::Reverse((next, i)));
            }
            self.fired.push(src);
        }
        (b < MAX_INSTANT).then_some(b)
    }

    /// Whether no source has a boundary left: nothing the walk follows ever changes again.
    pub(crate) fn exhausted(&self) -> bool {
        self.heap.is_empty()
    }
}

impl Walker<'_> {
    /// Marks the rotations of schedule `si` whose state may have changed at the last boundary.
    fn mark(&self, si: usize, dirty: &mut [bool]) {
        for src in &self.fired {
            if let Source::Handoffs(s, r)
            | Source::Windows(s, r)
            | Source::End(s, r)
            | Source::Overrides(s, r)
            | Source::Closed(s, r) = *src
                && s == si
            {
                dirty[r] = true;
            }
        }
    }
}

/// The states of a schedule at the instants a walk evaluates: its start, then every boundary.
/// A rotation's state changes only at its own boundaries, so each step re-evaluates only the
/// rotations whose boundary it reached. Timelines, streamed segments, next-on-call and the
/// answer index all step through schedules with it.
#[derive(Debug, Clone)]
pub(crate) struct Steps<'c> {
    c: &'c Config,
    si: usize,
    walker: Walker<'c>,
    snap: Snap,
    dirty: Vec<bool>,
    next: Option<Ts>,
    started: bool,
}

impl<'c> Steps<'c> {
    pub(crate) fn new(c: &'c Config, si: usize, from: Ts) -> Steps<'c> {
        Self::over(c, si, from, Walker::new(c, si, from))
    }

    /// Steps that also stop at every hand-off (see [`Walker::with_turns`]).
    pub(crate) fn with_turns(c: &'c Config, si: usize, from: Ts) -> Steps<'c> {
        Self::over(c, si, from, Walker::with_turns(c, si, from))
    }

    fn over(c: &'c Config, si: usize, from: Ts, walker: Walker<'c>) -> Steps<'c> {
        let dirty = vec![false; c.schedules[si].rotations.len()];
        Steps { c, si, walker, snap: c.snapshot(si, from), dirty, next: Some(from), started: false }
    }

    /// How many boundary sources the last step reached.
    pub(crate) fn fired(&self) -> usize {
        self.walker.fired.len()
    }

    /// Whether the walk has ended because no source has a boundary left (not at the end of the
    /// engine's range).
    pub(crate) fn exhausted(&self) -> bool {
        self.next.is_none() && self.walker.exhausted()
    }

    /// The next instant (the start, then each boundary) and the schedule's state there.
    pub(crate) fn next(&mut self) -> Option<(Ts, &Snap)> {
        let t = self.next?;
        if std::mem::replace(&mut self.started, true) {
            self.c.refresh(self.si, t, &mut self.snap, &mut self.dirty);
        }
        self.next = self.walker.next();
        self.walker.mark(self.si, &mut self.dirty);
        Some((t, &self.snap))
    }
}

impl Config {
    /// The first boundary of one source strictly after `t`.
    fn source_next(&self, src: Source, t: Ts, turns: bool) -> Option<Ts> {
        // Window edges are looked for a week ahead; every instant of a fixed weekly grid is also
        // a boundary, so the search goes on from there. A fixed grid (not "a week after `t`")
        // keeps the set of boundaries the same wherever a walk starts.
        let windows = |r: &crate::restriction::Restriction, tz: Tz| {
            if *r == crate::restriction::Restriction::Always {
                None
            } else {
                const WEEK: Ts = 7 * 86_400;
                let grid = (t.div_euclid(WEEK) + 1) * WEEK;
                Some(r.next_boundary(tz, t).map_or(grid, |b| b.min(grid)))
            }
        };
        match src {
            Source::Handoffs(si, ri) => {
                let r = &self.schedules[si].rotations[ri];
                let h = &r.handoffs;
                if r.uniform && !turns { (t < h.anchor).then_some(h.anchor) } else { h.next_handoff(t).map(|x| x.1) }
            }
            Source::Windows(si, ri) => {
                let r = &self.schedules[si].rotations[ri];
                let h = &r.handoffs;
                if t >= h.end {
                    None
                } else if t < h.anchor {
                    windows(&r.restriction, r.tz).map(|_| h.anchor)
                } else {
                    windows(&r.restriction, r.tz)
                }
            }
            Source::End(si, ri) => {
                let h = &self.schedules[si].rotations[ri].handoffs;
                (t < h.end && h.end < MAX_INSTANT).then_some(h.end)
            }
            Source::Overrides(si, ri) => self.schedules[si].rotations[ri].overrides.next_boundary(t),
            Source::Closed(si, ri) => self.schedules[si].rotations[ri].time_off.next_closed_edge(t),
            Source::Wide(si) => self.schedules[si].wide.next_boundary(t),
            Source::Routing(ti, k) => {
                let rule = &self.teams[ti].routing[k];
                windows(&rule.restriction, rule.tz)
            }
            Source::Forwarding => {
                let i = self.forward_bounds.partition_point(|&b| b <= t);
                self.forward_bounds.get(i).copied()
            }
        }
    }
}

/// A node being expanded, for cycle detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Visit {
    Schedule(usize),
    Team(usize),
    Escalation(usize),
}

/// The state of one expansion of team, escalation and schedule references: the path being
/// expanded (a node already on it expands to nobody) and what is left of the `maxExpansion`
/// budget. Every participant the expansion creates spends one; once the budget is gone nothing
/// more is expanded and [`Visiting::check`] refuses the answer, so an expansion costs at most
/// the budget times the fan-out of one node, whatever the document's reference graph.
///
/// A schedule shared by many branches of the graph (an escalation rule notifying its `next` or
/// `previous` on-call, reached through several teams) is asked the same question many times in
/// one expansion: the turns of its rotations at an instant are looked up once per expansion
/// and remembered ([`Config::turns`]), so each further visit costs only the participants it
/// adds (what the budget counts), not hand-off arithmetic in the rotations' zones.
///
/// A team or escalation shared by many branches (issue 10's deep shared sub-graphs: two rules
/// naming the same team, level after level) is walked once per expansion, not once per branch:
/// the flat walk ([`Config::flat_users`]) remembers, per team or escalation, instant and
/// whether its users count (see `counted` below), what the walk of it added (its users, sorted
/// and without repeats) and spent, and a further visit adds and spends the same without walking
/// it again, when what is left of the budget covers it (else it walks, and runs out where the
/// plain walk would). The cycle cuts inside a node's walk depend on the path above it only
/// through the nodes of the path in the node's strongly connected component of the reference
/// graph ([`crate::lint::components`]): anything else on the path cannot be reached from the
/// node. Those nodes are part of the key, so a remembered walk is the walk the plain expansion
/// would make there: the same users, the same spending, hence the same answers and the same
/// errors. Walks that ran out of budget or met a refusal (`maxRecurrenceWork`) are not kept.
/// The memo holds at most `maxExpansion` entries, users and key nodes together (counted in
/// [`Memo::size`]); past that, further walks are not kept (answers unchanged, only slower).
#[derive(Debug)]
pub(crate) struct Visiting {
    path: Vec<Visit>,
    /// The walks remembered in this expansion; `None` when the configuration turned it off.
    memo: Option<Memo>,
    left: usize,
    /// Where the budget ran out.
    over: Option<Visit>,
    /// A referenced schedule whose custom rotation would cross `maxRecurrenceWork`.
    refused: Option<Error>,
    /// Per (schedule, turn offset, instant) looked up so far, its range of `turn_list`.
    turns: std::collections::HashMap<(usize, i64, Ts), (usize, usize), TurnKeys>,
    /// (rotation, turn, instant the turn is expanded at), for every range of `turns`.
    turn_list: Vec<(usize, u64, Ts)>,
}

/// The hasher of [`Visiting::turns`]: a multiply and rotate per word instead of SipHash, whose
/// rounds were 9 % of the graph fuzz target's slowest input (perf; a lookup at every visit of a
/// schedule notified as `next` or `previous`). The keys are a schedule index, a turn offset and
/// an instant; one expansion holds at most `maxExpansion` of them (each visit spends one), so
/// even colliding keys cost at most that budget squared within one expansion.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TurnKeys;

impl std::hash::BuildHasher for TurnKeys {
    type Hasher = TurnHasher;
    fn build_hasher(&self) -> TurnHasher {
        TurnHasher(0)
    }
}

/// See [`TurnKeys`].
pub(crate) struct TurnHasher(u64);

impl std::hash::Hasher for TurnHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// What one expansion remembers of the walks of teams and escalations (see [`Visiting`]).
#[derive(Debug, Default)]
pub(crate) struct Memo {
    walks: std::collections::HashMap<MemoKey, Walk, TurnKeys>,
    /// Entries, users and key nodes held, at most `cap`.
    size: usize,
    cap: usize,
}

/// A node, the instant it is expanded at, whether its users count, and the nodes of the path
/// above it in its strongly connected component (sorted, without repeats).
type MemoKey = (Visit, Ts, bool, Vec<Visit>);

/// What the walk of a node added and spent.
#[derive(Debug)]
struct Walk {
    users: Vec<usize>,
    spent: usize,
}

impl Visiting {
    pub(crate) fn new(limits: &crate::Limits) -> Visiting {
        Visiting {
            path: Vec::new(),
            memo: None,
            left: limits.max_expansion,
            over: None,
            refused: None,
            turns: std::collections::HashMap::default(),
            turn_list: Vec::new(),
        }
    }

    fn contains(&self, v: &Visit) -> bool {
        self.path.contains(v)
    }

    fn push(&mut self, v: Visit) {
        self.path.push(v);
    }

    fn pop(&mut self) {
        self.path.pop();
    }

    /// Spends one participant of the budget; false (remembering where) once it is gone.
    fn spend(&mut self) -> bool {
        if self.left == 0 {
            if self.over.is_none() {
                self.over = Some(self.path.last().copied().unwrap_or(Visit::Schedule(usize::MAX)));
            }
            return false;
        }
        self.left -= 1;
        true
    }

    /// The refusal of an expansion that ran out of budget, naming the reference being expanded.
    pub(crate) fn check(&self, c: &Config) -> Result<()> {
        if let Some(e) = &self.refused {
            return Err(e.clone());
        }
        let Some(at) = self.over else { return Ok(()) };
        let path = match at {
            Visit::Schedule(i) if i < c.schedules.len() => format!("schedules[{i}]"),
            Visit::Team(i) => format!("teams[{i}]"),
            Visit::Escalation(i) => format!("escalations[{i}]"),
            Visit::Schedule(_) => String::new(),
        };
        Err(Error::LimitExceeded {
            limit: "maxExpansion",
            path,
            message: format!("expanding this reference reaches more than {} participants", c.limits.max_expansion),
            line: None,
            column: None,
        })
    }
}

impl Config {
    /// Refuses ([`Error::LimitExceeded`], `maxRecurrenceWork`) a question about schedule `si` at
    /// `t` when one of its custom rotations would have to expand more than `maxRecurrenceWork`
    /// occurrences beyond those already cached to cover `t` (see
    /// [`Recurrence::covers_within`](crate::recurrence::Recurrence::covers_within)). Checked at
    /// the instant each question starts from, before it is evaluated, so no answer is computed on
    /// a truncated expansion; what a question walks past that instant is bounded by its own
    /// limits (`nextHorizonDays`, `maxTimelinePeriods`, the hand-off count). No allocation
    /// unless refused: a read lock and a comparison per custom rotation once `t` is cached.
    pub(crate) fn recurrence_work(&self, si: usize, t: Ts) -> Result<()> {
        let budget = self.limits.max_recurrence_work;
        for (ri, r) in self.schedules[si].rotations.iter().enumerate() {
            self.rotation_work(si, ri, r, t, budget)?;
        }
        Ok(())
    }

    /// [`Config::recurrence_work`] for rotation `ri` (`r`) of schedule `si` alone.
    pub(crate) fn rotation_work(
        &self,
        si: usize,
        ri: usize,
        r: &crate::compile::CRotation,
        t: Ts,
        budget: usize,
    ) -> Result<()> {
        let h = r.handoffs.base();
        let crate::rotation::Grid::Custom(rec) = &h.grid else { return Ok(()) };
        // Past endDate the rotation is not asked about; its last shift needs the cache to endDate.
        let t = t.min(h.end.saturating_sub(1));
        if t < h.anchor || rec.covers_within(t, budget) {
            return Ok(());
        }
        Err(Error::LimitExceeded {
            limit: "maxRecurrenceWork",
            path: format!("schedules[{si}].rotations[{ri}]"),
            message: format!(
                "answering at {} needs more than {budget} occurrences of this rule from its startDate",
                crate::time::format_ts(t)
            ),
            line: None,
            column: None,
        })
    }

    /// Runs one expansion with a fresh budget, refusing it when the budget ran out.
    pub(crate) fn expanded<T>(&self, f: impl FnOnce(&mut Visiting) -> T) -> Result<T> {
        let mut v = Visiting::new(&self.limits);
        let out = f(&mut v);
        v.check(self).map(|()| out)
    }

    /// Runs one flat expansion with a fresh budget and, unless turned off, a memo of the walks
    /// of shared teams and escalations (see [`Visiting`]).
    fn expanded_flat<T>(&self, f: impl FnOnce(&mut Visiting) -> T) -> Result<T> {
        let mut v = Visiting::new(&self.limits);
        if self.expansion_memo {
            v.memo = Some(Memo { cap: self.limits.max_expansion, ..Memo::default() });
        }
        let out = f(&mut v);
        v.check(self).map(|()| out)
    }

    /// The component of `node` in the reference graph (see [`crate::lint::components`]).
    fn component(&self, node: Visit) -> u32 {
        let (ns, nt) = (self.schedules.len(), self.teams.len());
        self.components[match node {
            Visit::Schedule(i) => i,
            Visit::Team(i) => ns + i,
            Visit::Escalation(i) => ns + nt + i,
        }]
    }

    /// The flat walk of `node` at `t` by `walk` (which adds its users to `out`), or what the
    /// expansion remembers of it (see [`Visiting`]). Called once `node` is known not to be on
    /// the path.
    fn memo_walk(
        &self,
        node: Visit,
        t: Ts,
        counted: bool,
        v: &mut Visiting,
        out: &mut Vec<usize>,
        walk: impl FnOnce(&mut Visiting, &mut Vec<usize>),
    ) {
        if v.memo.is_none() || v.over.is_some() {
            return walk(v, out);
        }
        let comp = self.component(node);
        let mut above: Vec<Visit> = v.path.iter().copied().filter(|&p| self.component(p) == comp).collect();
        above.sort_unstable();
        above.dedup();
        let key = (node, t, counted, above);
        if let Some(memo) = &v.memo
            && let Some(w) = memo.walks.get(&key)
            && w.spent <= v.left
        {
            v.left -= w.spent;
            out.extend_from_slice(&w.users);
            return;
        }
        let (left, start) = (v.left, out.len());
        let refused = v.refused.take();
        walk(v, out);
        let clean = v.refused.is_none() && v.over.is_none();
        if refused.is_some() {
            v.refused = refused;
        }
        if !clean {
            return;
        }
        let spent = left - v.left;
        let mut users = out[start..].to_vec();
        users.sort_unstable();
        users.dedup();
        let Some(memo) = &mut v.memo else { return };
        let size = 1 + users.len() + key.3.len();
        if memo.size + size <= memo.cap {
            memo.size += size;
            memo.walks.insert(key, Walk { users, spent });
        }
    }
}

impl Config {
    /// The state of rotation `r` of schedule `s` at `t`.
    #[inline]
    fn rotation_state(s: &CSchedule, r: &crate::compile::CRotation, t: Ts) -> RotState {
        let h = &r.handoffs;
        if t >= h.end || t < h.anchor {
            return RotState { k: None, ov: None, effective: None };
        }
        // One offset lookup serves the restriction and the turn; the restriction goes first
        // because it is cheaper and often rules the rotation out.
        let span = crate::zone::Table::of(r.tz).offset_span(t);
        let open = r.restriction.contains_in(r.tz, t, span) && !r.time_off.closed(t);
        let k = if open { h.index_in(t, span) } else { None };
        let ov = k.and(r.overrides.at(t));
        let effective = k.map(|k| match ov {
            Some(o) => s.overrides[o as usize].user().map_or(Slot::Nobody, Slot::User),
            None => r.slot(k),
        });
        RotState { k, ov, effective }
    }

    /// The state of schedule `si` at `t`.
    fn snapshot(&self, si: usize, t: Ts) -> Snap {
        let s = &self.schedules[si];
        let rots: Vec<RotState> = s.rotations.iter().map(|r| Self::rotation_state(s, r, t)).collect();
        let best = rots.iter().zip(&s.rotations).filter(|(st, _)| yields(st.effective)).map(|(_, r)| r.priority).max();
        let shown =
            rots.iter().zip(&s.rotations).map(|(st, r)| yields(st.effective) && Some(r.priority) == best).collect();
        Snap { rots, shown, wide: s.wide.at(t) }
    }

    /// Brings `snap` to instant `t`, re-evaluating only the rotations marked dirty.
    fn refresh(&self, si: usize, t: Ts, snap: &mut Snap, dirty: &mut [bool]) {
        let s = &self.schedules[si];
        for (r, d) in dirty.iter_mut().enumerate() {
            if std::mem::take(d) {
                snap.rots[r] = Self::rotation_state(s, &s.rotations[r], t);
            }
        }
        let best =
            snap.rots.iter().zip(&s.rotations).filter(|(st, _)| yields(st.effective)).map(|(_, r)| r.priority).max();
        for ((shown, st), r) in snap.shown.iter_mut().zip(&snap.rots).zip(&s.rotations) {
            *shown = yields(st.effective) && Some(r.priority) == best;
        }
        snap.wide = s.wide.at(t);
    }

    /// The final on-call participants of schedule `si` at `t`, expanded. The hot path of
    /// who-is-on-call: no allocation but the answer's own.
    pub(crate) fn final_participants(&self, si: usize, t: Ts, visiting: &mut Visiting) -> Vec<Participant> {
        let s = &self.schedules[si];
        if visiting.contains(&Visit::Schedule(si)) {
            return Vec::new();
        }
        if let Err(e) = self.recurrence_work(si, t) {
            visiting.refused.get_or_insert(e);
            return Vec::new();
        }
        if let Some(o) = s.wide.at(t) {
            return s.overrides[o as usize].user().map(|u| self.user_at(u, t)).into_iter().collect();
        }
        const INLINE: usize = 16;
        let mut inline = [None::<Slot>; INLINE];
        let mut heap = Vec::new();
        let slots: &mut [Option<Slot>] = if s.rotations.len() <= INLINE {
            &mut inline[..s.rotations.len()]
        } else {
            heap.resize(s.rotations.len(), None);
            &mut heap
        };
        let mut best = None;
        for (slot, r) in slots.iter_mut().zip(&s.rotations) {
            *slot = Self::rotation_state(s, r, t).effective;
            if yields(*slot) {
                best = Some(best.map_or(r.priority, |b: i64| b.max(r.priority)));
            }
        }
        // Only schedules that reach teams or other schedules can come back to themselves.
        let nested = !s.dep_teams.is_empty() || !s.dep_schedules.is_empty();
        if nested {
            visiting.push(Visit::Schedule(si));
        }
        let mut out: Vec<Participant> = Vec::new();
        for (slot, r) in slots.iter().zip(&s.rotations) {
            if let (Some(slot), true) = (*slot, Some(r.priority) == best && yields(*slot))
                && let Some(p) = self.expand(slot, t, visiting)
            {
                out.push(p);
            }
        }
        if nested {
            visiting.pop();
        }
        unique(out)
    }

    /// See [`Schedule::on_call_sources`].
    pub(crate) fn sources(&self, si: usize, t: Ts) -> Vec<output::Source> {
        let s = &self.schedules[si];
        let mut visiting = Visiting::new(&self.limits);
        let override_name = |o: &crate::compile::COverride, i: u32| o.name(i);
        if let Some(i) = s.wide.at(t) {
            let o = &s.overrides[i as usize];
            return o
                .user()
                .map(|u| output::Source {
                    rotation: None,
                    turn: None,
                    via_override: Some(override_name(o, i)),
                    participant: self.user_at(u, t),
                    change: None,
                    reassigned: None,
                })
                .into_iter()
                .collect();
        }
        let states: Vec<RotState> = s.rotations.iter().map(|r| Self::rotation_state(s, r, t)).collect();
        let best =
            states.iter().zip(&s.rotations).filter(|(st, _)| yields(st.effective)).map(|(_, r)| r.priority).max();
        let mut out = Vec::new();
        for (st, r) in states.iter().zip(&s.rotations) {
            if let (Some(slot), true) = (st.effective, Some(r.priority) == best && yields(st.effective))
                && let Some(participant) = self.expand(slot, t, &mut visiting)
            {
                let via_override = st.ov.map(|i| override_name(&s.overrides[i as usize], i));
                let by_turn = st.k.filter(|_| st.ov.is_none());
                let change = by_turn.and_then(|k| r.handoffs.version_of_turn(k).checked_sub(1));
                let reassigned = by_turn.and_then(|k| r.reassigned(k, &self.users));
                out.push(output::Source {
                    rotation: Some(r.name.clone()),
                    turn: st.k,
                    via_override,
                    participant,
                    change,
                    reassigned,
                });
            }
        }
        out
    }

    fn participants_of(&self, si: usize, t: Ts, snap: &Snap, visiting: &mut Visiting) -> Vec<Participant> {
        let s = &self.schedules[si];
        if visiting.contains(&Visit::Schedule(si)) {
            return Vec::new();
        }
        visiting.push(Visit::Schedule(si));
        let mut out: Vec<Participant> = Vec::new();
        match snap.wide {
            Some(o) => out.extend(s.overrides[o as usize].user().map(|u| self.user_at(u, t))),
            None => {
                for (st, shown) in snap.rots.iter().zip(&snap.shown) {
                    if let (true, Some(slot)) = (*shown, st.effective)
                        && let Some(p) = self.expand(slot, t, visiting)
                    {
                        out.push(p);
                    }
                }
            }
        }
        visiting.pop();
        unique(out)
    }

    /// Per rotation of schedule `si`, the participant `offset` turns from the one at `t`
    /// (1 = next, -1 = previous), expanded; rotations that are not running then give nothing.
    pub(crate) fn turn_participants(&self, si: usize, t: Ts, offset: i64, visiting: &mut Visiting) -> Vec<Participant> {
        let s = &self.schedules[si];
        if let Err(e) = self.recurrence_work(si, t) {
            visiting.refused.get_or_insert(e);
            return Vec::new();
        }
        let mut out = Vec::new();
        let (from, to) = self.turns(si, t, offset, visiting);
        for i in from..to {
            let (ri, k, at) = visiting.turn_list[i];
            if let Some(p) = self.expand(s.rotations[ri].slot(k), at, visiting) {
                out.push(p);
            }
        }
        unique(out)
    }

    /// Per rotation of schedule `si` running at `t`, the turn `offset` turns from the one at `t`
    /// and the instant it is on call from (`t`, or for the next turn its hand-off), as a range
    /// of `visiting.turn_list`: looked up once per expansion (see [`Visiting`]).
    fn turns(&self, si: usize, t: Ts, offset: i64, visiting: &mut Visiting) -> (usize, usize) {
        if let Some(&range) = visiting.turns.get(&(si, offset, t)) {
            return range;
        }
        let from = visiting.turn_list.len();
        for (ri, r) in self.schedules[si].rotations.iter().enumerate() {
            let h = &r.handoffs;
            // The current turn only for an offset from it: the next one is found from `t`.
            let (k, at) = if offset == 1 {
                match h.next_handoff(t) {
                    // Hand-offs sharing the instant (a DST gap): the last turn is the one on call.
                    Some((mut k, at)) => {
                        while h.handoff(k + 1) == Some(at) {
                            k += 1;
                        }
                        (k, at)
                    }
                    None => continue,
                }
            } else {
                match h.index_at(t).filter(|_| t < h.end).and_then(|k| k.checked_add_signed(offset)) {
                    Some(k) => (k, t),
                    None => continue,
                }
            };
            visiting.turn_list.push((ri, k, at));
        }
        let range = (from, visiting.turn_list.len());
        visiting.turns.insert((si, offset, t), range);
        range
    }

    /// Where notifications for user `u` go at `t`, following forwarding chains; a cycle stops
    /// at the last user before the repeat.
    pub(crate) fn forward(&self, u: usize, t: Ts) -> usize {
        let next =
            |cur: usize| self.forward_index.get(cur).and_then(|idx| idx.at(t)).map(|f| self.forwards[f as usize].to);
        let Some(mut to) = next(u) else { return u };
        // Chains are short: remember them on the stack.
        let mut chain = [u; 16];
        let mut len = 1;
        let mut cur = u;
        loop {
            if chain[..len].contains(&to) || len == chain.len() {
                return cur;
            }
            chain[len] = to;
            len += 1;
            cur = to;
            match next(cur) {
                Some(n) => to = n,
                None => return cur,
            }
        }
    }

    fn user_leaf(&self, u: usize) -> Participant {
        let info = &self.users[u];
        Participant::leaf(Kind::User, &info.username, info.id.as_ref())
    }

    /// User `u` at `t`, forwarded.
    fn user_at(&self, u: usize, t: Ts) -> Participant {
        let to = self.forward(u, t);
        let mut p = self.user_leaf(to);
        if to != u {
            p.forwarded_from = Some(Box::new(self.user_leaf(u)));
        }
        p
    }

    /// The name and id of a participant as [`Config::slot_leaf`] shows it, without copying.
    pub(crate) fn slot_leaf_ref(&self, slot: Slot) -> (&str, Option<&str>) {
        match slot {
            Slot::User(u) => (&self.users[u].username, self.users[u].id.as_deref()),
            Slot::Team(i) => (&self.teams[i].name, self.teams[i].id.as_deref()),
            Slot::Escalation(i) => (&self.escalations[i].name, self.escalations[i].id.as_deref()),
            Slot::Nobody => ("", None),
        }
    }

    /// A participant as it appears in timeline periods and hand-offs (not expanded).
    pub(crate) fn slot_leaf(&self, slot: Slot) -> Participant {
        match slot {
            Slot::User(u) => self.user_leaf(u),
            Slot::Team(i) => Participant::leaf(Kind::Team, &self.teams[i].name, self.teams[i].id.as_ref()),
            Slot::Escalation(i) => {
                Participant::leaf(Kind::Escalation, &self.escalations[i].name, self.escalations[i].id.as_ref())
            }
            Slot::Nobody => Participant::leaf(Kind::None, "", None),
        }
    }

    fn expand(&self, slot: Slot, t: Ts, visiting: &mut Visiting) -> Option<Participant> {
        if slot != Slot::Nobody && !visiting.spend() {
            return None;
        }
        match slot {
            Slot::User(u) => Some(self.user_at(u, t)),
            Slot::Team(i) => Some(self.team_at(i, t, visiting)),
            Slot::Escalation(i) => Some(self.escalation_at(i, t, visiting)),
            Slot::Nobody => None,
        }
    }

    fn with_children(&self, slot: Slot, children: Vec<Participant>) -> Participant {
        let mut p = self.slot_leaf(slot);
        p.on_call_participants = Some(children);
        p
    }

    fn schedule_at(
        &self,
        si: usize,
        t: Ts,
        children: impl FnOnce(&mut Visiting) -> Vec<Participant>,
        visiting: &mut Visiting,
    ) -> Participant {
        let s = &self.schedules[si];
        let mut p = Participant::leaf(Kind::Schedule, &s.name, s.id.as_ref());
        // A disabled schedule notifies nobody.
        let _ = t;
        p.on_call_participants = Some(if s.enabled { children(visiting) } else { Vec::new() });
        p
    }

    fn team_at(&self, ti: usize, t: Ts, visiting: &mut Visiting) -> Participant {
        let team = &self.teams[ti];
        if visiting.contains(&Visit::Team(ti)) {
            return self.with_children(Slot::Team(ti), Vec::new());
        }
        visiting.push(Visit::Team(ti));
        let empty = &crate::criteria::EMPTY_ALERT;
        let target = team
            .routing
            .iter()
            .find(|r| r.criteria.matches(empty) && r.restriction.contains(r.tz, t))
            .map(|r| r.notify)
            .or(team.default_target);
        let children = match target {
            Some(Target::Escalation(e)) => vec![self.escalation_at(e, t, visiting)],
            Some(Target::Schedule(s)) => vec![self.schedule_at(s, t, |v| self.final_participants(s, t, v), visiting)],
            Some(Target::Nobody) => Vec::new(),
            None => team.members.iter().take_while(|_| visiting.spend()).map(|&(u, _)| self.user_at(u, t)).collect(),
        };
        visiting.pop();
        self.with_children(Slot::Team(ti), children)
    }

    fn escalation_at(&self, ei: usize, t: Ts, visiting: &mut Visiting) -> Participant {
        if visiting.contains(&Visit::Escalation(ei)) {
            return self.with_children(Slot::Escalation(ei), Vec::new());
        }
        visiting.push(Visit::Escalation(ei));
        let mut children = Vec::new();
        for rule in &self.escalations[ei].rules {
            if !visiting.spend() {
                break;
            }
            let mut p = match (rule.recipient, rule.notify) {
                (Recipient::User(u), _) => self.user_at(u, t),
                (Recipient::Schedule(s), NotifyType::Next) => {
                    self.schedule_at(s, t, |v| self.turn_participants(s, t, 1, v), visiting)
                }
                (Recipient::Schedule(s), NotifyType::Previous) => {
                    self.schedule_at(s, t, |v| self.turn_participants(s, t, -1, v), visiting)
                }
                (Recipient::Schedule(s), _) => self.schedule_at(s, t, |v| self.final_participants(s, t, v), visiting),
                (Recipient::Team(i), NotifyType::Default) => self.team_at(i, t, visiting),
                (Recipient::Team(i), notify) => {
                    let members = self.teams[i]
                        .members_for(notify)
                        .take_while(|_| visiting.spend())
                        .map(|u| self.user_at(u, t))
                        .collect();
                    self.with_children(Slot::Team(i), members)
                }
            };
            p.escalation_time = Some(rule.delay_secs / 60);
            p.notify_type = Some(rule.notify.as_str().to_string());
            children.push(p);
        }
        visiting.pop();
        self.with_children(Slot::Escalation(ei), children)
    }

    /// The final-timeline key of a rotation's contribution: forwarded users become
    /// `forwarding` periods of the target with the original as `fromUser`.
    fn final_key(&self, kind: PeriodType, slot: Slot, t: Ts) -> PeriodKey {
        match slot {
            Slot::User(u) => match self.forward(u, t) {
                to if to != u => (PeriodType::Forwarding, Slot::User(to), Some(Slot::User(u))),
                _ => (kind, slot, None),
            },
            _ => (kind, slot, None),
        }
    }

    /// A flat final segment of schedule `si` with its sources, when they were asked for.
    fn sourced_segment(
        &self,
        si: usize,
        set: FlatSet,
        keys: Option<Vec<crate::provenance::SourceKey>>,
        start: Ts,
        end: Ts,
    ) -> Segment {
        let mut seg = self.segment(set, start, end);
        seg.sources = keys.map(|k| self.shift_sources(si, &k));
        seg
    }

    /// A flat final segment: its set, named and sorted.
    fn segment(&self, set: FlatSet, start: Ts, end: Ts) -> Segment {
        Segment {
            sources: None,
            start_date: to_utc(start),
            end_date: to_utc(end),
            recipients: match set {
                FlatSet::Users(users) => sorted(users.into_iter().map(|u| self.users[u].username.clone()).collect()),
            },
        }
    }

    /// The flat final set of schedule `si` at `t`: user indices when only users can be on call,
    /// else the usernames of the full expansion.
    fn flat_users(&self, si: usize, t: Ts, snap: &Snap) -> Result<FlatSet> {
        let s = &self.schedules[si];
        if !s.dep_teams.is_empty()
            || !s.dep_schedules.is_empty()
            || s.rotations.iter().any(|r| r.participants.iter().any(|p| matches!(p, Slot::Escalation(_))))
        {
            let mut users = Vec::new();
            self.expanded_flat(|v| self.flat_participants_of(si, t, snap, v, &mut users))?;
            users.sort_unstable();
            users.dedup();
            return Ok(FlatSet::Users(users));
        }
        let mut users: Vec<usize> = match snap.wide {
            Some(o) => s.overrides[o as usize].user().map(|u| self.forward(u, t)).into_iter().collect(),
            None => snap
                .rots
                .iter()
                .zip(&snap.shown)
                .filter_map(|(st, shown)| match (shown, st.effective) {
                    (true, Some(Slot::User(u))) => Some(self.forward(u, t)),
                    _ => None,
                })
                .collect(),
        };
        // Index order is enough to compare sets; names are sorted when a segment is written.
        users.sort_unstable();
        users.dedup();
        Ok(FlatSet::Users(users))
    }
}

// The flat on-call set of an expansion: the users whose names `output::flatten` collects from
// the participants [`Config::participants_of`] builds, found by the same walk (the same order,
// the same `maxExpansion` spending, the same cycle cuts and refusals, hence the same errors)
// without building the participants: no names copied, no trees compared by `unique`. Timelines,
// segments, reports and next-on-call compare these sets at every boundary of a schedule that
// reaches teams or escalations, so this walk is their cost per boundary. Each function mirrors
// the one it is named after; `counted` is false below an escalation rule with a delay of a
// minute or more, whose users `flatten` leaves out (they are spent, not collected).
impl Config {
    fn flat_participants_of(&self, si: usize, t: Ts, snap: &Snap, v: &mut Visiting, out: &mut Vec<usize>) {
        let s = &self.schedules[si];
        if v.contains(&Visit::Schedule(si)) {
            return;
        }
        v.push(Visit::Schedule(si));
        match snap.wide {
            Some(o) => out.extend(s.overrides[o as usize].user().map(|u| self.forward(u, t))),
            None => {
                for (st, shown) in snap.rots.iter().zip(&snap.shown) {
                    if let (true, Some(slot)) = (*shown, st.effective) {
                        self.flat_expand(slot, t, v, true, out);
                    }
                }
            }
        }
        v.pop();
    }

    fn flat_expand(&self, slot: Slot, t: Ts, v: &mut Visiting, counted: bool, out: &mut Vec<usize>) {
        if slot != Slot::Nobody && !v.spend() {
            return;
        }
        match slot {
            Slot::User(u) => {
                if counted {
                    out.push(self.forward(u, t));
                }
            }
            Slot::Team(i) => self.flat_team(i, t, v, counted, out),
            Slot::Escalation(i) => self.flat_escalation(i, t, v, counted, out),
            Slot::Nobody => {}
        }
    }

    fn flat_final(&self, si: usize, t: Ts, v: &mut Visiting, counted: bool, out: &mut Vec<usize>) {
        let s = &self.schedules[si];
        if !s.enabled || v.contains(&Visit::Schedule(si)) {
            return;
        }
        if let Err(e) = self.recurrence_work(si, t) {
            v.refused.get_or_insert(e);
            return;
        }
        if let Some(o) = s.wide.at(t) {
            if counted {
                out.extend(s.overrides[o as usize].user().map(|u| self.forward(u, t)));
            }
            return;
        }
        const INLINE: usize = 16;
        let mut inline = [None::<Slot>; INLINE];
        let mut heap = Vec::new();
        let slots: &mut [Option<Slot>] = if s.rotations.len() <= INLINE {
            &mut inline[..s.rotations.len()]
        } else {
            heap.resize(s.rotations.len(), None);
            &mut heap
        };
        let mut best = None;
        for (slot, r) in slots.iter_mut().zip(&s.rotations) {
            *slot = Self::rotation_state(s, r, t).effective;
            if yields(*slot) {
                best = Some(best.map_or(r.priority, |b: i64| b.max(r.priority)));
            }
        }
        let nested = !s.dep_teams.is_empty() || !s.dep_schedules.is_empty();
        if nested {
            v.push(Visit::Schedule(si));
        }
        for (slot, r) in slots.iter().zip(&s.rotations) {
            if let (Some(slot), true) = (*slot, Some(r.priority) == best && yields(*slot)) {
                self.flat_expand(slot, t, v, counted, out);
            }
        }
        if nested {
            v.pop();
        }
    }

    fn flat_turn(&self, si: usize, t: Ts, offset: i64, v: &mut Visiting, counted: bool, out: &mut Vec<usize>) {
        let s = &self.schedules[si];
        if !s.enabled {
            return;
        }
        if let Err(e) = self.recurrence_work(si, t) {
            v.refused.get_or_insert(e);
            return;
        }
        let (from, to) = self.turns(si, t, offset, v);
        for i in from..to {
            let (ri, k, at) = v.turn_list[i];
            self.flat_expand(s.rotations[ri].slot(k), at, v, counted, out);
        }
    }

    fn flat_team(&self, ti: usize, t: Ts, v: &mut Visiting, counted: bool, out: &mut Vec<usize>) {
        if v.contains(&Visit::Team(ti)) {
            return;
        }
        self.memo_walk(Visit::Team(ti), t, counted, v, out, |v, out| self.flat_team_walk(ti, t, v, counted, out));
    }

    fn flat_team_walk(&self, ti: usize, t: Ts, v: &mut Visiting, counted: bool, out: &mut Vec<usize>) {
        let team = &self.teams[ti];
        v.push(Visit::Team(ti));
        let empty = &crate::criteria::EMPTY_ALERT;
        let target = team
            .routing
            .iter()
            .find(|r| r.criteria.matches(empty) && r.restriction.contains(r.tz, t))
            .map(|r| r.notify)
            .or(team.default_target);
        match target {
            Some(Target::Escalation(e)) => self.flat_escalation(e, t, v, counted, out),
            Some(Target::Schedule(s)) => self.flat_final(s, t, v, counted, out),
            Some(Target::Nobody) => {}
            None => {
                for &(u, _) in &team.members {
                    if !v.spend() {
                        break;
                    }
                    if counted {
                        out.push(self.forward(u, t));
                    }
                }
            }
        }
        v.pop();
    }

    fn flat_escalation(&self, ei: usize, t: Ts, v: &mut Visiting, counted: bool, out: &mut Vec<usize>) {
        if v.contains(&Visit::Escalation(ei)) {
            return;
        }
        self.memo_walk(Visit::Escalation(ei), t, counted, v, out, |v, out| {
            self.flat_escalation_walk(ei, t, v, counted, out)
        });
    }

    fn flat_escalation_walk(&self, ei: usize, t: Ts, v: &mut Visiting, counted: bool, out: &mut Vec<usize>) {
        v.push(Visit::Escalation(ei));
        for rule in &self.escalations[ei].rules {
            if !v.spend() {
                break;
            }
            // `escalation_time` in minutes: a rule firing later is not on call now.
            let counted = counted && rule.delay_secs / 60 == 0;
            match (rule.recipient, rule.notify) {
                (Recipient::User(u), _) => {
                    if counted {
                        out.push(self.forward(u, t));
                    }
                }
                (Recipient::Schedule(s), NotifyType::Next) => self.flat_turn(s, t, 1, v, counted, out),
                (Recipient::Schedule(s), NotifyType::Previous) => self.flat_turn(s, t, -1, v, counted, out),
                (Recipient::Schedule(s), _) => self.flat_final(s, t, v, counted, out),
                (Recipient::Team(i), NotifyType::Default) => self.flat_team(i, t, v, counted, out),
                (Recipient::Team(i), notify) => {
                    for u in self.teams[i].members_for(notify) {
                        if !v.spend() {
                            break;
                        }
                        if counted {
                            out.push(self.forward(u, t));
                        }
                    }
                }
            }
        }
        v.pop();
    }
}
