//! The answer index: a schedule's final answers, precomputed lazily per chunk of time, so that
//! who-is-on-call becomes a binary search and a final timeline a copy.
//!
//! Time from [`MIN_INSTANT`] is cut into chunks of 2²¹ seconds (about 24 days). A chunk of a
//! schedule is indexed once queries have asked about it often enough ([`IndexOptions::demand`]),
//! while the schedule has fewer than [`IndexOptions::max_chunks`] indexed chunks. Indexing walks
//! the chunk's boundaries once, exactly as a timeline does, and keeps what the walk found: the
//! nested who-is-on-call answer of every segment (identical answers stored once), the final
//! timeline's periods per rotation, the flat final segments and the boundaries themselves.
//! Chunks are short so that the query which indexes one pays little more than a short timeline
//! (no latency spike on a hot path); a year is about 15 of them.
//!
//! **Answers never depend on the index.** It holds what the walk computes, a timeline assembled
//! from chunks merges periods cut at chunk edges, and it counts the same boundaries against
//! [`MAX_TIMELINE_STEPS`](crate::MAX_TIMELINE_STEPS) as a walk would (the set of boundaries does
//! not depend on where a walk starts). The index only changes how fast answers come.
//!
//! **Memory is bounded**: at most `max_chunks` chunks per schedule, each with at most
//! `MAX_TIMELINE_STEPS` boundaries (a denser chunk is never indexed and is answered by walking).

use crate::compile::Config;
use crate::output::Participant;
use crate::schedule::{FlatSet, PeriodKey, Periods, Segments, Walked, too_large};
use crate::time::{MAX_INSTANT, MIN_INSTANT, Ts};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const CHUNK_BITS: u32 = 21;
/// Chunks are grouped by 2^GROUP_BITS: a schedule's slots are allocated one group at a time.
const GROUP_BITS: u32 = 4;
const GROUP: usize = 1 << GROUP_BITS;
const DAY: Ts = 86_400;
const CHUNKS: usize = chunk_of(MAX_INSTANT - 1) + 1;
const GROUPS: usize = CHUNKS.div_ceil(GROUP);

const fn chunk_of(t: Ts) -> usize {
    ((t - MIN_INSTANT) >> CHUNK_BITS) as usize
}

fn chunk_range(k: usize) -> (Ts, Ts) {
    let start = MIN_INSTANT + ((k as Ts) << CHUNK_BITS);
    (start, (start + (1 << CHUNK_BITS)).min(MAX_INSTANT))
}

/// When the answer index of a [`Config`] indexes a chunk of time (see
/// [`Config::set_index_options`]).
///
/// A who-is-on-call or next-on-call query adds 1 to the demand of the chunk holding its
/// instant; a final timeline adds `demand / 2` (at least 1) to every chunk it covers. Demand is
/// first counted for the schedule as a whole (until then its index takes no memory), then per
/// chunk; a chunk is indexed when its own demand reaches `demand`, if the schedule has fewer than
/// `max_chunks` indexed chunks. So by default a one-off query never pays for indexing (which
/// costs about as much as a one-year timeline), while a service asking many questions about the
/// same months soon gets its answers by binary search.
///
/// ```
/// use oncall_core::{Config, IndexOptions};
/// let mut config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
///   {"name": "r", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann", "ben"]}]}]}"#)?;
/// config.set_index_options(IndexOptions::OFF); // always walk: least memory
/// let at = "2026-01-02T10:00:00Z".parse()?;
/// assert_eq!(config.schedule("ops")?.on_call(at)?.flat().on_call_recipients, ["ben"]);
/// config.set_index_options(IndexOptions::EAGER); // index at the first query
/// assert_eq!(config.schedule("ops")?.on_call(at)?.flat().on_call_recipients, ["ben"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexOptions {
    /// The demand at which a chunk is indexed (0: at the first query).
    pub demand: u32,
    /// The most chunks indexed per schedule (0: no index).
    pub max_chunks: usize,
}

impl IndexOptions {
    /// No index: every query walks.
    pub const OFF: IndexOptions = IndexOptions { demand: u32::MAX, max_chunks: 0 };
    /// Index a chunk at the first query about it (up to 128 chunks, about 8.5 years, per
    /// schedule).
    pub const EAGER: IndexOptions = IndexOptions { demand: 0, max_chunks: 128 };
}

impl Default for IndexOptions {
    /// Index a chunk at its 16th who-is-on-call query or its second timeline, up to 128 chunks
    /// (about 8.5 years) per schedule.
    fn default() -> IndexOptions {
        IndexOptions { demand: 16, max_chunks: 128 }
    }
}

/// The answer index of every schedule of a configuration.
#[derive(Debug)]
pub(crate) struct AnswerIndex {
    options: IndexOptions,
    schedules: Box<[ScheduleIndex]>,
}

#[derive(Debug, Default)]
struct ScheduleIndex {
    /// Demand before the slots exist: a schedule asked a few questions costs no memory.
    demand: AtomicU32,
    /// One slot per chunk, allocated a group of chunks at a time once the schedule's own demand
    /// is reached (a schedule asked about one month holds one group).
    slots: OnceLock<Box<[Group]>>,
    /// Chunks indexed (or attempted) so far.
    built: AtomicUsize,
    /// The answers and flat sets of the schedule's chunks, each distinct one stored once and
    /// shared by every chunk holding it (a year of chunks repeats most of them).
    shared: Mutex<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    answers: HashSet<Arc<[Participant]>>,
    sets: HashSet<Arc<FlatSet>>,
}

impl Shared {
    /// Makes `chunk` hold the shared copy of each of its answers and sets.
    fn share(&mut self, chunk: &mut Chunk) {
        fn one<T: ?Sized + Eq + std::hash::Hash>(table: &mut HashSet<Arc<T>>, value: &mut Arc<T>) {
            match table.get(value) {
                Some(shared) => *value = Arc::clone(shared),
                None => {
                    table.insert(Arc::clone(value));
                }
            }
        }
        chunk.answers.iter_mut().for_each(|a| one(&mut self.answers, a));
        chunk.sets.iter_mut().for_each(|s| one(&mut self.sets, s));
    }
}

// The allocating and indexing paths of `AnswerIndex::chunk`, out of line: most queries only count
// demand or read an indexed chunk, and a WebAssembly engine that compiles each function the
// first time it runs (V8) then compiles only that small path for a process's first answer, not
// the walk of a whole chunk (about 14 KB of WebAssembly; wasm/README.md "Size and speed").
impl ScheduleIndex {
    #[cold]
    #[inline(never)]
    fn allocate(&self) -> &[Group] {
        self.slots.get_or_init(|| (0..GROUPS).map(|_| OnceLock::new()).collect())
    }

    #[cold]
    #[inline(never)]
    fn allocate_group(slots: &[Group], k: usize) -> &[Slot] {
        slots[k >> GROUP_BITS].get_or_init(|| (0..GROUP).map(|_| Slot::default()).collect())
    }

    /// Indexes chunk `k` into `slot` (once), unless `max_chunks` chunks were indexed already.
    #[cold]
    #[inline(never)]
    fn build_cold<'a>(
        &'a self,
        c: &Config,
        si: usize,
        k: usize,
        slot: &'a Slot,
        max_chunks: usize,
    ) -> Option<&'a Chunk> {
        slot.chunk
            .get_or_init(|| {
                if self.built.fetch_add(1, Ordering::Relaxed) >= max_chunks {
                    return None;
                }
                let (from, to) = chunk_range(k);
                let mut chunk = c.index_chunk(si, from, to)?;
                // A poisoned lock (never expected) only loses the sharing, not the chunk.
                if let Ok(mut shared) = self.shared.lock() {
                    shared.share(&mut chunk);
                }
                Some(Box::new(chunk))
            })
            .as_deref()
    }
}

/// The slots of `GROUP` consecutive chunks, allocated at the first demand of one of them.
type Group = OnceLock<Box<[Slot]>>;

/// A period of a chunk: (index into the chunk's `keys`, start, end), instants from its start.
type ChunkPeriod = (u32, u32, u32);

#[derive(Debug, Default)]
struct Slot {
    demand: AtomicU32,
    /// `Some(None)`: never indexed (too dense, or the budget was spent).
    chunk: OnceLock<Option<Box<Chunk>>>,
}

/// What a walk over one chunk found. Instants are kept as seconds from the chunk's start
/// (`u32`: a chunk is 2²¹ s), periods name their key by index into a table of the distinct
/// ones (about 12 bytes per period), answers and flat sets are shared with the schedule's other
/// chunks, and the flat final segments are the who-is-on-call segments merged by flat set.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// The chunk's start: the instant every offset counts from.
    base: Ts,
    /// The chunk's end (exclusive), from `base`.
    end: u32,
    /// The boundaries in the chunk, sorted.
    bounds: Box<[u32]>,
    /// Starts of the who-is-on-call segments (the first is the chunk's start, offset 0).
    who_starts: Box<[u32]>,
    /// Per day of the chunk (from its start), the segment holding the day's first instant: a
    /// lookup searches only the segments of one day.
    days: Box<[u32]>,
    /// The answer of each who-is-on-call segment (index into `answers`).
    who_answers: Box<[u32]>,
    /// The flat final set of each who-is-on-call segment (index into `sets`).
    who_sets: Box<[u32]>,
    /// Distinct answers.
    answers: Box<[Arc<[Participant]>]>,
    /// Final-layer periods per rotation (then schedule-wide overrides), cut at the chunk's edges:
    /// (index into `keys`, start, end).
    periods: Box<[Box<[ChunkPeriod]>]>,
    /// Distinct period keys.
    keys: Box<[PeriodKey]>,
    /// Distinct flat sets.
    sets: Box<[Arc<FlatSet>]>,
}

/// Gives each distinct value an index in `table`.
struct Interner<T> {
    table: Vec<T>,
    ids: std::collections::HashMap<T, u32>,
}

impl<T: Clone + Eq + std::hash::Hash> Interner<T> {
    fn new() -> Self {
        Interner { table: Vec::new(), ids: std::collections::HashMap::new() }
    }

    fn id(&mut self, value: T) -> u32 {
        let table = &mut self.table;
        *self.ids.entry(value).or_insert_with_key(|value| {
            table.push(value.clone());
            table.len() as u32 - 1
        })
    }
}

impl Chunk {
    pub(crate) fn new(
        bounds: Vec<Ts>,
        who: Vec<(Ts, u32, FlatSet)>,
        answers: Vec<Vec<Participant>>,
        periods: Vec<Vec<(PeriodKey, Ts, Ts)>>,
        segments: Vec<(FlatSet, Ts, Ts)>,
    ) -> Chunk {
        let base = who[0].0;
        // Every instant of a chunk lies within 2^CHUNK_BITS seconds of its start.
        let off = |t: Ts| (t - base) as u32;
        let mut sets = Interner::new();
        let mut keys = Interner::new();
        let (mut who_starts, mut who_answers, mut who_sets) = (Vec::new(), Vec::new(), Vec::new());
        for (t, answer, set) in who {
            who_starts.push(off(t));
            who_answers.push(answer);
            who_sets.push(sets.id(set));
        }
        let periods = periods
            .into_iter()
            .map(|list| list.into_iter().map(|(key, start, end)| (keys.id(key), off(start), off(end))).collect())
            .collect();
        // The walk's flat segments are the who-is-on-call segments merged by set (the nested
        // answer decides the flat set), so only where they end is kept.
        let end = segments.last().map_or(0, |s| off(s.2));
        let days =
            (0..=end as Ts / DAY).map(|d| (who_starts.partition_point(|&s| s as Ts <= d * DAY) - 1) as u32).collect();
        Chunk {
            base,
            end,
            bounds: bounds.into_iter().map(off).collect(),
            who_starts: who_starts.into(),
            days,
            who_answers: who_answers.into(),
            who_sets: who_sets.into(),
            answers: answers.into_iter().map(Arc::from).collect(),
            periods,
            keys: keys.table.into(),
            sets: sets.table.into_iter().map(Arc::new).collect(),
        }
    }

    /// The who-is-on-call segment holding `t` (which lies in the chunk).
    #[inline]
    fn segment_at(&self, t: Ts) -> usize {
        let t = (t - self.base) as u32;
        let d = (t / DAY as u32) as usize;
        let lo = self.days[d] as usize;
        let hi = self.days.get(d + 1).map_or(self.who_starts.len(), |&h| h as usize + 1);
        lo + self.who_starts[lo..hi].partition_point(|&s| s <= t) - 1
    }

    /// How many boundaries lie strictly between `from` and `to`.
    fn bounds_between(&self, from: Ts, to: Ts) -> usize {
        let a = self.bounds.partition_point(|&b| self.base + b as Ts <= from);
        let b = self.bounds.partition_point(|&b| self.base + (b as Ts) < to);
        b.saturating_sub(a)
    }
}

impl AnswerIndex {
    pub(crate) fn new(schedules: usize, options: IndexOptions) -> AnswerIndex {
        AnswerIndex { options, schedules: (0..schedules).map(|_| ScheduleIndex::default()).collect() }
    }

    pub(crate) fn options(&self) -> IndexOptions {
        self.options
    }

    /// Chunk `k` of schedule `si`, once indexed; `weight` is added to its demand.
    fn chunk(&self, c: &Config, si: usize, k: usize, weight: u32) -> Option<&Chunk> {
        let options = self.options;
        if options.max_chunks == 0 {
            return None;
        }
        let s = &self.schedules[si];
        let slots = match s.slots.get() {
            Some(slots) => slots,
            None if s.demand.fetch_add(weight, Ordering::Relaxed).saturating_add(weight) < options.demand => {
                return None;
            }
            None => s.allocate(),
        };
        let group = slots[k >> GROUP_BITS].get().map_or_else(|| ScheduleIndex::allocate_group(slots, k), |g| &g[..]);
        let slot = &group[k & (GROUP - 1)];
        if let Some(chunk) = slot.chunk.get() {
            return chunk.as_deref();
        }
        if slot.demand.fetch_add(weight, Ordering::Relaxed).saturating_add(weight) < options.demand {
            return None;
        }
        s.build_cold(c, si, k, slot, options.max_chunks)
    }

    /// Who is on call at `t` in schedule `si`, when its chunk is indexed.
    #[inline]
    pub(crate) fn on_call(&self, c: &Config, si: usize, t: Ts) -> Option<&[Participant]> {
        let chunk = self.chunk(c, si, chunk_of(t), 1)?;
        let i = chunk.segment_at(t);
        Some(&chunk.answers[chunk.who_answers[i] as usize])
    }

    /// The next change of the final on-call set of schedule `si` after `t` and the participants
    /// from then on, when the chunk holding `t` is indexed and the change lies in it.
    pub(crate) fn next_change(&self, c: &Config, si: usize, t: Ts) -> Option<(Ts, &[Participant])> {
        let chunk = self.chunk(c, si, chunk_of(t), 1)?;
        let i = chunk.segment_at(t);
        let now = chunk.who_sets[i];
        let j = i + 1 + chunk.who_sets[i + 1..].iter().position(|&set| set != now)?;
        Some((chunk.base + chunk.who_starts[j] as Ts, &chunk.answers[chunk.who_answers[j] as usize]))
    }

    /// The final layer and flat segments of schedule `si` over `[from, to)`, when every chunk
    /// they cover is indexed (and there are at most `max_chunks` of them).
    pub(crate) fn timeline(&self, c: &Config, si: usize, from: Ts, to: Ts) -> Option<crate::Result<Walked>> {
        let (first, last) = (chunk_of(from), chunk_of(to - 1));
        if last - first >= self.options.max_chunks {
            return None;
        }
        let weight = (self.options.demand / 2).max(1);
        // Every chunk hears the demand, even when an earlier one is not indexed yet.
        let chunks: Vec<Option<&Chunk>> = (first..=last).map(|k| self.chunk(c, si, k, weight)).collect();
        let chunks: Vec<&Chunk> = chunks.into_iter().collect::<Option<_>>()?;
        // The walk evaluates `from`, then every boundary before `to`.
        let steps = 1 + chunks.iter().map(|ch| ch.bounds_between(from, to)).sum::<usize>();
        let limit = c.limits.max_timeline_periods;
        if steps > limit {
            return Some(Err(too_large(limit)));
        }
        let n = chunks[0].periods.len();
        let mut fin = Periods::new(n);
        let mut segments = Segments::default();
        for chunk in &chunks {
            let at = |offset: u32| chunk.base + offset as Ts;
            for (r, list) in chunk.periods.iter().enumerate() {
                let i = list.partition_point(|p| at(p.2) <= from);
                for &(key, start, end) in list[i..].iter().take_while(|p| at(p.1) < to) {
                    fin.append(r, chunk.keys[key as usize], at(start).max(from), at(end).min(to));
                }
            }
            // The who-is-on-call segments from the one holding `from`; `append` merges those
            // of one flat set back into the walk's segments.
            let starts = &chunk.who_starts;
            let i = starts.partition_point(|&s| at(s) <= from).saturating_sub(1);
            for j in i..starts.len() {
                let start = at(starts[j]);
                if start >= to {
                    break;
                }
                let end = at(starts.get(j + 1).copied().unwrap_or(chunk.end));
                if end > from {
                    segments.append(&chunk.sets[chunk.who_sets[j] as usize], start.max(from), end.min(to));
                }
            }
        }
        Some(Ok(Walked { fin, base: Periods::new(n), over: Periods::new(n), fwd: Periods::new(n), segments }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    /// A schedule with every kind of boundary: hand-offs in a DST zone, restriction windows
    /// (weekday and time of day), an end, rotation and schedule-wide overrides, forwarding.
    const BUSY: &str = r#"{"users": [{"username": "ann"}, {"username": "ben"}, {"username": "cy"}],
      "forwardingRules": [{"fromUser": {"username": "ben"}, "toUser": {"username": "cy"},
                       "startDate": "2025-03-30T00:30:00Z", "endDate": "2025-04-20T00:00:00Z"}],
      "schedules": [{"name": "s", "timezone": "Europe/London", "rotations": [
        {"name": "day", "type": "daily", "startDate": "2025-01-01T09:00", "participants": ["ann", "ben"],
         "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}}},
        {"name": "wk", "type": "weekly", "startDate": "2025-01-06T08:00", "endDate": "2026-02-01T00:00",
         "participants": ["cy", "ann"], "timeRestriction": {"type": "weekday-and-time-of-day", "restrictions": [
           {"startDay": "saturday", "startHour": 8, "startMin": 0, "endDay": "monday", "endHour": 8, "endMin": 0}]}},
        {"name": "all-week", "type": "weekly", "startDate": "2025-02-03T00:00", "participants": ["ben"],
         "timeRestriction": {"type": "weekday-and-time-of-day", "restrictions": [
           {"startDay": "monday", "startHour": 0, "startMin": 0, "endDay": "monday", "endHour": 0, "endMin": 0}]}}],
        "overrides": [{"user": {"type": "user", "username": "cy"}, "startDate": "2025-04-01T10:00:00Z", "endDate": "2025-04-02T10:00:00Z",
                       "rotations": [{"name": "day"}]},
                      {"user": {"type": "user", "username": "ben"}, "startDate": "2025-05-10T00:00:00Z", "endDate": "2025-05-12T00:00:00Z"}]}]}"#;

    /// The boundaries a walk evaluates are the same wherever it starts, and an indexed chunk
    /// counts them as the walk does (so both refuse the same timelines).
    #[test]
    fn chunks_count_the_boundaries_a_walk_evaluates() {
        let c = Config::from_json(BUSY).expect("valid");
        let edge = chunk_range(chunk_of(1_744_000_000)).1; // an edge between chunks, April 2025
        // Every chunk the ranges below cover.
        let chunks: Vec<Chunk> = (chunk_of(edge - 41 * 86_400)..=chunk_of(edge + 91 * 86_400))
            .map(|k| c.index_chunk(0, chunk_range(k).0, chunk_range(k).1).expect("indexed"))
            .collect();
        for (from, to) in [
            (edge - 40 * 86_400, edge + 30 * 86_400),
            (edge - 3_600, edge + 1),
            (edge, edge + 86_400),
            (1_743_300_000, 1_743_400_000),
            (edge + 12_345, edge + 90 * 86_400 + 17),
        ] {
            let mut walked = Vec::new();
            c.walk(0, from, to, crate::Expand::default(), usize::MAX, |t, _, _| walked.push(t)).expect("walk");
            let counted = 1 + chunks.iter().map(|ch| ch.bounds_between(from, to)).sum::<usize>();
            assert_eq!(counted, walked.len(), "{from}..{to}");
            let mut indexed: Vec<Ts> = chunks
                .iter()
                .flat_map(|ch| ch.bounds.iter().map(|&b| ch.base + b as Ts))
                .filter(|&b| from < b && b < to)
                .collect();
            indexed.insert(0, from);
            assert_eq!(indexed, walked, "{from}..{to}");
        }
    }

    fn indexed(c: &Config, t: Ts) -> bool {
        let k = chunk_of(t);
        let slots = c.index.schedules[0].slots.get();
        let group = slots.and_then(|slots| slots[k >> GROUP_BITS].get());
        group.and_then(|g| g[k & (GROUP - 1)].chunk.get()).is_some_and(Option::is_some)
    }

    /// Demand is counted for the schedule, then for the chunk; the budget caps indexed chunks.
    #[test]
    fn demand_and_budget_decide_what_is_indexed() {
        let mut c = Config::from_json(BUSY).expect("valid");
        let (t, later) = (1_744_000_000, 1_744_000_000 + (1 << CHUNK_BITS));
        let at = |t: Ts| chrono::DateTime::from_timestamp(t, 0).expect("instant");
        let ask = |c: &Config, t: Ts, n: usize| {
            for _ in 0..n {
                c.schedule("s").expect("schedule").on_call(at(t)).expect("answer");
            }
        };
        ask(&c, t, 15);
        assert!(c.index.schedules[0].slots.get().is_none(), "no memory for a schedule asked 15 questions");
        ask(&c, t, 15);
        assert!(!indexed(&c, t));
        ask(&c, t, 1);
        assert!(indexed(&c, t), "the chunk's 16th question indexes it");
        assert!(!indexed(&c, later));

        c.set_index_options(IndexOptions { demand: 0, max_chunks: 1 });
        ask(&c, t, 1);
        ask(&c, later, 1);
        assert!(indexed(&c, t) && !indexed(&c, later), "one chunk at most");

        c.set_index_options(IndexOptions::OFF);
        ask(&c, t, 100);
        assert!(!indexed(&c, t));
        c.set_index_options(IndexOptions::EAGER);
        ask(&c, later, 1);
        assert!(indexed(&c, later));
    }

    /// Threads sharing one configuration build and read the index at once and get the answers
    /// of a configuration without it.
    #[test]
    fn threads_share_the_index() {
        let mut walking = Config::from_json(BUSY).expect("valid");
        walking.set_index_options(IndexOptions::OFF);
        let mut shared = Config::from_json(BUSY).expect("valid");
        shared.set_index_options(IndexOptions { demand: 3, max_chunks: 2 });
        let instants: Vec<_> = (0..200)
            .map(|i| chrono::DateTime::from_timestamp(1_735_000_000 + i * 311_111, 0).expect("instant"))
            .collect();
        std::thread::scope(|scope| {
            for k in 0..4 {
                let (shared, walking, instants) = (&shared, &walking, &instants);
                scope.spawn(move || {
                    let (s, w) = (shared.schedule("s").expect("s"), walking.schedule("s").expect("s"));
                    for (i, &at) in instants.iter().enumerate().skip(k) {
                        assert_eq!(s.on_call(at).expect("who"), w.on_call(at).expect("who"), "{at}");
                        if i % 50 == 0 {
                            let to = at + chrono::Duration::days(30);
                            let (a, b) = (
                                s.timeline(at, to, crate::Expand::default()),
                                w.timeline(at, to, crate::Expand::default()),
                            );
                            assert_eq!(a.expect("timeline"), b.expect("timeline"));
                        }
                    }
                });
            }
        });
        let built = shared.index.schedules[0]
            .slots
            .get()
            .expect("slots")
            .iter()
            .filter_map(OnceLock::get)
            .flat_map(|g| g.iter())
            .filter(|s| s.chunk.get().is_some_and(Option::is_some));
        assert_eq!(built.count(), 2, "the budget holds across threads");
    }

    /// The first and last chunks of the supported range index and answer like the others.
    #[test]
    fn the_range_edges_index() {
        let mut c = Config::from_json(BUSY).expect("valid");
        c.set_index_options(IndexOptions::EAGER);
        let mut walking = Config::from_json(BUSY).expect("valid");
        walking.set_index_options(IndexOptions::OFF);
        let at = |t: Ts| chrono::DateTime::from_timestamp(t, 0).expect("instant");
        let (s, w) = (c.schedule("s").expect("s"), walking.schedule("s").expect("s"));
        for t in [MIN_INSTANT, MIN_INSTANT + 1, MAX_INSTANT - 86_400, MAX_INSTANT - 1] {
            assert_eq!(s.on_call(at(t)).expect("who"), w.on_call(at(t)).expect("who"));
            assert_eq!(s.next_on_call(at(t)).expect("next"), w.next_on_call(at(t)).expect("next"));
            assert!(indexed(&c, t), "{t}");
        }
        let (from, to) = (at(MAX_INSTANT - 40 * 86_400), at(MAX_INSTANT + 86_400));
        let expand = crate::Expand::default();
        assert_eq!(s.timeline(from, to, expand).expect("timeline"), w.timeline(from, to, expand).expect("timeline"));
    }

    #[test]
    fn chunks_cover_the_supported_range() {
        assert_eq!(chunk_of(MIN_INSTANT), 0);
        assert_eq!(chunk_range(0).0, MIN_INSTANT);
        assert_eq!(chunk_range(CHUNKS - 1).1, MAX_INSTANT);
        for k in [0, 1, 100, CHUNKS - 1] {
            let (a, b) = chunk_range(k);
            assert!(a < b);
            assert_eq!(chunk_of(a), k);
            assert_eq!(chunk_of(b - 1), k);
        }
    }
}
