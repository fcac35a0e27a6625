//! The one error type of the crate.

use std::fmt;

/// A problem in the input, with the path of the place it was found.
///
/// The path uses the document's own field names, with array indices in brackets:
/// `schedules[0].rotations[2].length`.
///
/// A problem found in a YAML document also carries the line and column (both counted from 1)
/// of the node it is about; its [`Display`](fmt::Display) ends with `(line L, column C)`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Where the problem is, e.g. `schedules[0].rotations[1].participants`.
    pub path: String,
    /// What was expected, e.g. `must not be empty`.
    pub message: String,
    /// The line (from 1) of the place in a YAML or JSON text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The column (from 1) of the place in a YAML or JSON text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
}

impl Problem {
    /// A problem at `path` (empty for the whole document), without a text position.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::Problem;
    /// let p = Problem::new("schedules[0].name", "must not be empty");
    /// assert_eq!(p.to_string(), "schedules[0].name: must not be empty");
    /// assert_eq!(p.at(3, 9).to_string(), "schedules[0].name: must not be empty (line 3, column 9)");
    /// ```
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { path: path.into(), message: message.into(), line: None, column: None }
    }

    /// The same problem, placed at `line` and `column` (both from 1) of the input text.
    pub fn at(self, line: u64, column: u64) -> Self {
        Problem { line: Some(line), column: Some(column), ..self }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in `oncall-core`.
///
/// No input, however malformed, makes the library panic: every failure is one of these, and
/// every variant names the place in the input it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration document is invalid. Holds every problem found, not only the first.
    #[error("{}", ProblemList(.0))]
    Invalid(Vec<Problem>),
    /// The document is invalid and has more problems than the limit `maxErrors`
    /// ([`Limits::max_errors`](crate::Limits::max_errors)): the first ones are kept in full,
    /// the rest only counted. Displayed like [`Error::Invalid`], then `… and 1 234 more errors`.
    #[error("{}\n{}", ProblemList(.problems), more_line(*.more))]
    TooManyProblems {
        /// The first `maxErrors` problems.
        problems: Vec<Problem>,
        /// How many more were found and not kept.
        more: usize,
    },
    /// No schedule of that name.
    #[error("schedule {name:?} not found")]
    UnknownSchedule {
        /// The name asked for.
        name: String,
    },
    /// No rotation of that name in the schedule.
    #[error("schedule {schedule:?} has no rotation {name:?}")]
    UnknownRotation {
        /// The schedule searched.
        schedule: String,
        /// The rotation asked for.
        name: String,
    },
    /// A time given to a query could not be read or is out of range.
    #[error("{what}: {message}")]
    InvalidTime {
        /// Which argument, e.g. `at` or `from`.
        what: String,
        /// Why it was refused.
        message: String,
    },
    /// A query argument other than a time is wrong (an empty window, a zero count).
    #[error("{what}: {message}")]
    InvalidArgument {
        /// Which argument.
        what: String,
        /// Why it was refused.
        message: String,
    },
    /// The answer would exceed a documented size limit.
    #[error("{what} would exceed the limit of {limit} {unit}; ask for a shorter window or use the streaming API")]
    TooLarge {
        /// What was asked for.
        what: String,
        /// The limit.
        limit: usize,
        /// What the limit counts.
        unit: &'static str,
    },
    /// Reading the document or answering a query crossed one of the [`Limits`](crate::Limits).
    /// Displayed as `users[3].username: 2000000 bytes, more than 1024 (limit maxNameBytes)` or
    /// `teams[3]: expanding this reference reaches more than 10000 participants (limit
    /// maxExpansion)`.
    #[error("{}{message} (limit {limit}){}", if path.is_empty() { String::new() } else { format!("{path}: ") }, position(*.line, *.column))]
    LimitExceeded {
        /// The limit's camelCase name, e.g. `maxNameBytes`.
        limit: &'static str,
        /// Where in the document, or the query argument (`to`, `count`); empty for the whole
        /// document.
        path: String,
        /// What was found, e.g. `2000000 bytes, more than 1024`.
        message: String,
        /// The line (from 1) in a YAML text, when known.
        line: Option<u64>,
        /// The column (from 1) in a YAML text, when known.
        column: Option<u64>,
    },
    /// No team, escalation or user of that name (or id).
    #[error("{kind} {name:?} not found")]
    UnknownTarget {
        /// `team`, `escalation` or `user`.
        kind: String,
        /// The name asked for.
        name: String,
    },
    /// No alert with that identifier in the alert book.
    #[error("no alert with {identifier}")]
    UnknownAlert {
        /// The identifier, e.g. `alias "disk-db1"`.
        identifier: String,
    },
    /// An alert action that its state does not allow (acknowledging a closed alert). Nothing
    /// was changed.
    #[error("cannot {action} alert {alert}: {message}")]
    InvalidTransition {
        /// The alert's tiny id.
        alert: String,
        /// The action, e.g. `acknowledge`.
        action: String,
        /// Why, e.g. `the alert is closed`.
        message: String,
    },
}

impl Error {
    /// The problems of an [`Error::Invalid`] or [`Error::TooManyProblems`], or an empty slice
    /// for other errors.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p) | Error::TooManyProblems { problems: p, .. } => p,
            _ => &[],
        }
    }

    /// How many problems were found beyond those [`Error::problems`] holds (the `maxErrors`
    /// limit); 0 for every other error.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::{Config, Limits};
    /// let doc = r#"{"schedules": [{"name": 1}, {"name": 2}, {"name": 3}]}"#;
    /// let err = Config::from_json_with_limits(doc, Limits { max_errors: 1, ..Limits::default() }).unwrap_err();
    /// assert_eq!((err.problems().len(), err.more_problems()), (1, 2));
    /// assert!(err.to_string().ends_with("\n… and 2 more errors"), "{err}");
    /// ```
    pub fn more_problems(&self) -> usize {
        match self {
            Error::TooManyProblems { more, .. } => *more,
            _ => 0,
        }
    }

    /// The problems of a document error as a list, whatever its variant: the problems of
    /// [`Error::Invalid`] and [`Error::TooManyProblems`] (followed by one `… and N more errors`
    /// problem with an empty path when some were only counted), the one place of an
    /// [`Error::LimitExceeded`] (its message naming the limit), or the error's text with an
    /// empty path.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::Config;
    /// let err = Config::from_json(r#"{"schedules": [{"name": "s", "timezone": "Mars/Base"}]}"#).unwrap_err();
    /// assert_eq!(err.to_problems()[0].path, "schedules[0].timezone");
    /// ```
    pub fn to_problems(&self) -> Vec<Problem> {
        match self {
            Error::Invalid(p) => p.clone(),
            Error::TooManyProblems { problems, more } => {
                let mut list = problems.clone();
                list.push(Problem::new("", more_line(*more)));
                list
            }
            Error::LimitExceeded { limit, path, message, line, column } => {
                vec![Problem {
                    path: path.clone(),
                    message: format!("{message} (limit {limit})"),
                    line: *line,
                    column: *column,
                }]
            }
            other => vec![Problem::new("", other.to_string())],
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(vec![Problem::new(path, message)])
    }
}

/// `… and 1 234 more errors`.
fn more_line(more: usize) -> String {
    format!("… and {} more {}", group_digits(more), if more == 1 { "error" } else { "errors" })
}

/// ` (line L, column C)` when both are known.
fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        _ => String::new(),
    }
}

/// `1234567` as `1 234 567` (groups of three digits, as the README writes numbers).
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
