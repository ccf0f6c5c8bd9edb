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

/// Fails the test with the install hint when `tool` is not on PATH (`zig-or-cache`: zig
/// on PATH or where scripts/setup-host puts it, in crossflake's cache).
pub fn require_tool(tool: &str) {
    if tool == "zig-or-cache" {
        let cache =
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache/crossflake/zig/ziglang/zig"));
        if cache.is_some_and(|c| c.is_file()) {
            return;
        }
        return require_tool("zig");
    }
    let found =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file())).unwrap_or(false);
    assert!(found, "REQUIRED TOOL MISSING: `{tool}` is not on PATH; run scripts/setup-host --cargo-tools (scripts/test does) and re-run");
}

/// The variables cargo gives a test process (this one) that a user's shell does not
/// have: a crossflake started from a test must not inherit them, or it would pass where
/// a user's fails (LD_LIBRARY_PATH with the toolchain's sysroot hid a proc-macro bug).
pub fn is_cargo_test_var(k: &str) -> bool {
    k == "LD_LIBRARY_PATH"
        || k == "OUT_DIR"
        || k == "CARGO"
        || k.starts_with("CARGO_PKG_")
        || k.starts_with("CARGO_BIN_")
        || k.starts_with("CARGO_MANIFEST_")
        || ["CARGO_CRATE_NAME", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "CARGO_RUSTC_CURRENT_DIR"].contains(&k)
        // rustup's choice for this test process (from the project's rust-toolchain.toml):
        // a crossflake started elsewhere must find its own, as rustup would.
        || k == "RUSTUP_TOOLCHAIN"
        || k == "RUSTUP_TOOLCHAIN_SOURCE"
}

/// A command for `program` in the environment of a user's shell (see `is_cargo_test_var`).
pub fn user_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for (k, _) in std::env::vars_os() {
        if is_cargo_test_var(&k.to_string_lossy()) {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// The crossflake binary, started as a user would start it.
pub fn command() -> Command {
    user_command(bin())
}

pub fn crossflake(args: &[&str], cwd: &Path) -> Output {
    command().args(args).current_dir(cwd).output_bounded().expect("crossflake runs")
}

/// The backstop for every command a test runs: no test waits longer than this
/// for one, however loaded the machine (the slowest, a build-std build under
/// load, takes a few minutes).
pub const BACKSTOP: std::time::Duration = std::time::Duration::from_secs(900);

/// `Command::output` with a bound: at `BACKSTOP` the process gets SIGTERM (which
/// crossflake forwards to everything it started), then SIGKILL, and the test fails.
pub trait OutputBounded {
    fn output_bounded(&mut self) -> std::io::Result<Output>;
}

impl OutputBounded for Command {
    fn output_bounded(&mut self) -> std::io::Result<Output> {
        output_within(self, BACKSTOP)
    }
}

pub fn output_within(cmd: &mut Command, limit: std::time::Duration) -> std::io::Result<Output> {
    match try_output_within(cmd, limit)? {
        Some(o) => Ok(o),
        None => panic!("{cmd:?} did not finish within {limit:?} (the test's backstop); it was stopped"),
    }
}

/// `Command::output` with a bound; None when it had to be stopped at `limit`. The
/// command runs in a process group of its own, and the whole group is stopped (SIGTERM,
/// then SIGKILL): a plain cargo's test binaries and emulators with it.
pub fn try_output_within(cmd: &mut Command, limit: std::time::Duration) -> std::io::Result<Option<Output>> {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0).spawn()?;
    let readers = [
        child.stdout.take().map(|r| Box::new(r) as Box<dyn Read + Send>),
        child.stderr.take().map(|r| Box::new(r) as Box<dyn Read + Send>),
    ]
    .map(|r| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    });
    let pid = child.id() as i32;
    if !wait_pid_exit(pid, limit) {
        // SAFETY: signals to the process group of our own child.
        unsafe { libc::kill(-pid, libc::SIGTERM) };
        if !wait_pid_exit(pid, std::time::Duration::from_secs(5)) {
            let _ = child.kill();
        }
        // SAFETY: as above; whatever of the group outlived its leader.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        let _ = child.wait();
        return Ok(None);
    }
    let status = child.wait()?;
    let [stdout, stderr] = readers.map(|h| h.join().unwrap_or_default());
    Ok(Some(Output { status, stdout, stderr }))
}

pub fn text(o: &Output) -> String {
    format!("--- stdout\n{}\n--- stderr\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Processes whose command line contains `needle` (excluding pgrep itself).
pub fn processes_matching(needle: &str) -> Vec<String> {
    let out = Command::new("pgrep").args(["-af", needle]).output_bounded().expect("pgrep");
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

/// Starts `crossflake runner --target T --gdb PORT --timeout 120 program`, waits for its
/// "waiting for gdb" line, attaches gdb-multiarch in batch mode (`pre` commands first, then
/// `target remote`, `info registers pc`, `continue`); gdb retries the connection until QEMU
/// listens (bounded), and every wait has a deadline, so a failed attach cannot hang the suite.
pub fn gdb_session(target: &str, port: &str, program: &Path, pre: &[&str]) -> GdbSession {
    let mut cmd = command();
    cmd.args(["runner", "--target", target, "--gdb", port, "--timeout", "120", program.to_str().unwrap()]);
    let mut run = Running::start(cmd);
    run.wait_for_line("is waiting for gdb on port", std::time::Duration::from_secs(60));
    let remote = format!("target remote :{port}");
    let mut gdb = Command::new("timeout");
    gdb.args(["180", "gdb-multiarch", "-batch", "-ex", "set tcp auto-retry on", "-ex", "set tcp connect-timeout 60"]);
    for c in pre.iter().copied().chain([remote.as_str(), "info registers pc", "continue"]) {
        gdb.args(["-ex", c]);
    }
    let gdb_out = String::from_utf8_lossy(&gdb.arg(program).output_bounded().unwrap().stdout).into_owned();
    let (status, stdout, stderr) = run.wait_split(std::time::Duration::from_secs(180));
    GdbSession { status, stdout, stderr, gdb_out }
}

/// A running crossflake whose stdout and stderr lines arrive on a channel, so a
/// test can wait for a line (with a deadline) instead of sleeping.
pub struct Running {
    pub child: std::process::Child,
    lines: std::sync::mpsc::Receiver<(bool, String)>,
    /// Lines seen so far: (from stderr, text).
    seen: Vec<(bool, String)>,
}

impl Running {
    /// Starts `cmd` with piped output, in its own process group (so a signal sent to
    /// its PID reaches it alone, as `kill PID` from a supervisor would).
    pub fn start(mut cmd: Command) -> Running {
        use std::io::BufRead;
        use std::os::unix::process::CommandExt;
        use std::process::Stdio;
        let mut child =
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0).spawn().expect("crossflake starts");
        let (tx, lines) = std::sync::mpsc::channel();
        let streams: [(bool, Box<dyn std::io::Read + Send>); 2] =
            [(false, Box::new(child.stdout.take().unwrap())), (true, Box::new(child.stderr.take().unwrap()))];
        for (is_err, out) in streams {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    let _ = tx.send((is_err, l));
                }
            });
        }
        Running { child, lines, seen: vec![] }
    }

    pub fn seen(&self) -> String {
        self.seen.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// Waits until a line contains `needle`; panics with what was seen at the deadline.
    pub fn wait_for_line(&mut self, needle: &str, within: std::time::Duration) {
        let deadline = std::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    let hit = l.1.contains(needle);
                    self.seen.push(l);
                    if hit {
                        return;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("no line with {needle:?} within {within:?}; seen:\n{}", self.seen())
                }
            }
        }
    }

    /// Waits for the exit (the test fails at the deadline) and returns the status, stdout and stderr.
    pub fn wait_split(mut self, within: std::time::Duration) -> (std::process::ExitStatus, String, String) {
        let status = wait_with_deadline(&mut self.child, within);
        // The readers end when the pipes close; every writer is gone once the tree has exited.
        while let Ok(l) = self.lines.recv_timeout(std::time::Duration::from_secs(10)) {
            self.seen.push(l);
        }
        let pick = |err: bool| {
            self.seen.iter().filter(|(e, _)| *e == err).map(|(_, l)| l.as_str()).collect::<Vec<_>>().join("\n")
        };
        (status, pick(false), pick(true))
    }

    /// Like `wait_split`, with both streams in one text.
    pub fn wait(self, within: std::time::Duration) -> (std::process::ExitStatus, String) {
        let (status, out, err) = self.wait_split(within);
        (status, format!("--- stdout\n{out}\n--- stderr\n{err}"))
    }
}

/// Waits for a child with a deadline; at the deadline it is killed and the test fails.
pub fn wait_with_deadline(child: &mut std::process::Child, within: std::time::Duration) -> std::process::ExitStatus {
    let pid = child.id() as i32;
    if !wait_pid_exit(pid, within) {
        let _ = child.kill();
        let _ = child.wait();
        panic!("process {pid} did not exit within {within:?}");
    }
    child.wait().unwrap()
}

/// Waits until process `pid` has exited (a pidfd becomes readable), up to `within`.
/// True when it exited (or was already gone).
pub fn wait_pid_exit(pid: i32, within: std::time::Duration) -> bool {
    // SAFETY: pidfd_open and poll on a descriptor we own, closed after.
    unsafe {
        let fd = libc::syscall(libc::SYS_pidfd_open, pid, 0) as i32;
        if fd < 0 {
            return true;
        }
        let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        let n = libc::poll(&mut p, 1, within.as_millis().min(i32::MAX as u128) as i32);
        libc::close(fd);
        n > 0
    }
}

/// The pids of processes whose command line contains `needle` (excluding pgrep itself).
pub fn pids_matching(needle: &str) -> Vec<i32> {
    processes_matching(needle).iter().filter_map(|l| l.split_whitespace().next()?.parse().ok()).collect()
}

/// A `nix` in `dir` that says it is version `version` and evaluates nothing, so tests of
/// what crossflake says about the Nix backend do not depend on the machine's Nix. Its
/// size changes with the version, as a real upgrade changes the binary.
pub fn fake_nix(dir: &Path, version: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let nix = dir.join("nix");
    let script = format!(
        "#!/bin/sh\n# fake nix {version}\ncase \"$1\" in\n  --version) echo 'nix (Nix) {version}' ;;\n  \
         *) echo 'error: this fake nix evaluates nothing' >&2; exit 1 ;;\nesac\n"
    );
    std::fs::write(&nix, script).unwrap();
    std::fs::set_permissions(&nix, std::fs::Permissions::from_mode(0o755)).unwrap();
    nix
}

/// PATH with `dir` first.
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).unwrap()
}
