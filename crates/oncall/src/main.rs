//! The `oncall` binary: runs [`oncall::run`] on the process's arguments and prints its answer.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = oncall::run(std::env::args_os());
    let mut stderr = std::io::stderr().lock();
    if !out.stdout.is_empty() {
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout.write_all(&out.stdout).and_then(|()| stdout.flush()) {
            // A closed pipe (`oncall … | head`) is not an error worth a message.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                let _ = writeln!(stderr, "oncall: cannot write output: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let _ = stderr.write_all(out.stderr.as_bytes());
    ExitCode::from(out.code)
}
