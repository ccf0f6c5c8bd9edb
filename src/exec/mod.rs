//! Runs steps: the one place that spawns processes.
//!
//! Stopping: crossflake is a child subreaper, so whatever its children start
//! (cargo, rustc, the runner, emulators, the tests' own children, daemons)
//! stays in its process tree. SIGINT, SIGTERM or SIGHUP to crossflake's PID
//! (or to its process group, as a terminal sends) is forwarded to that whole
//! tree, followed by SIGKILL after a grace period; a second signal kills at
//! once. No process group is created, so a program keeps the terminal
//! (QEMU's `-nographic` console works, Ctrl-C reaches everything at once).
//! Every child dies with the thread that started it (PR_SET_PDEATHSIG), so a
//! SIGKILLed crossflake takes its children along; the runner watches its own
//! parent (src/runner.rs). A step with a timeout is killed, tree and all.
use crate::plan::Step;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{mpsc, Mutex, Once};
use std::time::{Duration, Instant};

/// How long a stopped tree gets between the forwarded signal and SIGKILL.
pub const GRACE: Duration = Duration::from_millis(1500);

/// The last termination signal received (0: none).
static SIGNALLED: AtomicI32 = AtomicI32::new(0);
/// How many termination signals arrived.
static SIGNAL_COUNT: AtomicI32 = AtomicI32::new(0);
/// Write end of the self-pipe the signal handler wakes the watcher with.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);
/// Children spawned here and not yet reaped: anything else among our direct
/// children is an orphan of theirs that the subreaper took in.
static SPAWNED: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

extern "C" fn on_signal(sig: libc::c_int) {
    SIGNALLED.store(sig, Ordering::SeqCst);
    SIGNAL_COUNT.fetch_add(1, Ordering::SeqCst);
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe; the byte lives on this stack frame.
        unsafe { libc::write(fd, &byte as *const u8 as *const libc::c_void, 1) };
    }
}

/// Become a subreaper and forward SIGINT/SIGTERM/SIGHUP to everything below us.
/// Idempotent; every command that starts processes calls it first.
pub fn install_signal_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut fds = [-1; 2];
        // SAFETY: plain syscalls on descriptors we own; the handler only stores and writes.
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
            if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) == 0 {
                WAKE_FD.store(fds[1], Ordering::SeqCst);
            }
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                let mut act: libc::sigaction = std::mem::zeroed();
                act.sa_sigaction = on_signal as *const () as usize;
                act.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut act.sa_mask);
                libc::sigaction(sig, &act, std::ptr::null_mut());
            }
        }
        let read_fd = fds[0];
        if read_fd >= 0 {
            std::thread::spawn(move || watch_signals(read_fd));
        }
    });
}

/// Waits on the self-pipe; on each signal, stops the whole tree below us.
fn watch_signals(fd: i32) {
    loop {
        let mut byte = 0u8;
        // SAFETY: reading one byte into a local from our own pipe.
        let n = unsafe { libc::read(fd, &mut byte as *mut u8 as *mut libc::c_void, 1) };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        let sig = byte as i32;
        if SIGNAL_COUNT.load(Ordering::SeqCst) > 1 {
            kill_tree(&below_self(), libc::SIGKILL);
        } else {
            std::thread::spawn(move || terminate(below_self, sig));
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

/// Runs `work(i)` for each `i` in `0..count` on up to `workers` threads, handing the
/// items out in order; none starts once `stop()` holds or a termination signal came.
pub fn share_out(count: usize, workers: usize, stop: impl Fn() -> bool + Sync, work: impl Fn(usize) + Sync) {
    let next = std::sync::atomic::AtomicUsize::new(0);
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
        match self {
            Ending::Exited(c) => c,
            Ending::Signalled(s) | Ending::Interrupted(s) => crate::exit::for_signal(s),
            Ending::TimedOut => crate::exit::TIMEOUT,
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

/// Where a step's output goes.
#[derive(Clone, Copy)]
pub enum Output<'a> {
    /// Inherit the launcher's stdin, stdout and stderr.
    Inherit,
    /// Both streams appended to this file.
    Log(&'a std::path::Path),
    /// stdout captured (returned), stderr appended to this file.
    Capture(&'a std::path::Path),
    /// stdin closed, stdout and stderr captured (returned); stderr also copied to
    /// ours as it comes when `echo_stderr` (a build's progress).
    Pipe { echo_stderr: bool },
    /// Inherit stdout; stderr passed through line by line, keeping the lines
    /// the predicate picks (returned, for hints).
    Scan(fn(&str) -> bool),
    /// stdout captured (returned); stderr as `Scan` (passed through, lines kept).
    ScanCapture(fn(&str) -> bool),
    /// stdout and stderr through one pipe (their order kept), each chunk handed to the
    /// function as it comes; stdin inherited.
    Merged(&'a (dyn Fn(&[u8]) + Sync)),
    /// stdout read line by line, each line (without its newline) handed to the
    /// function, which may echo it (a kernel's console); stdin and stderr inherited.
    Console(&'a (dyn Fn(&str) + Sync)),
}

impl std::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::Inherit => f.write_str("Inherit"),
            Output::Log(p) => write!(f, "Log({})", p.display()),
            Output::Capture(p) => write!(f, "Capture({})", p.display()),
            Output::Pipe { echo_stderr } => write!(f, "Pipe {{ echo_stderr: {echo_stderr} }}"),
            Output::Scan(_) => f.write_str("Scan"),
            Output::ScanCapture(_) => f.write_str("ScanCapture"),
            Output::Console(_) => f.write_str("Console"),
            Output::Merged(_) => f.write_str("Merged"),
        }
    }
}

/// What a step left behind besides its ending.
#[derive(Debug, Default)]
pub struct Collected {
    pub stdout: Vec<u8>,
    /// Captured stderr (`Output::Pipe` only).
    pub stderr: Vec<u8>,
    pub kept_lines: Vec<String>,
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

/// Runs a step to its end, sending its output where `out` says. A step with
/// `timeout_secs` is killed with its whole tree at the deadline.
pub fn run(step: &Step, out: Output) -> Result<(Outcome, Collected)> {
    install_signal_handlers();
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
            cmd.stdin(std::process::Stdio::null()).stdout(f.try_clone()?).stderr(f);
        }
        Output::Capture(p) => {
            cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(open(p)?);
        }
        Output::Pipe { .. } => {
            use std::process::Stdio;
            cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        Output::Console(_) => {
            cmd.stdout(std::process::Stdio::piped());
        }
        Output::Merged(_) => {}
        Output::Scan(_) | Output::ScanCapture(_) => {
            if matches!(out, Output::ScanCapture(_)) {
                cmd.stdout(std::process::Stdio::piped());
            }
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
    let merged = match out {
        Output::Merged(_) => {
            let (reader, writer) = std::io::pipe().context("cannot create a pipe")?;
            cmd.stdout(writer.try_clone()?).stderr(writer);
            Some(reader)
        }
        _ => None,
    };
    let start = Instant::now();
    let mut child = {
        // Registered under the lock so that a concurrent stop never takes it for an orphan.
        let mut spawned = SPAWNED.lock().unwrap_or_else(|e| e.into_inner());
        let child = cmd.spawn().with_context(|| format!("cannot start `{}` for {}", step.program, step.label))?;
        spawned.insert(child.id() as i32);
        child
    };
    // The parent's copies of the merged pipe's write end go with the command.
    drop(cmd);
    let pid = child.id();
    let deadline = step.timeout_secs.map(|s| start + Duration::from_secs(s));
    let (waited, stdout, stderr, kept_lines) = std::thread::scope(|scope| {
        let stdout_reader = child.stdout.take().map(|o| match out {
            Output::Console(line) => scope.spawn(move || {
                each_line(o, |raw| line(String::from_utf8_lossy(raw).trim_end_matches(['\n', '\r'])));
                Vec::new()
            }),
            _ => scope.spawn(move || read_all(o, false)),
        });
        let merged_reader = match (out, merged) {
            (Output::Merged(chunk), Some(r)) => Some(scope.spawn(move || each_chunk(r, chunk))),
            _ => None,
        };
        let (scanner, stderr_reader) = match (out, child.stderr.take()) {
            (Output::Scan(keep) | Output::ScanCapture(keep), Some(err)) => {
                (Some(scope.spawn(move || pass_through(err, keep))), None)
            }
            (Output::Pipe { echo_stderr }, Some(err)) => (None, Some(scope.spawn(move || read_all(err, echo_stderr)))),
            _ => (None, None),
        };
        let waited = wait(child, deadline);
        SPAWNED.lock().unwrap_or_else(|e| e.into_inner()).remove(&(pid as i32));
        let stdout = stdout_reader.and_then(|h| h.join().ok()).unwrap_or_default();
        let stderr = stderr_reader.and_then(|h| h.join().ok()).unwrap_or_default();
        let kept_lines = scanner.and_then(|h| h.join().ok()).unwrap_or_default();
        if let Some(h) = merged_reader {
            let _ = h.join();
        }
        (waited, stdout, stderr, kept_lines)
    });
    let (status, timed_out) = waited?;
    let ending = match (timed_out, interrupted()) {
        (true, _) => Ending::TimedOut,
        (false, Some(sig)) => Ending::Interrupted(sig),
        (false, None) => ending_of(status),
    };
    Ok((Outcome { ending, elapsed: start.elapsed(), pid }, Collected { stdout, stderr, kept_lines }))
}

/// Waits for the child; at the deadline, kills its tree (and orphans taken in) and
/// reports the timeout. Stragglers that outlive the child go too.
fn wait(mut child: std::process::Child, deadline: Option<Instant>) -> Result<(ExitStatus, bool)> {
    let pid = child.id() as i32;
    let Some(deadline) = deadline else {
        let status = child.wait()?;
        kill_tree(&orphans(), libc::SIGKILL);
        return Ok((status, false));
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let wait_for = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(wait_for) {
        Ok(status) => {
            kill_tree(&orphans(), libc::SIGKILL);
            Ok((status?, false))
        }
        Err(_) => {
            terminate(move || subtree_of(&[pid]).into_iter().chain(orphans()).collect(), libc::SIGTERM);
            let status = rx.recv_timeout(GRACE * 4).context("the timed-out program did not die after SIGKILL")??;
            kill_tree(&orphans(), libc::SIGKILL);
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

/// Reads a pipe to its end; with `echo`, also copies it to our stderr as it comes.
fn read_all<R: std::io::Read>(r: R, echo: bool) -> Vec<u8> {
    use std::io::Write;
    let mut buf = Vec::new();
    each_chunk(r, |chunk| {
        if echo {
            let _ = std::io::stderr().write_all(chunk);
        }
        buf.extend_from_slice(chunk);
    });
    buf
}

/// Copies a child's stderr to ours as it comes, keeping the lines `keep` picks.
fn pass_through(err: std::process::ChildStderr, keep: fn(&str) -> bool) -> Vec<String> {
    use std::io::Write;
    let mut kept = Vec::new();
    each_line(err, |raw| {
        let _ = std::io::stderr().lock().write_all(raw);
        let line = String::from_utf8_lossy(raw);
        if keep(&line) {
            kept.push(line.trim_end().to_string());
        }
    });
    kept
}

fn ending_of(status: ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(c), _) => Ending::Exited(c),
        (None, Some(s)) => Ending::Signalled(s),
        _ => Ending::Exited(1),
    }
}

/// What /proc/<pid>/stat says of a process.
#[derive(Debug, Clone, Copy)]
struct ProcInfo {
    ppid: i32,
    session: i32,
    /// Dead, waiting to be reaped: nothing to kill.
    zombie: bool,
}

fn proc_table() -> BTreeMap<i32, ProcInfo> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (comm) state ppid pgrp session ...`; comm may hold spaces and parentheses.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
        let f: Vec<&str> = rest.split_whitespace().take(4).collect();
        let (Some(state), Some(ppid), Some(session)) =
            (f.first(), f.get(1).and_then(|p| p.parse().ok()), f.get(3).and_then(|p| p.parse().ok()))
        else {
            continue;
        };
        out.insert(pid, ProcInfo { ppid, session, zombie: *state == "Z" || *state == "X" });
    }
    out
}

/// `roots` and all their living descendants.
fn subtree_of(roots: &[i32]) -> Vec<i32> {
    subtree_in(&proc_table(), roots)
}

fn subtree_in(table: &BTreeMap<i32, ProcInfo>, roots: &[i32]) -> Vec<i32> {
    let mut out: Vec<i32> = roots.iter().copied().filter(|p| table.get(p).is_some_and(|i| !i.zombie)).collect();
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(table.iter().filter(|(_, i)| i.ppid == parent && !i.zombie).map(|(p, _)| *p));
        i += 1;
    }
    out
}

/// Everything alive below this process.
fn below_self() -> Vec<i32> {
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    let mut all = subtree_of(&[me]);
    all.retain(|p| *p != me);
    all
}

/// Our direct children that we did not spawn (orphans the subreaper took in), with their
/// trees; daemons that left our session (`setsid`, as wineserver does) are spared: a
/// program's end or timeout takes its leftovers, not a server other programs share.
fn orphans() -> Vec<i32> {
    // SAFETY: getpid and getsid have no preconditions.
    let (me, session) = unsafe { (libc::getpid(), libc::getsid(0)) };
    // The table is read under the lock: a child another thread is spawning right now
    // is registered before it can be seen, never taken for an orphan.
    let spawned = SPAWNED.lock().unwrap_or_else(|e| e.into_inner());
    let table = proc_table();
    let roots: Vec<i32> = table
        .iter()
        .filter(|(p, i)| i.ppid == me && !i.zombie && i.session == session && !spawned.contains(p))
        .map(|(p, _)| *p)
        .collect();
    if roots.is_empty() {
        vec![]
    } else {
        subtree_in(&table, &roots)
    }
}

fn kill_tree(pids: &[i32], sig: i32) {
    for p in pids {
        // SAFETY: kill(2) on a process id read from /proc.
        unsafe { libc::kill(*p, sig) };
    }
}

/// Sends `sig` (and SIGCONT, for stopped ones) to what `victims` names, waits up to
/// GRACE for it to go, then SIGKILLs what is left, until nothing is.
fn terminate(victims: impl Fn() -> Vec<i32>, sig: i32) {
    let first = victims();
    kill_tree(&first, sig);
    kill_tree(&first, libc::SIGCONT);
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline && !victims().is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let hard_deadline = Instant::now() + GRACE;
    loop {
        let left = victims();
        if left.is_empty() || Instant::now() >= hard_deadline {
            return;
        }
        kill_tree(&left, libc::SIGKILL);
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Stops everything below this process now, as a signal would (used by the runner
/// when its parent goes away).
pub fn stop_everything(sig: i32) {
    SIGNALLED.store(sig, Ordering::SeqCst);
    terminate(below_self, sig);
}

/// Runs a short probe command and returns its stdout (trimmed); None if it failed.
pub fn capture(program: &str, args: &[&str]) -> Option<String> {
    let step = Step::new("probe", program).args(args.iter().copied());
    let (outcome, got) = run(&step, Output::Capture(std::path::Path::new("/dev/null"))).ok()?;
    outcome.success().then(|| String::from_utf8_lossy(&got.stdout).trim().to_string())
}
