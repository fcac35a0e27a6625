//! [`proptest`] strategies for on-call configurations (cargo feature `proptest`).
//!
//! Everything generated is **valid by construction**: a [`document`] always compiles with
//! [`Config::compile`](crate::Config::compile). The generators aim at the places where schedules
//! go wrong:
//!
//! * rotations of every type ([`rotation`]): hourly, daily, weekly, monthly and custom RRULE
//!   recurrences (with `COUNT`, `INTERVAL`, `BYDAY`, `BYMONTHDAY`, `BYHOUR` and `EXDATE`),
//!   with or without an end date, a time restriction, their own zone and a priority;
//! * time restrictions of both shapes ([`restriction`]), including overnight windows, the whole
//!   day (start equal to end) and `endHour: 24`;
//! * overrides ([`override_for`]): rotation-scoped and schedule-wide, for a user or for `none`;
//! * whole schedules ([`schedule`]) and documents ([`document`]);
//! * instants and local wall-clock times **near DST transitions** ([`instant_near_dst`],
//!   [`local_near_dst`]) in the zones that break naive code ([`TRICKY_ZONES`]): New York and
//!   London (ordinary one-hour changes at 02:00 and 01:00), Lord Howe (a half-hour change),
//!   Santiago and Havana (changes at midnight, so a day starts at 01:00), and Kolkata (a
//!   half-hour offset without DST).
//!
//! Anchors (`startDate`) are naive local times near a transition of the rotation's zone, so
//! hand-offs regularly fall into spring-forward gaps and fall-back folds.
//!
//! # A property test of your own schedule
//!
//! Load your configuration once, then let proptest pick instants. Two properties a team might
//! keep in CI: nobody is ever left without cover, and nobody is on call two weekends in a row.
//!
//! ```no_run
//! use chrono::{Datelike, Duration, Weekday};
//! use oncall_core::Config;
//! use oncall_core::strategies::instant_between;
//! use proptest::prelude::*;
//!
//! fn config() -> Config {
//!     Config::from_json(&std::fs::read_to_string("oncall.json").unwrap()).unwrap()
//! }
//!
//! proptest! {
//!     // Any instant of 2026, with a bias to the schedule zone's DST changes.
//!     #[test]
//!     fn never_a_gap(at in instant_between("Europe/Berlin", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")) {
//!         let config = config();
//!         let who = config.schedule("platform")?.on_call(at)?;
//!         prop_assert!(!who.flat().on_call_recipients.is_empty(), "nobody on call at {at}");
//!     }
//!
//!     #[test]
//!     fn never_two_weekends_in_a_row(at in instant_between("Europe/Berlin", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")) {
//!         let config = config();
//!         let platform = config.schedule("platform")?;
//!         let tz = platform.timezone();
//!         // The Saturday 12:00 on or after `at`, and the one a week later.
//!         let local = at.with_timezone(&tz).date_naive();
//!         let days = (Weekday::Sat.num_days_from_monday() + 7 - local.weekday().num_days_from_monday()) % 7;
//!         let saturday = platform.parse_time(&format!("{}T12:00", local + Duration::days(days.into())))?;
//!         let this_weekend = platform.on_call(saturday)?.flat().on_call_recipients;
//!         let next_weekend = platform.on_call(saturday + Duration::days(7))?.flat().on_call_recipients;
//!         for user in &this_weekend {
//!             prop_assert!(!next_weekend.contains(user), "{user} is on call on the weekends of {saturday} and the next");
//!         }
//!     }
//! }
//! ```
//!
//! The same strategies drive the engine's own property suite (`tests/props.rs`). For exact
//! gaps over a window rather than sampled instants, use
//! [`Schedule::analyze`](crate::Schedule::analyze): `analyze(from, to)?.gaps.is_empty()`.

use crate::config::{
    Document, NameRef, Override, Participant, Rotation, Schedule, TimeOfDay, TimeRestriction, WeekdaySpan,
};
use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Zones whose rules break naive date arithmetic (see the module documentation).
pub const TRICKY_ZONES: [&str; 6] =
    ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "America/Havana", "Asia/Kolkata"];

/// The usernames generated participants and overrides use.
pub const USERS: [&str; 4] = ["ann", "ben", "cat", "dan"];

/// The rotation types.
pub const KINDS: [&str; 5] = ["hourly", "daily", "weekly", "monthly", "custom"];

/// The years whose DST transitions the instant strategies aim at.
pub const YEARS: std::ops::Range<i32> = 2025..2028;

/// Any of [`TRICKY_ZONES`] or `UTC`.
pub fn zone() -> impl Strategy<Value = &'static str> + Clone {
    select(vec![
        TRICKY_ZONES[0],
        TRICKY_ZONES[1],
        TRICKY_ZONES[2],
        TRICKY_ZONES[3],
        TRICKY_ZONES[4],
        TRICKY_ZONES[5],
        "UTC",
    ])
}

fn tz(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

fn offset(tz: Tz, t: i64) -> i32 {
    tz.offset_from_utc_datetime(&DateTime::from_timestamp(t, 0).unwrap_or_default().naive_utc()).fix().local_minus_utc()
}

/// The instants (Unix seconds) at which `zone`'s UTC offset changes during [`YEARS`], in order.
/// Empty for a zone without DST (or an unknown name).
pub fn dst_transitions(zone: &str) -> Vec<i64> {
    static CACHE: OnceLock<Mutex<HashMap<String, Vec<i64>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(zone) {
        return found.clone();
    }
    let z = tz(zone);
    let start = Utc.with_ymd_and_hms(YEARS.start, 1, 1, 0, 0, 0).single().map_or(0, |t| t.timestamp());
    let end = Utc.with_ymd_and_hms(YEARS.end, 1, 1, 0, 0, 0).single().map_or(0, |t| t.timestamp());
    let step = 6 * 3600;
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        if offset(z, t) != offset(z, t + step) {
            // The first second with the new offset.
            let (mut lo, mut hi) = (t, t + step);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset(z, mid) == offset(z, t) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
        }
        t += step;
    }
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(zone.to_string(), out.clone());
    out
}

fn instant_of(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

/// An instant within a few hours of one of `zone`'s DST transitions (any instant of [`YEARS`]
/// for a zone without DST; one time in four anywhere in those years).
pub fn instant_near_dst(zone: &'static str) -> BoxedStrategy<DateTime<Utc>> {
    let start = Utc.with_ymd_and_hms(YEARS.start, 1, 1, 0, 0, 0).single().map_or(0, |t| t.timestamp());
    let end = Utc.with_ymd_and_hms(YEARS.end, 1, 1, 0, 0, 0).single().map_or(0, |t| t.timestamp());
    let anywhere = (start..end).prop_map(instant_of);
    let transitions = dst_transitions(zone);
    if transitions.is_empty() {
        return anywhere.boxed();
    }
    let near = (select(transitions), -6 * 3600i64..=6 * 3600, any::<bool>())
        .prop_map(|(t, d, exact)| instant_of(if exact { t + d / 900 * 900 } else { t + d }));
    prop_oneof![3 => near, 1 => anywhere].boxed()
}

/// An instant in `[from, to)` (RFC 3339 bounds), biased to `zone`'s DST transitions inside it.
///
/// # Panics
///
/// When a bound is not RFC 3339 or `to` is not after `from`: the bounds are written by the test.
pub fn instant_between(zone: &'static str, from: &str, to: &str) -> BoxedStrategy<DateTime<Utc>> {
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.timestamp()).expect("an RFC 3339 bound");
    let (a, b) = (parse(from), parse(to));
    assert!(a < b, "the window must not be empty");
    let anywhere = (a..b).prop_map(instant_of);
    let inside: Vec<i64> = all_transitions(zone).into_iter().filter(|t| (a..b).contains(t)).collect();
    if inside.is_empty() {
        return anywhere.boxed();
    }
    let near = (select(inside), -3 * 3600i64..=3 * 3600).prop_map(move |(t, d)| instant_of((t + d).clamp(a, b - 1)));
    prop_oneof![1 => near, 3 => anywhere].boxed()
}

/// Transitions of any year the engine supports (slower; for [`instant_between`]).
fn all_transitions(zone: &str) -> Vec<i64> {
    let z = tz(zone);
    let mut out = Vec::new();
    for year in 1970..2100 {
        let Some(start) = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).single() else { continue };
        let mut t = start.timestamp();
        let end = t + 366 * 86_400;
        while t < end {
            let next = t + 86_400;
            if offset(z, t) != offset(z, next) {
                let (mut lo, mut hi) = (t, next);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset(z, mid) == offset(z, t) { lo = mid } else { hi = mid }
                }
                out.push(hi);
            }
            t = next;
        }
    }
    out.dedup();
    out
}

/// A local wall-clock time in `zone` near one of its DST transitions: within three hours of
/// the local time just before the change, so it may fall into the gap or the fold. Minutes are
/// multiples of 15, seconds zero.
pub fn local_near_dst(zone: &'static str) -> BoxedStrategy<NaiveDateTime> {
    let z = tz(zone);
    instant_near_dst(zone)
        .prop_flat_map(move |t| {
            let before = (t - Duration::seconds(1)).with_timezone(&z).naive_local() + Duration::seconds(1);
            (-12i64..=12).prop_map(move |q| before + Duration::minutes(15 * q))
        })
        .prop_map(|l| l - Duration::seconds(l.and_utc().timestamp().rem_euclid(900)))
        .boxed()
}

fn naive(l: NaiveDateTime) -> String {
    l.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// A `time-of-day` restriction: ordinary, overnight (end before start), the whole day (start
/// equal to end) or ending at `24:00`.
pub fn time_of_day_restriction() -> impl Strategy<Value = TimeRestriction> {
    let hm = (0i64..24, select(vec![0i64, 0, 30, 15]));
    (hm.clone(), hm, 0u8..8).prop_map(|((sh, sm), (eh, em), shape)| {
        let (eh, em) = match shape {
            0 => (sh, sm), // the whole day
            1 => (24, 0),  // to the end of the day
            _ => (eh, em), // anything, overnight included
        };
        TimeRestriction {
            kind: "time-of-day".into(),
            restriction: Some(TimeOfDay { start_hour: sh, start_min: sm, end_hour: eh, end_min: em }),
            restrictions: None,
        }
    })
}

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// A `weekday-and-time-of-day` restriction with one to three spans (wrapping past Sunday,
/// single-day, or the whole week).
pub fn weekday_restriction() -> impl Strategy<Value = TimeRestriction> {
    let span = (0usize..7, 0i64..24, select(vec![0i64, 30]), 0usize..7, 0i64..25, select(vec![0i64, 30])).prop_map(
        |(sd, sh, sm, ed, eh, em)| WeekdaySpan {
            start_day: DAYS[sd].into(),
            start_hour: sh,
            start_min: sm,
            end_day: DAYS[ed].into(),
            end_hour: eh,
            end_min: if eh == 24 { 0 } else { em },
        },
    );
    proptest::collection::vec(span, 1..=3).prop_map(|spans| TimeRestriction {
        kind: "weekday-and-time-of-day".into(),
        restriction: None,
        restrictions: Some(spans),
    })
}

/// A restriction of either shape.
pub fn restriction() -> impl Strategy<Value = TimeRestriction> {
    prop_oneof![time_of_day_restriction(), weekday_restriction()]
}

/// A user participant from [`USERS`].
pub fn user() -> impl Strategy<Value = Participant> {
    select(USERS.to_vec()).prop_map(user_named)
}

fn user_named(name: &str) -> Participant {
    Participant { kind: "user".into(), username: Some(name.into()), ..Default::default() }
}

fn nobody() -> Participant {
    Participant { kind: "none".into(), ..Default::default() }
}

/// One to four participants: users of [`USERS`] (repeats allowed) and now and then `none`.
pub fn participants() -> impl Strategy<Value = Vec<Participant>> {
    proptest::collection::vec(prop_oneof![6 => user(), 1 => Just(nobody())], 1..=4)
}

/// Custom recurrences of every shape the engine accepts. `finite` ones have a `COUNT` (the
/// rotation then needs an `endDate`).
pub fn recurrence() -> impl Strategy<Value = (String, bool)> {
    let rules = select(vec![
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=2",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=9,21",
        "FREQ=HOURLY;INTERVAL=8",
        "FREQ=HOURLY;INTERVAL=5",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=MONTHLY",
        "FREQ=DAILY;BYHOUR=0,12",
    ]);
    (rules, prop_oneof![3 => Just(None), 1 => (3u32..20).prop_map(Some)], any::<bool>()).prop_map(
        |(rule, count, exdate)| {
            let mut text = match count {
                Some(n) => format!("RRULE:{rule};COUNT={n}"),
                None => format!("RRULE:{rule}"),
            };
            if exdate {
                // An EXDATE that may or may not hit an occurrence.
                text.push_str("\nEXDATE:20260310T090000");
            }
            (text, count.is_some())
        },
    )
}

/// A rotation of any type (see [`rotation_of`]).
pub fn rotation(zone: &'static str) -> BoxedStrategy<Rotation> {
    select(KINDS.to_vec()).prop_flat_map(move |kind| rotation_of(kind, zone)).boxed()
}

/// A rotation of type `kind` whose `startDate` is a naive local time near a DST transition of
/// `zone` (the schedule's zone; the rotation sometimes has a zone of its own, then the anchor is
/// near one of that zone's transitions). Valid by construction.
pub fn rotation_of(kind: &'static str, zone: &'static str) -> BoxedStrategy<Rotation> {
    let own_zone = prop_oneof![4 => Just(None), 1 => zone_option()];
    let length = match kind {
        "hourly" => (1i64..=12).boxed(),
        "daily" => (1i64..=3).boxed(),
        _ => (1i64..=2).boxed(),
    };
    (own_zone, length, participants(), proptest::option::weighted(0.4, restriction()), 0i64..=2, 0u8..4)
        .prop_flat_map(move |(own, length, participants, restriction, priority, end_days)| {
            let anchor_zone = own.unwrap_or(zone);
            (
                local_near_dst(anchor_zone),
                recurrence(),
                Just((own, length, participants, restriction, priority, end_days)),
            )
        })
        .prop_map(move |(anchor, (rule, finite), (own, length, participants, restriction, priority, end_days))| {
            let custom = kind == "custom";
            // An end date 0 (none), 3, 6 or 9 days after the anchor; a finite custom rule needs one.
            let days = if custom && finite && end_days == 0 { 5 } else { i64::from(end_days) * 3 };
            Rotation {
                kind: kind.into(),
                length: (!custom).then_some(length),
                start_date: naive(anchor),
                end_date: (days > 0).then(|| naive(anchor + Duration::days(days))),
                participants,
                time_restriction: restriction,
                timezone: own.map(String::from),
                priority: (priority > 0).then_some(priority),
                recurrence: custom.then_some(rule),
                ..Default::default()
            }
        })
        .boxed()
}

/// Gives generated rotation `r` the extensions of time off and roster changes: now and then a
/// `timeOffPolicy`, the [`HOLIDAYS`] calendar and a roster change (only where it cannot fall
/// past the end: no end date, or an `immediate` one before it; never `length` on a custom
/// rotation, never on a finite recurrence). Valid by construction.
pub fn with_extensions(r: Rotation) -> BoxedStrategy<Rotation> {
    let policy = select(vec![None, Some("skip"), Some("cover"), Some("mask")]);
    (Just(r), policy, proptest::bool::weighted(0.2), roster_change())
        .prop_map(|(mut r, policy, holidays, change)| {
            let custom = r.kind == "custom";
            let start = NaiveDateTime::parse_from_str(&r.start_date, "%Y-%m-%dT%H:%M:%S").ok();
            let end = r.end_date.as_deref().and_then(|e| NaiveDateTime::parse_from_str(e, "%Y-%m-%dT%H:%M:%S").ok());
            let finite = r.recurrence.as_deref().is_some_and(|x| x.contains("COUNT"));
            let change = change.filter(|(hours, rollout, ..)| {
                !(custom && finite)
                    && match (start, end) {
                        (Some(_), None) => true,
                        (Some(s), Some(e)) => *rollout == "immediate" && s + Duration::hours(*hours) < e,
                        _ => false,
                    }
            });
            if let (Some((hours, rollout, shape, step)), Some(start)) = (change, start) {
                let own = &r.participants;
                let order: Vec<Participant> = match shape {
                    0 => own.iter().rev().cloned().collect(),
                    1 => own.iter().skip(1).cloned().chain([user_named(NEWCOMER)]).collect(),
                    _ => own.iter().cloned().chain([user_named(NEWCOMER)]).collect(),
                };
                r.changes = vec![crate::config::RosterChange {
                    effective: naive(start + Duration::hours(hours)),
                    rollout: rollout.into(),
                    participants: Some(order),
                    length: if custom { None } else { step },
                }];
            }
            r.time_off_policy = policy.map(String::from);
            if holidays {
                r.holidays = vec![HOLIDAYS.into()];
            }
            r
        })
        .boxed()
}

/// The user a generated roster change may add (declared in [`document`] with the others).
pub const NEWCOMER: &str = "zed";

/// The holiday calendar generated documents declare and generated rotations and users bind.
pub const HOLIDAYS: &str = "hol";

/// Now and then a roster change: `(hours after the anchor, rollout, shape of the new order,
/// new length)`.
fn roster_change() -> impl Strategy<Value = Option<(i64, &'static str, u8, Option<i64>)>> + Clone {
    let rollout = select(vec!["immediate", "after-current-shift", "after-full-rotation"]);
    proptest::option::weighted(0.25, (1i64..=60, rollout, 0u8..3, proptest::option::weighted(0.3, 1i64..=3)))
}

/// Time off of a user: zero to two periods of 1 to 72 wall-clock hours from a local time near a
/// DST transition of `zone`, some with a reason.
pub fn time_off(zone: &'static str) -> BoxedStrategy<Vec<crate::timeoff::TimeOff>> {
    let one = (local_near_dst(zone), 1i64..=72, proptest::option::of(select(vec!["vacation", "sick"]))).prop_map(
        |(start, hours, reason)| crate::timeoff::TimeOff {
            start_date: naive(start),
            end_date: naive(start + Duration::hours(hours)),
            reason: reason.map(String::from),
        },
    );
    proptest::collection::vec(one, 0..=2).boxed()
}

/// The holiday calendar [`HOLIDAYS`]: one to three local dates near DST transitions of `zone`.
pub fn holiday_calendar(zone: &'static str) -> BoxedStrategy<crate::holiday::HolidayCalendarDoc> {
    proptest::collection::vec(local_near_dst(zone), 1..=3)
        .prop_map(|days| {
            let mut dates: Vec<String> = days.iter().map(|d| d.date().format("%Y-%m-%d").to_string()).collect();
            dates.sort();
            dates.dedup();
            crate::holiday::HolidayCalendarDoc { name: HOLIDAYS.into(), dates, ics: None }
        })
        .boxed()
}

/// The users of generated documents, [`USERS`] and [`NEWCOMER`], declared in `zone`'s
/// neighbourhood: each with [`time_off`] and, now and then, the [`HOLIDAYS`] calendar.
pub fn users_away(zone: &'static str) -> BoxedStrategy<Vec<crate::config::User>> {
    let names: Vec<&'static str> = USERS.iter().copied().chain([NEWCOMER]).collect();
    let one = (time_off(zone), proptest::bool::weighted(0.2));
    proptest::collection::vec(one, names.len())
        .prop_map(move |list| {
            names
                .iter()
                .zip(list)
                .map(|(name, (time_off, holidays))| crate::config::User {
                    username: (*name).into(),
                    time_off,
                    holidays: if holidays { vec![HOLIDAYS.into()] } else { Vec::new() },
                    ..Default::default()
                })
                .collect()
        })
        .boxed()
}

fn zone_option() -> impl Strategy<Value = Option<&'static str>> {
    zone().prop_map(Some)
}

/// An override for a schedule in `zone` with the given rotation names: rotation-scoped (a
/// non-empty subset of `rotations`) or schedule-wide, for a user or for `none`, lasting 2 to 48
/// wall-clock hours from a local time near a DST transition (at least 2, so that a window
/// starting in a spring-forward gap still ends after it starts).
pub fn override_for(zone: &'static str, rotations: Vec<String>) -> BoxedStrategy<Override> {
    let n = rotations.len();
    let scope = if n == 0 {
        Just(None).boxed()
    } else {
        prop_oneof![Just(None), proptest::sample::subsequence(rotations, 1..=n).prop_map(Some)].boxed()
    };
    (local_near_dst(zone), 2i64..=48, prop_oneof![5 => user(), 1 => Just(nobody())], scope, 0u32..1000)
        .prop_map(|(start, hours, user, scope, alias)| Override {
            alias: Some(format!("o{alias}")),
            user,
            start_date: naive(start),
            end_date: naive(start + Duration::hours(hours)),
            rotations: scope.map(|names| {
                names.into_iter().map(|name| NameRef { name: Some(name), ..Default::default() }).collect()
            }),
            ..Default::default()
        })
        .boxed()
}

/// A schedule named `s` in a tricky zone with one to three rotations (`r0`, `r1`, …) and zero
/// to two overrides.
pub fn schedule() -> BoxedStrategy<Schedule> {
    zone().prop_flat_map(schedule_in).boxed()
}

/// Like [`schedule`], in a given zone.
pub fn schedule_in(zone: &'static str) -> BoxedStrategy<Schedule> {
    proptest::collection::vec(rotation(zone), 1..=3)
        .prop_flat_map(move |mut rotations| {
            for (i, r) in rotations.iter_mut().enumerate() {
                r.name = Some(format!("r{i}"));
            }
            let names: Vec<String> = rotations.iter().filter_map(|r| r.name.clone()).collect();
            (Just(rotations), proptest::collection::vec(override_for(zone, names), 0..=2))
        })
        .prop_map(move |(rotations, overrides)| Schedule {
            name: "s".into(),
            timezone: Some(zone.into()),
            rotations,
            overrides,
            ..Default::default()
        })
        .boxed()
}

/// A document with one schedule `s` (see [`schedule`]): its rotations sometimes have a
/// `timeOffPolicy`, the [`HOLIDAYS`] calendar or a roster change; half the time the users are
/// declared with time off and holidays ([`users_away`]), else `users` is not declared.
pub fn document() -> BoxedStrategy<Document> {
    zone()
        .prop_flat_map(|z| (schedule_in(z), proptest::option::of(users_away(z)), holiday_calendar(z)))
        .prop_flat_map(|(s, users, calendar)| {
            let rotations: Vec<BoxedStrategy<Rotation>> = s.rotations.iter().cloned().map(with_extensions).collect();
            (Just(s), rotations, Just(users), Just(calendar))
        })
        .prop_map(|(mut s, rotations, users, calendar)| {
            s.rotations = rotations;
            Document { schedules: vec![s], users, holiday_calendars: vec![calendar], ..Default::default() }
        })
        .boxed()
}

/// The instant a generated schedule's first rotation starts at (its anchor), for aiming
/// queries at the interesting part of a schedule.
///
/// # Panics
///
/// When the document has no schedule or rotation: generated ones always have.
pub fn anchor(doc: &Document) -> DateTime<Utc> {
    let s = &doc.schedules[0];
    let r = &s.rotations[0];
    let zone = r.timezone.as_deref().or(s.timezone.as_deref()).unwrap_or("UTC");
    crate::time::parse_instant(&r.start_date, tz(zone), crate::time::Edge::Start).expect("a generated anchor")
}

// ---------------------------------------------------------------------------------------------
// Escalation scenarios.

/// A generated escalation case: a document, an alert for escalation [`ESCALATION`] created at
/// `created_at`, and its later events (see [`escalation_scenario`]).
#[derive(Debug, Clone)]
pub struct EscalationScenario {
    /// Users [`USERS`] (with notification rules), schedule `s`, team [`TEAM`], escalation
    /// [`ESCALATION`] and zero or one forwarding rule. Valid by construction.
    pub doc: Document,
    /// The alert.
    pub alert: crate::alert::Alert,
    /// When the alert is created (within a day or two of the schedule's anchor).
    pub created_at: DateTime<Utc>,
    /// Acknowledge, unacknowledge, close and add-note events, in time order, at or after the
    /// creation. They are valid for the events alone (no acknowledgement of an acknowledged alert,
    /// nothing after a close); `resetRecipientStates` and `closeAlertAfterAll` may still make one
    /// invalid when the engine runs (an unacknowledge after a reset, anything after an automatic
    /// close but a note), which [`Config::escalate`](crate::Config::escalate) refuses.
    pub events: Vec<crate::alert::AlertEvent>,
}

/// The generated team's name.
pub const TEAM: &str = "t";
/// The generated escalation's name.
pub const ESCALATION: &str = "esc";

const METHODS: [&str; 4] = ["email", "sms", "voice", "mobile"];

fn step(method: usize, after: i64) -> crate::config::NotificationStep {
    use crate::config::{Contact, Delay, NotificationStep};
    NotificationStep {
        contact: Contact { method: METHODS[method % 4].into(), to: format!("{}-contact", METHODS[method % 4]) },
        send_after: (after > 0).then_some(Delay { time_amount: after, time_unit: None }),
        ..Default::default()
    }
}

/// A user's notification rule of `action` (`create-alert`, `renotified-alert`,
/// `acknowledged-alert`, `closed-alert` or `add-note`): one or two steps sent 0–10 minutes after
/// the notification, sometimes a time restriction (quiet hours are the times outside it), for
/// paging types sometimes a repeat loop (1–15 minutes), now and then disabled.
pub fn notification_rule(action: &'static str) -> impl Strategy<Value = crate::config::NotificationRule> {
    let paging = matches!(action, "create-alert" | "renotified-alert");
    (
        proptest::collection::vec((0usize..4, prop_oneof![2 => Just(0i64), 1 => 1i64..=10]), 1..=2),
        proptest::option::weighted(0.4, restriction()),
        proptest::option::weighted(0.4, 1i64..=15),
        0i64..3,
        prop_oneof![8 => Just(true), 1 => Just(false)],
    )
        .prop_map(move |(steps, restriction, loop_after, order, enabled)| crate::config::NotificationRule {
            name: format!("{action} {order}"),
            action_type: action.into(),
            time_restriction: restriction,
            steps: steps.into_iter().map(|(m, a)| step(m, a)).collect(),
            repeat: loop_after
                .filter(|_| paging)
                .map(|l| crate::config::NotificationRepeat { loop_after: l, enabled: None }),
            order: Some(order),
            enabled: (!enabled).then_some(false),
            ..Default::default()
        })
}

/// A user of [`USERS`] in a tricky zone (or none) with zero to three notification rules of the
/// alert types (none at all: the default email).
pub fn alert_user(name: &'static str) -> impl Strategy<Value = crate::config::User> {
    let rule = select(vec![
        "create-alert",
        "create-alert",
        "renotified-alert",
        "acknowledged-alert",
        "closed-alert",
        "add-note",
    ])
    .prop_flat_map(notification_rule);
    (proptest::option::of(zone()), proptest::collection::vec(rule, 0..=3)).prop_map(move |(zone, rules)| {
        crate::config::User {
            username: name.into(),
            timezone: zone.map(String::from),
            notification_rules: rules,
            ..Default::default()
        }
    })
}

fn escalation_rule() -> impl Strategy<Value = crate::config::EscalationRule> {
    use crate::config::{Delay, EscalationRule};
    // (recipient kind, notify type) pairs that are valid together.
    let recipient = prop_oneof![
        select(USERS.to_vec()).prop_map(|u| (user_named(u), "default")),
        select(vec!["default", "next", "previous"])
            .prop_map(|n| (Participant { kind: "schedule".into(), name: Some("s".into()), ..Default::default() }, n)),
        select(vec!["default", "users", "admins", "all", "random"])
            .prop_map(|n| (Participant { kind: "team".into(), name: Some(TEAM.into()), ..Default::default() }, n)),
    ];
    (recipient, 0i64..=60, any::<bool>(), any::<bool>()).prop_map(|((recipient, notify), delay, acked, explicit)| {
        EscalationRule {
            condition: Some(if acked { "if-not-acked" } else { "if-not-closed" }.into()),
            notify_type: (explicit || notify != "default").then(|| notify.into()),
            delay: Some(Delay { time_amount: delay, time_unit: Some("minutes".into()) }),
            recipient,
        }
    })
}

/// An escalation policy [`ESCALATION`]: one to four rules (users, schedule `s` with `default` /
/// `next` / `previous`, team [`TEAM`] with every notify type; delays 0–60 minutes;
/// `if-not-acked` or `if-not-closed`) and sometimes a repeat (`waitInterval` 0–30, `count`
/// 0–3, `resetRecipientStates`, `closeAlertAfterAll`), and any `onGap` (`fallback` to the first
/// of [`USERS`]).
pub fn escalation_policy() -> impl Strategy<Value = crate::config::Escalation> {
    let repeat = (0i64..=30, 0i64..=3, any::<bool>(), any::<bool>()).prop_map(|(wait, count, reset, close)| {
        crate::config::Repeat {
            wait_interval: wait,
            count: Some(count),
            reset_recipient_states: reset,
            close_alert_after_all: close,
        }
    });
    let on_gap = select(vec![None, Some("report"), Some("skip"), Some("wait"), Some("fallback")]);
    (proptest::collection::vec(escalation_rule(), 1..=4), proptest::option::weighted(0.6, repeat), on_gap).prop_map(
        |(rules, repeat, on_gap)| crate::config::Escalation {
            name: ESCALATION.into(),
            rules,
            repeat,
            on_gap: on_gap.map(String::from),
            gap_fallback: (on_gap == Some("fallback")).then(|| user_named(USERS[0])),
            ..Default::default()
        },
    )
}

/// Team [`TEAM`]: a subset of [`USERS`] (some admins) and zero to two routing rules (to the
/// escalation — a reference cycle when the escalation notifies the team —, to schedule `s` or to
/// no one, sometimes only at certain hours) after which the team's members are the fallback.
pub fn team() -> impl Strategy<Value = crate::config::Team> {
    use crate::config::{RoutingRule, Team, TeamMember, UserRef};
    let members = proptest::sample::subsequence(USERS.to_vec(), 0..=4);
    let routing =
        (select(vec!["escalation", "schedule", "none"]), proptest::option::weighted(0.4, time_of_day_restriction()))
            .prop_map(|(kind, restriction)| RoutingRule {
                name: Some(format!("to {kind}")),
                time_restriction: restriction,
                notify: NameRef {
                    kind: Some(kind.into()),
                    name: match kind {
                        "escalation" => Some(ESCALATION.into()),
                        "schedule" => Some("s".into()),
                        _ => None,
                    },
                    ..Default::default()
                },
                ..Default::default()
            });
    (members, proptest::collection::vec(any::<bool>(), 4), proptest::collection::vec(routing, 0..=2)).prop_map(
        |(members, admins, routing_rules)| Team {
            name: TEAM.into(),
            members: members
                .into_iter()
                .zip(admins)
                .map(|(u, admin)| TeamMember {
                    user: UserRef { username: Some(u.into()), ..Default::default() },
                    role: Some(if admin { "admin" } else { "user" }.into()),
                })
                .collect(),
            routing_rules,
            ..Default::default()
        },
    )
}

/// An escalation scenario (see [`EscalationScenario`]): declared users [`USERS`] with their
/// notification rules, a schedule `s` (see [`schedule`]), a [`team`], an [`escalation_policy`],
/// sometimes a forwarding rule around the creation, an alert of any priority created within a
/// day of the schedule's anchor, and zero to four events (acknowledge, unacknowledge, close,
/// add-note) 0–150 minutes after it, in time order.
///
/// ```no_run
/// use oncall_core::escalation::{EscalateOptions, Target};
/// use oncall_core::strategies::{ESCALATION, escalation_scenario};
/// use proptest::prelude::*;
///
/// proptest! {
///     #[test]
///     fn timelines_are_sorted(s in escalation_scenario()) {
///         let config = oncall_core::Config::compile(&s.doc)?;
///         let target = Target::Escalation(ESCALATION.into());
///         if let Ok(tl) = config.escalate(&s.alert, &target, s.created_at, &s.events, &EscalateOptions::default()) {
///             prop_assert!(tl.entries().windows(2).all(|w| w[0].at() <= w[1].at()));
///         }
///     }
/// }
/// ```
pub fn escalation_scenario() -> BoxedStrategy<EscalationScenario> {
    use crate::alert::{Action, Alert, AlertEvent};
    use crate::config::{ForwardingRule, UserRef};
    let users = (alert_user(USERS[0]), alert_user(USERS[1]), alert_user(USERS[2]), alert_user(USERS[3]))
        .prop_map(|(a, b, c, d)| vec![a, b, c, d]);
    let forwarding = (select(USERS.to_vec()), select(USERS.to_vec()), -120i64..=60, 1i64..=6);
    let event = (0i64..=150, 0u8..4, proptest::option::of(select(USERS.to_vec())));
    (
        schedule(),
        users,
        team(),
        escalation_policy(),
        proptest::option::weighted(0.3, forwarding),
        (-12i64..=36, 0i64..60, 1u8..=5),
        proptest::collection::vec(event, 0..=4),
    )
        .prop_map(|(schedule, users, team, escalation, forwarding, (hours, minutes, priority), mut raw)| {
            let mut doc = Document {
                users: Some(users),
                teams: vec![team],
                schedules: vec![schedule],
                escalations: vec![escalation],
                ..Default::default()
            };
            let created_at = anchor(&doc) + Duration::hours(hours) + Duration::minutes(minutes);
            if let Some((from, to, start, hours)) = forwarding.filter(|(f, t, _, _)| f != t) {
                let start = created_at + Duration::minutes(start);
                let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                doc.forwarding_rules.push(ForwardingRule {
                    alias: Some(format!("{from}-to-{to}")),
                    from_user: UserRef { username: Some(from.into()), ..Default::default() },
                    to_user: UserRef { username: Some(to.into()), ..Default::default() },
                    start_date: fmt(start),
                    end_date: fmt(start + Duration::hours(hours)),
                    ..Default::default()
                });
            }
            let mut alert = Alert::new("generated alert");
            alert.priority = Some(format!("P{priority}"));
            raw.sort_by_key(|e| e.0);
            // Valid for the events alone: the kind is bent to one the state allows.
            let (mut acked, mut closed, mut events) = (false, false, Vec::new());
            for (offset, kind, user) in raw {
                let user = user.map(String::from);
                let action = match kind {
                    _ if closed => Action::AddNote { note: "after the close".into(), user },
                    0 | 1 if !acked => {
                        acked = true;
                        Action::Acknowledge { user }
                    }
                    0 | 1 => {
                        acked = false;
                        Action::Unacknowledge { user }
                    }
                    2 => {
                        closed = true;
                        Action::Close { user }
                    }
                    _ => Action::AddNote { note: "a note".into(), user },
                };
                events.push(AlertEvent::new(created_at + Duration::minutes(offset), action));
            }
            EscalationScenario { doc, alert, created_at, events }
        })
        .boxed()
}

/// The innermost escalation rule that caused a notification: `(condition, escalated to next)`.
fn escalation_cause(via: &[crate::escalation::Hop]) -> Option<(&str, bool)> {
    via.iter().rev().find_map(|h| match h {
        crate::escalation::Hop::Escalation { condition, escalated_to_next, .. } => {
            Some((condition.as_str(), *escalated_to_next))
        }
        _ => None,
    })
}

/// Checks the laws of an escalation timeline (used by the property suite and the fuzz targets) from its own entries: sorted by instant; no
/// notification caused by an `if-not-acked` rule (not forced by escalate-to-next) while an
/// acknowledgement is in force (from an `acknowledged` entry to the next `unacknowledged`,
/// `acknowledgement-reset` or `snooze-ended`); after a close (`closed` or `auto-closed`) no paging
/// notification at all, and informational ones only for what happened at or before the close
/// (its own `closed-alert`, delayed steps of earlier announcements) or for notes added later.
pub fn check_escalation_laws(tl: &crate::EscalationTimeline) -> Result<(), String> {
    use crate::escalation::{Entry, Hop, LogKind};
    let entries = tl.entries();
    if let Some(w) = entries.windows(2).find(|w| w[0].at() > w[1].at()) {
        return Err(format!("entries out of order: {:?} before {:?}", w[0], w[1]));
    }
    if tl.notifications.windows(2).any(|w| w[0].at > w[1].at) {
        return Err("notifications out of order".into());
    }
    let (mut acked_at, mut closed_at) = (None, None);
    for e in &entries {
        match e {
            Entry::Log(l) => match l.kind {
                LogKind::Acknowledged => acked_at = Some(l.at),
                LogKind::Unacknowledged | LogKind::AcknowledgementReset | LogKind::SnoozeEnded => acked_at = None,
                LogKind::Closed | LogKind::AutoClosed => closed_at = closed_at.or(Some(l.at)),
                _ => {}
            },
            Entry::Notification(n) => {
                if let (Some(ack), Some(("if-not-acked", false))) = (acked_at, escalation_cause(&n.via)) {
                    return Err(format!("if-not-acked notification at {} while acknowledged since {ack}: {n:?}", n.at));
                }
                if let Some(close) = closed_at {
                    let note = matches!(n.via.first(), Some(Hop::Event { action, .. }) if action == "add-note");
                    if n.action_type.is_paging() || (n.notified_at > close && !note) {
                        return Err(format!("notification after the close at {close}: {n:?}"));
                    }
                }
            }
            Entry::Unreached(_) => {}
        }
    }
    Ok(())
}

/// A pay rule `p` (see [`crate::pay`]): a base rate, up to four rates by weekday and time of day
/// (quarter hours, some across midnight) or on holidays, rates or multipliers, holidays around
/// the DST transitions of [`YEARS`], time of day in the user's zone or one of [`zone`], an
/// optional minimum per shift, and sometimes only some of [`USERS`].
pub fn pay_rule() -> BoxedStrategy<crate::pay::PayRule> {
    use crate::pay::{Decimal, PayRate, PayRule, ShiftMinimum};
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let decimal = || (0u32..100, 0u32..100).prop_map(|(i, c)| Decimal(format!("{i}.{c:02}")));
    let tod = || (0u32..24, 0u32..4).prop_map(|(h, q)| format!("{h:02}:{:02}", q * 15));
    let rate = (
        proptest::option::of(proptest::sample::subsequence(DAYS.to_vec(), 1..=7)),
        any::<bool>(),
        proptest::option::of(tod()),
        proptest::option::of(tod()),
        decimal(),
        any::<bool>(),
    )
        .prop_map(|(days, holiday, from, to, v, multiplier)| PayRate {
            name: None,
            days: if holiday { None } else { days.map(|d| d.into_iter().map(String::from).collect()) },
            holiday: holiday.then_some(true),
            from,
            to,
            rate: (!multiplier).then(|| v.clone()),
            multiplier: multiplier.then_some(v),
        });
    let holiday = (YEARS, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"));
    let minimum = prop_oneof![
        Just(None),
        (1u32..12).prop_map(|h| Some(ShiftMinimum { hours: Some(Decimal(h.to_string())), amount: None })),
        decimal().prop_map(|a| Some(ShiftMinimum { hours: None, amount: Some(a) })),
    ];
    let zone = prop_oneof![Just(None), Just(Some("user".to_string())), zone().prop_map(|z| Some(z.to_string()))];
    let users = proptest::option::of(proptest::sample::subsequence(USERS.to_vec(), 1..=4));
    (
        decimal(),
        proptest::collection::vec(rate, 0..=4),
        proptest::collection::vec(holiday, 0..=6),
        minimum,
        zone,
        users,
        select(vec!["EUR", "JPY", "KWD"]),
    )
        .prop_map(|(base, rates, holidays, minimum_per_shift, timezone, users, currency)| PayRule {
            name: "p".into(),
            currency: currency.into(),
            schedules: None,
            users: users.map(|u| u.into_iter().map(String::from).collect()),
            timezone,
            base_rate: base,
            rates,
            holidays,
            holiday_calendar: None,
            minimum_per_shift,
        })
        .boxed()
}
