//! Storage: one SQLite file behind [`Store`], with versioned migrations.
//!
//! **Durability, with group commit.** The file is in WAL mode, and every call that wrote
//! ([`Store::with`]: SQLite counted a change) returns only after the WAL holding its commit was
//! fsynced (`fdatasync`): the service replies only then, so what it accepted survives a process
//! kill and a power cut. The fsync is shared: the connection is released at `COMMIT`
//! (`synchronous=NORMAL`, which does not fsync there), and the calls that committed while one
//! fsync ran wait for the next, one fsync for all of them. That is `synchronous=FULL`'s
//! guarantee (the WAL fsynced before the caller goes on) without one fsync per commit under the
//! lock, which capped creates at the disk's fsyncs per second. SQLite itself still fsyncs the
//! WAL before and the database after each checkpoint (`NORMAL`'s rule), so the frames a
//! checkpoint moves are on disk in both files. Schema changes happen only in [`MIGRATIONS`],
//! which [`Store::open`] syncs (with the directory, for the new `-wal` file).
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
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

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
    sync: Arc<WalSync>,
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
        // The WAL is fsynced after the commit, outside the lock, shared by concurrent commits
        // (the module's doc): every call that wrote returns only after it.
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        migrate(&mut conn).map_err(|e| match e {
            Error::Sql(source) => db(source),
            e => e,
        })?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let sync = WalSync { wal: PathBuf::from(wal), state: Mutex::new(SyncState::default()), done: Condvar::new() };
        sync.fsync()?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::Internal(format!("fsync of {}: {e}", dir.display())))?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)), sync: Arc::new(sync) })
    }

    /// The schema version of the file.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.with(|c| version(c).map_err(Error::Sql))
    }

    /// Runs `f` on the connection, on this thread. If `f` wrote (SQLite counted a change), this
    /// returns only once the WAL with its commit is fsynced; the fsync is shared with the calls
    /// that committed meanwhile (group commit).
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Error>) -> Result<T, Error> {
        let (result, ticket) = {
            let mut guard = self.conn.lock().map_err(|_| Error::Internal("the database lock is poisoned".into()))?;
            let before = guard.total_changes();
            let result = f(&mut guard);
            let ticket = (guard.total_changes() != before).then(|| self.sync.wrote());
            (result, ticket)
        };
        if let Some(ticket) = ticket {
            self.sync.wait(ticket?)?;
        }
        result
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

/// Group commit of the WAL's fsync: writes are numbered in commit order ([`WalSync::wrote`],
/// under the connection's lock); a caller waits until an fsync that started after its write
/// finished ([`WalSync::wait`]). One caller at a time runs the fsync; those that wrote
/// meanwhile are covered by the next.
struct WalSync {
    wal: PathBuf,
    state: Mutex<SyncState>,
    done: Condvar,
}

#[derive(Default)]
struct SyncState {
    /// Writes committed so far.
    written: u64,
    /// Writes known to be on disk.
    synced: u64,
    /// Whether an fsync is running.
    syncing: bool,
    /// Fsyncs run (after the one at open).
    fsyncs: u64,
}

impl WalSync {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, SyncState>, Error> {
        self.state.lock().map_err(|_| Error::Internal("the WAL sync lock is poisoned".into()))
    }

    /// Numbers a committed write.
    fn wrote(&self) -> Result<u64, Error> {
        let mut st = self.lock()?;
        st.written += 1;
        Ok(st.written)
    }

    /// Returns once write `ticket` is on disk, running the fsync if none is running.
    fn wait(&self, ticket: u64) -> Result<(), Error> {
        let mut st = self.lock()?;
        loop {
            if st.synced >= ticket {
                return Ok(());
            }
            if st.syncing {
                st = self.done.wait(st).map_err(|_| Error::Internal("the WAL sync lock is poisoned".into()))?;
                continue;
            }
            st.syncing = true;
            let target = st.written;
            drop(st);
            let result = self.fsync();
            st = self.lock()?;
            st.syncing = false;
            st.fsyncs += 1;
            if result.is_ok() {
                st.synced = st.synced.max(target);
            }
            self.done.notify_all();
            result?;
        }
    }

    /// `fdatasync` of the WAL file. No WAL file: a checkpoint moved everything into the
    /// database (SQLite fsynced it) and removed the WAL.
    fn fsync(&self) -> Result<(), Error> {
        match std::fs::File::open(&self.wal) {
            Ok(f) => f.sync_data(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
        .map_err(|e| Error::Internal(format!("fsync of {}: {e}", self.wal.display())))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(store: &Store) -> (u64, u64, u64) {
        let st = store.sync.lock().unwrap();
        (st.written, st.synced, st.fsyncs)
    }

    #[test]
    fn a_write_returns_after_its_fsync_and_concurrent_writes_share_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("oncall.db")).unwrap();
        store.with(|c| Ok(c.execute_batch("CREATE TABLE t (n BIGINT)")?)).unwrap();
        // DDL is no counted change: no fsync (schema changes belong in MIGRATIONS).
        assert_eq!(counts(&store), (0, 0, 0));
        // A read: no fsync.
        store.with(|c| Ok(c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0))?)).unwrap();
        assert_eq!(counts(&store), (0, 0, 0));
        store.with(|c| Ok(c.execute("INSERT INTO t (n) VALUES (0)", [])?)).unwrap();
        assert_eq!(counts(&store), (1, 1, 1));
        let threads: Vec<_> = (0..8)
            .map(|k| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        store.with(|c| Ok(c.execute("INSERT INTO t (n) VALUES (?1)", [k * 100 + i])?)).unwrap();
                        // Returned: this write is on disk.
                        let st = store.sync.lock().unwrap();
                        assert!(st.synced >= 1 && st.synced <= st.written);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let (written, synced, fsyncs) = counts(&store);
        assert_eq!((written, synced), (401, 401));
        assert!(fsyncs <= written, "{fsyncs} fsyncs for {written} writes");
        let n = store.with(|c| Ok(c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get::<_, i64>(0))?)).unwrap();
        assert_eq!(n, 401);
    }
}
