//! Roster changes: dated versions of a rotation's participants and shift length
//! (`changes: [{effective, rollout, participants?, length?}]`, an extension).
//!
//! # Rules
//!
//! A rotation is a sequence of **versions**: version 0 is the rotation as written (`startDate`,
//! `length`, `participants`); change *i* makes version *i* + 1. Each version runs from its
//! **switch instant** *S* to the next version's (the last one to `endDate`). Nothing before *S*
//! changes: the shifts, hand-offs and turns of the earlier versions stay as they were.
//!
//! * **Order.** Changes are sorted by `effective`, strictly increasing, each after `startDate`
//!   and before `endDate`, and each `effective` after the previous change's switch instant (a
//!   change is decided while the one before is in force). At most `maxRosterChanges` per
//!   rotation. A change has `participants`, `length` or both (the other stays as in the
//!   previous version); `length` is not for `custom` rotations (the recurrence sets their
//!   hand-offs).
//! * **Switch instant** *S*, by `rollout` (hand-offs are those of the previous version):
//!   * `immediate`: *S* = `effective`. A shift in progress is cut short there.
//!   * `after-current-shift`: *S* = the first hand-off at or after `effective` (`effective`
//!     itself when it is one), so the shift in progress runs to its end.
//!   * `after-full-rotation`: *S* = the first hand-off at or after `effective` whose turn falls
//!     to the previous version's **first** participant (`participants[0]`): the old order has
//!     completed its cycle and would start over from the top. Positions in the list count
//!     continuously from the version's first turn (below), so for version 0 that is hand-off *k*
//!     with *k* mod *n* = 0.
//!
//!   A switch instant at or after `endDate` (or none, for a finite recurrence) is an error.
//! * **The new grid.** Without `length` the new version keeps the previous version's hand-off
//!   grid: only who takes each turn changes, and hand-offs stay where they were (with
//!   `immediate`, the first shift of the new version runs from `effective` to the next of those
//!   hand-offs). With `length`, the new grid is anchored at *S*: its hand-off *j* is at
//!   local(*S*) + *j* × `length` × unit in wall-clock terms in the rotation's zone, mapped by the
//!   wall-clock rule, exactly as a rotation anchored at *S* (see [`crate::rotation`]). local(*S*)
//!   is, for `immediate`, `effective`'s local time as written, else the local time of the
//!   previous grid's hand-off at *S* (so a daily 02:30 grid re-anchored on a spring-forward day
//!   goes on at 02:30, not at the 03:00 that day's hand-off mapped to).
//! * **Turns are counted continuously.** Turn numbers do not restart: the first turn of a
//!   version is the one after the previous version's last turn (the shift in force just before
//!   *S*; later turns of the previous version, which would have started at or after *S*, never
//!   happen). Call *P* the participant of that last turn ("the last one who served", by the grid,
//!   whoever an override or a restriction showed instead; under time off's `skip`, the one its
//!   pointer gave that turn to, see [`crate::timeoff`]). The new version's first turn goes
//!   to:
//!   * *P*, when *S* cut *P*'s shift short (`immediate` strictly inside a shift) and *P* is in
//!     the new list: the interrupted turn goes on, under the new version;
//!   * otherwise the entry **after** *P* in the new list (wrapping): the person on call stays on
//!     call until their shift ends, then the order continues from the next person in the new
//!     list;
//!   * when *P* is not in the new list, walking back through the previous order (the entry
//!     before *P*, then the one before that, …), the entry after the first one still in the new
//!     list; when none is, the new list's first entry.
//!
//!   Entries are matched by identity (the same user, team or escalation); the *o*-th occurrence
//!   of a participant listed several times matches its *o*-th occurrence in the new list, or
//!   its first when the new list has fewer; `none` entries match nothing. The *j*-th turn of the
//!   version then goes to the entry *j* places after the first one, wrapping.
//! * **Restrictions and overrides** apply on top of every version as they do on a single one;
//!   overrides never change turn counting.
//!
//! # Cost
//!
//! Who is on call at *t*: a binary search of the version in force at *t* by switch instant,
//! then the rotation's arithmetic within that version's grid. A rotation without changes pays
//! nothing (one length test). Compiling a change is arithmetic on the previous grid (a custom
//! recurrence is expanded up to the last `effective`, within `maxRecurrenceWork` for all the
//! changes of the rotation together).

use crate::compile::Slot;
use crate::error::Problem;
use crate::rotation::{Grid, Handoffs};
use crate::time::{MAX_INSTANT, Ts, format_ts};
use chrono::NaiveDateTime;
use std::collections::HashMap;

/// Where a change's version starts (`rollout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rollout {
    Immediate,
    AfterCurrentShift,
    AfterFullRotation,
}

impl Rollout {
    /// Reads a `rollout` value.
    pub(crate) fn parse(text: &str) -> Result<Rollout, String> {
        match text {
            "immediate" => Ok(Rollout::Immediate),
            "after-current-shift" => Ok(Rollout::AfterCurrentShift),
            "after-full-rotation" => Ok(Rollout::AfterFullRotation),
            other => Err(format!(
                "unknown rollout {other:?} (expected immediate, after-current-shift or after-full-rotation)"
            )),
        }
    }
}

/// A change as the compiler read it: fields checked one by one, the order not yet.
#[derive(Debug)]
pub(crate) struct Change {
    /// `schedules[i].rotations[j].changes[k]`.
    pub(crate) path: String,
    /// `effective` as an instant and its local time as written.
    pub(crate) effective: (Ts, NaiveDateTime),
    pub(crate) rollout: Rollout,
    pub(crate) participants: Option<Vec<Slot>>,
    /// The new grid step (in the base grid's unit: `length`, × 7 for weekly rotations).
    pub(crate) step: Option<i64>,
}

/// One version of the roster.
#[derive(Debug)]
struct Version {
    /// The switch instant: the version's first turn starts here.
    start: Ts,
    /// Index of the version's hand-off grid in [`Roster::grids`].
    grid: usize,
    /// The grid's turn number at `start` (the largest g with `grid.handoff(g) <= start`).
    g0: u64,
    /// The rotation's turn number of the version's first turn.
    k0: u64,
    participants: Vec<Slot>,
    /// The position in `participants` of the first turn.
    first: usize,
    /// Whether the switch cut the previous version's last shift short.
    cut: bool,
}

/// A rotation's hand-offs and turns across its versions. Turn numbers `k` are the rotation's
/// (continuous across versions); with no changes this is the single grid of [`Handoffs`].
#[derive(Debug)]
pub(crate) struct Roster {
    /// `startDate`: the first hand-off.
    pub(crate) anchor: Ts,
    /// Exclusive end (`MAX_INSTANT` when open-ended).
    pub(crate) end: Ts,
    grids: Vec<Handoffs>,
    /// Never empty; `versions[0]` starts at `anchor`; starts and `k0` strictly increase.
    versions: Vec<Version>,
}

impl Roster {
    /// A roster of one version: the rotation as written.
    pub(crate) fn single(handoffs: Handoffs, participants: Vec<Slot>) -> Roster {
        let (anchor, end) = (handoffs.anchor, handoffs.end);
        let version = Version { start: anchor, grid: 0, g0: 0, k0: 0, participants, first: 0, cut: false };
        Roster { anchor, end, grids: vec![handoffs], versions: vec![version] }
    }

    /// The rotation as written, whose grid holds a custom recurrence if any.
    pub(crate) fn base(&self) -> &Handoffs {
        &self.grids[0]
    }

    /// How many versions (1 + the number of changes).
    #[cfg(test)]
    pub(crate) fn versions(&self) -> usize {
        self.versions.len()
    }

    /// The version in force at `t >= anchor`.
    #[inline]
    fn version_at(&self, t: Ts) -> usize {
        if self.versions.len() == 1 {
            return 0;
        }
        self.versions.partition_point(|v| v.start <= t).saturating_sub(1)
    }

    /// The version that turn `k` belongs to.
    #[inline]
    fn version_of(&self, k: u64) -> usize {
        if self.versions.len() == 1 {
            return 0;
        }
        self.versions.partition_point(|v| v.k0 <= k).saturating_sub(1)
    }

    /// The version index (0 = the rotation as written, i = `changes[i - 1]`) of turn `k`.
    pub(crate) fn version_of_turn(&self, k: u64) -> usize {
        self.version_of(k)
    }

    /// Who has turn `k`.
    #[inline]
    pub(crate) fn slot(&self, k: u64) -> Slot {
        let v = &self.versions[self.version_of(k)];
        let n = v.participants.len() as u64;
        // The rotation as written (first 0, k0 0) is one remainder, as without versions.
        let i = if v.first == 0 { (k - v.k0) % n } else { (v.first as u64 + (k - v.k0) % n) % n };
        v.participants[i as usize]
    }

    /// Who has turn `k` when the turns of its version from turn `since` on are moved `offset`
    /// places along the version's list (time off's `skip`, [`crate::timeoff`]): a pointer
    /// offset never crosses into a later version, whose turns are [`Roster::slot`]'s.
    #[inline]
    pub(crate) fn slot_moved(&self, k: u64, since: u64, offset: u64) -> Slot {
        let v = &self.versions[self.version_of(k)];
        if v.k0 > since {
            return self.slot(k);
        }
        let n = v.participants.len() as u64;
        v.participants[((v.first as u64 + (k - v.k0) % n + offset) % n) as usize]
    }

    /// The number of versions, for time off's walk through them.
    pub(crate) fn version_count(&self) -> usize {
        self.versions.len()
    }

    /// Version `v`'s list, its first turn `k0`, and whether its switch cut the previous
    /// version's last shift short.
    pub(crate) fn version_turns(&self, v: usize) -> (&[Slot], u64, bool) {
        let x = &self.versions[v];
        (&x.participants, x.k0, x.cut)
    }

    /// The list position of each version's first turn.
    pub(crate) fn firsts(&self) -> Vec<usize> {
        self.versions.iter().map(|v| v.first).collect()
    }

    /// Replaces the list position of each version's first turn (time off's `skip` carries its
    /// pointer across a switch, [`crate::timeoff`]); the switch instants stay.
    pub(crate) fn set_firsts(&mut self, firsts: &[usize]) {
        for (v, &f) in self.versions.iter_mut().zip(firsts) {
            v.first = f;
        }
    }

    /// The end of turn `k` as its own version's grid has it, whatever later versions do: the
    /// version's next hand-off (for the last turn of a version, where the shift would have
    /// ended without the next change). None past the engine's range.
    pub(crate) fn nominal_end(&self, k: u64) -> Option<Ts> {
        let v = &self.versions[self.version_of(k)];
        self.grids[v.grid].handoff(v.g0.checked_add(k - v.k0)?.checked_add(1)?)
    }

    /// The instant of hand-off (turn start) `k`, or None past the engine's range or the end of
    /// a finite recurrence. Hand-offs past `endDate` are still returned (callers clip).
    pub(crate) fn handoff(&self, k: u64) -> Option<Ts> {
        let v = &self.versions[self.version_of(k)];
        match k - v.k0 {
            0 => Some(v.start),
            j => self.grids[v.grid].handoff(v.g0.checked_add(j)?),
        }
    }

    /// The turn number at `t`: the largest k with `handoff(k) <= t`, ignoring `endDate`. None
    /// before the anchor.
    pub(crate) fn index_at(&self, t: Ts) -> Option<u64> {
        if t < self.anchor {
            return None;
        }
        let v = &self.versions[self.version_at(t)];
        let g = self.grids[v.grid].index_at(t)?;
        Some(v.k0 + g.saturating_sub(v.g0))
    }

    /// [`Roster::index_at`] given the zone's offset span at `t`.
    #[inline]
    pub(crate) fn index_in(&self, t: Ts, span: (i32, i64, i64)) -> Option<u64> {
        if self.versions.len() == 1 {
            return self.grids[0].index_in(t, span);
        }
        if t < self.anchor {
            return None;
        }
        let v = &self.versions[self.version_at(t)];
        let g = self.grids[v.grid].index_in(t, span)?;
        Some(v.k0 + g.saturating_sub(v.g0))
    }

    /// The first hand-off strictly after `t` (including the anchor), if before the end.
    pub(crate) fn next_handoff(&self, t: Ts) -> Option<(u64, Ts)> {
        let vi = if t < self.anchor { 0 } else { self.version_at(t) };
        let v = &self.versions[vi];
        let within = self.grids[v.grid].next_handoff(t).map(|(g, h)| (v.k0 + g.saturating_sub(v.g0), h));
        match (within, self.versions.get(vi + 1)) {
            (Some((k, h)), Some(next)) if h < next.start => Some((k, h)),
            (_, Some(next)) => (next.start < self.end).then_some((next.k0, next.start)),
            (within, None) => within,
        }
    }

    /// Adds the versions of `changes` (in order) to a roster of one version, or reports every
    /// problem of the changes with its path into `problems` and gives None. `budget` bounds the
    /// occurrences of a custom recurrence expanded to reach the changes' `effective`s, all of
    /// them together (`maxRecurrenceWork`).
    pub(crate) fn with_changes(
        mut self,
        changes: Vec<Change>,
        budget: usize,
        problems: &mut Vec<Problem>,
    ) -> Option<Roster> {
        let before = problems.len();
        // A custom recurrence is expanded once, within the budget, to the last `effective`: the
        // whole list costs at most `budget` occurrences (plus, past the last one, the turns an
        // `after-full-rotation` waits for).
        let far = changes.iter().map(|c| c.effective.0).filter(|&e| e < self.end).max();
        if let (Grid::Custom(rec), Some(far)) = (&self.grids[0].grid, far) {
            rec.covers_within(far, budget);
        }
        let mut previous: Option<Ts> = None;
        for (i, change) in changes.into_iter().enumerate() {
            let (eff, eff_local) = change.effective;
            let at = |p: &mut Vec<Problem>, field: &str, m: String| {
                p.push(Problem::new(format!("{}.{field}", change.path), m))
            };
            if eff <= self.anchor {
                at(problems, "effective", "must be after the rotation's startDate".into());
            } else if eff >= self.end {
                at(problems, "effective", "must be before the rotation's endDate".into());
            } else if let Some(p) = previous.filter(|&p| eff <= p) {
                at(problems, "effective", format!("must be after changes[{}].effective ({})", i - 1, format_ts(p)));
            }
            previous = Some(eff);
            if problems.len() > before {
                // The order is broken: later switch instants mean nothing.
                continue;
            }
            let last = self.versions.last().map_or(self.anchor, |v| v.start);
            if eff <= last {
                at(
                    problems,
                    "effective",
                    format!("must be after {} when changes[{}] takes effect (its rollout)", format_ts(last), i - 1),
                );
                continue;
            }
            if let Grid::Custom(rec) = &self.grids[0].grid
                && !rec.covers_within(eff, 0)
            {
                at(
                    problems,
                    "effective",
                    format!(
                        "reaching it needs more than {budget} occurrences of the recurrence (limit maxRecurrenceWork)"
                    ),
                );
                continue;
            }
            match self.switch(&change, eff, eff_local) {
                Ok(version) => self.versions.push(version),
                Err(m) => at(problems, "rollout", m),
            }
        }
        (problems.len() == before).then_some(self)
    }

    /// The version a change makes (the last version is the previous one).
    fn switch(&mut self, change: &Change, eff: Ts, eff_local: NaiveDateTime) -> Result<Version, String> {
        let old = self.versions.last().ok_or("no version")?;
        let (old_grid, old_g0, old_k0, old_first) = (old.grid, old.g0, old.k0, old.first as u64);
        let old_participants = old.participants.clone();
        let n_old = old_participants.len() as u64;
        let position = |k: u64| ((old_first + (k - old_k0) % n_old) % n_old) as usize;
        // The first hand-off at or after `effective` (effective > the version's start, so it is
        // not the version's first).
        let first_at = self.index_at(eff - 1).map_or(0, |k| k + 1);
        let none = || "the rotation has no hand-off at or after effective".to_string();
        let (start, kswitch) = match change.rollout {
            Rollout::Immediate => (eff, None),
            Rollout::AfterCurrentShift => (self.handoff(first_at).ok_or_else(none)?, Some(first_at)),
            Rollout::AfterFullRotation => {
                let k = first_at + (n_old - position(first_at) as u64) % n_old;
                (self.handoff(k).ok_or_else(none)?, Some(k))
            }
        };
        if start >= self.end || start >= MAX_INSTANT {
            return Err(format!("takes effect at {}, not before the rotation's endDate", format_ts(start)));
        }
        // The last turn before the switch, and whether the switch cuts it short.
        let last = self.index_at(start - 1).ok_or("no turn before the switch")?;
        let cut = self.handoff(last + 1) != Some(start);
        let participants = change.participants.clone().unwrap_or_else(|| old_participants.clone());
        let first = continuation(&old_participants, position(last), cut, &participants);
        let grid = match change.step {
            None => old_grid,
            Some(step) => {
                let base = &self.grids[old_grid];
                let anchor_local = match kswitch {
                    None => eff_local,
                    Some(k) => nominal(base, old_g0 + (k - old_k0)).ok_or("the grid has no local time there")?,
                };
                let Grid::Fixed { unit, .. } = base.grid else {
                    return Err("a custom rotation's hand-offs come from its recurrence (no length)".into());
                };
                let tz = base.tz;
                self.grids.push(Handoffs {
                    tz,
                    anchor_local,
                    anchor: start,
                    end: self.end,
                    grid: Grid::Fixed { unit, step },
                });
                self.grids.len() - 1
            }
        };
        let g0 = self.grids[grid].index_at(start).ok_or("the grid starts after the switch")?;
        Ok(Version { start, grid, g0, k0: last + 1, participants, first, cut })
    }
}

/// The position in `new` of the first turn of a new version (see the module rules): `old` is
/// the previous order, `last` the position in it of the last turn before the switch, `cut`
/// whether the switch cut that turn short.
pub(crate) fn continuation(old: &[Slot], last: usize, cut: bool, new: &[Slot]) -> usize {
    if new.is_empty() || old.is_empty() {
        return 0;
    }
    // Positions of each participant in the new list, in order.
    let mut places: HashMap<Slot, Vec<usize>> = HashMap::new();
    for (i, &s) in new.iter().enumerate() {
        if s != Slot::Nobody {
            places.entry(s).or_default().push(i);
        }
    }
    // The ordinal of each entry of the old list among the entries equal to it.
    let mut seen: HashMap<Slot, usize> = HashMap::new();
    let ordinal: Vec<usize> = old
        .iter()
        .map(|&s| {
            let c = seen.entry(s).or_insert(0);
            *c += 1;
            *c - 1
        })
        .collect();
    let matched = |i: usize| places.get(&old[i]).map(|p| p.get(ordinal[i]).copied().unwrap_or(p[0]));
    let n = old.len();
    if cut && let Some(m) = matched(last) {
        return m;
    }
    (0..n).find_map(|back| matched((last + n - back) % n)).map_or(0, |m| (m + 1) % new.len())
}

/// The local wall-clock time of hand-off k of a fixed grid (before the wall-clock rule).
fn nominal(grid: &Handoffs, k: u64) -> Option<NaiveDateTime> {
    match grid.grid {
        Grid::Fixed { unit, step } => grid.local_handoff(unit, step, i64::try_from(k).ok()?),
        Grid::Custom(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Slot = Slot::User(0);
    const B: Slot = Slot::User(1);
    const C: Slot = Slot::User(2);
    const D: Slot = Slot::User(3);

    #[test]
    fn turns_and_instants_agree_across_versions() {
        // Hourly in New York across the spring-forward gap, with all three rollouts and length
        // changes: handoff and index_at invert each other, turn numbers go on by one.
        let config = crate::Config::from_json(
            r#"{"schedules": [{"name": "s", "timezone": "America/New_York", "rotations": [
              {"name": "r", "type": "hourly", "length": 5, "startDate": "2026-03-07T00:30", "participants": ["a", "b", "c"],
               "changes": [
                 {"effective": "2026-03-07T13:00", "rollout": "immediate", "length": 2, "participants": ["c", "d"]},
                 {"effective": "2026-03-08T01:10", "rollout": "after-current-shift", "length": 3},
                 {"effective": "2026-03-08T05:00", "rollout": "after-full-rotation", "participants": ["a", "b", "c"]},
                 {"effective": "2026-03-09T00:00", "rollout": "immediate", "participants": ["e"]}]}]}]}"#,
        )
        .unwrap();
        let roster = &config.schedules[0].rotations[0].handoffs;
        assert_eq!(roster.versions(), 5);
        let mut prev = roster.handoff(0).unwrap();
        for k in 1..60 {
            let h = roster.handoff(k).unwrap();
            assert!(h >= prev, "{k}");
            if h > prev {
                assert_eq!(roster.index_at(h - 1), Some(k - 1), "{k}");
                assert_eq!(roster.next_handoff(h - 1), Some((k, h)), "{k}");
            }
            if roster.handoff(k + 1).unwrap() > h {
                assert_eq!(roster.index_at(h), Some(k), "{k}");
            }
            prev = h;
        }
        assert_eq!(
            config
                .schedule("s")
                .unwrap()
                .on_call("2026-03-09T12:00:00Z".parse().unwrap())
                .unwrap()
                .flat()
                .on_call_recipients,
            ["e"]
        );
    }

    #[test]
    fn continuation_follows_the_new_list() {
        // Appending: after bob comes carol; after carol comes the newcomer.
        assert_eq!(continuation(&[A, B, C], 1, false, &[A, B, C, D]), 2);
        assert_eq!(continuation(&[A, B, C], 2, false, &[A, B, C, D]), 3);
        // Removing the one who served last: the order goes on after the one before them.
        assert_eq!(continuation(&[A, B, C], 1, false, &[A, C]), 1);
        // Cut short: the same person goes on when still listed, else the next.
        assert_eq!(continuation(&[A, B, C], 1, true, &[C, B, A]), 1);
        assert_eq!(continuation(&[A, B, C], 1, true, &[A, C]), 1);
        // Nobody in common: the new list from the top.
        assert_eq!(continuation(&[A, B], 0, false, &[C, D]), 0);
        // `none` entries match nothing.
        assert_eq!(continuation(&[A, Slot::Nobody], 1, false, &[Slot::Nobody, A, B]), 2);
        // Repeated participants: the o-th occurrence matches the o-th.
        assert_eq!(continuation(&[A, B, A, C], 2, false, &[A, B, A, C, D]), 3);
        assert_eq!(continuation(&[A, B, A, C], 2, false, &[B, A, C]), 2);
    }
}
