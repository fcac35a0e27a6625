//! Support for the benchmarks: the bundled schedules and the naive baseline.

pub mod naive;

/// A benchmark schedule kept under `benches/data`.
pub fn data(name: &str) -> String {
    let path = format!("{}/data/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `n` instants spread over 2026 (deterministic), so lookups do not hit one cached spot.
pub fn instants_2026(n: usize) -> Vec<chrono::DateTime<chrono::Utc>> {
    let start = 1_767_225_600i64; // 2026-01-01T00:00:00Z
    let year = 365 * 86_400i64;
    (0..n as i64)
        .map(|i| chrono::DateTime::from_timestamp(start + (i * 7_919_311) % year, 0).expect("in range"))
        .collect()
}
