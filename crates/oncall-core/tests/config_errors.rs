//! docs/rules.md (errors) and docs/configuration.md: loading, validation and error paths.

mod common;

use common::*;
use oncall_core::{Config, Loaded};

fn loaded(text: &str) -> Loaded {
    Loaded::from_json(text).unwrap_or_else(|e| panic!("{e}"))
}

/// A one-schedule document (schedule zone UTC) with the given rotations and overrides.
fn doc(rotations: &[&str], overrides: &str) -> String {
    sched_json("UTC", rotations, overrides)
}

const OK_ROT: &str = r#"{"name":"ok","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}"#;

fn rot_with(field: &str) -> String {
    format!(r#"{{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"],{field}}}"#)
}

// ---------------------------------------------------------------------------------------------
// Structural errors.

#[test]
fn unknown_field_is_reported_with_its_path() {
    let json = doc(&[r#"{"name":"r","type":"daily","startdate":"2026-01-01T00:00","participants":["a"]}"#], "[]");
    let message = problem_at(&json, "schedules[0].rotations[0].startdate");
    assert!(message.contains("unknown field"), "{message}");
}

#[test]
fn unknown_top_level_field_is_reported() {
    let message = problem_at(r#"{"schedule":[]}"#, "schedule");
    assert!(message.contains("unknown field"), "{message}");
}

#[test]
fn several_structural_errors_are_all_reported_with_original_indices() {
    let json = r#"{"schedules":[
        {"name":"s","rotations":[
          {"name":"r0","type":"daily","lenght":2,"startDate":"2026-01-01T00:00:00Z","participants":["a"]},
          {"name":"r1","type":"daily","length":"two","startDate":"2026-01-01T00:00:00Z","participants":["a"]},
          {"name":"r2","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["a"]},
          {"name":"r3","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":5},
          {"name":"r4","type":"daily","participants":["a"]}]},
        {"name":"t","rotations":[
          {"name":"q0","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["a"],"bogus":true}]}]}"#;
    let got = paths(json);
    for want in [
        "schedules[0].rotations[0].lenght",
        "schedules[0].rotations[1].length",
        "schedules[0].rotations[3].participants",
        "schedules[0].rotations[4]",
        "schedules[1].rotations[0].bogus",
    ] {
        assert!(got.iter().any(|p| p == want), "missing {want:?} in {got:#?}");
    }
    assert!(!got.iter().any(|p| p.starts_with("schedules[0].rotations[2]")), "r2 is valid: {got:#?}");
    let missing = problem_at(json, "schedules[0].rotations[4]");
    assert!(missing.contains("startDate"), "{missing}");
}

#[test]
fn wrong_types_and_missing_fields_name_the_place() {
    problem_at(r#"{"schedules":{"name":"s"}}"#, "schedules");
    problem_at(r#"{"schedules":[{"rotations":[]}]}"#, "schedules[0]");
    problem_at(
        &doc(&[r#"{"name":"r","type":"daily","startDate":5,"participants":["a"]}"#], "[]"),
        "schedules[0].rotations[0].startDate",
    );
    problem_at(&doc(&[&rot_with(r#""priority":"high""#)], "[]"), "schedules[0].rotations[0].priority");
}

#[test]
fn structural_messages_use_the_documents_words() {
    let message = problem_at(&doc(&[&rot_with(r#""length":"1""#)], "[]"), "schedules[0].rotations[0].length");
    assert_eq!(message, r#"expected an integer, found the string "1""#);
    let message = problem_at(r#"{"schedules":[{"name":"s","enabled":"yes"}]}"#, "schedules[0].enabled");
    assert_eq!(message, r#"expected true or false, found the string "yes""#);
    let message = problem_at(r#"{"schedules":{"name":"s"}}"#, "schedules");
    assert_eq!(message, "expected a list, found an object");
    for problem in problems(r#"{"schedules":[{"name":5,"rotations":[{"type":1}]}],"teams":[7]}"#) {
        for rust in ["i64", "struct", "sequence", "map", "invalid type"] {
            assert!(!problem.message.contains(rust), "{problem}");
        }
    }
}

#[test]
fn unknown_fields_suggest_the_near_name() {
    let json = doc(&[r#"{"name":"r","type":"daily","startdate":"2026-01-01T00:00","participants":["a"]}"#], "[]");
    assert_eq!(
        problem_at(&json, "schedules[0].rotations[0].startdate"),
        "unknown field `startdate`; did you mean `startDate`?"
    );
    let message = problem_at(r#"{"schedulez":[]}"#, "schedulez");
    assert_eq!(message, "unknown field `schedulez`; did you mean `schedules`?");
    let message = problem_at(r#"{"whatever":[]}"#, "whatever");
    assert!(message.starts_with("unknown field `whatever`, expected one of `$schema`, `users`, "), "{message}");
}

#[test]
fn unknown_names_suggest_the_near_name() {
    let json = r#"{"users":[{"username":"alice@example.com"},{"username":"bob@example.com"}],
      "teams":[{"name":"payments","members":[{"user":{"username":"alice@example.com"}}]}],
      "schedules":[{"name":"s","timezone":"Europe/Berln","rotations":[
        {"name":"weekly","type":"daily","startDate":"2026-01-01T00:00:00Z",
         "participants":["alice@exmaple.com",{"type":"team","name":"paymnets"}]}],
       "overrides":[{"user":"bob@example.com","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z",
         "rotations":[{"name":"weekyl"}]}]}]}"#;
    let hint = |path: &str| problem_at(json, path);
    assert!(
        hint("schedules[0].timezone").ends_with(r#"did you mean "Europe/Berlin"?"#),
        "{}",
        hint("schedules[0].timezone")
    );
    let user = hint("schedules[0].rotations[0].participants[0]");
    assert!(user.ends_with(r#"did you mean "alice@example.com"?"#), "{user}");
    let team = hint("schedules[0].rotations[0].participants[1]");
    assert_eq!(team, r#"unknown team "paymnets"; did you mean "payments"?"#);
    let rotation = hint("schedules[0].overrides[0].rotations[0]");
    assert!(rotation.ends_with(r#"did you mean "weekly"?"#), "{rotation}");
    // Nothing close: no suggestion.
    let far = doc(
        &[
            r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":[{"type":"team","name":"zzz"}]}"#,
        ],
        "[]",
    );
    assert_eq!(problem_at(&far, "schedules[0].rotations[0].participants[0]"), r#"unknown team "zzz""#);
}

#[test]
fn problems_past_max_errors_are_counted() {
    let bad: Vec<String> = (0..130).map(|i| format!(r#"{{"name":"s{i}","timezone":"Nowhere/{i}"}}"#)).collect();
    let err = Config::from_json(&format!(r#"{{"schedules":[{}]}}"#, bad.join(","))).unwrap_err();
    assert_eq!((err.problems().len(), err.more_problems()), (100, 30));
    assert!(err.to_string().ends_with("\n… and 30 more errors"), "{err}");
    let limits = oncall_core::Limits { max_errors: 1000, ..oncall_core::Limits::default() };
    let err = Config::from_json_with_limits(&format!(r#"{{"schedules":[{}]}}"#, bad.join(",")), limits).unwrap_err();
    assert_eq!((err.problems().len(), err.more_problems()), (130, 0));
}

// ---------------------------------------------------------------------------------------------
// Semantic errors.

#[test]
fn semantic_errors_are_all_reported_together() {
    let json = r#"{"users":[{"username":"alice"}],
      "schedules":[{"name":"s","rotations":[
        {"name":"ok","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]},
        {"name":"zero","type":"daily","length":0,"startDate":"2026-01-01T00:00:00Z","participants":["alice"]},
        {"name":"empty","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":[]},
        {"name":"mars","type":"daily","timezone":"Mars/Olympus","startDate":"2026-01-01T00:00","participants":["alice"]},
        {"name":"typo","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["mallory"]}],
       "overrides":[
        {"user":"alice","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z","rotations":[{"name":"nope"}]},
        {"user":"alice","startDate":"2026-01-05T00:00:00Z","endDate":"2026-01-04T00:00:00Z"}]}]}"#;
    let got = paths(json);
    for want in [
        "schedules[0].rotations[1].length",
        "schedules[0].rotations[2].participants",
        "schedules[0].rotations[3].timezone",
        "schedules[0].rotations[4].participants[0]",
        "schedules[0].overrides[0].rotations[0]",
        "schedules[0].overrides[1].endDate",
    ] {
        assert!(got.iter().any(|p| p == want), "missing {want:?} in {got:#?}");
    }
    assert!(!got.iter().any(|p| p.starts_with("schedules[0].rotations[0]")), "rotation 0 is valid: {got:#?}");
    assert!(problem_at(json, "schedules[0].rotations[3].timezone").contains("Mars/Olympus"));
    assert!(problem_at(json, "schedules[0].rotations[4].participants[0]").contains("mallory"));
}

#[test]
fn length_must_be_at_least_one() {
    let json = doc(&[OK_ROT, &rot_with(r#""length":0"#)], "[]");
    assert_eq!(paths(&json), ["schedules[0].rotations[1].length"]);
    let json = doc(&[&rot_with(r#""length":-3"#)], "[]");
    assert_eq!(paths(&json), ["schedules[0].rotations[0].length"]);
}

#[test]
fn override_naming_a_missing_rotation_is_an_error_naming_it() {
    let json = doc(
        &[OK_ROT],
        r#"[{"user":"zed","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z","rotations":[{"name":"ok"},{"name":"nope"}]}]"#,
    );
    assert_eq!(paths(&json), ["schedules[0].overrides[0].rotations[1]"]);
    assert!(problem_at(&json, "schedules[0].overrides[0].rotations[1]").contains("nope"));
}

#[test]
fn override_end_not_after_start_is_an_error() {
    for end in ["2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"] {
        let json =
            doc(&[OK_ROT], &format!(r#"[{{"user":"zed","startDate":"2026-01-02T00:00:00Z","endDate":"{end}"}}]"#));
        assert_eq!(paths(&json), ["schedules[0].overrides[0].endDate"], "end {end}");
    }
}

#[test]
fn rotation_end_not_after_start_is_an_error() {
    let json = doc(&[&rot_with(r#""endDate":"2025-12-31T00:00:00Z""#)], "[]");
    assert_eq!(paths(&json), ["schedules[0].rotations[0].endDate"]);
}

#[test]
fn unknown_zones_are_errors_naming_the_zone() {
    let json = r#"{"schedules":[{"name":"s","timezone":"CEST","rotations":[]}]}"#;
    assert!(problem_at(json, "schedules[0].timezone").contains("CEST"));
}

#[test]
fn unreadable_dates_are_errors() {
    let json = doc(&[r#"{"name":"r","type":"daily","startDate":"next monday","participants":["a"]}"#], "[]");
    assert!(problem_at(&json, "schedules[0].rotations[0].startDate").contains("next monday"));
    let json = doc(&[r#"{"name":"r","type":"daily","startDate":"2026-02-30T09:00","participants":["a"]}"#], "[]");
    problem_at(&json, "schedules[0].rotations[0].startDate");
}

#[test]
fn unknown_rotation_type_and_duplicate_names() {
    let json =
        doc(&[r#"{"name":"r","type":"fortnightly","startDate":"2026-01-01T00:00:00Z","participants":["a"]}"#], "[]");
    assert!(problem_at(&json, "schedules[0].rotations[0].type").contains("fortnightly"));
    let json = doc(&[OK_ROT, OK_ROT], "[]");
    assert_eq!(paths(&json), ["schedules[0].rotations[1].name"]);
}

#[test]
fn unknown_users_are_errors_only_when_users_are_declared() {
    let body = r#""schedules":[{"name":"s","rotations":[
        {"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice",{"type":"user","username":"bob"}]}],
        "overrides":[{"user":"carol","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z"}]}],
      "forwardingRules":[{"fromUser":{"username":"alice"},"toUser":{"username":"dan"},
        "startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z"}]"#;
    let declared = format!(r#"{{"users":[{{"username":"alice"}}],{body}}}"#);
    assert_eq!(
        paths(&declared),
        ["schedules[0].rotations[0].participants[1]", "schedules[0].overrides[0].user", "forwardingRules[0].toUser"]
    );
    let undeclared = format!("{{{body}}}");
    let cfg = config(&undeclared);
    assert_eq!(who_s(&cfg, "2026-01-01T12:00:00Z"), ["alice"]);
}

#[test]
fn unknown_team_and_escalation_participants_are_errors() {
    let json = doc(
        &[r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z",
              "participants":[{"type":"team","name":"ghosts"},{"type":"escalation","name":"nowhere"},{"type":"robot"}]}"#],
        "[]",
    );
    let got = paths(&json);
    assert!(got.contains(&"schedules[0].rotations[0].participants[0]".to_string()), "{got:#?}");
    assert!(got.contains(&"schedules[0].rotations[0].participants[1]".to_string()), "{got:#?}");
    assert!(got.iter().any(|p| p.starts_with("schedules[0].rotations[0].participants[2]")), "{got:#?}");
}

#[test]
fn restriction_values_out_of_range_are_errors() {
    let tod =
        |r: &str| doc(&[&rot_with(&format!(r#""timeRestriction":{{"type":"time-of-day","restriction":{r}}}"#))], "[]");
    let base = "schedules[0].rotations[0].timeRestriction.restriction";
    problem_at(&tod(r#"{"startHour":9,"endHour":24,"endMin":30}"#), &format!("{base}.endHour"));
    problem_at(&tod(r#"{"startHour":24,"endHour":10}"#), &format!("{base}.startHour"));
    problem_at(&tod(r#"{"startHour":9,"startMin":60,"endHour":10}"#), &format!("{base}.startMin"));
    problem_at(&tod(r#"{"startHour":-1,"endHour":10}"#), &format!("{base}.startHour"));

    let span = r#"{"startDay":"Monday","startHour":9,"endDay":"friday","endHour":17}"#;
    let wk = |list: &str| {
        doc(
            &[&rot_with(&format!(r#""timeRestriction":{{"type":"weekday-and-time-of-day","restrictions":[{list}]}}"#))],
            "[]",
        )
    };
    problem_at(&wk(span), "schedules[0].rotations[0].timeRestriction.restrictions[0].startDay");
    let ok_span = r#"{"startDay":"monday","startHour":9,"endDay":"friday","endHour":17}"#;
    let sixteen = vec![ok_span; 16].join(",");
    problem_at(&wk(&sixteen), "schedules[0].rotations[0].timeRestriction.restrictions");
    problem_at(&wk(""), "schedules[0].rotations[0].timeRestriction.restrictions");
}

#[test]
fn custom_rotation_errors() {
    let custom = |rec: &str| {
        doc(
            &[&format!(
                r#"{{"name":"r","type":"custom","recurrence":"{rec}","startDate":"2026-01-01T09:00:00Z","participants":["a"]}}"#
            )],
            "[]",
        )
    };
    problem_at(&custom("FREQ=DAILY;COUNT=3"), "schedules[0].rotations[0].endDate");
    problem_at(&custom("FREQ=DAILY;UNTIL=20260110T000000Z"), "schedules[0].rotations[0].endDate");
    problem_at(&custom("DTSTART:20260101T090000Z\\nRRULE:FREQ=DAILY"), "schedules[0].rotations[0].recurrence");
    problem_at(&custom("FREQ=SOMETIMES"), "schedules[0].rotations[0].recurrence");
    problem_at(&custom(""), "schedules[0].rotations[0].recurrence");
    let missing =
        doc(&[r#"{"name":"r","type":"custom","startDate":"2026-01-01T09:00:00Z","participants":["a"]}"#], "[]");
    problem_at(&missing, "schedules[0].rotations[0].recurrence");
    let misplaced = doc(&[&rot_with(r#""recurrence":"FREQ=DAILY""#)], "[]");
    problem_at(&misplaced, "schedules[0].rotations[0].recurrence");
}

#[test]
fn error_display_lists_every_problem_with_its_path() {
    let json = doc(
        &[
            &rot_with(r#""length":0"#),
            r#"{"name":"e","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":[]}"#,
        ],
        "[]",
    );
    let err = Config::from_json(&json).unwrap_err().to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("schedules[0].rotations[0].length: "), "{err}");
    assert!(lines[1].starts_with("schedules[0].rotations[1].participants: "), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Formats and shorthands.

const JSON_DOC: &str = r#"{"users":[{"username":"alice"},{"username":"bob"}],
  "schedules":[{"name":"ops","timezone":"Europe/London","rotations":[
    {"name":"weekly","type":"weekly","length":1,"startDate":"2026-03-16T09:00",
     "participants":[{"type":"user","username":"alice"},{"type":"user","username":"bob"}],
     "timeRestriction":{"type":"time-of-day","restriction":{"startHour":9,"startMin":0,"endHour":17,"endMin":0}}}],
   "overrides":[{"alias":"cover","user":{"type":"user","username":"bob"},
     "startDate":"2026-03-17T09:00","endDate":"2026-03-18T09:00","rotations":[{"name":"weekly"}]}]}]}"#;

const YAML_DOC: &str = r#"
users:
  - username: alice
  - username: bob
schedules:
  - name: ops
    timezone: Europe/London
    rotations:
      - name: weekly
        type: weekly
        length: 1
        startDate: "2026-03-16T09:00"
        participants:
          - {type: user, username: alice}
          - {type: user, username: bob}
        timeRestriction:
          type: time-of-day
          restriction: {startHour: 9, startMin: 0, endHour: 17, endMin: 0}
    overrides:
      - alias: cover
        user: {type: user, username: bob}
        startDate: "2026-03-17T09:00"
        endDate: "2026-03-18T09:00"
        rotations:
          - name: weekly
"#;

#[test]
fn yaml_loads_the_same_as_json() {
    let from_json = Loaded::from_json(JSON_DOC).unwrap_or_else(|e| panic!("{e}"));
    let from_yaml = Loaded::from_yaml(YAML_DOC).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_json.document, from_yaml.document);
    // Both answer the same: GMT until 2026-03-29, so 09:00 local = 09:00Z.
    for at in ["2026-03-16T10:00:00Z", "2026-03-17T10:00:00Z", "2026-03-17T18:00:00Z", "2026-03-23T12:00:00Z"] {
        assert_eq!(who(&from_json, "ops", at), who(&from_yaml, "ops", at), "at {at}");
    }
    assert_eq!(who(&from_yaml, "ops", "2026-03-17T10:00:00Z"), ["bob"]);
    assert_eq!(who(&from_yaml, "ops", "2026-03-23T12:00:00Z"), ["bob"]);
}

#[test]
fn yaml_merge_keys_and_positions() {
    let yaml = "defaults: &weekly\n  type: weekly\n  startDate: '2026-03-16T09:00'\n";
    let err = Config::from_yaml(yaml).unwrap_err();
    assert_eq!(err.problems()[0].path, "defaults", "{err}");
    let yaml = "schedules:\n  - name: ops\n    rotations:\n      - &r {name: a, type: weekly, startDate: '2026-03-16T09:00', participants: [alice]}\n      - <<: *r\n        name: b\n        timezone: Europe/Lodnon\n";
    let err = Config::from_yaml(yaml).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"schedules[0].rotations[1].timezone: unknown time zone "Europe/Lodnon"; did you mean "Europe/London"? (line 7, column 9)"#
    );
    let cfg = Loaded::from_yaml(&yaml.replace("Europe/Lodnon", "Europe/London")).unwrap_or_else(|e| panic!("{e}"));
    let rotations = &cfg.document.schedules[0].rotations;
    assert_eq!((rotations[1].name.as_deref(), rotations[1].kind.as_str()), (Some("b"), "weekly"));
    assert_eq!(rotations[1].participants, rotations[0].participants);
}

#[test]
fn yaml_errors_have_paths_too() {
    let err = Config::from_yaml(
        "schedules:\n  - name: s\n    rotations:\n      - {name: r, type: daily, startdate: x, participants: [a]}\n",
    )
    .unwrap_err();
    assert!(err.problems().iter().any(|p| p.path == "schedules[0].rotations[0].startdate"), "{err}");
}

#[test]
fn a_plain_string_participant_is_a_user() {
    let short = loaded(&doc(
        &[r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"]}"#],
        "[]",
    ));
    let long = loaded(&doc(
        &[
            r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":[{"type":"user","username":"alice"}]}"#,
        ],
        "[]",
    ));
    assert_eq!(short.document, long.document);
    assert_eq!(who_s(&short, "2026-01-01T12:00:00Z"), ["alice"]);
}

#[test]
fn every_top_level_key_is_optional() {
    let cfg = config("{}");
    assert_eq!(cfg.schedule_names().count(), 0);
    let cfg = config(r#"{"schedules":[{"name":"empty"}]}"#);
    assert!(who(&cfg, "empty", "2026-01-01T00:00:00Z").is_empty());
}

// ---------------------------------------------------------------------------------------------
// Hostile input never panics.

/// Loads each input, catching panics; returns the labels that panicked and those accepted.
fn load_all(
    inputs: Vec<(&'static str, String)>,
    load: fn(&str) -> oncall_core::Result<Config>,
) -> (Vec<&'static str>, Vec<&'static str>) {
    let (mut panicked, mut accepted) = (Vec::new(), Vec::new());
    for (label, text) in inputs {
        match std::panic::catch_unwind(move || load(&text).map(|_| ())) {
            Err(_) => panicked.push(label),
            Ok(Ok(())) => accepted.push(label),
            Ok(Err(e)) => assert!(!e.to_string().is_empty(), "{label}: empty error"),
        }
    }
    (panicked, accepted)
}

fn hostile_json() -> Vec<(&'static str, String)> {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_obj = format!("{}1{}", r#"{"schedules":"#.repeat(5_000), "}".repeat(5_000));
    let huge = |field: &str| doc(&[&rot_with(field)], "[]");
    vec![
        ("empty", String::new()),
        ("whitespace", "  \n ".to_string()),
        ("null", "null".to_string()),
        ("schedules: 5", r#"{"schedules":5}"#.to_string()),
        ("truncated", r#"{"schedules":[{"name":"#.to_string()),
        ("deep arrays", deep),
        ("deep objects", deep_obj),
        ("length 1e300", huge(r#""length":1e300"#)),
        ("length beyond i64", huge(r#""length":99999999999999999999999"#)),
        ("length i64::MAX", huge(r#""length":9223372036854775807"#)),
        ("priority beyond i64", huge(r#""priority":-99999999999999999999999"#)),
        (
            "year 9999",
            doc(&[r#"{"name":"r","type":"daily","startDate":"9999-12-31T23:59:59Z","participants":["a"]}"#], "[]"),
        ),
        (
            "year -5000",
            doc(&[r#"{"name":"r","type":"daily","startDate":"-5000-01-01T00:00","participants":["a"]}"#], "[]"),
        ),
        (
            "hour 2^40",
            huge(
                r#""timeRestriction":{"type":"time-of-day","restriction":{"startHour":1099511627776,"endHour":9223372036854775807}}"#,
            ),
        ),
        ("NUL in name", "{\"schedules\":[{\"name\":\"\u{0}\",\"timezone\":\"\u{0}\"}]}".to_string()),
        (
            "non-string username",
            doc(&[r#"{"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":[7]}"#], "[]"),
        ),
    ]
}

#[test]
fn garbage_json_is_an_error_not_a_panic() {
    let (panicked, accepted) = load_all(hostile_json(), Config::from_json);
    assert!(panicked.is_empty(), "panicked on {panicked:?}");
    assert!(accepted.is_empty(), "accepted {accepted:?}");
}

#[test]
fn a_top_level_array_does_not_panic() {
    let inputs = vec![("[]", "[]".to_string()), ("positional", r#"[null, [], [{"name":"s"}]]"#.to_string())];
    let (panicked, _) = load_all(inputs, Config::from_json);
    assert!(panicked.is_empty(), "panicked on {panicked:?}");
}

#[test]
fn a_top_level_array_is_not_a_document() {
    let inputs = vec![
        ("[]", "[]".to_string()),
        ("positional", r#"[null, [], [{"name":"s"}]]"#.to_string()),
        (
            "positional rotation",
            r#"{"schedules":[{"name":"s","rotations":[[null,"r","daily",1,"2026-01-01T00:00:00Z",null,["a"]]]}]}"#
                .to_string(),
        ),
    ];
    let (_, accepted) = load_all(inputs, Config::from_json);
    assert!(accepted.is_empty(), "accepted {accepted:?}");
}

#[test]
fn garbage_yaml_is_an_error_not_a_panic() {
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    let inputs = vec![
        ("braces", "{{{".to_string()),
        ("tab soup", "\t- :\n\t:".to_string()),
        ("scalar", "42".to_string()),
        ("deep", "[".repeat(50_000)),
        ("laughs", laughs.to_string()),
        ("schedules: 5", "schedules: 5".to_string()),
    ];
    let (panicked, accepted) = load_all(inputs, Config::from_yaml);
    assert!(panicked.is_empty(), "panicked on {panicked:?}");
    assert!(accepted.is_empty(), "accepted {accepted:?}");
}

#[test]
fn extreme_but_valid_queries_do_not_panic() {
    let cfg = config(&doc(
        &[r#"{"name":"r","type":"hourly","startDate":"1900-01-01T00:00:00Z","participants":["a","b"]}"#],
        "[]",
    ));
    let s = cfg.schedule("s").unwrap();
    assert!(s.on_call(t("1800-01-01T00:00:00Z")).is_err(), "before the supported range");
    assert!(s.on_call(t("2300-01-01T00:00:00Z")).is_err(), "after the supported range");
    assert_eq!(who_s(&cfg, "2199-12-31T23:30:00Z").len(), 1);
    let _ = s.next_on_call(t("2199-12-31T23:30:00Z")).unwrap();
    assert!(s.handoffs("r", t("2199-12-31T22:30:00Z")).unwrap().count() <= 2);
    assert!(s.segments(t("2199-12-31T00:00:00Z"), t("2300-01-01T00:00:00Z")).unwrap().count() <= 24);
}

/// The round trip the `parse_json` and `parse_yaml` fuzz targets check, on their seeds and saved
/// inputs: a document read from either format reads again, unchanged, from its JSON (less
/// Opsgenie's read-and-ignored fields, which are never written back).
#[test]
fn fuzz_seeds_round_trip() {
    let root = format!("{}/../../fuzz", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in ["seeds/parse_json", "seeds/parse_yaml", "regressions/parse_json", "regressions/parse_yaml"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else { continue };
        for entry in entries.flatten().filter(|e| e.path().is_file()) {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let read = if dir.ends_with("yaml") {
                oncall_core::config::Document::from_yaml(&text)
            } else {
                oncall_core::config::Document::from_json(&text)
            };
            seen += 1;
            let Ok(doc) = read else { continue };
            let json = serde_json::to_string(&doc).expect("serializes");
            let again = oncall_core::config::Document::from_json(&json)
                .unwrap_or_else(|e| panic!("{}: {e}\n{json}", entry.path().display()));
            // Opsgenie's read-and-ignored fields are never written back (`config::Ignored`):
            // without them the round trip is exact; with them only they go.
            if oncall_core::opsgenie::ignored_fields(&doc).is_empty() {
                assert_eq!(doc, again, "{}", entry.path().display());
            } else {
                assert!(oncall_core::opsgenie::ignored_fields(&again).is_empty(), "{}", entry.path().display());
                assert_eq!(json, serde_json::to_string(&again).expect("serializes"), "{}", entry.path().display());
            }
        }
    }
    assert!(seen > 0, "no fuzz seeds found under {root}");
}

/// An empty username is absent in the shorthand (`""`) as in the object (`{"username": ""}`), so
/// both read as the same document and the JSON round trip keeps it (found by the parse_json
/// fuzz target: the shorthand read as `Some("")`, its JSON as absent).
#[test]
fn an_empty_shorthand_participant_reads_as_the_empty_object() {
    let doc = |p: &str| {
        oncall_core::config::Document::from_json(&format!(
            r#"{{"schedules":[{{"name":"s","rotations":[{{"type":"daily","startDate":"2026-01-01","participants":[{p}]}}]}}]}}"#
        ))
        .expect("reads")
    };
    let short = doc(r#""""#);
    assert_eq!(short, doc(r#"{"type":"user","username":""}"#));
    assert_eq!(short.schedules[0].rotations[0].participants[0].username, None);
    let again = oncall_core::config::Document::from_json(&serde_json::to_string(&short).unwrap()).unwrap();
    assert_eq!(short, again);
}

/// Every problem the compiler finds in overrides, forwarding rules, participants and
/// restrictions, with its path and message: the paths are written out only when a problem is
/// reported, and must be the ones they always were.
#[test]
fn problem_paths_of_overrides_forwarding_participants_and_restrictions() {
    let json = r#"{"users":[{"username":"alice"},{"username":"bob","timezone":"Mars/Base"}],
      "schedules":[{"name":"s","timezone":"Europe/Berlin","rotations":[
        {"name":"r","type":"daily","startDate":"2026-01-01T00:00:00Z","timezone":"Nowhere/City",
         "participants":["alice",{"type":"team","name":"ghosts"},{"type":"robot"},{"type":"user"}],
         "timeRestriction":{"type":"weekday-and-time-of-day","restrictions":[
           {"startDay":"Monday","startHour":25,"startMin":61,"endDay":"fri","endHour":24,"endMin":5}]}},
        {"name":"t","type":"daily","startDate":"2026-01-01T00:00:00Z","participants":["alice"],
         "timeRestriction":{"type":"time-of-day","restriction":{"startHour":-1,"startMin":0,"endHour":24,"endMin":1}}}],
       "overrides":[
        {"user":"carol","startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-01T00:00:00Z"},
        {"user":{"type":"team","name":"x"},"startDate":"soon","endDate":"later","rotations":[{"name":"nope"},{"name":"t"}]}]}],
      "forwardingRules":[{"fromUser":{"username":"alice"},"toUser":{"username":"alice"},
        "startDate":"2026-01-02T00:00:00Z","endDate":"2026-01-03T00:00:00Z"},
        {"fromUser":{},"toUser":{"id":"u-9"},"startDate":"2026-01-02","endDate":"2026-01-02"}]}"#;
    let got: Vec<String> = match Config::from_json(json) {
        Ok(_) => panic!("valid"),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    };
    assert_eq!(
        got,
        [
            "users[1].timezone: unknown time zone \"Mars/Base\" (expected an IANA name such as \"Europe/Berlin\")",
            "schedules[0].rotations[0].timezone: unknown time zone \"Nowhere/City\" (expected an IANA name such as \"Europe/Berlin\")",
            "schedules[0].rotations[0].participants[1]: unknown team \"ghosts\"",
            "schedules[0].rotations[0].participants[2].type: unknown participant type \"robot\" (expected user, team, escalation or none)",
            "schedules[0].rotations[0].participants[3]: needs a username or an id",
            "schedules[0].rotations[0].timeRestriction.restrictions[0].startDay: unknown day \"Monday\" (expected monday … sunday, lowercase)",
            "schedules[0].rotations[0].timeRestriction.restrictions[0].endDay: unknown day \"fri\" (expected monday … sunday, lowercase)",
            "schedules[0].rotations[0].timeRestriction.restrictions[0].startHour: must be between 0 and 23, found 25",
            "schedules[0].rotations[0].timeRestriction.restrictions[0].startMin: must be between 0 and 59, found 61",
            "schedules[0].rotations[0].timeRestriction.restrictions[0].endHour: 24 is only allowed with minute 0 (the end of the day)",
            "schedules[0].rotations[1].timeRestriction.restriction.startHour: must be between 0 and 23, found -1",
            "schedules[0].rotations[1].timeRestriction.restriction.endHour: 24 is only allowed with minute 0 (the end of the day)",
            "schedules[0].overrides[0].user: unknown user \"carol\" (not in users)",
            "schedules[0].overrides[0].endDate: must be after startDate",
            "schedules[0].overrides[1].user.type: must be \"user\" or \"none\", found \"team\"",
            "schedules[0].overrides[1].startDate: cannot read \"soon\" as a time (expected RFC 3339 such as \"2026-11-02T09:00:00Z\", or a local time such as \"2026-11-02T09:00\")",
            "schedules[0].overrides[1].endDate: cannot read \"later\" as a time (expected RFC 3339 such as \"2026-11-02T09:00:00Z\", or a local time such as \"2026-11-02T09:00\")",
            "schedules[0].overrides[1].rotations[0]: the schedule has no rotation \"nope\"",
            "forwardingRules[0].toUser: must differ from fromUser",
            "forwardingRules[1].fromUser: needs a username or an id",
            "forwardingRules[1].toUser: unknown user id \"u-9\" (not in users)",
            "forwardingRules[1].endDate: must be after startDate",
        ]
    );
}
