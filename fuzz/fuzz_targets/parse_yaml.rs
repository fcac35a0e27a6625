//! Fuzz target `parse_yaml`: see `oncall_fuzz::parse_yaml`.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| oncall_fuzz::parse_yaml(data));

/// Without cargo-fuzz: replays the files (or directories of files) given as arguments.
#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    oncall_fuzz::replay("parse_yaml", oncall_fuzz::parse_yaml)
}
