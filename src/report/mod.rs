//! The only printer. The main type is [`Reporter`]: it renders the events the
//! layers below emit (as human lines on stderr, or JSON lines on stdout with
//! `--message-format json`), passes programs' output through, and prints each
//! command's result (tables.rs): targets, doctor, env, matrix, repro, dist,
//! package, inspect, sdk, coverage, and the error a command ended with.
pub mod junit;
pub mod progress;
pub mod summary;
pub mod tables;

use crate::events::{Event, Sink, TestSuite};
use crate::exec::Ending;
use crate::failure::Failure;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Mutex;

/// How crossflake reports: lines for people on stderr, or JSON lines on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
}

pub struct Reporter {
    pub format: Format,
    pub verbose: u8,
    pub quiet: bool,
    /// What lines start with: `crossflake`, or `crossflake runner`.
    pub who: &'static str,
    /// Keys of the notes said already.
    said: Mutex<BTreeSet<String>>,
    progress: progress::Progress,
    /// The test suites that ran, for a JUnit file and a CI summary.
    suites: Mutex<Vec<TestSuite>>,
}

impl Reporter {
    pub fn new(format: Format, verbose: u8, quiet: bool, who: &'static str) -> Reporter {
        Reporter {
            format,
            verbose,
            quiet,
            who,
            said: Mutex::new(BTreeSet::new()),
            progress: progress::Progress::new(format == Format::Json),
            suites: Mutex::new(Vec::new()),
        }
    }

    /// The test suites that ran so far, in the order they were reported.
    pub fn suites(&self) -> Vec<TestSuite> {
        self.suites.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    fn emit(&self, value: serde_json::Value) {
        self.out(&format!("{value}\n"));
    }

    /// Text for stdout (a command's result, a dry run's plan).
    pub fn out(&self, text: &str) {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(text.as_bytes());
        let _ = o.flush();
    }

    /// Text for stderr, as it is (the command line's own messages).
    pub fn text_err(&self, text: &str) {
        self.err_bytes(text.as_bytes());
    }

    fn err_bytes(&self, bytes: &[u8]) {
        let _ = std::io::stderr().lock().write_all(bytes);
    }

    fn line(&self, msg: &str) {
        // stderr may be a pipe nobody reads any more: never panic on it.
        let _ = writeln!(std::io::stderr().lock(), "{}: {msg}", self.who);
    }

    /// A result as JSON (`{"event": kind, ...value}`) or, for people, `human`.
    pub fn result<T: Serialize>(&self, kind: &str, value: &T, human: impl FnOnce() -> String) {
        if self.json() {
            let mut v = serde_json::to_value(value).unwrap_or_default();
            match v.as_object_mut() {
                Some(o) => {
                    o.insert("event".into(), json!(kind));
                }
                None => v = json!({"event": kind, "value": v}),
            }
            self.emit(v);
        } else {
            self.out(&human());
        }
    }

    /// The failure a command ended with (nothing when it said everything already).
    pub fn failure(&self, f: &Failure) {
        if f.message.is_empty() {
            return;
        }
        if self.json() {
            self.emit(json!({"event": "error", "message": f.message, "next": f.next, "exit_code": f.exit_code()}));
        } else {
            self.line(&format!("error: {f}"));
        }
    }

    fn plan(&self, plan: &crate::plan::Plan, dry_run: bool) {
        if self.json() {
            self.emit(json!({"event": "plan", "dry_run": dry_run, "plan": plan}));
        } else if dry_run {
            self.out(&plan.to_string());
        } else if !self.quiet {
            let tc = plan.toolchain.as_deref().unwrap_or("-");
            self.line(&format!(
                "{} {} ({}) with {} backend, toolchain {tc}",
                plan.command, plan.target, plan.rust_triple, plan.backend
            ));
            for n in &plan.notes {
                self.line(&format!("note: {n}"));
            }
            if self.verbose > 0 {
                for s in plan.steps() {
                    self.line(&format!("running: {}", s.shell_line()));
                }
            }
        }
    }

    fn step_done(&self, label: &str, ending: Ending, secs: f64) {
        let code = ending.exit_code();
        let status = match ending {
            Ending::Exited(0) => "ok".to_string(),
            Ending::Exited(c) => format!("failed (exit {c})"),
            Ending::Signalled(s) => format!("killed by signal {s}"),
            Ending::TimedOut => "timed out".to_string(),
            Ending::Interrupted(_) => "interrupted".to_string(),
        };
        if self.json() {
            self.emit(
                json!({"event": "step-finished", "label": label, "status": status, "exit_code": code, "seconds": secs}),
            );
        } else if !self.quiet || code != 0 {
            self.line(&format!("{label}: {status} in {secs:.1} s"));
        }
    }
}

impl Sink for Reporter {
    fn event(&self, e: Event) {
        match e {
            Event::Info(m) if self.json() => self.emit(json!({"event": "info", "message": m})),
            Event::Info(m) if !self.quiet => self.line(&m),
            Event::Info(_) => {}
            Event::Warning(m) if self.json() => self.emit(json!({"event": "warning", "message": m})),
            Event::Warning(m) => self.line(&format!("warning: {m}")),
            Event::Detail(m) if self.verbose > 0 => self.event(Event::Info(m)),
            Event::Detail(_) => {}
            Event::Note { key, message } => {
                if self.said.lock().unwrap_or_else(|e| e.into_inner()).insert(key) {
                    self.event(Event::Info(message));
                }
            }
            Event::Plan { plan, dry_run } => self.plan(&plan, dry_run),
            Event::Steps { title, steps, notes } => {
                if self.json() {
                    self.emit(json!({"event": "plan", "dry_run": true, "title": title, "steps": steps, "notes": notes}));
                } else {
                    let mut s = format!("# {title}\n");
                    notes.iter().for_each(|n| s += &format!("# note: {n}\n"));
                    steps.iter().for_each(|st| s += &format!("{}\n", st.shell_line()));
                    self.out(&s);
                }
            }
            Event::StepFinished { label, ending, seconds } => self.step_done(&label, ending, seconds),
            Event::TimedOut { program, secs } => self.event(Event::Warning(format!(
                "{program} timed out after {secs} s and was killed with everything it started; raise the limit with --timeout SECS"
            ))),
            Event::Hint(h) => self.event(Event::Warning(h.trim_end().to_string())),
            Event::Unrun(why) => {
                self.event(Event::Warning(format!("{why} (exit 125; `--no-run` asks for a build only)")))
            }
            Event::Stdout(b) => {
                let mut o = std::io::stdout().lock();
                let _ = o.write_all(&b);
                let _ = o.flush();
            }
            Event::Stderr(b) => self.err_bytes(&b),
            Event::TargetPhase { target, phase } => self.progress.phase(&target, &phase),
            Event::TargetFinished(r) => self.progress.finished(&r),
            Event::CargoMessages(_) => {}
            Event::SuiteFinished(suite) => {
                if self.json() {
                    let counts = crate::events::Counts::of(std::slice::from_ref(&suite));
                    self.emit(json!({"event": "suite-finished", "name": suite.name, "counts": counts,
                                     "seconds": suite.seconds, "error": suite.error}));
                }
                self.suites.lock().unwrap_or_else(|e| e.into_inner()).push(suite);
            }
        }
    }
}

/// A sink that writes what a run says into a log file (a matrix target's, a repro
/// build's), as the terminal would have shown it; cargo's JSON messages go to a second
/// file when one is given.
pub struct LogFile(Mutex<std::fs::File>, Option<Mutex<std::fs::File>>);

impl LogFile {
    pub fn create(path: &std::path::Path) -> std::io::Result<LogFile> {
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d)?;
        }
        Ok(LogFile(Mutex::new(std::fs::File::create(path)?), None))
    }

    /// A log at `path` with cargo's JSON messages, one per line, in `messages`.
    pub fn with_messages(path: &std::path::Path, messages: &std::path::Path) -> std::io::Result<LogFile> {
        let mut log = LogFile::create(path)?;
        log.1 = Some(Mutex::new(std::fs::File::create(messages)?));
        Ok(log)
    }

    fn write(&self, bytes: &[u8]) {
        let _ = self.0.lock().unwrap_or_else(|e| e.into_inner()).write_all(bytes);
    }
}

impl Sink for LogFile {
    fn event(&self, e: Event) {
        match e {
            Event::Info(m) | Event::Detail(m) | Event::Note { message: m, .. } => {
                self.write(format!("crossflake: {m}\n").as_bytes())
            }
            Event::Warning(m) | Event::Hint(m) => {
                self.write(format!("crossflake: warning: {}\n", m.trim_end()).as_bytes())
            }
            Event::Unrun(m) => self.write(format!("crossflake: warning: {m}\n").as_bytes()),
            Event::Plan { plan, .. } => self.write(plan.to_string().as_bytes()),
            Event::Steps { steps, .. } => {
                steps.iter().for_each(|s| self.write(format!("{}\n", s.shell_line()).as_bytes()))
            }
            Event::StepFinished { label, ending, seconds } => {
                self.write(format!("crossflake: {label}: {} in {seconds:.1} s\n", ending.describe()).as_bytes())
            }
            Event::TimedOut { program, secs } => {
                self.write(format!("crossflake: warning: {program} timed out after {secs} s\n").as_bytes())
            }
            Event::Stdout(b) | Event::Stderr(b) => self.write(&b),
            Event::CargoMessages(json) => {
                if let Some(f) = &self.1 {
                    let _ = f.lock().unwrap_or_else(|e| e.into_inner()).write_all(&json);
                }
            }
            Event::TargetPhase { .. } | Event::TargetFinished(_) | Event::SuiteFinished(_) => {}
        }
    }
}
