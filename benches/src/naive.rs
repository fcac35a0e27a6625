//! The naive approach, measured beside the engine so that the ratio is measured, not assumed:
//! for each rotation, expand every shift from the anchor with the `rrule` crate and scan to the
//! instant; check the restriction on the local time; scan every override and forwarding rule.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use rrule::RRuleSet;
use serde_json::Value;

struct Rotation {
    set: RRuleSet,
    tz: chrono_tz::Tz,
    participants: Vec<String>,
    /// (start minute of week, end minute of week) spans, or daily (start, end) minute windows.
    weekly: Vec<(i64, i64)>,
    daily: Option<(i64, i64)>,
    name: String,
    priority: i64,
}

struct Override {
    start: i64,
    end: i64,
    user: String,
    rotation: Option<String>,
}

/// A schedule evaluated the naive way (weekly and daily rotations with restrictions).
pub struct Naive {
    rotations: Vec<Rotation>,
    overrides: Vec<Override>,
    forwards: Vec<(i64, i64, String, String)>,
}

fn instant(s: &str, tz: chrono_tz::Tz) -> i64 {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return t.timestamp();
    }
    let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").expect("naive time");
    tz.from_local_datetime(&n).earliest().expect("no gap in the bench data").timestamp()
}

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

impl Naive {
    /// Reads the first schedule of a document.
    pub fn new(json: &str) -> Naive {
        let doc: Value = serde_json::from_str(json).expect("json");
        let s = &doc["schedules"][0];
        let stz: chrono_tz::Tz = s["timezone"].as_str().unwrap_or("UTC").parse().expect("zone");
        let mut rotations = Vec::new();
        for r in s["rotations"].as_array().expect("rotations") {
            let tz: chrono_tz::Tz = r["timezone"].as_str().map_or(stz, |z| z.parse().expect("zone"));
            let len = r["length"].as_i64().unwrap_or(1);
            let (freq, interval) = match r["type"].as_str().expect("type") {
                "weekly" => ("WEEKLY", len),
                "daily" => ("DAILY", len),
                "hourly" => ("HOURLY", len),
                other => panic!("naive baseline: {other} not supported"),
            };
            let start = r["startDate"].as_str().expect("start").replace(['-', ':'], "");
            let text = format!("DTSTART;TZID={}:{start}\nRRULE:FREQ={freq};INTERVAL={interval}", tz.name());
            let set: RRuleSet = text.parse().expect("rrule");
            let mut weekly = Vec::new();
            let mut daily = None;
            let tr = &r["timeRestriction"];
            if tr["type"] == "weekday-and-time-of-day" {
                for w in tr["restrictions"].as_array().expect("list") {
                    let day = |k: &str| DAYS.iter().position(|d| *d == w[k].as_str().unwrap()).unwrap() as i64;
                    let m = |h: &str, mi: &str| w[h].as_i64().unwrap() * 60 + w[mi].as_i64().unwrap();
                    weekly.push((
                        day("startDay") * 1440 + m("startHour", "startMin"),
                        day("endDay") * 1440 + m("endHour", "endMin"),
                    ));
                }
            } else if tr["type"] == "time-of-day" {
                let w = &tr["restriction"];
                let m = |h: &str, mi: &str| w[h].as_i64().unwrap() * 60 + w[mi].as_i64().unwrap();
                daily = Some((m("startHour", "startMin"), m("endHour", "endMin")));
            }
            let participants = r["participants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["username"].as_str().unwrap().to_string())
                .collect();
            let priority = r["priority"].as_i64().unwrap_or(0);
            rotations.push(Rotation {
                set,
                tz,
                participants,
                weekly,
                daily,
                name: r["name"].as_str().unwrap().into(),
                priority,
            });
        }
        let overrides = s["overrides"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|o| Override {
                        start: instant(o["startDate"].as_str().unwrap(), stz),
                        end: instant(o["endDate"].as_str().unwrap(), stz),
                        user: o["user"]["username"].as_str().unwrap().to_string(),
                        rotation: o["rotations"][0]["name"].as_str().map(String::from),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let forwards = doc["forwardingRules"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|f| {
                        (
                            instant(f["startDate"].as_str().unwrap(), chrono_tz::UTC),
                            instant(f["endDate"].as_str().unwrap(), chrono_tz::UTC),
                            f["fromUser"]["username"].as_str().unwrap().to_string(),
                            f["toUser"]["username"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Naive { rotations, overrides, forwards }
    }

    /// Who is on call at `at` (flat usernames, sorted).
    pub fn on_call(&self, at: DateTime<Utc>) -> Vec<String> {
        let t = at.timestamp();
        let forward = |mut user: String| {
            for f in &self.forwards {
                if f.0 <= t && t < f.1 && f.2 == user {
                    user = f.3.clone();
                }
            }
            user
        };
        // A schedule-wide override replaces everything: the last one in the list wins.
        if let Some(o) = self.overrides.iter().rev().find(|o| o.rotation.is_none() && o.start <= t && t < o.end) {
            return vec![forward(o.user.clone())];
        }
        let mut yielded: Vec<(i64, String)> = Vec::new();
        for r in &self.rotations {
            // Expand every shift from the anchor and scan to `at`.
            let mut k: Option<usize> = None;
            for (i, occ) in (&r.set).into_iter().enumerate() {
                if occ.timestamp() > t {
                    break;
                }
                k = Some(i);
            }
            let Some(k) = k else { continue };
            let local = at.with_timezone(&r.tz);
            let mow = i64::from(local.weekday().num_days_from_monday()) * 1440
                + i64::from(local.hour() * 60 + local.minute());
            let wrap = |x: i64, m: i64| x.rem_euclid(m);
            let active = if !r.weekly.is_empty() {
                r.weekly.iter().any(|&(s, e)| wrap(mow - s, 10080) < wrap(e - s, 10080))
            } else if let Some((s, e)) = r.daily {
                wrap(mow % 1440 - s, 1440) < wrap(e - s, 1440)
            } else {
                true
            };
            if !active {
                continue;
            }
            let mut user = r.participants[k % r.participants.len()].clone();
            for o in &self.overrides {
                if o.start <= t && t < o.end && o.rotation.as_deref() == Some(r.name.as_str()) {
                    user = o.user.clone();
                }
            }
            yielded.push((r.priority, user));
        }
        let best = yielded.iter().map(|y| y.0).max();
        let mut out: Vec<String> = yielded.into_iter().filter(|y| Some(y.0) == best).map(|y| forward(y.1)).collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn naive_baseline_agrees_with_the_engine() {
        let text = crate::data("realistic");
        let naive = super::Naive::new(&text);
        let config = oncall_core::Config::from_json(&text).unwrap();
        let s = config.schedule("realistic").unwrap();
        for at in crate::instants_2026(400) {
            let mut engine = s.on_call(at).unwrap().flat().on_call_recipients;
            engine.sort();
            assert_eq!(naive.on_call(at), engine, "at {at}");
        }
    }
}
