//! The one error type of the crate.

use std::fmt;

/// A problem in the input, with the path of the place it was found.
///
/// The path uses the document's own field names, with array indices in brackets:
/// `schedules[0].rotations[2].length`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Where the problem is, e.g. `schedules[0].rotations[1].participants`.
    pub path: String,
    /// What was expected, e.g. `must not be empty`.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
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
    /// The problems of an [`Error::Invalid`], or an empty slice for other errors.
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p) => p,
            _ => &[],
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(vec![Problem::new(path, message)])
    }
}

/// ` (line L, column C)` when both are known.
fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        _ => String::new(),
    }
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
