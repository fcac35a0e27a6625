//! The benchmark of `oncall serve`: durable alert creations per second, their latency, and
//! notifications delivered per second. `scripts/bench-serve` builds it and runs it several
//! times.
//!
//! ```text
//! load --oncall PATH [CREATES] [CONNECTIONS]   # the whole benchmark, on a fresh database
//! load --replicas N --db URL --oncall PATH [CREATES] [CONNECTIONS]
//!                                              # N replicas on one PostgreSQL database, escalations
//! load URL KEY [CREATES] [CONNECTIONS]         # only the creates, against a running service
//! ```
//!
//! With `--replicas`, N services share the (fresh, empty) PostgreSQL database URL, the clients'
//! connections are spread over them, and the clock runs 60 times faster
//! (`ONCALL_SERVE_CLOCK`), so each alert's whole escalation (the on-call user's email at once
//! and sms after 30 minutes: two notifications) runs in about 30 s. It waits until every
//! notification recorded was delivered, then prints the creations per second and latency, the
//! delivery lag (from a notification's due instant to its arrival at the receiver, in
//! wall-clock milliseconds) p50/p99, and the exactly-once check: POSTs = distinct idempotency
//! keys = notifications recorded.
//!
//! With `--oncall`, it writes a configuration (a team whose routing rule pages the on-call
//! user of an hourly rotation at once), starts a webhook receiver on 127.0.0.1 and `PATH serve`
//! on a fresh SQLite file in a temporary directory with every notification routed to that
//! receiver, runs the creates, then waits until the receiver has one notification per alert.
//!
//! Each create has its own alias (no de-duplication), comes through the integration with the
//! owner team, and is committed (SQLite WAL, fsynced by the store's group commit) before its
//! 202: every 202 counted is a durable alert. CONNECTIONS clients (threads, keep-alive) send
//! them back to back. Prints a human line and a JSON line: creations per second, p50/p99/max
//! latency, notifications delivered per second (from the first delivery to the last), and the
//! load average before and after.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "bench-key";

const CONFIG: &str = r#"{
  "users": [
    {"username": "ann", "notificationRules": [{"name": "page", "actionType": "create-alert", "enabled": true,
      "steps": [{"contact": {"method": "email", "to": "ann@example.com"}, "sendAfter": {"timeAmount": 0}},
                {"contact": {"method": "sms", "to": "+49 1"}, "sendAfter": {"timeAmount": 30}}]}]},
    {"username": "ben", "notificationRules": [{"name": "page", "actionType": "create-alert", "enabled": true,
      "steps": [{"contact": {"method": "email", "to": "ben@example.com"}, "sendAfter": {"timeAmount": 0}},
                {"contact": {"method": "sms", "to": "+49 2"}, "sendAfter": {"timeAmount": 30}}]}]},
    {"username": "boss"}],
  "teams": [{"name": "payments", "members": [{"user": {"username": "ann"}}, {"user": {"username": "ben"}}],
             "routingRules": [{"name": "default", "isDefault": true, "notify": {"type": "escalation", "name": "ops"}}]}],
  "schedules": [{"name": "primary", "rotations": [{"type": "hourly", "length": 1, "startDate": "2026-01-01T00:00:00Z",
                 "participants": [{"type": "user", "username": "ann"}, {"type": "user", "username": "ben"}]}]}],
  "escalations": [{"name": "ops", "rules": [
    {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "primary"}},
    {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 30}, "recipient": {"type": "user", "username": "boss"}}]}],
  "integrations": [{"name": "bench", "type": "API", "ownerTeam": {"name": "payments"}, "apiKey": "bench-key"}]
}"#;

fn usage() -> ! {
    eprintln!("usage: load --oncall PATH [CREATES] [CONNECTIONS]\n       load URL KEY [CREATES] [CONNECTIONS]");
    std::process::exit(2);
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--replicas") && args.len() >= 6 && args[2] == "--db" {
        let replicas: usize = args[1].parse().unwrap_or_else(|_| usage());
        let db = args[3].clone();
        args.drain(..4);
        if args.first().map(String::as_str) != Some("--oncall") || args.len() < 2 {
            usage();
        }
        let num =
            |i: usize, default: usize| args.get(i).map(|s| s.parse().unwrap_or_else(|_| usage())).unwrap_or(default);
        bench_replicas(&args[1], &db, replicas.max(1), num(2, 10_000), num(3, 16));
        return;
    }
    let num = |i: usize, default: usize| args.get(i).map(|s| s.parse().unwrap_or_else(|_| usage())).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("--oncall") => {
            let bin = args.get(1).unwrap_or_else(|| usage()).clone();
            bench(&bin, num(2, 5_000), num(3, 16));
        }
        Some(url) if args.len() >= 2 => {
            let c = creates(&[url.to_string()], &args[1], num(2, 5_000), num(3, 16));
            println!("{}", c.human());
        }
        _ => usage(),
    }
}

/// What the creates gave.
struct Creates {
    total: usize,
    failed: usize,
    conns: usize,
    secs: f64,
    /// Sorted.
    latency: Vec<Duration>,
}

impl Creates {
    fn per_sec(&self) -> f64 {
        (self.total - self.failed) as f64 / self.secs
    }

    fn ms(&self, q: f64) -> f64 {
        let l = &self.latency;
        l[((l.len() as f64 * q) as usize).min(l.len() - 1)].as_secs_f64() * 1000.0
    }

    fn human(&self) -> String {
        format!(
            "{} creates ({} failed) over {} connections in {:.2} s: {:.0}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.total,
            self.failed,
            self.conns,
            self.secs,
            self.per_sec(),
            self.ms(0.5),
            self.ms(0.99),
            self.ms(1.0)
        )
    }
}

/// `total` creates over `conns` keep-alive connections, back to back (connection `w` to
/// `urls[w % urls.len()]`).
fn creates(urls: &[String], key: &str, total: usize, conns: usize) -> Creates {
    let start = Instant::now();
    let handles: Vec<_> = (0..conns)
        .map(|w| {
            let (url, key) = (urls[w % urls.len()].clone(), key.to_string());
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
    let mut latency = Vec::new();
    let mut failed = 0;
    for h in handles {
        let (l, f) = h.join().expect("a load thread panicked");
        latency.extend(l);
        failed += f;
    }
    let secs = start.elapsed().as_secs_f64();
    latency.sort();
    Creates { total: latency.len(), failed, conns, secs, latency }
}

/// Serves `app` on a free port of 127.0.0.1 from a thread of its own; the URL of its `/hook`.
fn serve_hook(app: axum::Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("receiver address"));
    listener.set_nonblocking(true).expect("non-blocking listener");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("receiver runtime");
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).expect("receiver listener");
            axum::serve(l, app).await.expect("receiver");
        });
    });
    url
}

/// A webhook receiver on 127.0.0.1: the instant of every POST.
fn receiver() -> (String, Arc<Mutex<Vec<Instant>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let g = g.clone();
            async move {
                g.lock().expect("receiver lock").push(Instant::now());
                axum::http::StatusCode::OK
            }
        }),
    );
    (serve_hook(app), got)
}

fn bench(bin: &str, total: usize, conns: usize) {
    let load_before = loadavg();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = dir.path().join("config.json");
    std::fs::write(&config, CONFIG).expect("write the configuration");
    let (hook, got) = receiver();
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let url = format!("http://127.0.0.1:{port}");
    let mut child = std::process::Command::new(bin)
        .arg("serve")
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("oncall.db"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--deliver", &format!("*={hook}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("log file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(2))).build().into();
    let deadline = Instant::now() + Duration::from_secs(30);
    while agent.get(format!("{url}/healthz")).call().is_err() {
        assert!(Instant::now() < deadline, "oncall serve did not answer /healthz");
        std::thread::sleep(Duration::from_millis(50));
    }
    let c = creates(std::slice::from_ref(&url), KEY, total, conns);
    let created = c.total - c.failed;
    // One notification per alert falls due at once (the on-call user's email); wait for all.
    let deadline = Instant::now() + Duration::from_secs(300);
    while got.lock().expect("receiver lock").len() < created && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let times = got.lock().expect("receiver lock").clone();
    let delivered = times.len();
    let span = match (times.first(), times.last()) {
        (Some(a), Some(b)) if delivered > 1 => b.duration_since(*a).as_secs_f64(),
        _ => f64::NAN,
    };
    let delivered_per_sec = (delivered.saturating_sub(1)) as f64 / span;
    let load_after = loadavg();
    println!("{}", c.human());
    println!(
        "{delivered} of {created} notifications delivered to the webhook in {span:.2} s: {delivered_per_sec:.0}/s; load average before {load_before}, after {load_after}"
    );
    println!(
        "{}",
        serde_json::json!({
            "creates": c.total, "failed": c.failed, "connections": conns, "creates_per_sec": c.per_sec().round(),
            "p50_ms": (c.ms(0.5) * 10.0).round() / 10.0, "p99_ms": (c.ms(0.99) * 10.0).round() / 10.0,
            "max_ms": (c.ms(1.0) * 10.0).round() / 10.0, "notifications": delivered,
            "delivered_per_sec": delivered_per_sec.round(), "loadavg_before": load_before, "loadavg_after": load_after,
        })
    );
    if c.failed > 0 || delivered < created {
        std::process::exit(1);
    }
}

/// What the replicas' benchmark's receiver records of each POST: arrival (wall-clock
/// milliseconds), idempotency key, due instant.
type Arrivals = Arc<Mutex<Vec<(i64, String, String)>>>;

/// A webhook receiver on 127.0.0.1 for the replicas' benchmark: what it got, as [`Arrivals`].
fn keyed_receiver() -> (String, Arrivals) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let g = g.clone();
            async move {
                let at = wall_millis();
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let key = v["idempotencyKey"].as_str().unwrap_or_default().to_string();
                let due = v["at"].as_str().unwrap_or_default().to_string();
                g.lock().expect("receiver lock").push((at, key, due));
                axum::http::StatusCode::OK
            }
        }),
    );
    (serve_hook(app), got)
}

fn wall_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The sum over the replicas of a `/metrics` counter (`None` if one does not answer).
fn metric(agent: &ureq::Agent, urls: &[String], name: &str) -> Option<i64> {
    let mut sum = 0;
    for u in urls {
        let text = agent.get(format!("{u}/metrics")).call().ok()?.body_mut().read_to_string().ok()?;
        let line = text.lines().find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))?;
        sum += line[name.len()..].trim().parse::<i64>().ok()?;
    }
    Some(sum)
}

fn bench_replicas(bin: &str, db: &str, replicas: usize, total: usize, conns: usize) {
    const SCALE: i64 = 60;
    let load_before = loadavg();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = dir.path().join("config.json");
    std::fs::write(&config, CONFIG).expect("write the configuration");
    let (hook, got) = keyed_receiver();
    let anchor = wall_millis() / 1000;
    let mut children = Vec::new();
    let mut urls = Vec::new();
    for r in 0..replicas {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        urls.push(format!("http://127.0.0.1:{port}"));
        let child = std::process::Command::new(bin)
            .arg("serve")
            .arg(&config)
            .args(["--db", db, "--listen", &format!("127.0.0.1:{port}"), "--deliver", &format!("*={hook}")])
            .env("ONCALL_SERVE_CLOCK", format!("{anchor}:{SCALE}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join(format!("stderr-{r}.log"))).expect("log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        children.push(child);
    }
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(5))).build().into();
    let deadline = Instant::now() + Duration::from_secs(30);
    for u in &urls {
        while agent.get(format!("{u}/healthz")).call().is_err() {
            assert!(Instant::now() < deadline, "oncall serve did not answer /healthz");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let c = creates(&urls, KEY, total, conns);
    let created_at = Instant::now();
    // Every escalation ends 30 service minutes after its alert (30 s here): wait for that, then
    // until nothing recorded is pending.
    let deadline = created_at + Duration::from_secs(600);
    let mut last = -1;
    loop {
        std::thread::sleep(Duration::from_millis(1000));
        let ended = created_at.elapsed() > Duration::from_secs(35);
        let pending = metric(&agent, &urls, "oncall_notifications_pending").map(|p| p / replicas as i64);
        let recorded = metric(&agent, &urls, "oncall_notifications_recorded_total").unwrap_or(-1);
        if (ended && pending == Some(0) && recorded == last) || Instant::now() > deadline {
            break;
        }
        last = recorded;
    }
    std::thread::sleep(Duration::from_secs(1));
    let recorded = metric(&agent, &urls, "oncall_notifications_recorded_total").unwrap_or(-1);
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    let got = got.lock().expect("receiver lock").clone();
    let keys: std::collections::BTreeSet<&str> = got.iter().map(|g| g.1.as_str()).collect();
    // Lag: arrival (as service time) minus the due instant, in wall-clock milliseconds.
    let mut lag: Vec<f64> = got
        .iter()
        .filter_map(|(at, _, due)| {
            let due = chrono::DateTime::parse_from_rfc3339(due).ok()?.timestamp_millis();
            let arrived = anchor * 1000 + (at - anchor * 1000) * SCALE;
            Some((arrived - due) as f64 / SCALE as f64)
        })
        .collect();
    lag.sort_by(f64::total_cmp);
    let q = |p: f64| {
        lag.get(((lag.len() as f64 * p) as usize).min(lag.len().saturating_sub(1))).copied().unwrap_or(f64::NAN)
    };
    let once = got.len() == keys.len() && keys.len() as i64 == recorded;
    let load_after = loadavg();
    println!("{} ({replicas} replicas, one PostgreSQL database)", c.human());
    println!(
        "{} notifications recorded, {} delivered (distinct keys), {} POSTs: exactly once {}; delivery lag p50 {:.0} ms, p99 {:.0} ms; load average before {load_before}, after {load_after}",
        recorded,
        keys.len(),
        got.len(),
        if once { "yes" } else { "NO" },
        q(0.5),
        q(0.99)
    );
    println!(
        "{}",
        serde_json::json!({
            "replicas": replicas, "creates": c.total, "failed": c.failed, "connections": conns,
            "creates_per_sec": c.per_sec().round(), "p50_ms": (c.ms(0.5) * 10.0).round() / 10.0,
            "p99_ms": (c.ms(0.99) * 10.0).round() / 10.0, "max_ms": (c.ms(1.0) * 10.0).round() / 10.0,
            "notifications": keys.len(), "posts": got.len(), "recorded": recorded, "exactly_once": once,
            "lag_p50_ms": q(0.5).round(), "lag_p99_ms": q(0.99).round(),
            "loadavg_before": load_before, "loadavg_after": load_after,
        })
    );
    if c.failed > 0 || !once {
        std::process::exit(1);
    }
}
