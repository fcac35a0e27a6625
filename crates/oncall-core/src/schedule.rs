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
//! who-is-on-call evaluates a single instant.

use crate::compile::{CSchedule, Config, NotifyType, Recipient, Slot, Target};
use crate::criteria::AlertFields;
use crate::error::{Error, Result};
use crate::output::{
    self, Kind, Layer, NextOnCall, OnCall, Parent, Participant, Period, PeriodType, Segment, Timeline, TimelineRotation,
};
use crate::time::{Edge, MAX_INSTANT, Ts, check_range, parse_ts, to_utc};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The most boundaries [`Schedule::timeline`] walks before refusing with [`Error::TooLarge`]
/// (about 100 000 periods). [`Schedule::segments`] streams any range without this limit.
pub const MAX_TIMELINE_STEPS: usize = 100_000;

/// The most boundaries [`Schedule::next_on_call`] examines looking for a change. Hand-offs
/// that cannot change anything (a rotation whose participants are all the same) are not
/// boundaries, so this only limits pathological schedules whose hand-offs keep producing the same
/// answer (a rotation hidden for ever under a higher layer): even with hourly hand-offs it covers
/// more than 11 years.
pub const MAX_NEXT_STEPS: usize = 100_000;

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
}

impl Expand {
    /// Reads a comma-separated list of `base`, `override`, `forwarding`.
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
                other => {
                    return Err(Error::InvalidArgument {
                        what: "expand".into(),
                        message: format!("unknown layer {other:?} (expected base, override or forwarding)"),
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

/// The state of one rotation at an instant.
#[derive(Debug, Clone, Copy)]
struct RotState {
    /// Turn number, when the rotation is active (running and inside its windows).
    k: Option<u64>,
    /// The rotation-scoped override in force, if active.
    ov: Option<u32>,
    /// Who the rotation yields after its override (Nobody when active but empty).
    effective: Option<Slot>,
}

/// The state of a schedule at an instant.
#[derive(Debug, Clone)]
struct Snap {
    rots: Vec<RotState>,
    /// Rotations that reach the final answer (highest priority among those yielding someone).
    shown: Vec<bool>,
    wide: Option<u32>,
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
        let t = ts_of("at", at)?;
        Ok(OnCall {
            parent: self.parent(),
            on_call_participants: self.config.final_participants(self.index, t, &mut Vec::new()),
        })
    }

    /// Who is next: per rotation the participant of its next shift, and the instant the final
    /// on-call set next changes (strictly after `at`) with the set from then on. No next when
    /// nothing ever changes again, or within [`MAX_NEXT_STEPS`] boundaries.
    pub fn next_on_call(&self, at: DateTime<Utc>) -> Result<NextOnCall> {
        let t = ts_of("at", at)?;
        let c = self.config;
        let now = c.final_participants(self.index, t, &mut Vec::new());
        let mut cur = t;
        let mut exact = None;
        for _ in 0..MAX_NEXT_STEPS {
            let Some(b) = c.next_boundary(self.index, cur) else { break };
            let set = c.final_participants(self.index, b, &mut Vec::new());
            if set != now {
                exact = Some((b, set));
                break;
            }
            cur = b;
        }
        let next = c.turn_participants(self.index, t, 1, &mut Vec::new());
        let (at, exact) = match exact {
            Some((b, set)) => (Some(to_utc(b)), set),
            None => (None, Vec::new()),
        };
        Ok(NextOnCall {
            parent: self.parent(),
            next_on_call_recipients: next,
            exact_next_on_call_recipients: exact,
            exact_next_on_call_at: at,
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
        let h = &self.s().rotations[r].handoffs;
        let k = h.index_at(t).map_or(0, |k| k + 1);
        Ok(HandoffIter { schedule: *self, rotation: r, k, after: t })
    }

    /// The `oncall handoffs` answer: the first `count` hand-offs after `from`.
    pub fn handoff_list(&self, rotation: &str, from: DateTime<Utc>, count: usize) -> Result<output::Handoffs> {
        let list = self.handoffs(rotation, from)?.take(count).collect();
        let r = self.rotation_index(rotation)?;
        Ok(output::Handoffs { parent: self.parent(), rotation: self.s().rotations[r].name.clone(), handoffs: list })
    }

    /// The flat final schedule over `[from, to)`, streamed lazily: consecutive segments of
    /// constant on-call set, gaps included. Any range of the engine is allowed.
    pub fn segments(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<SegmentIter<'a>> {
        let (from, to) = self.window(from, to)?;
        Ok(SegmentIter { schedule: *self, t: from, to, pending: None })
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
    /// Refused with [`Error::TooLarge`] past [`MAX_TIMELINE_STEPS`] boundaries; use
    /// [`Schedule::segments`] to stream longer ranges.
    pub fn timeline(&self, from: DateTime<Utc>, to: DateTime<Utc>, expand: Expand) -> Result<Timeline> {
        let (from, to) = self.window(from, to)?;
        let c = self.config;
        let s = self.s();
        let n = s.rotations.len();
        let new_layer = || vec![Vec::<Period>::new(); n + 1];
        let (mut fin, mut base, mut over, mut fwd) = (new_layer(), new_layer(), new_layer(), new_layer());
        let mut segments: Vec<Segment> = Vec::new();
        let mut t = from;
        let mut steps = 0;
        while t < to {
            steps += 1;
            if steps > MAX_TIMELINE_STEPS {
                return Err(Error::TooLarge {
                    what: "this timeline".into(),
                    limit: MAX_TIMELINE_STEPS,
                    unit: "periods",
                });
            }
            let end = c.next_boundary(self.index, t).map_or(to, |b| b.min(to));
            let snap = c.snapshot(self.index, t);
            for (r, st) in snap.rots.iter().enumerate() {
                let rot = &s.rotations[r];
                if let Some(k) = st.k {
                    let slot = rot.participants[(k % rot.participants.len() as u64) as usize];
                    if expand.base && slot != Slot::Nobody {
                        push(&mut base[r], t, end, PeriodType::Default, c.slot_leaf(slot), None);
                    }
                }
                if let (Some(o), true) = (st.ov, expand.overrides) {
                    push(&mut over[r], t, end, PeriodType::Override, c.override_leaf(self.index, o), None);
                }
                if snap.wide.is_none() && snap.shown[r] {
                    let kind = if st.ov.is_some() { PeriodType::Override } else { PeriodType::Default };
                    let slot = st.effective.unwrap_or(Slot::Nobody);
                    self.push_final(&mut fin[r], &mut fwd[r], t, end, kind, slot, expand.forwarding);
                }
            }
            if let Some(o) = snap.wide {
                if expand.overrides {
                    push(&mut over[n], t, end, PeriodType::Override, c.override_leaf(self.index, o), None);
                }
                if let Some(u) = s.overrides[o as usize].user {
                    self.push_final(
                        &mut fin[n],
                        &mut fwd[n],
                        t,
                        end,
                        PeriodType::Override,
                        Slot::User(u),
                        expand.forwarding,
                    );
                }
            }
            let recipients = sorted(output::flatten(&c.participants_of(self.index, t, &snap, &mut Vec::new())));
            match segments.last_mut() {
                Some(last) if last.recipients == recipients => last.end_date = to_utc(end),
                _ => segments.push(Segment { start_date: to_utc(t), end_date: to_utc(end), recipients }),
            }
            t = end;
        }
        let layer = |periods: Vec<Vec<Period>>| Layer {
            rotations: periods
                .into_iter()
                .enumerate()
                .filter(|(i, p)| *i < n || !p.is_empty())
                .map(|(i, periods)| TimelineRotation {
                    id: s.rotations.get(i).and_then(|r| r.id.clone()),
                    name: s.rotations.get(i).map_or(output::SCHEDULE_WIDE.to_string(), |r| r.name.clone()),
                    order: i,
                    periods,
                })
                .collect(),
        };
        Ok(Timeline {
            parent: self.parent(),
            start_date: to_utc(from),
            end_date: to_utc(to),
            final_timeline: layer(fin),
            base_timeline: expand.base.then(|| layer(base)),
            override_timeline: expand.overrides.then(|| layer(over)),
            forwarding_timeline: expand.forwarding.then(|| layer(fwd)),
            final_schedule: segments,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn push_final(
        &self,
        fin: &mut Vec<Period>,
        fwd: &mut Vec<Period>,
        t: Ts,
        end: Ts,
        kind: PeriodType,
        slot: Slot,
        forwarding: bool,
    ) {
        let c = self.config;
        if let Slot::User(u) = slot {
            let to = c.forward(u, t);
            if to != u {
                let from = Some(c.slot_leaf(Slot::User(u)));
                let recipient = c.slot_leaf(Slot::User(to));
                push(fin, t, end, PeriodType::Forwarding, recipient.clone(), from.clone());
                if forwarding {
                    push(fwd, t, end, PeriodType::Forwarding, recipient, from);
                }
                return;
            }
        }
        if slot != Slot::Nobody {
            push(fin, t, end, kind, c.slot_leaf(slot), None);
        }
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn push(
    list: &mut Vec<Period>,
    start: Ts,
    end: Ts,
    kind: PeriodType,
    recipient: Participant,
    from_user: Option<Participant>,
) {
    if let Some(last) = list.last_mut()
        && last.end_date.timestamp() == start
        && last.kind == kind
        && last.recipient == recipient
        && last.from_user == from_user
    {
        last.end_date = to_utc(end);
        return;
    }
    list.push(Period { start_date: to_utc(start), end_date: to_utc(end), kind, recipient, from_user });
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
            let slot = rot.participants[(k % rot.participants.len() as u64) as usize];
            return Some(output::Handoff { at: to_utc(at), participant: c.slot_leaf(slot) });
        }
    }
}

/// The flat final schedule, lazily (see [`Schedule::segments`]).
#[derive(Debug, Clone)]
pub struct SegmentIter<'a> {
    schedule: Schedule<'a>,
    t: Ts,
    to: Ts,
    pending: Option<Segment>,
}

impl Iterator for SegmentIter<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        let c = self.schedule.config;
        let s = self.schedule.index;
        while self.t < self.to {
            let t = self.t;
            let end = c.next_boundary(s, t).map_or(self.to, |b| b.min(self.to));
            self.t = end;
            let recipients = sorted(output::flatten(&c.final_participants(s, t, &mut Vec::new())));
            match &mut self.pending {
                Some(p) if p.recipients == recipients => p.end_date = to_utc(end),
                pending => {
                    let done = pending.replace(Segment { start_date: to_utc(t), end_date: to_utc(end), recipients });
                    if done.is_some() {
                        return done;
                    }
                }
            }
        }
        self.pending.take()
    }
}

/// A node being expanded, for cycle detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visit {
    Schedule(usize),
    Team(usize),
    Escalation(usize),
}

impl Config {
    /// The state of schedule `si` at `t`.
    fn snapshot(&self, si: usize, t: Ts) -> Snap {
        let s = &self.schedules[si];
        let mut rots = Vec::with_capacity(s.rotations.len());
        let mut best: Option<i64> = None;
        for r in &s.rotations {
            let k = r.handoffs.shift_at(t).filter(|_| r.restriction.contains(r.tz, t)).map(|sh| sh.k);
            let ov = k.and(r.overrides.at(t));
            let effective = k.map(|k| match ov {
                Some(o) => s.overrides[o as usize].user.map_or(Slot::Nobody, Slot::User),
                None => r.participants[(k % r.participants.len() as u64) as usize],
            });
            if effective.is_some_and(|e| e != Slot::Nobody) {
                best = Some(best.map_or(r.priority, |b| b.max(r.priority)));
            }
            rots.push(RotState { k, ov, effective });
        }
        let shown = rots
            .iter()
            .zip(&s.rotations)
            .map(|(st, r)| st.effective.is_some_and(|e| e != Slot::Nobody) && Some(r.priority) == best)
            .collect();
        Snap { rots, shown, wide: s.wide.at(t) }
    }

    /// The final on-call participants of schedule `si` at `t`, expanded.
    pub(crate) fn final_participants(&self, si: usize, t: Ts, visiting: &mut Vec<Visit>) -> Vec<Participant> {
        let snap = self.snapshot(si, t);
        self.participants_of(si, t, &snap, visiting)
    }

    fn participants_of(&self, si: usize, t: Ts, snap: &Snap, visiting: &mut Vec<Visit>) -> Vec<Participant> {
        let s = &self.schedules[si];
        if visiting.contains(&Visit::Schedule(si)) {
            return Vec::new();
        }
        visiting.push(Visit::Schedule(si));
        let mut out: Vec<Participant> = Vec::new();
        match snap.wide {
            Some(o) => out.extend(s.overrides[o as usize].user.map(|u| self.user_at(u, t))),
            None => {
                for (st, shown) in snap.rots.iter().zip(&snap.shown) {
                    if let (true, Some(slot)) = (*shown, st.effective)
                        && let Some(p) = self.expand(slot, t, visiting)
                        && !out.contains(&p)
                    {
                        out.push(p);
                    }
                }
            }
        }
        visiting.pop();
        out
    }

    /// Per rotation of schedule `si`, the participant `offset` turns from the one at `t`
    /// (1 = next, -1 = previous), expanded; rotations that are not running then give nothing.
    pub(crate) fn turn_participants(
        &self,
        si: usize,
        t: Ts,
        offset: i64,
        visiting: &mut Vec<Visit>,
    ) -> Vec<Participant> {
        let s = &self.schedules[si];
        let mut out = Vec::new();
        for r in &s.rotations {
            let h = &r.handoffs;
            let current = h.index_at(t);
            let (k, at) = match (offset, current) {
                (1, _) => match h.next_handoff(t) {
                    // Hand-offs sharing the instant (a DST gap): the last turn is the one on call.
                    Some((mut k, at)) => {
                        while h.handoff(k + 1) == Some(at) {
                            k += 1;
                        }
                        (k, at)
                    }
                    None => continue,
                },
                (_, Some(k)) if t < h.end => match k.checked_add_signed(offset) {
                    Some(k) => (k, t),
                    None => continue,
                },
                _ => continue,
            };
            let slot = r.participants[(k % r.participants.len() as u64) as usize];
            if let Some(p) = self.expand(slot, at, visiting)
                && !out.contains(&p)
            {
                out.push(p);
            }
        }
        out
    }

    /// Where notifications for user `u` go at `t`, following forwarding chains.
    pub(crate) fn forward(&self, u: usize, t: Ts) -> usize {
        let mut cur = u;
        let mut seen = vec![u];
        while let Some(f) = self.forward_index.get(&cur).and_then(|idx| idx.at(t)) {
            let to = self.forwards[f as usize].to;
            if seen.contains(&to) {
                break;
            }
            seen.push(to);
            cur = to;
        }
        cur
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

    fn override_leaf(&self, si: usize, o: u32) -> Participant {
        self.slot_leaf(self.schedules[si].overrides[o as usize].user.map_or(Slot::Nobody, Slot::User))
    }

    fn expand(&self, slot: Slot, t: Ts, visiting: &mut Vec<Visit>) -> Option<Participant> {
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
        children: impl FnOnce(&mut Vec<Visit>) -> Vec<Participant>,
        visiting: &mut Vec<Visit>,
    ) -> Participant {
        let s = &self.schedules[si];
        let mut p = Participant::leaf(Kind::Schedule, &s.name, s.id.as_ref());
        // A disabled schedule notifies nobody.
        let _ = t;
        p.on_call_participants = Some(if s.enabled { children(visiting) } else { Vec::new() });
        p
    }

    fn team_at(&self, ti: usize, t: Ts, visiting: &mut Vec<Visit>) -> Participant {
        let team = &self.teams[ti];
        if visiting.contains(&Visit::Team(ti)) {
            return self.with_children(Slot::Team(ti), Vec::new());
        }
        visiting.push(Visit::Team(ti));
        let empty = AlertFields::empty();
        let target = team
            .routing
            .iter()
            .find(|r| r.criteria.matches(&empty) && r.restriction.contains(r.tz, t))
            .map(|r| r.notify)
            .or(team.default_target);
        let children = match target {
            Some(Target::Escalation(e)) => vec![self.escalation_at(e, t, visiting)],
            Some(Target::Schedule(s)) => vec![self.schedule_at(s, t, |v| self.final_participants(s, t, v), visiting)],
            Some(Target::Nobody) => Vec::new(),
            None => team.members.iter().map(|&(u, _)| self.user_at(u, t)).collect(),
        };
        visiting.pop();
        self.with_children(Slot::Team(ti), children)
    }

    fn escalation_at(&self, ei: usize, t: Ts, visiting: &mut Vec<Visit>) -> Participant {
        if visiting.contains(&Visit::Escalation(ei)) {
            return self.with_children(Slot::Escalation(ei), Vec::new());
        }
        visiting.push(Visit::Escalation(ei));
        let mut children = Vec::new();
        for rule in &self.escalations[ei].rules {
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
                        .members
                        .iter()
                        .filter(|(_, admin)| match notify {
                            NotifyType::Users => !admin,
                            NotifyType::Admins => *admin,
                            _ => true,
                        })
                        .map(|&(u, _)| self.user_at(u, t))
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

    /// The first boundary of schedule `si` alone strictly after `t`.
    fn own_boundary(&self, si: usize, t: Ts) -> Option<Ts> {
        let s = &self.schedules[si];
        let mut best = s.wide.next_boundary(t);
        let mut take = |b: Option<Ts>| {
            if let Some(b) = b {
                best = Some(best.map_or(b, |x| x.min(b)));
            }
        };
        for r in &s.rotations {
            let h = &r.handoffs;
            if r.uniform {
                // Hand-offs between identical participants change nothing; only the start does.
                take((t < h.anchor).then_some(h.anchor));
            } else {
                take(h.next_handoff(t).map(|x| x.1));
            }
            if t < h.end {
                if h.end < MAX_INSTANT {
                    take(Some(h.end));
                }
                if t >= h.anchor {
                    take(r.restriction.next_boundary(r.tz, t));
                }
            }
            take(r.overrides.next_boundary(t));
        }
        best
    }

    /// The first instant strictly after `t` at which an answer about schedule `si` may change.
    pub(crate) fn next_boundary(&self, si: usize, t: Ts) -> Option<Ts> {
        let s = &self.schedules[si];
        let mut best = self.own_boundary(si, t);
        let mut take = |b: Option<Ts>| {
            if let Some(b) = b {
                best = Some(best.map_or(b, |x| x.min(b)));
            }
        };
        for &d in &s.dep_schedules {
            take(self.own_boundary(d, t));
        }
        for &ti in &s.dep_teams {
            for r in &self.teams[ti].routing {
                take(r.restriction.next_boundary(r.tz, t));
            }
        }
        let i = self.forward_bounds.partition_point(|&b| b <= t);
        take(self.forward_bounds.get(i).copied());
        best.filter(|&b| b < MAX_INSTANT)
    }
}
