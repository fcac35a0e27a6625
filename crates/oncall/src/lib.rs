//! `oncall`: the command-line tool around `oncall-core`, as a library: [`run`] is the whole
//! command (the binary only prints what it returns), so tests and fuzz targets run it in-process.
//!
//! A thin wrapper: it reads the configuration file, parses arguments, asks the core and prints
//! the answer. The JSON output is the core's answer serialized as it is; the text output and the
//! ICS calendar are formatting for people and calendars.
//!
//! Exit status: 0 on success; 1 when a file is invalid (the configuration, an `--alert` or
//! `--events` file) or does not hold what the command line names (an unknown schedule, rotation,
//! team…), or an answer exceeds a limit; 2 for a usage error: the command line itself is wrong
//! (an unknown command or flag, a missing argument, a value that cannot be read or is out of
//! range, such as `--at tomorrow` or `--count 0`); 3 only for `diff --exit-code` when the two
//! schedules differ. See docs/cli.md.

mod diff;
mod escalate;
mod opsgenie;
mod report;
mod text;

use chrono::{DateTime, Utc};
use clap::{ArgAction, ArgGroup, Args, Parser, Subcommand, ValueEnum};
use oncall_core::{Config, Error, Expand, Loaded, Problem, Schedule};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The most hand-offs `oncall handoffs` lists.
const MAX_COUNT: i64 = 10_000;
/// The largest `--interval` accepted (larger windows are refused by the core anyway).
const MAX_INTERVAL: i64 = 100_000;

#[derive(Debug, Parser)]
#[command(
    name = "oncall",
    version,
    about = "Who is on call, who is next, hand-offs and timelines of on-call schedules."
)]
#[command(after_help = "Time arguments accept RFC 3339 (2026-11-10T09:00:00Z, 2026-11-10T10:00:00+01:00), \
a naive local time read in the schedule's zone (2026-11-10T10:00, 2026-11-10) or `now`.\n\
Exit status: 0 ok, 1 invalid or unknown input (the files, the names they hold), 2 usage error (the command line, \
including a value such as --at or --count that cannot be read or is out of range).")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a configuration; print every error (exit 1) or a summary and the warnings.
    Check(CheckArgs),
    /// Who is on call.
    Who(WhoArgs),
    /// Who is next, and when the on-call set next changes.
    Next(WhoArgs),
    /// The next hand-offs of a rotation.
    Handoffs(HandoffArgs),
    /// The timeline of a schedule over a window.
    Timeline(TimelineArgs),
    /// Where a schedule's final on-call set differs between two configurations (hours gained and lost per user).
    Diff(diff::DiffArgs),
    /// Coverage gaps, hours per user (night, weekend), stretches, rest, hand-offs and balance.
    Report(report::ReportArgs),
    /// Who is notified about an alert, when, on which channel, and why (escalation timeline).
    Escalate(Box<escalate::EscalateArgs>),
    /// Build a configuration document from another tool's data (Opsgenie's saved responses or API).
    Import(opsgenie::ImportArgs),
    /// Compare the engine's answers with Opsgenie's saved answers; print every difference (exit 1 on any).
    Verify(opsgenie::VerifyArgs),
    /// Serve Opsgenie's Alert and Schedule APIs with a durable escalation runtime (SIGHUP reloads the file; until SIGINT/SIGTERM).
    Serve(ServeArgs),
}

/// Arguments of `oncall serve`.
#[derive(Debug, Args)]
struct ServeArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml).
    config: PathBuf,
    /// The database: a SQLite file (created on first start), or a PostgreSQL database
    /// (postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME, shared by any number of replicas).
    #[arg(long, default_value = "oncall.db")]
    db: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Send notifications of a contact method (email, sms, voice, mobile or *) to a webhook:
    /// METHOD=URL; repeatable. Without it, notifications are JSON lines on stdout.
    #[arg(long, value_name = "METHOD=URL")]
    deliver: Vec<String>,
}

/// `oncall serve`: runs until stopped; its notifications (without --deliver) go straight to
/// the process's stdout, its logs to stderr.
fn serve(a: &ServeArgs) -> Res<()> {
    let config = load_document(&a.config)?;
    let mut options = oncall_serve::Options::new(a.db.clone(), a.listen.clone());
    // SIGHUP re-reads the file with the same reader (JSON or YAML, the core's limits).
    let path = a.config.clone();
    options.reload = Some(oncall_serve::Reload(std::sync::Arc::new(move || load_document(&path).map_err(|f| f.0))));
    for d in &a.deliver {
        options.deliver.push(d.parse().map_err(|e: oncall_serve::Error| Fail::usage(e.to_string()))?);
    }
    if let Ok(c) = std::env::var("ONCALL_SERVE_CLOCK") {
        options.clock = oncall_serve::Clock::parse(&c)
            .ok_or_else(|| Fail::usage(format!("ONCALL_SERVE_CLOCK={c:?}: expected ANCHOR:SCALE (scale 1 to 3600)")))?;
    }
    // ONCALL_SERVE_CLOCK_SKEW_SECS, ONCALL_SERVE_LEASE_SECS, ONCALL_SERVE_IN_FLIGHT: refused
    // when set to anything outside their ranges.
    options.settings = oncall_serve::env_settings(|v| std::env::var_os(v).map(|s| s.to_string_lossy().into_owned()))
        .map_err(Fail::usage)?;
    oncall_serve::serve(config, options).map_err(|e| Fail::line(format!("oncall serve: {e}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TimelineFormat {
    Text,
    Json,
    Ics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum IntervalUnit {
    Days,
    Weeks,
    Months,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml; `-` reads JSON from stdin).
    config: PathBuf,
    /// The instant the time-based warnings look ahead from (gaps in the next 30 days, users
    /// never on call in the next 90); a naive time is read in UTC.
    #[arg(long, default_value = "now")]
    at: String,
    /// Exit with status 1 when there is any warning (for CI).
    #[arg(long)]
    deny_warnings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
struct WhoArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml; `-` reads JSON from stdin).
    config: PathBuf,
    /// Schedule name (or id).
    #[arg(long)]
    schedule: String,
    /// The instant asked about.
    #[arg(long, default_value = "now")]
    at: String,
    /// Usernames only, teams and escalations resolved.
    #[arg(long)]
    flat: bool,
    /// Nest only as deep as Opsgenie's answer does: a team on call without its routing, a
    /// schedule inside an escalation without its on-call users.
    #[arg(long, conflicts_with = "flat")]
    opsgenie_depth: bool,
    #[command(flatten)]
    holidays: HolidayArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
struct HandoffArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml; `-` reads JSON from stdin).
    config: PathBuf,
    /// Schedule name (or id).
    #[arg(long)]
    schedule: String,
    /// Rotation name (or id).
    #[arg(long)]
    rotation: String,
    /// List hand-offs strictly after this instant.
    #[arg(long, default_value = "now")]
    from: String,
    /// How many hand-offs (1 to 10000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i64).range(1..=MAX_COUNT))]
    count: i64,
    #[command(flatten)]
    holidays: HolidayArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("window").required(true).args(["from", "date"])))]
struct TimelineArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml; `-` reads JSON from stdin).
    config: PathBuf,
    /// Schedule name (or id).
    #[arg(long)]
    schedule: String,
    /// Window start (with --to).
    #[arg(long, requires = "to", conflicts_with = "date")]
    from: Option<String>,
    /// Window end, exclusive (with --from).
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// Window start (with --interval and --interval-unit; `now` allowed).
    #[arg(long)]
    date: Option<String>,
    /// Window length in --interval-unit units, counted in the schedule zone [default: 1].
    #[arg(long, requires = "date", conflicts_with_all = ["from", "to"], value_parser = clap::value_parser!(i64).range(1..=MAX_INTERVAL))]
    interval: Option<i64>,
    /// Unit of --interval [default: weeks].
    #[arg(long, value_enum, requires = "date", conflicts_with_all = ["from", "to"])]
    interval_unit: Option<IntervalUnit>,
    /// Extra layers: a comma list of base, override, forwarding, sources (may be repeated;
    /// sources: each final-schedule segment says where its participants come from).
    #[arg(long, value_parser = parse_expand, action = ArgAction::Append)]
    expand: Vec<Expand>,
    #[command(flatten)]
    holidays: HolidayArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TimelineFormat::Text)]
    format: TimelineFormat,
}

fn parse_expand(text: &str) -> Result<Expand, String> {
    Expand::parse(text).map_err(|e| e.to_string())
}

/// A failure to report: lines for stderr and the exit status (1 invalid input, 2 usage error).
#[derive(Debug)]
struct Fail(Vec<String>, u8);

impl Fail {
    /// Invalid input (status 1), one line.
    fn line(line: impl Into<String>) -> Fail {
        Fail(vec![line.into()], 1)
    }

    /// Invalid input (status 1), a line per problem.
    fn lines(lines: Vec<String>) -> Fail {
        Fail(lines, 1)
    }

    /// A usage error (status 2, as for the errors clap reports): the command line is wrong.
    fn usage(line: impl Into<String>) -> Fail {
        Fail(vec![line.into()], 2)
    }
}

type Res<T> = Result<T, Fail>;

/// What one run of the command produced: its exit status and the bytes for stdout and stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit status: 0 ok, 1 invalid or unknown input, 2 usage error, 3 differences found
    /// (`diff --exit-code`; see the crate docs).
    pub code: u8,
    /// What the command prints on standard output.
    pub stdout: Vec<u8>,
    /// What the command prints on standard error: one line per message, control characters
    /// escaped.
    pub stderr: String,
}

/// Runs the command line `args` (the program name first, as in `std::env::args_os`) and
/// returns what it prints and its exit status, without printing anything: the `oncall` binary
/// is this function and a write of its result. The only input it reads besides the files the
/// arguments name is the process's standard input, for a configuration given as `-`; the only
/// clock it reads is for the time argument `now`.
///
/// ```
/// let out = oncall::run(["oncall", "who", "../../examples/payments.json", "--schedule", "payments-primary",
///     "--at", "2026-11-10T09:00:00Z"]);
/// assert_eq!(out.code, 0);
/// assert!(String::from_utf8(out.stdout).unwrap().contains("payments-primary"));
///
/// let out = oncall::run(["oncall", "who", "../../examples/payments.json", "--at", "tomorrow"]);
/// assert_eq!(out.code, 2);
/// ```
pub fn run<I, T>(args: I) -> Output
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    NOTES.with(|n| n.borrow_mut().clear());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to stderr with status 2.
            let text = e.render().to_string();
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return if code == 0 {
                Output { code, stdout: text.into_bytes(), stderr: String::new() }
            } else {
                // clap quotes the argument it refuses as it came (`unrecognized subcommand
                // '\x0c…'`): each line escaped, as every other message (found by fuzzing).
                let mut stderr = String::with_capacity(text.len());
                for line in text.lines() {
                    stderr.push_str(&text::clean(line));
                    stderr.push('\n');
                }
                Output { code, stdout: Vec::new(), stderr }
            };
        }
    };
    let mut out = String::new();
    // Lines for stderr that are not failures (what an import could not carry over).
    let mut notes: Vec<String> = Vec::new();
    let result = match cli.command {
        Command::Check(a) => check(&a, &mut out),
        Command::Who(a) => who(&a, &mut out),
        Command::Next(a) => next(&a, &mut out),
        Command::Handoffs(a) => handoffs(&a, &mut out),
        Command::Timeline(a) => timeline(&a, &mut out),
        Command::Report(a) => report::run(&a, &mut out),
        Command::Diff(a) => diff::run(&a, &mut out),
        Command::Escalate(a) => escalate::run(&a, &mut out),
        Command::Import(a) => opsgenie::import_run(&a, &mut out, &mut notes),
        Command::Verify(a) => opsgenie::verify_run(&a, &mut out),
        Command::Serve(a) => serve(&a),
    };
    let (code, errors) = match result {
        Ok(()) => (0, Vec::new()),
        Err(Fail(lines, code)) => (code, lines),
    };
    // Each message is one line: control characters in it (a name quoted from the document)
    // are escaped, so a message can neither drive the terminal nor forge a line of its own.
    let mut stderr = String::new();
    let early = NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()));
    for line in early.into_iter().chain(notes).chain(errors) {
        stderr.push_str(&text::clean(&line));
        stderr.push('\n');
    }
    Output { code, stdout: out.into_bytes(), stderr }
}

thread_local! {
    /// Notes said while a command runs (which occurrence of a folded local time was taken),
    /// printed before the command's other messages.
    static NOTES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps a note for standard error (see [`NOTES`]).
fn note(line: String) {
    NOTES.with(|n| n.borrow_mut().push(line));
}

// ---------------------------------------------------------------------------------------------
// Reading the configuration.

/// Reads and compiles the configuration file.
fn load(path: &Path) -> Res<Config> {
    load_document(path).map(|loaded| loaded.config)
}

/// Reads and compiles the configuration file, keeping its document (`serve` needs it).
fn load_document(path: &Path) -> Res<Loaded> {
    let (text, yaml) = read(path)?;
    parse_document(&text, yaml).map_err(|e| Fail::lines(config_errors(path, &e)))
}

/// `--holidays NAME=FILE.ics` (repeatable): binds holiday calendar NAME to an ICS file's all-day
/// events, replacing the document's calendar NAME or adding one (docs/cli.md).
#[derive(Debug, Args, Default)]
struct HolidayArgs {
    /// Holiday calendar NAME is the all-day events of FILE.ics: replaces the document's calendar
    /// NAME, or adds it (rotations and users bind it by name). May be repeated.
    #[arg(long = "holidays", value_name = "NAME=FILE.ics", action = ArgAction::Append)]
    holidays: Vec<String>,
}

/// Reads and compiles the configuration file with the `--holidays` calendars bound (see
/// [`oncall_core::config::Document::bind_holiday_ics`]); a problem of a bound file is named by
/// the flag and the file.
fn load_with(path: &Path, h: &HolidayArgs) -> Res<Config> {
    if h.holidays.is_empty() {
        return load(path);
    }
    let mut files: Vec<(String, PathBuf, String)> = Vec::new();
    for arg in &h.holidays {
        let Some((name, file)) = arg.split_once('=').filter(|(n, f)| !n.is_empty() && !f.is_empty()) else {
            return Err(Fail::usage(format!(
                "--holidays: expected NAME=FILE.ics (a calendar name, then the file), found {arg:?}"
            )));
        };
        let file = PathBuf::from(file);
        let (ics, _) = read(&file)
            .map_err(|f| Fail::lines(f.0.into_iter().map(|l| format!("--holidays {name}={l}")).collect()))?;
        files.push((name.to_string(), file, ics));
    }
    let (text, yaml) = read(path)?;
    let doc = if yaml {
        oncall_core::config::Document::from_yaml(&text)
    } else {
        oncall_core::config::Document::from_json(&text)
    };
    let mut doc = doc.map_err(|e| Fail::lines(config_errors(path, &e)))?;
    let mut bound: Vec<(String, String)> = Vec::new();
    for (name, file, ics) in files {
        let i = doc.bind_holiday_ics(&name, ics);
        bound.push((format!("holidayCalendars[{i}]"), format!("--holidays {name}={}", file.display())));
    }
    Config::compile(&doc).map_err(|e| {
        let lines = config_errors(path, &e)
            .into_iter()
            .map(|line| {
                for (at, flag) in &bound {
                    for sep in [".ics", ".name", ""] {
                        let prefix = format!("{at}{sep}: ");
                        if let Some(rest) = line.strip_prefix(&prefix) {
                            return format!("{flag}: {rest}");
                        }
                    }
                }
                line
            })
            .collect();
        Fail::lines(lines)
    })
}

fn parse_document(text: &str, yaml: bool) -> Result<Loaded, Error> {
    if yaml { Loaded::from_yaml(text) } else { Loaded::from_json(text) }
}

/// The file's text, and whether it is YAML (by its extension). At most `maxInputBytes` (the
/// core's default [`Limits`](oncall_core::Limits)) are read: a longer input (or an endless one,
/// such as `/dev/zero`) stops there with an error naming the limit.
fn read(path: &Path) -> Res<(String, bool)> {
    let cannot = |e: std::io::Error| Fail::line(format!("{}: cannot read: {e}", path.display()));
    let max = oncall_core::Limits::default().max_input_bytes;
    let text = if path.as_os_str() == "-" {
        read_bounded(std::io::stdin().lock(), max).map_err(cannot)?
    } else {
        read_bounded(std::fs::File::open(path).map_err(cannot)?, max).map_err(cannot)?
    };
    let Some(bytes) = text else {
        return Err(Fail::line(format!(
            "{}: the document has more than {max} bytes (limit maxInputBytes)",
            path.display()
        )));
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        Fail::line(format!(
            "{}: not valid UTF-8 (byte {} is not part of a character)",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    Ok((text, yaml))
}

/// At most `max` bytes of `input`, or `None` when it has more.
fn read_bounded(input: impl std::io::Read, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    input.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// One line per problem of a configuration error: `path: message` (a problem about the whole
/// document, such as a syntax error, is prefixed with the file name instead), then
/// `… and N more errors` when the core counted problems past `maxErrors`.
fn config_errors(file: &Path, err: &Error) -> Vec<String> {
    let more = err.more_problems();
    let problems = if more > 0 { err.problems().to_vec() } else { err.to_problems() };
    let mut lines: Vec<String> = problems
        .iter()
        .map(|p| if p.path.is_empty() { format!("{}: {p}", file.display()) } else { p.to_string() })
        .collect();
    if more > 0 {
        lines.extend(err.to_problems().pop().map(|p| p.message));
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Arguments.

fn schedule<'c>(config: &'c Config, name: &str) -> Res<Schedule<'c>> {
    config.schedule(name).map_err(|e| {
        let known: Vec<&str> = config.schedule_names().collect();
        Fail::line(format!("--schedule: {e} (known: {})", list_or_none(&known)))
    })
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() { "none".to_string() } else { names.join(", ") }
}

/// The current instant. Reading the clock is the wrapper's job, never the core's.
fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

/// Reads a time argument: `now`, RFC 3339, or a naive local time in the schedule's zone.
fn time_arg(s: &Schedule<'_>, flag: &str, text: &str) -> Res<DateTime<Utc>> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now());
    }
    let t = s.parse_time(text).map_err(|e| arg_error(flag, &e))?;
    fold_note(flag, text, s.timezone(), false);
    Ok(t)
}

/// Says on stderr which occurrence a naive local time that occurs twice (a fall-back fold) was
/// taken as: the first for an instant or a start, the last for the end of a window.
fn fold_note(flag: &str, text: &str, tz: chrono_tz::Tz, end: bool) {
    use oncall_core::time::{fold_occurrences, format_instant};
    if let Some((first, last)) = fold_occurrences(text, tz) {
        let (took, which, other, other_which) =
            if end { (last, "last", first, "first") } else { (first, "first", last, "second") };
        note(format!(
            "oncall: note: --{flag} {} occurs twice in {}; took the {which} occurrence, {} (the {other_which} is {})",
            text.trim(),
            tz.name(),
            format_instant(took),
            format_instant(other),
        ));
    }
}

/// Reads a time argument that ends a window: a naive local time in a fold maps to its last
/// occurrence (docs/rules.md, time and daylight saving).
fn end_time_arg(s: &Schedule<'_>, flag: &str, text: &str) -> Res<DateTime<Utc>> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now());
    }
    let t = s.parse_time_end(text).map_err(|e| arg_error(flag, &e))?;
    fold_note(flag, text, s.timezone(), true);
    Ok(t)
}

/// A query error, named after the argument it is about: a usage error when the argument's value
/// cannot be read or is out of range, invalid input otherwise.
fn arg_error(flag: &str, err: &Error) -> Fail {
    match err {
        Error::InvalidTime { message, .. } | Error::InvalidArgument { message, .. } => {
            Fail::usage(format!("--{flag}: {message}"))
        }
        other => Fail::line(format!("--{flag}: {other}")),
    }
}

/// A query error whose argument is named by the core (`at`, `from`, `to`, `expand`).
fn query_error(err: Error) -> Fail {
    match &err {
        Error::InvalidTime { what, .. } | Error::InvalidArgument { what, .. } => arg_error(what, &err),
        Error::UnknownSchedule { .. } => Fail::line(format!("--schedule: {err}")),
        Error::UnknownRotation { .. } => Fail::line(format!("--rotation: {err}")),
        _ => Fail::line(format!("oncall: {err}")),
    }
}

/// The end of a `--date/--interval/--interval-unit` window: `interval` units after the start's
/// local wall-clock time in the schedule zone (docs/rules.md, queries), mapped back by the wall-clock rule
/// (as a window end: the last occurrence of an ambiguous time).
///
/// NOTE: this is calendar logic that belongs in `oncall-core` (a `Schedule` method taking the
/// date, interval and unit); it lives here until the core has it.
fn json<T: Serialize>(value: &T, out: &mut String) -> Res<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Fail::line(format!("oncall: {e}")))?;
    out.push_str(&text);
    out.push('\n');
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Commands.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckReport<'a> {
    valid: bool,
    /// Every problem (the last one `… and N more errors` when some were only counted).
    errors: Vec<Problem>,
    /// Problems found past `maxErrors` and only counted.
    #[serde(skip_serializing_if = "is_zero")]
    more_errors: usize,
    warnings: &'a [Problem],
    /// The paths of the Opsgenie fields that were read and ignored
    /// (`oncall_core::opsgenie::IGNORED_FIELDS`); left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignored: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn check(a: &CheckArgs, out: &mut String) -> Res<()> {
    let as_json = a.format == Format::Json;
    let report = |errors: Vec<Problem>, more_errors: usize, out: &mut String| {
        json(&CheckReport { valid: false, errors, more_errors, warnings: &[], ignored: Vec::new() }, out)
    };
    let (text, yaml) = match read(&a.config) {
        Ok(read) => read,
        Err(fail) => {
            if as_json {
                report(fail.0.iter().map(|m| Problem::new("", m.clone())).collect(), 0, out)?;
            }
            return Err(fail);
        }
    };
    let config = match parse_document(&text, yaml) {
        Ok(config) => config,
        Err(e) => {
            if as_json {
                report(e.to_problems(), e.more_problems(), out)?;
            }
            // The lines go to stderr in both formats.
            return Err(Fail::lines(config_errors(&a.config, &e)));
        }
    };
    let warnings = report::lints(&config, &a.at)?;
    let ignored = oncall_core::opsgenie::ignored_fields(&config.document);
    if as_json {
        json(&CheckReport { valid: true, errors: Vec::new(), more_errors: 0, warnings: &warnings, ignored }, out)?;
    } else {
        out.push_str(&text::check_summary(&config.document, warnings.len()));
        if !ignored.is_empty() {
            out.push_str(&format!(
                "read and ignored {} Opsgenie {} that the engine does not use: {}\n",
                ignored.len(),
                if ignored.len() == 1 { "field" } else { "fields" },
                opsgenie::ignored_summary(&ignored)
            ));
        }
        for w in &warnings {
            // One line per warning, whatever the names in it hold.
            out.push_str(&format!("warning: {}\n", text::clean(&w.to_string())));
        }
    }
    if a.deny_warnings && !warnings.is_empty() {
        let n = warnings.len();
        return Err(Fail::line(format!(
            "oncall: {n} {} and --deny-warnings",
            if n == 1 { "warning" } else { "warnings" }
        )));
    }
    Ok(())
}

fn who(a: &WhoArgs, out: &mut String) -> Res<()> {
    let config = load_with(&a.config, &a.holidays)?;
    let s = schedule(&config, &a.schedule)?;
    let at = time_arg(&s, "at", &a.at)?;
    let mut answer = s.on_call(at).map_err(query_error)?;
    if a.opsgenie_depth {
        answer = answer.opsgenie_depth();
    }
    match (a.format, a.flat) {
        // The core's answer, with the `timeOff` extension only when time off changed a shift
        // (so an answer without time off is exactly Opsgenie's); `oncall serve` answers the same.
        (Format::Json, flat) => {
            json(&s.on_call_answer(at, flat, a.opsgenie_depth).map_err(|e| arg_error("at", &e))?, out)
        }
        (Format::Text, flat) => {
            let sources = s.on_call_sources(at).map_err(|e| arg_error("at", &e))?;
            out.push_str(&text::who(&s, at, &answer, &sources, flat));
            Ok(())
        }
    }
}

fn next(a: &WhoArgs, out: &mut String) -> Res<()> {
    let config = load_with(&a.config, &a.holidays)?;
    let s = schedule(&config, &a.schedule)?;
    let at = time_arg(&s, "at", &a.at)?;
    let mut answer = s.next_on_call(at).map_err(query_error)?;
    if a.opsgenie_depth {
        answer = answer.opsgenie_depth();
    }
    match (a.format, a.flat) {
        (Format::Json, false) => json(&answer, out),
        (Format::Json, true) => json(&answer.flat(), out),
        (Format::Text, flat) => {
            let then = match answer.exact_next_on_call_at {
                Some(t) => s.on_call_sources(t).map_err(|e| arg_error("at", &e))?,
                None => Vec::new(),
            };
            let shifts = s.next_shifts(at).map_err(|e| arg_error("at", &e))?;
            out.push_str(&text::next(&s, at, &answer, &then, &shifts, flat));
            Ok(())
        }
    }
}

fn handoffs(a: &HandoffArgs, out: &mut String) -> Res<()> {
    let config = load_with(&a.config, &a.holidays)?;
    let s = schedule(&config, &a.schedule)?;
    let from = time_arg(&s, "from", &a.from)?;
    let count = usize::try_from(a.count).unwrap_or(0);
    let answer = s.handoff_list(&a.rotation, from, count).map_err(|e| match e {
        Error::UnknownRotation { .. } => {
            let known: Vec<&str> = s.rotation_names().collect();
            Fail::line(format!("--rotation: {e} (known: {})", list_or_none(&known)))
        }
        other => query_error(other),
    })?;
    match a.format {
        Format::Json => json(&answer, out),
        Format::Text => {
            out.push_str(&text::handoffs(&s, from, &answer));
            Ok(())
        }
    }
}

fn timeline(a: &TimelineArgs, out: &mut String) -> Res<()> {
    let config = load_with(&a.config, &a.holidays)?;
    let s = schedule(&config, &a.schedule)?;
    let (from, to) = match (&a.from, &a.to, &a.date) {
        (Some(from), Some(to), _) => (time_arg(&s, "from", from)?, end_time_arg(&s, "to", to)?),
        (_, _, Some(date)) => {
            let start = time_arg(&s, "date", date)?;
            let interval = a.interval.unwrap_or(1);
            let unit = a.interval_unit.unwrap_or(IntervalUnit::Weeks);
            let unit = match unit {
                IntervalUnit::Days => oncall_core::IntervalUnit::Days,
                IntervalUnit::Weeks => oncall_core::IntervalUnit::Weeks,
                IntervalUnit::Months => oncall_core::IntervalUnit::Months,
            };
            let interval = u32::try_from(interval).map_err(|_| Fail::usage("--interval: out of range"))?;
            let end = s.interval_end(start, interval, unit).map_err(|e| arg_error("interval", &e))?;
            (start, end)
        }
        // clap enforces --from with --to, or --date.
        _ => return Err(Fail::usage("oncall: give --from and --to, or --date")),
    };
    let expand = a.expand.iter().fold(Expand::default(), |acc, e| Expand {
        base: acc.base || e.base,
        overrides: acc.overrides || e.overrides,
        forwarding: acc.forwarding || e.forwarding,
        sources: acc.sources || e.sources,
    });
    if a.format == TimelineFormat::Ics {
        // The calendar streams the final schedule: bounded by maxIcsBytes, not by the periods
        // of a timeline.
        out.push_str(&s.calendar(from, to).map_err(query_error)?);
        return Ok(());
    }
    let answer = s.timeline(from, to, expand).map_err(query_error)?;
    match a.format {
        TimelineFormat::Json => json(&answer, out),
        _ => {
            out.push_str(&text::timeline(&s, &answer));
            Ok(())
        }
    }
}
