//! Comparing the engine's answers with Opsgenie's saved answers: the proof a team runs before
//! switching Opsgenie off.
//!
//! An answer is a saved response of `GET /v2/schedules/{id}/on-calls` (flat or not),
//! `…/next-on-calls` or `…/timeline`, with or without its envelope. Which query it answers is
//! told from its `data`: `onCallParticipants` / `onCallRecipients` an on-calls answer,
//! `nextOnCallRecipients` / `exactNextOnCallRecipients` (or their flat `…Participants`) a
//! next-on-calls answer, `finalTimeline` a timeline. The schedule is its `_parent` (id, else
//! name). A timeline's window is its own `startDate`/`endDate`; the instant of an on-calls or
//! next-on-calls answer (the request's `date`) is read from the file name, written like
//! `2019-10-15T10Z`, `2019-10-15T10:00Z`, `2019-10-15T10:00:00Z` or `2019-10-15T100000Z`
//! (UTC), else it is the instant given to [`verify`].
//!
//! The rules of the comparison:
//!
//! - `_parent`: `name` and `enabled` must be equal, and `id` when both have one.
//! - Participants are compared as sets (Opsgenie's order is not part of the answer). Two
//!   participants are the same when their `type` is equal and their `id`s are (their `name`s
//!   when either has no id); an escalation's entries also by `escalationTime` and `notifyType`.
//!   A name that differs under the same id is a note, not a difference (ids are Opsgenie's
//!   identity; usernames change).
//! - Depth: nested `onCallParticipants` are compared where Opsgenie's answer has them; where it
//!   stops (a team on call, a schedule inside an escalation), what the engine nests deeper is
//!   not compared.
//! - `forwardedFrom`, `escalationTime` and `notifyType` are compared where Opsgenie's answer has
//!   them.
//! - Flat answers: the sets of usernames.
//! - Timelines, final schedule: Opsgenie's `finalTimeline` and the engine's are each read as a
//!   final schedule (at every instant of the window, the set of recipients' names of the
//!   periods of all rotations covering it; nobody is a gap) and compared by the schedule diff's
//!   one comparison ([`crate::diff`]): each maximal interval where the sets differ is a
//!   difference (`finalTimeline[START/END]`, Opsgenie's set and the engine's), and the outcome's
//!   `hours` give, per user, the seconds the engine has them on call and Opsgenie does not
//!   (`gainedSeconds`), the reverse (`lostSeconds`) and the net, as `oncall diff` with Opsgenie
//!   as OLD and the engine as NEW. The comparison counts against `maxTimelinePeriods`.
//! - Timelines, other layers: each rotation of `baseTimeline`, `overrideTimeline` and
//!   `forwardingTimeline` (when the answer has them) is matched with the engine's by id, else
//!   name; their periods are compared as sets of (start, end, type, recipient). A rotation of
//!   the engine's with periods that Opsgenie's answer lacks is a difference.
//!
//! Every difference is listed; none stops the comparison.

use crate::output::SCHEDULE_WIDE;
use crate::{Config, Expand};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// One difference between Opsgenie's answer and the engine's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Where in the answer, e.g. `onCallParticipants[user user04@example.org]`.
    pub path: String,
    /// What Opsgenie answered (`absent` when it had nothing there).
    pub opsgenie: String,
    /// What the engine answers (`absent` when it has nothing there).
    pub engine: String,
}

/// The comparison of one saved answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The answer's file (or key).
    pub source: String,
    /// The query, e.g. `on-calls of first_line at 2019-10-15T10:00:00Z`.
    pub query: String,
    /// Every difference; empty when the engine gives Opsgenie's answer.
    pub differences: Vec<Difference>,
    /// Remarks that are not differences (a name that differs under the same id).
    pub notes: Vec<String>,
    /// A timeline's final schedule: per user whose on-call time differs, the seconds the engine
    /// has them on call and Opsgenie does not (gained), the reverse (lost) and the net, from
    /// [`crate::diff`]'s comparison (empty when the final schedules agree).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<crate::diff::UserChange>,
}

/// A saved file that was not compared, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file (or key).
    pub source: String,
    /// Why it was not compared.
    pub reason: String,
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Report {
    /// Every answer compared.
    pub compared: Vec<Outcome>,
    /// Every file that was not compared.
    pub skipped: Vec<Skipped>,
}

impl Report {
    /// The number of differences over all answers.
    pub fn differences(&self) -> usize {
        self.compared.iter().map(|o| o.differences.len()).sum()
    }

    /// Whether at least one answer was compared and none differed.
    pub fn equivalent(&self) -> bool {
        !self.compared.is_empty() && self.differences() == 0
    }
}

/// Compares the engine's answers with saved Opsgenie answers `(source, body)`; `at` is the
/// instant of on-calls and next-on-calls answers whose source name has none.
///
/// ```
/// use oncall_core::{Config, opsgenie::verify};
/// use serde_json::json;
/// let config = Config::from_json(r#"{"schedules":[{"name":"ops","rotations":[
///     {"type":"daily","startDate":"2026-11-02T09:00:00Z","participants":["ann","bob"]}]}]}"#)?;
/// let saved = json!({"data": {"_parent": {"name": "ops", "enabled": true},
///     "onCallParticipants": [{"name": "bob", "type": "user"}]}, "took": 0.01});
/// let report = verify::verify(&config, &[("on-calls-2026-11-03T10Z.json".into(), saved)], None);
/// assert!(report.equivalent(), "{report:?}");
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn verify(config: &Config, answers: &[(String, Value)], at: Option<DateTime<Utc>>) -> Report {
    let mut report = Report::default();
    for (source, body) in answers {
        match compare(config, source, body, at) {
            Ok(outcome) => report.compared.push(outcome),
            Err(reason) => report.skipped.push(Skipped { source: source.clone(), reason }),
        }
    }
    report
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    OnCall,
    NextOnCall,
    Timeline,
}

fn compare(config: &Config, source: &str, body: &Value, at: Option<DateTime<Utc>>) -> Result<Outcome, String> {
    let data = match body {
        Value::Object(o) if o.contains_key("data") => &o["data"],
        other => other,
    };
    let Some(d) = data.as_object() else { return Err("not an on-calls, next-on-calls or timeline answer".into()) };
    let kind = if d.contains_key("onCallParticipants") || d.contains_key("onCallRecipients") {
        Kind::OnCall
    } else if [
        "nextOnCallRecipients",
        "exactNextOnCallRecipients",
        "nextOnCallParticipants",
        "exactNextOnCallParticipants",
    ]
    .iter()
    .any(|k| d.contains_key(*k))
    {
        Kind::NextOnCall
    } else if d.contains_key("finalTimeline") {
        Kind::Timeline
    } else {
        return Err("not an on-calls, next-on-calls or timeline answer".into());
    };
    let parent = d.get("_parent").and_then(Value::as_object).ok_or("the answer has no _parent (its schedule)")?;
    let ident = ["id", "name"]
        .iter()
        .filter_map(|k| parent.get(*k).and_then(Value::as_str))
        .find(|i| config.schedule(i).is_ok())
        .ok_or_else(|| {
            format!("schedule {} is not in the configuration", show(parent.get("name").unwrap_or(&Value::Null)))
        })?;
    let s = config.schedule(ident).map_err(|e| e.to_string())?;
    let mut c = Cmp { diffs: Vec::new(), notes: Vec::new(), hours: Vec::new() };
    let mut window = None;
    let (query, ours) = match kind {
        Kind::OnCall | Kind::NextOnCall => {
            let at = instant_in_name(source).or(at).ok_or(
                "the instant is not in the file name (e.g. on-calls-2019-10-15T10Z.json) and no --at was given",
            )?;
            let t = crate::time::format_instant(at);
            if kind == Kind::OnCall {
                let answer = s.on_call(at).map_err(|e| e.to_string())?;
                let flat = d.contains_key("onCallRecipients");
                let v = if flat { serde_json::to_value(answer.flat()) } else { serde_json::to_value(answer) };
                (format!("on-calls{} of {} at {t}", if flat { " (flat)" } else { "" }, s.name()), v)
            } else {
                let answer = s.next_on_call(at).map_err(|e| e.to_string())?;
                let flat = d.contains_key("nextOnCallParticipants") || d.contains_key("exactNextOnCallParticipants");
                let v = if flat { serde_json::to_value(answer.flat()) } else { serde_json::to_value(answer) };
                (format!("next-on-calls{} of {} at {t}", if flat { " (flat)" } else { "" }, s.name()), v)
            }
        }
        Kind::Timeline => {
            let from =
                d.get("startDate").and_then(Value::as_str).and_then(instant).ok_or("the timeline has no startDate")?;
            let to = d.get("endDate").and_then(Value::as_str).and_then(instant).ok_or("the timeline has no endDate")?;
            let expand = Expand {
                base: d.contains_key("baseTimeline"),
                overrides: d.contains_key("overrideTimeline"),
                forwarding: d.contains_key("forwardingTimeline"),
                sources: false,
            };
            let answer = s.timeline(from, to, expand).map_err(|e| e.to_string())?;
            window = Some((from, to));
            let q = format!(
                "timeline of {} from {} to {}",
                s.name(),
                crate::time::format_instant(from),
                crate::time::format_instant(to)
            );
            (q, serde_json::to_value(answer))
        }
    };
    let ours = ours.map_err(|e| e.to_string())?;
    let empty = Map::new();
    let o = ours.as_object().unwrap_or(&empty);
    c.parent(parent, o.get("_parent").and_then(Value::as_object).unwrap_or(&empty));
    match kind {
        Kind::OnCall => {
            c.field_list(d, o, "onCallParticipants");
            c.names(d, o, "onCallRecipients");
        }
        Kind::NextOnCall => {
            c.field_list(d, o, "nextOnCallRecipients");
            c.field_list(d, o, "exactNextOnCallRecipients");
            c.names(d, o, "nextOnCallParticipants");
            c.names(d, o, "exactNextOnCallParticipants");
        }
        Kind::Timeline => {
            if let (Some(e), Some((from, to))) = (d.get("finalTimeline"), window) {
                let limit = config.limits.max_timeline_periods;
                c.final_schedule(e, o.get("finalTimeline").unwrap_or(&Value::Null), from, to, limit)?;
            }
            for layer in ["baseTimeline", "overrideTimeline", "forwardingTimeline"] {
                if let Some(e) = d.get(layer) {
                    c.layer(layer, e, o.get(layer).unwrap_or(&Value::Null));
                }
            }
        }
    }
    Ok(Outcome { source: source.to_string(), query, differences: c.diffs, notes: c.notes, hours: c.hours })
}

struct Cmp {
    diffs: Vec<Difference>,
    notes: Vec<String>,
    hours: Vec<crate::diff::UserChange>,
}

/// A timeline layer (`{"rotations": [{"periods": [...]}]}`) read as a final schedule over
/// `[from, to)`: consecutive segments, each with the sorted names of the recipients of the
/// periods covering it (empty: a gap), equal neighbours merged.
fn final_segments(layer: &Value, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<crate::output::Segment> {
    // (instant, +1 start / -1 end, name), swept in time order.
    let mut events: Vec<(DateTime<Utc>, i32, String)> = Vec::new();
    let empty = Vec::new();
    for r in layer.get("rotations").and_then(Value::as_array).unwrap_or(&empty) {
        for p in r.get("periods").and_then(Value::as_array).unwrap_or(&empty) {
            let at = |k: &str| p.get(k).and_then(Value::as_str).and_then(instant);
            let (Some(s), Some(e)) = (at("startDate"), at("endDate")) else { continue };
            let Some(rc) = p.get("recipient").and_then(Value::as_object) else { continue };
            let Some(name) = str_of(rc, "name").or(str_of(rc, "id")) else { continue };
            let (s, e) = (s.max(from), e.min(to));
            if s < e {
                events.push((s, 1, name.to_string()));
                events.push((e, -1, name.to_string()));
            }
        }
    }
    events.sort();
    let mut on: std::collections::BTreeMap<String, i32> = std::collections::BTreeMap::new();
    let mut out: Vec<crate::output::Segment> = Vec::new();
    let mut t = from;
    let mut i = 0;
    while t < to {
        while i < events.len() && events[i].0 <= t {
            let (_, d, name) = &events[i];
            let n = on.entry(name.clone()).or_insert(0);
            *n += d;
            if *n <= 0 {
                on.remove(name);
            }
            i += 1;
        }
        let next = events.get(i).map_or(to, |e| e.0.min(to));
        let recipients: Vec<String> = on.keys().cloned().collect();
        match out.last_mut() {
            Some(last) if last.recipients == recipients => last.end_date = next,
            _ => out.push(crate::output::Segment { start_date: t, end_date: next, recipients, sources: None }),
        }
        t = next;
    }
    out
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "absent".into(),
        other => other.to_string(),
    }
}

fn str_of<'a>(o: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    o.get(k).and_then(Value::as_str)
}

/// A participant as a person reads it: `user ann@example.com`.
fn who(p: &Map<String, Value>) -> String {
    let mut s = format!("{} {}", str_of(p, "type").unwrap_or("?"), str_of(p, "name").unwrap_or(""));
    if let Some(t) = p.get("escalationTime") {
        s.push_str(&format!(" +{t}m"));
    }
    if let Some(n) = str_of(p, "notifyType") {
        s.push_str(&format!(" {n}"));
    }
    s.trim_end().to_string()
}

fn same(e: &Map<String, Value>, o: &Map<String, Value>) -> bool {
    if str_of(e, "type") != str_of(o, "type") {
        return false;
    }
    let ident = match (str_of(e, "id"), str_of(o, "id")) {
        (Some(a), Some(b)) => a == b,
        _ => str_of(e, "name") == str_of(o, "name"),
    };
    ident
        && (!e.contains_key("escalationTime") || e.get("escalationTime") == o.get("escalationTime"))
        && (!e.contains_key("notifyType") || e.get("notifyType") == o.get("notifyType"))
}

fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

impl Cmp {
    fn diff(&mut self, path: String, opsgenie: String, engine: String) {
        self.diffs.push(Difference { path, opsgenie, engine });
    }

    fn parent(&mut self, e: &Map<String, Value>, o: &Map<String, Value>) {
        for k in ["name", "enabled"] {
            if e.get(k) != o.get(k) {
                self.diff(
                    format!("_parent.{k}"),
                    show(e.get(k).unwrap_or(&Value::Null)),
                    show(o.get(k).unwrap_or(&Value::Null)),
                );
            }
        }
        if let (Some(a), Some(b)) = (str_of(e, "id"), str_of(o, "id"))
            && a != b
        {
            self.diff("_parent.id".into(), a.into(), b.into());
        }
    }

    /// A list of participants, when Opsgenie's answer has it.
    fn field_list(&mut self, e: &Map<String, Value>, o: &Map<String, Value>, key: &str) {
        if let Some(list) = e.get(key) {
            let empty = Vec::new();
            let ours = o.get(key).and_then(Value::as_array).unwrap_or(&empty);
            self.participants(key, list.as_array().unwrap_or(&empty), ours);
        }
    }

    fn participants(&mut self, path: &str, expected: &[Value], ours: &[Value]) {
        let mut taken = vec![false; ours.len()];
        for e in expected.iter().filter_map(Value::as_object) {
            let found = ours
                .iter()
                .enumerate()
                .find(|(i, o)| !taken[*i] && o.as_object().is_some_and(|o| same(e, o)))
                .map(|(i, o)| (i, o.as_object()));
            let Some((i, Some(o))) = found else {
                self.diff(format!("{path}[{}]", who(e)), who(e), "absent".into());
                continue;
            };
            taken[i] = true;
            let here = format!("{path}[{}]", who(e));
            if str_of(e, "id").is_some() && str_of(o, "id").is_some() && str_of(e, "name") != str_of(o, "name") {
                self.notes.push(format!(
                    "{here}: Opsgenie names id {} {:?}, the engine {:?}",
                    str_of(e, "id").unwrap_or_default(),
                    str_of(e, "name").unwrap_or_default(),
                    str_of(o, "name").unwrap_or_default()
                ));
            }
            if let Some(f) = e.get("forwardedFrom") {
                let g = o.get("forwardedFrom").unwrap_or(&Value::Null);
                let same_from = match (f.as_object(), g.as_object()) {
                    (Some(f), Some(g)) => same(f, g),
                    _ => f == g,
                };
                if !same_from {
                    self.diff(format!("{here}.forwardedFrom"), f.to_string(), g.to_string());
                }
            }
            if let Some(children) = e.get("onCallParticipants").and_then(Value::as_array) {
                let empty = Vec::new();
                let theirs = o.get("onCallParticipants").and_then(Value::as_array).unwrap_or(&empty);
                self.participants(&format!("{here}.onCallParticipants"), children, theirs);
            }
        }
        for (o, _) in ours.iter().zip(&taken).filter(|(_, t)| !**t) {
            if let Some(o) = o.as_object() {
                self.diff(format!("{path}[{}]", who(o)), "absent".into(), who(o));
            }
        }
    }

    /// A flat list of usernames, when Opsgenie's answer has it.
    fn names(&mut self, e: &Map<String, Value>, o: &Map<String, Value>, key: &str) {
        let Some(list) = e.get(key).and_then(Value::as_array) else { return };
        let empty = Vec::new();
        let ours = o.get(key).and_then(Value::as_array).unwrap_or(&empty);
        for n in list.iter().filter(|n| !ours.contains(n)) {
            self.diff(format!("{key}[{}]", show(n)), show(n), "absent".into());
        }
        for n in ours.iter().filter(|n| !list.contains(n)) {
            self.diff(format!("{key}[{}]", show(n)), "absent".into(), show(n));
        }
    }

    /// The final schedules of Opsgenie's `finalTimeline` and the engine's, compared by the
    /// schedule diff (Opsgenie as OLD, the engine as NEW).
    fn final_schedule(
        &mut self,
        expected: &Value,
        ours: &Value,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<(), String> {
        use crate::diff::{Side, compare};
        let side = |layer: &Value| Side::List(final_segments(layer, from, to).into_iter());
        let found = compare(side(expected), side(ours), limit).map_err(|e| e.to_string())?;
        let set = |names: &[String]| if names.is_empty() { "nobody".to_string() } else { names.join(", ") };
        for ch in found.changes {
            self.diff(
                format!(
                    "finalTimeline[{}/{}]",
                    crate::time::format_instant(ch.start_date),
                    crate::time::format_instant(ch.end_date)
                ),
                set(&ch.old),
                set(&ch.new),
            );
        }
        self.hours = found.users;
        Ok(())
    }

    fn layer(&mut self, name: &str, expected: &Value, ours: &Value) {
        let empty = Vec::new();
        let e = expected.get("rotations").and_then(Value::as_array).unwrap_or(&empty);
        let o = ours.get("rotations").and_then(Value::as_array).unwrap_or(&empty);
        let mut taken = vec![false; o.len()];
        for er in e.iter().filter_map(Value::as_object) {
            let label = str_of(er, "name").or(str_of(er, "id")).unwrap_or("?").to_string();
            let found = o.iter().enumerate().find(|(i, r)| {
                !taken[*i]
                    && match (str_of(er, "id"), r.get("id").and_then(Value::as_str)) {
                        (Some(a), Some(b)) => a == b,
                        _ => str_of(er, "name") == r.get("name").and_then(Value::as_str),
                    }
            });
            let path = format!("{name}.rotations[{label}]");
            let theirs = match found {
                Some((i, r)) => {
                    taken[i] = true;
                    r.get("periods").and_then(Value::as_array).unwrap_or(&empty)
                }
                None => &empty,
            };
            self.periods(&path, er.get("periods").and_then(Value::as_array).unwrap_or(&empty), theirs);
        }
        for (r, _) in o.iter().zip(&taken).filter(|(_, t)| !**t) {
            let periods = r.get("periods").and_then(Value::as_array).unwrap_or(&empty);
            let label = r.get("name").and_then(Value::as_str).unwrap_or("?");
            let label = if label == SCHEDULE_WIDE { "schedule-wide overrides" } else { label };
            self.periods(&format!("{name}.rotations[{label}]"), &[], periods);
        }
    }

    fn periods(&mut self, path: &str, expected: &[Value], ours: &[Value]) {
        type Key = (Option<DateTime<Utc>>, Option<DateTime<Utc>>, String, String, Option<String>);
        let key = |p: &Value| -> Key {
            let r = p.get("recipient").and_then(Value::as_object);
            (
                p.get("startDate").and_then(Value::as_str).and_then(instant),
                p.get("endDate").and_then(Value::as_str).and_then(instant),
                p.get("type").and_then(Value::as_str).unwrap_or("default").to_string(),
                r.and_then(|r| str_of(r, "type")).unwrap_or("").to_string(),
                r.and_then(|r| str_of(r, "id").or(str_of(r, "name"))).map(String::from),
            )
        };
        let describe = |p: &Value| {
            let r = p.get("recipient").and_then(Value::as_object);
            format!(
                "{} {} to {}: {}",
                p.get("type").and_then(Value::as_str).unwrap_or("default"),
                p.get("startDate").and_then(Value::as_str).unwrap_or("?"),
                p.get("endDate").and_then(Value::as_str).unwrap_or("?"),
                r.map(who).unwrap_or_else(|| "nobody".into())
            )
        };
        let mut taken = vec![false; ours.len()];
        for e in expected {
            let k = key(e);
            match ours.iter().enumerate().find(|(i, o)| !taken[*i] && key(o) == k) {
                Some((i, _)) => taken[i] = true,
                None => self.diff(format!("{path}.periods"), describe(e), "absent".into()),
            }
        }
        for (o, _) in ours.iter().zip(&taken).filter(|(_, t)| !**t) {
            self.diff(format!("{path}.periods"), "absent".into(), describe(o));
        }
    }
}

/// The UTC instant written in a file name: `2019-10-15T10Z`, `2019-10-15T10:00Z`,
/// `2019-10-15T10:00:00Z`, `2019-10-15T1000Z` or `2019-10-15T100000Z`.
///
/// ```
/// use oncall_core::opsgenie::verify::instant_in_name;
/// let t = instant_in_name("recorded-on-calls-first_line-2019-10-15T10Z.response.json").unwrap();
/// assert_eq!(t.to_rfc3339(), "2019-10-15T10:00:00+00:00");
/// assert_eq!(instant_in_name("docs-who-is-on-call.response.json"), None);
/// ```
pub fn instant_in_name(name: &str) -> Option<DateTime<Utc>> {
    let b = name.as_bytes();
    (0..b.len()).find_map(|i| {
        let date = name.get(i..i + 10)?;
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        if b.get(i + 10) != Some(&b'T') || !date.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let rest = name.get(i + 11..)?;
        let end = rest.find('Z')?;
        let digits: String = rest[..end].chars().filter(|c| *c != ':').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4 | 6) {
            return None;
        }
        let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
        day.and_hms_opt(n(0..2), n(2..4), n(4..6)).map(|t| t.and_utc())
    })
}
