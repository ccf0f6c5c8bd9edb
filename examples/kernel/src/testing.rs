//! The sample kernel's side of crossflake-harness: a test file declares its
//! tests with [`tests!`] and calls [`run`] from its main, which answers the
//! runner's request on the command line (list, one test, or all of them).

pub use crossflake_harness::{Test, tests};

/// Runs `tests` as the kernel command line asks, through the arch layer's
/// glue (UART, exit device); never returns.
pub fn run(tests: &'static [Test]) -> ! {
    crossflake_harness::run::<crate::arch::Glue>(tests, crate::cmdline())
}
