//! Load for `oncall serve`: durable alert creations per second and their latency.
//!
//! ```text
//! cargo run --release -p oncall-serve --example load -- http://127.0.0.1:8080 KEY [CREATES] [CONNECTIONS]
//! ```
//!
//! Each create has its own alias (no de-duplication) and names no responders unless the key's
//! integration has an owner team. Every 202 means the alert was committed (WAL, fsync) before
//! the reply. Prints creations per second and p50/p99/max latency.

use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: load URL KEY [CREATES] [CONNECTIONS]");
        std::process::exit(2);
    }
    let (url, key) = (args[1].clone(), args[2].clone());
    let total: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5_000);
    let conns: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(16);
    let start = Instant::now();
    let handles: Vec<_> = (0..conns)
        .map(|w| {
            let (url, key) = (url.clone(), key.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                let mut lat = Vec::new();
                let mut failed = 0;
                for i in (w..total).step_by(conns) {
                    let body = format!(
                        r#"{{"message": "load {i}", "alias": "load-{w}-{i}-{}", "priority": "P3"}}"#,
                        std::process::id()
                    );
                    let t = Instant::now();
                    let r = agent
                        .post(format!("{url}/v2/alerts"))
                        .header("Authorization", format!("GenieKey {key}"))
                        .content_type("application/json")
                        .send(body.as_str());
                    lat.push(t.elapsed());
                    if !matches!(r, Ok(ref r) if r.status().as_u16() == 202) {
                        failed += 1;
                    }
                }
                (lat, failed)
            })
        })
        .collect();
    let mut lat = Vec::new();
    let mut failed = 0;
    for h in handles {
        let (l, f) = h.join().unwrap();
        lat.extend(l);
        failed += f;
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "{} creates ({failed} failed) over {conns} connections in {secs:.2} s: {:.0}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lat.len(),
        lat.len() as f64 / secs,
        p(0.5),
        p(0.99),
        p(1.0)
    );
}
