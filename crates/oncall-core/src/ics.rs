//! The final schedule as an RFC 5545 calendar (what `oncall timeline --format ics` prints).
//!
//! # Rules
//!
//! * **Events.** One VEVENT per user per segment of the final schedule (gaps have none), times
//!   in UTC (`DTSTART:20261110T080000Z`). The `DESCRIPTION` names the others on call in the same
//!   segment when there are at most [`MAX_LISTED`]; beyond, it counts them (each has an event of
//!   its own), so the calendar grows linearly with the on-call set, never quadratically.
//! * **Deterministic.** `DTSTAMP` is the window start; `UID` is built from the segment start,
//!   the user and the schedule.
//! * **Text.** Values are RFC 5545 TEXT (§3.3.11): backslash, `;` and `,` escaped, a newline
//!   written `\n`, a carriage return dropped, any other control character (except tab) and the
//!   bidirectional-override characters replaced by U+FFFD, so a name cannot add a property or
//!   break a calendar.
//! * **Lines.** CRLF line endings, content lines folded at 75 octets (never inside a UTF-8
//!   sequence), as RFC 5545 §3.1 requires.
//! * **Size.** Refused with [`Error::LimitExceeded`] (`maxIcsBytes` of [`Limits`](crate::Limits))
//!   as soon as the calendar would pass that many bytes: the check runs while writing, so a
//!   refused calendar never takes more memory than the limit.

use crate::error::{Error, Result};
use crate::output::Segment;
use crate::schedule::Schedule;
use chrono::{DateTime, Utc};

/// The most other users a `DESCRIPTION` names; beyond, it counts them.
pub const MAX_LISTED: usize = 10;

/// A UTC date-time in the basic format: `20261110T080000Z`.
fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11; see the module rules).
///
/// ```
/// assert_eq!(oncall_core::ics::escape("a,b;c\\d\ne\u{1b}"), "a\\,b\\;c\\\\d\\ne\u{fffd}");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push('\t'),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes a calendar, refusing it past its byte limit.
struct Writer {
    out: String,
    limit: usize,
}

impl Writer {
    /// Appends one content line, folded at 75 octets (never inside a UTF-8 sequence), with CRLF.
    fn line(&mut self, content: &str) -> Result<()> {
        // Folding adds 3 octets per 74; CRLF 2.
        if self.out.len() + content.len() + content.len() / 74 * 3 + 2 > self.limit {
            return Err(Error::LimitExceeded {
                limit: "maxIcsBytes",
                path: "to".into(),
                message: format!("this calendar would be larger than {} bytes; ask for a shorter window", self.limit),
                line: None,
                column: None,
            });
        }
        let mut width = 0;
        for c in content.chars() {
            let n = c.len_utf8();
            if width + n > 75 {
                self.out.push_str("\r\n ");
                width = 1;
            }
            self.out.push(c);
            width += n;
        }
        self.out.push_str("\r\n");
        Ok(())
    }
}

/// The calendar of `segments` of schedule `schedule` (a window starting at `start`), at most
/// `max_bytes` long (see the module rules).
///
/// ```
/// use oncall_core::{Config, Expand};
/// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
///   {"name": "day", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann", "ben"]}]}]}"#)?;
/// let ops = config.schedule("ops")?;
/// let (from, to) = ("2026-01-02T00:00:00Z".parse()?, "2026-01-03T00:00:00Z".parse()?);
/// let ics = oncall_core::ics::calendar("ops", from, ops.segments(from, to)?, 1 << 20)?;
/// assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
/// assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2); // ann until 09:00, then ben
/// assert!(ics.contains("SUMMARY:On call: ben (ops)\r\n"));
/// // Too small a limit is refused, naming it.
/// let err = oncall_core::ics::calendar("ops", from, ops.segments(from, to)?, 100).unwrap_err();
/// assert!(err.to_string().ends_with("(limit maxIcsBytes)"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn calendar(
    schedule: &str,
    start: DateTime<Utc>,
    segments: impl IntoIterator<Item = Segment>,
    max_bytes: usize,
) -> Result<String> {
    let mut w = Writer { out: String::new(), limit: max_bytes };
    let dtstamp = stamp(start);
    let name = escape(schedule);
    w.line("BEGIN:VCALENDAR")?;
    w.line("VERSION:2.0")?;
    w.line("PRODID:-//oncall//oncall//EN")?;
    w.line("CALSCALE:GREGORIAN")?;
    w.line("METHOD:PUBLISH")?;
    w.line(&format!("X-WR-CALNAME:On call: {name}"))?;
    for seg in segments {
        let (start, end) = (stamp(seg.start_date), stamp(seg.end_date));
        let users: Vec<String> = seg.recipients.iter().map(|u| escape(u)).collect();
        let n = users.len();
        for (i, user) in users.iter().enumerate() {
            w.line("BEGIN:VEVENT")?;
            w.line(&format!("UID:{start}-{user}-{name}@oncall"))?;
            w.line(&format!("DTSTAMP:{dtstamp}"))?;
            w.line(&format!("DTSTART:{start}"))?;
            w.line(&format!("DTEND:{end}"))?;
            w.line(&format!("SUMMARY:On call: {user} ({name})"))?;
            if n > 1 && n <= MAX_LISTED + 1 {
                let others: Vec<&str> =
                    users.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, u)| u.as_str()).collect();
                w.line(&format!("DESCRIPTION:Together with {}", others.join("\\, ")))?;
            } else if n > MAX_LISTED + 1 {
                w.line(&format!("DESCRIPTION:Together with {} others (each has an event in this calendar)", n - 1))?;
            }
            w.line("TRANSP:TRANSPARENT")?;
            w.line("END:VEVENT")?;
        }
    }
    w.line("END:VCALENDAR")?;
    Ok(w.out)
}

impl Schedule<'_> {
    /// The final schedule over `[from, to)` as an RFC 5545 calendar (see [`crate::ics`]),
    /// streamed from [`Schedule::segments`] and refused past `maxIcsBytes`.
    ///
    /// ```
    /// # let config = oncall_core::Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
    /// #   {"name": "day", "type": "daily", "startDate": "2026-01-01T09:00:00Z", "participants": ["ann"]}]}]}"#)?;
    /// let ics = config.schedule("ops")?.calendar("2026-01-02T00:00:00Z".parse()?, "2026-01-09T00:00:00Z".parse()?)?;
    /// assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn calendar(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<String> {
        let mut segments = self.segments(from, to)?;
        let ics = calendar(self.name(), from, segments.by_ref(), self.config.limits.max_ics_bytes)?;
        match segments.error() {
            Some(e) => Err(e.clone()),
            None => Ok(ics),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut w = Writer { out: String::new(), limit: 1 << 20 };
        let content = format!("SUMMARY:{}", "é".repeat(60));
        w.line(&content).unwrap();
        for physical in w.out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
        }
        // Unfolding gives the content back.
        assert_eq!(w.out.trim_end_matches("\r\n").replace("\r\n ", ""), content);
    }

    #[test]
    fn short_lines_are_not_folded() {
        let mut w = Writer { out: String::new(), limit: 100 };
        w.line("BEGIN:VCALENDAR").unwrap();
        assert_eq!(w.out, "BEGIN:VCALENDAR\r\n");
    }

    #[test]
    fn a_large_on_call_set_grows_linearly() {
        let seg = |n: usize| Segment {
            start_date: DateTime::from_timestamp(0, 0).unwrap(),
            end_date: DateTime::from_timestamp(3600, 0).unwrap(),
            recipients: (0..n).map(|i| format!("user{i:05}")).collect(),
            sources: None,
        };
        let start = DateTime::from_timestamp(0, 0).unwrap();
        let size = |n| calendar("s", start, [seg(n)], usize::MAX).unwrap().len();
        // Per user, a bounded number of bytes, whatever the set's size.
        let (a, b) = (size(1_000), size(10_000));
        assert!(b < a * 11, "{a} → {b}");
    }
}
