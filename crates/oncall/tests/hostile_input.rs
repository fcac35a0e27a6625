//! Issue 10, the reading layer: hostile documents are refused within bounded time and memory,
//! each with an error naming the limit and the path. Every input is generated here (nothing
//! large is checked in), and every run of the `oncall` binary happens under an address-space
//! limit (`prlimit --as`) and a time bound, so a regression fails the test instead of taking
//! the machine down.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_oncall");
const MIB: u64 = 1 << 20;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `oncall args` with at most `memory` bytes of address space and `seconds` of wall time
/// (the test fails past either), stdin from `stdin` when given.
fn bounded(args: &[&str], stdin: Option<&Path>, memory: u64, seconds: u64) -> Run {
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--as={memory}")).arg("--").arg(BIN).args(args);
    cmd.stdin(match stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).expect("open stdin file")),
        None => Stdio::null(),
    });
    let out_path = temp_path("stdout");
    let err_path = temp_path("stderr");
    cmd.stdout(std::fs::File::create(&out_path).expect("stdout file"));
    cmd.stderr(std::fs::File::create(&err_path).expect("stderr file"));
    let started = Instant::now();
    let mut child = cmd.spawn().expect("run prlimit (util-linux) and oncall");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(seconds) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("oncall {args:?} took more than {seconds} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &PathBuf| {
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
        let _ = std::fs::remove_file(p);
        text
    };
    let (stdout, stderr) = (read(&out_path), read(&err_path));
    let code = status.code().unwrap_or_else(|| panic!("oncall {args:?} was killed ({status}): {stderr}"));
    Run { code, stdout, stderr }
}

fn temp_path(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("oncall-hostile-{}-{n}-{name}", std::process::id()))
}

/// A temporary file holding `text`, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str, text: &str) -> Temp {
        let path = temp_path(name);
        std::fs::File::create(&path).and_then(|mut f| f.write_all(text.as_bytes())).expect("write temp file");
        Temp(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `oncall check FILE` on `text` written to a file named `name` (its extension picks JSON or
/// YAML), under `memory` bytes and `seconds`.
fn check(name: &str, text: &str, memory: u64, seconds: u64) -> Run {
    let file = Temp::new(name, text);
    bounded(&["check", file.path()], None, memory, seconds)
}

fn rotation(participants: &str) -> String {
    format!(r#"{{"type":"daily","startDate":"2026-01-01T00:00","participants":[{participants}]}}"#)
}

#[test]
fn an_endless_input_stops_at_max_input_bytes() {
    let run = bounded(&["check", "/dev/zero"], None, 512 * MIB, 60);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, "/dev/zero: the document has more than 67108864 bytes (limit maxInputBytes)\n");
    // The same from standard input.
    let run = bounded(&["check", "-"], Some(Path::new("/dev/zero")), 512 * MIB, 60);
    assert_eq!(run.stderr, "-: the document has more than 67108864 bytes (limit maxInputBytes)\n");
}

#[test]
fn yaml_aliases_are_bounded_by_the_bytes_they_expand_to() {
    // One 1 MB string behind an anchor, referenced 3 000 times: refused at the string itself.
    let refs = vec!["*a"; 3000].join(", ");
    let text = format!("a: &a {}\nusers: [{refs}]\n", "x".repeat(1_000_000));
    let run = check("bomb.yaml", &text, 1024 * MIB, 120);
    assert_eq!(run.stderr, "a: 1000000 bytes, more than 1024 (limit maxNameBytes) (line 1, column 7)\n");
    // A 1 MB list of names behind an anchor, referenced 3 000 times: 3 GB expanded.
    let names = vec!["x".repeat(1000); 1000].join(", ");
    let text = format!("a: &a [{names}]\nusers: [{refs}]\n");
    let run = check("bomb.yaml", &text, 1024 * MIB, 120);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("users["), "{}", run.stderr);
    assert!(
        run.stderr.contains(": the document expands to more than 67108864 bytes (limit maxInputBytes)"),
        "{}",
        run.stderr
    );
    // Billion laughs: nested lists of aliases.
    let mut text = String::from("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        text.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*l{}", i - 1); 10].join(", ")));
    }
    text.push_str("users: *l11\n");
    let run = check("laughs.yaml", &text, 1024 * MIB, 120);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("(limit maxInputBytes)"), "{}", run.stderr);
}

#[test]
fn long_strings_name_the_limit_and_the_path() {
    let text = format!(r#"{{"users":[{{"username":"alice"}},{{"username":"{}"}}]}}"#, "x".repeat(2_000_000));
    let run = check("name.json", &text, 512 * MIB, 60);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "users[1].username: 2000000 bytes, more than 1024 (limit maxNameBytes)\n");
    let text = format!(r#"{{"teams":[{{"name":"t","description":"{}"}}]}}"#, "x".repeat(70_000));
    let run = check("text.json", &text, 512 * MIB, 60);
    assert_eq!(run.stderr, "teams[0].description: 70000 bytes, more than 65536 (limit maxTextBytes)\n");
    let text = format!("users:\n  - username: {}\n", "y".repeat(5_000));
    let run = check("name.yaml", &text, 512 * MIB, 60);
    assert!(
        run.stderr.starts_with("users[0].username: 5000 bytes, more than 1024 (limit maxNameBytes) (line 2"),
        "{}",
        run.stderr
    );
}

#[test]
fn deep_nesting_names_the_limit() {
    let run = check("deep.json", &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)), 512 * MIB, 60);
    assert_eq!(run.code, 1);
    assert!(run.stderr.ends_with(": nested more than 64 levels deep (limit maxDepth)\n"), "{}", run.stderr);
    let text = format!(r#"{{"users":[{{"username":"a","role":{}1{}}}]}}"#, "[".repeat(1000), "]".repeat(1000));
    let run = check("deep-role.json", &text, 512 * MIB, 60);
    assert!(run.stderr.starts_with("users[0].role[0][0]"), "{}", run.stderr);
    let run = check("deep.yaml", &"[".repeat(100_000), 512 * MIB, 60);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(": nested more than 64 levels deep (limit maxDepth) (line 1, column "),
        "{}",
        run.stderr
    );
    let mut block = String::new();
    for i in 0..100 {
        block.push_str(&format!("{}k:\n", " ".repeat(6 + 2 * i)));
    }
    let run = check("deep-block.yaml", &format!("users:\n  - role:\n{block}"), 512 * MIB, 60);
    assert!(run.stderr.starts_with("users[0].role.k.k.k"), "{}", run.stderr);
    assert!(run.stderr.contains("(limit maxDepth)"), "{}", run.stderr);
}

#[test]
fn long_lists_name_the_limit() {
    let text =
        format!(r#"{{"schedules":[{{"name":"s","rotations":[{}]}}]}}"#, rotation(&vec![r#""a""#; 100_001].join(",")));
    let run = check("list.json", &text, 512 * MIB, 60);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "schedules[0].rotations[0].participants: more than 100000 items (limit maxListLen)\n");
    // At the limit it is accepted.
    let text =
        format!(r#"{{"schedules":[{{"name":"s","rotations":[{}]}}]}}"#, rotation(&vec![r#""a""#; 100_000].join(",")));
    let run = check("list-ok.json", &text, 1024 * MIB, 120);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn duplicate_keys_are_errors_with_their_path() {
    let run = check("dup.json", r#"{"schedules":[{"name":"s"}],"schedules":[]}"#, 512 * MIB, 60);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "schedules: duplicate key `schedules`: a key may appear only once in an object\n");
    let run = check("dup.yaml", "schedules:\n  - name: s\n    name: t\n", 512 * MIB, 60);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "schedules[0].name: duplicate key `name`: a key may appear only once in an object (line 3, column 5)\n"
    );
}

#[test]
fn non_finite_yaml_numbers_are_errors() {
    for (value, found) in [(".inf", ".inf"), ("-.inf", "-.inf"), (".nan", ".nan"), (".NaN", ".nan")] {
        let text = format!(
            "schedules:\n  - name: s\n    rotations:\n      - {{type: daily, startDate: '2026-01-01T00:00', participants: [a], length: {value}}}\n"
        );
        let run = check("nan.yaml", &text, 512 * MIB, 60);
        assert_eq!(run.code, 1, "{value}");
        assert!(
            run.stderr.starts_with(&format!(
                "schedules[0].rotations[0].length: expected a finite number, found {found} (line 4"
            )),
            "{value}: {}",
            run.stderr
        );
    }
}

#[test]
fn many_structural_errors_are_collected_in_one_pass_and_counted() {
    // 100 000 rotations, 150 of them with a misspelt field: before, 17 s (the collector read
    // the whole document again for each error).
    let good = rotation(r#""a""#);
    let bad = good.replace('}', r#","lenght":2}"#);
    let rotations: Vec<&str> =
        (0..100_000).map(|i| if i % 600 == 0 && i / 600 < 150 { bad.as_str() } else { good.as_str() }).collect();
    let text = format!(r#"{{"schedules":[{{"name":"s","rotations":[{}]}}]}}"#, rotations.join(","));
    let started = Instant::now();
    let run = check("errors.json", &text, 1024 * MIB, 120);
    let took = started.elapsed();
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 101, "{}", run.stderr);
    assert_eq!(lines[0], "schedules[0].rotations[0].lenght: unknown field `lenght`; did you mean `length`?");
    assert_eq!(lines[99], "schedules[0].rotations[59400].lenght: unknown field `lenght`; did you mean `length`?");
    assert_eq!(lines[100], "… and 50 more errors");
    // Generous even for a debug build on a shared machine; the release build takes well under
    // a second.
    assert!(took < Duration::from_secs(60), "{took:?}");
    let file = Temp::new("errors.json", &text);
    let run = bounded(&["check", file.path(), "--format", "json"], None, 1024 * MIB, 120);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    assert_eq!(report["moreErrors"], 50);
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(101));
    assert_eq!(report["errors"][100]["message"], "… and 50 more errors");
}

#[test]
fn reading_memory_is_a_small_multiple_of_the_input() {
    // 8 MB of small objects (teams with members): a valid document is read straight into its
    // typed form. Under 256 MiB of address space for the program plus 24 × the input.
    let member = r#"{"user":{"username":"u"}}"#;
    let team = |i: usize| format!(r#"{{"name":"t{i}","members":[{}]}}"#, vec![member; 10_000].join(","));
    let teams: Vec<String> = (0..32).map(team).collect();
    let text = format!(r#"{{"teams":[{}]}}"#, teams.join(","));
    assert!(text.len() > 8_000_000, "{}", text.len());
    let run = check("members.json", &text, 256 * MIB + 24 * text.len() as u64, 120);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("ok: "), "{}", run.stdout);
    // The densest document: 4-byte shorthand participants (`"a",`), each a four-string
    // participant of 160 bytes once read (the measured worst case is 44 × the input).
    let rotations: Vec<String> = (0..10).map(|_| rotation(&vec![r#""a""#; 100_000].join(","))).collect();
    let text = format!(r#"{{"schedules":[{{"name":"s","rotations":[{}]}}]}}"#, rotations.join(","));
    let run = check("participants.json", &text, 256 * MIB + 56 * text.len() as u64, 120);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // YAML reads a tree first (the measured worst case is 24 × the input).
    let rotation = "      - {type: daily, startDate: '2026-01-01T00:00', participants: [a, b]}\n".repeat(1000);
    let schedules: Vec<String> = (0..16).map(|i| format!("  - name: s{i}\n    rotations:\n{rotation}")).collect();
    let text = format!("schedules:\n{}", schedules.join(""));
    assert!(text.len() > 1_000_000, "{}", text.len());
    let run = check("rotations.yaml", &text, 256 * MIB + 32 * text.len() as u64, 120);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
