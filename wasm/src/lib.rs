//! WebAssembly bindings of `oncall-core`.
//!
//! A thin layer: it converts JavaScript values to the core's types (configuration text, instants,
//! options), calls the core, and converts the answers (the core's serde shapes, the same JSON as
//! `oncall … --format json`) and errors (a JS `Error` whose message names the input path) back.
//! Every scheduling decision is the core's.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use encode::Strings;
use oncall_core::alert::{Action, Alert, AlertEvent, NamedEvents};
use oncall_core::escalation::{EscalateOptions, Target};
use oncall_core::time::{Edge, parse_instant, parse_zone};
use oncall_core::{Config, Error, Expand, Loaded, Problem, Schedule};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

mod encode;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = include_str!("types.d.ts");

/// The most hand-offs `handoffs` lists (as the command line).
const MAX_COUNT: f64 = 10_000.0;
/// How many hand-offs `handoffs` lists when `count` is omitted (as the command line).
const DEFAULT_COUNT: usize = 10;

/// A validated, compiled configuration, ready to answer questions about its schedules.
#[wasm_bindgen(js_name = OnCall)]
pub struct OnCall {
    config: Config,
    /// The Opsgenie fields the document held that the engine does not use (for `check`).
    ignored: Vec<String>,
    /// The strings its answers repeat, interned (see `encode`).
    strings: RefCell<Strings>,
}

#[wasm_bindgen(js_class = OnCall)]
impl OnCall {
    /// Reads and validates a configuration (a JSON string or a plain object). Throws an `Error`
    /// listing every problem, one `path: message` line each, when the document is invalid; the
    /// problems are also on the error's `problems` property.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | ConfigDocument")] config: JsValue,
    ) -> Result<OnCall, JsValue> {
        let text = config_text(&config)?;
        let Loaded { config, document } = Loaded::from_json(&text).map_err(|e| config_error(&e))?;
        let ignored = oncall_core::opsgenie::ignored_fields(&document);
        Ok(OnCall { config, ignored, strings: RefCell::new(Strings::new()) })
    }

    /// The names of the document's teams, in document order (targets of `escalate({team})`).
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn teams(&self) -> Result<JsValue, JsValue> {
        let names: Vec<&str> = self.config.team_names().collect();
        to_js(&names)
    }

    /// The check report of this (valid) configuration: `valid` is true and `warnings` lists
    /// what is valid but probably not meant.
    #[wasm_bindgen(js_name = check, unchecked_return_type = "CheckResult")]
    pub fn check(&self) -> Result<JsValue, JsValue> {
        self.to_js(&CheckReport::valid(&self.config, self.ignored.clone()))
    }

    /// The schedules, in document order, with their zone and rotation names.
    #[wasm_bindgen(unchecked_return_type = "ScheduleInfo[]")]
    pub fn schedules(&self) -> Result<JsValue, JsValue> {
        let list: Vec<ScheduleInfo> = self
            .config
            .schedule_names()
            .filter_map(|name| self.config.schedule(name).ok())
            .map(|s| ScheduleInfo {
                name: s.name().to_string(),
                timezone: s.timezone().name().to_string(),
                enabled: s.enabled(),
                rotations: s.rotation_names().map(str::to_string).collect(),
            })
            .collect();
        self.to_js(&list)
    }

    /// Reads an instant as the other methods do (RFC 3339, a naive local time in the schedule's
    /// zone, `"now"`, a `Date`, or nothing for now) and returns it as RFC 3339 UTC.
    #[wasm_bindgen(unchecked_return_type = "IsoInstant")]
    pub fn instant(
        &self,
        schedule: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Instant | null")] at: Option<JsValue>,
    ) -> Result<String, JsValue> {
        let s = self.schedule(schedule)?;
        Ok(oncall_core::time::format_instant(instant(&s, "at", at.as_ref(), false)?))
    }

    /// Who is on call at `at` (default: now). With `{flat: true}` the answer is the usernames
    /// (`onCallRecipients`) instead of the nested participants. (`js/decode.js` puts a faster
    /// path for the common arguments in front of this; both give the same answers and errors.)
    /// The answer is frozen (deeply), and a repeated indexed answer is the same object: copy it
    /// (`structuredClone`) before changing it.
    #[wasm_bindgen(js_name = whoIsOnCall, unchecked_return_type = "OnCallAnswer")]
    pub fn who_is_on_call(
        &self,
        schedule: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Instant | null")] at: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "WhoOptions & { flat?: false }")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let s = self.schedule(schedule)?;
        let at = instant(&s, "at", at.as_ref(), false)?;
        let flat = flat_option(options.as_ref())?;
        Ok(self.decode(self.who(s, at, flat, false)?))
    }

    /// The fast path of `whoIsOnCall` (`js/decode.js`): the index of a schedule (by name or id)
    /// for `__whoAt` and `__whoText`, or -1 when there is none.
    #[wasm_bindgen(js_name = __scheduleIndex, skip_typescript)]
    pub fn schedule_index(&self, name: &str) -> i32 {
        let Ok(s) = self.config.schedule(name) else { return -1 };
        self.config.schedule_names().position(|n| n == s.name()).map_or(-1, |i| i as i32)
    }

    /// The fast path of `whoIsOnCall` at a `Date`'s milliseconds: the encoded answer, or with
    /// `interned` its id when the index holds it (odd; see `who`).
    #[wasm_bindgen(js_name = __whoAt, skip_typescript)]
    pub fn who_at(&self, schedule: u32, at: f64, flat: bool, interned: bool) -> Result<u32, JsValue> {
        let s = self.schedule_at(schedule)?;
        let at = from_millis(at).ok_or_else(|| error("at: invalid Date", &[("at", "invalid Date")]))?;
        self.who(s, at, flat, interned)
    }

    /// The fast path of `whoIsOnCall` at an instant written as text: as `__whoAt`.
    #[wasm_bindgen(js_name = __whoText, skip_typescript)]
    pub fn who_text(&self, schedule: u32, at: &str, flat: bool, interned: bool) -> Result<u32, JsValue> {
        let s = self.schedule_at(schedule)?;
        let at = instant_text(&s, "at", at, false)?;
        self.who(s, at, flat, interned)
    }

    /// The fast path's table of interned strings (see `encode`).
    #[wasm_bindgen(js_name = __strings, skip_typescript)]
    pub fn strings(&self) -> JsValue {
        self.strings.borrow().table()
    }

    /// Who is next after `at` (default: now), and when the on-call set next changes.
    #[wasm_bindgen(js_name = nextOnCall, unchecked_return_type = "NextOnCallAnswer")]
    pub fn next_on_call(
        &self,
        schedule: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Instant | null")] at: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "WhoOptions & { flat?: false }")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let s = self.schedule(schedule)?;
        let at = instant(&s, "at", at.as_ref(), false)?;
        let answer = s.next_on_call(at).map_err(|e| query_error("at", &e))?;
        if flat_option(options.as_ref())? { self.to_js(&answer.flat()) } else { self.to_js(&answer) }
    }

    /// Where each person on call at `at` (default: now) comes from: the rotation, the override,
    /// and `reassigned` when time off changed the shift (the policy, who was absent and why).
    #[wasm_bindgen(js_name = onCallSources, unchecked_return_type = "OnCallSource[]")]
    pub fn on_call_sources(
        &self,
        schedule: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Instant | null")] at: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let s = self.schedule(schedule)?;
        let at = instant(&s, "at", at.as_ref(), false)?;
        let answer = s.on_call_sources(at).map_err(|e| query_error("at", &e))?;
        self.to_js(&answer)
    }

    /// The timeline of a schedule over `[from, to)`.
    #[wasm_bindgen(unchecked_return_type = "Timeline")]
    pub fn timeline(
        &self,
        schedule: &str,
        #[wasm_bindgen(unchecked_param_type = "Instant")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Instant")] to: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "TimelineOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let s = self.schedule(schedule)?;
        let (from, to) = window(&s, &from, &to)?;
        let expand = expand_option(options.as_ref())?;
        let answer = s.timeline(from, to, expand).map_err(|e| query_error("", &e))?;
        self.to_js(&answer)
    }

    /// Where schedule `schedule`'s final on-call set differs between `old` (the configuration
    /// before a change) and this one, over `[from, to)`, with hours gained and lost per user
    /// (`oncall diff OLD NEW --format json`). Naive times are read in this configuration's zone
    /// for the schedule, else `old`'s. A schedule in one configuration only is compared with an
    /// empty one (`presence`).
    #[wasm_bindgen(js_name = diffFrom, unchecked_return_type = "ScheduleDiff")]
    pub fn diff_from(
        &self,
        old: &OnCall,
        schedule: &str,
        #[wasm_bindgen(unchecked_param_type = "Instant")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Instant")] to: JsValue,
    ) -> Result<JsValue, JsValue> {
        let s = match self.config.schedule(schedule) {
            Ok(s) => s,
            Err(_) => old.schedule(schedule)?,
        };
        let (from, to) = window(&s, &from, &to)?;
        let answer =
            oncall_core::diff::diff(&old.config, &self.config, schedule, from, to).map_err(|e| query_error("", &e))?;
        self.to_js(&answer)
    }

    /// The report of a schedule over `[from, to)` (`oncall report --format json`): gaps, load
    /// per user, the fairness view and the pay by the document's `payRules`.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn report(
        &self,
        schedule: &str,
        #[wasm_bindgen(unchecked_param_type = "Instant")] from: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Instant")] to: JsValue,
    ) -> Result<JsValue, JsValue> {
        let s = self.schedule(schedule)?;
        let (from, to) = window(&s, &from, &to)?;
        let answer = s.pay_report(from, to).map_err(|e| query_error("", &e))?;
        self.to_js(&answer)
    }

    /// The next `count` (default 10, at most 10 000) hand-offs of a rotation strictly after
    /// `from` (default: now).
    #[wasm_bindgen(unchecked_return_type = "Handoffs")]
    pub fn handoffs(
        &self,
        schedule: &str,
        rotation: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Instant | null")] from: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] count: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let s = self.schedule(schedule)?;
        let from = instant(&s, "from", from.as_ref(), false)?;
        let count = match count {
            None => DEFAULT_COUNT,
            Some(n) if n.fract() == 0.0 && (1.0..=MAX_COUNT).contains(&n) => n as usize,
            Some(n) => {
                // No float formatting: it would pull ~20 KB of `core::fmt` into the module.
                let found = if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
                    format!(", found {}", n as i64)
                } else {
                    String::new()
                };
                let message = format!("must be a whole number from 1 to 10000{found}");
                return Err(error(&format!("count: {message}"), &[("count", &message)]));
            }
        };
        let answer = s.handoff_list(rotation, from, count).map_err(|e| match e {
            Error::UnknownRotation { .. } => {
                let known: Vec<&str> = s.rotation_names().collect();
                let message = format!("{e} (known: {})", list_or_none(&known));
                error(&format!("rotation: {message}"), &[("rotation", &message)])
            }
            other => query_error("from", &other),
        })?;
        self.to_js(&answer)
    }

    /// The escalation timeline of an alert (`oncall escalate --format json`): who is notified,
    /// when, on which channel and why. The options mirror the command's flags in camelCase:
    /// one target (`team`, `escalation`, `schedule` or `user`), the alert (`alert` and/or
    /// `message`, `priority`, `tags`, `alias`), its creation instant `at`, and the events after it
    /// (`ackAt`/`ackBy`, `closeAt`/`closeBy`, `events`), `seed`, and `tz` for naive times.
    #[wasm_bindgen(unchecked_return_type = "EscalationTimeline")]
    pub fn escalate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EscalateOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        if !options.is_object() {
            return Err(error("options: expected an object", &[("options", "expected an object")]));
        }
        let o = Some(&options);
        let target = escalate_target(o)?;
        let tz = match string_option(o, "tz")? {
            Some(z) => parse_zone(&z).map_err(|m| error(&format!("tz: {m}"), &[("tz", &m)]))?,
            None => self.config.target_zone(&target),
        };
        let (alert, direct) = escalate_alert(o)?;
        let at = option(o, "at")?;
        if at.is_undefined() || at.is_null() {
            return Err(error("at: is required", &[("at", "is required")]));
        }
        let at = zoned_instant(tz, "at", &at)?;
        // The events, each with the name it has for the caller (`events[2]`, `ackAt`, `closeAt`).
        let mut events: Vec<(AlertEvent, String)> = Vec::new();
        let list = option(o, "events")?;
        if !(list.is_undefined() || list.is_null()) {
            let text =
                json_text(&list, "events", js_sys::Array::is_array(&list), "an array of events or a JSON string")?;
            let list = AlertEvent::list_from_json(&text, tz).map_err(|e| config_error(&e))?;
            events.extend(list.into_iter().enumerate().map(|(i, e)| (e, format!("events[{i}]"))));
        }
        for (when, by, name) in [("ackAt", "ackBy", "ack"), ("closeAt", "closeBy", "close")] {
            let t = option(o, when)?;
            let user = string_option(o, by)?;
            if t.is_undefined() || t.is_null() {
                if user.is_some() {
                    let m = format!("needs {when}");
                    return Err(error(&format!("{by}: {m}"), &[(by, &m)]));
                }
                continue;
            }
            let at = zoned_instant(tz, when, &t)?;
            let action = if name == "ack" { Action::Acknowledge { user } } else { Action::Close { user } };
            events.push((AlertEvent::new(at, action), when.to_string()));
        }
        let events = NamedEvents::new(events);
        let options = EscalateOptions { seed: seed_option(o)? };
        let answer = self
            .config
            .escalate(&alert, &target, at, events.events(), &options)
            .map_err(|e| self.escalate_error(&target, &events, &direct, &e))?;
        self.to_js(&answer)
    }
}

/// Validates a configuration (a JSON string or a plain object) without throwing: `{valid, errors, warnings}`, each problem with
/// its path.
#[wasm_bindgen(js_name = check, unchecked_return_type = "CheckResult")]
pub fn check(#[wasm_bindgen(unchecked_param_type = "string | ConfigDocument")] config: JsValue) -> JsValue {
    let result = config_text(&config)
        .map_err(|e| (vec![Problem::new("", message_of(&e))], 0))
        .and_then(|text| Loaded::from_json(&text).map_err(|e| (problems_of(&e), e.more_problems())));
    let report = match result {
        Ok(loaded) => CheckReport::valid(&loaded.config, oncall_core::opsgenie::ignored_fields(&loaded.document)),
        Err((errors, more_errors)) => {
            CheckReport { valid: false, errors, more_errors, warnings: Vec::new(), ignored: Vec::new() }
        }
    };
    to_js(&report).unwrap_or(JsValue::NULL)
}

impl OnCall {
    /// An answer as a plain JS object, its strings interned in this configuration's table.
    fn to_js<T: Serialize>(&self, value: &T) -> Result<JsValue, JsValue> {
        Ok(self.decode(self.encode(value)?))
    }

    /// An answer encoded (see `encode`): the address of its tokens.
    fn encode<T: Serialize>(&self, value: &T) -> Result<u32, JsValue> {
        encode::encode(value, Some(&self.strings)).map_err(|e| error(&format!("internal: {e}"), &[]))
    }

    /// The object an encoded answer stands for.
    fn decode(&self, tokens: u32) -> JsValue {
        encode::decode(tokens, &self.strings.borrow().table())
    }

    /// Who is on call, encoded; or, with `interned` and when the answer index holds `at`, the
    /// answer's id: the address of the index's participants (`Arc<[Participant]>`, each
    /// distinct answer of a schedule stored once and kept as long as the configuration, never
    /// moved or freed), plus 1. The address is even (alignment), the encoding's too (a `u32`
    /// buffer), so the low bit tells them apart; `js/decode.js` caches the decoded answer of
    /// an id per schedule and `flat`, the answer being the schedule's and these participants'.
    fn who(&self, s: Schedule<'_>, at: DateTime<Utc>, flat: bool, interned: bool) -> Result<u32, JsValue> {
        const _: () = assert!(std::mem::align_of::<oncall_core::output::Participant>() >= 2);
        let answer = s.on_call_ref(at).map_err(|e| query_error("at", &e))?;
        if let (true, std::borrow::Cow::Borrowed(p)) = (interned, &answer.on_call_participants) {
            return Ok(p.as_ptr() as usize as u32 | 1);
        }
        // The borrowed answer serializes as the owned one does (no copy of the schedule's name).
        if flat { self.encode_flat_cold(&answer) } else { self.encode(&answer) }
    }

    /// `who`'s flat answer. Out of line: V8 compiles each function the first time it runs, so a
    /// process's first nested answer does not compile the flat one too.
    #[inline(never)]
    fn encode_flat_cold(&self, answer: &oncall_core::output::OnCallRef<'_>) -> Result<u32, JsValue> {
        self.encode(&answer.flat())
    }

    /// A schedule by its index in `schedule_names` (from `__scheduleIndex`).
    fn schedule_at(&self, index: u32) -> Result<Schedule<'_>, JsValue> {
        let name = self.config.schedule_names().nth(index as usize).unwrap_or_default();
        self.schedule(name)
    }

    /// An error of the core's `escalate`, named after the option it is about.
    fn escalate_error(&self, target: &Target, events: &NamedEvents, direct: &[&str], e: &Error) -> JsValue {
        match e {
            Error::UnknownTarget { .. } | Error::UnknownSchedule { .. } => {
                let c = &self.config;
                let known: Vec<&str> = match target {
                    Target::Team(_) => c.team_names().collect(),
                    Target::Escalation(_) => c.escalation_names().collect(),
                    Target::Schedule(_) => c.schedule_names().collect(),
                    Target::User(_) => c.declared_usernames().collect(),
                };
                let key = target_key(target);
                let message = format!("{e} (known: {})", list_or_none(&known));
                error(&format!("{key}: {message}"), &[(key, &message)])
            }
            Error::InvalidArgument { what, message } | Error::InvalidTime { what, message }
                if what.starts_with("events[") =>
            {
                let what = events.rename(what);
                // `ackAt.at` is `ackAt`.
                let what = if what.starts_with("events[") { what } else { what.trim_end_matches(".at").to_string() };
                error(&format!("{what}: {message}"), &[(&what, message)])
            }
            Error::Invalid(problems) => {
                let problems: Vec<Problem> = problems
                    .iter()
                    .map(|p| {
                        let path = if p.path.starts_with("events[") {
                            events.rename(&p.path)
                        } else {
                            alert_path(&p.path, direct)
                        };
                        Problem { path, ..p.clone() }
                    })
                    .collect();
                let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
                let pairs: Vec<(&str, &str)> = problems.iter().map(|p| (p.path.as_str(), p.message.as_str())).collect();
                error(&message, &pairs)
            }
            Error::InvalidTransition { .. } => {
                // The core names the event (`… (events[k] at …)`).
                let text = e.to_string();
                let path = NamedEvents::first_index(&text)
                    .and_then(|k| events.name(k))
                    .map(str::to_string)
                    .unwrap_or_default();
                let message = events.rename(&text);
                let line = if path.is_empty() { message.clone() } else { format!("{path}: {message}") };
                error(&line, &[(&path, &message)])
            }
            Error::InvalidTime { what, message } if what == "created_at" => {
                error(&format!("at: {message}"), &[("at", message)])
            }
            other => {
                let message = events.rename(&other.to_string());
                error(&message, &[("", &message)])
            }
        }
    }

    fn schedule(&self, name: &str) -> Result<Schedule<'_>, JsValue> {
        self.config.schedule(name).map_err(|e| {
            let known: Vec<&str> = self.config.schedule_names().collect();
            let message = format!("{e} (known: {})", list_or_none(&known));
            error(&format!("schedule: {message}"), &[("schedule", &message)])
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckReport {
    valid: bool,
    errors: Vec<Problem>,
    /// Problems past `maxErrors`, only counted (absent when none), as the command prints it.
    #[serde(skip_serializing_if = "is_zero")]
    more_errors: usize,
    warnings: Vec<Problem>,
    /// The Opsgenie fields read and ignored (`oncall check` lists the same); left out when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignored: Vec<String>,
}

impl CheckReport {
    fn valid(config: &Config, ignored: Vec<String>) -> CheckReport {
        CheckReport { valid: true, errors: Vec::new(), more_errors: 0, warnings: config.warnings().to_vec(), ignored }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct ScheduleInfo {
    name: String,
    timezone: String,
    enabled: bool,
    rotations: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Conversions in.

/// The configuration as JSON text: a string as it is, anything else through `JSON.stringify`.
fn config_text(config: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = config.as_string() {
        return Ok(text);
    }
    if !config.is_object() {
        return Err(error(
            "config: expected a JSON string or an object",
            &[("", "expected a JSON string or an object")],
        ));
    }
    let text = js_sys::JSON::stringify(config)
        .map_err(|e| error(&format!("config: cannot serialize: {}", message_of(&e)), &[]))?;
    text.as_string().ok_or_else(|| error("config: cannot serialize the object", &[]))
}

/// An instant argument: an ISO string (RFC 3339, or a naive local time read in the schedule's
/// zone, or `now`), a `Date`, or nothing (now).
/// A required window `[from, to)`: both ends given (else `from: is required`), read as instants
/// (`to` as an end: a folded local time is its last occurrence).
fn window(s: &Schedule<'_>, from: &JsValue, to: &JsValue) -> Result<(DateTime<Utc>, DateTime<Utc>), JsValue> {
    for (name, v) in [("from", from), ("to", to)] {
        if v.is_undefined() || v.is_null() {
            return Err(error(&format!("{name}: is required"), &[(name, "is required")]));
        }
    }
    Ok((instant(s, "from", Some(from), false)?, instant(s, "to", Some(to), true)?))
}

fn instant(s: &Schedule<'_>, what: &str, value: Option<&JsValue>, end: bool) -> Result<DateTime<Utc>, JsValue> {
    let value = match value {
        None => return Ok(now()),
        Some(v) if v.is_undefined() || v.is_null() => return Ok(now()),
        Some(v) => v,
    };
    if let Some(text) = value.as_string() {
        return instant_text(s, what, &text, end);
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return from_millis(date.get_time())
            .ok_or_else(|| error(&format!("{what}: invalid Date"), &[(what, "invalid Date")]));
    }
    let message = "expected an ISO 8601 string or a Date";
    Err(error(&format!("{what}: {message}"), &[(what, message)]))
}

/// An instant written as text: RFC 3339, a naive local time in the schedule's zone, or `now`.
fn instant_text(s: &Schedule<'_>, what: &str, text: &str, end: bool) -> Result<DateTime<Utc>, JsValue> {
    if text.trim().eq_ignore_ascii_case("now") {
        return Ok(now());
    }
    let parsed = if end { s.parse_time_end(text) } else { s.parse_time(text) };
    parsed.map_err(|e| query_error(what, &e))
}

/// The current instant, from the JavaScript clock (the core never reads a clock).
fn now() -> DateTime<Utc> {
    from_millis(js_sys::Date::now()).unwrap_or_default()
}

fn from_millis(ms: f64) -> Option<DateTime<Utc>> {
    if !ms.is_finite() {
        return None;
    }
    DateTime::<Utc>::from_timestamp_millis(ms.floor() as i64)
}

fn option(options: Option<&JsValue>, key: &str) -> Result<JsValue, JsValue> {
    match options {
        None => Ok(JsValue::UNDEFINED),
        Some(o) if o.is_undefined() || o.is_null() => Ok(JsValue::UNDEFINED),
        Some(o) if o.is_object() => js_sys::Reflect::get(o, &JsValue::from_str(key)),
        Some(_) => Err(error("options: expected an object", &[("options", "expected an object")])),
    }
}

fn flat_option(options: Option<&JsValue>) -> Result<bool, JsValue> {
    if options.is_none_or(|o| o.is_undefined() || o.is_null()) {
        return Ok(false);
    }
    let flat = option(options, "flat")?;
    if flat.is_undefined() || flat.is_null() {
        return Ok(false);
    }
    flat.as_bool().ok_or_else(|| error("options.flat: expected a boolean", &[("options.flat", "expected a boolean")]))
}

fn expand_option(options: Option<&JsValue>) -> Result<Expand, JsValue> {
    let expand = option(options, "expand")?;
    if expand.is_undefined() || expand.is_null() {
        return Ok(Expand::default());
    }
    let bad = |m: &str| error(&format!("options.expand: {m}"), &[("options.expand", m)]);
    let list: Vec<String> = if let Some(text) = expand.as_string() {
        vec![text]
    } else if js_sys::Array::is_array(&expand) {
        let items = js_sys::Array::from(&expand);
        items.iter().map(|v| v.as_string().ok_or_else(|| bad("expected strings"))).collect::<Result<_, _>>()?
    } else {
        return Err(bad("expected an array of \"base\", \"override\", \"forwarding\", \"sources\""));
    };
    Expand::parse(&list.join(",")).map_err(|e| query_error("options.expand", &e))
}

/// A string option; `undefined` and `null` are absent.
fn string_option(options: Option<&JsValue>, key: &str) -> Result<Option<String>, JsValue> {
    let v = option(options, key)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| error(&format!("{key}: expected a string"), &[(key, "expected a string")]))
}

/// The one target of `escalate`: `team`, `escalation`, `schedule` or `user`.
fn escalate_target(o: Option<&JsValue>) -> Result<Target, JsValue> {
    let mut found: Vec<(&str, Target)> = Vec::new();
    for key in ["team", "escalation", "schedule", "user"] {
        if let Some(name) = string_option(o, key)? {
            let target = match key {
                "team" => Target::Team(name),
                "escalation" => Target::Escalation(name),
                "schedule" => Target::Schedule(name),
                _ => Target::User(name),
            };
            found.push((key, target));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0).1),
        0 => {
            let m = "give one target: team, escalation, schedule or user";
            Err(error(&format!("options: {m}"), &[("options", m)]))
        }
        _ => {
            let m = format!("not allowed with {}: give one target", found[0].0);
            let key = found[1].0;
            Err(error(&format!("{key}: {m}"), &[(key, &m)]))
        }
    }
}

fn target_key(target: &Target) -> &'static str {
    match target {
        Target::Team(_) => "team",
        Target::Escalation(_) => "escalation",
        Target::Schedule(_) => "schedule",
        Target::User(_) => "user",
    }
}

/// The alert of `escalate`: `alert` (a create-alert payload, as an object or JSON text) or
/// `message`, with `priority`, `tags` and `alias` overriding its fields, as the command does.
/// Also the names of the fields given as options of their own (for error paths).
fn escalate_alert(o: Option<&JsValue>) -> Result<(Alert, Vec<&'static str>), JsValue> {
    let payload = option(o, "alert")?;
    let message = string_option(o, "message")?;
    let mut alert = if payload.is_undefined() || payload.is_null() {
        match &message {
            Some(m) => Alert::new(m.clone()),
            None => {
                let m = "give alert or message";
                return Err(error(&format!("options: {m}"), &[("options", m)]));
            }
        }
    } else {
        if message.is_some() {
            let m = "not allowed with alert";
            return Err(error(&format!("message: {m}"), &[("message", m)]));
        }
        let text = json_text(&payload, "alert", payload.is_object(), "a create-alert object or JSON text")?;
        Alert::from_json(&text).map_err(|e| {
            let problems: Vec<Problem> =
                problems_of(&e).into_iter().map(|p| Problem { path: alert_path(&p.path, &[]), ..p }).collect();
            let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
            let pairs: Vec<(&str, &str)> = problems.iter().map(|p| (p.path.as_str(), p.message.as_str())).collect();
            error(&message, &pairs)
        })?
    };
    let mut direct = Vec::new();
    if message.is_some() {
        direct.push("message");
    }
    if let Some(p) = string_option(o, "priority")? {
        alert.priority = Some(p);
        direct.push("priority");
    }
    let tags = option(o, "tags")?;
    if !(tags.is_undefined() || tags.is_null()) {
        let bad = || {
            error(
                "tags: expected an array of strings or a comma-separated string",
                &[("tags", "expected an array of strings or a comma-separated string")],
            )
        };
        let list: Vec<String> = if let Some(text) = tags.as_string() {
            text.split(',').map(str::to_string).collect()
        } else if js_sys::Array::is_array(&tags) {
            js_sys::Array::from(&tags).iter().map(|v| v.as_string().ok_or_else(bad)).collect::<Result<_, _>>()?
        } else {
            return Err(bad());
        };
        alert.tags = list.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        direct.push("tags");
    }
    if let Some(a) = string_option(o, "alias")? {
        alert.alias = Some(a);
        direct.push("alias");
    }
    alert.validate().map_err(|e| {
        let problems: Vec<Problem> =
            problems_of(&e).into_iter().map(|p| Problem { path: alert_path(&p.path, &direct), ..p }).collect();
        let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
        let pairs: Vec<(&str, &str)> = problems.iter().map(|p| (p.path.as_str(), p.message.as_str())).collect();
        error(&message, &pairs)
    })?;
    Ok((alert, direct))
}

/// The path of a problem of the alert: `message` when the field was given as an option of its
/// own, else inside `alert` (`alert.details`).
fn alert_path(path: &str, direct: &[&str]) -> String {
    let field = path.split(['.', '[']).next().unwrap_or("");
    if path.is_empty() {
        "alert".to_string()
    } else if direct.contains(&field) {
        path.to_string()
    } else {
        format!("alert.{path}")
    }
}

/// An instant of `escalate` (no schedule): an ISO string read in `tz` when naive, `now`, or a
/// `Date`.
fn zoned_instant(tz: Tz, what: &str, value: &JsValue) -> Result<DateTime<Utc>, JsValue> {
    if let Some(text) = value.as_string() {
        if text.trim().eq_ignore_ascii_case("now") {
            return Ok(now());
        }
        return parse_instant(&text, tz, Edge::Start).map_err(|m| error(&format!("{what}: {m}"), &[(what, &m)]));
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return from_millis(date.get_time())
            .ok_or_else(|| error(&format!("{what}: invalid Date"), &[(what, "invalid Date")]));
    }
    let message = "expected an ISO 8601 string or a Date";
    Err(error(&format!("{what}: {message}"), &[(what, message)]))
}

/// The seed of `notifyType: random` picks: a whole number from 0 to 2^53 - 1, or a `bigint`
/// up to 2^64 - 1; 0 when omitted.
fn seed_option(o: Option<&JsValue>) -> Result<u64, JsValue> {
    let v = option(o, "seed")?;
    if v.is_undefined() || v.is_null() {
        return Ok(0);
    }
    let m = "expected a whole number from 0 to 2^53 - 1, or a bigint from 0 to 2^64 - 1";
    let bad = || error(&format!("seed: {m}"), &[("seed", m)]);
    if let Some(n) = v.as_f64() {
        return if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n) {
            Ok(n as u64)
        } else {
            Err(bad())
        };
    }
    if v.is_bigint() {
        return u64::try_from(v).map_err(|_| bad());
    }
    Err(bad())
}

// ---------------------------------------------------------------------------------------------
// Conversions out.

/// A core answer as a plain JS object of its serde JSON shape, without interning (see `encode`).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let tokens = encode::encode(value, None).map_err(|e| error(&format!("internal: {e}"), &[]))?;
    Ok(encode::decode(tokens, &JsValue::UNDEFINED))
}

/// The problems of an error, as the command's `check --format json` lists them (the last one
/// `… and N more errors` when the core only counted the rest).
fn problems_of(e: &Error) -> Vec<Problem> {
    e.to_problems()
}

/// A configuration error: every problem on its own `path: message` line.
fn config_error(e: &Error) -> JsValue {
    let problems = problems_of(e);
    let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    let pairs: Vec<(&str, &str)> = problems.iter().map(|p| (p.path.as_str(), p.message.as_str())).collect();
    error(&message, &pairs)
}

/// A query error, named after the argument it is about (`at`, `from`, `to`, `options.expand`).
fn query_error(what: &str, e: &Error) -> JsValue {
    let (path, message) = match e {
        Error::InvalidTime { what: w, message } | Error::InvalidArgument { what: w, message } => {
            // The core names its own argument (`from`, `to`, `interval`), except for `time`,
            // which is whichever argument was being read.
            let path = if w == "time" || w.is_empty() || what == "options.expand" { what } else { w.as_str() };
            (path.to_string(), message.clone())
        }
        Error::UnknownSchedule { .. } => ("schedule".to_string(), e.to_string()),
        Error::UnknownRotation { .. } => ("rotation".to_string(), e.to_string()),
        other => (String::new(), other.to_string()),
    };
    let text = if path.is_empty() { message.clone() } else { format!("{path}: {message}") };
    error(&text, &[(&path, &message)])
}

/// A JS `Error` with the message and a `problems` array of `{path, message}`.
fn error(message: &str, problems: &[(&str, &str)]) -> JsValue {
    let err = js_sys::Error::new(message);
    let list = js_sys::Array::new();
    for (path, message) in problems {
        let p = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&p, &"path".into(), &JsValue::from_str(path));
        let _ = js_sys::Reflect::set(&p, &"message".into(), &JsValue::from_str(message));
        list.push(&p);
    }
    let _ = js_sys::Reflect::set(&err, &"problems".into(), &list);
    err.into()
}

fn message_of(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() { "none".to_string() } else { names.join(", ") }
}

/// An option given as JSON text, or as a value (`structured` when it has the expected shape)
/// turned into JSON text; anything else is an error naming the option.
fn json_text(value: &JsValue, what: &str, structured: bool, expected: &str) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if !structured {
        let m = format!("expected {expected}");
        return Err(error(&format!("{what}: {m}"), &[(what, &m)]));
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| error(&format!("{what}: cannot serialize"), &[(what, "cannot serialize")]))
}
