//! `oncall escalate`: who is notified about an alert, when, on which channel, and why.
//!
//! ```text
//! oncall escalate CONFIG (--alert FILE | --message TEXT [--priority P1] [--tags a,b] [--alias X])
//!     (--team NAME | --escalation NAME | --schedule NAME | --user NAME) --at T
//!     [--ack-at T [--ack-by USER]] [--close-at T [--close-by USER]] [--events FILE]
//!     [--seed N] [--tz ZONE] [--format text|json]
//! ```
//!
//! `--priority`, `--tags`, `--alias` also override the fields of an `--alert` file. `--events`
//! is a JSON list such as `[{"at": "2026-11-10T10:40", "action": "snooze", "until":
//! "2026-11-10T11:40"}]` (actions: acknowledge, unacknowledge, snooze, close, add-note,
//! escalate-to-next, assign, duplicate); it is merged with `--ack-at` and `--close-at` by time.
//! Naive times are read in `--tz`, by default the target's zone (see `Config::target_zone`).
//!
//! # JSON (`--format json`)
//!
//! The core's `EscalationTimeline`, serialized as it is:
//!
//! ```json
//! {"target": {"type": "team", "name": "checkout"},
//!  "alert": {"id": "alert-1", "tinyId": "1", "alias": "alert-1", "message": "…", "priority": "P3",
//!            "tags": [], "status": "closed", "acknowledged": true, "snoozed": false, "count": 1,
//!            "createdAt": "…", "lastOccurredAt": "…", "updatedAt": "…", "owner": "ann@example.com",
//!            "report": {"ackTime": 180000, "closeTime": 2400000, "acknowledgedBy": "…", "closedBy": "…"}},
//!  "routing": {"team": "checkout", "at": "…", "ruleIndex": 3, "ruleName": "default", "isDefault": true,
//!              "notify": {"type": "escalation", "name": "checkout_escalation"},
//!              "skipped": [{"ruleIndex": 0, "ruleName": "…", "reason": "its criteria do not match the alert"}]},
//!  "notifications": [
//!    {"at": "2026-11-10T09:30:00Z", "user": "ann@example.com", "method": "mobile", "to": "Ann's phone",
//!     "actionType": "create-alert", "notifiedAt": "2026-11-10T09:30:00Z",
//!     "forwardedFrom": "…(only when forwarded)",
//!     "notificationRule": {"index": 0, "name": "Daytime: push, then call", "default": false, "step": 0, "loop": 0},
//!     "via": [{"type": "routing", "team": "checkout", "ruleIndex": 3, "ruleName": "default"},
//!             {"type": "escalation", "name": "checkout_escalation", "ruleIndex": 0, "cycle": 0,
//!              "condition": "if-not-acked", "notifyType": "default", "escalationTime": 0},
//!             {"type": "schedule", "name": "checkout-primary", "notifyType": "default"}]}],
//!   (a notification of an escalation's `onGap: fallback` ends its `via` in
//!   `{"type": "gap-fallback", "schedule": "…"}`, after the schedule that had nobody on call)
//!  "unreached": [{"at": "…", "reason": "gap|schedule-disabled|routed-to-none|no-members|no-rules|no-matching-rule|no-steps|cycle",
//!                 "message": "…", "user": "…", "actionType": "…", "via": […]}],
//!  "log": [{"at": "…", "kind": "created|routed|escalation-started|cycle-started|acknowledgement-reset|rule-fired|rule-skipped|acknowledged|unacknowledged|snoozed|snooze-ended|closed|auto-closed|note-added|assigned|duplicate|escalated-to-next|step-cancelled|not-notified|gap-policy",
//!           "message": "…", "via": […]}]}
//! ```
//!
//! All three lists are in processing order (by instant; at one instant events, snooze ends,
//! cycle starts, rule firings, notification steps, automatic closes). Rule, step and routing
//! indices count from 0 in JSON (they are positions in the document's lists) and from 1 in text.

use crate::text::clean;
use crate::{Fail, Format, Res, json, load, now};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::{ArgGroup, Args};
use oncall_core::alert::{Action, Alert, AlertEvent, NamedEvents};
use oncall_core::escalation::{Entry, EscalateOptions, EscalationTimeline, Hop, LogKind, Target};
use oncall_core::time::{Edge, format_instant, parse_instant, parse_zone};
use oncall_core::{Config, Error};
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `oncall escalate`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["alert", "message"])))]
#[command(group(ArgGroup::new("target").required(true).args(["team", "escalation", "schedule", "user"])))]
pub struct EscalateArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml; `-` reads JSON from stdin).
    config: PathBuf,
    /// The alert as an Opsgenie create-alert JSON payload.
    #[arg(long)]
    alert: Option<PathBuf>,
    /// The alert's message (at most 130 characters).
    #[arg(long)]
    message: Option<String>,
    /// Priority P1 (highest) … P5 [default: P3].
    #[arg(long)]
    priority: Option<String>,
    /// Tags, comma-separated.
    #[arg(long, value_delimiter = ',')]
    tags: Option<Vec<String>>,
    /// The alias (de-duplication key).
    #[arg(long)]
    alias: Option<String>,
    /// The alert is for this team: its routing rules decide.
    #[arg(long)]
    team: Option<String>,
    /// The alert runs this escalation policy.
    #[arg(long)]
    escalation: Option<String>,
    /// The alert notifies this schedule's on-call users, once.
    #[arg(long)]
    schedule: Option<String>,
    /// The alert notifies this user.
    #[arg(long)]
    user: Option<String>,
    /// When the alert is created.
    #[arg(long)]
    at: String,
    /// Acknowledge at this instant.
    #[arg(long)]
    ack_at: Option<String>,
    /// Who acknowledges (with --ack-at).
    #[arg(long, requires = "ack_at")]
    ack_by: Option<String>,
    /// Close at this instant.
    #[arg(long)]
    close_at: Option<String>,
    /// Who closes (with --close-at).
    #[arg(long, requires = "close_at")]
    close_by: Option<String>,
    /// More events: a JSON list of {"at", "action", …}.
    #[arg(long)]
    events: Option<PathBuf>,
    /// Seed of `notifyType: random` picks.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Zone for naive times and the text output [default: the target's zone].
    #[arg(long)]
    tz: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn target(a: &EscalateArgs) -> Target {
    match (&a.team, &a.escalation, &a.schedule, &a.user) {
        (Some(n), _, _, _) => Target::Team(n.clone()),
        (_, Some(n), _, _) => Target::Escalation(n.clone()),
        (_, _, Some(n), _) => Target::Schedule(n.clone()),
        (_, _, _, Some(n)) => Target::User(n.clone()),
        // clap requires one of them.
        _ => Target::Team(String::new()),
    }
}

fn flag(t: &Target) -> &'static str {
    match t {
        Target::Team(_) => "--team",
        Target::Escalation(_) => "--escalation",
        Target::Schedule(_) => "--schedule",
        Target::User(_) => "--user",
    }
}

fn time(flag: &str, text: &str, tz: Tz) -> Res<DateTime<Utc>> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now());
    }
    let t = parse_instant(text, tz, Edge::Start).map_err(|m| Fail::usage(format!("--{flag}: {m}")))?;
    crate::fold_note(flag, text, tz, false);
    Ok(t)
}

fn read(path: &PathBuf) -> Res<String> {
    std::fs::read_to_string(path).map_err(|e| Fail::line(format!("{}: cannot read: {e}", path.display())))
}

fn alert(a: &EscalateArgs) -> Res<Alert> {
    let mut alert = match (&a.alert, &a.message) {
        (Some(path), _) => {
            let text = read(path)?;
            Alert::from_json(&text).map_err(|e| Fail::lines(lines(&format!("{}", path.display()), &e)))?
        }
        (None, Some(m)) => Alert::new(m.clone()),
        (None, None) => return Err(Fail::usage("oncall: give --alert or --message")),
    };
    if let Some(m) = &a.message {
        alert.message.clone_from(m);
    }
    if let Some(p) = &a.priority {
        alert.priority = Some(p.clone());
    }
    if let Some(t) = &a.tags {
        alert.tags = t.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    }
    if let Some(x) = &a.alias {
        alert.alias = Some(x.clone());
    }
    alert.validate().map_err(|e| Fail::lines(lines("alert", &e)))?;
    Ok(alert)
}

/// One line per problem, prefixed with where the input came from.
fn lines(source: &str, e: &Error) -> Vec<String> {
    match e.problems() {
        [] => vec![format!("{source}: {e}")],
        ps => ps
            .iter()
            .map(|p| if p.path.is_empty() { format!("{source}: {}", p.message) } else { format!("{source}: {p}") })
            .collect(),
    }
}

/// `oncall escalate`.
pub fn run(a: &EscalateArgs, out: &mut String) -> Res<()> {
    let config = load(&a.config)?;
    let target = target(a);
    let tz = match &a.tz {
        Some(z) => parse_zone(z).map_err(|m| Fail::usage(format!("--tz: {m}")))?,
        None => config.target_zone(&target),
    };
    let alert = alert(a)?;
    let at = time("at", &a.at, tz)?;
    // The events, each with the name it has for the person who wrote it.
    let mut events: Vec<(AlertEvent, String)> = Vec::new();
    if let Some(path) = &a.events {
        let text = read(path)?;
        let list =
            AlertEvent::list_from_json(&text, tz).map_err(|e| Fail::lines(lines(&path.display().to_string(), &e)))?;
        events.extend(list.into_iter().enumerate().map(|(i, e)| (e, format!("{} events[{i}]", path.display()))));
    }
    if let Some(t) = &a.ack_at {
        let e = AlertEvent::new(time("ack-at", t, tz)?, Action::Acknowledge { user: a.ack_by.clone() });
        events.push((e, "--ack-at".into()));
    }
    if let Some(t) = &a.close_at {
        let e = AlertEvent::new(time("close-at", t, tz)?, Action::Close { user: a.close_by.clone() });
        events.push((e, "--close-at".into()));
    }
    let events = NamedEvents::new(events);
    let options = EscalateOptions { seed: a.seed };
    let answer = config
        .escalate(&alert, &target, at, events.events(), &options)
        .map_err(|e| escalate_error(&config, &target, &events, e))?;
    match a.format {
        Format::Json => json(&answer, out),
        Format::Text => {
            out.push_str(&text(&answer, tz));
            Ok(())
        }
    }
}

/// An error of the core, with `events[k]` renamed to the argument it came from.
fn escalate_error(config: &Config, target: &Target, events: &NamedEvents, e: Error) -> Fail {
    let rename = |s: String| events.rename(&s);
    match &e {
        Error::UnknownTarget { .. } | Error::UnknownSchedule { .. } => {
            let known: Vec<String> = match target {
                Target::Team(_) => config.team_names().map(str::to_string).collect(),
                Target::Escalation(_) => config.escalation_names().map(str::to_string).collect(),
                Target::Schedule(_) => config.schedule_names().map(str::to_string).collect(),
                Target::User(_) => config.declared_usernames().map(str::to_string).collect(),
            };
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            Fail::line(format!("{}: {e} (known: {known})", flag(target)))
        }
        Error::InvalidArgument { what, message } | Error::InvalidTime { what, message }
            if what.starts_with("events[") =>
        {
            let what = rename(what.clone());
            // From a flag (`--ack-at`): a usage error; from the --events file: invalid input.
            if what.starts_with("--") {
                Fail::usage(format!("{}: {message}", what.trim_end_matches(".at")))
            } else {
                Fail::line(format!("{what}: {message}"))
            }
        }
        Error::Invalid(_) => Fail::lines(lines("alert", &e).into_iter().map(rename).collect()),
        _ => Fail::line(rename(format!("oncall: {e}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Text output.

/// `+0:00`, `+1:05`, `+26:10`, `-0:05`: the time since the alert was created.
fn offset(secs: i64) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let s = secs.unsigned_abs();
    if s.is_multiple_of(60) {
        format!("{sign}{}:{:02}", s / 3600, s % 3600 / 60)
    } else {
        format!("{sign}{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

fn clock(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%a %H:%M %Z").to_string()
}

/// The chain that caused a notification, innermost first: `← rule 1 of checkout_escalation
/// (schedule checkout-primary, default) ← routing rule 4 "default" of team checkout`.
fn chain(via: &[Hop]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = via.len();
    while i > 0 {
        i -= 1;
        let part = match &via[i] {
            Hop::Schedule { name, notify_type } => {
                // Folded into the escalation rule before it when there is one.
                if let Some(Hop::Escalation { .. }) = i.checked_sub(1).and_then(|j| via.get(j)) {
                    let what = format!("schedule {name}, {notify_type}");
                    i -= 1;
                    escalation(&via[i], &what)
                } else {
                    format!("schedule {name} ({notify_type})")
                }
            }
            Hop::Team { name, notify_type } => {
                if let Some(Hop::Escalation { .. }) = i.checked_sub(1).and_then(|j| via.get(j)) {
                    let what = format!("team {name}, {notify_type}");
                    i -= 1;
                    escalation(&via[i], &what)
                } else {
                    format!("team {name} ({notify_type})")
                }
            }
            h @ Hop::Escalation { .. } => escalation(h, ""),
            Hop::Routing { team, rule_index, rule_name } => match (rule_index, rule_name) {
                (Some(k), Some(n)) => format!("routing rule {} {n:?} of team {team}", k + 1),
                (Some(k), None) => format!("routing rule {} of team {team}", k + 1),
                (None, _) => format!("team {team}'s default target"),
            },
            Hop::GapFallback { schedule } => format!("onGap fallback for the gap in schedule {schedule}"),
            Hop::Event { action, user } => match user {
                Some(u) => format!("{action} by {u}"),
                None => action.clone(),
            },
        };
        parts.push(part);
    }
    parts.iter().map(|p| format!("← {p}")).collect::<Vec<_>>().join(" ")
}

fn escalation(h: &Hop, what: &str) -> String {
    let Hop::Escalation { name, rule_index, cycle, escalated_to_next, .. } = h else { return String::new() };
    let mut s = format!("rule {} of {name}", rule_index + 1);
    if !what.is_empty() {
        let _ = write!(s, " ({what})");
    }
    if *cycle > 0 {
        let _ = write!(s, ", repeat {cycle}");
    }
    if *escalated_to_next {
        s.push_str(", escalated to next");
    }
    s
}

fn tag(kind: LogKind) -> &'static str {
    match kind {
        LogKind::RuleFired => "RULE",
        LogKind::RuleSkipped => "SKIP",
        LogKind::StepCancelled => "CANCEL",
        LogKind::NotNotified => "QUIET",
        LogKind::GapPolicy => "GAP",
        _ => "EVENT",
    }
}

/// The timeline for people: one line per entry, local times in `tz`, offsets from creation;
/// names and messages from the configuration with control characters escaped.
pub fn text(tl: &EscalationTimeline, tz: Tz) -> String {
    let a = &tl.alert;
    let created = a.created_at;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Alert {} {:?} ({}) for {} {}, created {} ({})",
        a.tiny_id,
        a.message,
        a.priority,
        tl.target.kind,
        clean(&tl.target.name),
        created.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z"),
        format_instant(created)
    );
    if let Some(r) = &tl.routing {
        let to = match &r.notify.name {
            Some(n) => format!("{} {n}", r.notify.kind),
            None if r.notify.kind == "members" => "every member".to_string(),
            None => "no one".to_string(),
        };
        let by = match (r.rule_index, &r.rule_name) {
            (Some(k), Some(n)) => format!("rule {} {n:?}", k + 1),
            (Some(k), None) => format!("rule {}", k + 1),
            (None, _) => r.fallback.clone().unwrap_or_default(),
        };
        let _ = writeln!(out, "{}", clean(&format!("Routing: {by} → {to}")));
        for s in &r.skipped {
            let name = s.rule_name.as_ref().map(|n| format!(" {n:?}")).unwrap_or_default();
            let _ = writeln!(out, "{}", clean(&format!("  skipped rule {}{name}: {}", s.rule_index + 1, s.reason)));
        }
    }
    out.push('\n');
    let mut rows: Vec<Vec<String>> = Vec::new();
    for e in tl.entries() {
        let at = e.at();
        let mut row = vec![offset((at - created).num_seconds()), clock(tz, at)];
        match e {
            Entry::Notification(n) => {
                row.push("SEND".into());
                let fwd = n.forwarded_from.as_ref().map(|f| format!(" (forwarded from {f})")).unwrap_or_default();
                let rule = if n.notification_rule.default {
                    "default rule".to_string()
                } else {
                    format!("{:?} step {}", n.notification_rule.name, n.notification_rule.step + 1)
                };
                let lp = if n.notification_rule.loop_index > 0 {
                    format!(", loop {}", n.notification_rule.loop_index)
                } else {
                    String::new()
                };
                row.push(format!(
                    "{} {} → {}{fwd}  [{}, {rule}{lp}]  {}",
                    n.method,
                    n.user,
                    n.to,
                    n.action_type,
                    chain(&n.via)
                ));
            }
            Entry::Unreached(u) => {
                row.push("MISSED".into());
                row.push(format!("{}  {}", u.message, chain(&u.via)).trim_end().to_string());
            }
            Entry::Log(l) => {
                row.push(tag(l.kind).into());
                row.push(l.message.clone());
            }
        }
        rows.push(row);
    }
    out.push_str(&crate::text::table(&rows, "  "));
    out.push('\n');
    let by = |who: &Option<String>, ms: Option<i64>| {
        let mut s = who.as_ref().map(|u| format!(" by {u}")).unwrap_or_default();
        if let Some(ms) = ms {
            let _ = write!(s, " at {}", offset(ms / 1000));
        }
        s
    };
    let mut state = Vec::new();
    if a.is_open() {
        state.push("open".to_string());
    } else {
        state.push(format!("closed{}", by(&a.report.closed_by, a.report.close_time)));
    }
    if a.acknowledged {
        state.push(format!("acknowledged{}", by(&a.report.acknowledged_by, a.report.ack_time)));
    } else {
        state.push("not acknowledged".into());
    }
    if let Some(u) = a.snoozed_until {
        state.push(format!("snoozed until {}", clock(tz, u)));
    }
    if let Some(o) = &a.owner {
        state.push(format!("owner {o}"));
    }
    state.push(format!("count {}", a.count));
    let _ = writeln!(out, "{}", clean(&format!("Final state: {}", state.join(", "))));
    let _ = writeln!(
        out,
        "{} notification{}, {} unreached",
        tl.notifications.len(),
        if tl.notifications.len() == 1 { "" } else { "s" },
        tl.unreached.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(offset(0), "+0:00");
        assert_eq!(offset(65 * 60), "+1:05");
        assert_eq!(offset(26 * 3600 + 600), "+26:10");
        assert_eq!(offset(90), "+0:01:30");
    }
}
