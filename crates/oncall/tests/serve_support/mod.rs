//! What the `oncall serve` end-to-end tests (`serve.rs`, `serve_schedules.rs`,
//! `serve_clients.rs`) share: the database a test's service runs on ([`Db`]: a SQLite file, or
//! a fresh database on the private PostgreSQL of `scripts/with-postgres`), [`on_both!`] to run
//! a test body on each engine, and [`spawn_http`] for the receivers the tests stand up.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};

/// A fresh, empty directory for one test, `serve-{file}-{name}-{pid}` under Cargo's temporary
/// directory for integration tests (what an earlier run left there is removed first).
pub fn tmp_dir(file: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{file}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A port on 127.0.0.1 that was free a moment ago (the OS's choice for port 0).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[path = "../../../oncall-serve/tests/support/pg.rs"]
pub mod pg;

/// The database a test's service runs on.
#[derive(Debug, Clone)]
pub enum Db {
    /// `oncall.db` in the test's directory.
    Sqlite,
    /// A fresh PostgreSQL database (its URL).
    Postgres(String),
}

impl Db {
    pub fn tag(&self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite",
            Db::Postgres(_) => "pg",
        }
    }

    /// The `--db` argument.
    pub fn arg(&self, dir: &Path) -> String {
        match self {
            Db::Sqlite => dir.join("oncall.db").display().to_string(),
            Db::Postgres(url) => url.clone(),
        }
    }

    /// The rows of a query whose columns are all text (`CAST(x AS TEXT)` for the others), read
    /// straight from the database.
    pub fn rows(&self, dir: &Path, sql: &str) -> Vec<Vec<String>> {
        match self {
            Db::Sqlite => {
                let c = rusqlite::Connection::open(dir.join("oncall.db")).unwrap();
                let mut stmt = c.prepare(sql).unwrap();
                let n = stmt.column_count();
                stmt.query_map([], |r| (0..n).map(|i| r.get::<_, String>(i)).collect::<Result<Vec<_>, _>>())
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            Db::Postgres(url) => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.query(sql, &[])
                    .unwrap()
                    .iter()
                    .map(|r| (0..r.len()).map(|i| r.get::<_, String>(i)).collect())
                    .collect()
            }
        }
    }

    /// The one number a `SELECT CAST(COUNT(*) AS TEXT) …` query answers.
    pub fn count(&self, dir: &Path, sql: &str) -> usize {
        self.rows(dir, sql)[0][0].parse().unwrap()
    }
}

/// `on_both!(NAME)`: `mod NAME { fn sqlite(); fn postgres(); }`, the test body `NAME(db)` on
/// each engine (the function `NAME(Db)` in the test file's root). The PostgreSQL run is skipped
/// without `scripts/with-postgres`, and fails then under `ONCALL_REQUIRE_POSTGRES=1`.
#[allow(unused_macros)]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::serve_support::Db::Sqlite);
            }
            #[test]
            fn postgres() {
                if let Some(url) =
                    $crate::serve_support::pg::fresh_database(concat!(env!("CARGO_CRATE_NAME"), "_", stringify!($name)))
                {
                    super::$name($crate::serve_support::Db::Postgres(url));
                }
            }
        }
    };
}

/// Serves `app` on a free port of 127.0.0.1 from a thread of its own (for the life of the
/// test process); its URL with `path` appended.
pub fn spawn_http(app: axum::Router, path: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    url
}
