#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alert;
pub mod alert_query;
pub mod alertmanager;
pub mod analysis;
pub mod config;
pub mod criteria;
pub mod diff;
pub mod error;
pub mod escalation;
pub mod holiday;
pub mod ics;
pub mod notification;
pub mod opsgenie;
pub mod output;
pub mod pay;
pub mod provenance;
pub mod routing;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod time;
pub mod timeoff;

mod compile;
mod index;
pub mod limits;
pub mod lint;
pub mod live_overrides;
mod overrides;
mod read;
mod recurrence;
mod restriction;
mod roster;
mod rotation;
mod schedule;
mod zone;

pub use compile::{Config, Loaded, MAX_LENGTH};

/// The guide `docs/guides/rust-service.md`: its examples run as doc tests, so the guide stays
/// true. (Doc tests only: the published crate does not carry the repository's `docs/`.)
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guides/rust-service.md")]
pub struct RustServiceGuide;
pub use error::{Error, Problem, Result};
pub use escalation::{EscalateOptions, EscalationTimeline};
pub use index::IndexOptions;
pub use limits::Limits;
pub use schedule::{Expand, HandoffIter, IntervalUnit, MAX_NEXT_STEPS, MAX_TIMELINE_STEPS, Schedule, SegmentIter};
