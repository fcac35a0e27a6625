//! `oncall timeline --format ics`: the final schedule as an RFC 5545 calendar.
//!
//! One VEVENT per user per segment of the final schedule (gaps have none), times in UTC, CRLF
//! line endings, lines folded at 75 octets, text escaped. The output is deterministic: DTSTAMP is
//! the window start and UIDs are built from the segment start, the user and the schedule.

use chrono::{DateTime, Utc};
use oncall_core::output::Timeline;

/// A UTC date-time in the basic format: `20261110T080000Z`.
fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets (never inside a UTF-8 sequence), with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// The calendar of a timeline's final schedule.
pub fn calendar(schedule: &str, timeline: &Timeline) -> String {
    let mut out = String::new();
    let dtstamp = stamp(timeline.start_date);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//oncall//oncall//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(&format!("On call: {schedule}"))));
    for seg in &timeline.final_schedule {
        let (start, end) = (stamp(seg.start_date), stamp(seg.end_date));
        for user in &seg.recipients {
            line(&mut out, "BEGIN:VEVENT");
            line(&mut out, &format!("UID:{}", escape(&format!("{start}-{user}-{schedule}@oncall"))));
            line(&mut out, &format!("DTSTAMP:{dtstamp}"));
            line(&mut out, &format!("DTSTART:{start}"));
            line(&mut out, &format!("DTEND:{end}"));
            line(&mut out, &format!("SUMMARY:{}", escape(&format!("On call: {user} ({schedule})"))));
            if seg.recipients.len() > 1 {
                let with = seg.recipients.iter().filter(|u| *u != user).cloned().collect::<Vec<_>>().join(", ");
                line(&mut out, &format!("DESCRIPTION:{}", escape(&format!("Together with {with}"))));
            }
            line(&mut out, "TRANSP:TRANSPARENT");
            line(&mut out, "END:VEVENT");
        }
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let content = format!("SUMMARY:{}", "é".repeat(60));
        line(&mut out, &content);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
        }
        // Unfolding gives the content back.
        assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), content);
    }

    #[test]
    fn short_lines_are_not_folded() {
        let mut out = String::new();
        line(&mut out, "BEGIN:VCALENDAR");
        assert_eq!(out, "BEGIN:VCALENDAR\r\n");
    }
}
