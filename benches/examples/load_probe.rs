//! A probe for callgrind: loads one benchmark document `N` times.
//!
//! `valgrind --tool=callgrind target/release/examples/load_probe realistic 10 [doc|typed|ignored]`
//! counts the instructions of `Config::from_json` (or of the document read alone, or of
//! `serde_json`'s own pass over the text, the baseline).

use oncall_benches::data;
use oncall_core::Config;
use oncall_core::config::Document;
use std::hint::black_box;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "realistic".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let what = args.next().unwrap_or_else(|| "config".into());
    let text = data(&name);
    for _ in 0..n {
        match what.as_str() {
            "config" => drop(black_box(Config::from_json(black_box(&text)).expect("valid"))),
            "doc" => drop(black_box(Document::from_json(black_box(&text)).expect("valid"))),
            "typed" => drop(black_box(serde_json::from_str::<Document>(black_box(&text)).expect("valid"))),
            "ignored" => {
                black_box(serde_json::from_str::<serde::de::IgnoredAny>(black_box(&text)).expect("valid"));
            }
            other => panic!("unknown probe {other}"),
        }
    }
}
