//! Opsgenie's own data loads as it is, typos still fail, and the engine gives Opsgenie's
//! recorded answers.
//!
//! The recorded material is the repository's copy in `testdata/opsgenie-recorded`; a test checks
//! that it still equals the reference folder `../shared/opsgenie-recorded` when that is present.

use oncall_core::config::Document;
use oncall_core::opsgenie::{ignored_fields, verify};
use oncall_core::{Config, Loaded};
use serde_json::{Value, json};
use std::path::PathBuf;

fn recorded() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/opsgenie-recorded")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn documents() -> Vec<(String, String)> {
    let mut docs: Vec<(String, String)> = std::fs::read_dir(recorded())
        .expect("read the recorded folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), read(p)))
        .collect();
    docs.sort();
    docs
}

#[test]
fn every_recorded_document_loads() {
    let docs = documents();
    assert!(docs.len() >= 8, "expected the assembled documents, found {}", docs.len());
    let failures: Vec<String> =
        docs.iter().filter_map(|(name, text)| Config::from_json(text).err().map(|e| format!("{name}:\n{e}"))).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn users_time_zone_is_the_users_zone_and_read_only_fields_are_counted() {
    let text = read(recorded().join("07-docs-list-users.json"));
    let doc = Document::from_json(&text).unwrap();
    let users = doc.users.as_ref().unwrap();
    assert_eq!(users[0].timezone.as_deref(), Some("Europe/Kirov"));
    assert_eq!(users[1].timezone.as_deref(), Some("Europe/Moscow"));
    let ignored = ignored_fields(&doc);
    assert_eq!(ignored.len(), 10, "{ignored:?}");
    assert!(ignored.contains(&"users[1].details".to_string()));
    // The zone is used: a naive forwarding time is read in the fromUser's zone (Moscow, UTC+3).
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["forwardingRules"] = json!([{"fromUser": {"username": "jane.doe@opsgenie.com"},
        "toUser": {"username": "john.doe@opsgenie.com"}, "startDate": "2026-11-10T09:00", "endDate": "2026-11-10T10:00"}]);
    v["schedules"] = json!([{"name": "s", "timezone": "UTC", "rotations": [{"type": "daily",
        "startDate": "2026-11-01T00:00:00Z", "participants": [{"type": "user", "username": "jane.doe@opsgenie.com"}]}]}]);
    let config = Config::from_json(&v.to_string()).unwrap();
    let s = config.schedule("s").unwrap();
    let at = |t: &str| s.on_call(t.parse().unwrap()).unwrap().flat().on_call_recipients;
    assert_eq!(at("2026-11-10T06:30:00Z"), ["john.doe@opsgenie.com"], "09:30 in Moscow is forwarded");
    assert_eq!(at("2026-11-10T09:30:00Z"), ["jane.doe@opsgenie.com"], "09:30 UTC is not");
}

#[test]
fn the_recorded_on_call_answers_are_reproduced() {
    let dir = recorded();
    let config = Config::from_json(&read(dir.join("01-recorded-get-schedule-first_line.json"))).unwrap();
    for at in ["2019-10-15T10Z", "2019-10-25T10Z"] {
        let saved: Value =
            serde_json::from_str(&read(dir.join(format!("responses/recorded-on-calls-first_line-{at}.response.json"))))
                .unwrap();
        let instant = verify::instant_in_name(at).unwrap();
        let ours = serde_json::to_value(config.schedule("first_line").unwrap().on_call(instant).unwrap()).unwrap();
        assert_eq!(ours, saved["data"], "who is on call at {at}");
    }
}

#[test]
fn verify_agrees_with_the_recorded_answers_and_finds_a_wrong_instant() {
    let dir = recorded();
    let config = Config::from_json(&read(dir.join("01-recorded-get-schedule-first_line.json"))).unwrap();
    let saved: Value =
        serde_json::from_str(&read(dir.join("responses/recorded-on-calls-first_line-2019-10-15T10Z.response.json")))
            .unwrap();
    let report = verify::verify(&config, &[("on-calls-2019-10-15T10Z.json".into(), saved.clone())], None);
    assert!(report.equivalent(), "{report:?}");
    // The same answer claimed for ten days later: Opsgenie's recorded answer then has user14,
    // not user12.
    let report = verify::verify(&config, &[("on-calls-2019-10-25T10:00:00Z.json".into(), saved)], None);
    let diffs: Vec<(String, String, String)> =
        report.compared[0].differences.iter().map(|d| (d.path.clone(), d.opsgenie.clone(), d.engine.clone())).collect();
    assert_eq!(
        diffs,
        [
            ("onCallParticipants[user user12@example.org]".into(), "user user12@example.org".into(), "absent".into()),
            ("onCallParticipants[user user14@example.org]".into(), "absent".into(), "user user14@example.org".into()),
        ]
    );
}

#[test]
fn the_docs_who_is_on_call_sample_matches_at_opsgenies_depth() {
    let dir = recorded();
    let config = Config::from_json(&read(dir.join("24-docs-who-is-on-call-scenario.json"))).unwrap();
    let saved: Value = serde_json::from_str(&read(dir.join("responses/docs-who-is-on-call.response.json"))).unwrap();
    for at in ["2019-10-15T10:00:00Z", "2026-11-10T10:00:00Z"] {
        let report = verify::verify(&config, &[("docs.json".into(), saved.clone())], Some(at.parse().unwrap()));
        assert!(report.equivalent(), "{at}: {report:?}");
        // The sample's usernames are anonymised; the ids match, and the difference is a note.
        assert_eq!(report.compared[0].notes.len(), 2, "{:?}", report.compared[0].notes);
    }
    // Without the team's schedule, the escalation's entries are missing: a difference.
    let mut doc: Value = serde_json::from_str(&read(dir.join("24-docs-who-is-on-call-scenario.json"))).unwrap();
    doc["escalations"][0]["rules"].as_array_mut().unwrap().remove(1);
    let config = Config::from_json(&doc.to_string()).unwrap();
    let report = verify::verify(&config, &[("docs.json".into(), saved)], Some("2019-10-15T10:00:00Z".parse().unwrap()));
    assert_eq!(report.differences(), 1, "{report:?}");
}

#[test]
fn a_saved_response_loads_with_its_envelope() {
    let dir = recorded();
    let raw = Loaded::from_json(&read(dir.join("04-recorded-raw-get-schedule-response.json"))).unwrap();
    let assembled = Loaded::from_json(&read(dir.join("01-recorded-get-schedule-first_line.json"))).unwrap();
    assert_eq!(raw.document, assembled.document);
    for (name, key) in [
        ("recorded-list-teams.response.json", "teams"),
        ("recorded-list-schedules.response.json", "schedules"),
        ("docs-list-users.response.json", "users"),
    ] {
        let doc =
            Document::from_json(&read(dir.join("responses").join(name))).unwrap_or_else(|e| panic!("{name}: {e}"));
        let n = match key {
            "teams" => doc.teams.len(),
            "schedules" => doc.schedules.len(),
            _ => doc.users.map_or(0, |u| u.len()),
        };
        assert_eq!(n, 2, "{name}");
    }
    let err = Document::from_json(r#"{"data":{"notify":{"type":"none"}},"took":0.1,"requestId":"r"}"#).unwrap_err();
    assert!(err.to_string().starts_with("data: a team routing rule belongs inside a team"), "{err}");
    let answer = read(dir.join("responses/recorded-on-calls-first_line-2019-10-15T10Z.response.json"));
    let err = Document::from_json(&answer).unwrap_err();
    assert!(err.to_string().contains("`oncall verify CONFIG --against DIR` compares such answers"), "{err}");
}

#[test]
fn a_real_misspelling_still_fails() {
    for (doc, path) in [
        (
            r#"{"schedules":[{"name":"s","rotations":[{"type":"daily","startdate":"2026-11-01T00:00:00Z","participants":["a"]}]}]}"#,
            "schedules[0].rotations[0].startdate",
        ),
        (r#"{"users":[{"username":"a","timezone":"UTC","timeZome":"UTC"}]}"#, "users[0].timeZome"),
        (r#"{"teams":[{"name":"t","link":{}}]}"#, "teams[0].link"),
        (r#"{"data":{"name":"t","links":{}},"took":0.1,"requestid":"x"}"#, "requestid"),
    ] {
        let err = Document::from_json(doc).unwrap_err();
        assert!(
            err.problems().iter().any(|p| p.path == path && p.message.starts_with("unknown field")),
            "{doc}: {err}"
        );
    }
}

/// Documents of every object kind, field for field as Opsgenie's OpenAPI definitions
/// (`opsgenie/opsgenie-oas` definitions/*.yaml) and the Go SDK's json tags
/// (`opsgenie/opsgenie-go-sdk-v2`) write them.
#[test]
fn documents_in_opsgenies_published_shapes_load() {
    let doc = json!({
        "users": [{
            // Go SDK user.GetResult
            "id": "u-1", "username": "ann@example.com", "fullName": "Ann", "role": {"id": "Admin", "name": "Admin"},
            "blocked": false, "verified": true, "skypeUsername": "",
            "userAddress": {"country": "DE", "state": "", "city": "Berlin", "line": "", "zipCode": "10115"},
            "tags": ["oncall"], "details": {"team": ["payments"]}, "timeZone": "Europe/Berlin", "locale": "de_DE",
            "createdAt": "2017-05-12T08:34:30.283Z", "mutedUntil": null, "invitationDisabled": false,
            "userContacts": [{"to": "ann@example.com", "id": "c-1", "contactMethod": "email", "enabled": true}],
            // OAS NotificationRule, NotificationRuleStep (with _parent), NotificationRepeat
            "notificationRules": [{
                "id": "nr-1", "name": "New alert", "actionType": "create-alert", "order": 0, "enabled": true,
                "criteria": {"type": "match-any-condition", "conditions": [
                    {"field": "extra-properties", "key": "env", "not": false, "operation": "equals", "expectedValue": "prod", "order": 0},
                    {"field": "priority", "operation": "less-than", "expectedValue": "P4"}]},
                "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 8, "startMin": 0, "endHour": 22, "endMin": 0}},
                "steps": [{"_parent": {"id": "nr-1", "name": "New alert"}, "id": "st-1",
                    "sendAfter": {"timeAmount": 0, "timeUnit": "minutes"}, "contact": {"method": "email", "to": "ann@example.com"}, "enabled": true}],
                "repeat": {"loopAfter": 5, "enabled": true}
            }, {
                "id": "nr-2", "name": "Shift starts", "actionType": "schedule-start", "order": 0, "enabled": true,
                "notificationTime": ["just-before", "1-hour-ago"],
                "schedules": [{"type": "schedule", "id": "", "name": "payments_schedule"}],
                "steps": [{"contact": {"method": "sms", "to": "+49 30 5550100"}, "sendAfter": {"timeAmount": 1, "timeUnit": "minute"}, "enabled": true},
                          {"contact": {"method": "voice", "to": "+49 30 5550100"}, "sendAfter": {"timeAmount": 2, "timeUnit": ""}, "enabled": true}]
            }]
        }, {"id": "u-2", "username": "bob@example.com", "timeZone": ""}],
        "teams": [{
            // OAS Team with TeamMember, GET /v2/teams links, TeamRoutingRule
            "id": "t-1", "name": "payments", "description": "",
            "links": {"web": "https://example.app.opsgenie.com/teams/dashboard/t-1/main", "api": "https://api.opsgenie.com/v2/teams/t-1"},
            "members": [{"user": {"id": "u-1", "username": "ann@example.com"}, "role": "admin"},
                        {"user": {"id": "u-2", "username": ""}, "role": ""}],
            "routingRules": [
                {"id": "rr-1", "name": "prod", "isDefault": false, "order": 0, "timezone": "Europe/Berlin",
                 "criteria": {"type": "match-all-conditions", "conditions": [{"field": "extra-properties", "key": "env", "operation": "equals", "expectedValue": "prod"}]},
                 "timeRestriction": {"type": "weekday-and-time-of-day", "restriction": {},
                     "restrictions": [{"startDay": "monday", "startHour": 9, "endDay": "friday", "endHour": 17}]},
                 "notify": {"type": "escalation", "id": "", "name": "payments_escalation"}},
                {"id": "rr-2", "name": "Default Rule", "isDefault": true, "order": 1, "criteria": {"type": "match-all"},
                 "timeRestriction": {}, "notify": {"type": "noone"}}]
        }],
        "schedules": [{
            // OAS Schedule, ScheduleRotationWithParent, ScheduleOverride (with _parent)
            "id": "s-1", "name": "payments_schedule", "description": "", "timezone": "Europe/Berlin", "enabled": null,
            "ownerTeam": {"id": "t-1", "name": "payments"},
            "rotations": [{
                "_parent": {"id": "s-1", "name": "payments_schedule", "enabled": true},
                "id": "r-1", "name": "weekly", "startDate": "2026-11-02T08:00:00Z", "endDate": "", "type": "weekly", "length": 1,
                "participants": [{"type": "user", "id": "u-1", "username": ""}, {"type": "user", "id": "", "username": "bob@example.com"},
                                 {"type": "noone"}, {"type": "none"}],
                "timeRestriction": {}
            }],
            "overrides": [{
                "_parent": {"id": "s-1", "name": "payments_schedule", "enabled": true},
                "alias": "o-1", "user": {"type": "user", "id": "u-2", "name": "bob@example.com"},
                "startDate": "2026-11-10T08:00:00Z", "endDate": "2026-11-11T08:00:00Z",
                "rotations": [{"id": "r-1", "name": "weekly"}]
            }]
        }],
        "escalations": [{
            // OAS Escalation with nullable repeat fields; Go SDK og.Participant writes "username": ""
            "id": "e-1", "name": "payments_escalation", "description": "", "ownerTeam": {"id": "t-1", "name": "payments"},
            "rules": [
                {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0, "timeUnit": "minutes"},
                 "recipient": {"type": "schedule", "id": "s-1", "name": "payments_schedule", "username": ""}},
                {"condition": "if-not-closed", "notifyType": "all", "delay": {"timeAmount": 1, "timeUnit": "hour"},
                 "recipient": {"type": "team", "name": "payments"}}],
            "repeat": {"waitInterval": null, "count": null, "resetRecipientStates": null, "closeAlertAfterAll": null}
        }],
        "forwardingRules": [{
            // OAS ForwardingRule
            "id": "f-1", "alias": "holiday", "fromUser": {"id": "u-1", "username": "ann@example.com"},
            "toUser": {"id": "", "username": "bob@example.com"}, "startDate": "2026-12-24T00:00:00Z", "endDate": "2026-12-27T00:00:00Z"
        }]
    });
    let config = Loaded::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let d = &config.document;
    assert_eq!(d.schedules[0].rotations[0].time_restriction.as_ref().map(|t| t.kind.as_str()), Some(""));
    assert_eq!(d.schedules[0].rotations[0].end_date, None);
    assert_eq!(d.users.as_ref().unwrap()[1].timezone, None);
    let ignored = ignored_fields(d);
    assert_eq!(ignored.len(), 13, "{ignored:?}");
    let s = config.schedule("payments_schedule").unwrap();
    // Week 2 of the rotation is bob's (an id-only reference and a username-only one both resolve),
    // and the override gives the 10th to bob as well; week 3 is nobody (`noone`).
    let who = |t: &str| s.on_call(t.parse().unwrap()).unwrap().flat().on_call_recipients;
    assert_eq!(who("2026-11-03T10:00:00Z"), ["ann@example.com"]);
    assert_eq!(who("2026-11-10T10:00:00Z"), ["bob@example.com"]);
    assert!(who("2026-11-17T10:00:00Z").is_empty());
}

/// The captured timeline response (one weekend rotation, a default and an override period) is
/// what `timeline` gives for the schedule rebuilt from it, key for key: Opsgenie's ids and names,
/// `order` 1.0, no synthetic rotation, and verify finds no difference.
#[test]
fn the_captured_timeline_is_mirrored() {
    let saved: Value =
        serde_json::from_str(&read(recorded().join("responses/captured-timeline.response.json"))).unwrap();
    // The schedule rebuilt from it (shared with the command's verify test).
    let doc: Value = serde_json::from_str(&read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/captured-timeline-schedule.json"),
    ))
    .unwrap();
    let config = Config::from_json(&doc.to_string()).unwrap();
    let report = verify::verify(&config, &[("captured-timeline.json".into(), saved.clone())], None);
    assert!(report.equivalent(), "{report:?}");
    // Without the override, the final schedules differ where it was: one interval, as the
    // schedule diff reports it (Opsgenie as OLD), and the hours per user.
    let mut without = doc.clone();
    without["schedules"][0]["overrides"] = json!([]);
    let other = Config::from_json(&without.to_string()).unwrap();
    let report = verify::verify(&other, &[("captured-timeline.json".into(), saved.clone())], None);
    let o = &report.compared[0];
    let finals: Vec<_> = o.differences.iter().filter(|d| d.path.starts_with("finalTimeline")).collect();
    assert_eq!(finals.len(), 1, "{o:?}");
    assert_eq!(finals[0].path, "finalTimeline[2022-04-02T00:00:00Z/2022-04-04T00:00:00Z]");
    assert_eq!(
        (finals[0].opsgenie.as_str(), finals[0].engine.as_str()),
        ("bob.familyname@example.com", "alice.lastname@example.com")
    );
    let hours: Vec<_> = o.hours.iter().map(|u| (u.username.as_str(), u.net_seconds)).collect();
    assert_eq!(hours, [("alice.lastname@example.com", 2 * 86_400), ("bob.familyname@example.com", -2 * 86_400)]);
    // The same comparison as `diff` of the two configurations.
    let d = oncall_core::diff::diff(
        &config,
        &other,
        "Testing Schedule",
        "2022-03-21T07:00:00Z".parse().unwrap(),
        "2022-04-04T07:00:00Z".parse().unwrap(),
    )
    .unwrap();
    assert_eq!(d.users, o.hours);
    let s = config.schedule("Testing Schedule").unwrap();
    let ours = serde_json::to_value(
        s.timeline(
            "2022-03-21T07:00:00Z".parse().unwrap(),
            "2022-04-04T07:00:00Z".parse().unwrap(),
            Default::default(),
        )
        .unwrap(),
    )
    .unwrap();
    let mut ours = ours.as_object().unwrap().clone();
    assert!(ours.remove("finalSchedule").is_some(), "our documented extension");
    assert_eq!(Value::Object(ours), saved["data"]);
    // A schedule-wide override of a schedule without rotations keeps an entry of its own.
    let bare = json!({"schedules": [{"name": "bare", "overrides": [{"user": "ann",
        "startDate": "2022-04-02T00:00:00Z", "endDate": "2022-04-04T00:00:00Z"}]}]});
    let config = Config::from_json(&bare.to_string()).unwrap();
    let t = config
        .schedule("bare")
        .unwrap()
        .timeline("2022-04-01T00:00:00Z".parse().unwrap(), "2022-04-05T00:00:00Z".parse().unwrap(), Default::default())
        .unwrap();
    assert_eq!(t.final_timeline.rotations.len(), 1);
    assert_eq!(t.final_timeline.rotations[0].name, oncall_core::output::SCHEDULE_WIDE);
}

/// The guide lists every accepted-and-ignored field, in the table of its object.
#[test]
fn the_guide_lists_every_ignored_field() {
    let guide = read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/moving-from-opsgenie.md"));
    for (object, fields) in oncall_core::opsgenie::IGNORED_FIELDS {
        let row = guide
            .lines()
            .find(|l| l.starts_with(&format!("| `{object}` |")))
            .unwrap_or_else(|| panic!("no row for {object} in the guide"));
        for f in *fields {
            assert!(row.contains(&format!("`{f}`")), "{object}.{f} is not in the guide's row: {row}");
        }
        assert_eq!(row.matches('`').count() / 2, fields.len() + 1, "the row lists more than the code: {row}");
    }
}

#[test]
fn an_empty_restriction_is_none_and_a_missing_type_is_named() {
    let doc = |tr: &str| {
        format!(
            r#"{{"schedules":[{{"name":"s","rotations":[{{"type":"daily","startDate":"2026-11-01T00:00:00Z",
            "participants":["a"],"timeRestriction":{tr}}}]}}]}}"#
        )
    };
    for empty in ["{}", r#"{"restriction":{}}"#] {
        let config = Config::from_json(&doc(empty)).unwrap_or_else(|e| panic!("{empty}: {e}"));
        let who = config.schedule("s").unwrap().on_call("2026-11-02T03:00:00Z".parse().unwrap()).unwrap();
        assert_eq!(who.flat().on_call_recipients, ["a"], "{empty} restricts nothing");
    }
    let err = Config::from_json(&doc(r#"{"restrictions":[{"startDay":"monday","endDay":"friday","endHour":17}]}"#))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "schedules[0].rotations[0].timeRestriction.type: required: time-of-day or weekday-and-time-of-day"
    );
}

#[test]
fn verify_compares_next_on_calls_flat_and_nested() {
    let config = Config::from_json(
        r#"{"schedules":[{"name":"ops","rotations":[{"name":"r","type":"daily","startDate":"2026-11-02T09:00:00Z",
        "participants":[{"type":"user","id":"u1","username":"ann"},{"type":"user","id":"u2","username":"bob"}]}]}]}"#,
    )
    .unwrap();
    let parent = json!({"name": "ops", "enabled": true});
    let flat =
        json!({"data": {"_parent": parent, "nextOnCallParticipants": ["ann"], "exactNextOnCallParticipants": ["ann"]}});
    let nested = json!({"data": {"_parent": parent,
        "nextOnCallRecipients": [{"id": "u1", "name": "ann", "type": "user"}],
        "exactNextOnCallRecipients": [{"id": "u1", "name": "ann", "type": "user"}]}});
    let at = "2026-11-03T10:00:00Z";
    let report =
        verify::verify(&config, &[("flat".into(), flat), ("nested".into(), nested.clone())], Some(at.parse().unwrap()));
    assert!(report.equivalent(), "{report:?}");
    assert!(report.compared[0].query.starts_with("next-on-calls (flat) of ops"), "{}", report.compared[0].query);
    // A day later bob is next: both lists differ.
    let report = verify::verify(&config, &[("nested-2026-11-04T10Z".into(), nested)], None);
    assert_eq!(report.differences(), 4, "{report:?}");
}

/// A whole account as its GET responses give it (Opsgenie's documented response shapes, with
/// their envelopes): every sub-resource lands under its parent, full rules replace their list
/// entries, and what is missing is named.
#[test]
fn import_puts_every_response_under_its_parent() {
    use oncall_core::opsgenie::import;
    let env = |data: Value| json!({"data": data, "took": 0.01, "requestId": "r"});
    let files: std::collections::BTreeMap<String, Value> = [
        ("users", env(json!([{"id": "u1", "username": "ann@example.com", "timeZone": "Europe/Berlin", "blocked": false},
                             {"id": "u2", "username": "bob@example.com", "timeZone": "America/New_York"}]))),
        ("users/u1/notification-rules", env(json!([
            {"id": "n1", "name": "New alert", "actionType": "create-alert", "order": 0, "enabled": true},
            {"id": "n2", "name": "Night", "actionType": "create-alert", "order": 1, "enabled": true}]))),
        ("users/u1/notification-rules/n1", env(json!({"id": "n1", "name": "New alert", "actionType": "create-alert",
            "order": 0, "enabled": true, "criteria": {"type": "match-all"},
            "steps": [{"_parent": {"id": "n1", "name": "New alert"}, "id": "s1", "enabled": true,
                       "sendAfter": {"timeAmount": 0}, "contact": {"method": "email", "to": "ann@example.com"}}]}))),
        ("teams", env(json!([{"id": "t1", "name": "payments", "description": "", "links": {"web": "w", "api": "a"}}]))),
        ("teams/t1", env(json!({"id": "t1", "name": "payments", "description": "",
            "members": [{"user": {"id": "u1", "username": "ann@example.com"}, "role": "admin"},
                        {"user": {"id": "u2", "username": "bob@example.com"}, "role": "user"}]}))),
        ("teams/payments/routing-rules", env(json!([
            {"id": "rr2", "name": "Default Rule", "isDefault": true, "order": 1, "criteria": {"type": "match-all"},
             "notify": {"type": "schedule", "name": "payments_schedule", "id": "s-1"}},
            {"id": "rr1", "name": "office", "isDefault": false, "order": 0, "criteria": {"type": "match-all"},
             "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}},
             "notify": {"type": "none"}}]))),
        ("schedules", env(json!([{"id": "s-1", "name": "payments_schedule", "timezone": "Europe/Berlin", "enabled": true,
            "ownerTeam": {"id": "t1", "name": "payments"}, "rotations": []}]))),
        ("schedules/s-1/rotations", env(json!([{"id": "r1", "name": "weekly", "startDate": "2026-11-02T08:00:00Z",
            "type": "weekly", "length": 1, "participants": [{"type": "user", "id": "u1", "username": "ann@example.com"},
            {"type": "user", "id": "u2", "username": "bob@example.com"}]}]))),
        ("schedules/s-1/overrides", env(json!([{"_parent": {"id": "s-1", "name": "payments_schedule", "enabled": true},
            "alias": "o1", "user": {"type": "user", "id": "u2", "name": "bob@example.com"},
            "startDate": "2026-11-03T08:00:00Z", "endDate": "2026-11-04T08:00:00Z", "rotations": [{"id": "r1", "name": "weekly"}]}]))),
        ("escalations", env(json!([]))),
        ("forwarding-rules", env(json!([{"id": "f1", "alias": "a", "fromUser": {"id": "u1", "username": "ann@example.com"},
            "toUser": {"id": "u2", "username": "bob@example.com"}, "startDate": "2026-12-24T00:00:00Z", "endDate": "2026-12-27T00:00:00Z"}]))),
        ("integrations", env(json!([{"id": "i1", "name": "Prometheus", "type": "Prometheus"}]))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let done = import::build(&files).unwrap();
    assert!(done.problems.is_empty(), "{:?}", done.problems);
    let d = &done.document;
    let ann = &d.users.as_ref().unwrap()[0];
    assert_eq!(ann.notification_rules.len(), 2);
    assert_eq!(ann.notification_rules[0].steps.len(), 1, "the full rule replaced its list entry");
    assert_eq!(d.teams[0].members.len(), 2, "the single GET gave the members");
    let names: Vec<_> = d.teams[0].routing_rules.iter().map(|r| r.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["office", "Default Rule"], "routing rules in Opsgenie's order");
    assert_eq!(d.schedules[0].rotations.len(), 1);
    assert_eq!(d.schedules[0].overrides.len(), 1);
    assert_eq!(d.forwarding_rules.len(), 1);
    let notes: Vec<String> = done.not_carried.iter().map(|n| format!("{}: {}", n.source, n.message)).collect();
    let has = |s: &str| notes.iter().any(|n| n.contains(s));
    assert!(has("notification rule \"Night\" of ann@example.com: only its list entry was saved"), "{notes:#?}");
    assert!(has("integrations: integrations are not carried over (the engine has none): Prometheus"), "{notes:#?}");
    assert!(has("routing rule \"office\" of team \"payments\" has a time restriction and no timezone"), "{notes:#?}");
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert_eq!(
        done.ignored,
        [
            "users[0].blocked",
            "users[0].notificationRules[0].steps[0]._parent",
            "teams[0].links",
            "schedules[0].overrides[0]._parent"
        ]
    );
    // The document answers: the override gives the 3rd to bob, then ann's week resumes.
    let config = Config::compile(&done.document).unwrap();
    let s = config.schedule("payments_schedule").unwrap();
    let who = |t: &str| s.on_call(t.parse().unwrap()).unwrap().flat().on_call_recipients;
    assert_eq!(who("2026-11-03T12:00:00Z"), ["bob@example.com"]);
    assert_eq!(who("2026-11-04T12:00:00Z"), ["ann@example.com"]);
}

/// Every file of a folder, by path relative to it, with its bytes.
fn files(root: &std::path::Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    out
}

/// The repository's copy is the reference folder's, file for file, when the reference folder is
/// beside the repository (`../shared`, or `$ONCALL_SHARED`); a clone without it has only the copy.
#[test]
fn the_copy_equals_the_reference_folder() {
    let shared = match std::env::var_os("ONCALL_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
    .join("opsgenie-recorded");
    let copy = files(&recorded());
    assert!(copy.contains_key(&PathBuf::from("README.md")), "{}", recorded().display());
    if !shared.is_dir() {
        eprintln!("no reference folder at {}: only the repository's copy is used", shared.display());
        return;
    }
    let reference = files(&shared);
    let names = |m: &std::collections::BTreeMap<PathBuf, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&copy), names(&reference), "files of testdata/opsgenie-recorded vs {}", shared.display());
    for (name, bytes) in &reference {
        assert!(
            copy[name] == *bytes,
            "testdata/opsgenie-recorded/{} differs from {}",
            name.display(),
            shared.display()
        );
    }
}
