//! Properties of an escalation's `onGap` policy (docs/rules.md, escalation timelines) on the
//! generated escalation scenarios: whatever the policy, the laws of escalation timelines hold
//! (sorted, acknowledgements and closes obeyed) and the answer is deterministic; `report` is
//! the behaviour without a policy; a policy changes nothing when no rule meets a gap. The
//! scenario's schedule is restricted to a generated daily window, so rules meet gaps.
//!
//! Every property runs [`CASES`] cases (`PROPTEST_CASES` overrides it).

use oncall_core::Config;
use oncall_core::config::Participant;
use oncall_core::escalation::{EscalateOptions, EscalationTimeline, Target, UnreachedReason};
use oncall_core::strategies::{
    self, ESCALATION, EscalationScenario, TEAM, USERS, escalation_scenario, time_of_day_restriction,
};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// Cases per property.
const CASES: u32 = 128;

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(n) }
}

/// The scenario with `policy` set on its escalation (`fallback`: to the team or the first user).
fn with_policy(s: &EscalationScenario, policy: &str, team: bool) -> Config {
    let mut doc = s.doc.clone();
    for e in &mut doc.escalations {
        e.on_gap = Some(policy.to_string());
        // The generated policy's own fallback, if any, gives way to this one.
        e.gap_fallback = None;
        if policy == "fallback" {
            let mut p = Participant { kind: if team { "team" } else { "user" }.into(), ..Participant::default() };
            if team {
                p.name = Some(TEAM.into());
            } else {
                p.username = Some(USERS[0].into());
            }
            e.gap_fallback = Some(p);
        }
    }
    Config::compile(&doc).unwrap_or_else(|e| panic!("the scenario with onGap {policy} does not compile: {e}"))
}

/// The timeline, dropping trailing events the engine refuses (as props.rs does).
fn escalate(c: &Config, s: &EscalationScenario) -> EscalationTimeline {
    let target = Target::Escalation(ESCALATION.into());
    let mut events = s.events.clone();
    loop {
        match c.escalate(&s.alert, &target, s.created_at, &events, &EscalateOptions { seed: 7 }) {
            Ok(tl) => return tl,
            Err(oncall_core::Error::InvalidTransition { .. }) if !events.is_empty() => {
                events.pop();
            }
            Err(e) => panic!("escalate failed: {e}"),
        }
    }
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn gap_policies_keep_the_laws(s in escalation_scenario(), window in time_of_day_restriction(), team in any::<bool>()) {
        // Schedule `s` on call only inside one daily window: rules meet gaps.
        let mut s = s;
        for sched in &mut s.doc.schedules {
            for r in &mut sched.rotations {
                r.time_restriction = Some(window.clone());
            }
        }
        // The behaviour without a policy: the strategies generate `onGap` too, so clear it.
        for e in &mut s.doc.escalations {
            e.on_gap = None;
            e.gap_fallback = None;
        }
        let plain = escalate(&Config::compile(&s.doc).unwrap(), &s);
        let gapped = plain.unreached.iter().any(|u| u.reason == UnreachedReason::Gap);
        for policy in ["report", "skip", "wait", "fallback"] {
            let c = with_policy(&s, policy, team);
            let tl = escalate(&c, &s);
            if let Err(why) = strategies::check_escalation_laws(&tl) {
                return Err(TestCaseError::fail(format!("onGap {policy}: {why}")));
            }
            prop_assert_eq!(&tl, &escalate(&c, &s), "onGap {} is not deterministic", policy);
            if policy == "report" || !gapped {
                // No gap met (or the default policy): the same answer as without a policy.
                prop_assert_eq!(&tl.notifications, &plain.notifications, "onGap {}", policy);
                prop_assert_eq!(&tl.unreached, &plain.unreached, "onGap {}", policy);
            }
        }
    }
}
