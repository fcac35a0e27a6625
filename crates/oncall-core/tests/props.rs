//! The engine's property suite: generated schedules (the `proptest` feature's strategies, enabled
//! for tests by the crate's dev-dependency on itself) against the laws of docs/rules.md.
//!
//! Every property runs [`CASES`] cases (`PROPTEST_CASES` overrides it, e.g. for a long soak).
//! Windows are a few days around the generated anchors, which sit near DST transitions, so each
//! case is cheap and still crosses a gap or a fold most of the time.

mod common;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDateTime, TimeZone, Utc};
use oncall_core::alert::AlertEvent;
use oncall_core::config::{Document, Override, Participant, Rotation};
use oncall_core::escalation::{EscalateOptions, EscalationTimeline, Target};
use oncall_core::output::{Period, Segment};
use oncall_core::strategies::{
    self, ESCALATION, EscalationScenario, anchor, document, escalation_scenario, pay_rule, rotation_of, schedule_in,
    zone,
};
use oncall_core::time::{Edge, parse_instant, parse_zone, resolve_local};
use oncall_core::{Config, Expand, IndexOptions};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// Cases per property.
const CASES: u32 = 256;

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(n) }
}

fn compile(doc: &Document) -> Result<Config, TestCaseError> {
    Config::compile(doc)
        .map_err(|e| TestCaseError::fail(format!("a generated document does not compile: {e}\n{}", json(doc))))
}

fn json(doc: &Document) -> String {
    serde_json::to_string(doc).unwrap_or_default()
}

fn segments(c: &Config, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Segment> {
    c.schedule("s").unwrap().segments(from, to).unwrap().collect()
}

fn who(c: &Config, at: DateTime<Utc>) -> Vec<String> {
    let mut v = c.schedule("s").unwrap().on_call(at).unwrap().flat().on_call_recipients;
    v.sort();
    v.dedup();
    v
}

/// A window of `hours` hours starting `offset` hours after the schedule's first anchor.
fn window(doc: &Document, offset: i64, hours: i64) -> (DateTime<Utc>, DateTime<Utc>) {
    let a = anchor(doc) + Duration::hours(offset);
    (a, a + Duration::hours(hours.max(1)))
}

/// Joins two lists of segments, merging equal neighbours at the seam.
fn join(mut a: Vec<Segment>, b: Vec<Segment>) -> Vec<Segment> {
    for s in b {
        match a.last_mut() {
            Some(last) if last.end_date == s.start_date && last.recipients == s.recipients => {
                last.end_date = s.end_date
            }
            _ => a.push(s),
        }
    }
    a
}

fn join_periods(mut a: Vec<Period>, b: Vec<Period>) -> Vec<Period> {
    for p in b {
        match a.last_mut() {
            Some(last)
                if last.end_date == p.start_date
                    && last.kind == p.kind
                    && last.recipient == p.recipient
                    && last.from_user == p.from_user =>
            {
                last.end_date = p.end_date
            }
            _ => a.push(p),
        }
    }
    a
}

/// Segments clipped to `[from, to)` (equal neighbours cannot appear by clipping).
fn clip(segs: &[Segment], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Segment> {
    segs.iter()
        .filter(|s| s.end_date > from && s.start_date < to)
        .map(|s| Segment {
            start_date: s.start_date.max(from),
            end_date: s.end_date.min(to),
            recipients: s.recipients.clone(),
            sources: s.sources.clone(),
        })
        .collect()
}

fn naive(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").expect("generated anchors are naive local times")
}

/// The local wall-clock time of hand-off k of a fixed-grid rotation (docs/rules.md, rotations).
fn grid_local(r: &Rotation, k: i64) -> Option<NaiveDateTime> {
    let a = naive(&r.start_date);
    let n = k * r.length.unwrap_or(1);
    match r.kind.as_str() {
        "hourly" => Some(a + Duration::hours(n)),
        "daily" => Some(a + Duration::days(n)),
        "weekly" => Some(a + Duration::days(7 * n)),
        "monthly" => {
            // Clamp the anchor's day to the month's last day.
            let first = a.date().with_day(1)?.checked_add_months(Months::new(u32::try_from(n).ok()?))?;
            let last = (first + Months::new(1)).pred_opt()?.day();
            Some(first.with_day(a.day().min(last))?.and_time(a.time()))
        }
        _ => None,
    }
}

fn participant_name(p: &Participant) -> String {
    p.username.clone().unwrap_or_default()
}

/// The timeline of a generated escalation scenario, with the longest prefix of its events the
/// engine accepts: `resetRecipientStates` and `closeAlertAfterAll` change the alert's state behind
/// the events' back, so a generated unacknowledge (or acknowledge, or close) can become invalid;
/// only such a refused transition drops events, any other error fails the case.
fn escalate(
    c: &Config,
    s: &EscalationScenario,
    seed: u64,
) -> Result<(EscalationTimeline, Vec<AlertEvent>), TestCaseError> {
    let target = Target::Escalation(ESCALATION.into());
    let mut events = s.events.clone();
    loop {
        match c.escalate(&s.alert, &target, s.created_at, &events, &EscalateOptions { seed }) {
            Ok(tl) => return Ok((tl, events)),
            Err(oncall_core::Error::InvalidTransition { .. }) if !events.is_empty() => {
                events.pop();
            }
            Err(e) => return Err(TestCaseError::fail(format!("escalate failed: {e}\n{}", json(&s.doc)))),
        }
    }
}

/// The users a generated scenario's policy can reach: its user recipients, the participants of
/// schedule `s` (when a rule or the team's routing names it), the team's members (when a rule
/// names the team), the escalation's `gapFallback`, and the forwarding targets of any of those.
fn reachable(doc: &Document) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let schedule_users = |out: &mut Vec<String>| {
        for s in &doc.schedules {
            let rot = s.rotations.iter().flat_map(|r| r.participants.iter());
            for p in rot.chain(s.overrides.iter().map(|o| &o.user)) {
                out.extend(p.username.clone());
            }
        }
    };
    for r in doc.escalations.iter().flat_map(|e| &e.rules) {
        match r.recipient.kind.as_str() {
            "user" => out.extend(r.recipient.username.clone()),
            "schedule" => schedule_users(&mut out),
            _ => {
                for t in &doc.teams {
                    out.extend(t.members.iter().filter_map(|m| m.user.username.clone()));
                    if t.routing_rules.iter().any(|r| r.notify.kind.as_deref() == Some("schedule")) {
                        schedule_users(&mut out);
                    }
                }
            }
        }
    }
    // `onGap: fallback`: the named user, or the named team's members.
    for g in doc.escalations.iter().filter_map(|e| e.gap_fallback.as_ref()) {
        out.extend(g.username.clone());
        for t in doc.teams.iter().filter(|t| g.kind == "team" && Some(&t.name) == g.name.as_ref()) {
            out.extend(t.members.iter().filter_map(|m| m.user.username.clone()));
        }
    }
    loop {
        let more: Vec<String> = doc
            .forwarding_rules
            .iter()
            .filter(|f| f.from_user.username.as_ref().is_some_and(|u| out.contains(u)))
            .filter_map(|f| f.to_user.username.clone())
            .filter(|u| !out.contains(u))
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

proptest! {
    #![proptest_config(cases())]

    /// The strategies are valid by construction: every generated document compiles.
    #[test]
    fn generated_documents_compile(doc in document()) {
        compile(&doc)?;
    }

    /// On-call at t equals the recipients of the final-schedule segment that contains t.
    #[test]
    fn on_call_is_the_segment_containing_t(doc in document(), offset in -24i64..72, len in 1i64..72, pick in 0.0f64..1.0) {
        let c = compile(&doc)?;
        let (from, to) = window(&doc, offset, len);
        let at = from + Duration::seconds(((to - from).num_seconds() as f64 * pick) as i64);
        let segs = segments(&c, from, to);
        let seg = segs.iter().find(|s| s.start_date <= at && at < s.end_date);
        prop_assert!(seg.is_some(), "no segment contains {at}");
        prop_assert_eq!(&who(&c, at), &seg.unwrap().recipients, "at {}", at);
        // And at every segment start (the instant of a change belongs to the new segment).
        for s in &segs {
            prop_assert_eq!(&who(&c, s.start_date), &s.recipients, "at {}", s.start_date);
        }
    }

    /// Segments partition the window: contiguous, non-empty, no overlap, no hole, first starts at
    /// `from`, last ends at `to`, and neighbours differ (maximal).
    #[test]
    fn segments_partition_the_window(doc in document(), offset in -48i64..96, len in 1i64..96) {
        let c = compile(&doc)?;
        let (from, to) = window(&doc, offset, len);
        let segs = segments(&c, from, to);
        prop_assert!(!segs.is_empty());
        prop_assert_eq!(segs[0].start_date, from);
        prop_assert_eq!(segs[segs.len() - 1].end_date, to);
        for w in segs.windows(2) {
            prop_assert_eq!(w[0].end_date, w[1].start_date);
            prop_assert_ne!(&w[0].recipients, &w[1].recipients);
        }
        for s in &segs {
            prop_assert!(s.start_date < s.end_date);
            prop_assert!(s.recipients.windows(2).all(|w| w[0] < w[1]), "recipients sorted and unique");
        }
    }

    /// timeline(a, c) = timeline(a, b) joined with timeline(b, c), for the final schedule and for
    /// every rotation's final periods.
    #[test]
    fn timeline_splits_at_any_instant(doc in document(), offset in -24i64..48, l1 in 1i64..48, l2 in 1i64..48) {
        let c = compile(&doc)?;
        let s = c.schedule("s").unwrap();
        let a = anchor(&doc) + Duration::hours(offset);
        let b = a + Duration::hours(l1) + Duration::minutes(l1 * 7 % 60);
        let e = b + Duration::hours(l2);
        let whole = s.timeline(a, e, Expand::default()).unwrap();
        let left = s.timeline(a, b, Expand::default()).unwrap();
        let right = s.timeline(b, e, Expand::default()).unwrap();
        prop_assert_eq!(&whole.final_schedule, &join(left.final_schedule, right.final_schedule));
        for ((w, l), r) in whole.final_timeline.rotations.iter().zip(left.final_timeline.rotations).zip(right.final_timeline.rotations) {
            prop_assert_eq!(&w.name, &l.name);
            prop_assert_eq!(&w.periods, &join_periods(l.periods, r.periods), "rotation {}", w.name);
        }
    }

    /// Answers do not depend on the query window: two overlapping windows agree on the overlap,
    /// and the timeline's final schedule equals the streamed segments.
    #[test]
    fn answers_do_not_depend_on_the_window(doc in document(), o1 in -48i64..48, o2 in -48i64..48, l1 in 12i64..96, l2 in 12i64..96) {
        let c = compile(&doc)?;
        let (a1, b1) = window(&doc, o1, l1);
        let (a2, b2) = window(&doc, o2, l2);
        let (lo, hi) = (a1.max(a2), b1.min(b2));
        prop_assume!(lo < hi);
        let s1 = segments(&c, a1, b1);
        let s2 = segments(&c, a2, b2);
        prop_assert_eq!(clip(&s1, lo, hi), clip(&s2, lo, hi));
        let tl = c.schedule("s").unwrap().timeline(a1, b1, Expand::default()).unwrap();
        prop_assert_eq!(tl.final_schedule, s1);
    }

    /// The answer index changes nothing: with every chunk indexed at the first query, nested
    /// who-is-on-call answers, next-on-call answers and final timelines equal those found by walking, near the
    /// generated anchors and across the edge between two chunks (every 2^25 s from 1900-01-01).
    #[test]
    fn the_answer_index_changes_nothing(doc in document(), offset in -48i64..48, len in 1i64..96, picks in prop::collection::vec(0.0f64..1.0, 4), at_edge in any::<bool>()) {
        let walked = compile(&doc)?;
        let mut indexed = compile(&doc)?;
        prop_assert_eq!(walked.index_options(), IndexOptions::default());
        indexed.set_index_options(IndexOptions::EAGER);
        let (w, i) = (walked.schedule("s").unwrap(), indexed.schedule("s").unwrap());
        let centre = if at_edge {
            let min = DateTime::parse_from_rfc3339("1900-01-01T00:00:00Z").unwrap().timestamp();
            let a = anchor(&doc).timestamp();
            DateTime::from_timestamp(min + ((a - min + (1 << 24)) >> 25 << 25), 0).unwrap()
        } else {
            anchor(&doc)
        };
        let from = centre + Duration::hours(offset);
        let to = from + Duration::hours(len);
        let direct = w.timeline(from, to, Expand::default()).unwrap();
        prop_assert_eq!(&i.timeline(from, to, Expand::default()).unwrap(), &direct);
        let picked: Vec<DateTime<Utc>> =
            picks.iter().map(|p| from + Duration::seconds(((to - from).num_seconds() as f64 * p) as i64)).collect();
        for &at in &picked {
            prop_assert_eq!(i.next_on_call(at).unwrap(), w.next_on_call(at).unwrap(), "next at {}", at);
        }
        for at in picked.into_iter().chain(direct.final_schedule.iter().map(|s| s.start_date)) {
            prop_assert_eq!(i.on_call(at).unwrap(), w.on_call(at).unwrap(), "at {}", at);
        }
    }

    /// The next on-call change is the end of the segment holding the instant, with the next
    /// segment's recipients.
    #[test]
    fn next_on_call_is_the_next_segment(doc in document(), offset in -24i64..72) {
        let c = compile(&doc)?;
        let at = anchor(&doc) + Duration::hours(offset);
        let s = c.schedule("s").unwrap();
        let next = s.next_on_call(at).unwrap();
        let horizon = at + Duration::days(20);
        let segs = segments(&c, at, horizon);
        match (next.exact_next_on_call_at, segs.get(1)) {
            (Some(t), Some(seg)) => {
                prop_assert_eq!(t, seg.start_date);
                let mut names = next.flat().exact_next_on_call_participants;
                names.sort();
                names.dedup();
                prop_assert_eq!(&names, &seg.recipients);
            }
            (Some(t), None) => prop_assert!(t >= horizon, "a change at {t} inside the window was not a segment"),
            (None, Some(seg)) => prop_assert!(false, "no next change, but the set changes at {}", seg.start_date),
            (None, None) => {}
        }
    }

    /// Hand-offs of fixed-grid rotations strictly increase and sit exactly on the local
    /// wall-clock grid (anchor + k × length × unit, mapped by the wall-clock rule), each taken by
    /// participant k mod n (the last of several on one instant).
    #[test]
    fn handoffs_sit_on_the_local_grid(
        (z, r) in zone().prop_flat_map(|z| (Just(z), prop_oneof![
            rotation_of("hourly", z), rotation_of("daily", z), rotation_of("weekly", z), rotation_of("monthly", z)])),
        skip in 0i64..6,
    ) {
        let doc = common::one_rotation_doc(Rotation { timezone: None, ..r.clone() }, z);
        let c = compile(&doc)?;
        let tz = parse_zone(z).unwrap();
        let end = r.end_date.as_deref().map(|e| parse_instant(e, tz, Edge::End).unwrap());
        // The expected hand-offs after hand-off `skip - 1`.
        let mut expected: Vec<(DateTime<Utc>, String)> = Vec::new();
        for k in 0..400 {
            let Some(l) = grid_local(&r, k) else { break };
            let at = resolve_local(tz, l, Edge::Start);
            if end.is_some_and(|e| at >= e) { break; }
            let name = participant_name(&r.participants[(k as usize) % r.participants.len()]);
            match expected.last_mut() {
                Some(last) if last.0 == at => last.1 = name,
                _ => expected.push((at, name)),
            }
        }
        let from = match skip { 0 => expected[0].0 - Duration::seconds(1), s => expected[(s as usize).min(expected.len() - 1)].0 };
        let expected: Vec<_> = expected.into_iter().filter(|(at, _)| *at > from).take(30).collect();
        let got: Vec<(DateTime<Utc>, String)> = c.schedule("s").unwrap().handoffs("r0", from).unwrap()
            .take(30).map(|h| (h.at, h.participant.name)).collect();
        prop_assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "hand-offs must strictly increase: {got:?}");
        prop_assert_eq!(got, expected);
    }

    /// Daily hand-offs keep the anchor's local time across DST; when that time does not exist on
    /// a day (a spring-forward gap), the hand-off is the first instant after the gap.
    #[test]
    fn daily_handoffs_keep_their_local_time((z, r) in zone().prop_flat_map(|z| (Just(z), rotation_of("daily", z)))) {
        let doc = common::one_rotation_doc(Rotation { timezone: None, end_date: None, ..r.clone() }, z);
        let c = compile(&doc)?;
        let tz = parse_zone(z).unwrap();
        let a = naive(&r.start_date);
        let from = resolve_local(tz, a, Edge::Start) - Duration::seconds(1);
        let mut day = a.date();
        let step = r.length.unwrap_or(1);
        let mut last_at = from;
        for h in c.schedule("s").unwrap().handoffs("r0", from).unwrap().take(40) {
            let local = h.at.with_timezone(&tz).naive_local();
            // Find the grid day this hand-off belongs to (several may share an instant).
            while resolve_local(tz, day.and_time(a.time()), Edge::Start) < h.at {
                day += Duration::days(step);
            }
            let wanted = day.and_time(a.time());
            let exists = tz.from_local_datetime(&wanted).earliest().is_some();
            if exists {
                prop_assert_eq!(local.time(), a.time(), "hand-off at {} is not at {} local", h.at, a.time());
            } else {
                // In the gap: the first instant after it, where the local time jumps past `wanted`.
                prop_assert!(local > wanted);
                prop_assert!((h.at - Duration::seconds(1)).with_timezone(&tz).naive_local() < wanted);
            }
            prop_assert!(h.at > last_at);
            last_at = h.at;
            day += Duration::days(step);
        }
    }

    /// A schedule-wide override holds everywhere inside its window and changes nothing outside.
    #[test]
    fn schedule_wide_override_holds_inside_and_nowhere_else(
        (doc, ov) in zone().prop_flat_map(|z| (schedule_in(z), strategies::override_for(z, Vec::new())))
            .prop_map(|(s, o)| (Document { schedules: vec![s], ..Default::default() }, o)),
    ) {
        let base = compile(&doc)?;
        let mut with = doc.clone();
        with.schedules[0].overrides.push(ov.clone());
        let over = compile(&with)?;
        let tz = parse_zone(doc.schedules[0].timezone.as_deref().unwrap()).unwrap();
        let (s, e) = (parse_instant(&ov.start_date, tz, Edge::Start).unwrap(), parse_instant(&ov.end_date, tz, Edge::End).unwrap());
        let (from, to) = (s - Duration::hours(30), e + Duration::hours(30));
        let expected: Vec<String> = ov.user.username.clone().into_iter().collect();
        let inside = clip(&segments(&over, from, to), s, e);
        prop_assert_eq!(inside.len(), 1, "one constant segment inside the override: {:?}", inside);
        prop_assert_eq!(&inside[0].recipients, &expected);
        let (a, b) = (segments(&base, from, to), segments(&over, from, to));
        prop_assert_eq!(clip(&a, from, s), clip(&b, from, s));
        prop_assert_eq!(clip(&a, e, to), clip(&b, e, to));
    }

    /// Restrictions never add on-call time: each rotation's restricted shifts lie inside its
    /// unrestricted shifts, with the same participant.
    #[test]
    fn restrictions_never_add_time(doc in document(), offset in -24i64..48, len in 24i64..96) {
        // Users' time off is left out: absence is judged within the restriction's windows
        // (docs/rules.md, time off), so a restriction may rightly change who takes a shift.
        let mut doc = doc;
        doc.users = None;
        let c = compile(&doc)?;
        let mut free = doc.clone();
        for r in &mut free.schedules[0].rotations {
            r.time_restriction = None;
        }
        let f = compile(&free)?;
        let (from, to) = window(&doc, offset, len);
        let expand = Expand { base: true, ..Expand::default() };
        let restricted = c.schedule("s").unwrap().timeline(from, to, expand).unwrap().base_timeline.unwrap();
        let unrestricted = f.schedule("s").unwrap().timeline(from, to, expand).unwrap().base_timeline.unwrap();
        for (r, u) in restricted.rotations.iter().zip(&unrestricted.rotations) {
            for p in &r.periods {
                prop_assert!(
                    u.periods.iter().any(|q| q.recipient == p.recipient && q.start_date <= p.start_date && p.end_date <= q.end_date),
                    "rotation {}: {:?} is not inside an unrestricted shift", r.name, p
                );
            }
        }
        // Nor does a restriction ever put someone on call in a single-rotation schedule.
        let mut one = doc.clone();
        one.schedules[0].rotations.truncate(1);
        one.schedules[0].overrides.clear();
        let mut one_free = one.clone();
        one_free.schedules[0].rotations[0].time_restriction = None;
        let (x, y) = (compile(&one)?, compile(&one_free)?);
        for s in segments(&x, from, to) {
            prop_assert!(s.recipients.is_empty() || s.recipients == who(&y, s.start_date));
        }
    }

    /// A custom rotation with FREQ=HOURLY/DAILY/WEEKLY and INTERVAL=length is the same rotation
    /// as the hourly/daily/weekly one.
    #[test]
    fn custom_equals_the_fixed_rotation(
        (z, r) in zone().prop_flat_map(|z| (Just(z), prop_oneof![rotation_of("hourly", z), rotation_of("daily", z), rotation_of("weekly", z)])),
        offset in -24i64..48,
    ) {
        let freq = match r.kind.as_str() { "hourly" => "HOURLY", "daily" => "DAILY", _ => "WEEKLY" };
        let fixed = common::one_rotation_doc(Rotation { timezone: None, ..r.clone() }, z);
        let custom = common::one_rotation_doc(Rotation {
            kind: "custom".into(),
            length: None,
            timezone: None,
            recurrence: Some(format!("FREQ={freq};INTERVAL={}", r.length.unwrap_or(1))),
            ..r.clone()
        }, z);
        let (a, b) = (compile(&fixed)?, compile(&custom)?);
        let (from, to) = window(&fixed, offset, 24 * 9);
        prop_assert_eq!(segments(&a, from, to), segments(&b, from, to));
        let from = anchor(&fixed) - Duration::seconds(1);
        let ha: Vec<_> = a.schedule("s").unwrap().handoffs("r0", from).unwrap().take(25).collect();
        let hb: Vec<_> = b.schedule("s").unwrap().handoffs("r0", from).unwrap().take(25).collect();
        prop_assert_eq!(ha, hb);
    }

    /// Every configuration survives a JSON round trip: the same document, the same answers.
    #[test]
    fn json_round_trip(doc in document(), offset in -24i64..48) {
        let text = json(&doc);
        let again = Document::from_json(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&again, &doc);
        let (a, b) = (compile(&doc)?, compile(&again)?);
        let (from, to) = window(&doc, offset, 72);
        prop_assert_eq!(segments(&a, from, to), segments(&b, from, to));
        // YAML too.
        let yaml = serde_saphyr::to_string(&doc).unwrap();
        let again = Document::from_yaml(&yaml).map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        prop_assert_eq!(&again, &doc);
    }

    /// In UTC, a custom rotation's hand-offs are exactly the rrule crate's occurrences (DTSTART
    /// = startDate) after the anchor, with the anchor itself as hand-off 0.
    #[test]
    fn custom_rotations_agree_with_rrule_in_utc(r in rotation_of("custom", "UTC")) {
        let r = Rotation { timezone: None, ..r };
        let doc = common::one_rotation_doc(r.clone(), "UTC");
        let c = compile(&doc)?;
        let a = naive(&r.start_date);
        let text = r.recurrence.clone().unwrap();
        let rrule_line = text.lines().find(|l| l.starts_with("RRULE:")).unwrap();
        let exdates: Vec<NaiveDateTime> = text
            .lines()
            .filter_map(|l| l.strip_prefix("EXDATE:"))
            .map(|v| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").unwrap())
            .collect();
        let set: rrule::RRuleSet = format!("DTSTART:{}Z\n{rrule_line}", a.format("%Y%m%dT%H%M%S")).parse().unwrap();
        let end = r.end_date.as_deref().map(|e| Utc.from_utc_datetime(&naive(e)));
        let mut expected = vec![Utc.from_utc_datetime(&a)];
        for o in set.all(200).dates {
            let o = o.naive_utc();
            if o > a && !exdates.contains(&o) {
                expected.push(Utc.from_utc_datetime(&o));
            }
        }
        let expected: Vec<_> = expected.into_iter().filter(|t| end.is_none_or(|e| *t < e)).take(40).collect();
        let from = Utc.from_utc_datetime(&a) - Duration::seconds(1);
        let got: Vec<_> = c.schedule("s").unwrap().handoffs("r0", from).unwrap().take(expected.len() + 1).map(|h| h.at).collect();
        let n = expected.len();
        prop_assert_eq!(&got[..n.min(got.len())], &expected[..], "rule {}", text);
        if n < 40 {
            prop_assert_eq!(got.len(), n, "no hand-off after the set's last occurrence");
        }
    }

    /// The analysis agrees with the segments: gaps are exactly the empty segments, totals add up,
    /// each user's hours are the time of the segments that hold them, and the balance is in range.
    #[test]
    fn analysis_agrees_with_the_segments(doc in document(), offset in -24i64..48, len in 1i64..120) {
        let c = compile(&doc)?;
        let (from, to) = window(&doc, offset, len);
        let a = c.schedule("s").unwrap().analyze(from, to).unwrap();
        let segs = segments(&c, from, to);
        let gaps: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            segs.iter().filter(|s| s.recipients.is_empty()).map(|s| (s.start_date, s.end_date)).collect();
        prop_assert_eq!(a.gaps.iter().map(|g| (g.start_date, g.end_date)).collect::<Vec<_>>(), gaps);
        prop_assert_eq!(a.covered_seconds + a.gap_seconds, (to - from).num_seconds());
        prop_assert!((0.0..=100.0).contains(&a.balance));
        for u in &a.users {
            let total: i64 = segs.iter().filter(|s| s.recipients.contains(&u.username)).map(|s| (s.end_date - s.start_date).num_seconds()).sum();
            prop_assert_eq!(u.on_call_seconds, total, "user {}", u.username);
            prop_assert!(u.night_seconds <= total && u.weekend_seconds <= total);
            prop_assert!(u.longest_stretch.is_none_or(|l| l.seconds <= total));
            prop_assert_eq!(u.shortest_rest.is_some(), u.stretches >= 2);
        }
    }

    /// Pay sums equal the hours of the final schedule: per user, the seconds of the pay lines
    /// (every band) are the user's on-call seconds; paid and unpaid users together hold every
    /// user's hours; every amount is the sum of its lines (rounded once per line), and each
    /// currency's total the sum of its users'.
    #[test]
    fn pay_sums_equal_the_hours_of_the_final_schedule(doc in document(), rule in pay_rule(), offset in -24i64..48, len in 1i64..120) {
        let mut doc = doc;
        doc.pay_rules = vec![rule];
        let c = compile(&doc)?;
        let (from, to) = window(&doc, offset, len);
        let r = c.schedule("s").unwrap().pay_report(from, to).unwrap();
        let hours: std::collections::BTreeMap<&str, i64> =
            r.analysis.users.iter().map(|u| (u.username.as_str(), u.on_call_seconds)).collect();
        let mut seen = 0;
        for u in &r.pay.users {
            let lines: i64 = u.lines.iter().map(|l| l.seconds).sum();
            prop_assert_eq!(lines, u.seconds);
            prop_assert_eq!(Some(&u.seconds), hours.get(u.username.as_str()), "user {}", u.username);
            let amount: i64 = u.lines.iter().map(|l| l.amount_minor).sum::<i64>() + u.minimum.as_ref().map_or(0, |m| m.amount_minor);
            prop_assert_eq!(amount, u.amount_minor);
            seen += u.seconds;
        }
        for u in &r.pay.unpaid {
            prop_assert_eq!(Some(&u.seconds), hours.get(u.username.as_str()));
            seen += u.seconds;
        }
        prop_assert_eq!(seen, hours.values().sum::<i64>());
        for t in &r.pay.totals {
            let users = r.pay.users.iter().filter(|u| u.currency == t.currency);
            prop_assert_eq!(t.amount_minor, users.clone().map(|u| u.amount_minor).sum::<i64>());
            prop_assert_eq!(t.seconds, users.map(|u| u.seconds).sum::<i64>());
        }
        for f in &r.fairness.users {
            prop_assert!(f.holiday_hours <= f.on_call_hours + 1e-9);
        }
    }

    /// Pay is additive over consecutive windows (pay periods): per user and band, the seconds of
    /// two windows are those of the whole, and an hours minimum tops each shift up once, in the
    /// window the shift starts in.
    #[test]
    fn pay_periods_add_up(doc in document(), rule in pay_rule(), offset in -24i64..48, l1 in 1i64..72, l2 in 1i64..72) {
        let mut doc = doc;
        let hours_minimum = rule.minimum_per_shift.as_ref().is_some_and(|m| m.hours.is_some());
        doc.pay_rules = vec![rule];
        let c = compile(&doc)?;
        let (a, cut) = window(&doc, offset, l1);
        let end = cut + Duration::hours(l2);
        let s = c.schedule("s").unwrap();
        let (p1, p2, whole) = (s.pay_report(a, cut).unwrap(), s.pay_report(cut, end).unwrap(), s.pay_report(a, end).unwrap());
        let bands = |r: &oncall_core::pay::PayReport| {
            let mut m = std::collections::BTreeMap::new();
            for u in &r.pay.users {
                for l in &u.lines {
                    *m.entry((u.username.clone(), l.band.clone())).or_insert(0i64) += l.seconds;
                }
            }
            m
        };
        let mut parts = bands(&p1);
        for (k, v) in bands(&p2) {
            *parts.entry(k).or_insert(0) += v;
        }
        prop_assert_eq!(parts, bands(&whole));
        if hours_minimum {
            let top = |r: &oncall_core::pay::PayReport| r.pay.users.iter().filter_map(|u| u.minimum.as_ref()).map(|m| m.seconds).sum::<i64>();
            prop_assert_eq!(top(&p1) + top(&p2), top(&whole));
        }
    }

    /// Overrides never change turn counting: hand-offs (by turn) are the same with and without
    /// them, and outside every override window the answers are the same.
    #[test]
    fn overrides_never_change_turns(
        (mut doc, ov) in zone().prop_flat_map(|z| schedule_in(z).prop_flat_map(move |s| {
            let names: Vec<String> = s.rotations.iter().filter_map(|r| r.name.clone()).collect();
            (Just(Document { schedules: vec![s], ..Default::default() }), strategies::override_for(z, names))
        })),
        offset in -24i64..48,
    ) {
        doc.schedules[0].overrides.push(ov);
        let mut bare = doc.clone();
        bare.schedules[0].overrides = Vec::<Override>::new();
        let (a, b) = (compile(&doc)?, compile(&bare)?);
        let from = anchor(&doc) + Duration::hours(offset);
        for r in a.schedule("s").unwrap().rotation_names() {
            let x: Vec<_> = a.schedule("s").unwrap().handoffs(r, from).unwrap().take(20).collect();
            let y: Vec<_> = b.schedule("s").unwrap().handoffs(r, from).unwrap().take(20).collect();
            prop_assert_eq!(x, y);
        }
        // Outside every override window, the final schedule is the same.
        let tz = parse_zone(doc.schedules[0].timezone.as_deref().unwrap()).unwrap();
        let mut windows: Vec<(DateTime<Utc>, DateTime<Utc>)> = doc.schedules[0]
            .overrides
            .iter()
            .map(|o| (parse_instant(&o.start_date, tz, Edge::Start).unwrap(), parse_instant(&o.end_date, tz, Edge::End).unwrap()))
            .collect();
        windows.sort();
        let (from, to) = (from - Duration::hours(48), from + Duration::hours(48));
        let (sa, sb) = (segments(&a, from, to), segments(&b, from, to));
        let mut cursor = from;
        for (s, e) in windows.into_iter().chain([(to, to)]) {
            if s > cursor && cursor < to {
                let end = s.min(to);
                prop_assert_eq!(clip(&sa, cursor, end), clip(&sb, cursor, end), "between {} and {}", cursor, end);
            }
            cursor = cursor.max(e);
        }
    }

    /// An escalation timeline is sorted by instant; no `if-not-acked` notification is sent while
    /// an acknowledgement is in force; nothing pages after the close; and the same inputs give the
    /// same timeline (the seed of `random` picks included).
    #[test]
    fn escalation_timelines_obey_acks_and_closes(s in escalation_scenario(), seed in any::<u64>()) {
        let c = compile(&s.doc)?;
        let (tl, events) = escalate(&c, &s, seed)?;
        if let Err(why) = strategies::check_escalation_laws(&tl) {
            return Err(TestCaseError::fail(format!("{why}\nevents: {events:?}\n{}", json(&s.doc))));
        }
        let target = Target::Escalation(ESCALATION.into());
        let again = c.escalate(&s.alert, &target, s.created_at, &events, &EscalateOptions { seed }).unwrap();
        prop_assert_eq!(&tl, &again);
        let recompiled = compile(&s.doc)?;
        let third = recompiled.escalate(&s.alert, &target, s.created_at, &events, &EscalateOptions { seed }).unwrap();
        prop_assert_eq!(&tl, &third);
    }

    /// Notifications only go to users the policy can reach: its user recipients, the schedule's
    /// participants, the team's members, and their forwarding targets.
    #[test]
    fn escalations_notify_only_reachable_users(s in escalation_scenario()) {
        let c = compile(&s.doc)?;
        let (tl, _) = escalate(&c, &s, 0)?;
        let reach = reachable(&s.doc);
        for n in &tl.notifications {
            prop_assert!(reach.contains(&n.user), "{} is not reachable ({:?}): {:?}\n{}", n.user, reach, n, json(&s.doc));
        }
    }
}
