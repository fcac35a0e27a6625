//! Paths with one trailing slash are served as without it: `POST /v2/alerts/` is
//! `POST /v2/alerts`, `POST /v2/alerts/{id}/close/?identifierType=id` is
//! `POST /v2/alerts/{id}/close?identifierType=id`.
//!
//! Opsgenie answers both, and the official Node SDK (`opsgenie-sdk` on npm) sends every
//! alert path with the slash (its paths are `'/v2/alerts/' + …` and `'/close/'`); the router
//! matches paths exactly, so the slash is taken off before routing ([`service`]). The root
//! `/` stays as it is.
//!
//! ```
//! use axum::http::Uri;
//! let strip = |u: &str| oncall_serve::trailing_slash::strip(&u.parse::<Uri>().unwrap()).map(|u| u.to_string());
//! assert_eq!(strip("/v2/alerts/").as_deref(), Some("/v2/alerts"));
//! assert_eq!(strip("/v2/alerts/a-1/close/?identifierType=id").as_deref(), Some("/v2/alerts/a-1/close?identifierType=id"));
//! assert_eq!(strip("/v2/alerts"), None);
//! assert_eq!(strip("/"), None);
//! ```

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use axum::routing::IntoMakeService;
use tower::util::MapRequest;

/// The URI without its path's one trailing slash, if it has one (and is not `/`).
pub fn strip(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    let trimmed = path.strip_suffix('/').filter(|p| !p.is_empty() && !p.ends_with('/'))?;
    let rest = uri.query().map(|q| format!("{trimmed}?{q}")).unwrap_or_else(|| trimmed.to_string());
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(rest.parse().ok()?);
    Uri::from_parts(parts).ok()
}

fn without_trailing_slash(mut req: Request) -> Request {
    if let Some(uri) = strip(req.uri()) {
        *req.uri_mut() = uri;
    }
    req
}

/// The router behind the rewrite.
pub type Service = IntoMakeService<MapRequest<Router, fn(Request) -> Request>>;

/// `router` behind the rewrite, ready for `axum::serve`.
pub fn service(router: Router) -> Service {
    let f: fn(Request) -> Request = without_trailing_slash;
    axum::ServiceExt::<Request>::into_make_service(MapRequest::new(router, f))
}
