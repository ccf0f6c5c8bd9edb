//! Exit codes, in one table (README and `--help` show it; a test holds them
//! to it), and the kinds of ending that map to them. This is the only module
//! that knows the numbers.

pub const OK: i32 = 0;
pub const ERROR: i32 = 1;
pub const USAGE: i32 = 2;
pub const MISSING: i32 = 3;
/// libtest's and cargo's code for failed tests (kernel tests and console rules use it too).
pub const TESTS_FAILED: i32 = 101;
/// A program was killed at its timeout (as GNU timeout).
pub const TIMEOUT: i32 = 124;
/// A program could not be run here at all.
pub const CANNOT_RUN: i32 = 125;
/// Stopped by signal N: 128 + N.
pub const SIGNAL_BASE: i32 = 128;

/// The table, as README.md and `crossflake --help` print it.
pub const TABLE: &[(&str, &str)] = &[
    ("0", "success"),
    ("1", "crossflake itself failed (an I/O error, a failed nix evaluation), or a check failed; the message says what"),
    ("2", "usage: unknown target or option, no Cargo.toml, a missing or invalid target file or JSON"),
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

/// How a command ended, when not in success; each kind has one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// crossflake itself failed, or a check it made failed (a glibc floor, a repro).
    Error,
    Usage,
    Missing,
    /// A program's (cargo's, a test's, a kernel's) own exit code, passed through.
    Program(i32),
    TimedOut,
    CannotRun,
    /// Stopped by this signal.
    Signal(i32),
}

impl Kind {
    pub fn code(self) -> i32 {
        match self {
            Kind::Error => ERROR,
            Kind::Usage => USAGE,
            Kind::Missing => MISSING,
            Kind::Program(c) => c,
            Kind::TimedOut => TIMEOUT,
            Kind::CannotRun => CANNOT_RUN,
            Kind::Signal(s) => SIGNAL_BASE + s,
        }
    }

    /// The kind of a program's exit code as a launcher reports it (124 is a timeout,
    /// 128+N a signal).
    pub fn of_code(code: i32) -> Option<Kind> {
        match code {
            OK => None,
            TIMEOUT => Some(Kind::TimedOut),
            c if c > SIGNAL_BASE && c < SIGNAL_BASE + 65 => Some(Kind::Signal(c - SIGNAL_BASE)),
            c => Some(Kind::Program(c)),
        }
    }
}
