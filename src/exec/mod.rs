//! Runs steps: the one place that starts processes. It prints nothing: a
//! child's output goes where the caller's `Output` says (a file, a capture,
//! or a function the caller gives, which hands it to the reporter).
//!
//! Stopping (signals.rs, tree.rs): crossflake is a child subreaper, so
//! whatever its children start (cargo, rustc, the runner, emulators, the
//! tests' own children, daemons) stays in its process tree, and a termination
//! signal is forwarded to that whole tree. No process group is created, so a
//! program keeps the terminal (QEMU's `-nographic` console works, Ctrl-C
//! reaches everything at once). Every child dies with the thread that started
//! it (PR_SET_PDEATHSIG), so a SIGKILLed crossflake takes its children along.
//! A step with a timeout is killed, tree and all.
//!
//! Not duct (the design card names it): a child must be registered as ours in
//! the same critical section that spawns it (else a concurrent stop would take
//! it for an orphan and kill it), get PR_SET_PDEATHSIG, and be killed with its
//! whole tree at a deadline; duct's handles kill the direct child only and
//! spawn outside our lock, so std::process is used directly.
pub mod signals;
mod tree;

use crate::step::Step;
use anyhow::{Context, Result};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub use signals::{interrupted, stop_everything, stop_with_parent};
pub use tree::GRACE;

/// How a program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Exited with this code.
    Exited(i32),
    /// Killed by this signal (not by us).
    Signalled(i32),
    /// Killed by us at the timeout.
    TimedOut,
    /// Stopped by us because we got this signal.
    Interrupted(i32),
}

impl Ending {
    /// The exit code a launcher reports for this ending (signals as 128+N, the timeout as 124).
    pub fn exit_code(self) -> i32 {
        use crate::exit::Kind;
        match self {
            Ending::Exited(c) => c,
            Ending::Signalled(s) | Ending::Interrupted(s) => Kind::Signal(s).code(),
            Ending::TimedOut => Kind::TimedOut.code(),
        }
    }

    /// In words, as cargo says it (`exit status: 1`).
    pub fn describe(self) -> String {
        match self {
            Ending::Exited(c) => format!("exit status: {c}"),
            Ending::Signalled(s) => format!("signal: {s}"),
            Ending::TimedOut => "timed out".into(),
            Ending::Interrupted(s) => format!("interrupted by signal {s}"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub ending: Ending,
    pub elapsed: Duration,
    pub pid: u32,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.ending == Ending::Exited(0)
    }
}

/// A function that takes a child's output as it comes.
pub type Chunks<'a> = &'a (dyn Fn(&[u8]) + Sync);
/// A function that takes a child's output line by line (without the newline).
pub type Lines<'a> = &'a (dyn Fn(&str) + Sync);

/// Where a step's output goes.
#[derive(Clone, Copy)]
pub enum Output<'a> {
    /// Inherit the launcher's stdin, stdout and stderr.
    Inherit,
    /// Both streams appended to this file; stdin closed.
    Log(&'a std::path::Path),
    /// Both streams captured (returned); stdin closed.
    Capture,
    /// cargo's way: stderr handed line by line to `stderr` (which shows it and keeps what
    /// it wants); stdout as `stdout` says; stdin inherited.
    Cargo { stderr: Lines<'a>, stdout: Stdout<'a> },
    /// stdout and stderr through one pipe (their order kept), each chunk handed to the
    /// function as it comes; stdin inherited.
    Merged(Chunks<'a>),
    /// stdout read line by line and handed to the function (a kernel's console);
    /// stdin and stderr inherited.
    Console(Lines<'a>),
}

/// Where `Output::Cargo` sends stdout.
#[derive(Clone, Copy)]
pub enum Stdout<'a> {
    Inherit,
    /// Captured and returned (cargo's JSON messages).
    Capture,
    /// Handed on as it comes.
    To(Chunks<'a>),
}

/// What a step left behind besides its ending.
#[derive(Debug, Default)]
pub struct Collected {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

fn command_for(step: &Step) -> Command {
    let mut cmd = Command::new(&step.program);
    if step.clear_env {
        cmd.env_clear();
    }
    cmd.args(&step.args).envs(&step.env);
    if let Some(cwd) = &step.cwd {
        cmd.current_dir(cwd);
    }
    // SAFETY: prctl and getppid are async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        let parent = libc::getpid();
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if libc::getppid() != parent {
                libc::_exit(137);
            }
            Ok(())
        });
    }
    cmd
}

/// Whether our stderr is a terminal (cargo, seeing a pipe, would drop its colours).
fn stderr_is_terminal() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(2) == 1 }
}

/// Runs a step to its end, sending its output where `out` says. A step with
/// `timeout_secs` is killed with its whole tree at the deadline.
pub fn run(step: &Step, out: Output) -> Result<(Outcome, Collected)> {
    signals::install();
    let mut cmd = command_for(step);
    let mut merged = None;
    match out {
        Output::Inherit => {}
        Output::Log(p) => {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("cannot open the log {}", p.display()))?;
            cmd.stdin(Stdio::null()).stdout(f.try_clone()?).stderr(f);
        }
        Output::Capture => {
            cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        Output::Cargo { stdout, .. } => {
            if !matches!(stdout, Stdout::Inherit) {
                cmd.stdout(Stdio::piped());
            }
            cmd.stderr(Stdio::piped());
            // cargo sees a pipe now: keep its colours and progress bar for a terminal.
            if stderr_is_terminal() {
                for (k, v) in [("CARGO_TERM_COLOR", "always"), ("CARGO_TERM_PROGRESS_WHEN", "auto")] {
                    if std::env::var_os(k).is_none() && !step.env.contains_key(k) {
                        cmd.env(k, v);
                    }
                }
            }
        }
        Output::Merged(_) => {
            let (reader, writer) = std::io::pipe().context("cannot create a pipe")?;
            cmd.stdout(writer.try_clone()?).stderr(writer);
            merged = Some(reader);
        }
        Output::Console(_) => {
            cmd.stdout(Stdio::piped());
        }
    }
    let start = Instant::now();
    let mut child = {
        // Registered under the lock so that a concurrent stop never takes it for an orphan.
        let mut spawned = tree::SPAWNED.lock().unwrap_or_else(|e| e.into_inner());
        let child = cmd.spawn().with_context(|| format!("cannot start `{}` for {}", step.program, step.label))?;
        spawned.insert(child.id() as i32);
        child
    };
    // The parent's copies of the merged pipe's write end go with the command.
    drop(cmd);
    let pid = child.id();
    let deadline = step.timeout_secs.map(|s| start + Duration::from_secs(s));
    let (waited, stdout, stderr) = std::thread::scope(|scope| {
        let stdout_reader = child.stdout.take().map(|o| match out {
            Output::Console(line) => scope.spawn(move || {
                each_line(o, |raw| line(String::from_utf8_lossy(raw).trim_end_matches(['\n', '\r'])));
                Vec::new()
            }),
            Output::Cargo { stdout: Stdout::To(chunk), .. } => scope.spawn(move || {
                each_chunk(o, chunk);
                Vec::new()
            }),
            _ => scope.spawn(move || read_all(o)),
        });
        let stderr_reader = child.stderr.take().map(|e| match out {
            Output::Cargo { stderr: line, .. } => scope.spawn(move || {
                each_line(e, |raw| line(String::from_utf8_lossy(raw).trim_end_matches('\n')));
                Vec::new()
            }),
            _ => scope.spawn(move || read_all(e)),
        });
        let merged_reader = match (out, merged) {
            (Output::Merged(chunk), Some(r)) => Some(scope.spawn(move || each_chunk(r, chunk))),
            _ => None,
        };
        let waited = wait(child, deadline);
        tree::SPAWNED.lock().unwrap_or_else(|e| e.into_inner()).remove(&(pid as i32));
        let stdout = stdout_reader.and_then(|h| h.join().ok()).unwrap_or_default();
        let stderr = stderr_reader.and_then(|h| h.join().ok()).unwrap_or_default();
        if let Some(h) = merged_reader {
            let _ = h.join();
        }
        (waited, stdout, stderr)
    });
    let (status, timed_out) = waited?;
    let ending = match (timed_out, interrupted()) {
        (true, _) => Ending::TimedOut,
        (false, Some(sig)) => Ending::Interrupted(sig),
        (false, None) => ending_of(status),
    };
    Ok((Outcome { ending, elapsed: start.elapsed(), pid }, Collected { stdout, stderr }))
}

/// What a captured step printed, and how it ended.
#[derive(Debug, Clone)]
pub struct Captured {
    pub ending: Ending,
    pub stdout: String,
    pub stderr: String,
}

impl Captured {
    pub fn success(&self) -> bool {
        self.ending == Ending::Exited(0)
    }
}

/// Runs a step with its output captured (the one way crossflake asks a tool something:
/// rustc's cfg, nix, nix-store, llvm-cov, git, wine).
pub fn capture(step: &Step) -> Result<Captured> {
    let (o, got) = run(step, Output::Capture)?;
    Ok(Captured {
        ending: o.ending,
        stdout: String::from_utf8_lossy(&got.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&got.stderr).into_owned(),
    })
}

/// A short probe (`wine --version`): its stdout, trimmed; None if it failed.
pub fn probe(program: &str, args: &[&str]) -> Option<String> {
    let c = capture(&Step::new("probe", program).args(args.iter().copied())).ok()?;
    c.success().then(|| c.stdout.trim().to_string())
}

/// Waits for the child; at the deadline, kills its tree (and orphans taken in) and
/// reports the timeout. Stragglers that outlive the child go too.
fn wait(mut child: std::process::Child, deadline: Option<Instant>) -> Result<(ExitStatus, bool)> {
    let pid = child.id() as i32;
    let Some(deadline) = deadline else {
        let status = child.wait()?;
        tree::kill_tree(&tree::orphans(), libc::SIGKILL);
        return Ok((status, false));
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let wait_for = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(wait_for) {
        Ok(status) => {
            tree::kill_tree(&tree::orphans(), libc::SIGKILL);
            Ok((status?, false))
        }
        Err(_) => {
            tree::terminate(
                move || tree::subtree_of(&[pid]).into_iter().chain(tree::orphans()).collect(),
                libc::SIGTERM,
            );
            let status = rx.recv_timeout(GRACE * 4).context("the timed-out program did not die after SIGKILL")??;
            tree::kill_tree(&tree::orphans(), libc::SIGKILL);
            Ok((status, true))
        }
    }
}

/// Hands what a pipe carries to `f` as it comes, until the pipe ends.
fn each_chunk<R: std::io::Read>(mut r: R, mut f: impl FnMut(&[u8])) {
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => f(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

/// Hands each line of a pipe (its newline included) to `f`, until the pipe ends.
fn each_line<R: std::io::Read>(r: R, mut f: impl FnMut(&[u8])) {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(r);
    let mut buf = Vec::new();
    while reader.read_until(b'\n', &mut buf).map(|n| n > 0).unwrap_or(false) {
        f(&buf);
        buf.clear();
    }
}

/// Reads a pipe to its end.
fn read_all<R: std::io::Read>(r: R) -> Vec<u8> {
    let mut buf = Vec::new();
    each_chunk(r, |chunk| buf.extend_from_slice(chunk));
    buf
}

fn ending_of(status: ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(c), _) => Ending::Exited(c),
        (None, Some(s)) => Ending::Signalled(s),
        _ => Ending::Exited(1),
    }
}

/// Runs `work(i)` for each `i` in `0..count` on up to `workers` threads, handing the
/// items out in order; none starts once `stop()` holds or a termination signal came.
pub fn share_out(count: usize, workers: usize, stop: impl Fn() -> bool + Sync, work: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, count.max(1)) {
            s.spawn(|| loop {
                if stop() || interrupted().is_some() {
                    return;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    return;
                }
                work(i);
            });
        }
    });
}

/// Replaces this process with `program` (exec(2)); returns only on failure. For the
/// capture run's rustdoc stand-in, which must be rustdoc itself, not its parent.
pub fn replace_with(program: &std::ffi::OsStr, args: &[std::ffi::OsString], without: &str) -> std::io::Error {
    Command::new(program).args(args).env_remove(without).exec()
}

/// In the unit-test binary, which runs nothing else: the test process becomes a child
/// subreaper and stops orphans after each program, so a child another test started with
/// std's Command would be taken for one (tests/ start crossflake's binary instead).
#[cfg(test)]
mod tests {
    use super::*;

    /// Programs run from several threads at once never take each other for orphans of
    /// the subreaper: a child another thread is spawning right then is not killed.
    #[test]
    fn programs_started_side_by_side_are_never_killed_as_orphans() {
        let wrong = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..150 {
                        let step = Step::new("true", "true");
                        let (o, _) = run(&step, Output::Log(std::path::Path::new("/dev/null"))).unwrap();
                        if o.ending != Ending::Exited(0) {
                            wrong.lock().unwrap().push(o.ending);
                        }
                    }
                });
            }
        });
        assert_eq!(wrong.into_inner().unwrap(), vec![], "of 1200 runs of `true`, these ended otherwise");
    }
}
