//! The answer index: a schedule's final answers, precomputed lazily per chunk of time, so that
//! who-is-on-call becomes a binary search and a final timeline a copy.
//!
//! Time from [`MIN_INSTANT`] is cut into chunks of 2²¹ seconds (about 24 days). A chunk of a
//! schedule is indexed once queries have asked about it often enough ([`IndexOptions::demand`]),
//! while the schedule has fewer than [`IndexOptions::max_chunks`] indexed chunks. Indexing walks
//! the chunk's boundaries once, exactly as a timeline does, and keeps what the walk found: the
//! nested who-is-on-call answer of every segment (identical answers stored once per schedule,
//! with the flat final set each makes), the final timeline's periods per rotation, and how many
//! boundaries the chunk holds. The realistic benchmark schedule's index of a year is about
//! 64 000 bytes (`benches/README.md`, Memory).
//! Chunks are short so that the query which indexes one pays little more than a short timeline
//! (no latency spike on a hot path); a year is about 15 of them.
//!
//! **Answers never depend on the index.** It holds what the walk computes, a timeline assembled
//! from chunks merges periods cut at chunk edges, and a timeline over chunks holding more
//! boundaries than its limit (`maxTimelinePeriods`) allows is left to the walk, which counts
//! them exactly and refuses past the limit. The index only changes how fast answers come.
//!
//! **Memory is bounded**: at most `max_chunks` chunks per schedule, each with at most
//! `MAX_TIMELINE_STEPS` boundaries (a denser chunk is never indexed and is answered by walking).

use crate::compile::{Config, Slot as Who};
use crate::output::{Participant, PeriodType};
use crate::schedule::{FlatSet, PeriodKey, Periods, Segments, Walked};
use crate::time::{MAX_INSTANT, MIN_INSTANT, Ts};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const CHUNK_BITS: u32 = 21;
/// Chunks are grouped by 2^GROUP_BITS: a schedule's slots are allocated one group at a time.
const GROUP_BITS: u32 = 6;
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
    answers: HashSet<Arc<Answer>>,
}

impl Shared {
    /// Makes `chunk` hold the shared copy of each of its answers.
    fn share(&mut self, chunk: &mut Chunk) {
        for value in chunk.answers.iter_mut() {
            match self.answers.get(value) {
                Some(shared) => *value = Arc::clone(shared),
                None => {
                    self.answers.insert(Arc::clone(value));
                }
            }
        }
    }
}

/// A distinct answer of a schedule's chunks: who is on call (nested) and the flat final set it
/// makes (the nested answer decides it).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Answer {
    participants: Box<[Participant]>,
    set: FlatSet,
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
        &slots[k >> GROUP_BITS].get_or_init(|| Box::new(std::array::from_fn(|_| Slot::default())))[..]
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
type Group = OnceLock<Box<[Slot; GROUP]>>;

/// A rotation's periods in a chunk, `(key, start, end)` with the key an index into the chunk's
/// `keys` and the instants offsets from its start: per period its key, the gap from the previous
/// period's end (the first from the chunk's start) and its length, each in LEB128 (7 bits a
/// byte, low bits first), so that a period takes 5 to 7 bytes. `None` unless the periods are in
/// order and apart (as a walk closes them).
fn encode_periods(list: impl Iterator<Item = (u32, u32, u32)>) -> Option<Box<[u8]>> {
    fn put(out: &mut Vec<u8>, mut v: u32) {
        while v >= 0x80 {
            out.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    let mut out = Vec::new();
    let mut last = 0;
    for (key, start, end) in list {
        put(&mut out, key);
        put(&mut out, start.checked_sub(last)?);
        put(&mut out, end.checked_sub(start)?);
        last = end;
    }
    Some(out.into())
}

/// The periods [`encode_periods`] encoded, in order.
fn decode_periods(bytes: &[u8]) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
    let mut i = 0;
    let mut next = move || {
        let (mut v, mut shift) = (0u32, 0);
        loop {
            let b = *bytes.get(i)?;
            i += 1;
            v |= u32::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
            shift += 7;
        }
    };
    let mut last = 0;
    std::iter::from_fn(move || {
        let key = next()?;
        let start = last + next()?;
        last = start + next()?;
        Some((key, start, last))
    })
}

/// A period key of a chunk: [`PeriodKey`] with its recipients as 32-bit codes (12 bytes
/// instead of 40).
type ChunkKey = (PeriodType, u32, u32);

/// The code of a recipient: its index shifted left by two, its kind in the low bits; `None` is
/// `u32::MAX` (never a code: `Nobody` is 3).
fn who_code(w: Option<Who>) -> Option<u32> {
    let (i, kind) = match w {
        None => return Some(u32::MAX),
        Some(Who::User(i)) => (i, 0),
        Some(Who::Team(i)) => (i, 1),
        Some(Who::Escalation(i)) => (i, 2),
        Some(Who::Nobody) => return Some(3),
    };
    u32::try_from(i).ok().filter(|&i| i < 1 << 30).map(|i| i << 2 | kind)
}

fn who_of(code: u32) -> Option<Who> {
    let i = (code >> 2) as usize;
    match (code == u32::MAX, code & 3) {
        (true, _) => None,
        (_, 0) => Some(Who::User(i)),
        (_, 1) => Some(Who::Team(i)),
        (_, 2) => Some(Who::Escalation(i)),
        _ => Some(Who::Nobody),
    }
}

fn key_code((kind, who, from): PeriodKey) -> Option<ChunkKey> {
    Some((kind, who_code(Some(who))?, who_code(from)?))
}

fn key_of((kind, who, from): ChunkKey) -> PeriodKey {
    (kind, who_of(who).unwrap_or(Who::Nobody), who_of(from))
}

#[derive(Debug, Default)]
struct Slot {
    demand: AtomicU32,
    /// `Some(None)`: never indexed (too dense, or the budget was spent).
    chunk: OnceLock<Option<Box<Chunk>>>,
}

/// What a walk over one chunk found. Instants are kept as seconds from the chunk's start
/// (`u32`: a chunk is 2²¹ s), each who-is-on-call segment is one `u32` (its start and its
/// answer), periods are variable-length deltas ([`encode_periods`]) naming their key by index
/// into a table of the distinct ones (12 bytes each), answers (with their flat sets) are shared with the schedule's
/// other chunks, the boundaries are only counted, and the flat final segments are the
/// who-is-on-call segments merged by flat set.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// The chunk's start: the instant every offset counts from.
    base: Ts,
    /// The chunk's end (exclusive), from `base`.
    end: u32,
    /// How many boundaries the chunk holds (its start included when it is one): a timeline
    /// over the chunks holding more than the limit allows is left to the walk, which counts
    /// exactly.
    steps: u32,
    /// The who-is-on-call segments: each its start (the first is the chunk's start, offset 0)
    /// shifted left by `shift`, or'ed with its answer (index into `answers`).
    who: Box<[u32]>,
    /// The bits of a segment's answer in `who`.
    shift: u32,
    /// Per day of the chunk (from its start), the segment holding the day's first instant: a
    /// lookup searches only the segments of one day.
    days: Box<[u32]>,
    /// Distinct answers.
    answers: Box<[Arc<Answer>]>,
    /// Final-layer periods per rotation (then schedule-wide overrides), cut at the chunk's edges.
    periods: Box<[Box<[u8]>]>,
    /// Distinct period keys.
    keys: Box<[ChunkKey]>,
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
    /// The chunk of what a walk found; `None` when it does not fit the compact form (never for
    /// a chunk of at most [`MAX_TIMELINE_STEPS`](crate::MAX_TIMELINE_STEPS) boundaries): then
    /// the chunk is answered by walking.
    pub(crate) fn new(
        bounds: Vec<Ts>,
        who: Vec<(Ts, u32, FlatSet)>,
        answers: Vec<Vec<Participant>>,
        periods: Vec<Vec<(PeriodKey, Ts, Ts)>>,
        segments: Vec<(FlatSet, Ts, Ts)>,
    ) -> Option<Chunk> {
        let base = who.first()?.0;
        // Every instant of a chunk lies within 2^CHUNK_BITS seconds of its start.
        let off = |t: Ts| (t - base) as u32;
        // Segments start before 2^CHUNK_BITS: the answer has the rest of the 32 bits.
        let shift = u32::BITS - (answers.len().max(1) as u32 - 1).leading_zeros();
        if shift > u32::BITS - CHUNK_BITS {
            return None;
        }
        let mut keys = Interner::new();
        let mut starts = Vec::with_capacity(who.len());
        let mut packed = Vec::with_capacity(who.len());
        let mut sets: Vec<Option<FlatSet>> = vec![None; answers.len()];
        for (t, answer, set) in who {
            starts.push(off(t));
            packed.push(off(t) << shift | answer);
            match sets.get_mut(answer as usize)? {
                s @ None => *s = Some(set),
                // The flat set is the answer's: a chunk where it is not is walked.
                Some(s) if *s != set => return None,
                Some(_) => {}
            }
        }
        let answers = answers
            .into_iter()
            .zip(sets)
            .map(|(participants, set)| Some(Arc::new(Answer { participants: participants.into(), set: set? })))
            .collect::<Option<Box<[_]>>>()?;
        let periods = periods
            .into_iter()
            .map(|list| {
                let list = list
                    .into_iter()
                    .map(|(key, start, end)| Some((keys.id(key_code(key)?), off(start), off(end))))
                    .collect::<Option<Vec<_>>>()?;
                encode_periods(list.into_iter())
            })
            .collect::<Option<Box<[_]>>>()?;
        // The walk's flat segments are the who-is-on-call segments merged by set (the nested
        // answer decides the flat set), so only where they end is kept.
        let end = segments.last().map_or(0, |s| off(s.2));
        let days =
            (0..=end as Ts / DAY).map(|d| (starts.partition_point(|&s| s as Ts <= d * DAY) - 1) as u32).collect();
        Some(Chunk {
            base,
            end,
            steps: u32::try_from(bounds.len()).ok()?,
            who: packed.into(),
            shift,
            days,
            answers,
            periods,
            keys: keys.table.into(),
        })
    }

    /// The start of who-is-on-call segment `i`, from the chunk's start.
    #[inline]
    fn start(&self, i: usize) -> u32 {
        self.who[i] >> self.shift
    }

    /// The answer of who-is-on-call segment `i`.
    #[inline]
    fn answer(&self, i: usize) -> &Answer {
        &self.answers[(self.who[i] & ((1 << self.shift) - 1)) as usize]
    }

    /// The who-is-on-call segment holding `t` (which lies in the chunk).
    #[inline]
    fn segment_at(&self, t: Ts) -> usize {
        let t = (t - self.base) as u32;
        let d = (t / DAY as u32) as usize;
        let lo = self.days[d] as usize;
        let hi = self.days.get(d + 1).map_or(self.who.len(), |&h| h as usize + 1);
        lo + self.who[lo..hi].partition_point(|&w| w >> self.shift <= t) - 1
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
        Some(&chunk.answer(chunk.segment_at(t)).participants)
    }

    /// The next change of the final on-call set of schedule `si` after `t` and the participants
    /// from then on, when the chunk holding `t` is indexed and the change lies in it.
    pub(crate) fn next_change(&self, c: &Config, si: usize, t: Ts) -> Option<(Ts, &[Participant])> {
        let chunk = self.chunk(c, si, chunk_of(t), 1)?;
        let i = chunk.segment_at(t);
        let now = &chunk.answer(i).set;
        let j = (i + 1..chunk.who.len()).find(|&j| chunk.answer(j).set != *now)?;
        Some((chunk.base + chunk.start(j) as Ts, &chunk.answer(j).participants))
    }

    /// The final layer and flat segments of schedule `si` over `[from, to)`, when every chunk
    /// they cover is indexed (and there are at most `max_chunks` of them).
    pub(crate) fn timeline(&self, c: &Config, si: usize, from: Ts, to: Ts) -> Option<Walked> {
        let (first, last) = (chunk_of(from), chunk_of(to - 1));
        if last - first >= self.options.max_chunks {
            return None;
        }
        let weight = (self.options.demand / 2).max(1);
        // Every chunk hears the demand, even when an earlier one is not indexed yet.
        let chunks: Vec<Option<&Chunk>> = (first..=last).map(|k| self.chunk(c, si, k, weight)).collect();
        let chunks: Vec<&Chunk> = chunks.into_iter().collect::<Option<_>>()?;
        // The walk evaluates `from`, then every boundary before `to`: at most one more than the
        // chunks hold. Past the limit the walk decides (it counts exactly, and refuses).
        let steps = 1 + chunks.iter().map(|ch| ch.steps as usize).sum::<usize>();
        if steps > c.limits.max_timeline_periods {
            return None;
        }
        let n = chunks[0].periods.len();
        let mut fin = Periods::new(n);
        let mut segments = Segments::default();
        for chunk in &chunks {
            let at = |offset: u32| chunk.base + offset as Ts;
            for (r, list) in chunk.periods.iter().enumerate() {
                let periods = decode_periods(list).skip_while(|p| at(p.2) <= from).take_while(|p| at(p.1) < to);
                for (key, start, end) in periods {
                    fin.append(r, key_of(chunk.keys[key as usize]), at(start).max(from), at(end).min(to));
                }
            }
            // The who-is-on-call segments from the one holding `from`; `append` merges those
            // of one flat set back into the walk's segments.
            let n = chunk.who.len();
            let i = chunk.who.partition_point(|&w| at(w >> chunk.shift) <= from).saturating_sub(1);
            for j in i..n {
                let start = at(chunk.start(j));
                if start >= to {
                    break;
                }
                let end = at(if j + 1 < n { chunk.start(j + 1) } else { chunk.end });
                if end > from {
                    segments.append(&chunk.answer(j).set, start.max(from), end.min(to));
                }
            }
        }
        Some(Walked { fin, base: Periods::new(n), over: Periods::new(n), fwd: Periods::new(n), segments })
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

    /// An indexed chunk counts the boundaries a walk over it evaluates (its start, when it is
    /// one, included).
    #[test]
    fn chunks_count_the_boundaries_a_walk_evaluates() {
        let c = Config::from_json(BUSY).expect("valid");
        for k in chunk_of(1_740_000_000)..=chunk_of(1_750_000_000) {
            let (from, to) = chunk_range(k);
            let chunk = c.index_chunk(0, from, to).expect("indexed");
            let mut walked = 0;
            c.walk(0, from, to, crate::Expand::default(), usize::MAX, |_, _, _| walked += 1).expect("walk");
            assert_eq!(chunk.steps as usize, walked - 1 + usize::from(c.is_boundary(0, from)), "chunk {k}");
            assert!(chunk.steps > 0);
        }
    }

    /// A timeline over chunks that hold more boundaries than the limit allows is the walk's:
    /// answered when the timeline itself holds fewer, refused with the walk's error when more.
    #[test]
    fn timelines_near_the_limit_are_the_walks() {
        let mut c = Config::from_json(BUSY).expect("valid");
        let at = |t: Ts| chrono::DateTime::from_timestamp(t, 0).expect("instant");
        let (from, _) = chunk_range(chunk_of(1_744_000_000));
        let steps = c.index_chunk(0, from, from + (1 << CHUNK_BITS)).expect("indexed").steps as usize;
        let mut walking = Config::from_json(BUSY).expect("valid");
        walking.set_index_options(IndexOptions::OFF);
        for limits in [crate::Limits { max_timeline_periods: steps / 2, ..crate::Limits::default() }, *c.limits()] {
            c.set_limits(limits);
            walking.set_limits(limits);
            c.set_index_options(IndexOptions::EAGER);
            let expand = crate::Expand::default();
            for (a, b) in [(from + 86_400, from + 2 * 86_400), (from, from + 20 * 86_400)] {
                let (s, w) = (c.schedule("s").expect("s"), walking.schedule("s").expect("s"));
                let (x, y) = (s.timeline(at(a), at(b), expand), w.timeline(at(a), at(b), expand));
                assert_eq!(format!("{x:?}"), format!("{y:?}"), "{a}..{b} within {}", limits.max_timeline_periods);
            }
        }
        c.set_limits(crate::Limits { max_timeline_periods: steps / 2, ..crate::Limits::default() });
        let s = c.schedule("s").expect("s");
        assert!(s.timeline(at(from + 86_400), at(from + 2 * 86_400), crate::Expand::default()).is_ok());
        assert!(s.timeline(at(from), at(from + 20 * 86_400), crate::Expand::default()).is_err());
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

    /// The compact forms give back what they were made of.
    #[test]
    fn compact_forms_round_trip() {
        let periods = [(0, 0, 1), (127, 1, 128), (128, 300, 86_700), (u32::MAX, 90_000, 1 << CHUNK_BITS)];
        let bytes = encode_periods(periods.iter().copied()).expect("in order");
        assert_eq!(decode_periods(&bytes).collect::<Vec<_>>(), periods);
        assert!(bytes.len() < 12 * periods.len());
        assert!(encode_periods([(0, 5, 10), (0, 9, 12)].into_iter()).is_none(), "overlapping");
        assert!(encode_periods([(0, 5, 4)].into_iter()).is_none(), "ends before it starts");
        for who in [Who::User(0), Who::User((1 << 30) - 1), Who::Team(5), Who::Escalation(7), Who::Nobody] {
            for from in [None, Some(Who::User(3)), Some(Who::Nobody)] {
                let key = (PeriodType::Forwarding, who, from);
                assert_eq!(key_of(key_code(key).expect("fits")), key);
            }
        }
        assert!(key_code((PeriodType::Default, Who::User(1 << 30), None)).is_none());
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
