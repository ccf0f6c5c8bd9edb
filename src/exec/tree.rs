//! The process tree below crossflake: read from /proc, and stopped (a signal,
//! then SIGKILL for what is left after a grace period). Children spawned by
//! `exec::run` are registered in `SPAWNED`; any other direct child is an orphan
//! of theirs that the subreaper took in.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a stopped tree gets between the forwarded signal and SIGKILL.
pub const GRACE: Duration = Duration::from_millis(1500);

/// Children spawned here and not yet reaped.
pub(super) static SPAWNED: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

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
pub(super) fn subtree_of(roots: &[i32]) -> Vec<i32> {
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
pub(super) fn below_self() -> Vec<i32> {
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    let mut all = subtree_of(&[me]);
    all.retain(|p| *p != me);
    all
}

/// Our direct children that we did not spawn (orphans the subreaper took in), with their
/// trees; daemons that left our session (`setsid`, as wineserver does) are spared: a
/// program's end or timeout takes its leftovers, not a server other programs share.
pub(super) fn orphans() -> Vec<i32> {
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

pub(super) fn kill_tree(pids: &[i32], sig: i32) {
    for p in pids {
        // SAFETY: kill(2) on a process id read from /proc.
        unsafe { libc::kill(*p, sig) };
    }
}

/// Sends `sig` (and SIGCONT, for stopped ones) to what `victims` names, waits up to
/// GRACE for it to go, then SIGKILLs what is left, until nothing is.
pub(super) fn terminate(victims: impl Fn() -> Vec<i32>, sig: i32) {
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
