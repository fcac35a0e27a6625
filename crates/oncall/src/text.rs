//! Text output for people: aligned tables, local times in the schedule's zone.
//!
//! Formatting only; every fact printed comes from the core's answer.

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use oncall_core::Schedule;
use oncall_core::output::{
    Handoff, Handoffs, Kind, Layer, NextOnCall, OnCall, Participant, PeriodType, Source, Timeline, printable,
};
use oncall_core::provenance::{Origin, ShiftSource};
use oncall_core::time::format_instant;
use std::fmt::Write;

/// The marker of an empty segment.
pub const GAP: &str = "— gap —";

/// A local time for people: `Tue 2026-11-10 09:00 CET` (seconds only when there are some).
pub fn local(tz: Tz, t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&tz);
    if l.second() == 0 {
        l.format("%a %Y-%m-%d %H:%M %Z").to_string()
    } else {
        l.format("%a %Y-%m-%d %H:%M:%S %Z").to_string()
    }
}

/// A duration for people: `45m`, `9h`, `1d 15h`, `2d 1h 30m`.
pub fn duration(secs: i64) -> String {
    if secs <= 0 {
        return "0m".to_string();
    }
    let (d, h, m, s) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60, secs % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    parts.join(" ")
}

/// Text from the configuration (a name) safe for a terminal: control characters escaped (see
/// [`printable`]).
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    printable(text)
}

/// Rows as aligned columns (every column but the last padded), each line prefixed with `indent`.
/// Cells are one line each: control characters in them are escaped.
pub fn table(rows: &[Vec<String>], indent: &str) -> String {
    let rows: Vec<Vec<std::borrow::Cow<'_, str>>> = rows.iter().map(|r| r.iter().map(|c| clean(c)).collect()).collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn header(s: &Schedule<'_>) -> String {
    let tz = s.timezone();
    if s.enabled() {
        format!("{} ({})", clean(s.name()), tz.name())
    } else {
        format!("{} ({}, disabled: escalations to it notify nobody)", clean(s.name()), tz.name())
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `ok: 2 schedules, 3 rotations, 5 users, …`
pub fn check_summary(d: &oncall_core::config::Document, warnings: usize) -> String {
    let rotations: usize = d.schedules.iter().map(|s| s.rotations.len()).sum();
    let overrides: usize = d.schedules.iter().map(|s| s.overrides.len()).sum();
    let mut parts =
        vec![plural(d.schedules.len(), "schedule", "schedules"), plural(rotations, "rotation", "rotations")];
    if overrides > 0 {
        parts.push(plural(overrides, "override", "overrides"));
    }
    match &d.users {
        Some(users) => parts.push(plural(users.len(), "user", "users")),
        None => parts.push("users not declared".to_string()),
    }
    for (n, one, many) in [
        (d.teams.len(), "team", "teams"),
        (d.escalations.len(), "escalation", "escalations"),
        (d.forwarding_rules.len(), "forwarding rule", "forwarding rules"),
    ] {
        if n > 0 {
            parts.push(plural(n, one, many));
        }
    }
    if warnings > 0 {
        parts.push(plural(warnings, "warning", "warnings"));
    }
    format!("ok: {}\n", parts.join(", "))
}

/// A participant on one line, without its nested participants (raw: [`table`] and [`tree`]
/// escape it).
fn label(p: &Participant) -> String {
    let mut s = match p.kind {
        Kind::User => p.name.clone(),
        Kind::Team => format!("team {}", p.name),
        Kind::Escalation => format!("escalation {}", p.name),
        Kind::Schedule => format!("schedule {}", p.name),
        Kind::None => "(nobody)".to_string(),
    };
    if let Some(from) = &p.forwarded_from {
        let _ = write!(s, " (forwarded from {})", from.name);
    }
    if let Some(minutes) = p.escalation_time {
        let _ = write!(s, "  [after {minutes} min");
        if let Some(notify) = &p.notify_type {
            let _ = write!(s, ", notify {notify}");
        }
        s.push(']');
    } else if let Some(notify) = &p.notify_type {
        let _ = write!(s, "  [notify {notify}]");
    }
    s
}

/// A participant and, indented beneath it, whom it reaches.
fn tree(p: &Participant, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth + 1);
    let _ = writeln!(out, "{indent}{}", clean(&label(p)));
    if let Some(children) = &p.on_call_participants {
        if children.is_empty() {
            let _ = writeln!(out, "{indent}  (nobody)");
        }
        for c in children {
            tree(c, depth + 1, out);
        }
    }
}

/// Where a participant comes from, for people: `rotation business-hours, override alice-covers`.
fn from_label(sources: &[&Source]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for src in sources {
        let part = match (&src.rotation, &src.via_override) {
            (Some(r), Some(o)) => format!("rotation {}, override {}", clean(r), clean(o)),
            (Some(r), None) => match src.change {
                // The roster version of the turn (docs/rules.md, roster changes).
                Some(i) => format!("rotation {} (changes[{i}])", clean(r)),
                None => format!("rotation {}", clean(r)),
            },
            (None, Some(o)) => format!("override {} (whole schedule)", clean(o)),
            (None, None) => continue,
        };
        let part = match &src.reassigned {
            Some(r) => format!("{part}, {}", reassigned(r)),
            None => part,
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    format!("  ← {}", parts.join("; "))
}

/// Why time off changed a shift: `reassigned by time off (skip: bob away, vacation)`.
fn reassigned(r: &oncall_core::timeoff::Reassigned) -> String {
    let absent: Vec<String> = r.absent.iter().map(|a| clean(a).into_owned()).collect();
    let why = r.reason.as_deref().map_or(String::new(), |w| format!(", {}", clean(w)));
    format!("reassigned by time off ({}: {} away{why})", r.policy.as_str(), absent.join(", "))
}

/// The on-call set with where each one comes from: nested (teams and escalations beneath), or
/// flat (usernames, each with the rotations that reach it).
fn sourced(sources: &[Source], flat: bool, out: &mut String) {
    if flat {
        let mut seen: Vec<(String, Vec<&Source>)> = Vec::new();
        for src in sources {
            for name in src.participant.usernames() {
                match seen.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, list)) => list.push(src),
                    None => seen.push((name, vec![src])),
                }
            }
        }
        for (name, list) in seen {
            let _ = writeln!(out, "  {}{}", clean(&name), from_label(&list));
        }
        return;
    }
    let mut seen: Vec<(&Participant, Vec<&Source>)> = Vec::new();
    for src in sources {
        match seen.iter_mut().find(|(p, _)| **p == src.participant) {
            Some((_, list)) => list.push(src),
            None => seen.push((&src.participant, vec![src])),
        }
    }
    for (p, list) in seen {
        let _ = writeln!(out, "  {}{}", clean(&label(p)), from_label(&list));
        for c in p.on_call_participants.iter().flatten() {
            tree(c, 1, out);
        }
        if p.on_call_participants.as_ref().is_some_and(Vec::is_empty) {
            out.push_str("    (nobody)\n");
        }
    }
}

/// `oncall who`: who is on call, and from which rotation (or override) each one comes.
pub fn who(s: &Schedule<'_>, at: DateTime<Utc>, answer: &OnCall, sources: &[Source], flat: bool) -> String {
    let tz = s.timezone();
    let mut out = format!("{} at {} ({})\n", header(s), local(tz, at), format_instant(at));
    let recipients = answer.flat().on_call_recipients;
    if answer.on_call_participants.is_empty() || (flat && recipients.is_empty()) {
        out.push_str("  nobody is on call\n");
    } else {
        sourced(sources, flat, &mut out);
    }
    out
}

/// `oncall next`: the next change of the on-call set (with where each one comes from then), and
/// each rotation's next shift with its rotation and hand-off.
pub fn next(
    s: &Schedule<'_>,
    at: DateTime<Utc>,
    answer: &NextOnCall,
    then: &[Source],
    shifts: &[(String, Handoff)],
    flat: bool,
) -> String {
    let tz = s.timezone();
    let mut out = format!("{} at {} ({})\n", header(s), local(tz, at), format_instant(at));
    match answer.exact_next_on_call_at {
        None => match answer.searched_until {
            None => out.push_str("no change ahead: nothing the schedule depends on changes again\n"),
            Some(u) => {
                let _ = writeln!(
                    out,
                    "no change before {} ({}): the search stopped there",
                    local(tz, u),
                    format_instant(u)
                );
            }
        },
        Some(t) => {
            let _ = writeln!(out, "next change: {} ({})", local(tz, t), format_instant(t));
            out.push_str("on call from then:\n");
            if answer.exact_next_on_call_recipients.is_empty() {
                out.push_str("  nobody\n");
            } else {
                sourced(then, flat, &mut out);
            }
        }
    }
    out.push_str("next shift of each rotation:\n");
    if shifts.is_empty() {
        out.push_str("  nobody\n");
    } else {
        let mut rows = vec![vec!["ROTATION".to_string(), "FROM (local)".to_string(), "WHO".to_string()]];
        for (rotation, h) in shifts {
            let who = if flat {
                let names = h.participant.usernames();
                if names.is_empty() { "(nobody)".to_string() } else { names.join(", ") }
            } else {
                label(&h.participant)
            };
            let mut row = vec![rotation.clone(), local(tz, h.at), who];
            if h.in_excluded_hours {
                row.push(match h.on_call_from {
                    Some(t) => format!("(in excluded hours: on call from {})", local(tz, t)),
                    None => "(in excluded hours: no window in this shift)".to_string(),
                });
            }
            rows.push(row);
        }
        out.push_str(&table(&rows, "  "));
    }
    out
}

/// `oncall handoffs`.
pub fn handoffs(s: &Schedule<'_>, from: DateTime<Utc>, answer: &Handoffs) -> String {
    let tz = s.timezone();
    let mut out =
        format!("{}: hand-offs of rotation {} after {}\n", header(s), clean(&answer.rotation), local(tz, from));
    if answer.handoffs.is_empty() {
        out.push_str("  no hand-offs ahead\n");
        return out;
    }
    let mut rows = vec![vec!["WHEN (local)".to_string(), "UTC".to_string(), "WHO".to_string()]];
    let mut excluded = false;
    let versions = answer.handoffs.iter().any(|h| h.change.is_some());
    for h in &answer.handoffs {
        let mut row = vec![local(tz, h.at), format_instant(h.at), label(&h.participant)];
        if versions {
            // Which roster version the turn belongs to: `changes[i]`, or the rotation as written.
            row.push(h.change.map_or("as written".to_string(), |i| format!("changes[{i}]")));
        }
        if h.in_excluded_hours {
            excluded = true;
            row.push(match h.on_call_from {
                Some(t) => format!("in excluded hours: on call from {}", local(tz, t)),
                None => "in excluded hours: no window in this shift, the turn passes".to_string(),
            });
        }
        rows.push(row);
    }
    if versions {
        rows[0].push("VERSION".to_string());
    }
    if excluded {
        rows[0].push("NOTE".to_string());
    }
    out.push_str(&table(&rows, "  "));
    out
}

/// `oncall timeline`: the final schedule, then each layer's periods per rotation.
pub fn timeline(s: &Schedule<'_>, answer: &Timeline) -> String {
    let tz = s.timezone();
    let mut out = format!(
        "{}: {} to {} ({} to {})\n\nfinal schedule\n",
        header(s),
        local(tz, answer.start_date),
        local(tz, answer.end_date),
        format_instant(answer.start_date),
        format_instant(answer.end_date)
    );
    let with_sources = answer.final_schedule.iter().any(|g| g.sources.is_some());
    let mut rows = vec![["FROM", "TO", "DURATION", "ON CALL"].map(String::from).to_vec()];
    if with_sources {
        rows[0].push("SOURCE".into());
    }
    for seg in &answer.final_schedule {
        let who = if seg.recipients.is_empty() { GAP.to_string() } else { seg.recipients.join(", ") };
        let mut row = vec![
            local(tz, seg.start_date),
            local(tz, seg.end_date),
            duration((seg.end_date - seg.start_date).num_seconds()),
            who,
        ];
        if let Some(sources) = &seg.sources {
            row.push(sources.iter().map(source_label).collect::<Vec<_>>().join("; "));
        }
        rows.push(row);
    }
    out.push_str(&table(&rows, "  "));
    let layers = [
        ("final timeline", Some(&answer.final_timeline)),
        ("base timeline", answer.base_timeline.as_ref()),
        ("override timeline", answer.override_timeline.as_ref()),
        ("forwarding timeline", answer.forwarding_timeline.as_ref()),
    ];
    for (title, layer) in layers {
        if let Some(layer) = layer {
            let _ = write!(out, "\n{title}\n");
            layer_table(tz, layer, &mut out);
        }
    }
    if !answer.time_off.is_empty() {
        out.push_str("\nshifts changed by time off\n");
        let mut rows = vec![["ROTATION", "FROM", "TO", "ON CALL", "WHY"].map(String::from).to_vec()];
        for c in &answer.time_off {
            rows.push(vec![
                clean(&c.rotation).into_owned(),
                local(tz, c.start_date),
                local(tz, c.end_date),
                c.participant.as_deref().map_or(GAP.to_string(), |p| clean(p).into_owned()),
                reassigned(&c.reassigned),
            ]);
        }
        out.push_str(&table(&rows, "  "));
    }
    if !answer.away.is_empty() {
        out.push_str("\naway\n");
        let mut rows = vec![["WHO", "FROM", "TO", "REASON"].map(String::from).to_vec()];
        for a in &answer.away {
            let who = match (&a.user, &a.rotation) {
                (Some(u), _) => clean(u).into_owned(),
                (None, Some(r)) => format!("rotation {} (closed)", clean(r)),
                (None, None) => String::new(),
            };
            let reason = a.reason.as_deref().map_or(String::new(), |r| clean(r).into_owned());
            rows.push(vec![who, local(tz, a.start_date), local(tz, a.end_date), reason]);
        }
        out.push_str(&table(&rows, "  "));
    }
    out
}

/// Where one participant of a segment comes from, for people: `ann: rotation day turn 3`,
/// `cat: override ben-sick (rotation day turn 1)`, `dan: rotation day turn 0, forwarded from ann
/// (forwarding rule 1)`. Rotation turns and rules count from 0 as in JSON; rules are shown from 1.
pub fn source_label(src: &ShiftSource) -> String {
    let mut label = match &src.origin {
        Origin::Rotation { rotation, turn } => format!("{}: rotation {} turn {turn}", src.recipient, rotation),
        Origin::Override { name, rotation: Some(r), turn } => {
            let turn = turn.map(|k| format!(" turn {k}")).unwrap_or_default();
            format!("{}: override {name} (rotation {r}{turn})", src.recipient)
        }
        Origin::Override { name, rotation: None, .. } => format!("{}: override {name} (whole schedule)", src.recipient),
        Origin::TimeOff { rotation, turn, reassigned: r } => {
            let entry = match (&r.time_off, &r.holiday) {
                (Some(i), _) => format!(", time off {}", i + 1),
                (None, Some(h)) => format!(", holiday calendar {h}"),
                (None, None) => String::new(),
            };
            let reason = r.reason.as_ref().map(|x| format!(": {x}")).unwrap_or_default();
            format!(
                "{}: rotation {rotation} turn {turn}, time off {} ({} absent{entry}{reason})",
                src.recipient,
                r.policy.as_str(),
                r.absent.join(", ")
            )
        }
        other => format!("{}: {other:?}", src.recipient),
    };
    for f in &src.forwarded {
        let _ = write!(label, ", forwarded from {} (forwarding rule {})", f.from, f.rule + 1);
    }
    label
}

fn layer_table(tz: Tz, layer: &Layer, out: &mut String) {
    if layer.rotations.is_empty() {
        out.push_str("  (no rotations)\n");
    }
    for r in &layer.rotations {
        let _ = writeln!(out, "  {}", clean(&r.name));
        if r.periods.is_empty() {
            out.push_str("    (nobody in this window)\n");
            continue;
        }
        let sourced = r.periods.iter().any(|p| p.source.is_some());
        let mut rows = vec![["TYPE", "FROM", "TO", "RECIPIENT"].map(String::from).to_vec()];
        if sourced {
            rows[0].push("SOURCE".into());
        }
        for p in &r.periods {
            let kind = match p.kind {
                PeriodType::Default => "default",
                PeriodType::Override => "override",
                PeriodType::Forwarding => "forwarding",
            };
            let mut who = label(&p.recipient);
            if let Some(from) = &p.from_user {
                let _ = write!(who, " (forwarded from {from})");
            }
            let mut row = vec![kind.to_string(), local(tz, p.start_date), local(tz, p.end_date), who];
            if sourced {
                row.push(p.source.as_ref().map(source_label).unwrap_or_default());
            }
            rows.push(row);
        }
        out.push_str(&table(&rows, "    "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0m");
        assert_eq!(duration(45 * 60), "45m");
        assert_eq!(duration(9 * 3600), "9h");
        assert_eq!(duration(86_400 + 15 * 3600), "1d 15h");
        assert_eq!(duration(2 * 86_400 + 3600 + 1800 + 5), "2d 1h 30m 5s");
    }

    #[test]
    fn tables_align_by_characters() {
        let rows = vec![vec!["A".to_string(), "B".to_string()], vec![GAP.to_string(), "x".to_string()]];
        assert_eq!(table(&rows, ""), "A        B\n— gap —  x\n");
    }

    #[test]
    fn local_times() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let t: DateTime<Utc> = "2026-11-10T08:00:00Z".parse().unwrap();
        assert_eq!(local(tz, t), "Tue 2026-11-10 09:00 CET");
        let t: DateTime<Utc> = "2026-07-10T08:00:30Z".parse().unwrap();
        assert_eq!(local(tz, t), "Fri 2026-07-10 10:00:30 CEST");
    }
}
