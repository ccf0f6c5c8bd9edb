//! Termination signals: crossflake is a child subreaper, and SIGINT, SIGTERM or
//! SIGHUP to it (or to its process group, as a terminal sends) is forwarded to
//! its whole process tree, followed by SIGKILL after a grace period; a second
//! signal kills at once. The signal handler only records the signal and wakes
//! a watcher thread through a self-pipe; the watcher does the work.
use super::tree::{below_self, kill_tree, terminate};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;

/// The last termination signal received (0: none).
static SIGNALLED: AtomicI32 = AtomicI32::new(0);
/// How many termination signals arrived.
static SIGNAL_COUNT: AtomicI32 = AtomicI32::new(0);
/// Write end of the self-pipe the signal handler wakes the watcher with.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

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
/// Idempotent; `exec::run` calls it before the first spawn.
pub fn install() {
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
            std::thread::spawn(move || watch(read_fd));
        }
    });
}

/// Waits on the self-pipe; on each signal, stops the whole tree below us.
fn watch(fd: i32) {
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

/// Stops everything below this process now, as a signal would (the runner does it
/// when its parent goes away).
pub fn stop_everything(sig: i32) {
    SIGNALLED.store(sig, Ordering::SeqCst);
    terminate(below_self, sig);
}

/// Stops everything below this process when its parent (cargo, nextest, crossflake)
/// goes away, even by SIGKILL: a pidfd on the parent becomes readable when it exits.
/// `said` is told once, from the watcher thread, before the stop.
pub fn stop_with_parent(said: impl Fn() + Send + 'static) {
    // SAFETY: getppid has no preconditions; pidfd_open returns a descriptor we own or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getppid(), 0) } as i32;
    if fd < 0 {
        // An older kernel: let the kernel signal us when the parent thread exits.
        // SAFETY: prctl on ourselves.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) };
        return;
    }
    std::thread::spawn(move || {
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd on our own descriptor; blocks until the parent exits.
        while unsafe { libc::poll(&mut pfd, 1, -1) } < 0 {}
        said();
        stop_everything(libc::SIGTERM);
    });
}
