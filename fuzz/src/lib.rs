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

pub mod hostile;
pub use hostile::{cli, graph, time_parse, windows};

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
    // Opsgenie's read-and-ignored fields (`opsgenie::IGNORED_FIELDS`) are never written back
    // (documented on `config::Ignored`): a document without them round-trips exactly; one with
    // them loses exactly them, so what comes back has none and writes the same JSON again.
    if oncall_core::opsgenie::ignored_fields(&doc).is_empty() {
        assert_eq!(doc, again, "the JSON round trip changed the document:\n{json}");
    } else {
        assert!(oncall_core::opsgenie::ignored_fields(&again).is_empty(), "ignored fields written back:\n{json}");
        let json_again = serde_json::to_string(&again).expect("a document serializes");
        assert_eq!(json, json_again, "the JSON round trip is not a fixed point once ignored fields are dropped");
    }
    // Parsing is the point here; a few cheap queries check that what compiles answers
    // (the `queries` target does the rest).
    if let Ok(config) = Config::compile(&doc) {
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
    let Ok(config) = Config::compile(&doc) else { return };
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
                ..Default::default()
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
    let mut users = u
        .arbitrary::<bool>()?
        .then(|| USERS.iter().map(|n| User { username: (*n).into(), ..Default::default() }).collect::<Vec<_>>());
    // Time off and holidays are drawn last, so the inputs saved before they existed still build
    // the documents they were saved for (a spent input draws none).
    let mut holiday_calendars = Vec::new();
    if u.ratio(1, 3)? {
        let dates =
            (0..u.int_in_range(1..=3)?).map(|_| when(u, false).map(|w| w[..10].to_string())).collect::<AResult<_>>()?;
        holiday_calendars.push(oncall_core::holiday::HolidayCalendarDoc { name: "h".into(), dates, ics: None });
    }
    for user in users.iter_mut().flatten() {
        for _ in 0..u.int_in_range(0..=2)? {
            let start = when(u, false)?;
            let end = later(u, &start)?;
            user.time_off.push(oncall_core::timeoff::TimeOff { start_date: start, end_date: end, reason: None });
        }
        if u.ratio(1, 4)? {
            user.holidays.push("h".into());
        }
    }
    for r in schedules.iter_mut().flat_map(|s| s.rotations.iter_mut()) {
        if u.ratio(1, 3)? {
            r.time_off_policy = Some(pick(u, &["skip", "cover", "mask", "swap"])?.into());
        }
        if u.ratio(1, 4)? {
            r.holidays.push(pick(u, &["h", "x"])?.into());
        }
    }
    Ok(Document { users, teams, schedules, forwarding_rules, holiday_calendars, ..Default::default() })
}

/// Queries on arbitrary small configurations and instants.
pub fn queries(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(doc) = arbitrary_document(&mut u) else { return };
    let Ok(lint) = u.ratio(1, 32) else { return };
    // Indexing a stretch costs a walk over a year (a millisecond or more): one input in 64.
    let Ok(indexed) = u.ratio(1, 64) else { return };
    let copy = indexed.then(|| doc.clone());
    let Ok(mut config) = Config::compile(&doc) else { return };
    config.set_index_options(oncall_core::IndexOptions::OFF);
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
    // The answer index changes no answer (each chunk indexed at its first query).
    if let Some(Ok(mut eager)) = copy.map(|d| Config::compile(&d)) {
        eager.set_index_options(oncall_core::IndexOptions::EAGER);
        for name in config.schedule_names() {
            let (w, i) = (config.schedule(name).expect("listed"), eager.schedule(name).expect("listed"));
            for &at in &instants {
                assert_eq!(w.on_call(at).ok(), i.on_call(at).ok(), "on call at {at} with and without the index");
                let to = at + Duration::days(3);
                let (a, b) = (w.timeline(at, to, Expand::default()), i.timeline(at, to, Expand::default()));
                assert_eq!(a.ok(), b.ok(), "timeline from {at} with and without the index");
            }
        }
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
            if let Ok(tl) = s.timeline(at, end, Expand { base: true, overrides: true, forwarding: true, ..Expand::default() }) {
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

// ---------------------------------------------------------------------------------------------
// Escalation.

const EXAMPLE: &str = include_str!("../../examples/escalation.json");
const EXAMPLE_USERS: [&str; 5] = ["ann@example.com", "ben@example.com", "cat@example.com", "dan@example.com", "eve"];

/// Sets `doc[pointer]` to `value` when that place exists.
fn set(doc: &mut serde_json::Value, pointer: &str, value: serde_json::Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = value;
    }
}

/// One structural edit of `examples/escalation.json`: escalation rules (delay, condition, notify
/// type, recipient), the repeat, notification rules (steps, loops, restrictions, order, enabled),
/// routing, forwarding (cycles included), schedules (disabled), team roles. Some edits are invalid
/// on purpose: the configuration then does not compile, which is fine.
fn mutate_example(u: &mut Unstructured<'_>, doc: &mut serde_json::Value) -> AResult<()> {
    use serde_json::json;
    let r = u.int_in_range(0..=3)?;
    match u.int_in_range(0u8..=15)? {
        0 => set(doc, &format!("/escalations/0/rules/{r}/delay/timeAmount"), json!(u.int_in_range(-1..=90)?)),
        1 => {
            let c = pick(u, &["if-not-acked", "if-not-closed", "if-not-acked", "bogus"])?;
            set(doc, &format!("/escalations/0/rules/{r}/condition"), json!(c));
        }
        2 => {
            let n = pick(u, &["default", "next", "previous", "users", "admins", "all", "random"])?;
            set(doc, &format!("/escalations/0/rules/{r}/notifyType"), json!(n));
        }
        3 => {
            let recipient = match u.int_in_range(0u8..=3)? {
                0 => json!({"type": "user", "username": pick(u, &EXAMPLE_USERS)?}),
                1 => json!({"type": "schedule", "name": pick(u, &["checkout-primary", "checkout-secondary"])?}),
                2 => json!({"type": "team", "name": "checkout"}),
                _ => json!({"type": "escalation", "name": "checkout_escalation"}),
            };
            set(doc, &format!("/escalations/0/rules/{r}/recipient"), recipient);
        }
        4 => set(
            doc,
            "/escalations/0/repeat",
            json!({"waitInterval": u.int_in_range(0..=60)?, "count": u.int_in_range(-1..=21)?,
                   "resetRecipientStates": u.arbitrary::<bool>()?, "closeAlertAfterAll": u.arbitrary::<bool>()?}),
        ),
        5 => {
            if let Some(rules) = doc.pointer_mut("/escalations/0/rules").and_then(|v| v.as_array_mut())
                && !rules.is_empty()
            {
                let i = u.int_in_range(0..=rules.len() - 1)?;
                if u.arbitrary()? {
                    rules.remove(i);
                } else if rules.len() < 6 {
                    let copy = rules[i].clone();
                    rules.push(copy);
                }
            }
        }
        6 => {
            let user = u.int_in_range(0..=2)?;
            let rule = u.int_in_range(0..=2)?;
            let step = u.int_in_range(0..=1)?;
            set(
                doc,
                &format!("/users/{user}/notificationRules/{rule}/steps/{step}/sendAfter"),
                json!({"timeAmount": u.int_in_range(-1..=30)?}),
            );
        }
        7 => {
            let user = u.int_in_range(0..=2)?;
            let rule = u.int_in_range(0..=2)?;
            set(
                doc,
                &format!("/users/{user}/notificationRules/{rule}/repeat"),
                json!({"loopAfter": u.int_in_range(0..=20)?, "enabled": u.arbitrary::<bool>()?}),
            );
        }
        8 => {
            let user = u.int_in_range(0..=3)?;
            let action = pick(
                u,
                &[
                    "create-alert",
                    "renotified-alert",
                    "acknowledged-alert",
                    "closed-alert",
                    "add-note",
                    "assigned-alert",
                ],
            )?;
            let rule = json!({"name": format!("fuzz {action}"), "actionType": action, "order": u.int_in_range(-1..=3)?,
                "enabled": !u.ratio(1, 6)?,
                "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": u.int_in_range(0..=24)?, "startMin": 0,
                                    "endHour": u.int_in_range(0..=24)?, "endMin": 0}},
                "steps": [{"contact": {"method": pick(u, &["email", "sms", "voice", "mobile", "pigeon"])?, "to": "x"},
                           "sendAfter": {"timeAmount": u.int_in_range(0..=20)?}}],
                "repeat": {"loopAfter": u.int_in_range(1..=10)?, "enabled": u.arbitrary::<bool>()?}});
            if let Some(rules) = doc.pointer_mut(&format!("/users/{user}")).and_then(|v| v.as_object_mut()) {
                let list = rules.entry("notificationRules").or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    list.push(rule);
                }
            }
        }
        9 => {
            let from = pick(u, &EXAMPLE_USERS[..4])?;
            let to = pick(u, &EXAMPLE_USERS[..4])?;
            let day = u.int_in_range(5..=15)?;
            let rule = json!({"fromUser": {"username": from}, "toUser": {"username": to},
                "startDate": format!("2026-11-{day:02}T00:00:00"), "endDate": format!("2026-11-{:02}T12:00:00", day + u.int_in_range(0..=3)?)});
            if let Some(list) = doc.pointer_mut("/forwardingRules").and_then(|v| v.as_array_mut()) {
                list.push(rule);
            }
        }
        10 => set(doc, &format!("/schedules/{}/enabled", u.int_in_range(0..=1)?), json!(u.arbitrary::<bool>()?)),
        11 => {
            let role = pick(u, &["user", "admin"])?;
            set(doc, &format!("/teams/0/members/{r}/role"), json!(role));
        }
        12 => set(doc, &format!("/teams/0/routingRules/{r}/order"), json!(u.int_in_range(-1..=5)?)),
        13 => {
            let notify = match u.int_in_range(0u8..=2)? {
                0 => json!({"type": "none"}),
                1 => json!({"type": "schedule", "name": "checkout-primary"}),
                _ => json!({"type": "escalation", "name": "checkout_escalation"}),
            };
            set(doc, &format!("/teams/0/routingRules/{r}/notify"), notify);
        }
        14 => {
            // A second escalation the team routes to: nested runs from a team `default` rule.
            if let Some(list) = doc.pointer_mut("/escalations").and_then(|v| v.as_array_mut())
                && list.len() < 2
            {
                let mut second = list[0].clone();
                second["name"] = json!("second");
                list.push(second);
                set(doc, "/teams/0/routingRules/3/notify", json!({"type": "escalation", "name": "second"}));
                set(doc, &format!("/escalations/0/rules/{r}/recipient"), json!({"type": "team", "name": "checkout"}));
                set(doc, &format!("/escalations/0/rules/{r}/notifyType"), json!("default"));
            }
        }
        _ => {
            let user = u.int_in_range(0..=3)?;
            set(doc, &format!("/users/{user}/timezone"), json!(pick(u, &ZONES)?));
        }
    }
    Ok(())
}

/// An event list after `created`: in time order (several at one instant now and then), any action,
/// mostly by the example's users. Most follow the alert's state as the events alone leave it (no
/// acknowledgement of an acknowledged alert, only notes after a close); one in eight is taken as
/// drawn, often an invalid transition, which `escalate` refuses.
fn events(u: &mut Unstructured<'_>, created: DateTime<Utc>) -> AResult<Vec<oncall_core::alert::AlertEvent>> {
    use oncall_core::alert::{Action, AlertEvent};
    let mut at = created;
    let mut out = Vec::new();
    let (mut acked, mut closed) = (false, false);
    for _ in 0..u.int_in_range(0..=6)? {
        at += Duration::minutes(*u.choose(&[0, 1, 3, 5, 10, 15, 30, 45, 60, 120])?);
        let raw = u.ratio(1, 8)?;
        let who =
            if u.ratio(4, 5)? { Some(pick(u, &EXAMPLE_USERS[..if raw { 5 } else { 4 }])?.to_string()) } else { None };
        let action = match u.int_in_range(0u8..=9)? {
            _ if closed && !raw => Action::AddNote { note: "after the close".into(), user: who },
            0..=2 if raw => Action::Acknowledge { user: who },
            0..=2 if acked => Action::Unacknowledge { user: who },
            0..=2 => Action::Acknowledge { user: who },
            3 => Action::Close { user: who },
            4 => Action::AddNote { note: "fuzz".into(), user: who },
            5 => {
                let minutes = if raw { u.int_in_range(-5..=120)? } else { u.int_in_range(1..=120)? };
                Action::Snooze { until: at + Duration::minutes(minutes), user: who }
            }
            6 => Action::EscalateToNext {
                escalation: if raw && u.arbitrary()? {
                    Some(pick(u, &["checkout_escalation", "second", "nope"])?.into())
                } else {
                    None
                },
            },
            7 => Action::Assign { owner: pick(u, &EXAMPLE_USERS[..if raw { 5 } else { 4 }])?.into() },
            8 => Action::Duplicate,
            _ => Action::Unacknowledge { user: who },
        };
        match &action {
            Action::Acknowledge { .. } => acked = true,
            Action::Unacknowledge { .. } => acked = false,
            Action::Close { .. } => closed = true,
            _ => {}
        }
        out.push(AlertEvent::new(at, action));
    }
    Ok(out)
}

/// The laws of an escalation timeline ([`oncall_core::strategies::check_escalation_laws`], shared
/// with the property suite): a broken one is a crash.
pub fn check_escalation_timeline(tl: &oncall_core::EscalationTimeline) {
    if let Err(why) = oncall_core::strategies::check_escalation_laws(tl) {
        panic!("{why}");
    }
}

/// Escalation: `examples/escalation.json` with a few structural edits, an alert for any target
/// (the team, the escalation, a schedule or a user) at an instant around the example's
/// forwarding week, and arbitrary events. Never panics; errors are fine; a timeline obeys
/// [`check_escalation_timeline`] and is the same when asked twice (one input in four asks twice).
pub fn escalate(data: &[u8]) {
    use oncall_core::alert::Alert;
    use oncall_core::escalation::{EscalateOptions, Target};
    let mut u = Unstructured::new(data);
    static PARSED: std::sync::OnceLock<Option<serde_json::Value>> = std::sync::OnceLock::new();
    let Some(mut doc) = PARSED.get_or_init(|| serde_json::from_str(EXAMPLE).ok()).clone() else { return };
    let Ok(edits) = u.int_in_range(0..=6) else { return };
    for _ in 0..edits {
        if mutate_example(&mut u, &mut doc).is_err() {
            return;
        }
    }
    // The document as a value, not as text: reading text is the parse targets' business.
    let Ok(doc) = serde_json::from_value::<Document>(doc) else { return };
    let Ok(config) = Config::compile(&doc) else { return };
    type Setup = (Alert, Target, DateTime<Utc>, Vec<oncall_core::alert::AlertEvent>, u64);
    let mut setup = || -> AResult<Setup> {
        let mut alert = Alert::new("fuzzed alert");
        alert.priority = Some(pick(&mut u, &["P1", "P2", "P3", "P4", "P5"])?.into());
        if u.ratio(1, 4)? {
            alert.tags.push("noise".into());
        }
        let target = match u.int_in_range(0u8..=4)? {
            0 | 1 => Target::Team("checkout".into()),
            2 => Target::Escalation(pick(&mut u, &["checkout_escalation", "second"])?.into()),
            3 => Target::Schedule(pick(&mut u, &["checkout-primary", "checkout-secondary"])?.into()),
            _ => Target::User(pick(&mut u, &EXAMPLE_USERS)?.into()),
        };
        let created = t("2026-11-10T10:00:00Z")
            + Duration::hours(u.int_in_range(-48..=14 * 24)?)
            + Duration::minutes(*u.choose(&[0, 0, 7, 30, 59])?);
        let events = events(&mut u, created)?;
        Ok((alert, target, created, events, u.arbitrary()?))
    };
    let Ok((alert, target, created, events, seed)) = setup() else { return };
    let Ok(twice) = u.ratio(1, 4) else { return };
    let options = EscalateOptions { seed };
    let Ok(tl) = config.escalate(&alert, &target, created, &events, &options) else { return };
    check_escalation_timeline(&tl);
    if !twice {
        return;
    }
    let again = config.escalate(&alert, &target, created, &events, &options).expect("the same input succeeded once");
    assert_eq!(tl, again, "escalate is not deterministic");
}
