//! Resolution speed of oncall-core, measured with Criterion (configured explicitly in `main`).
//!
//! `cargo bench -p oncall-benches` runs everything; `cargo bench -p oncall-benches -- --test`
//! runs each benchmark once as a smoke check (CI does this). The memory of the compiled
//! schedules is printed first, measured with a counting allocator.

use criterion::Criterion;
use oncall_benches::{data, instants_2026, naive::Naive};
use oncall_core::alert::{Action, Alert, AlertEvent};
use oncall_core::config::Document;
use oncall_core::escalation::{EscalateOptions, Target};
use oncall_core::{Config, Expand, IndexOptions};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::hint::black_box;
use std::time::Duration;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Benchmarks `query` over the 256 instants of 2026, one instant per iteration, in turn.
fn per_instant<T>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    mut query: impl FnMut(chrono::DateTime<chrono::Utc>) -> T,
) {
    let instants = instants_2026(256);
    let mut i = 0;
    g.bench_function(name, |b| {
        b.iter(|| {
            i = (i + 1) % instants.len();
            black_box(query(black_box(instants[i])))
        })
    });
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().expect("instant")
}

/// Live heap bytes held by a compiled configuration (which does not keep its document), the
/// document's own size, and the answer index of 2026.
fn memory(name: &str) {
    let text = data(name);
    // Tables shared by every configuration of the process (zone transitions), built at first
    // use, are warmed by a first compile that is not counted.
    drop(Config::from_json(&text).expect("valid"));
    let region = Region::new(GLOBAL);
    let config = Config::from_json(&text).expect("valid");
    let stats = region.change();
    let live = stats.bytes_allocated as isize - stats.bytes_deallocated as isize;
    let doc = {
        let region = Region::new(GLOBAL);
        let d = oncall_core::config::Document::from_json(&text).expect("valid");
        let s = region.change();
        drop(d);
        s.bytes_allocated as isize - s.bytes_deallocated as isize
    };
    // The answer index of 2026 (two chunks), built by queries; zone tables and custom-rotation
    // caches (shared, built at first use) are warmed first so they are not counted.
    let mut config = config;
    config.set_index_options(IndexOptions::OFF);
    let s = config.schedule(name).expect("schedule");
    for at in instants_2026(256) {
        black_box(s.on_call(at).expect("answer"));
    }
    config.set_index_options(IndexOptions::EAGER);
    let region = Region::new(GLOBAL);
    let s = config.schedule(name).expect("schedule");
    for at in instants_2026(256) {
        black_box(s.on_call(at).expect("answer"));
    }
    let stats = region.change();
    let index = stats.bytes_allocated as isize - stats.bytes_deallocated as isize;
    println!(
        "memory: {name}: compiled config {live} B live (the document, not kept, {doc} B); answer index of 2026 {index} B"
    );
    drop(config);
}

/// Live heap bytes per schedule of `n` realistic configurations loaded into one process (as a
/// service holding many teams' schedules would), compiled, then after 32 who-is-on-call
/// questions each about one week of June 2026 (which index the chunk holding it), then with
/// every chunk of 2026 indexed (one year of index per schedule).
fn fleet(n: usize) {
    let text = data("realistic");
    let region = Region::new(GLOBAL);
    let configs: Vec<Config> = (0..n).map(|_| Config::from_json(&text).expect("valid")).collect();
    let stats = region.change();
    let compiled = (stats.bytes_allocated as isize - stats.bytes_deallocated as isize) / n as isize;
    let from = at("2026-06-01T00:00:00Z");
    for config in &configs {
        let s = config.schedule("realistic").expect("schedule");
        for i in 0..32 {
            black_box(s.on_call_ref(from + chrono::Duration::minutes(i * 307)).expect("answer"));
        }
    }
    let stats = region.change();
    let asked = (stats.bytes_allocated as isize - stats.bytes_deallocated as isize) / n as isize;
    // Then one year of index each: every chunk of 2026 indexed at its first question.
    let mut configs = configs;
    for config in &mut configs {
        config.set_index_options(IndexOptions::EAGER);
        let s = config.schedule("realistic").expect("schedule");
        for at in instants_2026(256) {
            black_box(s.on_call_ref(at).expect("answer"));
        }
    }
    let stats = region.change();
    let year = (stats.bytes_allocated as isize - stats.bytes_deallocated as isize) / n as isize;
    println!(
        "memory: {n} realistic schedules in one process: {} B per schedule compiled, {} B after 32 questions about one week, {} B with the index of 2026 built",
        compiled, asked, year
    );
    drop(configs);
}

fn who(c: &mut Criterion) {
    let mut g = c.benchmark_group("who");
    for name in ["small", "realistic", "large"] {
        let config = Config::from_json(&data(name)).expect("valid");
        let s = config.schedule(name).expect("schedule");
        per_instant(&mut g, name, |at| s.on_call(at).expect("answer"));
    }
    // Without the answer index: every query evaluates the rotations at the instant.
    for name in ["small", "realistic", "large"] {
        let mut config = Config::from_json(&data(name)).expect("valid");
        config.set_index_options(IndexOptions::OFF);
        let s = config.schedule(name).expect("schedule");
        per_instant(&mut g, &format!("{name}-no-index"), |at| s.on_call(at).expect("answer"));
    }
    // The borrowed answer: with the index, a binary search and no allocation.
    let config = Config::from_json(&data("realistic")).expect("valid");
    let s = config.schedule("realistic").expect("schedule");
    per_instant(&mut g, "realistic-ref", |at| s.on_call_ref(at).expect("answer"));
    // The physical limit: a bare binary search over the starts of the year's final segments,
    // answering with a reference to the segment's recipients (no engine, no checks).
    let (starts, answers) = year_segments(&config, "realistic");
    per_instant(&mut g, "realistic-binary-search-baseline", |at| {
        let t = at.timestamp();
        &answers[starts.partition_point(|&s| s <= t).saturating_sub(1)]
    });
    let naive = Naive::new(&data("realistic"));
    per_instant(&mut g, "realistic-naive-baseline", |at| naive.on_call(at));
    for name in ["anchor-2000", "anchor-2026"] {
        let config = Config::from_json(&data(name)).expect("valid");
        let s = config.schedule(name).expect("schedule");
        per_instant(&mut g, name, |at| s.on_call(at).expect("answer"));
    }
    g.finish();
}

/// The starts of the final segments of schedule `name` in 2026 and their recipients.
fn year_segments(config: &Config, name: &str) -> (Vec<i64>, Vec<Vec<String>>) {
    let s = config.schedule(name).expect("schedule");
    let segments = s.segments(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z")).expect("segments");
    segments.map(|seg| (seg.start_date.timestamp(), seg.recipients)).unzip()
}

/// The realistic schedule with 0, 100, 10 000 and 100 000 overrides: lookups grow as log n.
fn overrides(c: &mut Criterion) {
    let base: serde_json::Value = serde_json::from_str(&data("realistic")).expect("json");
    let template = base["schedules"][0]["overrides"].as_array().expect("overrides").clone();
    let mut g = c.benchmark_group("who-overrides");
    for n in [0usize, 100, 10_000, 100_000] {
        let doc = with_overrides(&base, &template, n);
        let config = Config::from_json(&doc.to_string()).expect("valid");
        let s = config.schedule("realistic").expect("schedule");
        per_instant(&mut g, &format!("{n}"), |at| s.on_call(at).expect("answer"));
    }
    g.finish();
}

/// The realistic document with `n` copies of its first schedule's overrides (`template`),
/// spread over the years 2020..2032 so they do not all overlap.
fn with_overrides(base: &serde_json::Value, template: &[serde_json::Value], n: usize) -> serde_json::Value {
    let mut doc = base.clone();
    let list: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut o = template[i % template.len()].clone();
            let shift = (i / template.len()) as i64 % 12 - 6;
            for key in ["startDate", "endDate"] {
                let v = o[key].as_str().expect("date").to_string();
                let year: i64 = v[..4].parse().expect("year");
                o[key] = serde_json::Value::from(format!("{}{}", year + shift, &v[4..]));
            }
            o
        })
        .collect();
    doc["schedules"][0]["overrides"] = serde_json::Value::from(list);
    doc
}

/// The realistic schedule with 0, 100 and 10 000 periods of time off spread over its users and
/// the years 2020..2032 (`skip` everywhere, the default), without the answer index: who is on
/// call stays the grid's arithmetic plus a binary search in the shifts time off changed.
fn time_off(c: &mut Criterion) {
    let base: serde_json::Value = serde_json::from_str(&data("realistic")).expect("json");
    let mut g = c.benchmark_group("who-time-off");
    for n in [0usize, 100, 10_000] {
        let mut doc = base.clone();
        add_time_off(&mut doc, n);
        let mut config = Config::from_json(&doc.to_string()).expect("valid");
        config.set_index_options(IndexOptions::OFF);
        let s = config.schedule("realistic").expect("schedule");
        per_instant(&mut g, &format!("{n}-no-index"), |at| s.on_call(at).expect("answer"));
    }
    g.finish();
}

/// The realistic schedule with 10 000 periods of time off (as [`time_off`]) and 0 or 100 roster
/// changes per rotation (as [`roster`]), `skip` everywhere, without the answer index: who is
/// on call is the binary search in the shifts time off changed, then the roster's version
/// search, then the grid's arithmetic.
fn time_off_with_changes(c: &mut Criterion) {
    let base: serde_json::Value = serde_json::from_str(&data("realistic")).expect("json");
    let mut g = c.benchmark_group("who-time-off-roster");
    for n in [0usize, 100] {
        let mut doc = base.clone();
        add_time_off(&mut doc, 10_000);
        add_changes(&mut doc, n);
        let mut config = Config::from_json(&doc.to_string()).expect("valid");
        config.set_index_options(IndexOptions::OFF);
        let s = config.schedule("realistic").expect("schedule");
        per_instant(&mut g, &format!("10000-{n}"), |at| s.on_call(at).expect("answer"));
    }
    g.finish();
}

/// Adds `n` periods of time off to the users of `doc`.
fn add_time_off(doc: &mut serde_json::Value, n: usize) {
    let users = doc["users"].as_array().expect("users").len();
    for i in 0..n {
        // Two to nine days off, every 11 hours somewhere from 2020 on, round-robin over users.
        let start = 1_577_836_800i64 + (i as i64) * 11 * 3_600 * 3;
        let days = 2 + (i as i64 * 7) % 8;
        let fmt = |t: i64| chrono::DateTime::from_timestamp(t, 0).expect("in range").to_rfc3339();
        let entry =
            serde_json::json!({"startDate": fmt(start), "endDate": fmt(start + days * 86_400), "reason": "leave"});
        let user = &mut doc["users"][i % users];
        match user.get_mut("timeOff").and_then(serde_json::Value::as_array_mut) {
            Some(list) => list.push(entry),
            None => user["timeOff"] = serde_json::Value::from(vec![entry]),
        }
    }
}

/// The realistic schedule whose every rotation has 0, 10, 100 or 1 000 roster changes
/// (`changes`, immediate, alternating a reordered list and a new length) spread over 2025–2027,
/// without the answer index: who-is-on-call is a binary search of the version, then the grid
/// arithmetic, so it grows as log n.
fn roster(c: &mut Criterion) {
    let base: serde_json::Value = serde_json::from_str(&data("realistic")).expect("json");
    let mut g = c.benchmark_group("who-roster");
    for n in [0usize, 10, 100, 1_000] {
        let mut doc = base.clone();
        add_changes(&mut doc, n);
        let mut config = Config::from_json(&doc.to_string()).expect("valid");
        config.set_index_options(IndexOptions::OFF);
        let s = config.schedule("realistic").expect("schedule");
        per_instant(&mut g, &format!("{n}"), |at| s.on_call(at).expect("answer"));
    }
    g.finish();
}

/// Gives every rotation of `doc` `n` roster changes spread over 2025–2027.
fn add_changes(doc: &mut serde_json::Value, n: usize) {
    let from = at("2025-01-07T00:00:00Z");
    let days = 1_090.0;
    for r in doc["schedules"][0]["rotations"].as_array_mut().expect("rotations") {
        let people = r["participants"].as_array().expect("participants").clone();
        let changes: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let effective = from + chrono::Duration::minutes((days * 1_440.0 * i as f64 / n as f64) as i64);
                let mut change = serde_json::json!({
                    "effective": oncall_core::time::format_instant(effective),
                    "rollout": "immediate",
                });
                if i % 2 == 0 {
                    let mut list = people.clone();
                    list.rotate_left(1 + i % (people.len() - 1).max(1));
                    change["participants"] = serde_json::Value::from(list);
                } else {
                    change["length"] = serde_json::Value::from(1 + i % 3);
                }
                change
            })
            .collect();
        r["changes"] = serde_json::Value::from(changes);
    }
}

fn next(c: &mut Criterion) {
    let mut g = c.benchmark_group("next");
    for name in ["small", "realistic", "large"] {
        let config = Config::from_json(&data(name)).expect("valid");
        let s = config.schedule(name).expect("schedule");
        per_instant(&mut g, name, |at| s.next_on_call(at).expect("answer"));
    }
    g.finish();
}

/// Issue 10's deep shared graph: team `t{i}` routes to escalation `e{i}`, whose two rules both
/// name team `t{i+1}`, `depth` levels; a daily rotation of `t0` and a user, with a forwarding
/// rule. The plain walk expands every path (2^depth, up to `maxExpansion`); the memo each team
/// and escalation once per instant.
fn deep_shared(depth: usize) -> String {
    let users: Vec<_> = (0..4).map(|i| serde_json::json!({"username": format!("u{i}")})).collect();
    let teams: Vec<_> = (0..=depth)
        .map(|i| {
            let mut t = serde_json::json!({"name": format!("t{i}"), "members": [{"user": {"username": format!("u{}", i % 4)}}]});
            if i < depth {
                t["routingRules"] = serde_json::json!([{"name": "r", "order": 0,
                    "notify": {"type": "escalation", "name": format!("e{i}")}}]);
            }
            t
        })
        .collect();
    let escalations: Vec<_> = (0..depth)
        .map(|i| {
            let rule = serde_json::json!({"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0},
                "recipient": {"type": "team", "name": format!("t{}", i + 1)}});
            serde_json::json!({"name": format!("e{i}"), "rules": [rule.clone(), rule]})
        })
        .collect();
    serde_json::json!({"users": users, "teams": teams, "escalations": escalations,
        "schedules": [{"name": "deep", "timezone": "Europe/London", "rotations": [{"name": "r", "type": "daily",
            "startDate": "2026-01-05T00:00:00Z", "participants": [{"type": "team", "name": "t0"}, {"type": "user", "username": "u1"}]}]}],
        "forwardingRules": [{"fromUser": {"username": "u2"}, "toUser": {"username": "u3"},
            "startDate": "2026-03-01T00:00:00Z", "endDate": "2026-03-08T00:00:00Z"}]})
    .to_string()
}

/// `who --flat` (`on_call(at).flat()`, which expands the participant tree, not the flat walk),
/// the first final segment (the flat walk), next-on-call and a week's final schedule on
/// [`deep_shared`] graphs, with the expansion memo (the default) and without it (`-plain`, the
/// walk it replaced), in the same run. No answer index: each query expands at its instants.
fn deep(c: &mut Criterion) {
    let mut g = c.benchmark_group("deep-shared");
    for depth in [8, 11] {
        for memo in [true, false] {
            let mut config = Config::from_json(&deep_shared(depth)).expect("valid");
            config.set_index_options(IndexOptions::OFF);
            config.set_expansion_memo(memo);
            let s = config.schedule("deep").expect("schedule");
            let plain = if memo { "" } else { "-plain" };
            per_instant(&mut g, &format!("{depth}/who-flat{plain}"), |at| s.on_call(at).expect("answer").flat());
            per_instant(&mut g, &format!("{depth}/first-segment{plain}"), |at| {
                s.segments(at, at + chrono::Duration::seconds(1)).expect("answer").next()
            });
            per_instant(&mut g, &format!("{depth}/next{plain}"), |at| s.next_on_call(at).expect("answer"));
            per_instant(&mut g, &format!("{depth}/week{plain}"), |at| {
                s.timeline(at, at + chrono::Duration::days(7), Expand::default()).expect("answer")
            });
        }
    }
    g.finish();
}

fn timeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("timeline");
    for name in ["realistic", "large"] {
        let config = Config::from_json(&data(name)).expect("valid");
        let s = config.schedule(name).expect("schedule");
        g.bench_function(format!("{name}/1-week"), |b| {
            b.iter(|| {
                s.timeline(at("2026-03-23T00:00:00Z"), at("2026-03-30T00:00:00Z"), Expand::default()).expect("ok")
            })
        });
        g.bench_function(format!("{name}/1-year"), |b| {
            b.iter(|| {
                s.timeline(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"), Expand::default()).expect("ok")
            })
        });
        // Without the answer index: the timeline walks every boundary of the year.
        let mut walking = Config::from_json(&data(name)).expect("valid");
        walking.set_index_options(IndexOptions::OFF);
        let s = walking.schedule(name).expect("schedule");
        g.bench_function(format!("{name}/1-year-no-index"), |b| {
            b.iter(|| {
                s.timeline(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"), Expand::default()).expect("ok")
            })
        });
    }
    g.finish();
}

/// The cost of indexing: a first who-is-on-call query that indexes its chunk (about 24 days).
fn index(c: &mut Criterion) {
    let mut g = c.benchmark_group("index");
    for name in ["realistic", "large"] {
        let mut config = Config::from_json(&data(name)).expect("valid");
        g.bench_function(format!("{name}/first-query"), |b| {
            b.iter(|| {
                config.set_index_options(IndexOptions::EAGER);
                let s = config.schedule(name).expect("schedule");
                black_box(s.on_call(at("2026-06-01T00:00:00Z")).expect("answer"));
            })
        });
    }
    g.finish();
}

/// The escalation timeline of the README's example: routing, three escalation rules, notification
/// rules with quiet hours, an acknowledgement and a close.
fn escalate(c: &mut Criterion) {
    let mut g = c.benchmark_group("escalate");
    let config = Config::from_json(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/escalation.json")).expect("example"),
    )
    .expect("valid");
    let alert = Alert::new("Checkout latency above 2 s");
    let target = Target::Team("checkout".into());
    let created = at("2026-11-10T09:30:00Z");
    let none: Vec<AlertEvent> = Vec::new();
    let acked = vec![
        AlertEvent::new(at("2026-11-10T09:33:00Z"), Action::Acknowledge { user: Some("ann@example.com".into()) }),
        AlertEvent::new(at("2026-11-10T10:10:00Z"), Action::Close { user: None }),
    ];
    let options = EscalateOptions::default();
    g.bench_function("checkout/unacknowledged", |b| {
        b.iter(|| config.escalate(&alert, &target, black_box(created), &none, &options).expect("timeline"))
    });
    g.bench_function("checkout/ack-and-close", |b| {
        b.iter(|| config.escalate(&alert, &target, black_box(created), &acked, &options).expect("timeline"))
    });
    g.finish();
}

/// Loading: `NAME` is `Config::from_json` (read, validate, compile), `NAME/document` the
/// document read alone, `NAME/explained` the path-tracking reader alone (what an invalid
/// document pays, and what every document paid before the typed fast path), and
/// `NAME/ignored-any` serde_json's own pass over the text into `IgnoredAny`, the floor. Each
/// reports bytes per second of JSON.
fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    let base: serde_json::Value = serde_json::from_str(&data("realistic")).expect("json");
    let template = base["schedules"][0]["overrides"].as_array().expect("overrides").clone();
    let docs = [
        ("small", data("small")),
        ("realistic", data("realistic")),
        ("large", data("large")),
        ("overrides-100000", with_overrides(&base, &template, 100_000).to_string()),
    ];
    let limits = oncall_core::Limits::default();
    for (name, text) in &docs {
        g.throughput(criterion::Throughput::Bytes(text.len() as u64));
        g.bench_function(*name, |b| b.iter(|| Config::from_json(black_box(text)).expect("valid")));
        g.bench_function(format!("{name}/document"), |b| {
            b.iter(|| Document::from_json(black_box(text)).expect("valid"))
        });
        g.bench_function(format!("{name}/explained"), |b| {
            b.iter(|| Document::from_json_explained_with_limits(black_box(text), &limits).expect("valid"))
        });
        g.bench_function(format!("{name}/ignored-any"), |b| {
            b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(text)).expect("valid"))
        });
    }
    g.finish();
}

fn main() {
    for name in ["small", "realistic", "large"] {
        memory(name);
    }
    // 10 000 schedules take a few seconds to load: the smoke run (`--test`) loads 100.
    fleet(if std::env::args().any(|a| a == "--test") { 100 } else { 10_000 });
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .noise_threshold(0.03)
        .configure_from_args();
    who(&mut c);
    overrides(&mut c);
    roster(&mut c);
    time_off(&mut c);
    time_off_with_changes(&mut c);
    next(&mut c);
    deep(&mut c);
    timeline(&mut c);
    index(&mut c);
    escalate(&mut c);
    load(&mut c);
    c.final_summary();
}
