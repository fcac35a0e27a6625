//! Query-time limits (issue 10): hostile documents and queries generated here, each answered in
//! bounded time with a typed error naming the limit, or with the right answer.

use chrono::{DateTime, Duration, Utc};
use oncall_core::{Config, Error, Expand};
use std::time::Instant;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn load(doc: &str) -> Config {
    Config::from_json(doc).unwrap_or_else(|e| panic!("{e}"))
}

/// CPU time of the calling thread so far, from Linux's `/proc/thread-self/schedstat` (its first
/// field: nanoseconds on a CPU); `None` elsewhere. The engine runs a query on the calling
/// thread, so this is what the query cost, whatever else the machine runs.
fn thread_cpu() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(ns))
}

/// Runs `f`, failing when it takes longer than `secs` (a generous bound for a debug build) of
/// the thread's CPU time: wall time on a loaded machine (the test suite beside builds, a load of
/// 20 on 2 cores) says more about the scheduler than about the engine. Checked when `f` returns
/// (as a wall-time bound would be). Wall time where the CPU time cannot be read.
#[allow(clippy::disallowed_methods)] // a test's time bound, not the engine's clock
fn within<T>(secs: u64, what: &str, f: impl FnOnce() -> T) -> T {
    let (cpu, wall) = (thread_cpu(), Instant::now());
    let out = f();
    let took = match (cpu, thread_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall.elapsed(),
    };
    assert!(took.as_secs() < secs, "{what} took {took:?} of CPU ({:?} of wall time)", wall.elapsed());
    out
}

fn limit_of(e: &Error) -> &'static str {
    match e {
        Error::LimitExceeded { limit, .. } => limit,
        other => panic!("expected a limit error, got {other:?}"),
    }
}

/// Team t_i routes to escalation e_i whose two rules both notify team t_{i+1}: 2^depth leaves.
fn doubling_teams(depth: usize) -> String {
    let mut teams = Vec::new();
    let mut escalations = Vec::new();
    for i in 0..depth {
        teams.push(format!(
            r#"{{"name":"t{i}","members":[{{"user":{{"username":"u{i}"}}}}],"routingRules":[{{"name":"r","order":0,"notify":{{"type":"escalation","name":"e{i}"}}}}]}}"#
        ));
        let target = if i + 1 < depth {
            format!(r#"{{"type":"team","name":"t{}"}}"#, i + 1)
        } else {
            r#"{"type":"user","username":"leaf"}"#.to_string()
        };
        let r = format!(
            r#"{{"condition":"if-not-acked","notifyType":"default","delay":{{"timeAmount":0}},"recipient":{target}}}"#
        );
        escalations.push(format!(r#"{{"name":"e{i}","rules":[{r},{r}]}}"#));
    }
    let users: Vec<String> = (0..depth).map(|i| format!(r#"{{"username":"u{i}"}}"#)).collect();
    format!(
        r#"{{"users":[{},{{"username":"leaf"}}],"teams":[{}],"escalations":[{}],
            "schedules":[{{"name":"s","rotations":[{{"name":"r","type":"weekly","startDate":"2026-01-05T00:00:00Z",
              "participants":[{{"type":"team","name":"t0"}}]}}]}}]}}"#,
        users.join(","),
        teams.join(","),
        escalations.join(",")
    )
}

#[test]
fn exponential_reference_expansion_is_refused_by_max_expansion() {
    let config = load(&doubling_teams(30));
    let s = config.schedule("s").unwrap();
    let at = t("2026-02-01T00:00:00Z");
    let e = within(20, "who", || s.on_call(at)).unwrap_err();
    assert_eq!(limit_of(&e), "maxExpansion");
    assert!(
        e.to_string().contains("expanding this reference reaches more than 10000 participants (limit maxExpansion)"),
        "{e}"
    );
    assert_eq!(limit_of(&within(20, "next", || s.next_on_call(at)).unwrap_err()), "maxExpansion");
    let tl = within(20, "timeline", || s.timeline(at, at + Duration::days(7), Expand::default()));
    assert_eq!(limit_of(&tl.unwrap_err()), "maxExpansion");
    let mut segments = s.segments(at, at + Duration::days(7)).unwrap();
    assert_eq!(segments.by_ref().count(), 0);
    assert_eq!(limit_of(segments.error().unwrap()), "maxExpansion");
    assert_eq!(limit_of(&s.analyze(at, at + Duration::days(7)).unwrap_err()), "maxExpansion");
    let lint = within(30, "lint", || config.lint(at));
    assert!(lint.iter().any(|w| w.path == "schedules[0]" && w.message.contains("maxExpansion")), "{lint:?}");
}

#[test]
fn expansion_within_the_limit_is_answered_and_the_limit_can_be_loosened() {
    // 2^10 = 1024 leaves: within the default.
    let config = load(&doubling_teams(10));
    let at = t("2026-02-01T00:00:00Z");
    let who = config.schedule("s").unwrap().on_call(at).unwrap();
    assert_eq!(who.flat().on_call_recipients, ["leaf"]);
    // Tightened, the same question is refused.
    let mut strict = load(&doubling_teams(10));
    strict.set_limits(oncall_core::Limits { max_expansion: 100, ..oncall_core::Limits::default() });
    assert_eq!(limit_of(&strict.schedule("s").unwrap().on_call(at).unwrap_err()), "maxExpansion");
}

/// A boss layer (priority 1) until `end`, over `n` hourly rotations of two users each.
fn hidden_layer(n: usize, end: &str) -> String {
    let mut rotations = vec![format!(
        r#"{{"name":"boss","type":"weekly","priority":1,"startDate":"2026-01-05T00:00:00Z","endDate":"{end}","participants":["boss"]}}"#
    )];
    for i in 0..n {
        rotations.push(format!(
            r#"{{"name":"h{i}","type":"hourly","startDate":"2026-01-05T00:{:02}:00Z","participants":["a{i}","b{i}"]}}"#,
            i % 60
        ));
    }
    format!(r#"{{"schedules":[{{"name":"s","rotations":[{}]}}]}}"#, rotations.join(","))
}

#[test]
fn next_never_says_never_when_it_gave_up() {
    // The boss layer ends in 2040: the hourly layer under it hands off every hour until then.
    let config = load(&hidden_layer(1, "2040-01-01T00:00:00Z"));
    let at = t("2026-02-01T00:00:00Z");
    let next = within(30, "next", || config.schedule("s").unwrap().next_on_call(at)).unwrap();
    assert_eq!(next.exact_next_on_call_at, None);
    // 3 660 days after 2026-02-01.
    assert_eq!(next.searched_until, Some(at + Duration::days(3_660)));
    // Looking further finds the true change.
    let mut far = load(&hidden_layer(1, "2040-01-01T00:00:00Z"));
    far.set_limits(oncall_core::Limits { next_horizon_days: 6_000, ..oncall_core::Limits::default() });
    let next = within(30, "next", || far.schedule("s").unwrap().next_on_call(at)).unwrap();
    assert_eq!(next.exact_next_on_call_at, Some(t("2040-01-01T00:00:00Z")));
    assert_eq!(next.searched_until, None);
    assert_eq!(next.flat().exact_next_on_call_participants, ["a0"]);
}

#[test]
fn next_says_never_only_when_nothing_changes_again() {
    let config = load(
        r#"{"schedules":[{"name":"s","rotations":[{"name":"r","type":"weekly","startDate":"2026-01-05T00:00:00Z","participants":["solo"]}]}]}"#,
    );
    let next = config.schedule("s").unwrap().next_on_call(t("2026-02-01T00:00:00Z")).unwrap();
    assert_eq!((next.exact_next_on_call_at, next.searched_until), (None, None));
}

#[test]
fn next_with_five_thousand_hidden_hourly_rotations_is_bounded() {
    let config = load(&hidden_layer(5_000, "2040-01-01T00:00:00Z"));
    let at = t("2026-02-01T00:00:00Z");
    let next = within(60, "next", || config.schedule("s").unwrap().next_on_call(at)).unwrap();
    assert_eq!(next.exact_next_on_call_at, None);
    let until = next.searched_until.expect("says how far it searched");
    assert!(until > at && until < t("2040-01-01T00:00:00Z"), "{until}");
    // Who is on call is the boss, and the 5 000 next shifts are listed once each.
    assert_eq!(next.next_on_call_recipients.len(), 5_001);
}

#[test]
fn next_with_five_thousand_changing_hourly_rotations_is_linear() {
    // No boss: the set changes at the first hand-off.
    let config = load(&hidden_layer(5_000, "2026-01-06T00:00:00Z"));
    let at = t("2026-02-01T00:00:30Z");
    let next = within(30, "next", || config.schedule("s").unwrap().next_on_call(at)).unwrap();
    assert_eq!(next.exact_next_on_call_at, Some(t("2026-02-01T00:01:00Z")));
}

#[test]
fn timeline_periods_are_counted_not_walk_steps() {
    // 200 aligned hourly rotations over a month: 744 steps, 148 800 periods.
    let rotations: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"name":"h{i}","type":"hourly","startDate":"2026-01-05T00:00:00Z","participants":["a{i}","b{i}"]}}"#
            )
        })
        .collect();
    let config = load(&format!(r#"{{"schedules":[{{"name":"s","rotations":[{}]}}]}}"#, rotations.join(",")));
    let s = config.schedule("s").unwrap();
    let e =
        within(60, "timeline", || s.timeline(t("2026-03-01T00:00:00Z"), t("2026-04-01T00:00:00Z"), Expand::default()))
            .unwrap_err();
    assert_eq!(limit_of(&e), "maxTimelinePeriods");
    assert!(e.to_string().starts_with("to: this timeline would have more than 100000 periods"), "{e}");
    // A day is 200 × 24 + 24 segments.
    let day = s.timeline(t("2026-03-01T00:00:00Z"), t("2026-03-02T00:00:00Z"), Expand::default()).unwrap();
    let periods: usize = day.final_timeline.rotations.iter().map(|r| r.periods.len()).sum();
    assert_eq!((periods, day.final_schedule.len()), (4_800, 24));
}

/// A reference graph drawn from `seed`: teams routing to escalations or schedules (or to their
/// members, users and admins), escalations notifying users, teams (default, users, admins),
/// schedules (default, next, previous) with and without delays, schedules of hourly and daily
/// rotations of users, teams and escalations, shared sub-graphs and cycles, forwarding.
fn random_graph(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let (nt, ne, ns, nu) = (2 + next(6), 2 + next(6), 1 + next(3), 2 + next(5));
    let users: Vec<String> = (0..nu).map(|i| format!(r#"{{"username":"u{i}"}}"#)).collect();
    let mut teams = Vec::new();
    for i in 0..nt {
        let members: Vec<String> = (0..next(4))
            .map(|k| {
                format!(r#"{{"user":{{"username":"u{}"}},"role":"{}"}}"#, (i + k) % nu, ["user", "admin"][next(2)])
            })
            .collect();
        let notify = match next(4) {
            0 => format!(r#"{{"type":"schedule","name":"s{}"}}"#, next(ns)),
            1 => r#"{"type":"none"}"#.to_string(),
            _ => format!(r#"{{"type":"escalation","name":"e{}"}}"#, next(ne)),
        };
        let rules = if next(4) == 0 {
            String::new()
        } else {
            format!(
                r#"{{"name":"r","order":0,"notify":{notify},"timeRestriction":{{"type":"time-of-day","restriction":{{"startHour":{},"startMin":0,"endHour":{},"endMin":0}}}}}}"#,
                next(24),
                next(24)
            )
        };
        teams.push(format!(r#"{{"name":"t{i}","members":[{}],"routingRules":[{rules}]}}"#, members.join(",")));
    }
    let mut escalations = Vec::new();
    for i in 0..ne {
        let rules: Vec<String> = (0..1 + next(3))
            .map(|_| {
                let (recipient, notify) = match next(7) {
                    0 => (format!(r#"{{"type":"user","username":"u{}"}}"#, next(nu)), "default"),
                    1 => (format!(r#"{{"type":"schedule","name":"s{}"}}"#, next(ns)), "default"),
                    2 => (format!(r#"{{"type":"schedule","name":"s{}"}}"#, next(ns)), ["next", "previous"][next(2)]),
                    3 => (format!(r#"{{"type":"team","name":"t{}"}}"#, next(nt)), ["users", "admins"][next(2)]),
                    _ => (format!(r#"{{"type":"team","name":"t{}"}}"#, next(nt)), "default"),
                };
                let delay = [0, 0, 0, 5][next(4)];
                format!(
                    r#"{{"condition":"if-not-acked","notifyType":"{notify}","delay":{{"timeAmount":{delay}}},"recipient":{recipient}}}"#
                )
            })
            .collect();
        escalations.push(format!(r#"{{"name":"e{i}","rules":[{}]}}"#, rules.join(",")));
    }
    let mut schedules = Vec::new();
    for i in 0..ns {
        let rotations: Vec<String> = (0..1 + next(3))
            .map(|r| {
                let participants: Vec<String> = (0..1 + next(3))
                    .map(|_| match next(3) {
                        0 => format!(r#"{{"type":"team","name":"t{}"}}"#, next(nt)),
                        1 => format!(r#"{{"type":"escalation","name":"e{}"}}"#, next(ne)),
                        _ => format!(r#"{{"type":"user","username":"u{}"}}"#, next(nu)),
                    })
                    .collect();
                format!(
                    r#"{{"name":"r{r}","type":"{}","startDate":"2026-01-05T00:00:00Z","priority":{},"participants":[{}]}}"#,
                    ["hourly", "daily", "weekly"][next(3)],
                    next(2),
                    participants.join(",")
                )
            })
            .collect();
        schedules
            .push(format!(r#"{{"name":"s{i}","timezone":"Europe/London","rotations":[{}]}}"#, rotations.join(",")));
    }
    let forwarding: Vec<String> = (0..next(3))
        .map(|_| {
            format!(
                r#"{{"fromUser":{{"username":"u{}"}},"toUser":{{"username":"u{}"}},"startDate":"2026-02-0{}T00:00:00Z","endDate":"2026-02-0{}T12:00:00Z"}}"#,
                next(nu),
                next(nu),
                1 + next(3),
                4 + next(3)
            )
        })
        .collect();
    format!(
        r#"{{"users":[{}],"teams":[{}],"escalations":[{}],"schedules":[{}],"forwardingRules":[{}]}}"#,
        users.join(","),
        teams.join(","),
        escalations.join(","),
        schedules.join(","),
        forwarding.join(",")
    )
}

/// The final schedule's sets, found at every boundary by a walk that collects users without
/// building participants, are the flat sets of the full expansion `on_call` builds (with cycles,
/// shared sub-graphs, delayed rules and forwarding), and a budget too small is refused naming
/// `maxExpansion`.
#[test]
fn the_flat_sets_of_segments_are_those_of_the_full_expansion() {
    let (mut compared, mut refused) = (0, 0);
    for seed in 0..300 {
        let doc = random_graph(seed);
        let Ok(mut config) = Config::from_json(&doc) else { continue };
        let max_expansion = [10_000, 12, 4][seed as usize % 3];
        config.set_limits(oncall_core::Limits { max_expansion, ..oncall_core::Limits::default() });
        let from = t("2026-02-01T00:00:00Z");
        for name in config.schedule_names().map(String::from).collect::<Vec<_>>() {
            let s = config.schedule(&name).unwrap();
            let mut segments = s.segments(from, from + Duration::days(4)).unwrap();
            for g in segments.by_ref() {
                let who = s.on_call(g.start_date).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{doc}"));
                let mut names = who.flat().on_call_recipients;
                names.sort();
                names.dedup();
                assert_eq!(names, g.recipients, "seed {seed}, {name} at {}\n{doc}", g.start_date);
                compared += 1;
            }
            if let Some(e) = segments.error() {
                assert_eq!(limit_of(e), "maxExpansion", "seed {seed}");
                refused += 1;
            }
        }
    }
    assert!(compared > 1_000 && refused > 10, "{compared} segments compared, {refused} refused");
}
