//! WebAssembly bindings of `oncall-core`.
//!
//! A thin layer: it converts JavaScript values to the core's types (configuration text, instants,
//! options), calls the core, and converts the answers (the core's serde shapes, the same JSON as
//! `oncall … --format json`) and errors (a JS `Error` whose message names the input path) back.
//! Every scheduling decision is the core's.

use chrono::{DateTime, Utc};
use oncall_core::{Config, Error, Expand, Problem, Schedule};
use serde::Serialize;
use wasm_bindgen::prelude::*;

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
        Config::from_json(&text).map(|config| OnCall { config }).map_err(|e| config_error(&e))
    }

    /// The check report of this (valid) configuration: `valid` is true and `warnings` lists
    /// what is valid but probably not meant.
    #[wasm_bindgen(js_name = check, unchecked_return_type = "CheckResult")]
    pub fn check(&self) -> Result<JsValue, JsValue> {
        to_js(&CheckReport { valid: true, errors: Vec::new(), warnings: self.config.warnings().to_vec() })
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
        to_js(&list)
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
    /// (`onCallRecipients`) instead of the nested participants.
    #[wasm_bindgen(js_name = whoIsOnCall, unchecked_return_type = "OnCallAnswer")]
    pub fn who_is_on_call(
        &self,
        schedule: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "Instant | null")] at: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "WhoOptions & { flat?: false }")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let s = self.schedule(schedule)?;
        let at = instant(&s, "at", at.as_ref(), false)?;
        let answer = s.on_call(at).map_err(|e| query_error("at", &e))?;
        if flat_option(options.as_ref())? { to_js(&answer.flat()) } else { to_js(&answer) }
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
        if flat_option(options.as_ref())? { to_js(&answer.flat()) } else { to_js(&answer) }
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
        if from.is_undefined() || from.is_null() {
            return Err(error("from: is required", &[("from", "is required")]));
        }
        if to.is_undefined() || to.is_null() {
            return Err(error("to: is required", &[("to", "is required")]));
        }
        let from = instant(&s, "from", Some(&from), false)?;
        let to = instant(&s, "to", Some(&to), true)?;
        let expand = expand_option(options.as_ref())?;
        let answer = s.timeline(from, to, expand).map_err(|e| query_error("", &e))?;
        to_js(&answer)
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
        to_js(&answer)
    }
}

/// Validates a configuration (a JSON string or a plain object) without throwing: `{valid, errors, warnings}`, each problem with
/// its path.
#[wasm_bindgen(js_name = check, unchecked_return_type = "CheckResult")]
pub fn check(#[wasm_bindgen(unchecked_param_type = "string | ConfigDocument")] config: JsValue) -> JsValue {
    let result = config_text(&config)
        .map_err(|e| vec![Problem { path: String::new(), message: message_of(&e) }])
        .and_then(|text| Config::from_json(&text).map_err(|e| problems_of(&e)));
    let report = match result {
        Ok(config) => CheckReport { valid: true, errors: Vec::new(), warnings: config.warnings().to_vec() },
        Err(errors) => CheckReport { valid: false, errors, warnings: Vec::new() },
    };
    to_js(&report).unwrap_or(JsValue::NULL)
}

impl OnCall {
    fn schedule(&self, name: &str) -> Result<Schedule<'_>, JsValue> {
        self.config.schedule(name).map_err(|e| {
            let known: Vec<&str> = self.config.schedule_names().collect();
            let message = format!("{e} (known: {})", list_or_none(&known));
            error(&format!("schedule: {message}"), &[("schedule", &message)])
        })
    }
}

#[derive(Serialize)]
struct CheckReport {
    valid: bool,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
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
fn instant(s: &Schedule<'_>, what: &str, value: Option<&JsValue>, end: bool) -> Result<DateTime<Utc>, JsValue> {
    let value = match value {
        None => return Ok(now()),
        Some(v) if v.is_undefined() || v.is_null() => return Ok(now()),
        Some(v) => v,
    };
    if let Some(text) = value.as_string() {
        if text.trim().eq_ignore_ascii_case("now") {
            return Ok(now());
        }
        let parsed = if end { s.parse_time_end(&text) } else { s.parse_time(&text) };
        return parsed.map_err(|e| query_error(what, &e));
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return from_millis(date.get_time())
            .ok_or_else(|| error(&format!("{what}: invalid Date"), &[(what, "invalid Date")]));
    }
    let message = "expected an ISO 8601 string or a Date";
    Err(error(&format!("{what}: {message}"), &[(what, message)]))
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
        return Err(bad("expected an array of \"base\", \"override\", \"forwarding\""));
    };
    Expand::parse(&list.join(",")).map_err(|e| query_error("options.expand", &e))
}

// ---------------------------------------------------------------------------------------------
// Conversions out.

/// A core answer as a plain JS object, through its serde JSON shape (`JSON.parse` is faster than
/// building the object property by property across the boundary).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| error(&format!("internal: {e}"), &[]))?;
    js_sys::JSON::parse(&text)
}

fn problems_of(e: &Error) -> Vec<Problem> {
    match e.problems() {
        [] => vec![Problem { path: String::new(), message: e.to_string() }],
        p => p.to_vec(),
    }
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
