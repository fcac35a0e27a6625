//! The alert list's query, sort and paging (Opsgenie's `GET /v2/alerts` and `/count`), as far
//! as they are served.
//!
//! **Query.** Opsgenie's basic search syntax: terms `field:value` (or `field=value`; a value may
//! be quoted, `tag:"db 1"`) joined by whitespace or `AND`. `OR`, `NOT`, parentheses and free text
//! are refused with an error naming `query`. Fields ([`Field`]) and how each compares
//! ([`Term::test`]):
//!
//! | field | matches when |
//! |---|---|
//! | `status` | `open` or `closed`, case-insensitive |
//! | `acknowledged`, `snoozed` | `true` or `false`, case-insensitive (another value matches nothing) |
//! | `priority` | `P1` … `P5`, case-insensitive |
//! | `message` | the value is a substring of the message, case-insensitive |
//! | `tag` (or `tags`) | the alert has exactly this tag |
//! | `alias`, `owner`, `source`, `entity`, `tinyId`, `id` | exactly equal |
//!
//! A term's comparison is on the alert's [`Row`]: the values a service stores beside an alert
//! (normalised: message lower-cased), so it can run the same test in SQL (`Test::Equals` as `=`,
//! `Test::Contains` as a substring test, `Test::Tag` as membership in the alert's tags).
//!
//! **Sort** ([`Sort`]): `createdAt` (default), `updatedAt`, `tinyId`, `alias`, `message`,
//! `status`, `acknowledged`, `snoozed`, `count`, `lastOccurredAt`, `owner`, `priority`; `order`
//! `desc` (default) or `asc`. Texts compare by bytes, `false` before `true`, `closed` before
//! `open`, no owner before any owner; ties are broken by tiny id in the same order.
//!
//! **Paging.** `offset` (default 0) and `limit` (1 to [`MAX_LIMIT`], default 20) with
//! `offset + limit` at most [`MAX_WINDOW`] (Opsgenie's).

use crate::alert::AlertState;
use crate::error::{Error, Problem, Result};

/// `limit` of a list: at most 100 (Opsgenie's), default 20.
pub const MAX_LIMIT: usize = 100;
/// `offset + limit` of a list: at most 20 000 (Opsgenie's).
pub const MAX_WINDOW: usize = 20_000;
/// `query` of a list or count: at most this many characters.
pub const MAX_QUERY_CHARS: usize = 2_000;

/// A field a query may test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `status`.
    Status,
    /// `acknowledged`.
    Acknowledged,
    /// `snoozed`.
    Snoozed,
    /// `alias`.
    Alias,
    /// `tag` or `tags`.
    Tag,
    /// `priority`.
    Priority,
    /// `owner`.
    Owner,
    /// `source`.
    Source,
    /// `entity`.
    Entity,
    /// `message`.
    Message,
    /// `tinyId`.
    TinyId,
    /// `id`.
    Id,
}

/// The field names a query may use, in the order error messages list them.
pub const QUERY_FIELDS: &[(&str, Field)] = &[
    ("status", Field::Status),
    ("acknowledged", Field::Acknowledged),
    ("snoozed", Field::Snoozed),
    ("alias", Field::Alias),
    ("tag", Field::Tag),
    ("tags", Field::Tag),
    ("priority", Field::Priority),
    ("owner", Field::Owner),
    ("source", Field::Source),
    ("entity", Field::Entity),
    ("message", Field::Message),
    ("tinyId", Field::TinyId),
    ("id", Field::Id),
];

/// One term of a query: `field:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The field.
    pub field: Field,
    /// The value as written (quotes removed).
    pub value: String,
}

/// How a term compares, on normalised values (see [`Row`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// The field's value equals this one.
    Equals(Field, String),
    /// The field's value is this boolean; `None`: the term matches nothing.
    Is(Field, Option<bool>),
    /// The (lower-cased) field's value contains this (lower-cased) text.
    Contains(Field, String),
    /// The alert has this tag.
    Tag(String),
}

impl Term {
    /// The comparison this term stands for, its value normalised as [`Row`] stores the field.
    ///
    /// ```
    /// use oncall_core::alert_query::{Field, Term, Test};
    /// let t = Term { field: Field::Priority, value: "p1".into() };
    /// assert_eq!(t.test(), Test::Equals(Field::Priority, "P1".into()));
    /// ```
    pub fn test(&self) -> Test {
        let v = &self.value;
        let boolean = || {
            if v.eq_ignore_ascii_case("true") {
                Some(true)
            } else if v.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        };
        match self.field {
            Field::Status => Test::Equals(Field::Status, v.to_ascii_lowercase()),
            Field::Acknowledged | Field::Snoozed => Test::Is(self.field, boolean()),
            Field::Priority => Test::Equals(Field::Priority, v.to_ascii_uppercase()),
            Field::Message => Test::Contains(Field::Message, v.to_lowercase()),
            Field::Tag => Test::Tag(v.clone()),
            f => Test::Equals(f, v.clone()),
        }
    }

    /// Whether an alert's row matches this term.
    pub fn matches(&self, row: &Row) -> bool {
        match self.test() {
            Test::Equals(f, v) => row.text(f) == Some(v.as_str()),
            Test::Is(f, v) => v.is_some() && row.flag(f) == v,
            Test::Contains(f, v) => row.text(f).is_some_and(|x| x.contains(&v)),
            Test::Tag(t) => row.tags.contains(&t),
        }
    }
}

/// The values of an alert that queries test and lists sort by, normalised: what a service
/// stores beside each alert (and updates with each of its events) so that it can list and
/// count in its database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `alert-N`.
    pub id: String,
    /// `N`.
    pub tiny_id: String,
    /// The alias.
    pub alias: String,
    /// `open` or `closed`.
    pub status: &'static str,
    /// Acknowledged.
    pub acknowledged: bool,
    /// Snoozed.
    pub snoozed: bool,
    /// `P1` … `P5`.
    pub priority: String,
    /// The owner, `""` for none.
    pub owner: String,
    /// The source, if any.
    pub source: Option<String>,
    /// The entity, if any.
    pub entity: Option<String>,
    /// The message lower-cased (what `message:` searches).
    pub message_lower: String,
    /// The tags (duplicates removed, in order).
    pub tags: Vec<String>,
}

impl Row {
    /// The row of an alert's state.
    pub fn of(s: &AlertState) -> Row {
        let mut tags: Vec<String> = Vec::new();
        for t in &s.tags {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        Row {
            id: s.id.clone(),
            tiny_id: s.tiny_id.clone(),
            alias: s.alias.clone(),
            status: if s.is_open() { "open" } else { "closed" },
            acknowledged: s.acknowledged,
            snoozed: s.snoozed,
            priority: s.priority.clone(),
            owner: s.owner.clone().unwrap_or_default(),
            source: s.alert.source.clone(),
            entity: s.alert.entity.clone(),
            message_lower: s.message.to_lowercase(),
            tags,
        }
    }

    /// A text field's value (`None` for an absent source or entity, and for the flags).
    pub fn text(&self, f: Field) -> Option<&str> {
        match f {
            Field::Status => Some(self.status),
            Field::Alias => Some(&self.alias),
            Field::Priority => Some(&self.priority),
            Field::Owner => Some(&self.owner),
            Field::Source => self.source.as_deref(),
            Field::Entity => self.entity.as_deref(),
            Field::Message => Some(&self.message_lower),
            Field::TinyId => Some(&self.tiny_id),
            Field::Id => Some(&self.id),
            Field::Acknowledged | Field::Snoozed | Field::Tag => None,
        }
    }

    /// A boolean field's value.
    pub fn flag(&self, f: Field) -> Option<bool> {
        match f {
            Field::Acknowledged => Some(self.acknowledged),
            Field::Snoozed => Some(self.snoozed),
            _ => None,
        }
    }
}

fn bad(what: &str, message: impl Into<String>) -> Error {
    Error::InvalidArgument { what: what.into(), message: message.into() }
}

/// Parses a query (see the [module docs](self)); an error names `query`.
///
/// ```
/// use oncall_core::alert_query::{parse_query, Field};
/// let t = parse_query("status:open AND tag:\"db 1\"")?;
/// assert_eq!((t[1].field, t[1].value.as_str()), (Field::Tag, "db 1"));
/// assert!(parse_query("status:open OR status:closed").is_err());
/// # Ok::<(), oncall_core::Error>(())
/// ```
pub fn parse_query(q: &str) -> Result<Vec<Term>> {
    let fail = |m: String| bad("query", m);
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(fail(format!("at most {MAX_QUERY_CHARS} characters")));
    }
    let mut terms = Vec::new();
    let mut chars = q.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut word = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c == '"' {
                quoted = !quoted;
                chars.next();
                continue;
            }
            if c.is_whitespace() && !quoted {
                break;
            }
            word.push(c);
            chars.next();
        }
        if quoted {
            return Err(fail("an unterminated quote".into()));
        }
        match word.as_str() {
            "AND" | "and" => continue,
            "OR" | "or" | "NOT" | "not" => {
                return Err(fail(format!("{word} is not supported (terms are joined by AND)")));
            }
            _ => {}
        }
        if word.starts_with('(') || word.ends_with(')') {
            return Err(fail("parentheses are not supported".into()));
        }
        let Some(i) = word.find([':', '=']) else {
            return Err(fail(format!("expected field:value, found {word:?} (free-text search is not supported)")));
        };
        let (name, value) = (&word[..i], &word[i + 1..]);
        let Some(&(_, field)) = QUERY_FIELDS.iter().find(|(n, _)| *n == name) else {
            let known: Vec<&str> = QUERY_FIELDS.iter().map(|(n, _)| *n).collect();
            return Err(fail(format!("unsupported field {name:?} (supported: {})", known.join(", "))));
        };
        terms.push(Term { field, value: value.to_string() });
    }
    Ok(terms)
}

/// What a list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
    /// `tinyId`.
    TinyId,
    /// `alias`.
    Alias,
    /// `message` (as written, not lower-cased).
    Message,
    /// `status`: closed before open.
    Status,
    /// `acknowledged`.
    Acknowledged,
    /// `snoozed`.
    Snoozed,
    /// `count`.
    Count,
    /// `lastOccurredAt`.
    LastOccurredAt,
    /// `owner`: no owner first.
    Owner,
    /// `priority`.
    Priority,
}

/// The sort field names.
pub const SORT_FIELDS: &[(&str, Sort)] = &[
    ("createdAt", Sort::CreatedAt),
    ("updatedAt", Sort::UpdatedAt),
    ("tinyId", Sort::TinyId),
    ("alias", Sort::Alias),
    ("message", Sort::Message),
    ("status", Sort::Status),
    ("acknowledged", Sort::Acknowledged),
    ("snoozed", Sort::Snoozed),
    ("count", Sort::Count),
    ("lastOccurredAt", Sort::LastOccurredAt),
    ("owner", Sort::Owner),
    ("priority", Sort::Priority),
];

impl Sort {
    /// The field's name.
    pub fn name(self) -> &'static str {
        SORT_FIELDS.iter().find(|(_, s)| *s == self).map_or("createdAt", |(n, _)| n)
    }
}

/// A list or count request, read from its query parameters (all optional, as given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams<'a> {
    /// `query`.
    pub query: Option<&'a str>,
    /// `status` (`open` or `closed`: a `status` term more).
    pub status: Option<&'a str>,
    /// `offset`.
    pub offset: Option<&'a str>,
    /// `limit`.
    pub limit: Option<&'a str>,
    /// `sort`.
    pub sort: Option<&'a str>,
    /// `order`.
    pub order: Option<&'a str>,
}

/// A checked list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// Every term must match.
    pub terms: Vec<Term>,
    /// Rows skipped.
    pub offset: usize,
    /// Rows returned at most.
    pub limit: usize,
    /// The sort field.
    pub sort: Sort,
    /// Descending.
    pub desc: bool,
}

impl List {
    /// Reads and checks a list (or count) request: every problem is reported, each naming its
    /// parameter (`limit: from 1 to 100`).
    ///
    /// ```
    /// use oncall_core::alert_query::{List, ListParams, Sort};
    /// let l = List::read(&ListParams { query: Some("priority:P1"), sort: Some("tinyId"), order: Some("asc"), ..Default::default() })?;
    /// assert_eq!((l.sort, l.desc, l.limit, l.terms.len()), (Sort::TinyId, false, 20, 1));
    /// let e = List::read(&ListParams { limit: Some("0"), sort: Some("bogus"), ..Default::default() }).unwrap_err();
    /// assert_eq!(e.problems().len(), 2);
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn read(p: &ListParams<'_>) -> Result<List> {
        let mut problems = Vec::new();
        let mut terms = match parse_query(p.query.unwrap_or("")) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem::new("query", query_message(&e)));
                Vec::new()
            }
        };
        if let Some(st) = p.status {
            if matches!(st, "open" | "closed") {
                terms.push(Term { field: Field::Status, value: st.to_string() });
            } else {
                problems.push(Problem::new("status", format!("expected open or closed, found {st:?}")));
            }
        }
        let mut num = |field: &str, v: Option<&str>, default: usize| match v {
            None => default,
            Some(x) => x.parse::<usize>().unwrap_or_else(|_| {
                problems.push(Problem::new(field, format!("expected a whole number, found {x:?}")));
                default
            }),
        };
        let offset = num("offset", p.offset, 0);
        let limit = num("limit", p.limit, 20);
        if limit == 0 || limit > MAX_LIMIT {
            problems.push(Problem::new("limit", format!("from 1 to {MAX_LIMIT}")));
        }
        if offset.saturating_add(limit) > MAX_WINDOW {
            problems.push(Problem::new("offset", format!("offset + limit at most {MAX_WINDOW}")));
        }
        let sort = match p.sort {
            None => Sort::CreatedAt,
            Some(s) => SORT_FIELDS.iter().find(|(n, _)| *n == s).map(|(_, x)| *x).unwrap_or_else(|| {
                let names: Vec<&str> = SORT_FIELDS.iter().map(|(n, _)| *n).collect();
                problems.push(Problem::new("sort", format!("expected one of {}", names.join(", "))));
                Sort::CreatedAt
            }),
        };
        let desc = match p.order.unwrap_or("desc") {
            "desc" => true,
            "asc" => false,
            other => {
                problems.push(Problem::new("order", format!("expected asc or desc, found {other:?}")));
                true
            }
        };
        if problems.is_empty() { Ok(List { terms, offset, limit, sort, desc }) } else { Err(Error::Invalid(problems)) }
    }

    /// Whether a row matches every term.
    pub fn matches(&self, row: &Row) -> bool {
        self.terms.iter().all(|t| t.matches(row))
    }

    /// Whether the terms ask for open alerts only.
    pub fn open_only(&self) -> bool {
        self.terms.iter().any(|t| t.test() == Test::Equals(Field::Status, "open".into()))
    }
}

fn query_message(e: &Error) -> String {
    match e {
        Error::InvalidArgument { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{Action, Alert, AlertState};

    fn state() -> AlertState {
        let mut a = Alert::new("Disk FULL on db1");
        a.tags = vec!["db".into(), "db".into(), "prod".into()];
        a.priority = Some("P2".into());
        a.source = Some("prom".into());
        let at = "2026-11-10T10:00:00Z".parse().unwrap();
        let mut s = AlertState::replay(3, a, at, &[], at).unwrap();
        s.apply(at, &Action::Acknowledge { user: Some("ann".into()) }).unwrap();
        s
    }

    fn m(q: &str) -> bool {
        let terms = parse_query(q).unwrap();
        let row = Row::of(&state());
        terms.iter().all(|t| t.matches(&row))
    }

    #[test]
    fn terms_compare_as_documented() {
        assert!(m("status:OPEN acknowledged:True snoozed:false"));
        assert!(m("priority:p2 AND tag:db AND tags:prod"));
        assert!(m("message:full message:\"disk full\""));
        assert!(m("tinyId:3 id:alert-3 alias:alert-3 owner:ann source:prom"));
        assert!(!m("acknowledged:yes"));
        assert!(!m("snoozed:yes"));
        assert!(!m("entity:x"));
        assert!(!m("owner:Ann"));
        assert!(!m("tag:DB"));
        assert!(m(""));
        assert_eq!(Row::of(&state()).tags, ["db", "prod"]);
    }

    #[test]
    fn unsupported_syntax_names_the_query() {
        for q in ["a OR b", "NOT x", "(status:open)", "hello", "color:red", "tag:\"x"] {
            let e = parse_query(q).unwrap_err();
            assert!(matches!(&e, Error::InvalidArgument { what, .. } if what == "query"), "{q}: {e}");
        }
        assert!(parse_query(&"a".repeat(MAX_QUERY_CHARS + 1)).is_err());
    }

    #[test]
    fn list_params_report_every_problem() {
        let p = ListParams {
            query: Some("x OR y"),
            status: Some("gone"),
            offset: Some("-1"),
            limit: Some("101"),
            sort: Some("nope"),
            order: Some("up"),
        };
        let e = List::read(&p).unwrap_err();
        let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["query", "status", "offset", "limit", "sort", "order"]);
        let e = List::read(&ListParams { offset: Some("19990"), limit: Some("20"), ..Default::default() }).unwrap_err();
        assert_eq!(e.to_string(), "offset: offset + limit at most 20000");
        let l = List::read(&ListParams { status: Some("open"), ..Default::default() }).unwrap();
        assert!(l.open_only() && l.desc && l.sort == Sort::CreatedAt);
        assert_eq!(Sort::LastOccurredAt.name(), "lastOccurredAt");
    }
}
