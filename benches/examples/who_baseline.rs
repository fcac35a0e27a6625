//! The native figure `wasm/bench/who.mjs` compares the WebAssembly package against, measured in
//! the same run: the warm who-is-on-call of criterion's `who/realistic` and `who/realistic-ref`
//! (`benches/data/realistic.json`, its schedule `realistic`, the 256 instants of
//! [`instants_2026`] in turn), timed in batches of the same query loop.
//!
//! Usage: `cargo run --release -p oncall-benches --example who_baseline -- [seconds]` (default
//! 1). Prints one JSON object: the median nanoseconds per call of 11 batches for `on_call` (the
//! owned answer) and `on_call_ref` (the borrowed answer the package's fast path uses).

use oncall_benches::{data, instants_2026};
use oncall_core::Config;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The median of 11 batches of `query` over the instants, in nanoseconds per call; each batch
/// runs whole passes over the instants for about `batch`.
fn median_ns<T>(batch: Duration, mut query: impl FnMut(chrono::DateTime<chrono::Utc>) -> T) -> f64 {
    let instants = instants_2026(256);
    for _ in 0..100 {
        for &at in &instants {
            black_box(query(black_box(at)));
        }
    }
    let mut per_call: Vec<f64> = (0..11)
        .map(|_| {
            let start = Instant::now();
            let mut calls = 0u64;
            while start.elapsed() < batch {
                for &at in &instants {
                    black_box(query(black_box(at)));
                }
                calls += instants.len() as u64;
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = std::env::args().nth(1).map_or(Ok(1.0), |s| s.parse())?;
    let batch = Duration::from_secs_f64(seconds / 22.0);
    let config = Config::from_json(&data("realistic"))?;
    let s = config.schedule("realistic")?;
    let owned = median_ns(batch, |at| s.on_call(at));
    let borrowed = median_ns(batch, |at| s.on_call_ref(at));
    println!("{{\"on_call_ns\":{owned:.1},\"on_call_ref_ns\":{borrowed:.1}}}");
    Ok(())
}
