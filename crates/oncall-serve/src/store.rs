//! Storage: one SQLite file behind [`Store`], with versioned migrations.
//!
//! **Durability.** The file is opened in WAL mode with `synchronous=FULL`: every commit is on
//! disk (the WAL is fsynced) before `COMMIT` returns, and the service replies only after its
//! commit returned. (`NORMAL` with WAL can lose the last commits on a power cut — not on a
//! process kill — so FULL keeps "committed before the reply" true for both.)
//!
//! **One writer.** The connection sits behind a mutex and every call runs on a blocking thread
//! ([`Store::call`]), so writes are serialized and the async runtime never waits on the disk.
//!
//! **Portable SQL.** The statements use types and clauses PostgreSQL accepts too (`BIGINT`,
//! `TEXT`, `INSERT … ON CONFLICT (…) DO NOTHING`, no `INSERT OR …`, no `AUTOINCREMENT`): the
//! migrations below are meant to run on both engines (issue 13); only the placeholders (`?1`
//! against `$1`) differ.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let store = oncall_serve::store::Store::open(&dir.path().join("oncall.db"))?;
//! assert_eq!(store.schema_version()?, oncall_serve::store::MIGRATIONS.len() as i64);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Error;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The migrations, in order: version k + 1 is `MIGRATIONS[k]`. Never edit one that shipped; add
/// the next.
pub const MIGRATIONS: &[&str] = &[
    // 1: alerts, their events, the log, asynchronous requests and notifications.
    "CREATE TABLE alerts (
        seq BIGINT PRIMARY KEY,
        alias TEXT NOT NULL,
        is_open INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        payload TEXT NOT NULL,
        integration TEXT,
        owner_team TEXT,
        state TEXT NOT NULL,
        event_count BIGINT NOT NULL,
        last_event_at BIGINT NOT NULL,
        materialized_until BIGINT NOT NULL,
        next_due BIGINT
    );
    CREATE INDEX alerts_alias ON alerts (alias, is_open);
    CREATE INDEX alerts_next_due ON alerts (next_due);
    CREATE TABLE alert_events (
        alert_seq BIGINT NOT NULL,
        n BIGINT NOT NULL,
        at BIGINT NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (alert_seq, n)
    );
    CREATE TABLE alert_log (
        alert_seq BIGINT NOT NULL,
        n BIGINT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (alert_seq, n)
    );
    CREATE TABLE requests (
        request_id TEXT PRIMARY KEY,
        action TEXT NOT NULL,
        alert_seq BIGINT,
        alias TEXT,
        success INTEGER NOT NULL,
        status TEXT NOT NULL,
        processed_at BIGINT NOT NULL,
        integration TEXT
    );
    CREATE TABLE notifications (
        idempotency_key TEXT PRIMARY KEY,
        alert_seq BIGINT NOT NULL,
        due_at BIGINT NOT NULL,
        method TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts BIGINT NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        delivered_at BIGINT,
        late INTEGER NOT NULL
    );
    CREATE INDEX notifications_due ON notifications (state, next_attempt_at);",
    // 2: the columns lists and counts test and sort by (kept with each event, so a list is a
    // query), the alerts' tags, overrides added through the Schedule API, and an index for
    // pruning request statuses. Existing alerts get their columns at their first refresh
    // (`stable_until = 0`: stale).
    "ALTER TABLE alerts ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE alerts ADD COLUMN snoozed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE alerts ADD COLUMN occurrences BIGINT NOT NULL DEFAULT 1;
    ALTER TABLE alerts ADD COLUMN last_occurred_at BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE alerts ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE alerts ADD COLUMN priority TEXT NOT NULL DEFAULT 'P3';
    ALTER TABLE alerts ADD COLUMN message TEXT NOT NULL DEFAULT '';
    ALTER TABLE alerts ADD COLUMN message_lower TEXT NOT NULL DEFAULT '';
    ALTER TABLE alerts ADD COLUMN source TEXT;
    ALTER TABLE alerts ADD COLUMN entity TEXT;
    ALTER TABLE alerts ADD COLUMN stable_until BIGINT;
    UPDATE alerts SET stable_until = 0;
    CREATE INDEX alerts_stable_until ON alerts (stable_until);
    CREATE INDEX alerts_created_at ON alerts (created_at);
    CREATE TABLE alert_tags (
        alert_seq BIGINT NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (alert_seq, tag)
    );
    CREATE INDEX alert_tags_tag ON alert_tags (tag);
    CREATE TABLE schedule_overrides (
        schedule TEXT NOT NULL,
        alias TEXT NOT NULL,
        n BIGINT NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (schedule, alias)
    );
    CREATE INDEX requests_processed_at ON requests (processed_at);",
];

/// The database: one connection, used by one thread at a time.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (creating it if needed) the SQLite file at `path` and brings its schema up to
    /// date. A file written by a newer version (a schema version this one does not know) is
    /// refused.
    pub fn open(path: &Path) -> Result<Store, Error> {
        let db = |source| Error::Database { path: path.display().to_string(), source };
        let mut conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        migrate(&mut conn).map_err(|e| match e {
            Error::Sql(source) => db(source),
            e => e,
        })?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    /// The schema version of the file.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.with(|c| version(c).map_err(Error::Sql))
    }

    /// Runs `f` on the connection, on this thread.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Error>) -> Result<T, Error> {
        let mut guard = self.conn.lock().map_err(|_| Error::Internal("the database lock is poisoned".into()))?;
        f(&mut guard)
    }

    /// Runs `f` on the connection on a blocking thread (the async runtime does not wait on the
    /// disk).
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.with(f))
            .await
            .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
    }
}

fn version(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
}

fn migrate(conn: &mut Connection) -> Result<(), Error> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )?;
    let have = version(conn)?;
    let known = MIGRATIONS.len() as i64;
    if have > known {
        return Err(Error::SchemaTooNew { found: have, known });
    }
    for (k, sql) in MIGRATIONS.iter().enumerate().skip(have as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        let now = chrono::Utc::now().timestamp();
        tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", params![k as i64 + 1, now])?;
        tx.commit()?;
    }
    Ok(())
}

/// The next value of a per-alert counter column (`n` of `alert_events` or `alert_log`).
pub(crate) fn next_n(c: &Connection, table: &str, seq: i64) -> rusqlite::Result<i64> {
    let sql = format!("SELECT COALESCE(MAX(n), 0) + 1 FROM {table} WHERE alert_seq = ?1");
    c.query_row(&sql, params![seq], |r| r.get(0))
}

/// Appends a line to an alert's log.
pub(crate) fn log(c: &Connection, seq: i64, at: i64, kind: &str, message: &str) -> rusqlite::Result<()> {
    let n = next_n(c, "alert_log", seq)?;
    c.execute(
        "INSERT INTO alert_log (alert_seq, n, at, kind, message) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![seq, n, at, kind, message],
    )?;
    Ok(())
}

/// One optional row.
pub(crate) fn opt<T>(r: rusqlite::Result<T>) -> rusqlite::Result<Option<T>> {
    r.optional()
}
