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

use crate::time::{Edge, Ts, local, resolve};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

const DAY: i64 = 1440;
const WEEK: i64 = 7 * DAY;

/// A compiled restriction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Restriction {
    /// No restriction: active all the time.
    Always,
    /// Daily window: start minute of day, and length in minutes (1..1440).
    Daily { start: i64, len: i64 },
    /// Weekly spans: (start minute of the week from Monday 00:00, length in minutes), sorted.
    Weekly(Vec<(i64, i64)>),
}

impl Restriction {
    /// A daily window from minute `start` to minute `end` of the day (end may be 1440).
    pub(crate) fn daily(start: i64, end: i64) -> Restriction {
        let len = (end - start).rem_euclid(DAY);
        if len == 0 { Restriction::Always } else { Restriction::Daily { start, len } }
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

    /// The windows that start on local dates `first..=last`, as instants, sorted by start.
    fn windows_starting(&self, tz: Tz, first: NaiveDate, last: NaiveDate, out: &mut Vec<(Ts, Ts)>) {
        let window = |day: NaiveDate, start_min: i64, len: i64| -> Option<(Ts, Ts)> {
            let s: NaiveDateTime = day.and_hms_opt(0, 0, 0)? + Duration::minutes(start_min);
            let e = s + Duration::minutes(len);
            Some((resolve(tz, s, Edge::Start), resolve(tz, e, Edge::End)))
        };
        let mut day = first;
        while day <= last {
            match self {
                Restriction::Always => {}
                Restriction::Daily { start, len } => out.extend(window(day, *start, *len)),
                Restriction::Weekly(spans) => {
                    let dow = i64::from(day.weekday().num_days_from_monday());
                    for &(s, len) in spans {
                        if s / DAY == dow {
                            out.extend(window(day, s % DAY, len));
                        }
                    }
                }
            }
            match day.succ_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
    }

    /// How many days before a local date a window covering it may have started.
    fn reach_days(&self) -> i64 {
        match self {
            Restriction::Weekly(_) => 8,
            _ => 2,
        }
    }

    /// The merged windows overlapping `[from, to)`, unclipped, in order.
    pub(crate) fn windows(&self, tz: Tz, from: Ts, to: Ts) -> Vec<(Ts, Ts)> {
        if *self == Restriction::Always {
            return vec![(from, to)];
        }
        let first = local(tz, from).date() - Duration::days(self.reach_days());
        let last = local(tz, to).date() + Duration::days(1);
        let mut raw = Vec::new();
        self.windows_starting(tz, first, last, &mut raw);
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

    /// Whether `t` lies inside a window.
    pub(crate) fn contains(&self, tz: Tz, t: Ts) -> bool {
        match self {
            Restriction::Always => true,
            _ => {
                let day = local(tz, t).date();
                let mut raw = Vec::new();
                self.windows_starting(tz, day - Duration::days(self.reach_days()), day + Duration::days(1), &mut raw);
                raw.iter().any(|&(s, e)| s <= t && t < e)
            }
        }
    }

    /// The first window boundary (start or end) strictly after `t`, looking eight days ahead.
    pub(crate) fn next_boundary(&self, tz: Tz, t: Ts) -> Option<Ts> {
        if *self == Restriction::Always {
            return None;
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
