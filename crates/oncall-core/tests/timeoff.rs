//! Time off and holiday calendars (docs/rules.md, "Time off and holidays"): the `skip`, `cover`
//! and `mask` policies against an independent simulation of the written rule, the fairness law
//! of `skip`, rotation and user holidays, provenance in answers, and errors with their paths.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{config, t};
use oncall_core::{Config, Expand, Limits};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(n) }
}

/// A generated case: a rotation of distinct users with time off.
#[derive(Debug, Clone)]
struct Case {
    zone: &'static str,
    kind: &'static str,
    length: i64,
    /// Participants, by user number (distinct).
    order: Vec<usize>,
    /// Per user (one more than `order`: a newcomer roster changes may add): away intervals as
    /// (start hours after the anchor, duration hours).
    away: Vec<Vec<(i64, i64)>>,
    /// Roster changes: (effective, hours after the anchor; rollout; the new order by user
    /// number, distinct).
    changes: Vec<(i64, &'static str, Vec<usize>)>,
}

const ANCHOR: &str = "2026-03-05T09:00";
const SHIFTS: usize = 48;

fn case() -> impl Strategy<Value = Case> {
    let grid = prop_oneof![
        (Just("UTC"), Just("daily"), 1i64..3),
        (Just("Europe/Berlin"), Just("daily"), 1i64..3),
        (Just("America/New_York"), Just("daily"), 1i64..2),
        (Just("UTC"), Just("hourly"), 6i64..13),
    ];
    (grid, 2usize..6).prop_flat_map(|((zone, kind, length), n)| {
        let span = SHIFTS as i64 * length * if kind == "daily" { 24 } else { 1 };
        (
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            proptest::collection::vec(proptest::collection::vec((0..span, 1i64..80), 0..4), n + 1),
        )
            .prop_map(move |(order, away)| Case { zone, kind, length, order, away, changes: Vec::new() })
    })
}

/// A case whose rotation also has zero to two roster changes (any rollout; new orders drawn from
/// the participants and the newcomer; no `length`, so hand-offs stay on the first grid).
fn case_with_changes() -> impl Strategy<Value = Case> {
    case().prop_flat_map(|c| {
        let n = c.order.len();
        let span = SHIFTS as i64 * c.length * if c.kind == "daily" { 24 } else { 1 };
        let order = Just((0..=n).collect::<Vec<usize>>())
            .prop_shuffle()
            .prop_flat_map(move |all| (1..=n + 1).prop_map(move |m| all[..m].to_vec()));
        let rollout = prop::sample::select(vec!["immediate", "after-current-shift", "after-full-rotation"]);
        let change = (1..span / 2, rollout, order);
        (Just(c), proptest::collection::vec(change, 0..=2)).prop_map(move |(mut c, mut changes)| {
            changes.sort_by_key(|x| x.0);
            // Spread out: the second a half span after the first.
            if changes.len() == 2 {
                changes[1].0 += span / 2;
            }
            c.changes = changes;
            c
        })
    })
}

impl Case {
    fn json(&self, policy: &str) -> String {
        let users: Vec<String> = self
            .away
            .iter()
            .enumerate()
            .map(|(u, list)| {
                let offs: Vec<String> = list
                    .iter()
                    .map(|&(s, d)| {
                        format!(
                            r#"{{"startDate": "{}", "endDate": "{}", "reason": "r{u}"}}"#,
                            fmt(self.anchor() + Duration::hours(s)),
                            fmt(self.anchor() + Duration::hours(s + d))
                        )
                    })
                    .collect();
                format!(r#"{{"username": "u{u}", "timeOff": [{}]}}"#, offs.join(","))
            })
            .collect();
        let names = |order: &[usize]| order.iter().map(|u| format!("\"u{u}\"")).collect::<Vec<_>>().join(",");
        let changes: Vec<String> = self
            .changes
            .iter()
            .map(|(h, rollout, order)| {
                let at = oncall_core::time::parse_instant(ANCHOR, chrono_tz::UTC, oncall_core::time::Edge::Start)
                    .unwrap()
                    + Duration::hours(*h);
                let local = at.naive_utc().format("%Y-%m-%dT%H:%M");
                format!(r#"{{"effective": "{local}", "rollout": "{rollout}", "participants": [{}]}}"#, names(order))
            })
            .collect();
        format!(
            r#"{{"users": [{}], "schedules": [{{"name": "s", "timezone": "{}", "rotations": [{{"name": "r", "type": "{}",
              "length": {}, "startDate": "{ANCHOR}", "participants": [{}], "timeOffPolicy": "{policy}", "changes": [{}]}}]}}]}}"#,
            users.join(","),
            self.zone,
            self.kind,
            self.length,
            names(&self.order),
            changes.join(",")
        )
    }

    /// The document, or None when its roster changes are refused (a switch past the previous
    /// one's, which the rules forbid); any other problem fails the test.
    fn compile(&self, policy: &str) -> Result<Option<Config>, TestCaseError> {
        match Config::from_json(&self.json(policy)) {
            Ok(c) => Ok(Some(c)),
            Err(e) if e.problems().iter().all(|p| p.path.contains(".changes[")) => Ok(None),
            Err(e) => Err(TestCaseError::fail(format!("{e}"))),
        }
    }

    /// The list of version `v` (0: the rotation as written).
    fn list(&self, v: usize) -> &[usize] {
        if v == 0 { &self.order } else { &self.changes[v - 1].2 }
    }

    fn anchor(&self) -> DateTime<Utc> {
        oncall_core::time::parse_instant(
            ANCHOR,
            oncall_core::time::parse_zone(self.zone).unwrap(),
            oncall_core::time::Edge::Start,
        )
        .unwrap()
    }

    /// Whether user `u` is away at some instant of `[s, e)`.
    fn absent(&self, u: usize, s: DateTime<Utc>, e: DateTime<Utc>) -> bool {
        self.away[u].iter().any(|&(a, d)| {
            let (a, b) = (self.anchor() + Duration::hours(a), self.anchor() + Duration::hours(a + d));
            a < e && s < b
        })
    }
}

/// A shift: start, end, who has it (a username, or nobody).
type Shift = (DateTime<Utc>, DateTime<Utc>, Option<String>);

/// A shift with its roster version and its nominal end (where its own version's grid ends it,
/// whatever a later version does: the first hand-off of the plain grid after its start).
#[derive(Debug, Clone)]
struct Turn {
    shift: Shift,
    version: usize,
    nominal_end: DateTime<Utc>,
    /// Whether its version's switch cut the previous shift short (the first turn of a version).
    cut: bool,
}

/// The turns of rotation `r` of `c` (with changes), from who-is-on-call and hand-offs;
/// `plain` is the same rotation without changes and time off (the one grid).
fn turns(c: &Config, plain: &Config, anchor: DateTime<Utc>) -> Result<Vec<Turn>, TestCaseError> {
    let got = shifts(c, anchor)?;
    let grid: Vec<DateTime<Utc>> = plain
        .schedule("s")
        .unwrap()
        .handoffs("r", anchor - Duration::seconds(1))
        .unwrap()
        .take(3 * SHIFTS)
        .map(|h| h.at)
        .collect();
    let hs: Vec<_> =
        c.schedule("s").unwrap().handoffs("r", anchor - Duration::seconds(1)).unwrap().take(SHIFTS).collect();
    Ok(got
        .into_iter()
        .zip(hs)
        .map(|(shift, h)| {
            let nominal_end = grid.iter().copied().find(|&g| g > shift.0).unwrap_or(shift.1);
            let version = h.change.map_or(0, |c| c + 1);
            Turn { cut: !grid.contains(&shift.0), shift, version, nominal_end }
        })
        .collect())
}

fn fmt(t: DateTime<Utc>) -> String {
    oncall_core::time::format_instant(t)
}

/// The shifts `[start, end)` of rotation `r` and who has each, by hand-offs, and who is on call
/// in the middle of each by who-is-on-call (the two must agree).
fn shifts(c: &Config, anchor: DateTime<Utc>) -> Result<Vec<Shift>, TestCaseError> {
    let s = c.schedule("s").unwrap();
    let hs: Vec<_> = s.handoffs("r", anchor - Duration::seconds(1)).unwrap().take(SHIFTS + 1).collect();
    let mut out = Vec::new();
    for w in hs.windows(2) {
        let owner = (w[0].participant.kind == oncall_core::output::Kind::User).then(|| w[0].participant.name.clone());
        let mid = w[0].at + (w[1].at - w[0].at) / 2;
        let who = s.on_call(mid).unwrap().flat().on_call_recipients;
        prop_assert_eq!(who, owner.clone().into_iter().collect::<Vec<_>>(), "who-is-on-call at {}", fmt(mid));
        out.push((w[0].at, w[1].at, owner));
    }
    Ok(out)
}

/// The documented rules, simulated shift by shift: `(owner position, offers before the shift)`.
fn simulate(case: &Case, shifts: &[Shift], policy: &str) -> Vec<(Option<usize>, usize)> {
    let n = case.order.len();
    let mut pointer = 0usize;
    let mut out = Vec::new();
    for (k, &(s, e, _)) in shifts.iter().enumerate() {
        let base = if policy == "skip" { pointer % n } else { k % n };
        let free = |j: usize| !case.absent(case.order[(base + j) % n], s, e);
        let before = pointer;
        let owner = match policy {
            "mask" => free(0).then_some(base),
            _ => (0..n).find(|&j| free(j)).map(|j| (base + j) % n),
        };
        let passed = owner.map_or(1, |o| (o + n - base) % n + 1);
        pointer += passed;
        out.push((owner, before));
    }
    out
}

/// The written rules across roster versions (distinct participants), turn by turn: `(owner,
/// offers before the turn within its version)`. Each version's pointer starts at the version's
/// first turn, which goes where the roster rule sends it from *P*, the participant the previous
/// version's last turn went to (under `skip`, where the pointer stopped; else by the grid).
fn simulate_versions(case: &Case, turns: &[Turn], policy: &str) -> Vec<(Option<usize>, usize)> {
    let mut out = Vec::new();
    let (mut first, mut pointer, mut j) = (0usize, 0usize, 0usize);
    let mut last_pos = 0usize;
    for (i, t) in turns.iter().enumerate() {
        let list = case.list(t.version);
        if i > 0 && t.version != turns[i - 1].version {
            let old = case.list(turns[i - 1].version);
            let p = old[last_pos];
            first = match list.iter().position(|&u| u == p) {
                Some(x) if t.cut => x,
                _ => (0..old.len())
                    .find_map(|b| list.iter().position(|&u| u == old[(last_pos + old.len() - b) % old.len()]))
                    .map_or(0, |x| (x + 1) % list.len()),
            };
            pointer = 0;
            j = 0;
        }
        let n = list.len();
        let (s, e) = (t.shift.0, t.nominal_end);
        let base = if policy == "skip" { (first + pointer) % n } else { (first + j) % n };
        let free = |d: usize| !case.absent(list[(base + d) % n], s, e);
        let before = pointer;
        let owner = match policy {
            "mask" => free(0).then_some(base),
            _ => (0..n).find(|&d| free(d)).map(|d| (base + d) % n),
        };
        let passed = owner.map_or(1, |o| (o + n - base) % n + 1);
        last_pos = if policy == "skip" { (base + passed - 1) % n } else { base };
        pointer += passed;
        j += 1;
        out.push((owner.map(|o| list[o]), before));
    }
    out
}

proptest! {
    #![proptest_config(cases())]

    /// With roster changes, `skip`, `cover` and `mask` follow the written rule version by
    /// version (docs/rules.md: time off across roster versions), nobody has a shift inside
    /// their time off, and over whole rounds of one version's pointer every participant of
    /// that version who was never absent has one turn per round and nobody has more.
    #[test]
    fn time_off_across_roster_versions_follows_the_written_rule(
        case in case_with_changes(),
        policy in prop_oneof![Just("skip"), Just("cover"), Just("mask")],
    ) {
        let Some(c) = case.compile(policy)? else { return Ok(()) };
        let plain = config(&Case { away: vec![Vec::new(); case.away.len()], changes: Vec::new(), ..case.clone() }.json(policy));
        let got = turns(&c, &plain, case.anchor())?;
        let want = simulate_versions(&case, &got, policy);
        for (t, (owner, _)) in got.iter().zip(&want) {
            let (s, e, who) = &t.shift;
            prop_assert_eq!(who, &owner.map(|o| format!("u{o}")), "shift {} – {} (version {}) under {}", fmt(*s), fmt(*e), t.version, policy);
            if let Some(o) = who {
                let u: usize = o[1..].parse().unwrap();
                prop_assert!(!case.absent(u, *s, *e), "{} has a shift inside their time off", o);
            }
        }
        if policy != "skip" {
            return Ok(());
        }
        for v in 0..=case.changes.len() {
            let idx: Vec<usize> = (0..got.len()).filter(|&i| got[i].version == v).collect();
            let n = case.list(v).len();
            let bounds: Vec<usize> = idx.iter().copied().filter(|&i| want[i].1.is_multiple_of(n)).collect();
            for (a, &i) in bounds.iter().enumerate() {
                for &j in &bounds[a + 1..] {
                    let rounds = (want[j].1 - want[i].1) / n;
                    for &u in case.list(v) {
                        let name = format!("u{u}");
                        let turns = got[i..j].iter().filter(|t| t.shift.2.as_deref() == Some(&name)).count();
                        prop_assert!(turns <= rounds, "{} has {} turns in {} rounds of version {}", name, turns, rounds, v);
                        if !got[i..j].iter().any(|t| case.absent(u, t.shift.0, t.nominal_end)) {
                            prop_assert_eq!(turns, rounds, "{} (never away) over turns {}..{} of version {}", name, i, j, v);
                        }
                    }
                }
            }
        }
    }

    /// `skip`, `cover` and `mask` give each shift to the participant the written rule names;
    /// hand-offs and who-is-on-call agree; nobody ever has a shift inside their time off.
    #[test]
    fn policies_follow_the_written_rule(case in case(), policy in prop_oneof![Just("skip"), Just("cover"), Just("mask")]) {
        let c = config(&case.json(policy));
        let got = shifts(&c, case.anchor())?;
        let want = simulate(&case, &got, policy);
        for ((s, e, owner), (pos, _)) in got.iter().zip(&want) {
            let want_name = pos.map(|p| format!("u{}", case.order[p]));
            prop_assert_eq!(owner, &want_name, "shift {} – {} under {}", fmt(*s), fmt(*e), policy);
            if let Some(o) = owner {
                let u: usize = o[1..].parse().unwrap();
                prop_assert!(!case.absent(u, *s, *e), "{} has a shift inside their time off", o);
            }
        }
    }

    /// `skip` is fair: over any whole number of rounds of the pointer (n offers each), every
    /// participant who was not away during those rounds has exactly one turn per round, and no
    /// participant ever has more.
    #[test]
    fn skip_gives_equal_turns_over_whole_rounds(case in case()) {
        let c = config(&case.json("skip"));
        let got = shifts(&c, case.anchor())?;
        let sim = simulate(&case, &got, "skip");
        let n = case.order.len();
        let bounds: Vec<usize> = (0..sim.len()).filter(|&i| sim[i].1.is_multiple_of(n)).collect();
        for (a, &i) in bounds.iter().enumerate() {
            for &j in &bounds[a + 1..] {
                let rounds = (sim[j].1 - sim[i].1) / n;
                for p in 0..n {
                    let u = case.order[p];
                    let turns = got[i..j].iter().filter(|x| x.2.as_deref() == Some(&format!("u{u}"))).count();
                    prop_assert!(turns <= rounds, "u{} has {} turns in {} rounds", u, turns, rounds);
                    let away = got[i..j].iter().any(|&(s, e, _)| case.absent(u, s, e));
                    if !away {
                        prop_assert_eq!(turns, rounds, "u{} (never away) over shifts {}..{}", u, i, j);
                    }
                }
            }
        }
    }
}

const THREE: &str = r#""users": [{"username": "ann"}, {"username": "bob", "timeOff": [{"startDate": "2026-11-03", "endDate": "2026-11-04", "reason": "vacation"}]}, {"username": "cid"}]"#;

fn three(policy: &str) -> Config {
    config(&format!(
        r#"{{{THREE}, "schedules": [{{"name": "s", "rotations": [{{"name": "daily", "type": "daily", "startDate": "2026-11-02",
           "participants": ["ann", "bob", "cid"], "timeOffPolicy": "{policy}"}}]}}]}}"#
    ))
}

fn week(c: &Config) -> Vec<Vec<String>> {
    let s = c.schedule("s").unwrap();
    (2..8).map(|d| s.on_call(t(&format!("2026-11-0{d}T12:00:00Z"))).unwrap().flat().on_call_recipients).collect()
}

#[test]
fn the_three_policies_on_one_absence() {
    // ann 2nd, bob 3rd (away), cid 4th, then ann, bob, cid again.
    assert_eq!(week(&three("skip")), [["ann"], ["cid"], ["ann"], ["bob"], ["cid"], ["ann"]]);
    assert_eq!(week(&three("cover")), [["ann"], ["cid"], ["cid"], ["ann"], ["bob"], ["cid"]]);
    let mask: Vec<Vec<String>> = week(&three("mask"));
    assert_eq!(mask, [vec!["ann"], vec![], vec!["cid"], vec!["ann"], vec!["bob"], vec!["cid"]]);
}

#[test]
fn answers_say_which_policy_changed_a_shift() {
    let c = three("skip");
    let s = c.schedule("s").unwrap();
    let sources = s.on_call_sources(t("2026-11-03T12:00:00Z")).unwrap();
    assert_eq!(
        serde_json::to_value(&sources[0].reassigned).unwrap(),
        serde_json::json!({"policy": "skip", "absent": ["bob"], "reason": "vacation", "timeOff": 0})
    );
    // The shifts after it moved up, but no absent participant was passed over for them.
    assert!(s.on_call_sources(t("2026-11-04T12:00:00Z")).unwrap()[0].reassigned.is_none());
    let tl = s.timeline(t("2026-11-02T00:00:00Z"), t("2026-11-09T00:00:00Z"), Expand::default()).unwrap();
    let json = serde_json::to_value(&tl).unwrap();
    assert_eq!(
        json["timeOff"],
        serde_json::json!([{"rotation": "daily", "startDate": "2026-11-03T00:00:00Z", "endDate": "2026-11-04T00:00:00Z",
            "participant": "cid", "policy": "skip", "absent": ["bob"], "reason": "vacation", "timeOff": 0}])
    );
    assert_eq!(
        json["away"],
        serde_json::json!([{"user": "bob", "startDate": "2026-11-03T00:00:00Z", "endDate": "2026-11-04T00:00:00Z", "reason": "vacation"}])
    );
    // Without time off the answers carry neither key.
    let plain = config(
        r#"{"schedules": [{"name": "s", "rotations": [{"type": "daily", "startDate": "2026-11-02", "participants": ["a", "b"]}]}]}"#,
    );
    let tl =
        plain.schedule("s").unwrap().timeline(t("2026-11-02T00:00:00Z"), t("2026-11-09T00:00:00Z"), Expand::default());
    let json = serde_json::to_value(tl.unwrap()).unwrap();
    assert!(json.get("timeOff").is_none() && json.get("away").is_none(), "{json}");
}

#[test]
fn a_rotation_holiday_closes_the_local_day_and_a_lower_layer_shows_through() {
    // Berlin is UTC+1 in December: the 25th runs from 2026-12-24T23:00Z to 2026-12-25T23:00Z.
    let c = config(
        r#"{"holidayCalendars": [{"name": "de", "dates": ["2026-12-25"]}],
            "schedules": [{"name": "s", "timezone": "Europe/Berlin", "rotations": [
              {"name": "fallback", "type": "weekly", "startDate": "2026-12-21T09:00", "participants": ["zed"]},
              {"name": "office", "type": "weekly", "startDate": "2026-12-21T09:00", "participants": ["ann", "bob"],
               "priority": 1, "holidays": ["de"]}]}]}"#,
    );
    let s = c.schedule("s").unwrap();
    let who = |at: &str| s.on_call(t(at)).unwrap().flat().on_call_recipients;
    assert_eq!(who("2026-12-24T22:59:59Z"), ["ann"]);
    assert_eq!(who("2026-12-24T23:00:00Z"), ["zed"]);
    assert_eq!(who("2026-12-25T22:59:59Z"), ["zed"]);
    assert_eq!(who("2026-12-25T23:00:00Z"), ["ann"]);
    // Turns are unchanged: bob has the next week.
    assert_eq!(who("2026-12-28T09:00:00Z"), ["bob"]);
    let segments: Vec<_> = s
        .segments(t("2026-12-24T00:00:00Z"), t("2026-12-27T00:00:00Z"))
        .unwrap()
        .map(|g| (common::f(g.start_date), g.recipients))
        .collect();
    assert_eq!(
        segments,
        [
            ("2026-12-24T00:00:00Z".to_string(), vec!["ann".to_string()]),
            ("2026-12-24T23:00:00Z".to_string(), vec!["zed".to_string()]),
            ("2026-12-25T23:00:00Z".to_string(), vec!["ann".to_string()]),
        ]
    );
    // A hand-off on a holiday is marked like one in excluded hours: a daily office rotation
    // handing off at 00:00 Berlin on the 25th comes on call at the end of the holiday.
    let daily = config(
        r#"{"holidayCalendars": [{"name": "de", "dates": ["2026-12-25"]}],
            "schedules": [{"name": "s", "timezone": "Europe/Berlin", "rotations": [
              {"name": "office", "type": "daily", "startDate": "2026-12-21T00:00", "participants": ["ann", "bob"], "holidays": ["de"]}]}]}"#,
    );
    let hs: Vec<_> =
        daily.schedule("s").unwrap().handoffs("office", t("2026-12-24T12:00:00Z")).unwrap().take(2).collect();
    assert_eq!((common::f(hs[0].at), hs[0].in_excluded_hours), ("2026-12-24T23:00:00Z".to_string(), true));
    assert_eq!(hs[0].on_call_from, None, "the whole shift is the holiday");
    assert!(!hs[1].in_excluded_hours);
    // A two-day shift from the holiday on opens when the holiday ends.
    let two = config(
        r#"{"holidayCalendars": [{"name": "de", "dates": ["2026-12-25"]}],
            "schedules": [{"name": "s", "timezone": "Europe/Berlin", "rotations": [
              {"name": "office", "type": "daily", "length": 2, "startDate": "2026-12-23T00:00", "participants": ["ann", "bob"], "holidays": ["de"]}]}]}"#,
    );
    let h = two.schedule("s").unwrap().handoffs("office", t("2026-12-24T12:00:00Z")).unwrap().next().unwrap();
    assert_eq!(common::f(h.at), "2026-12-24T23:00:00Z");
    assert!(h.in_excluded_hours);
    assert_eq!(h.on_call_from.map(common::f).as_deref(), Some("2026-12-25T23:00:00Z"));
    let next = s.next_on_call(t("2026-12-24T12:00:00Z")).unwrap();
    assert_eq!(next.exact_next_on_call_at.map(common::f).as_deref(), Some("2026-12-24T23:00:00Z"));
}

#[test]
fn a_user_holiday_in_the_users_zone_from_an_ics_calendar() {
    // Tokyo is UTC+9: ann's New Year's Day runs from 2026-12-31T15:00Z to 2027-01-01T15:00Z,
    // and overlaps the UTC-midnight shifts of Dec 31 and Jan 1.
    let ics = "BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nDTSTART;VALUE=DATE:20270101\\r\\nSUMMARY:New Year\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n";
    let c = config(&format!(
        r#"{{"holidayCalendars": [{{"name": "jp", "ics": "{ics}"}}],
            "users": [{{"username": "ann", "timezone": "Asia/Tokyo", "holidays": ["jp"]}}, {{"username": "bob"}}],
            "schedules": [{{"name": "s", "rotations": [{{"type": "daily", "startDate": "2026-12-30", "participants": ["ann", "bob"],
              "timeOffPolicy": "cover"}}]}}]}}"#
    ));
    let s = c.schedule("s").unwrap();
    let who = |at: &str| s.on_call(t(at)).unwrap().flat().on_call_recipients;
    assert_eq!(who("2026-12-30T12:00:00Z"), ["ann"]);
    assert_eq!(who("2026-12-31T12:00:00Z"), ["bob"]);
    assert_eq!(who("2027-01-01T12:00:00Z"), ["bob"]);
    // Turns are unchanged: the 2nd is bob's own turn, the 3rd ann's.
    assert_eq!(who("2027-01-02T12:00:00Z"), ["bob"]);
    assert_eq!(who("2027-01-03T12:00:00Z"), ["ann"]);
    let sources = s.on_call_sources(t("2027-01-01T12:00:00Z")).unwrap();
    assert_eq!(
        serde_json::to_value(&sources[0].reassigned).unwrap(),
        serde_json::json!({"policy": "cover", "absent": ["ann"], "reason": "holiday (calendar jp)", "holiday": "jp"})
    );
    assert!(c.holiday_calendar("jp").unwrap().contains("2027-01-01".parse().unwrap()));
}

#[test]
fn time_off_outside_the_restriction_changes_nothing() {
    // Business hours 09:00-17:00; bob is away on the evening of his day only.
    let c = config(
        r#"{"users": [{"username": "ann"}, {"username": "bob", "timeOff": [{"startDate": "2026-11-03T18:00Z", "endDate": "2026-11-03T23:00Z"}]}],
            "schedules": [{"name": "s", "rotations": [{"type": "daily", "startDate": "2026-11-02T00:00Z", "participants": ["ann", "bob"],
              "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "startMin": 0, "endHour": 17, "endMin": 0}}}]}]}"#,
    );
    let who = c.schedule("s").unwrap().on_call(t("2026-11-03T12:00:00Z")).unwrap().flat().on_call_recipients;
    assert_eq!(who, ["bob"]);
}

#[test]
fn everyone_away_is_a_gap_and_the_order_goes_on() {
    let c = config(
        r#"{"users": [{"username": "ann", "timeOff": [{"startDate": "2026-11-03", "endDate": "2026-11-04"}]},
                      {"username": "bob", "timeOff": [{"startDate": "2026-11-03", "endDate": "2026-11-04"}]}],
            "schedules": [{"name": "s", "rotations": [{"type": "daily", "startDate": "2026-11-02", "participants": ["ann", "bob"]}]}]}"#,
    );
    let s = c.schedule("s").unwrap();
    let who = |at: &str| s.on_call(t(at)).unwrap().flat().on_call_recipients;
    assert!(who("2026-11-03T12:00:00Z").is_empty());
    assert_eq!(who("2026-11-04T12:00:00Z"), ["ann"]);
    let sources = s.on_call_sources(t("2026-11-03T12:00:00Z")).unwrap();
    assert!(sources.is_empty());
    let changed = s.time_off(t("2026-11-01T00:00:00Z"), t("2026-11-10T00:00:00Z")).unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].participant, None);
    assert_eq!(changed[0].reassigned.absent, ["bob", "ann"]);
}

#[test]
fn a_single_participant_rotation_hands_off_around_time_off() {
    // Every participant the same: without time off there are no hand-offs to walk; with it
    // the shift with nobody must still show.
    let c = config(
        r#"{"users": [{"username": "ann", "timeOff": [{"startDate": "2026-11-03", "endDate": "2026-11-04"}]}],
            "schedules": [{"name": "s", "rotations": [{"type": "daily", "startDate": "2026-11-02", "participants": ["ann"]}]}]}"#,
    );
    let segs: Vec<_> = c
        .schedule("s")
        .unwrap()
        .segments(t("2026-11-02T00:00:00Z"), t("2026-11-06T00:00:00Z"))
        .unwrap()
        .map(|g| (common::f(g.start_date), g.recipients.len()))
        .collect();
    assert_eq!(
        segs,
        [("2026-11-02T00:00:00Z".into(), 1), ("2026-11-03T00:00:00Z".into(), 0), ("2026-11-04T00:00:00Z".into(), 1)]
    );
}

#[test]
fn bad_time_off_and_calendars_are_errors_with_paths() {
    let err = Config::from_json(
        r#"{"holidayCalendars": [{"name": "de", "dates": ["2026-13-01", "x"], "ics": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224T090000\nEND:VEVENT\n"},
                                 {"name": "de"}],
            "users": [{"username": "ann", "timeOff": [{"startDate": "2026-11-04", "endDate": "2026-11-03"}], "holidays": ["dee"]}],
            "schedules": [{"name": "s", "rotations": [{"type": "daily", "startDate": "2026-11-02", "participants": ["ann"],
              "timeOffPolicy": "swap", "holidays": ["nope", "de", "de"]}]}]}"#,
    )
    .unwrap_err()
    .to_string();
    for want in [
        "holidayCalendars[0].dates[0]: expected a date such as \"2026-12-25\", found \"2026-13-01\"",
        "holidayCalendars[0].dates[1]:",
        "holidayCalendars[0].ics: event 1 (line 2) is not an all-day event (DTSTART has a time)",
        "holidayCalendars[1].name: duplicate holiday calendar name \"de\" (also holidayCalendars[0])",
        "users[0].timeOff[0].endDate: must be after startDate",
        "users[0].holidays[0]: unknown holiday calendar \"dee\"; did you mean \"de\"?",
        "schedules[0].rotations[0].timeOffPolicy: expected skip, cover or mask, found \"swap\"",
        "schedules[0].rotations[0].holidays[0]: unknown holiday calendar \"nope\"",
        "schedules[0].rotations[0].holidays[2]: holiday calendar \"de\" is bound twice",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    let err =
        Config::from_json(r#"{"users": [{"username": "a", "timeOff": [{"startDate": "2026-01-01"}]}]}"#).unwrap_err();
    assert!(err.to_string().contains("users[0].timeOff[0]"), "{err}");
}

#[test]
fn time_off_over_too_many_shifts_is_refused_by_its_limit() {
    let text = r#"{"users": [{"username": "a", "timeOff": [{"startDate": "2026-01-01", "endDate": "2027-01-01"}]}, {"username": "b"}],
        "schedules": [{"name": "s", "rotations": [{"type": "hourly", "startDate": "2026-01-01", "participants": ["a", "b"]}]}]}"#;
    let limits = Limits { max_time_off_shifts: 1000, ..Limits::default() };
    let err = Config::from_json_with_limits(text, limits).unwrap_err().to_string();
    assert_eq!(
        err,
        "schedules[0].rotations[0]: time off overlaps more than 1000 shifts of the document's rotations, counted up to this one (limit maxTimeOffShifts)"
    );
    // The count is over the whole document: two rotations of 600 shifts each pass 1000 at the second.
    let two = r#"{"users": [{"username": "a", "timeOff": [{"startDate": "2026-01-01T00:00Z", "endDate": "2026-01-26T00:00Z"}]}, {"username": "b"}],
        "schedules": [{"name": "s", "rotations": [{"type": "hourly", "startDate": "2026-01-01", "participants": ["a", "b"]},
                                                  {"type": "hourly", "startDate": "2026-01-01", "participants": ["b", "a"]}]}]}"#;
    let err = Config::from_json_with_limits(two, limits).unwrap_err().to_string();
    assert!(err.starts_with("schedules[0].rotations[1]: time off overlaps more than 1000 shifts"), "{err}");
    assert!(Config::from_json_with_limits(two, Limits { max_time_off_shifts: 1200, ..Limits::default() }).is_ok());
    // A year of hourly shifts is within the default.
    let c = Config::from_json(text).unwrap();
    let who = c.schedule("s").unwrap().on_call(t("2026-06-01T10:30:00Z")).unwrap().flat().on_call_recipients;
    assert_eq!(who, ["b"]);
}

#[test]
fn a_configuration_with_time_off_is_still_send_and_sync() {
    fn shared<T: Send + Sync>(_: &T) {}
    shared(&three("skip"));
}

#[test]
fn a_timeline_with_time_off_keeps_max_output_bytes() {
    // Evenings off, outside the 09:00-10:00 window: no shift changes, but a long `away` list.
    let doc = |offs: &str| {
        format!(
            r#"{{"users": [{{"username": "ann", "timeOff": [{offs}]}}, {{"username": "bob"}}],
                "schedules": [{{"name": "s", "rotations": [{{"type": "daily", "startDate": "2026-11-02", "participants": ["ann", "bob"],
                  "timeRestriction": {{"type": "time-of-day", "restriction": {{"startHour": 9, "startMin": 0, "endHour": 10, "endMin": 0}}}}}}]}}]}}"#
        )
    };
    let reason = "r".repeat(1000);
    let offs: Vec<String> = (2..9)
        .map(|d| {
            format!(r#"{{"startDate": "2026-11-0{d}T20:00Z", "endDate": "2026-11-0{d}T21:00Z", "reason": "{reason}"}}"#)
        })
        .collect();
    let limits = Limits { max_output_bytes: 4000, ..Limits::default() };
    let (from, to) = (t("2026-11-02T00:00:00Z"), t("2026-11-09T00:00:00Z"));
    let plain = Config::from_json_with_limits(&doc(""), limits).unwrap();
    assert!(plain.schedule("s").unwrap().timeline(from, to, Expand::default()).is_ok());
    let away = Config::from_json_with_limits(&doc(&offs.join(",")), limits).unwrap();
    let err = away.schedule("s").unwrap().timeline(from, to, Expand::default()).unwrap_err();
    assert!(err.to_string().contains("(limit maxOutputBytes)"), "{err}");
    let roomy = Config::from_json(&doc(&offs.join(","))).unwrap();
    assert_eq!(roomy.schedule("s").unwrap().timeline(from, to, Expand::default()).unwrap().away.len(), 7);
}

#[test]
fn skip_carries_its_pointer_across_a_roster_change() {
    // docs/rules.md's example: weekly [ann, bob, cid] from Monday 2026-11-02, bob away in his week
    // (the 9th): cid has it, ann the 16th. On Wednesday the 18th the list becomes
    // [ann, bob, cid, dee] after the current shift: ann took the last turn, so bob goes on.
    let c = config(
        r#"{"users": [{"username": "ann"}, {"username": "bob", "timeOff": [{"startDate": "2026-11-10", "endDate": "2026-11-11"}]},
                      {"username": "cid"}, {"username": "dee"}],
            "schedules": [{"name": "s", "rotations": [{"name": "r", "type": "weekly", "startDate": "2026-11-02",
              "participants": ["ann", "bob", "cid"],
              "changes": [{"effective": "2026-11-18T12:00", "rollout": "after-current-shift", "participants": ["ann", "bob", "cid", "dee"]}]}]}]}"#,
    );
    let hs: Vec<String> = c
        .schedule("s")
        .unwrap()
        .handoffs("r", t("2026-11-01T00:00:00Z"))
        .unwrap()
        .take(7)
        .map(|h| format!("{} {}", &common::f(h.at)[..10], h.participant.name))
        .collect();
    assert_eq!(
        hs,
        [
            "2026-11-02 ann",
            "2026-11-09 cid",
            "2026-11-16 ann",
            "2026-11-23 bob",
            "2026-11-30 cid",
            "2026-12-07 dee",
            "2026-12-14 ann"
        ]
    );
    // An immediate change inside ann's week keeps ann on call until the next hand-off.
    let cut = config(
        r#"{"users": [{"username": "ann"}, {"username": "bob", "timeOff": [{"startDate": "2026-11-10", "endDate": "2026-11-11"}]},
                      {"username": "cid"}],
            "schedules": [{"name": "s", "rotations": [{"name": "r", "type": "weekly", "startDate": "2026-11-02",
              "participants": ["ann", "bob", "cid"],
              "changes": [{"effective": "2026-11-18T12:00", "rollout": "immediate", "participants": ["cid", "ann"]}]}]}]}"#,
    );
    let who = |at: &str| cut.schedule("s").unwrap().on_call(t(at)).unwrap().flat().on_call_recipients;
    assert_eq!(who("2026-11-18T11:00:00Z"), ["ann"]);
    assert_eq!(who("2026-11-18T13:00:00Z"), ["ann"]);
    assert_eq!(who("2026-11-23T13:00:00Z"), ["cid"]);
}
