//! What happens while commands resolve and run, as values: the layers below
//! the reporter print nothing; they hand `Event`s to a `Sink` (the reporter in
//! report/ is the one that renders them, as lines for people or JSON lines).
//! Also the one channel from `crossflake runner` back to the launcher that
//! started cargo: `RunnerEvent`s appended to the file `CROSSFLAKE_EVENTS` names.
use crate::exec::Ending;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where events go.
pub trait Sink: Sync {
    fn event(&self, e: Event);

    /// A line of progress for people.
    fn info(&self, msg: &str) {
        self.event(Event::Info(msg.to_string()))
    }
    fn warn(&self, msg: &str) {
        self.event(Event::Warning(msg.to_string()))
    }
    /// Said once per invocation for each `key`, however often it comes (backend and
    /// runner choices).
    fn note_once(&self, key: &str, msg: &str) {
        self.event(Event::Note { key: key.to_string(), message: msg.to_string() })
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    Info(String),
    Warning(String),
    /// Said once per invocation for each key.
    Note {
        key: String,
        message: String,
    },
    /// Said only when asked for more (`-v`): a decision that is not news (a cached answer).
    Detail(String),
    /// What a command will do; in full on a dry run.
    Plan {
        plan: Box<Plan>,
        dry_run: bool,
    },
    /// A dry run of a command that is not cargo's (nix, nix-store): its steps.
    Steps {
        title: String,
        steps: Vec<crate::step::Step>,
        notes: Vec<String>,
    },
    /// A step ended.
    StepFinished {
        label: String,
        ending: Ending,
        seconds: f64,
    },
    /// A program the runner killed at its timeout.
    TimedOut {
        program: String,
        secs: u64,
    },
    /// The next step for a failure crossflake recognised (a missing library).
    Hint(String),
    /// Tests were built but cannot run here (exit 125 follows).
    Unrun(String),
    /// A program's (or libtest-style) output for stdout, passed through as it comes.
    Stdout(Vec<u8>),
    /// A program's output for stderr (cargo's progress, a test binary's `Running` line).
    Stderr(Vec<u8>),
    /// A matrix target entered a phase (`building`, `testing`).
    TargetPhase {
        target: String,
        phase: String,
    },
    /// A matrix target is done.
    TargetFinished(TargetResult),
    /// cargo's JSON messages from one cargo run that asked for them (a matrix keeps them
    /// in `<target>.json` beside its log: what was compiled, and what was fresh).
    CargoMessages(Vec<u8>),
    /// The tests of one test binary (or the doctests) ran: each test's outcome, read from
    /// libtest's output (JUnit files and CI summaries are made from these).
    SuiteFinished(TestSuite),
}

/// How one test ended, as libtest (or the kernel harness, which speaks libtest) said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseOutcome {
    Passed,
    Failed,
    Ignored,
}

/// One test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestCase {
    pub name: String,
    pub outcome: CaseOutcome,
    /// Why it failed (the panic line, the kernel harness's reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What it printed, when libtest showed it (a failure's captured output).
    #[serde(skip)]
    pub output: Option<String>,
}

/// One test binary's run (or the doctests'): a JUnit testsuite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestSuite {
    /// `hello` for a library's unit tests, `hello::alpha` for tests/alpha.rs, `hello::doctests`.
    pub name: String,
    pub cases: Vec<TestCase>,
    pub seconds: f64,
    /// The binary's own failure when its tests do not tell it (it crashed, timed out, could
    /// not start, printed no test lines): an error in JUnit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Tests passed, failed and ignored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
}

impl Counts {
    pub fn of(suites: &[TestSuite]) -> Counts {
        let mut c = Counts::default();
        for case in suites.iter().flat_map(|s| &s.cases) {
            match case.outcome {
                CaseOutcome::Passed => c.passed += 1,
                CaseOutcome::Failed => c.failed += 1,
                CaseOutcome::Ignored => c.ignored += 1,
            }
        }
        c
    }
}

/// A built executable and what it needs where it runs: the glibc (read from its ELF; None
/// for a static, musl, Windows or bare-metal one), or for macOS its architectures, oldest
/// macOS and dylibs (read from its Mach-O file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub macos: Option<crate::support::macho::MachO>,
}

impl Artifact {
    /// One phrase for tables: `glibc 2.17`, `macos arm64+x86_64 >= 11.0`; None when the file
    /// needs neither.
    pub fn needs(&self) -> Option<String> {
        match (&self.glibc, &self.macos) {
            (Some(g), _) => Some(format!("glibc {g}")),
            (None, Some(m)) => Some(m.summary()),
            (None, None) => None,
        }
    }
}

/// How one phase of a matrix target went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed(String),
    TimedOut(String),
    /// Not attempted, with the reason. Never counted as passed.
    Skipped(String),
}

impl Status {
    pub fn word(&self) -> &'static str {
        match self {
            Status::Passed => "ok",
            Status::Failed(_) => "FAILED",
            Status::TimedOut(_) => "TIMEOUT",
            Status::Skipped(_) => "skipped",
        }
    }
}

/// One matrix target's result.
#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    pub target: String,
    pub rust_triple: String,
    pub build: Status,
    pub test: Status,
    pub seconds: f64,
    pub artifacts: Vec<Artifact>,
    pub log: PathBuf,
    /// The tests' counts, when the tests ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<Counts>,
    /// Every test binary's run, for JUnit (not in the JSON summary: the counts are).
    #[serde(skip)]
    pub suites: Vec<TestSuite>,
}

impl TargetResult {
    pub fn failed(&self) -> bool {
        matches!(self.build, Status::Failed(_) | Status::TimedOut(_))
            || matches!(self.test, Status::Failed(_) | Status::TimedOut(_))
    }
    pub fn passed(&self) -> bool {
        self.build == Status::Passed && self.test == Status::Passed
    }
}

/// Environment variable naming the file where runners append their events for the
/// launcher that started cargo.
pub const EVENTS_ENV: &str = "CROSSFLAKE_EVENTS";

/// What a runner tells the launcher that started cargo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum RunnerEvent {
    /// A program was killed at its timeout.
    Timeout { target: String, program: String, timeout_secs: u64 },
}

/// Appends an event for the launcher, when one asked for them.
pub fn record(event: &RunnerEvent) {
    use std::io::Write;
    if let (Some(path), Ok(line)) = (std::env::var_os(EVENTS_ENV), serde_json::to_string(event)) {
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = writeln!(f, "{line}");
        }
    }
}

/// The events runners appended to `path` (lines that are not events are skipped).
pub fn recorded(path: &Path) -> Vec<RunnerEvent> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Whether a launcher started this process (it then says what only it can say once).
pub fn under_launcher() -> bool {
    std::env::var_os(EVENTS_ENV).is_some()
}
