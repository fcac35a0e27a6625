//! Analysis of a schedule over a window: coverage gaps, load per user, fairness.
//!
//! Everything is computed from the flat **final schedule** ([`Schedule::segments`]): the
//! maximal segments of constant on-call set after layering, overrides and forwarding, gaps
//! included. So a gap is an exact interval where nobody at all is on call (the complement of the
//! union of everyone's on-call time, never a sum of shift lengths), and a user's hours are the
//! time they are in the final on-call set, however many rotations put them there.
//!
//! Definitions (all intervals half-open and clipped to the window):
//!
//! * **gaps**: the segments with nobody on call, in order. `coveredSeconds + gapSeconds` is the
//!   window's length.
//! * **changes**: how many times the final on-call set changes inside the window (segment
//!   boundaries strictly inside it, gaps included).
//! * **handoffs**: the changes at which somebody comes on call who was not on call just before
//!   (alice → bob is one, alice → nobody → bob is one, alice → alice + bob is one, alice + bob →
//!   alice is none). The window's start is not a hand-off.
//! * per user, a **stretch** is a maximal run of consecutive segments the user is on call in
//!   (adjacent shifts of one user merge, even across rotations). `longestStretch` is the longest,
//!   `shortestRest` the shortest time between the end of one stretch and the start of the next
//!   (absent with fewer than two stretches). Stretches touching the window's edges are clipped,
//!   so they may continue outside it.
//! * **night** time is on-call time between 22:00 and 07:00 local time, **weekend** time is
//!   on-call time on a Saturday or Sunday local date (an hour on a Saturday night counts in
//!   both), both in **the user's own zone** (`timezone` of the declared user), so 08:00–16:00 in
//!   Tokyo is never night for a Tokyo engineer on a London schedule; for a user without a zone
//!   (or not declared), in the schedule's zone. Each user's `timezone` and `timezoneSource`
//!   (`user` or `schedule`) say which zone was used. Local times are mapped to instants by the
//!   wall-clock rule, so a night across a DST change lasts 8 or 10 hours.
//! * the **users** are every user on call somewhere in the window plus every user who is a
//!   direct participant of a rotation of the schedule running during the window (so someone who
//!   should take turns but never does shows up with zero hours). Sorted by username.
//! * **balance** (0–100): Grafana OnCall's score, the mean over all pairs of users of
//!   min(hours) / max(hours), times 100. Two users with zero hours each are balanced (ratio 1);
//!   with fewer than two users the score is 100.
//!
//! # Example
//!
//! ```
//! use oncall_core::Config;
//! let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
//!   {"name": "days", "type": "daily", "startDate": "2026-01-05T00:00:00Z", "participants": ["ann", "ben"],
//!    "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 8, "endHour": 20}}}]}]}"#)?;
//! let ops = config.schedule("ops")?;
//! let a = ops.analyze("2026-01-05T00:00:00Z".parse()?, "2026-01-07T00:00:00Z".parse()?)?;
//! assert_eq!(a.gaps.len(), 3); // 00–08, 20–08 the next day, 20–24
//! assert_eq!(a.gap_seconds, 24 * 3600);
//! assert_eq!(a.users.iter().map(|u| u.on_call_seconds).collect::<Vec<_>>(), [12 * 3600, 12 * 3600]);
//! assert_eq!(a.balance, 100.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Schedule;
use crate::compile::Slot;
use crate::error::Result;
use crate::output::Parent;
use crate::time::{Edge, format_instant, resolve_local};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;

/// The local hour nights start at (inclusive).
pub const NIGHT_START_HOUR: u32 = 22;
/// The local hour nights end at (exclusive).
pub const NIGHT_END_HOUR: u32 = 7;

/// An interval of the analysis, `[startDate, endDate)`, with its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    /// Start (inclusive).
    #[serde(serialize_with = "instant")]
    pub start_date: DateTime<Utc>,
    /// End (exclusive).
    #[serde(serialize_with = "instant")]
    pub end_date: DateTime<Utc>,
    /// Length in seconds.
    pub seconds: i64,
}

impl Interval {
    fn new(start: i64, end: i64) -> Interval {
        Interval { start_date: utc(start), end_date: utc(end), seconds: end - start }
    }
}

/// The load of one user over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserLoad {
    /// The username.
    pub username: String,
    /// `timezone`: the IANA zone nights and weekends are counted in: the user's own zone, else
    /// the schedule's.
    pub timezone: String,
    /// `timezoneSource`: where [`timezone`](Self::timezone) comes from.
    pub timezone_source: ZoneSource,
    /// Time on call (in the final schedule).
    pub on_call_seconds: i64,
    /// `onCallSeconds` in hours.
    pub on_call_hours: f64,
    /// On-call time between 22:00 and 07:00 local time in [`timezone`](Self::timezone).
    pub night_seconds: i64,
    /// `nightSeconds` in hours.
    pub night_hours: f64,
    /// On-call time on Saturdays and Sundays (local dates in [`timezone`](Self::timezone)).
    pub weekend_seconds: i64,
    /// `weekendSeconds` in hours.
    pub weekend_hours: f64,
    /// How many separate stretches the user is on call (adjacent shifts merged).
    pub stretches: usize,
    /// The longest stretch (the first of equals); absent when never on call.
    pub longest_stretch: Option<Interval>,
    /// The shortest rest between two stretches (the first of equals); absent with fewer than two.
    pub shortest_rest: Option<Interval>,
}

/// Where the zone of a user's night and weekend hours comes from (`timezoneSource` of a
/// [`UserLoad`]).
///
/// ```
/// use oncall_core::{Config, analysis::ZoneSource};
/// let config = Config::from_json(r#"{"users": [{"username": "kenji", "timezone": "Asia/Tokyo"}, {"username": "sam"}],
///   "schedules": [{"name": "s", "timezone": "Europe/London", "rotations": [
///     {"type": "daily", "startDate": "2026-01-05T00:00:00Z", "participants": ["kenji", "sam"]}]}]}"#)?;
/// let a = config.schedule("s")?.analyze("2026-01-05T00:00:00Z".parse()?, "2026-01-07T00:00:00Z".parse()?)?;
/// let zones: Vec<(&str, &str, ZoneSource)> =
///     a.users.iter().map(|u| (u.username.as_str(), u.timezone.as_str(), u.timezone_source)).collect();
/// assert_eq!(zones, [("kenji", "Asia/Tokyo", ZoneSource::User), ("sam", "Europe/London", ZoneSource::Schedule)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ZoneSource {
    /// `user`: the declared user's `timezone`.
    User,
    /// `schedule`: the user has no zone (or is not declared): the schedule's zone.
    Schedule,
}

/// The analysis of a schedule over a window (`oncall report`). See the [module
/// documentation](self) for the definitions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// The schedule.
    #[serde(rename = "_parent")]
    pub parent: Parent,
    /// The schedule's zone (the window's default end is counted in it, and the nights and
    /// weekends of users without a zone of their own).
    pub timezone: String,
    /// Window start.
    #[serde(serialize_with = "instant")]
    pub start_date: DateTime<Utc>,
    /// Window end (exclusive).
    #[serde(serialize_with = "instant")]
    pub end_date: DateTime<Utc>,
    /// The window's length in seconds.
    pub window_seconds: i64,
    /// Time with somebody on call.
    pub covered_seconds: i64,
    /// Time with nobody on call (the sum of `gaps`).
    pub gap_seconds: i64,
    /// `coveredSeconds` as a percentage of the window (0–100).
    pub coverage: f64,
    /// Every interval with nobody on call, in order.
    pub gaps: Vec<Interval>,
    /// Changes of the final on-call set inside the window.
    pub changes: usize,
    /// Changes at which somebody new comes on call.
    pub handoffs: usize,
    /// Grafana OnCall's balance score, 0–100 (100 = everyone has the same hours).
    pub balance: f64,
    /// Per user, sorted by username.
    pub users: Vec<UserLoad>,
}

fn instant<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_instant(*t))
}

fn utc(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn hours(secs: i64) -> f64 {
    secs as f64 / 3600.0
}

/// Every user's stretches `(start, end)` in order, clipped to the window.
pub(crate) type Stretches = BTreeMap<String, Vec<(i64, i64)>>;

/// Running totals of one user.
#[derive(Debug)]
struct Acc {
    /// The zone nights and weekends are counted in.
    tz: Tz,
    source: ZoneSource,
    total: i64,
    night: i64,
    weekend: i64,
    stretches: usize,
    open: Option<(i64, i64)>,
    longest: Option<(i64, i64)>,
    last_end: Option<i64>,
    rest: Option<(i64, i64)>,
    /// Every stretch, in order, when kept (for pay).
    kept: Option<Vec<(i64, i64)>>,
}

impl Acc {
    fn new(tz: Tz, source: ZoneSource) -> Acc {
        Acc {
            tz,
            source,
            total: 0,
            night: 0,
            weekend: 0,
            stretches: 0,
            open: None,
            longest: None,
            last_end: None,
            rest: None,
            kept: None,
        }
    }

    fn close(&mut self) {
        let tz = self.tz;
        let Some((s, e)) = self.open.take() else { return };
        self.stretches += 1;
        self.total += e - s;
        self.night += night_overlap(tz, s, e);
        self.weekend += weekend_overlap(tz, s, e);
        if self.longest.is_none_or(|(ls, le)| e - s > le - ls) {
            self.longest = Some((s, e));
        }
        if let Some(last) = self.last_end
            && self.rest.is_none_or(|(rs, re)| s - last < re - rs)
        {
            self.rest = Some((last, s));
        }
        self.last_end = Some(e);
        if let Some(kept) = &mut self.kept {
            kept.push((s, e));
        }
    }

    fn extend(&mut self, s: i64, e: i64) {
        match &mut self.open {
            Some((_, end)) if *end == s => *end = e,
            _ => {
                self.close();
                self.open = Some((s, e));
            }
        }
    }
}

/// The instant of a local wall-clock time (`hour` o'clock on `day`) in `tz`.
fn at(tz: Tz, day: NaiveDate, hour: u32, edge: Edge) -> i64 {
    day.and_hms_opt(hour, 0, 0).map_or(i64::MIN, |l| resolve_local(tz, l, edge).timestamp())
}

fn overlap(s: i64, e: i64, ws: i64, we: i64) -> i64 {
    (e.min(we) - s.max(ws)).max(0)
}

/// The local dates whose windows may overlap `[s, e)` (one day of slack on each side).
fn days(tz: Tz, s: i64, e: i64) -> impl Iterator<Item = NaiveDate> {
    let first = utc(s).with_timezone(&tz).date_naive() - Duration::days(2);
    let last = utc(e).with_timezone(&tz).date_naive() + Duration::days(1);
    first.iter_days().take_while(move |d| *d <= last)
}

/// Seconds of `[s, e)` between 22:00 and 07:00 local time.
pub(crate) fn night_overlap(tz: Tz, s: i64, e: i64) -> i64 {
    days(tz, s, e)
        .map(|d| match d.succ_opt() {
            Some(next) => {
                overlap(s, e, at(tz, d, NIGHT_START_HOUR, Edge::Start), at(tz, next, NIGHT_END_HOUR, Edge::End))
            }
            None => 0,
        })
        .sum()
}

/// Seconds of `[s, e)` on Saturday or Sunday local dates.
pub(crate) fn weekend_overlap(tz: Tz, s: i64, e: i64) -> i64 {
    days(tz, s, e)
        .filter(|d| d.weekday() == Weekday::Sat)
        .map(|d| match d.checked_add_signed(Duration::days(2)) {
            Some(monday) => overlap(s, e, at(tz, d, 0, Edge::Start), at(tz, monday, 0, Edge::End)),
            None => 0,
        })
        .sum()
}

/// The balance score of a list of on-call times (see the module documentation).
///
/// ```
/// use oncall_core::analysis::balance;
/// assert_eq!(balance(&[10, 10, 10]), 100.0);
/// assert_eq!(balance(&[10, 5]), 50.0);
/// assert_eq!(balance(&[10, 0]), 0.0);
/// assert_eq!(balance(&[0, 0]), 100.0);
/// assert_eq!(balance(&[7]), 100.0);
/// ```
pub fn balance(seconds: &[i64]) -> f64 {
    let n = seconds.len();
    if n < 2 {
        return 100.0;
    }
    let mut sum = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (seconds[i].min(seconds[j]), seconds[i].max(seconds[j]));
            sum += if b <= 0 { 1.0 } else { a as f64 / b as f64 };
        }
    }
    sum / (n * (n - 1) / 2) as f64 * 100.0
}

impl Schedule<'_> {
    /// Analyses the final schedule over `[from, to)`: gaps, load per user, hand-offs, balance
    /// (see the [`analysis`](crate::analysis) module for the definitions). Streams the segments,
    /// so any window of the engine's range is allowed; the work grows with the number of
    /// changes in the window.
    ///
    /// Refused with [`Error::LimitExceeded`](crate::Error::LimitExceeded) (`maxReportDays`) when
    /// the window is longer than that many days ([`Limits`](crate::Limits)).
    pub fn analyze(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Analysis> {
        self.analysis(from, to, false).map(|(a, _)| a)
    }

    /// The zone a user's local times are read in: their own, else the schedule's.
    pub(crate) fn user_zone(&self, username: &str) -> (Tz, ZoneSource) {
        match self.config.users.iter().find(|u| u.username == username).and_then(|u| u.tz) {
            Some(own) => (own, ZoneSource::User),
            None => (self.timezone(), ZoneSource::Schedule),
        }
    }

    /// [`Schedule::analyze`], with every user's stretches (in order, clipped to the window).
    pub(crate) fn analyze_stretches(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(Analysis, Stretches)> {
        self.analysis(from, to, true)
    }

    fn analysis(&self, from: DateTime<Utc>, to: DateTime<Utc>, keep: bool) -> Result<(Analysis, Stretches)> {
        let days = self.config.limits.max_report_days;
        if to - from > chrono::Duration::days(days) {
            return Err(crate::Error::LimitExceeded {
                limit: "maxReportDays",
                path: "to".into(),
                message: format!("the window is longer than {days} days; ask for a shorter one"),
                line: None,
                column: None,
            });
        }
        let tz = self.timezone();
        let mut segments = self.segments(from, to)?;
        let (from, to) = (from.timestamp(), to.timestamp().min(crate::time::MAX_INSTANT));
        let mut users: BTreeMap<String, Acc> = BTreeMap::new();
        // Each declared user's own zone; the schedule's for the others.
        let zones: std::collections::HashMap<&str, Tz> =
            self.config.users.iter().filter_map(|u| Some((u.username.as_str(), u.tz?))).collect();
        let acc = |username: &str| {
            let mut acc = match zones.get(username) {
                Some(&own) => Acc::new(own, ZoneSource::User),
                None => Acc::new(tz, ZoneSource::Schedule),
            };
            acc.kept = keep.then(Vec::new);
            acc
        };
        // Direct user participants of the rotations running during the window.
        let s = &self.config.schedules[self.index];
        for r in &s.rotations {
            if r.handoffs.anchor < to && r.handoffs.end > from {
                for p in &r.participants {
                    if let Slot::User(u) = *p {
                        let name = &self.config.users[u].username;
                        users.entry(name.clone()).or_insert_with(|| acc(name));
                    }
                }
            }
        }
        let (mut gaps, mut covered, mut changes, mut handoffs) = (Vec::new(), 0, 0, 0);
        let mut prev: Option<Vec<String>> = None;
        for seg in segments.by_ref() {
            let (a, b) = (seg.start_date.timestamp(), seg.end_date.timestamp());
            if seg.recipients.is_empty() {
                gaps.push(Interval::new(a, b));
            } else {
                covered += b - a;
            }
            if let Some(p) = &prev {
                changes += 1;
                if seg.recipients.iter().any(|u| !p.contains(u)) {
                    handoffs += 1;
                }
            }
            for u in &seg.recipients {
                users.entry(u.clone()).or_insert_with(|| acc(u)).extend(a, b);
            }
            prev = Some(seg.recipients);
        }
        if let Some(e) = segments.error() {
            return Err(e.clone());
        }
        let mut stretches = BTreeMap::new();
        let users: Vec<UserLoad> = users
            .into_iter()
            .map(|(username, mut acc)| {
                acc.close();
                if let Some(kept) = acc.kept.take() {
                    stretches.insert(username.clone(), kept);
                }
                UserLoad {
                    username,
                    timezone: acc.tz.name().to_string(),
                    timezone_source: acc.source,
                    on_call_seconds: acc.total,
                    on_call_hours: hours(acc.total),
                    night_seconds: acc.night,
                    night_hours: hours(acc.night),
                    weekend_seconds: acc.weekend,
                    weekend_hours: hours(acc.weekend),
                    stretches: acc.stretches,
                    longest_stretch: acc.longest.map(|(s, e)| Interval::new(s, e)),
                    shortest_rest: acc.rest.map(|(s, e)| Interval::new(s, e)),
                }
            })
            .collect();
        let loads: Vec<i64> = users.iter().map(|u| u.on_call_seconds).collect();
        let window = to - from;
        let analysis = Analysis {
            parent: self.parent(),
            timezone: tz.name().to_string(),
            start_date: utc(from),
            end_date: utc(to),
            window_seconds: window,
            covered_seconds: covered,
            gap_seconds: window - covered,
            coverage: if window > 0 { covered as f64 * 100.0 / window as f64 } else { 100.0 },
            gaps,
            changes,
            handoffs,
            balance: balance(&loads),
            users,
        };
        Ok((analysis, stretches))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn nights_across_dst() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // The night of 2026-03-07 (EST) to 2026-03-08 (EDT): 22:00 EST = 03:00Z, 07:00 EDT = 11:00Z.
        assert_eq!(night_overlap(ny, ts("2026-03-07T12:00:00Z"), ts("2026-03-08T18:00:00Z")), 8 * 3600);
        // The fall-back night 2026-10-31 to 11-01: 22:00 EDT = 02:00Z, 07:00 EST = 12:00Z.
        assert_eq!(night_overlap(ny, ts("2026-10-31T12:00:00Z"), ts("2026-11-01T18:00:00Z")), 10 * 3600);
    }

    #[test]
    fn nights_and_weekends_in_each_users_zone() {
        // A London schedule; Kenji (Tokyo) works 08:00-16:00 JST, Sam has no zone of his own.
        let config = crate::Config::from_json(
            r#"{"users": [{"username": "kenji", "timezone": "Asia/Tokyo"}, {"username": "sam"}],
                "schedules": [{"name": "s", "timezone": "Europe/London", "rotations": [
                  {"name": "tokyo", "type": "daily", "startDate": "2026-11-09T08:00", "timezone": "Asia/Tokyo",
                   "participants": ["kenji"],
                   "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 8, "endHour": 16}}},
                  {"name": "sam", "type": "daily", "startDate": "2026-11-09T08:00", "timezone": "Asia/Tokyo",
                   "participants": ["sam"],
                   "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 8, "endHour": 16}}}]}]}"#,
        )
        .unwrap();
        let s = config.schedule("s").unwrap();
        // Monday 2026-11-09 00:00 London to Monday 2026-11-16: five weekdays and a weekend.
        let a = s.analyze(utc(ts("2026-11-09T00:00:00Z")), utc(ts("2026-11-16T00:00:00Z"))).unwrap();
        let user = |n: &str| a.users.iter().find(|u| u.username == n).unwrap();
        let (kenji, sam) = (user("kenji"), user("sam"));
        // 08:00-16:00 JST is 23:00-07:00 in London: night there, day in Tokyo.
        assert_eq!((kenji.timezone.as_str(), kenji.timezone_source), ("Asia/Tokyo", ZoneSource::User));
        assert_eq!(kenji.night_seconds, 0);
        // Saturday and Sunday 08:00-16:00 JST: weekend in Tokyo.
        assert_eq!(kenji.weekend_seconds, 2 * 8 * 3600);
        // Sam's identical hours are counted in the schedule's zone: every hour of it is night in
        // London (23:00-07:00), and the weekend there is Saturday 00:00 to Monday 00:00 London:
        // Friday 23:00-Saturday 07:00 London counts 7 h, Saturday 23:00-Sunday 07:00 counts 8 h,
        // Sunday 23:00-Monday 00:00 counts 1 h (the window ends at Monday 00:00 London).
        assert_eq!((sam.timezone.as_str(), sam.timezone_source), ("Europe/London", ZoneSource::Schedule));
        assert_eq!(sam.night_seconds, sam.on_call_seconds);
        assert_eq!(sam.weekend_seconds, (7 + 8 + 1) * 3600);
        assert_eq!(kenji.on_call_seconds, sam.on_call_seconds);
    }

    #[test]
    fn weekends() {
        let utc: Tz = "UTC".parse().unwrap();
        // 2026-01-02 is a Friday.
        assert_eq!(weekend_overlap(utc, ts("2026-01-02T12:00:00Z"), ts("2026-01-05T12:00:00Z")), 48 * 3600);
        assert_eq!(weekend_overlap(utc, ts("2026-01-05T00:00:00Z"), ts("2026-01-10T00:00:00Z")), 0);
    }
}
