//! Properties of schedule diffs and of the sources of final-schedule segments (docs/rules.md,
//! "Schedule diffs" and "Where each answer comes from"), on generated documents.
//!
//! Every property runs [`CASES`] cases (`PROPTEST_CASES` overrides it).

use chrono::{DateTime, Duration, Utc};
use oncall_core::config::Document;
use oncall_core::diff::{ScheduleDiff, diff};
use oncall_core::output::{Period, Segment};
use oncall_core::provenance::Origin;
use oncall_core::strategies::{anchor, document};
use oncall_core::{Config, Expand};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use std::collections::BTreeMap;

/// Cases per property.
const CASES: u32 = 128;

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(n) }
}

fn compile(doc: &Document) -> Result<Config, TestCaseError> {
    Config::compile(doc).map_err(|e| TestCaseError::fail(format!("a generated document does not compile: {e}")))
}

fn window(doc: &Document, offset: i64, hours: i64) -> (DateTime<Utc>, DateTime<Utc>) {
    let a = anchor(doc) + Duration::hours(offset);
    (a, a + Duration::hours(hours.max(1)))
}

fn segments(c: &Config, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Segment> {
    c.schedule("s").unwrap().segments(from, to).unwrap().collect()
}

/// Seconds on call per user in a final schedule.
fn hours(segs: &[Segment]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for s in segs {
        for u in &s.recipients {
            *out.entry(u.clone()).or_insert(0) += (s.end_date - s.start_date).num_seconds();
        }
    }
    out
}

fn users(d: &ScheduleDiff) -> BTreeMap<String, (i64, i64)> {
    d.users.iter().map(|u| (u.username.clone(), (u.gained_seconds, u.lost_seconds))).collect()
}

proptest! {
    #![proptest_config(cases())]

    /// `diff(a, a)` is empty.
    #[test]
    fn a_schedule_does_not_differ_from_itself(doc in document(), offset in -24i64..48, len in 1i64..96) {
        let c = compile(&doc)?;
        let (from, to) = window(&doc, offset, len);
        let d = diff(&c, &c, "s", from, to).unwrap();
        prop_assert!(d.is_empty(), "{:?}", d.changes);
        prop_assert!(d.users.is_empty());
        prop_assert_eq!(d.changed_seconds, 0);
    }

    /// `diff(a, b)` mirrors `diff(b, a)`: the same intervals, old and new swapped, gained and
    /// lost swapped; and the changes are ordered, disjoint, inside the window, never equal sets,
    /// never two equal neighbours.
    #[test]
    fn a_diff_mirrors_its_reverse(a in document(), b in document(), offset in -24i64..48, len in 1i64..96) {
        let (ca, cb) = (compile(&a)?, compile(&b)?);
        let (from, to) = window(&a, offset, len);
        let ab = diff(&ca, &cb, "s", from, to).unwrap();
        let ba = diff(&cb, &ca, "s", from, to).unwrap();
        prop_assert_eq!(ab.changes.len(), ba.changes.len());
        for (x, y) in ab.changes.iter().zip(&ba.changes) {
            prop_assert_eq!((x.start_date, x.end_date), (y.start_date, y.end_date));
            prop_assert_eq!(&x.old, &y.new);
            prop_assert_eq!(&x.gained, &y.lost);
            prop_assert_eq!(&x.lost, &y.gained);
            prop_assert!(x.old != x.new);
            prop_assert!(from <= x.start_date && x.start_date < x.end_date && x.end_date <= to);
        }
        for w in ab.changes.windows(2) {
            prop_assert!(w[0].end_date <= w[1].start_date);
            prop_assert!(w[0].end_date < w[1].start_date || (&w[0].old, &w[0].new) != (&w[1].old, &w[1].new));
        }
        let mirrored: BTreeMap<String, (i64, i64)> = users(&ba).into_iter().map(|(u, (g, l))| (u, (l, g))).collect();
        prop_assert_eq!(users(&ab), mirrored);
        prop_assert_eq!(ab.changed_seconds, ba.changed_seconds);
    }

    /// Per user, hours gained minus hours lost is the difference of the user's on-call hours in
    /// the two final schedules.
    #[test]
    fn net_hours_are_the_difference_of_on_call_hours(a in document(), b in document(), offset in -24i64..48, len in 1i64..96) {
        let (ca, cb) = (compile(&a)?, compile(&b)?);
        let (from, to) = window(&a, offset, len);
        let d = diff(&ca, &cb, "s", from, to).unwrap();
        let (ha, hb) = (hours(&segments(&ca, from, to)), hours(&segments(&cb, from, to)));
        let mut names: Vec<&String> = ha.keys().chain(hb.keys()).collect();
        names.sort();
        names.dedup();
        let net: BTreeMap<&String, i64> = d.users.iter().map(|u| (&u.username, u.net_seconds)).collect();
        for n in names {
            let want = hb.get(n).copied().unwrap_or(0) - ha.get(n).copied().unwrap_or(0);
            prop_assert_eq!(net.get(n).copied().unwrap_or(0), want, "user {}", n);
        }
        for u in &d.users {
            prop_assert_eq!(u.net_seconds, u.gained_seconds - u.lost_seconds);
        }
    }

    /// Segments with sources refine the final schedule: joined where the set is the same, they
    /// are the plain segments; every segment that is not a gap has a source, and the users its
    /// sources name are its recipients (generated rotations list users only).
    #[test]
    fn sources_refine_the_final_schedule(doc in document(), offset in -24i64..48, len in 1i64..96) {
        let c = compile(&doc)?;
        let (from, to) = window(&doc, offset, len);
        let s = c.schedule("s").unwrap();
        let sourced: Vec<Segment> = s.segments_with_sources(from, to).unwrap().collect();
        let mut joined: Vec<Segment> = Vec::new();
        for g in &sourced {
            let srcs = g.sources.as_ref().expect("sources asked for");
            let mut names: Vec<String> = srcs.iter().map(|x| x.recipient.clone()).collect();
            names.sort();
            names.dedup();
            prop_assert_eq!(&names, &g.recipients, "at {}", g.start_date);
            for x in srcs {
                if let Some(f) = x.forwarded.last() {
                    prop_assert_eq!(&f.to, &x.recipient);
                }
                if let Origin::Rotation { rotation, .. } = &x.origin {
                    prop_assert!(s.rotation_names().any(|r| r == rotation));
                }
            }
            match joined.last_mut() {
                Some(last) if last.end_date == g.start_date && last.recipients == g.recipients => last.end_date = g.end_date,
                _ => joined.push(Segment { sources: None, ..g.clone() }),
            }
        }
        prop_assert_eq!(joined, segments(&c, from, to));
        // The timeline's `expand=sources` gives the same segments.
        let expand = Expand { sources: true, ..Expand::default() };
        if let (Ok(tl), Ok(plain)) = (s.timeline(from, to, expand), s.timeline(from, to, Expand::default())) {
            prop_assert_eq!(&tl.final_schedule, &sourced);
            // Final-timeline periods with sources: each has one, naming its recipient, and joined
            // where only the source changes they are the plain periods.
            prop_assert_eq!(tl.final_timeline.rotations.len(), plain.final_timeline.rotations.len());
            for (r, p) in tl.final_timeline.rotations.iter().zip(&plain.final_timeline.rotations) {
                let mut joined: Vec<Period> = Vec::new();
                for q in &r.periods {
                    let src = q.source.as_ref();
                    prop_assert!(src.is_some(), "a period without a source: {:?}", q);
                    prop_assert_eq!(&src.unwrap().recipient, &q.recipient.name);
                    let q = Period { source: None, ..q.clone() };
                    match joined.last_mut() {
                        Some(last) if last.end_date == q.start_date && Period { start_date: q.start_date, end_date: q.end_date, ..last.clone() } == q => {
                            last.end_date = q.end_date
                        }
                        _ => joined.push(q),
                    }
                }
                prop_assert_eq!(&joined, &p.periods, "rotation {}", r.name);
            }
        }
    }
}
