//! Declaring tests: [`Test`] values, built by the [`tests!`](crate::tests)
//! macro (or by hand with [`Test::new`] and its builder methods).

use core::fmt::{self, Debug, Write};

/// Whether a test must panic to pass (libtest's `#[should_panic]`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ShouldPanic {
    /// A panic fails the test.
    No,
    /// The test passes only if it panics.
    Yes,
    /// The test passes only if it panics with a message containing this text.
    WithMessage(&'static str),
}

/// The test body: a plain `fn()`, or a wrapper that runs a test returning a
/// [`TestOutcome`], prints its error if any and says whether it passed.
#[derive(Clone, Copy)]
pub(crate) enum Body {
    Plain(fn()),
    Reporting(fn(&mut dyn Write) -> bool),
}

/// One test: a name, a body and libtest's `ignore` / `should_panic` flags.
#[derive(Clone, Copy)]
pub struct Test {
    pub(crate) name: &'static str,
    pub(crate) body: Body,
    pub(crate) ignore: bool,
    pub(crate) should_panic: ShouldPanic,
}

impl Test {
    /// A test that passes if `run` returns (fails if it panics). `name` must
    /// be one word (no whitespace): it travels on the kernel command line.
    #[must_use]
    pub const fn new(name: &'static str, run: fn()) -> Test {
        Test { name, body: Body::Plain(run), ignore: false, should_panic: ShouldPanic::No }
    }

    /// A test whose `run` reports its own failure: it writes a message to the
    /// given console and returns `false`. [`tests!`](crate::tests) wraps
    /// every test function this way (see [`TestOutcome`]).
    #[must_use]
    pub const fn reporting(name: &'static str, run: fn(&mut dyn Write) -> bool) -> Test {
        Test { name, body: Body::Reporting(run), ignore: false, should_panic: ShouldPanic::No }
    }

    /// Not run by a plain boot; listed with the ` ignored` flag, so the
    /// runner runs it only when asked (`--ignored`).
    #[must_use]
    pub const fn ignore(mut self) -> Test {
        self.ignore = true;
        self
    }

    /// Passes only if it panics.
    #[must_use]
    pub const fn should_panic(mut self) -> Test {
        self.should_panic = ShouldPanic::Yes;
        self
    }

    /// Passes only if it panics with a message that contains `expected`.
    #[must_use]
    pub const fn should_panic_with(mut self, expected: &'static str) -> Test {
        self.should_panic = ShouldPanic::WithMessage(expected);
        self
    }

    /// The test's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Runs the body; `false` if it reported a failure (it printed why).
    pub(crate) fn call(&self, console: &mut dyn Write) -> bool {
        match self.body {
            Body::Plain(run) => {
                run();
                true
            }
            Body::Reporting(run) => run(console),
        }
    }
}

impl Debug for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Test")
            .field("name", &self.name)
            .field("ignore", &self.ignore)
            .field("should_panic", &self.should_panic)
            .finish_non_exhaustive()
    }
}

/// What a test function may return: `()` or `Result<(), E: Debug>`, as with
/// libtest. An `Err` fails the test and is printed as `Error: {e:?}`.
pub trait TestOutcome {
    /// Prints the failure to `console`, if any; `true` if the test passed.
    fn report(self, console: &mut dyn Write) -> bool;
}

impl TestOutcome for () {
    fn report(self, _: &mut dyn Write) -> bool {
        true
    }
}

impl<E: Debug> TestOutcome for Result<(), E> {
    fn report(self, console: &mut dyn Write) -> bool {
        match self {
            Ok(()) => true,
            Err(error) => {
                let _ = writeln!(console, "Error: {error:?}");
                false
            }
        }
    }
}

/// Declares tests: a `&'static [Test]` of the named functions, in order,
/// each named after its function (`stringify!`). Each may carry the
/// attributes `#[ignore]`, `#[should_panic]` or
/// `#[should_panic(expected = "text")]`. The functions take no arguments and
/// return `()` or `Result<(), E: Debug>` ([`TestOutcome`]).
///
/// ```rust,ignore
/// static TESTS: &[Test] = crossflake_harness::tests![
///     adds,
///     parses,                      // fn parses() -> Result<(), ParseIntError>
///     #[should_panic(expected = "index out of bounds")]
///     indexes_past_the_end,
///     #[ignore]
///     slow,
/// ];
/// ```
#[macro_export]
macro_rules! tests {
    ($( $(#[$($attr:tt)+])* $test:ident ),* $(,)?) => {{
        const TESTS: &[$crate::Test] = &[$(
            $crate::__test_attrs!(
                $crate::Test::reporting(stringify!($test), |console| $crate::TestOutcome::report($test(), console));
                $([$($attr)+])*
            )
        ),*];
        TESTS
    }};
}

/// Applies the attributes of one [`tests!`](crate::tests) entry.
#[doc(hidden)]
#[macro_export]
macro_rules! __test_attrs {
    ($test:expr;) => { $test };
    ($test:expr; [ignore] $($rest:tt)*) => { $crate::__test_attrs!($test.ignore(); $($rest)*) };
    ($test:expr; [should_panic] $($rest:tt)*) => { $crate::__test_attrs!($test.should_panic(); $($rest)*) };
    ($test:expr; [should_panic(expected = $expected:literal)] $($rest:tt)*) => {
        $crate::__test_attrs!($test.should_panic_with($expected); $($rest)*)
    };
    ($test:expr; [$($other:tt)*] $($rest:tt)*) => {
        compile_error!(concat!(
            "crossflake_harness::tests!: unknown attribute #[", stringify!($($other)*),
            "]; use #[ignore], #[should_panic] or #[should_panic(expected = \"text\")]"
        ))
    };
}
