//! Fuzz target `cli`: see `oncall_fuzz::hostile::cli`.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| oncall_fuzz::cli(data));

/// Without cargo-fuzz: replays the files (or directories of files) given as arguments.
#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    oncall_fuzz::replay("cli", oncall_fuzz::cli)
}
