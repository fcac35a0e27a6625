//! Custom rotations: an RFC 5545 recurrence turned into hand-off instants.
//!
//! # Rules
//!
//! * **Input.** Either a bare RRULE value (`FREQ=WEEKLY;BYDAY=MO,TH`) or lines `RRULE:…`,
//!   `EXDATE:…` and `RDATE:…` (blank lines ignored). At most one RRULE; at least one RRULE or
//!   RDATE. A DTSTART line is an error: the rotation's `startDate` is DTSTART. EXRULE is not
//!   supported.
//! * **Wall-clock expansion.** The rule is expanded in the local wall-clock time of the rotation's
//!   zone, as if that zone had no DST, and each occurrence is then mapped to an instant by the
//!   wall-clock rule ([`time::resolve`] with [`Edge::Start`]): a time in a spring-forward gap
//!   becomes the first instant after the gap, a time in a fall-back fold its first occurrence
//!   (its second when the first is before `startDate`, on the second pass of that fold). So
//!   a daily 00:00 rule keeps its hand-off on a day whose midnight does not exist, and an hourly
//!   rule yields every local hour exactly once (two hand-offs may share an instant in a gap; the
//!   hour after a fold's first 02:00 lasts two real hours). Hand-off instants never decrease.
//! * **Hand-offs.** Hand-off 0 is always `startDate` itself, whether or not it matches the rule.
//!   Hand-offs 1, 2, … are the set's occurrences strictly after `startDate`'s local time, in
//!   order; an occurrence equal to `startDate` is hand-off 0, RDATEs equal to a rule occurrence
//!   count once, and RDATEs before `startDate` are ignored. Nothing at or after 2200-01-01 UTC is
//!   a hand-off.
//! * **Date-times.** EXDATE and RDATE values are `YYYYMMDDTHHMMSS` (comma-separated lists
//!   allowed): without `Z` a local time in the rotation's zone, with `Z` a UTC instant, with
//!   `TZID=Zone` a local time in that zone; the last two are converted to the rotation's local
//!   wall-clock time. An EXDATE removes the occurrence with that local time (never hand-off 0).
//!   Only `VALUE=DATE-TIME` is accepted.
//! * **UNTIL** is compared in local wall-clock time too: `UNTIL=…Z` is converted from UTC to the
//!   rotation's local time, a value without `Z` is local already, and a bare date `YYYYMMDD`
//!   includes the whole local day.
//! * **Density bound.** At most four hand-offs per hour: FREQ=SECONDLY is refused, FREQ=MINUTELY
//!   needs INTERVAL>=15 and at most one BYSECOND value, and coarser rules at most four
//!   BYMINUTE×BYSECOND combinations.
//! * **No empty sets.** A recurrence with no occurrence after `startDate` (before 2200) is an
//!   error. A rule the `rrule` crate gives up on later (100 000 steps without a match) ends there.
//!
//! Expansion happens once: hand-off instants are cached and grown on demand by continuing the
//! same iteration, so a query costs a binary search plus amortised growth. A rule that is only a
//! frequency and an interval (`FREQ=MINUTELY;INTERVAL=15`) is not expanded at all: it is a
//! fixed grid ([`fixed_step`]), answered by arithmetic however old its anchor. Other rules
//! (BY-parts, COUNT, UNTIL, EXDATE, RDATE) still replay their occurrences from the anchor once, and
//! that replay is bounded by `maxRecurrenceWork` ([`crate::Limits`]): before a question about a
//! schedule is evaluated at an instant, each of its custom rotations is asked whether covering
//! that instant needs more than the limit's occurrences beyond those cached
//! ([`Recurrence::covers_within`], which expands at most that many); if so the question is
//! refused with [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming the rotation. The
//! check counts the occurrences it expands (no estimate), and what it expands stays cached, so
//! each question costs at most the limit (a later one goes on from there). What a question walks past its instant
//! is bounded by that question's own limits (`nextHorizonDays`, `maxTimelinePeriods`, the
//! hand-off count; the answer index walks at most one 2^25-second chunk past it).

use std::collections::BTreeSet;
use std::fmt;
use std::iter::Peekable;
use std::sync::{PoisonError, RwLock};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use rrule::{Frequency, NWeekday, RRule, RRuleSet, RRuleSetIter, Unvalidated, Validated};

use crate::time::{self, Edge, MAX_INSTANT, Ts};

/// How many occurrences the cache grows by at a time.
const CHUNK: usize = 4096;
/// The densest rule accepted: hand-offs per hour.
const MAX_PER_HOUR: usize = 4;

/// A compiled custom recurrence (see the module documentation for the rules).
pub(crate) struct Recurrence {
    tz: Tz,
    anchor: NaiveDateTime,
    finite: bool,
    cache: RwLock<Cache>,
}

/// Hand-off instants computed so far, and the expansion that produces the next ones.
struct Cache {
    /// `instants[k]` is hand-off k; never empty (hand-off 0), non-decreasing, all `< MAX_INSTANT`.
    instants: Vec<Ts>,
    /// `None` once the set is exhausted (or has reached 2200).
    source: Option<Source>,
}

/// The occurrences after the anchor, as local wall-clock times in increasing order.
struct Source {
    anchor: NaiveDateTime,
    /// The rule expanded in UTC (a zone without DST): its naive values are local wall-clock times.
    rule: Option<Peekable<RRuleSetIter>>,
    /// Sorted, deduplicated, all after the anchor.
    rdates: Peekable<std::vec::IntoIter<NaiveDateTime>>,
    exdates: BTreeSet<NaiveDateTime>,
}

impl Source {
    fn next_local(&mut self) -> Option<NaiveDateTime> {
        loop {
            let r = self.rule.as_mut().and_then(|it| it.peek()).map(|d| d.naive_utc());
            let d = self.rdates.peek().copied();
            let next = match (r, d) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => return None,
            };
            if r == Some(next) {
                self.rule.as_mut().and_then(Iterator::next);
            }
            if d == Some(next) {
                self.rdates.next();
            }
            if next > self.anchor && !self.exdates.contains(&next) {
                return Some(next);
            }
        }
    }
}

impl Cache {
    /// Grows the cache a chunk at a time until `enough` holds or the set is exhausted (true), or
    /// until `budget` more occurrences have been expanded without either (false).
    fn grow(&mut self, tz: Tz, enough: impl Fn(&[Ts]) -> bool, mut budget: usize) -> bool {
        while !enough(&self.instants) {
            let Some(src) = self.source.as_mut() else {
                return true;
            };
            if budget == 0 {
                return false;
            }
            let chunk = CHUNK.min(budget);
            budget -= chunk;
            for _ in 0..chunk {
                let last = self.instants.last().copied().unwrap_or(Ts::MIN);
                let start = self.instants.first().copied().unwrap_or(Ts::MIN);
                match src.next_local().map(|l| crate::rotation::after_anchor(tz, l, start).max(last)) {
                    Some(t) if t < MAX_INSTANT => self.instants.push(t),
                    _ => {
                        self.source = None;
                        return true;
                    }
                }
            }
        }
        true
    }
}

impl Recurrence {
    /// Compiles `text` with `anchor` (the rotation's `startDate`, local wall-clock time in `tz`)
    /// as DTSTART. The error is a human message; the caller adds the path.
    ///
    /// `start` is the `startDate` instant, hand-off 0 (a local time in a fall-back fold names one of
    /// its two instants); `None` resolves `anchor` as a start.
    pub(crate) fn parse(text: &str, anchor: NaiveDateTime, tz: Tz, start: Option<Ts>) -> Result<Recurrence, String> {
        // RFC 5545 recurrence text is ASCII; the rrule crate also slices it by bytes and would
        // panic inside a multi-byte character (found by fuzzing).
        if let Some((i, c)) = text.char_indices().find(|(_, c)| !c.is_ascii()) {
            return Err(format!("{c:?} at byte {i} is not allowed: a recurrence is ASCII RFC 5545 text"));
        }
        let anchor = anchor.with_nanosecond(0).unwrap_or(anchor);
        let start = start.unwrap_or_else(|| time::resolve(tz, anchor, Edge::Start));
        time::check_range(start).map_err(|e| format!("startDate {e}"))?;
        let lines: Vec<(usize, &str)> =
            text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
        if lines.is_empty() {
            return Err("the recurrence is empty (expected an RRULE such as FREQ=WEEKLY;BYDAY=MO)".into());
        }
        let mut rule: Option<RRule<Validated>> = None;
        let mut rdates = Vec::new();
        let mut exdates = BTreeSet::new();
        for &(n, line) in &lines {
            let at = |m: String| {
                if lines.len() > 1 { format!("line {n}: {m}") } else { m }
            };
            let (head, value) = line.split_once(':').unwrap_or(("RRULE", line));
            let mut params = head.split(';');
            let name = params.next().unwrap_or_default().trim().to_ascii_uppercase();
            let params: Vec<&str> = params.collect();
            match name.as_str() {
                "RRULE" if rule.is_some() => return Err(at("only one RRULE is allowed".into())),
                "RRULE" if !params.is_empty() => {
                    return Err(at("RRULE takes no parameters".into()));
                }
                "RRULE" => rule = Some(parse_rule(value, anchor, tz).map_err(at)?),
                "EXDATE" => exdates.extend(parse_dates(&params, value, tz).map_err(at)?),
                "RDATE" => rdates.extend(parse_dates(&params, value, tz).map_err(at)?),
                "DTSTART" => {
                    return Err(at("DTSTART is not allowed (the rotation's startDate is DTSTART)".into()));
                }
                "EXRULE" => return Err(at("EXRULE is not supported (use EXDATE)".into())),
                _ => {
                    return Err(at(format!("unknown line kind {name:?} (expected RRULE, EXDATE or RDATE)")));
                }
            }
        }
        if rule.is_none() && rdates.is_empty() {
            return Err("the recurrence needs an RRULE or an RDATE line".into());
        }
        rdates.retain(|d| *d > anchor);
        rdates.sort_unstable();
        rdates.dedup();
        let finite = rule.as_ref().is_none_or(|r| r.get_count().is_some() || r.get_until().is_some());
        let rule = rule.map(|r| (&RRuleSet::new(utc_frame(anchor)).rrule(r).limit()).into_iter().peekable());
        let source = Source { anchor, rule, rdates: rdates.into_iter().peekable(), exdates };
        let cache = RwLock::new(Cache { instants: vec![start], source: Some(source) });
        let rec = Recurrence { tz, anchor, finite, cache };
        if rec.handoff(1).is_none() {
            return Err("the recurrence has no occurrence after startDate (before 2200)".into());
        }
        Ok(rec)
    }

    /// True when the set ends: the rule has COUNT or UNTIL, or there are only RDATEs.
    pub(crate) fn is_finite(&self) -> bool {
        self.finite
    }

    /// The instant of hand-off `k` (hand-off 0 is `startDate`), or `None` past the end of the
    /// set or at or after 2200-01-01 UTC.
    pub(crate) fn handoff(&self, k: u64) -> Option<Ts> {
        let k = usize::try_from(k).ok()?;
        {
            let c = self.cache.read().unwrap_or_else(PoisonError::into_inner);
            if k < c.instants.len() || c.source.is_none() {
                return c.instants.get(k).copied();
            }
        }
        let mut c = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        c.grow(self.tz, |v| v.len() > k, usize::MAX);
        c.instants.get(k).copied()
    }

    /// Whether covering `t` (every hand-off up to `t` and the one after it) needs at most
    /// `budget` occurrences beyond those already cached. Grows the cache by at most `budget`
    /// occurrences (a read lock and a comparison when `t` is covered already), so a refused
    /// question costs the budget and no more, and an accepted one is then answered from the cache.
    pub(crate) fn covers_within(&self, t: Ts, budget: usize) -> bool {
        let covered = |c: &Cache| c.source.is_none() || c.instants.last().is_some_and(|&l| l > t);
        if covered(&self.cache.read().unwrap_or_else(PoisonError::into_inner)) {
            return true;
        }
        let mut c = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        c.grow(self.tz, |v| v.last().is_some_and(|&l| l > t), budget)
    }

    /// The largest k with `handoff(k) <= t`, or `None` when `t` is before hand-off 0.
    pub(crate) fn index_at(&self, t: Ts) -> Option<u64> {
        let covered = |c: &Cache| c.source.is_none() || c.instants.last().is_some_and(|&l| l > t);
        let count = |c: &Cache| c.instants.partition_point(|&x| x <= t);
        let n = {
            let c = self.cache.read().unwrap_or_else(PoisonError::into_inner);
            if c.instants.first().is_none_or(|&h0| t < h0) {
                return None;
            }
            covered(&c).then(|| count(&c))
        };
        let n = n.unwrap_or_else(|| {
            let mut c = self.cache.write().unwrap_or_else(PoisonError::into_inner);
            c.grow(self.tz, |v| v.last().is_some_and(|&l| l > t), usize::MAX);
            count(&c)
        });
        u64::try_from(n.checked_sub(1)?).ok()
    }
}

impl fmt::Debug for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cache.read().map_or(0, |c| c.instants.len());
        f.debug_struct("Recurrence")
            .field("tz", &self.tz.name())
            .field("anchor", &self.anchor)
            .field("finite", &self.finite)
            .field("cached", &cached)
            .finish()
    }
}

/// The grid of a recurrence that is nothing but a frequency and an interval (`FREQ=MINUTELY`,
/// `HOURLY`, `DAILY` or `WEEKLY`, optionally `INTERVAL` and `WKST`, one line, no COUNT, UNTIL,
/// BY-parts, EXDATE or RDATE): its occurrences are the anchor plus multiples of one step of
/// wall-clock time, exactly a fixed grid's hand-offs, so such a rotation is answered by
/// arithmetic from any anchor instead of by replaying every occurrence since the anchor. `None`
/// for any other text (which keeps the cached expansion).
pub(crate) fn fixed_step(text: &str) -> Option<(crate::rotation::Unit, i64)> {
    use crate::rotation::Unit;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = lines.next()?;
    if lines.next().is_some() {
        return None;
    }
    let value = match line.split_once(':') {
        Some((head, value)) if head.trim().eq_ignore_ascii_case("RRULE") => value,
        Some(_) => return None,
        None => line,
    };
    let (mut freq, mut interval) = (None, 1i64);
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=')?;
        match k.trim().to_ascii_uppercase().as_str() {
            "FREQ" => {
                freq = Some(match v.trim().to_ascii_uppercase().as_str() {
                    "MINUTELY" => (Unit::Minutes, 1),
                    "HOURLY" => (Unit::Hours, 1),
                    "DAILY" => (Unit::Days, 1),
                    "WEEKLY" => (Unit::Days, 7),
                    _ => return None,
                })
            }
            "INTERVAL" => interval = v.trim().parse().ok().filter(|&n: &i64| (1..=1_000_000).contains(&n))?,
            "WKST" => {}
            _ => return None,
        }
    }
    let (unit, step) = freq?;
    Some((unit, step * interval))
}

/// A local wall-clock time as a date-time in `rrule`'s UTC, the frame the rule is expanded in.
fn utc_frame(local: NaiveDateTime) -> chrono::DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

/// The parts of an RRULE value other than UNTIL (RFC 5545 §3.3.10), as an `rrule` rule: `FREQ`
/// (required), `INTERVAL`, `COUNT`, `BYSECOND`, `BYMINUTE`, `BYHOUR`, `BYDAY`, `BYMONTHDAY`,
/// `BYYEARDAY`, `BYWEEKNO`, `BYMONTH`, `BYSETPOS` and `WKST`, each at most once, names and
/// values case-insensitive. Number lists are sorted and deduplicated; their ranges are those of
/// the RFC (zero and the rest are checked when the rule is validated).
fn rule_parts(parts: &[&str]) -> Result<RRule<Unvalidated>, String> {
    fn list<T: std::str::FromStr + Ord>(key: &str, v: &str, ok: impl Fn(&T) -> bool) -> Result<Vec<T>, String> {
        let mut out = Vec::new();
        for item in v.split(',').filter(|s| !s.is_empty()) {
            match item.trim_start_matches('+').parse::<T>() {
                Ok(n) if ok(&n) => out.push(n),
                _ => return Err(bad_part(key, item)),
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
    fn weekday(key: &str, v: &str) -> Result<chrono::Weekday, String> {
        Ok(match v {
            "MO" => chrono::Weekday::Mon,
            "TU" => chrono::Weekday::Tue,
            "WE" => chrono::Weekday::Wed,
            "TH" => chrono::Weekday::Thu,
            "FR" => chrono::Weekday::Fri,
            "SA" => chrono::Weekday::Sat,
            "SU" => chrono::Weekday::Sun,
            _ => return Err(bad_part(key, v)),
        })
    }
    fn bad_part(key: &str, v: &str) -> String {
        format!("{key} value {v:?} is not valid")
    }
    let mut seen: Vec<String> = Vec::new();
    let mut freq = None;
    let mut rule = RRule::new(Frequency::Daily);
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or_else(|| format!("{part:?} is not NAME=VALUE"))?;
        let (key, value) = (key.trim().to_ascii_uppercase(), value.trim().to_ascii_uppercase());
        let key = if key == "BYWEEKDAY" { "BYDAY".to_string() } else { key };
        if seen.contains(&key) {
            return Err(format!("{key} is given twice"));
        }
        seen.push(key.clone());
        let k = key.as_str();
        rule = match k {
            "FREQ" => {
                freq = Some(match value.as_str() {
                    "YEARLY" => Frequency::Yearly,
                    "MONTHLY" => Frequency::Monthly,
                    "WEEKLY" => Frequency::Weekly,
                    "DAILY" => Frequency::Daily,
                    "HOURLY" => Frequency::Hourly,
                    "MINUTELY" => Frequency::Minutely,
                    "SECONDLY" => Frequency::Secondly,
                    _ => return Err(bad_part(k, &value)),
                });
                rule
            }
            "INTERVAL" => rule.interval(value.parse().ok().filter(|&n| n >= 1).ok_or_else(|| bad_part(k, &value))?),
            "COUNT" => rule.count(value.parse().ok().filter(|&n| n >= 1).ok_or_else(|| bad_part(k, &value))?),
            "BYSECOND" => rule.by_second(list(k, &value, |&n: &u8| n < 60)?),
            "BYMINUTE" => rule.by_minute(list(k, &value, |&n: &u8| n < 60)?),
            "BYHOUR" => rule.by_hour(list(k, &value, |&n: &u8| n < 24)?),
            "BYMONTHDAY" => rule.by_month_day(list(k, &value, |&n: &i8| (-31..=31).contains(&n) && n != 0)?),
            "BYYEARDAY" => rule.by_year_day(list(k, &value, |&n: &i16| (-366..=366).contains(&n) && n != 0)?),
            "BYWEEKNO" => rule.by_week_no(list(k, &value, |&n: &i8| (-53..=53).contains(&n) && n != 0)?),
            "BYSETPOS" => rule.by_set_pos(list(k, &value, |&n: &i32| (-366..=366).contains(&n) && n != 0)?),
            "BYMONTH" => {
                let months = list(k, &value, |n: &u8| (1..=12).contains(n))?;
                let months: Vec<chrono::Month> =
                    months.into_iter().filter_map(|m| chrono::Month::try_from(m).ok()).collect();
                rule.by_month(&months)
            }
            "BYDAY" => {
                let mut days = Vec::new();
                for item in value.split(',').filter(|s| !s.is_empty()) {
                    let split = item
                        .len()
                        .checked_sub(2)
                        .filter(|&i| item.is_char_boundary(i))
                        .ok_or_else(|| bad_part(k, item))?;
                    let (n, day) = item.split_at(split);
                    let day = weekday(k, day).map_err(|_| bad_part(k, item))?;
                    days.push(match n {
                        "" => NWeekday::Every(day),
                        n => match n.trim_start_matches('+').parse::<i16>() {
                            Ok(n) if n != 0 && (-53..=53).contains(&n) => NWeekday::Nth(n, day),
                            _ => return Err(bad_part(k, item)),
                        },
                    });
                }
                rule.by_weekday(days)
            }
            "WKST" => rule.week_start(weekday(k, &value)?),
            "DTSTART" | "TZID" => return Err(format!("{key} is not allowed: the rotation's startDate is DTSTART")),
            _ => return Err(format!("unknown rule part {key:?}")),
        };
    }
    let freq = freq.ok_or("FREQ is missing")?;
    // `RRule::new` fixed the frequency; set the one given (keeping every other part).
    Ok(rule.freq(freq))
}

/// Parses an RRULE value; UNTIL is handled here (see the module rules), the rest becomes an
/// `rrule` rule through [`rule_parts`].
fn parse_rule(value: &str, anchor: NaiveDateTime, tz: Tz) -> Result<RRule<Validated>, String> {
    let (mut until, mut rest) = (None, Vec::new());
    for part in value.split(';') {
        match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("UNTIL") => {
                if until.replace(v.trim()).is_some() {
                    return Err("UNTIL is given twice".into());
                }
            }
            _ => rest.push(part),
        }
    }
    let mut rule = rule_parts(&rest)?;
    if let Some(v) = until {
        let (naive, zulu, date_only) = parse_date_time(v).ok_or_else(|| bad_value("UNTIL", v))?;
        let local = match (zulu, date_only) {
            (true, _) => time::local(tz, naive.and_utc().timestamp()),
            (false, true) => naive.date().and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
            (false, false) => naive,
        };
        if local < anchor {
            return Err(format!("UNTIL={v} is before startDate"));
        }
        rule = rule.until(utc_frame(local));
    }
    let rule = rule.validate(utc_frame(anchor)).map_err(|e| e.to_string())?;
    let (minutes, seconds) = (rule.get_by_minute().len().max(1), rule.get_by_second().len().max(1));
    match rule.get_freq() {
        Frequency::Secondly => Err("FREQ=SECONDLY is not supported: hand-offs may be at most every 15 minutes \
             (use FREQ=MINUTELY;INTERVAL=15 or a coarser frequency)"
            .into()),
        Frequency::Minutely if rule.get_interval() < 15 || seconds > 1 => {
            Err("FREQ=MINUTELY needs INTERVAL>=15 and at most one BYSECOND value: hand-offs may be at most \
                 every 15 minutes"
                .into())
        }
        Frequency::Minutely => Ok(rule),
        _ if minutes * seconds > MAX_PER_HOUR => Err(format!(
            "BYMINUTE and BYSECOND give {} hand-offs per hour; at most {MAX_PER_HOUR} are supported",
            minutes * seconds
        )),
        _ => Ok(rule),
    }
}

/// Parses the values of an EXDATE or RDATE line into local wall-clock times in `tz`.
fn parse_dates(params: &[&str], value: &str, tz: Tz) -> Result<Vec<NaiveDateTime>, String> {
    let mut zone = None;
    for p in params {
        match p.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("TZID") => {
                zone = Some(time::parse_zone(v.trim().trim_matches('"'))?);
            }
            Some((k, v)) if k.trim().eq_ignore_ascii_case("VALUE") => {
                if !v.trim().eq_ignore_ascii_case("DATE-TIME") {
                    return Err(format!("VALUE={v} is not supported (write date-times such as 20260105T090000)"));
                }
            }
            _ => {
                return Err(format!("unknown parameter {p:?} (expected TZID=… or VALUE=DATE-TIME)"));
            }
        }
    }
    value
        .split(',')
        .map(|v| {
            let v = v.trim();
            match (parse_date_time(v), zone) {
                (Some((_, true, _)), Some(_)) => Err(format!("{v} has both TZID and Z")),
                (Some((n, true, false)), None) => Ok(time::local(tz, n.and_utc().timestamp())),
                (Some((n, false, false)), Some(z)) if z != tz => Ok(time::local(tz, time::resolve(z, n, Edge::Start))),
                (Some((n, false, false)), _) => Ok(n),
                _ => Err(bad_value("the date-time", v)),
            }
        })
        .collect()
}

fn bad_value(what: &str, v: &str) -> String {
    format!("cannot read {what} {v:?} (expected a date-time such as 20260105T090000 or 20260105T080000Z)")
}

/// Reads `YYYYMMDD` or `YYYYMMDDTHHMMSS`, each optionally followed by `Z`.
/// Returns the naive value, whether it had `Z`, and whether it was a bare date.
fn parse_date_time(v: &str) -> Option<(NaiveDateTime, bool, bool)> {
    let (body, zulu) = match v.strip_suffix(['Z', 'z']) {
        Some(b) => (b, true),
        None => (v, false),
    };
    let b = body.as_bytes();
    let shape_ok = (b.len() == 8 || b.len() == 15)
        && b.iter().enumerate().all(|(i, c)| if i == 8 { c.eq_ignore_ascii_case(&b'T') } else { c.is_ascii_digit() });
    if !shape_ok {
        return None;
    }
    let num = |r: std::ops::Range<usize>| body.get(r).and_then(|s| s.parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(4..6)?, num(6..8)?)?;
    if b.len() == 8 {
        return Some((date.and_time(NaiveTime::MIN), zulu, true));
    }
    let time = NaiveTime::from_hms_opt(num(9..11)?, num(11..13)?, num(13..15)?)?;
    Some((date.and_time(time), zulu, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format_ts, parse_zone};

    fn n(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
    }
    fn z(name: &str) -> Tz {
        parse_zone(name).unwrap()
    }
    fn ts(s: &str) -> Ts {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    /// Our reading of rule parts is the `rrule` crate's parser's (which would pull a second
    /// regular-expression engine into the WebAssembly package), on every part.
    #[test]
    fn rule_parts_read_as_the_rrule_parser_does() {
        for rule in [
            "FREQ=WEEKLY;BYDAY=MO,TH",
            "freq=monthly;byday=-1fr;interval=2",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1,1,1",
            "FREQ=YEARLY;BYMONTH=3,1,3;BYMONTHDAY=-1,15;COUNT=10",
            "FREQ=YEARLY;BYWEEKNO=20,-1;BYDAY=+2MO;WKST=SU",
            "FREQ=YEARLY;BYYEARDAY=1,100,-1",
            "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;BYSECOND=0",
            "FREQ=MINUTELY;INTERVAL=15;",
            "FREQ=HOURLY;BYWEEKDAY=SA,SU",
            "BYDAY=1MO;FREQ=MONTHLY",
        ] {
            let parts: Vec<&str> = rule.split(';').collect();
            let theirs: RRule<Unvalidated> = rule.parse().unwrap_or_else(|e| panic!("{rule}: {e}"));
            assert_eq!(rule_parts(&parts), Ok(theirs), "{rule}");
        }
        for (rule, why) in [
            ("BYDAY=MO", "FREQ is missing"),
            ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
            ("FREQ=DAILY;BYDAY=MO;BYWEEKDAY=TU", "BYDAY is given twice"),
            ("FREQ=FORTNIGHTLY", "FREQ value \"FORTNIGHTLY\" is not valid"),
            ("FREQ=DAILY;COLOUR=RED", "unknown rule part \"COLOUR\""),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL value \"0\" is not valid"),
            ("FREQ=DAILY;BYHOUR=24", "BYHOUR value \"24\" is not valid"),
            ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY value \"0\" is not valid"),
            ("FREQ=MONTHLY;BYDAY=XMO", "BYDAY value \"XMO\" is not valid"),
            ("FREQ=MONTHLY;BYDAY=0MO", "BYDAY value \"0MO\" is not valid"),
            ("FREQ=WEEKLY;BYDAY=M", "BYDAY value \"M\" is not valid"),
            ("FREQ=WEEKLY;WKST=XX", "WKST value \"XX\" is not valid"),
            ("FREQ=WEEKLY;BYDAY", "\"BYDAY\" is not NAME=VALUE"),
        ] {
            let parts: Vec<&str> = rule.split(';').collect();
            assert_eq!(rule_parts(&parts), Err(why.to_string()), "{rule}");
        }
    }
    fn rec(text: &str, anchor: NaiveDateTime, tz: &str) -> Recurrence {
        Recurrence::parse(text, anchor, z(tz), None).unwrap()
    }
    /// Hand-offs 0..count as RFC 3339 strings (None shows as "-").
    fn hs(r: &Recurrence, count: u64) -> Vec<String> {
        (0..count).map(|k| r.handoff(k).map_or("-".into(), format_ts)).collect()
    }
    fn err(text: &str) -> String {
        Recurrence::parse(text, n(2026, 1, 5, 9, 0), z("Europe/Berlin"), None).unwrap_err()
    }

    #[test]
    fn is_send_sync_debug() {
        fn check<T: Send + Sync + fmt::Debug>() {}
        check::<Recurrence>();
        let r = rec("FREQ=DAILY", n(2026, 1, 5, 9, 0), "Europe/Berlin");
        assert!(format!("{r:?}").contains("Europe/Berlin"));
    }

    #[test]
    fn weekly_berlin_across_spring_change() {
        // Monday 2026-03-23 09:00 CET; the clocks change on Sunday 2026-03-29.
        let r = rec("FREQ=WEEKLY;BYDAY=MO,TH", n(2026, 3, 23, 9, 0), "Europe/Berlin");
        assert!(!r.is_finite());
        assert_eq!(
            hs(&r, 4),
            ["2026-03-23T08:00:00Z", "2026-03-26T08:00:00Z", "2026-03-30T07:00:00Z", "2026-04-02T07:00:00Z"]
        );
    }

    #[test]
    fn santiago_midnight_gap_keeps_the_handoff() {
        let r = rec("RRULE:FREQ=DAILY", n(2025, 9, 5, 0, 0), "America/Santiago");
        assert_eq!(
            hs(&r, 4),
            ["2025-09-05T04:00:00Z", "2025-09-06T04:00:00Z", "2025-09-07T04:00:00Z", "2025-09-08T03:00:00Z"]
        );
    }

    #[test]
    fn hourly_berlin_spring_gap() {
        let r = rec("FREQ=HOURLY", n(2025, 3, 30, 0, 0), "Europe/Berlin");
        // 00:00+01, 01:00+01, 02:00 (does not exist -> 03:00+02), 03:00+02, 04:00+02.
        assert_eq!(
            hs(&r, 5),
            [
                "2025-03-29T23:00:00Z",
                "2025-03-30T00:00:00Z",
                "2025-03-30T01:00:00Z",
                "2025-03-30T01:00:00Z",
                "2025-03-30T02:00:00Z"
            ]
        );
        assert_eq!(r.index_at(ts("2025-03-30T01:00:00Z")), Some(3));
        assert_eq!(r.index_at(ts("2025-03-30T00:59:59Z")), Some(1));
    }

    #[test]
    fn hourly_berlin_autumn_fold() {
        let r = rec("FREQ=HOURLY", n(2025, 10, 26, 0, 0), "Europe/Berlin");
        // 00:00+02, 01:00+02, 02:00 (first, +02), 03:00+01: the 02:00 shift lasts two hours.
        assert_eq!(
            hs(&r, 4),
            ["2025-10-25T22:00:00Z", "2025-10-25T23:00:00Z", "2025-10-26T00:00:00Z", "2025-10-26T02:00:00Z"]
        );
        assert_eq!(r.index_at(ts("2025-10-26T01:59:59Z")), Some(2));
        assert_eq!(r.index_at(ts("2025-10-26T02:00:00Z")), Some(3));
    }

    #[test]
    fn exdate_local_utc_and_tzid() {
        let want = ["2026-01-05T08:00:00Z", "2026-01-06T08:00:00Z", "2026-01-08T08:00:00Z", "2026-01-10T08:00:00Z"];
        for ex in [
            "EXDATE:20260107T090000,20260109T090000",
            "EXDATE:20260107T080000Z\nEXDATE;VALUE=DATE-TIME:20260109T080000Z",
            "EXDATE;TZID=America/New_York:20260107T030000,20260109T030000",
            "EXDATE;TZID=\"Europe/Berlin\":20260107T090000\nexdate:20260109T090000",
        ] {
            let r = rec(&format!("RRULE:FREQ=DAILY\n{ex}"), n(2026, 1, 5, 9, 0), "Europe/Berlin");
            assert_eq!(hs(&r, 4), want, "{ex}");
        }
        // An EXDATE on the anchor does not remove hand-off 0.
        let r = rec("RRULE:FREQ=DAILY\nEXDATE:20260105T090000", n(2026, 1, 5, 9, 0), "Europe/Berlin");
        assert_eq!(hs(&r, 2), ["2026-01-05T08:00:00Z", "2026-01-06T08:00:00Z"]);
    }

    #[test]
    fn rdate_merges_and_dedups() {
        let r = rec(
            "RRULE:FREQ=WEEKLY\nRDATE:20260107T120000,20260112T090000\nRDATE:20260101T090000",
            n(2026, 1, 5, 9, 0),
            "Europe/Berlin",
        );
        assert!(!r.is_finite());
        assert_eq!(
            hs(&r, 4),
            ["2026-01-05T08:00:00Z", "2026-01-07T11:00:00Z", "2026-01-12T08:00:00Z", "2026-01-19T08:00:00Z"]
        );
        let only = rec("RDATE:20260107T120000Z,20260106T090000", n(2026, 1, 5, 9, 0), "Europe/Berlin");
        assert!(only.is_finite());
        assert_eq!(hs(&only, 4), ["2026-01-05T08:00:00Z", "2026-01-06T08:00:00Z", "2026-01-07T12:00:00Z", "-"]);
    }

    #[test]
    fn count_is_finite() {
        let r = rec("FREQ=DAILY;COUNT=3", n(2026, 1, 5, 9, 0), "Europe/Berlin");
        assert!(r.is_finite());
        assert_eq!(hs(&r, 4), ["2026-01-05T08:00:00Z", "2026-01-06T08:00:00Z", "2026-01-07T08:00:00Z", "-"]);
        assert_eq!(r.handoff(u64::MAX), None);
        assert_eq!(r.index_at(ts("2030-01-01T00:00:00Z")), Some(2));
    }

    #[test]
    fn until_utc_local_and_date() {
        let a = n(2026, 1, 5, 9, 0);
        // 08:00Z is 09:00 in Berlin: the 01-07 occurrence is included.
        let r = rec("FREQ=DAILY;UNTIL=20260107T080000Z", a, "Europe/Berlin");
        assert!(r.is_finite());
        assert_eq!(hs(&r, 4), ["2026-01-05T08:00:00Z", "2026-01-06T08:00:00Z", "2026-01-07T08:00:00Z", "-"]);
        let r = rec("FREQ=DAILY;UNTIL=20260107T075959Z", a, "Europe/Berlin");
        assert_eq!(r.handoff(1).map(format_ts).as_deref(), Some("2026-01-06T08:00:00Z"));
        assert_eq!(r.handoff(2), None);
        let r = rec("FREQ=DAILY;UNTIL=20260107T090000", a, "Europe/Berlin");
        assert_eq!(r.handoff(2).map(format_ts).as_deref(), Some("2026-01-07T08:00:00Z"));
        assert_eq!(r.handoff(3), None);
        let r = rec("FREQ=DAILY;UNTIL=20260107", a, "Europe/Berlin");
        assert_eq!(r.handoff(2).map(format_ts).as_deref(), Some("2026-01-07T08:00:00Z"));
        assert_eq!(r.handoff(3), None);
    }

    #[test]
    fn anchor_not_matching_the_rule() {
        // Tuesday 2026-01-06 09:00, rule on Mondays.
        let r = rec("FREQ=WEEKLY;BYDAY=MO", n(2026, 1, 6, 9, 0), "Europe/Berlin");
        assert_eq!(hs(&r, 3), ["2026-01-06T08:00:00Z", "2026-01-12T08:00:00Z", "2026-01-19T08:00:00Z"]);
    }

    #[test]
    fn index_at_edges() {
        let r = rec("FREQ=WEEKLY;BYDAY=MO,TH", n(2026, 1, 5, 9, 0), "Europe/Berlin");
        assert_eq!(r.index_at(ts("2026-01-05T07:59:59Z")), None);
        assert_eq!(r.index_at(ts("2026-01-05T08:00:00Z")), Some(0));
        assert_eq!(r.index_at(ts("2026-01-08T07:59:59Z")), Some(0));
        assert_eq!(r.index_at(ts("2026-01-08T08:00:00Z")), Some(1));
        assert_eq!(r.index_at(ts("2026-01-12T08:00:00Z")), Some(2));
        for k in [0, 1, 7, 100, 5000, 9000] {
            let t = r.handoff(k).unwrap();
            assert_eq!(r.index_at(t), Some(k));
            assert_eq!(r.index_at(t - 1), k.checked_sub(1));
        }
        // The last hand-off before 2200, and nothing after it.
        let last = r.index_at(MAX_INSTANT + 1_000_000).unwrap();
        assert_eq!(r.index_at(MAX_INSTANT - 1), Some(last));
        assert!(r.handoff(last).unwrap() < MAX_INSTANT);
        assert_eq!(r.handoff(last + 1), None);
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // measuring the test itself, not engine logic
    fn later_queries_are_fast() {
        let r = rec("FREQ=DAILY", n(2000, 1, 1, 9, 0), "Europe/Berlin");
        let t = ts("2030-06-15T12:00:00Z");
        let clock = std::time::Instant::now();
        let first = r.index_at(t);
        let d1 = clock.elapsed();
        let clock = std::time::Instant::now();
        let second = r.index_at(t);
        let d2 = clock.elapsed();
        println!("index_at in 2030 of a daily rule from 2000: first {d1:?}, second {d2:?}");
        // 2000-01-01 .. 2030-06-15 is 11 123 days.
        assert_eq!(first, Some(11_123));
        assert_eq!(second, first);
        assert_eq!(r.handoff(11_123).map(format_ts).as_deref(), Some("2030-06-15T07:00:00Z"));
        assert!(d2 < std::time::Duration::from_millis(50), "{d2:?}");
    }

    #[test]
    fn covers_within_spends_at_most_the_budget() {
        let r = rec("FREQ=HOURLY;BYMINUTE=0,15,30,45", n(1900, 1, 1, 0, 0), "UTC");
        let cached = || r.cache.read().unwrap().instants.len();
        let before = cached(); // parsing expanded a first chunk
        // 2199 needs about 10.5 million occurrences from 1900: refused after the budget alone.
        assert!(!r.covers_within(ts("2199-01-01T00:00:00Z"), 10_000));
        assert_eq!(cached(), before + 10_000);
        // Covering what is cached costs nothing; a little further fits a fresh budget.
        assert!(r.covers_within(ts("1900-01-01T12:00:00Z"), 0));
        assert!(!r.covers_within(ts("1900-12-31T00:00:00Z"), 0));
        assert!(r.covers_within(ts("1900-12-31T00:00:00Z"), 30_000));
        assert!(cached() <= before + 10_000 + 30_000);
        assert!(r.index_at(ts("1900-12-31T00:00:00Z")).is_some());
        // A finite set is covered once exhausted, whatever the budget.
        let f = rec("FREQ=DAILY;COUNT=3", n(1900, 1, 1, 0, 0), "UTC");
        assert!(f.covers_within(ts("2199-01-01T00:00:00Z"), 10));
        assert!(f.covers_within(ts("2199-01-01T00:00:00Z"), 0));
    }

    /// The limit reaches the callers of `Schedule` as an `Err`, for every question, and a larger
    /// budget (or a cache grown by an earlier question) answers.
    #[test]
    fn schedule_questions_past_the_budget_are_refused() {
        use crate::{Config, Error, Expand, Limits};
        let mut config = Config::from_json(
            r#"{"schedules": [{"name": "s", "rotations": [{"name": "q", "type": "custom",
              "recurrence": "FREQ=HOURLY;BYMINUTE=0,15,30,45", "startDate": "2020-01-01T00:00:00Z",
              "participants": ["a", "b", "c"]}]}]}"#,
        )
        .unwrap();
        // 2020 to mid-2026 is about 225 000 occurrences; each refused question expands at most
        // the budget (and keeps it cached), so seven of them stay short of it.
        config.set_limits(Limits { max_recurrence_work: 10_000, ..Limits::default() });
        let at: chrono::DateTime<chrono::Utc> = "2026-06-01T12:07:00Z".parse().unwrap();
        let to = at + chrono::Duration::days(1);
        let s = config.schedule("s").unwrap();
        let refused = |r: Result<(), Error>| match r {
            Err(Error::LimitExceeded { limit, path, message, .. }) => {
                assert_eq!((limit, path.as_str()), ("maxRecurrenceWork", "schedules[0].rotations[0]"));
                assert!(message.contains("needs more than 10000 occurrences"), "{message}");
            }
            other => panic!("expected maxRecurrenceWork, got {other:?}"),
        };
        refused(s.on_call(at).map(drop));
        refused(s.on_call_sources(at).map(drop));
        refused(s.next_on_call(at).map(drop));
        refused(s.next_shifts(at).map(drop));
        refused(s.handoffs("q", at).map(drop));
        refused(s.timeline(at, to, Expand::default()).map(drop));
        refused(s.segments(at, to).map(drop));
        config.set_limits(Limits::default());
        let s = config.schedule("s").unwrap();
        assert!(s.on_call(at).is_ok());
        // Now cached: even a zero budget answers there.
        config.set_limits(Limits { max_recurrence_work: 0, ..Limits::default() });
        let s = config.schedule("s").unwrap();
        assert!(s.on_call(at).is_ok());
        assert!(s.timeline(at, to, Expand::default()).is_ok());
    }

    #[test]
    fn shared_between_threads() {
        let r = rec("FREQ=HOURLY;INTERVAL=3", n(2020, 1, 1, 0, 0), "America/New_York");
        let want: Vec<_> = (0..20_000).map(|k| r.handoff(k)).collect();
        let r2 = rec("FREQ=HOURLY;INTERVAL=3", n(2020, 1, 1, 0, 0), "America/New_York");
        std::thread::scope(|s| {
            for i in 0..4u64 {
                let (r2, want) = (&r2, &want);
                s.spawn(move || {
                    for k in (i..20_000).step_by(997) {
                        assert_eq!(r2.handoff(k), want[usize::try_from(k).unwrap()]);
                        assert_eq!(r2.index_at(want[usize::try_from(k).unwrap()].unwrap()), Some(k));
                    }
                });
            }
        });
    }

    #[test]
    fn agrees_with_rrule_in_utc() {
        for (rule, anchor) in [
            ("FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9,21", n(2025, 12, 30, 9, 0)),
            ("FREQ=MONTHLY;BYMONTHDAY=-1", n(2024, 1, 31, 6, 30)),
            ("FREQ=HOURLY;INTERVAL=7", n(2025, 3, 30, 1, 0)),
        ] {
            let r = rec(rule, anchor, "UTC");
            let text = format!("DTSTART:{}Z\nRRULE:{rule}", anchor.format("%Y%m%dT%H%M%S"));
            let set: RRuleSet = text.parse().unwrap();
            let theirs: Vec<Ts> = set
                .all(500)
                .dates
                .iter()
                .map(|d| d.timestamp())
                .filter(|&t| t > anchor.and_utc().timestamp())
                .collect();
            assert!(theirs.len() > 400, "{rule}");
            for (i, t) in theirs.iter().enumerate() {
                assert_eq!(r.handoff(i as u64 + 1), Some(*t), "{rule} #{i}");
            }
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("RRULE:FREQ=DAILY\nDTSTART:20260101T090000Z"),
            "line 2: DTSTART is not allowed (the rotation's startDate is DTSTART)"
        );
        assert!(!err("garbage").is_empty());
        assert!(!err("FREQ=SOMETIMES").is_empty());
        assert!(err("RRULE:FREQ=DAILY\nFOO:bar").starts_with("line 2: unknown line kind \"FOO\""));
        assert!(err("").contains("empty"));
        assert!(err(" \n\n").contains("empty"));
        assert!(err("FREQ=SECONDLY").contains("FREQ=SECONDLY is not supported"));
        assert!(err("FREQ=MINUTELY;INTERVAL=5").contains("INTERVAL>=15"));
        assert!(err("FREQ=HOURLY;BYMINUTE=0,10,20,30,40").contains("per hour"));
        assert!(err("RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY").contains("only one RRULE"));
        assert!(err("EXDATE:20260107T090000").contains("needs an RRULE or an RDATE"));
        assert!(err("RRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20260107").contains("VALUE=DATE"));
        assert!(err("RRULE:FREQ=DAILY\nEXDATE:2026-01-07").contains("cannot read"));
        assert!(err("RRULE:FREQ=DAILY\nEXDATE;TZID=Mars/Base:20260107T090000").contains("unknown time zone"));
        assert!(err("RRULE:FREQ=DAILY\nEXDATE;TZID=UTC:20260107T090000Z").contains("both TZID and Z"));
        assert!(err("FREQ=DAILY;UNTIL=20251231T000000Z").contains("before startDate"));
        assert!(err("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").contains("no occurrence after startDate"));
        assert!(err("FREQ=DAILY;COUNT=1").contains("no occurrence after startDate"));
        assert!(err("RDATE:20250101T000000").contains("no occurrence after startDate"));
        assert!(Recurrence::parse("FREQ=MINUTELY;INTERVAL=15", n(2026, 1, 5, 9, 0), z("UTC"), None).is_ok());
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let anchor = n(2026, 1, 5, 9, 0);
        let inputs = [
            ":",
            ";",
            "RRULE:",
            "RRULE;X=1:FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;INTERVAL=99999999999",
            "FREQ=DAILY;COUNT=0",
            "FREQ=DAILY;COUNT=-1",
            "FREQ=YEARLY;INTERVAL=10000;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=MONTHLY;BYSETPOS=-400;BYDAY=MO",
            "FREQ=DAILY;UNTIL=99991231T235959Z",
            "FREQ=DAILY;UNTIL=00000101",
            "FREQ=DAILY;UNTIL=2026010",
            "FREQ=DAILY;UNTIL=é€€€€€€€",
            "FREQ=DAILY;UNTIL=+2026010T000000",
            "FREQ=WEEKLY;BYDAY=9MO",
            "FREQ=WEEKLY;WKST=XX",
            "RRULE:FREQ=DAILY\nRDATE:99991231T235959Z,00000101T000000",
            "RRULE:FREQ=DAILY\nRDATE;TZID=Asia/Tokyo:00000101T000000",
            "RRULE:FREQ=DAILY\nEXDATE:20260107T246000",
            "RRULE:FREQ=DAILY\nEXDATE:,,,",
            "FREQ=DAILY;BYHOUR=25",
            "FREQ=HOURLY;BYYEARDAY=366;BYMONTH=2",
            "\u{0}\u{feff}RRULE:FREQ=DAILY",
        ];
        for text in inputs {
            let _ = Recurrence::parse(text, anchor, z("Pacific/Apia"), None)
                .map(|r| (r.handoff(10), r.index_at(MAX_INSTANT)));
        }
    }
}
