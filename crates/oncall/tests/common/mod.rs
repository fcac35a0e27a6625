//! Helpers shared by the end-to-end tests: run the built `oncall` binary, write temporary files.
#![allow(dead_code)] // each test file uses a different subset

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_oncall");

/// What a run of `oncall` gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.stdout))
    }
}

/// Runs `oncall` with `args`.
pub fn oncall(args: &[&str]) -> Run {
    let out = Command::new(BIN).args(args).output().expect("run oncall");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Writes `text` to a fresh file in the temporary directory.
pub fn temp_file(name: &str, text: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("oncall-test-{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write temp file");
    path
}
