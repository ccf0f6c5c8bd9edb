//! The one way out: every expected ending that is not success is a `Failure`
//! of a kind (exit.rs maps kinds to codes) with what went wrong and the next
//! step. Commands return `Result<(), Failure>`; `main` prints the message and
//! exits with the kind's code. Errors from below (I/O, anyhow) become failures
//! of crossflake itself (exit 1) with their chain as the message.
use crate::exit::Kind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: Kind,
    /// What went wrong; empty when it was said already (a program's own output, a
    /// test run's summary).
    pub message: String,
    pub next: Option<String>,
}

impl Failure {
    pub fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure { kind, message: message.into(), next: None }
    }
    pub fn error(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Error, message)
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
    pub fn timed_out(message: impl Into<String>) -> Failure {
        Failure::new(Kind::TimedOut, message)
    }
    /// A program ended with `code`, which passes through; it said why itself.
    pub fn program(code: i32) -> Failure {
        Failure::new(Kind::of_code(code).unwrap_or(Kind::Error), "")
    }
    /// Stopped by signal `sig`.
    pub fn signal(sig: i32) -> Failure {
        Failure::new(Kind::Signal(sig), "")
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

/// Errors from below: a failure carried through anyhow keeps its kind; anything else is
/// crossflake's own failure, its whole chain the message.
impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        match e.downcast::<Failure>() {
            Ok(f) => f,
            Err(e) => Failure::error(format!("{e:#}")),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::error(e.to_string())
    }
}

/// The result of a command.
pub type Outcome = Result<(), Failure>;

/// `Ok` for exit code 0, else the failure that carries `code` through.
pub fn from_code(code: i32) -> Outcome {
    match Kind::of_code(code) {
        None => Ok(()),
        Some(_) => Err(Failure::program(code)),
    }
}
