//! Fetching an Opsgenie account's configuration over its REST API, for
//! `oncall import opsgenie --api-url …`.
//!
//! [`Client::fetch_account`] reads every response the importer needs and returns them keyed by
//! their API path below `/v2/` — the same keys [`oncall_core`'s importer] reads from a folder
//! of saved responses, so a live import and a folder import build the same document:
//!
//! - `GET /v2/users` (every page: `users`, `users.2`, …), and per user
//!   `…/notification-rules` and each rule in full (`…/notification-rules/{id}`);
//! - `GET /v2/teams`, each team in full (`teams/{id}`, with its members) and its
//!   `routing-rules`;
//! - `GET /v2/schedules?expand=rotation` and each schedule's `overrides`;
//! - `GET /v2/escalations`, `GET /v2/forwarding-rules`;
//! - `GET /v2/heartbeats`, `/v2/integrations` and `/v2/maintenance`, only to name what is not
//!   carried over (a refusal of these, e.g. for a key without the right, is not an error).
//!
//! Rules: the key is sent as `Authorization: GenieKey …` and only ever to the configured host
//! (a paging link to another host is followed by its path and query on the configured host);
//! a `429 Too Many Requests`, `502`, `503` or `504` is retried up to [`Client::retries`] times,
//! waiting `Retry-After` seconds when the server says so (at most a minute) and otherwise an
//! exponential backoff from [`Client::backoff`]; any other status is an error naming the path.
//!
//! [`oncall_core`'s importer]: https://docs.rs/oncall-core (module `opsgenie::import`)

use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Opsgenie's API host for accounts in the US region.
pub const US: &str = "https://api.opsgenie.com";
/// Opsgenie's API host for accounts in the EU region.
pub const EU: &str = "https://api.eu.opsgenie.com";

/// Everything that can go wrong while fetching.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error("GET {path}: HTTP {status}: {body}")]
    Status {
        /// The path and query asked for.
        path: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body (Opsgenie's error message).
        body: String,
    },
    /// The request could not be made or the body not read.
    #[error("GET {path}: {message}")]
    Transport {
        /// The path and query asked for.
        path: String,
        /// What failed.
        message: String,
    },
    /// The body was not JSON.
    #[error("GET {path}: the response is not JSON: {message}")]
    Json {
        /// The path and query asked for.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// The API URL cannot be used.
    #[error("--api-url {url:?}: {message}")]
    Url {
        /// The URL given.
        url: String,
        /// Why it was refused.
        message: String,
    },
}

/// A blocking Opsgenie API client.
///
/// ```no_run
/// let key = std::env::var("OPSGENIE_API_KEY")?;
/// let client = oncall_import::Client::new(&oncall_import::api_base("eu")?, &key);
/// let responses = client.fetch_account(&mut |path| eprintln!("GET {path}"))?;
/// let imported = oncall_core::opsgenie::import::build(&responses)?;
/// println!("{}", serde_json::to_string_pretty(&imported.document)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Client {
    base: String,
    key: String,
    agent: ureq::Agent,
    /// How many times a throttled or unavailable request is retried (default 5).
    pub retries: u32,
    /// The first wait of the exponential backoff when the server gives no `Retry-After`
    /// (default 1 s; doubled at each retry).
    pub backoff: Duration,
}

/// Resolves `--api-url`: `us` and `eu` name Opsgenie's two hosts; anything else must be an
/// `https://` URL, or an `http://` one on this machine (`127.0.0.1`, `localhost`, `[::1]`: the
/// key is never sent in clear over a network). A trailing `/` and a trailing `/v2` are dropped.
///
/// ```
/// assert_eq!(oncall_import::api_base("eu").unwrap(), "https://api.eu.opsgenie.com");
/// assert_eq!(oncall_import::api_base("http://127.0.0.1:8080/v2/").unwrap(), "http://127.0.0.1:8080");
/// assert!(oncall_import::api_base("api.opsgenie.com").is_err());
/// assert!(oncall_import::api_base("http://api.opsgenie.com").is_err());
/// ```
pub fn api_base(url: &str) -> Result<String, Error> {
    let url = url.trim();
    match url.to_ascii_lowercase().as_str() {
        "us" => return Ok(US.to_string()),
        "eu" => return Ok(EU.to_string()),
        _ => {}
    }
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| url.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    if !(url.starts_with("https://") || local) {
        return Err(Error::Url {
            url: url.to_string(),
            message: "expected us, eu, or a URL starting with https:// (http:// only on 127.0.0.1 or localhost)".into(),
        });
    }
    let base = url.trim_end_matches('/');
    Ok(base.strip_suffix("/v2").unwrap_or(base).to_string())
}

impl Client {
    /// A client for the API at `base` (see [`api_base`]) with the API key `key`.
    pub fn new(base: &str, key: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .max_redirects(0)
            .build()
            .into();
        Client {
            base: base.trim_end_matches('/').to_string(),
            key: key.to_string(),
            agent,
            retries: 5,
            backoff: Duration::from_secs(1),
        }
    }

    /// GETs `path_and_query` (below the host, e.g. `/v2/users?limit=100`) and reads its JSON,
    /// retrying throttled and unavailable requests.
    pub fn get(&self, path_and_query: &str) -> Result<Value, Error> {
        let url = format!("{}{}", self.base, path_and_query);
        let mut wait = self.backoff;
        let mut attempt = 0;
        loop {
            let transport =
                |e: ureq::Error| Error::Transport { path: path_and_query.to_string(), message: e.to_string() };
            let mut response = self
                .agent
                .get(&url)
                .header("Authorization", &format!("GenieKey {}", self.key))
                .header("Accept", "application/json")
                .call()
                .map_err(transport)?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(60)));
            let body = response.body_mut().read_to_string().map_err(transport)?;
            if matches!(status, 429 | 502 | 503 | 504) && attempt < self.retries {
                attempt += 1;
                std::thread::sleep(retry_after.unwrap_or(wait));
                wait = wait.saturating_mul(2);
                continue;
            }
            if !(200..300).contains(&status) {
                let body: String = body.chars().take(300).collect();
                return Err(Error::Status { path: path_and_query.to_string(), status, body });
            }
            return serde_json::from_str(&body)
                .map_err(|e| Error::Json { path: path_and_query.to_string(), message: e.to_string() });
        }
    }

    /// The path and query of a paging link, on the configured host.
    fn next_page(&self, body: &Value) -> Option<String> {
        let next = body.get("paging")?.get("next")?.as_str()?;
        let rest = next.strip_prefix(&self.base).map(str::to_string).or_else(|| {
            let after_scheme = next.split_once("://")?.1;
            after_scheme.find('/').map(|i| after_scheme[i..].to_string())
        })?;
        rest.starts_with('/').then_some(rest)
    }

    /// Every page of a list: keys `name`, `name.2`, …
    fn pages(&self, name: &str, first: &str, out: &mut BTreeMap<String, Value>) -> Result<(), Error> {
        let mut path = first.to_string();
        let mut seen = Vec::new();
        for page in 1.. {
            let body = self.get(&path)?;
            let next = self.next_page(&body).filter(|n| !seen.contains(n) && *n != path);
            let key = if page == 1 { name.to_string() } else { format!("{name}.{page}") };
            out.insert(key, body);
            match next {
                Some(n) => {
                    seen.push(path);
                    path = n;
                }
                None => break,
            }
        }
        Ok(())
    }

    /// Fetches what `oncall import opsgenie` reads (see the crate documentation). `progress`
    /// is told each path before it is fetched.
    pub fn fetch_account(&self, progress: &mut dyn FnMut(&str)) -> Result<BTreeMap<String, Value>, Error> {
        let mut out = BTreeMap::new();
        progress("/v2/users");
        self.pages("users", "/v2/users?limit=100", &mut out)?;
        let mut get = |key: &str, path: &str, out: &mut BTreeMap<String, Value>| -> Result<(), Error> {
            progress(path);
            let body = self.get(path)?;
            out.insert(key.to_string(), body);
            Ok(())
        };
        let users = ids(&out, "users");
        for id in &users {
            let key = format!("users/{id}/notification-rules");
            get(&key, &format!("/v2/users/{}/notification-rules", enc(id)), &mut out)?;
            for rule in ids(&out, &key) {
                get(
                    &format!("{key}/{rule}"),
                    &format!("/v2/users/{}/notification-rules/{}", enc(id), enc(&rule)),
                    &mut out,
                )?;
            }
        }
        get("teams", "/v2/teams", &mut out)?;
        for id in ids(&out, "teams") {
            get(&format!("teams/{id}"), &format!("/v2/teams/{}", enc(&id)), &mut out)?;
            get(&format!("teams/{id}/routing-rules"), &format!("/v2/teams/{}/routing-rules", enc(&id)), &mut out)?;
        }
        get("schedules", "/v2/schedules?expand=rotation", &mut out)?;
        for id in ids(&out, "schedules") {
            get(&format!("schedules/{id}/overrides"), &format!("/v2/schedules/{}/overrides", enc(&id)), &mut out)?;
        }
        get("escalations", "/v2/escalations", &mut out)?;
        get("forwarding-rules", "/v2/forwarding-rules", &mut out)?;
        for name in ["heartbeats", "integrations", "maintenance"] {
            match get(name, &format!("/v2/{name}"), &mut out) {
                Ok(()) => {}
                Err(Error::Status { status, .. }) => {
                    out.insert(
                        name.to_string(),
                        serde_json::json!({"data": [], "message": format!("not listed: HTTP {status}")}),
                    );
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

/// The ids of the objects of the response under `key` (users' pages included).
fn ids(out: &BTreeMap<String, Value>, key: &str) -> Vec<String> {
    out.iter()
        .filter(|(k, _)| {
            *k == key || k.strip_prefix(key).and_then(|r| r.strip_prefix('.')).is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .flat_map(|(_, v)| v.get("data").and_then(Value::as_array).cloned().unwrap_or_default())
        .filter_map(|o| o.get("id").and_then(Value::as_str).map(String::from))
        .filter(|id| !id.is_empty())
        .collect()
}

/// Percent-encodes an id for a path segment (Opsgenie's ids are UUIDs; anything else is kept
/// exact).
fn enc(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
