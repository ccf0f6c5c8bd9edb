//! The runner: answers the request on the command line (list, one test, or
//! a plain boot of every test) and exits with the verdict.

use crate::platform::{Console, Platform};
use crate::protocol::{self, EXIT_FAILED, EXIT_OK, EXIT_USAGE, Request, Verdict, line};
use crate::state::{self, Mode};
use crate::test::{ShouldPanic, Test};

/// Runs `tests` as the kernel command line `cmdline` asks, then exits
/// through `P`: see the [crate documentation](crate) for the modes. Call it
/// once, from the kernel's main, after the console works. `cmdline` is the
/// whole command line (`None` if the kernel has none: a plain boot).
pub fn run<P: Platform>(tests: &'static [Test], cmdline: Option<&str>) -> ! {
    state::set_marker(protocol::MARKER);
    match Request::from_cmdline(cmdline) {
        Request::List => list::<P>(tests),
        Request::Run(name) => match tests.iter().position(|t| t.name == name) {
            Some(index) => single::<P>(tests, index),
            None => usage::<P>(format_args!("unknown test {name}")),
        },
        Request::Unknown(value) => usage::<P>(format_args!("unknown request crossflake-harness={value}")),
        Request::Plain => {
            state::start(tests, Mode::Plain);
            let n = tests.len();
            Console::<P>::print(format_args!("running {n} test{}\n", if n == 1 { "" } else { "s" }));
            plain_from::<P>(0)
        }
    }
}

/// `crossflake-harness=list`: one `crossflake-test` line per test.
fn list<P: Platform>(tests: &'static [Test]) -> ! {
    line::<P>(format_args!("list"));
    for test in tests {
        let ignored = if test.ignore { " ignored" } else { "" };
        let should_panic = if test.should_panic == ShouldPanic::No { "" } else { " should_panic" };
        Console::<P>::print(format_args!("crossflake-test {}{ignored}{should_panic}\n", test.name));
    }
    line::<P>(format_args!("end"));
    P::exit(EXIT_OK)
}

/// `crossflake-harness=error <what>`, exit 2.
fn usage<P: Platform>(what: core::fmt::Arguments<'_>) -> ! {
    line::<P>(format_args!("error {what}"));
    P::exit(EXIT_USAGE)
}

/// `crossflake-harness=run:<name>`: runs test `index`, ignored or not. A
/// panic or trap ends the boot in the hooks instead.
fn single<P: Platform>(tests: &'static [Test], index: usize) -> ! {
    let test = &tests[index];
    state::start(tests, Mode::Single);
    line::<P>(format_args!("run {}", test.name));
    protocol::finish::<P>(test.name, returned::<P>(test, index))
}

/// Runs test `index` to its return; the verdict if it did return.
fn returned<P: Platform>(test: &Test, index: usize) -> Verdict {
    state::set_current(Some(index));
    let passed = test.call(&mut Console::<P>::new());
    state::set_current(None);
    match (passed, test.should_panic) {
        (_, ShouldPanic::Yes | ShouldPanic::WithMessage(_)) => Verdict::DidNotPanic,
        (true, ShouldPanic::No) => Verdict::Ok,
        (false, ShouldPanic::No) => Verdict::ReturnedError,
    }
}

/// A plain boot from test `start` on: `test <name> ... ok|FAILED|ignored`
/// per test, then the summary. The panic hook calls this again (from inside
/// the panic handler) after a test panicked as it should.
pub(crate) fn plain_from<P: Platform>(start: usize) -> ! {
    let tests = state::tests();
    for (index, test) in tests.iter().enumerate().skip(start) {
        if test.ignore {
            plain_result::<P>(test.name, None);
            continue;
        }
        let verdict = returned::<P>(test, index);
        plain_result::<P>(test.name, Some(verdict.passed()));
    }
    let (passed, failed, ignored) = state::counts();
    let (word, code) = if failed == 0 { ("ok", EXIT_OK) } else { ("FAILED", EXIT_FAILED) };
    Console::<P>::print(format_args!(
        "test result: {word}. {passed} passed; {failed} failed; {ignored} ignored; 0 measured; 0 filtered out\n"
    ));
    P::exit(code)
}

/// Counts and prints one plain-boot line (`None`: ignored).
pub(crate) fn plain_result<P: Platform>(name: &str, passed: Option<bool>) {
    state::count(passed);
    let word = match passed {
        Some(true) => "ok",
        Some(false) => "FAILED",
        None => "ignored",
    };
    Console::<P>::print(format_args!("test {name} ... {word}\n"));
}
