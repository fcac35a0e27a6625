//! Fuzz target `parse_json`: see `oncall_fuzz::parse_json`.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| oncall_fuzz::parse_json(data));

/// Without cargo-fuzz: replays the files (or directories of files) given as arguments.
#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    oncall_fuzz::replay("parse_json", oncall_fuzz::parse_json)
}
