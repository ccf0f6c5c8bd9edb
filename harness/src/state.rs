//! The harness's global state, shared by the runner and the panic and trap
//! hooks (which get no context but the panic itself).
//!
//! One CPU runs the harness, so plain loads and stores suffice: only
//! `load`/`store` are used (no read-modify-write), which on aarch64 with the
//! MMU off avoids exclusive accesses, on riscv needs no `A` extension
//! (riscv32imc has none) and on thumbv6m (Cortex-M0, no LDREX/STREX) works
//! at all.

use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicUsize, Ordering::Relaxed};

use crate::test::Test;

/// How the current boot runs tests.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Before [`run`](crate::run), while listing, or after a test ended.
    Idle = 0,
    /// `crossflake-harness=run:<name>`: one test, then the result line.
    Single = 1,
    /// A plain boot: every test that is not ignored, in order.
    Plain = 2,
}

const NO_TEST: usize = usize::MAX;

static MODE: AtomicU8 = AtomicU8::new(Mode::Idle as u8);
static TESTS_PTR: AtomicPtr<Test> = AtomicPtr::new(core::ptr::null_mut());
static TESTS_LEN: AtomicUsize = AtomicUsize::new(0);
static CURRENT: AtomicUsize = AtomicUsize::new(NO_TEST);
static PASSED: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);
static IGNORED: AtomicUsize = AtomicUsize::new(0);
static IN_HOOK: AtomicBool = AtomicBool::new(false);
static MARKER_PTR: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
static MARKER_LEN: AtomicUsize = AtomicUsize::new(0);

/// Keeps the protocol marker for the line printer (see
/// [`MARKER`](crate::MARKER) for why it is not printed directly).
pub(crate) fn set_marker(marker: &'static str) {
    MARKER_PTR.store(marker.as_ptr().cast_mut(), Relaxed);
    MARKER_LEN.store(marker.len(), Relaxed);
}

/// The marker given to [`set_marker`] (empty before).
pub(crate) fn marker() -> &'static str {
    let ptr = MARKER_PTR.load(Relaxed);
    if ptr.is_null() {
        return "";
    }
    // SAFETY: ptr and len were stored together from a &'static str.
    unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(ptr, MARKER_LEN.load(Relaxed))) }
}

/// Records the test list and the mode for the hooks.
pub(crate) fn start(tests: &'static [Test], mode: Mode) {
    TESTS_PTR.store(tests.as_ptr().cast_mut(), Relaxed);
    TESTS_LEN.store(tests.len(), Relaxed);
    MODE.store(mode as u8, Relaxed);
}

/// The list given to [`start`] (empty before).
pub(crate) fn tests() -> &'static [Test] {
    let ptr = TESTS_PTR.load(Relaxed);
    if ptr.is_null() {
        return &[];
    }
    // SAFETY: ptr and len were stored together in `start` from a
    // &'static [Test], and are never changed to anything else.
    unsafe { core::slice::from_raw_parts(ptr, TESTS_LEN.load(Relaxed)) }
}

pub(crate) fn mode() -> Mode {
    match MODE.load(Relaxed) {
        1 => Mode::Single,
        2 => Mode::Plain,
        _ => Mode::Idle,
    }
}

/// Marks test `index` as running (`None`: no test is running).
pub(crate) fn set_current(index: Option<usize>) {
    CURRENT.store(index.unwrap_or(NO_TEST), Relaxed);
}

/// The index of the running test, if any.
pub(crate) fn current() -> Option<usize> {
    let index = CURRENT.load(Relaxed);
    (index < TESTS_LEN.load(Relaxed)).then_some(index)
}

/// Counts a plain boot's result (`None`: ignored).
pub(crate) fn count(passed: Option<bool>) {
    let counter = match passed {
        Some(true) => &PASSED,
        Some(false) => &FAILED,
        None => &IGNORED,
    };
    counter.store(counter.load(Relaxed) + 1, Relaxed);
}

/// (passed, failed, ignored) so far.
pub(crate) fn counts() -> (usize, usize, usize) {
    (PASSED.load(Relaxed), FAILED.load(Relaxed), IGNORED.load(Relaxed))
}

/// Enters a panic or trap hook; `false` if one is already running (a
/// panic while panicking, or a trap in the hook).
pub(crate) fn enter_hook() -> bool {
    !IN_HOOK.load(Relaxed) && {
        IN_HOOK.store(true, Relaxed);
        true
    }
}

/// Leaves the hook (a plain boot continues after an expected panic).
pub(crate) fn leave_hook() {
    IN_HOOK.store(false, Relaxed);
}
