//! `oncall diff`: where a schedule's final on-call set differs between two configurations, and
//! the hours each user gains and loses (the core's `oncall_core::diff`).

use crate::text::{GAP, clean, duration, local, table};
use crate::{Fail, Format, Res, end_time_arg, json, query_error, time_arg};
use clap::Args;
use oncall_core::diff::{Presence, ScheduleDiff};
use std::fmt::Write;
use std::path::PathBuf;

/// The exit status of `--exit-code` when the schedules differ (1 and 2 mean invalid input and
/// usage error).
pub const DIFFERENT: u8 = 3;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The configuration before the change (JSON, or YAML when it ends in .yaml/.yml).
    old: PathBuf,
    /// The configuration after the change.
    new: PathBuf,
    /// Schedule name (or id), in either configuration.
    #[arg(long)]
    schedule: String,
    /// Window start (naive times are read in NEW's zone for the schedule, else OLD's).
    #[arg(long)]
    from: String,
    /// Window end, exclusive.
    #[arg(long)]
    to: String,
    /// Exit with status 3 when the final schedules differ (0 when they do not), like `git diff
    /// --exit-code`; without it the status is 0 either way.
    #[arg(long)]
    exit_code: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Bound in both configurations alike.
    #[command(flatten)]
    holidays: crate::HolidayArgs,
}

pub fn run(a: &DiffArgs, out: &mut String) -> Res<()> {
    if a.old.as_os_str() == "-" && a.new.as_os_str() == "-" {
        return Err(Fail::usage("oncall diff: OLD and NEW cannot both be standard input"));
    }
    let (old, new) = (crate::load_with(&a.old, &a.holidays)?, crate::load_with(&a.new, &a.holidays)?);
    // Times are read in the schedule's zone: NEW's when it has the schedule, else OLD's.
    let s = match new.schedule(&a.schedule).or_else(|_| old.schedule(&a.schedule)) {
        Ok(s) => s,
        Err(e) => {
            let mut known: Vec<&str> = old.schedule_names().chain(new.schedule_names()).collect();
            known.sort_unstable();
            known.dedup();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            return Err(Fail::line(format!("--schedule: {e} in neither configuration (known: {known})")));
        }
    };
    let from = time_arg(&s, "from", &a.from)?;
    let to = end_time_arg(&s, "to", &a.to)?;
    let answer = oncall_core::diff::diff(&old, &new, &a.schedule, from, to).map_err(query_error)?;
    match a.format {
        Format::Json => json(&answer, out)?,
        Format::Text => out.push_str(&text(s.timezone(), &answer)),
    }
    if a.exit_code && !answer.is_empty() {
        return Err(Fail(Vec::new(), DIFFERENT));
    }
    Ok(())
}

fn names(list: &[String]) -> String {
    if list.is_empty() { GAP.to_string() } else { list.join(", ") }
}

/// The diff for people: a header, the changed intervals (local times in the schedule's zone),
/// and hours gained and lost per user.
fn text(tz: chrono_tz::Tz, d: &ScheduleDiff) -> String {
    let zones = match (&d.old_timezone, &d.new_timezone) {
        (Some(o), Some(n)) if o != n => format!(" (zone {o} → {n})"),
        (Some(z), _) | (_, Some(z)) => format!(" ({z})"),
        _ => String::new(),
    };
    let mut out = format!("{}{zones}: {} to {}\n", clean(&d.schedule), local(tz, d.start_date), local(tz, d.end_date));
    match d.presence {
        Presence::Both => {}
        Presence::OldOnly => out.push_str("only in OLD: NEW removes this schedule (compared with an empty one)\n"),
        Presence::NewOnly => out.push_str("only in NEW: NEW adds this schedule (compared with an empty one)\n"),
    }
    if d.is_empty() {
        out.push_str("no difference in the final schedule\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{} changed in {} {}\n",
        duration(d.changed_seconds),
        d.changes.len(),
        if d.changes.len() == 1 { "interval" } else { "intervals" }
    );
    let mut rows = vec![["FROM", "TO", "DURATION", "OLD", "NEW"].map(String::from).to_vec()];
    for c in &d.changes {
        rows.push(vec![
            local(tz, c.start_date),
            local(tz, c.end_date),
            duration((c.end_date - c.start_date).num_seconds()),
            names(&c.old),
            names(&c.new),
        ]);
    }
    out.push_str(&table(&rows, "  "));
    out.push('\n');
    out.push_str(&hours_table(&d.users, "  "));
    out
}

/// The hours gained and lost per user (`oncall diff`, and `oncall verify` for a timeline's final
/// schedule), as a table indented by `indent`.
pub fn hours_table(users: &[oncall_core::diff::UserChange], indent: &str) -> String {
    let hours = |s: i64| format!("{:.1}", s as f64 / 3600.0);
    let mut rows = vec![["USER", "GAINED H", "LOST H", "NET H"].map(String::from).to_vec()];
    for u in users {
        let net = if u.net_seconds > 0 { format!("+{}", hours(u.net_seconds)) } else { hours(u.net_seconds) };
        rows.push(vec![u.username.clone(), hours(u.gained_seconds), hours(u.lost_seconds), net]);
    }
    table(&rows, indent)
}
