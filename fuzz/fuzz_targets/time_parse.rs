//! Fuzz target `time_parse`: see `oncall_fuzz::hostile::time_parse`.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| oncall_fuzz::time_parse(data));

/// Without cargo-fuzz: replays the files (or directories of files) given as arguments.
#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    oncall_fuzz::replay("time_parse", oncall_fuzz::time_parse)
}
