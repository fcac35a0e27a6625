//! Every bound on the cost of a document or a query, in one place.
//!
//! The engine is embedded by services that load documents their own users write, and it runs
//! inside browser tabs, so no input may take unbounded time or memory. Each limit below is
//! enforced in the core (the CLI, the WebAssembly package and every embedding get it), and
//! crossing one is a typed error that names the limit (its camelCase name, e.g. `maxExpansion`)
//! and the input path or query argument it is about:
//!
//! ```text
//! teams[3].routingRules[0].notify: expanding this reference reaches more than 10000 participants (limit maxExpansion)
//! ```
//!
//! [`Limits::default`] is safe for untrusted input; embedders tighten or loosen it with
//! [`Config::from_json_with_limits`](crate::Config::from_json_with_limits) and friends.
//!
//! | limit | default | what it bounds |
//! |---|---:|---|
//! | `maxInputBytes` | 64 MiB | the document's text; for YAML also the text after alias expansion |
//! | `maxDepth` | 64 | nesting of objects and lists in the document |
//! | `maxNameBytes` | 1 024 | any string of the document that is not free text (names, usernames, ids, aliases, zones, dates, enum values) and every object key |
//! | `maxTextBytes` | 65 536 | a free-text field of the document: `description`, `expectedValue`, `recurrence`, a holiday calendar's `ics` |
//! | `maxListLen` | 100 000 | the items of any one list, or the keys of any one object, in the document |
//! | `maxErrors` | 100 | problems of an invalid document reported in full; the rest are counted (`… and 1 234 more errors`) |
//! | `maxExpansion` | 10 000 | participants created by expanding the team, escalation and schedule references of one answer |
//! | `maxTimelinePeriods` | 100 000 | periods of one timeline answer (every layer and the final schedule), and boundaries walked for it |
//! | `maxOutputBytes` | 64 MiB | bytes of one answer as compact JSON (timeline, hand-offs, escalation), counted before or while it is built |
//! | `maxIcsBytes` | 64 MiB | bytes of one ICS calendar |
//! | `nextHorizonDays` | 3 660 | how far next-on-call walks before answering how far it searched (`searchedUntil`) |
//! | `maxReportDays` | 3 660 | the window of one report |
//! | `maxRecurrenceWork` | 1 000 000 | occurrences of a custom RRULE expanded beyond those already cached to answer a question at an instant, or to reach the `effective` of a rotation's roster changes (a plain `FREQ`/`INTERVAL` rule seeks by arithmetic instead) |
//! | `maxEscalationSteps` | 100 000 | steps (rule firings, notification steps, repeats, …) scheduled by one escalation timeline |
//! | `maxAlertEvents` | 1 000 | events (acknowledge, close, note, snooze, …) of the alert given to one escalation timeline |
//! | `maxNotifications` | 10 000 | notifications sent in one escalation timeline |
//! | `maxRosterChanges` | 1 000 | dated versions (`changes`) of one rotation |
//! | `maxPayRates` | 1 000 | rates of one pay rule (the pay of a shift costs its days times its rule's rates) |
//! | `maxTimeOffShifts` | 100 000 | shifts of the document's rotations that their participants' time off and holidays overlap, all rotations together, examined when the document is compiled |

/// Bounds on the cost of documents and queries; see the [module docs](self) for the table.
///
/// # Example
///
/// ```
/// use oncall_core::Limits;
/// let strict = Limits { max_input_bytes: 1 << 20, ..Limits::default() };
/// assert_eq!(strict.max_expansion, Limits::default().max_expansion);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `maxInputBytes`: the document's text in bytes (for YAML, also after alias expansion).
    pub max_input_bytes: usize,
    /// `maxDepth`: nesting of objects and lists in the document.
    pub max_depth: usize,
    /// `maxNameBytes`: bytes of any string of the document that is not free text, and of every
    /// object key.
    pub max_name_bytes: usize,
    /// `maxTextBytes`: bytes of a free-text field ([`TEXT_FIELDS`](crate::config::TEXT_FIELDS)).
    pub max_text_bytes: usize,
    /// `maxListLen`: items of any one list, or keys of any one object, in the document.
    pub max_list_len: usize,
    /// `maxErrors`: problems reported in full; the rest are counted.
    pub max_errors: usize,
    /// `maxExpansion`: participants reached by expanding one team or escalation reference
    /// (a shared sub-graph counted once per path that reaches it); also the size, in entries,
    /// users and path nodes, of what one flat expansion remembers of shared walks.
    pub max_expansion: usize,
    /// `maxTimelinePeriods`: periods of one timeline answer.
    pub max_timeline_periods: usize,
    /// `maxOutputBytes`: bytes of one rendered answer.
    pub max_output_bytes: usize,
    /// `maxIcsBytes`: bytes of one ICS calendar.
    pub max_ics_bytes: usize,
    /// `nextHorizonDays`: days next-on-call searches ahead before answering that it searched
    /// that far without finding a change.
    pub next_horizon_days: i64,
    /// `maxReportDays`: days in the window of one report.
    pub max_report_days: i64,
    /// `maxRecurrenceWork`: occurrences of a custom RRULE expanded, beyond those already
    /// cached, to answer one question at its instant.
    pub max_recurrence_work: usize,
    /// `maxEscalationSteps`: steps (rule firings, notification steps, …) one escalation
    /// timeline schedules.
    pub max_escalation_steps: usize,
    /// `maxAlertEvents`: events of the alert given to one escalation timeline.
    pub max_alert_events: usize,
    /// `maxNotifications`: notifications one escalation timeline sends.
    pub max_notifications: usize,
    /// `maxRosterChanges`: dated versions (`changes`) of one rotation.
    pub max_roster_changes: usize,
    /// `maxPayRates`: rates of one pay rule.
    pub max_pay_rates: usize,
    /// `maxTimeOffShifts`: shifts of the document's rotations (all together) that their
    /// participants' time off overlaps, examined (and the changed ones kept) when compiling.
    pub max_time_off_shifts: usize,
}

impl Limits {
    /// The defaults: safe for untrusted documents and queries.
    pub const DEFAULT: Limits = Limits {
        max_input_bytes: 64 << 20,
        max_depth: 64,
        max_name_bytes: 1024,
        max_text_bytes: 64 << 10,
        max_list_len: 100_000,
        max_errors: 100,
        max_expansion: 10_000,
        max_timeline_periods: 100_000,
        max_output_bytes: 64 << 20,
        max_ics_bytes: 64 << 20,
        next_horizon_days: 3_660,
        max_report_days: 3_660,
        max_recurrence_work: 1_000_000,
        max_escalation_steps: 100_000,
        max_alert_events: 1_000,
        max_notifications: 10_000,
        max_roster_changes: 1_000,
        max_pay_rates: 1_000,
        max_time_off_shifts: 100_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
