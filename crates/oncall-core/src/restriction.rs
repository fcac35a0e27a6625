//! Time restrictions: the local wall-clock windows inside which a rotation is active.
//!
//! Two Opsgenie shapes, evaluated in the rotation's zone:
//!
//! * `time-of-day`: the same window every day. An end earlier than the start is an overnight
//!   window (22:00–06:00 runs to 06:00 the next day); a start equal to the end is the whole day.
//! * `weekday-and-time-of-day`: each entry is one continuous span from (startDay, start time)
//!   forward to (endDay, end time), wrapping past Sunday; a start equal to the end is the whole
//!   week. Several entries form their union.
//!
//! `endHour: 24, endMin: 0` is the end of the day. Each window's start is resolved with
//! [`Edge::Start`] and its end with [`Edge::End`] (see [`crate::time`]), so a window over a
//! fall-back fold includes both occurrences of the repeated hour it ends in.
//!
//! Restrictions mask a rotation's shifts; they never move or extend them.

use crate::time::{Edge, Ts, resolve};
use chrono_tz::Tz;

const DAY: i64 = 1440;
const WEEK: i64 = 7 * DAY;

/// Resolves local seconds with the fast table, or chrono-tz when the table cannot decide.
fn resolve_secs_or_chrono(tz: Tz, l: i64, edge: Edge) -> Ts {
    crate::time::resolve_secs(tz, l, edge).unwrap_or_else(|| {
        let naive = chrono::DateTime::from_timestamp(l, 0).unwrap_or_default().naive_utc();
        resolve(tz, naive, edge)
    })
}

/// A compiled restriction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Restriction {
    /// No restriction: active all the time.
    Always,
    /// Daily window: start minute of day, and length in minutes (1..1440).
    Daily((i64, i64)),
    /// Weekly spans: (start minute of the week from Monday 00:00, length in minutes), sorted.
    Weekly(Vec<(i64, i64)>),
}

impl Restriction {
    /// A daily window from minute `start` to minute `end` of the day (end may be 1440).
    pub(crate) fn daily(start: i64, end: i64) -> Restriction {
        let len = (end - start).rem_euclid(DAY);
        if len == 0 { Restriction::Always } else { Restriction::Daily((start, len)) }
    }

    /// Weekly spans given as (start minute of week, end minute of week).
    pub(crate) fn weekly(spans: &[(i64, i64)]) -> Restriction {
        let mut out = Vec::new();
        for &(s, e) in spans {
            let len = (e - s).rem_euclid(WEEK);
            if len == 0 {
                return Restriction::Always;
            }
            out.push((s.rem_euclid(WEEK), len));
        }
        out.sort_unstable();
        Restriction::Weekly(out)
    }

    /// The windows whose local start lies in `[lo, hi]` (local wall-clock seconds), as
    /// instants: starts resolved as starts, ends as ends (see [`crate::time`]).
    /// The period in seconds, the (start minute, length in minutes) spans, and the shift from
    /// local second 0 to the period's origin (weeks count from Monday; 1970-01-01 was a
    /// Thursday).
    fn phases(&self) -> (i64, &[(i64, i64)], i64) {
        match self {
            Restriction::Always => (DAY * 60, &[], 0),
            Restriction::Daily(span) => (DAY * 60, std::slice::from_ref(span), 0),
            Restriction::Weekly(spans) => (WEEK * 60, spans, 3 * 86_400),
        }
    }

    fn windows_starting(&self, tz: Tz, lo: i64, hi: i64, out: &mut Vec<(Ts, Ts)>) {
        let mut push = |start: i64, len: i64| {
            out.push((
                resolve_secs_or_chrono(tz, start, Edge::Start),
                resolve_secs_or_chrono(tz, start + len * 60, Edge::End),
            ));
        };
        let (period, spans, shift) = self.phases();
        for &(start_min, len) in spans {
            let phase = start_min * 60 - shift;
            let mut start = lo + (phase - lo).rem_euclid(period);
            while start <= hi {
                push(start, len);
                start += period;
            }
        }
    }

    /// How far before a local time a window covering it may have started, in seconds.
    fn reach_secs(&self) -> i64 {
        match self {
            Restriction::Weekly(_) => 8 * 86_400,
            _ => 2 * 86_400,
        }
    }

    /// The merged windows overlapping `[from, to)`, unclipped, in order.
    pub(crate) fn windows(&self, tz: Tz, from: Ts, to: Ts) -> Vec<(Ts, Ts)> {
        if *self == Restriction::Always {
            return vec![(from, to)];
        }
        let lo = crate::time::local_secs(tz, from) - self.reach_secs();
        let hi = crate::time::local_secs(tz, to) + 86_400;
        let mut raw = Vec::new();
        self.windows_starting(tz, lo, hi, &mut raw);
        raw.sort_unstable();
        let mut merged: Vec<(Ts, Ts)> = Vec::with_capacity(raw.len());
        for (s, e) in raw {
            if e <= s {
                continue;
            }
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        merged.retain(|&(s, e)| e > from && s < to);
        merged
    }

    /// The longest window, in seconds.
    fn longest(&self) -> i64 {
        match self {
            Restriction::Always => 0,
            Restriction::Daily((_, len)) => len * 60,
            Restriction::Weekly(spans) => spans.iter().map(|&(_, len)| len * 60).max().unwrap_or(0),
        }
    }

    /// The zone's offset at `t` when it is constant over `[t - before, t + after]`; then every
    /// local time whose instant can fall in that range has exactly one instant, offset by that
    /// single offset (offset changes are smaller than a day), and window questions reduce to
    /// arithmetic on local seconds.
    #[inline]
    fn steady_offset(tz: Tz, t: Ts, before: i64, after: i64) -> Option<(i64, i64)> {
        let (off, start, end) = crate::zone::Table::of(tz).offset_span(t);
        (t.saturating_sub(start) >= before && end.saturating_sub(t) > after).then_some((i64::from(off), end))
    }

    /// Whether local wall-clock seconds `l` lie inside a window, by arithmetic.
    #[inline]
    fn contains_local(&self, l: i64) -> bool {
        match self {
            Restriction::Always => true,
            Restriction::Daily((start, len)) => (l - start * 60).rem_euclid(DAY * 60) < len * 60,
            Restriction::Weekly(spans) => {
                // 1970-01-01 was a Thursday: day 3 of a week counted from Monday.
                let w = (l + 3 * 86_400).rem_euclid(WEEK * 60);
                spans.iter().any(|&(s, len)| (w - s * 60).rem_euclid(WEEK * 60) < len * 60)
            }
        }
    }

    /// The first window edge strictly after local seconds `l` (edges inside a union of
    /// overlapping windows included: they change nothing, so they are harmless).
    #[inline]
    fn next_edge_local(&self, l: i64) -> Option<i64> {
        let next = |phase: i64, period: i64, pos: i64| l + (phase - pos - 1).rem_euclid(period) + 1;
        match self {
            Restriction::Always => None,
            Restriction::Daily((start, len)) => {
                let pos = l.rem_euclid(DAY * 60);
                Some(next(start * 60, DAY * 60, pos).min(next((start + len) * 60 % (DAY * 60), DAY * 60, pos)))
            }
            Restriction::Weekly(spans) => {
                let pos = (l + 3 * 86_400).rem_euclid(WEEK * 60);
                spans
                    .iter()
                    .flat_map(|&(s, len)| [s * 60, (s + len) * 60 % (WEEK * 60)])
                    .map(|phase| next(phase, WEEK * 60, pos))
                    .min()
            }
        }
    }

    /// Whether `t` lies inside a window.
    pub(crate) fn contains(&self, tz: Tz, t: Ts) -> bool {
        match self {
            Restriction::Always => true,
            _ => self.contains_in(tz, t, crate::zone::Table::of(tz).offset_span(t)),
        }
    }

    /// [`Restriction::contains`] given the zone's offset span at `t` (see
    /// [`crate::zone::Table::offset_span`]).
    #[inline]
    pub(crate) fn contains_in(&self, tz: Tz, t: Ts, (off, start, end): (i32, i64, i64)) -> bool {
        match self {
            Restriction::Always => true,
            _ => {
                // A window holding `t` starts at most `longest` before it; local times within a
                // day of that range cover every candidate edge.
                if t.saturating_sub(start) >= self.longest() + 2 * 86_400 && end.saturating_sub(t) > 2 * 86_400 {
                    return self.contains_local(t + i64::from(off));
                }
                // Near a transition: resolve the edges of the few windows that can hold `t`
                // (local start within a day after its local time, and local end within a day
                // before it at the latest).
                let l = crate::time::local_secs(tz, t);
                let (period, spans, shift) = self.phases();
                spans.iter().any(|&(start_min, len)| {
                    let phase = start_min * 60 - shift;
                    let mut start = l + 86_400 - (l + 86_400 - phase).rem_euclid(period);
                    while start + len * 60 + 86_400 > l {
                        let s = resolve_secs_or_chrono(tz, start, Edge::Start);
                        if s <= t && t < resolve_secs_or_chrono(tz, start + len * 60, Edge::End) {
                            return true;
                        }
                        start -= period;
                    }
                    false
                })
            }
        }
    }

    /// The first window boundary (start or end) strictly after `t`, looking eight days ahead.
    pub(crate) fn next_boundary(&self, tz: Tz, t: Ts) -> Option<Ts> {
        if *self == Restriction::Always {
            return None;
        }
        if let Some((off, end)) = Self::steady_offset(tz, t, self.longest() + 2 * 86_400, 2 * 86_400) {
            // Exact when the edge, and a day beyond it, is still inside the steady span.
            if let Some(edge) = self.next_edge_local(t + off).map(|l| l - off)
                && edge.saturating_add(86_400) < end
            {
                return Some(edge);
            }
        }
        let horizon = t + 9 * 86_400;
        self.windows(tz, t, horizon).into_iter().flat_map(|(s, e)| [s, e]).find(|&b| b > t && b < horizon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_ts, parse_ts, parse_zone};

    fn ts(s: &str) -> Ts {
        parse_ts(s, parse_zone("UTC").unwrap(), Edge::Start).unwrap()
    }
    fn fmt(w: &[(Ts, Ts)]) -> Vec<String> {
        w.iter().map(|&(s, e)| format!("{}..{}", format_ts(s), format_ts(e))).collect()
    }

    #[test]
    fn overnight_daily_window() {
        let r = Restriction::daily(22 * 60, 6 * 60);
        let tz = parse_zone("Europe/London").unwrap();
        let w = r.windows(tz, ts("2026-07-01T00:00:00Z"), ts("2026-07-02T00:00:00Z"));
        assert_eq!(
            fmt(&w),
            ["2026-06-30T21:00:00Z..2026-07-01T05:00:00Z", "2026-07-01T21:00:00Z..2026-07-02T05:00:00Z"]
        );
        assert!(r.contains(tz, ts("2026-07-01T04:59:59Z")));
        assert!(!r.contains(tz, ts("2026-07-01T05:00:00Z")));
        assert_eq!(r.next_boundary(tz, ts("2026-07-01T05:00:00Z")), Some(ts("2026-07-01T21:00:00Z")));
    }

    #[test]
    fn whole_day_and_whole_week_are_no_restriction() {
        assert_eq!(Restriction::daily(9 * 60, 9 * 60), Restriction::Always);
        assert_eq!(Restriction::daily(0, 1440), Restriction::Always);
        assert_eq!(Restriction::weekly(&[(2 * DAY + 60, 2 * DAY + 60)]), Restriction::Always);
    }

    #[test]
    fn fold_window_ends_at_last_occurrence() {
        // 00:00-01:30 on the US fall-back day lasts 2.5 hours.
        let r = Restriction::daily(0, 90);
        let tz = parse_zone("America/New_York").unwrap();
        let w = r.windows(tz, ts("2026-11-01T04:00:00Z"), ts("2026-11-01T10:00:00Z"));
        assert_eq!(fmt(&w), ["2026-11-01T04:00:00Z..2026-11-01T06:30:00Z"]);
    }

    #[test]
    fn weekday_span_wraps_past_sunday() {
        // Friday 17:00 -> Monday 08:00 in Berlin (winter, +01:00).
        let r = Restriction::weekly(&[(4 * DAY + 17 * 60, 8 * 60)]);
        let tz = parse_zone("Europe/Berlin").unwrap();
        let w = r.windows(tz, ts("2026-11-09T00:00:00Z"), ts("2026-11-16T00:00:00Z"));
        assert_eq!(
            fmt(&w),
            ["2026-11-06T16:00:00Z..2026-11-09T07:00:00Z", "2026-11-13T16:00:00Z..2026-11-16T07:00:00Z"]
        );
        assert!(r.contains(tz, ts("2026-11-15T12:00:00Z")));
        assert!(!r.contains(tz, ts("2026-11-11T12:00:00Z")));
    }

    #[test]
    fn overlapping_spans_merge() {
        let r = Restriction::weekly(&[(0, 2 * DAY), (DAY, 3 * DAY)]);
        let tz = parse_zone("UTC").unwrap();
        let w = r.windows(tz, ts("2026-11-09T00:00:00Z"), ts("2026-11-13T00:00:00Z"));
        assert_eq!(fmt(&w), ["2026-11-09T00:00:00Z..2026-11-12T00:00:00Z"]);
    }
}
