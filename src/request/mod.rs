//! What the user asked cargo to do, independent of the backend: the cargo
//! subcommand, the arguments forwarded to it verbatim and in order, and
//! crossflake's own options. `peek` reads (never changes) the cargo
//! arguments crossflake must know about: manifest, target dir, profile, jobs.
pub mod cargo_args;
use crate::support::version::Version;
pub use cargo_args::{peek, remove_option, Peek};
use serde::Serialize;
use std::path::PathBuf;

/// How a cargo subcommand relates to running programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandKind {
    /// build, check, clippy, doc, rustc: nothing runs.
    Build,
    /// test, and test runners (nextest run): test binaries run under the runner.
    Test,
    /// run: one program runs under the runner.
    Run,
    /// bench: benchmarks run under the runner.
    Bench,
    /// Any other cargo subcommand (llvm-cov, hack, deny, zigbuild): run with the environment.
    Other,
}

/// Whose runner runs the programs when the user configured one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunnerMode {
    /// The user's runner (from .cargo/config.toml or CARGO_TARGET_<T>_RUNNER) inside
    /// crossflake's timeout and process handling; crossflake's emulator when there is none.
    #[default]
    Wrap,
    /// crossflake's emulator, ignoring a runner the user configured (said once).
    Crossflake,
}

#[derive(Debug, Clone, Default)]
pub struct CargoRequest {
    /// The cargo subcommand words: `["test"]`, `["nextest", "run"]`, `["llvm-cov", "test"]`.
    pub subcommand: Vec<String>,
    /// Arguments for cargo, verbatim and in order (crossflake's own options taken out).
    pub args: Vec<String>,
    /// Arguments after `--` (test harness, program), when `--` was given.
    pub trailing: Option<Vec<String>>,
    /// A toolchain asked for with `+NAME` or `--toolchain NAME`.
    pub toolchain: Option<String>,
    pub timeout_secs: Option<u64>,
    pub gdb: Option<u16>,
    pub strace: bool,
    /// QEMU's CPU model for the runner (`--cpu`).
    pub cpu: Option<String>,
    /// Measure coverage of the test run (`--coverage`).
    pub coverage: bool,
    /// The glibc floor (`--glibc 2.17`): built with cargo-zigbuild, artifacts checked.
    pub glibc: Option<Version>,
    pub runner: RunnerMode,
    /// The crate's own target files (boards), which crossflake's runner must see too.
    pub targets_dirs: Vec<PathBuf>,
    /// Where cargo runs (its config files are found from here).
    pub cwd: PathBuf,
    /// The user builds std themselves (`-Zbuild-std` among the arguments,
    /// `CARGO_UNSTABLE_BUILD_STD`, or `[unstable] build-std` in their cargo config).
    pub own_std: bool,
}

impl CargoRequest {
    pub fn new(subcommand: &[&str], cwd: impl Into<PathBuf>) -> CargoRequest {
        CargoRequest {
            subcommand: subcommand.iter().map(|s| s.to_string()).collect(),
            cwd: cwd.into(),
            ..Default::default()
        }
    }

    pub fn kind(&self) -> CommandKind {
        let first = self.subcommand.first().map(String::as_str).unwrap_or("build");
        match first {
            "build" | "b" | "check" | "c" | "clippy" | "doc" | "d" | "rustc" | "rustdoc" | "fix" => CommandKind::Build,
            "test" | "t" => CommandKind::Test,
            "run" | "r" => CommandKind::Run,
            "bench" => CommandKind::Bench,
            "nextest" if self.subcommand.get(1).is_some_and(|s| s == "run" || s == "r") => CommandKind::Test,
            _ => CommandKind::Other,
        }
    }

    /// Whether the subcommand is one of cargo's own (not a plugin such as nextest).
    pub fn builtin(&self) -> bool {
        self.kind() != CommandKind::Other && self.subcommand.first().is_some_and(|s| s != "nextest")
    }

    /// `cargo test` etc., for labels.
    pub fn label(&self) -> String {
        format!("cargo {}", self.subcommand.join(" "))
    }

    /// Appends cargo arguments.
    pub fn with_args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, a: I) -> CargoRequest {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }

    /// Sets `--target-dir` (replacing one the arguments carry).
    pub fn set_target_dir(&mut self, dir: &std::path::Path) {
        remove_option(&mut self.args, "--target-dir");
        self.args.extend(["--target-dir".to_string(), dir.display().to_string()]);
    }

    pub fn peek(&self) -> Peek {
        peek(&self.args)
    }
}

/// Which environment cargo runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendChoice {
    Host,
    Nix,
}

impl BackendChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendChoice::Host => "host",
            BackendChoice::Nix => "nix",
        }
    }
}

/// The Nix backend's options: the flake, and what every nix command gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NixArgs {
    /// The flake (default: the nearest flake.nix upward from the crate, else crossflake's own).
    pub flake: Option<String>,
    /// `--builders`.
    pub builders: Option<String>,
    /// `--store`.
    pub store: Option<String>,
    /// `--option NAME VALUE` pairs, flattened.
    pub option: Vec<String>,
}
