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

/// Runs `f`, failing when it takes longer than `secs` (a generous bound for a debug build).
#[allow(clippy::disallowed_methods)] // a test's time bound, not the engine's clock
fn within<T>(secs: u64, what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(started.elapsed().as_secs() < secs, "{what} took {:?}", started.elapsed());
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
