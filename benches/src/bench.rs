//! Resolution speed of oncall-core, measured with Criterion (configured explicitly in `main`).
//!
//! `cargo bench -p oncall-benches` runs everything; `cargo bench -p oncall-benches -- --test`
//! runs each benchmark once as a smoke check (CI does this). The memory of the compiled
//! schedules is printed first, measured with a counting allocator.

use criterion::Criterion;
use oncall_benches::{data, instants_2026, naive::Naive};
use oncall_core::{Config, Expand};
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

/// Live heap bytes held by a compiled configuration (its document included).
fn memory(name: &str) {
    let text = data(name);
    let region = Region::new(GLOBAL);
    let config = Config::from_json(&text).expect("valid");
    let stats = region.change();
    let live = stats.bytes_allocated as isize - stats.bytes_deallocated as isize + stats.bytes_reallocated;
    let doc = {
        let region = Region::new(GLOBAL);
        let d = oncall_core::config::Document::from_json(&text).expect("valid");
        let s = region.change();
        drop(d);
        s.bytes_allocated as isize - s.bytes_deallocated as isize + s.bytes_reallocated
    };
    println!(
        "memory: {name}: compiled config {} KiB live (of which the kept document ~{} KiB)",
        live / 1024,
        doc / 1024
    );
    drop(config);
}

fn who(c: &mut Criterion) {
    let mut g = c.benchmark_group("who");
    for name in ["small", "realistic", "large"] {
        let config = Config::from_json(&data(name)).expect("valid");
        let s = config.schedule(name).expect("schedule");
        per_instant(&mut g, name, |at| s.on_call(at).expect("answer"));
    }
    let naive = Naive::new(&data("realistic"));
    per_instant(&mut g, "realistic-naive-baseline", |at| naive.on_call(at));
    for name in ["anchor-2000", "anchor-2026"] {
        let config = Config::from_json(&data(name)).expect("valid");
        let s = config.schedule(name).expect("schedule");
        per_instant(&mut g, name, |at| s.on_call(at).expect("answer"));
    }
    g.finish();
}

/// The realistic schedule with 0, 100, 10 000 and 100 000 overrides: lookups grow as log n.
fn overrides(c: &mut Criterion) {
    let base: serde_json::Value = serde_json::from_str(&data("realistic")).expect("json");
    let template = base["schedules"][0]["overrides"].as_array().expect("overrides").clone();
    let mut g = c.benchmark_group("who-overrides");
    for n in [0usize, 100, 10_000, 100_000] {
        let mut doc = base.clone();
        let list: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let mut o = template[i % template.len()].clone();
                // Spread copies over the years 2020..2032 so they do not all overlap.
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
        let config = Config::from_json(&doc.to_string()).expect("valid");
        let s = config.schedule("realistic").expect("schedule");
        per_instant(&mut g, &format!("{n}"), |at| s.on_call(at).expect("answer"));
    }
    g.finish();
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
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    for name in ["small", "realistic", "large"] {
        let text = data(name);
        g.bench_function(name, |b| b.iter(|| Config::from_json(black_box(&text)).expect("valid")));
    }
    g.finish();
}

fn main() {
    for name in ["small", "realistic", "large"] {
        memory(name);
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .noise_threshold(0.03)
        .configure_from_args();
    who(&mut c);
    overrides(&mut c);
    next(&mut c);
    timeline(&mut c);
    load(&mut c);
    c.final_summary();
}
