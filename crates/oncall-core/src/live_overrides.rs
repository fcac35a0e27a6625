//! Overrides added at run time (Opsgenie's Schedule Override API), on top of the document's.
//!
//! A service keeps the overrides its users add through the API apart from the configuration
//! file; [`apply`] makes the configuration every answer uses: the document with each added
//! override appended to its schedule's `overrides`, **after** the document's own, so that where
//! they overlap an added override wins (a later override wins, see the rules), compiled and
//! validated like the document itself. So on-calls, next-on-calls, timelines and escalations
//! that notify a schedule all see them.
//!
//! An added override has Opsgenie's shape (`alias`, `user`, `startDate`, `endDate`,
//! `rotations`; [`read`]) and is validated as an override of the document is (the user must be
//! declared, the rotations must exist, the end must follow the start, naive times are read in
//! the schedule's zone), plus: its `alias` is required and unique among the schedule's overrides,
//! the document's included.

use crate::Loaded;
use crate::config::{Document, Override};
use crate::error::{Error, Problem, Result};

/// An override added to a schedule (by the schedule's name).
#[derive(Debug, Clone, PartialEq)]
pub struct AddedOverride {
    /// The schedule's name.
    pub schedule: String,
    /// The override; its `alias` is required.
    pub body: Override,
}

/// Reads an override request body (Opsgenie's create and update payloads; `_parent` is read and
/// ignored) with the document's reader and limits: every problem names its path in the body
/// (`user.type`, `startDate`), a body that is not an object names the empty path.
///
/// ```
/// let o = oncall_core::live_overrides::read(serde_json::json!({"alias": "a", "user": {"type": "user", "username": "ann"},
///     "startDate": "2026-11-10T10:00:00Z", "endDate": "2026-11-10T12:00:00Z"}))?;
/// assert_eq!(o.user.username.as_deref(), Some("ann"));
/// let e = oncall_core::live_overrides::read(serde_json::json!({"user": "ann", "startDate": 1})).unwrap_err();
/// assert!(e.problems().iter().any(|p| p.path == "startDate"), "{e}");
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn read(body: serde_json::Value) -> Result<Override> {
    let prefix = "schedules[0].overrides[0]";
    let doc = serde_json::json!({"schedules": [{"name": "s", "overrides": [body]}]});
    let doc = Document::from_value(doc).map_err(|e| relative(e, prefix))?;
    doc.schedules
        .into_iter()
        .next()
        .and_then(|s| s.overrides.into_iter().next())
        .ok_or_else(|| Error::invalid("", "expected an override object"))
}

/// A problem path below `prefix` made relative to it; others are left alone.
fn strip(path: &str, prefix: &str) -> Option<String> {
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        Some(String::new())
    } else {
        rest.strip_prefix('.').map(str::to_string).or_else(|| rest.starts_with('[').then(|| rest.to_string()))
    }
}

fn relative(e: Error, prefix: &str) -> Error {
    let rename = |p: &Problem| {
        let mut p = p.clone();
        if let Some(r) = strip(&p.path, prefix) {
            p.path = r;
        }
        p
    };
    match e {
        Error::Invalid(ps) => Error::Invalid(ps.iter().map(rename).collect()),
        Error::TooManyProblems { problems, more } => {
            Error::TooManyProblems { problems: problems.iter().map(rename).collect(), more }
        }
        other => other,
    }
}

/// The configuration of `base`'s document with the `added` overrides appended, in order, to
/// their schedules' overrides, compiled with `base`'s limits and answer-index options; with that
/// document.
///
/// Every problem of an added override names it: its path in the document
/// (`schedules[1].overrides[4].user`), or, for the override `focus` (an index into `added`, the
/// one a request is adding or replacing), its path relative to it (`user`, `startDate`), as
/// [`read`] does. An added override for a schedule `base` does not have is an error naming its
/// `schedule` (with the alias); so is a missing or repeated alias.
///
/// ```
/// use oncall_core::{Loaded, live_overrides::{AddedOverride, apply, read}};
/// let base = Loaded::from_json(r#"{"users": [{"username": "ann"}, {"username": "ben"}],
///   "schedules": [{"name": "ops", "rotations": [{"type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann"]}]}]}"#)?;
/// let body = read(serde_json::json!({"alias": "ben-covers", "user": {"type": "user", "username": "ben"},
///     "startDate": "2026-11-10T10:00:00Z", "endDate": "2026-11-10T12:00:00Z"}))?;
/// let config = apply(&base, &[AddedOverride { schedule: "ops".into(), body }], Some(0))?;
/// let who = config.schedule("ops")?.on_call("2026-11-10T11:00:00Z".parse()?)?;
/// assert_eq!(who.flat().on_call_recipients, ["ben"]);
///
/// let bad = read(serde_json::json!({"alias": "x", "user": {"type": "user", "username": "cy"},
///     "startDate": "2026-11-10T10:00:00Z", "endDate": "2026-11-10T12:00:00Z"}))?;
/// let e = apply(&base, &[AddedOverride { schedule: "ops".into(), body: bad }], Some(0)).unwrap_err();
/// assert_eq!(e.problems()[0].path, "user");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply(base: &Loaded, added: &[AddedOverride], focus: Option<usize>) -> Result<Loaded> {
    let mut doc = base.document.clone();
    let mut problems = Vec::new();
    let mut paths: Vec<Option<String>> = Vec::with_capacity(added.len());
    for (k, a) in added.iter().enumerate() {
        let Some(i) = doc.schedules.iter().position(|s| s.name == a.schedule) else {
            problems.push(Problem::new(
                "schedule",
                format!(
                    "the override {:?} is for the schedule {:?}, which the configuration does not have",
                    a.body.alias.clone().unwrap_or_default(),
                    a.schedule
                ),
            ));
            paths.push(None);
            continue;
        };
        let s = &mut doc.schedules[i];
        let prefix = format!("schedules[{i}].overrides[{}]", s.overrides.len());
        let alias_path = if focus == Some(k) { "alias".to_string() } else { format!("{prefix}.alias") };
        match a.body.alias.as_deref() {
            None | Some("") => problems.push(Problem::new(alias_path, "required")),
            Some(alias) if s.overrides.iter().any(|o| o.alias.as_deref() == Some(alias)) => {
                problems.push(Problem::new(
                    alias_path,
                    format!("the schedule {:?} already has an override with alias {alias:?}", a.schedule),
                ))
            }
            Some(_) => {}
        }
        paths.push(Some(prefix));
        s.overrides.push(a.body.clone());
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let index = base.index_options();
    let mut loaded = Loaded::compile_with_limits(doc, *base.limits()).map_err(|e| {
        let rename = |p: &Problem| {
            let mut p = p.clone();
            for (k, prefix) in paths.iter().enumerate() {
                let Some(prefix) = prefix else { continue };
                if let Some(r) = strip(&p.path, prefix) {
                    p.path = if focus == Some(k) { r } else { p.path.clone() };
                    break;
                }
            }
            p
        };
        match e {
            Error::Invalid(ps) => Error::Invalid(ps.iter().map(rename).collect()),
            Error::TooManyProblems { problems, more } => {
                Error::TooManyProblems { problems: problems.iter().map(rename).collect(), more }
            }
            other => other,
        }
    })?;
    loaded.config.set_index_options(index);
    Ok(loaded)
}

/// The overrides of a schedule in Opsgenie's `ScheduleOverride` shape, the document's first and
/// then the added ones (the order in which a later one wins): `_parent`, `alias`, `user`,
/// `startDate` and `endDate` as UTC instants, `rotations` (left out when the override is
/// schedule-wide). `document` is the one the configuration of `s` was compiled from (see
/// [`Loaded`]).
///
/// ```
/// let config = oncall_core::Loaded::from_json(r#"{"schedules": [{"name": "ops", "timezone": "Europe/Berlin",
///   "overrides": [{"alias": "a", "user": {"type": "none"}, "startDate": "2026-11-10T10:00", "endDate": "2026-11-10T12:00"}]}]}"#)?;
/// let list = oncall_core::live_overrides::list(&config.document, &config.schedule("ops")?)?;
/// assert_eq!(list[0]["startDate"], "2026-11-10T09:00:00Z");
/// assert_eq!(list[0]["_parent"]["name"], "ops");
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn list(document: &Document, s: &crate::Schedule<'_>) -> Result<Vec<serde_json::Value>> {
    let Some(d) = document.schedules.iter().find(|d| d.name == s.name()) else { return Ok(Vec::new()) };
    let parent = serde_json::to_value(s.parent()).unwrap_or(serde_json::Value::Null);
    let mut out = Vec::with_capacity(d.overrides.len());
    for o in &d.overrides {
        let mut v = serde_json::json!({
            "_parent": parent,
            "alias": o.alias.clone().unwrap_or_default(),
            "user": o.user,
            "startDate": crate::time::format_instant(s.parse_time(&o.start_date)?),
            "endDate": crate::time::format_instant(s.parse_time_end(&o.end_date)?),
        });
        if let (Some(r), serde_json::Value::Object(m)) = (o.rotations.as_ref().filter(|r| !r.is_empty()), &mut v) {
            m.insert("rotations".into(), serde_json::to_value(r).unwrap_or_default());
        }
        out.push(v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Loaded {
        Loaded::from_json(
            r#"{"users": [{"username": "ann"}, {"username": "ben"}, {"username": "cy"}],
                "schedules": [{"name": "ops", "rotations": [
                  {"name": "day", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann"]}],
                  "overrides": [{"alias": "file-one", "user": {"type": "user", "username": "cy"},
                                 "startDate": "2026-11-10T00:00:00Z", "endDate": "2026-11-11T00:00:00Z"}]}]}"#,
        )
        .unwrap()
    }

    fn added(alias: &str, user: &str, rotations: Option<&str>) -> AddedOverride {
        let mut v = serde_json::json!({"alias": alias, "user": {"type": "user", "username": user},
            "startDate": "2026-11-10T10:00:00Z", "endDate": "2026-11-10T12:00:00Z"});
        if let Some(r) = rotations {
            v["rotations"] = serde_json::json!([{"name": r}]);
        }
        AddedOverride { schedule: "ops".into(), body: read(v).unwrap() }
    }

    #[test]
    fn added_overrides_win_over_the_documents() {
        let config = apply(&base(), &[added("api", "ben", Some("day"))], None).unwrap();
        let who =
            |t: &str| config.schedule("ops").unwrap().on_call(t.parse().unwrap()).unwrap().flat().on_call_recipients;
        // The document's schedule-wide override beats a rotation-scoped one (the rules) …
        assert_eq!(who("2026-11-10T11:00:00Z"), ["cy"]);
        // … a schedule-wide added one beats the document's.
        let config = apply(&base(), &[added("api", "ben", None)], None).unwrap();
        let who =
            |t: &str| config.schedule("ops").unwrap().on_call(t.parse().unwrap()).unwrap().flat().on_call_recipients;
        assert_eq!(who("2026-11-10T11:00:00Z"), ["ben"]);
        assert_eq!(who("2026-11-10T13:00:00Z"), ["cy"]);
        let listed = list(&config.document, &config.schedule("ops").unwrap()).unwrap();
        let aliases: Vec<&str> = listed.iter().map(|o| o["alias"].as_str().unwrap()).collect();
        assert_eq!(aliases, ["file-one", "api"]);
    }

    #[test]
    fn problems_name_their_paths() {
        let b = base();
        let e = apply(&b, &[added("file-one", "ben", None)], Some(0)).unwrap_err();
        assert_eq!(e.to_string(), "alias: the schedule \"ops\" already has an override with alias \"file-one\"");
        let e = apply(&b, &[added("x", "ben", Some("night"))], Some(0)).unwrap_err();
        assert!(e.problems()[0].path == "rotations[0]", "{e}");
        // Not the focus: the document path.
        let e = apply(&b, &[added("x", "nobody", None), added("y", "ben", None)], Some(1)).unwrap_err();
        assert!(e.problems()[0].path.starts_with("schedules[0].overrides[1].user"), "{e}");
        let mut other = added("z", "ben", None);
        other.schedule = "gone".into();
        let e = apply(&b, &[other], None).unwrap_err();
        assert!(e.to_string().contains("\"gone\""), "{e}");
        let mut no_alias = added("z", "ben", None);
        no_alias.body.alias = None;
        assert_eq!(apply(&b, &[no_alias], Some(0)).unwrap_err().to_string(), "alias: required");
        let e = read(serde_json::json!({"alias": "a", "user": {"type": "user", "username": "ann"},
            "startDate": "2026-11-10T10:00:00Z", "endDate": "2026-11-10T12:00:00Z", "bogus": 1}))
        .unwrap_err();
        assert!(e.problems().iter().any(|p| p.path == "bogus"), "{e}");
        let e = read(serde_json::json!([1])).unwrap_err();
        assert!(e.problems().iter().any(|p| p.path.is_empty()), "{e}");
        let e = apply(
            &b,
            &[AddedOverride {
                schedule: "ops".into(),
                body: read(serde_json::json!({"alias": "late", "user": {"type": "none"},
                    "startDate": "2026-11-10T12:00:00Z", "endDate": "2026-11-10T10:00:00Z"}))
                .unwrap(),
            }],
            Some(0),
        )
        .unwrap_err();
        assert!(!e.problems()[0].path.starts_with("schedules"), "{e}");
    }
}
