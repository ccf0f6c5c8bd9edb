//! What happens while commands resolve and run, as values: the layers below
//! say things through `Say` and the executor emits `Event`s; the reporter
//! (report.rs) is the one that renders them.
use crate::exec::Outcome;
use crate::plan::Step;

/// Messages for people from the layers that resolve environments (nix, toolchains).
pub trait Say {
    fn info(&self, msg: &str);
    fn warn(&self, msg: &str);
    /// Said once per invocation for each `key`, however often it comes (backend and
    /// runner choices).
    fn note_once(&self, key: &str, msg: &str);
}

/// What the plan executor reports.
#[derive(Debug)]
pub enum Event<'a> {
    StepFinished {
        step: &'a Step,
        outcome: &'a Outcome,
    },
    /// A program the runner killed at its timeout (from the runner's events file).
    TimedOut {
        program: String,
        secs: u64,
    },
    /// The next step for a failure the executor recognised (a missing library).
    Hint(String),
    /// Tests were built but cannot run here.
    Unrun(String),
    /// A built executable and the glibc it needs.
    Artifact(crate::ship::artifacts::Artifact),
    /// A coverage report was written.
    Coverage(crate::run::coverage::Report),
    /// An executable needs more glibc than the floor: the symbols and their versions.
    AboveFloor {
        path: std::path::PathBuf,
        floor: String,
        symbols: Vec<(String, String)>,
    },
}

/// Environment variable naming a file where runners append JSON events (timeouts)
/// for the launcher that started cargo.
pub const EVENTS_ENV: &str = "CROSSFLAKE_EVENTS";

/// Appends an event for the launcher, when one asked for them.
pub fn record_event(event: &serde_json::Value) {
    use std::io::Write;
    if let Some(path) = std::env::var_os(EVENTS_ENV) {
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = writeln!(f, "{event}");
        }
    }
}

/// Whether a launcher started this process (it then says what only it can say once).
pub fn under_launcher() -> bool {
    std::env::var_os(EVENTS_ENV).is_some()
}
