//! Test harness for `harness = false` test kernels (stable cargo, no
//! custom_test_frameworks). A test file boots, calls [`run`] (or
//! [`should_panic`]) and never returns: the harness prints one line per
//! test (`test <name> ... ok` or `test <name> ... FAILED: <message>`), a
//! `test result:` summary, and exits 0 if everything passed, 1 if a test
//! failed, 101 if a test panicked unexpectedly.

use alloc::string::String;
use core::cell::Cell;
use core::fmt::{self, Debug, Write};
use core::panic::PanicInfo;

use crate::{console::emergency_print, println};

/// What a test returns: `Err` carries the failure message.
pub type TestResult = Result<(), String>;

/// A test function; use [`check!`](crate::check) and
/// [`check_eq!`](crate::check_eq) to fail with a message.
pub type TestFn = fn() -> TestResult;

/// Harness state, read by the panic handler. The kernel runs on one hart
/// with interrupts off, so plain cells are enough.
struct State {
    current: Cell<Option<&'static str>>,
    expected_panic: Cell<Option<&'static str>>,
    passed: Cell<usize>,
    failed: Cell<usize>,
}

// SAFETY: single hart, no interrupts: no concurrent access is possible.
unsafe impl Sync for State {}

static STATE: State =
    State { current: Cell::new(None), expected_panic: Cell::new(None), passed: Cell::new(0), failed: Cell::new(0) };

/// Runs `tests` in order, prints the results and exits (0 = all passed).
pub fn run(tests: &[(&'static str, TestFn)]) -> ! {
    println!("running {} tests", tests.len());
    for &(name, test) in tests {
        STATE.current.set(Some(name));
        let result = test();
        STATE.current.set(None);
        match result {
            Ok(()) => pass(name),
            Err(message) => fail(name, format_args!("{message}")),
        }
    }
    crate::exit(summary(""))
}

/// Runs one test that must panic with a message containing `expected`;
/// the panic handler reports it and exits 0 if it does.
pub fn should_panic(name: &'static str, expected: &'static str, test: fn()) -> ! {
    println!("running 1 test (should panic)");
    STATE.current.set(Some(name));
    STATE.expected_panic.set(Some(expected));
    test();
    STATE.current.set(None);
    fail(name, format_args!("did not panic"));
    crate::exit(summary(""))
}

/// Called by the panic handler: `Some(exit code)` if a test was running.
pub(crate) fn after_panic(info: &PanicInfo<'_>) -> Option<u32> {
    let name = STATE.current.get()?;
    match STATE.expected_panic.get() {
        Some(expected) => {
            let mut message = FixedBuf::new();
            let _ = write!(message, "{}", info.message());
            if message.contains(expected) {
                pass(name);
            } else {
                fail(name, format_args!("panic message does not contain {expected:?}"));
            }
            Some(summary(""))
        }
        None => {
            fail(name, format_args!("panicked (message above)"));
            summary(" (aborted by the panic)");
            Some(crate::PANIC_EXIT_CODE)
        }
    }
}

fn pass(name: &str) {
    STATE.passed.set(STATE.passed.get() + 1);
    emergency_print(format_args!("test {name} ... ok\n"));
}

fn fail(name: &str, message: fmt::Arguments<'_>) {
    STATE.failed.set(STATE.failed.get() + 1);
    emergency_print(format_args!("test {name} ... FAILED: {message}\n"));
}

/// Prints the summary line and returns the exit status it implies.
fn summary(note: &str) -> u32 {
    let (passed, failed) = (STATE.passed.get(), STATE.failed.get());
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    emergency_print(format_args!("test result: {verdict}. {passed} passed; {failed} failed{note}\n"));
    u32::from(failed != 0)
}

/// Builds the failure message of [`check_eq!`](crate::check_eq).
#[doc(hidden)]
pub fn mismatch(actual: &dyn Debug, expected: &dyn Debug, expr: &str, at: &str) -> String {
    alloc::format!("expected {expected:?}, got {actual:?} (`{expr}` at {at})")
}

/// Builds a failure message from format arguments.
#[doc(hidden)]
pub fn message(args: fmt::Arguments<'_>) -> String {
    alloc::fmt::format(args)
}

/// Fails the current test (returns `Err`) unless the condition holds.
#[macro_export]
macro_rules! check {
    ($cond:expr $(,)?) => {
        $crate::check!($cond, "check failed: `{}`", stringify!($cond))
    };
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err($crate::testing::message(format_args!($($arg)+)));
        }
    };
}

/// Fails the current test with "expected E, got A" unless `actual == expected`.
#[macro_export]
macro_rules! check_eq {
    ($actual:expr, $expected:expr $(,)?) => {
        match (&$actual, &$expected) {
            (actual, expected) => {
                if *actual != *expected {
                    return Err($crate::testing::mismatch(
                        actual,
                        expected,
                        stringify!($actual),
                        concat!(file!(), ":", line!()),
                    ));
                }
            }
        }
    };
}

/// A 256-byte `fmt::Write` sink (truncates) for use inside the panic handler.
struct FixedBuf {
    bytes: [u8; 256],
    len: usize,
}

impl FixedBuf {
    fn new() -> Self {
        FixedBuf { bytes: [0; 256], len: 0 }
    }

    fn contains(&self, needle: &str) -> bool {
        let haystack = &self.bytes[..self.len];
        needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
    }
}

impl Write for FixedBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let n = s.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}
