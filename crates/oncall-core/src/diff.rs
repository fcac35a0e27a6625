//! Schedule diffs: where the final on-call set of a schedule differs between two configurations,
//! and the hours each user gains and loses (what a pull request that edits a schedule should
//! show).
//!
//! # Rules
//!
//! [`diff`] compares the final schedules ([`Schedule::segments`](crate::Schedule::segments)) of
//! the schedule named in the OLD and the NEW configuration over one window `[from, to)`, in one
//! linear pass over both segment streams:
//!
//! * **Changes.** Every maximal interval where the two flat on-call sets (sorted usernames,
//!   teams and escalations expanded) differ, with both sets, the users it **gains** (on call in
//!   NEW, not in OLD) and **loses** (on call in OLD, not in NEW). Neighbouring intervals with the
//!   same pair of sets are merged. Equal sets are no change, whatever put the users there (the
//!   rotation, an override, forwarding).
//! * **Users.** Per username: seconds gained and lost over the window, summed over the changes,
//!   and the net (gained − lost), which is the difference of the user's on-call time in the two
//!   final schedules. Users are listed by name; users without a change are left out.
//! * **Zones** may differ: everything is compared as UTC instants. A schedule present in one
//!   configuration only is compared with an empty schedule (a gap over the whole window) and the
//!   answer says so (`presence`: `old-only` or `new-only`); present in neither is
//!   [`Error::UnknownSchedule`].
//! * **Limits.** The segments read from both sides and the changes are counted together against
//!   `maxTimelinePeriods` (the smaller of the two configurations' limits), so a diff costs what
//!   a timeline of the same window costs; past it, [`Error::LimitExceeded`] naming `to`.

use crate::compile::Config;
use crate::error::{Error, Result};
use crate::output::Segment;
use crate::time::utc_serde;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where the schedule is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// In both configurations.
    Both,
    /// Only in OLD: NEW removes it (every hour is lost).
    OldOnly,
    /// Only in NEW: NEW adds it (every hour is gained).
    NewOnly,
}

/// One interval where the final on-call sets differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Start (inclusive).
    #[serde(with = "utc_serde")]
    pub start_date: DateTime<Utc>,
    /// End (exclusive).
    #[serde(with = "utc_serde")]
    pub end_date: DateTime<Utc>,
    /// Sorted usernames on call in OLD (empty: a gap).
    pub old: Vec<String>,
    /// Sorted usernames on call in NEW.
    pub new: Vec<String>,
    /// On call in NEW only.
    pub gained: Vec<String>,
    /// On call in OLD only.
    pub lost: Vec<String>,
}

/// Hours one user gains and loses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserChange {
    /// The username.
    pub username: String,
    /// Seconds on call in NEW and not in OLD.
    pub gained_seconds: i64,
    /// Seconds on call in OLD and not in NEW.
    pub lost_seconds: i64,
    /// `gainedSeconds - lostSeconds`: NEW's on-call time minus OLD's.
    pub net_seconds: i64,
}

/// The difference of one schedule between two configurations (see the [module](self) rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleDiff {
    /// The schedule's name (as NEW names it when in both).
    pub schedule: String,
    /// Where it is defined.
    pub presence: Presence,
    /// Its zone in OLD, when there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_timezone: Option<String>,
    /// Its zone in NEW, when there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_timezone: Option<String>,
    /// Window start.
    #[serde(with = "utc_serde")]
    pub start_date: DateTime<Utc>,
    /// Window end.
    #[serde(with = "utc_serde")]
    pub end_date: DateTime<Utc>,
    /// Seconds of the window where the sets differ.
    pub changed_seconds: i64,
    /// The intervals where the sets differ, in order.
    pub changes: Vec<Change>,
    /// Per user with a change, by username.
    pub users: Vec<UserChange>,
}

impl ScheduleDiff {
    /// Whether the final schedules are the same over the window.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The difference of schedule `schedule` (a name or id) between `old` and `new` over
/// `[from, to)` (see the [module](self) rules).
///
/// ```
/// use oncall_core::{Config, diff::diff};
/// let old = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
///   {"type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann", "ben"]}]}]}"#)?;
/// let new = Config::from_json(r#"{"schedules": [{"name": "ops", "timezone": "Europe/Berlin", "rotations": [
///   {"type": "daily", "startDate": "2026-01-01T01:00", "participants": ["ann", "cat"]}]}]}"#)?;
/// let d = diff(&old, &new, "ops", "2026-01-01T00:00:00Z".parse()?, "2026-01-03T00:00:00Z".parse()?)?;
/// // Same hand-off instant (01:00 in Berlin is midnight UTC); ben's day goes to cat.
/// assert_eq!(d.changes.len(), 1);
/// assert_eq!((d.changes[0].lost.as_slice(), d.changes[0].gained.as_slice()), (&["ben".to_string()][..], &["cat".to_string()][..]));
/// assert_eq!(d.users.iter().map(|u| (u.username.as_str(), u.net_seconds)).collect::<Vec<_>>(), [("ben", -86_400), ("cat", 86_400)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff(
    old: &Config,
    new: &Config,
    schedule: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ScheduleDiff> {
    let (so, sn) = (old.schedule(schedule), new.schedule(schedule));
    let presence = match (&so, &sn) {
        (Ok(_), Ok(_)) => Presence::Both,
        (Ok(_), Err(_)) => Presence::OldOnly,
        (Err(_), Ok(_)) => Presence::NewOnly,
        (Err(e), Err(_)) => return Err(e.clone()),
    };
    let (so, sn) = (so.ok(), sn.ok());
    let limit = old.limits.max_timeline_periods.min(new.limits.max_timeline_periods);
    let name = sn.or(so).map(|s| s.name().to_string()).unwrap_or_default();
    let gap = |from: DateTime<Utc>, to: DateTime<Utc>| -> Result<Side<'_>> {
        if to <= from {
            return Err(Error::InvalidArgument { what: "to".into(), message: "must be after from".into() });
        }
        Ok(Side::Gap(Some(Segment { start_date: from, end_date: to, recipients: Vec::new(), sources: None })))
    };
    let a = match so {
        Some(s) => Side::Segments(Box::new(s.segments(from, to)?)),
        None => gap(from, to)?,
    };
    let b = match sn {
        Some(s) => Side::Segments(Box::new(s.segments(from, to)?)),
        None => gap(from, to)?,
    };
    let Comparison { changed_seconds, changes, users } = compare(a, b, limit)?;
    let zone = |s: Option<crate::Schedule<'_>>| s.map(|s| s.timezone().name().to_string());
    Ok(ScheduleDiff {
        schedule: name,
        presence,
        old_timezone: zone(so),
        new_timezone: zone(sn),
        start_date: from,
        end_date: to,
        changed_seconds,
        changes,
        users,
    })
}

/// What [`compare`] finds: the seconds where the sets differ, the intervals, the users.
pub(crate) struct Comparison {
    pub(crate) changed_seconds: i64,
    pub(crate) changes: Vec<Change>,
    pub(crate) users: Vec<UserChange>,
}

/// The one comparison of two final schedules (see the [module](self) rules): OLD's segments `a`
/// against NEW's `b`, both covering the same window, in one linear pass; the segments read and
/// the changes count against `limit`. [`diff`] and [`crate::opsgenie::verify`] both use it.
pub(crate) fn compare(mut a: Side<'_>, mut b: Side<'_>, limit: usize) -> Result<Comparison> {
    let mut read = 0usize;
    let mut changes: Vec<Change> = Vec::new();
    let mut users: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut changed = 0i64;
    let (mut x, mut y) = (a.next(&mut read, limit)?, b.next(&mut read, limit)?);
    while let (Some(sa), Some(sb)) = (&x, &y) {
        let start = sa.start_date.max(sb.start_date);
        let end = sa.end_date.min(sb.end_date);
        if sa.recipients != sb.recipients && start < end {
            let secs = (end - start).num_seconds();
            changed += secs;
            let gained = minus(&sb.recipients, &sa.recipients);
            let lost = minus(&sa.recipients, &sb.recipients);
            for u in &gained {
                users.entry(u.clone()).or_default().0 += secs;
            }
            for u in &lost {
                users.entry(u.clone()).or_default().1 += secs;
            }
            match changes.last_mut() {
                Some(c) if c.end_date == start && c.old == sa.recipients && c.new == sb.recipients => c.end_date = end,
                _ => {
                    if read + changes.len() >= limit {
                        return Err(crate::schedule::too_large(limit));
                    }
                    changes.push(Change {
                        start_date: start,
                        end_date: end,
                        old: sa.recipients.clone(),
                        new: sb.recipients.clone(),
                        gained,
                        lost,
                    });
                }
            }
        }
        let (ea, eb) = (sa.end_date, sb.end_date);
        if ea <= end {
            x = a.next(&mut read, limit)?;
        }
        if eb <= end {
            y = b.next(&mut read, limit)?;
        }
    }
    Ok(Comparison {
        changed_seconds: changed,
        changes,
        users: users
            .into_iter()
            .map(|(username, (g, l))| UserChange { username, gained_seconds: g, lost_seconds: l, net_seconds: g - l })
            .collect(),
    })
}

/// The names of sorted `a` that are not in sorted `b`.
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|n| b.binary_search(n).is_err()).cloned().collect()
}

/// One side of a comparison: the schedule's segments, one gap when it is missing, or segments
/// read from elsewhere (a saved answer, [`crate::opsgenie::verify`]).
pub(crate) enum Side<'a> {
    Segments(Box<crate::SegmentIter<'a>>),
    Gap(Option<Segment>),
    List(std::vec::IntoIter<Segment>),
}

impl Side<'_> {
    /// The next segment, counted against `limit`; a limit the stream crossed is its error.
    fn next(&mut self, read: &mut usize, limit: usize) -> Result<Option<Segment>> {
        let next = match self {
            Side::Segments(it) => match it.next() {
                Some(s) => Some(s),
                None => match it.error() {
                    Some(e) => return Err(e.clone()),
                    None => None,
                },
            },
            Side::Gap(g) => g.take(),
            Side::List(it) => it.next(),
        };
        if next.is_some() {
            *read += 1;
            if *read > limit {
                return Err(crate::schedule::too_large(limit));
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Config {
        Config::from_json(json).unwrap()
    }

    const OPS: &str = r#"{"schedules": [{"name": "ops", "rotations": [
        {"type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann", "ben"]}]}]}"#;

    #[test]
    fn a_schedule_in_one_configuration_only_is_all_gained_or_lost() {
        let (old, new) = (config(OPS), config(r#"{"schedules": [{"name": "other"}]}"#));
        let (from, to) = ("2026-01-01T00:00:00Z".parse().unwrap(), "2026-01-03T00:00:00Z".parse().unwrap());
        let d = diff(&old, &new, "ops", from, to).unwrap();
        assert_eq!(d.presence, Presence::OldOnly);
        assert_eq!(d.changed_seconds, 2 * 86_400);
        assert_eq!(d.changes.len(), 2);
        assert!(d.users.iter().all(|u| u.gained_seconds == 0 && u.lost_seconds == 86_400));
        let back = diff(&new, &old, "ops", from, to).unwrap();
        assert_eq!(back.presence, Presence::NewOnly);
        assert!(matches!(diff(&new, &new, "ops", from, to), Err(Error::UnknownSchedule { .. })));
    }

    #[test]
    fn a_diff_is_bounded_by_the_timeline_limit() {
        let mut old = config(OPS);
        old.set_limits(crate::Limits { max_timeline_periods: 10, ..crate::Limits::default() });
        let new = config(r#"{"schedules": [{"name": "ops"}]}"#);
        let (from, to) = ("2026-01-01T00:00:00Z".parse().unwrap(), "2026-02-01T00:00:00Z".parse().unwrap());
        let e = diff(&old, &new, "ops", from, to).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { limit: "maxTimelinePeriods", .. }), "{e}");
        let short = "2026-01-03T00:00:00Z".parse().unwrap();
        assert!(diff(&old, &new, "ops", from, short).is_ok());
    }

    #[test]
    fn an_empty_window_is_refused() {
        let old = config(OPS);
        let t = "2026-01-01T00:00:00Z".parse().unwrap();
        assert!(matches!(diff(&old, &old, "ops", t, t), Err(Error::InvalidArgument { .. })));
    }
}
