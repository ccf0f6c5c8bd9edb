//! Plans: what will run, as plain data that can be printed (`--dry-run`),
//! serialized and tested without spawning anything. The main type is
//! [`Plan`]: the steps that prepare an environment (`setup`), the one cargo
//! invocation ([`CargoStep`], built the same way for both backends), and how
//! test binaries and coverage are handled. [`emulator`] plans how the runner
//! starts one program.
pub mod cargo_step;
pub mod coverage;
pub mod emulator;
pub mod tests;

pub use crate::step::{shell_quote, Step};
pub use cargo_step::{CargoStep, Toolset};
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// How a plan's test binaries run (plan/tests.rs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestRun {
    /// Binaries at once.
    pub jobs: usize,
    /// After `--`: each binary's arguments.
    pub harness_args: Vec<String>,
    pub no_fail_fast: bool,
    /// `cargo test --doc ...`, run after the binaries when the crate has doctests.
    pub doc: Option<CargoStep>,
    /// `CARGO_TARGET_<HOST>_RUNNER`, set for host test binaries (a proc-macro's) so that
    /// cargo starts them through crossflake's runner when it is asked how it starts them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_runner_var: Option<String>,
    /// `--partition count:K/N`: only this shard's tests of each binary run (the doctests
    /// run in shard 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<tests::Partition>,
}

/// Where a coverage run keeps its data and which tools it uses (plan/coverage.rs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// `target/crossflake-coverage/<target>`: reports (lcov.info, html/).
    pub dir: PathBuf,
    pub build_dir: PathBuf,
    pub profraw_dir: PathBuf,
    pub doctest_dir: PathBuf,
    pub llvm_profdata: PathBuf,
    pub llvm_cov: PathBuf,
    /// The real rustdoc, behind the wrapper that lets it keep doctests.
    pub rustdoc: String,
    /// The wrapper (written before the run).
    pub rustdoc_wrapper: PathBuf,
    /// The directory name of the target's artifacts (its triple).
    pub triple_dir: String,
    /// The crate's directory: file names are shown relative to it.
    pub krate: PathBuf,
}

/// Everything a command will do for one target.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub command: String,
    pub target: String,
    pub rust_triple: String,
    pub backend: String,
    /// The toolchain chosen and why.
    pub toolchain: Option<String>,
    pub toolchain_reason: Option<String>,
    /// Things the user should know (tests that cannot run here, build-std, ...).
    pub notes: Vec<String>,
    /// Set when the command builds tests it cannot run here (it then exits 125): why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unrun: Option<String>,
    /// The glibc floor every artifact must keep (`--glibc`), checked after the build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
    /// Steps before cargo (making the Nix dev environment, on a dry run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Step>,
    pub cargo: CargoStep,
    /// Test binaries built once, then run side by side (run/test_binaries.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestRun>,
    /// Coverage of the test run (run/coverage.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

impl Plan {
    /// Every step, in the order it runs: setup, cargo, then the doctests.
    pub fn steps(&self) -> Vec<Step> {
        let mut out = self.setup.clone();
        out.push(self.cargo.step());
        out.extend(self.tests.as_ref().and_then(|t| t.doc.as_ref()).map(CargoStep::step));
        out
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "# crossflake {} --target {} ({}), backend {}",
            self.command, self.target, self.rust_triple, self.backend
        )?;
        if let (Some(tc), Some(why)) = (&self.toolchain, &self.toolchain_reason) {
            writeln!(f, "# toolchain {tc}: {why}")?;
        }
        for n in &self.notes {
            writeln!(f, "# note: {n}")?;
        }
        for s in self.steps() {
            writeln!(f, "{}", s.shell_line())?;
        }
        Ok(())
    }
}
