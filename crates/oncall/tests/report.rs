//! End-to-end tests of `oncall report` and of `oncall check --at` (the time-based warnings).

mod common;
use common::*;
use serde_json::{Value, json};

const PAYMENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/payments.json");

fn ok(args: &[&str]) -> Run {
    let run = oncall(args);
    assert_eq!(run.code, 0, "oncall {args:?} failed:\n{}", run.stderr);
    run
}

/// Day shifts 08:00–20:00 in New York, ann and ben alternating daily from Friday 2026-03-06.
/// The window below crosses the spring-forward night of 2026-03-08.
const DAYS: &str = r#"{
  "users": [{"username": "ann"}, {"username": "ben"}, {"username": "cat"}],
  "schedules": [{"name": "days", "timezone": "America/New_York", "rotations": [
    {"name": "day", "type": "daily", "startDate": "2026-03-06T08:00", "participants": ["ann", "ben"],
     "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 8, "endHour": 20}}}]}]}"#;

#[test]
fn report_json_counts_gaps_hours_and_balance() {
    let path = temp_file("days.json", DAYS);
    let p = path.to_str().unwrap();
    let run = ok(&[
        "report",
        p,
        "--schedule",
        "days",
        "--from",
        "2026-03-06T00:00",
        "--to",
        "2026-03-09T00:00",
        "--format",
        "json",
    ]);
    let j = run.json();
    assert_eq!(j["_parent"], json!({"name": "days", "enabled": true}));
    assert_eq!(j["timezone"], "America/New_York");
    // Local midnight EST (05:00Z) to local midnight EDT (04:00Z): 71 hours.
    assert_eq!(j["startDate"], "2026-03-06T05:00:00Z");
    assert_eq!(j["endDate"], "2026-03-09T04:00:00Z");
    assert_eq!(j["windowSeconds"], 71 * 3600);
    // Three 12-hour day shifts; the gaps are the rest (the spring-forward night is 11 hours).
    assert_eq!(j["coveredSeconds"], 36 * 3600);
    assert_eq!(j["gapSeconds"], 35 * 3600);
    assert_eq!(
        j["gaps"],
        json!([
            {"startDate": "2026-03-06T05:00:00Z", "endDate": "2026-03-06T13:00:00Z", "seconds": 8 * 3600},
            {"startDate": "2026-03-07T01:00:00Z", "endDate": "2026-03-07T13:00:00Z", "seconds": 12 * 3600},
            {"startDate": "2026-03-08T01:00:00Z", "endDate": "2026-03-08T12:00:00Z", "seconds": 11 * 3600},
            {"startDate": "2026-03-09T00:00:00Z", "endDate": "2026-03-09T04:00:00Z", "seconds": 4 * 3600}
        ])
    );
    assert_eq!(j["changes"], 6);
    assert_eq!(j["handoffs"], 3);
    let users = j["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    let ann = &users[0];
    assert_eq!(ann["username"], "ann");
    // Friday and Sunday (a weekend day).
    assert_eq!(ann["onCallSeconds"], 24 * 3600);
    assert_eq!(ann["onCallHours"], 24.0);
    assert_eq!(ann["weekendSeconds"], 12 * 3600);
    assert_eq!(ann["nightSeconds"], 0);
    assert_eq!(ann["stretches"], 2);
    assert_eq!(
        ann["longestStretch"],
        json!({"startDate": "2026-03-06T13:00:00Z", "endDate": "2026-03-07T01:00:00Z", "seconds": 43200})
    );
    // From Friday 20:00 EST to Sunday 08:00 EDT: 35 hours.
    assert_eq!(ann["shortestRest"]["seconds"], 35 * 3600);
    let ben = &users[1];
    assert_eq!(ben["onCallSeconds"], 12 * 3600);
    assert_eq!(ben["shortestRest"], Value::Null);
    // One pair: 12 / 24.
    assert_eq!(j["balance"], 50.0);
}

#[test]
fn report_text_is_a_summary_a_table_and_the_gaps() {
    let path = temp_file("days.json", DAYS);
    let p = path.to_str().unwrap();
    let run = ok(&["report", p, "--schedule", "days", "--from", "2026-03-06T00:00", "--to", "2026-03-09T00:00"]);
    let out = run.stdout;
    assert!(
        out.starts_with("days (America/New_York): Fri 2026-03-06 00:00 EST to Mon 2026-03-09 00:00 EDT (2d 23h)\n"),
        "{out}"
    );
    assert!(out.contains("coverage   50.7% (1d 11h uncovered in 4 gaps)\n"), "{out}");
    assert!(out.contains("hand-offs  3 (6 changes of the on-call set)\n"), "{out}");
    assert!(out.contains("balance    50.0 / 100\n"), "{out}");
    assert!(out.contains("USER  HOURS  NIGHT 22-07  WEEKEND  STRETCHES  LONGEST  SHORTEST REST  ZONE\n"), "{out}");
    assert!(
        out.contains(
            "ann    24.0          0.0     12.0          2  12h      1d 11h         America/New_York (schedule)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "ben    12.0          0.0     12.0          1  12h      -              America/New_York (schedule)\n"
        ),
        "{out}"
    );
    // Gaps in local time, the spring-forward night included.
    assert!(out.contains("  Sat 2026-03-07 20:00 EST  Sun 2026-03-08 08:00 EDT  11h\n"), "{out}");
}

#[test]
fn report_counts_nights_and_weekends_in_each_users_zone() {
    // The YAML example: a London schedule with a Tokyo rotation 08:00-16:00 JST.
    let yaml = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/follow-the-sun.yaml");
    // Sunday 23:00 in London is Monday 08:00 in Tokyo: five Tokyo working days, Yui's week.
    let args = ["report", yaml, "--schedule", "platform", "--from", "2026-11-08T23:00", "--to", "2026-11-15T23:00"];
    let j = ok(&[&args[..], &["--format", "json"]].concat()).json();
    let user = |name: &str| j["users"].as_array().unwrap().iter().find(|u| u["username"] == name).unwrap().clone();
    let yui = user("yui@example.com");
    assert_eq!((&yui["timezone"], &yui["timezoneSource"]), (&json!("Asia/Tokyo"), &json!("user")));
    // 40 hours of 08:00-16:00 JST on weekdays (23:00-07:00 in London): none of it is night in Tokyo.
    assert_eq!(yui["onCallSeconds"], 40 * 3600);
    assert_eq!(yui["nightSeconds"], 0);
    let oliver = user("oliver@example.com");
    assert_eq!((&oliver["timezone"], &oliver["timezoneSource"]), (&json!("Europe/London"), &json!("user")));
    // Sam has no zone: the schedule's is used, and the report says so.
    let sam = user("sam@example.com");
    assert_eq!((&sam["timezone"], &sam["timezoneSource"]), (&json!("Europe/London"), &json!("schedule")));
    let text = ok(&args).stdout;
    assert!(text.contains("Asia/Tokyo\n") && text.contains("Europe/London (schedule)\n"), "{text}");
    assert!(
        text.contains("local time in each user's ZONE (the schedule's, Europe/London, for users without one)"),
        "{text}"
    );
}

#[test]
fn report_on_the_example_defaults_to_four_weeks() {
    let run =
        ok(&["report", PAYMENTS, "--schedule", "payments-primary", "--from", "2026-11-02T09:00", "--format", "json"]);
    let j = run.json();
    assert_eq!(j["startDate"], "2026-11-02T08:00:00Z");
    assert_eq!(j["endDate"], "2026-11-30T08:00:00Z");
    // Business hours and off hours cover the whole week.
    assert_eq!(j["gaps"], json!([]));
    assert_eq!(j["coverage"], 100.0);
    let names: Vec<&str> = j["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com"]
    );
    let total: i64 = j["users"].as_array().unwrap().iter().map(|u| u["onCallSeconds"].as_i64().unwrap()).sum();
    // Exactly one person on call at any time in this schedule.
    assert_eq!(total, j["windowSeconds"].as_i64().unwrap());
    let b = j["balance"].as_f64().unwrap();
    assert!((0.0..100.0).contains(&b), "{b}");
}

#[test]
fn report_errors() {
    let run = oncall(&["report", PAYMENTS, "--schedule", "nope", "--from", "2026-11-02", "--to", "2026-11-03"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with("--schedule: "), "{}", run.stderr);
    let run =
        oncall(&["report", PAYMENTS, "--schedule", "payments-primary", "--from", "2026-11-03", "--to", "2026-11-02"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("--to: must be after from"), "{}", run.stderr);
    let run = oncall(&["report", PAYMENTS, "--schedule", "payments-primary", "--from", "yesterday"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("--from: "), "{}", run.stderr);
    let run = oncall(&["report", PAYMENTS]);
    assert_eq!(run.code, 2);
}

const LINTY: &str = r#"{
  "users": [{"username": "ann"}, {"username": "ben"}, {"username": "cat"}],
  "schedules": [{"name": "ops", "timezone": "Europe/London", "rotations": [
    {"name": "solo", "type": "weekly", "startDate": "2026-01-05T09:00", "participants": ["ann"],
     "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 17}}},
    {"name": "pair", "type": "daily", "startDate": "2026-01-05T09:00", "endDate": "2026-02-01T00:00",
     "participants": ["ben", "ann"]}],
   "overrides": [
     {"alias": "night-cover", "user": "ben", "startDate": "2026-01-06T20:00", "endDate": "2026-01-07T08:00",
      "rotations": [{"name": "solo"}]},
     {"alias": "day-cover", "user": "ben", "startDate": "2026-01-06T10:00", "endDate": "2026-01-06T12:00",
      "rotations": [{"name": "solo"}]}]}],
  "forwardingRules": [
    {"fromUser": {"username": "ann"}, "toUser": {"username": "ben"}, "startDate": "2026-03-01T00:00:00Z", "endDate": "2026-03-02T00:00:00Z"},
    {"fromUser": {"username": "ben"}, "toUser": {"username": "ann"}, "startDate": "2026-03-01T00:00:00Z", "endDate": "2026-03-02T00:00:00Z"}]}"#;

#[test]
fn check_warns_and_exits_zero() {
    let path = temp_file("linty.json", LINTY);
    let p = path.to_str().unwrap();
    let run = ok(&["check", p, "--at", "2026-02-02T00:00:00Z", "--format", "json"]);
    let j = run.json();
    assert_eq!(j["valid"], true);
    let paths: Vec<&str> = j["warnings"].as_array().unwrap().iter().map(|w| w["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["forwardingRules[0]", "schedules[0].rotations[0]", "schedules[0].overrides[0]", "schedules[0]", "users[2]"]
    );
    let messages: Vec<&str> =
        j["warnings"].as_array().unwrap().iter().map(|w| w["message"].as_str().unwrap()).collect();
    assert!(messages[0].starts_with("forwarding cycle"), "{}", messages[0]);
    assert_eq!(messages[1], r#"rotation "solo" has a single participant (ann): nobody ever relieves them"#);
    assert_eq!(
        messages[2],
        r#"override "night-cover" (Tue 2026-01-06 20:00 GMT to Wed 2026-01-07 08:00 GMT) lies entirely outside the active windows of rotation "solo": it changes nothing"#
    );
    assert_eq!(
        messages[3],
        "nobody is on call from Mon 2026-02-02 00:00 GMT to Mon 2026-02-02 09:00 GMT (9h) (the first of 31 gaps, 20d in total), in the 30 days from 2026-02-02T00:00:00Z"
    );
    // ben is on call on 2026-03-01, when ann's shift is forwarded to him.
    assert_eq!(messages[4], r#"user "cat" is never on call in any schedule in the 90 days from 2026-02-02T00:00:00Z"#);

    // Before "pair" ends, ben is on call, and a day's gaps are only the nights.
    let run = ok(&["check", p, "--at", "2026-01-10T00:00:00"]);
    assert!(
        run.stdout.starts_with("ok: 1 schedule, 2 rotations, 2 overrides, 3 users, 2 forwarding rules, 5 warnings\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("warning: users[2]: user \"cat\" is never on call"), "{}", run.stdout);
    assert!(!run.stdout.contains("users[1]"), "{}", run.stdout);
}

#[test]
fn check_deny_warnings_fails_on_any_warning() {
    let path = temp_file("linty.json", LINTY);
    let p = path.to_str().unwrap();
    let run = oncall(&["check", p, "--at", "2026-02-02T00:00:00Z", "--deny-warnings"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("warning: "), "{}", run.stdout);
    assert_eq!(run.stderr, "oncall: 5 warnings and --deny-warnings\n");
    // The example has none.
    ok(&["check", PAYMENTS, "--at", "2026-11-10T00:00:00Z", "--deny-warnings"]);
}

#[test]
fn one_warning_is_singular() {
    let config = temp_file(
        "one-warning.json",
        r#"{"schedules": [{"name": "s", "rotations": [
              {"name": "r", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann"]}]}]}"#,
    );
    let run = oncall(&["check", config.to_str().unwrap(), "--at", "2026-11-01T00:00:00Z", "--deny-warnings"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("ok: 1 schedule, 1 rotation"), "{}", run.stdout);
    assert!(run.stdout.contains(", 1 warning\n"), "{}", run.stdout);
    assert_eq!(run.stderr, "oncall: 1 warning and --deny-warnings\n");
}

#[test]
fn check_at_must_be_a_time() {
    let run = oncall(&["check", PAYMENTS, "--at", "soon"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("--at: cannot read \"soon\""), "{}", run.stderr);
}

/// Ann (Berlin), Ben (Chicago) and Cy (no zone, Europe/Berlin's schedule) take daily turns at
/// 09:00 Berlin over Christmas 2026; one EUR rule pays Ann and Ben, not Cy.
const PAY: &str = r#"{"users": [{"username": "ann", "timezone": "Europe/Berlin"}, {"username": "ben", "timezone": "America/Chicago"}, {"username": "cy"}],
 "schedules": [{"name": "ops", "timezone": "Europe/Berlin", "rotations": [
   {"name": "daily", "type": "daily", "startDate": "2026-12-21T09:00", "participants": ["ann", "ben", "cy"]}]}],
 "payRules": [{"name": "eu", "currency": "EUR", "baseRate": "4.00", "users": ["ann", "ben"], "holidays": ["2026-12-25"],
   "rates": [{"name": "night", "from": "22:00", "to": "07:00", "multiplier": 1.5},
             {"name": "weekend", "days": ["sat", "sun"], "multiplier": 2},
             {"name": "holiday", "holiday": true, "rate": "12.00"}],
   "minimumPerShift": {"hours": 2}}]}"#;

const WEEK: [&str; 4] = ["--from", "2026-12-21T09:00", "--to", "2026-12-28T09:00"];

#[test]
fn report_pays_each_band_in_the_users_zone_and_the_totals_reconcile() {
    let path = temp_file("pay.json", PAY);
    let p = path.to_str().unwrap();
    let j = ok(&[&["report", p, "--schedule", "ops", "--format", "json"][..], &WEEK[..]].concat()).json();
    let pay = &j["pay"];
    let ben = pay["users"].as_array().unwrap().iter().find(|u| u["username"] == "ben").unwrap();
    // Christmas Day in Chicago is 07:00 Dec 25 to 07:00 Dec 26 Berlin; Ben is on call from 09:00
    // Dec 25 to 09:00 Dec 26 Berlin: 22 holiday hours at 12.00, outranking night and weekend.
    let holiday = ben["lines"].as_array().unwrap().iter().find(|l| l["band"] == "holiday").unwrap();
    assert_eq!(
        (&holiday["seconds"], &holiday["amount"], &holiday["amountMinor"]),
        (&json!(22 * 3600), &json!("264.00"), &json!(26400))
    );
    assert_eq!(ben["amount"], "394.00");
    assert_eq!(
        pay["totals"],
        json!([{"currency": "EUR", "seconds": 120 * 3600, "amountMinor": 85000, "amount": "850.00"}])
    );
    assert_eq!(pay["unpaid"], json!([{"username": "cy", "seconds": 48 * 3600}]));
    // The analysis is still at the top, and the fairness view counts everyone.
    assert_eq!(j["users"].as_array().unwrap().len(), 3);
    assert_eq!(j["fairness"]["spread"]["onCall"]["range"], json!(24.0));
    assert_eq!(j["fairness"]["users"][1]["holidayHours"], json!(22.0));
}

#[test]
fn report_csv_is_one_line_per_user_and_band_for_payroll() {
    let path = temp_file("pay.json", PAY);
    let p = path.to_str().unwrap();
    let csv = ok(&[&["report", p, "--schedule", "ops", "--format", "csv"][..], &WEEK[..]].concat()).stdout;
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "period_start,period_end,schedule,user,rule,currency,band,rate_per_hour,seconds,hours,amount,amount_minor"
    );
    assert_eq!(
        lines[1],
        "2026-12-21T08:00:00Z,2026-12-28T08:00:00Z,ops,ann,eu,EUR,base,4.00,108000,30.00,120.00,12000"
    );
    assert_eq!(
        lines[8],
        "2026-12-21T08:00:00Z,2026-12-28T08:00:00Z,ops,ben,eu,EUR,holiday,12.00,79200,22.00,264.00,26400"
    );
    assert_eq!(lines[9], "2026-12-21T08:00:00Z,2026-12-28T08:00:00Z,ops,cy,,,unpaid,,172800,48.00,,");
    assert_eq!(lines[10], "");
    // The amounts add up to the JSON total.
    let sum: i64 = lines[1..9].iter().map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(sum, 85000);
}

#[test]
fn report_text_shows_fairness_and_pay() {
    let path = temp_file("pay.json", PAY);
    let p = path.to_str().unwrap();
    let out = ok(&[&["report", p, "--schedule", "ops"][..], &WEEK[..]].concat()).stdout;
    assert!(out.contains("fairness among 3 people\n"), "{out}");
    assert!(out.contains("hours          48.0  72.0   24.0  56.0     11.3\n"), "{out}");
    assert!(out.contains("ben   eu    holiday   12.00  22.00  264.00  EUR\n"), "{out}");
    assert!(out.contains("EUR       120.00  850.00\n"), "{out}");
    assert!(out.contains("no pay rule covers: cy (48.0 h)\n"), "{out}");
    // Without pay rules there is no pay section.
    let plain = temp_file("days.json", DAYS);
    let out = ok(&[
        "report",
        plain.to_str().unwrap(),
        "--schedule",
        "days",
        "--from",
        "2026-03-06T00:00",
        "--to",
        "2026-03-09T00:00",
    ])
    .stdout;
    assert!(out.contains("fairness among 2 people") && !out.contains("pay ("), "{out}");
}
