//! The PostgreSQL side of the tests that run on both engines: a fresh database per test on the
//! private server `scripts/with-postgres` starts (its URL in `ONCALL_TEST_POSTGRES`).
//!
//! Without that variable a PostgreSQL run is skipped with a line on stderr, unless
//! `ONCALL_REQUIRE_POSTGRES=1` (as `scripts/test` sets it), where it fails.

/// The URL of a new, empty database named after `name` (and this process), or `None` when no
/// server was started for the tests.
pub fn fresh_database(name: &str) -> Option<String> {
    let Ok(base) = std::env::var("ONCALL_TEST_POSTGRES") else {
        assert!(
            std::env::var("ONCALL_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "ONCALL_REQUIRE_POSTGRES=1 but ONCALL_TEST_POSTGRES is not set: run the tests under scripts/with-postgres"
        );
        eprintln!("{name}: PostgreSQL run skipped (no ONCALL_TEST_POSTGRES; run under scripts/with-postgres)");
        return None;
    };
    let db: String = format!("t_{name}_{}", std::process::id())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    let mut c = postgres::Client::connect(&base, postgres::NoTls).expect("the test PostgreSQL server answers");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).unwrap();
    c.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let (prefix, _) = base.rsplit_once('/').expect("a URL with a database name");
    Some(format!("{prefix}/{db}"))
}
