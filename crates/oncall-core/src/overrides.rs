//! Overrides and the "later wins" interval index behind them.
//!
//! An override puts its user in place of the on-call participants during `[startDate, endDate)`:
//!
//! * **with `rotations`**: wherever a named rotation is active (inside its dates and restriction
//!   windows, whoever's turn it is, `none` included) its participant becomes the override user;
//!   a `none` user means nobody;
//! * **without `rotations`** (schedule-wide): the override user is the schedule's whole on-call
//!   set during the window, also where nobody was on call; `none` means nobody at all.
//!
//! Schedule-wide overrides beat rotation-scoped ones. Among overlapping overrides of the same
//! scope, the one **later in the list** wins. Overrides never change turn counting.
//!
//! Lookups are a binary search over a precomputed partition of time, so their cost grows with
//! the logarithm of the number of overrides.

use crate::time::Ts;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A partition of time into pieces, each owned by the latest interval (by list index) covering
/// it, or by nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LatestWins {
    /// Piece i covers `[starts[i], starts[i + 1])`; the last piece runs to the end of time.
    starts: Vec<Ts>,
    /// The owner of each piece: an index into the caller's list.
    owners: Vec<Option<u32>>,
}

impl LatestWins {
    /// Builds the index from `(start, end, id)` intervals; a larger id wins where they overlap.
    pub(crate) fn new(mut intervals: Vec<(Ts, Ts, u32)>) -> LatestWins {
        intervals.retain(|&(s, e, _)| e > s);
        intervals.sort_unstable();
        let mut bounds: Vec<Ts> = Vec::with_capacity(intervals.len() * 2);
        bounds.extend(intervals.iter().flat_map(|&(s, e, _)| [s, e]));
        bounds.sort_unstable();
        bounds.dedup();
        let mut out = LatestWins { starts: Vec::with_capacity(bounds.len()), owners: Vec::with_capacity(bounds.len()) };
        let mut active: BinaryHeap<(u32, Reverse<Ts>)> = BinaryHeap::with_capacity(intervals.len());
        let mut next = 0;
        for &b in &bounds {
            while next < intervals.len() && intervals[next].0 <= b {
                let (_, e, id) = intervals[next];
                active.push((id, Reverse(e)));
                next += 1;
            }
            while active.peek().is_some_and(|&(_, Reverse(e))| e <= b) {
                active.pop();
            }
            let owner = active.peek().map(|&(id, _)| id);
            if out.owners.last() != Some(&owner) || out.owners.is_empty() {
                out.starts.push(b);
                out.owners.push(owner);
            }
        }
        out.starts.shrink_to_fit();
        out.owners.shrink_to_fit();
        out
    }

    /// The owner at `t`.
    pub(crate) fn at(&self, t: Ts) -> Option<u32> {
        let i = self.starts.partition_point(|&s| s <= t);
        if i == 0 { None } else { self.owners[i - 1] }
    }

    /// Every piece, in order: its start and its owner (`None` for a piece without one).
    pub(crate) fn pieces(&self) -> impl Iterator<Item = (Ts, Option<u32>)> + '_ {
        self.starts.iter().copied().zip(self.owners.iter().copied())
    }

    /// The first piece boundary strictly after `t`.
    pub(crate) fn next_boundary(&self, t: Ts) -> Option<Ts> {
        let i = self.starts.partition_point(|&s| s <= t);
        self.starts.get(i).copied()
    }

    /// Whether no interval was given.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_wins_and_gaps() {
        let idx = LatestWins::new(vec![(0, 100, 0), (50, 70, 1), (60, 200, 2), (300, 400, 3)]);
        let at: Vec<_> = [-1, 0, 49, 50, 59, 60, 199, 200, 299, 300, 399, 400].iter().map(|&t| idx.at(t)).collect();
        assert_eq!(
            at,
            [None, Some(0), Some(0), Some(1), Some(1), Some(2), Some(2), None, None, Some(3), Some(3), None]
        );
        assert_eq!(idx.next_boundary(55), Some(60));
        assert_eq!(idx.next_boundary(400), None);
    }

    #[test]
    fn earlier_listed_long_interval_resumes_after_later_short_one() {
        let idx = LatestWins::new(vec![(10, 20, 1), (0, 100, 0)]);
        assert_eq!((idx.at(5), idx.at(15), idx.at(25)), (Some(0), Some(1), Some(0)));
    }

    #[test]
    fn empty_intervals_are_ignored() {
        let idx = LatestWins::new(vec![(5, 5, 0)]);
        assert!(idx.is_empty());
        assert_eq!(idx.at(5), None);
    }
}
