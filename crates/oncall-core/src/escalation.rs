//! Escalation timelines: who is notified about an alert, when, on which channel, and why.
//!
//! [`Config::escalate`] takes an alert, its target (a team, an escalation, a schedule or a user),
//! its creation instant and the later events (acknowledge, snooze, close, …) and returns every
//! notification with the chain that caused it, every place where somebody should have been
//! reached and was not, a log of everything that happened, and the alert's final state. It is a
//! pure function: the same input gives the same output, and randomness (`notifyType: random`)
//! comes from [`EscalateOptions::seed`].
//!
//! # Rules
//!
//! **Target.** A team target evaluates the team's routing rules once, at creation, with the
//! alert's fields (see [`crate::routing`]); the team is added to the alert's `teams` and
//! `responders` fields. A schedule target (or a routing rule notifying a schedule) notifies the
//! schedule's on-call users once, with no escalation. An escalation target runs the policy.
//!
//! **Escalation rules.** Rule delays count from the start of the escalation (the alert's creation,
//! or a restart) plus the start of the repeat cycle: cycle n starts n × (largest rule delay +
//! `waitInterval`) after the start, and rule r of cycle n fires at cycle start + its delay. With
//! `waitInterval` 0 there is only cycle 0; otherwise there are `count` + 1 cycles. At its instant
//! a rule fires only if its condition holds (`if-not-acked`: open and not acknowledged;
//! `if-not-closed`: open); otherwise the log says it was skipped and why. Recipients are resolved
//! at the fire instant:
//!
//! * a user: that user;
//! * a schedule, `default`: the users on call then (after overrides and forwarding; team and
//!   escalation participants expand as in who-is-on-call); `next` / `previous`: per rotation the
//!   participant of the next / previous turn, unioned. A disabled schedule reaches nobody;
//! * a team, `default`: the team's routing rules, evaluated at the fire instant (an escalation
//!   they lead to starts then, as a nested escalation; a reference cycle reaches nobody);
//!   `users` / `admins` / `all`: those members; `random`: one member chosen from the seed,
//!   the escalation, the rule, the cycle and the restart count.
//!
//! A rule that reaches nobody (a gap in the schedule, a disabled schedule, a routing rule that
//! notifies no one, a team without such members) is an [`Unreached`] entry, never silence.
//!
//! **Gaps.** When a rule whose recipient is a schedule (`notifyType` `default`) finds nobody on
//! call, the escalation's `onGap` decides: `report` (default, Opsgenie's behaviour) records the
//! gap as [`Unreached`] and the next rule keeps its time; `skip` records it and fires the next
//! rule (in list order) of the same cycle not yet processed at that instant (its own instant
//! then finds it done);
//! `wait` looks for the next instant someone is on call in the schedule (as next-on-call does),
//! at most `nextHorizonDays` ahead, and fires the rule again then if its run is live and its
//! condition holds (with the recipients of then); nobody within the horizon, or ever again, is
//! recorded as [`Unreached`] saying so; `fallback` notifies `gapFallback` (a user, or all members
//! of a team) instead, via [`Hop::GapFallback`]. Each decision is logged
//! ([`LogKind::GapPolicy`]). A rule reaching a schedule through a team's routing, and a schedule
//! target, keep `report`.
//!
//! **Repeats.** At the start of each repeat cycle with `resetRecipientStates`, an acknowledged
//! open alert becomes unacknowledged, so `if-not-acked` rules fire again. With
//! `closeAlertAfterAll` (and repeats enabled), the alert closes after the last cycle's last rule
//! (after that instant's notifications are sent).
//!
//! **Events.** Acknowledge stops `if-not-acked` rules (not `if-not-closed` ones) and the pending
//! steps of paging notifications; it cancels a snooze. Unacknowledge restarts everything from that
//! instant as if the alert were just created (pending rules and steps of the old flow are
//! invalidated). Snooze until T stops everything; at T the alert is unacknowledged and renotified
//! as if new; acknowledge or close cancels the snooze. Close ends everything. Escalate to next
//! processes the next rule not yet processed (by fire time) of the alert's escalation — or of the
//! named one — at once, whatever its condition; later rules keep their times. Assign sends the
//! owner an `assigned-alert` notification. Add note, acknowledge and close send `add-note`,
//! `acknowledged-alert` and `closed-alert` notifications to the alert's recipients (the users
//! notified so far) except the user who acted. A duplicate only counts. Events must be in time
//! order, at or after the creation; an invalid one (acknowledging a closed alert) is an error.
//!
//! **Users.** A user reached by an escalation gets a `create-alert` notification the first time,
//! and `renotified-alert` after that (repeats, restarts, other rules). Forwarding is resolved at
//! the instant the user is notified: the notification goes to the forwarding target (chains
//! followed), **under the target's own notification rules**, and says whom it was forwarded from.
//! The user's notification rule is then chosen and its steps sent (see [`crate::notification`]):
//! quiet hours, criteria and defaults apply there, and a user not notified says why. A user has
//! at most one paging notification in progress per alert: a newer one (a renotification) cancels
//! the pending steps and loops of the older one. An acknowledgement cancels the pending steps of
//! the paging notifications sent before it; an `if-not-closed` rule that notifies a user while
//! the alert is acknowledged sends that notification's steps once, without loops.
//!
//! **Order.** Entries are in processing order: by instant; at one instant, the events first (in
//! the order given), then snooze ends, repeat-cycle starts, escalation rules (by run, cycle, rule),
//! notification steps, and automatic closes; otherwise in the order they were scheduled.
//!
//! **Limits.** At most `maxAlertEvents` events, `maxNotifications` notifications and
//! `maxEscalationSteps` scheduled steps ([`Limits`](crate::Limits), defaults [`MAX_EVENTS`],
//! [`MAX_NOTIFICATIONS`] and [`MAX_ESCALATION_STEPS`]); beyond, [`Error::LimitExceeded`] naming
//! the limit and where: `events[1000]` for the first event past the limit, the alert's target
//! (`teams[0]`, `escalations[2]`, `schedules[1]`, or `target` for a user) for notifications and
//! steps. An answer larger than `maxOutputBytes` as compact JSON (long names in many entries)
//! is refused the same way while it is built.

use crate::alert::{Action, Alert, AlertEvent, AlertState};
use crate::compile::{Config, GapPolicy, NotifyType, Recipient, Target as CTarget};
use crate::criteria::AlertFields;
use crate::error::{Error, Result};
use crate::notification::{ActionType, CStep, Choice, ContactMethod, MAX_NOTIFICATION_LOOPS};
use crate::output::{Kind, Participant};
use crate::routing::{Routed, RoutingDecision};
use crate::time::{Ts, check_range, to_utc, utc_serde};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// The most events one timeline accepts by default: the default of `maxAlertEvents`
/// ([`Limits`](crate::Limits)), which is what is enforced.
pub const MAX_EVENTS: usize = crate::Limits::DEFAULT.max_alert_events;
/// The most notifications one timeline produces by default before refusing with
/// [`Error::LimitExceeded`]: the default of `maxNotifications` ([`Limits`](crate::Limits)),
/// which is what is enforced.
pub const MAX_NOTIFICATIONS: usize = crate::Limits::DEFAULT.max_notifications;
/// The most scheduled steps (rule firings, notification steps, …) one timeline processes: the
/// default of `maxEscalationSteps` ([`Limits`](crate::Limits)), which is what is enforced.
pub const MAX_ESCALATION_STEPS: usize = crate::Limits::DEFAULT.max_escalation_steps;

/// Who an alert is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A team, by name or id: its routing rules decide.
    Team(String),
    /// An escalation policy, by name or id.
    Escalation(String),
    /// A schedule, by name or id: its on-call users, once.
    Schedule(String),
    /// A user, by username or id.
    User(String),
}

impl Target {
    fn kind(&self) -> &'static str {
        match self {
            Target::Team(_) => "team",
            Target::Escalation(_) => "escalation",
            Target::Schedule(_) => "schedule",
            Target::User(_) => "user",
        }
    }

    fn name(&self) -> &str {
        match self {
            Target::Team(n) | Target::Escalation(n) | Target::Schedule(n) | Target::User(n) => n,
        }
    }
}

/// Options of [`Config::escalate`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EscalateOptions {
    /// The seed of `notifyType: random` picks.
    pub seed: u64,
}

/// The target as named in the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetRef {
    /// `team`, `escalation`, `schedule` or `user`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// One link of the chain that caused a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Hop {
    /// A team's routing.
    #[serde(rename_all = "camelCase")]
    Routing {
        /// The team.
        team: String,
        /// The rule that applied (`null`: none did, the team's default target or members).
        rule_index: Option<usize>,
        /// Its name.
        #[serde(skip_serializing_if = "Option::is_none")]
        rule_name: Option<String>,
    },
    /// An escalation rule firing.
    #[serde(rename_all = "camelCase")]
    Escalation {
        /// The escalation.
        name: String,
        /// Index of the rule in the escalation's `rules`.
        rule_index: usize,
        /// The repeat cycle (0: the first run).
        cycle: u32,
        /// `if-not-acked` or `if-not-closed`.
        condition: String,
        /// The rule's notify type.
        notify_type: String,
        /// The rule's delay in minutes.
        escalation_time: i64,
        /// Processed early by an escalate-to-next event.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        escalated_to_next: bool,
    },
    /// A schedule's on-call users.
    #[serde(rename_all = "camelCase")]
    Schedule {
        /// The schedule.
        name: String,
        /// `default` (on call now), `next` or `previous`.
        notify_type: String,
    },
    /// Members of a team.
    #[serde(rename_all = "camelCase")]
    Team {
        /// The team.
        name: String,
        /// `users`, `admins`, `all` or `random`.
        notify_type: String,
    },
    /// `onGap: fallback`: notified instead of the schedule before it, which had nobody on call.
    #[serde(rename_all = "camelCase")]
    GapFallback {
        /// The schedule with nobody on call.
        schedule: String,
    },
    /// An alert event (acknowledge, close, add-note, assign).
    #[serde(rename_all = "camelCase")]
    Event {
        /// The action.
        action: String,
        /// Who acted.
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
}

/// Which notification rule and step sent a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleStep {
    /// Index of the rule in the user's `notificationRules`; `null` for the default.
    pub index: Option<usize>,
    /// The rule's name (`default` for the default rule).
    pub name: String,
    /// Whether this is the default rule (email at minute 0 to the username).
    pub default: bool,
    /// Index of the step in the rule's `steps`.
    pub step: usize,
    /// The repeat loop (0: the first run of the steps).
    #[serde(rename = "loop")]
    pub loop_index: u32,
}

/// A notification sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// When it is sent.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// Who receives it (after forwarding).
    pub user: String,
    /// The channel.
    pub method: ContactMethod,
    /// The contact address.
    pub to: String,
    /// What the notification is about.
    pub action_type: ActionType,
    /// When the user was notified (the step's `sendAfter` and loops count from it).
    #[serde(with = "utc_serde")]
    pub notified_at: DateTime<Utc>,
    /// The user the notification was meant for, when forwarding redirected it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded_from: Option<String>,
    /// The notification rule and step.
    pub notification_rule: RuleStep,
    /// The chain that caused it, outermost first.
    pub via: Vec<Hop>,
    #[serde(skip)]
    seq: u64,
}

/// Why somebody was not reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnreachedReason {
    /// Nobody on call in the schedule (or no next / previous participant).
    Gap,
    /// The schedule is disabled.
    ScheduleDisabled,
    /// A routing rule notifies no one.
    RoutedToNone,
    /// The team has no such members.
    NoMembers,
    /// The escalation has no rules.
    NoRules,
    /// None of the user's notification rules applies (disabled, criteria, quiet hours).
    NoMatchingRule,
    /// The user's rule has no enabled step.
    NoSteps,
    /// A reference cycle (team → escalation → … the same escalation).
    Cycle,
}

/// A place where somebody should have been notified and nobody was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unreached {
    /// When.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// Why, as a code.
    pub reason: UnreachedReason,
    /// Why, for people.
    pub message: String,
    /// The user not notified, for user-level reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The notification's type, for user-level reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_type: Option<ActionType>,
    /// The chain that led here.
    pub via: Vec<Hop>,
    #[serde(skip)]
    seq: u64,
}

/// What a log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogKind {
    /// The alert was created.
    Created,
    /// A team's routing chose a target.
    Routed,
    /// An escalation started (or restarted).
    EscalationStarted,
    /// A repeat cycle started.
    CycleStarted,
    /// `resetRecipientStates` un-acknowledged the alert.
    AcknowledgementReset,
    /// An escalation rule fired.
    RuleFired,
    /// An escalation rule's condition did not hold.
    RuleSkipped,
    /// The alert was acknowledged.
    Acknowledged,
    /// The alert was unacknowledged (the flow restarts).
    Unacknowledged,
    /// The alert was snoozed.
    Snoozed,
    /// A snooze ended (the flow restarts).
    SnoozeEnded,
    /// The alert was closed.
    Closed,
    /// `closeAlertAfterAll` closed the alert.
    AutoClosed,
    /// A note was added.
    NoteAdded,
    /// An owner was assigned.
    Assigned,
    /// A duplicate create was counted.
    Duplicate,
    /// An escalate-to-next event.
    EscalatedToNext,
    /// A pending notification step was cancelled.
    StepCancelled,
    /// A user was not sent an informational notification (no rule, or none applies).
    NotNotified,
    /// A rule's schedule had nobody on call and the escalation's `onGap` policy acted (skip to
    /// the next rule, wait for someone, notify the fallback).
    GapPolicy,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// When.
    #[serde(with = "utc_serde")]
    pub at: DateTime<Utc>,
    /// What, as a code.
    pub kind: LogKind,
    /// What, for people.
    pub message: String,
    /// The chain it belongs to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Hop>,
    #[serde(skip)]
    seq: u64,
}

/// The answer of [`Config::escalate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EscalationTimeline {
    /// The target.
    pub target: TargetRef,
    /// The alert's state after everything (status, acknowledged, count, snooze, report).
    pub alert: AlertState,
    /// The team routing decision at creation, for a team target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingDecision>,
    /// Notifications sent, in order.
    pub notifications: Vec<Notification>,
    /// Where nobody was reached, in order.
    pub unreached: Vec<Unreached>,
    /// Everything that happened, in order.
    pub log: Vec<LogEntry>,
}

/// One entry of [`EscalationTimeline::entries`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// A notification.
    Notification(&'a Notification),
    /// Nobody reached.
    Unreached(&'a Unreached),
    /// A log entry.
    Log(&'a LogEntry),
}

impl Entry<'_> {
    /// When.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Entry::Notification(n) => n.at,
            Entry::Unreached(u) => u.at,
            Entry::Log(l) => l.at,
        }
    }
}

impl EscalationTimeline {
    /// Notifications, unreached entries and log entries merged in processing order.
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut all: Vec<(u64, Entry<'_>)> = Vec::new();
        all.extend(self.notifications.iter().map(|n| (n.seq, Entry::Notification(n))));
        all.extend(self.unreached.iter().map(|u| (u.seq, Entry::Unreached(u))));
        all.extend(self.log.iter().map(|l| (l.seq, Entry::Log(l))));
        all.sort_by_key(|(s, _)| *s);
        all.into_iter().map(|(_, e)| e).collect()
    }

    /// The notifications as `(instant, user, method)` strings, e.g.
    /// `2026-11-10T10:00:00Z alice email`: handy in tests and logs.
    pub fn summary(&self) -> Vec<String> {
        self.notifications
            .iter()
            .map(|n| format!("{} {} {}", crate::time::format_instant(n.at), n.user, n.method))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The simulation.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ItemKind {
    Event(usize),
    SnoozeEnd(u32),
    CycleStart {
        run: usize,
        cycle: u32,
    },
    RuleFire {
        run: usize,
        cycle: u32,
        rule: usize,
    },
    /// `onGap: wait`: the rule fires again once someone is on call.
    RuleRetry {
        run: usize,
        cycle: u32,
        rule: usize,
    },
    Step {
        delivery: usize,
        step: usize,
        round: u32,
    },
    AutoClose {
        run: usize,
    },
}

impl ItemKind {
    fn class(&self) -> u8 {
        match self {
            ItemKind::Event(_) => 0,
            ItemKind::SnoozeEnd(_) => 1,
            ItemKind::CycleStart { .. } => 2,
            ItemKind::RuleFire { .. } | ItemKind::RuleRetry { .. } => 3,
            ItemKind::Step { .. } => 4,
            ItemKind::AutoClose { .. } => 5,
        }
    }
}

/// What the caller of a schedule notification does next (the `onGap` policy's decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GapAction {
    /// Nothing more.
    None,
    /// Fire the next rule of the cycle now (`skip`).
    Next,
    /// Fire the rule again at this instant (`wait`).
    RetryAt(Ts),
}

#[derive(Debug)]
enum Root {
    Escalation(usize),
    Schedule(usize),
    Users(Vec<usize>),
    Nobody(UnreachedReason, String),
}

#[derive(Debug)]
struct Run {
    esc: usize,
    start: Ts,
    flow: u32,
    via: Vec<Hop>,
    /// Escalations on the path to this run (cycle detection), itself included.
    chain: Vec<usize>,
    cycles: u32,
    period: Ts,
    /// Per (cycle × rules + rule): processed.
    done: Vec<bool>,
}

#[derive(Debug)]
struct Delivery {
    user: usize,
    from: Option<usize>,
    action: ActionType,
    rule_index: Option<usize>,
    rule_name: String,
    steps: Vec<CStep>,
    last: usize,
    period: Option<Ts>,
    notified_at: Ts,
    via: Vec<Hop>,
    flow: u32,
    /// A newer paging notification to the same user replaced this one.
    superseded: bool,
    /// The acknowledgement count when notified: a later acknowledgement cancels the steps.
    acks: u32,
}

/// Where a user notification comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// An escalation, routing or restart: create-alert the first time, renotified after.
    Alert,
    /// Assigned.
    Assigned,
    /// Informational (acknowledged, closed, note).
    Info(ActionType),
}

struct Sim<'c> {
    c: &'c Config,
    /// Stop after this instant (the timeline as of then); `None`: run to the end.
    until: Option<Ts>,
    fields: AlertFields,
    state: AlertState,
    events: &'c [AlertEvent],
    by_name: HashMap<&'c str, usize>,
    seed: u64,
    flow: u32,
    snooze_token: u32,
    queue: BinaryHeap<Reverse<(Ts, u8, u64, ItemKind)>>,
    seq: u64,
    scheduled: usize,
    /// Bytes of the answer so far, as compact JSON (`maxOutputBytes`).
    bytes: usize,
    root: Root,
    root_via: Vec<Hop>,
    /// The alert's target as an input path, for the errors of the timeline's limits.
    target_path: String,
    runs: Vec<Run>,
    deliveries: Vec<Delivery>,
    /// Users reached by alert notifications so far (the alert's recipients), in order.
    recipients: Vec<usize>,
    /// Per user: the latest paging delivery.
    active: HashMap<usize, usize>,
    /// How many acknowledgements so far.
    acks: u32,
    out: EscalationTimeline,
}

fn mix(x: u64) -> u64 {
    // splitmix64
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `1 rule`, `2 rules`: a count and its noun, singular for one.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn minutes(secs: i64) -> String {
    if secs % 60 == 0 { format!("{}m", secs / 60) } else { format!("{secs}s") }
}

impl Config {
    fn escalation_index(&self, name: &str) -> Result<usize> {
        self.escalations
            .iter()
            .position(|e| e.name == name)
            .or_else(|| self.escalations.iter().position(|e| e.id.as_deref() == Some(name)))
            .ok_or_else(|| Error::UnknownTarget { kind: "escalation".into(), name: name.into() })
    }

    fn user_index(&self, name: &str) -> Option<usize> {
        self.users
            .iter()
            .position(|u| u.username == name)
            .or_else(|| self.users.iter().position(|u| u.id.as_deref() == Some(name)))
    }

    /// The zone a timeline for `target` is best read in (and naive times about it are read in):
    /// a schedule's own zone; for an escalation, the zone of the first schedule its rules name;
    /// for a team, that of its default target, else of the first schedule it owns; for a user,
    /// the user's zone; UTC when there is none. Unknown names give UTC.
    ///
    /// ```
    /// # let config = oncall_core::Config::from_json(r#"{"schedules":[{"name":"s","timezone":"Asia/Kolkata"}],
    /// #   "escalations":[{"name":"e","rules":[{"recipient":{"type":"schedule","name":"s"}}]}]}"#)?;
    /// use oncall_core::escalation::Target;
    /// assert_eq!(config.target_zone(&Target::Escalation("e".into())).name(), "Asia/Kolkata");
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn target_zone(&self, target: &Target) -> chrono_tz::Tz {
        let of_escalation = |e: usize| {
            self.escalations[e].rules.iter().find_map(|r| match r.recipient {
                Recipient::Schedule(s) => Some(self.schedules[s].tz),
                _ => None,
            })
        };
        let zone = match target {
            Target::Schedule(name) => self.schedule(name).ok().map(|s| s.timezone()),
            Target::Escalation(name) => self.escalation_index(name).ok().and_then(of_escalation),
            Target::User(name) => self.user_index(name).and_then(|u| self.users[u].tz),
            Target::Team(name) => self.team_index(name).ok().and_then(|ti| {
                let team = &self.teams[ti];
                let default = match team.default_target {
                    Some(CTarget::Escalation(e)) => of_escalation(e),
                    Some(CTarget::Schedule(s)) => Some(self.schedules[s].tz),
                    _ => None,
                };
                default.or_else(|| self.schedules.iter().find(|s| s.owner_team == Some(ti)).map(|s| s.tz))
            }),
        };
        zone.unwrap_or(chrono_tz::Tz::UTC)
    }

    /// The escalation timeline of `alert`, created at `created_at` for `target`, with later
    /// `events` (in time order, at or after the creation). See the [module docs](self) for
    /// every rule.
    ///
    /// ```
    /// use oncall_core::{Config, alert::{Action, Alert, AlertEvent}, escalation::{EscalateOptions, Target}};
    /// let config = Config::from_json(r#"{
    ///   "schedules": [{"name": "primary", "rotations": [{"type": "daily", "startDate": "2026-11-01T09:00:00Z",
    ///                   "participants": ["ann", "ben"]}]}],
    ///   "escalations": [{"name": "ops", "rules": [
    ///     {"condition": "if-not-acked", "delay": {"timeAmount": 0}, "recipient": {"type": "schedule", "name": "primary"}},
    ///     {"condition": "if-not-acked", "delay": {"timeAmount": 10}, "recipient": {"type": "user", "username": "boss"}}]}]}"#)?;
    /// let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    /// let alert = Alert::new("Payment API 5xx");
    /// let target = Target::Escalation("ops".into());
    ///
    /// // Nobody acknowledges: ben (on call: turn 9 since 11-01) at once, the boss after 10 minutes
    /// // (users without notification rules get one email at minute 0).
    /// let tl = config.escalate(&alert, &target, t("2026-11-10T10:00:00Z"), &[], &EscalateOptions::default())?;
    /// assert_eq!(tl.summary(), ["2026-11-10T10:00:00Z ben email", "2026-11-10T10:10:00Z boss email"]);
    ///
    /// // Acknowledged after 5 minutes: the boss is never paged.
    /// let ack = [AlertEvent::new(t("2026-11-10T10:05:00Z"), Action::Acknowledge { user: Some("ben".into()) })];
    /// let tl = config.escalate(&alert, &target, t("2026-11-10T10:00:00Z"), &ack, &EscalateOptions::default())?;
    /// assert_eq!(tl.summary(), ["2026-11-10T10:00:00Z ben email"]);
    /// assert!(tl.alert.acknowledged);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn escalate(
        &self,
        alert: &Alert,
        target: &Target,
        created_at: DateTime<Utc>,
        events: &[AlertEvent],
        options: &EscalateOptions,
    ) -> Result<EscalationTimeline> {
        self.escalate_until(alert, target, created_at, events, options, None)
    }

    /// The escalation timeline as of `until` (when given): what [`Config::escalate`] answers,
    /// with only the entries at or before `until`, and the alert's state at that instant —
    /// after the repeats' acknowledgement resets and the automatic close that happened by then.
    /// A service that stores an alert's events asks this for the state its next event applies
    /// to (the entries up to an instant never depend on later events).
    ///
    /// ```
    /// use oncall_core::{Config, alert::Alert, escalation::{EscalateOptions, Target}};
    /// let config = Config::from_json(r#"{"escalations": [{"name": "ops", "rules": [
    ///     {"condition": "if-not-acked", "delay": {"timeAmount": 0}, "recipient": {"type": "user", "username": "ann"}}],
    ///   "repeat": {"waitInterval": 5, "count": 1, "closeAlertAfterAll": true}}]}"#)?;
    /// let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    /// let (alert, target, o) = (Alert::new("m"), Target::Escalation("ops".into()), EscalateOptions::default());
    /// let at = |u: &str| config.escalate_until(&alert, &target, t("2026-11-10T10:00:00Z"), &[], &o, Some(t(u)));
    /// assert!(at("2026-11-10T10:04:00Z")?.alert.is_open());
    /// assert_eq!(at("2026-11-10T10:04:00Z")?.notifications.len(), 1);
    /// assert!(!at("2026-11-10T10:06:00Z")?.alert.is_open()); // closed after the last cycle
    /// # Ok::<(), oncall_core::Error>(())
    /// ```
    pub fn escalate_until(
        &self,
        alert: &Alert,
        target: &Target,
        created_at: DateTime<Utc>,
        events: &[AlertEvent],
        options: &EscalateOptions,
        until: Option<DateTime<Utc>>,
    ) -> Result<EscalationTimeline> {
        alert.validate()?;
        let t0 = check_range(created_at.timestamp())
            .map_err(|m| Error::InvalidTime { what: "created_at".into(), message: m })?;
        let most = self.limits.max_alert_events;
        if events.len() > most {
            return Err(Error::LimitExceeded {
                limit: "maxAlertEvents",
                path: format!("events[{most}]"),
                message: format!("the alert has {} events, more than {most}", events.len()),
                line: None,
                column: None,
            });
        }
        let mut prev = created_at;
        for (i, e) in events.iter().enumerate() {
            check_range(e.at.timestamp())
                .map_err(|m| Error::InvalidTime { what: format!("events[{i}].at"), message: m })?;
            if e.at < prev {
                let what = if i == 0 { "the creation".to_string() } else { format!("events[{}]", i - 1) };
                return Err(Error::InvalidArgument {
                    what: format!("events[{i}].at"),
                    message: format!("must not be before {what}: events come in time order"),
                });
            }
            prev = e.at;
        }
        let mut fields = alert.fields();
        let mut state = AlertState::new(1, alert.clone(), created_at);
        let target_ref = TargetRef { kind: target.kind().into(), name: target.name().into() };
        let target_path = match target {
            Target::Team(name) => self.team_index(name).map(|i| format!("teams[{i}]")),
            Target::Escalation(name) => self.escalation_index(name).map(|i| format!("escalations[{i}]")),
            Target::Schedule(name) => self.schedule(name).map(|s| format!("schedules[{}]", s.index)),
            Target::User(_) => Ok("target".into()),
        }
        .unwrap_or_else(|_| "target".into());
        let (root, root_via, routing) = match target {
            Target::Team(name) => {
                let ti = self.team_index(name)?;
                let team = &self.teams[ti];
                if !fields.teams.contains(&team.name) {
                    fields.teams.push(team.name.clone());
                }
                if !fields.responders.contains(&team.name) {
                    fields.responders.push(team.name.clone());
                    fields.recipients.push(team.name.clone());
                }
                let (decision, routed) = self.route(ti, &fields, t0);
                let hop = Hop::Routing {
                    team: team.name.clone(),
                    rule_index: decision.rule_index,
                    rule_name: decision.rule_name.clone(),
                };
                let root = match routed {
                    Routed::Target(CTarget::Escalation(e)) => Root::Escalation(e),
                    Routed::Target(CTarget::Schedule(s)) => Root::Schedule(s),
                    Routed::Target(CTarget::Nobody) => Root::Nobody(
                        UnreachedReason::RoutedToNone,
                        format!("team {}'s routing {} notifies no one", team.name, rule_label(&decision)),
                    ),
                    Routed::Members => Root::Users(team.members.iter().map(|m| m.0).collect()),
                };
                (root, vec![hop], Some(decision))
            }
            Target::Escalation(name) => (Root::Escalation(self.escalation_index(name)?), Vec::new(), None),
            Target::Schedule(name) => (Root::Schedule(self.schedule(name)?.index), Vec::new(), None),
            Target::User(name) => {
                let u = self
                    .user_index(name)
                    .ok_or_else(|| Error::UnknownTarget { kind: "user".into(), name: name.clone() })?;
                (Root::Users(vec![u]), Vec::new(), None)
            }
        };
        let by_name = self.users.iter().enumerate().map(|(i, u)| (u.username.as_str(), i)).collect();
        state.updated_at = created_at;
        let mut sim = Sim {
            c: self,
            until: until.map(|u| u.timestamp()),
            fields,
            state,
            events,
            by_name,
            seed: options.seed,
            flow: 0,
            snooze_token: 0,
            queue: BinaryHeap::new(),
            seq: 0,
            scheduled: 0,
            bytes: 0,
            root,
            root_via,
            target_path,
            runs: Vec::new(),
            deliveries: Vec::new(),
            recipients: Vec::new(),
            active: HashMap::new(),
            acks: 0,
            out: EscalationTimeline {
                target: target_ref,
                alert: AlertState::new(1, alert.clone(), created_at),
                routing,
                notifications: Vec::new(),
                unreached: Vec::new(),
                log: Vec::new(),
            },
        };
        sim.run(t0)?;
        sim.check_bytes()?;
        sim.out.alert = sim.state;
        Ok(sim.out)
    }
}

fn rule_label(d: &RoutingDecision) -> String {
    match (d.rule_index, &d.rule_name) {
        (Some(i), Some(n)) => format!("rule {} {n:?}", i + 1),
        (Some(i), None) => format!("rule {}", i + 1),
        (None, _) => d.fallback.clone().unwrap_or_else(|| "fallback".into()),
    }
}

impl<'c> Sim<'c> {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn push(&mut self, at: Ts, kind: ItemKind) -> Result<()> {
        self.scheduled += 1;
        let steps = self.c.limits.max_escalation_steps;
        if self.scheduled > steps {
            return Err(self.too_large("maxEscalationSteps", steps, "steps"));
        }
        self.check_bytes()?;
        let seq = self.next_seq();
        self.queue.push(Reverse((at, kind.class(), seq, kind)));
        Ok(())
    }

    /// The refusal of a timeline that would pass `limit` (`name`, counting `unit`), naming the
    /// alert's target as the path.
    fn too_large(&self, name: &'static str, limit: usize, unit: &str) -> Error {
        Error::LimitExceeded {
            limit: name,
            path: self.target_path.clone(),
            message: format!(
                "this escalation timeline would have more than {limit} {unit}; ask for a shorter window (until)"
            ),
            line: None,
            column: None,
        }
    }

    /// Refuses the answer once it is larger than `maxOutputBytes` (checked at every step and
    /// notification, so it passes the limit by one entry at most).
    fn check_bytes(&self) -> Result<()> {
        let limit = self.c.limits.max_output_bytes;
        if self.bytes > limit {
            return Err(crate::output::too_many_bytes("this escalation timeline", "at", limit));
        }
        Ok(())
    }

    fn log(&mut self, at: Ts, kind: LogKind, message: String, via: Vec<Hop>) {
        let seq = self.next_seq();
        let entry = LogEntry { at: to_utc(at), kind, message, via, seq };
        self.bytes += crate::output::json_len(&entry);
        self.out.log.push(entry);
    }

    fn unreached(
        &mut self,
        at: Ts,
        reason: UnreachedReason,
        message: String,
        user: Option<usize>,
        action: Option<ActionType>,
        via: Vec<Hop>,
    ) {
        let seq = self.next_seq();
        let user = user.map(|u| self.name(u).to_string());
        let entry = Unreached { at: to_utc(at), reason, message, user, action_type: action, via, seq };
        self.bytes += crate::output::json_len(&entry);
        self.out.unreached.push(entry);
    }

    fn name(&self, u: usize) -> &'c str {
        &self.c.users[u].username
    }

    fn run(&mut self, t0: Ts) -> Result<()> {
        let a = &self.state;
        let msg = format!(
            "alert {:?} ({}) created for {} {}",
            a.message, a.priority, self.out.target.kind, self.out.target.name
        );
        self.log(t0, LogKind::Created, msg, Vec::new());
        if let Some(d) = self.out.routing.clone() {
            let to = match &d.notify.name {
                Some(n) => format!("{} {n}", d.notify.kind),
                None if d.notify.kind == "members" => "every member of the team".to_string(),
                None => "no one".to_string(),
            };
            let msg = format!("team {} routed the alert by {} to {to}", d.team, rule_label(&d));
            self.log(t0, LogKind::Routed, msg, self.root_via.clone());
        }
        self.start_root(t0)?;
        for i in 0..self.events.len() {
            self.push(self.events[i].at.timestamp(), ItemKind::Event(i))?;
        }
        while let Some(Reverse((at, _, _, kind))) = self.queue.pop() {
            if self.until.is_some_and(|u| at > u) {
                break;
            }
            match kind {
                ItemKind::Event(i) => self.event(i, at)?,
                ItemKind::SnoozeEnd(token) => self.snooze_end(token, at)?,
                ItemKind::CycleStart { run, cycle } => self.cycle_start(run, cycle, at),
                ItemKind::RuleFire { run, cycle, rule } => self.rule_due(run, cycle, rule, at)?,
                ItemKind::RuleRetry { run, cycle, rule } => self.rule_retry(run, cycle, rule, at)?,
                ItemKind::Step { delivery, step, round } => self.step(delivery, step, round, at)?,
                ItemKind::AutoClose { run } => self.auto_close(run, at)?,
            }
        }
        Ok(())
    }

    /// Starts (or restarts) the notification flow at `t`.
    fn start_root(&mut self, t: Ts) -> Result<()> {
        let via = self.root_via.clone();
        match &self.root {
            Root::Escalation(e) => self.start_run(*e, t, via, Vec::new()),
            Root::Schedule(s) => self.notify_schedule(*s, NotifyType::Default, t, via),
            Root::Users(users) => {
                if users.is_empty() {
                    self.unreached(t, UnreachedReason::NoMembers, "the team has no members".into(), None, None, via);
                    return Ok(());
                }
                for u in users.clone() {
                    self.notify_user(u, t, via.clone(), Why::Alert)?;
                }
                Ok(())
            }
            Root::Nobody(reason, message) => {
                let (reason, message) = (*reason, message.clone());
                self.unreached(t, reason, message, None, None, via);
                Ok(())
            }
        }
    }

    fn start_run(&mut self, e: usize, t: Ts, via: Vec<Hop>, mut chain: Vec<usize>) -> Result<()> {
        let esc = &self.c.escalations[e];
        if chain.contains(&e) {
            let msg = format!("escalation {} is already running on this path (a reference cycle): nobody", esc.name);
            self.unreached(t, UnreachedReason::Cycle, msg, None, None, via);
            return Ok(());
        }
        chain.push(e);
        if esc.rules.is_empty() {
            self.unreached(
                t,
                UnreachedReason::NoRules,
                format!("escalation {} has no rules", esc.name),
                None,
                None,
                via,
            );
            return Ok(());
        }
        let max_delay = esc.rules.iter().map(|r| r.delay_secs).max().unwrap_or(0);
        let repeats = esc.repeat_wait_secs > 0;
        let cycles = if repeats { 1 + u32::try_from(esc.repeat_count.max(0)).unwrap_or(0) } else { 1 };
        let period = max_delay + esc.repeat_wait_secs;
        let run = self.runs.len();
        let msg = if repeats {
            format!(
                "escalation {} started: {}, {} every {} ({}{})",
                esc.name,
                count(esc.rules.len(), "rule"),
                count(usize::try_from(cycles - 1).unwrap_or(0), "repeat cycle"),
                minutes(period),
                if esc.reset_recipient_states { "resetRecipientStates" } else { "no reset" },
                if esc.close_alert_after_all { ", closeAlertAfterAll" } else { "" },
            )
        } else {
            format!("escalation {} started: {}, no repeat", esc.name, count(esc.rules.len(), "rule"))
        };
        self.log(t, LogKind::EscalationStarted, msg, via.clone());
        self.runs.push(Run {
            esc: e,
            start: t,
            flow: self.flow,
            via,
            chain,
            cycles,
            period,
            done: vec![false; esc.rules.len() * cycles as usize],
        });
        for cycle in 0..cycles {
            let start = t + i64::from(cycle) * period;
            if cycle > 0 {
                self.push(start, ItemKind::CycleStart { run, cycle })?;
            }
            for (rule, r) in esc.rules.iter().enumerate() {
                self.push(start + r.delay_secs, ItemKind::RuleFire { run, cycle, rule })?;
            }
        }
        if repeats && esc.close_alert_after_all {
            self.push(t + i64::from(cycles - 1) * period + max_delay, ItemKind::AutoClose { run })?;
        }
        Ok(())
    }

    fn live(&self, run: usize) -> bool {
        self.runs[run].flow == self.flow && self.state.is_open()
    }

    fn cycle_start(&mut self, run: usize, cycle: u32, at: Ts) {
        if !self.live(run) {
            return;
        }
        let r = &self.runs[run];
        let esc = &self.c.escalations[r.esc];
        let via = r.via.clone();
        let msg = format!("escalation {}: repeat cycle {} of {} starts", esc.name, cycle, r.cycles - 1);
        self.log(at, LogKind::CycleStarted, msg, via.clone());
        if esc.reset_recipient_states && self.state.reset_ack(at) {
            let msg = format!(
                "escalation {}: resetRecipientStates un-acknowledged the alert; if-not-acked rules fire again",
                esc.name
            );
            self.log(at, LogKind::AcknowledgementReset, msg, via);
        }
    }

    fn rule_hop(&self, run: usize, cycle: u32, rule: usize, early: bool) -> Vec<Hop> {
        let r = &self.runs[run];
        let esc = &self.c.escalations[r.esc];
        let er = &esc.rules[rule];
        let mut via = r.via.clone();
        via.push(Hop::Escalation {
            name: esc.name.clone(),
            rule_index: rule,
            cycle,
            condition: if er.if_not_closed { "if-not-closed" } else { "if-not-acked" }.into(),
            notify_type: er.notify.as_str().into(),
            escalation_time: er.delay_secs / 60,
            escalated_to_next: early,
        });
        via
    }

    fn rule_due(&mut self, run: usize, cycle: u32, rule: usize, at: Ts) -> Result<()> {
        if !self.live(run) {
            return Ok(());
        }
        let idx = cycle as usize * self.c.escalations[self.runs[run].esc].rules.len() + rule;
        if self.runs[run].done[idx] {
            return Ok(());
        }
        self.runs[run].done[idx] = true;
        if self.acked_skip(run, cycle, rule, at) {
            return Ok(());
        }
        self.fire(run, cycle, rule, at, false)
    }

    /// `onGap: wait`: rule `rule` of cycle `cycle` fires again at `at`, when someone is on call,
    /// if its run is live and its condition still holds.
    fn rule_retry(&mut self, run: usize, cycle: u32, rule: usize, at: Ts) -> Result<()> {
        if !self.live(run) || self.acked_skip(run, cycle, rule, at) {
            return Ok(());
        }
        self.fire(run, cycle, rule, at, false)
    }

    /// Whether an `if-not-acked` rule does not fire because the alert is acknowledged (logged).
    fn acked_skip(&mut self, run: usize, cycle: u32, rule: usize, at: Ts) -> bool {
        let esc = &self.c.escalations[self.runs[run].esc];
        let er = &esc.rules[rule];
        if !er.if_not_closed && self.state.acknowledged {
            let by = self.state.report.acknowledged_by.as_deref().map(|u| format!(" by {u}")).unwrap_or_default();
            let msg = format!(
                "escalation {} rule {} of {} (if-not-acked) not fired: the alert is acknowledged{by}",
                esc.name,
                rule + 1,
                esc.rules.len()
            );
            let via = self.rule_hop(run, cycle, rule, false);
            self.log(at, LogKind::RuleSkipped, msg, via);
            return true;
        }
        false
    }

    fn recipient_label(&self, r: Recipient, notify: NotifyType) -> String {
        match r {
            Recipient::User(u) => format!("user {}", self.name(u)),
            Recipient::Schedule(s) => format!("schedule {} ({})", self.c.schedules[s].name, notify.as_str()),
            Recipient::Team(t) => format!("team {} ({})", self.c.teams[t].name, notify.as_str()),
        }
    }

    fn fire(&mut self, run: usize, cycle: u32, rule: usize, at: Ts, early: bool) -> Result<()> {
        let r = &self.runs[run];
        let (e, chain) = (r.esc, r.chain.clone());
        let esc = &self.c.escalations[e];
        let er = &esc.rules[rule];
        let via = self.rule_hop(run, cycle, rule, early);
        let what = self.recipient_label(er.recipient, er.notify);
        let cyc = if cycle > 0 { format!(", repeat cycle {cycle}") } else { String::new() };
        let how = if early { " by escalate-to-next" } else { "" };
        let msg = format!("escalation {} rule {} of {} fired{how}{cyc}: {what}", esc.name, rule + 1, esc.rules.len());
        self.log(at, LogKind::RuleFired, msg, via.clone());
        match (er.recipient, er.notify) {
            (Recipient::User(u), _) => self.notify_user(u, at, via, Why::Alert),
            (Recipient::Schedule(s), notify) => {
                let policy = if notify == NotifyType::Default { esc.on_gap } else { GapPolicy::Report };
                match self.notify_schedule_with(s, notify, at, via, policy)? {
                    GapAction::None => Ok(()),
                    GapAction::Next => {
                        // The next rule of this cycle not yet processed fires now; its own time
                        // then finds it done.
                        let n = self.c.escalations[e].rules.len();
                        let done = &self.runs[run].done[cycle as usize * n..(cycle as usize + 1) * n];
                        if let Some(next) = (rule + 1..n).find(|&k| !done[k]) {
                            self.push(at, ItemKind::RuleFire { run, cycle, rule: next })?;
                        }
                        Ok(())
                    }
                    GapAction::RetryAt(b) => self.push(b, ItemKind::RuleRetry { run, cycle, rule }),
                }
            }
            (Recipient::Team(ti), NotifyType::Default) => {
                let (decision, routed) = self.c.route(ti, &self.fields, at);
                let mut via = via;
                via.push(Hop::Routing {
                    team: self.c.teams[ti].name.clone(),
                    rule_index: decision.rule_index,
                    rule_name: decision.rule_name.clone(),
                });
                match routed {
                    Routed::Target(CTarget::Escalation(next)) => self.start_run(next, at, via, chain),
                    Routed::Target(CTarget::Schedule(s)) => self.notify_schedule(s, NotifyType::Default, at, via),
                    Routed::Target(CTarget::Nobody) => {
                        let msg = format!(
                            "team {}'s routing {} notifies no one",
                            self.c.teams[ti].name,
                            rule_label(&decision)
                        );
                        self.unreached(at, UnreachedReason::RoutedToNone, msg, None, None, via);
                        Ok(())
                    }
                    Routed::Members => {
                        let members: Vec<usize> = self.c.teams[ti].members_for(NotifyType::All).collect();
                        self.notify_members(ti, "default", members, at, via)
                    }
                }
            }
            (Recipient::Team(ti), notify) => {
                let team = &self.c.teams[ti];
                let mut members: Vec<usize> = team.members_for(notify).collect();
                if notify == NotifyType::Random && !members.is_empty() {
                    let mut h = mix(self.seed);
                    for v in [e as u64, rule as u64, u64::from(cycle), u64::from(self.flow)] {
                        h = mix(h ^ v);
                    }
                    let pick = members[(h % members.len() as u64) as usize];
                    members = vec![pick];
                }
                let mut via = via;
                via.push(Hop::Team { name: team.name.clone(), notify_type: notify.as_str().into() });
                self.notify_members(ti, notify.as_str(), members, at, via)
            }
        }
    }

    fn notify_members(&mut self, ti: usize, which: &str, members: Vec<usize>, at: Ts, via: Vec<Hop>) -> Result<()> {
        if members.is_empty() {
            let kind = match which {
                "admins" => "admins",
                "users" => "members with the user role",
                _ => "members",
            };
            let msg = format!("team {} has no {kind}: nobody notified", self.c.teams[ti].name);
            self.unreached(at, UnreachedReason::NoMembers, msg, None, None, via);
            return Ok(());
        }
        let mut seen = Vec::new();
        for u in members {
            let v = self.c.forward(u, at);
            if !seen.contains(&v) {
                seen.push(v);
                self.notify_resolved(v, (v != u).then_some(u), at, via.clone(), Why::Alert)?;
            }
        }
        Ok(())
    }

    /// Notifies the users of schedule `s` with Opsgenie's behaviour for a gap (reported).
    fn notify_schedule(&mut self, s: usize, notify: NotifyType, at: Ts, via: Vec<Hop>) -> Result<()> {
        self.notify_schedule_with(s, notify, at, via, GapPolicy::Report).map(drop)
    }

    /// Notifies the users of schedule `s`; when nobody is on call, `policy` decides (see the
    /// module rules, "Gaps") and the answer says what the caller does next.
    fn notify_schedule_with(
        &mut self,
        s: usize,
        notify: NotifyType,
        at: Ts,
        mut via: Vec<Hop>,
        policy: GapPolicy,
    ) -> Result<GapAction> {
        let sched = &self.c.schedules[s];
        via.push(Hop::Schedule { name: sched.name.clone(), notify_type: notify.as_str().into() });
        if !sched.enabled {
            let msg = format!("schedule {} is disabled: nobody notified", sched.name);
            self.unreached(at, UnreachedReason::ScheduleDisabled, msg, None, None, via);
            return Ok(GapAction::None);
        }
        let participants = match notify {
            NotifyType::Next => self.c.expanded(|v| self.c.turn_participants(s, at, 1, v))?,
            NotifyType::Previous => self.c.expanded(|v| self.c.turn_participants(s, at, -1, v))?,
            _ => self.c.expanded(|v| self.c.final_participants(s, at, v))?,
        };
        let mut leaves = Vec::new();
        for p in &participants {
            user_leaves(p, &mut leaves);
        }
        let mut users: Vec<(usize, Option<usize>)> = Vec::new();
        for (name, from) in leaves {
            let Some(&v) = self.by_name.get(name.as_str()) else { continue };
            let from = from.and_then(|f| self.by_name.get(f.as_str()).copied());
            if !users.iter().any(|(x, _)| *x == v) {
                users.push((v, from));
            }
        }
        if users.is_empty() {
            let msg = match notify {
                NotifyType::Next => format!("schedule {} has no next on-call participant: nobody notified", sched.name),
                NotifyType::Previous => {
                    format!("schedule {} has no previous on-call participant: nobody notified", sched.name)
                }
                _ => format!("nobody is on call in schedule {} (a gap): nobody notified", sched.name),
            };
            return self.gap(s, at, via, policy, msg);
        }
        for (v, from) in users {
            self.notify_resolved(v, from, at, via.clone(), Why::Alert)?;
        }
        Ok(GapAction::None)
    }

    /// How far `onGap: wait` waits from `at`: `nextHorizonDays`.
    fn horizon(&self, at: Ts) -> Ts {
        at.saturating_add(self.c.limits.next_horizon_days.max(0).saturating_mul(86_400))
    }

    /// Nobody is on call in schedule `s` at `at` (`msg` says so): what `policy` does.
    fn gap(&mut self, s: usize, at: Ts, via: Vec<Hop>, policy: GapPolicy, msg: String) -> Result<GapAction> {
        let name = self.c.schedules[s].name.clone();
        match policy {
            GapPolicy::Report => {
                self.unreached(at, UnreachedReason::Gap, msg, None, None, via);
                Ok(GapAction::None)
            }
            GapPolicy::Skip => {
                self.unreached(at, UnreachedReason::Gap, msg, None, None, via.clone());
                let note =
                    format!("onGap skip: nobody is on call in schedule {name}; the next rule of the cycle fires now");
                self.log(at, LogKind::GapPolicy, note, via);
                Ok(GapAction::Next)
            }
            GapPolicy::Wait => match self.c.next_change(s, at)? {
                crate::schedule::NextChange::At(b, _) if b > self.horizon(at) => {
                    let msg = format!(
                        "{msg}; onGap wait: nobody comes on call in it within nextHorizonDays ({} days; next at {})",
                        self.c.limits.next_horizon_days,
                        crate::time::format_ts(b)
                    );
                    self.unreached(at, UnreachedReason::Gap, msg, None, None, via);
                    Ok(GapAction::None)
                }
                crate::schedule::NextChange::At(b, _) => {
                    let note = format!(
                        "onGap wait: nobody is on call in schedule {name}; the rule fires again at {}, when someone is",
                        crate::time::format_ts(b)
                    );
                    self.log(at, LogKind::GapPolicy, note, via);
                    Ok(GapAction::RetryAt(b))
                }
                crate::schedule::NextChange::Never => {
                    let msg = format!("{msg}; onGap wait: nobody is ever on call in it again");
                    self.unreached(at, UnreachedReason::Gap, msg, None, None, via);
                    Ok(GapAction::None)
                }
                crate::schedule::NextChange::SearchedTo(t) => {
                    let msg = format!(
                        "{msg}; onGap wait: nobody comes on call in it before {} (searched nextHorizonDays ahead)",
                        crate::time::format_ts(t)
                    );
                    self.unreached(at, UnreachedReason::Gap, msg, None, None, via);
                    Ok(GapAction::None)
                }
            },
            GapPolicy::Fallback(r) => {
                let mut via = via;
                via.push(Hop::GapFallback { schedule: name.clone() });
                let who = self.recipient_label(r, NotifyType::All);
                let note = format!("onGap fallback: nobody is on call in schedule {name}; notifying {who} instead");
                self.log(at, LogKind::GapPolicy, note, via.clone());
                match r {
                    Recipient::Team(ti) => {
                        let members: Vec<usize> = self.c.teams[ti].members_for(NotifyType::All).collect();
                        self.notify_members(ti, "all", members, at, via)?;
                    }
                    Recipient::User(u) => self.notify_user(u, at, via, Why::Alert)?,
                    Recipient::Schedule(_) => {}
                }
                Ok(GapAction::None)
            }
        }
    }

    fn notify_user(&mut self, u: usize, at: Ts, via: Vec<Hop>, why: Why) -> Result<()> {
        let v = self.c.forward(u, at);
        self.notify_resolved(v, (v != u).then_some(u), at, via, why)
    }

    /// Notifies user `v` (already forwarded from `from`) at `at`.
    fn notify_resolved(&mut self, v: usize, from: Option<usize>, at: Ts, via: Vec<Hop>, why: Why) -> Result<()> {
        let action = match why {
            Why::Alert if self.recipients.contains(&v) => ActionType::RenotifiedAlert,
            Why::Alert => ActionType::CreateAlert,
            Why::Assigned => ActionType::AssignedAlert,
            Why::Info(a) => a,
        };
        if action.is_paging() && !self.recipients.contains(&v) {
            self.recipients.push(v);
        }
        let fwd = from.map(|f| format!(" (forwarded from {})", self.name(f))).unwrap_or_default();
        let name = self.name(v);
        let (rule_index, rule_name, steps, period) = match self.c.choose_rule(v, action, &self.fields, at) {
            Choice::Rule(r) => {
                if r.steps.is_empty() {
                    let msg = format!("{name}{fwd}: notification rule {:?} ({}) has no enabled step", r.name, r.action);
                    if action.is_paging() {
                        self.unreached(at, UnreachedReason::NoSteps, msg, Some(v), Some(action), via);
                    } else {
                        self.log(at, LogKind::NotNotified, msg, via);
                    }
                    return Ok(());
                }
                let period = r
                    .loop_secs
                    .filter(|_| action.is_paging() && !self.state.acknowledged)
                    .map(|l| l + r.steps.iter().map(|s| s.after_secs).max().unwrap_or(0));
                (Some(r.index), r.name.clone(), r.steps.clone(), period)
            }
            Choice::Default => {
                let step = CStep { index: 0, method: ContactMethod::Email, to: name.to_string(), after_secs: 0 };
                (None, "default".to_string(), vec![step], None)
            }
            Choice::NoRule => {
                let msg = format!("{name}{fwd} has no {action} notification rule: not told");
                self.log(at, LogKind::NotNotified, msg, via);
                return Ok(());
            }
            Choice::NoneMatched(reasons) => {
                let list: Vec<String> =
                    reasons.iter().map(|(i, n, why)| format!("rule {} {n:?}: {why}", i + 1)).collect();
                let msg = format!("{name}{fwd} not notified: no {action} rule applies ({})", list.join("; "));
                if action.is_paging() {
                    self.unreached(at, UnreachedReason::NoMatchingRule, msg, Some(v), Some(action), via);
                } else {
                    self.log(at, LogKind::NotNotified, msg, via);
                }
                return Ok(());
            }
        };
        let last = steps.iter().enumerate().max_by_key(|(i, s)| (s.after_secs, *i)).map_or(0, |(i, _)| i);
        let d = self.deliveries.len();
        if action.is_paging()
            && let Some(old) = self.active.insert(v, d)
        {
            self.deliveries[old].superseded = true;
        }
        self.deliveries.push(Delivery {
            user: v,
            from,
            action,
            rule_index,
            rule_name,
            steps,
            last,
            period,
            notified_at: at,
            via,
            flow: self.flow,
            superseded: false,
            acks: self.acks,
        });
        self.push_round(d, 0)
    }

    fn push_round(&mut self, d: usize, round: u32) -> Result<()> {
        let del = &self.deliveries[d];
        let base = del.notified_at + i64::from(round) * del.period.unwrap_or(0);
        let times: Vec<Ts> = del.steps.iter().map(|s| base + s.after_secs).collect();
        for (step, at) in times.into_iter().enumerate() {
            self.push(at, ItemKind::Step { delivery: d, step, round })?;
        }
        Ok(())
    }

    fn step(&mut self, d: usize, step: usize, round: u32, at: Ts) -> Result<()> {
        let del = &self.deliveries[d];
        let s = &del.steps[step];
        if del.action.is_paging() {
            let why = if !self.state.is_open() {
                Some("the alert is closed")
            } else if self.state.acknowledged && del.acks != self.acks {
                Some("the alert is acknowledged")
            } else if self.state.snoozed {
                Some("the alert is snoozed")
            } else if del.flow != self.flow {
                Some("the notification flow restarted")
            } else if del.superseded {
                Some("a newer notification to the same user replaced it")
            } else {
                None
            };
            if let Some(why) = why {
                let msg = format!(
                    "{} to {} for {} ({:?} step {}) cancelled: {why}",
                    s.method,
                    s.to,
                    self.name(del.user),
                    del.rule_name,
                    s.index + 1
                );
                let via = del.via.clone();
                self.log(at, LogKind::StepCancelled, msg, via);
                return Ok(());
            }
        }
        let most = self.c.limits.max_notifications;
        if self.out.notifications.len() >= most {
            return Err(self.too_large("maxNotifications", most, "notifications"));
        }
        self.seq += 1;
        let seq = self.seq;
        let n = Notification {
            at: to_utc(at),
            user: self.name(del.user).to_string(),
            method: s.method,
            to: s.to.clone(),
            action_type: del.action,
            notified_at: to_utc(del.notified_at),
            forwarded_from: del.from.map(|f| self.name(f).to_string()),
            notification_rule: RuleStep {
                index: del.rule_index,
                name: del.rule_name.clone(),
                default: del.rule_index.is_none(),
                step: s.index,
                loop_index: round,
            },
            via: del.via.clone(),
            seq,
        };
        self.bytes += crate::output::json_len(&n);
        self.out.notifications.push(n);
        self.check_bytes()?;
        if step == del.last && del.period.is_some() && round + 1 < MAX_NOTIFICATION_LOOPS {
            self.push_round(d, round + 1)?;
        }
        Ok(())
    }

    /// Informational notifications to the recipients so far, except the user who acted.
    fn tell_recipients(&mut self, action: ActionType, at: Ts, actor: Option<&str>, event: &str) -> Result<()> {
        let via = vec![Hop::Event { action: event.into(), user: actor.map(str::to_string) }];
        let mut seen = Vec::new();
        for v in self.recipients.clone() {
            if Some(self.name(v)) == actor {
                continue;
            }
            let w = self.c.forward(v, at);
            if seen.contains(&w) || Some(self.name(w)) == actor {
                continue;
            }
            seen.push(w);
            self.notify_resolved(w, (w != v).then_some(v), at, via.clone(), Why::Info(action))?;
        }
        Ok(())
    }

    fn restart(&mut self, at: Ts) -> Result<()> {
        self.flow += 1;
        self.start_root(at)
    }

    fn event(&mut self, i: usize, at: Ts) -> Result<()> {
        let e = &self.events[i];
        let when = e.at;
        self.state.apply(when, &e.action).map_err(|err| match err {
            Error::InvalidTransition { alert, action, message } => Error::InvalidTransition {
                alert,
                action,
                message: format!("{message} (events[{i}] at {})", crate::time::format_instant(when)),
            },
            Error::Invalid(problems) => Error::Invalid(
                problems
                    .into_iter()
                    .map(|p| crate::Problem::new(format!("events[{i}].{}", p.path), p.message))
                    .collect(),
            ),
            other => other,
        })?;
        let by = e.action.user().map(|u| format!(" by {u}")).unwrap_or_default();
        let actor = e.action.user();
        match &e.action {
            Action::Acknowledge { .. } => {
                self.snooze_token += 1;
                self.acks += 1;
                self.log(
                    at,
                    LogKind::Acknowledged,
                    format!("acknowledged{by}: if-not-acked rules and paging steps stop"),
                    Vec::new(),
                );
                self.tell_recipients(ActionType::AcknowledgedAlert, at, actor, "acknowledge")?;
            }
            Action::Unacknowledge { .. } => {
                self.log(
                    at,
                    LogKind::Unacknowledged,
                    format!("unacknowledged{by}: the notification flow restarts as if the alert were new"),
                    Vec::new(),
                );
                self.restart(at)?;
            }
            Action::Snooze { until, .. } => {
                self.snooze_token += 1;
                self.flow += 1;
                let msg = format!(
                    "snoozed{by} until {}: notifications and escalations stop until then",
                    crate::time::format_instant(*until)
                );
                self.log(at, LogKind::Snoozed, msg, Vec::new());
                let token = self.snooze_token;
                self.push(until.timestamp(), ItemKind::SnoozeEnd(token))?;
            }
            Action::Close { .. } => {
                self.snooze_token += 1;
                self.log(at, LogKind::Closed, format!("closed{by}: everything stops"), Vec::new());
                self.tell_recipients(ActionType::ClosedAlert, at, actor, "close")?;
            }
            Action::AddNote { note, .. } => {
                self.log(at, LogKind::NoteAdded, format!("note added{by}: {note:?}"), Vec::new());
                self.tell_recipients(ActionType::AddNote, at, actor, "add-note")?;
            }
            Action::Assign { owner } => {
                let Some(&u) = self.by_name.get(owner.as_str()) else {
                    return Err(Error::InvalidArgument {
                        what: format!("events[{i}].owner"),
                        message: format!("unknown user {owner:?}"),
                    });
                };
                self.log(at, LogKind::Assigned, format!("assigned to {owner}"), Vec::new());
                let via = vec![Hop::Event { action: "assign".into(), user: None }];
                self.notify_user(u, at, via, Why::Assigned)?;
            }
            Action::Duplicate => {
                let msg = format!("duplicate create de-duplicated: count {}", self.state.count);
                self.log(at, LogKind::Duplicate, msg, Vec::new());
            }
            Action::EscalateToNext { escalation } => self.escalate_to_next(i, escalation.clone(), at)?,
        }
        Ok(())
    }

    fn escalate_to_next(&mut self, i: usize, escalation: Option<String>, at: Ts) -> Result<()> {
        let refuse = |m: String| Error::InvalidTransition {
            alert: "1".into(),
            action: "escalate-to-next".into(),
            message: format!("{m} (events[{i}] at {})", crate::time::format_instant(to_utc(at))),
        };
        let wanted = match &escalation {
            Some(name) => Some(self.c.escalation_index(name)?),
            None => None,
        };
        let run = self
            .runs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.flow == self.flow && wanted.is_none_or(|w| r.esc == w))
            .map(|(k, _)| k)
            .find(|_| true)
            .ok_or_else(|| refuse("no escalation is running for the alert".into()))?;
        let r = &self.runs[run];
        let rules = &self.c.escalations[r.esc].rules;
        let mut pending: Vec<(Ts, u32, usize)> = Vec::new();
        for cycle in 0..r.cycles {
            for (k, rule) in rules.iter().enumerate() {
                if !r.done[cycle as usize * rules.len() + k] {
                    pending.push((r.start + i64::from(cycle) * r.period + rule.delay_secs, cycle, k));
                }
            }
        }
        let Some(&(_, cycle, rule)) = pending.iter().min() else {
            return Err(refuse(format!(
                "every rule of escalation {} has been processed",
                self.c.escalations[r.esc].name
            )));
        };
        let n = rules.len();
        self.runs[run].done[cycle as usize * n + rule] = true;
        let msg = format!("escalated to next: rule {} of {} processed now", rule + 1, n);
        self.log(at, LogKind::EscalatedToNext, msg, Vec::new());
        self.fire(run, cycle, rule, at, true)
    }

    fn snooze_end(&mut self, token: u32, at: Ts) -> Result<()> {
        if token != self.snooze_token || !self.state.snoozed {
            return Ok(());
        }
        self.state.end_snooze(to_utc(at));
        self.log(at, LogKind::SnoozeEnded, "snooze ended: the alert is renotified as if new".into(), Vec::new());
        self.restart(at)
    }

    fn auto_close(&mut self, run: usize, at: Ts) -> Result<()> {
        if !self.live(run) {
            return Ok(());
        }
        let name = self.c.escalations[self.runs[run].esc].name.clone();
        if self.state.auto_close(at, "closeAlertAfterAll") {
            self.snooze_token += 1;
            let msg = format!("escalation {name} finished its repeats: closeAlertAfterAll closed the alert");
            let via = self.runs[run].via.clone();
            self.log(at, LogKind::AutoClosed, msg, via);
            self.tell_recipients(ActionType::ClosedAlert, at, None, "close")?;
        }
        Ok(())
    }
}

/// The users a participant reaches, with whom each was forwarded from; escalation participants
/// count only their delay-0 rules (as in who-is-on-call's flat answer).
fn user_leaves(p: &Participant, out: &mut Vec<(String, Option<String>)>) {
    if p.escalation_time.is_some_and(|m| m != 0) {
        return;
    }
    if p.kind == Kind::User {
        out.push((p.name.clone(), p.forwarded_from.as_ref().map(|f| f.name.clone())));
    } else if let Some(children) = &p.on_call_participants {
        for c in children {
            user_leaves(c, out);
        }
    }
}
