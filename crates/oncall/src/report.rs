//! `oncall report` (the analysis of a schedule over a window) and the instant of `oncall check`'s
//! time-based warnings.
//!
//! Formatting only: every number comes from the core's [`Analysis`].

use crate::text::{duration, local, table};
use crate::{Fail, Res, arg_error, end_time_arg, json, schedule, time_arg};
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use oncall_core::analysis::{Analysis, Interval, NIGHT_END_HOUR, NIGHT_START_HOUR, ZoneSource};
use oncall_core::pay::{PayReport, Spread};
use oncall_core::time::{Edge, format_instant, parse_instant};
use oncall_core::{Config, IntervalUnit, Problem, Schedule};
use std::fmt::Write;
use std::path::PathBuf;

/// The most gaps the text report lists (the JSON report lists all).
const MAX_GAPS_SHOWN: usize = 20;

/// Arguments of `oncall report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml; `-` reads JSON from stdin).
    config: PathBuf,
    /// Schedule name (or id).
    #[arg(long)]
    schedule: String,
    /// Window start.
    #[arg(long, default_value = "now")]
    from: String,
    /// Window end, exclusive [default: four weeks after --from, in the schedule zone].
    #[arg(long)]
    to: Option<String>,
    /// Output format (csv: the pay lines for payroll).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    #[command(flatten)]
    holidays: crate::HolidayArgs,
}

/// The formats of `oncall report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Csv,
}

/// `oncall report`.
pub fn run(a: &ReportArgs, out: &mut String) -> Res<()> {
    let config = crate::load_with(&a.config, &a.holidays)?;
    let s = schedule(&config, &a.schedule)?;
    let from = time_arg(&s, "from", &a.from)?;
    let to = match &a.to {
        Some(to) => end_time_arg(&s, "to", to)?,
        None => s.interval_end(from, 4, IntervalUnit::Weeks).map_err(|e| arg_error("from", &e))?,
    };
    let report = s.pay_report(from, to).map_err(|e| match &e {
        oncall_core::Error::InvalidArgument { what, .. } | oncall_core::Error::InvalidTime { what, .. } => {
            arg_error(what, &e)
        }
        _ => Fail::line(format!("oncall: {e}")),
    })?;
    match a.format {
        ReportFormat::Json => json(&report, out),
        ReportFormat::Text => {
            out.push_str(&text(&s, &report.analysis));
            out.push_str(&fairness_text(&report));
            if config.has_pay_rules() {
                out.push_str(&pay_text(&report));
            }
            Ok(())
        }
        ReportFormat::Csv => {
            out.push_str(&csv(&report));
            Ok(())
        }
    }
}

/// The fairness view as text: the spread of each measure among the report's users.
fn fairness_text(r: &PayReport) -> String {
    let f = &r.fairness;
    let mut out = format!("\nfairness among {} people\n", f.users.len());
    let row = |name: &str, s: &Spread| {
        [
            name.to_string(),
            format!("{:.1}", s.min),
            format!("{:.1}", s.max),
            format!("{:.1}", s.range),
            format!("{:.1}", s.mean),
            format!("{:.1}", s.std_dev),
        ]
        .to_vec()
    };
    let rows = vec![
        ["MEASURE", "MIN", "MAX", "RANGE", "MEAN", "STD DEV"].map(String::from).to_vec(),
        row("hours", &f.spread.on_call),
        row("night hours", &f.spread.night),
        row("weekend hours", &f.spread.weekend),
        row("holiday hours", &f.spread.holiday),
        row("shifts", &f.spread.shifts),
    ];
    out.push_str(&right_aligned(&rows, &[1, 2, 3, 4, 5]));
    out
}

/// The pay as text: one line per user and band, the minimums, the totals, the unpaid.
fn pay_text(r: &PayReport) -> String {
    let p = &r.pay;
    let mut out = String::from("\npay (rounded once per line; totals are the sums of the lines)\n");
    if p.users.is_empty() {
        out.push_str("nobody is paid in this window\n");
    } else {
        let mut rows = vec![["USER", "RULE", "BAND", "RATE/H", "HOURS", "AMOUNT", ""].map(String::from).to_vec()];
        for u in &p.users {
            for l in &u.lines {
                rows.push(vec![
                    u.username.clone(),
                    u.rule.clone(),
                    l.band.clone(),
                    l.rate.clone(),
                    l.hours.clone(),
                    l.amount.clone(),
                    u.currency.clone(),
                ]);
            }
            if let Some(m) = &u.minimum {
                let band = format!("minimum ({} shift{})", m.shifts, if m.shifts == 1 { "" } else { "s" });
                let hours =
                    if m.seconds > 0 { format!("+{}", oncall_core::pay::hours_text(m.seconds)) } else { String::new() };
                rows.push(vec![
                    u.username.clone(),
                    u.rule.clone(),
                    band,
                    String::new(),
                    hours,
                    m.amount.clone(),
                    u.currency.clone(),
                ]);
            }
            rows.push(vec![
                u.username.clone(),
                u.rule.clone(),
                "total".into(),
                String::new(),
                oncall_core::pay::hours_text(u.seconds),
                u.amount.clone(),
                u.currency.clone(),
            ]);
        }
        out.push_str(&right_aligned(&rows, &[3, 4, 5]));
        out.push('\n');
        let mut rows = vec![["CURRENCY", "HOURS", "TOTAL"].map(String::from).to_vec()];
        for t in &p.totals {
            rows.push(vec![t.currency.clone(), oncall_core::pay::hours_text(t.seconds), t.amount.clone()]);
        }
        out.push_str(&right_aligned(&rows, &[1, 2]));
    }
    if !p.unpaid.is_empty() {
        let list: Vec<String> =
            p.unpaid.iter().map(|u| format!("{} ({} h)", crate::text::clean(&u.username), hours(u.seconds))).collect();
        let _ = writeln!(out, "\nno pay rule covers: {}", list.join(", "));
    }
    out
}

/// The CSV header of `oncall report --format csv`.
pub const CSV_HEADER: &str =
    "period_start,period_end,schedule,user,rule,currency,band,rate_per_hour,seconds,hours,amount,amount_minor";

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a field a
/// spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return)
/// gets a leading `'`.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// The payroll CSV: one line per user per band with time in it, then the user's minimum line,
/// users by username; unpaid users as band `unpaid` with no rule and no amount. CRLF line ends.
fn csv(r: &PayReport) -> String {
    let a = &r.analysis;
    let (start, end) = (format_instant(a.start_date), format_instant(a.end_date));
    let schedule = &a.parent.name;
    let mut out = format!("{CSV_HEADER}\r\n");
    let mut line = |cells: [&str; 9]| {
        let mut row = vec![field(&start), field(&end), field(schedule)];
        row.extend(cells.iter().map(|c| field(c)));
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    };
    for u in &r.pay.users {
        for l in &u.lines {
            let (secs, minor) = (l.seconds.to_string(), l.amount_minor.to_string());
            line([&u.username, &u.rule, &u.currency, &l.band, &l.rate, &secs, &l.hours, &l.amount, &minor]);
        }
        if let Some(m) = &u.minimum {
            let (secs, minor) = (m.seconds.to_string(), m.amount_minor.to_string());
            let hours = oncall_core::pay::hours_text(m.seconds);
            line([&u.username, &u.rule, &u.currency, "minimum", "", &secs, &hours, &m.amount, &minor]);
        }
    }
    for u in &r.pay.unpaid {
        let secs = u.seconds.to_string();
        let hours = oncall_core::pay::hours_text(u.seconds);
        line([&u.username, "", "", "unpaid", "", &secs, &hours, "", ""]);
    }
    out
}

/// The warnings of `oncall check` as of `--at` (`now`, RFC 3339, or a naive time read in UTC).
pub fn lints(config: &Config, at: &str) -> Res<Vec<Problem>> {
    let at: DateTime<Utc> = if at.trim().eq_ignore_ascii_case("now") {
        crate::now()
    } else {
        parse_instant(at, chrono_tz::Tz::UTC, Edge::Start).map_err(|m| Fail::usage(format!("--at: {m}")))?
    };
    Ok(config.lint(at))
}

fn hours(secs: i64) -> String {
    format!("{:.1}", secs as f64 / 3600.0)
}

fn span(i: &Option<Interval>) -> String {
    i.as_ref().map_or_else(|| "-".to_string(), |i| duration(i.seconds))
}

/// The text report: a summary, a table of users (busiest first), and the gaps in local time.
pub fn text(s: &Schedule<'_>, a: &Analysis) -> String {
    let tz = s.timezone();
    let mut out = format!(
        "{} ({}): {} to {} ({})\n\n",
        crate::text::clean(s.name()),
        tz.name(),
        local(tz, a.start_date),
        local(tz, a.end_date),
        duration(a.window_seconds)
    );
    let gaps = match a.gaps.len() {
        0 => "no gaps".to_string(),
        1 => format!("{} uncovered in 1 gap", duration(a.gap_seconds)),
        n => format!("{} uncovered in {n} gaps", duration(a.gap_seconds)),
    };
    let summary = vec![
        vec!["coverage".to_string(), format!("{:.1}% ({gaps})", a.coverage)],
        vec!["hand-offs".to_string(), format!("{} ({} changes of the on-call set)", a.handoffs, a.changes)],
        vec!["balance".to_string(), format!("{:.1} / 100", a.balance)],
    ];
    out.push_str(&table(&summary, ""));
    out.push('\n');
    if a.users.is_empty() {
        out.push_str("nobody is on call in this window\n");
    } else {
        let mut users: Vec<_> = a.users.iter().collect();
        users.sort_by(|x, y| y.on_call_seconds.cmp(&x.on_call_seconds).then_with(|| x.username.cmp(&y.username)));
        let night = format!("NIGHT {NIGHT_START_HOUR:02}-{NIGHT_END_HOUR:02}");
        let mut rows = vec![
            ["USER", "HOURS", night.as_str(), "WEEKEND", "STRETCHES", "LONGEST", "SHORTEST REST", "ZONE"]
                .map(String::from)
                .to_vec(),
        ];
        for u in users {
            rows.push(vec![
                u.username.clone(),
                hours(u.on_call_seconds),
                hours(u.night_seconds),
                hours(u.weekend_seconds),
                u.stretches.to_string(),
                span(&u.longest_stretch),
                span(&u.shortest_rest),
                match u.timezone_source {
                    ZoneSource::User => u.timezone.clone(),
                    ZoneSource::Schedule => format!("{} (schedule)", u.timezone),
                },
            ]);
        }
        out.push_str(&right_aligned(&rows, &[1, 2, 3, 4]));
    }
    if !a.gaps.is_empty() {
        out.push_str("\ngaps (nobody on call)\n");
        let mut rows = vec![["FROM", "TO", "DURATION"].map(String::from).to_vec()];
        for g in a.gaps.iter().take(MAX_GAPS_SHOWN) {
            rows.push(vec![local(tz, g.start_date), local(tz, g.end_date), duration(g.seconds)]);
        }
        out.push_str(&table(&rows, "  "));
        if a.gaps.len() > MAX_GAPS_SHOWN {
            let _ = writeln!(out, "  … and {} more (--format json lists them all)", a.gaps.len() - MAX_GAPS_SHOWN);
        }
    }
    let _ = writeln!(
        out,
        "\nhours on call in the final schedule from {} to {}; night is {NIGHT_START_HOUR:02}:00-{NIGHT_END_HOUR:02}:00 \
         and weekend Saturday-Sunday, local time in each user's ZONE (the schedule's, {}, for users without one)",
        format_instant(a.start_date),
        format_instant(a.end_date),
        tz.name()
    );
    out
}

/// A table whose `numeric` columns are right-aligned (their headers too).
fn right_aligned(rows: &[Vec<String>], numeric: &[usize]) -> String {
    let mut rows = rows.to_vec();
    for &c in numeric {
        let width = rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0);
        for r in &mut rows {
            if let Some(cell) = r.get_mut(c) {
                *cell = format!("{cell:>width$}");
            }
        }
    }
    table(&rows, "")
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("ann@example.com"), "ann@example.com");
        assert_eq!(field("Smith, Ann"), "\"Smith, Ann\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@ops"), "'@ops");
        assert_eq!(field("a\nb"), "\"a\nb\"");
    }
}
