//! The fuzz targets of oncall-core, as plain functions (the binaries in `fuzz_targets/` are thin
//! wrappers), and a replay `main` for builds without cargo-fuzz.
//!
//! Besides "never panics", every target checks invariants of the answers it gets: the final
//! schedule's segments tile the window, who-is-on-call agrees with the segment holding the
//! instant, hand-offs strictly increase, analysis totals add up, and a document survives a
//! JSON round trip unchanged.

use arbitrary::{Result as AResult, Unstructured};
use chrono::{DateTime, Duration, Utc};
use oncall_core::config::{
    Document, ForwardingRule, NameRef, Override, Participant, Rotation, RoutingRule, Schedule as DocSchedule, Team,
    TeamMember, TimeOfDay, TimeRestriction, User, UserRef, WeekdaySpan,
};
use oncall_core::{Config, Expand, Schedule};
use std::path::Path;
use std::process::ExitCode;

/// Replays every file named on the command line (a directory: every file in it) through `run`.
pub fn replay(name: &str, run: fn(&[u8])) -> ExitCode {
    let mut count = 0usize;
    for arg in std::env::args_os().skip(1) {
        let path = Path::new(&arg);
        let mut files: Vec<_> = if path.is_dir() {
            match std::fs::read_dir(path) {
                Ok(entries) => entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
                    .collect(),
                Err(e) => {
                    eprintln!("{name}: cannot read {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
        } else {
            vec![path.to_path_buf()]
        };
        files.sort();
        for file in files {
            match std::fs::read(&file) {
                Ok(data) => {
                    run(&data);
                    count += 1;
                }
                Err(e) => {
                    eprintln!("{name}: cannot read {}: {e}", file.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    println!("{name}: replayed {count} inputs without a failure");
    ExitCode::SUCCESS
}

/// Inputs that hit a known, reported bug whose crasher is kept in `regressions/<target>/open/`
/// (not replayed by `fuzz/check` until fixed): skipped, so that fuzzing goes on looking for
/// other bugs. Remove a clause when its bug is fixed and move its crasher up to
/// `regressions/<target>/`.
fn known_bug(doc: &Document) -> bool {
    // The rrule crate (0.14.0, src/core/rrule.rs:162) panics slicing a BYDAY value that ends
    // inside a multi-byte character: regressions/rrule/open/.
    doc.schedules.iter().flat_map(|s| &s.rotations).any(|r| r.recurrence.as_ref().is_some_and(|t| !t.is_ascii()))
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// Configuration parsing, JSON: any text; a document that reads must round-trip through JSON
/// unchanged, and a configuration that compiles must answer queries.
pub fn parse_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(doc) = Document::from_json(text) {
        document(doc);
    }
}

/// Configuration parsing, YAML (as [`parse_json`]).
pub fn parse_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(doc) = Document::from_yaml(text) {
        document(doc);
    }
}

fn document(doc: Document) {
    let json = serde_json::to_string(&doc).expect("a document serializes");
    let again = Document::from_json(&json).unwrap_or_else(|e| panic!("the round trip does not read: {e}\n{json}"));
    assert_eq!(doc, again, "the JSON round trip changed the document:\n{json}");
    if known_bug(&doc) {
        return;
    }
    // Parsing is the point here; a few cheap queries check that what compiles answers
    // (the `queries` target does the rest).
    if let Ok(config) = Config::compile(doc) {
        let at = t("2026-03-08T06:30:00Z");
        let names: Vec<String> = config.schedule_names().map(String::from).take(2).collect();
        for name in names {
            if let Ok(s) = config.schedule(&name) {
                let _ = s.on_call(at);
                let _ = s.segments(at, at + Duration::hours(12)).map(|it| it.take(50).count());
            }
        }
    }
}

const ZONES: [&str; 7] = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Asia/Kolkata",
];

/// Local times near DST transitions of the zones above (and some ordinary ones).
const ANCHORS: [&str; 12] = [
    "2026-03-08T02:30:00", // New York spring-forward gap
    "2026-11-01T01:30:00", // New York fall-back fold
    "2026-03-29T01:00:00", // London gap
    "2026-10-25T01:30:00", // London fold
    "2026-10-04T02:15:00", // Lord Howe half-hour gap
    "2026-04-05T01:45:00", // Lord Howe half-hour fold
    "2026-09-06T00:00:00", // Santiago midnight gap
    "2026-04-04T23:30:00", // Santiago midnight fold
    "2026-03-08T00:00:00", // Havana midnight gap
    "2026-01-31T09:00:00", // a month end
    "2026-02-28T23:59:00",
    "2024-02-29T12:00:00",
];

/// RRULE recurrences: the custom rotation of a fixed schedule, with the input choosing the zone,
/// the anchor and whether there is an end date. The rest of the input is the recurrence text.
pub fn rrule(data: &[u8]) {
    let [z, a, flags, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let zone = ZONES[usize::from(*z) % ZONES.len()];
    let anchor = ANCHORS[usize::from(*a) % ANCHORS.len()];
    let end = (flags & 1 == 1).then(|| "2027-01-01T00:00:00".to_string());
    let doc = Document {
        schedules: vec![DocSchedule {
            name: "s".into(),
            timezone: Some(zone.into()),
            rotations: vec![Rotation {
                name: Some("custom".into()),
                kind: "custom".into(),
                start_date: anchor.into(),
                end_date: end,
                participants: vec![user("ann"), user("ben"), user("cat")],
                recurrence: Some(text.into()),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    if known_bug(&doc) {
        return;
    }
    let Ok(config) = Config::compile(doc) else { return };
    let Ok(s) = config.schedule("s") else { return };
    let from = s.parse_time(anchor).unwrap_or_default() - Duration::hours(1);
    let mut last = from;
    let Ok(handoffs) = s.handoffs("custom", from) else { return };
    for h in handoffs.take(64) {
        assert!(h.at > last, "hand-offs must strictly increase: {} after {}", h.at, last);
        last = h.at;
        // Nothing else in the schedule: whoever takes over is on call at the hand-off.
        let who = s.on_call(h.at).expect("on_call").flat().on_call_recipients;
        assert_eq!(who, std::slice::from_ref(&h.participant.name), "on call at the hand-off {}", h.at);
    }
    queries_at(&s, &[from, last], Duration::days(3), flags & 2 == 2);
}

fn user(name: &str) -> Participant {
    Participant { kind: "user".into(), username: Some(name.into()), ..Default::default() }
}

const USERS: [&str; 4] = ["ann", "ben", "cat", "dan"];

fn pick<'a, T: ?Sized>(u: &mut Unstructured<'_>, from: &[&'a T]) -> AResult<&'a T> {
    Ok(*u.choose(from)?)
}

/// A time argument near the anchors above; with `far`, sometimes at the ends of the engine's
/// range (cheap for fixed grids; a dense custom recurrence pays for every occurrence between its
/// anchor and the instant asked about, see the fuzzing notes).
fn when(u: &mut Unstructured<'_>, far: bool) -> AResult<String> {
    let base = t(&format!("{}Z", pick(u, &ANCHORS)?));
    let hours: i64 = u.int_in_range(-72..=72)?;
    let minutes: i64 = *u.choose(&[0, 0, 0, 15, 30, 45, 7])?;
    let at = base + Duration::hours(hours) + Duration::minutes(minutes);
    Ok(match u.int_in_range(0u8..=9)? {
        0 => at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        1 => at.format("%Y-%m-%dT%H:%M:%S+05:30").to_string(),
        2 if far => "1900-01-01T00:00:00Z".into(),
        3 if far => "2199-12-31T00:00".into(),
        _ => at.format("%Y-%m-%dT%H:%M").to_string(),
    })
}

fn later(u: &mut Unstructured<'_>, start: &str) -> AResult<String> {
    let hours: i64 = *u.choose(&[1, 2, 5, 24, 48, 24 * 7, 24 * 40, 0, -3])?;
    let base = DateTime::parse_from_rfc3339(start)
        .map(|t| t.naive_utc())
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M"))
        .unwrap_or_default();
    Ok((base + Duration::hours(hours)).format("%Y-%m-%dT%H:%M").to_string())
}

fn restriction(u: &mut Unstructured<'_>) -> AResult<TimeRestriction> {
    let hour = |u: &mut Unstructured<'_>| -> AResult<i64> { Ok(*u.choose(&[0, 7, 9, 17, 22, 23, 24, 2, 1, -1, 25])?) };
    let min = |u: &mut Unstructured<'_>| -> AResult<i64> { Ok(*u.choose(&[0, 0, 30, 15, 59, 60])?) };
    if u.arbitrary()? {
        Ok(TimeRestriction {
            kind: "time-of-day".into(),
            restriction: Some(TimeOfDay {
                start_hour: hour(u)?,
                start_min: min(u)?,
                end_hour: hour(u)?,
                end_min: min(u)?,
            }),
            restrictions: None,
        })
    } else {
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "funday"];
        let n = u.int_in_range(0..=3)?;
        let mut spans = Vec::new();
        for _ in 0..n {
            spans.push(WeekdaySpan {
                start_day: pick(u, &days)?.into(),
                start_hour: hour(u)?,
                start_min: min(u)?,
                end_day: pick(u, &days)?.into(),
                end_hour: hour(u)?,
                end_min: min(u)?,
            });
        }
        Ok(TimeRestriction { kind: "weekday-and-time-of-day".into(), restriction: None, restrictions: Some(spans) })
    }
}

const RULES: [&str; 12] = [
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=HOURLY;INTERVAL=6",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=DAILY;COUNT=5",
    "FREQ=WEEKLY;UNTIL=20261201T000000Z",
    "FREQ=MINUTELY;INTERVAL=15",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "RRULE:FREQ=DAILY\nEXDATE:20260309T023000",
    "RDATE:20260310T090000,20260312T090000",
    "FREQ=DAILY;BYHOUR=2;BYMINUTE=30",
    "FREQ=SECONDLY",
];

fn rotation(u: &mut Unstructured<'_>, i: usize) -> AResult<Rotation> {
    // Custom rotations are the `rrule` target's: compiling one expands thousands of occurrences,
    // which would dominate this target's time.
    let kind = pick(u, &["hourly", "daily", "weekly", "monthly", "monthly", "daily", "yearly"])?;
    let start = when(u, kind != "custom")?;
    let end = if u.ratio(1, 3)? { Some(later(u, &start)?) } else { None };
    let n = u.int_in_range(0..=4)?;
    let mut participants = Vec::new();
    for _ in 0..n {
        participants.push(match u.int_in_range(0u8..=9)? {
            0 => Participant { kind: "none".into(), ..Default::default() },
            1 => Participant { kind: "team".into(), name: Some("t".into()), ..Default::default() },
            _ => user(pick(u, &USERS)?),
        });
    }
    Ok(Rotation {
        name: Some(format!("r{i}")),
        kind: kind.into(),
        length: if u.ratio(1, 4)? { Some(*u.choose(&[1, 2, 3, 7, 12, 24, 0, -5, 10_000, 10_001])?) } else { None },
        start_date: start,
        end_date: end,
        participants,
        time_restriction: if u.ratio(1, 3)? { Some(restriction(u)?) } else { None },
        timezone: if u.ratio(1, 6)? { Some(pick(u, &ZONES)?.into()) } else { None },
        priority: if u.ratio(1, 4)? { Some(u.int_in_range(-1..=2)?) } else { None },
        recurrence: if kind == "custom" { Some(pick(u, &RULES)?.into()) } else { None },
        ..Default::default()
    })
}

/// Builds a small document from the input: one or two schedules in tricky zones, with
/// rotations of every type, restrictions, overrides, a team, forwarding rules.
fn arbitrary_document(u: &mut Unstructured<'_>) -> AResult<Document> {
    let mut schedules = Vec::new();
    for si in 0..u.int_in_range(1..=2)? {
        let n = u.int_in_range(0..=3)?;
        let rotations = (0..n).map(|i| rotation(u, i)).collect::<AResult<Vec<_>>>()?;
        let mut overrides = Vec::new();
        for _ in 0..u.int_in_range(0..=2)? {
            let start = when(u, true)?;
            let end = later(u, &start)?;
            let scope = match u.int_in_range(0u8..=3)? {
                0 => None,
                1 => Some(Vec::new()),
                _ => Some(vec![NameRef { name: Some(format!("r{}", u.int_in_range(0..=3)?)), ..Default::default() }]),
            };
            overrides.push(Override {
                alias: None,
                user: if u.ratio(1, 5)? {
                    Participant { kind: "none".into(), ..Default::default() }
                } else {
                    user(pick(u, &USERS)?)
                },
                start_date: start,
                end_date: end,
                rotations: scope,
            });
        }
        schedules.push(DocSchedule {
            name: format!("s{si}"),
            timezone: Some(pick(u, &ZONES)?.into()),
            enabled: if u.ratio(1, 8)? { Some(false) } else { None },
            rotations,
            overrides,
            ..Default::default()
        });
    }
    let mut forwarding_rules = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        let start = when(u, true)?;
        forwarding_rules.push(ForwardingRule {
            from_user: UserRef { username: Some(pick(u, &USERS)?.into()), ..Default::default() },
            to_user: UserRef { username: Some(pick(u, &USERS)?.into()), ..Default::default() },
            end_date: later(u, &start)?,
            start_date: start,
            ..Default::default()
        });
    }
    let routing = if u.arbitrary()? {
        vec![RoutingRule {
            notify: NameRef { name: Some("s0".into()), kind: Some("schedule".into()), ..Default::default() },
            time_restriction: if u.arbitrary()? { Some(restriction(u)?) } else { None },
            ..Default::default()
        }]
    } else {
        Vec::new()
    };
    let teams = vec![Team {
        name: "t".into(),
        members: USERS[..2]
            .iter()
            .map(|n| TeamMember { user: UserRef { username: Some((*n).into()), ..Default::default() }, role: None })
            .collect(),
        routing_rules: routing,
        ..Default::default()
    }];
    let users = u
        .arbitrary::<bool>()?
        .then(|| USERS.iter().map(|n| User { username: (*n).into(), ..Default::default() }).collect::<Vec<_>>());
    Ok(Document { users, teams, schedules, forwarding_rules, ..Default::default() })
}

/// Queries on arbitrary small configurations and instants.
pub fn queries(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(doc) = arbitrary_document(&mut u) else { return };
    if known_bug(&doc) {
        return;
    }
    let Ok(lint) = u.ratio(1, 32) else { return };
    let Ok(config) = Config::compile(doc) else { return };
    let mut instants = Vec::new();
    for _ in 0..2 {
        let Ok(w) = when(&mut u, false) else { break };
        let utc = oncall_core::time::parse_zone("UTC").expect("UTC");
        if let Ok(at) = oncall_core::time::parse_instant(&w, utc, oncall_core::time::Edge::Start) {
            instants.push(at);
        }
    }
    if lint && let Some(&at) = instants.first() {
        let _ = config.lint(at);
    }
    let names: Vec<String> = config.schedule_names().map(String::from).collect();
    for name in names {
        let s = config.schedule(&name).expect("a listed schedule");
        queries_at(&s, &instants, Duration::days(2), false);
    }
}

/// Every query at each instant, with the invariants between their answers.
///
/// `next_on_call` may walk up to `MAX_NEXT_STEPS` boundaries when the on-call set never changes
/// again (a tenth of a second or more), so only the `rrule` target asks it (when `next` is set):
/// in `queries` the corpus fills with such inputs and the rate falls below 100 runs a second.
fn queries_at(s: &Schedule<'_>, instants: &[DateTime<Utc>], span: Duration, next: bool) {
    for (i, &at) in instants.iter().enumerate() {
        if next && i == 0 {
            let _ = s.next_on_call(at);
        }
        for r in s.rotation_names().collect::<Vec<_>>() {
            if let Ok(h) = s.handoffs(r, at) {
                let mut last = at;
                for h in h.take(20) {
                    assert!(h.at > last, "hand-offs of {r} must strictly increase after {at}: {} then {}", last, h.at);
                    last = h.at;
                }
            }
        }
        let to = at + span;
        let Ok(segments) = s.segments(at, to) else { continue };
        let segments: Vec<_> = segments.collect();
        let end = segments.last().map(|g| g.end_date);
        let mut cursor = at;
        for (i, g) in segments.iter().enumerate() {
            assert_eq!(g.start_date, cursor, "segments must tile the window");
            assert!(g.end_date > g.start_date, "empty segment");
            if i > 0 {
                assert_ne!(segments[i - 1].recipients, g.recipients, "equal neighbours must merge");
            }
            let who = s.on_call(g.start_date).expect("on_call").flat().on_call_recipients;
            let mut who_sorted = who.clone();
            who_sorted.sort();
            who_sorted.dedup();
            assert_eq!(who_sorted, g.recipients, "on call at {} vs its segment", g.start_date);
            cursor = g.end_date;
        }
        if let Some(end) = end {
            if let Ok(tl) = s.timeline(at, end, Expand { base: true, overrides: true, forwarding: true }) {
                assert_eq!(tl.final_schedule, segments, "timeline and segments disagree");
            }
            if let Ok(a) = s.analyze(at, end) {
                assert_eq!(a.covered_seconds + a.gap_seconds, a.window_seconds);
                assert!((0.0..=100.0).contains(&a.balance), "balance {}", a.balance);
                let busiest = a.users.iter().map(|u| u.on_call_seconds).max().unwrap_or(0);
                assert!(busiest <= a.covered_seconds);
            }
        }
    }
}
