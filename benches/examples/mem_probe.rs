//! Probes for the Memory section of `benches/README.md`.
//!
//! `valgrind --tool=dhat target/release/examples/mem_probe realistic [index]` compiles one
//! benchmark document (and with `index` asks the 256 questions of 2026 with
//! `IndexOptions::EAGER`), then leaks the configuration: DHAT's blocks live at the end are what
//! it holds, by allocation site.
//!
//! `valgrind --tool=callgrind --toggle-collect='*ref_pass*' target/release/examples/mem_probe
//! realistic who N` counts `N` passes of the indexed `on_call_ref` over the 256 instants
//! (`*baseline_pass*`: the bare binary search over 2026's segment starts, as criterion's
//! `realistic-binary-search-baseline`); the difference between two `N` over the extra queries is
//! the instructions per query; `*timeline_pass*`: the final timeline of 2026 from the index.
use oncall_benches::{data, instants_2026};
use oncall_core::{Config, IndexOptions};
use std::hint::black_box;

#[inline(never)]
fn ref_pass(s: &oncall_core::Schedule<'_>, instants: &[chrono::DateTime<chrono::Utc>]) {
    for &at in instants {
        black_box(s.on_call_ref(black_box(at)).expect("answer"));
    }
}

#[inline(never)]
fn timeline_pass(
    s: &oncall_core::Schedule<'_>,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) {
    black_box(s.timeline(from, to, oncall_core::Expand::default()).expect("timeline"));
}

#[inline(never)]
fn baseline_pass(starts: &[i64], answers: &[Vec<String>], instants: &[chrono::DateTime<chrono::Utc>]) {
    for &at in instants {
        let t = black_box(at).timestamp();
        black_box(&answers[starts.partition_point(|&s| s <= t).saturating_sub(1)]);
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "realistic".into());
    let mode = args.next();
    let text = data(&name);
    let mut config = Config::from_json(&text).expect("valid");
    if mode.as_deref() == Some("who") {
        let passes: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
        config.set_index_options(IndexOptions::EAGER);
        let s = config.schedule(&name).expect("schedule");
        let instants = instants_2026(256);
        for &at in &instants {
            black_box(s.on_call_ref(at).expect("answer"));
        }
        let from: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let to: chrono::DateTime<chrono::Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
        let (starts, answers): (Vec<i64>, Vec<Vec<String>>) =
            s.segments(from, to).expect("segments").map(|g| (g.start_date.timestamp(), g.recipients)).unzip();
        for _ in 0..passes {
            ref_pass(&s, &instants);
            baseline_pass(&starts, &answers, &instants);
            timeline_pass(&s, from, to);
        }
        return;
    }
    if mode.is_some() {
        config.set_index_options(IndexOptions::EAGER);
        let s = config.schedule(&name).expect("schedule");
        for at in instants_2026(256) {
            black_box(s.on_call(at).expect("answer"));
        }
    }
    drop(text);
    std::mem::forget(config);
}
