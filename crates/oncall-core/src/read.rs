//! Reading a document's text: the limits kept while reading, the typed read, and the one-pass
//! collector that explains a document the typed read refused.
//!
//! The rules and their cost are stated in the [`config`](crate::config) module docs.

use crate::config::{
    Contact, Criteria, Delay, Document, Escalation, EscalationRule, ForwardingRule, Integration, NameRef,
    NotificationRepeat, NotificationRule, NotificationStep, Override, Participant, ParticipantObject, PriorityMapping,
    Repeat, RosterChange, Rotation, RoutingRule, Schedule, Team, TeamMember, TimeOfDay, TimeRestriction, User, UserRef,
    WeekdaySpan,
};
use crate::{Error, Limits, Problem};
#[cfg(any(feature = "fast-read", feature = "yaml"))]
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;

#[cfg(feature = "fast-read")]
mod checked;

/// Keys whose string values are free text (limit `maxTextBytes`); every other string is a name
/// (limit `maxNameBytes`).
///
/// # Example
///
/// ```
/// use oncall_core::{config::{Document, TEXT_FIELDS}, Limits};
/// assert!(TEXT_FIELDS.contains(&"description"));
/// let long = "x".repeat(2000);
/// let limits = Limits::default();
/// // 2 000 bytes: fine as a description, too long for a name.
/// assert!(Document::from_json_with_limits(&format!(r#"{{"teams": [{{"name": "t", "description": "{long}"}}]}}"#), &limits).is_ok());
/// let err = Document::from_json_with_limits(&format!(r#"{{"teams": [{{"name": "{long}"}}]}}"#), &limits).unwrap_err();
/// assert_eq!(err.to_string(), "teams[0].name: 2000 bytes, more than 1024 (limit maxNameBytes)");
/// ```
pub const TEXT_FIELDS: &[&str] = &["description", "expectedValue", "recurrence", "ics"];

/// Whether `key` is one of [`TEXT_FIELDS`]. A `match` (the scan asks on every key, and a
/// `match` compares lengths before bytes); the unit test keeps it equal to the list.
fn is_text_field(key: &str) -> bool {
    matches!(key, "description" | "expectedValue" | "recurrence" | "ics")
}

/// Whether `key` is one of [`LIST_KEYS`]: a `match`, as for [`is_text_field`].
fn is_list_key(key: &str) -> bool {
    matches!(
        key,
        "changes"
            | "conditions"
            | "dates"
            | "escalations"
            | "forwardingRules"
            | "holidayCalendars"
            | "holidays"
            | "integrations"
            | "members"
            | "notificationRules"
            | "notificationTime"
            | "overrides"
            | "participants"
            | "payRules"
            | "priorities"
            | "rates"
            | "restrictions"
            | "rotations"
            | "routingRules"
            | "rules"
            | "schedules"
            | "steps"
            | "teams"
            | "timeOff"
            | "users"
    )
}

/// Keys whose values are lists in the document. A list anywhere else (at the top, inside a
/// list, under another key) makes the reader check that no object was written as a list.
/// The scan asks [`is_list_key`], which the unit test keeps equal to this list.
#[cfg(test)]
const LIST_KEYS: &[&str] = &[
    "changes",
    "conditions",
    "dates",
    "escalations",
    "forwardingRules",
    "holidayCalendars",
    "holidays",
    "integrations",
    "members",
    "notificationRules",
    "notificationTime",
    "overrides",
    "participants",
    "payRules",
    "priorities",
    "rates",
    "restrictions",
    "rotations",
    "routingRules",
    "rules",
    "schedules",
    "steps",
    "teams",
    "timeOff",
    "users",
];

/// The key holding free JSON (kept as written): anything goes below it.
const FREE_KEY: &str = "role";

// ---------------------------------------------------------------------------------------------
// Entry points.

/// Reads a JSON document within `limits`.
pub(crate) fn json(text: &str, limits: &Limits) -> crate::Result<Document> {
    json_read(text, limits, true)
}

/// Reads a JSON document within `limits` by the path-tracking reader alone: the answer of
/// [`json`] (the property test `props_read` checks they agree), without the typed fast path.
pub(crate) fn json_explained(text: &str, limits: &Limits) -> crate::Result<Document> {
    json_read(text, limits, false)
}

/// The JSON reader. When `fast` (with `fast-read`), first the [checked](checked) typed read:
/// one pass that keeps the rules and gives the document, or refuses. Otherwise, and for a
/// refused text, as before it: the scan (limits, duplicate keys, non-finite numbers), then,
/// when `fast` and the scan saw nothing suspicious, the typed read straight from the text;
/// anything that read refuses goes to the path-tracking reader, which explains it.
fn json_read(text: &str, limits: &Limits, fast: bool) -> crate::Result<Document> {
    input_size(text.len(), limits)?;
    // One pass for a valid document: the typed read with the rules checked on the way.
    #[cfg(feature = "fast-read")]
    if fast && let Some(doc) = checked::document(text, limits) {
        return Ok(doc);
    }
    let suspicious = {
        let scan = Scan::new(limits, false, false);
        let mut de = serde_json::Deserializer::from_str(text);
        let read = Node::root(&scan).deserialize(&mut de).and_then(|_| de.end());
        if let Err(e) = read {
            return Err(scan.stopped(None).unwrap_or_else(|| json_syntax(text, &e)));
        }
        scan.suspicious.get()
    };
    #[cfg(feature = "fast-read")]
    if fast
        && !suspicious
        && let Ok(doc) = serde_json::from_str::<Document>(text)
    {
        return Ok(doc);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| json_syntax(text, &e))?;
    // Without `fast-read`, one reader (from a value) serves JSON, YAML and values alike.
    #[cfg(not(feature = "fast-read"))]
    if fast
        && !suspicious
        && let Some(doc) = typed(&value)
    {
        return Ok(doc);
    }
    if let Some(inner) = unwrapped(&value)? {
        return self::value(&inner, limits);
    }
    explain(&value, limits)
}

/// The typed document of a value, when it reads as one. Without `fast-read` (the wasm package)
/// this is the same path-tracking reader the collector's explanation uses for the whole
/// document, so the document's readers are compiled once instead of twice (a smaller module);
/// the answer is the same either way.
fn typed(value: &Value) -> Option<Document> {
    #[cfg(feature = "fast-read")]
    {
        Document::deserialize(value).ok()
    }
    #[cfg(not(feature = "fast-read"))]
    {
        serde_path_to_error::deserialize::<_, Document>(value).ok()
    }
}

/// A saved Opsgenie response (`{"data": …, "took": …, "requestId": …}`) unwrapped into the
/// document it holds (see [`crate::opsgenie::unwrap_envelope`]); None when `value` is no
/// envelope. Only the path of a refused typed read asks, so documents pay nothing for it.
fn unwrapped(value: &Value) -> crate::Result<Option<Value>> {
    match value {
        Value::Object(top) if top.contains_key("data") => {
            let inner = crate::opsgenie::unwrap_envelope(value.clone())?;
            Ok((&inner != value).then_some(inner))
        }
        _ => Ok(None),
    }
}

/// Reads a document from a JSON value within `limits`.
pub(crate) fn value(value: &Value, limits: &Limits) -> crate::Result<Document> {
    let scan = Scan::new(limits, false, false);
    if let Err(e) = Node::root(&scan).deserialize(value) {
        return Err(scan.stopped(None).unwrap_or_else(|| Error::invalid("", e.to_string())));
    }
    if !scan.suspicious.get()
        && let Some(doc) = typed(value)
    {
        return Ok(doc);
    }
    if let Some(inner) = unwrapped(value)? {
        return self::value(&inner, limits);
    }
    explain(value, limits)
}

/// Reads a YAML document within `limits`; every problem carries its line and column.
#[cfg(feature = "yaml")]
pub(crate) fn yaml(text: &str, limits: &Limits) -> crate::Result<Document> {
    input_size(text.len(), limits)?;
    let (value, suspicious) = yaml_value(text, limits)?;
    if let Some(inner) = unwrapped(&value)? {
        return self::value(&inner, limits).map_err(|e| yaml_positions(text, e, limits));
    }
    if !suspicious && !value.is_null() {
        // Read by value: the tree's strings move into the document instead of being copied, so
        // the two are never both whole in memory.
        #[cfg(feature = "fast-read")]
        {
            if let Ok(doc) = Document::deserialize(value) {
                return Ok(doc);
            }
            // Refused: read the text again to explain why (the error path only).
            let (value, _) = yaml_value(text, limits)?;
            return explain(&value, limits).map_err(|e| yaml_positions(text, e, limits));
        }
        // Without `fast-read`, the reader from a value that JSON uses too.
        #[cfg(not(feature = "fast-read"))]
        if let Some(doc) = typed(&value) {
            return Ok(doc);
        }
    }
    explain(&value, limits).map_err(|e| yaml_positions(text, e, limits))
}

/// The YAML text as a JSON value, scanned within `limits`, and whether it holds a list where
/// an object could be expected.
#[cfg(feature = "yaml")]
fn yaml_value(text: &str, limits: &Limits) -> crate::Result<(Value, bool)> {
    let scan = Scan::new(limits, true, true);
    let read = serde_saphyr::with_deserializer_from_str_with_options(text, yaml_options(limits, text.len()), |de| {
        Node::root(&scan).deserialize(de)
    });
    match read {
        Ok(value) => Ok((value, scan.suspicious.get())),
        Err(e) => {
            let at = e.location().filter(|l| l.line() > 0).map(|l| (l.line(), l.column()));
            let stopped = scan.stopped(at);
            drop(scan);
            Err(match stopped {
                Some(stop) => yaml_positions(text, stop, limits),
                None => yaml_syntax(&e, limits),
            })
        }
    }
}

/// The error of a document the typed read refused: every structural problem, capped at
/// `maxErrors`. Returns the document if there is none after all (a list read as an object is
/// the one thing only the collector sees).
fn explain(value: &Value, limits: &Limits) -> crate::Result<Document> {
    let mut sink = Sink::new(limits.max_errors);
    collect(Kind::Document, value, "", &mut sink);
    if sink.is_empty() {
        #[cfg(feature = "fast-read")]
        return Document::deserialize(value).map_err(|e| Error::invalid("", plain(&e.to_string())));
        #[cfg(not(feature = "fast-read"))]
        return serde_path_to_error::deserialize::<_, Document>(value)
            .map_err(|e| Error::invalid("", plain(&e.into_inner().to_string())));
    }
    Err(sink.into_error())
}

/// `item` or `items`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 { word.to_string() } else { format!("{word}s") }
}

fn input_size(len: usize, limits: &Limits) -> crate::Result<()> {
    if len > limits.max_input_bytes {
        return Err(Error::LimitExceeded {
            limit: "maxInputBytes",
            path: String::new(),
            message: format!("the document has {len} bytes, more than {}", limits.max_input_bytes),
            line: None,
            column: None,
        });
    }
    Ok(())
}

/// `not valid JSON: …`, with the position as line and column.
fn json_syntax(text: &str, e: &serde_json::Error) -> Error {
    if e.is_eof() && text.trim().is_empty() {
        return Error::invalid("", "not valid JSON: the document is empty");
    }
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    let problem = Problem::new("", format!("not valid JSON: {message}"));
    Error::Invalid(vec![if e.line() > 0 { problem.at(e.line() as u64, e.column().max(1) as u64) } else { problem }])
}

#[cfg(feature = "yaml")]
fn yaml_syntax(e: &serde_saphyr::Error, limits: &Limits) -> Error {
    let message = e.without_snippet().to_string();
    if message.starts_with("budget breached") {
        // The reader's own bounds (set from ours in `yaml_options`) are about what aliases
        // expand to.
        let at = e.location().filter(|l| l.line() > 0);
        return Error::LimitExceeded {
            limit: "maxInputBytes",
            path: String::new(),
            message: format!("the aliases of this document expand to more than {} bytes", limits.max_input_bytes),
            line: at.map(|l| l.line()),
            column: at.map(|l| l.column()),
        };
    }
    if message.starts_with("recursion limit exceeded") {
        // The scanner's bound on flow nesting, set to `maxDepth`, is met before the nodes are.
        let at = e.location().filter(|l| l.line() > 0);
        return Error::LimitExceeded {
            limit: "maxDepth",
            path: String::new(),
            message: format!("nested more than {} levels deep", limits.max_depth),
            line: at.map(|l| l.line()),
            column: at.map(|l| l.column()),
        };
    }
    let problem = match e.location().filter(|l| l.line() > 0) {
        Some(l) => {
            let suffix = format!(" at line {}, column {}", l.line(), l.column());
            let m = message.strip_suffix(&suffix).unwrap_or(&message);
            Problem::new("", format!("not valid YAML: {m}")).at(l.line(), l.column())
        }
        None => Problem::new("", format!("not valid YAML: {message}")),
    };
    Error::Invalid(vec![problem])
}

/// The YAML reader's own bounds, set from `limits` so that ours (which name the limit and the
/// path) are met first, and so that nothing it does is unbounded.
#[cfg(feature = "yaml")]
fn yaml_options(limits: &Limits, text_len: usize) -> serde_saphyr::Options {
    use serde_saphyr::options::{DuplicateKeyPolicy, MergeKeyPolicy, NonFiniteFloatPolicy};
    let bytes = limits.max_input_bytes.max(1);
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(bytes),
            flow_nesting_limit: limits.max_depth,
            // Every event but a replayed one costs at least a byte of the text.
            max_events: bytes.saturating_add(16),
            max_aliases: bytes,
            max_anchors: bytes,
            // What anchors keep to replay: as many events as the text has bytes (more only
            // when aliases nest inside anchors, which is how alias bombs grow).
            max_recorded_anchor_events: text_len.max(1024),
            max_recorded_anchor_bytes: bytes,
            max_depth: limits.max_depth.saturating_add(2),
            max_documents: 1,
            max_nodes: bytes,
            // Ours counts at least as much, and names the path.
            max_total_scalar_bytes: bytes.saturating_mul(2).saturating_add(1 << 16),
            max_merge_keys: bytes,
            enforce_alias_anchor_ratio: false,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: bytes,
            max_replay_stack_depth: limits.max_depth.saturating_add(2),
            max_alias_expansions_per_anchor: usize::MAX,
        },
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        merge_keys: MergeKeyPolicy::Merge,
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
    }
}

// ---------------------------------------------------------------------------------------------
// The scan: limits, duplicate keys and non-finite numbers, in one pass over any self-describing
// input; builds a JSON value only when asked to.

enum Seg<'de> {
    Key(Cow<'de, str>),
    Index(usize),
}

/// Why the scan stopped.
struct Stop {
    path: String,
    message: String,
    limit: Option<&'static str>,
    /// Found at a key: the YAML reader's position is then its mapping's, not the key's.
    key: bool,
}

struct Scan<'de, 'l> {
    limits: &'l Limits,
    path: RefCell<Vec<Seg<'de>>>,
    /// The keys seen so far in each object being read, innermost last: an object's keys are
    /// the stack's top from where it began (objects nest, so they never interleave). One
    /// stack for the document instead of a list per object.
    keys: RefCell<Vec<Cow<'de, str>>>,
    /// Bytes of the (expanded) document counted so far, when `count` is set.
    expanded: Cell<usize>,
    count: bool,
    build: bool,
    /// A list where the document could expect an object.
    suspicious: Cell<bool>,
    stop: RefCell<Option<Stop>>,
}

impl<'de, 'l> Scan<'de, 'l> {
    fn new(limits: &'l Limits, build: bool, count: bool) -> Self {
        Scan {
            limits,
            path: RefCell::new(Vec::new()),
            keys: RefCell::new(Vec::new()),
            expanded: Cell::new(0),
            count,
            build,
            suspicious: Cell::new(false),
            stop: RefCell::new(None),
        }
    }

    fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.path.borrow().iter() {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    fn fail<E: de::Error>(&self, path: String, message: String, limit: Option<&'static str>) -> E {
        self.stop_with(Stop { path, message, limit, key: false })
    }

    fn fail_at_key<E: de::Error>(&self, path: String, message: String, limit: Option<&'static str>) -> E {
        self.stop_with(Stop { path, message, limit, key: true })
    }

    fn stop_with<E: de::Error>(&self, stop: Stop) -> E {
        let mut first = self.stop.borrow_mut();
        if first.is_none() {
            *first = Some(stop);
        }
        E::custom("reading stopped")
    }

    /// The typed error of a stop, placed at `at` (line, column) when known.
    fn stopped(&self, at: Option<(u64, u64)>) -> Option<Error> {
        let stop = self.stop.borrow_mut().take()?;
        let at = if stop.key { None } else { at };
        let (line, column) = at.map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Some(match stop.limit {
            Some(limit) => Error::LimitExceeded { limit, path: stop.path, message: stop.message, line, column },
            None => {
                let p = Problem::new(stop.path, stop.message);
                Error::Invalid(vec![match at {
                    Some((l, c)) => p.at(l, c),
                    None => p,
                }])
            }
        })
    }

    /// Counts `n` bytes of the expanded document.
    fn charge<E: de::Error>(&self, n: usize) -> Result<(), E> {
        if !self.count {
            return Ok(());
        }
        let total = self.expanded.get().saturating_add(n);
        self.expanded.set(total);
        if total > self.limits.max_input_bytes {
            return Err(self.fail(
                self.path(),
                format!("the document expands to more than {} bytes", self.limits.max_input_bytes),
                Some("maxInputBytes"),
            ));
        }
        Ok(())
    }
}

/// One node of the scan.
#[derive(Clone, Copy)]
struct Node<'s, 'de, 'l> {
    scan: &'s Scan<'de, 'l>,
    depth: usize,
    /// Strings here are free text.
    text: bool,
    /// Below the free-JSON key: lists are expected.
    free: bool,
    /// A list is expected here.
    list_ok: bool,
}

impl<'s, 'de, 'l> Node<'s, 'de, 'l> {
    fn root(scan: &'s Scan<'de, 'l>) -> Self {
        Node { scan, depth: 0, text: false, free: false, list_ok: false }
    }

    fn string<E: de::Error>(&self, s: &str) -> Result<(), E> {
        self.scan.charge(s.len() + 1)?;
        let limits = self.scan.limits;
        let (max, limit) =
            if self.text { (limits.max_text_bytes, "maxTextBytes") } else { (limits.max_name_bytes, "maxNameBytes") };
        if s.len() > max {
            return Err(self.scan.fail(self.scan.path(), format!("{} bytes, more than {max}", s.len()), Some(limit)));
        }
        Ok(())
    }

    fn enter<E: de::Error>(&self) -> Result<(), E> {
        self.scan.charge(1)?;
        let max = self.scan.limits.max_depth;
        if self.depth + 1 > max {
            return Err(self.scan.fail(
                self.scan.path(),
                format!("nested more than {max} levels deep"),
                Some("maxDepth"),
            ));
        }
        Ok(())
    }

    fn too_long<E: de::Error>(&self) -> E {
        let max = self.scan.limits.max_list_len;
        self.scan.fail(self.scan.path(), format!("more than {max} {}", plural(max, "item")), Some("maxListLen"))
    }

    fn scalar(&self, v: impl FnOnce() -> Value) -> Value {
        if self.scan.build { v() } else { Value::Null }
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_, 'de, '_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, 'de, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.scan.charge(1)?;
        Ok(self.scalar(|| Value::Bool(b)))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.scan.charge(1)?;
        Ok(self.scalar(|| Value::from(n)))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.scan.charge(1)?;
        Ok(self.scalar(|| Value::from(n)))
    }

    fn visit_i128<E: de::Error>(self, n: i128) -> Result<Value, E> {
        self.visit_f64(n as f64)
    }

    fn visit_u128<E: de::Error>(self, n: u128) -> Result<Value, E> {
        self.visit_f64(n as f64)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        self.scan.charge(1)?;
        if !n.is_finite() {
            let found = if n.is_nan() {
                ".nan"
            } else if n > 0.0 {
                ".inf"
            } else {
                "-.inf"
            };
            return Err(self.scan.fail(self.scan.path(), format!("expected a finite number, found {found}"), None));
        }
        Ok(self.scalar(|| Value::from(n)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.string(s)?;
        Ok(self.scalar(|| Value::String(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.string(&s)?;
        Ok(self.scalar(|| Value::String(s)))
    }

    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Value, E> {
        Err(self.scan.fail(self.scan.path(), format!("expected text, found {} bytes of binary data", b.len()), None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.scan.charge(1)?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        if !self.list_ok && !self.free {
            self.scan.suspicious.set(true);
        }
        let child = Node { depth: self.depth + 1, list_ok: self.free, ..self };
        let mut items = Vec::new();
        let mut i = 0;
        loop {
            self.scan.path.borrow_mut().push(Seg::Index(i));
            let item = seq.next_element_seed(child)?;
            self.scan.path.borrow_mut().pop();
            let Some(item) = item else { break };
            if i == self.scan.limits.max_list_len {
                return Err(self.too_long());
            }
            if self.scan.build {
                items.push(item);
            }
            i += 1;
        }
        Ok(self.scalar(|| Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let mut object = serde_json::Map::new();
        // This object's keys: `keys[base..]` while there are few, then `many`.
        let base = self.scan.keys.borrow().len();
        let mut many: HashSet<Cow<'de, str>> = HashSet::new();
        let limits = self.scan.limits;
        let mut n = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key.len() > limits.max_name_bytes {
                return Err(self.scan.fail_at_key(
                    self.scan.path(),
                    format!("a key of {} bytes, more than {}", key.len(), limits.max_name_bytes),
                    Some("maxNameBytes"),
                ));
            }
            self.scan.charge(key.len() + 1)?;
            if n == limits.max_list_len {
                let max = limits.max_list_len;
                return Err(self.scan.fail_at_key(
                    self.scan.path(),
                    format!("more than {max} {}", plural(max, "key")),
                    Some("maxListLen"),
                ));
            }
            n += 1;
            let seen =
                if many.is_empty() { self.scan.keys.borrow()[base..].contains(&key) } else { many.contains(&key) };
            self.scan.path.borrow_mut().push(Seg::Key(key.clone()));
            if seen {
                let path = self.scan.path();
                return Err(self.scan.fail_at_key(
                    path,
                    format!("duplicate key `{key}`: a key may appear only once in an object"),
                    None,
                ));
            }
            let child = Node {
                scan: self.scan,
                depth: self.depth + 1,
                text: is_text_field(&key),
                free: self.free || key == FREE_KEY,
                list_ok: self.free || key == FREE_KEY || is_list_key(&key),
            };
            let value = map.next_value_seed(child)?;
            self.scan.path.borrow_mut().pop();
            if self.scan.build {
                object.insert(key.to_string(), value);
            }
            let mut keys = self.scan.keys.borrow_mut();
            if many.is_empty() && keys.len() - base < 16 {
                keys.push(key);
            } else {
                many.extend(keys.drain(base..));
                many.insert(key);
            }
        }
        self.scan.keys.borrow_mut().truncate(base);
        Ok(self.scalar(|| Value::Object(object)))
    }
}

/// A map key as text (YAML allows numbers and booleans as keys).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Cow::Owned(b.to_string()))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(n.to_string()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(n.to_string()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(n.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed("null"))
    }
}

// ---------------------------------------------------------------------------------------------
// The collector.

/// Problems, the first `max` kept in full and the rest counted.
pub(crate) struct Sink {
    list: Vec<Problem>,
    more: usize,
    max: usize,
}

impl Sink {
    pub(crate) fn new(max: usize) -> Self {
        Sink { list: Vec::new(), more: 0, max }
    }

    fn push(&mut self, path: String, message: impl FnOnce() -> String) {
        if self.list.len() < self.max {
            self.list.push(Problem::new(path, message()));
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more == 0
    }

    fn into_error(self) -> Error {
        if self.more == 0 {
            Error::Invalid(self.list)
        } else {
            Error::TooManyProblems { problems: self.list, more: self.more }
        }
    }
}

/// The error for `problems`, keeping the first `max` in full.
pub(crate) fn capped(problems: Vec<Problem>, max: usize) -> Error {
    if problems.len() <= max {
        return Error::Invalid(problems);
    }
    let more = problems.len() - max;
    let mut problems = problems;
    problems.truncate(max);
    Error::TooManyProblems { problems, more }
}

macro_rules! kinds {
    ($($kind:ident => $ty:ty),* $(,)?) => {
        /// The objects of the document, for the collector.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        enum Kind { $($kind),* }

        impl Kind {
            /// The JSON names of the object's fields.
            fn fields(self) -> &'static [&'static str] {
                if self == Kind::Participant {
                    // A participant is a string or an object with these fields.
                    return fields_of::<ParticipantObject>();
                }
                match self { $(Kind::$kind => fields_of::<$ty>()),* }
            }

            /// Reads the object (its lists and nested objects are placeholders by now).
            fn check(self, v: &Value) -> Result<(), serde_path_to_error::Error<serde_json::Error>> {
                match self { $(Kind::$kind => serde_path_to_error::deserialize::<_, $ty>(v).map(drop)),* }
            }

            /// A value that reads as this object (its default).
            fn placeholder(self) -> Value {
                match self { $(Kind::$kind => serde_json::to_value(<$ty>::default()).unwrap_or(Value::Null)),* }
            }
        }
    };
}

kinds! {
    Document => Document,
    User => User,
    Team => Team,
    TeamMember => TeamMember,
    UserRef => UserRef,
    NameRef => NameRef,
    RoutingRule => RoutingRule,
    Criteria => Criteria,
    Condition => crate::config::Condition,
    Schedule => Schedule,
    Rotation => Rotation,
    RosterChange => RosterChange,
    Participant => Participant,
    TimeRestriction => TimeRestriction,
    TimeOfDay => TimeOfDay,
    WeekdaySpan => WeekdaySpan,
    Override => Override,
    ForwardingRule => ForwardingRule,
    Integration => Integration,
    PriorityMapping => PriorityMapping,
    Escalation => Escalation,
    EscalationRule => EscalationRule,
    Delay => Delay,
    Repeat => Repeat,
    NotificationRule => NotificationRule,
    NotificationStep => NotificationStep,
    Contact => Contact,
    NotificationRepeat => NotificationRepeat,
    PayRule => crate::pay::PayRule,
    PayRate => crate::pay::PayRate,
    ShiftMinimum => crate::pay::ShiftMinimum,
}

/// The objects and lists of objects inside an object: `(kind, is a list)`.
fn child(kind: Kind, key: &str) -> Option<(Kind, bool)> {
    use Kind as K;
    Some(match (kind, key) {
        (K::Document, "users") => (K::User, true),
        (K::Document, "teams") => (K::Team, true),
        (K::Document, "schedules") => (K::Schedule, true),
        (K::Document, "escalations") => (K::Escalation, true),
        (K::Document, "forwardingRules") => (K::ForwardingRule, true),
        (K::Document, "payRules") => (K::PayRule, true),
        (K::PayRule, "rates") => (K::PayRate, true),
        (K::PayRule, "minimumPerShift") => (K::ShiftMinimum, false),
        (K::Document, "integrations") => (K::Integration, true),
        (K::Integration, "priorities") => (K::PriorityMapping, true),
        (K::User, "notificationRules") => (K::NotificationRule, true),
        (K::Team, "members") => (K::TeamMember, true),
        (K::Team, "routingRules") => (K::RoutingRule, true),
        (K::TeamMember, "user") => (K::UserRef, false),
        (K::RoutingRule | K::NotificationRule, "criteria") => (K::Criteria, false),
        (K::RoutingRule | K::Rotation | K::NotificationRule, "timeRestriction") => (K::TimeRestriction, false),
        (K::RoutingRule, "notify") => (K::NameRef, false),
        (K::Criteria, "conditions") => (K::Condition, true),
        (K::Schedule | K::Escalation | K::Integration, "ownerTeam") => (K::NameRef, false),
        (K::Schedule, "rotations") => (K::Rotation, true),
        (K::Schedule, "overrides") => (K::Override, true),
        (K::Rotation | K::RosterChange, "participants") => (K::Participant, true),
        (K::Rotation, "changes") => (K::RosterChange, true),
        (K::TimeRestriction, "restriction") => (K::TimeOfDay, false),
        (K::TimeRestriction, "restrictions") => (K::WeekdaySpan, true),
        (K::Override, "user") | (K::EscalationRule, "recipient") | (K::Escalation, "gapFallback") => {
            (K::Participant, false)
        }
        (K::Override, "rotations") | (K::NotificationRule, "schedules") => (K::NameRef, true),
        (K::ForwardingRule, "fromUser" | "toUser") => (K::UserRef, false),
        (K::Escalation, "rules") => (K::EscalationRule, true),
        (K::Escalation, "repeat") => (K::Repeat, false),
        (K::EscalationRule, "delay") | (K::NotificationStep, "sendAfter") => (K::Delay, false),
        (K::NotificationRule, "steps") => (K::NotificationStep, true),
        (K::NotificationRule, "repeat") => (K::NotificationRepeat, false),
        (K::NotificationStep, "contact") => (K::Contact, false),
        _ => return None,
    })
}

/// The field names a derived struct asks its deserializer for.
fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Grab<'a>(&'a Cell<&'static [&'static str]>);
    impl<'de> Deserializer<'de> for Grab<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.set(fields);
            Err(de::Error::custom("fields taken"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let cell = Cell::new(&[][..]);
    let _ = T::deserialize(Grab(&cell));
    cell.get()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// `path` followed by the path serde reported inside the value at `path`.
fn join_error(path: &str, inner: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = path.to_string();
    for seg in inner.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            _ => {}
        }
    }
    out
}

/// Reports every structural problem of `v` read as `kind` at `path`, visiting each node once.
fn collect(kind: Kind, v: &Value, path: &str, sink: &mut Sink) {
    match v {
        Value::Object(map) => {
            let fields = kind.fields();
            let mut own = serde_json::Map::new();
            let mut inner = Vec::new();
            for (k, x) in map {
                if !fields.contains(&k.as_str()) {
                    sink.push(join(path, k), || unknown_field(k, fields));
                    continue;
                }
                match child(kind, k) {
                    Some((c, true)) if x.is_array() => {
                        own.insert(k.clone(), Value::Array(Vec::new()));
                        inner.push((k, c, true, x));
                    }
                    Some((c, false)) if x.is_object() => {
                        own.insert(k.clone(), c.placeholder());
                        inner.push((k, c, false, x));
                    }
                    _ => {
                        own.insert(k.clone(), x.clone());
                    }
                }
            }
            if let Err(e) = kind.check(&Value::Object(own)) {
                sink.push(join_error(path, e.path()), || plain(&e.into_inner().to_string()));
            }
            for (k, c, list, x) in inner {
                let at = join(path, k);
                match x {
                    Value::Array(items) if list => {
                        for (i, item) in items.iter().enumerate() {
                            collect(c, item, &format!("{at}[{i}]"), sink);
                        }
                    }
                    _ => collect(c, x, &at, sink),
                }
            }
        }
        Value::String(_) if kind == Kind::Participant => {}
        Value::Array(_) => sink.push(path.to_string(), || "expected an object with named fields, found a list".into()),
        Value::Null if path.is_empty() => sink.push(String::new(), || "the document is empty".into()),
        other => {
            if let Err(e) = kind.check(other) {
                sink.push(join_error(path, e.path()), || plain(&e.into_inner().to_string()));
            }
        }
    }
}

/// `unknown field `startdate`; did you mean `startDate`?`, or the list of fields.
fn unknown_field(key: &str, fields: &[&str]) -> String {
    match suggest(key, fields.iter().copied()) {
        Some(s) => format!("unknown field `{key}`; did you mean `{s}`?"),
        None if fields.is_empty() => format!("unknown field `{key}`: this object has no fields"),
        None => {
            let list: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            format!("unknown field `{key}`, expected one of {}", list.join(", "))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages in the user's words.

/// Rewrites serde's messages (`invalid type: string "1", expected i64`) in the document's words
/// (`expected an integer, found the string "1"`); other messages are kept.
pub(crate) fn plain(message: &str) -> String {
    // serde_json's position suffix (` at line 1 column 20`) is kept, after the rewording.
    if let Some(i) = message.rfind(" at line ")
        && message[i + 9..].split_once(" column ").is_some_and(|(l, c)| {
            !l.is_empty() && !c.is_empty() && l.bytes().chain(c.bytes()).all(|b| b.is_ascii_digit())
        })
    {
        return format!("{}{}", plain(&message[..i]), &message[i..]);
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.rsplit_once(", expected ")
        {
            let expected = expected_words(expected);
            let found_words = found_words(found);
            if expected == "an integer" && found.starts_with("integer") {
                return format!("expected an integer from {} to {}, found {found_words}", i64::MIN, i64::MAX);
            }
            return format!("expected {expected}, found {found_words}");
        }
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("missing required field {field}");
    }
    message.to_string()
}

fn expected_words(e: &str) -> String {
    match e {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" | "isize" | "usize" => {
            "an integer".into()
        }
        "f32" | "f64" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a string" => "a string".into(),
        "a map" => "an object".into(),
        "any valid JSON value" => "a value".into(),
        e if e.starts_with("struct ") => "an object".into(),
        e if e.starts_with("a sequence") => "a list".into(),
        other => other.to_string(),
    }
}

fn found_words(f: &str) -> String {
    let ticked = |prefix: &str| f.strip_prefix(prefix).map(|r| r.trim_matches('`').to_string());
    if let Some(s) = f.strip_prefix("string ") {
        return format!("the string {s}");
    }
    if let Some(n) = ticked("integer ") {
        return format!("the integer {n}");
    }
    if let Some(n) = ticked("floating point ") {
        return format!("the number {n}");
    }
    if let Some(b) = ticked("boolean ") {
        return b;
    }
    match f {
        "sequence" => "a list".into(),
        "map" => "an object".into(),
        "unit value" | "null" => "null".into(),
        other => other.to_string(),
    }
}

/// The candidate closest to `word`, when one is close enough to be a likely misspelling: the
/// same letters ignoring case and `_`, `-`, `/`, or at most one edit per four characters.
///
/// # Example
///
/// ```
/// use oncall_core::config::suggest;
/// assert_eq!(suggest("startdate", ["startDate", "endDate"]), Some("startDate"));
/// assert_eq!(suggest("America/NewYork", ["America/New_York", "America/Chicago"]), Some("America/New_York"));
/// assert_eq!(suggest("bob", ["alice", "carol"]), None);
/// ```
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    fn squash(s: &str) -> String {
        s.chars().filter(|c| !matches!(c, '_' | '-' | '/' | ' ' | '.')).flat_map(char::to_lowercase).collect()
    }
    let w = squash(word);
    if w.is_empty() || word.len() > 256 {
        return None;
    }
    let limit = (w.chars().count() / 4).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let s = squash(c);
        if s.chars().count().abs_diff(w.chars().count()) > limit {
            continue;
        }
        let d = if s == w { 0 } else { distance(&w, &s, limit) };
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The edit distance (insertions, deletions, substitutions, adjacent swaps) of `a` and `b`, or
/// more than `limit` when it exceeds it.
fn distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        if cur.iter().min().is_some_and(|&m| m > limit) {
            return limit + 1;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

// ---------------------------------------------------------------------------------------------
// Line and column of YAML problems.
//
// The text is read again, building positions only along the paths of the problems to place
// (everything else is skipped as it is read), so placing costs one pass and memory
// proportional to the problems, not to the document.

#[cfg(feature = "yaml")]
thread_local! {
    /// The paths (and their prefixes) whose positions are wanted, and the path being read.
    static WANTED: RefCell<(HashSet<String>, String)> = RefCell::new((HashSet::new(), String::new()));
}

/// A node on the way to a wanted path, with the positions of its wanted children.
#[cfg(feature = "yaml")]
enum Pos {
    Map(Vec<(serde_saphyr::Spanned<Key>, serde_saphyr::Spanned<Pos>)>),
    Seq(Vec<(usize, serde_saphyr::Spanned<Pos>)>),
    Leaf,
}

/// A mapping key as text.
#[cfg(feature = "yaml")]
struct Key(String);

#[cfg(feature = "yaml")]
impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        KeySeed.deserialize(d).map(|k| Key(k.into_owned()))
    }
}

/// Reads the value at `child` as a positioned node if it is wanted, else skips it.
#[cfg(feature = "yaml")]
fn wanted_child<T>(child: String, read: impl FnOnce() -> Result<T, ()>) -> Option<Result<T, ()>> {
    let (wanted, parent) = WANTED.with(|w| {
        let mut w = w.borrow_mut();
        let wanted = w.0.contains(&child);
        let parent = if wanted { std::mem::replace(&mut w.1, child) } else { String::new() };
        (wanted, parent)
    });
    if !wanted {
        return None;
    }
    let r = read();
    WANTED.with(|w| w.borrow_mut().1 = parent);
    Some(r)
}

#[cfg(feature = "yaml")]
impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_i128<E>(self, _: i128) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_u128<E>(self, _: u128) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_str<E>(self, _: &str) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_unit<E>(self) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_none<E>(self) -> Result<Pos, E> {
                Ok(Pos::Leaf)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Pos, D::Error> {
                Pos::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                let parent = WANTED.with(|w| w.borrow().1.clone());
                let mut items = Vec::new();
                for i in 0.. {
                    let mut err = None;
                    let got = wanted_child(format!("{parent}[{i}]"), || {
                        seq.next_element::<serde_saphyr::Spanned<Pos>>().map_err(|e| err = Some(e))
                    });
                    match got {
                        Some(Ok(Some(item))) => items.push((i, item)),
                        Some(Ok(None)) => break,
                        Some(Err(())) => return Err(err.unwrap_or_else(|| de::Error::custom("unreadable"))),
                        None => {
                            if seq.next_element::<de::IgnoredAny>()?.is_none() {
                                break;
                            }
                        }
                    }
                }
                Ok(Pos::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pos, A::Error> {
                let parent = WANTED.with(|w| w.borrow().1.clone());
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<serde_saphyr::Spanned<Key>>()? {
                    let mut err = None;
                    let got = wanted_child(join(&parent, &key.value.0), || {
                        map.next_value::<serde_saphyr::Spanned<Pos>>().map_err(|e| err = Some(e))
                    });
                    match got {
                        Some(Ok(value)) => entries.push((key, value)),
                        Some(Err(())) => return Err(err.unwrap_or_else(|| de::Error::custom("unreadable"))),
                        None => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Pos::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// Every prefix of `path` that names a node (`a`, `a.b`, `a.b[2]`, …), and the path itself.
#[cfg(feature = "yaml")]
fn prefixes(path: &str, out: &mut HashSet<String>) {
    for (i, c) in path.char_indices() {
        if (c == '.' || c == '[') && i > 0 {
            out.insert(path[..i].to_string());
        }
    }
    out.insert(path.to_string());
}

/// Gives every problem of `err` without a position the line and column of its path's node in
/// the YAML `text` (see [`locate`]).
#[cfg(feature = "yaml")]
pub(crate) fn yaml_positions(text: &str, err: Error, limits: &Limits) -> Error {
    let mut wanted = HashSet::new();
    let paths: Vec<&str> = match &err {
        Error::LimitExceeded { path, line: None, .. } => vec![path.as_str()],
        _ => err.problems().iter().filter(|p| p.line.is_none()).map(|p| p.path.as_str()).collect(),
    };
    for p in paths.iter().filter(|p| !p.is_empty()) {
        prefixes(p, &mut wanted);
    }
    if wanted.is_empty() {
        return err;
    }
    WANTED.with(|w| *w.borrow_mut() = (wanted, String::new()));
    let root =
        serde_saphyr::from_str_with_options::<serde_saphyr::Spanned<Pos>>(text, yaml_options(limits, text.len()));
    WANTED.with(|w| *w.borrow_mut() = (HashSet::new(), String::new()));
    let Ok(root) = root else { return err };
    let place = |p: Problem| -> Problem {
        if p.line.is_some() || p.path.is_empty() {
            return p;
        }
        let loc = locate(&root, &p.path);
        if loc.line() == 0 { p } else { p.at(loc.line(), loc.column()) }
    };
    match err {
        Error::Invalid(list) => Error::Invalid(list.into_iter().map(place).collect()),
        Error::TooManyProblems { problems, more } => {
            Error::TooManyProblems { problems: problems.into_iter().map(place).collect(), more }
        }
        Error::LimitExceeded { limit, path, message, line: None, .. } => {
            let loc = locate(&root, &path);
            let (line, column) = if loc.line() == 0 { (None, None) } else { (Some(loc.line()), Some(loc.column())) };
            Error::LimitExceeded { limit, path, message, line, column }
        }
        other => other,
    }
}

/// The position of the node at `path` (`a.b[2].c`): of its key when the path ends with a key
/// (of the last such key when a key is repeated), of the list item when it ends with an index,
/// or of the deepest node found on the way.
#[cfg(feature = "yaml")]
fn locate(root: &serde_saphyr::Spanned<Pos>, path: &str) -> serde_saphyr::Location {
    let mut node = root;
    let mut at = root.referenced;
    let mut rest = path;
    while !rest.is_empty() {
        let next = if let Some(r) = rest.strip_prefix('[') {
            let Some((index, after)) = r.split_once(']') else { break };
            let Ok(i) = index.parse::<usize>() else { break };
            rest = after;
            match &node.value {
                Pos::Seq(items) => items.iter().find(|(n, _)| *n == i).map(|(_, item)| {
                    at = item.referenced;
                    item
                }),
                _ => None,
            }
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            rest = &r[end..];
            match &node.value {
                Pos::Map(entries) => entries.iter().rev().find(|(k, _)| k.value.0 == key).map(|(k, v)| {
                    at = k.referenced;
                    v
                }),
                _ => None,
            }
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn err(text: &str) -> Error {
        json(text, &limits()).unwrap_err()
    }

    #[test]
    fn key_matches_are_the_lists() {
        assert!(TEXT_FIELDS.iter().all(|k| is_text_field(k)));
        assert!(LIST_KEYS.iter().all(|k| is_list_key(k)));
        // And nothing else: every key the other list holds, and near misses.
        for k in LIST_KEYS.iter().chain(["name", "team", "Description", "ic", "icss", "override", ""].iter()) {
            assert!(!is_text_field(k), "{k}");
        }
        for k in TEXT_FIELDS.iter().chain(["name", "team", "override", "Rules", "user", "rule", ""].iter()) {
            assert!(!is_list_key(k), "{k}");
        }
    }

    #[test]
    fn serde_messages_in_the_users_words() {
        assert_eq!(plain(r#"invalid type: string "1", expected i64"#), r#"expected an integer, found the string "1""#);
        assert_eq!(plain("invalid type: integer `5`, expected a string"), "expected a string, found the integer 5");
        assert_eq!(plain("invalid type: map, expected a sequence"), "expected a list, found an object");
        assert_eq!(plain("invalid type: null, expected struct Document"), "expected an object, found null");
        assert_eq!(plain("missing field `startDate`"), "missing required field `startDate`");
        assert_eq!(
            plain("invalid type: integer `5`, expected a string at line 1 column 14"),
            "expected a string, found the integer 5 at line 1 column 14"
        );
        assert!(
            plain("invalid value: integer `9223372036854775808`, expected i64").contains("from -9223372036854775808")
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("startdate", ["startDate", "endDate"]), Some("startDate"));
        assert_eq!(suggest("lenght", ["length", "name"]), Some("length"));
        assert_eq!(suggest("America/NewYork", ["America/New_York"]), Some("America/New_York"));
        assert_eq!(suggest("xyz", ["length", "name"]), None);
        assert_eq!(distance("abcd", "abdc", 3), 1);
        assert_eq!(distance("kitten", "sitting", 5), 3);
    }

    #[test]
    fn fields_are_introspected() {
        assert!(Kind::Rotation.fields().contains(&"startDate"));
        assert!(Kind::Rotation.fields().contains(&"type"));
        assert_eq!(Kind::Participant.fields(), ["type", "id", "username", "name"]);
        for kind in [Kind::Document, Kind::Override, Kind::NotificationRule] {
            assert!(kind.check(&kind.placeholder()).is_ok(), "{kind:?}");
        }
    }

    #[test]
    fn limits_are_named_with_the_path() {
        let l = Limits { max_name_bytes: 12, max_text_bytes: 16, max_list_len: 3, max_depth: 4, ..limits() };
        let e = json(r#"{"users":[{"username":"a"},{"username":"abcdefghijklm"}]}"#, &l).unwrap_err();
        assert_eq!(e.to_string(), "users[1].username: 13 bytes, more than 12 (limit maxNameBytes)");
        let e = json(r#"{"users":[{"usernameusername":"a"}]}"#, &l).unwrap_err();
        assert_eq!(e.to_string(), "users[0]: a key of 16 bytes, more than 12 (limit maxNameBytes)");
        // Free text has its own limit.
        let ok = r#"{"teams":[{"name":"t","description":"0123456789abcdef"}]}"#;
        assert!(json(ok, &l).is_ok());
        let e = json(r#"{"teams":[{"name":"t","description":"0123456789abcdefg"}]}"#, &l).unwrap_err();
        assert!(e.to_string().ends_with("(limit maxTextBytes)"), "{e}");
        let e =
            json(r#"{"users":[{"username":"a"},{"username":"b"},{"username":"c"},{"username":"d"}]}"#, &l).unwrap_err();
        assert_eq!(e.to_string(), "users: more than 3 items (limit maxListLen)");
        let e = json(r#"{"users":[{"role":{"a":{"b":{}}}}]}"#, &l).unwrap_err();
        assert_eq!(e.to_string(), "users[0].role.a: nested more than 4 levels deep (limit maxDepth)");
        let e = json("{}", &Limits { max_input_bytes: 1, ..limits() }).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { limit: "maxInputBytes", .. }), "{e}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = err(r#"{"schedules":[{"name":"s"}],"schedules":[]}"#);
        assert_eq!(e.to_string(), "schedules: duplicate key `schedules`: a key may appear only once in an object");
        let e = err(r#"{"users":[{"username":"a","role":{"x":1,"x":2}}]}"#);
        assert_eq!(e.problems()[0].path, "users[0].role.x");
        // Many keys: the set takes over from the list.
        let keys: Vec<String> = (0..40).map(|i| format!(r#""k{i}":1"#)).collect();
        let e = err(&format!(r#"{{"users":[{{"username":"a","role":{{{},"k39":2}}}}]}}"#, keys.join(",")));
        assert_eq!(e.problems()[0].path, "users[0].role.k39");
    }

    #[test]
    fn every_structural_problem_once_with_its_path() {
        let e = err(r#"{"schedules":[{"name":"s","rotations":[
            {"type":"daily","startdate":"x","participants":["a"]},
            {"type":"daily","startDate":"x","length":"2","participants":[{"type":"user","nmae":"b"}]}]}],
            "bogus":1}"#);
        let got: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "bogus: unknown field `bogus`, expected one of `$schema`, `users`, `teams`, `schedules`, `escalations`, `forwardingRules`, `payRules`, `holidayCalendars`, `integrations`",
                "schedules[0].rotations[0].startdate: unknown field `startdate`; did you mean `startDate`?",
                "schedules[0].rotations[0]: missing required field `startDate`",
                r#"schedules[0].rotations[1].length: expected an integer, found the string "2""#,
                "schedules[0].rotations[1].participants[0].nmae: unknown field `nmae`; did you mean `name`?",
            ]
        );
    }

    #[test]
    fn problems_are_capped_and_counted() {
        let items: Vec<String> = (0..250).map(|i| format!(r#"{{"name":{i}}}"#)).collect();
        let e = err(&format!(r#"{{"schedules":[{}]}}"#, items.join(",")));
        assert_eq!(e.problems().len(), 100);
        assert_eq!(e.more_problems(), 150);
        assert!(e.to_string().ends_with("\n… and 150 more errors"), "{e}");
        assert_eq!(e.to_problems().len(), 101);
        let e = capped(vec![Problem::new("a", "x"); 1235], 1);
        assert!(e.to_string().ends_with("… and 1 234 more errors"), "{e}");
    }

    #[test]
    fn lists_where_objects_belong() {
        let e = err(r#"{"schedules":[{"name":"s","rotations":[[null,"r","daily"]]}]}"#);
        assert_eq!(e.problems()[0].path, "schedules[0].rotations[0]");
        assert!(json(r#"{"users":[{"username":"a","role":[1,[2]]}]}"#, &limits()).is_ok());
        assert!(json("[]", &limits()).is_err());
    }

    #[test]
    fn empty_documents() {
        assert_eq!(err("").to_string(), "not valid JSON: the document is empty");
        assert_eq!(err(" \n").to_string(), "not valid JSON: the document is empty");
        assert_eq!(err("null").to_string(), "the document is empty");
        let e = err("{\"schedules\": [\n");
        assert_eq!((e.problems()[0].line, e.problems()[0].column.is_some()), (Some(2), true), "{e}");
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_reading() {
        let l = limits();
        for empty in ["", "# nothing\n", "~\n"] {
            assert_eq!(yaml(empty, &l).unwrap_err().to_string(), "the document is empty", "{empty:?}");
        }
        // Merge keys.
        let doc = yaml(
            "base: &b\n  type: daily\n  startDate: '2026-01-01T00:00'\nschedules:\n  - name: s\n    rotations:\n      - <<: *b\n        name: r\n        participants: [a]\n",
            &l,
        );
        let e = doc.unwrap_err();
        assert_eq!(e.problems()[0].path, "base");
        assert_eq!((e.problems()[0].line, e.problems()[0].column), (Some(1), Some(1)), "{e}");
        let doc = yaml(
            "schedules:\n  - &s\n    name: s\n    rotations:\n      - <<: {type: daily, startDate: '2026-01-01T00:00'}\n        participants: [a]\n",
            &l,
        )
        .unwrap();
        assert_eq!(doc.schedules[0].rotations[0].kind, "daily");
        // Non-finite numbers, duplicate keys, wrong types: each with line and column.
        let e = yaml("schedules:\n  - name: s\n    rotations:\n      - {type: daily, length: .inf}\n", &l).unwrap_err();
        assert_eq!(
            e.to_string(),
            "schedules[0].rotations[0].length: expected a finite number, found .inf (line 4, column 31)"
        );
        let e = yaml("schedules: []\nschedules: []\n", &l).unwrap_err();
        assert!(e.to_string().starts_with("schedules: duplicate key `schedules`"), "{e}");
        assert_eq!(e.problems()[0].line, Some(2), "{e}");
        let e = yaml("schedules:\n  - name: s\n    rotations:\n      - type: daily\n        length: '2'\n", &l)
            .unwrap_err();
        let p = &e.problems()[0];
        assert_eq!(
            p.to_string(),
            r#"schedules[0].rotations[0].length: expected an integer, found the string "2" (line 5, column 9)"#
        );
        let e = yaml("schedules: [ {", &l).unwrap_err();
        assert!(e.problems()[0].line.is_some() && e.to_string().starts_with("not valid YAML: "), "{e}");
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_aliases_count_their_expanded_bytes() {
        let l = Limits { max_input_bytes: 10_000, ..limits() };
        let big = "x".repeat(1000);
        let refs = ["*a"; 20].join(", ");
        let text = format!("a: &a {big}\nusers: [{refs}]\n");
        assert!(text.len() < 2_000);
        let e = yaml(&text, &l).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { limit: "maxInputBytes", .. }), "{e}");
        assert!(e.to_string().starts_with("users["), "{e}");
        // Within the limit, aliases are fine.
        let text = format!("a: &a {big}\nusers: [{}]\n", ["*a"; 5].join(", "));
        assert!(!matches!(yaml(&text, &l).unwrap_err(), Error::LimitExceeded { .. }));
    }
}
