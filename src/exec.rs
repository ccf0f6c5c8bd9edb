//! Runs steps: the one place that spawns processes. A step with a timeout runs
//! in its own process group, which is killed whole at the timeout or on
//! Ctrl-C/SIGTERM/SIGHUP; it also dies with the launcher (PR_SET_PDEATHSIG).
use crate::plan::Step;
use anyhow::{Context, Result};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The last termination signal received (0: none).
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    SIGNALLED.store(sig, Ordering::SeqCst);
}

/// Catch SIGINT, SIGTERM and SIGHUP so children can be reaped before exiting.
pub fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_signal as *const () as usize;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, std::ptr::null_mut());
        }
    }
}

/// The signal that interrupted us, if any.
pub fn interrupted() -> Option<i32> {
    match SIGNALLED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Exited with this code.
    Exited(i32),
    /// Killed by this signal (not by us).
    Signalled(i32),
    /// Killed by us at the timeout.
    TimedOut,
    /// Killed by us because we got this signal.
    Interrupted(i32),
}

impl Ending {
    /// The exit code a launcher reports for this ending (signals as 128+N, the timeout as 124).
    pub fn exit_code(self) -> i32 {
        match self {
            Ending::Exited(c) => c,
            Ending::Signalled(s) | Ending::Interrupted(s) => 128 + s,
            Ending::TimedOut => crate::runner::EXIT_TIMEOUT,
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

fn command_for(step: &Step) -> Command {
    let mut cmd = Command::new(&step.program);
    cmd.args(&step.args).envs(&step.env);
    if let Some(cwd) = &step.cwd {
        cmd.current_dir(cwd);
    }
    cmd
}

/// Where a step's output goes.
#[derive(Debug, Clone, Copy)]
pub enum Output<'a> {
    /// Inherit the launcher's stdout and stderr.
    Inherit,
    /// Both streams appended to this file.
    Log(&'a std::path::Path),
    /// stdout captured (returned), stderr appended to this file.
    Capture(&'a std::path::Path),
    /// Inherit stdout; stderr passed through line by line, keeping the lines
    /// the predicate picks (returned, for hints).
    Scan(fn(&str) -> bool),
}

/// What a step left behind besides its ending.
#[derive(Debug, Default)]
pub struct Collected {
    pub stdout: Vec<u8>,
    pub kept_lines: Vec<String>,
}

/// Like `run_foreground`, with the output sent where `out` says; returns
/// captured stdout for `Output::Capture`.
pub fn run_with_output(step: &Step, out: Output) -> Result<(Outcome, Vec<u8>)> {
    let (o, c) = run_collecting(step, out)?;
    Ok((o, c.stdout))
}

/// Runs a step, sending its output where `out` says, and returns what it collected.
pub fn run_collecting(step: &Step, out: Output) -> Result<(Outcome, Collected)> {
    let mut cmd = command_for(step);
    let open = |p: &std::path::Path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .with_context(|| format!("cannot open the log {}", p.display()))
    };
    match out {
        Output::Inherit => {}
        Output::Log(p) => {
            let f = open(p)?;
            cmd.stdout(f.try_clone()?).stderr(f);
        }
        Output::Capture(p) => {
            cmd.stdout(std::process::Stdio::piped()).stderr(open(p)?);
        }
        Output::Scan(_) => {
            cmd.stderr(std::process::Stdio::piped());
            // cargo sees a pipe now: keep its colours and progress bar for a terminal.
            // SAFETY: isatty only inspects the descriptor.
            if unsafe { libc::isatty(2) } == 1 {
                for (k, v) in [("CARGO_TERM_COLOR", "always"), ("CARGO_TERM_PROGRESS_WHEN", "auto")] {
                    if std::env::var_os(k).is_none() && !step.env.contains_key(k) {
                        cmd.env(k, v);
                    }
                }
            }
        }
    }
    let start = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("cannot start `{}` for {}", step.program, step.label))?;
    let pid = child.id();
    let scanner = match (out, child.stderr.take()) {
        (Output::Scan(keep), Some(err)) => Some(std::thread::spawn(move || pass_through(err, keep))),
        _ => None,
    };
    let output = child.wait_with_output()?;
    let kept_lines = scanner.and_then(|h| h.join().ok()).unwrap_or_default();
    let ending = match interrupted() {
        Some(sig) => Ending::Interrupted(sig),
        None => ending_of(output.status),
    };
    Ok((Outcome { ending, elapsed: start.elapsed(), pid }, Collected { stdout: output.stdout, kept_lines }))
}

/// Copies a child's stderr to ours as it comes, keeping the lines `keep` picks.
fn pass_through(err: std::process::ChildStderr, keep: fn(&str) -> bool) -> Vec<String> {
    use std::io::{BufRead, Write};
    let mut kept = Vec::new();
    let mut reader = std::io::BufReader::new(err);
    let mut buf = Vec::new();
    let stderr = std::io::stderr();
    while reader.read_until(b'\n', &mut buf).map(|n| n > 0).unwrap_or(false) {
        let _ = stderr.lock().write_all(&buf);
        let line = String::from_utf8_lossy(&buf);
        if keep(&line) {
            kept.push(line.trim_end().to_string());
        }
        buf.clear();
    }
    kept
}

/// Runs a step to completion in the launcher's process group (cargo itself:
/// Ctrl-C reaches it directly). The launcher waits for it even when signalled.
pub fn run_foreground(step: &Step) -> Result<Outcome> {
    let start = Instant::now();
    let mut child =
        command_for(step).spawn().with_context(|| format!("cannot start `{}` for {}", step.program, step.label))?;
    let pid = child.id();
    let status = child.wait()?;
    let ending = match interrupted() {
        Some(sig) => Ending::Interrupted(sig),
        None => ending_of(status),
    };
    Ok(Outcome { ending, elapsed: start.elapsed(), pid })
}

fn ending_of(status: ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(c), _) => Ending::Exited(c),
        (None, Some(s)) => Ending::Signalled(s),
        _ => Ending::Exited(1),
    }
}

/// Runs a step in its own process group, killing the whole group at
/// `step.timeout_secs` or when the launcher is signalled.
pub fn run_isolated(step: &Step) -> Result<Outcome> {
    let start = Instant::now();
    let mut cmd = command_for(step);
    cmd.process_group(0);
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
    let mut child = cmd.spawn().with_context(|| format!("cannot start `{}` for {}", step.program, step.label))?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let deadline = step.timeout_secs.map(|s| start + Duration::from_secs(s));
    let ending = loop {
        let slice = Duration::from_millis(25);
        let wait = deadline.map_or(slice, |d| d.saturating_duration_since(Instant::now()).min(slice));
        match rx.recv_timeout(wait) {
            Ok(status) => break ending_of(status?),
            Err(mpsc::RecvTimeoutError::Disconnected) => break Ending::Exited(1),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Some(sig) = interrupted() {
            kill_group(pid, &rx);
            break Ending::Interrupted(sig);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            kill_group(pid, &rx);
            break Ending::TimedOut;
        }
    };
    Ok(Outcome { ending, elapsed: start.elapsed(), pid })
}

/// SIGTERM to the group, then SIGKILL after a grace period; waits for the leader.
fn kill_group(pid: u32, rx: &mpsc::Receiver<std::io::Result<ExitStatus>>) {
    let pgid = -(pid as i32);
    // SAFETY: plain kill(2) on the child's own process group.
    unsafe { libc::kill(pgid, libc::SIGTERM) };
    if rx.recv_timeout(Duration::from_secs(2)).is_err() {
        unsafe { libc::kill(pgid, libc::SIGKILL) };
        let _ = rx.recv_timeout(Duration::from_secs(5));
    }
    // Stragglers that outlived the leader (daemonised helpers) go too.
    unsafe { libc::kill(pgid, libc::SIGKILL) };
}

/// Runs a short probe command and returns its stdout (trimmed); None if it failed.
pub fn capture(program: &str, args: &[&str]) -> Option<String> {
    duct::cmd(program, args)
        .stderr_null()
        .unchecked()
        .stdout_capture()
        .run()
        .ok()
        .and_then(|o| o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().to_string()))
}
