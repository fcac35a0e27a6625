//! Alert-matching criteria, shared by team routing rules and notification rules.
//!
//! `match-all` matches every alert. `match-any-condition` matches when one condition holds,
//! `match-all-conditions` when every condition holds. A condition compares one alert field with
//! `expectedValue` by an operation, optionally negated with `not`. The allowed operations per
//! field are Opsgenie's:
//!
//! | field | operations |
//! |---|---|
//! | `message`, `alias`, `description`, `source`, `entity`, `teams` | `contains`, `is-empty`, `matches`, `equals`, `starts-with`, `ends-with`, `equals-ignore-whitespace` |
//! | `tags`, `actions`, `recipients`, `responders` | `contains`, `is-empty`, `matches` |
//! | `details`, `extra-properties` | `contains`, `is-empty`, `contains-key`, `contains-value` |
//! | `details`, `extra-properties` with a `key` | the operations of `message`, on the value of that key (an absent key is an empty value) |
//! | `priority` | `equals`, `greater-than`, `less-than` (with `P1`…`P5`; P1 is the highest) |
//!
//! String comparisons are case-sensitive; `matches` is a regular expression that must match the
//! whole value. For list fields, `contains` means an element equals the value and `matches`
//! means an element matches. `greater-than P3` means a more urgent priority (P1 or P2).
//!
//! Regular expressions are those of the `regex-lite` crate (the `regex` syntax without Unicode
//! classes, matching in time linear in the input): `.` and literals work on characters, but
//! `\d \w \s \b` are ASCII (`[0-9]`, `[0-9A-Za-z_]`, ASCII white space, an ASCII word
//! boundary), `(?i)` folds ASCII letters only, and `\p{…}` is refused as invalid.

use crate::config;
use crate::error::Problem;
use std::collections::BTreeMap;

/// The fields of an alert that criteria look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFields {
    /// Message.
    pub message: String,
    /// Alias.
    pub alias: String,
    /// Description.
    pub description: String,
    /// Source.
    pub source: String,
    /// Entity.
    pub entity: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Actions.
    pub actions: Vec<String>,
    /// Details (also read as `extra-properties`).
    pub details: BTreeMap<String, String>,
    /// Recipients' names.
    pub recipients: Vec<String>,
    /// Responders' names.
    pub responders: Vec<String>,
    /// Team names.
    pub teams: Vec<String>,
    /// Priority 1 (P1, highest) to 5 (P5); 3 by default.
    pub priority: u8,
}

impl AlertFields {
    /// An alert with no content and the default priority P3 (what who-is-on-call routes with).
    pub fn empty() -> AlertFields {
        AlertFields { priority: 3, ..AlertFields::default() }
    }
}

/// [`AlertFields::empty`] built once: who-is-on-call matches every team's routing rules against
/// it at every visit of the team (each boundary of a timeline or a next-on-call walk), where
/// making and dropping one per visit was 6 % of the graph fuzz target's slowest input (perf).
pub(crate) static EMPTY_ALERT: AlertFields = AlertFields {
    message: String::new(),
    alias: String::new(),
    description: String::new(),
    source: String::new(),
    entity: String::new(),
    tags: Vec::new(),
    actions: Vec::new(),
    details: BTreeMap::new(),
    recipients: Vec::new(),
    responders: Vec::new(),
    teams: Vec::new(),
    priority: 3,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Message,
    Alias,
    Description,
    Source,
    Entity,
    Teams,
    Tags,
    Actions,
    Recipients,
    Responders,
    Details,
    Priority,
}

#[derive(Debug, Clone)]
enum Op {
    Contains(String),
    IsEmpty,
    Matches(regex_lite::Regex),
    Equals(String),
    StartsWith(String),
    EndsWith(String),
    EqualsIgnoreWhitespace(String),
    ContainsKey(String),
    ContainsValue(String),
    GreaterThan(u8),
    LessThan(u8),
    PriorityEquals(u8),
}

#[derive(Debug, Clone)]
pub(crate) struct Cond {
    field: Field,
    key: Option<String>,
    not: bool,
    op: Op,
}

/// Compiled criteria.
#[derive(Debug, Clone)]
pub(crate) enum Criteria {
    All,
    Any(Vec<Cond>),
    Every(Vec<Cond>),
}

pub(crate) fn parse_priority(s: &str) -> Option<u8> {
    match s {
        "P1" => Some(1),
        "P2" => Some(2),
        "P3" => Some(3),
        "P4" => Some(4),
        "P5" => Some(5),
        _ => None,
    }
}

impl Criteria {
    /// Compiles criteria, pushing every problem found (paths under `path`).
    pub(crate) fn compile(c: Option<&config::Criteria>, path: &str, problems: &mut Vec<Problem>) -> Criteria {
        let Some(c) = c else { return Criteria::All };
        let mut conds = Vec::new();
        for (i, cond) in c.conditions.iter().enumerate() {
            let p = format!("{path}.conditions[{i}]");
            if let Some(k) = compile_condition(cond, &p, problems) {
                conds.push(k);
            }
        }
        match c.kind.as_str() {
            "match-all" => Criteria::All,
            "match-any-condition" | "match-all-conditions" => {
                if c.conditions.is_empty() {
                    problems.push(Problem::new(
                        format!("{path}.conditions"),
                        format!("must not be empty for {:?}", c.kind),
                    ));
                }
                if c.kind == "match-any-condition" { Criteria::Any(conds) } else { Criteria::Every(conds) }
            }
            other => {
                problems.push(Problem::new(
                    format!("{path}.type"),
                    format!("unknown criteria type {other:?} (expected match-all, match-any-condition or match-all-conditions)"),
                ));
                Criteria::All
            }
        }
    }

    /// Whether the alert matches.
    pub(crate) fn matches(&self, a: &AlertFields) -> bool {
        match self {
            Criteria::All => true,
            Criteria::Any(cs) => cs.iter().any(|c| c.holds(a)),
            Criteria::Every(cs) => cs.iter().all(|c| c.holds(a)),
        }
    }
}

fn compile_condition(c: &config::Condition, path: &str, problems: &mut Vec<Problem>) -> Option<Cond> {
    use Field::*;
    let field = match c.field.as_str() {
        "message" => Message,
        "alias" => Alias,
        "description" => Description,
        "source" => Source,
        "entity" => Entity,
        "teams" => Teams,
        "tags" => Tags,
        "actions" => Actions,
        "recipients" => Recipients,
        "responders" => Responders,
        "details" | "extra-properties" => Details,
        "priority" => Priority,
        other => {
            problems.push(Problem::new(format!("{path}.field"), format!("unknown field {other:?}")));
            return None;
        }
    };
    let v = c.expected_value.clone().unwrap_or_default();
    // With a key, a details condition looks at one value: a string field (Opsgenie's
    // `extra-properties` + `key` + `equals`, as Terraform's provider sends it).
    let keyed = field == Details && c.key.as_deref().is_some_and(|k| !k.is_empty());
    let text_ops = keyed || matches!(field, Message | Alias | Description | Source | Entity | Teams);
    let list_ops = matches!(field, Tags | Actions | Recipients | Responders);
    let bad = |problems: &mut Vec<Problem>| {
        problems.push(Problem::new(
            format!("{path}.operation"),
            format!("operation {:?} is not allowed on field {:?}", c.operation, c.field),
        ));
        None
    };
    let op = match (c.operation.as_str(), field) {
        ("is-empty", f) if f != Priority => Op::IsEmpty,
        ("contains", f) if f != Priority => Op::Contains(v),
        ("matches", _) if text_ops || list_ops => match regex_lite::Regex::new(&format!("^(?:{v})$")) {
            Ok(r) => Op::Matches(r),
            Err(e) => {
                problems
                    .push(Problem::new(format!("{path}.expectedValue"), format!("invalid regular expression: {e}")));
                return None;
            }
        },
        ("equals", _) if text_ops => Op::Equals(v),
        ("starts-with", _) if text_ops => Op::StartsWith(v),
        ("ends-with", _) if text_ops => Op::EndsWith(v),
        ("equals-ignore-whitespace", _) if text_ops => Op::EqualsIgnoreWhitespace(v),
        ("contains-key", Details) if !keyed => Op::ContainsKey(v),
        ("contains-value", Details) if !keyed => Op::ContainsValue(v),
        ("equals" | "greater-than" | "less-than", Priority) => {
            let Some(p) = parse_priority(&v) else {
                problems.push(Problem::new(format!("{path}.expectedValue"), format!("expected P1 to P5, found {v:?}")));
                return None;
            };
            match c.operation.as_str() {
                "equals" => Op::PriorityEquals(p),
                "greater-than" => Op::GreaterThan(p),
                _ => Op::LessThan(p),
            }
        }
        _ => return bad(problems),
    };
    Some(Cond { field, key: c.key.clone(), not: c.not.unwrap_or(false), op })
}

impl Cond {
    fn holds(&self, a: &AlertFields) -> bool {
        self.test(a) != self.not
    }

    fn test(&self, a: &AlertFields) -> bool {
        let text = |s: &str| match &self.op {
            Op::Contains(v) => s.contains(v.as_str()),
            Op::IsEmpty => s.is_empty(),
            Op::Matches(r) => r.is_match(s),
            Op::Equals(v) => s == v,
            Op::StartsWith(v) => s.starts_with(v.as_str()),
            Op::EndsWith(v) => s.ends_with(v.as_str()),
            Op::EqualsIgnoreWhitespace(v) => strip_ws(s) == strip_ws(v),
            _ => false,
        };
        let list = |l: &[String]| match &self.op {
            Op::Contains(v) => l.iter().any(|x| x == v),
            Op::IsEmpty => l.is_empty(),
            Op::Matches(r) => l.iter().any(|x| r.is_match(x)),
            _ => l.iter().any(|x| text(x)),
        };
        match self.field {
            Field::Message => text(&a.message),
            Field::Alias => text(&a.alias),
            Field::Description => text(&a.description),
            Field::Source => text(&a.source),
            Field::Entity => text(&a.entity),
            Field::Teams => list(&a.teams),
            Field::Tags => list(&a.tags),
            Field::Actions => list(&a.actions),
            Field::Recipients => list(&a.recipients),
            Field::Responders => list(&a.responders),
            Field::Details if self.key.as_deref().is_some_and(|k| !k.is_empty()) => {
                text(self.key.as_deref().and_then(|k| a.details.get(k)).map_or("", String::as_str))
            }
            Field::Details => match &self.op {
                Op::IsEmpty => a.details.is_empty(),
                Op::ContainsKey(k) => a.details.contains_key(k),
                Op::ContainsValue(v) => a.details.values().any(|x| x == v),
                Op::Contains(v) => match &self.key {
                    Some(k) => a.details.get(k).is_some_and(|x| x.contains(v.as_str())),
                    None => a.details.iter().any(|(k, x)| k.contains(v.as_str()) || x.contains(v.as_str())),
                },
                _ => false,
            },
            Field::Priority => match self.op {
                Op::PriorityEquals(p) => a.priority == p,
                Op::GreaterThan(p) => a.priority < p,
                Op::LessThan(p) => a.priority > p,
                _ => false,
            },
        }
    }
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(json: &str) -> (Criteria, Vec<Problem>) {
        let c: config::Criteria = serde_json::from_str(json).unwrap();
        let mut p = Vec::new();
        (Criteria::compile(Some(&c), "c", &mut p), p)
    }

    #[test]
    fn priority_and_tags() {
        let (c, p) = crit(
            r#"{"type":"match-all-conditions","conditions":[
            {"field":"priority","operation":"greater-than","expectedValue":"P3"},
            {"field":"tags","operation":"contains","expectedValue":"db"}]}"#,
        );
        assert!(p.is_empty());
        let mut a = AlertFields::empty();
        a.priority = 2;
        a.tags = vec!["db".into()];
        assert!(c.matches(&a));
        a.priority = 3;
        assert!(!c.matches(&a));
    }

    #[test]
    fn not_and_matches_and_empty_alert() {
        let (c, _) = crit(
            r#"{"type":"match-any-condition","conditions":[{"field":"message","operation":"matches","expectedValue":"disk.*","not":true}]}"#,
        );
        assert!(c.matches(&AlertFields::empty()));
        assert_eq!(EMPTY_ALERT, AlertFields::empty());
        let mut a = AlertFields::empty();
        a.message = "disk full".into();
        assert!(!c.matches(&a));
    }

    #[test]
    fn perl_classes_are_ascii() {
        let (c, p) = crit(
            r#"{"type":"match-all-conditions","conditions":[{"field":"message","operation":"matches","expectedValue":"disk \\d+% on \\w+[\\d-]*\\s*\\bfull\\b\\\\d"}]}"#,
        );
        assert!(p.is_empty(), "{p:?}");
        let mut a = AlertFields::empty();
        a.message = "disk 93% on db.1 full\\d".into();
        assert!(!c.matches(&a), "a dot is neither \\w nor \\d");
        a.message = "disk 93% on db1-2 full\\d".into();
        assert!(c.matches(&a));
        a.message = "disk ٩٣% on db1 full\\d".into();
        assert!(!c.matches(&a), "Arabic-Indic digits are not \\d");
        a.message = "disk 93% on dé1 full\\d".into();
        assert!(!c.matches(&a), "é is not \\w");
    }

    #[test]
    fn dot_and_literals_work_on_characters() {
        let (c, p) = crit(
            r#"{"type":"match-all-conditions","conditions":[{"field":"message","operation":"matches","expectedValue":"caf. (?i:down) 9.%"}]}"#,
        );
        assert!(p.is_empty(), "{p:?}");
        let mut a = AlertFields::empty();
        a.message = "café DOWN 95%".into();
        assert!(c.matches(&a), "a dot matches one character, é included");
    }

    #[test]
    fn extra_properties_with_a_key_compare_that_value() {
        let (c, p) = crit(
            r#"{"type":"match-all-conditions","conditions":[
            {"field":"extra-properties","key":"env","operation":"equals","expectedValue":"prod"},
            {"field":"extra-properties","key":"team","not":true,"operation":"starts-with","expectedValue":"db"}]}"#,
        );
        assert!(p.is_empty(), "{p:?}");
        let mut a = AlertFields::empty();
        assert!(!c.matches(&a), "an absent key is an empty value");
        a.details.insert("env".into(), "prod".into());
        assert!(c.matches(&a));
        a.details.insert("team".into(), "dba".into());
        assert!(!c.matches(&a));
        a.details.insert("env".into(), "production".into());
        a.details.remove("team");
        assert!(!c.matches(&a), "equals is the whole value");
        let (_, p) = crit(
            r#"{"type":"match-all","conditions":[{"field":"extra-properties","key":"env","operation":"contains-key","expectedValue":"x"}]}"#,
        );
        assert_eq!(p.len(), 1, "contains-key needs no key: {p:?}");
    }

    #[test]
    fn problems_are_reported_with_paths() {
        let (_, p) = crit(
            r#"{"type":"match-any-condition","conditions":[
            {"field":"priority","operation":"contains","expectedValue":"P1"},
            {"field":"colour","operation":"equals"},
            {"field":"message","operation":"matches","expectedValue":"("}]}"#,
        );
        let paths: Vec<_> = p.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["c.conditions[0].operation", "c.conditions[1].field", "c.conditions[2].expectedValue"]);
    }
}
