//! The panic and trap hooks: the kernel's `#[panic_handler]` and trap
//! vector call them, and they decide the running test's verdict.

use core::fmt::{self, Write};
use core::panic::PanicInfo;

use crate::matcher::Contains;
use crate::platform::{Console, Platform};
use crate::protocol::{self, EXIT_PANICKED, EXIT_TRAP, Verdict};
use crate::run::{plain_from, plain_result};
use crate::state::{self, Mode};
use crate::test::ShouldPanic;

/// Call this from the kernel's `#[panic_handler]`. It prints the panic as
/// Rust does (`panicked at src/x.rs:L:C:` and the message on the next line),
/// then, if a test was running:
///
/// - `run:<name>` boot: prints the result line and exits 0 if the test
///   should panic (with a message containing the expected text, if given),
///   else `failed: panicked` and 101;
/// - plain boot: prints `test <name> ... ok` and goes on with the next test
///   if the panic was expected; otherwise `test <name> ... FAILED` and exits
///   101 (a panic ends a plain boot).
///
/// Outside a test, and for a panic inside this hook, it exits 101.
///
/// After an expected panic a plain boot continues from inside the panic
/// handler: the panicked test's stack frames are abandoned, not unwound (no
/// destructors run, the stack is not reclaimed, a lock it held stays held).
pub fn handle_panic<P: Platform>(info: &PanicInfo<'_>) -> ! {
    if !state::enter_hook() {
        P::write_str("crossflake-harness: panicked while handling a panic or trap\n");
        P::exit(EXIT_PANICKED);
    }
    Console::<P>::print(format_args!("{info}\n"));
    let tests = state::tests();
    let Some(index) = state::current() else { P::exit(EXIT_PANICKED) };
    state::set_current(None);
    let test = &tests[index];
    let expected = match test.should_panic {
        ShouldPanic::No => false,
        ShouldPanic::Yes => true,
        ShouldPanic::WithMessage(text) => {
            let mut contains = Contains::new(text);
            let _ = write!(contains, "{}", info.message());
            if !contains.found() {
                Console::<P>::print(format_args!("note: panic did not contain expected string {text:?}\n"));
            }
            contains.found()
        }
    };
    match (state::mode(), expected) {
        (Mode::Single, true) => protocol::finish::<P>(test.name, Verdict::Ok),
        (Mode::Single, false) => protocol::finish::<P>(test.name, Verdict::Panicked),
        (Mode::Plain, true) => {
            plain_result::<P>(test.name, Some(true));
            state::leave_hook();
            plain_from::<P>(index + 1)
        }
        (Mode::Plain, false) => {
            plain_result::<P>(test.name, Some(false));
            P::exit(EXIT_PANICKED)
        }
        (Mode::Idle, _) => P::exit(EXIT_PANICKED),
    }
}

/// Call this from the kernel's handler for exceptions it does not expect.
/// It prints `report` (say which exception, and where), then, if a test was
/// running, `crossflake-harness v1 result <name> failed: trap` (`run:`
/// boot) or `test <name> ... FAILED` (plain boot), and exits 102.
///
/// It needs a working stack: reset the stack pointer in the vector first if
/// the trap may be a stack overflow.
pub fn handle_trap<P: Platform>(report: fmt::Arguments<'_>) -> ! {
    if !state::enter_hook() {
        P::write_str("crossflake-harness: trap while handling a panic or trap\n");
        P::exit(EXIT_TRAP);
    }
    Console::<P>::print(format_args!("{report}\n"));
    let tests = state::tests();
    let Some(index) = state::current() else { P::exit(EXIT_TRAP) };
    let test = &tests[index];
    match state::mode() {
        Mode::Single => protocol::finish::<P>(test.name, Verdict::Trap),
        Mode::Plain => plain_result::<P>(test.name, Some(false)),
        Mode::Idle => {}
    }
    P::exit(EXIT_TRAP)
}
