//! Compiling a [`Document`] into an immutable [`Config`] that answers queries.
//!
//! Compiling checks the meaning of every field and reports **every** problem with its path
//! (`schedules[0].rotations[1].participants: must not be empty`). It also resolves names to
//! indices, turns dates into instants, and precomputes the indices that make queries cheap.

use crate::config::{self, Document, NameRef, UserRef};
use crate::criteria::Criteria;
use crate::error::{Error, Problem, Result};
use crate::overrides::LatestWins;
use crate::recurrence::Recurrence;
use crate::restriction::Restriction;
use crate::roster::{Change, Rollout, Roster};
use crate::rotation::{Grid, Handoffs, Unit};
use crate::time::{Edge, MAX_INSTANT, Ts, parse_ts, parse_wall, parse_zone};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Seconds per unit of an Opsgenie `Duration` (`timeUnit`): `minutes` when absent, `hours`,
/// `days`, `seconds`, and the singular forms Terraform's provider writes (`minute`, `hour`,
/// `day`, `second`); `None` for anything else.
pub(crate) fn time_unit_secs(unit: Option<&str>) -> Option<i64> {
    match unit {
        None | Some("minutes" | "minute") => Some(60),
        Some("hours" | "hour") => Some(3600),
        Some("days" | "day") => Some(86_400),
        Some("seconds" | "second") => Some(1),
        Some(_) => None,
    }
}

/// The longest shift length accepted (in units of the rotation's type).
pub const MAX_LENGTH: i64 = 10_000;

#[derive(Debug)]
pub(crate) struct UserInfo {
    pub(crate) username: String,
    pub(crate) id: Option<String>,
    pub(crate) tz: Option<Tz>,
}

/// Who fills a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    User(usize),
    Team(usize),
    Escalation(usize),
    Nobody,
}

#[derive(Debug)]
pub(crate) struct CRotation {
    pub(crate) name: String,
    pub(crate) id: Option<String>,
    pub(crate) tz: Tz,
    pub(crate) priority: i64,
    /// The hand-offs and turns, across the roster's versions ([`crate::roster`]).
    pub(crate) handoffs: Roster,
    /// Every participant of every version, in order (for lints, reports and dependencies);
    /// who has a turn is [`CRotation::slot`].
    pub(crate) participants: Vec<Slot>,
    pub(crate) restriction: Restriction,
    /// Rotation-scoped overrides naming this rotation (owner = override index).
    pub(crate) overrides: LatestWins,
    /// Every participant is the same and time off changes no shift: hand-offs change nothing.
    pub(crate) uniform: bool,
    /// Time off and holidays: the shifts they change and the days the rotation is closed.
    pub(crate) time_off: crate::timeoff::Plan,
}

#[derive(Debug)]
pub(crate) struct COverride {
    /// None: nobody (see [`COverride::user`]).
    who: Option<u32>,
    /// The override's `alias`, for answers that say where someone comes from.
    pub(crate) alias: Option<Box<str>>,
    /// Its window `[start, end)`, for the lints.
    pub(crate) window: (Ts, Ts),
    /// The rotations it names (indices into the schedule's), empty when it is schedule-wide.
    pub(crate) rotations: Box<[u32]>,
}

impl COverride {
    /// The override's user; `None`: nobody.
    #[inline]
    pub(crate) fn user(&self) -> Option<usize> {
        self.who.map(|u| u as usize)
    }

    /// Its `alias`, or its place (`overrides[3]`) when it has none.
    pub(crate) fn name(&self, i: u32) -> String {
        self.alias.as_deref().map_or_else(|| format!("overrides[{i}]"), str::to_string)
    }
}

#[derive(Debug)]
pub(crate) struct CSchedule {
    pub(crate) name: String,
    pub(crate) id: Option<String>,
    pub(crate) tz: Tz,
    pub(crate) enabled: bool,
    pub(crate) rotations: Vec<CRotation>,
    pub(crate) overrides: Vec<COverride>,
    /// Schedule-wide overrides (owner = override index).
    pub(crate) wide: LatestWins,
    /// Schedules reachable through team and escalation participants (not itself).
    pub(crate) dep_schedules: Vec<usize>,
    /// Teams reachable through participants, whose routing windows matter.
    pub(crate) dep_teams: Vec<usize>,
    /// The team of the `ownerTeam` name, when `teams` has one of that name.
    pub(crate) owner_team: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    Escalation(usize),
    Schedule(usize),
    Nobody,
}

#[derive(Debug)]
pub(crate) struct CRoutingRule {
    /// The rule's `name`, for routing decisions.
    pub(crate) name: Option<Box<str>>,
    /// The rule's `isDefault`.
    pub(crate) is_default: bool,
    pub(crate) criteria: Criteria,
    pub(crate) tz: Tz,
    pub(crate) restriction: Restriction,
    pub(crate) notify: Target,
}

#[derive(Debug)]
pub(crate) struct CTeam {
    pub(crate) name: String,
    pub(crate) id: Option<String>,
    /// (user, is admin)
    pub(crate) members: Vec<(usize, bool)>,
    pub(crate) routing: Vec<CRoutingRule>,
    pub(crate) default_target: Option<Target>,
}

impl CTeam {
    /// The members an escalation rule with notify type `notify` names directly: `users` the
    /// members with the user role, `admins` the admins, anything else (`all`, `random`'s
    /// candidates) every member.
    pub(crate) fn members_for(&self, notify: NotifyType) -> impl Iterator<Item = usize> + '_ {
        self.members
            .iter()
            .filter(move |(_, admin)| match notify {
                NotifyType::Users => !admin,
                NotifyType::Admins => *admin,
                _ => true,
            })
            .map(|&(u, _)| u)
    }
}

/// What an escalation rule notifies about a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotifyType {
    Default,
    Next,
    Previous,
    Users,
    Admins,
    All,
    Random,
}

impl NotifyType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NotifyType::Default => "default",
            NotifyType::Next => "next",
            NotifyType::Previous => "previous",
            NotifyType::Users => "users",
            NotifyType::Admins => "admins",
            NotifyType::All => "all",
            NotifyType::Random => "random",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recipient {
    User(usize),
    Schedule(usize),
    Team(usize),
}

/// Condition, repeat and close settings are read by escalation timelines.
#[derive(Debug)]
pub(crate) struct CEscalationRule {
    pub(crate) if_not_closed: bool,
    pub(crate) notify: NotifyType,
    pub(crate) delay_secs: i64,
    pub(crate) recipient: Recipient,
}

#[derive(Debug)]
pub(crate) struct CEscalation {
    pub(crate) name: String,
    pub(crate) id: Option<String>,
    pub(crate) rules: Vec<CEscalationRule>,
    pub(crate) repeat_wait_secs: i64,
    pub(crate) repeat_count: i64,
    pub(crate) reset_recipient_states: bool,
    pub(crate) close_alert_after_all: bool,
    /// `onGap`: what a rule whose schedule has nobody on call does.
    pub(crate) on_gap: GapPolicy,
}

/// What an escalation rule does when its schedule has nobody on call (`onGap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GapPolicy {
    /// Report the gap as unreached; the next rule keeps its time (Opsgenie's behaviour).
    Report,
    /// Report it and fire the next rule of the cycle at once.
    Skip,
    /// Fire the rule again when someone comes on call (within `nextHorizonDays`).
    Wait,
    /// Notify this user or team (all members) instead.
    Fallback(Recipient),
}

#[derive(Debug)]
pub(crate) struct CForward {
    pub(crate) from: usize,
    pub(crate) to: usize,
}

/// A validated, compiled configuration: immutable, cheap to query, `Send + Sync`.
///
/// # Example
///
/// ```
/// use oncall_core::Config;
/// let config = Config::from_json(r#"{
///   "schedules": [{"name": "ops", "timezone": "Europe/Berlin", "rotations": [
///     {"name": "weekly", "type": "weekly", "startDate": "2026-11-02T09:00",
///      "participants": ["alice", "bob"]}]}]}"#)?;
/// let at = "2026-11-10T12:00:00Z".parse()?;
/// let who = config.schedule("ops")?.on_call(at)?;
/// assert_eq!(who.flat().on_call_recipients, ["bob"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Config {
    /// Every user: the document's `users` in order when it declares them (then no other), else
    /// the usernames its references name, in order of first mention.
    pub(crate) users: Vec<UserInfo>,
    /// Whether the document declares its users (`users`).
    pub(crate) declared_users: bool,
    pub(crate) teams: Vec<CTeam>,
    pub(crate) escalations: Vec<CEscalation>,
    pub(crate) schedules: Vec<CSchedule>,
    pub(crate) forwards: Vec<CForward>,
    /// Per user index: forwarding rules from that user (owner = forward index).
    /// Per user index (an empty index for users without rules).
    pub(crate) forward_index: Vec<LatestWins>,
    /// Every forwarding start and end, sorted.
    pub(crate) forward_bounds: Vec<Ts>,
    /// The strongly connected component of each schedule, team and escalation in the
    /// reference graph (schedules first, then teams, then escalations; see
    /// [`crate::lint::components`]): what keys an expansion's memo.
    pub(crate) components: Vec<u32>,
    /// Whether expansions memoise shared sub-graphs (true; false only to compare with the plain
    /// walk, see [`Config::set_expansion_memo`]).
    pub(crate) expansion_memo: bool,
    /// Per user index: compiled notification rules, sorted by (action type, order, index).
    pub(crate) notification_rules: HashMap<usize, Vec<crate::notification::CNotificationRule>>,
    /// The pay rules, in document order (see [`crate::pay`]).
    pub(crate) pay: Vec<crate::pay::CPayRule>,
    /// Computed on first use: loading a configuration does not pay for its lints.
    warnings: std::sync::OnceLock<Vec<Problem>>,
    /// Answers precomputed per chunk of time, built on demand (see [`crate::index`]).
    pub(crate) index: crate::index::AnswerIndex,
    /// The bounds every query of this configuration keeps (see [`crate::limits`]).
    pub(crate) limits: crate::Limits,
    /// Holiday calendars and users' away periods (see [`crate::timeoff`]).
    pub(crate) time_off: crate::timeoff::TimeOffs,
}

impl Config {
    /// Reads, validates and compiles a JSON document within the default
    /// [`Limits`](crate::Limits). On failure the error holds every problem (the first
    /// `maxErrors` of them, and the count of the rest).
    pub fn from_json(text: &str) -> Result<Config> {
        Config::from_json_with_limits(text, crate::Limits::default())
    }

    /// Reads, validates and compiles a YAML document within the default
    /// [`Limits`](crate::Limits); every problem carries its line and column.
    #[cfg(feature = "yaml")]
    pub fn from_yaml(text: &str) -> Result<Config> {
        Config::from_yaml_with_limits(text, crate::Limits::default())
    }

    /// Like [`Config::from_json`], with other [`Limits`](crate::Limits) than the defaults: the
    /// document limits are kept while reading (see [`Document::from_json_with_limits`]) and the
    /// configuration keeps them all for every query.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::{Config, Limits};
    /// let err = Config::from_json_with_limits("{}", Limits { max_input_bytes: 1, ..Limits::default() }).unwrap_err();
    /// assert_eq!(err.to_string(), "the document has 2 bytes, more than 1 (limit maxInputBytes)");
    /// ```
    pub fn from_json_with_limits(text: &str, limits: crate::Limits) -> Result<Config> {
        Config::compile_with_limits(&Document::from_json_with_limits(text, &limits)?, limits)
    }

    /// Like [`Config::from_yaml`], with other [`Limits`](crate::Limits) than the defaults.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::{Config, Limits};
    /// let err = Config::from_yaml_with_limits("schedules:\n  - name: s\n    timezone: America/NewYork\n", Limits::default())
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("schedules[0].timezone: unknown time zone \"America/NewYork\""), "{err}");
    /// assert!(err.to_string().ends_with("did you mean \"America/New_York\"? (line 3, column 5)"), "{err}");
    /// ```
    #[cfg(feature = "yaml")]
    pub fn from_yaml_with_limits(text: &str, limits: crate::Limits) -> Result<Config> {
        Loaded::from_yaml_with_limits(text, limits).map(|l| l.config)
    }

    /// The limits this configuration's queries keep.
    pub fn limits(&self) -> &crate::Limits {
        &self.limits
    }

    /// Replaces the limits that later queries keep.
    pub fn set_limits(&mut self, limits: crate::Limits) {
        self.limits = limits;
    }

    /// Validates and compiles a document within the default [`Limits`](crate::Limits). The
    /// configuration keeps what queries need, not the document: a caller that needs the
    /// document too (to show it or change it) keeps its own, or uses [`Loaded`].
    pub fn compile(document: &Document) -> Result<Config> {
        Config::compile_with_limits(document, crate::Limits::default())
    }

    /// Validates and compiles a document; the configuration keeps `limits` for every query.
    /// Past `maxErrors` problems the rest are only counted
    /// ([`Error::TooManyProblems`]).
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::{config::Document, Config, Limits};
    /// let doc = Document::from_json(r#"{"schedules": [{"name": "a", "timezone": "X"}, {"name": "b", "timezone": "Y"}]}"#)?;
    /// let err = Config::compile_with_limits(&doc, Limits { max_errors: 1, ..Limits::default() }).unwrap_err();
    /// assert_eq!(err.more_problems(), 1);
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn compile_with_limits(document: &Document, limits: crate::Limits) -> Result<Config> {
        let mut c = Compiler::new(document, limits);
        let parts = c.run();
        let schedule_names = names(&document.schedules, |s| &s.name, |s| s.id.as_ref());
        let pay = crate::pay::compile(&mut c, document, &schedule_names, limits.max_pay_rates);
        if !c.problems.is_empty() {
            return Err(crate::read::capped(c.problems, limits.max_errors));
        }
        let users = c.users;
        let notification_rules = c.notification_rules;
        let time_off = c.time_off;
        let (teams, escalations, schedules, forwards, forward_index, forward_bounds) = parts;
        let schedules_len = schedules.len();
        let components = crate::lint::components(&schedules, &teams, &escalations);
        let config = Config {
            users,
            declared_users: document.users.is_some(),
            teams,
            escalations,
            schedules,
            forwards,
            forward_index,
            forward_bounds,
            components,
            expansion_memo: true,
            notification_rules,
            pay,
            warnings: std::sync::OnceLock::new(),
            index: crate::index::AnswerIndex::new(schedules_len, crate::IndexOptions::default()),
            limits,
            time_off,
        };
        Ok(config)
    }

    /// Sets when answers are precomputed (see [`IndexOptions`](crate::IndexOptions)); drops the
    /// index built so far. Answers are the same whatever the options: only speed and memory
    /// change.
    pub fn set_index_options(&mut self, options: crate::IndexOptions) {
        self.index = crate::index::AnswerIndex::new(self.schedules.len(), options);
    }

    /// Whether reference expansions memoise the sub-graphs they share (the default) or walk
    /// every branch again (the plain walk the memo replaces). Answers and errors are the same
    /// either way; only speed changes. For benchmarks and tests that compare the two.
    #[doc(hidden)]
    pub fn set_expansion_memo(&mut self, on: bool) {
        self.expansion_memo = on;
    }

    /// The options of the answer index.
    pub fn index_options(&self) -> crate::IndexOptions {
        self.index.options()
    }

    /// The names of the teams, in document order.
    pub fn team_names(&self) -> impl Iterator<Item = &str> {
        self.teams.iter().map(|t| t.name.as_str())
    }

    /// The names of the escalations, in document order.
    pub fn escalation_names(&self) -> impl Iterator<Item = &str> {
        self.escalations.iter().map(|e| e.name.as_str())
    }

    /// The usernames of the document's `users`, in order; none when it declares no users.
    pub fn declared_usernames(&self) -> impl Iterator<Item = &str> {
        self.users.iter().filter(|_| self.declared_users).map(|u| u.username.as_str())
    }

    /// Whether the document has pay rules (`payRules`).
    pub fn has_pay_rules(&self) -> bool {
        !self.pay.is_empty()
    }

    /// Things that are valid but probably not what was meant (a reference cycle, a forwarding
    /// cycle). They never stop a query.
    pub fn warnings(&self) -> &[Problem] {
        self.warnings.get_or_init(|| crate::lint::warnings(self))
    }

    /// The names of the schedules, in document order.
    pub fn schedule_names(&self) -> impl Iterator<Item = &str> {
        self.schedules.iter().map(|s| s.name.as_str())
    }

    /// A schedule as Opsgenie's Schedule API names it (`identifierType`): `by_name`, by its
    /// name only; otherwise (`id`, the default) by its `id`, or by its name when it has no id
    /// (a document need not give ids).
    ///
    /// ```
    /// let config = oncall_core::Config::from_json(r#"{"schedules": [{"name": "a", "id": "s-1"}, {"name": "b"}]}"#)?;
    /// assert_eq!(config.schedule_by("s-1", false)?.name(), "a");
    /// assert_eq!(config.schedule_by("b", false)?.name(), "b");
    /// assert!(config.schedule_by("a", false).is_err()); // a has an id
    /// assert!(config.schedule_by("s-1", true).is_err());
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn schedule_by(&self, identifier: &str, by_name: bool) -> Result<crate::Schedule<'_>> {
        let found = if by_name {
            self.schedules.iter().position(|s| s.name == identifier)
        } else {
            self.schedules.iter().position(|s| match &s.id {
                Some(id) => id == identifier,
                None => s.name == identifier,
            })
        };
        found
            .map(|index| crate::Schedule { config: self, index })
            .ok_or_else(|| Error::UnknownSchedule { name: identifier.to_string() })
    }

    /// A schedule by name (or Opsgenie id).
    pub fn schedule(&self, name: &str) -> Result<crate::Schedule<'_>> {
        self.schedules
            .iter()
            .position(|s| s.name == name)
            .or_else(|| self.schedules.iter().position(|s| s.id.as_deref() == Some(name)))
            .map(|index| crate::Schedule { config: self, index })
            .ok_or_else(|| Error::UnknownSchedule { name: name.to_string() })
    }
}

/// A compiled configuration together with the document it was compiled from, for callers that
/// show or change the document as well as query it (the service's schedule API and live
/// overrides, `oncall check`). [`Config`] alone keeps only what queries need; a `Loaded` derefs
/// to its configuration.
///
/// # Example
///
/// ```
/// use oncall_core::Loaded;
/// let loaded = Loaded::from_json(r#"{"schedules": [{"name": "ops", "description": "payments"}]}"#)?;
/// assert_eq!(loaded.document.schedules[0].description.as_deref(), Some("payments"));
/// assert_eq!(loaded.schedule_names().collect::<Vec<_>>(), ["ops"]); // the configuration's
/// # Ok::<(), oncall_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Loaded {
    /// The compiled configuration.
    pub config: Config,
    /// The document it was compiled from.
    pub document: Document,
}

impl Loaded {
    /// Compiles `document` within `limits` and keeps it.
    pub fn compile_with_limits(document: Document, limits: crate::Limits) -> Result<Loaded> {
        Ok(Loaded { config: Config::compile_with_limits(&document, limits)?, document })
    }

    /// Reads, validates and compiles a JSON document (as [`Config::from_json`]) and keeps it.
    pub fn from_json(text: &str) -> Result<Loaded> {
        Loaded::from_json_with_limits(text, crate::Limits::default())
    }

    /// [`Loaded::from_json`] within other [`Limits`](crate::Limits) than the defaults.
    pub fn from_json_with_limits(text: &str, limits: crate::Limits) -> Result<Loaded> {
        Loaded::compile_with_limits(Document::from_json_with_limits(text, &limits)?, limits)
    }

    /// Reads, validates and compiles a YAML document (as [`Config::from_yaml`], every problem
    /// with its line and column) and keeps it.
    #[cfg(feature = "yaml")]
    pub fn from_yaml(text: &str) -> Result<Loaded> {
        Loaded::from_yaml_with_limits(text, crate::Limits::default())
    }

    /// [`Loaded::from_yaml`] within other [`Limits`](crate::Limits) than the defaults.
    #[cfg(feature = "yaml")]
    pub fn from_yaml_with_limits(text: &str, limits: crate::Limits) -> Result<Loaded> {
        let document = Document::from_yaml_with_limits(text, &limits)?;
        Loaded::compile_with_limits(document, limits).map_err(|e| crate::read::yaml_positions(text, e, &limits))
    }
}

impl std::ops::Deref for Loaded {
    type Target = Config;

    fn deref(&self) -> &Config {
        &self.config
    }
}

type Parts = (Vec<CTeam>, Vec<CEscalation>, Vec<CSchedule>, Vec<CForward>, Vec<LatestWins>, Vec<Ts>);

pub(crate) struct Compiler<'d> {
    doc: &'d Document,
    pub(crate) problems: Vec<Problem>,
    users: Vec<UserInfo>,
    declared: bool,
    by_username: HashMap<String, usize>,
    by_user_id: HashMap<String, usize>,
    notification_rules: HashMap<usize, Vec<crate::notification::CNotificationRule>>,
    /// Suggestions still allowed (see [`Compiler::hint`]).
    suggestions_left: std::cell::Cell<usize>,
    /// The limits the document is compiled within.
    limits: crate::Limits,
    /// Holiday calendars and away periods, compiled before the schedules.
    pub(crate) time_off: crate::timeoff::TimeOffs,
    /// Shifts examined for time off so far, over all rotations (`maxTimeOffShifts`).
    time_off_examined: u64,
}

/// The most "did you mean" suggestions computed for one document.
const MAX_SUGGESTIONS: usize = 100;

fn names<T>(
    items: &[T],
    name: impl Fn(&T) -> &str,
    id: impl Fn(&T) -> Option<&String>,
) -> (HashMap<String, usize>, HashMap<String, usize>) {
    let mut by_name = HashMap::new();
    let mut by_id = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        by_name.entry(name(it).to_string()).or_insert(i);
        if let Some(id) = id(it) {
            by_id.entry(id.clone()).or_insert(i);
        }
    }
    (by_name, by_id)
}

struct Index {
    teams: (HashMap<String, usize>, HashMap<String, usize>),
    escalations: (HashMap<String, usize>, HashMap<String, usize>),
    schedules: (HashMap<String, usize>, HashMap<String, usize>),
}

fn find(map: &(HashMap<String, usize>, HashMap<String, usize>), r: &NameRef) -> Option<usize> {
    r.name.as_ref().and_then(|n| map.0.get(n)).or_else(|| r.id.as_ref().and_then(|i| map.1.get(i))).copied()
}

fn describe(r: &NameRef) -> String {
    match (&r.name, &r.id) {
        (Some(n), _) => format!("{n:?}"),
        (None, Some(i)) => format!("with id {i:?}"),
        (None, None) => "(no name or id)".to_string(),
    }
}

impl<'d> Compiler<'d> {
    fn new(doc: &'d Document, limits: crate::Limits) -> Self {
        Compiler {
            doc,
            problems: Vec::new(),
            users: Vec::new(),
            declared: doc.users.is_some(),
            by_username: HashMap::new(),
            by_user_id: HashMap::new(),
            notification_rules: HashMap::new(),
            suggestions_left: std::cell::Cell::new(MAX_SUGGESTIONS),
            limits,
            time_off: crate::timeoff::TimeOffs::default(),
            time_off_examined: 0,
        }
    }

    /// `unknown team "x"`, with a suggestion when a team (escalation, schedule) of a close name
    /// exists.
    fn unknown(&self, what: &str, r: &NameRef) -> String {
        let doc = self.doc;
        let hint = match (what, &r.name) {
            ("team", Some(n)) => self.hint(n, doc.teams.iter().map(|t| t.name.as_str())),
            ("escalation", Some(n)) => self.hint(n, doc.escalations.iter().map(|t| t.name.as_str())),
            ("schedule", Some(n)) => self.hint(n, doc.schedules.iter().map(|t| t.name.as_str())),
            _ => String::new(),
        };
        format!("unknown {what} {}{hint}", describe(r))
    }

    /// `; did you mean "name"?` when one of `names` is close to `name` (see
    /// [`crate::config::suggest`]), else empty. At most [`MAX_SUGGESTIONS`] suggestions per
    /// document, so a document with many unknown names costs no more than one with few.
    fn hint<'n>(&self, name: &str, names: impl Iterator<Item = &'n str>) -> String {
        let left = self.suggestions_left.get();
        if left == 0 {
            return String::new();
        }
        self.suggestions_left.set(left - 1);
        crate::config::suggest(name, names).map_or(String::new(), |near| format!("; did you mean {near:?}?"))
    }

    pub(crate) fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    /// Whether the document declares its users (then every reference must name one).
    pub(crate) fn declared_users(&self) -> bool {
        self.declared
    }

    /// Whether a user of that username is known.
    pub(crate) fn has_user(&self, username: &str) -> bool {
        self.by_username.contains_key(username)
    }

    fn zone(&mut self, name: Option<&String>, default: Tz, path: impl FnOnce() -> String) -> Tz {
        match name {
            None => default,
            Some(n) => parse_zone(n).unwrap_or_else(|e| {
                self.problem(path(), e);
                default
            }),
        }
    }

    fn run(&mut self) -> Parts {
        let doc = self.doc;
        self.time_off.calendars =
            crate::holiday::compile(&doc.holiday_calendars, self.limits.max_list_len, &mut self.problems);
        if let Some(users) = &doc.users {
            for (i, u) in users.iter().enumerate() {
                let path = format!("users[{i}]");
                if u.username.trim().is_empty() {
                    self.problem(format!("{path}.username"), "must not be empty");
                }
                if self.by_username.contains_key(&u.username) {
                    self.problem(format!("{path}.username"), format!("duplicate username {:?}", u.username));
                    continue;
                }
                let tz =
                    u.timezone.as_ref().map(|_| self.zone(u.timezone.as_ref(), Tz::UTC, || format!("{path}.timezone")));
                let idx = self.users.len();
                self.users.push(UserInfo { username: u.username.clone(), id: u.id.clone(), tz });
                self.by_username.insert(u.username.clone(), idx);
                let rules_path = format!("{path}.notificationRules");
                let rules = crate::notification::compile_rules(
                    self,
                    doc,
                    &u.notification_rules,
                    tz.unwrap_or(Tz::UTC),
                    &rules_path,
                );
                self.notification_rules.insert(idx, rules);
                if !u.time_off.is_empty() || !u.holidays.is_empty() {
                    let away = crate::timeoff::user_away(
                        u,
                        tz.unwrap_or(Tz::UTC),
                        &path,
                        &self.time_off.calendars,
                        &mut self.problems,
                    );
                    self.time_off.away.resize_with(idx + 1, Default::default);
                    self.time_off.away[idx] = away;
                }
                if let Some(id) = &u.id {
                    self.by_user_id.insert(id.clone(), idx);
                }
            }
        }
        self.unique(doc.teams.iter().map(|t| t.name.as_str()), "teams", "team");
        self.unique(doc.escalations.iter().map(|t| t.name.as_str()), "escalations", "escalation");
        self.unique(doc.schedules.iter().map(|t| t.name.as_str()), "schedules", "schedule");
        let index = Index {
            teams: names(&doc.teams, |t| &t.name, |t| t.id.as_ref()),
            escalations: names(&doc.escalations, |t| &t.name, |t| t.id.as_ref()),
            schedules: names(&doc.schedules, |t| &t.name, |t| t.id.as_ref()),
        };
        let schedules: Vec<CSchedule> =
            doc.schedules.iter().enumerate().map(|(i, s)| self.schedule(i, s, &index)).collect();
        let teams: Vec<CTeam> = doc.teams.iter().enumerate().map(|(i, t)| self.team(i, t, &index)).collect();
        let escalations: Vec<CEscalation> =
            doc.escalations.iter().enumerate().map(|(i, e)| self.escalation(i, e, &index)).collect();
        let mut forwards = Vec::new();
        let mut per_user: HashMap<usize, Vec<(Ts, Ts, u32)>> = HashMap::new();
        let mut bounds = Vec::new();
        for (i, f) in doc.forwarding_rules.iter().enumerate() {
            let path = || format!("forwardingRules[{i}]");
            let from = self.user_ref(&f.from_user, &|| format!("{}.fromUser", path()));
            let to = self.user_ref(&f.to_user, &|| format!("{}.toUser", path()));
            let tz = from.and_then(|u| self.users.get(u)).and_then(|u| u.tz).unwrap_or(Tz::UTC);
            let window = self.window(&f.start_date, &f.end_date, tz, &path);
            if let (Some(a), Some(b)) = (from, to)
                && a == b
            {
                self.problem(format!("{}.toUser", path()), "must differ from fromUser");
            }
            if let (Some(from), Some(to), Some((s, e))) = (from, to, window) {
                per_user.entry(from).or_default().push((s, e, forwards.len() as u32));
                bounds.extend([s, e]);
                forwards.push(CForward { from, to });
            }
        }
        self.unique(doc.integrations.iter().map(|t| t.name.as_str()), "integrations", "integration");
        let mut keys: HashMap<&str, usize> = HashMap::new();
        for (i, g) in doc.integrations.iter().enumerate() {
            let path = format!("integrations[{i}]");
            if let Some(kind) = &g.kind
                && kind != "API"
            {
                self.problem(
                    format!("{path}.type"),
                    format!("expected \"API\" (the only integration type served), found {kind:?}"),
                );
            }
            match (&g.api_key, &g.api_key_env) {
                (Some(_), Some(_)) => self.problem(path.clone(), "give apiKey or apiKeyEnv, not both"),
                (None, None) => self.problem(path.clone(), "needs apiKey or apiKeyEnv"),
                (Some(k), None) if k.trim().is_empty() => self.problem(format!("{path}.apiKey"), "must not be empty"),
                (None, Some(v)) if v.trim().is_empty() => {
                    self.problem(format!("{path}.apiKeyEnv"), "must not be empty")
                }
                _ => {}
            }
            if let Some(k) = &g.api_key
                && let Some(first) = keys.insert(k.as_str(), i)
            {
                self.problem(format!("{path}.apiKey"), format!("the same key as integrations[{first}]"));
            }
            for (j, m) in g.priorities.iter().flatten().enumerate() {
                if crate::criteria::parse_priority(&m.priority).is_none() {
                    self.problem(
                        format!("{path}.priorities[{j}].priority"),
                        format!("expected P1, P2, P3, P4 or P5, found {:?}", m.priority),
                    );
                }
            }
            if let Some(team) = &g.owner_team {
                let known = doc.teams.iter().any(|t| {
                    team.name.as_deref().is_some_and(|n| n == t.name)
                        || team.id.as_deref().is_some_and(|n| t.id.as_deref() == Some(n))
                });
                if team.name.is_none() && team.id.is_none() {
                    self.problem(format!("{path}.ownerTeam"), "needs name or id");
                } else if !known {
                    self.problem(format!("{path}.ownerTeam"), "unknown team (not in teams)");
                }
            }
        }
        bounds.sort_unstable();
        bounds.dedup();
        let mut forward_index = vec![LatestWins::default(); self.users.len()];
        for (u, iv) in per_user {
            forward_index[u] = LatestWins::new(iv);
        }
        let mut parts = (teams, escalations, schedules, forwards, forward_index, bounds);
        crate::lint::dependencies(&mut parts.2, &parts.0, &parts.1);
        parts
    }

    fn unique<'a>(&mut self, names: impl Iterator<Item = &'a str>, list: &str, what: &str) {
        let mut seen = HashMap::new();
        for (i, n) in names.enumerate() {
            if n.trim().is_empty() {
                self.problem(format!("{list}[{i}].name"), "must not be empty");
            } else if let Some(first) = seen.insert(n, i) {
                self.problem(
                    format!("{list}[{i}].name"),
                    format!("duplicate {what} name {n:?} (also {list}[{first}])"),
                );
            }
        }
    }

    /// Resolves a user by username or id. Without declared users, any name is accepted. The
    /// path (`path()`) is written out only for a problem.
    fn user(&mut self, username: Option<&String>, id: Option<&String>, path: &dyn Fn() -> String) -> Option<usize> {
        if let Some(name) = username {
            if let Some(&i) = self.by_username.get(name) {
                return Some(i);
            }
            if self.declared {
                self.problem(
                    path(),
                    format!(
                        "unknown user {name:?} (not in users){}",
                        self.hint(name, self.doc.users.iter().flatten().map(|u| u.username.as_str()))
                    ),
                );
                return None;
            }
            if name.trim().is_empty() {
                self.problem(path(), "username must not be empty");
                return None;
            }
            let i = self.users.len();
            self.users.push(UserInfo { username: name.clone(), id: id.cloned(), tz: None });
            self.by_username.insert(name.clone(), i);
            return Some(i);
        }
        if let Some(id) = id {
            if let Some(&i) = self.by_user_id.get(id) {
                return Some(i);
            }
            if self.declared {
                self.problem(path(), format!("unknown user id {id:?} (not in users)"));
                return None;
            }
            let i = self.users.len();
            self.users.push(UserInfo { username: id.clone(), id: Some(id.clone()), tz: None });
            self.by_user_id.insert(id.clone(), i);
            return Some(i);
        }
        self.problem(path(), "needs a username or an id");
        None
    }

    fn user_ref(&mut self, r: &UserRef, path: &dyn Fn() -> String) -> Option<usize> {
        self.user(r.username.as_ref(), r.id.as_ref(), path)
    }

    /// A `[start, end)` window of two timestamps read in `tz`; end must be after start.
    fn window(&mut self, start: &str, end: &str, tz: Tz, path: &dyn Fn() -> String) -> Option<(Ts, Ts)> {
        let s = parse_ts(start, tz, Edge::Start).map_err(|e| self.problem(format!("{}.startDate", path()), e)).ok();
        let e = parse_ts(end, tz, Edge::End).map_err(|e| self.problem(format!("{}.endDate", path()), e)).ok();
        let (s, e) = (s?, e?);
        if e <= s {
            self.problem(format!("{}.endDate", path()), "must be after startDate");
            return None;
        }
        Some((s, e))
    }

    fn participant(&mut self, p: &config::Participant, path: &dyn Fn() -> String, index: &Index) -> Option<Slot> {
        let named = || NameRef { id: p.id.clone(), name: p.name.clone(), kind: None };
        match p.kind.as_str() {
            "user" => self.user(p.username.as_ref().or(p.name.as_ref()), p.id.as_ref(), path).map(Slot::User),
            "none" | "noone" => Some(Slot::Nobody),
            "team" => match find(&index.teams, &named()) {
                Some(i) => Some(Slot::Team(i)),
                None => {
                    self.problem(path(), self.unknown("team", &named()));
                    None
                }
            },
            "escalation" => match find(&index.escalations, &named()) {
                Some(i) => Some(Slot::Escalation(i)),
                None => {
                    self.problem(path(), self.unknown("escalation", &named()));
                    None
                }
            },
            other => {
                self.problem(
                    format!("{}.type", path()),
                    format!("unknown participant type {other:?} (expected user, team, escalation or none)"),
                );
                None
            }
        }
    }

    fn schedule(&mut self, si: usize, s: &config::Schedule, index: &Index) -> CSchedule {
        let path = format!("schedules[{si}]");
        let tz = self.zone(s.timezone.as_ref(), Tz::UTC, || format!("{path}.timezone"));
        if let Some(owner) = &s.owner_team
            && find(&index.teams, owner).is_none()
            && !self.doc.teams.is_empty()
        {
            self.problem(format!("{path}.ownerTeam"), self.unknown("team", owner));
        }
        let mut rotations = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (ri, r) in s.rotations.iter().enumerate() {
            let rpath = format!("{path}.rotations[{ri}]");
            let name = r.name.clone().unwrap_or_else(|| format!("rotation-{}", ri + 1));
            if let Some(first) = seen.insert(name.clone(), ri) {
                self.problem(
                    format!("{rpath}.name"),
                    format!("duplicate rotation name {name:?} (also rotations[{first}])"),
                );
            }
            if let Some(mut rot) = self.rotation(r, name, tz, &rpath, index) {
                crate::timeoff::rotation_plan(
                    r,
                    &mut rot,
                    &self.time_off,
                    &mut self.time_off_examined,
                    &self.limits,
                    &rpath,
                    &mut self.problems,
                );
                rot.uniform &= rot.time_off.is_empty();
                rotations.push(rot);
            }
        }
        let by_rotation: HashMap<String, usize> =
            rotations.iter().enumerate().map(|(i, r)| (r.name.clone(), i)).collect();
        let by_rotation_id: HashMap<String, usize> =
            rotations.iter().enumerate().filter_map(|(i, r)| r.id.clone().map(|id| (id, i))).collect();
        let mut overrides = Vec::new();
        let mut scoped: Vec<Vec<(Ts, Ts, u32)>> = vec![Vec::new(); rotations.len()];
        let mut wide = Vec::new();
        for (oi, o) in s.overrides.iter().enumerate() {
            let opath = || format!("{path}.overrides[{oi}]");
            let user = match o.user.kind.as_str() {
                "none" | "noone" => Some(None),
                "user" => self
                    .user(o.user.username.as_ref().or(o.user.name.as_ref()), o.user.id.as_ref(), &|| {
                        format!("{}.user", opath())
                    })
                    .map(Some),
                other => {
                    self.problem(
                        format!("{}.user.type", opath()),
                        format!("must be \"user\" or \"none\", found {other:?}"),
                    );
                    None
                }
            };
            let window = self.window(&o.start_date, &o.end_date, tz, &opath);
            let mut targets = Vec::new();
            for (k, r) in o.rotations.iter().flatten().enumerate() {
                let found = r
                    .name
                    .as_ref()
                    .and_then(|n| by_rotation.get(n))
                    .or_else(|| r.id.as_ref().and_then(|i| by_rotation_id.get(i)));
                // A rotation of the document that failed to compile is not "missing".
                let in_document = || {
                    s.rotations.iter().enumerate().any(|(i, d)| {
                        let name = d.name.clone().unwrap_or_else(|| format!("rotation-{}", i + 1));
                        r.name.as_ref() == Some(&name) || (r.id.is_some() && r.id == d.id)
                    })
                };
                match found {
                    Some(&i) => targets.push(i),
                    None if !in_document() => self.problem(
                        format!("{}.rotations[{k}]", opath()),
                        format!(
                            "the schedule has no rotation {}{}",
                            describe(r),
                            r.name.as_ref().map_or(String::new(), |n| self
                                .hint(n, s.rotations.iter().filter_map(|d| d.name.as_deref())))
                        ),
                    ),
                    None => {}
                }
            }
            let (Some(user), Some((start, end))) = (user, window) else { continue };
            let id = overrides.len() as u32;
            let scope = o.rotations.as_ref().is_some_and(|r| !r.is_empty());
            if scope {
                for &i in &targets {
                    scoped[i].push((start, end, id));
                }
            } else {
                wide.push((start, end, id));
            }
            overrides.push(COverride {
                who: user.map(|u| u as u32),
                alias: o.alias.as_deref().map(Box::from),
                window: (start, end),
                rotations: targets.into_iter().map(|i| i as u32).collect(),
            });
        }
        overrides.shrink_to_fit();
        for (r, iv) in rotations.iter_mut().zip(scoped) {
            r.overrides = LatestWins::new(iv);
        }
        CSchedule {
            name: s.name.clone(),
            id: s.id.clone(),
            tz,
            enabled: s.enabled.unwrap_or(true),
            rotations,
            overrides,
            wide: LatestWins::new(wide),
            dep_schedules: Vec::new(),
            dep_teams: Vec::new(),
            owner_team: s.owner_team.as_ref().and_then(|t| t.name.as_ref()).and_then(|n| index.teams.0.get(n)).copied(),
        }
    }

    fn rotation(
        &mut self,
        r: &config::Rotation,
        name: String,
        schedule_tz: Tz,
        path: &str,
        index: &Index,
    ) -> Option<CRotation> {
        let before = self.problems.len();
        let tz = self.zone(r.timezone.as_ref(), schedule_tz, || format!("{path}.timezone"));
        let length = r.length.unwrap_or(1);
        if !(1..=MAX_LENGTH).contains(&length) {
            self.problem(
                format!("{path}.length"),
                format!("must be at least 1 and at most {MAX_LENGTH}, found {length}"),
            );
        }
        let start =
            parse_wall(&r.start_date, tz, Edge::Start).map_err(|e| self.problem(format!("{path}.startDate"), e)).ok();
        let end = match &r.end_date {
            None => None,
            Some(e) => {
                parse_wall(e, tz, Edge::End).map_err(|e| self.problem(format!("{path}.endDate"), e)).ok().map(|x| x.0)
            }
        };
        if let (Some((s, _)), Some(e)) = (start, end)
            && e <= s
        {
            self.problem(format!("{path}.endDate"), "must be after startDate");
        }
        if r.participants.is_empty() {
            self.problem(format!("{path}.participants"), "must not be empty");
        }
        let participants: Vec<Slot> = r
            .participants
            .iter()
            .enumerate()
            .filter_map(|(i, p)| self.participant(p, &|| format!("{path}.participants[{i}]"), index))
            .collect();
        let restriction = match &r.time_restriction {
            None => Restriction::Always,
            Some(tr) => self.restriction(tr, &format!("{path}.timeRestriction")),
        };
        let unit = match r.kind.as_str() {
            "hourly" => Some(Unit::Hours),
            "daily" | "weekly" => Some(Unit::Days),
            "monthly" => Some(Unit::Months),
            "custom" => None,
            other => {
                self.problem(
                    format!("{path}.type"),
                    format!("unknown rotation type {other:?} (expected hourly, daily, weekly, monthly or custom)"),
                );
                return None;
            }
        };
        if unit.is_some() && r.recurrence.is_some() {
            self.problem(format!("{path}.recurrence"), "only allowed with type \"custom\"");
        }
        let (anchor, anchor_local) = start?;
        let grid = match unit {
            Some(unit) => {
                Grid::Fixed { unit, step: if r.kind == "weekly" { length.saturating_mul(7) } else { length } }
            }
            None => match &r.recurrence {
                None => {
                    self.problem(
                        format!("{path}.recurrence"),
                        "required for type \"custom\" (an RFC 5545 RRULE such as \"FREQ=WEEKLY;BYDAY=MO\")",
                    );
                    return None;
                }
                Some(text) => match Recurrence::parse(text, anchor_local, tz, Some(anchor)) {
                    Ok(rec) => {
                        if rec.is_finite() && end.is_none() {
                            self.problem(format!("{path}.endDate"), "required when the recurrence ends (COUNT or UNTIL): the last shift lasts until endDate");
                        }
                        match crate::recurrence::fixed_step(text) {
                            // A plain frequency and interval: the same hand-offs by arithmetic.
                            Some((unit, step)) => Grid::Fixed { unit, step },
                            None => Grid::Custom(Box::new(rec)),
                        }
                    }
                    Err(e) => {
                        self.problem(format!("{path}.recurrence"), e);
                        return None;
                    }
                },
            },
        };
        let changes = self.changes(r, tz, path, index);
        if self.problems.len() > before {
            return None;
        }
        let handoffs = Handoffs { tz, anchor_local, anchor, end: end.unwrap_or(MAX_INSTANT), grid };
        let mut all = participants.clone();
        all.extend(changes.iter().flat_map(|c| c.participants.iter().flatten().copied()));
        let roster = Roster::single(handoffs, participants).with_changes(
            changes,
            self.limits.max_recurrence_work,
            &mut self.problems,
        )?;
        Some(CRotation {
            name,
            id: r.id.clone(),
            tz,
            priority: r.priority.unwrap_or(0),
            handoffs: roster,
            uniform: all.windows(2).all(|w| w[0] == w[1]),
            participants: all,
            restriction,
            overrides: LatestWins::default(),
            time_off: crate::timeoff::Plan::default(),
        })
    }

    /// The `changes` of rotation `r` (zone `tz`) at `path`, each field checked; their order and
    /// switch instants are checked by [`Roster::with_changes`].
    fn changes(&mut self, r: &config::Rotation, tz: Tz, path: &str, index: &Index) -> Vec<Change> {
        let max = self.limits.max_roster_changes;
        if r.changes.len() > max {
            self.problem(
                format!("{path}.changes"),
                format!("{} changes, more than {max} (limit maxRosterChanges)", r.changes.len()),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, c) in r.changes.iter().enumerate() {
            let cpath = format!("{path}.changes[{i}]");
            let before = self.problems.len();
            let effective = parse_wall(&c.effective, tz, Edge::Start)
                .map_err(|e| self.problem(format!("{cpath}.effective"), e))
                .ok();
            let rollout = Rollout::parse(&c.rollout).map_err(|e| self.problem(format!("{cpath}.rollout"), e)).ok();
            if c.participants.is_none() && c.length.is_none() {
                self.problem(cpath.clone(), "needs participants or length (or both): the change changes nothing");
            }
            let participants = c.participants.as_ref().map(|list| {
                if list.is_empty() {
                    self.problem(format!("{cpath}.participants"), "must not be empty");
                }
                list.iter()
                    .enumerate()
                    .filter_map(|(j, p)| self.participant(p, &|| format!("{cpath}.participants[{j}]"), index))
                    .collect::<Vec<_>>()
            });
            let step = c.length.map(|length| {
                if r.kind == "custom" {
                    self.problem(
                        format!("{cpath}.length"),
                        "not allowed with type \"custom\" (the recurrence sets the hand-offs)",
                    );
                } else if !(1..=MAX_LENGTH).contains(&length) {
                    self.problem(
                        format!("{cpath}.length"),
                        format!("must be at least 1 and at most {MAX_LENGTH}, found {length}"),
                    );
                }
                if r.kind == "weekly" { length.saturating_mul(7) } else { length }
            });
            if let (Some(effective), Some(rollout), true) = (effective, rollout, self.problems.len() == before) {
                out.push(Change { path: cpath, effective, rollout, participants, step });
            }
        }
        out
    }

    pub(crate) fn restriction(&mut self, r: &config::TimeRestriction, path: &str) -> Restriction {
        // The paths of the hour and the minute (`{at}Hour`, `{at}Min`) are written out only for
        // a problem.
        let clock = |p: &mut Vec<Problem>, hour: i64, min: i64, is_end: bool, at: &dyn Fn() -> String| -> i64 {
            let max_hour = if is_end { 24 } else { 23 };
            if !(0..=max_hour).contains(&hour) {
                p.push(Problem::new(
                    format!("{}Hour", at()),
                    format!("must be between 0 and {max_hour}, found {hour}"),
                ));
            }
            if !(0..=59).contains(&min) {
                p.push(Problem::new(format!("{}Min", at()), format!("must be between 0 and 59, found {min}")));
            } else if hour == 24 && min != 0 {
                p.push(Problem::new(format!("{}Hour", at()), "24 is only allowed with minute 0 (the end of the day)"));
            }
            hour.clamp(0, 24) * 60 + min.clamp(0, 59)
        };
        match r.kind.as_str() {
            // `{}` (or `{"restriction": {}}`): how the Go SDK writes an unset restriction.
            "" if r.restrictions.is_none()
                && r.restriction.as_ref().is_none_or(|t| *t == config::TimeOfDay::default()) =>
            {
                Restriction::Always
            }
            "" => {
                self.problem(format!("{path}.type"), "required: time-of-day or weekday-and-time-of-day");
                Restriction::Always
            }
            "time-of-day" => {
                if r.restrictions.is_some() {
                    self.problem(
                        format!("{path}.restrictions"),
                        "not allowed with type \"time-of-day\" (use \"restriction\")",
                    );
                }
                let Some(t) = &r.restriction else {
                    self.problem(format!("{path}.restriction"), "required for type \"time-of-day\"");
                    return Restriction::Always;
                };
                let p = &mut self.problems;
                let s = clock(p, t.start_hour, t.start_min, false, &|| format!("{path}.restriction.start"));
                let e = clock(p, t.end_hour, t.end_min, true, &|| format!("{path}.restriction.end"));
                Restriction::daily(s, e)
            }
            "weekday-and-time-of-day" => {
                // The Go SDK and Terraform write `"restriction": {}` beside `restrictions`.
                if r.restriction.as_ref().is_some_and(|t| *t != config::TimeOfDay::default()) {
                    self.problem(
                        format!("{path}.restriction"),
                        "not allowed with type \"weekday-and-time-of-day\" (use \"restrictions\")",
                    );
                }
                let Some(list) = &r.restrictions else {
                    self.problem(format!("{path}.restrictions"), "required for type \"weekday-and-time-of-day\"");
                    return Restriction::Always;
                };
                if list.is_empty() || list.len() > 15 {
                    self.problem(
                        format!("{path}.restrictions"),
                        format!("must have 1 to 15 entries, found {}", list.len()),
                    );
                }
                let mut spans = Vec::new();
                for (i, w) in list.iter().enumerate() {
                    let wp = || format!("{path}.restrictions[{i}]");
                    let sd = self.weekday(&w.start_day, || format!("{}.startDay", wp()));
                    let ed = self.weekday(&w.end_day, || format!("{}.endDay", wp()));
                    let p = &mut self.problems;
                    let s = clock(p, w.start_hour, w.start_min, false, &|| format!("{}.start", wp()));
                    let e = clock(p, w.end_hour, w.end_min, true, &|| format!("{}.end", wp()));
                    if let (Some(sd), Some(ed)) = (sd, ed) {
                        spans.push((sd * 1440 + s, ed * 1440 + e));
                    }
                }
                Restriction::weekly(&spans)
            }
            other => {
                self.problem(
                    format!("{path}.type"),
                    format!("unknown restriction type {other:?} (expected time-of-day or weekday-and-time-of-day)"),
                );
                Restriction::Always
            }
        }
    }

    fn weekday(&mut self, day: &str, path: impl FnOnce() -> String) -> Option<i64> {
        const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        let found = DAYS.iter().position(|d| *d == day).map(|i| i as i64);
        if found.is_none() {
            self.problem(path(), format!("unknown day {day:?} (expected monday … sunday, lowercase)"));
        }
        found
    }

    fn target(&mut self, r: &NameRef, path: &str, index: &Index) -> Option<Target> {
        match r.kind.as_deref() {
            Some("none") | Some("noone") => Some(Target::Nobody),
            Some("escalation") => find(&index.escalations, r).map(Target::Escalation).or_else(|| {
                self.problem(path.to_string(), self.unknown("escalation", r));
                None
            }),
            Some("schedule") => find(&index.schedules, r).map(Target::Schedule).or_else(|| {
                self.problem(path.to_string(), self.unknown("schedule", r));
                None
            }),
            other => {
                self.problem(format!("{path}.type"), format!("expected escalation, schedule or none, found {other:?}"));
                None
            }
        }
    }

    fn team(&mut self, ti: usize, t: &config::Team, index: &Index) -> CTeam {
        let path = format!("teams[{ti}]");
        let mut members = Vec::new();
        for (i, m) in t.members.iter().enumerate() {
            let mp = format!("{path}.members[{i}]");
            let admin = match m.role.as_deref() {
                None | Some("user") => false,
                Some("admin") => true,
                Some(other) => {
                    self.problem(format!("{mp}.role"), format!("expected \"admin\" or \"user\", found {other:?}"));
                    false
                }
            };
            if let Some(u) = self.user_ref(&m.user, &|| format!("{mp}.user")) {
                members.push((u, admin));
            }
        }
        let mut routing = Vec::new();
        for (i, r) in t.routing_rules.iter().enumerate() {
            let rp = format!("{path}.routingRules[{i}]");
            let criteria = Criteria::compile(r.criteria.as_ref(), &format!("{rp}.criteria"), &mut self.problems);
            let tz = self.zone(r.timezone.as_ref(), Tz::UTC, || format!("{rp}.timezone"));
            let restriction = match &r.time_restriction {
                None => Restriction::Always,
                Some(tr) => self.restriction(tr, &format!("{rp}.timeRestriction")),
            };
            if let Some(notify) = self.target(&r.notify, &format!("{rp}.notify"), index) {
                routing.push(CRoutingRule {
                    name: r.name.as_deref().map(Box::from),
                    is_default: r.is_default.unwrap_or(false),
                    criteria,
                    tz,
                    restriction,
                    notify,
                });
            }
        }
        let owned = |list: &[(Option<&NameRef>, usize)]| {
            list.iter()
                .find(|(o, _)| {
                    o.is_some_and(|o| o.name.as_deref() == Some(&t.name) || (o.id.is_some() && o.id == t.id))
                })
                .map(|x| x.1)
        };
        let escs: Vec<_> = self.doc.escalations.iter().enumerate().map(|(i, e)| (e.owner_team.as_ref(), i)).collect();
        let scheds: Vec<_> = self.doc.schedules.iter().enumerate().map(|(i, s)| (s.owner_team.as_ref(), i)).collect();
        let default_target = index
            .escalations
            .0
            .get(&format!("{}_escalation", t.name))
            .map(|&i| Target::Escalation(i))
            .or_else(|| index.schedules.0.get(&format!("{}_schedule", t.name)).map(|&i| Target::Schedule(i)))
            .or_else(|| owned(&escs).map(Target::Escalation))
            .or_else(|| owned(&scheds).map(Target::Schedule));
        CTeam { name: t.name.clone(), id: t.id.clone(), members, routing, default_target }
    }

    /// The `onGap` policy of escalation `e` (at `path`), with its `gapFallback`.
    fn gap_policy(&mut self, path: &str, e: &config::Escalation, index: &Index) -> GapPolicy {
        let fallback = e.gap_fallback.as_ref().and_then(|p| {
            let fp = format!("{path}.gapFallback");
            let named = NameRef { id: p.id.clone(), name: p.name.clone(), kind: None };
            match p.kind.as_str() {
                "user" => self
                    .user(p.username.as_ref().or(p.name.as_ref()), p.id.as_ref(), &|| fp.clone())
                    .map(Recipient::User),
                "team" => find(&index.teams, &named).map(Recipient::Team).or_else(|| {
                    self.problem(fp.clone(), self.unknown("team", &named));
                    None
                }),
                other => {
                    self.problem(format!("{fp}.type"), format!("expected user or team, found {other:?}"));
                    None
                }
            }
        });
        let policy = match e.on_gap.as_deref() {
            None | Some("report") => GapPolicy::Report,
            Some("skip") => GapPolicy::Skip,
            Some("wait") => GapPolicy::Wait,
            Some("fallback") => match fallback {
                Some(r) => return GapPolicy::Fallback(r),
                None => {
                    if e.gap_fallback.is_none() {
                        self.problem(
                            format!("{path}.gapFallback"),
                            "required with onGap fallback: the user or team to notify",
                        );
                    }
                    return GapPolicy::Report;
                }
            },
            Some(other) => {
                self.problem(
                    format!("{path}.onGap"),
                    format!("expected report, skip, wait or fallback, found {other:?}"),
                );
                GapPolicy::Report
            }
        };
        if e.gap_fallback.is_some() {
            self.problem(format!("{path}.gapFallback"), "only with onGap fallback (it would never be used)");
        }
        policy
    }

    fn escalation(&mut self, ei: usize, e: &config::Escalation, index: &Index) -> CEscalation {
        let path = format!("escalations[{ei}]");
        let mut rules = Vec::new();
        for (i, r) in e.rules.iter().enumerate() {
            let rp = format!("{path}.rules[{i}]");
            let if_not_closed = match r.condition.as_deref() {
                None | Some("if-not-acked") => false,
                Some("if-not-closed") => true,
                Some(other) => {
                    self.problem(
                        format!("{rp}.condition"),
                        format!("expected if-not-acked or if-not-closed, found {other:?}"),
                    );
                    false
                }
            };
            let delay_secs = match &r.delay {
                None => 0,
                Some(d) => {
                    let unit = match time_unit_secs(d.time_unit.as_deref()) {
                        Some(secs) => secs,
                        None => {
                            let other = d.time_unit.as_deref().unwrap_or_default();
                            self.problem(
                                format!("{rp}.delay.timeUnit"),
                                format!("expected minutes, hours, days or seconds, found {other:?}"),
                            );
                            60
                        }
                    };
                    if !(0..=366 * 86_400).contains(&(d.time_amount.saturating_mul(unit))) {
                        self.problem(format!("{rp}.delay.timeAmount"), "must be between 0 and one year");
                    }
                    d.time_amount.saturating_mul(unit)
                }
            };
            let recipient_path = format!("{rp}.recipient");
            let named = NameRef { id: r.recipient.id.clone(), name: r.recipient.name.clone(), kind: None };
            let recipient = match r.recipient.kind.as_str() {
                "user" => self
                    .user(r.recipient.username.as_ref().or(r.recipient.name.as_ref()), r.recipient.id.as_ref(), &|| {
                        recipient_path.clone()
                    })
                    .map(Recipient::User),
                "schedule" => find(&index.schedules, &named).map(Recipient::Schedule).or_else(|| {
                    self.problem(recipient_path.clone(), self.unknown("schedule", &named));
                    None
                }),
                "team" => find(&index.teams, &named).map(Recipient::Team).or_else(|| {
                    self.problem(recipient_path.clone(), self.unknown("team", &named));
                    None
                }),
                other => {
                    self.problem(
                        format!("{recipient_path}.type"),
                        format!("expected user, schedule or team, found {other:?}"),
                    );
                    None
                }
            };
            let notify = match r.notify_type.as_deref() {
                None | Some("default") => Some(NotifyType::Default),
                Some("next") => Some(NotifyType::Next),
                Some("previous") => Some(NotifyType::Previous),
                Some("users") => Some(NotifyType::Users),
                Some("admins") => Some(NotifyType::Admins),
                Some("all") => Some(NotifyType::All),
                Some("random") => Some(NotifyType::Random),
                Some(other) => {
                    self.problem(format!("{rp}.notifyType"), format!("unknown notify type {other:?}"));
                    None
                }
            };
            let (Some(recipient), Some(notify)) = (recipient, notify) else { continue };
            let fits = matches!(
                (notify, recipient),
                (NotifyType::Default, _)
                    | (NotifyType::Next | NotifyType::Previous, Recipient::Schedule(_))
                    | (
                        NotifyType::Users | NotifyType::Admins | NotifyType::All | NotifyType::Random,
                        Recipient::Team(_)
                    )
            );
            if !fits {
                self.problem(
                    format!("{rp}.notifyType"),
                    format!("{:?} does not apply to a {} recipient (next/previous are for schedules; users/admins/all/random for teams)", notify.as_str(), r.recipient.kind),
                );
                continue;
            }
            rules.push(CEscalationRule { if_not_closed, notify, delay_secs, recipient });
        }
        let on_gap = self.gap_policy(&path, e, index);
        let (mut wait, mut count, mut reset, mut close) = (0, 1, false, false);
        if let Some(rep) = &e.repeat {
            if !(0..=525_600).contains(&rep.wait_interval) {
                self.problem(format!("{path}.repeat.waitInterval"), "must be between 0 and 525600 minutes (one year)");
            }
            let c = rep.count.unwrap_or(1);
            if !(0..=20).contains(&c) {
                self.problem(format!("{path}.repeat.count"), format!("must be between 0 and 20, found {c}"));
            }
            (wait, count, reset, close) =
                (rep.wait_interval.clamp(0, 525_600) * 60, c, rep.reset_recipient_states, rep.close_alert_after_all);
        }
        CEscalation {
            name: e.name.clone(),
            id: e.id.clone(),
            rules,
            repeat_wait_secs: wait,
            repeat_count: count,
            reset_recipient_states: reset,
            close_alert_after_all: close,
            on_gap,
        }
    }
}
