//! Storage behind [`Store`]: one interface, two engines, the same versioned migrations.
//!
//! - **SQLite** (the default, `--db FILE`): one file, one process.
//! - **PostgreSQL** (`--db postgres://…` or `postgresql://…`): one database shared by any number
//!   of replicas of the service (docs/deploy.md).
//!
//! Every module above this one talks to a [`Conn`] only: `execute`, `query` and `transaction`
//! with SQL written once, in the SQL both engines accept (`BIGINT`, `TEXT`,
//! `INSERT … ON CONFLICT (…) DO NOTHING`, `UPDATE … RETURNING`, no `INSERT OR …`, no
//! `AUTOINCREMENT`), placeholders `?1`, `?2`, … (rewritten to `$1`, `$2`, … for PostgreSQL), and
//! values of three kinds ([`Val`]: integer, text, null). Where the engines differ, the caller
//! asks [`Conn::engine`] (only `FOR UPDATE SKIP LOCKED`, which SQLite lacks). The migrations'
//! `INTEGER` columns are created as `BIGINT` on PostgreSQL (the same column to SQLite).
//!
//! **Durability, SQLite, with group commit.** The file is in WAL mode, and every call that wrote
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
//! **Durability, PostgreSQL.** A call returns after PostgreSQL's `COMMIT` (with the server's
//! `synchronous_commit`, on by default: the commit is in its WAL on disk).
//!
//! **Writers.** SQLite: the connection sits behind a mutex, so writes are serialized. PostgreSQL:
//! a pool of [`PG_POOL`] connections per process, and transaction-scoped advisory locks (held
//! until `COMMIT` or `ROLLBACK`):
//! - every transaction but a create's ([`Conn::transaction`]: actions, the runtime's, overrides,
//!   migrations) takes [`WRITE_LOCK`] exclusively, so it runs alone among the writers of all
//!   replicas, as on SQLite;
//! - a create ([`Conn::create_transaction`]) takes [`WRITE_LOCK`] *shared*, then, if the alert
//!   has an alias, the exclusive lock of that alias ([`alias_lock`]): creates of different aliases
//!   (or without one) run in parallel, creates of one alias one at a time, each seeing the
//!   previous one's commit (READ COMMITTED reads the latest commit per statement), so
//!   de-duplication by alias holds across replicas. A create touches only its new alert or the
//!   open alert of its alias (whose per-alert counters no other create can touch then); its
//!   number comes from the sequence `alert_numbers` ([`next_alert_seq`], non-blocking; a
//!   rolled-back create leaves a gap in the tiny ids).
//!
//! Statements outside a transaction (reads, the delivery leases' claim with
//! `FOR UPDATE SKIP LOCKED`) take no advisory lock and run concurrently. Every call runs on a blocking thread ([`Store::call`]), so the async runtime
//! never waits on the database (and the synchronous `postgres` client never runs on a runtime
//! thread).
//!
//! **The database unreachable.** A call that cannot get a connection (PostgreSQL down, refused,
//! or a connection lost mid-call) fails with [`Error::Unavailable`] (the API answers 503); a lost
//! connection is dropped and the next call opens a new one, so the service recovers by itself
//! when the server is back. A transaction cut off before its `COMMIT` was rolled back by the
//! server: nothing half-written stays.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let store = oncall_serve::store::Store::open(&dir.path().join("oncall.db"))?;
//! assert_eq!(store.schema_version()?, oncall_serve::store::MIGRATIONS.len() as i64);
//! assert_eq!(store.engine(), oncall_serve::store::Engine::Sqlite);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Error;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

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
    // 3: several replicas on one PostgreSQL database: delivery leases (a replica claims due rows
    // for a while before sending them, runtime.rs), and a version of the stored overrides that
    // every change of them counts up (each replica reloads them when it moved).
    "ALTER TABLE notifications ADD COLUMN lease_owner TEXT;
    ALTER TABLE notifications ADD COLUMN lease_until BIGINT;
    CREATE TABLE config_versions (id BIGINT PRIMARY KEY, overrides BIGINT NOT NULL);
    INSERT INTO config_versions (id, overrides) VALUES (1, 0);",
    // 4: PostgreSQL only (nothing on SQLite, whose creates are serialized and numbered by
    // MAX(seq) + 1): the alert numbers of creates that run in parallel, from where they are.
    "-- postgresql only
    CREATE SEQUENCE alert_numbers AS BIGINT MINVALUE 1;
    SELECT setval('alert_numbers', (SELECT COALESCE(MAX(seq), 0) + 1 FROM alerts), false);",
];

/// The first line of a migration that runs on PostgreSQL only ([`migration_sql`]): on SQLite
/// its version is recorded with nothing to do, so versions mean the same on both engines.
pub const POSTGRES_ONLY: &str = "-- postgresql only";

/// Connections per process to PostgreSQL at most.
pub const PG_POOL: usize = 8;
/// The advisory lock key every PostgreSQL transaction takes first (`pg_advisory_xact_lock`),
/// exclusively, except a create's, which takes it shared (the module's doc): `oncall` in ASCII.
pub const WRITE_LOCK: i64 = 0x6f6e_6361_6c6c;
/// The first key of the two-key advisory locks of aliases ([`alias_lock`]; the two-key locks are
/// a key space of their own, apart from [`WRITE_LOCK`]'s): `oncl` in ASCII.
pub const ALIAS_LOCK_CLASS: i32 = 0x6f6e_636c;

/// The second key of the advisory lock a create of an alert with this alias takes: the first 4
/// bytes of the alias's SHA-256. Two aliases with one key only wait for each other.
///
/// ```
/// use oncall_serve::store::alias_lock;
/// assert_eq!(alias_lock("db-down"), alias_lock("db-down"));
/// assert_ne!(alias_lock("db-down"), alias_lock("db-up"));
/// ```
pub fn alias_lock(alias: &str) -> i32 {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(alias.as_bytes());
    i32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

/// The number of a new alert, in a create's transaction ([`Conn::create_transaction`]): on
/// SQLite, whose writes are serialized, one more than the highest; on PostgreSQL the next
/// value of the sequence `alert_numbers`, which never waits on another transaction.
pub fn next_alert_seq(c: &Conn) -> Result<i64, Error> {
    match c.engine() {
        Engine::Sqlite => c.value("SELECT COALESCE(MAX(seq), 0) + 1 FROM alerts", &[]),
        Engine::Postgres => c.value("SELECT nextval('alert_numbers')", &[]),
    }
}
/// How long a call waits for a connection (all in use, or PostgreSQL not answering a connect).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// A PostgreSQL connection unused for this long is checked before it is used again.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// Whether `--db` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather than
/// a SQLite file.
///
/// ```
/// assert!(oncall_serve::store::is_postgres("postgresql://oncall@db.internal/oncall"));
/// assert!(!oncall_serve::store::is_postgres("/var/lib/oncall/oncall.db"));
/// ```
pub fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// A `--db` value fit for a log line: a URL's password is replaced by `***`.
///
/// ```
/// assert_eq!(oncall_serve::store::display_db("postgres://u:secret@h:5432/d"), "postgres://u:***@h:5432/d");
/// assert_eq!(oncall_serve::store::display_db("oncall.db"), "oncall.db");
/// ```
pub fn display_db(db: &str) -> String {
    if !is_postgres(db) {
        return db.to_string();
    }
    let (scheme, rest) = db.split_once("://").unwrap_or(("", db));
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split_once(':').map(|(u, _)| u).unwrap_or(user);
            format!("{scheme}://{name}:***@{host}")
        }
        _ => db.to_string(),
    }
}

/// A value bound to a placeholder or read from a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    /// NULL.
    Null,
    /// An integer (SQLite INTEGER, PostgreSQL BIGINT; booleans are 0 and 1).
    Int(i64),
    /// Text.
    Text(String),
}

/// What binds as a [`Val`].
pub trait ToVal {
    /// The value.
    fn to_val(&self) -> Val;
}

impl ToVal for i64 {
    fn to_val(&self) -> Val {
        Val::Int(*self)
    }
}
impl ToVal for str {
    fn to_val(&self) -> Val {
        Val::Text(self.to_string())
    }
}
impl ToVal for String {
    fn to_val(&self) -> Val {
        Val::Text(self.clone())
    }
}
impl ToVal for Val {
    fn to_val(&self) -> Val {
        self.clone()
    }
}
impl<T: ToVal + ?Sized> ToVal for &T {
    fn to_val(&self) -> Val {
        (**self).to_val()
    }
}
impl<T: ToVal> ToVal for Option<T> {
    fn to_val(&self) -> Val {
        self.as_ref().map_or(Val::Null, ToVal::to_val)
    }
}

/// The values of placeholders `?1`, `?2`, …: `params![a, b]` is `&[a.to_val(), b.to_val()]`.
#[macro_export]
macro_rules! params {
    ($($x:expr),* $(,)?) => { &[$($crate::store::ToVal::to_val(&$x)),*][..] };
}
pub use params;

/// What reads from a [`Val`].
pub trait FromVal: Sized {
    /// The value, or `None` when the column holds another kind.
    fn from_val(v: &Val) -> Option<Self>;
}

impl FromVal for i64 {
    fn from_val(v: &Val) -> Option<i64> {
        match v {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }
}
impl FromVal for String {
    fn from_val(v: &Val) -> Option<String> {
        match v {
            Val::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}
impl FromVal for bool {
    fn from_val(v: &Val) -> Option<bool> {
        i64::from_val(v).map(|i| i != 0)
    }
}
impl<T: FromVal> FromVal for Option<T> {
    fn from_val(v: &Val) -> Option<Option<T>> {
        match v {
            Val::Null => Some(None),
            v => T::from_val(v).map(Some),
        }
    }
}

/// One row of a result.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    /// Column `i` (from 0) as a `T`; a column of another kind (or none) is [`Error::Corrupt`].
    pub fn get<T: FromVal>(&self, i: usize) -> Result<T, Error> {
        let v = self.0.get(i).ok_or_else(|| Error::Corrupt(format!("no column {i}")))?;
        T::from_val(v)
            .ok_or_else(|| Error::Corrupt(format!("column {i} holds {v:?}, not a {}", std::any::type_name::<T>())))
    }
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl postgres::types::ToSql for Val {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match self {
            Val::Null => Ok(postgres::types::IsNull::Yes),
            Val::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                _ => Err(format!("an integer bound to a {ty} parameter").into()),
            },
            Val::Text(s) => s.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn sqlite_row(r: &rusqlite::Row<'_>, n: usize) -> rusqlite::Result<Row> {
    use rusqlite::types::ValueRef;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(match r.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(v) => Val::Int(v),
            ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Real(f) => Val::Text(f.to_string()),
            ValueRef::Blob(_) => {
                return Err(rusqlite::Error::InvalidColumnType(i, "blob".into(), rusqlite::types::Type::Blob));
            }
        });
    }
    Ok(Row(out))
}

fn pg_row(r: &postgres::Row) -> Result<Row, Error> {
    use postgres::types::Type;
    let mut out = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Val::Int),
            Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|v| Val::Int(v.into())),
            Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|v| Val::Int(v.into())),
            Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(|v| Val::Int(v.into())),
            _ => r.try_get::<_, Option<String>>(i)?.map(Val::Text),
        };
        out.push(v.unwrap_or(Val::Null));
    }
    Ok(Row(out))
}

/// `?N` placeholders as PostgreSQL's `$N` (outside quoted text).
fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for ch in sql.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                out.push(ch);
            }
            '?' if !quoted => out.push('$'),
            ch => out.push(ch),
        }
    }
    out
}

/// A migration's SQL for an engine: PostgreSQL's `INTEGER` is 32 bits, so the migrations'
/// `INTEGER` columns (SQLite's 64-bit integers) are `BIGINT` there; a migration that starts
/// with [`POSTGRES_ONLY`] is nothing on SQLite.
pub fn migration_sql(engine: Engine, sql: &str) -> String {
    match engine {
        Engine::Sqlite if sql.starts_with(POSTGRES_ONLY) => String::new(),
        Engine::Sqlite => sql.to_string(),
        Engine::Postgres => sql.replace("INTEGER", "BIGINT"),
    }
}

/// A PostgreSQL connection with its prepared statements.
struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<PgConn>>),
}

/// A connection of either engine, used by one thread at a time (inside [`Store::with`]).
pub struct Conn {
    inner: Inner,
}

impl Conn {
    /// The engine.
    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    fn pg_statement(pg: &mut PgConn, sql: &str) -> Result<postgres::Statement, Error> {
        if let Some(s) = pg.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = pg.client.prepare(&dollar_placeholders(sql))?;
        if pg.statements.len() >= 256 {
            pg.statements.clear();
        }
        pg.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    /// Runs one statement; returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[Val]) -> Result<usize, Error> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params.iter()))?),
            Inner::Postgres(pg) => {
                let mut pg = pg.borrow_mut();
                let stmt = Self::pg_statement(&mut pg, sql)?;
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as _).collect();
                Ok(pg.client.execute(&stmt, &refs)? as usize)
            }
        }
    }

    /// Runs one query; returns its rows.
    pub fn query(&self, sql: &str, params: &[Val]) -> Result<Vec<Row>, Error> {
        match &self.inner {
            Inner::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let n = stmt.column_count();
                let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| sqlite_row(r, n))?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Inner::Postgres(pg) => {
                let mut pg = pg.borrow_mut();
                let stmt = Self::pg_statement(&mut pg, sql)?;
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|v| v as _).collect();
                pg.client.query(&stmt, &refs)?.iter().map(pg_row).collect()
            }
        }
    }

    /// The first row of a query, if any.
    pub fn query_opt(&self, sql: &str, params: &[Val]) -> Result<Option<Row>, Error> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first column of the first row of a query, if any.
    pub fn value_opt<T: FromVal>(&self, sql: &str, params: &[Val]) -> Result<Option<T>, Error> {
        self.query_opt(sql, params)?.map(|r| r.get(0)).transpose()
    }

    /// The first column of the first row of a query (which must return one).
    pub fn value<T: FromVal>(&self, sql: &str, params: &[Val]) -> Result<T, Error> {
        self.value_opt(sql, params)?.ok_or_else(|| Error::Internal(format!("no row: {sql}")))
    }

    /// The first column of every row of a query.
    pub fn column<T: FromVal>(&self, sql: &str, params: &[Val]) -> Result<Vec<T>, Error> {
        self.query(sql, params)?.iter().map(|r| r.get(0)).collect()
    }

    /// Runs statements without parameters (separated by `;`).
    pub fn execute_batch(&self, sql: &str) -> Result<(), Error> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(pg) => Ok(pg.borrow_mut().client.batch_execute(sql)?),
        }
    }

    /// Begins a transaction: committed by [`Tx::commit`], rolled back if dropped before. On
    /// PostgreSQL it first takes the [`WRITE_LOCK`] exclusively (until its end), so it runs
    /// alone among the write transactions of every replica.
    pub fn transaction(&self) -> Result<Tx<'_>, Error> {
        match self.engine() {
            Engine::Sqlite => self.execute_batch("BEGIN")?,
            Engine::Postgres => {
                self.execute_batch(&format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"))?;
            }
        }
        Ok(Tx { conn: self, open: true })
    }

    /// Begins the transaction of a create of an alert with `alias` (if any). On PostgreSQL it
    /// takes the [`WRITE_LOCK`] shared, then the exclusive lock of the alias ([`alias_lock`]),
    /// both until its end: it runs in parallel with other creates, one at a time with creates
    /// of the same alias, alone against every other write transaction. It may write only the
    /// new alert (numbered by [`next_alert_seq`]) or the open alert with its alias.
    pub fn create_transaction(&self, alias: Option<&str>) -> Result<Tx<'_>, Error> {
        match self.engine() {
            Engine::Sqlite => self.execute_batch("BEGIN")?,
            Engine::Postgres => {
                let mut sql = format!("BEGIN; SELECT pg_advisory_xact_lock_shared({WRITE_LOCK})");
                if let Some(a) = alias {
                    sql.push_str(&format!("; SELECT pg_advisory_xact_lock({ALIAS_LOCK_CLASS}, {})", alias_lock(a)));
                }
                self.execute_batch(&sql)?;
            }
        }
        Ok(Tx { conn: self, open: true })
    }

    /// The SQLite connection (only on SQLite).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.inner {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    fn is_closed(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(_) => false,
            Inner::Postgres(pg) => pg.borrow().client.is_closed(),
        }
    }
}

/// A transaction on a [`Conn`] (which it dereferences to).
pub struct Tx<'a> {
    conn: &'a Conn,
    open: bool,
}

impl Tx<'_> {
    /// Commits.
    pub fn commit(mut self) -> Result<(), Error> {
        self.open = false;
        self.conn.execute_batch("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// The database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<StoreInner>,
}

enum StoreInner {
    Sqlite { conn: Mutex<Conn>, sync: WalSync },
    Postgres(Pool),
}

impl Store {
    /// Opens the database `--db` names: a PostgreSQL URL ([`is_postgres`]) or a SQLite file
    /// ([`Store::open`]).
    pub fn open_db(db: &str) -> Result<Store, Error> {
        if is_postgres(db) { Store::open_postgres(db) } else { Store::open(Path::new(db)) }
    }

    /// Opens (creating it if needed) the SQLite file at `path` and brings its schema up to
    /// date. A file written by a newer version (a schema version this one does not know) is
    /// refused. Delivery leases left by an earlier process are released (a SQLite file is
    /// served by one process).
    pub fn open(path: &Path) -> Result<Store, Error> {
        let db = |source| Error::Database { path: path.display().to_string(), source };
        let conn = rusqlite::Connection::open(path).map_err(db)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(db)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db)?;
        // The WAL is fsynced after the commit, outside the lock, shared by concurrent commits
        // (the module's doc): every call that wrote returns only after it.
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        conn.set_prepared_statement_cache_capacity(64);
        let conn = Conn { inner: Inner::Sqlite(conn) };
        migrate(&conn).map_err(|e| match e {
            Error::Sql(source) => db(source),
            e => e,
        })?;
        conn.execute(
            "UPDATE notifications SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
            &[],
        )?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let sync = WalSync { wal: PathBuf::from(wal), state: Mutex::new(SyncState::default()), done: Condvar::new() };
        sync.fsync()?;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::Internal(format!("fsync of {}: {e}", dir.display())))?;
        Ok(Store { inner: Arc::new(StoreInner::Sqlite { conn: Mutex::new(conn), sync }) })
    }

    /// Connects to the PostgreSQL database of `url` (without TLS: a server on this machine or
    /// a private network) and brings its schema up to date (under the [`WRITE_LOCK`], so
    /// replicas starting together migrate once). A database of a newer schema is refused.
    pub fn open_postgres(url: &str) -> Result<Store, Error> {
        let shown = display_db(url);
        let mut config: postgres::Config =
            url.parse().map_err(|e: postgres::Error| Error::Unavailable(format!("database {shown}: {e}")))?;
        config.connect_timeout(CONNECT_TIMEOUT);
        if config.get_application_name().is_none() {
            config.application_name("oncall serve");
        }
        let pool = Pool { config, shown, state: Mutex::new(PoolState::default()), freed: Condvar::new() };
        let store = Store { inner: Arc::new(StoreInner::Postgres(pool)) };
        store.with(|c| migrate(c))?;
        Ok(store)
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        match &*self.inner {
            StoreInner::Sqlite { .. } => Engine::Sqlite,
            StoreInner::Postgres(_) => Engine::Postgres,
        }
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.with(|c| version(c))
    }

    /// Runs `f` on a connection, on this thread. SQLite: if `f` wrote (SQLite counted a
    /// change), this returns only once the WAL with its commit is fsynced; the fsync is shared
    /// with the calls that committed meanwhile (group commit). PostgreSQL: on a connection of
    /// the pool; a connection lost in `f` is dropped and the error is [`Error::Unavailable`].
    pub fn with<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, Error>) -> Result<T, Error> {
        match &*self.inner {
            StoreInner::Sqlite { conn, sync } => {
                let (result, ticket) = {
                    let mut guard = conn.lock().map_err(|_| Error::Internal("the database lock is poisoned".into()))?;
                    let before = guard.sqlite().map_or(0, |c| c.total_changes());
                    let result = f(&mut guard);
                    let after = guard.sqlite().map_or(0, |c| c.total_changes());
                    let ticket = (after != before).then(|| sync.wrote());
                    (result, ticket)
                };
                if let Some(ticket) = ticket {
                    sync.wait(ticket?)?;
                }
                result
            }
            StoreInner::Postgres(pool) => {
                let mut conn = pool.take()?;
                let result = f(&mut conn);
                // A connection the server closed, or an error saying it is going away (a
                // shutdown terminates connections in use before they read as closed), is
                // dropped: the request is answered 503 and the next one connects afresh.
                let lost = conn.is_closed() || result.as_ref().is_err_and(Error::is_unavailable);
                pool.give_back(conn, lost);
                match result {
                    Err(e) if lost => Err(Error::Unavailable(format!("database {}: {e}", pool.shown))),
                    r => r,
                }
            }
        }
    }

    /// Runs `f` on a connection on a blocking thread (the async runtime does not wait on the
    /// database).
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.with(f))
            .await
            .map_err(|e| Error::Internal(format!("database task failed: {e}")))?
    }

    /// [`Conn::clock_offset_millis`] on a connection of the store, on this thread.
    pub fn clock_offset_millis(&self, local_millis: fn() -> i64) -> Result<Option<i64>, Error> {
        if self.engine() == Engine::Sqlite {
            return Ok(None);
        }
        self.with(|c| c.clock_offset_millis(local_millis))
    }
}

impl Conn {
    /// The database's clock minus this process's (`local_millis`, milliseconds), measured over
    /// one round trip: `None` on SQLite (the file has no clock of its own).
    pub fn clock_offset_millis(&self, local_millis: fn() -> i64) -> Result<Option<i64>, Error> {
        if self.engine() == Engine::Sqlite {
            return Ok(None);
        }
        let before = local_millis();
        let db: i64 = self.value("SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT", &[])?;
        let after = local_millis();
        Ok(Some(db - (before + after) / 2))
    }
}

/// The pool of PostgreSQL connections: up to [`PG_POOL`], opened when needed; one that was
/// lost is dropped (and replaced by the next call that needs one).
struct Pool {
    config: postgres::Config,
    shown: String,
    state: Mutex<PoolState>,
    freed: Condvar,
}

#[derive(Default)]
struct PoolState {
    idle: Vec<(Conn, Instant)>,
    /// Connections open or being opened (idle or in use).
    open: usize,
}

impl Pool {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, PoolState>, Error> {
        self.state.lock().map_err(|_| Error::Internal("the connection pool lock is poisoned".into()))
    }

    fn take(&self) -> Result<Conn, Error> {
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        let mut st = self.lock()?;
        loop {
            if let Some((mut conn, since)) = st.idle.pop() {
                drop(st);
                if since.elapsed() < IDLE_CHECK || Self::alive(&mut conn) {
                    return Ok(conn);
                }
                st = self.lock()?;
                st.open -= 1;
                continue;
            }
            if st.open < PG_POOL {
                st.open += 1;
                drop(st);
                let connected = self.config.connect(postgres::NoTls);
                return match connected {
                    Ok(client) => Ok(Conn {
                        inner: Inner::Postgres(Box::new(RefCell::new(PgConn { client, statements: HashMap::new() }))),
                    }),
                    Err(e) => {
                        self.lock()?.open -= 1;
                        self.freed.notify_one();
                        Err(Error::Unavailable(format!("database {}: {e}", self.shown)))
                    }
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Unavailable(format!(
                    "database {}: all {PG_POOL} connections busy for {} s",
                    self.shown,
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
            st = self
                .freed
                .wait_timeout(st, left)
                .map_err(|_| Error::Internal("the connection pool lock is poisoned".into()))?
                .0;
        }
    }

    fn alive(conn: &mut Conn) -> bool {
        match &conn.inner {
            Inner::Postgres(pg) => pg.borrow_mut().client.is_valid(Duration::from_secs(2)).is_ok(),
            Inner::Sqlite(_) => true,
        }
    }

    /// Drops connections on a thread of their own: the synchronous client must not be dropped
    /// on an async runtime's thread (where a [`Store`] may be dropped).
    fn drop_apart(conns: Vec<Conn>) {
        if conns.is_empty() {
            return;
        }
        if let Ok(t) = std::thread::Builder::new().name("oncall-pg-close".into()).spawn(move || drop(conns)) {
            let _ = t.join();
        }
    }

    fn give_back(&self, conn: Conn, lost: bool) {
        if let Ok(mut st) = self.lock() {
            if lost {
                st.open -= 1;
            } else {
                st.idle.push((conn, Instant::now()));
            }
        }
        self.freed.notify_one();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = match self.state.get_mut() {
            Ok(st) => std::mem::take(&mut st.idle),
            Err(p) => std::mem::take(&mut p.into_inner().idle),
        };
        Pool::drop_apart(idle.into_iter().map(|(c, _)| c).collect());
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

fn version(c: &Conn) -> Result<i64, Error> {
    c.value("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])
}

/// Brings the schema up to date, in one transaction (on PostgreSQL under the [`WRITE_LOCK`]: a
/// replica starting meanwhile waits, then finds the schema current).
fn migrate(conn: &Conn) -> Result<(), Error> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )?;
    let have = version(&tx)?;
    let known = MIGRATIONS.len() as i64;
    if have > known {
        return Err(Error::SchemaTooNew { found: have, known });
    }
    for (k, sql) in MIGRATIONS.iter().enumerate().skip(have as usize) {
        tx.execute_batch(&migration_sql(tx.engine(), sql))?;
        let now = chrono::Utc::now().timestamp();
        tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", params![k as i64 + 1, now])?;
    }
    tx.commit()
}

/// The next value of a per-alert counter column (`n` of `alert_events` or `alert_log`).
pub(crate) fn next_n(c: &Conn, table: &str, seq: i64) -> Result<i64, Error> {
    let sql = format!("SELECT COALESCE(MAX(n), 0) + 1 FROM {table} WHERE alert_seq = ?1");
    c.value(&sql, params![seq])
}

/// Appends a line to an alert's log.
pub(crate) fn log(c: &Conn, seq: i64, at: i64, kind: &str, message: &str) -> Result<(), Error> {
    let n = next_n(c, "alert_log", seq)?;
    c.execute(
        "INSERT INTO alert_log (alert_seq, n, at, kind, message) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![seq, n, at, kind, message],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(store: &Store) -> (u64, u64, u64) {
        let StoreInner::Sqlite { sync, .. } = &*store.inner else { panic!("a SQLite store") };
        let st = sync.lock().unwrap();
        (st.written, st.synced, st.fsyncs)
    }

    #[test]
    fn a_write_returns_after_its_fsync_and_concurrent_writes_share_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("oncall.db")).unwrap();
        store.with(|c| c.execute_batch("CREATE TABLE t (n BIGINT)")).unwrap();
        // DDL is no counted change: no fsync (schema changes belong in MIGRATIONS).
        assert_eq!(counts(&store), (0, 0, 0));
        // A read: no fsync.
        store.with(|c| c.value::<i64>("SELECT COUNT(*) FROM t", &[])).unwrap();
        assert_eq!(counts(&store), (0, 0, 0));
        store.with(|c| c.execute("INSERT INTO t (n) VALUES (0)", &[])).unwrap();
        assert_eq!(counts(&store), (1, 1, 1));
        let threads: Vec<_> = (0..8)
            .map(|k| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        store.with(|c| c.execute("INSERT INTO t (n) VALUES (?1)", params![k * 100 + i])).unwrap();
                        // Returned: this write is on disk.
                        let (written, synced, _) = counts(&store);
                        assert!(synced >= 1 && synced <= written);
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
        let n = store.with(|c| c.value::<i64>("SELECT COUNT(*) FROM t", &[])).unwrap();
        assert_eq!(n, 401);
    }
}
