//! Time off: users who are away, and what a rotation does with their shifts.
//!
//! A user is **away** during their time off (`users[].timeOff`: `[startDate, endDate)`, times
//! read in the user's zone, UTC without one; a date alone is local midnight) and on the dates
//! of the holiday calendars bound to them (`users[].holidays`, see [`crate::holiday`]).
//!
//! **Absent for a shift.** A participant is absent for a shift when they are away at any
//! instant at which the shift would be on call: the shift `[hand-off k, hand-off k + 1)`,
//! within the rotation's restriction windows, outside the rotation's own holidays. A shift is
//! always reassigned whole, never split. Teams, escalations and `none` are never absent.
//!
//! The rotation's `timeOffPolicy` decides what happens to a shift whose participant is absent:
//!
//! - **`skip`** (the default): turns are handed out in order by a pointer into `participants`,
//!   starting at the first at the rotation's first shift. For each shift, from the pointer on,
//!   the first participant who is not absent takes the shift, and the pointer moves to the one
//!   after them. So an absent participant is passed over, everyone after them moves up one
//!   shift, and the order resumes unchanged: shift k belongs to `participants[(k + s) mod n]`,
//!   where s counts the participants passed over before shift k (without time off s = 0: the
//!   plain `k mod n`). When every participant is absent, the shift has nobody and the pointer
//!   moves one place, as without time off. **Nobody loses or gains a turn:** one round of the
//!   pointer offers each participant exactly one turn, taken unless they are absent for that
//!   shift, so over any whole number of rounds every participant who was never absent at their
//!   offer has exactly one turn per round, and nobody ever has two turns in one round (an absent
//!   participant's turn comes back to them in the next round, one shift later than the others').
//! - **`cover`**: the next participant in order after the absent one who is not absent covers
//!   the shift; turns are unchanged (shift k + 1 still belongs to `participants[(k + 1) mod n]`,
//!   so the one who covers may have two shifts in a row). Nobody when all are absent.
//! - **`mask`**: the absent participant's shift has nobody (a gap; a lower layer shows through),
//!   as if the rotation were outside its windows. Turns are unchanged.
//!
//! **Across roster versions** ([`crate::roster`]): every policy works version by version, on
//! the version's own list, and never moves a hand-off or a switch instant (those are the
//! roster's, computed without time off).
//!
//! - A shift is judged on its own version's grid: the last shift before a switch is absent when
//!   its participant is away at any instant up to where it would have ended without the change
//!   (the version's next hand-off), even when an `immediate` switch cuts it short, so time off
//!   decides every shift before a switch as it would without the change.
//! - `skip`'s pointer belongs to a version: it starts at the version's first turn with s = 0, and
//!   shift k of the version belongs to `list[(first + j + s) mod n]` (j counts the version's
//!   turns from 0, s the participants passed over in the version before shift k).
//! - The version's first turn goes where the roster rule sends it, reading *P* through time off:
//!   under `skip`, *P* is the participant at the previous version's pointer for its last shift
//!   (who took it, or the first passed over when nobody could); under `cover` and `mask` (turns
//!   unchanged) the grid's. So the person actually on call stays on call when an `immediate`
//!   change cuts their shift, and the order goes on after them otherwise.
//!
//! So the laws hold with versions: `skip` never gives anyone a shift inside their time off; over
//! whole rounds of one version's pointer every participant of the version who was never absent
//! has one turn per round and nobody more; and a change never changes an instant before its
//! switch instant (never before its `effective`).
//!
//! Overrides apply after this (an override takes the shift whoever got it), and forwarding
//! after that. Answers say which shifts time off changed: the timeline's `timeOff` list and the
//! `reassigned` field of who-is-on-call's sources name the policy, the absent participants and
//! the reason.
//!
//! **Cost.** When the document is compiled, each rotation examines the shifts its participants'
//! time off overlaps (with roster changes, also each version's last shift; at most `maxTimeOffShifts` over all the document's rotations, else an
//! error naming the rotation where the count passed it) and keeps the reassigned ones, sorted,
//! with the pointer's offset after each (and, under `skip`, where each roster version starts).
//! Who is on call at an instant is then the grid's arithmetic plus one binary search in that
//! rotation's list, then the roster's search of the turn's version.

use crate::compile::{CRotation, Slot};
use crate::time::{Edge, MAX_INSTANT, Ts, resolve, utc_serde};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// One period of time off as written in the document (`users[].timeOff[]`).
///
/// # Example
///
/// ```
/// use oncall_core::Config;
/// let config = Config::from_json(r#"{
///   "users": [{"username": "alice"}, {"username": "carol"}, {"username": "dan"},
///             {"username": "bob", "timeOff": [{"startDate": "2026-11-03", "endDate": "2026-11-04", "reason": "dentist"}]}],
///   "schedules": [{"name": "ops", "rotations": [{"name": "daily", "type": "daily", "startDate": "2026-11-02T00:00Z",
///     "participants": ["alice", "bob", "carol", "dan"], "timeOffPolicy": "skip"}]}]}"#)?;
/// let s = config.schedule("ops")?;
/// let who = |t: &str| s.on_call(t.parse().unwrap()).unwrap().flat().on_call_recipients;
/// // bob is away on the 3rd, his turn: carol takes it, everyone after moves up one day...
/// assert_eq!(who("2026-11-03T12:00:00Z"), ["carol"]);
/// assert_eq!(who("2026-11-04T12:00:00Z"), ["dan"]);
/// assert_eq!(who("2026-11-05T12:00:00Z"), ["alice"]);
/// // ...and the order resumes with bob.
/// assert_eq!(who("2026-11-06T12:00:00Z"), ["bob"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeOff {
    /// `startDate`: when the time off starts (RFC 3339, a local time or a date in the user's zone).
    pub start_date: String,
    /// `endDate`: when it ends (exclusive); must be after `startDate`.
    pub end_date: String,
    /// `reason`: why (shown in answers, e.g. `vacation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What a rotation does with the shift of an absent participant (`timeOffPolicy`).
///
/// ```
/// use oncall_core::timeoff::Policy;
/// assert_eq!("cover".parse::<Policy>(), Ok(Policy::Cover));
/// assert_eq!(Policy::default().as_str(), "skip");
/// assert!("swap".parse::<Policy>().is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// The next available participant takes the shift and the order moves up.
    #[default]
    Skip,
    /// The next available participant covers the shift; turns unchanged.
    Cover,
    /// The shift has nobody.
    Mask,
}

impl Policy {
    /// The policy's name in documents and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Skip => "skip",
            Policy::Cover => "cover",
            Policy::Mask => "mask",
        }
    }
}

impl std::str::FromStr for Policy {
    type Err = String;
    fn from_str(s: &str) -> Result<Policy, String> {
        match s {
            "skip" => Ok(Policy::Skip),
            "cover" => Ok(Policy::Cover),
            "mask" => Ok(Policy::Mask),
            other => Err(format!("expected skip, cover or mask, found {other:?}")),
        }
    }
}

/// How a shift was changed by time off (the `reassigned` of answers).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reassigned {
    /// `policy`: the rotation's `timeOffPolicy`.
    pub policy: Policy,
    /// `absent`: the participants passed over (the one whose turn it was first), by username.
    pub absent: Vec<String>,
    /// `reason`: the reason of the first absent participant's time off (a holiday:
    /// `holiday (calendar NAME)`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `timeOff`: the entry of the first absent participant's `users[].timeOff` that made them
    /// absent, by its place in that list (absent when a holiday did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_off: Option<usize>,
    /// `holiday`: the holiday calendar bound to the first absent participant that made them
    /// absent (absent when time off did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday: Option<String>,
}

/// Why a user is away: the entry of the document it comes from, and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Why {
    reason: Option<String>,
    /// `Ok(i)`: `users[].timeOff[i]`; `Err(name)`: the holiday calendar `name`.
    from: Result<usize, String>,
}

/// A shift of a timeline window that time off changed (the timeline's `timeOff` list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reassignment {
    /// `rotation`: the rotation's name.
    pub rotation: String,
    /// `startDate`: the shift's start, clipped to the window.
    #[serde(with = "utc_serde")]
    pub start_date: chrono::DateTime<chrono::Utc>,
    /// `endDate`: the shift's end, clipped to the window.
    #[serde(with = "utc_serde")]
    pub end_date: chrono::DateTime<chrono::Utc>,
    /// `participant`: who took the shift (absent: nobody).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    /// The policy, who was absent and why.
    #[serde(flatten)]
    pub reassigned: Reassigned,
}

/// Away periods of one user: merged, sorted, non-overlapping, each with the entry of the
/// first time off merged into it (the first with a reason, when the first has none).
#[derive(Debug, Clone, Default)]
pub(crate) struct Away(Vec<(Ts, Ts, Why)>);

impl Away {
    pub(crate) fn new(mut raw: Vec<(Ts, Ts, Why)>) -> Away {
        raw.sort_by_key(|a| a.0);
        let mut out: Vec<(Ts, Ts, Why)> = Vec::with_capacity(raw.len());
        for (s, e, r) in raw {
            match out.last_mut() {
                Some(last) if s <= last.1 => {
                    last.1 = last.1.max(e);
                    if last.2.reason.is_none() && r.reason.is_some() {
                        last.2 = r;
                    }
                }
                _ => out.push((s, e, r)),
            }
        }
        Away(out)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first away period overlapping `[a, b)`.
    fn overlapping(&self, a: Ts, b: Ts) -> Option<&(Ts, Ts, Why)> {
        let i = self.0.partition_point(|x| x.1 <= a);
        self.0.get(i).filter(|x| x.0 < b)
    }
}

/// The compiled time off of a document: calendars and each user's away periods.
#[derive(Debug, Default)]
pub(crate) struct TimeOffs {
    pub(crate) calendars: Vec<crate::holiday::HolidayCalendar>,
    /// Per user index (empty for users without time off).
    pub(crate) away: Vec<Away>,
}

/// `[local midnight of d, local midnight of d + 1)` in `tz`, by the wall-clock rule.
pub(crate) fn day(tz: Tz, d: NaiveDate) -> (Ts, Ts) {
    let next = d.succ_opt().unwrap_or(d);
    (
        resolve(tz, d.and_time(chrono::NaiveTime::MIN), Edge::Start),
        resolve(tz, next.and_time(chrono::NaiveTime::MIN), Edge::End),
    )
}

/// One shift changed by time off.
#[derive(Debug)]
struct Entry {
    k: u64,
    slot: Slot,
    /// The pointer's offset (mod n) for the shifts after this one, until the next entry.
    offset: u64,
    absent: Vec<usize>,
    why: Why,
}

/// A rotation's time off plan: its policy, the shifts time off changed, its closed days.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) policy: Policy,
    entries: Vec<Entry>,
    /// Edges of the rotation's holidays: start, end, start, end, … (merged, sorted).
    closed: Vec<Ts>,
    /// Where each roster version starts in its list, when `skip` moved it (see
    /// [`crate::roster::Roster::set_firsts`]).
    firsts: Option<Vec<usize>>,
}

impl Plan {
    /// Whether the plan changes nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.closed.is_empty()
    }

    /// Whether `t` is on one of the rotation's holidays.
    #[inline]
    pub(crate) fn closed(&self, t: Ts) -> bool {
        !self.closed.is_empty() && self.closed.partition_point(|&e| e <= t) % 2 == 1
    }

    /// The first edge of the rotation's holidays strictly after `t`.
    pub(crate) fn next_closed_edge(&self, t: Ts) -> Option<Ts> {
        self.closed.get(self.closed.partition_point(|&e| e <= t)).copied()
    }

    /// The first instant of `[from, to)` inside one of `windows` and outside the rotation's
    /// holidays, if any.
    pub(crate) fn first_open(&self, windows: &[(Ts, Ts)], from: Ts, to: Ts) -> Option<Ts> {
        for &(ws, we) in windows {
            let (mut t, we) = (ws.max(from), we.min(to));
            while t < we {
                if !self.closed(t) {
                    return Some(t);
                }
                t = self.next_closed_edge(t).unwrap_or(MAX_INSTANT);
            }
        }
        None
    }

    fn entry(&self, k: u64) -> Option<&Entry> {
        let i = self.entries.partition_point(|e| e.k <= k);
        i.checked_sub(1).map(|i| &self.entries[i])
    }
}

impl CRotation {
    /// Who has shift k: the roster's turn ([`crate::roster`]), unless time off changed it (see
    /// the [module docs](self)): one binary search in the changed shifts, then the roster's
    /// search of k's version, whose list the pointer's offset after the last changed shift
    /// moves along when that shift is of the same version.
    #[inline]
    pub(crate) fn slot(&self, k: u64) -> Slot {
        match self.time_off.entry(k) {
            None => self.handoffs.slot(k),
            Some(e) if e.k == k => e.slot,
            Some(e) if e.offset == 0 => self.handoffs.slot(k),
            Some(e) => self.handoffs.slot_moved(k, e.k, e.offset),
        }
    }

    /// How time off changed shift k, if it did.
    pub(crate) fn reassigned(&self, k: u64, users: &[crate::compile::UserInfo]) -> Option<Reassigned> {
        let e = self.time_off.entry(k).filter(|e| e.k == k)?;
        Some(Reassigned {
            policy: self.time_off.policy,
            absent: e.absent.iter().map(|&u| users[u].username.clone()).collect(),
            reason: e.why.reason.clone(),
            time_off: e.why.from.as_ref().ok().copied(),
            holiday: e.why.from.as_ref().err().cloned(),
        })
    }

    /// The turn numbers of the changed shifts in `[lo, hi]`.
    pub(crate) fn changed_in(&self, lo: u64, hi: u64) -> impl Iterator<Item = u64> + '_ {
        let i = self.time_off.entries.partition_point(|e| e.k < lo);
        self.time_off.entries[i..].iter().take_while(move |e| e.k <= hi).map(|e| e.k)
    }
}

/// What examining shifts may cost: the count so far over the document, its limit
/// (`maxTimeOffShifts`), and `maxRecurrenceWork` for custom rotations.
pub(crate) struct Budget<'a> {
    examined: &'a mut u64,
    max_shifts: usize,
    recurrence_budget: usize,
}

/// Builds the plan of rotation `r` (compiled without one) at `path`: closes its holidays
/// (`closed_dates`, local dates in its zone) and examines the shifts its participants' away
/// periods overlap; `examined` counts them over the whole document, and past
/// `maxTimeOffShifts` the plan stops with a problem naming the limit.
pub(crate) fn plan(
    r: &CRotation,
    policy: Policy,
    closed_dates: &[NaiveDate],
    away: &[Away],
    budget: Budget<'_>,
    path: &str,
    problems: &mut Vec<crate::Problem>,
) -> Plan {
    let Budget { examined, max_shifts, recurrence_budget } = budget;
    let mut closed: Vec<Ts> = Vec::new();
    for &d in closed_dates {
        let (s, e) = day(r.tz, d);
        if e <= s {
            continue;
        }
        match closed.last_mut() {
            Some(last) if s <= *last => *last = (*last).max(e),
            _ => closed.extend([s, e]),
        }
    }
    let mut plan = Plan { policy, entries: Vec::new(), closed, firsts: None };
    let h = &r.handoffs;
    let n = r.participants.len() as u64;
    if n == 0 {
        return plan;
    }
    let away_of = |s: Slot| match s {
        Slot::User(u) => away.get(u).filter(|a| !a.is_empty()),
        _ => None,
    };
    // The turn ranges every participant's away periods overlap, merged.
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    let mut users: Vec<usize> =
        r.participants.iter().filter_map(|&s| if let Slot::User(u) = s { Some(u) } else { None }).collect();
    users.sort_unstable();
    users.dedup();
    let too_many = |problems: &mut Vec<crate::Problem>| {
        problems.push(crate::Problem::new(
            path.to_string(),
            format!(
                "time off overlaps more than {max_shifts} shifts of the document's rotations, counted up to this one (limit maxTimeOffShifts)"
            ),
        ));
    };
    let mut total: u64 = *examined;
    for &u in &users {
        for &(a, b, _) in away.get(u).map(|a| a.0.as_slice()).unwrap_or_default() {
            let (a, b) = (a.max(h.anchor), b.min(h.end));
            if b <= a {
                continue;
            }
            if let crate::rotation::Grid::Custom(rec) = &h.base().grid
                && !rec.covers_within(b, recurrence_budget)
            {
                problems.push(crate::Problem::new(
                    path.to_string(),
                    format!(
                        "time off until {} needs more than {recurrence_budget} occurrences of this rule (limit maxRecurrenceWork)",
                        crate::time::format_ts(b)
                    ),
                ));
                return plan;
            }
            let (Some(lo), Some(hi)) = (h.index_at(a), h.index_at(b - 1)) else { continue };
            total = total.saturating_add(hi - lo + 1);
            *examined = total;
            if total > max_shifts as u64 {
                too_many(problems);
                return plan;
            }
            ranges.push((lo, hi));
        }
    }
    // The last turn of each version but the last: its shift is judged on its own version's
    // grid, so an away period that starts after the switch may still make it absent.
    if !ranges.is_empty() {
        for v in 1..h.version_count() {
            let last = h.version_turns(v).1 - 1;
            total = total.saturating_add(1);
            *examined = total;
            if total > max_shifts as u64 {
                too_many(problems);
                return plan;
            }
            ranges.push((last, last));
        }
    }
    ranges.sort_unstable();
    // The pointer walks the versions in order: `firsts[v]` is where version v starts in its
    // list, carried over from where the previous version's pointer stopped.
    let mut firsts = h.firsts();
    let mut version = 0usize;
    let mut offset = 0u64;
    // Moves the walk to version `to`: each switch passed continues from the participant the
    // pointer gave the previous version's last turn to (see the module docs).
    let advance = |version: &mut usize, offset: &mut u64, firsts: &mut [usize], to: usize| {
        while *version < to {
            let (old, k0, _) = h.version_turns(*version);
            let (new, next_k0, cut) = h.version_turns(*version + 1);
            let n_old = old.len() as u64;
            if n_old > 0 && policy == Policy::Skip {
                let last = next_k0 - 1;
                let pos = (firsts[*version] as u64 + (last - k0) % n_old + *offset) % n_old;
                firsts[*version + 1] = crate::roster::continuation(old, pos as usize, cut, new);
            }
            *version += 1;
            *offset = 0;
        }
    };
    let mut last: Option<u64> = None;
    for (lo, hi) in ranges {
        let lo = last.map_or(lo, |l| lo.max(l + 1));
        for k in lo..=hi {
            last = Some(k);
            let Some(start) = h.handoff(k) else { break };
            if start >= h.end {
                break;
            }
            advance(&mut version, &mut offset, &mut firsts, h.version_of_turn(k));
            let (list, k0, _) = h.version_turns(version);
            let n = list.len() as u64;
            if n == 0 {
                continue;
            }
            let end = h.nominal_end(k).unwrap_or(MAX_INSTANT).min(h.end);
            // The instants the shift would be on call: its windows, outside closed days.
            let mut pieces: Vec<(Ts, Ts)> = Vec::new();
            for (ws, we) in r.restriction.windows(r.tz, start, end) {
                let (mut ws, we) = (ws.max(start), we.min(end));
                while ws < we {
                    let i = plan.closed.partition_point(|&e| e <= ws);
                    let next = plan.closed.get(i).copied().unwrap_or(MAX_INSTANT).min(we);
                    if i % 2 == 0 {
                        pieces.push((ws, next));
                    }
                    ws = next;
                }
            }
            let absent_why = |s: Slot| -> Option<Why> {
                let a = away_of(s)?;
                pieces.iter().find_map(|&(ps, pe)| a.overlapping(ps, pe)).map(|x| x.2.clone())
            };
            let grid = (firsts[version] as u64 + (k - k0) % n) % n;
            let base = match policy {
                Policy::Skip => (grid + offset) % n,
                Policy::Cover | Policy::Mask => grid,
            };
            let first = list[base as usize];
            let Some(why) = absent_why(first) else { continue };
            let mut absent = vec![];
            if let Slot::User(u) = first {
                absent.push(u);
            }
            let mut taker = None;
            if policy != Policy::Mask {
                for j in 1..n {
                    let p = list[((base + j) % n) as usize];
                    if absent_why(p).is_none() {
                        taker = Some((j, p));
                        break;
                    }
                    if let (Slot::User(u), Policy::Skip) = (p, policy) {
                        absent.push(u);
                    }
                }
            }
            let slot = match taker {
                Some((j, p)) => {
                    if policy == Policy::Skip {
                        offset = (offset + j) % n;
                    }
                    p
                }
                None => Slot::Nobody,
            };
            plan.entries.push(Entry { k, slot, offset, absent, why });
        }
    }
    advance(&mut version, &mut offset, &mut firsts, h.version_count() - 1);
    if firsts != h.firsts() {
        plan.firsts = Some(firsts);
    }
    plan
}

/// The away periods of declared user `u` at `path` (`users[3]`): its time off, read in `tz`,
/// and the dates of its holiday calendars.
pub(crate) fn user_away(
    u: &crate::config::User,
    tz: Tz,
    path: &str,
    calendars: &[crate::holiday::HolidayCalendar],
    problems: &mut Vec<crate::Problem>,
) -> Away {
    let mut raw = Vec::new();
    for (i, t) in u.time_off.iter().enumerate() {
        let p = format!("{path}.timeOff[{i}]");
        let s = crate::time::parse_wall(&t.start_date, tz, Edge::Start)
            .map_err(|e| problems.push(crate::Problem::new(format!("{p}.startDate"), e)))
            .ok();
        let e = crate::time::parse_wall(&t.end_date, tz, Edge::End)
            .map_err(|e| problems.push(crate::Problem::new(format!("{p}.endDate"), e)))
            .ok();
        if let (Some((s, _)), Some((e, _))) = (s, e) {
            if e <= s {
                problems.push(crate::Problem::new(format!("{p}.endDate"), "must be after startDate"));
            } else {
                raw.push((s, e, Why { reason: t.reason.clone(), from: Ok(i) }));
            }
        }
    }
    for (i, name) in u.holidays.iter().enumerate() {
        let Some(c) = find_calendar(calendars, name, &format!("{path}.holidays[{i}]"), problems) else { continue };
        let why = Why { reason: Some(format!("holiday (calendar {name})")), from: Err(name.clone()) };
        raw.extend(c.dates.iter().map(|&d| day(tz, d)).filter(|(s, e)| s < e).map(|(s, e)| (s, e, why.clone())));
    }
    Away::new(raw)
}

pub(crate) fn find_calendar<'c>(
    calendars: &'c [crate::holiday::HolidayCalendar],
    name: &str,
    path: &str,
    problems: &mut Vec<crate::Problem>,
) -> Option<&'c crate::holiday::HolidayCalendar> {
    let found = calendars.iter().find(|c| c.name == name);
    if found.is_none() {
        let hint = crate::config::suggest(name, calendars.iter().map(|c| c.name.as_str()))
            .map_or(String::new(), |near| format!("; did you mean {near:?}?"));
        problems.push(crate::Problem::new(path.to_string(), format!("unknown holiday calendar {name:?}{hint}")));
    }
    found
}

/// Gives compiled rotation `rot`, written as `doc` at `path`, its plan (and, under `skip`, the
/// roster versions' starts the pointer moved); `examined` counts the shifts examined over the
/// whole document.
pub(crate) fn rotation_plan(
    doc: &crate::config::Rotation,
    rot: &mut CRotation,
    offs: &TimeOffs,
    examined: &mut u64,
    limits: &crate::Limits,
    path: &str,
    problems: &mut Vec<crate::Problem>,
) {
    let policy = match doc.time_off_policy.as_deref().map(str::parse::<Policy>) {
        None => Policy::default(),
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            problems.push(crate::Problem::new(format!("{path}.timeOffPolicy"), e));
            Policy::default()
        }
    };
    let mut dates: Vec<NaiveDate> = Vec::new();
    for (i, name) in doc.holidays.iter().enumerate() {
        let p = format!("{path}.holidays[{i}]");
        if doc.holidays[..i].contains(name) {
            problems.push(crate::Problem::new(p, format!("holiday calendar {name:?} is bound twice")));
            continue;
        }
        if let Some(c) = find_calendar(&offs.calendars, name, &p, problems) {
            dates.extend_from_slice(&c.dates);
        }
    }
    dates.sort_unstable();
    dates.dedup();
    let budget =
        Budget { examined, max_shifts: limits.max_time_off_shifts, recurrence_budget: limits.max_recurrence_work };
    let mut plan = plan(rot, policy, &dates, &offs.away, budget, path, problems);
    if let Some(firsts) = plan.firsts.take() {
        rot.handoffs.set_firsts(&firsts);
    }
    rot.time_off = plan;
}

/// A stretch of a timeline window in which a participant is away, or a rotation closed for a
/// holiday (the timeline's `away` list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwayPeriod {
    /// `user`: the user who is away (absent for a rotation's holiday).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `rotation`: the rotation closed for a holiday (absent for a user's time off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<String>,
    /// `startDate`: clipped to the window.
    #[serde(with = "utc_serde")]
    pub start_date: chrono::DateTime<chrono::Utc>,
    /// `endDate`: clipped to the window.
    #[serde(with = "utc_serde")]
    pub end_date: chrono::DateTime<chrono::Utc>,
    /// `reason`: the time off's reason, or `holiday (calendar NAME)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl crate::Schedule<'_> {
    /// The shifts of `[from, to)` that time off changed, per rotation in order, each clipped to
    /// the window: who took it, under which policy, who was absent and why (see
    /// [`crate::timeoff`]). Empty without time off. Refused past `maxTimelinePeriods` entries.
    ///
    /// ```
    /// let config = oncall_core::Config::from_json(r#"{
    ///   "users": [{"username": "a", "timeOff": [{"startDate": "2026-01-01", "endDate": "2026-01-02", "reason": "flu"}]}, {"username": "b"}],
    ///   "schedules": [{"name": "s", "rotations": [{"name": "r", "type": "daily", "startDate": "2026-01-01", "participants": ["a", "b"]}]}]}"#)?;
    /// let changed = config.schedule("s")?.time_off("2026-01-01T00:00:00Z".parse()?, "2026-01-03T00:00:00Z".parse()?)?;
    /// assert_eq!(changed.len(), 1);
    /// assert_eq!(changed[0].participant.as_deref(), Some("b"));
    /// assert_eq!(serde_json::to_value(&changed[0].reassigned)?, serde_json::json!({"policy": "skip", "absent": ["a"], "reason": "flu", "timeOff": 0}));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_off(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<Vec<Reassignment>> {
        let c = self.config;
        let (from, to) = (from.timestamp(), to.timestamp());
        let limit = c.limits.max_timeline_periods;
        let mut out = Vec::new();
        for r in &c.schedules[self.index].rotations {
            let h = &r.handoffs;
            if r.time_off.entries.is_empty() || to <= h.anchor || from >= h.end {
                continue;
            }
            let lo = h.index_at(from.max(h.anchor)).unwrap_or(0);
            let Some(hi) = h.index_at(to.min(h.end) - 1) else { continue };
            for k in r.changed_in(lo, hi) {
                let (Some(s), e) = (h.handoff(k), h.handoff(k + 1).unwrap_or(MAX_INSTANT).min(h.end)) else { continue };
                let (s, e) = (s.max(from), e.min(to));
                if e <= s {
                    continue;
                }
                if out.len() >= limit {
                    return Err(crate::schedule::too_large(limit));
                }
                let slot = r.slot(k);
                out.push(Reassignment {
                    rotation: r.name.clone(),
                    start_date: crate::time::to_utc(s),
                    end_date: crate::time::to_utc(e),
                    participant: (slot != Slot::Nobody).then(|| c.slot_leaf(slot).name),
                    reassigned: r.reassigned(k, &c.users).unwrap_or_else(|| unreachable_reassigned(r.time_off.policy)),
                });
            }
        }
        Ok(out)
    }

    /// The away periods of `[from, to)`: each user of the schedule's rotations who is away
    /// (time off and holidays, merged), then each rotation's holidays, clipped to the window.
    /// Refused past `maxTimelinePeriods` entries.
    ///
    /// ```
    /// let config = oncall_core::Config::from_json(r#"{
    ///   "holidayCalendars": [{"name": "uk", "dates": ["2026-12-25"]}],
    ///   "users": [{"username": "a", "timezone": "Europe/London", "holidays": ["uk"]}],
    ///   "schedules": [{"name": "s", "rotations": [{"type": "daily", "startDate": "2026-01-01", "participants": ["a"], "holidays": ["uk"]}]}]}"#)?;
    /// let away = config.schedule("s")?.away("2026-12-24T00:00:00Z".parse()?, "2026-12-31T00:00:00Z".parse()?)?;
    /// assert_eq!(away.len(), 2);
    /// assert_eq!(away[0].user.as_deref(), Some("a"));
    /// assert_eq!(away[1].rotation.as_deref(), Some("rotation-1"));
    /// assert_eq!(away[1].reason.as_deref(), Some("holiday"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn away(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> crate::Result<Vec<AwayPeriod>> {
        let c = self.config;
        let (from, to) = (from.timestamp(), to.timestamp());
        let limit = c.limits.max_timeline_periods;
        let rotations = &c.schedules[self.index].rotations;
        let mut users: Vec<usize> = Vec::new();
        for r in rotations {
            for &p in &r.participants {
                if let Slot::User(u) = p
                    && !users.contains(&u)
                {
                    users.push(u);
                }
            }
        }
        let mut out = Vec::new();
        let push = |out: &mut Vec<AwayPeriod>, p: AwayPeriod| {
            if out.len() >= limit {
                return Err(crate::schedule::too_large(limit));
            }
            out.push(p);
            Ok(())
        };
        for u in users {
            let Some(a) = c.time_off.away.get(u) else { continue };
            let i = a.0.partition_point(|x| x.1 <= from);
            for (s, e, reason) in a.0[i..].iter().take_while(|x| x.0 < to) {
                let p = AwayPeriod {
                    user: Some(c.users[u].username.clone()),
                    rotation: None,
                    start_date: crate::time::to_utc((*s).max(from)),
                    end_date: crate::time::to_utc((*e).min(to)),
                    reason: reason.reason.clone(),
                };
                push(&mut out, p)?;
            }
        }
        for r in rotations {
            let edges = &r.time_off.closed;
            let i = edges.partition_point(|&e| e <= from) & !1;
            for pair in edges[i..].chunks(2).take_while(|p| p[0] < to) {
                let p = AwayPeriod {
                    user: None,
                    rotation: Some(r.name.clone()),
                    start_date: crate::time::to_utc(pair[0].max(from)),
                    end_date: crate::time::to_utc(pair[1].min(to)),
                    reason: Some("holiday".into()),
                };
                push(&mut out, p)?;
            }
        }
        Ok(out)
    }
}

/// Never used: every changed shift has its entry (kept total so that no answer can panic).
fn unreachable_reassigned(policy: Policy) -> Reassigned {
    Reassigned { policy, absent: Vec::new(), reason: None, time_off: None, holiday: None }
}
