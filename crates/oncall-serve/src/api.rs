//! The HTTP API: Opsgenie's Alert API (v2) shapes (the Schedule API's paths are in
//! [`crate::schedule_api`], merged into the same router).
//!
//! Every answer has Opsgenie's envelope: `{"data": …, "took": seconds, "requestId": …}` for
//! reads, `202 {"result": "Request will be processed", "took", "requestId"}` for creates and
//! actions (processed, and committed, before the reply; `GET /v2/alerts/requests/{requestId}`
//! tells the outcome), `{"message", "took", "requestId"}` for errors, with `"errors": {field:
//! message}` on 422.

use crate::alerts::{self, Stored, instant, resolve};
use crate::runtime::Runtime;
use crate::store::params;
use crate::{Error, Key, Metrics};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use oncall_core::alert::{Action, Alert, AlertId, AlertState};
use oncall_core::alert_query::{List, ListParams};
use oncall_core::time::format_instant;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// The largest request body accepted (413 beyond): the largest valid create payload (a
/// 15 000-character description, a 25 000-character note, 8 000 characters of details, in
/// 4-byte UTF-8) fits.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The largest Alertmanager webhook body (a group of many alerts).
pub const MAX_ALERTMANAGER_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What the handlers share.
pub struct App {
    /// The runtime (store, configuration, clock).
    pub rt: Arc<Runtime>,
    /// The API keys (replaced by a reload).
    pub keys: RwLock<Vec<Key>>,
    /// Counter for request ids.
    pub requests: AtomicU64,
    /// Counters.
    pub metrics: Arc<Metrics>,
}

pub(crate) type Shared = Arc<App>;

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
        .merge(crate::schedule_api::routes())
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

pub(crate) struct Ctx {
    pub(crate) request_id: String,
    start: Instant,
    pub(crate) key: Key,
}

impl Ctx {
    pub(crate) fn took(&self) -> f64 {
        (self.start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
    }
}

pub(crate) fn fail(status: StatusCode, message: &str, request_id: &str) -> Response {
    (status, axum::Json(json!({"message": message, "took": 0.0, "requestId": request_id}))).into_response()
}

pub(crate) fn unprocessable(ctx: &Ctx, errors: Vec<(String, String)>) -> Response {
    let errors: Map<String, Value> = errors.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({"message": "Request body is not processable. Please check the errors.",
            "errors": errors, "took": ctx.took(), "requestId": ctx.request_id})),
    )
        .into_response()
}

pub(crate) fn data(ctx: &Ctx, data: Value) -> Response {
    axum::Json(json!({"data": data, "took": ctx.took(), "requestId": ctx.request_id})).into_response()
}

/// Opsgenie's envelope around an answer of the core, serialized as the core serializes it (its
/// keys in the core's order, as the CLI prints them), with more top-level keys (`expandable`).
pub(crate) fn envelope<T: Serialize>(ctx: &Ctx, status: StatusCode, answer: &T, more: &[(&str, Value)]) -> Response {
    #[derive(Serialize)]
    struct Envelope<'a, T: Serialize> {
        data: &'a T,
        #[serde(flatten)]
        more: BTreeMap<&'a str, &'a Value>,
        took: f64,
        #[serde(rename = "requestId")]
        request_id: &'a str,
    }
    let more = more.iter().map(|(k, v)| (*k, v)).collect();
    let e = Envelope { data: answer, more, took: ctx.took(), request_id: &ctx.request_id };
    match serde_json::to_string(&e) {
        Ok(text) => (status, [(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(err) => internal(ctx, &Error::Internal(err.to_string())),
    }
}

fn accepted(ctx: &Ctx) -> Response {
    (
        StatusCode::ACCEPTED,
        axum::Json(json!({"result": "Request will be processed", "took": ctx.took(), "requestId": ctx.request_id})),
    )
        .into_response()
}

pub(crate) fn internal(ctx: &Ctx, e: &Error) -> Response {
    crate::log_line("error", &format!("request {}: {e}", ctx.request_id));
    if e.is_unavailable() {
        return fail(StatusCode::SERVICE_UNAVAILABLE, "The database is unavailable; try again", &ctx.request_id);
    }
    fail(StatusCode::INTERNAL_SERVER_ERROR, "Internal error; see the service's log", &ctx.request_id)
}

/// Checks `Authorization: GenieKey …`: 401 without a key or with an unknown one, 403 for a
/// disabled integration.
#[allow(clippy::result_large_err)]
pub(crate) fn auth(app: &App, headers: &HeaderMap) -> Result<Ctx, Response> {
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
    let found = match app.keys.read() {
        Ok(keys) => keys.iter().find(|k| constant_time_eq(k.key.as_bytes(), given.as_bytes())).cloned(),
        Err(_) => None,
    };
    let Some(key) = found else {
        return Err(fail(StatusCode::UNAUTHORIZED, "Could not authenticate", &request_id));
    };
    if !key.enabled {
        return Err(fail(StatusCode::FORBIDDEN, "Integration is disabled", &request_id));
    }
    Ok(Ctx { request_id, start, key })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn healthz(State(app): State<Shared>) -> Response {
    let ok = app.rt.store.call(|c| c.value::<i64>("SELECT 1", &[])).await;
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
        .call(|c| c.value::<i64>("SELECT COUNT(*) FROM notifications WHERE state = 'pending'", &[]))
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

pub(crate) fn problems(e: &oncall_core::Error) -> Vec<(String, String)> {
    match e.problems() {
        [] => match e {
            oncall_core::Error::InvalidArgument { what, message }
            | oncall_core::Error::InvalidTime { what, message } => {
                vec![(what.clone(), message.clone())]
            }
            _ => vec![(String::new(), e.to_string())],
        },
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
    let configs = app.rt.configs.clone();
    let result = app
        .rt
        .store
        .call(move |c| {
            alerts::create(
                c,
                &configs.effective(),
                alert,
                Some((key.name.as_str(), key.owner_team.as_deref())),
                now,
                &rid,
            )
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
    let configs = app.rt.configs.clone();
    let result = match action {
        AlertmanagerAction::Create(alert) => {
            if let Err(e) = alert.validate() {
                return unprocessable(&ctx, problems(&e));
            }
            app.rt
                .store
                .call(move |c| {
                    alerts::create(
                        c,
                        &configs.effective(),
                        *alert,
                        Some((key.name.as_str(), key.owner_team.as_deref())),
                        now,
                        &rid,
                    )
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
                        &configs.effective(),
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
    let (ctx, id) = match prelude(&app, &headers, id, &q) {
        Ok(x) => x,
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
    let configs = app.rt.configs.clone();
    let rid = ctx.request_id.clone();
    let integration = ctx.key.name.clone();
    let label = label.to_string();
    let result = app
        .rt
        .store
        .call(move |c| alerts::act(c, &configs.effective(), &id, (&rid, &label, Some(&integration)), actions, now))
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
            let row = c.query_opt(
                "SELECT action, alert_seq, alias, success, status, processed_at, integration FROM requests WHERE request_id = ?1",
                params![rid],
            )?;
            row.map(|r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<Option<i64>>(1)?,
                    r.get::<Option<String>>(2)?,
                    r.get::<bool>(3)?,
                    r.get::<String>(4)?,
                    r.get::<i64>(5)?,
                    r.get::<Option<String>>(6)?,
                ))
            })
            .transpose()
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

/// What a per-alert handler starts from: the checked key, the alert the path names, and the
/// stored alert with its state as of now (404 when there is none).
struct Lookup {
    ctx: Ctx,
    stored: Stored,
    state: AlertState,
}

/// The preamble of every per-alert request: the key ([`auth`]) and the identifier of the path
/// with its `identifierType` (422 for an unknown type).
#[allow(clippy::result_large_err)]
fn prelude(app: &App, headers: &HeaderMap, id: String, q: &IdQuery) -> Result<(Ctx, AlertId), Response> {
    let ctx = auth(app, headers)?;
    let id = identifier(&ctx, id, q)?;
    Ok((ctx, id))
}

/// [`prelude`], then the stored alert and its state as of now (404 when there is none).
#[allow(clippy::result_large_err)]
async fn lookup(app: &App, headers: &HeaderMap, id: String, q: &IdQuery) -> Result<Lookup, Response> {
    let (ctx, id) = prelude(app, headers, id, q)?;
    let now = app.rt.clock.now();
    let configs = app.rt.configs.clone();
    let r = app
        .rt
        .store
        .call(move |c| {
            let Some(seq) = resolve(c, &id)? else { return Ok(None) };
            let Some(s) = alerts::load(c, seq)? else { return Ok(None) };
            let state = s.state(&configs.effective(), now)?;
            Ok(Some((s, state)))
        })
        .await;
    match r {
        Ok(Some((stored, state))) => Ok(Lookup { ctx, stored, state }),
        Ok(None) => Err(fail(StatusCode::NOT_FOUND, "Alert does not exist", &ctx.request_id)),
        Err(e) => Err(internal(&ctx, &e)),
    }
}

async fn get_alert(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
) -> Response {
    match lookup(&app, &headers, id, &q).await {
        Ok(Lookup { ctx, stored, state }) => {
            data(&ctx, alert_json(&state, &stored.alert, stored.integration.as_deref(), true))
        }
        Err(r) => r,
    }
}

async fn notes(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<IdQuery>,
    headers: HeaderMap,
) -> Response {
    match lookup(&app, &headers, id, &q).await {
        Ok(Lookup { ctx, state, .. }) => {
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
    let Lookup { ctx, stored: s, .. } = match lookup(&app, &headers, id, &q).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let seq = s.seq;
    // What the escalation did so far (rules fired and skipped, people not reached), from the
    // core's timeline as of now, beside the service's own lines (events, delivery attempts).
    let now = app.rt.clock.now();
    let mut escalation: Vec<(i64, String, String)> = Vec::new();
    for (_, tl) in s.timelines_until(&app.rt.configs.effective(), Some(now)) {
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
            c.query(
                "SELECT at, kind, message FROM alert_log WHERE alert_seq = ?1 ORDER BY n LIMIT 10000",
                params![seq],
            )?
            .iter()
            .map(|r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<String>(2)?)))
            .collect::<Result<Vec<_>, Error>>()
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

/// The core's reading of a list's parameters ([`List::read`]): 422 naming each bad one.
#[allow(clippy::result_large_err)]
fn list_params(ctx: &Ctx, q: &ListQuery) -> Result<List, Response> {
    let p = ListParams {
        query: q.query.as_deref(),
        status: q.status.as_deref(),
        offset: q.offset.as_deref(),
        limit: q.limit.as_deref(),
        sort: q.sort.as_deref(),
        order: q.order.as_deref(),
    };
    List::read(&p).map_err(|e| unprocessable(ctx, problems(&e)))
}

async fn list(State(app): State<Shared>, Query(q): Query<ListQuery>, headers: HeaderMap) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let l = match list_params(&ctx, &q) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let now = app.rt.clock.now();
    let configs = app.rt.configs.clone();
    let query = l.clone();
    let rows = app
        .rt
        .store
        .call(move |c| {
            let config = configs.effective();
            let (page, total) = alerts::list(c, &config, &query, now)?;
            let page = page
                .into_iter()
                .map(|s| Ok((s.state(&config, now)?, s)))
                .collect::<Result<Vec<(AlertState, Stored)>, Error>>()?;
            Ok((page, total))
        })
        .await;
    let (page, total) = match rows {
        Ok(x) => x,
        Err(e) => return internal(&ctx, &e),
    };
    let page: Vec<Value> =
        page.iter().map(|(state, s)| alert_json(state, &s.alert, s.integration.as_deref(), false)).collect();
    let mut paging = BTreeMap::new();
    if l.offset + l.limit < total {
        paging.insert(
            "next",
            format!(
                "/v2/alerts?offset={}&limit={}&sort={}&order={}",
                l.offset + l.limit,
                l.limit,
                l.sort.name(),
                if l.desc { "desc" } else { "asc" }
            ),
        );
    }
    axum::Json(json!({"data": page, "paging": paging, "took": ctx.took(), "requestId": ctx.request_id})).into_response()
}

async fn count(State(app): State<Shared>, Query(q): Query<ListQuery>, headers: HeaderMap) -> Response {
    let ctx = match auth(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let l = match list_params(&ctx, &q) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let now = app.rt.clock.now();
    let configs = app.rt.configs.clone();
    match app.rt.store.call(move |c| alerts::count(c, &configs.effective(), &l, now)).await {
        Ok(n) => data(&ctx, json!({"count": n})),
        Err(e) => internal(&ctx, &e),
    }
}
