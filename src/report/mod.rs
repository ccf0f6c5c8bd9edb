//! Reporting: human lines on stderr, or JSON lines on stdout; renders the
//! executor's events and what the lower layers say.
pub mod progress;
use crate::events::{Event, Say};
use crate::exec::{Ending, Outcome};
use crate::request::options::MessageFormat;
use crate::plan::{Plan, Step};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// What was said once already in this invocation.
static SAID: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

#[derive(Debug, Clone, Copy)]
pub struct Reporter {
    pub format: MessageFormat,
    pub verbose: u8,
    pub quiet: bool,
}

impl Reporter {
    pub fn json(&self) -> bool {
        self.format == MessageFormat::Json
    }

    fn emit(&self, value: serde_json::Value) {
        println!("{value}");
    }

    /// A line of progress for people (suppressed by -q; an event in JSON mode).
    pub fn info(&self, msg: &str) {
        if self.json() {
            self.emit(json!({"event": "info", "message": msg}));
        } else if !self.quiet {
            eprintln!("crossflake: {msg}");
        }
    }

    pub fn warn(&self, msg: &str) {
        if self.json() {
            self.emit(json!({"event": "warning", "message": msg}));
        } else {
            eprintln!("crossflake: warning: {msg}");
        }
    }

    /// The plan, in full (dry runs) or as a short header.
    pub fn plan(&self, plan: &Plan, dry_run: bool) {
        if self.json() {
            self.emit(json!({"event": "plan", "dry_run": dry_run, "plan": plan}));
            return;
        }
        if dry_run {
            print!("{plan}");
            return;
        }
        if self.quiet {
            return;
        }
        let tc = plan.toolchain.as_deref().unwrap_or("-");
        eprintln!(
            "crossflake: {} {} ({}) with {} backend, toolchain {tc}",
            plan.command, plan.target, plan.rust_triple, plan.backend
        );
        for n in &plan.notes {
            eprintln!("crossflake: note: {n}");
        }
        if self.verbose > 0 {
            for s in &plan.steps {
                eprintln!("crossflake: running: {}", s.shell_line());
            }
        }
    }

    /// Renders an executor event.
    pub fn event(&self, event: &Event) {
        match event {
            Event::StepFinished { step, outcome } => self.step_done(step, outcome),
            Event::TimedOut { program, secs } => self.warn(&format!(
                "{program} timed out after {secs} s and was killed with everything it started; raise the limit with --timeout SECS"
            )),
            Event::Hint(h) => self.warn(h.trim_end()),
            Event::Unrun(why) => self.warn(&format!("{why} (exit 125; `--no-run` asks for a build only)")),
            Event::Artifact(a) if self.json() => self.emit(json!({"event": "artifact", "artifact": a})),
            Event::Artifact(a) => self.info(&format!(
                "{}: needs glibc {}",
                a.path.display(),
                a.glibc.as_deref().unwrap_or("none (static, or not linked against glibc)")
            )),
            Event::Coverage(r) if self.json() => self.emit(json!({"event": "coverage", "report": r})),
            Event::Coverage(r) => {
                print!("{}", crate::run::coverage::table(r));
                self.info(&format!(
                    "coverage: lcov {}, HTML {}, profile {}",
                    r.lcov.display(),
                    r.html.display(),
                    r.profdata.display()
                ));
            }
            Event::AboveFloor { path, floor, symbols } => {
                let shown: Vec<String> = symbols.iter().take(8).map(|(s, v)| format!("{s} (GLIBC_{v})")).collect();
                let more = symbols.len().saturating_sub(8);
                self.warn(&format!(
                    "{} needs more than glibc {floor}: {}{}. Next: drop or replace what uses them (a C dependency built \
                     without zig? a crate's own linker settings?), or raise --glibc",
                    path.display(),
                    shown.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                ))
            }
        }
    }

    pub fn step_done(&self, step: &Step, outcome: &Outcome) {
        let code = outcome.ending.exit_code();
        let status = match outcome.ending {
            Ending::Exited(0) => "ok".to_string(),
            Ending::Exited(c) => format!("failed (exit {c})"),
            Ending::Signalled(s) => format!("killed by signal {s}"),
            Ending::TimedOut => "timed out".to_string(),
            Ending::Interrupted(_) => "interrupted".to_string(),
        };
        let secs = outcome.elapsed.as_secs_f64();
        if self.json() {
            self.emit(json!({"event": "step-finished", "label": step.label, "status": status, "exit_code": code, "seconds": secs}));
        } else if !self.quiet || code != 0 {
            eprintln!("crossflake: {}: {status} in {secs:.1} s", step.label);
        }
    }
}

impl Say for Reporter {
    fn info(&self, msg: &str) {
        Reporter::info(self, msg)
    }
    fn warn(&self, msg: &str) {
        Reporter::warn(self, msg)
    }
    fn note_once(&self, key: &str, msg: &str) {
        if SAID.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string()) {
            Reporter::info(self, msg);
        }
    }
}
