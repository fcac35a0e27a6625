//! Fast zone arithmetic: each zone's UTC offsets as a table of transitions.
//!
//! `chrono-tz` answers offset questions correctly but is slow for a hot path and does not expose
//! its transition list. The first time a zone is used, its transitions from 1900 to 2200 are
//! found by probing `chrono-tz` every week and bisecting each change to the second (about a
//! millisecond per zone, once per process); afterwards an offset is a binary search over a few
//! hundred instants. Results are identical to `chrono-tz`: [`crate::time`]'s resolver falls back
//! to it whenever the table cannot decide alone (two transitions within two days).

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::{TZ_VARIANTS, Tz};
use std::sync::OnceLock;

/// Local wall-clock time as seconds since 1970-01-01T00:00 local (a "naive" timeline).
pub(crate) type Local = i64;

const START: i64 = -2_208_988_800 - 86_400; // 1899-12-31
const END: i64 = 7_258_118_400 + 86_400; // 2200-01-02
const PROBE: i64 = 7 * 86_400;

/// The offsets of one zone.
#[derive(Debug)]
pub(crate) struct Table {
    /// Instants at which the offset changes, ascending.
    trans: Vec<i64>,
    /// `offs[i]` is the offset before `trans[i]` (and after `trans[i - 1]`); one more than `trans`.
    offs: Vec<i32>,
}

static TABLES: [OnceLock<Table>; TZ_VARIANTS.len()] = [const { OnceLock::new() }; TZ_VARIANTS.len()];

fn chrono_offset(tz: Tz, t: i64) -> i32 {
    let utc = DateTime::from_timestamp(t, 0).unwrap_or_default().naive_utc();
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

impl Table {
    fn build(tz: Tz) -> Table {
        let mut trans = Vec::new();
        let mut offs = vec![chrono_offset(tz, START)];
        let mut t = START;
        let mut off = offs[0];
        while t < END {
            let next = (t + PROBE).min(END);
            let o = chrono_offset(tz, next);
            if o != off {
                // Bisect the change to the second: offset(lo) == off, offset(hi) == o.
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if chrono_offset(tz, mid) == off { lo = mid } else { hi = mid }
                }
                trans.push(hi);
                offs.push(o);
                off = o;
            }
            t = next;
        }
        Table { trans, offs }
    }

    /// The table of `tz`.
    pub(crate) fn of(tz: Tz) -> &'static Table {
        TABLES[tz as usize].get_or_init(|| Table::build(tz))
    }

    /// The index of the span holding instant `t`.
    #[inline]
    fn span(&self, t: i64) -> usize {
        self.trans.partition_point(|&x| x <= t)
    }

    /// The offset in force at `t`, and the span `[start, end)` of instants sharing it.
    #[inline]
    pub(crate) fn offset_span(&self, t: i64) -> (i32, i64, i64) {
        let i = self.span(t);
        let start = if i == 0 { i64::MIN } else { self.trans[i - 1] };
        let end = self.trans.get(i).copied().unwrap_or(i64::MAX);
        (self.offs[i], start, end)
    }

    /// The offset in force at `t`.
    #[inline]
    pub(crate) fn offset(&self, t: i64) -> i32 {
        self.offs[self.span(t)]
    }

    /// Local wall-clock seconds of instant `t`.
    #[inline]
    pub(crate) fn local(&self, t: i64) -> Local {
        t + i64::from(self.offset(t))
    }

    /// Maps a local time to an instant: the first instant after a gap; in a fold the first
    /// occurrence (`later == false`) or the last (`later == true`). None when the table alone
    /// cannot decide (two transitions within two days of each other).
    #[inline]
    pub(crate) fn resolve(&self, l: Local, later: bool) -> Option<i64> {
        // Every instant whose local time is `l` lies in [l - 14 h, l + 12 h].
        let before = self.offset(l - 86_400);
        let after = self.offset(l + 86_400);
        let u1 = l - i64::from(before);
        if before == after {
            return (self.offset(u1) == before).then_some(u1);
        }
        let u2 = l - i64::from(after);
        let v1 = self.offset(u1) == before;
        let v2 = self.offset(u2) == after;
        match (v1, v2) {
            (true, true) => Some(if later { u1.max(u2) } else { u1.min(u2) }),
            (true, false) => Some(u1),
            (false, true) => Some(u2),
            (false, false) => {
                // A gap: the first instant after it is the transition between the two offsets.
                let i = self.span(u1.max(u2));
                let t = *self.trans.get(i.checked_sub(1)?)?;
                (t > u1.min(u2) && self.offs[i - 1] == before && self.offs[i] == after).then_some(t)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Edge, resolve_chrono};
    use chrono::NaiveDateTime;

    /// The table agrees with chrono-tz on every hour (and around every transition) of a range.
    #[test]
    fn agrees_with_chrono_tz() {
        for name in [
            "America/New_York",
            "Europe/London",
            "Australia/Lord_Howe",
            "America/Santiago",
            "America/Havana",
            "Asia/Kolkata",
            "Africa/Casablanca",
            "Pacific/Apia",
            "UTC",
        ] {
            let tz: Tz = name.parse().unwrap();
            let table = Table::of(tz);
            for t in (1_640_995_200..1_830_297_600i64).step_by(3_600 * 7 + 13) {
                assert_eq!(table.offset(t), chrono_offset(tz, t), "{name} offset at {t}");
                let l = table.local(t);
                for (later, edge) in [(false, Edge::Start), (true, Edge::End)] {
                    let naive = DateTime::from_timestamp(l, 0).unwrap().naive_utc();
                    if let Some(u) = table.resolve(l, later) {
                        assert_eq!(u, resolve_chrono(tz, naive, edge), "{name} resolve {naive}");
                    }
                }
            }
            for &tr in &table.trans {
                for d in [-3_600, -1_800, -1, 0, 1, 1_800, 3_600] {
                    let naive: NaiveDateTime =
                        DateTime::from_timestamp(tr + d + i64::from(chrono_offset(tz, tr - 86_400)), 0)
                            .unwrap()
                            .naive_utc();
                    let l = naive.and_utc().timestamp();
                    for (later, edge) in [(false, Edge::Start), (true, Edge::End)] {
                        if let Some(u) = table.resolve(l, later) {
                            assert_eq!(u, resolve_chrono(tz, naive, edge), "{name} around {tr}: {naive}");
                        }
                    }
                }
            }
        }
    }
}
