//! Runs a plan: its setup steps, then the cargo step, or for a side-by-side
//! test run the build, the test binaries and the doctests (test_binaries.rs),
//! with coverage around them when asked. Everything it has to say goes to the
//! sink as events; cargo's stderr is passed on line by line and the lines a
//! hint needs are kept. It ends with the command's verdict: `Ok` with what was
//! built, or the failure (cargo's own code passes through; 124 when the runner
//! killed a program at its timeout; 125 for tests built that cannot run here).
use super::{coverage, hints, test_binaries};
use crate::events::{self, Event, RunnerEvent, Sink};
use crate::exec::{self, Ending, Output, Stdout};
use crate::failure::Failure;
use crate::plan::{CargoStep, Plan};
use crate::step::Step;
use crate::targets::TargetSpec;
use anyhow::Context as _;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where a program's stdout goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Console {
    /// Inherited: the program talks to the terminal (`crossflake run` of an interactive program).
    Live,
    /// Handed to the sink (a matrix target's log).
    Sink,
}

/// What a run made.
#[derive(Debug, Clone, Default)]
pub struct Ran {
    /// The executables cargo built, when the cargo step asked for its JSON messages.
    pub executables: Option<Vec<PathBuf>>,
    pub coverage: Option<coverage::Report>,
    /// Each test binary's tests (side-by-side test runs).
    pub suites: Vec<crate::events::TestSuite>,
}

/// Runs one cargo step the executor's way: cargo's stderr to the sink line by line (the
/// hint lines kept), stdout captured for JSON messages (and handed to the sink as
/// `CargoMessages`), else where `console` says (to the sink: also returned).
fn run_cargo(
    step: &Step,
    json: bool,
    console: Console,
    sink: &dyn Sink,
) -> anyhow::Result<(exec::Outcome, Vec<u8>, Vec<String>)> {
    let kept = Mutex::new(Vec::new());
    let line = |l: &str| {
        sink.event(Event::Stderr(format!("{l}\n").into_bytes()));
        if hints::interesting(l) {
            kept.lock().unwrap_or_else(|e| e.into_inner()).push(l.trim_end().to_string());
        }
    };
    let seen = Mutex::new(Vec::new());
    let to_sink = |b: &[u8]| {
        seen.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(b);
        sink.event(Event::Stdout(b.to_vec()))
    };
    let stdout = match (json, console) {
        (true, _) => Stdout::Capture,
        (false, Console::Live) => Stdout::Inherit,
        (false, Console::Sink) => Stdout::To(&to_sink),
    };
    let (outcome, got) = exec::run(step, Output::Cargo { stderr: &line, stdout })?;
    let stdout = match json {
        true => {
            sink.event(Event::CargoMessages(got.stdout.clone()));
            got.stdout
        }
        false => seen.into_inner().unwrap_or_else(|e| e.into_inner()),
    };
    Ok((outcome, stdout, kept.into_inner().unwrap_or_else(|e| e.into_inner())))
}

/// Executes `plan` for `spec`, telling `sink` what happens.
pub fn execute(plan: &Plan, spec: &TargetSpec, console: Console, sink: &dyn Sink) -> Result<Ran, Failure> {
    for step in &plan.setup {
        let (o, _, _) = run_cargo(step, false, console, sink)?;
        sink.event(Event::StepFinished {
            label: step.label.clone(),
            ending: o.ending,
            seconds: o.elapsed.as_secs_f64(),
        });
        if !o.success() {
            return Err(Failure::program(o.ending.exit_code()));
        }
    }
    let events_file = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let mut cargo = plan.cargo.clone();
    cargo.env.insert(events::EVENTS_ENV.into(), events_file.path().display().to_string());
    let start = std::time::Instant::now();
    let mut ran = Ran::default();
    let (ending, kept) = match &plan.tests {
        None => {
            let (o, stdout, kept) = run_cargo(&cargo.step(), cargo.json_messages, console, sink)?;
            if cargo.json_messages {
                ran.executables = Some(test_binaries::binaries(&stdout).1);
            }
            (o.ending, kept)
        }
        Some(run) => {
            let _lock = plan.coverage.as_ref().map(coverage::prepare).transpose()?;
            // The doctests' output is read for their outcomes: through the sink.
            let cargo_run = |c: &CargoStep| {
                run_cargo(&c.step(), c.json_messages, if c.doc { Console::Sink } else { console }, sink)
            };
            let summary = test_binaries::execute(&cargo, run, &spec.rust_triple, sink, &cargo_run)?;
            ran.executables = Some(summary.executables.clone());
            ran.suites = summary.suites.clone();
            if let (Some(c), None) = (&plan.coverage, exec::interrupted()) {
                match coverage::report(c, &summary.executables) {
                    Ok(r) => ran.coverage = Some(r),
                    Err(e) if summary.executables.is_empty() => {
                        sink.event(Event::Hint(format!("no coverage report: {e:#}")))
                    }
                    Err(e) => {
                        sink.event(Event::Hint(format!("the coverage report failed: {e:#}")));
                        if summary.ending == Ending::Exited(0) {
                            return Err(Failure::error("the coverage report failed (see above)"));
                        }
                    }
                }
            }
            (summary.ending, summary.kept)
        }
    };
    sink.event(Event::StepFinished { label: cargo.label.clone(), ending, seconds: start.elapsed().as_secs_f64() });
    if ending != Ending::Exited(0) {
        if let Some(hint) = hints::missing_library_hint(&kept, spec) {
            sink.event(Event::Hint(hint));
        }
        if let Some(fw) = kept.iter().find_map(|l| hints::missing_framework(l)) {
            return Err(Failure::missing(format!(
                "{} links the macOS framework {fw}, which zig cannot link without an SDK (the linker's words are above)",
                spec.name
            ))
            .next(format!(
                "register a macOS SDK (`crossflake sdk add MacOSX<ver>.sdk.tar.xz`, docs/macos.md) and build with \
                 osxcross or the Nix shell (`crossflake build --target {} --backend nix`)",
                spec.name
            )));
        }
        if let Some(failure) = hints::xwin_download(&kept, spec) {
            return Err(failure);
        }
        if let Some(failure) = hints::missing_c_tool(&kept, spec).or_else(|| hints::missing_c_headers(&kept, spec)) {
            return Err(failure);
        }
        if let Some(arg) = kept.iter().find_map(|l| hints::rejected_argument(l)) {
            let owner = cargo.program.rsplit('/').next().unwrap_or("cargo").to_string();
            return Err(Failure::usage(format!(
                "`{owner} {}` does not take `{arg}`: crossflake passes every option it does not own to it",
                plan.command
            ))
            .next(format!(
                "`crossflake {} --help` lists crossflake's own",
                plan.command.split(' ').next().unwrap_or("test")
            )));
        }
    }
    let timeouts: Vec<(String, u64)> = events::recorded(events_file.path())
        .into_iter()
        .map(|RunnerEvent::Timeout { program, timeout_secs, .. }| (program, timeout_secs))
        .collect();
    for (program, secs) in &timeouts {
        sink.event(Event::TimedOut { program: program.clone(), secs: *secs });
    }
    match ending {
        Ending::Exited(0) => {}
        Ending::Interrupted(s) | Ending::Signalled(s) => return Err(Failure::signal(s)),
        _ if !timeouts.is_empty() => {
            return Err(Failure::timed_out(format!(
                "{} killed at its timeout (see above); raise it with --timeout SECS",
                timeouts[0].0
            )))
        }
        e => return Err(Failure::program(e.exit_code())),
    }
    if let Some(why) = &plan.unrun {
        sink.event(Event::Unrun(why.clone()));
        return Err(Failure::cannot_run(""));
    }
    Ok(ran)
}
