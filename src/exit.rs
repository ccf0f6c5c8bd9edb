//! Exit codes, in one table (README and `--help` show it; a test holds them
//! to it), and the expected failures that carry them. Every other error is a
//! failure of crossflake itself and exits 1. `main` maps an error with
//! `code_for`, the only place an error becomes an exit code.

pub const OK: i32 = 0;
pub const ERROR: i32 = 1;
pub const USAGE: i32 = 2;
pub const MISSING: i32 = 3;
/// A program was killed at its timeout (as GNU timeout).
pub const TIMEOUT: i32 = 124;
/// A program could not be run here at all.
pub const CANNOT_RUN: i32 = 125;
/// Stopped by signal N: 128 + N.
pub const SIGNAL_BASE: i32 = 128;

/// The table, as README.md and `crossflake --help` print it.
pub const TABLE: &[(&str, &str)] = &[
    ("0", "success"),
    ("1", "crossflake itself failed (an I/O error, a failed nix evaluation); the message says what"),
    ("2", "usage: unknown target or option, no Cargo.toml, a missing or invalid target JSON"),
    ("3", "a tool or toolchain is missing; the message names the package or the rustup command"),
    ("101", "cargo's own exit codes pass through (101: a test or the build failed; nextest: 100)"),
    ("124", "a program was killed at its timeout"),
    ("125", "a program could not be run here: missing file, not built for the target, no runner or emulator"),
    ("128+N", "stopped by signal N: 130 SIGINT, 143 SIGTERM, 129 SIGHUP"),
];

/// The table as lines for `--help`.
pub fn table_text() -> String {
    TABLE.iter().map(|(c, what)| format!("  {c:<6} {what}")).collect::<Vec<_>>().join("\n")
}

/// What kind of expected failure an error is; each maps to one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Usage,
    Missing,
    CannotRun,
}

impl Kind {
    pub fn code(self) -> i32 {
        match self {
            Kind::Usage => USAGE,
            Kind::Missing => MISSING,
            Kind::CannotRun => CANNOT_RUN,
        }
    }
}

/// An expected failure: what went wrong and the next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
    pub next: Option<String>,
}

impl Failure {
    pub fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure { kind, message: message.into(), next: None }
    }
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Usage, message)
    }
    pub fn missing(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Missing, message)
    }
    pub fn cannot_run(message: impl Into<String>) -> Failure {
        Failure::new(Kind::CannotRun, message)
    }
    /// The next step, said after the message.
    pub fn next(mut self, step: impl Into<String>) -> Failure {
        self.next = Some(step.into());
        self
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.code()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(n) = &self.next {
            write!(f, ". Next: {n}")?;
        }
        Ok(())
    }
}
impl std::error::Error for Failure {}

/// A usage error (exit 2) as an `anyhow::Error`.
pub fn usage(msg: &str) -> anyhow::Error {
    Failure::usage(msg).into()
}

/// A tool the plan needs that the machine lacks (exit 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingTool {
    pub tool: String,
    pub target: String,
    pub purpose: String,
    pub packages: Vec<String>,
}

impl std::fmt::Display for MissingTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.packages.is_empty() && self.tool == "a host toolchain" {
            return write!(f, "the host backend cannot build {}: {}", self.target, self.purpose);
        }
        write!(f, "`{}` ({}) for target {} is not on PATH. ", self.tool, self.purpose, self.target)?;
        if self.packages.is_empty() {
            write!(f, "Debian has no package for it")?;
        } else {
            write!(f, "Install it: `sudo apt-get install {}`", self.packages.join(" "))?;
        }
        write!(f, "; or use the Nix shell that provides it: `nix develop .#{}` (crossflake --backend nix)", self.target)
    }
}
impl std::error::Error for MissingTool {}

/// An unknown `--target` (exit 2), with the closest known names.
#[derive(Debug, Clone)]
pub struct UnknownTarget {
    pub query: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for UnknownTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown target {:?}; closest known targets: {}. `crossflake targets` lists them all",
            self.query,
            self.suggestions.join(", ")
        )
    }
}
impl std::error::Error for UnknownTarget {}

/// The exit code an error maps to: its own for expected failures, else 1.
pub fn code_for(err: &anyhow::Error) -> i32 {
    if let Some(f) = err.downcast_ref::<Failure>() {
        f.exit_code()
    } else if err.downcast_ref::<UnknownTarget>().is_some() {
        USAGE
    } else if err.downcast_ref::<MissingTool>().is_some() {
        MISSING
    } else {
        ERROR
    }
}

/// The exit code for a process stopped by `signal`.
pub fn for_signal(signal: i32) -> i32 {
    SIGNAL_BASE + signal
}
