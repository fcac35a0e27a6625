//! Prometheus Alertmanager's webhook (payload version 4) as Opsgenie alert actions: a pure
//! adapter, so `oncall serve`'s `POST /v1/integrations/alertmanager` does what Alertmanager's
//! own `opsgenie_configs` notifier would have asked of Opsgenie.
//!
//! - **Alias**: the lowercase hex SHA-256 of the payload's `groupKey` — what Alertmanager's
//!   Opsgenie notifier sends (`notify.Key.Hash()`), so an alert keeps its alias whichever way
//!   Alertmanager reaches the service, and repeats de-duplicate into it.
//! - **`status: resolved`** closes the open alert with that alias; **`firing`** creates (or
//!   counts into) it.
//! - **Message**: Alertmanager's default subject `[FIRING:2] <group label values> (<other
//!   common label values>)`, cut to 130 characters with `…` as Alertmanager does;
//!   **description**: one line per alert with its labels and its annotations, cut to 15 000
//!   characters; **details**: the common labels; **source**: `externalURL` (when at most 100
//!   characters); **priority**: the common label `priorityLabel` (default `severity`) mapped by
//!   `priorities` (default critical → P1, warning → P2, info → P3), else P3.
//!
//! ```
//! use oncall_core::alertmanager::{AlertmanagerAction, PriorityMap, adapt};
//! let payload = r#"{"version": "4", "groupKey": "{}:{alertname=\"DiskFull\"}", "status": "firing",
//!   "receiver": "oncall", "groupLabels": {"alertname": "DiskFull"},
//!   "commonLabels": {"alertname": "DiskFull", "severity": "critical"}, "commonAnnotations": {},
//!   "externalURL": "http://am:9093", "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull",
//!   "severity": "critical"}, "annotations": {"summary": "disk 95%"}, "startsAt": "2026-11-10T10:00:00Z"}]}"#;
//! let AlertmanagerAction::Create(alert) = adapt(payload, &PriorityMap::default())? else { panic!() };
//! assert_eq!(alert.message, "[FIRING:1] DiskFull (critical)");
//! assert_eq!(alert.priority.as_deref(), Some("P1"));
//! assert_eq!(alert.alias.as_deref().map(str::len), Some(64));
//! # Ok::<(), oncall_core::Error>(())
//! ```

use crate::alert::Alert;
use crate::config::Integration;
use crate::error::{Error, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The most alerts one payload may carry.
pub const MAX_ALERTS: usize = 10_000;

/// Alertmanager's webhook payload (the fields the adapter reads; others are ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payload {
    /// `"4"`.
    pub version: String,
    /// The group key (the alias is its SHA-256).
    pub group_key: String,
    /// `firing` or `resolved`.
    pub status: String,
    /// The receiver's name.
    #[serde(default)]
    pub receiver: String,
    /// Labels the group is made by.
    #[serde(default)]
    pub group_labels: BTreeMap<String, String>,
    /// Labels every alert of the group has.
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    /// Annotations every alert has.
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    /// Alertmanager's address.
    #[serde(default, rename = "externalURL")]
    pub external_url: String,
    /// The alerts.
    #[serde(default)]
    pub alerts: Vec<PayloadAlert>,
}

/// One alert of a [`Payload`].
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayloadAlert {
    /// `firing` or `resolved`.
    #[serde(default)]
    pub status: String,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Label value → priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityMap {
    /// The common label holding the severity.
    pub label: String,
    /// Its values and their priorities.
    pub values: Vec<(String, String)>,
}

impl Default for PriorityMap {
    fn default() -> PriorityMap {
        PriorityMap {
            label: "severity".into(),
            values: [("critical", "P1"), ("warning", "P2"), ("info", "P3")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .into(),
        }
    }
}

impl PriorityMap {
    /// The mapping an integration configures (`priorityLabel`, `priorities`), defaults for
    /// what it leaves out.
    pub fn of(integration: &Integration) -> PriorityMap {
        let d = PriorityMap::default();
        PriorityMap {
            label: integration.priority_label.clone().unwrap_or(d.label),
            values: match &integration.priorities {
                Some(list) => list.iter().map(|m| (m.value.clone(), m.priority.clone())).collect(),
                None => d.values,
            },
        }
    }
}

/// What a payload asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertmanagerAction {
    /// Create (or de-duplicate into) this alert.
    Create(Box<Alert>),
    /// Close the open alert with this alias.
    Close {
        /// The alias.
        alias: String,
    },
}

/// The alias Alertmanager's Opsgenie notifier gives a group: lowercase hex SHA-256 of its key.
///
/// ```
/// assert_eq!(oncall_core::alertmanager::group_alias("abc"),
///            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn group_alias(group_key: &str) -> String {
    Sha256::digest(group_key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn cut(text: String, most: usize) -> String {
    if text.chars().count() <= most {
        return text;
    }
    let mut s: String = text.chars().take(most - 1).collect();
    s.push('…');
    s
}

/// Reads a webhook payload and says what to do. A payload that is not JSON of this shape, of
/// another version, with an unknown status or more than [`MAX_ALERTS`] alerts is an error
/// naming the field. The alert is not validated here (the service validates every create).
pub fn adapt(text: &str, priorities: &PriorityMap) -> Result<AlertmanagerAction> {
    let mut de = serde_json::Deserializer::from_str(text);
    let p: Payload = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        Error::invalid(path, crate::read::plain(&e.into_inner().to_string()))
    })?;
    if p.version != "4" {
        return Err(Error::invalid("version", format!("expected \"4\", found {:?}", p.version)));
    }
    if p.alerts.len() > MAX_ALERTS {
        return Err(Error::invalid("alerts", format!("at most {MAX_ALERTS} alerts, found {}", p.alerts.len())));
    }
    let alias = group_alias(&p.group_key);
    match p.status.as_str() {
        "resolved" => return Ok(AlertmanagerAction::Close { alias }),
        "firing" => {}
        other => return Err(Error::invalid("status", format!("expected firing or resolved, found {other:?}"))),
    }
    let firing = p.alerts.iter().filter(|a| a.status == "firing").count();
    let mut subject = format!("[FIRING:{firing}]");
    for v in p.group_labels.values() {
        subject.push(' ');
        subject.push_str(v);
    }
    let extra: Vec<&str> =
        p.common_labels.iter().filter(|(k, _)| !p.group_labels.contains_key(*k)).map(|(_, v)| v.as_str()).collect();
    if !extra.is_empty() {
        subject.push_str(&format!(" ({})", extra.join(" ")));
    }
    let mut description = String::new();
    for a in &p.alerts {
        let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let notes: Vec<String> = a.annotations.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        description.push_str(&format!("[{}] {} {}\n", a.status, labels.join(" "), notes.join("; ")));
        if description.len() > 60_000 {
            break;
        }
    }
    let priority = p
        .common_labels
        .get(&priorities.label)
        .and_then(|v| priorities.values.iter().find(|(k, _)| k == v))
        .map(|(_, p)| p.clone());
    let alert = Alert {
        message: cut(subject, 130),
        alias: Some(alias),
        description: (!description.is_empty()).then(|| cut(description, 15_000)),
        details: p.common_labels.clone(),
        source: (!p.external_url.is_empty() && p.external_url.chars().count() <= 100).then(|| p.external_url.clone()),
        priority,
        ..Alert::default()
    };
    Ok(AlertmanagerAction::Create(Box::new(alert)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_closes_by_the_same_alias_and_errors_name_fields() {
        let p = |status: &str| {
            format!(
                r#"{{"version":"4","groupKey":"g","status":"{status}","alerts":[{{"status":"{status}","labels":{{"a":"1"}}}}]}}"#
            )
        };
        let AlertmanagerAction::Create(a) = adapt(&p("firing"), &PriorityMap::default()).unwrap() else { panic!() };
        assert_eq!(
            adapt(&p("resolved"), &PriorityMap::default()).unwrap(),
            AlertmanagerAction::Close { alias: a.alias.clone().unwrap() }
        );
        assert_eq!(a.priority, None);
        assert_eq!(
            adapt(&p("pending"), &PriorityMap::default()).unwrap_err().to_string(),
            "status: expected firing or resolved, found \"pending\""
        );
        assert!(adapt(r#"{"version":"3","groupKey":"g","status":"firing"}"#, &PriorityMap::default()).is_err());
        let long = format!(
            r#"{{"version":"4","groupKey":"g","status":"firing","groupLabels":{{"x":"{}"}}}}"#,
            "y".repeat(200)
        );
        let AlertmanagerAction::Create(a) = adapt(&long, &PriorityMap::default()).unwrap() else { panic!() };
        assert_eq!(a.message.chars().count(), 130);
        assert!(a.message.ends_with('…'));
    }
}
