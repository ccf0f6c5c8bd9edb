//! Protocol v1 as text: the marker, the exit codes, the request word read
//! from the command line and the lines the host parses.

use core::fmt;

use crate::platform::{Console, Platform};
use crate::state;

/// The bytes by which the host recognises a harness kernel in its ELF, and
/// the prefix of every protocol line. Only [`run`](crate::run) refers to it
/// (it hands it to the state, from which every protocol line is printed), so
/// the linker keeps it in `.rodata` exactly when `run` is linked: a kernel
/// that uses only the panic hook carries no marker and is not taken for a
/// harness kernel.
pub static MARKER: &str = "crossflake-harness v1";

/// Exit status: the test (or every test of a plain boot, or the list) passed.
pub const EXIT_OK: u32 = 0;
/// Exit status: a test failed without panicking (it returned `Err`, or a
/// `should_panic` test returned), or a plain boot had failures.
pub const EXIT_FAILED: u32 = 1;
/// Exit status: the request was not understood (unknown test or request).
pub const EXIT_USAGE: u32 = 2;
/// Exit status: a test panicked unexpectedly (or a panic outside any test).
pub const EXIT_PANICKED: u32 = 101;
/// Exit status: the CPU took an exception the kernel does not handle.
pub const EXIT_TRAP: u32 = 102;

/// The command-line word that selects the mode: `crossflake-harness=<value>`.
const WORD_PREFIX: &str = "crossflake-harness=";

/// What the host asked for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Request<'a> {
    /// No `crossflake-harness=` word: run every test that is not ignored.
    Plain,
    /// `crossflake-harness=list`.
    List,
    /// `crossflake-harness=run:<name>`.
    Run(&'a str),
    /// `crossflake-harness=<anything else>` (the value after `=`).
    Unknown(&'a str),
}

impl<'a> Request<'a> {
    /// Reads the first `crossflake-harness=` word of a whitespace-separated
    /// command line (semihosting's form starts with the kernel path; that
    /// word never matches).
    pub(crate) fn from_cmdline(cmdline: Option<&'a str>) -> Self {
        let Some(cmdline) = cmdline else { return Request::Plain };
        let Some(value) = cmdline.split_ascii_whitespace().find_map(|w| w.strip_prefix(WORD_PREFIX)) else {
            return Request::Plain;
        };
        match value {
            "list" => Request::List,
            _ => value.strip_prefix("run:").map_or(Request::Unknown(value), Request::Run),
        }
    }
}

/// Prints one protocol line: `crossflake-harness v1 <args>` and a newline
/// (the marker as [`run`](crate::run) stored it).
pub(crate) fn line<P: Platform>(args: fmt::Arguments<'_>) {
    P::write_str(state::marker());
    P::write_str(" ");
    Console::<P>::print(args);
    P::write_str("\n");
}

/// How a test ended, as the result line says it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    Ok,
    DidNotPanic,
    ReturnedError,
    Panicked,
    Trap,
}

impl Verdict {
    /// The text after `result <name> ` and the exit status that goes with it.
    fn text_and_code(self) -> (&'static str, u32) {
        match self {
            Verdict::Ok => ("ok", EXIT_OK),
            Verdict::DidNotPanic => ("failed: did not panic", EXIT_FAILED),
            Verdict::ReturnedError => ("failed: error", EXIT_FAILED),
            Verdict::Panicked => ("failed: panicked", EXIT_PANICKED),
            Verdict::Trap => ("failed: trap", EXIT_TRAP),
        }
    }

    /// Whether a plain boot counts the test as passed.
    pub(crate) fn passed(self) -> bool {
        self == Verdict::Ok
    }
}

/// Prints `crossflake-harness v1 result <name> <verdict>` and exits with the
/// verdict's status (the end of a `run:<name>` boot).
pub(crate) fn finish<P: Platform>(name: &str, verdict: Verdict) -> ! {
    let (text, code) = verdict.text_and_code();
    line::<P>(format_args!("result {name} {text}"));
    P::exit(code)
}
