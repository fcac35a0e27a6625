//! The memo of reference expansions against the plain walk: on generated reference graphs
//! (layers of teams and escalations that share what they name, random references that close
//! cycles through teams, escalations and schedules, `next` and `previous` notifications, delayed
//! rules, forwarding), every query that expands references answers the same with the memo
//! (the default) as without it ([`Config::set_expansion_memo`]), errors included, with and
//! without the answer index, under a small, a medium and the default `maxExpansion`.
//!
//! [`CASES`] cases (`PROPTEST_CASES` overrides it).

use chrono::{DateTime, Duration, Utc};
use oncall_core::{Config, Expand, IndexOptions, Limits};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{Value, json};

/// Cases per property.
const CASES: u32 = 128;

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(n) }
}

/// Choices read in turn from a generated list (zero once it is used up).
struct Choices(Vec<u32>, usize);

impl Choices {
    fn below(&mut self, n: usize) -> usize {
        let c = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        c as usize % n.max(1)
    }
}

/// A reference graph: `layers` levels in which team `t{i}` routes to escalation `e{i}`, whose
/// rules name team `t{i+1}` (twice, or once and a user, or through its members), so the number
/// of paths doubles per level; random extra references (to teams, escalations and schedules,
/// with `next` and `previous`) make cycles; rotations name teams, escalations and users.
fn document(c: &mut Choices) -> Value {
    let layers = 2 + c.below(12);
    let (nt, ne, nu, ns) = (layers + c.below(6), layers + c.below(6), 2 + c.below(10), 1 + c.below(3));
    let user = |i: usize| format!("u{}", i % nu);
    let users: Vec<Value> = (0..nu).map(|i| json!({"username": user(i)})).collect();
    let mut teams = Vec::new();
    for i in 0..nt {
        let members: Vec<Value> = (0..c.below(3)).map(|k| json!({"user": {"username": user(i + k)}})).collect();
        let mut rules = Vec::new();
        if i < layers {
            rules.push(json!({"name": "layer", "order": 0, "notify": {"type": "escalation", "name": format!("e{i}")}}));
        }
        for k in 0..c.below(2) {
            let notify = match c.below(4) {
                0 => json!({"type": "schedule", "name": format!("s{}", c.below(ns))}),
                1 => json!({"type": "none"}),
                _ => json!({"type": "escalation", "name": format!("e{}", c.below(ne))}),
            };
            rules.push(json!({"name": format!("r{k}"), "order": k + 1, "notify": notify}));
        }
        if c.below(3) == 0 {
            // A routing rule that applies only part of the week: the route changes with time.
            rules.insert(0, json!({"name": "nights", "order": 0, "notify": {"type": "escalation", "name": format!("e{}", c.below(ne))},
                "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 20, "startMin": 0, "endHour": 6, "endMin": 0}}}));
        }
        teams.push(json!({"name": format!("t{i}"), "members": members, "routingRules": rules}));
    }
    let delays = [0, 0, 0, 5];
    let mut escalations = Vec::new();
    for i in 0..ne {
        let mut rules = Vec::new();
        let rule = |recipient: Value, notify: &str, delay: i64| json!({"condition": "if-not-acked", "notifyType": notify, "delay": {"timeAmount": delay}, "recipient": recipient});
        if i < layers {
            let next = format!("t{}", (i + 1).min(nt - 1));
            rules.push(rule(json!({"type": "team", "name": next}), "default", delays[c.below(4)]));
            match c.below(3) {
                0 => rules.push(rule(json!({"type": "user", "username": user(i)}), "default", 0)),
                1 => rules.push(rule(json!({"type": "team", "name": next}), "users", 0)),
                _ => rules.push(rule(json!({"type": "team", "name": next}), "default", delays[c.below(4)])),
            }
        }
        for _ in 0..c.below(3) {
            let delay = delays[c.below(4)];
            rules.push(match c.below(6) {
                0 => rule(json!({"type": "user", "username": user(c.below(nu))}), "default", delay),
                1 => rule(json!({"type": "schedule", "name": format!("s{}", c.below(ns))}), "default", delay),
                2 => rule(json!({"type": "schedule", "name": format!("s{}", c.below(ns))}), "next", delay),
                3 => rule(json!({"type": "schedule", "name": format!("s{}", c.below(ns))}), "previous", delay),
                4 => rule(json!({"type": "team", "name": format!("t{}", c.below(nt))}), "users", delay),
                _ => rule(json!({"type": "team", "name": format!("t{}", c.below(nt))}), "default", delay),
            });
        }
        if rules.is_empty() {
            rules.push(rule(json!({"type": "user", "username": user(i)}), "default", 0));
        }
        escalations.push(json!({"name": format!("e{i}"), "rules": rules}));
    }
    let mut schedules = Vec::new();
    for si in 0..ns {
        let mut rotations = Vec::new();
        for ri in 0..1 + c.below(3) {
            let mut participants = Vec::new();
            for _ in 0..1 + c.below(3) {
                participants.push(match c.below(4) {
                    0 => json!({"type": "team", "name": "t0"}),
                    1 => json!({"type": "team", "name": format!("t{}", c.below(nt))}),
                    2 => json!({"type": "escalation", "name": format!("e{}", c.below(ne))}),
                    _ => json!({"type": "user", "username": user(c.below(nu))}),
                });
            }
            let kind = ["hourly", "daily", "weekly"][c.below(3)];
            rotations.push(json!({"name": format!("r{ri}"), "type": kind, "startDate": "2026-01-05T00:00:00Z",
                                  "participants": participants, "priority": c.below(2)}));
        }
        schedules.push(json!({"name": format!("s{si}"), "timezone": "Europe/London", "rotations": rotations}));
    }
    let mut forwarding = Vec::new();
    for _ in 0..c.below(6) {
        let (a, b) = (c.below(nu), c.below(nu));
        if a != b {
            let start = DateTime::<Utc>::from_timestamp(1_770_000_000, 0).unwrap_or_default()
                + Duration::hours(c.below(96) as i64);
            let end = start + Duration::hours(1 + c.below(72) as i64);
            forwarding.push(json!({"fromUser": {"username": user(a)}, "toUser": {"username": user(b)},
                                   "startDate": start.to_rfc3339(), "endDate": end.to_rfc3339()}));
        }
    }
    json!({"users": users, "teams": teams, "escalations": escalations, "schedules": schedules, "forwardingRules": forwarding})
}

/// Every answer of schedule `name` that expands references, as text (errors included).
fn answers(config: &Config, name: &str, at: DateTime<Utc>) -> Vec<String> {
    let s = config.schedule(name).expect("listed");
    let to = at + Duration::days(3);
    vec![
        format!("{:?}", s.on_call(at).map(|w| w.flat())),
        format!("{:?}", s.next_on_call(at)),
        format!("{:?}", s.timeline(at, to, Expand::default()).map(|t| t.final_schedule)),
        format!("{:?}", s.segments(at, to).map(|i| i.collect::<Vec<_>>())),
    ]
}

proptest! {
    #![proptest_config(cases())]

    /// The memo changes no answer and no error of `who`, `next`, timelines and segments.
    #[test]
    fn memoised_expansions_answer_as_the_plain_walk(
        choices in prop::collection::vec(any::<u32>(), 64..400),
        hours in 0i64..96,
        budget in prop::sample::select(vec![20usize, 300, Limits::DEFAULT.max_expansion]),
    ) {
        let doc = document(&mut Choices(choices, 0)).to_string();
        let limits = Limits { max_expansion: budget, next_horizon_days: 7, ..Limits::DEFAULT };
        let at = DateTime::<Utc>::from_timestamp(1_770_000_000, 0).unwrap_or_default() + Duration::hours(hours);
        for index in [IndexOptions::default(), IndexOptions::OFF] {
            let mut memo = Config::from_json_with_limits(&doc, limits).expect("a generated document compiles");
            memo.set_index_options(index);
            let mut plain = Config::from_json_with_limits(&doc, limits).expect("a generated document compiles");
            plain.set_index_options(index);
            plain.set_expansion_memo(false);
            for name in memo.schedule_names().map(String::from).collect::<Vec<_>>() {
                prop_assert_eq!(answers(&memo, &name, at), answers(&plain, &name, at), "{} at {} in {}", name, at, doc);
            }
        }
    }
}
