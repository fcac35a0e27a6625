//! `oncall import opsgenie` and `oncall verify`: moving off Opsgenie.
//!
//! The transformation (responses → document) and the comparison rules are the core's
//! (`oncall_core::opsgenie`); the HTTP client is `oncall-import`'s. This module reads folders,
//! runs them and prints.

use crate::{Fail, Format, Res, json, load, text};
use clap::{Args, Subcommand, ValueEnum};
use oncall_core::opsgenie::{import, verify};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `oncall import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

/// Where to import from.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Build one configuration document from Opsgenie: a folder of saved API responses
    /// (--from) or the live API (--api-url). What cannot be carried over is listed on stderr.
    Opsgenie(OpsgenieArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Json,
    Yaml,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["from", "api_url"])))]
#[command(after_help = "Folder layout (--from, and what --save writes): one file per GET response, named by its \
path below /v2/: users.json (later pages users.2.json, …), users/{id}/notification-rules.json, \
users/{id}/notification-rules/{ruleId}.json, teams.json, teams/{id}.json, teams/{id}/routing-rules.json, \
schedules.json (?expand=rotation), schedules/{id}/overrides.json, escalations.json, forwarding-rules.json. \
Bodies may keep their data/took/requestId envelope.\n\
Exit status: 0 when the document passes `oncall check`, 1 otherwise (it is still written), 2 usage error.")]
pub struct OpsgenieArgs {
    /// A folder of saved API responses.
    #[arg(long, conflicts_with = "api_url")]
    from: Option<PathBuf>,
    /// The API: `us` (https://api.opsgenie.com), `eu` (https://api.eu.opsgenie.com) or a URL.
    #[arg(long)]
    api_url: Option<String>,
    /// The environment variable holding the API key (never pass the key itself as an argument).
    #[arg(long, default_value = "OPSGENIE_API_KEY")]
    api_key_env: String,
    /// With --api-url: also write every response fetched into this folder (the --from layout).
    #[arg(long, requires = "api_url")]
    save: Option<PathBuf>,
    /// Write the document to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The document's format (default: yaml when --output ends in .yaml/.yml, else json).
    #[arg(long, value_enum)]
    format: Option<DocFormat>,
    /// With --api-url: the first wait, in milliseconds, before retrying a throttled (429) or
    /// unavailable request; it doubles at each retry (Retry-After wins when the server sends it).
    #[arg(long, default_value_t = 1000, requires = "api_url")]
    backoff_ms: u64,
}

/// `oncall verify`.
#[derive(Debug, Args)]
#[command(after_help = "Every *.json file of DIR (and its subfolders) that is an on-calls, next-on-calls or \
timeline response is compared; the instant of an on-calls or next-on-calls answer is read from its file name \
(…-2019-10-15T10Z.json, …T10:00:00Z…), else --at. Exit status: 0 when at least one answer was compared and \
none differs, 1 otherwise, 2 usage error.")]
pub struct VerifyArgs {
    /// Configuration file (JSON, or YAML when it ends in .yaml/.yml).
    config: PathBuf,
    /// The folder of saved Opsgenie answers.
    #[arg(long)]
    against: PathBuf,
    /// The instant of answers whose file name has none (RFC 3339).
    #[arg(long)]
    at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Every `*.json` file below `dir`, keyed by its path relative to `dir` (with `/`), sorted.
fn read_folder(dir: &Path) -> Res<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Fail::line(format!("{}: cannot read: {e}", d.display())))?;
        for entry in entries {
            let path = entry.map_err(|e| Fail::line(format!("{}: cannot read: {e}", d.display())))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Fail::line(format!("{}: cannot read: {e}", path.display())))?;
                let value: Value = serde_json::from_str(&text)
                    .map_err(|e| Fail::line(format!("{}: not valid JSON: {e}", path.display())))?;
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let key: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.insert(key.join("/"), value);
            }
        }
    }
    Ok(out)
}

pub fn import_run(a: &ImportArgs, out: &mut String, err: &mut Vec<String>) -> Res<()> {
    let ImportSource::Opsgenie(a) = &a.source;
    let files = match (&a.from, &a.api_url) {
        (Some(dir), _) => {
            read_folder(dir)?.into_iter().map(|(k, v)| (k.strip_suffix(".json").unwrap_or(&k).to_string(), v)).collect()
        }
        (None, Some(url)) => {
            let base = oncall_import::api_base(url).map_err(|e| Fail::usage(e.to_string()))?;
            let key = std::env::var(&a.api_key_env).map_err(|_| {
                Fail::usage(format!("--api-key-env: the environment variable {} is not set", a.api_key_env))
            })?;
            if key.trim().is_empty() {
                return Err(Fail::usage(format!("--api-key-env: the environment variable {} is empty", a.api_key_env)));
            }
            let mut client = oncall_import::Client::new(&base, key.trim());
            client.backoff = std::time::Duration::from_millis(a.backoff_ms);
            let mut fetched = 0usize;
            let files = client.fetch_account(&mut |_| fetched += 1).map_err(|e| Fail::line(format!("oncall: {e}")))?;
            err.push(format!("fetched {fetched} responses from {base}"));
            if let Some(dir) = &a.save {
                save(dir, &files)?;
                err.push(format!("saved them in {}", dir.display()));
            }
            files
        }
        (None, None) => return Err(Fail::usage("oncall: give --from DIR or --api-url URL")),
    };
    let done = import::build(&files).map_err(|e| {
        Fail::lines(
            e.problems()
                .iter()
                .map(|p| format!("import: {p}"))
                .chain(e.problems().is_empty().then(|| format!("import: {e}")))
                .collect(),
        )
    })?;
    let yaml = match a.format {
        Some(f) => f == DocFormat::Yaml,
        None => a.output.as_ref().and_then(|p| p.extension()).is_some_and(|e| e == "yaml" || e == "yml"),
    };
    let text = if yaml {
        serde_saphyr::to_string(&done.document).map_err(|e| Fail::line(format!("oncall: {e}")))?
    } else {
        let mut s = serde_json::to_string_pretty(&done.document).map_err(|e| Fail::line(format!("oncall: {e}")))?;
        s.push('\n');
        s
    };
    match &a.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| Fail::line(format!("{}: cannot write: {e}", path.display())))?
        }
        None => out.push_str(&text),
    }
    let d = &done.document;
    err.push(format!(
        "imported {} users, {} teams, {} schedules ({} rotations, {} overrides), {} escalations, {} forwarding rules",
        d.users.as_ref().map_or(0, Vec::len),
        d.teams.len(),
        d.schedules.len(),
        d.schedules.iter().map(|s| s.rotations.len()).sum::<usize>(),
        d.schedules.iter().map(|s| s.overrides.len()).sum::<usize>(),
        d.escalations.len(),
        d.forwarding_rules.len()
    ));
    if !done.ignored.is_empty() {
        err.push(format!(
            "read and ignored {} Opsgenie fields ({})",
            done.ignored.len(),
            ignored_summary(&done.ignored)
        ));
    }
    for n in &done.not_carried {
        err.push(format!("not carried over: {}: {}", n.source, n.message));
    }
    if done.problems.is_empty() {
        Ok(())
    } else {
        Err(Fail::lines(done.problems.iter().map(|p| format!("check: {p}")).collect()))
    }
}

/// `users[].createdAt ×2, teams[].links ×1`: the ignored fields by place, with counts.
pub fn ignored_summary(paths: &[String]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for p in paths {
        let mut general = String::new();
        let mut in_index = false;
        for c in p.chars() {
            match c {
                '[' => {
                    in_index = true;
                    general.push('[');
                }
                ']' => {
                    in_index = false;
                    general.push(']');
                }
                _ if in_index => {}
                c => general.push(c),
            }
        }
        *counts.entry(general).or_default() += 1;
    }
    counts.iter().map(|(k, n)| format!("{k} ×{n}")).collect::<Vec<_>>().join(", ")
}

fn save(dir: &Path, files: &BTreeMap<String, Value>) -> Res<()> {
    for (key, body) in files {
        // Keys come from the server's ids: never a path outside the folder.
        if key.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") || key.contains('\\') {
            return Err(Fail::line(format!("--save: refusing to write {key:?}: not a plain relative path")));
        }
        let path = dir.join(format!("{key}.json"));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Fail::line(format!("{}: cannot create: {e}", parent.display())))?;
        }
        let text = serde_json::to_string_pretty(body).map_err(|e| Fail::line(format!("oncall: {e}")))?;
        std::fs::write(&path, text).map_err(|e| Fail::line(format!("{}: cannot write: {e}", path.display())))?;
    }
    Ok(())
}

pub fn verify_run(a: &VerifyArgs, out: &mut String) -> Res<()> {
    let config = load(&a.config)?;
    let at = match &a.at {
        None => None,
        Some(t) => Some(
            chrono::DateTime::parse_from_rfc3339(t.trim())
                .map_err(|e| {
                    Fail::usage(format!("--at: expected an RFC 3339 instant such as 2019-10-15T10:00:00Z: {e}"))
                })?
                .with_timezone(&chrono::Utc),
        ),
    };
    let answers: Vec<(String, Value)> = read_folder(&a.against)?.into_iter().collect();
    let report = verify::verify(&config, &answers, at);
    match a.format {
        Format::Json => json(&report, out)?,
        Format::Text => {
            for o in &report.compared {
                if o.differences.is_empty() {
                    out.push_str(&format!("same  {}: {}\n", o.source, o.query));
                } else {
                    out.push_str(&format!("DIFF  {}: {} ({} differences)\n", o.source, o.query, o.differences.len()));
                    for d in &o.differences {
                        out.push_str(&format!(
                            "      {}: Opsgenie {}, engine {}\n",
                            text::clean(&d.path),
                            text::clean(&d.opsgenie),
                            text::clean(&d.engine)
                        ));
                    }
                }
                if !o.hours.is_empty() {
                    out.push_str("      final schedule, engine against Opsgenie:\n");
                    out.push_str(&crate::diff::hours_table(&o.hours, "        "));
                }
                for n in &o.notes {
                    out.push_str(&format!("      note: {n}\n"));
                }
            }
            for s in &report.skipped {
                out.push_str(&format!("skip  {}: {}\n", s.source, s.reason));
            }
            out.push_str(&format!(
                "{} answers compared, {} with differences ({} differences), {} files skipped\n",
                report.compared.len(),
                report.compared.iter().filter(|o| !o.differences.is_empty()).count(),
                report.differences(),
                report.skipped.len()
            ));
        }
    }
    if report.equivalent() {
        Ok(())
    } else if report.compared.is_empty() {
        Err(Fail::line(format!("oncall: no answer in {} could be compared", a.against.display())))
    } else {
        Err(Fail::line(format!("oncall: {} differences from Opsgenie's answers", report.differences())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_refuses_paths_outside_the_folder() {
        let dir = std::env::temp_dir().join(format!("oncall-save-{}", std::process::id()));
        for key in ["../escape", "schedules/../../x", "/abs", "a//b"] {
            let files: BTreeMap<String, Value> = [(key.to_string(), Value::Null)].into_iter().collect();
            assert!(save(&dir, &files).is_err(), "{key}");
        }
        let files: BTreeMap<String, Value> =
            [("schedules/s-1/overrides".to_string(), Value::Null)].into_iter().collect();
        assert!(save(&dir, &files).is_ok());
        assert!(dir.join("schedules/s-1/overrides.json").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ignored_fields_are_summarised_by_place() {
        let paths = ["users[0].blocked", "users[1].blocked", "teams[0].links"].map(String::from);
        assert_eq!(ignored_summary(&paths), "teams[].links ×1, users[].blocked ×2");
    }
}
