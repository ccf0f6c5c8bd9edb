//! The sample's side of crossflake-harness: a test image declares its
//! tests with [`tests!`] and calls [`run`] from its main, which answers the
//! runner's request on the command line (list, one test, or all of them).

pub use crossflake_harness::{Test, tests};

/// Runs `tests` as the command line asks, through the machine's glue
/// (console, exit); never returns.
pub fn run(tests: &'static [Test]) -> ! {
    // The request is one short word after the image's path.
    let mut buf = [0u8; 512];
    let cmdline = crate::cmdline(&mut buf);
    crossflake_harness::run::<crate::Machine>(tests, cmdline)
}
