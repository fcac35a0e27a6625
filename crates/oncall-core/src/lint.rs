//! Static analysis of a compiled configuration: which schedules depend on which, and warnings.
//!
//! Warnings are about valid configurations that probably do not do what was meant; they never
//! stop a query:
//!
//! * a **reference cycle** (schedule → team → escalation → the same schedule): on its second
//!   visit the cycle expands to nobody;
//! * a **forwarding cycle** (A → B while B → A): the chain stops at the last user before the
//!   repeat.

use crate::compile::{CEscalation, CSchedule, CTeam, Config, NotifyType, Recipient, Slot, Target};
use crate::error::Problem;
use crate::time::format_ts;

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
