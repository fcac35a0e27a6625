//! Fast zone arithmetic: each zone's UTC offsets as a table of transitions, built lazily.
//!
//! `chrono-tz` answers offset questions correctly but is slow for a hot path and does not expose
//! its transition list. The supported range (1900 to 2200) is cut into blocks of 2²⁵ s (about
//! 388 days); the first time a block of a zone is asked about, its transitions are found by
//! probing `chrono-tz` every week and bisecting each change to the second (a few dozen
//! microseconds per block), so a process pays only for the zones and years it uses, never for
//! 300 years up front. Afterwards an offset is a binary search over a block's few transitions.
//! Results are identical to `chrono-tz`: [`crate::time`]'s resolver falls back to it whenever
//! the table cannot decide alone (two transitions within two days).

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::{TZ_VARIANTS, Tz};
use std::sync::OnceLock;

/// Local wall-clock time as seconds since 1970-01-01T00:00 local (a "naive" timeline).
pub(crate) type Local = i64;

const START: i64 = -2_208_988_800 - 86_400; // 1899-12-31
const END: i64 = 7_258_118_400 + 86_400; // 2200-01-02
const PROBE: i64 = 7 * 86_400;
/// Blocks are 2^SHIFT seconds long.
const SHIFT: u32 = 25;
const BLOCKS: usize = ((END - START) >> SHIFT) as usize + 1;

/// The transitions of one zone within one block.
#[derive(Debug)]
struct Block {
    /// The offset at the block's start.
    first: i32,
    /// Instants at which the offset changes, ascending, inside the block.
    trans: Vec<i64>,
    /// `offs[i]` is the offset from `trans[i]` on.
    offs: Vec<i32>,
}

/// The offsets of one zone, block by block as they are asked about.
#[derive(Debug)]
pub(crate) struct Table {
    tz: Tz,
    blocks: Box<[OnceLock<Block>]>,
}

static TABLES: [OnceLock<Table>; TZ_VARIANTS.len()] = [const { OnceLock::new() }; TZ_VARIANTS.len()];

fn chrono_offset(tz: Tz, t: i64) -> i32 {
    let utc = DateTime::from_timestamp(t, 0).unwrap_or_default().naive_utc();
    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// The first instant of block `b`.
fn block_start(b: usize) -> i64 {
    START + ((b as i64) << SHIFT)
}

/// The block holding `t` (instants outside the range belong to the first or last block).
#[inline]
fn block_of(t: i64) -> usize {
    (t.saturating_sub(START).max(0) >> SHIFT).min(BLOCKS as i64 - 1) as usize
}

impl Block {
    fn build(tz: Tz, b: usize) -> Block {
        let (from, to) = (block_start(b), block_start(b + 1).min(END));
        let first = chrono_offset(tz, from);
        let (mut trans, mut offs) = (Vec::new(), Vec::new());
        let (mut t, mut off) = (from, first);
        while t < to {
            let next = (t + PROBE).min(to);
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
        Block { first, trans, offs }
    }

    /// The number of transitions at or before `t`.
    #[inline]
    fn count_to(&self, t: i64) -> usize {
        self.trans.partition_point(|&x| x <= t)
    }

    /// The offset in force after the first `i` transitions of the block.
    #[inline]
    fn offset_after(&self, i: usize) -> i32 {
        if i == 0 { self.first } else { self.offs[i - 1] }
    }
}

impl Table {
    /// The table of `tz`.
    pub(crate) fn of(tz: Tz) -> &'static Table {
        TABLES[tz as usize].get_or_init(|| Table { tz, blocks: (0..BLOCKS).map(|_| OnceLock::new()).collect() })
    }

    #[inline]
    fn block(&self, b: usize) -> &Block {
        self.blocks[b].get_or_init(|| Block::build(self.tz, b))
    }

    /// The offset in force at `t`, and a span `[start, end)` of instants around `t` sharing it.
    /// The span reaches at least to the neighbouring blocks (a year or more either side when
    /// the offset does not change), which is all that callers need: they use it to tell that no
    /// transition lies within a few days of `t`.
    #[inline]
    pub(crate) fn offset_span(&self, t: i64) -> (i32, i64, i64) {
        let b = block_of(t);
        let block = self.block(b);
        let i = block.count_to(t);
        let start = if i > 0 {
            block.trans[i - 1]
        } else if t < START {
            i64::MIN
        } else if b == 0 {
            START
        } else {
            self.block(b - 1).trans.last().copied().unwrap_or(block_start(b - 1))
        };
        let end = if let Some(&end) = block.trans.get(i) {
            end
        } else if b + 1 == BLOCKS {
            i64::MAX
        } else {
            let next = self.block(b + 1);
            next.trans.first().copied().unwrap_or_else(|| block_start(b + 2).min(END))
        };
        (block.offset_after(i), start, end)
    }

    /// The offset in force at `t`.
    #[inline]
    pub(crate) fn offset(&self, t: i64) -> i32 {
        let block = self.block(block_of(t));
        block.offset_after(block.count_to(t))
    }

    /// Local wall-clock seconds of instant `t`.
    #[inline]
    pub(crate) fn local(&self, t: i64) -> Local {
        t + i64::from(self.offset(t))
    }

    /// Every transition between `from` and `to`, ascending (builds the blocks it crosses).
    #[cfg(test)]
    fn transitions(&self, from: i64, to: i64) -> Vec<i64> {
        (block_of(from)..=block_of(to))
            .flat_map(|b| self.block(b).trans.iter().copied())
            .filter(|&x| from <= x && x < to)
            .collect()
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
                let (lo, hi) = (u1.min(u2), u1.max(u2));
                let block = self.block(block_of(hi));
                let i = block.count_to(hi);
                let t = if i > 0 {
                    block.trans[i - 1]
                } else {
                    let b = block_of(hi).checked_sub(1)?;
                    *self.block(b).trans.last()?
                };
                (t > lo && self.offset(t - 1) == before && self.offset(t) == after).then_some(t)
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
            for tr in table.transitions(1_640_995_200, 1_830_297_600) {
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

    /// Asking about one instant builds only the blocks around it, never the whole range.
    #[test]
    fn builds_only_the_blocks_asked_about() {
        let tz: Tz = "Pacific/Chatham".parse().unwrap();
        let table = Table::of(tz);
        let t = 1_794_000_000; // 2026-11-06
        let _ = table.offset_span(t);
        let _ = table.resolve(table.local(t), false);
        let built = table.blocks.iter().filter(|b| b.get().is_some()).count();
        assert!((1..=3).contains(&built), "{built} blocks built");
    }

    /// The block seams change nothing: every offset over the whole range, probed around each
    /// seam and every few days, is chrono-tz's, and spans around a seam stay wide.
    #[test]
    fn seams_are_invisible() {
        for name in ["Europe/Berlin", "America/Havana", "UTC", "Asia/Kolkata"] {
            let tz: Tz = name.parse().unwrap();
            let table = Table::of(tz);
            for b in 1..BLOCKS {
                for d in [-86_401, -1, 0, 1, 86_400] {
                    let t = block_start(b) + d;
                    assert_eq!(table.offset(t), chrono_offset(tz, t), "{name} at {t}");
                    let (off, start, end) = table.offset_span(t);
                    assert_eq!(off, chrono_offset(tz, t));
                    assert!(start <= t && t < end);
                    if start > i64::MIN {
                        assert_eq!(chrono_offset(tz, start), off, "{name} span start {start}");
                    }
                    if end < END {
                        assert_eq!(chrono_offset(tz, end - 1), off, "{name} span end {end}");
                    }
                }
            }
            for t in (START - 86_400 * 30..END + 86_400 * 30).step_by(86_400 * 5 + 3_607) {
                assert_eq!(table.offset(t), chrono_offset(tz, t.clamp(START, END)), "{name} at {t}");
            }
        }
    }
}
