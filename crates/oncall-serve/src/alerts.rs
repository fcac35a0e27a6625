//! Alerts in the database: create (with de-duplication), actions, and the notifications their
//! escalation timelines call for.
//!
//! The database holds an alert's creation payload and its events, never a rule's outcome: the
//! state is [`AlertState::replay`] of the events and the notifications are those of
//! [`Config::escalate`] for each of the alert's targets ([`alert_targets`]), so every rule stays
//! in the core. The other columns of the `alerts` table (`state`, `is_open`, `acknowledged`,
//! `priority`, `message_lower`, … and the `alert_tags` rows) are written from the core's state in
//! the same transaction as each event (`refresh`), so lists and counts are SQL queries
//! ([`list`], [`count`]); `stable_until` says until when they hold without a new event (a snooze's
//! end, the escalation's next step), and stale rows are refreshed by the runtime's tick and
//! before each list or count ([`refresh_stale`]).
//!
//! **Notifications.** A notification of a timeline is *due* at its instant `at`. The runtime
//! records (inserts) the due notifications of an alert with `at` strictly before the current
//! second and after what it recorded before (`materialized_until`), in one transaction, before
//! any is delivered. Events are stamped with the current second, at or after the last one, so a
//! recorded notification can never be undone by a later event: the timelines of later calls
//! agree with every row already written (the core's timelines are causal).
//!
//! **Idempotency key.** The first 32 hex digits of SHA-256 over the alert id, the target's index,
//! the notification as JSON (instant, user, method, address, action type, notification rule step
//! and loop, the chain that caused it) and its rank among identical ones: the same notification
//! gets the same key in every recomputation, after every restart.

use crate::Error;
use crate::store::{Conn, Engine, Val, log, next_alert_seq, next_n, params};
use chrono::{DateTime, TimeZone, Utc};
use oncall_core::Config;
use oncall_core::alert::{
    Action, Alert, AlertEvent, AlertId, AlertState, StateAt, StoredAlert, alert_targets, escalation_events,
};
use oncall_core::alert_query::{Field, List, Row as QueryRow, Sort, Test};
use oncall_core::escalation::{EscalateOptions, EscalationTimeline, Notification, Target};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Seconds since the epoch as an instant.
pub fn instant(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// An alert as stored.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its number (tiny id); the id is `alert-{seq}`.
    pub seq: i64,
    /// The create payload.
    pub alert: Alert,
    /// Creation, in seconds.
    pub created_at: i64,
    /// Its events in order.
    pub events: Vec<AlertEvent>,
    /// The integration it came through.
    pub integration: Option<String>,
    /// That integration's owner team.
    pub owner_team: Option<String>,
    /// Notifications with `at` before this are recorded.
    pub materialized_until: i64,
    /// The last event's instant (or the creation).
    pub last_event_at: i64,
}

impl Stored {
    fn stored(&self) -> StoredAlert<'_> {
        StoredAlert {
            n: self.seq as u64,
            alert: &self.alert,
            owner_team: self.owner_team.as_deref(),
            created_at: instant(self.created_at),
            events: &self.events,
        }
    }

    /// The state as of `now` (at least the last event's instant): the core's
    /// [`Config::stored_alert_state`] (the replay of the events, with what the escalation of the
    /// alert's first target changed by itself by then).
    pub fn state(&self, config: &Config, now: i64) -> Result<AlertState, Error> {
        Ok(config.stored_alert_state(&self.stored(), instant(now.max(self.last_event_at)))?)
    }

    /// [`Stored::state`] and until when it holds without a new event
    /// ([`Config::stored_alert_state_at`]).
    pub fn state_at(&self, config: &Config, now: i64) -> Result<StateAt, Error> {
        Ok(config.stored_alert_state_at(&self.stored(), instant(now.max(self.last_event_at)))?)
    }

    /// The alert's targets and each one's timeline (or why it has none).
    pub fn timelines(&self, config: &Config) -> Vec<(Target, Result<EscalationTimeline, oncall_core::Error>)> {
        self.timelines_until(config, None)
    }

    /// [`Stored::timelines`] as of an instant (seconds; `None`: to the end).
    pub fn timelines_until(
        &self,
        config: &Config,
        until: Option<i64>,
    ) -> Vec<(Target, Result<EscalationTimeline, oncall_core::Error>)> {
        let events = escalation_events(&self.events);
        alert_targets(&self.alert, self.owner_team.as_deref())
            .into_iter()
            .map(|t| {
                let tl = config.escalate_until(
                    &self.alert,
                    &t,
                    instant(self.created_at),
                    &events,
                    &EscalateOptions::default(),
                    until.map(instant),
                );
                (t, tl)
            })
            .collect()
    }
}

/// Reads a stored alert.
pub fn load(c: &Conn, seq: i64) -> Result<Option<Stored>, Error> {
    let row = c.query_opt(
        "SELECT payload, created_at, integration, owner_team, materialized_until, last_event_at FROM alerts WHERE seq = ?1",
        params![seq],
    )?;
    let Some(r) = row else {
        return Ok(None);
    };
    let (payload, created_at, integration, owner_team, materialized_until, last_event_at): (
        String,
        i64,
        Option<String>,
        Option<String>,
        i64,
        i64,
    ) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
    let alert: Alert = serde_json::from_str(&payload).map_err(|e| Error::Corrupt(format!("alert {seq}: {e}")))?;
    let rows: Vec<String> = c.column("SELECT event FROM alert_events WHERE alert_seq = ?1 ORDER BY n", params![seq])?;
    let events = if rows.is_empty() {
        Vec::new()
    } else {
        AlertEvent::list_from_json(&format!("[{}]", rows.join(",")), chrono_tz::Tz::UTC)
            .map_err(|e| Error::Corrupt(format!("alert {seq} events: {e}")))?
    };
    Ok(Some(Stored { seq, alert, created_at, events, integration, owner_team, materialized_until, last_event_at }))
}

/// The alert an identifier names: by alias the open alert with it, else the newest.
pub fn resolve(c: &Conn, id: &AlertId) -> Result<Option<i64>, Error> {
    let seq = match id {
        AlertId::Id(x) => x.strip_prefix("alert-").and_then(|n| n.parse::<i64>().ok()),
        AlertId::Tiny(x) => x.parse::<i64>().ok(),
        AlertId::Alias(a) => {
            return c.value_opt(
                "SELECT seq FROM alerts WHERE alias = ?1 ORDER BY is_open DESC, seq DESC LIMIT 1",
                params![a],
            );
        }
    };
    let Some(seq) = seq else { return Ok(None) };
    c.value_opt("SELECT seq FROM alerts WHERE seq = ?1", params![seq])
}

/// What a create or an action did: Opsgenie's request status.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Whether it succeeded.
    pub success: bool,
    /// What happened (`Created alert`, `Alert does not exist`, …).
    pub status: String,
    /// The alert.
    pub seq: Option<i64>,
    /// Its alias.
    pub alias: Option<String>,
}

impl Outcome {
    fn fail(status: impl Into<String>, seq: Option<i64>, alias: Option<String>) -> Outcome {
        Outcome { success: false, status: status.into(), seq, alias }
    }
}

/// Records a request's outcome (for `GET /v2/alerts/requests/{id}`).
pub fn record_request(
    c: &Conn,
    request_id: &str,
    action: &str,
    o: &Outcome,
    now: i64,
    integration: Option<&str>,
) -> Result<(), Error> {
    c.execute(
        "INSERT INTO requests (request_id, action, alert_seq, alias, success, status, processed_at, integration)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![request_id, action, o.seq, o.alias, o.success as i64, o.status, now, integration],
    )?;
    Ok(())
}

fn event_json(e: &AlertEvent) -> Result<String, Error> {
    serde_json::to_string(e).map_err(|e| Error::Internal(e.to_string()))
}

/// Writes what lists, counts and the runtime read of an alert (its replayed state, the
/// columns a list query tests and sorts by, its tags, until when they hold, its next due
/// instant), in the caller's transaction: called with every event, so the columns are those of
/// the alert's state as of its last event, and again when `stable_until` passes
/// ([`refresh_stale`]).
fn refresh(c: &Conn, config: &Config, s: &Stored, now: i64) -> Result<AlertState, Error> {
    let StateAt { state, stable_until } = s.state_at(config, now)?;
    let next_due = next_due(config, s);
    let text = serde_json::to_string(&state).map_err(|e| Error::Internal(e.to_string()))?;
    let row = QueryRow::of(&state);
    // The service's instants are whole seconds: the state holds up to the first whole second
    // at or after `stable_until` (always after `now`, so a refresh never repeats at once).
    let stable_until = stable_until.map(|t| t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0));
    c.execute(
        "UPDATE alerts SET is_open = ?2, updated_at = ?3, state = ?4, event_count = ?5, last_event_at = ?6, next_due = ?7,
            acknowledged = ?8, snoozed = ?9, occurrences = ?10, last_occurred_at = ?11, owner = ?12, priority = ?13,
            message = ?14, message_lower = ?15, source = ?16, entity = ?17, stable_until = ?18
         WHERE seq = ?1",
        params![
            s.seq,
            state.is_open() as i64,
            state.updated_at.timestamp(),
            text,
            s.events.len() as i64,
            s.last_event_at,
            next_due,
            row.acknowledged as i64,
            row.snoozed as i64,
            i64::from(state.count),
            state.last_occurred_at.timestamp(),
            row.owner,
            row.priority,
            state.message,
            row.message_lower,
            row.source,
            row.entity,
            stable_until,
        ],
    )?;
    let mut have: Vec<String> = c.column("SELECT tag FROM alert_tags WHERE alert_seq = ?1", params![s.seq])?;
    have.sort();
    let mut want = row.tags.clone();
    want.sort();
    if have != want {
        c.execute("DELETE FROM alert_tags WHERE alert_seq = ?1", params![s.seq])?;
        for t in &row.tags {
            c.execute(
                "INSERT INTO alert_tags (alert_seq, tag) VALUES (?1, ?2) ON CONFLICT (alert_seq, tag) DO NOTHING",
                params![s.seq, t],
            )?;
        }
    }
    Ok(state)
}

/// Refreshes (in one transaction) the alerts whose state may have changed by itself since it
/// was written (a snooze ended, the escalation closed the alert or reset its acknowledgement):
/// `stable_until <= now`. At most `most` of them, oldest first; returns how many.
pub fn refresh_stale(c: &mut Conn, config: &Config, now: i64, most: i64) -> Result<usize, Error> {
    let tx = c.transaction()?;
    let seqs: Vec<i64> = tx.column(
        "SELECT seq FROM alerts WHERE stable_until IS NOT NULL AND stable_until <= ?1 ORDER BY stable_until LIMIT ?2",
        params![now, most],
    )?;
    for &seq in &seqs {
        if let Some(s) = load(&tx, seq)? {
            refresh(&tx, config, &s, now)?;
        }
    }
    tx.commit()?;
    Ok(seqs.len())
}

/// [`refresh_stale`] until no stale row is left (in batches of 500, each its own transaction).
fn refresh_all_stale(c: &mut Conn, config: &Config, now: i64) -> Result<(), Error> {
    while refresh_stale(c, config, now, 500)? == 500 {}
    Ok(())
}

/// The alerts a list (or count) asks for, by SQL over the columns [`refresh`] keeps: after
/// refreshing every stale row, the page's alerts (in order) and the total that match.
pub fn list(c: &mut Conn, config: &Config, q: &List, now: i64) -> Result<(Vec<Stored>, usize), Error> {
    refresh_all_stale(c, config, now)?;
    let (clause, values) = where_clause(q);
    let total: i64 = c.value(&format!("SELECT COUNT(*) FROM alerts WHERE {clause}"), &values)?;
    let column = match q.sort {
        Sort::CreatedAt => "created_at",
        Sort::UpdatedAt => "updated_at",
        Sort::TinyId => "seq",
        Sort::Alias => "alias",
        Sort::Message => "message",
        Sort::Status => "is_open",
        Sort::Acknowledged => "acknowledged",
        Sort::Snoozed => "snoozed",
        Sort::Count => "occurrences",
        Sort::LastOccurredAt => "last_occurred_at",
        Sort::Owner => "owner",
        Sort::Priority => "priority",
    };
    let dir = if q.desc { "DESC" } else { "ASC" };
    // Text sorts by bytes (SQLite's BINARY) on both engines, whatever the database's collation.
    let text = matches!(q.sort, Sort::Alias | Sort::Message | Sort::Owner | Sort::Priority);
    let collate = if text && c.engine() == Engine::Postgres { " COLLATE \"C\"" } else { "" };
    let sql = format!(
        "SELECT seq FROM alerts WHERE {clause} ORDER BY {column}{collate} {dir}, seq {dir} LIMIT {} OFFSET {}",
        q.limit, q.offset
    );
    let seqs: Vec<i64> = c.column(&sql, &values)?;
    let mut page = Vec::with_capacity(seqs.len());
    for seq in seqs {
        if let Some(s) = load(c, seq)? {
            page.push(s);
        }
    }
    Ok((page, total as usize))
}

/// How many alerts a query matches (after refreshing the stale rows).
pub fn count(c: &mut Conn, config: &Config, q: &List, now: i64) -> Result<usize, Error> {
    refresh_all_stale(c, config, now)?;
    let (clause, values) = where_clause(q);
    let n: i64 = c.value(&format!("SELECT COUNT(*) FROM alerts WHERE {clause}"), &values)?;
    Ok(n as usize)
}

/// The SQL of a list's terms: each the core's [`Test`] of the term on the columns [`refresh`]
/// writes from the core's [`QueryRow`] (so SQL and [`oncall_core::alert_query::Term::matches`]
/// agree), joined by AND; values are bound, never spliced.
fn where_clause(q: &List) -> (String, Vec<Val>) {
    use Val as V;
    let mut parts: Vec<String> = vec!["1 = 1".into()];
    let mut values: Vec<V> = Vec::new();
    let bind = |v: V, values: &mut Vec<V>| {
        values.push(v);
        format!("?{}", values.len())
    };
    // A tiny id or id names a number exactly as the service writes it (`3`, `alert-3`).
    let number = |text: &str| text.parse::<i64>().ok().filter(|n| n.to_string() == text);
    for t in &q.terms {
        let part = match t.test() {
            Test::Equals(Field::Status, v) => match v.as_str() {
                "open" => "is_open = 1".to_string(),
                "closed" => "is_open = 0".to_string(),
                _ => "1 = 0".to_string(),
            },
            Test::Equals(Field::TinyId, v) => match number(&v) {
                Some(n) => format!("seq = {}", bind(V::Int(n), &mut values)),
                None => "1 = 0".into(),
            },
            Test::Equals(Field::Id, v) => match v.strip_prefix("alert-").and_then(number) {
                Some(n) => format!("seq = {}", bind(V::Int(n), &mut values)),
                None => "1 = 0".into(),
            },
            Test::Equals(f, v) => {
                let column = match f {
                    Field::Alias => "alias",
                    Field::Priority => "priority",
                    Field::Owner => "owner",
                    Field::Source => "source",
                    Field::Entity => "entity",
                    _ => "NULL",
                };
                format!("{column} = {}", bind(V::Text(v), &mut values))
            }
            Test::Is(f, Some(b)) => {
                let column = if f == Field::Acknowledged { "acknowledged" } else { "snoozed" };
                format!("{column} = {}", bind(V::Int(b as i64), &mut values))
            }
            Test::Is(_, None) => "1 = 0".into(),
            Test::Contains(_, v) => {
                let escaped: String = v
                    .chars()
                    .flat_map(|ch| match ch {
                        '%' | '_' | '\\' => vec!['\\', ch],
                        ch => vec![ch],
                    })
                    .collect();
                format!("message_lower LIKE {} ESCAPE '\\'", bind(V::Text(format!("%{escaped}%")), &mut values))
            }
            Test::Tag(tag) => format!(
                "EXISTS (SELECT 1 FROM alert_tags WHERE alert_tags.alert_seq = alerts.seq AND alert_tags.tag = {})",
                bind(V::Text(tag), &mut values)
            ),
        };
        parts.push(part);
    }
    (parts.join(" AND "), values)
}

/// The first notification instant at or after `materialized_until`, over every target.
fn next_due(config: &Config, s: &Stored) -> Option<i64> {
    s.timelines(config)
        .iter()
        .filter_map(|(_, tl)| tl.as_ref().ok())
        .flat_map(|tl| tl.notifications.iter().map(|n| n.at.timestamp()))
        .filter(|&at| at >= s.materialized_until)
        .min()
}

/// Creates an alert at `now`, or counts it into the open alert with its alias. The alert must
/// be valid ([`Alert::validate`]).
pub fn create(
    c: &mut Conn,
    config: &Config,
    alert: Alert,
    integration: Option<(&str, Option<&str>)>,
    now: i64,
    request_id: &str,
) -> Result<Outcome, Error> {
    let tx = c.create_transaction(alert.alias.as_deref())?;
    let existing: Option<i64> = match &alert.alias {
        Some(a) => tx.value_opt("SELECT seq FROM alerts WHERE alias = ?1 AND is_open = 1", params![a])?,
        None => None,
    };
    // An open alert the escalation closed by itself since (closeAlertAfterAll) frees its alias.
    let existing = match existing {
        Some(seq) => match load(&tx, seq)? {
            Some(s) if s.state(config, now)?.is_open() => Some(seq),
            _ => {
                tx.execute("UPDATE alerts SET is_open = 0 WHERE seq = ?1", params![seq])?;
                None
            }
        },
        None => None,
    };
    let outcome = match existing {
        Some(seq) => {
            let mut o = apply(&tx, config, seq, vec![Action::Duplicate], now)?;
            if o.success {
                o.status = "Alert is de-duplicated".into();
            }
            o
        }
        None => {
            let seq: i64 = next_alert_seq(&tx)?;
            let alias = alert.alias.clone().unwrap_or_else(|| format!("alert-{seq}"));
            let payload = serde_json::to_string(&alert).map_err(|e| Error::Internal(e.to_string()))?;
            let (name, team) = integration.unzip();
            let team = team.flatten();
            tx.execute(
                "INSERT INTO alerts (seq, alias, is_open, created_at, updated_at, payload, integration, owner_team, state,
                    event_count, last_event_at, materialized_until, next_due)
                 VALUES (?1, ?2, 1, ?3, ?3, ?4, ?5, ?6, '{}', 0, ?3, ?3, NULL)",
                params![seq, alias, now, payload, name, team],
            )?;
            let s = Stored {
                seq,
                alert,
                created_at: now,
                events: Vec::new(),
                integration: name.map(str::to_string),
                owner_team: team.map(str::to_string),
                materialized_until: now,
                last_event_at: now,
            };
            refresh(&tx, config, &s, now)?;
            let via = name.map(|n| format!(" through integration {n}")).unwrap_or_default();
            log(&tx, seq, now, "created", &format!("alert created{via}"))?;
            let timelines = s.timelines(config);
            for (t, tl) in &timelines {
                if let Err(e) = tl {
                    log(&tx, seq, now, "not-notified", &format!("{}: {e}", target_name(t)))?;
                }
            }
            if timelines.is_empty() {
                log(&tx, seq, now, "not-notified", "the alert names no responders and its integration no owner team")?;
            }
            Outcome { success: true, status: "Created alert".into(), seq: Some(seq), alias: Some(alias) }
        }
    };
    record_request(&tx, request_id, "Create", &outcome, now, integration.map(|(n, _)| n))?;
    tx.commit()?;
    Ok(outcome)
}

fn target_name(t: &Target) -> String {
    match t {
        Target::Team(n) => format!("team {n}"),
        Target::Escalation(n) => format!("escalation {n}"),
        Target::Schedule(n) => format!("schedule {n}"),
        Target::User(n) => format!("user {n}"),
    }
}

/// Applies actions (in order, at one instant) to the alert `id` names, in a transaction, and
/// records the request.
pub fn act(
    c: &mut Conn,
    config: &Config,
    id: &AlertId,
    request: (&str, &str, Option<&str>),
    actions: Vec<Action>,
    now: i64,
) -> Result<Outcome, Error> {
    let (request_id, name, integration) = request;
    let tx = c.transaction()?;
    let outcome = match resolve(&tx, id)? {
        None => Outcome::fail("Alert does not exist", None, None),
        Some(seq) => apply(&tx, config, seq, actions, now)?,
    };
    record_request(&tx, request_id, name, &outcome, now, integration)?;
    tx.commit()?;
    Ok(outcome)
}

fn apply(c: &Conn, config: &Config, seq: i64, actions: Vec<Action>, now: i64) -> Result<Outcome, Error> {
    let Some(mut s) = load(c, seq)? else { return Ok(Outcome::fail("Alert does not exist", None, None)) };
    let at = now.max(s.last_event_at).max(s.materialized_until);
    let mut state = s.state(config, at)?;
    let alias = Some(state.alias.clone());
    let counted = s.events.iter().filter(|e| e.action != Action::Duplicate).count();
    let mut first = true;
    // The configuration's `maxAlertEvents`: the escalation engine refuses a longer event list.
    let most = config.limits().max_alert_events;
    for action in actions {
        if action != Action::Duplicate && counted + 1 > most {
            return Ok(Outcome::fail(
                format!("the alert has {most} events, the most it takes (limit maxAlertEvents)"),
                Some(seq),
                alias,
            ));
        }
        if action == Action::Duplicate && s.events.len() >= most.saturating_mul(100) {
            // Counting stopped long ago; keep the history bounded.
            return Ok(Outcome { success: true, status: "Alert is de-duplicated".into(), seq: Some(seq), alias });
        }
        if let Err(e) = state.check(instant(at), &action) {
            if first {
                return Ok(Outcome::fail(e.to_string(), Some(seq), alias));
            }
            break;
        }
        first = false;
        let event = AlertEvent::new(instant(at), action);
        state.apply(event.at, &event.action)?;
        let n = next_n(c, "alert_events", seq)?;
        c.execute(
            "INSERT INTO alert_events (alert_seq, n, at, event) VALUES (?1, ?2, ?3, ?4)",
            params![seq, n, at, event_json(&event)?],
        )?;
        log(c, seq, at, event.action.name(), &describe(&event.action))?;
        s.events.push(event);
    }
    s.last_event_at = at;
    refresh(c, config, &s, at)?;
    Ok(Outcome { success: true, status: "Request processed successfully".into(), seq: Some(seq), alias })
}

fn describe(a: &Action) -> String {
    let by = a.user().map(|u| format!(" by {u}")).unwrap_or_default();
    match a {
        Action::Snooze { until, .. } => format!("snoozed until {}{by}", oncall_core::time::format_instant(*until)),
        Action::AddNote { note, .. } => format!("note added{by}: {note}"),
        Action::Assign { owner } => format!("assigned to {owner}"),
        Action::EscalateToNext { escalation } => {
            format!("escalated to next{}", escalation.as_ref().map(|e| format!(" of {e}")).unwrap_or_default())
        }
        Action::Duplicate => "de-duplicated: count + 1".into(),
        other => format!("{}{by}", other.name()),
    }
}

/// A notification row about to be written.
struct Row {
    key: String,
    due_at: i64,
    method: String,
    body: Value,
}

/// The idempotency key of a notification.
fn key(alert_id: &str, target: usize, n: &Notification, rank: usize) -> String {
    let text = serde_json::to_string(n).unwrap_or_default();
    let mut h = Sha256::new();
    for part in [alert_id, &target.to_string(), &text, &rank.to_string()] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Records the due notifications of every alert whose next one is due before `now` (seconds):
/// those with `materialized_until <= at < now`. Returns how many rows were written.
pub fn materialize(c: &mut Conn, config: &Config, now: i64) -> Result<usize, Error> {
    let tx = c.transaction()?;
    let written = materialize_in(&tx, config, now)?;
    tx.commit()?;
    refresh_stale(c, config, now, 200)?;
    Ok(written)
}

/// [`materialize`] with the configuration of `configs`, synchronised with the stored overrides
/// inside the same transaction ([`crate::runtime::Configs::sync`]): another replica's change
/// of them is seen before any notification is recorded.
pub fn materialize_synced(c: &mut Conn, configs: &crate::runtime::Configs, now: i64) -> Result<usize, Error> {
    let tx = c.transaction()?;
    configs.sync(&tx)?;
    let config = configs.effective();
    let written = materialize_in(&tx, &config, now)?;
    tx.commit()?;
    refresh_stale(c, &config, now, 200)?;
    Ok(written)
}

fn materialize_in(tx: &Conn, config: &Config, now: i64) -> Result<usize, Error> {
    let seqs: Vec<i64> = tx.column(
        "SELECT seq FROM alerts WHERE next_due IS NOT NULL AND next_due < ?1 ORDER BY next_due LIMIT 200",
        params![now],
    )?;
    let mut written = 0;
    for seq in seqs {
        let Some(mut s) = load(tx, seq)? else { continue };
        let state = s.state(config, now)?;
        let alert = json!({
            "id": state.id, "tinyId": state.tiny_id, "alias": state.alias, "message": state.message,
            "priority": state.priority, "status": state.status,
        });
        let mut rows = Vec::new();
        for (ti, (_, tl)) in s.timelines(config).into_iter().enumerate() {
            let Ok(tl) = tl else { continue };
            let mut seen: HashMap<String, usize> = HashMap::new();
            for n in &tl.notifications {
                let base = key(&state.id, ti, n, 0);
                let rank = seen.entry(base.clone()).or_insert(0);
                let k = if *rank == 0 { base } else { key(&state.id, ti, n, *rank) };
                *rank += 1;
                let at = n.at.timestamp();
                if at < s.materialized_until || at >= now {
                    continue;
                }
                let mut body = serde_json::to_value(n).map_err(|e| Error::Internal(e.to_string()))?;
                if let Value::Object(o) = &mut body {
                    o.insert("idempotencyKey".into(), Value::String(k.clone()));
                    o.insert("alert".into(), alert.clone());
                }
                rows.push(Row { key: k, due_at: at, method: n.method.as_str().to_string(), body });
            }
        }
        for r in rows {
            let changed = tx.execute(
                "INSERT INTO notifications (idempotency_key, alert_seq, due_at, method, body, state, attempts, next_attempt_at, late)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?3, 0) ON CONFLICT (idempotency_key) DO NOTHING",
                params![r.key, seq, r.due_at, r.method, r.body.to_string()],
            )?;
            written += changed;
        }
        s.materialized_until = now;
        let next = next_due(config, &s);
        // The escalation may have closed the alert by itself (closeAlertAfterAll): the alias is
        // then free for a new alert.
        tx.execute(
            "UPDATE alerts SET materialized_until = ?2, next_due = ?3, is_open = ?4 WHERE seq = ?1",
            params![seq, now, next, state.is_open() as i64],
        )?;
    }
    Ok(written)
}
