//! The JSON Schema committed in `docs/oncall.schema.json` is the one the document types generate.
//! Its validation of the examples and of Opsgenie's recorded documents with an independent
//! validator is `scripts/check-schema`.

use oncall_core::config::Document;
use std::path::Path;

const REGENERATE: &str = "ONCALL_WRITE_SCHEMA=1 cargo test -p oncall-core --test schema";

fn generated() -> String {
    serde_json::to_string_pretty(&Document::json_schema()).expect("the schema serializes") + "\n"
}

#[test]
fn committed_schema_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/oncall.schema.json");
    let generated = generated();
    if std::env::var_os("ONCALL_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("docs/oncall.schema.json is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; write it with: {REGENERATE}", path.display()));
    assert!(
        committed == generated,
        "docs/oncall.schema.json differs from the schema generated from the types in \
         crates/oncall-core/src/config.rs; regenerate it with: {REGENERATE}"
    );
}

#[test]
fn schema_follows_the_loader_on_names_and_required_fields() {
    let schema = Document::json_schema();
    let defs = &schema["$defs"];
    // JSON names, not Rust names.
    let rotation = defs["Rotation"]["properties"].as_object().expect("Rotation has properties");
    for key in ["type", "startDate", "endDate", "timeRestriction", "participants", "recurrence"] {
        assert!(rotation.contains_key(key), "Rotation lacks {key}");
    }
    assert!(!rotation.contains_key("kind") && !rotation.contains_key("start_date"));
    // Unknown fields are errors in the loader, so the schema forbids them too.
    assert_eq!(defs["Rotation"]["additionalProperties"], false);
    assert_eq!(defs["Document"]["additionalProperties"], false);
    assert_eq!(defs["OpsgenieResponse"]["additionalProperties"], false);
    // A participant may be the shorthand string.
    let any_of = defs["Participant"]["anyOf"].as_array().expect("Participant is anyOf");
    assert_eq!(any_of[0]["type"], "string");
    // The top-level `$schema` key editors use is accepted by the loader as well.
    let doc = Document::from_json(r#"{"$schema": "../docs/oncall.schema.json", "schedules": []}"#).expect("loads");
    assert_eq!(doc.schema.as_deref(), Some("../docs/oncall.schema.json"));
}
