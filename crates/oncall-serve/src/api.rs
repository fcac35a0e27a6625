//! The HTTP API: Opsgenie's Alert API (v2) shapes.
//!
//! Every answer has Opsgenie's envelope: `{"data": …, "took": seconds, "requestId": …}` for
//! reads, `202 {"result": "Request will be processed", "took", "requestId"}` for creates and
//! actions (processed, and committed, before the reply; `GET /v2/alerts/requests/{requestId}`
//! tells the outcome), `{"message", "took", "requestId"}` for errors, with `"errors": {field:
//! message}` on 422.

use crate::alerts::{self, Stored, instant, resolve};
use crate::runtime::Runtime;
use crate::{Error, Key, Metrics};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use oncall_core::alert::{Action, Alert, AlertId, AlertState};
use oncall_core::time::format_instant;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The largest request body accepted (413 beyond): the largest valid create payload (a
/// 15 000-character description, a 25 000-character note, 8 000 characters of details, in
/// 4-byte UTF-8) fits.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The largest Alertmanager webhook body (a group of many alerts).
pub const MAX_ALERTMANAGER_BODY_BYTES: usize = 4 * 1024 * 1024;
/// `limit` of a list: at most 100 (Opsgenie's), default 20.
pub const MAX_LIMIT: usize = 100;
/// `offset + limit` of a list: at most 20 000 (Opsgenie's).
pub const MAX_WINDOW: usize = 20_000;
/// `query` of a list or count: at most this many characters.
pub const MAX_QUERY_CHARS: usize = 2_000;

/// What the handlers share.
pub struct App {
    /// The runtime (store, configuration, clock).
    pub rt: Arc<Runtime>,
    /// The API keys.
    pub keys: Vec<Key>,
    /// Counter for request ids.
    pub requests: AtomicU64,
    /// Counters.
    pub metrics: Arc<Metrics>,
}

type Shared = Arc<App>;

/// The router of every path.
pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v2/alerts", post(create).get(list))
        .route(
            "/v1/integrations/alertmanager",
            post(alertmanager).layer(DefaultBodyLimit::max(MAX_ALERTMANAGER_BODY_BYTES)),
        )
        .route("/v2/alerts/count", get(count))
        .route("/v2/alerts/requests/{request_id}", get(request_status))
        .route("/v2/alerts/{identifier}", get(get_alert))
        .route("/v2/alerts/{identifier}/logs", get(logs))
        .route("/v2/alerts/{identifier}/notes", get(notes).post(add_note))
        .route("/v2/alerts/{identifier}/{action}", post(named_action))
        .fallback(|| async { fail(StatusCode::NOT_FOUND, "No such path", &request_id_fresh()) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

fn request_id_fresh() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    new_request_id(N.fetch_add(1, Ordering::Relaxed))
}

/// A request id in UUID form: time, process and a counter, hashed.
fn new_request_id(n: u64) -> String {
    use sha2::{Digest, Sha256};
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let h = Sha256::digest(format!("{t}-{}-{n}", std::process::id()).as_bytes());
    let x: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &x[0..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

struct Ctx {
    request_id: String,
    start: Instant,
    key: Key,
}

impl Ctx {
    fn took(&self) -> f64 {
        (self.start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
    }
}

fn fail(status: StatusCode, message: &str, request_id: &str) -> Response {
    (status, axum::Json(json!({"message": message, "took": 0.0, "requestId": request_id}))).into_response()
}

fn unprocessable(ctx: &Ctx, errors: Vec<(String, String)>) -> Response {
    let errors: Map<String, Value> = errors.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({"message": "Request body is not processable. Please check the errors.",
            "errors": errors, "took": ctx.took(), "requestId": ctx.request_id})),
    )
        .into_response()
}

fn data(ctx: &Ctx, data: Value) -> Response {
    axum::Json(json!({"data": data, "took": ctx.took(), "requestId": ctx.request_id})).into_response()
}

fn accepted(ctx: &Ctx) -> Response {
    (
        StatusCode::ACCEPTED,
        axum::Json(json!({"result": "Request will be processed", "took": ctx.took(), "requestId": ctx.request_id})),
    )
        .into_response()
}

fn internal(ctx: &Ctx, e: &Error) -> Response {
    crate::log_line("error", &format!("request {}: {e}", ctx.request_id));
    fail(StatusCode::INTERNAL_SERVER_ERROR, "Internal error; see the service's log", &ctx.request_id)
}

/// Checks `Authorization: GenieKey …`: 401 without a key or with an unknown one, 403 for a
/// disabled integration.
#[allow(clippy::result_large_err)]
fn auth(app: &App, headers: &HeaderMap) -> Result<Ctx, Response> {
    let request_id = new_request_id(app.requests.fetch_add(1, Ordering::Relaxed));
    let start = Instant::now();
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("GenieKey"))
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let Some(given) = given else {
        return Err(fail(
            StatusCode::UNAUTHORIZED,
            "Key format is not valid! (Authorization: GenieKey <key>)",
            &request_id,
        ));
    };
    let Some(key) = app.keys.iter().find(|k| constant_time_eq(k.key.as_bytes(), given.as_bytes())) else {
        return Err(fail(StatusCode::UNAUTHORIZED, "Could not authenticate", &request_id));
    };
    if !key.enabled {
        return Err(fail(StatusCode::FORBIDDEN, "Integration is disabled", &request_id));
    }
    Ok(Ctx { request_id, start, key: key.clone() })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn healthz(State(app): State<Shared>) -> Response {
    let ok = app.rt.store.call(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?)).await;
    match ok {
        Ok(_) => axum::Json(json!({"status": "ok"})).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({"status": "error", "message": e.to_string()})))
            .into_response(),
    }
}

async fn metrics(State(app): State<Shared>) -> Response {
    let m = &app.metrics;
    let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let pending = app
        .rt
        .store
        .call(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM notifications WHERE state = 'pending'", [], |r| r.get::<_, i64>(0))?)
        })
        .await
        .unwrap_or(-1);
    let text = format!(
        "# HELP oncall_alerts_created_total Alerts created (de-duplicated creates not included).\n\
         # TYPE oncall_alerts_created_total counter\noncall_alerts_created_total {}\n\
         # HELP oncall_alerts_deduplicated_total Creates counted into an open alert.\n\
         # TYPE oncall_alerts_deduplicated_total counter\noncall_alerts_deduplicated_total {}\n\
         # HELP oncall_notifications_recorded_total Notifications recorded as due.\n\
         # TYPE oncall_notifications_recorded_total counter\noncall_notifications_recorded_total {}\n\
         # HELP oncall_notifications_sent_total Notifications delivered.\n\
         # TYPE oncall_notifications_sent_total counter\noncall_notifications_sent_total {}\n\
         # HELP oncall_notification_attempts_failed_total Delivery attempts that failed.\n\
         # TYPE oncall_notification_attempts_failed_total counter\noncall_notification_attempts_failed_total {}\n\
         # HELP oncall_notifications_failed_total Notifications given up after the last attempt.\n\
         # TYPE oncall_notifications_failed_total counter\noncall_notifications_failed_total {}\n\
         # HELP oncall_notification_delivery_lag_seconds_sum Seconds from due to delivered, summed.\n\
         # TYPE oncall_notification_delivery_lag_seconds_sum counter\noncall_notification_delivery_lag_seconds_sum {}\n\
         # HELP oncall_notifications_pending Notifications recorded and not yet delivered.\n\
         # TYPE oncall_notifications_pending gauge\noncall_notifications_pending {}\n",
        g(&m.alerts_created),
        g(&m.alerts_deduplicated),
        g(&m.notifications_recorded),
        g(&m.notifications_sent),
        g(&m.notification_attempts_failed),
        g(&m.notifications_failed),
        g(&m.delivery_lag_seconds_sum),
        pending
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

fn problems(e: &oncall_core::Error) -> Vec<(String, String)> {
    match e.problems() {
        [] => vec![(String::new(), e.to_string())],
        ps => ps
            .iter()
            .map(|p| (if p.path.is_empty() { "body".into() } else { p.path.clone() }, p.message.clone()))
            .collect(),
    }
}

async fn create(State(app): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return unprocessable(&ctx, vec![("body".into(), "not UTF-8".into())]);
    };
    let alert = match Alert::from_json(text).and_then(|a| a.validate().map(|()| a)) {
        Ok(a) => a,
        Err(e) => return unprocessable(&ctx, problems(&e)),
    };
    let now = app.rt.clock.now();
    let rid = ctx.request_id.clone();
    let key = ctx.key.clone();
    let config = app.rt.config.clone();
    let result = app
        .rt
        .store
        .call(move |c| {
            alerts::create(c, &config, alert, Some((key.name.as_str(), key.owner_team.as_deref())), now, &rid)
        })
        .await;
    match result {
        Ok(o) => {
            let counter = if o.status == "Created alert" {
                &app.metrics.alerts_created
            } else {
                &app.metrics.alerts_deduplicated
            };
            counter.fetch_add(1, Ordering::Relaxed);
            accepted(&ctx)
        }
        Err(e) => internal(&ctx, &e),
    }
}

/// `POST /v1/integrations/alertmanager`: Alertmanager's webhook through the core's adapter
/// ([`oncall_core::alertmanager`]): firing creates (or de-duplicates), resolved closes by alias.
async fn alertmanager(State(app): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    use oncall_core::alertmanager::{AlertmanagerAction, adapt};
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return unprocessable(&ctx, vec![("body".into(), "not UTF-8".into())]);
    };
    let action = match adapt(text, &ctx.key.priorities) {
        Ok(a) => a,
        Err(e) => return unprocessable(&ctx, problems(&e)),
    };
    let now = app.rt.clock.now();
    let rid = ctx.request_id.clone();
    let key = ctx.key.clone();
    let config = app.rt.config.clone();
    let result = match action {
        AlertmanagerAction::Create(alert) => {
            if let Err(e) = alert.validate() {
                return unprocessable(&ctx, problems(&e));
            }
            app.rt
                .store
                .call(move |c| {
                    alerts::create(c, &config, *alert, Some((key.name.as_str(), key.owner_team.as_deref())), now, &rid)
                })
                .await
        }
        AlertmanagerAction::Close { alias } => {
            app.rt
                .store
                .call(move |c| {
                    let id = AlertId::Alias(alias);
                    alerts::act(
                        c,
                        &config,
                        &id,
                        (&rid, "Close", Some(&key.name)),
                        vec![Action::Close { user: None }],
                        now,
                    )
                })
                .await
        }
    };
    match result {
        Ok(_) => accepted(&ctx),
        Err(e) => internal(&ctx, &e),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct IdQuery {
    identifier_type: Option<String>,
}

#[allow(clippy::result_large_err)]
fn identifier(ctx: &Ctx, id: String, q: &IdQuery) -> Result<AlertId, Response> {
    match q.identifier_type.as_deref().unwrap_or("id") {
        "id" => Ok(AlertId::Id(id)),
        "alias" => Ok(AlertId::Alias(id)),
        "tiny" => Ok(AlertId::Tiny(id)),
        other => Err(unprocessable(
            ctx,
            vec![("identifierType".into(), format!("expected id, alias or tiny, found {other:?}"))],
        )),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NameRef {
    id: Option<String>,
    name: Option<String>,
    username: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ActionBody {
    user: Option<String>,
    source: Option<String>,
    note: Option<String>,
    end_time: Option<String>,
    escalation: Option<NameRef>,
    owner: Option<NameRef>,
}

async fn add_note(
    state: State<Shared>,
    path: Path<String>,
    q: Query<IdQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    action(state, path, q, headers, body, "notes").await
}

async fn named_action(
    state: State<Shared>,
    path: Path<(String, String)>,
    q: Query<IdQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let name = path.1.clone();
    action(state, Path(path.0.0), q, headers, body, &name).await
}

async fn action(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
    body: Bytes,
    name: &str,
) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let label = match name {
        "close" => "Close",
        "acknowledge" => "Acknowledge",
        "unacknowledge" => "UnAcknowledge",
        "snooze" => "Snooze",
        "notes" => "AddNote",
        "escalate" => "EscalateToNext",
        "assign" => "Assign",
        _ => return fail(StatusCode::NOT_FOUND, "No such path", &ctx.request_id),
    };
    let id = match identifier(&ctx, id, &q) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let b: ActionBody = if body.iter().all(u8::is_ascii_whitespace) {
        ActionBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return unprocessable(&ctx, vec![("body".into(), e.to_string())]),
        }
    };
    let mut errors = Vec::new();
    for (field, value, most) in [("user", &b.user, 100), ("source", &b.source, 100), ("note", &b.note, 25_000)] {
        if let Some(v) = value
            && v.chars().count() > most
        {
            errors.push((field.to_string(), format!("at most {most} characters, found {}", v.chars().count())));
        }
    }
    let now = app.rt.clock.now();
    let user = b.user.clone();
    let main = match name {
        "close" => Some(Action::Close { user: user.clone() }),
        "acknowledge" => Some(Action::Acknowledge { user: user.clone() }),
        "unacknowledge" => Some(Action::Unacknowledge { user: user.clone() }),
        "snooze" => match b.end_time.as_deref().map(|t| t.parse::<chrono::DateTime<chrono::Utc>>()) {
            Some(Ok(until)) => Some(Action::Snooze { until, user: user.clone() }),
            Some(Err(e)) => {
                errors.push(("endTime".into(), format!("expected an RFC 3339 instant: {e}")));
                None
            }
            None => {
                errors.push(("endTime".into(), "required".into()));
                None
            }
        },
        "notes" => None,
        "escalate" => match b.escalation.as_ref().and_then(|e| e.name.clone().or_else(|| e.id.clone())) {
            Some(e) => Some(Action::EscalateToNext { escalation: Some(e) }),
            None => {
                errors.push(("escalation".into(), "required: {\"name\": …} or {\"id\": …}".into()));
                None
            }
        },
        "assign" => match b.owner.as_ref().and_then(|o| o.username.clone().or_else(|| o.id.clone())) {
            Some(owner) => Some(Action::Assign { owner }),
            None => {
                errors.push(("owner".into(), "required: {\"username\": …} or {\"id\": …}".into()));
                None
            }
        },
        _ => None,
    };
    if name == "notes" && b.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        errors.push(("note".into(), "required".into()));
    }
    if !errors.is_empty() {
        return unprocessable(&ctx, errors);
    }
    let mut actions: Vec<Action> = main.into_iter().collect();
    if let Some(note) = b.note.clone().filter(|n| !n.trim().is_empty()) {
        actions.push(Action::AddNote { note, user });
    }
    let config = app.rt.config.clone();
    let rid = ctx.request_id.clone();
    let integration = ctx.key.name.clone();
    let label = label.to_string();
    let result = app
        .rt
        .store
        .call(move |c| alerts::act(c, &config, &id, (&rid, &label, Some(&integration)), actions, now))
        .await;
    match result {
        Ok(_) => accepted(&ctx),
        Err(e) => internal(&ctx, &e),
    }
}

async fn request_status(State(app): State<Shared>, Path(rid): Path<String>, headers: HeaderMap) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let row = app
        .rt
        .store
        .call(move |c| {
            Ok(crate::store::opt(c.query_row(
                "SELECT action, alert_seq, alias, success, status, processed_at, integration FROM requests WHERE request_id = ?1",
                params![rid],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, i64>(3)? != 0,
                        r.get::<_, String>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            ))?)
        })
        .await;
    match row {
        Ok(Some((action, seq, alias, success, status, at, integration))) => data(
            &ctx,
            json!({"success": success, "isSuccess": success, "action": action, "processedAt": format_instant(instant(at)),
                   "integrationId": integration, "status": status, "alertId": seq.map(|s| format!("alert-{s}")),
                   "alias": alias}),
        ),
        Ok(None) => fail(StatusCode::NOT_FOUND, "Request does not exist", &ctx.request_id),
        Err(e) => internal(&ctx, &e),
    }
}

/// Opsgenie's alert object from a stored alert's state.
fn alert_json(state: &AlertState, alert: &Alert, integration: Option<&str>, full: bool) -> Value {
    let mut v = serde_json::to_value(state).unwrap_or(Value::Null);
    if let Value::Object(o) = &mut v {
        o.remove("notes");
        o.insert("isSeen".into(), Value::Bool(false));
        o.insert("source".into(), Value::String(alert.source.clone().unwrap_or_default()));
        o.insert("owner".into(), Value::String(state.owner.clone().unwrap_or_default()));
        o.insert("responders".into(), serde_json::to_value(&alert.responders).unwrap_or(Value::Null));
        if let Some(name) = integration {
            o.insert("integration".into(), json!({"name": name, "type": "API"}));
        }
        if full {
            o.insert("actions".into(), json!(alert.actions));
            o.insert("entity".into(), json!(alert.entity.clone().unwrap_or_default()));
            o.insert("description".into(), json!(alert.description.clone().unwrap_or_default()));
            o.insert("details".into(), json!(alert.details));
        }
    }
    v
}

#[allow(clippy::result_large_err)]
async fn stored(app: &App, ctx: &Ctx, id: AlertId) -> Result<(Stored, AlertState), Response> {
    let now = app.rt.clock.now();
    let config = app.rt.config.clone();
    let r = app
        .rt
        .store
        .call(move |c| {
            let Some(seq) = resolve(c, &id)? else { return Ok(None) };
            let Some(s) = alerts::load(c, seq)? else { return Ok(None) };
            let state = s.state(&config, now)?;
            Ok(Some((s, state)))
        })
        .await;
    match r {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(fail(StatusCode::NOT_FOUND, "Alert does not exist", &ctx.request_id)),
        Err(e) => Err(internal(ctx, &e)),
    }
}

async fn get_alert(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match identifier(&ctx, id, &q) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match stored(&app, &ctx, id).await {
        Ok((s, state)) => data(&ctx, alert_json(&state, &s.alert, s.integration.as_deref(), true)),
        Err(r) => r,
    }
}

async fn notes(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match identifier(&ctx, id, &q) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match stored(&app, &ctx, id).await {
        Ok((_, state)) => {
            let list: Vec<Value> = state
                .notes
                .iter()
                .map(|n| json!({"note": n.note, "owner": n.user.clone().unwrap_or_default(), "createdAt": format_instant(n.at)}))
                .collect();
            data(&ctx, Value::Array(list))
        }
        Err(r) => r,
    }
}

async fn logs(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match identifier(&ctx, id, &q) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let (s, _) = match stored(&app, &ctx, id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let seq = s.seq;
    // What the escalation did so far (rules fired and skipped, people not reached), from the
    // core's timeline as of now, beside the service's own lines (events, delivery attempts).
    let now = app.rt.clock.now();
    let mut escalation: Vec<(i64, String, String)> = Vec::new();
    for (_, tl) in s.timelines_until(&app.rt.config, Some(now)) {
        let Ok(tl) = tl else { continue };
        for e in &tl.log {
            let kind =
                serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            escalation.push((e.at.timestamp(), format!("escalation:{kind}"), e.message.clone()));
        }
        for u in &tl.unreached {
            escalation.push((u.at.timestamp(), "escalation:unreached".into(), u.message.clone()));
        }
    }
    let rows = app
        .rt
        .store
        .call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT at, kind, message FROM alert_log WHERE alert_seq = ?1 ORDER BY n LIMIT 10000",
            )?;
            let rows = stmt
                .query_map(params![seq], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await;
    match rows {
        Ok(mut rows) => data(&ctx, {
            rows.extend(escalation);
            rows.sort_by_key(|r| r.0);
            Value::Array(
                rows.into_iter()
                    .map(|(at, kind, log)| json!({"createdAt": format_instant(instant(at)), "type": kind, "log": log}))
                    .collect(),
            )
        }),
        Err(e) => internal(&ctx, &e),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    query: Option<String>,
    status: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
    sort: Option<String>,
    order: Option<String>,
}

/// One term of a list query: `field:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The field.
    pub field: String,
    /// The value (quotes removed).
    pub value: String,
}

/// Fields a list `query` may test.
pub const QUERY_FIELDS: &[&str] = &[
    "status",
    "acknowledged",
    "snoozed",
    "alias",
    "tag",
    "tags",
    "priority",
    "owner",
    "source",
    "entity",
    "message",
    "tinyId",
    "id",
];

/// Parses Opsgenie's basic search syntax as far as it is served: terms `field:value` (or
/// `field=value`; values may be quoted) joined by whitespace or `AND`. `OR`, `NOT` and
/// parentheses are refused with a message naming `query`.
///
/// ```
/// let t = oncall_serve::api::parse_query("status:open AND tag:\"db 1\"").unwrap();
/// assert_eq!((t[1].field.as_str(), t[1].value.as_str()), ("tag", "db 1"));
/// assert!(oncall_serve::api::parse_query("status:open OR status:closed").is_err());
/// ```
pub fn parse_query(q: &str) -> Result<Vec<Term>, String> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("at most {MAX_QUERY_CHARS} characters"));
    }
    let mut terms = Vec::new();
    let mut chars = q.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut word = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c == '"' {
                quoted = !quoted;
                chars.next();
                continue;
            }
            if c.is_whitespace() && !quoted {
                break;
            }
            word.push(c);
            chars.next();
        }
        if quoted {
            return Err("an unterminated quote".into());
        }
        match word.as_str() {
            "AND" | "and" => continue,
            "OR" | "or" | "NOT" | "not" => return Err(format!("{word} is not supported (terms are joined by AND)")),
            _ => {}
        }
        if word.starts_with('(') || word.ends_with(')') {
            return Err("parentheses are not supported".into());
        }
        let Some(i) = word.find([':', '=']) else {
            return Err(format!("expected field:value, found {word:?} (free-text search is not supported)"));
        };
        let (field, value) = (word[..i].to_string(), word[i + 1..].to_string());
        if !QUERY_FIELDS.contains(&field.as_str()) {
            return Err(format!("unsupported field {field:?} (supported: {})", QUERY_FIELDS.join(", ")));
        }
        terms.push(Term { field, value });
    }
    Ok(terms)
}

fn matches(t: &Term, s: &AlertState, a: &Alert) -> bool {
    let b = |x: bool| t.value.eq_ignore_ascii_case(if x { "true" } else { "false" });
    match t.field.as_str() {
        "status" => t.value.eq_ignore_ascii_case(if s.is_open() { "open" } else { "closed" }),
        "acknowledged" => b(s.acknowledged),
        "snoozed" => b(s.snoozed),
        "alias" => s.alias == t.value,
        "tag" | "tags" => s.tags.iter().any(|x| x == &t.value),
        "priority" => s.priority.eq_ignore_ascii_case(&t.value),
        "owner" => s.owner.as_deref() == Some(t.value.as_str()),
        "source" => a.source.as_deref() == Some(t.value.as_str()),
        "entity" => a.entity.as_deref() == Some(t.value.as_str()),
        "message" => s.message.to_lowercase().contains(&t.value.to_lowercase()),
        "tinyId" => s.tiny_id == t.value,
        "id" => s.id == t.value,
        _ => false,
    }
}

/// Sort fields of a list.
pub const SORT_FIELDS: &[&str] = &[
    "createdAt",
    "updatedAt",
    "tinyId",
    "alias",
    "message",
    "status",
    "acknowledged",
    "snoozed",
    "count",
    "lastOccurredAt",
    "owner",
    "priority",
];

type Listed = (AlertState, Alert, Option<String>);

#[allow(clippy::result_large_err)]
async fn select(app: &App, ctx: &Ctx, q: &ListQuery) -> Result<Vec<Listed>, Response> {
    let mut terms = match parse_query(q.query.as_deref().unwrap_or("")) {
        Ok(t) => t,
        Err(m) => return Err(unprocessable(ctx, vec![("query".into(), m)])),
    };
    if let Some(st) = &q.status {
        if !matches!(st.as_str(), "open" | "closed") {
            return Err(unprocessable(ctx, vec![("status".into(), format!("expected open or closed, found {st:?}"))]));
        }
        terms.push(Term { field: "status".into(), value: st.clone() });
    }
    let now = app.rt.clock.now();
    let open_only = terms.iter().any(|t| t.field == "status" && t.value == "open");
    let config = app.rt.config.clone();
    let rows = app
        .rt
        .store
        .call(move |c| {
            let sql = if open_only {
                "SELECT seq FROM alerts WHERE is_open = 1 ORDER BY seq"
            } else {
                "SELECT seq FROM alerts ORDER BY seq"
            };
            let seqs: Vec<i64> = c.prepare_cached(sql)?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let mut out = Vec::new();
            for seq in seqs {
                if let Some(s) = alerts::load(c, seq)? {
                    let state = s.state(&config, now)?;
                    if terms.iter().all(|t| matches(t, &state, &s.alert)) {
                        out.push((state, s.alert, s.integration));
                    }
                }
            }
            Ok(out)
        })
        .await;
    rows.map_err(|e| internal(ctx, &e))
}

async fn list(State(app): State<Shared>, Query(q): Query<ListQuery>, headers: HeaderMap) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut errors = Vec::new();
    let num = |field: &str, v: &Option<String>, default: usize, errors: &mut Vec<(String, String)>| match v {
        None => default,
        Some(x) => x.parse::<usize>().unwrap_or_else(|_| {
            errors.push((field.to_string(), format!("expected a whole number, found {x:?}")));
            default
        }),
    };
    let offset = num("offset", &q.offset, 0, &mut errors);
    let limit = num("limit", &q.limit, 20, &mut errors);
    if limit == 0 || limit > MAX_LIMIT {
        errors.push(("limit".into(), format!("from 1 to {MAX_LIMIT}")));
    }
    if offset.saturating_add(limit) > MAX_WINDOW {
        errors.push(("offset".into(), format!("offset + limit at most {MAX_WINDOW}")));
    }
    let sort = q.sort.clone().unwrap_or_else(|| "createdAt".into());
    if !SORT_FIELDS.contains(&sort.as_str()) {
        errors.push(("sort".into(), format!("expected one of {}", SORT_FIELDS.join(", "))));
    }
    let desc = match q.order.as_deref().unwrap_or("desc") {
        "desc" => true,
        "asc" => false,
        other => {
            errors.push(("order".into(), format!("expected asc or desc, found {other:?}")));
            true
        }
    };
    if !errors.is_empty() {
        return unprocessable(&ctx, errors);
    }
    let mut rows = match select(&app, &ctx, &q).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let key = |s: &AlertState| -> (Value, u64) {
        let n: u64 = s.tiny_id.parse().unwrap_or(0);
        let v = match sort.as_str() {
            "createdAt" => json!(s.created_at.timestamp()),
            "updatedAt" => json!(s.updated_at.timestamp()),
            "lastOccurredAt" => json!(s.last_occurred_at.timestamp()),
            "tinyId" => json!(n),
            "alias" => json!(s.alias),
            "message" => json!(s.message),
            "status" => json!(s.is_open()),
            "acknowledged" => json!(s.acknowledged),
            "snoozed" => json!(s.snoozed),
            "count" => json!(s.count),
            "owner" => json!(s.owner),
            "priority" => json!(s.priority),
            _ => Value::Null,
        };
        (v, n)
    };
    rows.sort_by(|a, b| {
        let (ka, na) = key(&a.0);
        let (kb, nb) = key(&b.0);
        let o = cmp_value(&ka, &kb).then(na.cmp(&nb));
        if desc { o.reverse() } else { o }
    });
    let total = rows.len();
    let page: Vec<Value> =
        rows.iter().skip(offset).take(limit).map(|(s, a, i)| alert_json(s, a, i.as_deref(), false)).collect();
    let mut paging = BTreeMap::new();
    if offset + limit < total {
        paging.insert(
            "next",
            format!(
                "/v2/alerts?offset={}&limit={limit}&sort={sort}&order={}",
                offset + limit,
                if desc { "desc" } else { "asc" }
            ),
        );
    }
    axum::Json(json!({"data": page, "paging": paging, "took": ctx.took(), "requestId": ctx.request_id})).into_response()
}

fn cmp_value(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(std::cmp::Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
        (Value::Null, _) => std::cmp::Ordering::Less,
        (_, Value::Null) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    }
}

async fn count(State(app): State<Shared>, Query(q): Query<ListQuery>, headers: HeaderMap) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match select(&app, &ctx, &q).await {
        Ok(rows) => data(&ctx, json!({"count": rows.len()})),
        Err(r) => r,
    }
}
