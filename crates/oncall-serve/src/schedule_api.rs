//! The HTTP Schedule API: Opsgenie's schedule, who-is-on-call, timeline and schedule-override
//! paths (v2), answered by the core over the configuration in use (the file's, with the
//! overrides stored in the database on top; [`crate::runtime::Configs`]).
//!
//! Answers are the core's, serialized as `oncall who|next|timeline --format json` prints them,
//! inside Opsgenie's envelope `{"data", "took", "requestId"}` (plus `expandable` where Opsgenie
//! has it). Parameters have Opsgenie's names: `identifierType` (`id`|`name`) for a schedule and
//! its timeline, `scheduleIdentifierType` for on-calls and overrides (either name is accepted on
//! every path); `flat`, `date`, `interval`, `intervalUnit`, `expand`. A bad parameter is 422
//! `{"message", "errors": {parameter: message}}`, an unknown schedule or override 404. See
//! `docs/serve.md`.

use crate::api::{Ctx, Shared, auth, data, envelope, fail, internal, problems, unprocessable};
use crate::overrides::{self, Change};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use oncall_core::{Config, Expand, IntervalUnit, Loaded, Schedule};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The Schedule API's routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/v2/schedules", get(list))
        .route("/v2/schedules/{identifier}", get(get_one))
        .route("/v2/schedules/{identifier}/on-calls", get(on_calls))
        .route("/v2/schedules/{identifier}/next-on-calls", get(next_on_calls))
        .route("/v2/schedules/{identifier}/timeline", get(timeline))
        .route("/v2/schedules/{identifier}/overrides", get(list_overrides).post(create_override))
        .route(
            "/v2/schedules/{identifier}/overrides/{alias}",
            get(get_override).put(update_override).delete(delete_override),
        )
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ScheduleQuery {
    identifier_type: Option<String>,
    schedule_identifier_type: Option<String>,
    flat: Option<String>,
    date: Option<String>,
    interval: Option<String>,
    interval_unit: Option<String>,
    expand: Option<String>,
}

/// A bad parameter: 422 naming it.
fn bad(ctx: &Ctx, what: &str, message: impl Into<String>) -> Response {
    unprocessable(ctx, vec![(what.to_string(), message.into())])
}

/// The schedule the path names, in `config` (by `identifierType`/`scheduleIdentifierType`).
#[allow(clippy::result_large_err)]
fn schedule<'c>(ctx: &Ctx, config: &'c Config, id: &str, q: &ScheduleQuery) -> Result<Schedule<'c>, Response> {
    let (param, kind) = match (&q.schedule_identifier_type, &q.identifier_type) {
        (Some(k), _) => ("scheduleIdentifierType", k.as_str()),
        (None, Some(k)) => ("identifierType", k.as_str()),
        (None, None) => ("identifierType", "id"),
    };
    let by_name = match kind {
        "id" => false,
        "name" => true,
        other => return Err(bad(ctx, param, format!("expected id or name, found {other:?}"))),
    };
    config
        .schedule_by(id, by_name)
        .map_err(|_| fail(StatusCode::NOT_FOUND, &format!("No schedule exists with {kind} [{id}]"), &ctx.request_id))
}

/// `date` (default now): RFC 3339, or a naive local time in the schedule's zone.
#[allow(clippy::result_large_err)]
fn date(ctx: &Ctx, s: &Schedule<'_>, q: &ScheduleQuery, now: i64) -> Result<DateTime<Utc>, Response> {
    match q.date.as_deref().map(str::trim) {
        None | Some("") => Ok(crate::alerts::instant(now)),
        Some(d) if d.eq_ignore_ascii_case("now") => Ok(crate::alerts::instant(now)),
        Some(d) => s.parse_time(d).map_err(|e| bad(ctx, "date", query_message(&e))),
    }
}

fn query_message(e: &oncall_core::Error) -> String {
    match e {
        oncall_core::Error::InvalidArgument { message, .. } | oncall_core::Error::InvalidTime { message, .. } => {
            message.clone()
        }
        other => other.to_string(),
    }
}

/// A refusal of the core to answer (a limit, a bad argument): 422 naming what it is about.
fn refused(ctx: &Ctx, e: &oncall_core::Error) -> Response {
    unprocessable(ctx, problems(e))
}

/// `flat`: `true` or `false` (default), in any case (`True` as Python clients write it).
#[allow(clippy::result_large_err)]
fn flat(ctx: &Ctx, q: &ScheduleQuery) -> Result<bool, Response> {
    match q.flat.as_deref() {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(other) => Err(bad(ctx, "flat", format!("expected true or false, found {other:?}"))),
    }
}

/// The key check and the configuration in use.
#[allow(clippy::result_large_err)]
fn begin(app: &Shared, headers: &HeaderMap) -> Result<(Ctx, Arc<Loaded>, i64), Response> {
    let ctx = auth(app, headers)?;
    Ok((ctx, app.rt.configs.effective(), app.rt.clock.now()))
}

/// `GET /v2/schedules` (`expand=rotation` adds each schedule's rotations).
async fn list(State(app): State<Shared>, Query(q): Query<ScheduleQuery>, headers: HeaderMap) -> Response {
    let (ctx, config, _) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let rotations = match q.expand.as_deref().map(str::trim) {
        None | Some("") => false,
        Some("rotation") | Some("rotations") => true,
        Some(other) => return bad(&ctx, "expand", format!("expected rotation, found {other:?}")),
    };
    let names: Vec<String> = config.schedule_names().map(str::to_string).collect();
    let list: Vec<Value> = names
        .iter()
        .filter_map(|n| config.schedule(n).ok())
        .map(|s| s.api_object(&config.document, rotations))
        .collect();
    envelope(&ctx, StatusCode::OK, &list, &[("expandable", json!(["rotation"]))])
}

/// `GET /v2/schedules/{identifier}`.
async fn get_one(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
) -> Response {
    let (ctx, config, _) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match schedule(&ctx, &config, &id, &q) {
        Ok(s) => data(&ctx, s.api_object(&config.document, true)),
        Err(r) => r,
    }
}

/// `GET /v2/schedules/{identifier}/on-calls` (`flat`, `date`): `oncall who --format json`.
#[allow(clippy::result_large_err)]
async fn on_calls(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
) -> Response {
    let (ctx, config, now) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let answer = (|| {
        let s = schedule(&ctx, &config, &id, &q)?;
        let flat = flat(&ctx, &q)?;
        let at = date(&ctx, &s, &q, now)?;
        s.on_call_answer(at, flat, false).map_err(|e| refused(&ctx, &e))
    })();
    match answer {
        Ok(a) => envelope(&ctx, StatusCode::OK, &a, &[]),
        Err(r) => r,
    }
}

/// `GET /v2/schedules/{identifier}/next-on-calls` (`flat`, `date`): `oncall next --format json`.
#[allow(clippy::result_large_err)]
async fn next_on_calls(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
) -> Response {
    let (ctx, config, now) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let answer = (|| {
        let s = schedule(&ctx, &config, &id, &q)?;
        let flat = flat(&ctx, &q)?;
        let at = date(&ctx, &s, &q, now)?;
        let next = s.next_on_call(at).map_err(|e| refused(&ctx, &e))?;
        Ok::<_, Response>((next, flat))
    })();
    match answer {
        Ok((next, false)) => envelope(&ctx, StatusCode::OK, &next, &[]),
        Ok((next, true)) => envelope(&ctx, StatusCode::OK, &next.flat(), &[]),
        Err(r) => r,
    }
}

/// `GET /v2/schedules/{identifier}/timeline` (`date`, `interval`, `intervalUnit`, `expand`):
/// `oncall timeline --date … --interval … --interval-unit … --expand … --format json`.
#[allow(clippy::result_large_err)]
async fn timeline(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
) -> Response {
    let (ctx, config, now) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let answer = (|| {
        let s = schedule(&ctx, &config, &id, &q)?;
        let from = date(&ctx, &s, &q, now)?;
        let interval = match q.interval.as_deref() {
            None => 1,
            Some(x) => match x.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => return Err(bad(&ctx, "interval", format!("expected a whole number from 1, found {x:?}"))),
            },
        };
        let unit: IntervalUnit = match q.interval_unit.as_deref() {
            None => IntervalUnit::Weeks,
            Some(u) => u.parse().map_err(|e| bad(&ctx, "intervalUnit", query_message(&e)))?,
        };
        let expand =
            Expand::parse(q.expand.as_deref().unwrap_or("")).map_err(|e| bad(&ctx, "expand", query_message(&e)))?;
        let to = s.interval_end(from, interval, unit).map_err(|e| bad(&ctx, "interval", query_message(&e)))?;
        s.timeline(from, to, expand).map_err(|e| refused(&ctx, &e))
    })();
    match answer {
        Ok(t) => envelope(&ctx, StatusCode::OK, &t, &[("expandable", json!(["base", "forwarding", "override"]))]),
        Err(r) => r,
    }
}

/// `GET /v2/schedules/{identifier}/overrides`: the file's overrides, then the stored ones.
#[allow(clippy::result_large_err)]
async fn list_overrides(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
) -> Response {
    let (ctx, config, _) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let answer = (|| {
        let s = schedule(&ctx, &config, &id, &q)?;
        oncall_core::live_overrides::list(&config.document, &s).map_err(|e| refused(&ctx, &e))
    })();
    match answer {
        Ok(list) => data(&ctx, Value::Array(list)),
        Err(r) => r,
    }
}

/// `GET /v2/schedules/{identifier}/overrides/{alias}`.
#[allow(clippy::result_large_err)]
async fn get_override(
    State(app): State<Shared>,
    Path((id, alias)): Path<(String, String)>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
) -> Response {
    let (ctx, config, _) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let answer = (|| {
        let s = schedule(&ctx, &config, &id, &q)?;
        oncall_core::live_overrides::list(&config.document, &s).map_err(|e| refused(&ctx, &e))
    })();
    match answer {
        Ok(list) => match list.into_iter().find(|o| o["alias"] == alias.as_str()) {
            Some(o) => data(&ctx, o),
            None => fail(StatusCode::NOT_FOUND, &format!("No override exists with alias [{alias}]"), &ctx.request_id),
        },
        Err(r) => r,
    }
}

/// Reads an override body with the core (422 naming each field's path).
#[allow(clippy::result_large_err)]
fn read_body(ctx: &Ctx, body: &Bytes) -> Result<oncall_core::config::Override, Response> {
    let value: Value = serde_json::from_slice(body).map_err(|e| bad(ctx, "body", format!("not JSON: {e}")))?;
    oncall_core::live_overrides::read(value).map_err(|e| unprocessable(ctx, problems(&e)))
}

/// A fresh alias for an override created without one (as Opsgenie generates one).
fn fresh_alias() -> String {
    use sha2::{Digest, Sha256};
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let h = Sha256::digest(format!("override-{t}-{}-{n}", std::process::id()).as_bytes());
    let x: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &x[0..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

/// The answer to a stored change.
fn changed(ctx: &Ctx, status: StatusCode, r: Result<Change, crate::Error>, file_alias: bool) -> Response {
    match r {
        Ok(Change::Done(alias)) => envelope(ctx, status, &json!({"alias": alias}), &[]),
        Ok(Change::Refused(e)) => unprocessable(ctx, problems(&e)),
        Ok(Change::NotStored) if file_alias => bad(
            ctx,
            "alias",
            "this override comes from the configuration file; change it there (and reload with SIGHUP)",
        ),
        Ok(Change::NotStored) => fail(StatusCode::NOT_FOUND, "No such override", &ctx.request_id),
        Err(e) => internal(ctx, &e),
    }
}

/// Whether the configuration file itself has an override with this alias on this schedule.
fn in_file(app: &Shared, schedule: &str, alias: &str) -> bool {
    app.rt
        .configs
        .base()
        .document
        .schedules
        .iter()
        .any(|s| s.name == schedule && s.overrides.iter().any(|o| o.alias.as_deref() == Some(alias)))
}

/// `POST /v2/schedules/{identifier}/overrides`: 201 `{"data": {"alias"}}`.
async fn create_override(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, config, now) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let name = match schedule(&ctx, &config, &id, &q) {
        Ok(s) => s.name().to_string(),
        Err(r) => return r,
    };
    let mut o = match read_body(&ctx, &body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if o.alias.as_deref().is_none_or(|a| a.trim().is_empty()) {
        o.alias = Some(fresh_alias());
    }
    let configs = app.rt.configs.clone();
    let r = app.rt.store.call(move |c| overrides::put(c, &configs, &name, o, false, now)).await;
    changed(&ctx, StatusCode::CREATED, r, false)
}

/// `PUT /v2/schedules/{identifier}/overrides/{alias}`: replaces a stored override.
async fn update_override(
    State(app): State<Shared>,
    Path((id, alias)): Path<(String, String)>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, config, now) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let name = match schedule(&ctx, &config, &id, &q) {
        Ok(s) => s.name().to_string(),
        Err(r) => return r,
    };
    let mut o = match read_body(&ctx, &body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if o.alias.as_deref().is_some_and(|a| a != alias) {
        return bad(&ctx, "alias", format!("the path names the override {alias:?}; the body may not rename it"));
    }
    o.alias = Some(alias.clone());
    let file = in_file(&app, &name, &alias);
    let configs = app.rt.configs.clone();
    let r = app.rt.store.call(move |c| overrides::put(c, &configs, &name, o, true, now)).await;
    changed(&ctx, StatusCode::OK, r, file)
}

/// `DELETE /v2/schedules/{identifier}/overrides/{alias}`: 200 `{"result": "Deleted"}`.
async fn delete_override(
    State(app): State<Shared>,
    Path((id, alias)): Path<(String, String)>,
    Query(q): Query<ScheduleQuery>,
    headers: HeaderMap,
) -> Response {
    let (ctx, config, _) = match begin(&app, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let name = match schedule(&ctx, &config, &id, &q) {
        Ok(s) => s.name().to_string(),
        Err(r) => return r,
    };
    let file = in_file(&app, &name, &alias);
    let configs = app.rt.configs.clone();
    let a = alias.clone();
    let r = app.rt.store.call(move |c| overrides::delete(c, &configs, &name, &a)).await;
    match r {
        Ok(Change::Done(_)) => {
            (StatusCode::OK, axum::Json(json!({"result": "Deleted", "took": ctx.took(), "requestId": ctx.request_id})))
                .into_response()
        }
        other => changed(&ctx, StatusCode::OK, other, file),
    }
}
