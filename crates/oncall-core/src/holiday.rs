//! Holiday calendars: named lists of local dates (public holidays, office closures).
//!
//! A calendar is written at the top of the document (`holidayCalendars`), as a list of dates
//! (`"2026-12-25"`), as the text of an ICS calendar whose **all-day** events are the dates (an
//! event from `DTSTART;VALUE=DATE:20261224` to `DTEND;VALUE=DATE:20261227` gives the 24th, 25th
//! and 26th: `DTEND` is exclusive, and an event without it is one day), or both. A calendar is
//! bound by name:
//!
//! - to a **rotation** (`rotation.holidays`): on each date, from local midnight to the next
//!   local midnight **in the rotation's zone**, the rotation is closed: it yields nobody, as
//!   outside its time restriction, so a lower layer shows through; turn counting is unchanged
//!   (a business-hours rotation is simply not on call on Christmas Day);
//! - to a **user** (`users[].holidays`): on each date, in **the user's zone** (UTC for a user
//!   without one), the user is away, as with time off ([`crate::timeoff`]), and the rotation's
//!   `timeOffPolicy` decides who takes the shift.
//!
//! Dates are calendar dates, not instants: the same calendar bound to a rotation in Berlin and
//! one in New York closes each at its own midnight. A day that starts or ends in a DST gap
//! starts or ends at the first instant after the gap (the wall-clock rule).
//!
//! Errors name their path: a date that is not `YYYY-MM-DD`, an ICS text that is not a calendar,
//! an event that is not all-day (`holidayCalendars[0].ics: event 3 (line 17) is not an all-day
//! event (DTSTART has a time)`), a recurring event (`RRULE`: list the dates instead), a
//! duplicate calendar name, an unknown name where a calendar is bound. Nothing is dropped
//! silently. A calendar holds at most `maxListLen` dates (an event spanning years counts each
//! of its days).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

impl crate::config::Document {
    /// Binds calendar `name` to the text of an ICS file (`oncall … --holidays NAME=FILE.ics`):
    /// the document's calendar of that name, if any, is **replaced** (its `dates` and `ics` give
    /// way to the file's all-day events, so the file is the whole calendar), else a calendar of
    /// that name is **added** at the end of `holidayCalendars`. Returns its place there, so that
    /// the problems of the file (`holidayCalendars[i].ics: …`) can be named by where it came
    /// from. The ICS is read when the document is compiled, by the rules above.
    ///
    /// ```
    /// use oncall_core::{Config, config::Document};
    /// let mut doc = Document::from_json(r#"{"holidayCalendars": [{"name": "uk", "dates": ["2026-12-25"]}]}"#)?;
    /// let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261226\nEND:VEVENT\nEND:VCALENDAR\n";
    /// assert_eq!(doc.bind_holiday_ics("uk", ics.into()), 0);
    /// assert_eq!(doc.bind_holiday_ics("de", ics.into()), 1);
    /// let config = Config::compile(&doc)?;
    /// let uk = config.holiday_calendar("uk").unwrap();
    /// assert!(uk.contains("2026-12-26".parse()?) && !uk.contains("2026-12-25".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bind_holiday_ics(&mut self, name: &str, ics: String) -> usize {
        let calendar = HolidayCalendarDoc { name: name.to_string(), dates: Vec::new(), ics: Some(ics) };
        match self.holiday_calendars.iter().position(|c| c.name == name) {
            Some(i) => {
                self.holiday_calendars[i] = calendar;
                i
            }
            None => {
                self.holiday_calendars.push(calendar);
                self.holiday_calendars.len() - 1
            }
        }
    }
}

/// A holiday calendar as written in the document (`holidayCalendars[]`).
///
/// # Example
///
/// ```
/// use oncall_core::Config;
/// let config = Config::from_json(r#"{"holidayCalendars": [{"name": "de", "dates": ["2026-12-25"],
///   "ics": "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261226\nEND:VEVENT\nEND:VCALENDAR\n"}]}"#)?;
/// let de = config.holiday_calendar("de").unwrap();
/// assert!(de.contains("2026-12-26".parse()?));
/// assert!(!de.contains("2026-12-27".parse()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HolidayCalendarDoc {
    /// `name`: the calendar's name, unique; rotations and users bind it by this name. Required.
    pub name: String,
    /// `dates`: local dates, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<String>,
    /// `ics`: the text of an ICS calendar (RFC 5545) whose all-day events are more dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ics: Option<String>,
}

/// A compiled holiday calendar: its dates, sorted and without repeats.
///
/// # Example
///
/// ```
/// use oncall_core::Config;
/// let config = Config::from_json(r#"{"holidayCalendars": [{"name": "us", "dates": ["2026-07-03", "2026-01-01"]}]}"#)?;
/// let us = config.holiday_calendar("us").unwrap();
/// assert_eq!(us.name(), "us");
/// assert_eq!(us.dates().len(), 2);
/// assert_eq!(us.dates()[0].to_string(), "2026-01-01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayCalendar {
    pub(crate) name: String,
    pub(crate) dates: Vec<NaiveDate>,
}

impl HolidayCalendar {
    /// The calendar's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its dates, sorted, each once.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Whether `date` is a holiday of this calendar (a binary search).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.dates.binary_search(&date).is_ok()
    }
}

impl crate::Config {
    /// The holiday calendar named `name` (see [`crate::holiday`]), for callers that need the
    /// dates themselves (pay rates, reports).
    ///
    /// ```
    /// let config = oncall_core::Config::from_json(r#"{"holidayCalendars": [{"name": "x", "dates": ["2026-05-01"]}]}"#)?;
    /// assert!(config.holiday_calendar("x").unwrap().contains("2026-05-01".parse()?));
    /// assert!(config.holiday_calendar("y").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn holiday_calendar(&self, name: &str) -> Option<&HolidayCalendar> {
        self.time_off.calendars.iter().find(|c| c.name == name)
    }

    /// The names of the holiday calendars, in document order.
    pub fn holiday_calendar_names(&self) -> impl Iterator<Item = &str> {
        self.time_off.calendars.iter().map(|c| c.name.as_str())
    }
}

/// Compiles `holidayCalendars`, pushing every problem with its path.
pub(crate) fn compile(
    docs: &[HolidayCalendarDoc],
    max_dates: usize,
    problems: &mut Vec<crate::Problem>,
) -> Vec<HolidayCalendar> {
    let mut out: Vec<HolidayCalendar> = Vec::new();
    for (i, c) in docs.iter().enumerate() {
        let path = format!("holidayCalendars[{i}]");
        if c.name.trim().is_empty() {
            problems.push(crate::Problem::new(format!("{path}.name"), "must not be empty"));
        } else if let Some(first) = docs[..i].iter().position(|d| d.name == c.name) {
            problems.push(crate::Problem::new(
                format!("{path}.name"),
                format!("duplicate holiday calendar name {:?} (also holidayCalendars[{first}])", c.name),
            ));
        }
        let mut dates = Vec::new();
        for (j, d) in c.dates.iter().enumerate() {
            match parse_date(d) {
                Some(date) => dates.push(date),
                None => problems.push(crate::Problem::new(
                    format!("{path}.dates[{j}]"),
                    format!("expected a date such as \"2026-12-25\", found {d:?}"),
                )),
            }
        }
        if let Some(text) = &c.ics
            && let Err(message) = ics_dates(text, max_dates, &mut dates)
        {
            problems.push(crate::Problem::new(format!("{path}.ics"), message));
        }
        dates.sort_unstable();
        dates.dedup();
        if dates.len() > max_dates {
            problems.push(crate::Problem::new(path.clone(), format!("more than {max_dates} dates (limit maxListLen)")));
            dates.truncate(max_dates);
        }
        out.push(HolidayCalendar { name: c.name.clone(), dates });
    }
    out
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    (t.len() == 10).then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()).flatten()
}

/// The dates of the all-day events of an ICS text, appended to `out`; at most `max` dates.
fn ics_dates(text: &str, max: usize, out: &mut Vec<NaiveDate>) -> Result<(), String> {
    // Unfold (RFC 5545 §3.1): a line starting with a space or tab continues the previous one.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (n, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.1.push_str(rest),
            _ => lines.push((n + 1, raw.to_string())),
        }
    }
    if !lines.iter().any(|(_, l)| l.eq_ignore_ascii_case("BEGIN:VCALENDAR")) {
        return Err("not an ICS calendar (no BEGIN:VCALENDAR line)".into());
    }
    let mut event: Option<(usize, Option<NaiveDate>, Option<NaiveDate>)> = None;
    let mut count = 0;
    for (line_no, line) in &lines {
        let (head, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
        let name = head.split(';').next().unwrap_or("").to_ascii_uppercase();
        let params = head.to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" if value.eq_ignore_ascii_case("VEVENT") => {
                count += 1;
                event = Some((*line_no, None, None));
            }
            "END" if value.eq_ignore_ascii_case("VEVENT") => {
                let Some((start_line, start, end)) = event.take() else {
                    return Err(format!("line {line_no}: END:VEVENT without BEGIN:VEVENT"));
                };
                let Some(start) = start else {
                    return Err(format!("event {count} (line {start_line}) has no DTSTART"));
                };
                let end = end.unwrap_or(start + chrono::Duration::days(1));
                if end <= start {
                    return Err(format!("event {count} (line {start_line}): DTEND must be after DTSTART"));
                }
                let mut d = start;
                while d < end {
                    if out.len() >= max.saturating_mul(2).max(max + 1) {
                        return Err(format!("more than {max} dates (limit maxListLen)"));
                    }
                    out.push(d);
                    d = d.succ_opt().ok_or("a date past the calendar's range")?;
                }
            }
            "DTSTART" | "DTEND" if event.is_some() => {
                let v = value.trim();
                let date = (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| NaiveDate::parse_from_str(v, "%Y%m%d").ok())
                    .flatten();
                let Some(date) = date else {
                    let (start_line, ..) = event.unwrap_or_default();
                    return Err(if v.contains('T') || !params.contains("VALUE=DATE") && v.len() > 8 {
                        format!("event {count} (line {start_line}) is not an all-day event ({name} has a time)")
                    } else {
                        format!("line {line_no}: cannot read {v:?} as a date (expected {name};VALUE=DATE:YYYYMMDD)")
                    });
                };
                if let Some(e) = event.as_mut() {
                    if name == "DTSTART" { e.1 = Some(date) } else { e.2 = Some(date) }
                }
            }
            "RRULE" | "RDATE" | "EXDATE" if event.is_some() => {
                let (start_line, ..) = event.unwrap_or_default();
                return Err(format!(
                    "event {count} (line {start_line}) recurs ({name}); recurring events are not read: list each date"
                ));
            }
            _ => {}
        }
    }
    if let Some((start_line, ..)) = event {
        return Err(format!("event {count} (line {start_line}) has no END:VEVENT"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        ics_dates(text, 1000, &mut out)?;
        Ok(out.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn all_day_events_with_exclusive_ends_and_folded_lines() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Christmas\r\n  break\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2027\r\n 0101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(dates(text).unwrap(), ["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"]);
    }

    #[test]
    fn timed_recurring_and_broken_events_are_errors() {
        let timed = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261224T090000Z\nEND:VEVENT\nEND:VCALENDAR\n";
        assert_eq!(dates(timed).unwrap_err(), "event 1 (line 2) is not an all-day event (DTSTART has a time)");
        let rec =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR";
        assert!(dates(rec).unwrap_err().contains("recurring events are not read"));
        assert!(dates("hello").unwrap_err().starts_with("not an ICS calendar"));
        let open = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\n";
        assert_eq!(dates(open).unwrap_err(), "event 1 (line 2) has no END:VEVENT");
        let back =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nDTEND;VALUE=DATE:20261224\nEND:VEVENT\n";
        assert!(dates(back).unwrap_err().contains("DTEND must be after DTSTART"));
    }

    #[test]
    fn a_long_event_stops_at_the_limit() {
        let long =
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:19000101\nDTEND;VALUE=DATE:21991231\nEND:VEVENT\n";
        let mut out = Vec::new();
        assert!(ics_dates(long, 10, &mut out).unwrap_err().contains("limit maxListLen"));
        assert!(out.len() <= 20);
    }
}
