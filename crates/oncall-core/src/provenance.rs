//! Where each answer comes from: the source of every participant of a final-schedule segment.
//!
//! # Rules
//!
//! A segment of the final schedule with sources
//! ([`Schedule::segments_with_sources`](crate::Schedule::segments_with_sources), the timeline's
//! `expand=sources`) lists one [`ShiftSource`] per contribution to its on-call set, in rotation
//! order:
//!
//! * **a rotation's turn** ([`Origin::Rotation`]): the rotation's name and its turn number `k`
//!   (0 for the shift that starts at the rotation's `startDate`, 1 for the next, …; the participant
//!   is `participants[k mod n]`), for every rotation of the highest priority that yields someone;
//! * **a turn time off moved** ([`Origin::TimeOff`]): in place of a rotation's turn, when time
//!   off changed who has that turn ([`crate::timeoff`]): the rotation and turn, the rotation's
//!   `timeOffPolicy` (`skip` or `cover`: whoever took the shift), the participants passed over
//!   (`absent`, the one whose turn it was first) and what made the first of them absent: the
//!   place of the entry in their `users[].timeOff` (`timeOff`) or the holiday calendar
//!   (`holiday`), with its `reason`. A turn that only moved up after a `skip` (nobody was
//!   passed over for it) is a plain rotation turn;
//! * **an override** ([`Origin::Override`]): its `alias` (or its place, `overrides[2]`, when it
//!   has none), and for a rotation-scoped override the rotation and turn it replaced (whoever
//!   time off gave it to); a schedule-wide override gives the only source of its segment;
//! * **forwarding**, on top of either: the chain of forwarding rules followed
//!   ([`Forwarded`], `forwardingRules[i]` of the document), from the user whose shift it is to the
//!   user notified (the segment's recipient).
//!
//! A gap has no source. A segment with sources is maximal for its set **and** its sources: a
//! hand-off from a person to the same person (a new turn) starts a new segment, so the segments
//! with sources refine the plain final schedule (each plain segment is the union of consecutive
//! segments with sources, same set). Team and escalation participants are named as the rotation
//! lists them (`recipientType` `team` / `escalation`), not expanded.
//!
//! [`Origin`] is `#[non_exhaustive]`: other sources of a final answer may be added as variants
//! of their own, and consumers must accept variants they do not know.

use crate::compile::{Config, Slot};
use crate::output::{Kind, Layer, Period, Segment};
use crate::schedule::Snap;
use crate::time::Ts;
use serde::Serialize;

/// What put a participant in the final on-call set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Origin {
    /// `{"type": "rotation", "rotation", "turn"}`: the rotation's own turn.
    #[serde(rename_all = "camelCase")]
    Rotation {
        /// The rotation's name.
        rotation: String,
        /// The turn number: 0 for the shift starting at `startDate`.
        turn: u64,
    },
    /// `{"type": "override", "override", "rotation"?, "turn"?}`: an override.
    #[serde(rename_all = "camelCase")]
    Override {
        /// The override's `alias`, or `overrides[i]` when it has none.
        #[serde(rename = "override")]
        name: String,
        /// A rotation-scoped override: the rotation whose turn it replaced (absent for a
        /// schedule-wide override).
        #[serde(skip_serializing_if = "Option::is_none")]
        rotation: Option<String>,
        /// A rotation-scoped override: the turn it replaced.
        #[serde(skip_serializing_if = "Option::is_none")]
        turn: Option<u64>,
    },
    /// `{"type": "time-off", "rotation", "turn", "policy", "absent", "reason"?, "timeOff"?,
    /// "holiday"?}`: a rotation's turn that time off gave to this participant.
    #[serde(rename_all = "camelCase")]
    TimeOff {
        /// The rotation's name.
        rotation: String,
        /// The turn number.
        turn: u64,
        /// The policy, who was absent, and the time off or holiday that made them absent.
        #[serde(flatten)]
        reassigned: crate::timeoff::Reassigned,
    },
}

/// One forwarding rule followed: notifications for `from` go to `to`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Forwarded {
    /// The rule's place in the document's `forwardingRules` (from 0).
    pub rule: usize,
    /// The username forwarded from.
    pub from: String,
    /// The username forwarded to.
    pub to: String,
}

/// Where one participant of a final-schedule segment comes from (see the [module](self) rules).
///
/// ```
/// use oncall_core::{Config, provenance::Origin};
/// let config = Config::from_json(r#"{"schedules": [{"name": "ops", "rotations": [
///   {"name": "day", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["ann", "ben"]}],
///   "overrides": [{"alias": "ben-sick", "user": "cat", "startDate": "2026-01-02T12:00:00Z",
///                  "endDate": "2026-01-03T00:00:00Z", "rotations": [{"name": "day"}]}]}],
///   "forwardingRules": [{"fromUser": {"username": "ann"}, "toUser": {"username": "dan"}, "startDate": "2026-01-01T00:00:00Z",
///                        "endDate": "2026-01-01T06:00:00Z"}]}"#)?;
/// let ops = config.schedule("ops")?;
/// let segs: Vec<_> = ops.segments_with_sources("2026-01-01T00:00:00Z".parse()?, "2026-01-03T00:00:00Z".parse()?)?.collect();
/// let first = &segs[0].sources.as_ref().unwrap()[0];
/// assert_eq!((first.recipient.as_str(), first.forwarded[0].from.as_str()), ("dan", "ann"));
/// assert_eq!(first.origin, Origin::Rotation { rotation: "day".into(), turn: 0 });
/// let last = &segs[3].sources.as_ref().unwrap()[0];
/// assert_eq!(last.origin, Origin::Override { name: "ben-sick".into(), rotation: Some("day".into()), turn: Some(1) });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShiftSource {
    /// Who is on call through this source (after forwarding): a username, or the team or
    /// escalation name the rotation lists.
    pub recipient: String,
    /// What the recipient is.
    pub recipient_type: Kind,
    /// What put the recipient there.
    pub origin: Origin,
    /// The forwarding rules followed, in order (empty when not forwarded).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forwarded: Vec<Forwarded>,
}

/// The compact form of a source, compared at every boundary: rotation index (`None` for a
/// schedule-wide override), turn, override index, the slot before forwarding and the
/// forwarding chain (rule, target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceKey {
    rotation: Option<u32>,
    turn: Option<u64>,
    over: Option<u32>,
    slot: Slot,
    chain: Vec<(u32, usize)>,
}

impl Config {
    /// The forwarding chain of user `u` at `t`: each rule followed and its target, stopping as
    /// [`Config::forward`] does (before a repeat, after 15 hops), so the last target is
    /// `forward(u, t)`.
    pub(crate) fn forward_chain(&self, u: usize, t: Ts) -> Vec<(u32, usize)> {
        let mut chain = Vec::new();
        let mut seen = vec![u];
        let mut cur = u;
        while let Some(f) = self.forward_index.get(cur).and_then(|idx| idx.at(t)) {
            let to = self.forwards[f as usize].to;
            if seen.contains(&to) || seen.len() == 16 {
                break;
            }
            seen.push(to);
            chain.push((f, to));
            cur = to;
        }
        chain
    }

    /// The sources of schedule `si`'s final set in state `snap` at `t`, compactly.
    pub(crate) fn source_keys(&self, si: usize, t: Ts, snap: &Snap) -> Vec<SourceKey> {
        let s = &self.schedules[si];
        let chain = |slot: Slot| match slot {
            Slot::User(u) => self.forward_chain(u, t),
            _ => Vec::new(),
        };
        if let Some(o) = snap.wide {
            return s.overrides[o as usize]
                .user
                .map(|u| SourceKey {
                    rotation: None,
                    turn: None,
                    over: Some(o),
                    slot: Slot::User(u),
                    chain: chain(Slot::User(u)),
                })
                .into_iter()
                .collect();
        }
        snap.rots
            .iter()
            .zip(&snap.shown)
            .enumerate()
            .filter_map(|(r, (st, shown))| match (*shown, st.effective) {
                (true, Some(slot)) if slot != Slot::Nobody => {
                    Some(SourceKey { rotation: Some(r as u32), turn: st.k, over: st.ov, slot, chain: chain(slot) })
                }
                _ => None,
            })
            .collect()
    }

    /// The sources of schedule `si` named for an answer.
    pub(crate) fn shift_sources(&self, si: usize, keys: &[SourceKey]) -> Vec<ShiftSource> {
        let s = &self.schedules[si];
        keys.iter()
            .map(|k| {
                let rotation = k.rotation.map(|r| s.rotations[r as usize].name.clone());
                let origin = match k.over {
                    Some(o) => Origin::Override {
                        name: s.overrides[o as usize].alias.clone().unwrap_or_else(|| format!("overrides[{o}]")),
                        rotation,
                        turn: k.rotation.and(k.turn),
                    },
                    None => {
                        let (rotation, turn) = (rotation.unwrap_or_default(), k.turn.unwrap_or(0));
                        let moved = k.rotation.and_then(|r| s.rotations[r as usize].reassigned(turn, &self.users));
                        match moved {
                            Some(reassigned) => Origin::TimeOff { rotation, turn, reassigned },
                            None => Origin::Rotation { rotation, turn },
                        }
                    }
                };
                let mut from = k.slot;
                let forwarded = k
                    .chain
                    .iter()
                    .map(|&(rule, to)| {
                        let f = Forwarded {
                            rule: rule as usize,
                            from: self.slot_leaf_ref(from).0.to_string(),
                            to: self.users[to].username.clone(),
                        };
                        from = Slot::User(to);
                        f
                    })
                    .collect();
                let leaf = self.slot_leaf_ref(from);
                let recipient_type = match from {
                    Slot::User(_) => Kind::User,
                    Slot::Team(_) => Kind::Team,
                    Slot::Escalation(_) => Kind::Escalation,
                    Slot::Nobody => Kind::None,
                };
                ShiftSource { recipient: leaf.0.to_string(), recipient_type, origin, forwarded }
            })
            .collect()
    }
}

/// Gives each period of the final timeline `layer` its source, from the segments with sources
/// of the same window: a period is split where its rotation's source changes (a new turn of the
/// same person), and a schedule-wide override is the source of its period in every rotation.
/// Linear in the periods and the sources.
pub(crate) fn source_periods(layer: &mut Layer, segments: &[Segment]) {
    type Piece<'s> = (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, &'s ShiftSource);
    let names: std::collections::HashMap<&str, usize> =
        layer.rotations.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();
    fn put<'s>(list: &mut Vec<Piece<'s>>, seg: &Segment, src: &'s ShiftSource) {
        match list.last_mut() {
            Some(last) if last.1 == seg.start_date && last.2 == src => last.1 = seg.end_date,
            _ => list.push((seg.start_date, seg.end_date, src)),
        }
    }
    let mut lists: Vec<Vec<Piece<'_>>> = vec![Vec::new(); layer.rotations.len()];
    for seg in segments {
        for src in seg.sources.iter().flatten() {
            let rotation = match &src.origin {
                Origin::Rotation { rotation, .. }
                | Origin::TimeOff { rotation, .. }
                | Origin::Override { rotation: Some(rotation), .. } => Some(rotation),
                Origin::Override { rotation: None, .. } => None,
            };
            match rotation {
                Some(name) => {
                    if let Some(&r) = names.get(name.as_str()) {
                        put(&mut lists[r], seg, src);
                    }
                }
                None => {
                    for list in &mut lists {
                        put(list, seg, src);
                    }
                }
            }
        }
    }
    for (rotation, list) in layer.rotations.iter_mut().zip(&lists) {
        let mut out: Vec<Period> = Vec::with_capacity(rotation.periods.len());
        let mut j = 0;
        for p in &rotation.periods {
            let mut t = p.start_date;
            while j < list.len() && list[j].0 < p.end_date {
                let (ps, pe, src) = list[j];
                if pe <= t {
                    j += 1;
                    continue;
                }
                if ps > t {
                    out.push(Period { start_date: t, end_date: ps, ..p.clone() });
                }
                let end = pe.min(p.end_date);
                out.push(Period { start_date: ps.max(t), end_date: end, source: Some(src.clone()), ..p.clone() });
                t = end;
                if pe <= p.end_date {
                    j += 1;
                } else {
                    break;
                }
            }
            if t < p.end_date {
                out.push(Period { start_date: t, ..p.clone() });
            }
        }
        rotation.periods = out;
    }
}

#[cfg(test)]
mod tests {
    use crate::Config;

    #[test]
    fn a_forwarding_chain_ends_where_forwarding_ends() {
        let config = Config::from_json(
            r#"{"users": [{"username": "a"}, {"username": "b"}, {"username": "c"}],
              "forwardingRules": [
                {"fromUser": {"username": "a"}, "toUser": {"username": "b"}, "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-02T00:00:00Z"},
                {"fromUser": {"username": "b"}, "toUser": {"username": "c"}, "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-02T00:00:00Z"},
                {"fromUser": {"username": "c"}, "toUser": {"username": "a"}, "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-02T00:00:00Z"}]}"#,
        )
        .unwrap();
        let t = 1_767_225_600 + 3600;
        for u in 0..3 {
            let chain = config.forward_chain(u, t);
            assert_eq!(chain.len(), 2, "a cycle of three stops before the repeat");
            assert_eq!(chain.last().unwrap().1, config.forward(u, t));
        }
        assert!(config.forward_chain(0, t + 86_400).is_empty());
    }

    #[test]
    fn a_schedule_wide_override_is_the_only_source() {
        let config = Config::from_json(
            r#"{"schedules": [{"name": "s", "rotations": [
                {"name": "r", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["a"]}],
              "overrides": [{"user": "z", "startDate": "2026-01-01T06:00:00Z", "endDate": "2026-01-01T07:00:00Z"}]}]}"#,
        )
        .unwrap();
        let s = config.schedule("s").unwrap();
        let segs: Vec<_> = s
            .segments_with_sources("2026-01-01T00:00:00Z".parse().unwrap(), "2026-01-01T12:00:00Z".parse().unwrap())
            .unwrap()
            .collect();
        assert_eq!(segs.len(), 3);
        let json = serde_json::to_string(&segs[1].sources).unwrap();
        assert_eq!(
            json,
            r#"[{"recipient":"z","recipientType":"user","origin":{"type":"override","override":"overrides[0]"}}]"#
        );
    }

    #[test]
    fn a_turn_time_off_moved_names_the_policy_the_absent_user_and_the_entry() {
        let config = Config::from_json(
            r#"{"holidayCalendars": [{"name": "uk", "dates": ["2026-01-03"]}],
              "users": [{"username": "a", "timeOff": [{"startDate": "2026-01-01T00:00Z", "endDate": "2026-01-01T01:00Z"},
                                                    {"startDate": "2026-01-02T00:00Z", "endDate": "2026-01-02T01:00Z", "reason": "flu"}]},
                        {"username": "b", "holidays": ["uk"]}, {"username": "c"}],
              "schedules": [{"name": "s", "rotations": [
                {"name": "r", "type": "daily", "startDate": "2026-01-02T00:00:00Z", "participants": ["a", "b", "c"],
                 "timeOffPolicy": "cover"}]}]}"#,
        )
        .unwrap();
        let s = config.schedule("s").unwrap();
        let (from, to) = ("2026-01-02T00:00:00Z".parse().unwrap(), "2026-01-05T00:00:00Z".parse().unwrap());
        let json: Vec<String> = s
            .segments_with_sources(from, to)
            .unwrap()
            .map(|g| serde_json::to_string(&g.sources.unwrap()[0].origin).unwrap())
            .collect();
        assert_eq!(
            json,
            [
                r#"{"type":"time-off","rotation":"r","turn":0,"policy":"cover","absent":["a"],"reason":"flu","timeOff":1}"#,
                r#"{"type":"time-off","rotation":"r","turn":1,"policy":"cover","absent":["b"],"reason":"holiday (calendar uk)","holiday":"uk"}"#,
                r#"{"type":"rotation","rotation":"r","turn":2}"#,
            ]
        );
    }

    #[test]
    fn a_new_turn_of_the_same_person_starts_a_new_sourced_segment() {
        let config = Config::from_json(
            r#"{"schedules": [{"name": "s", "rotations": [
                {"name": "r", "type": "daily", "startDate": "2026-01-01T00:00:00Z", "participants": ["a"]}]}]}"#,
        )
        .unwrap();
        let s = config.schedule("s").unwrap();
        let (from, to) = ("2026-01-01T00:00:00Z".parse().unwrap(), "2026-01-04T00:00:00Z".parse().unwrap());
        assert_eq!(s.segments(from, to).unwrap().count(), 1);
        let sourced: Vec<_> = s.segments_with_sources(from, to).unwrap().collect();
        assert_eq!(sourced.len(), 3);
        let turns: Vec<String> =
            sourced.iter().map(|g| format!("{:?}", g.sources.as_ref().unwrap()[0].origin)).collect();
        assert_eq!(turns[2], r#"Rotation { rotation: "r", turn: 2 }"#);
    }
}
