//! The JSON reader's typed fast path against the path-tracking reader alone: on generated
//! documents, valid and broken (a node replaced, a key dropped or added, a key repeated, the
//! text cut short, a number out of range), within the default limits and within tight ones,
//! both give the same document or the same error (message, path, position).
//!
//! Every property runs [`CASES`] cases (`PROPTEST_CASES` overrides it).

use oncall_core::Limits;
use oncall_core::config::Document;
use oncall_core::strategies::document;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::Value;

/// Cases per property.
const CASES: u32 = 256;

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(n) }
}

/// How a generated document is broken (or not).
#[derive(Debug, Clone)]
enum Change {
    None,
    /// The `n`th node (in document order) replaced by a value.
    Replace(usize, Value),
    /// A key of the `n`th object dropped.
    Drop(usize),
    /// A key added to the `n`th object.
    Add(usize, String, Value),
    /// A repeated key written just inside the `n`th `{` of the text.
    Repeat(usize),
    /// The text cut at the `n`th per mille of its length.
    Cut(usize),
    /// The `n`th number of the text written out of range.
    Huge(usize),
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-zA-Z0-9:+\\-TZ/ ]{0,24}".prop_map(Value::String),
        prop_oneof![
            Just("2026-03-29T01:30:00Z"),
            Just("Europe/Berlin"),
            Just("weekly"),
            Just("user"),
            Just("09:00"),
            Just("monday")
        ]
        .prop_map(|s| Value::String(s.into())),
        (1usize..40).prop_map(|n| Value::String("x".repeat(n * 60))),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop_oneof![
            Just("name"),
            Just("type"),
            Just("participants"),
            Just("rotations"),
            Just("description"),
            Just("role"),
            Just("startDate"),
            Just("timezone"),
            Just("overrides"),
            Just("length"),
        ]
        .prop_map(String::from),
        "[a-z]{1,12}",
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        2 => Just(Change::None),
        3 => (any::<usize>(), value()).prop_map(|(n, v)| Change::Replace(n, v)),
        1 => any::<usize>().prop_map(Change::Drop),
        1 => (any::<usize>(), key(), value()).prop_map(|(n, k, v)| Change::Add(n, k, v)),
        1 => any::<usize>().prop_map(Change::Repeat),
        1 => (0usize..1000).prop_map(Change::Cut),
        1 => any::<usize>().prop_map(Change::Huge),
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        Just(Limits::default()),
        (1usize..12, 2usize..64, 1usize..200, 1usize..8, 1usize..6, 200usize..20_000).prop_map(
            |(depth, name, text, list, errors, input)| Limits {
                max_depth: depth,
                max_name_bytes: name,
                max_text_bytes: text,
                max_list_len: list,
                max_errors: errors,
                max_input_bytes: input,
                ..Limits::default()
            }
        ),
    ]
}

/// Visits the nodes of `v` in document order; `f` returns true to stop.
fn walk(v: &mut Value, f: &mut dyn FnMut(&mut Value) -> bool) -> bool {
    if f(v) {
        return true;
    }
    match v {
        Value::Array(items) => items.iter_mut().any(|i| walk(i, f)),
        Value::Object(map) => map.values_mut().any(|i| walk(i, f)),
        _ => false,
    }
}

fn count(v: &mut Value, objects_only: bool) -> usize {
    let mut n = 0;
    walk(v, &mut |node| {
        if !objects_only || node.is_object() {
            n += 1;
        }
        false
    });
    n
}

/// The `n`th (modulo their number) node of `v` (or object, when `objects_only`) changed by `f`.
fn at(v: &mut Value, n: usize, objects_only: bool, f: impl FnOnce(&mut Value)) {
    let total = count(v, objects_only);
    if total == 0 {
        return;
    }
    let mut left = n % total;
    let mut f = Some(f);
    walk(v, &mut |node| {
        if objects_only && !node.is_object() {
            return false;
        }
        if left == 0 {
            (f.take().expect("once"))(node);
            return true;
        }
        left -= 1;
        false
    });
}

/// The text of `doc` with `change` made.
fn text(doc: &Document, change: &Change) -> String {
    let mut v = serde_json::to_value(doc).expect("a document serialises");
    match change {
        Change::Replace(n, new) => at(&mut v, *n, false, |node| *node = new.clone()),
        Change::Drop(n) => at(&mut v, *n, true, |node| {
            if let Value::Object(map) = node
                && let Some(k) = map.keys().nth(*n % map.len().max(1)).cloned()
            {
                map.remove(&k);
            }
        }),
        Change::Add(n, k, new) => at(&mut v, *n, true, |node| {
            if let Value::Object(map) = node {
                map.insert(k.clone(), new.clone());
            }
        }),
        _ => {}
    }
    let text = serde_json::to_string_pretty(&v).expect("a value serialises");
    let nth = |pattern: fn(char) -> bool, n: usize| {
        let at: Vec<usize> = text.char_indices().filter(|(_, c)| pattern(*c)).map(|(i, _)| i).collect();
        (!at.is_empty()).then(|| at[n % at.len()])
    };
    match change {
        Change::Repeat(n) => match nth(|c| c == '{', *n) {
            Some(i) => format!("{}\"name\": \"a\", \"name\": \"b\",{}", &text[..=i], &text[i + 1..]),
            None => text,
        },
        Change::Cut(per_mille) => {
            let mut end = text.len() * per_mille / 1000;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_string()
        }
        Change::Huge(n) => match nth(|c| c.is_ascii_digit(), *n) {
            Some(i) => format!("{}9e999{}", &text[..i], &text[i..]),
            None => text,
        },
        _ => text,
    }
}

proptest! {
    #![proptest_config(cases())]

    /// The fast path answers exactly what the path-tracking reader does.
    #[test]
    fn fast_and_explained_readers_agree(doc in document(), change in change(), limits in limits()) {
        let text = text(&doc, &change);
        let fast = Document::from_json_with_limits(&text, &limits);
        let explained = Document::from_json_explained_with_limits(&text, &limits);
        prop_assert_eq!(&fast, &explained, "text: {}", text);
        if matches!(change, Change::None) && limits == Limits::default() {
            // A generated document reads back as itself.
            prop_assert_eq!(fast, Ok(doc));
        }
    }
}
