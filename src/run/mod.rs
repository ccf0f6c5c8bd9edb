//! Running: the plan executor (`execute`), the cargo runner for every target
//! (`runner`), test binaries side by side, kernel tests, coverage, and what
//! they need (program checks, verdicts, wine, WASI).
pub mod binfmt;
pub mod coverage;
pub mod defmt;
pub mod execute;
pub mod halting;
pub mod hints;
pub mod kernel;
pub mod libtest;
pub mod runner;
pub mod test_binaries;
pub mod test_env;
pub mod verdict;
pub mod wasi;
pub mod wine;
