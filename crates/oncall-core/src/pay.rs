//! On-call pay: the `payRules` of the document, their compiled form, and the pay and fairness
//! report of a schedule over a window.
//!
//! # The rule
//!
//! A **pay rule** (`payRules[]`) pays on-call time of the **final schedule** (after layering,
//! overrides and forwarding, as [`Schedule::analyze`] counts it) by the hour:
//!
//! * **who**: a user on call in a schedule is paid by the **first** pay rule, in document order,
//!   whose `schedules` name the schedule (absent: every schedule) and whose `users` name the user
//!   (absent: every user). A user no rule covers is listed as `unpaid` with their hours, never
//!   dropped.
//! * **where time of day is read**: `timezone` is `"user"` (the default: the user's own
//!   `timezone`, else the schedule's, like night and weekend hours of the report) or an IANA zone.
//! * **rates**: every hour is paid `baseRate` (per hour, in `currency`) unless a **rate** of
//!   `rates` covers it. A rate covers, on each local date its `days` name (`mon` … `sun`, or
//!   Opsgenie's `monday` …; absent: every day) — or, with `holiday: true`, on each holiday date
//!   instead — the local time from `from` to `to` (`HH:MM`, default `00:00`; a `to` at or before
//!   `from` ends on the next day, so `from: "22:00", to: "07:00"` on `fri` is Friday 22:00 to
//!   Saturday 07:00, and `00:00`–`00:00` is the whole day). Local times become instants by the
//!   wall-clock rule of the engine, so a night across a DST change lasts the 8 or 10 real hours
//!   it has, and **pay counts real hours**. A rate is `rate` (per hour) or `multiplier` (of
//!   `baseRate`), one of the two.
//! * **overlaps**: when several rates cover an instant, the **highest** hourly rate wins (the
//!   earliest in `rates` among equals), so the order of `rates` never changes the pay. Each rate
//!   is its own pay band, named by its `name` (default `rates[i]`); `baseRate` is band `base`.
//! * **holidays**: the dates of `holidays` (`YYYY-MM-DD`) and of the `holidayCalendar` named, in
//!   the zone time of day is read in (a holiday is its whole local date).
//! * **shifts and minimums**: a **shift** is a maximal contiguous stretch of one user on call in
//!   the final schedule (adjacent shifts merge, as in the report's stretches). With
//!   `minimumPerShift: {hours}` a shorter shift is paid as that many hours, the missing ones at
//!   `baseRate`; with `minimumPerShift: {amount}` a shift paid less is topped up to the amount.
//!   A shift belongs to the window it starts in: one already running at the window's start gets
//!   no minimum in it (it got it in the window before), one still running at the window's end
//!   is judged on its whole length, looked up to [`MINIMUM_LOOKAHEAD_DAYS`] days past the end
//!   (the hours past the end are paid in the next window). So consecutive windows pay each shift
//!   its minimum once. The top-ups are the user's `minimum` line.
//! * **money**: amounts are never floating point. Rates, multipliers and minimums are decimals
//!   (`12.5`, or the string `"12.50"`; at most 6 decimals; a JSON number is read by its shortest
//!   decimal form, so `12.5` is exactly twelve and a half); arithmetic is exact integer
//!   arithmetic on seconds. **Rounding: once per line** (one user × one band, and the user's
//!   minimum line), to the currency's minor unit (2 decimals; 0 for `JPY`, `KRW` and the other
//!   ISO 4217 zero-decimal currencies; 3 for `BHD`, `KWD`, …), half away from zero. A user's
//!   total is the sum of their rounded lines, a currency's total the sum of its users' totals,
//!   so every total reconciles exactly with the lines.
//!
//! # Fairness
//!
//! The report's fairness view lists, per person among the schedule's users of the
//! [analysis](crate::analysis) (everyone on call in the window and every direct participant of a
//! rotation running in it, so someone with zero hours counts): on-call, night, weekend and
//! holiday hours and shifts. Night and weekend hours are the analysis's; **holiday hours** are
//! on-call hours on the holiday dates of the user's pay rule (in its zone), zero for an unpaid
//! user. For each measure the **spread**: `min`, `max`, `range` (max − min), `mean` and the
//! population standard deviation `stdDev`.
//!
//! # Example
//!
//! ```
//! use oncall_core::Config;
//! let config = Config::from_json(r#"{
//!   "schedules": [{"name": "ops", "timezone": "Europe/Berlin", "rotations": [
//!     {"name": "daily", "type": "daily", "startDate": "2026-01-05T09:00", "participants": ["ann", "ben"]}]}],
//!   "payRules": [{"name": "standard", "currency": "EUR", "baseRate": "2.50",
//!     "rates": [{"name": "night", "from": "22:00", "to": "07:00", "multiplier": 2}]}]}"#)?;
//! let ops = config.schedule("ops")?;
//! // Monday 09:00 to Tuesday 09:00 Berlin: ann's 24 hours, 9 of them night.
//! let r = ops.pay_report("2026-01-05T08:00:00Z".parse()?, "2026-01-06T08:00:00Z".parse()?)?;
//! let ann = &r.pay.users[0];
//! let lines: Vec<(&str, i64, &str)> = ann.lines.iter().map(|l| (l.band.as_str(), l.seconds, l.amount.as_str())).collect();
//! assert_eq!(lines, [("base", 15 * 3600, "37.50"), ("night", 9 * 3600, "45.00")]);
//! assert_eq!(ann.amount, "82.50");
//! assert_eq!(r.fairness.spread.on_call.range, 24.0); // ben had no hours
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Schedule;
use crate::analysis::Analysis;
use crate::compile::Compiler;
use crate::config::Document;
use crate::error::Result;
use crate::time::{Edge, resolve};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How far past a window's end a shift still running there is followed to judge its minimum.
pub const MINIMUM_LOOKAHEAD_DAYS: i64 = 7;

/// The largest hourly rate, minimum amount or multiplier accepted (a bound that keeps the exact
/// arithmetic far from overflow).
pub const MAX_PAY_VALUE: i128 = 1_000_000_000;

/// Decimals of a rate, multiplier or minimum.
const MAX_DECIMALS: u32 = 6;
/// Fixed-point scale of a decimal (`MAX_DECIMALS` digits).
const SCALE: i128 = 1_000_000;
/// Fixed-point scale of an hourly rate: a rate times a multiplier is exact.
const RATE_SCALE: i128 = SCALE * SCALE;

// ---------------------------------------------------------------------------------------------
// The document.

/// A pay rule (`payRules[]`): how on-call hours are paid. See the [module docs](self).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayRule {
    /// `name`: the rule's name. Required, unique.
    pub name: String,
    /// `currency`: the ISO 4217 code amounts are in (`EUR`). Required.
    pub currency: String,
    /// `schedules`: the schedules (names or ids) whose on-call time this rule pays; absent:
    /// every schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules: Option<Vec<String>>,
    /// `users`: the usernames this rule pays; absent: every user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<String>>,
    /// `timezone`: where time of day and dates are read: `user` (default: the user's own zone,
    /// else the schedule's) or an IANA zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `baseRate`: the pay per hour when no rate covers the hour. Required.
    pub base_rate: Decimal,
    /// `rates`: rates by weekday and time of day, or on holidays; the highest covering one wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rates: Vec<PayRate>,
    /// `holidays`: public holidays (`YYYY-MM-DD`), local dates in the rule's zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
    /// `holidayCalendar`: the name of a holiday calendar (`holidayCalendars`) whose dates are
    /// holidays too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday_calendar: Option<String>,
    /// `minimumPerShift`: the least a shift is paid: `{hours}` or `{amount}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_per_shift: Option<ShiftMinimum>,
}

/// A rate of a pay rule (`payRules[].rates[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayRate {
    /// `name`: the pay band's name (default `rates[i]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `days`: the local dates the window starts on, by weekday (`mon` … `sun` or `monday` …);
    /// absent: every day. Not with `holiday`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<String>>,
    /// `holiday`: true: the window starts on each holiday date instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday: Option<bool>,
    /// `from`: local start time `HH:MM` (default `00:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// `to`: local end time `HH:MM` (default `00:00`); at or before `from` it is on the next day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `rate`: pay per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    /// `multiplier`: pay per hour as a multiple of `baseRate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<Decimal>,
}

/// The minimum pay of a shift (`payRules[].minimumPerShift`): one of `hours` and `amount`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShiftMinimum {
    /// `hours`: a shorter shift is paid as this many hours (the missing ones at `baseRate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    /// `amount`: a shift paid less is topped up to this amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
}

/// A decimal of the document as written: a JSON number (read by its shortest decimal form) or
/// a string (`"12.50"`). Never a float in arithmetic: [`Decimal::fixed`] reads it exactly.
///
/// ```
/// use oncall_core::pay::Decimal;
/// let d: Decimal = serde_json::from_str("12.5")?;
/// assert_eq!(d.0, "12.5");
/// let d: Decimal = serde_json::from_str("\"0.10\"")?;
/// assert_eq!(d.fixed(), Ok(100_000)); // millionths
/// let d: Decimal = serde_json::from_str("0.1234567")?;
/// assert_eq!(d.fixed(), Err("must have at most 6 decimals and be at most 1000000000".to_string()));
/// let d: Decimal = serde_json::from_str("999999999.999999")?;
/// assert_eq!(d.0, "999999999.999999");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decimal(pub String);

impl Default for Decimal {
    fn default() -> Self {
        Decimal("0".into())
    }
}

impl Decimal {
    /// The value in millionths, exactly; an error for anything but a plain non-negative decimal
    /// with at most 6 decimals.
    pub fn fixed(&self) -> std::result::Result<i128, String> {
        let s = self.0.trim();
        if s == UNREADABLE {
            return Err(format!("must have at most 6 decimals and be at most {MAX_PAY_VALUE}"));
        }
        let bad = || format!("not a decimal number: {:?} (like 12.50, at most 6 decimals)", self.0);
        if s.starts_with('-') {
            return Err(format!("must not be negative, found {s}"));
        }
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() || int.len() > 12 || frac.len() > MAX_DECIMALS as usize {
            return Err(bad());
        }
        if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let i: i128 = int.parse().map_err(|_| bad())?;
        let f: i128 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| bad())? };
        Ok(i * SCALE + f * 10i128.pow(MAX_DECIMALS - frac.len() as u32))
    }
}

/// What [`Decimal::fixed`] refuses for a JSON number that has no decimal form of at most 6
/// decimals up to [`MAX_PAY_VALUE`].
const UNREADABLE: &str = "(a number with more than 6 decimals, or too large)";

/// The decimal a JSON number was written as, without formatting a float: the nearest number of
/// millionths, kept when it reads back as the same double. Below [`MAX_PAY_VALUE`] doubles are
/// closer together than half a millionth, so that is the number written in the document
/// whenever it had at most 6 decimals; anything else is [`UNREADABLE`].
fn from_float(n: f64) -> String {
    let (sign, a) = if n < 0.0 { ("-", -n) } else { ("", n) };
    if !(a.is_finite() && a <= MAX_PAY_VALUE as f64) {
        return UNREADABLE.into();
    }
    let millionths = (a * SCALE as f64).round();
    if millionths / SCALE as f64 != a {
        return UNREADABLE.into();
    }
    let m = millionths as i128;
    let mut frac = format!("{:06}", m % SCALE);
    while frac.ends_with('0') {
        frac.pop();
    }
    let int = m / SCALE;
    if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal number (12.50 or \"12.50\")")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<Decimal, E> {
                Ok(Decimal(s.to_string()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> std::result::Result<Decimal, E> {
                Ok(Decimal(n.to_string()))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> std::result::Result<Decimal, E> {
                Ok(Decimal(n.to_string()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> std::result::Result<Decimal, E> {
                Ok(Decimal(from_float(n)))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Decimal {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A non-negative decimal with at most 6 decimals: a number (12.5) or a string (\"12.50\").",
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{0,6})?$"}
            ]
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The compiled form.

/// A compiled rate.
#[derive(Debug, Clone)]
pub(crate) struct CRate {
    band: String,
    /// Weekdays (bit 0 = Monday) the window starts on; ignored for holiday rates.
    days: u8,
    holiday: bool,
    /// Seconds after local midnight.
    from: u32,
    to: u32,
    /// Per hour, in units of 1/[`RATE_SCALE`].
    rate: i128,
}

#[derive(Debug, Clone, Copy)]
enum Minimum {
    Seconds(i64),
    /// In units of 1/[`RATE_SCALE`] (an hour's pay at rate 1).
    Amount(i128),
}

/// A compiled pay rule.
#[derive(Debug, Clone)]
pub(crate) struct CPayRule {
    name: String,
    currency: String,
    digits: u32,
    schedules: Option<Vec<usize>>,
    users: Option<BTreeSet<String>>,
    /// None: the user's zone.
    zone: Option<Tz>,
    base: i128,
    rates: Vec<CRate>,
    holidays: BTreeSet<NaiveDate>,
    minimum: Option<Minimum>,
}

/// Currencies without minor units (ISO 4217).
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
    "XPF",
];
/// Currencies with three decimals (ISO 4217).
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// The decimals of a currency's minor unit (ISO 4217): 0, 3, or 2 for the others.
///
/// ```
/// use oncall_core::pay::minor_digits;
/// assert_eq!((minor_digits("EUR"), minor_digits("JPY"), minor_digits("KWD")), (2, 0, 3));
/// ```
pub fn minor_digits(currency: &str) -> u32 {
    if ZERO_DECIMALS.contains(&currency) {
        0
    } else if THREE_DECIMALS.contains(&currency) {
        3
    } else {
        2
    }
}

fn weekday_bit(name: &str) -> Option<u8> {
    let i = match name {
        "mon" | "monday" => 0,
        "tue" | "tuesday" => 1,
        "wed" | "wednesday" => 2,
        "thu" | "thursday" => 3,
        "fri" | "friday" => 4,
        "sat" | "saturday" => 5,
        "sun" | "sunday" => 6,
        _ => return None,
    };
    Some(1 << i)
}

/// `HH:MM` (00:00–24:00) in seconds after midnight.
fn time_of_day(s: &str) -> std::result::Result<u32, String> {
    let bad = || format!("not a time of day: {s:?} (expected HH:MM, 00:00 to 24:00)");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60)
}

/// A decimal of the rule, in millionths, at most [`MAX_PAY_VALUE`].
fn value(c: &mut Compiler<'_>, d: &Decimal, path: String) -> Option<i128> {
    match d.fixed() {
        Ok(v) if v > MAX_PAY_VALUE * SCALE => {
            c.problem(path, format!("{} is more than the largest value accepted, {MAX_PAY_VALUE}", d.0));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            c.problem(path, e);
            None
        }
    }
}

/// Compiles `payRules`, reporting every problem with its path.
pub(crate) fn compile(
    c: &mut Compiler<'_>,
    doc: &Document,
    schedules: &(HashMap<String, usize>, HashMap<String, usize>),
    max_rates: usize,
) -> Vec<CPayRule> {
    let mut out = Vec::new();
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, r) in doc.pay_rules.iter().enumerate() {
        let path = format!("payRules[{i}]");
        let before = c.problems.len();
        if r.name.trim().is_empty() {
            c.problem(format!("{path}.name"), "must not be empty");
        } else if let Some(first) = names.insert(&r.name, i) {
            c.problem(format!("{path}.name"), format!("duplicate pay rule name {:?} (also payRules[{first}])", r.name));
        }
        if r.currency.len() != 3 || !r.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            c.problem(
                format!("{path}.currency"),
                format!("not an ISO 4217 currency code: {:?} (like EUR)", r.currency),
            );
        }
        let scheds = r.schedules.as_ref().map(|list| {
            list.iter()
                .enumerate()
                .filter_map(|(k, n)| {
                    let found = schedules.0.get(n).or_else(|| schedules.1.get(n)).copied();
                    if found.is_none() {
                        c.problem(format!("{path}.schedules[{k}]"), format!("unknown schedule {n:?}"));
                    }
                    found
                })
                .collect::<Vec<_>>()
        });
        let users = r.users.as_ref().map(|list| {
            list.iter()
                .enumerate()
                .filter(|(k, n)| {
                    let known = !c.declared_users() || c.has_user(n);
                    if !known {
                        c.problem(format!("{path}.users[{k}]"), format!("unknown user {n:?} (not in users)"));
                    }
                    known
                })
                .map(|(_, n)| n.clone())
                .collect::<BTreeSet<_>>()
        });
        let zone = match r.timezone.as_deref() {
            None | Some("user") => None,
            Some(z) => match crate::time::parse_zone(z) {
                Ok(tz) => Some(tz),
                Err(e) => {
                    c.problem(format!("{path}.timezone"), format!("{e} (or \"user\")"));
                    None
                }
            },
        };
        let base = value(c, &r.base_rate, format!("{path}.baseRate")).unwrap_or(0);
        if r.rates.len() > max_rates {
            c.problem(
                format!("{path}.rates"),
                format!("{} rates, more than {max_rates} (limit maxPayRates)", r.rates.len()),
            );
        }
        let mut rates = Vec::new();
        for (k, rate) in r.rates.iter().enumerate().take(max_rates) {
            let rp = format!("{path}.rates[{k}]");
            let holiday = rate.holiday.unwrap_or(false);
            let mut days = 0x7f;
            if let Some(list) = &rate.days {
                if holiday {
                    c.problem(format!("{rp}.days"), "not with holiday: true (a holiday rate covers holiday dates)");
                }
                if list.is_empty() {
                    c.problem(format!("{rp}.days"), "must not be empty (leave it out for every day)");
                }
                days = 0;
                for (j, d) in list.iter().enumerate() {
                    match weekday_bit(&d.to_ascii_lowercase()) {
                        Some(b) => days |= b,
                        None => c.problem(format!("{rp}.days[{j}]"), format!("not a weekday: {d:?} (mon … sun)")),
                    }
                }
            }
            let mut tod = |field: &str, v: &Option<String>| match v {
                None => Some(0),
                Some(s) => time_of_day(s).map_err(|e| c.problem(format!("{rp}.{field}"), e)).ok(),
            };
            let (from, to) = (tod("from", &rate.from), tod("to", &rate.to));
            let per_hour = match (&rate.rate, &rate.multiplier) {
                (Some(v), None) => value(c, v, format!("{rp}.rate")).map(|v| v * SCALE),
                (None, Some(m)) => value(c, m, format!("{rp}.multiplier")).map(|m| m * base).and_then(|r| {
                    if r > MAX_PAY_VALUE * RATE_SCALE {
                        c.problem(
                            format!("{rp}.multiplier"),
                            format!(
                                "baseRate times the multiplier is more than the largest rate accepted, {MAX_PAY_VALUE}"
                            ),
                        );
                        return None;
                    }
                    Some(r)
                }),
                (Some(_), Some(_)) => {
                    c.problem(format!("{rp}.multiplier"), "give rate or multiplier, not both");
                    None
                }
                (None, None) => {
                    c.problem(rp.clone(), "needs a rate or a multiplier");
                    None
                }
            };
            if let (Some(from), Some(to), Some(per_hour)) = (from, to, per_hour) {
                let band = rate.name.clone().unwrap_or_else(|| format!("rates[{k}]"));
                rates.push(CRate { band, days, holiday, from, to, rate: per_hour });
            }
        }
        let mut bands: HashMap<&str, usize> = HashMap::from([("base", usize::MAX)]);
        for (k, rate) in rates.iter().enumerate() {
            if let Some(first) = bands.insert(&rate.band, k) {
                let other = if first == usize::MAX { "the base rate".to_string() } else { format!("rates[{first}]") };
                c.problem(
                    format!("{path}.rates[{k}].name"),
                    format!("duplicate band name {:?} (also {other})", rate.band),
                );
            }
        }
        let mut holidays = BTreeSet::new();
        for (k, d) in r.holidays.iter().enumerate() {
            match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) if d.len() == 10 => {
                    holidays.insert(date);
                }
                _ => c.problem(format!("{path}.holidays[{k}]"), format!("not a date: {d:?} (expected YYYY-MM-DD)")),
            }
        }
        if let Some(name) = &r.holiday_calendar {
            let at = format!("{path}.holidayCalendar");
            if let Some(cal) = crate::timeoff::find_calendar(&c.time_off.calendars, name, &at, &mut c.problems) {
                holidays.extend(cal.dates.iter().copied());
            }
        }
        let minimum = r.minimum_per_shift.as_ref().and_then(|m| {
            let mp = format!("{path}.minimumPerShift");
            match (&m.hours, &m.amount) {
                (Some(h), None) => value(c, h, format!("{mp}.hours")).and_then(|h| {
                    if h > 7 * 24 * SCALE {
                        c.problem(format!("{mp}.hours"), "must be at most 168 (a week)");
                        return None;
                    }
                    Some(Minimum::Seconds((h * 3600 / SCALE) as i64))
                }),
                (None, Some(a)) => value(c, a, format!("{mp}.amount")).map(|a| Minimum::Amount(a * SCALE)),
                (Some(_), Some(_)) => {
                    c.problem(format!("{mp}.amount"), "give hours or amount, not both");
                    None
                }
                (None, None) => {
                    c.problem(mp, "needs hours or amount");
                    None
                }
            }
        });
        if c.problems.len() == before {
            out.push(CPayRule {
                name: r.name.clone(),
                currency: r.currency.clone(),
                digits: minor_digits(&r.currency),
                schedules: scheds,
                users,
                zone,
                base: base * SCALE,
                rates,
                holidays,
                minimum,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The computation.

/// Seconds per band of one stretch, and its holiday seconds.
struct Split {
    /// Index = rate index; the last is the base band.
    seconds: Vec<i64>,
    holiday: i64,
}

impl CPayRule {
    fn applies(&self, schedule: usize, username: &str) -> bool {
        self.schedules.as_ref().is_none_or(|s| s.contains(&schedule))
            && self.users.as_ref().is_none_or(|u| u.contains(username))
    }

    fn rate_of(&self, band: usize) -> i128 {
        self.rates.get(band).map_or(self.base, |r| r.rate)
    }

    /// Splits `[s, e)` into the bands that pay it (see the module docs), in zone `tz`, a week
    /// at a time (the band of an instant depends on that instant alone, so the pieces add up),
    /// so the memory stays within a week's windows of the rates however long the stretch.
    fn split(&self, tz: Tz, s: i64, e: i64) -> Split {
        const WEEK: i64 = 7 * 86_400;
        let mut out = Split { seconds: vec![0; self.rates.len() + 1], holiday: 0 };
        let mut a = s;
        while a < e {
            let b = e.min(a.saturating_add(WEEK));
            self.split_piece(tz, a, b, &mut out);
            a = b;
        }
        out
    }

    /// Adds the bands of `[s, e)` to `out`.
    fn split_piece(&self, tz: Tz, s: i64, e: i64, out: &mut Split) {
        let n = self.rates.len();
        let first = crate::time::local(tz, s).date() - Duration::days(1);
        let last = crate::time::local(tz, e).date();
        let mut events: Vec<(i64, bool, usize)> = Vec::new();
        let at = |d: NaiveDate, secs: u32, edge: Edge| {
            d.and_hms_opt(0, 0, 0).map_or(i64::MAX, |m| resolve(tz, m + Duration::seconds(secs.into()), edge))
        };
        for d in first.iter_days().take_while(|d| *d <= last) {
            let is_holiday = self.holidays.contains(&d);
            if is_holiday && let Some(next) = d.succ_opt() {
                out.holiday += overlap(s, e, at(d, 0, Edge::Start), at(next, 0, Edge::End));
            }
            let bit = 1u8 << d.weekday().num_days_from_monday();
            for (i, r) in self.rates.iter().enumerate() {
                let matches = if r.holiday { is_holiday } else { r.days & bit != 0 };
                if !matches {
                    continue;
                }
                let end_day = if r.to <= r.from { d.succ_opt() } else { Some(d) };
                let Some(end_day) = end_day else { continue };
                let (a, b) = (at(d, r.from, Edge::Start).max(s), at(end_day, r.to, Edge::End).min(e));
                if a < b {
                    events.push((a, true, i));
                    events.push((b, false, i));
                }
            }
        }
        events.sort_unstable();
        // Active rates: count per rate, and the set ordered by (highest rate, earliest index).
        let mut count = vec![0u32; n];
        let mut active: BTreeSet<(std::cmp::Reverse<i128>, usize)> = BTreeSet::new();
        let mut t = s;
        for (at, start, i) in events {
            if at > t {
                let band = active.first().map_or(n, |&(_, i)| i);
                out.seconds[band] += at - t;
                t = at;
            }
            let key = (std::cmp::Reverse(self.rates[i].rate), i);
            if start {
                count[i] += 1;
                active.insert(key);
            } else {
                count[i] -= 1;
                if count[i] == 0 {
                    active.remove(&key);
                }
            }
        }
        if e > t {
            out.seconds[active.first().map_or(n, |&(_, i)| i)] += e - t;
        }
    }

    /// The exact pay of a split, in 1/[`RATE_SCALE`]-hours.
    fn exact(&self, split: &Split) -> i128 {
        split.seconds.iter().enumerate().map(|(b, &secs)| i128::from(secs) * self.rate_of(b)).sum()
    }
}

fn overlap(s: i64, e: i64, ws: i64, we: i64) -> i64 {
    (e.min(we) - s.max(ws)).max(0)
}

/// Exact pay (seconds × rate in 1/RATE_SCALE per hour) in minor units, half away from zero.
fn minor(exact: i128, digits: u32) -> i64 {
    let den = 3600 * RATE_SCALE;
    let num = exact * 10i128.pow(digits);
    let q = (num + den / 2).div_euclid(den);
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// Minor units as a fixed-point decimal: `12345` with 2 digits is `123.45`.
///
/// ```
/// assert_eq!(oncall_core::pay::money(12345, 2), "123.45");
/// assert_eq!(oncall_core::pay::money(5, 2), "0.05");
/// assert_eq!(oncall_core::pay::money(500, 0), "500");
/// ```
pub fn money(minor: i64, digits: u32) -> String {
    if digits == 0 {
        return minor.to_string();
    }
    let p = 10i64.pow(digits);
    format!("{}.{:0width$}", minor / p, minor % p, width = digits as usize)
}

/// Seconds as hours with 2 decimals, half up (`5400` is `1.50`, `60` is `0.02`).
///
/// ```
/// assert_eq!(oncall_core::pay::hours_text(5400), "1.50");
/// assert_eq!(oncall_core::pay::hours_text(60), "0.02");
/// ```
pub fn hours_text(secs: i64) -> String {
    let hundredths = (i128::from(secs) * 100 + 1800) / 3600;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// An hourly rate (in 1/RATE_SCALE) as a decimal with at least 2 decimals.
fn rate_text(rate: i128) -> String {
    let int = rate / RATE_SCALE;
    let mut frac = format!("{:012}", rate % RATE_SCALE);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{int}.{frac}")
}

/// One line of a user's pay: one band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayLine {
    /// The band: `base` or the rate's name.
    pub band: String,
    /// Pay per hour in the band, a decimal (`18.75`).
    pub rate: String,
    /// Seconds paid in the band.
    pub seconds: i64,
    /// `seconds` in hours, 2 decimals.
    pub hours: String,
    /// The line's amount in minor units (cents), rounded once.
    pub amount_minor: i64,
    /// `amountMinor` as a decimal of the currency (`123.45`).
    pub amount: String,
}

/// The minimum-per-shift top-ups of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MinimumLine {
    /// Shifts topped up.
    pub shifts: usize,
    /// Hours credited but not on call (`{hours}` minimums; 0 for `{amount}`), in seconds.
    pub seconds: i64,
    /// The top-ups in minor units, rounded once.
    pub amount_minor: i64,
    /// `amountMinor` as a decimal.
    pub amount: String,
}

/// The pay of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPay {
    /// The username.
    pub username: String,
    /// The pay rule.
    pub rule: String,
    /// Its currency.
    pub currency: String,
    /// The zone time of day was read in.
    pub timezone: String,
    /// Shifts in the window (stretches, clipped to it).
    pub shifts: usize,
    /// On-call seconds: the sum of the lines' seconds.
    pub seconds: i64,
    /// One line per band with time in it, in the rule's order (`base` first).
    pub lines: Vec<PayLine>,
    /// The minimum top-ups, when the rule has a minimum and some shift needed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<MinimumLine>,
    /// The sum of the lines' and the minimum's `amountMinor`.
    pub amount_minor: i64,
    /// `amountMinor` as a decimal.
    pub amount: String,
}

/// A user on call (or a participant) whom no pay rule covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unpaid {
    /// The username.
    pub username: String,
    /// On-call seconds in the window.
    pub seconds: i64,
}

/// The total of one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyTotal {
    /// The ISO 4217 code.
    pub currency: String,
    /// Paid on-call seconds.
    pub seconds: i64,
    /// The sum of the users' `amountMinor`.
    pub amount_minor: i64,
    /// `amountMinor` as a decimal.
    pub amount: String,
}

/// The pay of a schedule's users over a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pay {
    /// Paid users with on-call time, sorted by username.
    pub users: Vec<UserPay>,
    /// Users with on-call time whom no rule covers, sorted by username.
    pub unpaid: Vec<Unpaid>,
    /// Per currency, sorted by code.
    pub totals: Vec<CurrencyTotal>,
}

/// One person of the fairness view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FairUser {
    /// The username.
    pub username: String,
    /// On-call hours.
    pub on_call_hours: f64,
    /// Night hours (the analysis's).
    pub night_hours: f64,
    /// Weekend hours (the analysis's).
    pub weekend_hours: f64,
    /// Hours on the holidays of the user's pay rule.
    pub holiday_hours: f64,
    /// Shifts (stretches).
    pub shifts: usize,
}

/// The spread of one measure among the people.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spread {
    /// The least.
    pub min: f64,
    /// The most.
    pub max: f64,
    /// `max - min`.
    pub range: f64,
    /// The mean.
    pub mean: f64,
    /// The population standard deviation.
    pub std_dev: f64,
}

impl Spread {
    /// The spread of `values` (all zero for none).
    ///
    /// ```
    /// let s = oncall_core::pay::Spread::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
    /// assert_eq!((s.min, s.max, s.range, s.mean, s.std_dev), (2.0, 9.0, 7.0, 5.0, 2.0));
    /// ```
    pub fn of(values: &[f64]) -> Spread {
        if values.is_empty() {
            return Spread { min: 0.0, max: 0.0, range: 0.0, mean: 0.0, std_dev: 0.0 };
        }
        let n = values.len() as f64;
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        Spread { min, max, range: max - min, mean, std_dev: var.sqrt() }
    }
}

/// The spreads of the fairness view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spreads {
    /// Of on-call hours.
    pub on_call: Spread,
    /// Of night hours.
    pub night: Spread,
    /// Of weekend hours.
    pub weekend: Spread,
    /// Of holiday hours.
    pub holiday: Spread,
    /// Of shifts.
    pub shifts: Spread,
}

/// The fairness view: per person and the spread of each measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fairness {
    /// Per person, sorted by username (the analysis's users).
    pub users: Vec<FairUser>,
    /// Per measure.
    pub spread: Spreads,
}

/// The report of a schedule over a window: the [analysis](crate::analysis) (its fields at the
/// top), the fairness view and the pay.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayReport {
    /// The analysis.
    #[serde(flatten)]
    pub analysis: Analysis,
    /// The fairness view.
    pub fairness: Fairness,
    /// The pay.
    pub pay: Pay,
}

/// Adds `[s, e)` of a user to the exact pay and seconds per band.
struct UserAcc<'r> {
    rule: &'r CPayRule,
    tz: Tz,
    seconds: Vec<i64>,
    holiday: i64,
    shifts: usize,
    topped: usize,
    top_seconds: i64,
    top_exact: i128,
}

impl Schedule<'_> {
    /// The first pay rule paying `username` on this schedule (see the [`pay`](crate::pay)
    /// module), with the zone it reads time of day in.
    fn pay_rule(&self, username: &str) -> Option<(&crate::pay::CPayRule, Tz)> {
        let rule = self.config.pay.iter().find(|r| r.applies(self.index, username))?;
        Some((rule, rule.zone.unwrap_or_else(|| self.user_zone(username).0)))
    }

    /// The analysis, fairness view and pay of the final schedule over `[from, to)` (see the
    /// [`pay`](crate::pay) module for the rules). Limits as [`Schedule::analyze`]; the work of
    /// the pay grows with the shifts times the days they span times the rates of the rule
    /// (`maxPayRates`).
    pub fn pay_report(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<PayReport> {
        let (analysis, stretches) = self.analyze_stretches(from, to)?;
        let (from_s, to_s) = (analysis.start_date.timestamp(), analysis.end_date.timestamp());
        let mut accs: BTreeMap<&str, UserAcc<'_>> = BTreeMap::new();
        let mut unpaid = Vec::new();
        // Who was on call just before the window, and who stays on call after it (for minimums).
        let needs_minimum = self.config.pay.iter().any(|r| r.minimum.is_some());
        let before: Vec<String> = if needs_minimum && from_s > crate::time::MIN_INSTANT {
            let mut it = self.segments(analysis.start_date - Duration::seconds(1), analysis.start_date)?;
            it.next().map(|s| s.recipients).unwrap_or_default()
        } else {
            Vec::new()
        };
        let mut after: HashMap<String, i64> = HashMap::new();
        if needs_minimum && to_s < crate::time::MAX_INSTANT {
            let end = (analysis.end_date + Duration::days(MINIMUM_LOOKAHEAD_DAYS))
                .min(crate::time::to_utc(crate::time::MAX_INSTANT));
            let mut open: Vec<String> = stretches
                .iter()
                .filter(|(_, v)| v.last().is_some_and(|l| l.1 == to_s))
                .map(|(u, _)| u.clone())
                .collect();
            let mut it = self.segments(analysis.end_date, end)?;
            for seg in it.by_ref() {
                open.retain(|u| {
                    let on = seg.recipients.contains(u);
                    if on {
                        after.insert(u.clone(), seg.end_date.timestamp());
                    }
                    on
                });
                if open.is_empty() {
                    break;
                }
            }
            if let Some(e) = it.error() {
                return Err(e.clone());
            }
        }
        for u in &analysis.users {
            let spans = stretches.get(&u.username).map(Vec::as_slice).unwrap_or(&[]);
            let Some((rule, tz)) = self.pay_rule(&u.username) else {
                if u.on_call_seconds > 0 {
                    unpaid.push(Unpaid { username: u.username.clone(), seconds: u.on_call_seconds });
                }
                continue;
            };
            let n = rule.rates.len() + 1;
            let mut acc = UserAcc {
                rule,
                tz,
                seconds: vec![0; n],
                holiday: 0,
                shifts: spans.len(),
                topped: 0,
                top_seconds: 0,
                top_exact: 0,
            };
            for &(s, e) in spans {
                let split = rule.split(tz, s, e);
                for (b, secs) in split.seconds.iter().enumerate() {
                    acc.seconds[b] += secs;
                }
                acc.holiday += split.holiday;
                let Some(min) = rule.minimum else { continue };
                if s == from_s && before.contains(&u.username) {
                    continue; // started in an earlier window
                }
                let tail = (e == to_s).then(|| after.get(&u.username).copied()).flatten();
                let whole = tail.map(|t| rule.split(tz, e, t));
                let secs = e - s + tail.map_or(0, |t| t - e);
                let (top_s, top_x) = match min {
                    Minimum::Seconds(m) => ((m - secs).max(0), i128::from((m - secs).max(0)) * rule.base),
                    Minimum::Amount(m) => {
                        let paid = rule.exact(&split) + whole.as_ref().map_or(0, |w| rule.exact(w));
                        (0, (m * 3600 - paid).max(0))
                    }
                };
                if top_x > 0 || top_s > 0 {
                    acc.topped += 1;
                    acc.top_seconds += top_s;
                    acc.top_exact += top_x;
                }
            }
            accs.insert(u.username.as_str(), acc);
        }
        let mut users = Vec::new();
        let mut totals: BTreeMap<&str, (i64, i64, u32)> = BTreeMap::new();
        for (username, acc) in &accs {
            let rule = acc.rule;
            let total_secs: i64 = acc.seconds.iter().sum();
            if total_secs == 0 {
                continue;
            }
            let n = rule.rates.len();
            let order = std::iter::once(n).chain(0..n);
            let lines: Vec<PayLine> = order
                .filter(|&b| acc.seconds[b] > 0)
                .map(|b| {
                    let secs = acc.seconds[b];
                    let m = minor(i128::from(secs) * rule.rate_of(b), rule.digits);
                    PayLine {
                        band: rule.rates.get(b).map_or_else(|| "base".to_string(), |r| r.band.clone()),
                        rate: rate_text(rule.rate_of(b)),
                        seconds: secs,
                        hours: hours_text(secs),
                        amount_minor: m,
                        amount: money(m, rule.digits),
                    }
                })
                .collect();
            let minimum = (acc.topped > 0).then(|| {
                let m = minor(acc.top_exact, rule.digits);
                MinimumLine {
                    shifts: acc.topped,
                    seconds: acc.top_seconds,
                    amount_minor: m,
                    amount: money(m, rule.digits),
                }
            });
            let amount = lines
                .iter()
                .map(|l| l.amount_minor)
                .chain(minimum.as_ref().map(|m| m.amount_minor))
                .fold(0i64, i64::saturating_add);
            let t = totals.entry(rule.currency.as_str()).or_insert((0, 0, rule.digits));
            t.0 += total_secs;
            t.1 = t.1.saturating_add(amount);
            users.push(UserPay {
                username: username.to_string(),
                rule: rule.name.clone(),
                currency: rule.currency.clone(),
                timezone: acc.tz.name().to_string(),
                shifts: acc.shifts,
                seconds: total_secs,
                lines,
                minimum,
                amount_minor: amount,
                amount: money(amount, rule.digits),
            });
        }
        let totals = totals
            .into_iter()
            .map(|(c, (s, a, d))| CurrencyTotal {
                currency: c.to_string(),
                seconds: s,
                amount_minor: a,
                amount: money(a, d),
            })
            .collect();
        let h = |s: i64| s as f64 / 3600.0;
        let fair: Vec<FairUser> = analysis
            .users
            .iter()
            .map(|u| FairUser {
                username: u.username.clone(),
                on_call_hours: h(u.on_call_seconds),
                night_hours: h(u.night_seconds),
                weekend_hours: h(u.weekend_seconds),
                holiday_hours: h(accs.get(u.username.as_str()).map_or(0, |a| a.holiday)),
                shifts: u.stretches,
            })
            .collect();
        let spread = |f: &dyn Fn(&FairUser) -> f64| Spread::of(&fair.iter().map(f).collect::<Vec<_>>());
        let spreads = Spreads {
            on_call: spread(&|u| u.on_call_hours),
            night: spread(&|u| u.night_hours),
            weekend: spread(&|u| u.weekend_hours),
            holiday: spread(&|u| u.holiday_hours),
            shifts: spread(&|u| u.shifts as f64),
        };
        Ok(PayReport {
            analysis,
            fairness: Fairness { users: fair, spread: spreads },
            pay: Pay { users, unpaid, totals },
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Config;

    fn ts(s: &str) -> chrono::DateTime<chrono::Utc> {
        s.parse().unwrap()
    }

    /// A schedule where `ann` is on call all the time, in `zone`, with one pay rule.
    fn always(zone: &str, rule: &str) -> Config {
        Config::from_json(&format!(
            r#"{{"schedules": [{{"name": "s", "timezone": "{zone}", "rotations": [
                {{"name": "r", "type": "weekly", "startDate": "2020-01-06T00:00:00Z", "participants": ["ann"]}}]}}],
               "payRules": [{rule}]}}"#
        ))
        .unwrap()
    }

    fn lines(c: &Config, from: &str, to: &str) -> Vec<(String, i64, String)> {
        let r = c.schedule("s").unwrap().pay_report(ts(from), ts(to)).unwrap();
        r.pay.users[0].lines.iter().map(|l| (l.band.clone(), l.seconds, l.amount.clone())).collect()
    }

    const NIGHT: &str = r#"{"name": "p", "currency": "EUR", "baseRate": 1,
        "rates": [{"name": "night", "from": "22:00", "to": "07:00", "rate": 10}]}"#;

    #[test]
    fn berlin_spring_forward_night_is_eight_hours() {
        // The night of Saturday 2026-03-28 to Sunday 03-29 in Berlin: 22:00 CET = 21:00Z to
        // 07:00 CEST = 05:00Z: 8 real hours.
        let c = always("Europe/Berlin", NIGHT);
        let l = lines(&c, "2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z");
        assert_eq!(l, [("base".into(), 16 * 3600, "16.00".into()), ("night".into(), 8 * 3600, "80.00".into())]);
    }

    #[test]
    fn a_month_long_shift_pays_the_nights_the_report_counts() {
        // One stretch of 30 days across the spring-forward change (split a week at a time): the
        // night band is exactly the report's night hours, counted by its own code.
        let c = always("Europe/Berlin", NIGHT);
        let r = c.schedule("s").unwrap().pay_report(ts("2026-03-10T10:00:00Z"), ts("2026-04-09T10:00:00Z")).unwrap();
        let night = r.pay.users[0].lines.iter().find(|l| l.band == "night").unwrap().seconds;
        assert_eq!(night, r.analysis.users[0].night_seconds);
        assert_eq!(night, (30 * 9 - 1) * 3600);
    }

    #[test]
    fn chicago_fall_back_night_is_ten_hours() {
        // 2026-10-31 22:00 CDT = 11-01 03:00Z to 11-01 07:00 CST = 13:00Z.
        let c = always("America/Chicago", NIGHT);
        let l = lines(&c, "2026-10-31T15:00:00Z", "2026-11-01T15:00:00Z");
        assert_eq!(l, [("base".into(), 14 * 3600, "14.00".into()), ("night".into(), 10 * 3600, "100.00".into())]);
    }

    #[test]
    fn lord_howe_half_hour_change() {
        // Lord Howe moves by 30 minutes: +11 (summer) to +10:30 on 2026-04-05 at 02:00 local.
        // The night of 04-04 to 04-05: 22:00 +11 = 11:00Z to 07:00 +10:30 = 20:30Z: 9.5 hours.
        let c = always("Australia/Lord_Howe", NIGHT);
        let l = lines(&c, "2026-04-04T01:00:00Z", "2026-04-05T01:00:00Z");
        assert_eq!(l[1], ("night".into(), 9 * 3600 + 1800, "95.00".into()));
        assert_eq!(l[0].1 + l[1].1, 24 * 3600);
    }

    #[test]
    fn a_holiday_calendar_gives_its_dates() {
        // The same Christmas as an inline date and through `holidayCalendars`: the same pay.
        let rule = |h: &str| {
            format!(
                r#"{{"name": "p", "currency": "EUR", "baseRate": 1, {h}, "rates": [{{"name": "xmas", "holiday": true, "rate": 3}}]}}"#
            )
        };
        let inline = always("UTC", &rule(r#""holidays": ["2026-12-25"]"#));
        let doc = format!(
            r#"{{"holidayCalendars": [{{"name": "de", "dates": ["2026-12-25"]}}],
                "schedules": [{{"name": "s", "timezone": "UTC", "rotations": [
                {{"name": "r", "type": "weekly", "startDate": "2020-01-06T00:00:00Z", "participants": ["ann"]}}]}}],
                "payRules": [{}]}}"#,
            rule(r#""holidayCalendar": "de""#)
        );
        let by_calendar = Config::from_json(&doc).unwrap();
        let (from, to) = ("2026-12-24T00:00:00Z", "2026-12-27T00:00:00Z");
        let want = [("base".to_string(), 48 * 3600, "48.00".to_string()), ("xmas".into(), 24 * 3600, "72.00".into())];
        assert_eq!(lines(&inline, from, to), want);
        assert_eq!(lines(&by_calendar, from, to), want);
        let err =
            Config::from_json(&doc.replace(r#""holidayCalendar": "de""#, r#""holidayCalendar": "dd""#)).unwrap_err();
        assert!(
            err.to_string()
                .contains(r#"payRules[0].holidayCalendar: unknown holiday calendar "dd"; did you mean "de"?"#),
            "{err}"
        );
    }

    #[test]
    fn highest_rate_wins_whatever_the_order() {
        let a = r#"{"name": "p", "currency": "EUR", "baseRate": 1, "holidays": ["2026-12-25"], "rates": [
            {"name": "weekend", "days": ["sat", "sun"], "rate": 2}, {"name": "xmas", "holiday": true, "multiplier": 3}]}"#;
        let b = r#"{"name": "p", "currency": "EUR", "baseRate": 1, "holidays": ["2026-12-25"], "rates": [
            {"name": "xmas", "holiday": true, "multiplier": 3}, {"name": "weekend", "days": ["sat", "sun"], "rate": 2}]}"#;
        // Friday 2026-12-25 (holiday) to Monday 12-28, UTC.
        let want = |l: Vec<(String, i64, String)>| {
            let mut l = l;
            l.sort();
            l
        };
        let (la, lb) = (
            lines(&always("UTC", a), "2026-12-25T00:00:00Z", "2026-12-28T00:00:00Z"),
            lines(&always("UTC", b), "2026-12-25T00:00:00Z", "2026-12-28T00:00:00Z"),
        );
        assert_eq!(want(la.clone()), want(lb));
        assert_eq!(
            want(la),
            [("weekend".into(), 48 * 3600, "96.00".into()), ("xmas".into(), 24 * 3600, "72.00".into())]
        );
    }

    #[test]
    fn rounding_once_per_line() {
        let c = always("UTC", r#"{"name": "p", "currency": "USD", "baseRate": "0.01"}"#);
        // 30 minutes at 0.01 is 0.005: rounds half away from zero to 0.01.
        let l = lines(&c, "2026-01-05T00:00:00Z", "2026-01-05T00:30:00Z");
        assert_eq!(l, [("base".into(), 1800, "0.01".into())]);
        let c = always("UTC", r#"{"name": "p", "currency": "JPY", "baseRate": 1001}"#);
        let l = lines(&c, "2026-01-05T00:00:00Z", "2026-01-05T00:30:00Z");
        assert_eq!(l, [("base".into(), 1800, "501".into())]);
    }

    #[test]
    fn minimum_per_shift() {
        // Daily 09:00-11:00 shifts of ann: each 2 h, minimum 4 h at base 10 = 20 top-up each.
        let c = Config::from_json(
            r#"{"schedules": [{"name": "s", "rotations": [
                {"name": "r", "type": "daily", "startDate": "2026-01-05T00:00:00Z", "participants": ["ann"],
                 "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 11}}}]}],
               "payRules": [{"name": "p", "currency": "EUR", "baseRate": 10, "minimumPerShift": {"hours": 4}}]}"#,
        )
        .unwrap();
        let r = c.schedule("s").unwrap().pay_report(ts("2026-01-05T00:00:00Z"), ts("2026-01-08T00:00:00Z")).unwrap();
        let ann = &r.pay.users[0];
        let m = ann.minimum.as_ref().unwrap();
        assert_eq!((m.shifts, m.seconds, m.amount.as_str()), (3, 3 * 2 * 3600, "60.00"));
        assert_eq!(ann.amount, "120.00");
        // A window starting mid-shift gives that shift no minimum; one ending mid-shift judges
        // it whole (2 h, so topped up by 2 h, not 3.5).
        let r = c.schedule("s").unwrap().pay_report(ts("2026-01-05T10:00:00Z"), ts("2026-01-06T09:30:00Z")).unwrap();
        let m = r.pay.users[0].minimum.as_ref().unwrap();
        assert_eq!((m.shifts, m.seconds), (1, 2 * 3600));
        // An amount minimum: 2 h at 10 = 20 per shift, topped up to 50.
        let c = Config::from_json(
            r#"{"schedules": [{"name": "s", "rotations": [
                {"name": "r", "type": "daily", "startDate": "2026-01-05T00:00:00Z", "participants": ["ann"],
                 "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 9, "endHour": 11}}}]}],
               "payRules": [{"name": "p", "currency": "EUR", "baseRate": 10, "minimumPerShift": {"amount": "50"}}]}"#,
        )
        .unwrap();
        let r = c.schedule("s").unwrap().pay_report(ts("2026-01-05T00:00:00Z"), ts("2026-01-07T00:00:00Z")).unwrap();
        let ann = &r.pay.users[0];
        let m = ann.minimum.as_ref().unwrap();
        assert_eq!((m.shifts, m.seconds, m.amount.as_str(), ann.amount.as_str()), (2, 0, "60.00", "100.00"));
    }

    #[test]
    fn errors_name_their_paths() {
        let err = Config::from_json(
            r#"{"schedules": [{"name": "s"}], "payRules": [{"name": "p", "currency": "euro", "baseRate": "1,5",
                "schedules": ["t"], "holidayCalendar": "de", "holidays": ["2026-13-01"],
                "rates": [{"from": "25:00", "rate": 1}, {"days": ["fr"], "rate": 1, "multiplier": 2}, {}],
                "minimumPerShift": {}}]}"#,
        )
        .unwrap_err()
        .to_string();
        for want in [
            "payRules[0].currency: not an ISO 4217 currency code",
            "payRules[0].baseRate: not a decimal number: \"1,5\"",
            "payRules[0].schedules[0]: unknown schedule \"t\"",
            "payRules[0].holidayCalendar: unknown holiday calendar \"de\"",
            "payRules[0].holidays[0]: not a date",
            "payRules[0].rates[0].from: not a time of day",
            "payRules[0].rates[1].days[0]: not a weekday",
            "payRules[0].rates[1].multiplier: give rate or multiplier, not both",
            "payRules[0].rates[2]: needs a rate or a multiplier",
            "payRules[0].minimumPerShift: needs hours or amount",
        ] {
            assert!(err.contains(want), "{want} not in {err}");
        }
        let err = Config::from_json(
            r#"{"payRules": [{"name": "p", "currency": "EUR", "baseRate": 1, "rates": [{"form": "22:00"}]}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("payRules[0].rates[0].form: unknown field"), "{err}");
    }

    #[test]
    fn unpaid_users_are_listed() {
        let c = always("UTC", r#"{"name": "p", "currency": "EUR", "baseRate": 1, "users": ["bob"]}"#);
        let r = c.schedule("s").unwrap().pay_report(ts("2026-01-05T00:00:00Z"), ts("2026-01-06T00:00:00Z")).unwrap();
        assert!(r.pay.users.is_empty());
        assert_eq!(r.pay.unpaid[0].username, "ann");
        assert_eq!(r.pay.unpaid[0].seconds, 86_400);
    }
}
