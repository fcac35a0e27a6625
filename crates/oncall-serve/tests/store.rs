//! The store on a real SQLite file: migrations, durability settings, and the alert operations
//! against the core's rules.

use oncall_core::Config;
use oncall_core::alert::{Action, Alert, AlertId};
use oncall_serve::alerts;
use oncall_serve::store::{MIGRATIONS, Store};

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

#[test]
fn migrations_run_once_and_a_newer_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    let settings = store
        .with(|c| {
            let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
            let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
            Ok((mode, sync))
        })
        .unwrap();
    // NORMAL (1): COMMIT does not fsync; Store::with fsyncs the WAL after each write, shared
    // by concurrent writes (group commit, store.rs), before it returns.
    assert_eq!(settings, ("wal".to_string(), 1), "WAL with synchronous=NORMAL (1)");
    drop(store);
    // Reopening applies nothing twice.
    let store = Store::open(&path).unwrap();
    let rows: i64 =
        store.with(|c| Ok(c.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))?)).unwrap();
    assert_eq!(rows, MIGRATIONS.len() as i64);
    // A file from a newer version.
    store.with(|c| Ok(c.execute("INSERT INTO schema_migrations VALUES (999, 0)", [])?)).unwrap();
    drop(store);
    let e = Store::open(&path).err().unwrap().to_string();
    assert!(e.contains("schema version 999"), "{e}");
}

#[test]
fn create_dedup_actions_and_materialize_follow_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
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
            let n: i64 = c.query_row("SELECT COUNT(*) FROM notifications", [], |r| r.get(0))?;
            assert_eq!(n, 1);
            Ok(())
        })
        .unwrap();
}
