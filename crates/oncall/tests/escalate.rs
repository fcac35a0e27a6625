//! End-to-end tests of `oncall escalate` on `examples/escalation.json` (facts in the header of
//! `crates/oncall-core/tests/escalation.rs`; November 2026, Berlin = UTC+1).

mod common;
use common::*;
use serde_json::{Value, json};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/escalation.json");

fn escalate(args: &[&str]) -> Run {
    let mut all = vec!["escalate", EXAMPLE];
    all.extend_from_slice(args);
    oncall(&all)
}

fn ok(args: &[&str]) -> Run {
    let run = escalate(args);
    assert_eq!(run.code, 0, "oncall escalate {args:?} failed:\n{}", run.stderr);
    run
}

/// `at user method` of every notification.
fn sent(v: &Value) -> Vec<String> {
    v["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!("{} {} {}", n["at"].as_str().unwrap(), n["user"].as_str().unwrap(), n["method"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn json_timeline_with_ack_and_close() {
    // Naive times are read in the target's zone (the team's escalation reaches Berlin schedules).
    let run = ok(&[
        "--team",
        "checkout",
        "--message",
        "Checkout latency above 2 s",
        "--at",
        "2026-11-10T10:30",
        "--ack-at",
        "2026-11-10T10:33",
        "--ack-by",
        "ann@example.com",
        "--close-at",
        "2026-11-10T11:10",
        "--close-by",
        "dan@example.com",
        "--format",
        "json",
    ]);
    let v = run.json();
    // Rule 1 → ann (mobile; her voice step is cancelled by the ack); rule 2 skipped (acked);
    // rule 3 (if-not-closed) → dan, the team admin.
    assert_eq!(sent(&v), ["2026-11-10T09:30:00Z ann@example.com mobile", "2026-11-10T10:00:00Z dan@example.com email"]);
    assert_eq!(v["target"], json!({"type": "team", "name": "checkout"}));
    assert_eq!(v["routing"]["ruleName"], "default");
    assert_eq!(v["alert"]["status"], "closed");
    assert_eq!(v["alert"]["acknowledged"], true);
    assert_eq!(
        v["alert"]["report"],
        json!({"ackTime": 180000, "closeTime": 2400000,
        "acknowledgedBy": "ann@example.com", "closedBy": "dan@example.com"})
    );
    assert_eq!(v["notifications"][1]["via"][1]["ruleIndex"], 2);
    assert_eq!(v["notifications"][1]["via"][1]["condition"], "if-not-closed");
    assert_eq!(v["notifications"][1]["via"][2], json!({"type": "team", "name": "checkout", "notifyType": "admins"}));
    let kinds: Vec<&str> = v["log"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"rule-skipped") && kinds.contains(&"step-cancelled"), "{kinds:?}");
}

#[test]
fn text_timeline_reads_as_a_timeline() {
    let run = ok(&[
        "--team",
        "checkout",
        "--message",
        "Checkout latency above 2 s",
        "--at",
        "2026-11-10T10:30",
        "--ack-at",
        "2026-11-10T10:33",
        "--ack-by",
        "ann@example.com",
        "--close-at",
        "2026-11-10T11:10",
    ]);
    let out = &run.stdout;
    assert!(
        out.starts_with(
            "Alert 1 \"Checkout latency above 2 s\" (P3) for team checkout, created Tue 2026-11-10 10:30 CET (2026-11-10T09:30:00Z)\nRouting: rule 4 \"default\" → escalation checkout_escalation\n"
        ),
        "{out}"
    );
    let line = |needle: &str| {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{out}"))
            .to_string()
    };
    let first = line("SEND    mobile ann@example.com");
    assert!(first.starts_with("  +0:00  Tue 10:30 CET  SEND"), "{first}");
    assert!(
        first.ends_with("[create-alert, \"Daytime: push, then call\" step 1]  ← rule 1 of checkout_escalation (schedule checkout-primary, default) ← routing rule 4 \"default\" of team checkout"),
        "{first}"
    );
    assert!(line("SKIP").starts_with("  +0:10  Tue 10:40 CET  SKIP"));
    assert!(line("CANCEL").contains("cancelled: the alert is acknowledged"));
    assert!(
        line("dan@example.com → dan@example.com")
            .contains("[create-alert, default rule]  ← rule 3 of checkout_escalation (team checkout, admins)")
    );
    assert!(
        out.contains(
            "Final state: closed at +0:40, acknowledged by ann@example.com at +0:03, owner ann@example.com, count 1\n"
        ),
        "{out}"
    );
    assert!(out.ends_with("2 notifications, 0 unreached\n"), "{out}");
}

#[test]
fn alert_file_events_file_and_forwarding() {
    // Sat 11-21 12:00 Berlin: primary = ben, forwarded to cat, whose own rules apply.
    let alert = temp_file("alert.json", r#"{"message": "Payments down", "priority": "P1", "tags": ["payments"]}"#);
    let events = temp_file(
        "events.json",
        r#"[{"at": "2026-11-21T12:01", "action": "add-note", "note": "looking", "user": "cat@example.com"},
            {"at": "2026-11-21T12:04", "action": "close", "user": "cat@example.com"}]"#,
    );
    let run = ok(&[
        "--alert",
        alert.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
        "--team",
        "checkout",
        "--at",
        "2026-11-21T12:00",
        "--format",
        "json",
    ]);
    let v = run.json();
    assert_eq!(v["routing"]["ruleName"], "P1 always escalates");
    assert_eq!(sent(&v), ["2026-11-21T11:00:00Z cat@example.com sms", "2026-11-21T11:02:00Z cat@example.com email"]);
    assert_eq!(v["notifications"][0]["forwardedFrom"], "ben@example.com");
    assert_eq!(v["alert"]["notes"][0]["note"], "looking");
    assert_eq!(v["alert"]["priority"], "P1");
}

#[test]
fn schedule_and_escalation_targets() {
    // 23:00 Berlin on 11-10: the secondary has ben (daily) and dan (weekly).
    let v = ok(&["--schedule", "checkout-secondary", "--message", "m", "--at", "2026-11-10T23:00", "--format", "json"])
        .json();
    assert_eq!(sent(&v), ["2026-11-10T22:00:00Z ben@example.com email", "2026-11-10T22:00:00Z dan@example.com email"]);
    assert!(v.get("routing").is_none());
    // Escalation target at night, P3: ann's quiet hours leave her unreached, and the output says so.
    let v = ok(&[
        "--escalation",
        "checkout_escalation",
        "--message",
        "m",
        "--at",
        "2026-11-10T23:00",
        "--close-at",
        "2026-11-10T23:05",
        "--format",
        "json",
    ])
    .json();
    assert_eq!(v["notifications"].as_array().unwrap().len(), 0);
    assert_eq!(v["unreached"][0]["reason"], "no-matching-rule");
    assert_eq!(v["unreached"][0]["user"], "ann@example.com");
}

#[test]
fn errors_name_the_field_or_argument() {
    let long = "x".repeat(131);
    let run = escalate(&["--team", "checkout", "--message", &long, "--at", "2026-11-10T10:30"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "alert: message: at most 130 characters, found 131\n");
    let run = escalate(&["--team", "checkout", "--message", "m", "--priority", "P9", "--at", "2026-11-10T10:30"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, "alert: priority: expected P1, P2, P3, P4 or P5, found \"P9\"\n"));
    let run = escalate(&["--team", "nope", "--message", "m", "--at", "2026-11-10T10:30"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, "--team: team \"nope\" not found (known: checkout)\n"));
    // Acknowledging after the close is an invalid transition, named after the argument.
    let run = escalate(&[
        "--team",
        "checkout",
        "--message",
        "m",
        "--at",
        "2026-11-10T10:30",
        "--close-at",
        "2026-11-10T10:31",
        "--ack-at",
        "2026-11-10T10:32",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "oncall: cannot acknowledge alert 1: the alert is closed (--ack-at at 2026-11-10T09:32:00Z)\n"
    );
    let run =
        escalate(&["--team", "checkout", "--message", "m", "--at", "2026-11-10T10:30", "--ack-at", "2026-11-10T10:29"]);
    assert_eq!(run.stderr, "--ack-at: must not be before the creation: events come in time order\n");
    assert_eq!(run.code, 2, "a flag's value out of range is a usage error");
    let run = escalate(&["--team", "checkout", "--message", "m", "--at", "tomorrow"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("--at: cannot read \"tomorrow\""), "{}", run.stderr);
    let events = temp_file("bad-events.json", r#"[{"at": "2026-11-10T10:31", "action": "snooze"}]"#);
    let run = escalate(&[
        "--team",
        "checkout",
        "--message",
        "m",
        "--at",
        "2026-11-10T10:30",
        "--events",
        events.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with("events[0].until: required for \"snooze\"\n"), "{}", run.stderr);
    // Usage errors: no target, two targets.
    assert_eq!(escalate(&["--message", "m", "--at", "2026-11-10T10:30"]).code, 2);
    assert_eq!(
        escalate(&["--team", "checkout", "--schedule", "checkout-primary", "--message", "m", "--at", "now"]).code,
        2
    );
}
