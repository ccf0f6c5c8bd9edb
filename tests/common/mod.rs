//! Helpers shared by the integration tests: the real binary, required tools
//! (a missing one fails the test loudly), and process checks.
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_crossflake"))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A target dir shared by every test that cross-builds, so each target's std
/// and dependencies build once per test run.
pub fn shared_target_dir() -> PathBuf {
    root().join("target/xtests")
}

/// Fails the test with the install hint when `tool` is not on PATH.
pub fn require_tool(tool: &str) {
    let found =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file())).unwrap_or(false);
    assert!(found, "REQUIRED TOOL MISSING: `{tool}` is not on PATH; run scripts/setup-host (CI does) and re-run");
}

pub fn crossflake(args: &[&str], cwd: &Path) -> Output {
    Command::new(bin()).args(args).current_dir(cwd).output().expect("crossflake runs")
}

pub fn text(o: &Output) -> String {
    format!("--- stdout\n{}\n--- stderr\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Processes whose command line contains `needle` (excluding pgrep itself).
pub fn processes_matching(needle: &str) -> Vec<String> {
    let out = Command::new("pgrep").args(["-af", needle]).output().expect("pgrep");
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.contains("pgrep")).map(String::from).collect()
}

/// What a `crossflake runner --gdb` session left: the runner's status, stdout and
/// stderr, and gdb's stdout.
pub struct GdbSession {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub gdb_out: String,
}

/// Starts `crossflake runner --target T --gdb PORT program`, attaches gdb-multiarch in
/// batch mode (`pre` commands first, then `target remote`, `info registers pc`, `continue`).
pub fn gdb_session(target: &str, port: &str, program: &Path, pre: &[&str]) -> GdbSession {
    use std::io::Read;
    use std::process::Stdio;
    let mut runner = Command::new(bin())
        .args(["runner", "--target", target, "--gdb", port, program.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let remote = format!("target remote :{port}");
    let mut gdb = Command::new("gdb-multiarch");
    gdb.arg("-batch");
    for c in pre.iter().copied().chain([remote.as_str(), "info registers pc", "continue"]) {
        gdb.args(["-ex", c]);
    }
    let gdb_out = String::from_utf8_lossy(&gdb.arg(program).output().unwrap().stdout).into_owned();
    let status = runner.wait().unwrap();
    let (mut stdout, mut stderr) = (String::new(), String::new());
    runner.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    runner.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    GdbSession { status, stdout, stderr, gdb_out }
}
