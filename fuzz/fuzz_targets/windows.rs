//! Fuzz target `windows`: see `oncall_fuzz::hostile::windows`.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| oncall_fuzz::windows(data));

/// Without cargo-fuzz: replays the files (or directories of files) given as arguments.
#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    oncall_fuzz::replay("windows", oncall_fuzz::windows)
}
