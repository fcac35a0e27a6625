//! Building one configuration document from saved Opsgenie API responses.
//!
//! The input is a set of responses keyed by their API path below `/v2/` (the way
//! `oncall import opsgenie` reads a folder: `users.json` is `GET /v2/users`,
//! `teams/{id}/routing-rules.json` is `GET /v2/teams/{id}/routing-rules`). Each body may be saved
//! with its envelope (`data`, `took`, `requestId`) or as its `data` alone. The paths read:
//!
//! | path | what it gives |
//! |---|---|
//! | `users`, `users.2`, `users.3`, … | the users (one key per page) |
//! | `users/{user}` | one user in full (replaces the list's entry) |
//! | `users/{user}/notification-rules` | the user's rules as listed (name, action type, order, enabled) |
//! | `users/{user}/notification-rules/{rule}` | one rule in full, with criteria, restriction and steps (replaces the listed entry) |
//! | `teams`, `teams/{team}` | the teams; the single GET has the members |
//! | `teams/{team}/routing-rules` | the team's routing rules, in order |
//! | `schedules`, `schedules.N`, `schedules/{schedule}` | the schedules (`?expand=rotation` for their rotations) |
//! | `schedules/{schedule}/rotations` | the schedule's rotations (replaces the ones inline) |
//! | `schedules/{schedule}/overrides` | the schedule's overrides |
//! | `escalations`, `escalations/{escalation}` | the escalation policies |
//! | `forwarding-rules` | the forwarding rules |
//!
//! `{user}`, `{team}`, `{schedule}` are an id or a name (username). Every other path — heartbeats,
//! integrations, policies, maintenance, alerts, anything unknown — is listed in
//! [`Import::not_carried`] with the names of the objects it held. So is every field the engine
//! does not know (removed from the document, named by its path), every listed notification rule
//! whose full rule was not saved (its steps are missing), and every team without its members.
//! Fields the engine reads and ignores ([`super::IGNORED_FIELDS`]) are in [`Import::ignored`].
//! Nothing is dropped without being named.

use super::ignored_fields;
use crate::config::Document;
use crate::error::{Error, Problem, Result};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Something that was not carried over into the document, or that needs a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The response it is about (its path below `/v2/`), or the document path.
    pub source: String,
    /// What was not carried over, and why.
    pub message: String,
}

/// The result of [`build`].
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The configuration document.
    pub document: Document,
    /// What could not be carried over, by name.
    pub not_carried: Vec<Note>,
    /// The accepted-and-ignored fields that were read (their document paths).
    pub ignored: Vec<String>,
    /// The problems `oncall check` finds in the document (empty when it loads).
    pub problems: Vec<Problem>,
}

/// API paths of Opsgenie objects the engine does not model, with what they are.
const NOT_MODELLED: &[(&str, &str)] = &[
    ("heartbeats", "heartbeats"),
    ("integrations", "integrations"),
    ("policies", "alert and notification policies"),
    ("maintenance", "maintenance windows"),
    ("alerts", "alerts"),
    ("incidents", "incidents"),
    ("services", "services"),
    ("custom-user-roles", "custom user roles"),
    ("contacts", "contacts"),
    ("account", "the account"),
];

/// The `data` of a saved response (the body itself when it was saved without its envelope).
fn data(body: &Value) -> &Value {
    match body {
        Value::Object(o) if o.contains_key("data") => &o["data"],
        other => other,
    }
}

fn items(body: &Value) -> Vec<Map<String, Value>> {
    match data(body) {
        Value::Array(a) => a.iter().filter_map(|v| v.as_object().cloned()).collect(),
        Value::Object(o) => vec![o.clone()],
        _ => Vec::new(),
    }
}

fn text<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Whether `o` is the object a path segment names (by id, name or username).
fn named(o: &Map<String, Value>, ident: &str) -> bool {
    ["id", "name", "username"].iter().any(|k| text(o, k) == Some(ident))
}

fn label(o: &Map<String, Value>) -> String {
    text(o, "name")
        .or_else(|| text(o, "username"))
        .or_else(|| text(o, "alias"))
        .or_else(|| text(o, "id"))
        .unwrap_or("(unnamed)")
        .to_string()
}

/// A list of objects from a list key and its pages (`users`, `users.2`, …), then the single
/// GETs (`users/{id}`) replacing or adding entries.
fn collect(files: &BTreeMap<String, Value>, key: &str, used: &mut Vec<String>) -> Option<Vec<Map<String, Value>>> {
    let mut pages: Vec<(u32, &String)> = files
        .keys()
        .filter_map(|k| {
            if k == key {
                Some((1, k))
            } else {
                k.strip_prefix(key).and_then(|r| r.strip_prefix('.')).and_then(|n| n.parse().ok()).map(|n| (n, k))
            }
        })
        .collect();
    pages.sort();
    let singles: Vec<&String> = files
        .keys()
        .filter(|k| k.strip_prefix(key).and_then(|r| r.strip_prefix('/')).is_some_and(|r| !r.contains('/')))
        .collect();
    if pages.is_empty() && singles.is_empty() {
        return None;
    }
    let mut out: Vec<Map<String, Value>> = Vec::new();
    for (_, k) in pages {
        used.push(k.clone());
        out.extend(items(&files[k]));
    }
    for k in singles {
        used.push(k.clone());
        let ident = &k[key.len() + 1..];
        for o in items(&files[k]) {
            match out.iter_mut().find(|x| named(x, ident) || text(x, "id").is_some_and(|id| text(&o, "id") == Some(id)))
            {
                Some(slot) => {
                    // The single GET is the fuller object; keep list-only fields it lacks.
                    let mut full = o;
                    for (field, v) in slot.iter() {
                        full.entry(field.clone()).or_insert_with(|| v.clone());
                    }
                    *slot = full;
                }
                None => out.push(o),
            }
        }
    }
    Some(out)
}

/// The sub-resource lists of each parent: `{parent}/{ident}/{child}` → (ident, list).
fn children<'f>(files: &'f BTreeMap<String, Value>, parent: &str, child: &str) -> Vec<(&'f str, &'f String)> {
    files
        .keys()
        .filter_map(|k| {
            let rest = k.strip_prefix(parent)?.strip_prefix('/')?;
            let (ident, tail) = rest.split_once('/')?;
            (tail == child).then_some((ident, k))
        })
        .collect()
}

/// Builds the document from saved responses (see the module documentation for the paths).
///
/// Fails only when a response is not JSON of Opsgenie's shapes in a way no field removal can
/// fix (a wrong type, a missing required field); the error names the document path and the
/// response it came from. Unknown fields are removed and named in [`Import::not_carried`].
///
/// ```
/// use oncall_core::opsgenie::import;
/// use serde_json::json;
/// let files = [
///     ("users".to_string(), json!({"data": [{"id": "u1", "username": "ann@example.com",
///         "timeZone": "Europe/Berlin", "createdAt": "2017-05-12T08:34:30.283Z"}], "took": 0.1})),
///     ("heartbeats".to_string(), json!({"data": [{"name": "nightly-backup"}]})),
/// ].into_iter().collect();
/// let done = import::build(&files)?;
/// assert_eq!(done.document.users.as_ref().unwrap()[0].timezone.as_deref(), Some("Europe/Berlin"));
/// assert_eq!(done.ignored, ["users[0].createdAt"]);
/// assert!(done.not_carried[0].message.contains("nightly-backup"));
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn build(files: &BTreeMap<String, Value>) -> Result<Import> {
    let files: BTreeMap<String, Value> = files
        .iter()
        .map(|(k, v)| (k.trim_start_matches('/').trim_start_matches("v2/").to_string(), v.clone()))
        .collect();
    let mut used = Vec::new();
    let mut notes = Vec::new();
    let mut doc = Map::new();

    // Users and their notification rules.
    if let Some(mut users) = collect(&files, "users", &mut used) {
        for (ident, key) in children(&files, "users", "notification-rules") {
            used.push(key.clone());
            let Some(user) = users.iter_mut().find(|u| named(u, ident)) else {
                notes.push(Note {
                    source: key.clone(),
                    message: format!("no user {ident:?} in users: its notification rules are not carried over"),
                });
                continue;
            };
            let mut rules = items(&files[key]);
            let prefix = format!("{key}/");
            for (k, v) in files.iter().filter(|(k, _)| k.strip_prefix(&prefix).is_some_and(|r| !r.contains('/'))) {
                used.push(k.clone());
                for full in items(v) {
                    match rules.iter_mut().find(|r| text(r, "id").is_some() && text(r, "id") == text(&full, "id")) {
                        Some(slot) => *slot = full,
                        None => rules.push(full),
                    }
                }
            }
            for r in &rules {
                if !r.contains_key("steps") && !r.contains_key("criteria") {
                    notes.push(Note {
                        source: key.clone(),
                        message: format!(
                            "notification rule {:?} of {}: only its list entry was saved; its criteria, time restriction and steps are missing (GET /v2/users/{ident}/notification-rules/{})",
                            label(r),
                            label(user),
                            text(r, "id").unwrap_or("{id}")
                        ),
                    });
                }
            }
            user.insert("notificationRules".into(), Value::Array(rules.into_iter().map(Value::Object).collect()));
        }
        doc.insert("users".into(), list(users));
    }

    // Teams, their members and routing rules.
    if let Some(mut teams) = collect(&files, "teams", &mut used) {
        for (ident, key) in children(&files, "teams", "routing-rules") {
            used.push(key.clone());
            match teams.iter_mut().find(|t| named(t, ident)) {
                Some(team) => {
                    let mut rules = items(&files[key]);
                    rules.sort_by_key(|r| r.get("order").and_then(Value::as_i64).unwrap_or(i64::MAX));
                    team.insert("routingRules".into(), list(rules));
                }
                None => notes.push(Note {
                    source: key.clone(),
                    message: format!("no team {ident:?} in teams: its routing rules are not carried over"),
                }),
            }
        }
        for t in &teams {
            if !t.contains_key("members") {
                notes.push(Note {
                    source: "teams".into(),
                    message: format!(
                        "team {:?}: its members were not saved (GET /v2/teams/{}); escalation rules to it with notifyType all, users, admins or random reach nobody",
                        label(t),
                        text(t, "id").unwrap_or("{id}")
                    ),
                });
            }
        }
        doc.insert("teams".into(), list(teams));
    }

    // Schedules, their rotations and overrides.
    if let Some(mut schedules) = collect(&files, "schedules", &mut used) {
        for (child, field) in [("rotations", "rotations"), ("overrides", "overrides")] {
            for (ident, key) in children(&files, "schedules", child) {
                used.push(key.clone());
                match schedules.iter_mut().find(|s| named(s, ident)) {
                    Some(s) => {
                        s.insert(field.into(), list(items(&files[key])));
                    }
                    None => notes.push(Note {
                        source: key.clone(),
                        message: format!("no schedule {ident:?} in schedules: its {child} are not carried over"),
                    }),
                }
            }
        }
        for s in &schedules {
            if s.get("rotations").and_then(Value::as_array).is_none_or(|r| r.is_empty()) {
                notes.push(Note {
                    source: "schedules".into(),
                    message: format!("schedule {:?} has no rotations (saved without ?expand=rotation?)", label(s)),
                });
            }
        }
        doc.insert("schedules".into(), list(schedules));
    }
    if let Some(escalations) = collect(&files, "escalations", &mut used) {
        doc.insert("escalations".into(), list(escalations));
    }
    if let Some(forwarding) = collect(&files, "forwarding-rules", &mut used) {
        doc.insert("forwardingRules".into(), list(forwarding));
    }

    // Everything else, by name.
    for (k, v) in &files {
        if used.contains(k) {
            continue;
        }
        let root = k.split(['/', '.']).next().unwrap_or(k);
        // Some lists nest their items one level down (`{"data": {"heartbeats": [...]}}`).
        let mut listed = items(v);
        if let [only] = listed.as_slice()
            && !only.contains_key("id")
            && !only.contains_key("name")
            && let Some(Value::Array(inner)) = only.values().find(|x| x.is_array())
        {
            listed = inner.iter().filter_map(|x| x.as_object().cloned()).collect();
        }
        let names: Vec<String> = listed.iter().map(label).collect();
        let what = NOT_MODELLED.iter().find(|(p, _)| *p == root).map(|(_, w)| *w);
        if what.is_none() && ["users", "teams", "schedules"].contains(&root) {
            notes.push(Note {
                source: k.clone(),
                message: format!("not carried over: {root}.json, the list it belongs to, was not saved"),
            });
            continue;
        }
        let message = match (what, names.is_empty()) {
            (Some(w), true) => format!("{w} are not carried over (the engine has none)"),
            (Some(w), false) => format!("{w} are not carried over (the engine has none): {}", names.join(", ")),
            (None, true) => "an unknown response: not carried over".to_string(),
            (None, false) => format!("an unknown response: not carried over: {}", names.join(", ")),
        };
        notes.push(Note { source: k.clone(), message });
    }

    // Fields the engine does not know: removed and named. Other problems fail the import.
    let mut value = Value::Object(doc);
    let document = loop {
        match Document::from_value(value.clone()) {
            Ok(d) => break d,
            Err(e) => {
                let problems = e.problems().to_vec();
                let (unknown, other): (Vec<Problem>, Vec<Problem>) =
                    problems.into_iter().partition(|p| p.message.starts_with("unknown field"));
                if !other.is_empty() || unknown.is_empty() {
                    return Err(if other.is_empty() { e } else { Error::Invalid(other) });
                }
                for p in unknown {
                    remove_path(&mut value, &p.path);
                    notes.push(Note {
                        source: p.path.clone(),
                        message: "a field the engine does not know: not carried over".into(),
                    });
                }
            }
        }
    };
    // Zones Opsgenie takes from the account, which no response states.
    for (i, t) in document.teams.iter().enumerate() {
        for (j, r) in t.routing_rules.iter().enumerate() {
            if r.timezone.is_none() && r.time_restriction.is_some() {
                notes.push(Note {
                    source: format!("teams[{i}].routingRules[{j}]"),
                    message: format!(
                        "routing rule {:?} of team {:?} has a time restriction and no timezone: Opsgenie reads it in the account's zone, the engine in UTC; set its timezone",
                        r.name.as_deref().unwrap_or(""),
                        t.name
                    ),
                });
            }
        }
    }
    for (i, sch) in document.schedules.iter().enumerate() {
        if sch.timezone.is_none() {
            notes.push(Note {
                source: format!("schedules[{i}]"),
                message: format!(
                    "schedule {:?} has no timezone: Opsgenie uses the account's zone, the engine UTC; set its timezone",
                    sch.name
                ),
            });
        }
    }
    let ignored = ignored_fields(&document);
    let problems = match crate::Config::compile(&document) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().to_vec(),
    };
    Ok(Import { document, not_carried: notes, ignored, problems })
}

fn list(items: Vec<Map<String, Value>>) -> Value {
    Value::Array(items.into_iter().map(Value::Object).collect())
}

/// Removes the field at a document path such as `users[0].notificationRules[1].foo`.
fn remove_path(value: &mut Value, path: &str) {
    let mut cur = value;
    let mut segments: Vec<&str> = path.split('.').collect();
    let Some(last) = segments.pop() else { return };
    for seg in segments {
        let (name, indices) = split_indices(seg);
        let Some(next) = cur.get_mut(name) else { return };
        cur = next;
        for i in indices {
            let Some(next) = cur.get_mut(i) else { return };
            cur = next;
        }
    }
    let (name, indices) = split_indices(last);
    if indices.is_empty()
        && let Value::Object(o) = cur
    {
        o.remove(name);
    }
}

fn split_indices(seg: &str) -> (&str, Vec<usize>) {
    let mut parts = seg.split('[');
    let name = parts.next().unwrap_or_default();
    (name, parts.filter_map(|p| p.trim_end_matches(']').parse().ok()).collect())
}
