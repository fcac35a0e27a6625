//! Rotations: the hand-off grid and whose turn it is.
//!
//! `startDate` is the anchor. Hand-off k (k = 0, 1, 2, …) is at local(anchor) + k × length ×
//! unit, computed in **wall-clock** terms in the rotation's zone and then mapped to an instant by
//! the wall-clock rule ([`crate::time`]), except hand-off 0, which is the `startDate` instant
//! itself (so a `startDate` on the second pass of a fall-back fold starts the rotation then, not
//! at the first pass), and no hand-off is earlier than it: a later local time of the same fold
//! takes its second occurrence too. This holds for hourly rotations too: a 12-hour rotation
//! anchored at 09:00 hands off at 09:00 and 21:00 local all year, so its shift across a DST
//! change lasts 11 or 13 real hours. Monthly hand-offs fall on the anchor's day of the month,
//! clamped to the month's last day (Jan 31 → Feb 28 → Mar 31 → Apr 30). Custom rotations take
//! their hand-offs from an RFC 5545 recurrence ([`crate::recurrence`]).
//!
//! Hand-offs are always computed from the anchor, never by chaining, so there is no drift, and
//! finding the shift at an instant is arithmetic: estimate k from the local time, then correct by
//! at most a few steps. Its cost does not depend on how old the anchor is.
//!
//! The shift that starts at hand-off k belongs to `participants[k mod n]`. Before the anchor and
//! from `endDate` on, the rotation has nobody. A zero-length shift (two hand-offs mapped to the
//! same instant by a DST gap) still consumes its turn. A rotation with roster `changes` is a
//! sequence of such grids, one per version ([`crate::roster`]).

use crate::recurrence::Recurrence;
use crate::time::{Edge, MAX_INSTANT, Ts, local, resolve};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

/// The unit a fixed grid steps in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Only from a custom recurrence that is a plain minutely grid (see
    /// [`crate::recurrence::fixed_step`]).
    Minutes,
    Hours,
    Days,
    Months,
}

/// How hand-offs are spaced.
#[derive(Debug)]
pub(crate) enum Grid {
    /// Every `step` units of wall-clock time.
    Fixed { unit: Unit, step: i64 },
    /// An RFC 5545 recurrence.
    Custom(Box<Recurrence>),
}

/// The hand-off grid of one rotation: anchor, optional end, spacing, zone.
#[derive(Debug)]
pub(crate) struct Handoffs {
    pub(crate) tz: Tz,
    pub(crate) anchor_local: NaiveDateTime,
    pub(crate) anchor: Ts,
    /// Exclusive end (MAX_INSTANT when open-ended).
    pub(crate) end: Ts,
    pub(crate) grid: Grid,
}

/// One shift: its turn number and its instants, `[start, end)`.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shift {
    pub(crate) k: u64,
    pub(crate) start: Ts,
    pub(crate) end: Ts,
}

impl Handoffs {
    /// The local wall-clock time of hand-off k of a fixed grid.
    pub(crate) fn local_handoff(&self, unit: Unit, step: i64, k: i64) -> Option<NaiveDateTime> {
        let n = k.checked_mul(step)?;
        match unit {
            Unit::Minutes => self.anchor_local.checked_add_signed(Duration::try_minutes(n)?),
            Unit::Hours => self.anchor_local.checked_add_signed(Duration::try_hours(n)?),
            Unit::Days => self.anchor_local.checked_add_signed(Duration::try_days(n)?),
            Unit::Months => {
                let a = self.anchor_local.date();
                let months = i64::from(a.year()) * 12 + i64::from(a.month0()) + n;
                let year = i32::try_from(months.div_euclid(12)).ok()?;
                let month0 = u32::try_from(months.rem_euclid(12)).ok()?;
                let day = a.day().min(days_in_month(year, month0 + 1)?);
                Some(NaiveDate::from_ymd_opt(year, month0 + 1, day)?.and_time(self.anchor_local.time()))
            }
        }
    }

    /// The length of one step of a fixed hourly or daily grid in wall-clock seconds.
    #[inline]
    fn step_secs(&self) -> Option<i64> {
        match self.grid {
            Grid::Fixed { unit: Unit::Minutes, step } => step.checked_mul(60),
            Grid::Fixed { unit: Unit::Hours, step } => step.checked_mul(3_600),
            Grid::Fixed { unit: Unit::Days, step } => step.checked_mul(86_400),
            _ => None,
        }
    }

    /// The instant of hand-off k, or None past the end of the engine's range or of a finite
    /// recurrence. Hand-offs past `endDate` are still returned (callers clip).
    pub(crate) fn handoff(&self, k: u64) -> Option<Ts> {
        let t = match &self.grid {
            Grid::Fixed { .. } if self.step_secs().is_some() => {
                // Wall-clock arithmetic on local seconds: the same as adding days or hours to
                // a naive date-time, without building one.
                let step = self.step_secs()?;
                let l =
                    self.anchor_local.and_utc().timestamp().checked_add(i64::try_from(k).ok()?.checked_mul(step)?)?;
                let edge = |edge| match crate::time::resolve_secs(self.tz, l, edge) {
                    Some(t) => Some(t),
                    None => Some(resolve(self.tz, chrono::DateTime::from_timestamp(l, 0)?.naive_utc(), edge)),
                };
                let t = edge(Edge::Start)?;
                if t < self.anchor { edge(Edge::End)? } else { t }
            }
            Grid::Fixed { unit, step } => {
                let l = self.local_handoff(*unit, *step, i64::try_from(k).ok()?)?;
                after_anchor(self.tz, l, self.anchor)
            }
            Grid::Custom(r) => r.handoff(k)?,
        };
        // Hand-off 0 is the anchor instant itself, and no hand-off comes before it: an anchor on
        // the second pass of a fall-back fold has a local time whose first occurrence is earlier.
        let t = if k == 0 { self.anchor } else { t.max(self.anchor) };
        (t < MAX_INSTANT).then_some(t)
    }

    /// The turn number at `t`: the largest k with handoff(k) <= t, ignoring `endDate`.
    /// None before the anchor.
    pub(crate) fn index_at(&self, t: Ts) -> Option<u64> {
        if t < self.anchor {
            return None;
        }
        match &self.grid {
            Grid::Custom(r) => r.index_at(t),
            Grid::Fixed { .. } if self.step_secs().is_some() => {
                self.index_in(t, crate::zone::Table::of(self.tz).offset_span(t))
            }
            Grid::Fixed { unit, step } => {
                let lt = local(self.tz, t);
                let est = match unit {
                    Unit::Minutes => (lt - self.anchor_local).num_minutes() / step,
                    Unit::Hours => (lt - self.anchor_local).num_hours() / step,
                    Unit::Days => (lt - self.anchor_local).num_days() / step,
                    Unit::Months => {
                        let a = self.anchor_local.date();
                        let m = (i64::from(lt.year()) - i64::from(a.year())) * 12 + i64::from(lt.month0())
                            - i64::from(a.month0());
                        m / step
                    }
                };
                self.correct(est, t)
            }
        }
    }

    /// [`Handoffs::index_at`] given the zone's offset span at `t`.
    #[inline]
    pub(crate) fn index_in(&self, t: Ts, (off, start, end): (i32, i64, i64)) -> Option<u64> {
        if t < self.anchor {
            return None;
        }
        match self.step_secs() {
            None => self.index_at(t),
            Some(step) => {
                let anchor = self.anchor_local.and_utc().timestamp();
                let k = (t + i64::from(off) - anchor).div_euclid(step).max(0);
                // Exact without resolving when hand-offs k and k + 1 (and a day around them) lie
                // in the offset span of `t`: each of their local times then has one instant.
                let first = anchor + k * step - i64::from(off) - 86_400;
                let last = anchor + (k + 1) * step - i64::from(off) + 86_400;
                if first >= start && last < end {
                    return u64::try_from(k).ok();
                }
                self.correct(k, t)
            }
        }
    }

    /// Corrects an estimated turn number: the estimate is off by at most a few steps around
    /// offset changes.
    fn correct(&self, estimate: i64, t: Ts) -> Option<u64> {
        let mut k = u64::try_from(estimate.max(0)).unwrap_or(0);
        while k > 0 && self.handoff(k).is_none_or(|h| h > t) {
            k -= 1;
        }
        while self.handoff(k + 1).is_some_and(|h| h <= t) {
            k += 1;
        }
        Some(k)
    }

    /// The shift in force at `t`, if the rotation is running (inside `[anchor, end)`).
    #[cfg(test)]
    pub(crate) fn shift_at(&self, t: Ts) -> Option<Shift> {
        if t >= self.end {
            return None;
        }
        let k = self.index_at(t)?;
        let start = self.handoff(k)?;
        let end = self.handoff(k + 1).unwrap_or(MAX_INSTANT).min(self.end);
        Some(Shift { k, start, end })
    }

    /// The first hand-off strictly after `t` (including the anchor), if before the end.
    pub(crate) fn next_handoff(&self, t: Ts) -> Option<(u64, Ts)> {
        let mut k = match self.index_at(t) {
            None => 0,
            Some(k) => k + 1,
        };
        loop {
            let h = self.handoff(k)?;
            if h >= self.end {
                return None;
            }
            if h > t {
                return Some((k, h));
            }
            k += 1;
        }
    }
}

/// The instant of a hand-off's local time `l` after an anchor instant: its first occurrence,
/// or, when that is before the anchor (an anchor on the second pass of a fold, `l` later in the
/// same fold), its last occurrence; never before the anchor.
pub(crate) fn after_anchor(tz: Tz, l: NaiveDateTime, anchor: Ts) -> Ts {
    let t = resolve(tz, l, Edge::Start);
    if t < anchor { resolve(tz, l, Edge::End).max(anchor) } else { t }
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    u32::try_from((next - first).num_days()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_ts, parse_ts, parse_zone};

    fn grid(zone: &str, anchor: &str, unit: Unit, step: i64) -> Handoffs {
        let tz = parse_zone(zone).unwrap();
        let anchor_local = NaiveDateTime::parse_from_str(anchor, "%Y-%m-%dT%H:%M").unwrap();
        Handoffs {
            tz,
            anchor_local,
            anchor: resolve(tz, anchor_local, Edge::Start),
            end: MAX_INSTANT,
            grid: Grid::Fixed { unit, step },
        }
    }
    fn ts(s: &str) -> Ts {
        parse_ts(s, parse_zone("UTC").unwrap(), Edge::Start).unwrap()
    }
    fn handoffs(g: &Handoffs, ks: std::ops::Range<u64>) -> Vec<String> {
        ks.map(|k| format_ts(g.handoff(k).unwrap())).collect()
    }

    #[test]
    fn monthly_clamps_to_month_end() {
        let g = grid("UTC", "2026-01-31T09:00", Unit::Months, 1);
        assert_eq!(
            handoffs(&g, 0..5),
            [
                "2026-01-31T09:00:00Z",
                "2026-02-28T09:00:00Z",
                "2026-03-31T09:00:00Z",
                "2026-04-30T09:00:00Z",
                "2026-05-31T09:00:00Z"
            ]
        );
        assert_eq!(g.index_at(ts("2026-03-30T09:00:00Z")), Some(1));
        assert_eq!(g.index_at(ts("2026-03-31T09:00:00Z")), Some(2));
    }

    #[test]
    fn twelve_hour_rotation_keeps_local_times_over_dst() {
        let g = grid("America/New_York", "2026-03-07T09:00", Unit::Hours, 12);
        assert_eq!(
            handoffs(&g, 0..4),
            ["2026-03-07T14:00:00Z", "2026-03-08T02:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T01:00:00Z"]
        );
        assert_eq!(g.index_at(ts("2026-03-08T12:59:59Z")), Some(1));
        assert_eq!(g.index_at(ts("2026-03-08T13:00:00Z")), Some(2));
    }

    #[test]
    fn old_anchor_is_arithmetic() {
        let g = grid("Europe/Berlin", "2000-01-03T09:00", Unit::Days, 7);
        let k = g.index_at(ts("2026-11-10T12:00:00Z")).unwrap();
        assert_eq!(format_ts(g.handoff(k).unwrap()), "2026-11-09T08:00:00Z");
        assert_eq!(g.next_handoff(ts("2026-11-10T12:00:00Z")).map(|x| format_ts(x.1)).unwrap(), "2026-11-16T08:00:00Z");
    }

    #[test]
    fn plain_recurrences_seek_like_the_rrule_expansion() {
        // A custom rule that is a plain grid is answered by arithmetic; the rrule expansion
        // (replayed from the anchor) gives the same hand-offs, across DST in several zones.
        for zone in ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Havana"] {
            for (rule, anchor) in [
                ("FREQ=MINUTELY;INTERVAL=15", "2026-03-01T00:07"),
                ("FREQ=HOURLY;INTERVAL=5", "2026-03-01T01:30"),
                ("RRULE:FREQ=DAILY", "2026-03-01T00:30"),
                ("FREQ=WEEKLY;INTERVAL=2;WKST=MO", "2026-02-27T02:30"),
            ] {
                let (unit, step) = crate::recurrence::fixed_step(rule).unwrap();
                let fixed = grid(zone, anchor, unit, step);
                let tz = parse_zone(zone).unwrap();
                let mut custom = grid(zone, anchor, unit, step);
                let rec = crate::recurrence::Recurrence::parse(rule, custom.anchor_local, tz, None).unwrap();
                custom.grid = Grid::Custom(Box::new(rec));
                let n = if unit == Unit::Minutes { 40_000 } else { 3_000 };
                assert_eq!(handoffs(&fixed, 0..n), handoffs(&custom, 0..n), "{zone} {rule}");
                for k in (0..n).step_by(97) {
                    let t = fixed.handoff(k).unwrap();
                    assert_eq!(fixed.index_at(t + 1), custom.index_at(t + 1), "{zone} {rule} {k}");
                }
            }
        }
        for rule in ["FREQ=WEEKLY;BYDAY=MO", "FREQ=DAILY;COUNT=3", "FREQ=MONTHLY", "FREQ=DAILY\nEXDATE:20260302T003000"]
        {
            assert!(crate::recurrence::fixed_step(&rule.replace("\\n", "\n")).is_none(), "{rule}");
        }
    }

    #[test]
    fn a_dense_rule_anchored_in_1900_answers_in_2199_by_seeking() {
        let (unit, step) = crate::recurrence::fixed_step("FREQ=MINUTELY;INTERVAL=15").unwrap();
        let g = grid("America/Chicago", "1900-01-01T00:00", unit, step);
        let t = ts("2199-06-01T12:07:00Z");
        let k = g.index_at(t).unwrap();
        assert!(g.handoff(k).unwrap() <= t && g.handoff(k + 1).unwrap() > t);
        assert_eq!(format_ts(g.handoff(k + 1).unwrap()), "2199-06-01T12:15:00Z");
    }

    #[test]
    fn before_anchor_and_after_end() {
        let mut g = grid("UTC", "2026-01-01T00:00", Unit::Days, 1);
        g.end = ts("2026-01-03T00:00:00Z");
        assert_eq!(g.shift_at(ts("2025-12-31T23:59:59Z")), None);
        assert_eq!(g.shift_at(ts("2026-01-03T00:00:00Z")), None);
        let s = g.shift_at(ts("2026-01-02T05:00:00Z")).unwrap();
        assert_eq!((s.k, format_ts(s.end)), (1, "2026-01-03T00:00:00Z".to_string()));
        assert_eq!(g.next_handoff(ts("2026-01-02T05:00:00Z")), None);
        assert_eq!(g.next_handoff(ts("2025-01-01T00:00:00Z")).map(|x| x.0), Some(0));
    }
}
