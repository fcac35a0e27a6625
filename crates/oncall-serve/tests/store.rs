//! The store on both engines (a real SQLite file, and a database on the private PostgreSQL of
//! `scripts/with-postgres`): migrations, durability settings, and the alert operations against
//! the core's rules. Each test runs once per engine (`on_both!`).

use oncall_core::Config;
use oncall_core::alert::{Action, Alert, AlertId};
use oncall_serve::alerts;
use oncall_serve::store::{Engine, MIGRATIONS, Store, Val};

#[path = "support/pg.rs"]
mod pg;

/// Opens the test's database (again: the same one at every call).
type Open<'a> = &'a dyn Fn() -> Result<Store, oncall_serve::Error>;

/// `mod NAME { fn sqlite(); fn postgres(); }`: the test body `NAME(open)` on each engine.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("oncall.db");
                super::$name(&|| super::Store::open(&path));
            }
            #[test]
            fn postgres() {
                if let Some(url) = super::pg::fresh_database(concat!("store_", stringify!($name))) {
                    super::$name(&|| super::Store::open_postgres(&url));
                }
            }
        }
    };
}

on_both!(migrations_run_once_and_a_newer_database_is_refused);
on_both!(create_dedup_actions_and_materialize_follow_the_core);
on_both!(sql_lists_agree_with_the_cores_query_rules);
on_both!(request_statuses_are_pruned_after_the_retention);
on_both!(a_version_1_database_is_migrated_and_its_alerts_list);

fn config() -> Config {
    Config::from_json(
        r#"{"users": [{"username": "ann"}],
            "teams": [{"name": "ops", "members": [{"user": {"username": "ann"}}]}],
            "escalations": [{"name": "e", "rules": [
              {"condition": "if-not-acked", "delay": {"timeAmount": 0}, "recipient": {"type": "user", "username": "ann"}},
              {"condition": "if-not-acked", "delay": {"timeAmount": 5}, "recipient": {"type": "user", "username": "ann"}}]}],
            "integrations": [{"name": "i", "apiKey": "k", "ownerTeam": {"name": "ops"}}]}"#,
    )
    .unwrap()
}

fn migrations_run_once_and_a_newer_database_is_refused(open: Open) {
    let store = open().unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    if store.engine() == Engine::Sqlite {
        let settings = store
            .with(|c| {
                let mode: String = c.value("PRAGMA journal_mode", &[])?;
                let sync: i64 = c.value("PRAGMA synchronous", &[])?;
                Ok((mode, sync))
            })
            .unwrap();
        // NORMAL (1): COMMIT does not fsync; Store::with fsyncs the WAL after each write, shared
        // by concurrent writes (group commit, store.rs), before it returns.
        assert_eq!(settings, ("wal".to_string(), 1), "WAL with synchronous=NORMAL (1)");
    } else {
        // The migrations' INTEGER columns are 64-bit there too.
        let ty: String = store
            .with(|c| {
                c.value(
                    "SELECT data_type FROM information_schema.columns WHERE table_name = 'alerts' AND column_name = 'is_open'",
                    &[],
                )
            })
            .unwrap();
        assert_eq!(ty, "bigint");
    }
    drop(store);
    // Reopening applies nothing twice.
    let store = open().unwrap();
    let rows: i64 = store.with(|c| c.value("SELECT COUNT(*) FROM schema_migrations", &[])).unwrap();
    assert_eq!(rows, MIGRATIONS.len() as i64);
    // A database from a newer version.
    store.with(|c| c.execute("INSERT INTO schema_migrations VALUES (999, 0)", &[])).unwrap();
    drop(store);
    let e = open().err().unwrap().to_string();
    assert!(e.contains("schema version 999"), "{e}");
}

fn create_dedup_actions_and_materialize_follow_the_core(open: Open) {
    let store = open().unwrap();
    let config = config();
    let t0 = 1_800_000_000;
    let mut alert = Alert::new("disk");
    alert.alias = Some("d".into());
    alert.responders = serde_json::from_str(r#"[{"type": "escalation", "name": "e"}]"#).unwrap();
    store
        .with(|c| {
            let a = alerts::create(c, &config, alert.clone(), Some(("i", Some("ops"))), t0, "r1")?;
            assert_eq!((a.status.as_str(), a.seq), ("Created alert", Some(1)));
            let b = alerts::create(c, &config, alert.clone(), Some(("i", Some("ops"))), t0 + 1, "r2")?;
            assert_eq!((b.status.as_str(), b.seq), ("Alert is de-duplicated", Some(1)));
            // Nothing is recorded before it is due, then the minute-0 notification.
            assert_eq!(alerts::materialize(c, &config, t0)?, 0);
            assert_eq!(alerts::materialize(c, &config, t0 + 2)?, 1);
            assert_eq!(alerts::materialize(c, &config, t0 + 2)?, 0, "recorded once");
            // Acknowledged before minute 5: the second rule never fires.
            let id = AlertId::Alias("d".into());
            let ack = alerts::act(
                c,
                &config,
                &id,
                ("r3", "Acknowledge", None),
                vec![Action::Acknowledge { user: None }],
                t0 + 60,
            )?;
            assert!(ack.success);
            let again = alerts::act(
                c,
                &config,
                &id,
                ("r4", "Acknowledge", None),
                vec![Action::Acknowledge { user: None }],
                t0 + 61,
            )?;
            assert!(!again.success && again.status.contains("already acknowledged"), "{}", again.status);
            assert_eq!(alerts::materialize(c, &config, t0 + 3600)?, 0);
            let s = alerts::load(c, 1)?.unwrap();
            let state = s.state(&config, t0 + 3600)?;
            assert!(state.acknowledged && state.count == 2);
            let n: i64 = c.value("SELECT COUNT(*) FROM notifications", &[])?;
            assert_eq!(n, 1);
            Ok(())
        })
        .unwrap();
}

/// Lists and counts are SQL over the columns kept with each event: for many queries they
/// return exactly the alerts the core's `Term::matches` accepts on each alert's row, in the
/// documented order, also after snoozes end and escalations close alerts by themselves.
fn sql_lists_agree_with_the_cores_query_rules(open: Open) {
    use oncall_core::alert_query::{List, ListParams, Row};
    let store = open().unwrap();
    let config = Config::from_json(
        r#"{"users": [{"username": "ann"}],
            "escalations": [{"name": "closes", "rules": [
              {"condition": "if-not-acked", "delay": {"timeAmount": 0}, "recipient": {"type": "user", "username": "ann"}}],
              "repeat": {"waitInterval": 1, "count": 1, "closeAlertAfterAll": true}}]}"#,
    )
    .unwrap();
    let t0 = 1_800_000_000;
    let messages = ["Disk FULL", "cpu hot", "Disk slow", "100% done", "under_score"];
    store
        .with(|c| {
            for (i, m) in messages.iter().enumerate() {
                let mut a = Alert::new(*m);
                a.alias = Some(format!("a{i}"));
                a.priority = Some(format!("P{}", i % 3 + 1));
                a.tags = vec![if i % 2 == 0 { "db".into() } else { "web".into() }];
                a.source = (i != 1).then(|| "prom".into());
                if i == 4 {
                    a.responders = serde_json::from_str(r#"[{"type": "escalation", "name": "closes"}]"#).unwrap();
                }
                alerts::create(c, &config, a, None, t0 + i as i64, &format!("c{i}"))?;
            }
            let act = |c: &mut oncall_serve::store::Conn, alias: &str, a: Action, at: i64| {
                let rid = format!("r-{alias}");
                alerts::act(c, &config, &AlertId::Alias(alias.into()), (&rid, "x", None), vec![a], at).map(|_| ())
            };
            act(c, "a0", Action::Acknowledge { user: Some("ann".into()) }, t0 + 10)?;
            act(c, "a1", Action::Close { user: None }, t0 + 11)?;
            let until = "2027-01-15T08:00:30Z".parse().unwrap();
            act(c, "a2", Action::Snooze { until, user: None }, t0 + 12)?;
            Ok(())
        })
        .unwrap();
    let queries = [
        "",
        "status:open",
        "status:closed",
        "acknowledged:true",
        "snoozed:true",
        "snoozed:false",
        "priority:p1",
        "tag:db",
        "tags:web AND status:open",
        "message:disk",
        "message:%",
        "message:_",
        "owner:ann",
        "source:prom",
        "tinyId:3",
        "tinyId:03",
        "id:alert-2",
        "alias:a4",
        "acknowledged:maybe",
    ];
    // Before the snooze ends and the escalation closes a4, and long after.
    for now in [t0 + 20, t0 + 7200] {
        for q in queries {
            for sort in ["createdAt", "message", "priority", "owner", "status", "count"] {
                let l = List::read(&ListParams {
                    query: Some(q),
                    sort: Some(sort),
                    order: Some("asc"),
                    ..Default::default()
                })
                .unwrap();
                let (page, total) = store.with(|c| alerts::list(c, &config, &l, now)).unwrap();
                let mut want: Vec<(String, i64)> = Vec::new();
                for seq in 1..=messages.len() as i64 {
                    let s = store.with(|c| alerts::load(c, seq)).unwrap().unwrap();
                    let state = s.state(&config, now).unwrap();
                    if l.matches(&Row::of(&state)) {
                        want.push((state.id.clone(), seq));
                    }
                }
                let got: Vec<String> = page.iter().map(|s| format!("alert-{}", s.seq)).collect();
                let mut want_ids: Vec<String> = want.iter().map(|w| w.0.clone()).collect();
                want_ids.sort();
                let mut sorted = got.clone();
                sorted.sort();
                assert_eq!((sorted, total), (want_ids, want.len()), "{q} at {now}");
                assert_eq!(store.with(|c| alerts::count(c, &config, &l, now)).unwrap(), want.len(), "{q}");
            }
        }
    }
    // Order: message ascending by bytes, ties by tiny id; descending reverses both.
    let l = List::read(&ListParams { sort: Some("message"), order: Some("asc"), ..Default::default() }).unwrap();
    let (page, _) = store.with(|c| alerts::list(c, &config, &l, t0 + 20)).unwrap();
    let got: Vec<&str> = page.iter().map(|s| s.alert.message.as_str()).collect();
    assert_eq!(got, ["100% done", "Disk FULL", "Disk slow", "cpu hot", "under_score"]);
    // The escalation closed a4 by itself after its repeat: the stored columns say so.
    let l = List::read(&ListParams { query: Some("status:closed"), ..Default::default() }).unwrap();
    let (page, _) = store.with(|c| alerts::list(c, &config, &l, t0 + 7200)).unwrap();
    let closed: Vec<i64> = page.iter().map(|s| s.seq).collect();
    assert_eq!(closed, [5, 2]);
}

/// Request statuses older than the retention are pruned; younger ones stay.
fn request_statuses_are_pruned_after_the_retention(open: Open) {
    use oncall_serve::runtime::{REQUEST_RETENTION_SECS, prune_requests};
    let store = open().unwrap();
    let config = config();
    let t0 = 1_800_000_000;
    store
        .with(|c| {
            alerts::create(c, &config, Alert::new("old"), None, t0, "old")?;
            alerts::create(c, &config, Alert::new("new"), None, t0 + 100, "new")?;
            assert_eq!(prune_requests(c, t0 + REQUEST_RETENTION_SECS)?, 0);
            assert_eq!(prune_requests(c, t0 + REQUEST_RETENTION_SECS + 1)?, 1);
            let left: Vec<String> = c.column("SELECT request_id FROM requests", &[])?;
            assert_eq!(left, ["new"]);
            Ok(())
        })
        .unwrap();
}

/// A database of schema version 1 (before the list columns) is migrated: its alerts list and
/// count by their real state at once.
fn a_version_1_database_is_migrated_and_its_alerts_list(open: Open) {
    use oncall_core::alert_query::{List, ListParams};
    // Version 1 as it shipped, written through the store's connection (one of the newest
    // schema, emptied back to version 1 first).
    let store = open().unwrap();
    let payload = serde_json::to_string(
        &Alert::from_json(r#"{"message": "Old one", "tags": ["db"], "priority": "P1"}"#).unwrap(),
    )
    .unwrap();
    store
        .with(|c| {
            let tables = ["alerts", "alert_events", "alert_log", "requests", "notifications", "alert_tags"];
            for t in tables.iter().chain(&["schedule_overrides", "config_versions", "schema_migrations"]) {
                c.execute_batch(&format!("DROP TABLE {t}"))?;
            }
            if c.engine() == Engine::Postgres {
                c.execute_batch("DROP SEQUENCE alert_numbers")?;
            }
            c.execute_batch("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")?;
            c.execute_batch(&oncall_serve::store::migration_sql(c.engine(), MIGRATIONS[0]))?;
            c.execute("INSERT INTO schema_migrations VALUES (1, 0)", &[])?;
            c.execute(
                "INSERT INTO alerts (seq, alias, is_open, created_at, updated_at, payload, integration, owner_team, state,
                   event_count, last_event_at, materialized_until, next_due) VALUES (1, 'old', 1, 1800000000, 1800000000, ?1, NULL, NULL, '{}', 0, 1800000000, 1800000000, NULL)",
                &[Val::Text(payload.clone())],
            )?;
            Ok(())
        })
        .unwrap();
    drop(store);
    let store = open().unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    let config = config();
    let l = List::read(&ListParams { query: Some("tag:db AND priority:P1 AND message:old"), ..Default::default() })
        .unwrap();
    let (page, total) = store.with(|c| alerts::list(c, &config, &l, 1_800_000_100)).unwrap();
    assert_eq!((page.len(), total), (1, 1));
    // The next alert is number 2 on both engines (PostgreSQL's sequence starts after the
    // migrated alerts).
    let new = Alert::from_json(r#"{"message": "New one"}"#).unwrap();
    let o = store.with(|c| alerts::create(c, &config, new, None, 1_800_000_200, "after-migration")).unwrap();
    assert_eq!(o.seq, Some(2));
}
