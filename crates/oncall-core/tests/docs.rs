//! The project's documentation in `docs/` stays true to the code it mirrors.

use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The rows of the first Markdown table whose header starts with `| limit |`, with any `//! `
/// prefix removed.
fn limits_table(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_start_matches("//!").trim()).collect();
    let start = lines.iter().position(|l| l.starts_with("| limit |")).expect("a limits table");
    lines[start..].iter().take_while(|l| l.starts_with('|')).map(|l| l.to_string()).collect()
}

#[test]
fn the_limits_table_of_the_rules_is_the_one_in_limits_rs() {
    let code = limits_table(&read("src/limits.rs"));
    let docs = limits_table(&read("../../docs/rules.md"));
    assert!(code.len() > 10, "{code:?}");
    assert_eq!(docs, code, "docs/rules.md#limits must carry the table of crates/oncall-core/src/limits.rs");
    let readme = limits_table(&read("../../README.md"));
    assert_eq!(readme, code, "README.md's limits table must be the one of crates/oncall-core/src/limits.rs");
}

#[test]
fn every_limit_of_the_table_is_a_field_of_limits() {
    // `maxInputBytes` in the table is `max_input_bytes` in `Limits`, with its default.
    let code = read("src/limits.rs");
    for row in limits_table(&code).iter().skip(2) {
        let name = row.split('`').nth(1).expect("a limit name in backticks");
        let snake: String = name
            .chars()
            .map(|c| if c.is_ascii_uppercase() { format!("_{}", c.to_ascii_lowercase()) } else { c.to_string() })
            .collect();
        assert!(code.contains(&format!("pub {snake}:")), "Limits has no field {snake} for {name}");
    }
}
