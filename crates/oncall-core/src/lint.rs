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
use crate::time::{Ts, format_instant, format_ts, to_utc};
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

/// The strongly connected component of every node of the reference graph (the edges of
/// [`edges`]: every reference a schedule's rotations, a team's routing and an escalation's rules
/// can follow, whatever the instant), numbered schedules first, then teams, then escalations.
/// An expansion's cycle cuts at a node depend only on the nodes of the path above it that share
/// its component (see [`crate::schedule::Visiting`]). Linear in nodes and edges.
pub(crate) fn components(schedules: &[CSchedule], teams: &[CTeam], escalations: &[CEscalation]) -> Vec<u32> {
    let adj = ReferenceGraph::new(schedules, teams, escalations).adjacency(schedules, teams, escalations);
    strongly_connected(&adj).into_iter().map(|c| c as u32).collect()
}

/// The numbering of the reference graph's nodes: schedules first, then teams, then escalations.
#[derive(Clone, Copy)]
struct ReferenceGraph {
    schedules: usize,
    teams: usize,
    nodes: usize,
}

impl ReferenceGraph {
    fn new(schedules: &[CSchedule], teams: &[CTeam], escalations: &[CEscalation]) -> Self {
        ReferenceGraph {
            schedules: schedules.len(),
            teams: teams.len(),
            nodes: schedules.len() + teams.len() + escalations.len(),
        }
    }

    fn node(self, i: usize) -> Node {
        let (ns, nt) = (self.schedules, self.teams);
        if i < ns {
            Node::Schedule(i)
        } else if i < ns + nt {
            Node::Team(i - ns)
        } else {
            Node::Escalation(i - ns - nt)
        }
    }

    fn id(self, m: Node) -> usize {
        match m {
            Node::Schedule(i) => i,
            Node::Team(i) => self.schedules + i,
            Node::Escalation(i) => self.schedules + self.teams + i,
        }
    }

    /// Every node's successors ([`edges`]), by number: linear in nodes and edges.
    fn adjacency(self, schedules: &[CSchedule], teams: &[CTeam], escalations: &[CEscalation]) -> Vec<Vec<usize>> {
        (0..self.nodes)
            .map(|i| edges(self.node(i), schedules, teams, escalations).into_iter().map(|m| self.id(m)).collect())
            .collect()
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
            // Linear: stop at the second distinct participant.
            let Some(&only) = r.participants.first() else { continue };
            if r.participants.iter().any(|&p| p != only) {
                continue;
            }
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
    // Restrictions repeat every week (a DST change moves a window by at most a few hours), so
    // eight days hold a window when any span does: a long override costs a week, not its length.
    let b = b.min(a.saturating_add(8 * 86_400));
    a < b && r.restriction.windows(r.tz, a, b).iter().any(|&(s, e)| s < b && e > a)
}

fn idle_overrides(c: &Config, out: &mut Vec<Problem>) {
    for (si, cs) in c.schedules.iter().enumerate() {
        for (oi, o) in cs.overrides.iter().enumerate() {
            let targets = &o.rotations;
            let (from, to) = o.window;
            if targets.is_empty() || targets.iter().any(|&ri| rotation_active(c, si, ri as usize, from, to)) {
                continue;
            }
            let names: Vec<String> = targets.iter().map(|&ri| cs.rotations[ri as usize].name.clone()).collect();
            let what = if names.len() == 1 { "rotation" } else { "rotations" };
            let alias = o.alias.as_ref().map(|a| format!(" {a:?}")).unwrap_or_default();
            out.push(Problem::new(
                format!("schedules[{si}].overrides[{oi}]"),
                format!(
                    "override{alias} ({} to {}) lies entirely outside the active windows of {what} {}: it changes nothing",
                    local_time(cs.tz, to_utc(from)),
                    local_time(cs.tz, to_utc(to)),
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
        let mut segments = match schedule.segments(at, to) {
            Ok(segments) => segments,
            Err(e) => {
                // A limit refused the walk (a custom rule too old to expand, say): say so.
                out.push(Problem::new(format!("schedules[{si}]"), format!("coverage not checked: {e}")));
                continue;
            }
        };
        let gaps: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            segments.by_ref().filter(|g| g.recipients.is_empty()).map(|g| (g.start_date, g.end_date)).collect();
        if let Some(e) = segments.error() {
            out.push(Problem::new(format!("schedules[{si}]"), format!("coverage not checked: {e}")));
            continue;
        }
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
    if !c.declared_users {
        return;
    }
    let to = at + Duration::days(IDLE_HORIZON_DAYS);
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for si in 0..c.schedules.len() {
        let schedule = crate::Schedule { config: c, index: si };
        let Ok(mut segments) = schedule.segments(at, to) else { return };
        for g in segments.by_ref() {
            seen.extend(g.recipients);
        }
        if segments.error().is_some() {
            // Who is on call there is unknown: saying someone never is would be a guess.
            return;
        }
    }
    for (ui, u) in c.users.iter().enumerate() {
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

/// One warning per strongly connected component of the reference graph that holds a cycle
/// (Tarjan's algorithm, iterative: linear in nodes and edges), at its first node, naming one
/// shortest cycle through that node (a breadth-first search inside the component).
fn reference_cycles(c: &Config, out: &mut Vec<Problem>) {
    let graph = ReferenceGraph::new(&c.schedules, &c.teams, &c.escalations);
    let (n, node) = (graph.nodes, |i: usize| graph.node(i));
    let adj = graph.adjacency(&c.schedules, &c.teams, &c.escalations);
    let comp = strongly_connected(&adj);
    // The first node of each component, in node order.
    let mut first: Vec<Option<usize>> = vec![None; n];
    let mut size = vec![0usize; n];
    for i in 0..n {
        size[comp[i]] += 1;
        first[comp[i]].get_or_insert(i);
    }
    for i in 0..n {
        let cyclic = size[comp[i]] > 1 || adj[i].contains(&i);
        if first[comp[i]] != Some(i) || !cyclic {
            continue;
        }
        let cycle = shortest_cycle(&adj, &comp, i);
        let names: Vec<String> = cycle.iter().chain([&i]).map(|&k| label(c, node(k)).1).collect();
        out.push(Problem::new(
            label(c, node(i)).0,
            format!("reference cycle: {}; the repeated visit expands to nobody", names.join(" → ")),
        ));
    }
}

/// The strongly connected component of every node (Tarjan's algorithm with an explicit stack).
fn strongly_connected(adj: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = adj.len();
    let (mut index, mut low, mut comp) = (vec![UNSEEN; n], vec![0; n], vec![UNSEEN; n]);
    let (mut on_stack, mut stack, mut next, mut comps) = (vec![false; n], Vec::new(), 0, 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut e)) = call.last_mut() {
            if let Some(&w) = adj[v].get(*e) {
                *e += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = comps;
                    if w == v {
                        break;
                    }
                }
                comps += 1;
            }
        }
    }
    comp
}

/// A shortest cycle through `start` inside its component, as the nodes from `start` on.
fn shortest_cycle(adj: &[Vec<usize>], comp: &[usize], start: usize) -> Vec<usize> {
    let mut parent: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
            if w == start {
                let mut path = vec![v];
                while let Some(&p) = parent.get(path.last().unwrap_or(&start)) {
                    path.push(p);
                }
                path.reverse();
                if path.first() != Some(&start) {
                    path.insert(0, start);
                }
                path.dedup();
                return path;
            }
            if comp[w] == comp[start] && !parent.contains_key(&w) {
                parent.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

/// Forwarding cycles as they happen: the rule in force for each user (the later rule where two
/// overlap, as forwarding itself does) forms a graph with at most one edge out of each user. A
/// sweep over the instants where a rule takes or loses effect looks for cycles only from the
/// users whose rule changed there, marking users as it walks so each is visited once per
/// instant: linear in the rules times the instants at which some cycle could appear, and each
/// cycle (as a set of rules) is reported once, at its first rule, from the instant it first
/// holds to the first instant one of its users' rules changes.
fn forwarding_cycles(c: &Config, out: &mut Vec<Problem>) {
    let n = c.users.len();
    let mut events: Vec<(Ts, usize, Option<u32>)> = Vec::new();
    for (u, idx) in c.forward_index.iter().enumerate() {
        events.extend(idx.pieces().map(|(t, owner)| (t, u, owner)));
    }
    events.sort_unstable_by_key(|e| (e.0, e.1));
    let mut rule: Vec<Option<u32>> = vec![None; n];
    // The walk that last visited each user (0: none); walks are numbered from 1.
    let mut mark: Vec<usize> = vec![0; n];
    let mut reported: std::collections::HashSet<Vec<u32>> = std::collections::HashSet::new();
    let mut walk = 0usize;
    let mut i = 0;
    while i < events.len() {
        let at = events[i].0;
        let mut starts = Vec::new();
        while i < events.len() && events[i].0 == at {
            let (_, u, owner) = events[i];
            rule[u] = owner;
            if owner.is_some() {
                starts.push(u);
            }
            i += 1;
        }
        // Any cycle that appears at `at` goes through a user whose rule changed then.
        let base = walk + 1;
        for u in starts {
            walk += 1;
            let mut v = u;
            let on_cycle = loop {
                if mark[v] == walk {
                    break true;
                }
                if mark[v] >= base {
                    break false; // an earlier walk at this instant went on from here
                }
                mark[v] = walk;
                match rule[v] {
                    Some(f) => v = c.forwards[f as usize].to,
                    None => break false,
                }
            };
            if on_cycle {
                report_forwarding_cycle(c, &rule, v, at, &mut reported, out);
            }
        }
    }
}

fn report_forwarding_cycle(
    c: &Config,
    rule: &[Option<u32>],
    on: usize,
    at: Ts,
    reported: &mut std::collections::HashSet<Vec<u32>>,
    out: &mut Vec<Problem>,
) {
    let mut rules = Vec::new();
    let mut v = on;
    while let Some(f) = rule[v] {
        rules.push(f);
        v = c.forwards[f as usize].to;
        if v == on || rules.len() > rule.len() {
            break;
        }
    }
    let mut key = rules.clone();
    key.sort_unstable();
    if key.is_empty() || !reported.insert(key.clone()) {
        return;
    }
    let first = rules.iter().position(|&f| f == key[0]).unwrap_or(0);
    rules.rotate_left(first);
    let mut users: Vec<&str> = rules.iter().map(|&f| c.users[c.forwards[f as usize].from].username.as_str()).collect();
    users.push(users[0]);
    let until = rules
        .iter()
        .filter_map(|&f| c.forward_index[c.forwards[f as usize].from].next_boundary(at))
        .min()
        .unwrap_or(crate::time::MAX_INSTANT);
    out.push(Problem::new(
        format!("forwardingRules[{}]", key[0]),
        format!(
            "forwarding cycle {} from {} to {}; the chain stops at the last user before the repeat",
            users.join(" → "),
            format_ts(at),
            format_ts(until)
        ),
    ));
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests' time bounds, not the engine's clock
mod tests {
    use crate::Config;

    fn rule(from: &str, to: &str, start: &str, end: &str) -> String {
        format!(
            r#"{{"fromUser":{{"username":"{from}"}},"toUser":{{"username":"{to}"}},"startDate":"{start}","endDate":"{end}"}}"#
        )
    }

    fn warnings(rules: &[String], users: usize) -> Vec<crate::Problem> {
        let users: Vec<String> = (0..users).map(|i| format!(r#"{{"username":"u{i}"}}"#)).collect();
        let doc = format!(r#"{{"users":[{}],"forwardingRules":[{}]}}"#, users.join(","), rules.join(","));
        Config::from_json(&doc).unwrap().warnings().to_vec()
    }

    /// A schedule whose walk a limit refuses is named, never skipped without a word.
    #[test]
    fn a_coverage_walk_refused_by_a_limit_is_a_warning() {
        let mut config = Config::from_json(
            r#"{"schedules": [{"name": "s", "rotations": [{"name": "q", "type": "custom",
              "recurrence": "FREQ=HOURLY;BYMINUTE=0,15,30,45", "startDate": "1990-01-01T00:00:00Z",
              "participants": ["a", "b"]}]}]}"#,
        )
        .unwrap();
        config.set_limits(crate::Limits { max_recurrence_work: 1_000, ..crate::Limits::default() });
        let w = config.lint("2026-06-01T00:00:00Z".parse().unwrap());
        assert!(
            w.iter().any(|p| p.path == "schedules[0]"
                && p.message.starts_with("coverage not checked:")
                && p.message.contains("maxRecurrenceWork")),
            "{w:?}"
        );
    }

    #[test]
    fn forwarding_cycle_is_found_once_with_its_window() {
        let w = warnings(
            &[
                rule("u0", "u1", "2026-03-01T00:00:00Z", "2026-03-05T00:00:00Z"),
                rule("u1", "u2", "2026-03-02T00:00:00Z", "2026-03-04T00:00:00Z"),
                rule("u2", "u0", "2026-03-03T00:00:00Z", "2026-03-10T00:00:00Z"),
            ],
            3,
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].path, "forwardingRules[0]");
        assert_eq!(
            w[0].message,
            "forwarding cycle u0 → u1 → u2 → u0 from 2026-03-03T00:00:00Z to 2026-03-04T00:00:00Z; the chain stops at the last user before the repeat"
        );
    }

    #[test]
    fn forwarding_rules_that_never_overlap_in_a_loop_are_no_cycle() {
        let w = warnings(
            &[
                rule("u0", "u1", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"),
                rule("u1", "u0", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"),
            ],
            2,
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn layered_forwarding_rules_are_checked_in_linear_time() {
        // Layers of two users each, every user of a layer forwarding to both users of the next
        // (the later rule wins), the last layer back to the first: the old enumeration of chains
        // doubled with each layer. 2 000 layers, 8 000 rules.
        let layers = 2_000;
        let mut rules = Vec::new();
        for l in 0..layers {
            let next = (l + 1) % layers;
            for a in 0..2 {
                for b in 0..2 {
                    let (from, to) = (format!("u{}", 2 * l + a), format!("u{}", 2 * next + b));
                    rules.push(rule(&from, &to, "2026-03-01T00:00:00Z", "2026-03-10T00:00:00Z"));
                }
            }
        }
        let started = std::time::Instant::now();
        let w = warnings(&rules, 2 * layers);
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
        // In force: every user of a layer forwards to the second user of the next; the second
        // users form one cycle through every layer.
        assert_eq!(w.len(), 1, "{:?}", &w[..w.len().min(3)]);
        assert!(w[0].message.starts_with("forwarding cycle u1 → u3 → u5 → "), "{}", &w[0].message[..80]);
    }

    #[test]
    fn long_overrides_are_checked_in_a_week_of_windows() {
        // Business hours Monday to Friday; a 150-year override is active in them, a weekend
        // override is not, and each costs at most a week of windows.
        let doc = |start: &str, end: &str| {
            format!(
                r#"{{"schedules":[{{"name":"s","rotations":[{{"name":"r","type":"weekly","startDate":"2026-01-05T00:00:00Z",
                "participants":["a","b"],"timeRestriction":{{"type":"weekday-and-time-of-day","restrictions":[
                {{"startDay":"monday","startHour":9,"startMin":0,"endDay":"friday","endHour":17,"endMin":0}}]}}}}],
                "overrides":[{{"user":{{"type":"user","username":"c"}},"startDate":"{start}","endDate":"{end}","rotations":[{{"name":"r"}}]}}]}}]}}"#
            )
        };
        let at = "2026-02-01T00:00:00Z".parse().unwrap();
        let long = Config::from_json(&doc("2026-01-10T00:00:00Z", "2176-01-01T00:00:00Z")).unwrap();
        let started = std::time::Instant::now();
        assert!(long.lint(at).iter().all(|w| w.path != "schedules[0].overrides[0]"));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        let weekend = Config::from_json(&doc("2026-01-10T00:00:00Z", "2026-01-12T00:00:00Z")).unwrap();
        assert!(weekend.lint(at).iter().any(|w| w.path == "schedules[0].overrides[0]"));
    }

    #[test]
    fn reference_cycles_with_shared_sub_graphs_are_one_warning_per_component() {
        // t_i routes to e_i, whose two rules both notify t_{i+1}; t_29 routes back to e_0.
        let n = 30;
        let mut teams = Vec::new();
        let mut escalations = Vec::new();
        for i in 0..n {
            teams.push(format!(
                r#"{{"name":"t{i}","members":[{{"user":{{"username":"u"}}}}],"routingRules":[{{"name":"r","order":0,"notify":{{"type":"escalation","name":"e{i}"}}}}]}}"#
            ));
            let next = if i + 1 == n { 0 } else { i + 1 };
            let r = format!(
                r#"{{"condition":"if-not-acked","notifyType":"default","delay":{{"timeAmount":0}},"recipient":{{"type":"team","name":"t{next}"}}}}"#
            );
            escalations.push(format!(r#"{{"name":"e{i}","rules":[{r},{r}]}}"#));
        }
        let doc = format!(
            r#"{{"users":[{{"username":"u"}}],"teams":[{}],"escalations":[{}]}}"#,
            teams.join(","),
            escalations.join(",")
        );
        let started = std::time::Instant::now();
        let config = match Config::from_json(&doc) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let w = config.warnings().to_vec();
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].path, "teams[0]");
        assert!(
            w[0].message.starts_with(r#"reference cycle: team "t0" → escalation "e0" → team "t1""#),
            "{}",
            w[0].message
        );
        assert!(
            w[0].message.ends_with(r#"escalation "e29" → team "t0"; the repeated visit expands to nobody"#),
            "{}",
            w[0].message
        );
    }
}
