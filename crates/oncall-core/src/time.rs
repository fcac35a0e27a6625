//! Instants, zones and the wall-clock rule.
//!
//! Every instant is UTC. Hand-offs and restriction windows are written as local wall-clock times
//! in an IANA zone, and one resolver, [`resolve_local`], turns a local time into an instant:
//!
//! * a local time that **does not exist** (the spring-forward gap) maps to the first instant
//!   after the gap: 02:30 on a US spring-forward day becomes 03:00 daylight time;
//! * a local time that **occurs twice** (the fall-back fold) maps to its first occurrence when it
//!   starts something ([`Edge::Start`]) and to its last occurrence when it ends something
//!   ([`Edge::End`]); so a 00:00–01:30 window on a US fall-back day lasts 2.5 hours.
//!
//! Rotation hand-offs are starts. Intervals are half-open `[start, end)`: an instant exactly on a
//! hand-off belongs to the new shift.
//!
//! The engine accepts instants from 1900-01-01 up to (not including) 2200-01-01 UTC. The time
//! zone database (tzdata as compiled into `chrono-tz`) describes transitions up to 2100; after
//! that each zone keeps the offsets of its last rule-free state.

use chrono::{DateTime, Datelike, MappedLocalTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{GapInfo, Tz};

/// Seconds since the Unix epoch, UTC. The engine's internal instant.
pub(crate) type Ts = i64;

/// The first instant the engine accepts: 1900-01-01T00:00:00Z.
pub const MIN_INSTANT: i64 = -2_208_988_800;
/// The end of the engine's range (exclusive): 2200-01-01T00:00:00Z.
pub const MAX_INSTANT: i64 = 7_258_118_400;

/// Which occurrence of an ambiguous local time to take.
///
/// Both edges move a non-existent local time to the first instant after the gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edge {
    /// The local time starts something (a shift, a window): take the first occurrence of a fold.
    Start,
    /// The local time ends something (a window, an override, an end date): take the last
    /// occurrence of a fold.
    End,
}

/// Maps a local wall-clock time in `tz` to a UTC instant by the wall-clock rule.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use oncall_core::time::{resolve_local, Edge};
///
/// let ny: chrono_tz::Tz = "America/New_York".parse()?;
/// // 2026-03-08 02:30 does not exist in New York: it becomes 03:00 EDT (07:00Z).
/// let gap = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(resolve_local(ny, gap, Edge::Start).to_rfc3339(), "2026-03-08T07:00:00+00:00");
/// // 2026-11-01 01:30 happens twice: 05:30Z (EDT) as a start, 06:30Z (EST) as an end.
/// let fold = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(1, 30, 0).unwrap();
/// assert_eq!(resolve_local(ny, fold, Edge::Start).to_rfc3339(), "2026-11-01T05:30:00+00:00");
/// assert_eq!(resolve_local(ny, fold, Edge::End).to_rfc3339(), "2026-11-01T06:30:00+00:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn resolve_local(tz: Tz, local: NaiveDateTime, edge: Edge) -> DateTime<Utc> {
    DateTime::from_timestamp(resolve(tz, local, edge), 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// [`resolve_local`] on the internal representation.
#[inline]
pub(crate) fn resolve(tz: Tz, local: NaiveDateTime, edge: Edge) -> Ts {
    resolve_secs(tz, local.and_utc().timestamp(), edge).unwrap_or_else(|| resolve_chrono(tz, local, edge))
}

/// The resolver on local wall-clock seconds (see [`crate::zone`]); None when the fast table
/// cannot decide alone.
#[inline]
pub(crate) fn resolve_secs(tz: Tz, local: i64, edge: Edge) -> Option<Ts> {
    crate::zone::Table::of(tz).resolve(local, edge == Edge::End)
}

/// Local wall-clock seconds of instant `t` in `tz`.
#[inline]
pub(crate) fn local_secs(tz: Tz, t: Ts) -> i64 {
    crate::zone::Table::of(tz).local(t)
}

/// The resolver computed by chrono-tz alone: the reference the fast tables are tested against.
pub(crate) fn resolve_chrono(tz: Tz, local: NaiveDateTime, edge: Edge) -> Ts {
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Single(t) => t.timestamp(),
        MappedLocalTime::Ambiguous(first, last) => match edge {
            Edge::Start => first.timestamp(),
            Edge::End => last.timestamp(),
        },
        MappedLocalTime::None => match GapInfo::new(&local, &tz).and_then(|g| g.end) {
            Some(end) => end.timestamp(),
            // Outside the database's known range there are no gaps; fall back to the offset
            // in force a day earlier, which cannot be in the same gap.
            None => {
                let before = local - chrono::Duration::days(1);
                let off = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
                local.and_utc().timestamp() - i64::from(off)
            }
        },
    }
}

/// The local wall-clock time of instant `t` in `tz`.
pub(crate) fn local(tz: Tz, t: Ts) -> NaiveDateTime {
    DateTime::from_timestamp(local_secs(tz, t), 0).unwrap_or(DateTime::<Utc>::MIN_UTC).naive_utc()
}

/// Converts an internal instant to a chrono instant.
pub(crate) fn to_utc(t: Ts) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Reads an IANA zone name. An unknown name's error suggests the closest zone name when one
/// is close (see [`crate::config::suggest`]).
///
/// # Example
///
/// ```
/// let tz = oncall_core::time::parse_zone("Australia/Lord_Howe")?;
/// assert_eq!(tz.name(), "Australia/Lord_Howe");
/// assert!(oncall_core::time::parse_zone("CEST").is_err());
/// let err = oncall_core::time::parse_zone("America/NewYork").unwrap_err();
/// assert_eq!(err, r#"unknown time zone "America/NewYork"; did you mean "America/New_York"?"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
        match crate::config::suggest(name, names) {
            Some(near) => format!("unknown time zone {name:?}; did you mean {near:?}?"),
            None => format!("unknown time zone {name:?} (expected an IANA name such as \"Europe/Berlin\")"),
        }
    })
}

/// Reads an instant: RFC 3339 with an offset or `Z` (`2026-11-02T09:00:00+01:00`; no leap
/// seconds; the seconds may be left out, `2026-11-02T08:00Z`), or a zero-padded naive
/// local date-time read as wall-clock time in `tz` (`2026-11-02T09:00`, `2026-11-02T09:00:00`,
/// `2026-11-02 09:00`, or a bare date `2026-11-02` meaning local midnight).
///
/// A naive time is resolved with `edge` (see [`Edge`]). Fractions of a second are dropped.
/// The result must lie in the engine's range (1900 to 2200).
///
/// # Example
///
/// ```
/// use oncall_core::time::{parse_instant, Edge};
/// let berlin: chrono_tz::Tz = "Europe/Berlin".parse()?;
/// let t = parse_instant("2026-11-02T09:00", berlin, Edge::Start)?;
/// assert_eq!(oncall_core::time::format_instant(t), "2026-11-02T08:00:00Z");
/// let u = parse_instant("2026-11-02T09:00:00+01:00", berlin, Edge::Start)?;
/// assert_eq!(t, u);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_instant(text: &str, tz: Tz, edge: Edge) -> Result<DateTime<Utc>, String> {
    parse_ts(text, tz, edge).map(to_utc)
}

/// When `text` is a naive local time that occurs twice in `tz` (the fold of a fall-back
/// change), the two instants it names, first and last; `None` for a time with an offset, a local
/// time that occurs once (or not at all: a spring-forward gap), or text that cannot be read.
/// [`parse_instant`] takes the first as a start ([`Edge::Start`]) and the last as an end
/// ([`Edge::End`]); front ends use this to say which one they took.
///
/// # Example
///
/// ```
/// use oncall_core::time::{fold_occurrences, format_instant};
/// let ny: chrono_tz::Tz = "America/New_York".parse()?;
/// let (first, last) = fold_occurrences("2026-11-01T01:30", ny).expect("01:30 occurs twice");
/// assert_eq!((format_instant(first), format_instant(last)), ("2026-11-01T05:30:00Z".into(), "2026-11-01T06:30:00Z".into()));
/// assert_eq!(fold_occurrences("2026-11-01T01:30:00-04:00", ny), None);
/// assert_eq!(fold_occurrences("2026-11-02T01:30", ny), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fold_occurrences(text: &str, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = parse_ts(text, tz, Edge::Start).ok()?;
    let last = parse_ts(text, tz, Edge::End).ok()?;
    (first != last).then(|| (to_utc(first), to_utc(last)))
}

/// Reads the common forms by hand (`YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`, `T` or a space):
/// the local wall-clock seconds and, when present, the offset in seconds. None for anything
/// else, which then goes to chrono's parsers.
fn parse_fast(s: &str) -> Option<(i64, Option<i64>)> {
    let b = s.as_bytes();
    let num = |i: usize, n: usize| -> Option<i64> {
        let d = b.get(i..i + n)?;
        d.iter().try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
    };
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' {
        return None;
    }
    let (y, mo, d, h, mi) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?);
    let mut i = 16;
    let mut sec = 0;
    if b.get(i) == Some(&b':') {
        sec = num(i + 1, 2)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            // RFC 3339: a fraction has at least one digit (found by fuzzing against chrono).
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    let offset = match b.get(i) {
        None => None,
        // RFC 3339 needs seconds; `2026-11-10T10:00Z` (ISO 8601 without seconds) is read too.
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(0),
        Some(&c @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            // RFC 3339 offsets are at most ±23:59 (see `bad_offset` for the message).
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            Some(if c == b'-' { -o } else { o })
        }
        _ => return None,
    };
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let days = civil_days(y, mo, d)?;
    Some((days * 86_400 + h * 3600 + mi * 60 + sec, offset))
}

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d` (year 0 to 9999, as four
/// digits give), None for a date that does not exist: what chrono's `NaiveDate::from_ymd_opt`
/// and `num_days_from_ce` give (a unit test compares them), by arithmetic alone.
fn civil_days(y: i64, m: i64, d: i64) -> Option<i64> {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(0..=9999).contains(&y) || d < 1 || d > month_days {
        return None;
    }
    // Years from March, so that the leap day ends a year (H. Hinnant's `days_from_civil`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

pub(crate) fn parse_ts(text: &str, tz: Tz, edge: Edge) -> Result<Ts, String> {
    let s = text.trim();
    if let Some((wall, offset)) = parse_fast(s) {
        let t = match offset {
            Some(o) => wall - o,
            None => resolve_secs(tz, wall, edge).unwrap_or_else(|| {
                let naive = DateTime::from_timestamp(wall, 0).unwrap_or_default().naive_utc();
                resolve_chrono(tz, naive, edge)
            }),
        };
        return check_range(t).map_err(|e| format!("{text:?} {e}"));
    }
    if let Some(date) = parse_date(s) {
        let wall = i64::from(date.num_days_from_ce() - 719_163) * 86_400;
        let t = resolve_secs(tz, wall, edge)
            .unwrap_or_else(|| resolve_chrono(tz, date.and_time(chrono::NaiveTime::MIN), edge));
        return check_range(t).map_err(|e| format!("{text:?} {e}"));
    }
    if let Some(offset) = bad_offset(s) {
        return Err(format!("{text:?} has the UTC offset {offset}, outside -23:59 to +23:59"));
    }
    Err(format!(
        "cannot read {text:?} as a time (expected RFC 3339 such as \"2026-11-02T09:00:00Z\", or a local time such as \"2026-11-02T09:00\")"
    ))
}

/// The trailing `±HH:MM` of `s` when it is out of range (hours above 23 or minutes above 59).
fn bad_offset(s: &str) -> Option<&str> {
    let tail = s.get(s.len().checked_sub(6)?..)?;
    let b = tail.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !matches!(b[0], b'+' | b'-') || b[3] != b':' || !digits(1..3) || !digits(4..6) {
        return None;
    }
    let (h, m) = (tail[1..3].parse::<u32>().ok()?, tail[4..6].parse::<u32>().ok()?);
    (h > 23 || m > 59).then_some(tail)
}

/// A bare date `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// [`parse_ts`] with chrono's parsers only: the reference the fast path is tested against.
#[cfg(test)]
fn parse_ts_chrono(text: &str, tz: Tz, edge: Edge) -> Result<Ts, String> {
    let s = text.trim();
    let no_seconds = |s: &str| {
        let zulu = s.strip_suffix(['Z', 'z']).and_then(|n| NaiveDateTime::parse_from_str(n, "%Y-%m-%dT%H:%M").ok());
        zulu.map(|n| n.and_utc().timestamp())
            .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z").ok().map(|d| d.timestamp()))
    };
    let t = if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        dt.timestamp()
    } else if let Some(t) = no_seconds(s) {
        t
    } else if let Some(naive) = parse_naive(s) {
        resolve(tz, naive, edge)
    } else {
        return Err(format!(
            "cannot read {text:?} as a time (expected RFC 3339 such as \"2026-11-02T09:00:00Z\", or a local time such as \"2026-11-02T09:00\")"
        ));
    };
    check_range(t).map_err(|e| format!("{text:?} {e}"))
}

/// Like [`parse_ts`], and also the local wall-clock time in `tz` the text stands for: the time
/// as written for a naive input (even inside a gap), the instant's local time otherwise.
pub(crate) fn parse_wall(text: &str, tz: Tz, edge: Edge) -> Result<(Ts, NaiveDateTime), String> {
    let t = parse_ts(text, tz, edge)?;
    let wall = match parse_fast(text.trim()) {
        Some((wall, None)) => DateTime::from_timestamp(wall, 0).map(|d| d.naive_utc()),
        Some((_, Some(_))) => None,
        None => parse_date(text.trim()).map(|d| d.and_time(chrono::NaiveTime::MIN)),
    };
    Ok((t, wall.unwrap_or_else(|| local(tz, t))))
}

pub(crate) fn check_range(t: Ts) -> Result<Ts, String> {
    if (MIN_INSTANT..MAX_INSTANT).contains(&t) {
        Ok(t)
    } else {
        Err("is outside the supported range 1900-01-01 to 2200-01-01".to_string())
    }
}

#[cfg(test)]
fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 4] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"];
    for f in FORMATS {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Some(n.with_nanosecond_zero());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

#[cfg(test)]
trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}
#[cfg(test)]
impl NoNanos for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

/// Formats an instant the way every output of the engine does: RFC 3339, UTC, `Z`, whole seconds.
///
/// # Example
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let t = Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap();
/// assert_eq!(oncall_core::time::format_instant(t), "2026-11-02T08:00:00Z");
/// ```
pub fn format_instant(t: DateTime<Utc>) -> String {
    let n = t.naive_utc();
    let (date, time) = (n.date(), n.time());
    use chrono::Timelike;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year(),
        date.month(),
        date.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

pub(crate) fn format_ts(t: Ts) -> String {
    format_instant(to_utc(t))
}

/// Serde helper: an instant as RFC 3339 UTC with whole seconds.
pub(crate) mod utc_serde {
    pub(crate) fn serialize<S: serde::Serializer>(t: &chrono::DateTime<chrono::Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_instant(*t))
    }
}

/// [`utc_serde`] for an optional instant (with `skip_serializing_if = "Option::is_none"`).
pub(crate) mod opt_utc_serde {
    pub(crate) fn serialize<S: serde::Serializer>(
        t: &Option<chrono::DateTime<chrono::Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format_instant(*t)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
    }
    fn z(name: &str) -> Tz {
        parse_zone(name).unwrap()
    }
    fn at(tz: &str, l: NaiveDateTime, e: Edge) -> String {
        format_ts(resolve(z(tz), l, e))
    }

    /// The date arithmetic of the fast reader is chrono's, on every date four digits can
    /// write (and on days and months that do not exist).
    #[test]
    fn civil_days_are_chronos() {
        for y in 0..=9999i64 {
            for m in 0..=13i64 {
                for d in [0i64, 1, 15, 28, 29, 30, 31, 32] {
                    let chrono = u32::try_from(m).ok().zip(u32::try_from(d).ok()).and_then(|(m, d)| {
                        NaiveDate::from_ymd_opt(y as i32, m, d).map(|date| i64::from(date.num_days_from_ce()) - 719_163)
                    });
                    assert_eq!(civil_days(y, m, d), chrono, "{y}-{m}-{d}");
                }
            }
        }
    }

    #[test]
    fn new_york_gap_and_fold() {
        assert_eq!(at("America/New_York", n(2026, 3, 8, 2, 30), Edge::Start), "2026-03-08T07:00:00Z");
        assert_eq!(at("America/New_York", n(2026, 3, 8, 2, 30), Edge::End), "2026-03-08T07:00:00Z");
        assert_eq!(at("America/New_York", n(2026, 11, 1, 1, 30), Edge::Start), "2026-11-01T05:30:00Z");
        assert_eq!(at("America/New_York", n(2026, 11, 1, 1, 30), Edge::End), "2026-11-01T06:30:00Z");
    }

    #[test]
    fn chicago_london_kolkata_utc() {
        assert_eq!(at("America/Chicago", n(2026, 3, 8, 2, 0), Edge::Start), "2026-03-08T08:00:00Z");
        assert_eq!(at("Europe/London", n(2026, 3, 29, 1, 15), Edge::Start), "2026-03-29T01:00:00Z");
        assert_eq!(at("Europe/London", n(2026, 10, 25, 1, 15), Edge::Start), "2026-10-25T00:15:00Z");
        assert_eq!(at("Europe/London", n(2026, 10, 25, 1, 15), Edge::End), "2026-10-25T01:15:00Z");
        assert_eq!(at("Asia/Kolkata", n(2026, 6, 1, 9, 0), Edge::Start), "2026-06-01T03:30:00Z");
        assert_eq!(at("UTC", n(2026, 6, 1, 9, 0), Edge::End), "2026-06-01T09:00:00Z");
    }

    #[test]
    fn lord_howe_half_hour_dst() {
        // Lord Howe: +10:30 standard, +11:00 summer. 2026-10-04 02:00 -> 02:30 (gap of 30 min).
        assert_eq!(at("Australia/Lord_Howe", n(2026, 10, 4, 2, 10), Edge::Start), "2026-10-03T15:30:00Z");
        // 2026-04-05 02:00 -> 01:30 (fold of 30 min): 01:45 happens twice.
        assert_eq!(at("Australia/Lord_Howe", n(2026, 4, 5, 1, 45), Edge::Start), "2026-04-04T14:45:00Z");
        assert_eq!(at("Australia/Lord_Howe", n(2026, 4, 5, 1, 45), Edge::End), "2026-04-04T15:15:00Z");
    }

    #[test]
    fn midnight_transitions() {
        // Santiago springs forward at 24:00 on 2025-09-06: 00:00-01:00 of 09-07 does not exist.
        assert_eq!(at("America/Santiago", n(2025, 9, 7, 0, 0), Edge::Start), "2025-09-07T04:00:00Z");
        // Havana springs forward at 00:00 on 2025-03-09.
        assert_eq!(at("America/Havana", n(2025, 3, 9, 0, 30), Edge::Start), "2025-03-09T05:00:00Z");
        // Santiago falls back at 24:00 on 2026-04-04: 23:00-24:00 of 04-04 happens twice.
        assert_eq!(at("America/Santiago", n(2026, 4, 4, 23, 30), Edge::Start), "2026-04-05T02:30:00Z");
        assert_eq!(at("America/Santiago", n(2026, 4, 4, 23, 30), Edge::End), "2026-04-05T03:30:00Z");
    }

    #[test]
    fn parse_forms() {
        let ny = z("America/New_York");
        let f = |s| parse_ts(s, ny, Edge::Start).map(format_ts);
        assert_eq!(f("2026-11-02T09:00").unwrap(), "2026-11-02T14:00:00Z");
        assert_eq!(f("2026-11-02T09:00:00").unwrap(), "2026-11-02T14:00:00Z");
        assert_eq!(f("2026-11-02 09:00").unwrap(), "2026-11-02T14:00:00Z");
        assert_eq!(f("2026-11-02").unwrap(), "2026-11-02T05:00:00Z");
        assert_eq!(f("2026-11-02T09:00:00.750Z").unwrap(), "2026-11-02T09:00:00Z");
        assert_eq!(f("2026-11-02T09:00:00+01:00").unwrap(), "2026-11-02T08:00:00Z");
        assert_eq!(f("2026-11-10T10:00Z").unwrap(), "2026-11-10T10:00:00Z");
        assert_eq!(f("2026-11-02T09:00+01:00").unwrap(), "2026-11-02T08:00:00Z");
        assert!(f("tomorrow").unwrap_err().contains("cannot read"));
        assert!(f("2300-01-01T00:00:00Z").unwrap_err().contains("outside the supported range"));
        assert!(f("2026-02-30T09:00").is_err());
    }

    #[test]
    fn fast_parser_agrees_with_chrono() {
        for zone in ["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"] {
            let tz = z(zone);
            for text in [
                "2026-11-02T09:00",
                "2026-11-02T09:00:00",
                "2026-11-02 09:00",
                "2026-11-02T09:00:00.123456",
                "2026-11-02T09:00:00Z",
                "2026-11-02T09:00:00.5z",
                "2026-11-02T09:00:00+05:30",
                "2026-11-02T09:00:00-03:00",
                "2026-03-08T02:30",
                "2026-11-01T01:30",
                "2026-10-04T02:10",
                "2026-04-05T01:45",
                "2024-02-29T00:00",
                "2026-02-30T09:00",
                "2026-13-01T00:00",
                "2026-11-02T24:00",
                "2026-11-02T09:60",
                "2026-11-02T09:00:60",
                "2026-11-02T09:00+01:00",
                "2026-11-02T09:00Z",
                "2026-11-02T09:00-03:30",
                "2026-11-02T09:00:00+0100",
                "2026-11-02",
                "1900-01-01T00:00:00Z",
                "2199-12-31T23:59:59Z",
                "2200-01-01T00:00:00Z",
                "1899-12-31T23:59:59Z",
                "2026-1-2T09:00",
                " 2026-11-02T09:00 ",
            ] {
                for edge in [Edge::Start, Edge::End] {
                    // The engine reads RFC 3339 and zero-padded local forms only; where it reads
                    // anything, it agrees with chrono.
                    let strict = ["2026-11-02T09:00:00+0100", "2026-1-2T09:00", "2026-11-02T09:00:60"].contains(&text);
                    let expected = if strict { None } else { parse_ts_chrono(text, tz, edge).ok() };
                    assert_eq!(parse_ts(text, tz, edge).ok(), expected, "{zone} {text:?}");
                }
            }
        }
    }

    #[test]
    fn offsets() {
        let t = parse_ts("2026-07-01T00:00:00Z", z("UTC"), Edge::Start).unwrap();
        assert_eq!(local(z("Asia/Kolkata"), t), n(2026, 7, 1, 5, 30));
    }
}

#[cfg(test)]
mod offset_range {
    use super::*;

    #[test]
    fn offsets_outside_twenty_three_fifty_nine_are_refused_by_name() {
        let utc = parse_zone("UTC").unwrap();
        for text in [
            "2026-07-01T00:00:00+99:99",
            "2026-07-01T00:00:00+25:00",
            "2026-07-01T00:00:00-24:00",
            "2026-07-01T00:00:00+05:60",
        ] {
            let e = parse_ts(text, utc, Edge::Start).unwrap_err();
            assert!(e.contains("outside -23:59 to +23:59"), "{text}: {e}");
            // chrono refuses them too.
            assert!(DateTime::parse_from_rfc3339(text).is_err(), "{text}");
        }
        // A fraction needs a digit, as chrono says (found by the time_parse fuzz target).
        for text in ["2067-03-19t08:47:08.+05:08", "2026-07-01T00:00:00.Z", "2026-07-01T00:00:00."] {
            assert!(parse_ts(text, utc, Edge::Start).is_err(), "{text}");
            assert!(DateTime::parse_from_rfc3339(text).is_err(), "{text}");
        }
        for (text, expected) in [
            ("2026-07-01T00:00:00+23:59", "2026-06-30T00:01:00Z"),
            ("2026-07-01T00:00:00-23:59", "2026-07-01T23:59:00Z"),
        ] {
            assert_eq!(format_ts(parse_ts(text, utc, Edge::Start).unwrap()), expected);
        }
    }
}
