//! Reading Opsgenie's own data: saved API responses, the fields Opsgenie returns that the engine
//! does not use, building a document from a folder of responses ([`import`]) and comparing the
//! engine's answers with Opsgenie's saved answers ([`verify`]).
//!
//! The configuration document is Opsgenie's REST shapes, so a GET response's `data` loads as it
//! is. Three things make that hold for real exports:
//!
//! - **The response envelope.** A response saved as it came (`curl … > file`) has its object
//!   under `data`, beside `took` and `requestId` (and `expandable`, `paging`, `totalCount`).
//!   [`unwrap_envelope`] puts `data` under the document key of its kind.
//! - **Accepted-and-ignored fields.** Fields Opsgenie returns or its official clients send that
//!   have no meaning for on-call answers are read and dropped; they are listed in
//!   [`IGNORED_FIELDS`] and named by [`ignored_fields`]. Any other unknown field is still an
//!   error naming its path, so a misspelt `startdate` is caught.
//! - **How clients write "absent".** `""` for an id, username, name, zone or end date, `{}` for
//!   a time restriction, `null` where the OpenAPI definition says nullable (schedule `enabled`,
//!   every field of an escalation's `repeat`), hours left out when they are 0: all read as
//!   absent or as the default.

pub mod import;
pub mod verify;

use crate::config::Document;
use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// Every field that is accepted and ignored, per object: `(object, fields)`. The object is named
/// by its place in the document. These are read-only fields of Opsgenie's responses (`_parent`,
/// `links`, `createdAt`, …) and user profile fields that have no effect on who is on call or who
/// is notified.
///
/// ```
/// use oncall_core::opsgenie::IGNORED_FIELDS;
/// let users = IGNORED_FIELDS.iter().find(|(object, _)| *object == "users[]").unwrap();
/// assert!(users.1.contains(&"createdAt"));
/// ```
pub const IGNORED_FIELDS: &[(&str, &[&str])] = &[
    (
        "users[]",
        &[
            "blocked",
            "verified",
            "createdAt",
            "userAddress",
            "tags",
            "details",
            "skypeUsername",
            "mutedUntil",
            "userContacts",
            "invitationDisabled",
        ],
    ),
    ("users[].notificationRules[].steps[]", &["_parent"]),
    ("teams[]", &["links"]),
    ("schedules[].rotations[]", &["_parent"]),
    ("schedules[].overrides[]", &["_parent"]),
];

/// The paths of the accepted-and-ignored fields ([`IGNORED_FIELDS`]) a document had, in
/// document order.
///
/// ```
/// use oncall_core::config::Document;
/// let doc = Document::from_json(r#"{"users":[{"username":"a","timeZone":"UTC","blocked":false,
///     "createdAt":"2017-05-12T08:34:30.283Z"}]}"#)?;
/// assert_eq!(oncall_core::opsgenie::ignored_fields(&doc), ["users[0].blocked", "users[0].createdAt"]);
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn ignored_fields(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let mut put = |path: String, fields: &[(&str, bool)]| {
        for (name, present) in fields {
            if *present {
                out.push(format!("{path}.{name}"));
            }
        }
    };
    for (i, u) in doc.users.iter().flatten().enumerate() {
        put(
            format!("users[{i}]"),
            &[
                ("blocked", u.blocked.is_some()),
                ("verified", u.verified.is_some()),
                ("createdAt", u.created_at.is_some()),
                ("userAddress", u.user_address.is_some()),
                ("tags", u.tags.is_some()),
                ("details", u.details.is_some()),
                ("skypeUsername", u.skype_username.is_some()),
                ("mutedUntil", u.muted_until.is_some()),
                ("userContacts", u.user_contacts.is_some()),
                ("invitationDisabled", u.invitation_disabled.is_some()),
            ],
        );
        for (r, rule) in u.notification_rules.iter().enumerate() {
            for (s, step) in rule.steps.iter().enumerate() {
                put(format!("users[{i}].notificationRules[{r}].steps[{s}]"), &[("_parent", step.parent.is_some())]);
            }
        }
    }
    for (i, t) in doc.teams.iter().enumerate() {
        put(format!("teams[{i}]"), &[("links", t.links.is_some())]);
    }
    for (i, s) in doc.schedules.iter().enumerate() {
        for (r, rot) in s.rotations.iter().enumerate() {
            put(format!("schedules[{i}].rotations[{r}]"), &[("_parent", rot.parent.is_some())]);
        }
        for (o, ov) in s.overrides.iter().enumerate() {
            put(format!("schedules[{i}].overrides[{o}]"), &[("_parent", ov.parent.is_some())]);
        }
    }
    out
}

/// Keys of Opsgenie's response envelope besides `data` (`BaseResponse`, paging of lists).
pub(crate) const ENVELOPE_KEYS: &[&str] =
    &["took", "requestId", "expandable", "paging", "totalCount", "result", "message"];

/// Keys of the document's top level.
const DOCUMENT_KEYS: &[&str] = &["users", "teams", "schedules", "escalations", "forwardingRules"];

/// Unwraps a saved Opsgenie response: `{"data": X, "took": …, "requestId": …}` becomes a
/// document holding `X` under the key of its kind (a schedule, a list of teams, …). A value that
/// is not an envelope (no `data`, or keys other than the envelope's beside it) is returned
/// unchanged.
///
/// The kind is told from the object's fields: `fromUser` a forwarding rule, `username` a user,
/// `rules` an escalation, `rotations`, `timezone` or `enabled` a schedule, `members` or `links`
/// (or only `id`, `name`, `description`) a team. An object that is part of another (a routing
/// rule, a rotation, an override, a notification rule) or that cannot be told is an error at
/// `data`: such responses go through [`import`]. An empty list is an empty document.
///
/// ```
/// use oncall_core::config::Document;
/// let doc = Document::from_json(r#"{"data":{"name":"ops","timezone":"UTC","rotations":[]},
///     "took":0.03,"requestId":"d677ebf2"}"#)?;
/// assert_eq!(doc.schedules[0].name, "ops");
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn unwrap_envelope(value: Value) -> Result<Value> {
    let Value::Object(mut top) = value else { return Ok(value) };
    if !top.contains_key("data") || top.keys().any(|k| k != "data" && !ENVELOPE_KEYS.contains(&k.as_str())) {
        return Ok(Value::Object(top));
    }
    let data = top.remove("data").unwrap_or(Value::Null);
    match data {
        Value::Object(o) if o.keys().any(|k| DOCUMENT_KEYS.contains(&k.as_str())) => Ok(Value::Object(o)),
        Value::Object(o) => {
            let key = kind_of(&o).map_err(|m| Error::invalid("data", m))?;
            Ok(Value::Object(Map::from_iter([(key.to_string(), Value::Array(vec![Value::Object(o)]))])))
        }
        Value::Array(items) => {
            let Some(first) = items.first() else { return Ok(Value::Object(Map::new())) };
            let Value::Object(o) = first else {
                return Err(Error::invalid("data[0]", "expected an object"));
            };
            let key = kind_of(o).map_err(|m| Error::invalid("data[0]", m))?;
            for (i, item) in items.iter().enumerate().skip(1) {
                match item {
                    Value::Object(o) if kind_of(o) == Ok(key) => {}
                    _ => {
                        return Err(Error::invalid(
                            format!("data[{i}]"),
                            format!("expected an object like data[0] ({key})"),
                        ));
                    }
                }
            }
            Ok(Value::Object(Map::from_iter([(key.to_string(), Value::Array(items))])))
        }
        other => Ok(Value::Object(Map::from_iter([("data".to_string(), other)]))),
    }
}

/// The document key of an Opsgenie object, told from its fields.
fn kind_of(o: &Map<String, Value>) -> std::result::Result<&'static str, String> {
    let has = |k: &str| o.contains_key(k);
    let part = |what: &str, of: &str| {
        Err(format!("{what} belongs inside {of}; a folder of saved responses is read by `oncall import opsgenie`"))
    };
    if ["onCallParticipants", "onCallRecipients", "nextOnCallRecipients", "exactNextOnCallRecipients", "finalTimeline"]
        .iter()
        .any(|k| has(k))
    {
        Err("an answer of Opsgenie (on-calls or timeline), not configuration: `oncall verify CONFIG --against DIR` compares such answers with the engine's".to_string())
    } else if has("fromUser") {
        Ok("forwardingRules")
    } else if has("username") {
        Ok("users")
    } else if has("rules") {
        Ok("escalations")
    } else if has("notify") {
        part("a team routing rule", "a team")
    } else if has("actionType") {
        part("a notification rule", "a user")
    } else if has("participants") {
        part("a rotation", "a schedule")
    } else if has("user") && has("startDate") {
        part("an override", "a schedule")
    } else if has("rotations") || has("timezone") || has("enabled") || has("ownerTeam") {
        Ok("schedules")
    } else if has("members")
        || has("links")
        || (has("name") && o.keys().all(|k| matches!(k.as_str(), "id" | "name" | "description")))
    {
        Ok("teams")
    } else {
        Err("cannot tell what kind of Opsgenie object this is".to_string())
    }
}
