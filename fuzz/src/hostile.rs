//! Fuzz targets for hostile queries (issue 10): every execution runs under a time and memory
//! budget that is asserted ([`budget`]), so a blow-up is a crash the fuzzer reports, not only a
//! slow input.
//!
//! * [`time_parse`]: the time parser against chrono's RFC 3339 parser (offsets out of range,
//!   fractions, separators, the ends of the range).
//! * [`graph`]: reference graphs of hundreds of teams, escalations and forwarding rules (shared
//!   sub-graphs, cycles), through who, next, timelines, lints.
//! * [`windows`]: long windows and next-on-call: timelines over decades, segments, reports,
//!   calendars, hand-off lists, and what next-on-call says checked against the segments.
//! * [`cli`]: arguments and a document through every command of the CLI (`oncall::run`,
//!   in-process), output size bounded and free of control characters in text.

use arbitrary::{Result as AResult, Unstructured};
use chrono::{DateTime, Duration, Utc};
use oncall_core::time::{Edge, parse_instant, parse_zone};
use oncall_core::{Config, Error, Expand};
use serde_json::{Value, json};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes and their peak, for [`budget`].
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the counters are only
// statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// CPU time of the calling thread: what an execution costs, whatever else the machine runs (a
/// campaign runs at `nice 19` beside builds, where wall time says more about the scheduler than
/// about the engine; a wall-clock hang is libFuzzer's `-timeout`). Linux: clock_gettime with
/// CLOCK_THREAD_CPUTIME_ID; elsewhere, wall time.
#[cfg(target_os = "linux")]
fn thread_cpu() -> std::time::Duration {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    /// CLOCK_THREAD_CPUTIME_ID in <linux/time.h>.
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec (64-bit fields: x86_64 and aarch64 Linux).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    std::time::Duration::new(u64::try_from(ts.tv_sec).unwrap_or(0), u32::try_from(ts.tv_nsec).unwrap_or(0))
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu() -> std::time::Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// Runs `f`, asserting it took at most `secs` seconds of CPU and at most `mib` MiB of heap
/// beyond what was live before.
pub fn budget<T>(what: &str, secs: u64, mib: usize, f: impl FnOnce() -> T) -> T {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = thread_cpu();
    let out = f();
    let took = thread_cpu().saturating_sub(started);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    assert!(took.as_secs() < secs, "{what} took {took:?} of CPU (budget {secs} s)");
    assert!(peak <= mib << 20, "{what} used {} MiB of heap (budget {mib} MiB)", peak >> 20);
    out
}

/// The limits of one execution: one time in 256 the defaults (the cost at the real limits is
/// what the budgets assert then), otherwise the query limits 30 to 500 times smaller, so that
/// reaching a limit, which at the defaults costs up to a hundred thousand periods, a million
/// occurrences or ten years of boundaries of work, is cheap enough to happen thousands of times
/// a second. The code that counts and refuses is the same either way; only the threshold
/// moves. An input that ends before this draw gets the small limits.
pub fn limits(u: &mut Unstructured<'_>) -> oncall_core::Limits {
    let d = oncall_core::Limits::DEFAULT;
    if !u.ratio(255, 256).unwrap_or(true) {
        return d;
    }
    oncall_core::Limits {
        max_expansion: 300,
        max_timeline_periods: 2_000,
        max_output_bytes: 256 << 10,
        max_ics_bytes: 256 << 10,
        next_horizon_days: 7,
        max_report_days: 31,
        max_recurrence_work: 20_000,
        max_escalation_steps: 2_000,
        ..d
    }
}

/// An error a hostile query may end with: a named limit, or a refusal of the arguments.
fn acceptable(e: &Error) -> bool {
    matches!(
        e,
        Error::LimitExceeded { .. }
            | Error::TooLarge { .. }
            | Error::InvalidArgument { .. }
            | Error::InvalidTime { .. }
    )
}

// ---------------------------------------------------------------------------------------------
// The time parser against chrono.

/// A time text built from the input: numbers in and out of range, offsets up to ±99:99.
fn time_text(u: &mut Unstructured<'_>) -> AResult<String> {
    let y: u16 = u.int_in_range(1890..=2210)?;
    let (mo, d, h, mi, s): (u8, u8, u8, u8, u8) = (
        u.int_in_range(0..=13)?,
        u.int_in_range(0..=32)?,
        u.int_in_range(0..=25)?,
        u.int_in_range(0..=61)?,
        u.int_in_range(0..=61)?,
    );
    let sep = *u.choose(&["T", "t", " ", "_"])?;
    let frac = *u.choose(&["", "", ".5", ".123456789", "."])?;
    let off = match u.int_in_range(0u8..=5)? {
        0 => "Z".to_string(),
        1 => "z".to_string(),
        2 => String::new(),
        _ => {
            let sign = *u.choose(&["+", "-"])?;
            let (oh, om): (u8, u8) = (u.int_in_range(0..=99)?, u.int_in_range(0..=99)?);
            format!("{sign}{oh:02}:{om:02}")
        }
    };
    Ok(format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{off}"))
}

/// The time parser differentially against chrono: wherever chrono reads RFC 3339 (in the
/// engine's range, no leap second), the engine reads the same instant; wherever the engine reads
/// a text with an offset, chrono agrees; offsets outside ±23:59 are refused by both.
pub fn time_parse(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let text = match u.arbitrary::<bool>() {
        Ok(true) => match time_text(&mut u) {
            Ok(t) => t,
            Err(_) => return,
        },
        _ => String::from_utf8_lossy(u.take_rest()).chars().take(64).collect(),
    };
    let utc = parse_zone("UTC").expect("UTC");
    let ny = parse_zone("America/New_York").expect("zone");
    let ours = budget("parse", 2, 16, || parse_instant(&text, utc, Edge::Start));
    // The engine drops fractions of a second (documented): compare whole seconds.
    let chrono = DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map(|t| DateTime::<Utc>::from_timestamp(t.timestamp(), 0).unwrap_or(t));
    let in_range = |t: &DateTime<Utc>| (-2_208_988_800..7_258_118_400).contains(&t.timestamp());
    let leap = text.trim().get(17..19) == Some("60");
    if let Ok(c) = &chrono
        && in_range(c)
        && !leap
    {
        assert_eq!(ours.as_ref().ok(), Some(c), "{text:?}: chrono reads {c}, the engine {ours:?}");
        // An instant with an offset does not depend on the zone.
        assert_eq!(parse_instant(&text, ny, Edge::End).ok(), Some(*c), "{text:?} in New York");
    }
    let has_offset = {
        let t = text.trim();
        t.ends_with(['Z', 'z']) || t.get(t.len().saturating_sub(6)..).is_some_and(|o| o.starts_with(['+', '-']))
    };
    // Without seconds (`2026-11-10T10:00Z`, documented) the engine reads what RFC 3339 refuses.
    let has_seconds = text.trim().as_bytes().get(16) == Some(&b':');
    if let Ok(o) = &ours
        && has_offset
        && has_seconds
    {
        assert_eq!(chrono.as_ref().ok(), Some(o), "{text:?}: the engine reads {o}, chrono {chrono:?}");
    }
    if let Some(off) = text.trim().get(text.trim().len().saturating_sub(6)..)
        && off.len() == 6
        && off.starts_with(['+', '-'])
        && off.as_bytes().get(3) == Some(&b':')
        && off.is_char_boundary(1)
        && off.is_char_boundary(4)
        && let (Ok(h), Ok(m)) = (off[1..3].parse::<u32>(), off[4..6].parse::<u32>())
        && (h > 23 || m > 59)
    {
        assert!(ours.is_err(), "{text:?}: offset {off} accepted");
    }
}

// ---------------------------------------------------------------------------------------------
// Reference graphs.

/// A document of hundreds of teams, escalations and forwarding rules referring to one another.
fn graph_document(u: &mut Unstructured<'_>) -> AResult<Value> {
    // Hundreds of nodes one time in eight; otherwise a few dozen, which reach the same code
    // (sharing, cycles, the expansion limit, scaled down by [`limits`]) at a tenth of the cost.
    let cap = if u.ratio(1, 8)? { 300 } else { 24 };
    let (nt, ne, nu) = (u.int_in_range(1..=cap)?, u.int_in_range(1..=cap)?, u.int_in_range(1..=60usize)?);
    let ns = u.int_in_range(1..=3usize)?;
    let user = |i: usize| format!("u{i}");
    let users: Vec<Value> = (0..nu).map(|i| json!({"username": user(i)})).collect();
    let mut teams = Vec::new();
    for i in 0..nt {
        let members: Vec<Value> =
            (0..u.int_in_range(0..=3usize)?).map(|k| json!({"user": {"username": user((i + k) % nu)}})).collect();
        let mut rules = Vec::new();
        for k in 0..u.int_in_range(0..=2usize)? {
            let notify = match u.int_in_range(0u8..=3)? {
                0 => json!({"type": "schedule", "name": format!("s{}", u.int_in_range(0..=ns - 1)?)}),
                3 => json!({"type": "none"}),
                _ => json!({"type": "escalation", "name": format!("e{}", u.int_in_range(0..=ne - 1)?)}),
            };
            rules.push(json!({"name": format!("r{k}"), "order": k, "notify": notify}));
        }
        teams.push(json!({"name": format!("t{i}"), "members": members, "routingRules": rules}));
    }
    let mut escalations = Vec::new();
    for i in 0..ne {
        let mut rules = Vec::new();
        for _ in 0..u.int_in_range(1..=3usize)? {
            let (recipient, notify) = match u.int_in_range(0u8..=5)? {
                0 => (json!({"type": "user", "username": user(u.int_in_range(0..=nu - 1)?)}), "default"),
                1 => (json!({"type": "schedule", "name": format!("s{}", u.int_in_range(0..=ns - 1)?)}), "default"),
                2 => (json!({"type": "schedule", "name": format!("s{}", u.int_in_range(0..=ns - 1)?)}), "next"),
                3 => (json!({"type": "team", "name": format!("t{}", u.int_in_range(0..=nt - 1)?)}), "users"),
                _ => (json!({"type": "team", "name": format!("t{}", u.int_in_range(0..=nt - 1)?)}), "default"),
            };
            let delay = *u.choose(&[0, 0, 5])?;
            rules.push(json!({"condition": "if-not-acked", "notifyType": notify, "delay": {"timeAmount": delay}, "recipient": recipient}));
        }
        escalations.push(json!({"name": format!("e{i}"), "rules": rules}));
    }
    let mut schedules = Vec::new();
    for si in 0..ns {
        let mut rotations = Vec::new();
        for ri in 0..u.int_in_range(1..=3usize)? {
            let mut participants = Vec::new();
            for _ in 0..u.int_in_range(1..=3usize)? {
                participants.push(match u.int_in_range(0u8..=2)? {
                    0 => json!({"type": "team", "name": format!("t{}", u.int_in_range(0..=nt - 1)?)}),
                    1 => json!({"type": "escalation", "name": format!("e{}", u.int_in_range(0..=ne - 1)?)}),
                    _ => json!({"type": "user", "username": user(u.int_in_range(0..=nu - 1)?)}),
                });
            }
            // Hourly one time in six: every hand-off re-expands the references, and a day of
            // hourly ones costs 24 expansions of up to `maxExpansion` participants.
            let kind = *u.choose(&["hourly", "daily", "daily", "weekly", "weekly", "weekly"])?;
            rotations.push(json!({"name": format!("r{ri}"), "type": kind, "startDate": "2026-01-05T00:00:00Z",
                                  "participants": participants, "priority": u.int_in_range(0..=1)?}));
        }
        schedules.push(json!({"name": format!("s{si}"), "timezone": "Europe/London", "rotations": rotations}));
    }
    let mut forwarding = Vec::new();
    for _ in 0..u.int_in_range(0..=cap)? {
        let (a, b) = (u.int_in_range(0..=nu - 1)?, u.int_in_range(0..=nu - 1)?);
        if a == b {
            continue;
        }
        let start = u.int_in_range(0..=20u32)?;
        let len = u.int_in_range(1..=20u32)?;
        let day = |d: u32| {
            (DateTime::<Utc>::from_timestamp(1_769_904_000, 0).unwrap_or_default() + Duration::days(i64::from(d)))
                .to_rfc3339()
        };
        forwarding.push(json!({"fromUser": {"username": user(a)}, "toUser": {"username": user(b)},
                               "startDate": day(start), "endDate": day(start + len)}));
    }
    Ok(
        json!({"users": users, "teams": teams, "escalations": escalations, "schedules": schedules, "forwardingRules": forwarding}),
    )
}

/// Reference graphs with hundreds of nodes: every query ends within its budget, with an answer
/// or a named limit.
pub fn graph(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(doc) = graph_document(&mut u) else { return };
    // Lint walks 120 days of segments, expanding every reference at every boundary: one input
    // in 32.
    let Ok(lint) = u.ratio(1, 32) else { return };
    let limits = limits(&mut u);
    // Replaying a finding: ONCALL_FUZZ_DUMP=file writes the document (and says which limits).
    if let Some(path) = std::env::var_os("ONCALL_FUZZ_DUMP") {
        let _ = std::fs::write(path, doc.to_string());
        eprintln!("graph: limits {limits:?}");
    }
    let Ok(config) = budget("compile", 10, 512, || Config::from_json_with_limits(&doc.to_string(), limits)) else {
        return;
    };
    let at =
        DateTime::<Utc>::from_timestamp(1_770_000_000 + i64::from(u.int_in_range(0..=2_000_000u32).unwrap_or(0)), 0)
            .unwrap_or_default();
    budget("warnings", 10, 256, || config.warnings().len());
    if lint {
        budget("lint", 30, 512, || config.lint(at).len());
    }
    for name in config.schedule_names().map(String::from).collect::<Vec<_>>() {
        let s = config.schedule(&name).expect("listed");
        let who = budget("who", 10, 512, || s.on_call(at));
        let next = budget("next", 20, 512, || s.next_on_call(at));
        let tl = budget("timeline", 20, 1024, || s.timeline(at, at + Duration::days(3), Expand::default()));
        for r in [who.as_ref().err(), next.as_ref().err(), tl.as_ref().err()].into_iter().flatten() {
            assert!(acceptable(r), "{name}: {r:?}");
        }
        // Who is on call agrees with the timeline's first segment.
        if let (Ok(who), Ok(tl)) = (&who, &tl)
            && let Some(first) = tl.final_schedule.first()
        {
            let mut names = who.flat().on_call_recipients;
            names.sort();
            names.dedup();
            assert_eq!(names, first.recipients, "{name} at {at}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Long windows and next-on-call.

/// Long windows, far instants and next-on-call on arbitrary documents: bounded, and what
/// next-on-call says holds in the segments (no change before `searchedUntil`, the change at
/// `exactNextOnCallAt`).
pub fn windows(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(doc) = super::arbitrary_document(&mut u) else { return };
    let utc = parse_zone("UTC").expect("UTC");
    let Ok(w) = super::when(&mut u, true) else { return };
    let Ok(at) = parse_instant(&w, utc, Edge::Start) else { return };
    let years: i64 = u.int_in_range(0..=250).unwrap_or(1);
    let days: i64 = u.int_in_range(1..=400).unwrap_or(7);
    let count: usize = *u.choose(&[1usize, 10, 10, 100, 100, 1000, 1000, 10_000]).unwrap_or(&1);
    // Windows of decades and centuries one time in four, otherwise of days: a window past a
    // limit costs the limit's worth of work, whatever its length. (Drawn last, as the limits,
    // so that a short input, the saved regressions among them, means what it meant before.)
    let years = if u.ratio(1, 4).unwrap_or(true) { years } else { 0 };
    let limits = limits(&mut u);
    let Ok(config) = Config::compile_with_limits(&doc, limits) else { return };
    let to = at + Duration::days(365 * years + days);
    for name in config.schedule_names().map(String::from).collect::<Vec<_>>() {
        let s = config.schedule(&name).expect("listed");
        if let Err(e) = budget("timeline", 20, 1024, || {
            s.timeline(at, to, Expand { base: true, overrides: true, forwarding: true, ..Expand::default() })
        }) {
            assert!(acceptable(&e), "{e:?}");
        }
        if let Err(e) = budget("report", 20, 512, || s.analyze(at, to)) {
            assert!(acceptable(&e), "{e:?}");
        }
        if let Err(e) = budget("calendar", 20, 1024, || s.calendar(at, at + Duration::days(days))) {
            assert!(acceptable(&e), "{e:?}");
        }
        for r in s.rotation_names().collect::<Vec<_>>() {
            if let Err(e) = budget("handoffs", 10, 512, || s.handoff_list(r, at, count)) {
                assert!(acceptable(&e), "{e:?}");
            }
        }
        let Ok(next) = budget("next", 20, 512, || s.next_on_call(at)) else { continue };
        // What next says, checked against at most 40 days of segments.
        let horizon = at + Duration::days(40);
        let (until, change) = match (next.exact_next_on_call_at, next.searched_until) {
            (Some(b), None) => (b, true),
            (None, Some(u)) => (u, false),
            (None, None) => (horizon, false),
            (Some(_), Some(_)) => panic!("{name}: both a change and a search bound: {next:?}"),
        };
        assert!(until >= at, "{name}: {next:?} is before {at}");
        // Segments end with the engine's range (2200-01-01).
        let range_end = DateTime::<Utc>::from_timestamp(7_258_118_400, 0).unwrap_or(horizon);
        let end = until.min(horizon).min(range_end);
        if end > at
            && let Ok(mut segments) = s.segments(at, end + Duration::seconds(1))
        {
            let first = segments.next().expect("a segment");
            if segments.error().is_none() {
                assert!(first.end_date >= end, "{name}: the set changes at {} before {end} ({next:?})", first.end_date);
                if change && until <= horizon {
                    assert_eq!(
                        first.end_date, until,
                        "{name}: the change is at {until}, the segment ends at {}",
                        first.end_date
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The command-line tool.

/// Where the `cli` target writes its documents: one file per process, in memory when `/dev/shm`
/// exists.
fn scratch(name: &str) -> std::path::PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
    base.join(format!("oncall-fuzz-cli-{}-{name}", std::process::id()))
}

/// Characters no text output may carry: control characters (a newline aside) and the bidi
/// overrides, which `printable` escapes.
fn forbidden_in_text(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Arguments and a document through every command of the CLI (`oncall::run`, in-process: the
/// binary is that function and a write of its answer), under 20 s and 1 GiB of heap per run:
/// no panic, the exit status is 0, 1 or 2, the output at most 256 MiB, text output and every
/// message free of control characters (a newline aside) and bidi overrides, JSON output (when
/// small) valid JSON, ICS output free of control characters other than CR LF.
pub fn cli(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(escalation) = u.ratio(1, 6) else { return };
    let (text, schedule, rotation) = if escalation {
        // The escalation example with structural edits: teams, routing, escalations, notification rules.
        let Ok(mut doc) = serde_json::from_str::<Value>(super::EXAMPLE) else { return };
        for _ in 0..u.int_in_range(0..=3).unwrap_or(0) {
            if super::mutate_example(&mut u, &mut doc).is_err() {
                return;
            }
        }
        (doc.to_string(), "checkout-primary".to_string(), String::new())
    } else {
        let Ok(mut doc) = super::arbitrary_document(&mut u) else { return };
        // Hostile names: long, with control characters, C1 controls and bidi overrides.
        if u.ratio(1, 3).unwrap_or(false)
            && let Some(r) = doc.schedules.first_mut().and_then(|s| s.rotations.first_mut())
        {
            let len = *u.choose(&[10usize, 2_000, 200_000]).unwrap_or(&10);
            let evil = format!("{}\u{1b}]0;x\u{7}\nwarning: forged\u{85}\u{202e}", "n".repeat(len));
            r.participants.push(super::user(&evil));
        }
        let Ok(text) = serde_json::to_string(&doc) else { return };
        let schedule = doc.schedules.first().map(|s| s.name.clone()).unwrap_or_else(|| "s".into());
        let rotation =
            doc.schedules.first().and_then(|s| s.rotations.first()).and_then(|r| r.name.clone()).unwrap_or_default();
        (text, schedule, rotation)
    };
    let path = scratch("doc.json");
    if std::fs::write(&path, &text).is_err() {
        return;
    }
    let file = path.to_string_lossy().into_owned();
    let time = |u: &mut Unstructured<'_>| -> String {
        match u.int_in_range(0u8..=7).unwrap_or(0) {
            0 => "2026-01-01T00:00:00+25:00".into(),
            1 => "1900-01-01T00:00:00Z".into(),
            2 => "2199-12-31T00:00".into(),
            3 => "2026-11-10".into(),
            4 => "2026-11-10T09:00:00.5Z".into(),
            _ => super::when(u, true).unwrap_or_else(|_| "2026-01-05T09:00".into()),
        }
    };
    let commands = ["who", "next", "handoffs", "timeline", "report", "check", "escalate"];
    let command = if escalation {
        *u.choose(&["escalate", "escalate", "who", "check"]).unwrap_or(&"escalate")
    } else {
        *u.choose(&commands).unwrap_or(&"who")
    };
    let mut args: Vec<String> = vec!["oncall".into(), command.into(), file];
    if !matches!(command, "check" | "escalate") {
        args.extend(["--schedule".into(), schedule]);
    }
    match command {
        "who" | "next" => {
            args.extend(["--at".into(), time(&mut u)]);
            if u.arbitrary().unwrap_or(false) {
                args.push("--flat".into());
            }
        }
        "handoffs" => {
            let count = *u.choose(&["1", "10", "10000", "0", "99999"]).unwrap_or(&"10");
            args.extend(["--rotation".into(), rotation, "--from".into(), time(&mut u), "--count".into(), count.into()]);
        }
        "timeline" => {
            if u.arbitrary().unwrap_or(false) {
                args.extend(["--from".into(), time(&mut u), "--to".into(), time(&mut u)]);
            } else {
                let n = *u.choose(&["1", "12", "100", "100000"]).unwrap_or(&"1");
                let unit = *u.choose(&["days", "weeks", "months"]).unwrap_or(&"weeks");
                args.extend([
                    "--date".into(),
                    time(&mut u),
                    "--interval".into(),
                    n.into(),
                    "--interval-unit".into(),
                    unit.into(),
                ]);
            }
            if u.arbitrary().unwrap_or(false) {
                args.extend(["--expand".into(), "base,override,forwarding".into()]);
            }
        }
        "report" => args.extend(["--from".into(), time(&mut u), "--to".into(), time(&mut u)]),
        "escalate" => {
            let target = match u.int_in_range(0u8..=3).unwrap_or(0) {
                0 => ["--team", if escalation { "checkout" } else { "t" }],
                1 => ["--escalation", "checkout_escalation"],
                2 => ["--schedule", if escalation { "checkout-primary" } else { "s0" }],
                _ => ["--user", if escalation { "ann@example.com" } else { "ann" }],
            };
            args.extend(target.map(String::from));
            args.extend(["--message".into(), "fuzzed\u{1b}[2J alert".into(), "--at".into(), time(&mut u)]);
            if u.arbitrary().unwrap_or(false) {
                args.extend(["--priority".into(), (*u.choose(&["P1", "P3", "P5", "P9"]).unwrap_or(&"P3")).into()]);
            }
            if u.arbitrary().unwrap_or(false) {
                args.extend(["--ack-at".into(), time(&mut u)]);
                if u.arbitrary().unwrap_or(false) {
                    args.extend(["--ack-by".into(), "ben@example.com".into()]);
                }
            }
            if u.ratio(1, 3).unwrap_or(false) {
                args.extend(["--close-at".into(), time(&mut u)]);
            }
            if u.ratio(1, 4).unwrap_or(false) {
                args.extend(["--seed".into(), u.arbitrary::<u64>().unwrap_or(0).to_string()]);
            }
            if u.ratio(1, 4).unwrap_or(false) {
                args.extend(["--tz".into(), (*u.choose(&super::ZONES).unwrap_or(&"UTC")).into()]);
            }
        }
        _ => {}
    }
    let formats: &[&str] = if command == "timeline" { &["text", "json", "ics"] } else { &["text", "json"] };
    let format = *u.choose(formats).unwrap_or(&"text");
    args.extend(["--format".into(), format.into()]);
    // Now and then a stray argument from the input: an unknown flag, a value where none is due.
    if u.ratio(1, 10).unwrap_or(false) {
        let len = u.int_in_range(0..=24usize).unwrap_or(0);
        let stray: String = String::from_utf8_lossy(u.bytes(len).unwrap_or_default()).into_owned();
        let at = u.int_in_range(1..=args.len()).unwrap_or(1);
        args.insert(at, stray);
    }
    let out = budget("cli", 20, 1024, || oncall::run(&args));
    let code = out.code;
    assert!(matches!(code, 0..=2), "oncall {args:?} exited {code}: {}", out.stderr);
    assert!(out.stdout.len() <= 256 << 20, "oncall {args:?} printed {} bytes", out.stdout.len());
    let bad = out.stderr.chars().find(|&c| forbidden_in_text(c));
    assert!(bad.is_none(), "oncall {args:?}: its message carries {bad:?}: {:?}", out.stderr);
    if code != 0 {
        assert!(!out.stderr.is_empty(), "oncall {args:?} exited {code} without a word");
    }
    // A stray argument can only make the command fail (clap refuses it), never change the format
    // of a success, except ICS, which is told by its first line.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let is_json = code == 0 && format == "json";
    let is_ics = stdout.starts_with("BEGIN:VCALENDAR");
    if is_json {
        let bad = out.stdout.iter().find(|&&b| b < 0x20 && b != b'\n');
        assert!(bad.is_none(), "oncall {args:?} printed control byte {bad:?} in JSON");
        if out.stdout.len() <= 1 << 20 {
            assert!(
                serde_json::from_slice::<Value>(&out.stdout).is_ok(),
                "oncall {args:?} printed invalid JSON: {stdout}"
            );
        }
    } else if is_ics {
        let bad = out.stdout.iter().find(|&&b| (b < 0x20 && b != b'\n' && b != b'\r') || b == 0x7f);
        assert!(bad.is_none(), "oncall {args:?} printed control byte {bad:?} in ICS");
    } else if code == 0 && format == "text" {
        let bad = stdout.chars().find(|&c| forbidden_in_text(c));
        assert!(bad.is_none(), "oncall {args:?} printed {bad:?}");
    }
}
