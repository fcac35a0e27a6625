//! Static analysis of a compiled configuration: which schedules depend on which, and warnings.
//!
//! Warnings are about valid configurations that probably do not do what was meant; they never
//! stop a query:
//!
//! * a **reference cycle** (schedule → team → escalation → the same schedule): on its second
//!   visit the cycle expands to nobody;
//! * a **forwarding cycle** (A → B while B → A): the chain stops at the last user before the
//!   repeat.
//!
//! Those are [`Config::warnings`], computed once when compiling. [`Config::lint`] (what
//! `oncall check` prints) adds warnings about likely mistakes in the rota itself:
//!
//! * a rotation with a **single user participant** (or the same user, or only `none`, in every
//!   turn): nobody ever relieves them (a single team or escalation participant is fine: its
//!   routing or rules pick the people);
//! * a rotation-scoped **override entirely outside the active windows** of the rotations it
//!   names (before their start, after their end, or outside their time restrictions): it changes
//!   nothing;
//!
//! and the warnings that depend on an instant (for CI, "now"):
//!
//! * a schedule with a **gap in coverage** (nobody on call) in the [`GAP_HORIZON_DAYS`] days from
//!   the instant (disabled schedules are not checked); the message gives the first gap in the
//!   schedule's local time, and how many there are;
//! * when `users` is declared, a **user who is never on call** in any schedule's final schedule
//!   in the [`IDLE_HORIZON_DAYS`] days from the instant (after overrides and forwarding, with
//!   team and escalation participants expanded).
//!
//! Every warning carries the path of what it is about: `schedules[0].rotations[1]`,
//! `schedules[0].overrides[2]`, `forwardingRules[0]`, `schedules[0]`, `users[3]`.

use crate::compile::{CEscalation, CSchedule, CTeam, Config, NotifyType, Recipient, Slot, Target};
use crate::error::Problem;
use crate::time::{Edge, format_instant, format_ts, parse_instant};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// How far ahead [`Config::lint`] looks for coverage gaps, in days.
pub const GAP_HORIZON_DAYS: i64 = 30;
/// How far ahead [`Config::lint`] looks for users who are never on call, in days.
pub const IDLE_HORIZON_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Schedule(usize),
    Team(usize),
    Escalation(usize),
}

fn edges(n: Node, schedules: &[CSchedule], teams: &[CTeam], escalations: &[CEscalation]) -> Vec<Node> {
    let mut out = Vec::new();
    match n {
        Node::Schedule(i) => {
            for r in &schedules[i].rotations {
                for p in &r.participants {
                    match *p {
                        Slot::Team(t) => out.push(Node::Team(t)),
                        Slot::Escalation(e) => out.push(Node::Escalation(e)),
                        _ => {}
                    }
                }
            }
        }
        Node::Team(i) => {
            let t = &teams[i];
            for target in t.routing.iter().map(|r| r.notify).chain(t.default_target) {
                match target {
                    Target::Escalation(e) => out.push(Node::Escalation(e)),
                    Target::Schedule(s) => out.push(Node::Schedule(s)),
                    Target::Nobody => {}
                }
            }
        }
        Node::Escalation(i) => {
            for r in &escalations[i].rules {
                // Only `default` on a team goes through its routing; users/admins/all/random
                // name members directly.
                match (r.recipient, r.notify) {
                    (Recipient::Schedule(s), _) => out.push(Node::Schedule(s)),
                    (Recipient::Team(t), NotifyType::Default) => out.push(Node::Team(t)),
                    _ => {}
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Fills each schedule's `dep_schedules` and `dep_teams`: what its answers can depend on.
pub(crate) fn dependencies(schedules: &mut [CSchedule], teams: &[CTeam], escalations: &[CEscalation]) {
    for i in 0..schedules.len() {
        let mut seen = vec![Node::Schedule(i)];
        let mut stack = vec![Node::Schedule(i)];
        while let Some(n) = stack.pop() {
            for m in edges(n, schedules, teams, escalations) {
                if !seen.contains(&m) {
                    seen.push(m);
                    stack.push(m);
                }
            }
        }
        schedules[i].dep_schedules = seen
            .iter()
            .filter_map(|n| match n {
                Node::Schedule(s) if *s != i => Some(*s),
                _ => None,
            })
            .collect();
        schedules[i].dep_teams = seen
            .iter()
            .filter_map(|n| match n {
                Node::Team(t) => Some(*t),
                _ => None,
            })
            .collect();
    }
}

/// Every warning of a configuration.
pub(crate) fn warnings(c: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    reference_cycles(c, &mut out);
    forwarding_cycles(c, &mut out);
    out
}

impl Config {
    /// Every warning about this configuration as of `at` (what `oncall check` prints): the
    /// defects of [`Config::warnings`], the style warnings (a single-participant rotation, an
    /// override that changes nothing), then the ones that depend on the instant (a coverage gap
    /// in the next [`GAP_HORIZON_DAYS`] days, a declared user never on call in the next
    /// [`IDLE_HORIZON_DAYS`] days). See the [`lint`](crate::lint) module for the list.
    ///
    /// # Example
    ///
    /// ```
    /// use oncall_core::Config;
    /// let config = Config::from_json(r#"{
    ///   "users": [{"username": "ann"}, {"username": "ben"}],
    ///   "schedules": [{"name": "ops", "rotations": [
    ///     {"name": "solo", "type": "weekly", "startDate": "2026-01-05T09:00:00Z", "participants": ["ann"],
    ///      "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}}}]}]}"#)?;
    /// let warnings = config.lint("2026-02-01T00:00:00Z".parse()?);
    /// let paths: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
    /// assert_eq!(paths, ["schedules[0].rotations[0]", "schedules[0]", "users[1]"]);
    /// assert!(warnings[1].message.starts_with("nobody is on call from Sun 2026-02-01 00:00 UTC"), "{}", warnings[1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lint(&self, at: DateTime<Utc>) -> Vec<Problem> {
        let mut out = self.warnings().to_vec();
        single_participants(self, &mut out);
        idle_overrides(self, &mut out);
        gaps_ahead(self, at, &mut out);
        idle_users(self, at, &mut out);
        out
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

fn single_participants(c: &Config, out: &mut Vec<Problem>) {
    for (si, s) in c.schedules.iter().enumerate() {
        for (ri, r) in s.rotations.iter().enumerate() {
            let mut distinct: Vec<Slot> = r.participants.clone();
            distinct.sort_unstable_by_key(|p| format!("{p:?}"));
            distinct.dedup();
            let [only] = distinct[..] else { continue };
            if matches!(only, Slot::Team(_) | Slot::Escalation(_)) {
                continue;
            }
            let message = if only == Slot::Nobody {
                format!("rotation {:?} has only `none` participants: it never puts anybody on call", r.name)
            } else if r.participants.len() == 1 {
                format!(
                    "rotation {:?} has a single participant ({}): nobody ever relieves them",
                    r.name,
                    c.slot_leaf(only).name
                )
            } else {
                format!(
                    "every turn of rotation {:?} goes to the same participant ({}): nobody ever relieves them",
                    r.name,
                    c.slot_leaf(only).name
                )
            };
            out.push(Problem::new(format!("schedules[{si}].rotations[{ri}]"), message));
        }
    }
}

/// Whether rotation `ri` of schedule `si` is active (running and inside its restriction
/// windows) somewhere in `[from, to)`.
fn rotation_active(c: &Config, si: usize, ri: usize, from: i64, to: i64) -> bool {
    let r = &c.schedules[si].rotations[ri];
    let (a, b) = (from.max(r.handoffs.anchor), to.min(r.handoffs.end));
    a < b && r.restriction.windows(r.tz, a, b).iter().any(|&(s, e)| s < b && e > a)
}

fn idle_overrides(c: &Config, out: &mut Vec<Problem>) {
    for (si, s) in c.document.schedules.iter().enumerate() {
        let Some(cs) = c.schedules.get(si) else { continue };
        for (oi, o) in s.overrides.iter().enumerate() {
            let Some(refs) = o.rotations.as_ref().filter(|r| !r.is_empty()) else { continue };
            let (Ok(from), Ok(to)) =
                (parse_instant(&o.start_date, cs.tz, Edge::Start), parse_instant(&o.end_date, cs.tz, Edge::End))
            else {
                continue;
            };
            let targets: Vec<usize> = refs
                .iter()
                .filter_map(|r| {
                    r.name.as_ref().and_then(|n| cs.rotations.iter().position(|x| &x.name == n)).or_else(|| {
                        r.id.as_ref().and_then(|id| cs.rotations.iter().position(|x| x.id.as_ref() == Some(id)))
                    })
                })
                .collect();
            if targets.is_empty()
                || targets.iter().any(|&ri| rotation_active(c, si, ri, from.timestamp(), to.timestamp()))
            {
                continue;
            }
            let names: Vec<String> = targets.iter().map(|&ri| cs.rotations[ri].name.clone()).collect();
            let what = if names.len() == 1 { "rotation" } else { "rotations" };
            let alias = o.alias.as_ref().map(|a| format!(" {a:?}")).unwrap_or_default();
            out.push(Problem::new(
                format!("schedules[{si}].overrides[{oi}]"),
                format!(
                    "override{alias} ({} to {}) lies entirely outside the active windows of {what} {}: it changes nothing",
                    local_time(cs.tz, from),
                    local_time(cs.tz, to),
                    quoted(&names)
                ),
            ));
        }
    }
}

/// A local time for messages: `Mon 2026-11-02 18:00 CET`.
fn local_time(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z").to_string()
}

fn gaps_ahead(c: &Config, at: DateTime<Utc>, out: &mut Vec<Problem>) {
    let to = at + Duration::days(GAP_HORIZON_DAYS);
    for (si, s) in c.schedules.iter().enumerate() {
        if !s.enabled {
            continue;
        }
        let schedule = crate::Schedule { config: c, index: si };
        let Ok(segments) = schedule.segments(at, to) else { continue };
        let gaps: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            segments.filter(|g| g.recipients.is_empty()).map(|g| (g.start_date, g.end_date)).collect();
        let Some(&(first_start, first_end)) = gaps.first() else { continue };
        let total: i64 = gaps.iter().map(|(a, b)| (*b - *a).num_seconds()).sum();
        let more = match gaps.len() {
            1 => String::new(),
            n => format!(" (the first of {n} gaps, {} in total)", hours_text(total)),
        };
        out.push(Problem::new(
            format!("schedules[{si}]"),
            format!(
                "nobody is on call from {} to {} ({}){more}, in the {GAP_HORIZON_DAYS} days from {}",
                local_time(s.tz, first_start),
                local_time(s.tz, first_end),
                hours_text((first_end - first_start).num_seconds()),
                format_instant(at)
            ),
        ));
    }
}

/// A duration for messages: `45m`, `9h`, `3d 4h 30m`.
fn hours_text(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let parts: Vec<String> =
        [(d, "d"), (h, "h"), (m, "m")].iter().filter(|(n, _)| *n > 0).map(|(n, u)| format!("{n}{u}")).collect();
    if parts.is_empty() { format!("{secs}s") } else { parts.join(" ") }
}

fn idle_users(c: &Config, at: DateTime<Utc>, out: &mut Vec<Problem>) {
    let Some(declared) = &c.document.users else { return };
    let to = at + Duration::days(IDLE_HORIZON_DAYS);
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for si in 0..c.schedules.len() {
        let schedule = crate::Schedule { config: c, index: si };
        let Ok(segments) = schedule.segments(at, to) else { return };
        for g in segments {
            seen.extend(g.recipients);
        }
    }
    for (ui, u) in declared.iter().enumerate() {
        if !seen.contains(&u.username) {
            out.push(Problem::new(
                format!("users[{ui}]"),
                format!(
                    "user {:?} is never on call in any schedule in the {IDLE_HORIZON_DAYS} days from {}",
                    u.username,
                    format_instant(at)
                ),
            ));
        }
    }
}

fn label(c: &Config, n: Node) -> (String, String) {
    match n {
        Node::Schedule(i) => (format!("schedules[{i}]"), format!("schedule {:?}", c.schedules[i].name)),
        Node::Team(i) => (format!("teams[{i}]"), format!("team {:?}", c.teams[i].name)),
        Node::Escalation(i) => (format!("escalations[{i}]"), format!("escalation {:?}", c.escalations[i].name)),
    }
}

fn reference_cycles(c: &Config, out: &mut Vec<Problem>) {
    let nodes: Vec<Node> = (0..c.schedules.len())
        .map(Node::Schedule)
        .chain((0..c.teams.len()).map(Node::Team))
        .chain((0..c.escalations.len()).map(Node::Escalation))
        .collect();
    let mut reported: Vec<Vec<Node>> = Vec::new();
    for &start in &nodes {
        // Depth-first search for a path back to `start`.
        let mut stack = vec![(start, edges(start, &c.schedules, &c.teams, &c.escalations), 0usize)];
        let mut path = vec![start];
        while let Some((_, next, i)) = stack.last_mut() {
            if *i >= next.len() {
                stack.pop();
                path.pop();
                continue;
            }
            let m = next[*i];
            *i += 1;
            if m == start {
                let mut key = path.clone();
                key.sort_unstable();
                if !reported.contains(&key) {
                    reported.push(key);
                    let names: Vec<String> = path.iter().chain([&start]).map(|&n| label(c, n).1).collect();
                    out.push(Problem::new(
                        label(c, start).0,
                        format!("reference cycle: {}; the repeated visit expands to nobody", names.join(" → ")),
                    ));
                }
            } else if !path.contains(&m) && m > start {
                path.push(m);
                stack.push((m, edges(m, &c.schedules, &c.teams, &c.escalations), 0));
            }
        }
    }
}

fn forwarding_cycles(c: &Config, out: &mut Vec<Problem>) {
    let mut reported: Vec<Vec<usize>> = Vec::new();
    for (i, f) in c.forwards.iter().enumerate() {
        // Follow chains of rules whose windows overlap the running intersection.
        let mut stack = vec![(vec![i], f.start, f.end)];
        while let Some((chain, s, e)) = stack.pop() {
            let last = &c.forwards[chain[chain.len() - 1]];
            for (j, g) in c.forwards.iter().enumerate() {
                if g.from != last.to || g.start >= e || g.end <= s {
                    continue;
                }
                let (s2, e2) = (s.max(g.start), e.min(g.end));
                if g.to == f.from || j == i {
                    let mut key = chain.clone();
                    key.push(j);
                    key.sort_unstable();
                    key.dedup();
                    if !reported.contains(&key) {
                        reported.push(key);
                        let mut users: Vec<&str> =
                            chain.iter().map(|&k| c.users[c.forwards[k].from].username.as_str()).collect();
                        users.push(&c.users[g.from].username);
                        users.push(&c.users[f.from].username);
                        users.dedup();
                        out.push(Problem::new(
                            format!("forwardingRules[{i}]"),
                            format!(
                                "forwarding cycle {} from {} to {}; the chain stops at the last user before the repeat",
                                users.join(" → "),
                                format_ts(s2),
                                format_ts(e2)
                            ),
                        ));
                    }
                } else if !chain.contains(&j) && chain.len() < c.forwards.len() {
                    let mut next = chain.clone();
                    next.push(j);
                    stack.push((next, s2, e2));
                }
            }
        }
    }
}
