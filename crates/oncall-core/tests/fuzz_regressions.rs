//! Inputs found by fuzzing (`fuzz/regressions/`), replayed against the library.
//!
//! A crasher whose bug is not fixed yet sits in `fuzz/regressions/<target>/open/` and its test
//! here is `#[ignore = "BUG: …"]`. When the bug is fixed: remove the `ignore`, move the files up
//! to `fuzz/regressions/<target>/` (where `fuzz/check` replays them through the fuzz target too),
//! and drop the matching clause of `known_bug` in `fuzz/src/lib.rs`.

use oncall_core::Config;

fn regression(path: &str) -> Vec<u8> {
    let full = format!("{}/../../fuzz/regressions/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read {full}: {e}"))
}

/// The document the `rrule` fuzz target builds: bytes 0–2 choose the zone, the anchor and the
/// end date, the rest is the recurrence (here always in UTC from a fixed anchor, which does not
/// matter for a parse error).
fn rrule_target_document(data: &[u8]) -> String {
    let text = std::str::from_utf8(&data[3..]).expect("the rrule target only reads UTF-8");
    serde_json::json!({"schedules": [{"name": "s", "rotations": [{
        "name": "custom", "type": "custom", "startDate": "2026-03-08T02:30:00",
        "participants": ["ann", "ben", "cat"], "recurrence": text}]}]})
    .to_string()
}

#[test]
/// The rrule crate (0.14.0, src/core/rrule.rs:162) slices a BYDAY value by bytes and panicked
/// inside a multi-byte character (`FREQ=WEEKLY;BYDAY=ԤH`); recurrences are now checked to be ASCII
/// before rrule sees them.
fn rrule_non_ascii_byday_is_an_error_not_a_panic() {
    for file in ["rrule/crash-ba2a34570fcdfe8537d457aa317ce7562e36c9cd", "rrule/byday-non-ascii"] {
        let json = rrule_target_document(&regression(file));
        let result = std::panic::catch_unwind(|| Config::from_json(&json).map(|_| ()));
        let result = result.unwrap_or_else(|_| panic!("{file}: compiling panicked"));
        let err = result.expect_err("a BYDAY value that is not a weekday is invalid");
        assert_eq!(err.problems()[0].path, "schedules[0].rotations[0].recurrence", "{file}: {err}");
    }
}
