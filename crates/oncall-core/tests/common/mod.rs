//! Helpers shared by the integration tests.
//!
//! Every expected instant in the tests is written by hand as an RFC 3339 UTC string and derived
//! from the zone's real DST rules (stated in a comment next to it), never copied from output.
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use oncall_core::output::{Kind, Layer, Participant, Timeline};
use oncall_core::time::format_instant;
use oncall_core::{Config, Expand, Problem};

/// An instant from an RFC 3339 string.
pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("bad instant {s:?}: {e}")).with_timezone(&Utc)
}

/// An instant as the engine formats it.
pub fn f(t: DateTime<Utc>) -> String {
    format_instant(t)
}

/// Loads a JSON configuration, panicking with every problem when it is invalid.
pub fn config(json: &str) -> Config {
    Config::from_json(json).unwrap_or_else(|e| panic!("configuration does not load:\n{e}\n--- input:\n{json}"))
}

/// A configuration with one schedule `s` in `zone` holding the given rotation objects (JSON).
pub fn sched(zone: &str, rotations: &[&str]) -> Config {
    config(&sched_json(zone, rotations, "[]"))
}

/// Like [`sched`], with overrides (a JSON array).
pub fn sched_with_overrides(zone: &str, rotations: &[&str], overrides: &str) -> Config {
    config(&sched_json(zone, rotations, overrides))
}

/// The JSON text of a one-schedule document.
pub fn sched_json(zone: &str, rotations: &[&str], overrides: &str) -> String {
    format!(
        r#"{{"schedules":[{{"name":"s","timezone":"{zone}","rotations":[{}],"overrides":{overrides}}}]}}"#,
        rotations.join(",")
    )
}

/// A configuration with one schedule `s` in `zone` and one rotation (JSON object).
pub fn one(zone: &str, rotation: &str) -> Config {
    sched(zone, &[rotation])
}

/// The flat on-call recipients of `schedule` at `at`.
pub fn who(cfg: &Config, schedule: &str, at: &str) -> Vec<String> {
    cfg.schedule(schedule).unwrap().on_call(t(at)).unwrap().flat().on_call_recipients
}

/// The flat on-call recipients of schedule `s` at `at`.
pub fn who_s(cfg: &Config, at: &str) -> Vec<String> {
    who(cfg, "s", at)
}

/// How a participant is shown in the compact strings below.
pub fn name(p: &Participant) -> String {
    if p.kind == Kind::None { "(none)".to_string() } else { p.name.clone() }
}

/// The first `n` hand-offs of `rotation` in schedule `s` strictly after `from`, as
/// `"<instant> <participant>"`.
pub fn handoffs(cfg: &Config, rotation: &str, from: &str, n: usize) -> Vec<String> {
    cfg.schedule("s")
        .unwrap()
        .handoffs(rotation, t(from))
        .unwrap()
        .take(n)
        .map(|h| format!("{} {}", f(h.at), name(&h.participant)))
        .collect()
}

/// Just the instants of [`handoffs`].
pub fn handoff_times(cfg: &Config, rotation: &str, from: &str, n: usize) -> Vec<String> {
    cfg.schedule("s").unwrap().handoffs(rotation, t(from)).unwrap().take(n).map(|h| f(h.at)).collect()
}

/// The timeline of schedule `s` over `[from, to)`.
pub fn timeline(cfg: &Config, from: &str, to: &str) -> Timeline {
    timeline_of(cfg, "s", from, to, Expand::default())
}

/// The timeline of a schedule over `[from, to)` with the given layers.
pub fn timeline_of(cfg: &Config, schedule: &str, from: &str, to: &str, expand: Expand) -> Timeline {
    cfg.schedule(schedule).unwrap().timeline(t(from), t(to), expand).unwrap()
}

/// The final schedule as `"<start>..<end> <recipients or ->"`.
pub fn final_schedule(tl: &Timeline) -> Vec<String> {
    tl.final_schedule
        .iter()
        .map(|s| {
            let who = if s.recipients.is_empty() { "-".to_string() } else { s.recipients.join(",") };
            format!("{}..{} {}", f(s.start_date), f(s.end_date), who)
        })
        .collect()
}

/// The periods of one rotation of a layer as `"<start>..<end> <type> <recipient>[ from <user>]"`.
pub fn periods(layer: &Layer, rotation: &str) -> Vec<String> {
    let r = layer
        .rotations
        .iter()
        .find(|r| r.name == rotation)
        .unwrap_or_else(|| panic!("no rotation {rotation:?} in the layer"));
    r.periods
        .iter()
        .map(|p| {
            let kind = serde_json::to_value(p.kind).unwrap();
            let from = p.from_user.as_ref().map(|u| format!(" from {u}")).unwrap_or_default();
            format!("{}..{} {} {}{from}", f(p.start_date), f(p.end_date), kind.as_str().unwrap(), name(&p.recipient))
        })
        .collect()
}

/// The problems of an invalid JSON document (panics if it loads).
pub fn problems(json: &str) -> Vec<Problem> {
    match Config::from_json(json) {
        Ok(_) => panic!("expected the configuration to be rejected:\n{json}"),
        Err(e) => {
            let p = e.problems().to_vec();
            assert!(!p.is_empty(), "error without problems: {e}");
            p
        }
    }
}

/// The paths of [`problems`].
pub fn paths(json: &str) -> Vec<String> {
    problems(json).into_iter().map(|p| p.path).collect()
}

/// Asserts that `json` is rejected with a problem at exactly `path`, and returns its message.
pub fn problem_at(json: &str, path: &str) -> String {
    let all = problems(json);
    all.iter()
        .find(|p| p.path == path)
        .map(|p| p.message.clone())
        .unwrap_or_else(|| panic!("no problem at {path:?}; got {all:#?}"))
}

/// Runs `work` and returns its result with the wall-clock time it took. Tests measure time to
/// show that bounded work is refused or streamed quickly; the engine itself never reads a clock
/// (clippy.toml forbids it there), so the allowance is confined to this helper.
#[allow(clippy::disallowed_methods)]
pub fn timed<T>(work: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let started = std::time::Instant::now();
    let out = work();
    (out, started.elapsed())
}

/// A document with one schedule `s` in `zone` holding `rotation`, named `r0` (the builder of
/// the property tests that generate one rotation).
pub fn one_rotation_doc(rotation: oncall_core::config::Rotation, zone: &str) -> oncall_core::config::Document {
    use oncall_core::config::{Document, Rotation, Schedule};
    Document {
        schedules: vec![Schedule {
            name: "s".into(),
            timezone: Some(zone.into()),
            rotations: vec![Rotation { name: Some("r0".into()), ..rotation }],
            ..Default::default()
        }],
        ..Default::default()
    }
}
