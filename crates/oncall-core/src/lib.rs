#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod criteria;
pub mod error;
pub mod output;
pub mod time;

mod compile;
mod lint;
mod overrides;
mod recurrence;
mod restriction;
mod rotation;
mod schedule;

pub use compile::{Config, MAX_LENGTH};
pub use error::{Error, Problem, Result};
pub use schedule::{Expand, HandoffIter, IntervalUnit, MAX_NEXT_STEPS, MAX_TIMELINE_STEPS, Schedule, SegmentIter};
