//! `crossflake runner`: the cargo runner for every target. Checks the program
//! first, plans how it runs here (plan/emulator.rs), runs it with a timeout
//! (its whole process tree killed at the end), maps the emulator's exit
//! status, applies the console rules (verdict.rs), and hands harness kernels
//! to the per-test driver (kernel.rs). What it says goes to the sink.
use super::verdict::{Rules, Watch};
use super::{binfmt, kernel, wasi, wine};
use crate::events::{record, under_launcher, Event, RunnerEvent, Sink};
use crate::exec::{self, Ending, Output};
use crate::failure::{self, Failure};
use crate::plan::emulator::{self, Facts, RunnerRequest};
use crate::resolve::crate_meta::CrateMeta;
use crate::resolve::machine::{HostEnv, OPENSBI_ENV};
use crate::targets::{ExitDevice, Runner, TargetSpec};
use std::path::Path;

/// What this machine offers the runner, for the emulator planner.
pub fn facts(env: &HostEnv) -> Facts {
    Facts {
        host_triple: env.host_triple.clone(),
        opensbi: env.opensbi.clone(),
        wasi_script: wasi::script_path(),
        wine_env: wine::env(&wine::prefix_dir()),
    }
}

/// Maps the emulator's ending to the runner's exit code (a user's runner's as it is).
pub fn exit_code(spec: &TargetSpec, ending: Ending, wrapped: bool) -> i32 {
    match (ending, &spec.runner) {
        (Ending::Exited(code), Runner::QemuSystem { exit: ExitDevice::IsaDebugExit, .. })
            if code & 1 == 1 && !wrapped =>
        {
            code >> 1
        }
        (ending, _) => ending.exit_code(),
    }
}

/// Checks that `program` exists and is a program for `spec` (exit 125 otherwise).
pub fn check_program(env: &HostEnv, spec: &TargetSpec, program: &Path, wrapped: bool) -> Result<(), Failure> {
    if let (Runner::None { reason }, false) = (&spec.runner, wrapped) {
        return Err(Failure::cannot_run(format!("cannot run {} for {}: {reason}", program.display(), spec.name)));
    }
    let format = binfmt::sniff(program).map_err(|e| {
        Failure::cannot_run(format!("cannot run {} for {}: {e}", program.display(), spec.name))
            .next("check the path (cargo prints the binaries it built with `--message-format json`)")
    })?;
    if wrapped || matches!(spec.runner, Runner::Direct { .. }) {
        return Ok(());
    }
    let native = spec.runs_natively_on(&env.host_triple) && !matches!(spec.runner, Runner::QemuSystem { .. });
    match binfmt::mismatch(format, &spec.rust_triple, native) {
        None => Ok(()),
        Some(why) => Err(Failure::cannot_run(format!("cannot run {} for {}: {why}", program.display(), spec.name))
            .next("build it for this target (`crossflake build --target ...`) or pick the target it was built for")),
    }
}

/// Runs the program; its exit code (or the kernel's) passes through. Reports a timeout
/// to the sink and, when a launcher asked for it, in its events file.
pub fn run(env: &HostEnv, spec: &TargetSpec, req: &RunnerRequest, sink: &dyn Sink) -> failure::Outcome {
    exec::signals::install();
    exec::stop_with_parent(|| {
        // stderr may be a pipe nobody reads any more: the sink must not panic on it.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"crossflake runner: the process that started it is gone; stopping the program\n",
        );
    });
    let wrapped = req.user_runner().is_some();
    check_program(env, spec, &req.program, wrapped)?;
    let facts = facts(env);
    let step = emulator::step(&facts, spec, req)?;
    if env.which(&step.program).is_none() {
        let pkgs = crate::backend::host::packages_for(spec, &step.program);
        let install = if pkgs.is_empty() {
            format!("use `nix develop .#{}`", spec.name)
        } else {
            format!("install it (`sudo apt-get install {}`) or use `nix develop .#{}`", pkgs.join(" "), spec.name)
        };
        return Err(Failure::cannot_run(format!("`{}` is not on PATH", step.program)).next(install));
    }
    // A program logging with defmt: its output decoded by defmt-print, or said why not.
    let (step, note) = super::defmt::decoding(env, spec, req, step);
    if let Some(note) = note {
        sink.info(&format!("note: {note}"));
    }
    if let Some(port) = req.gdb {
        sink.info(&format!(
            "{} is waiting for gdb on port {port}; attach with:\n  {}",
            spec.name,
            emulator::gdb_command(spec, &req.program, port)
        ));
    }
    if matches!(spec.runner, Runner::Wasi { .. }) && !wrapped {
        wasi::ensure_script()?;
    }
    if let Some(prefix) = step.env.get("WINEPREFIX") {
        wine::ensure_prefix(Path::new(prefix), sink).map_err(|e| Failure::cannot_run(format!("{e:#}")))?;
    }
    if let Some(p) = env.opensbi.as_ref().filter(|p| !p.is_file()) {
        return Err(Failure::cannot_run(format!("{OPENSBI_ENV} names {}, which is not a file", p.display()))
            .next("point it at an OpenSBI fw_dynamic.bin, or unset it"));
    }
    if let (Some(gap), false) = (env.firmware_gap(spec), under_launcher()) {
        sink.info(&format!("note: {gap}"));
    }
    let meta = CrateMeta::of_running_program()?;
    let (mine, from) = meta.rules_with_source();
    let rules = Rules::new(spec, Some((&mine, from.as_str())))?;
    let code_of = |ending: Ending| exit_code(spec, ending, wrapped);
    if matches!(spec.runner, Runner::QemuSystem { .. })
        && !wrapped
        && req.gdb.is_none()
        && kernel::is_harness(&req.program)
    {
        let boot = |cmdline: &str| {
            let r = RunnerRequest { args: vec![cmdline.to_string()], ..req.clone() };
            emulator::step(&facts, spec, &r)
        };
        return kernel::run(&req.program, &req.args, &rules, &code_of, &boot, sink);
    }
    let (outcome, watch) = if rules.active() {
        let watch = Watch::new(&rules);
        let echo = |l: &str| {
            sink.event(Event::Stdout(format!("{l}\n").into_bytes()));
            watch.line(l);
        };
        (exec::run(&step, Output::Console(&echo))?.0, Some(watch))
    } else {
        (exec::run(&step, Output::Inherit)?.0, None)
    };
    let mut code = code_of(outcome.ending);
    if let Some((judged, Some(why))) = watch.as_ref().map(|w| w.judge(code)) {
        sink.warn(&format!("{} exited 0, but {why}: counted as a failure (exit {judged})", req.program.display()));
        code = judged;
    }
    if outcome.ending == Ending::TimedOut {
        let secs = step.timeout_secs.unwrap_or(0);
        // The specific hint when the ELF or the console shows a halting panic handler,
        // else the general sentence.
        let specific = match (&spec.runner, wrapped) {
            (Runner::QemuSystem { .. }, false) => {
                halted_panic_hint(&req.program, watch.as_ref().and_then(Watch::panic_line))
            }
            _ => None,
        };
        sink.warn(&format!(
            "TIMEOUT: {} did not exit within {secs} s under `{}`; killed it and everything it started (exit {}). \
             Raise the limit with --timeout SECS.{}",
            req.program.display(),
            step.program,
            crate::exit::TIMEOUT,
            if specific.is_some() { "" } else { halting_hint(spec) }
        ));
        if let Some(hint) = specific {
            sink.warn(&format!("hint: {hint}"));
        }
        record(&RunnerEvent::Timeout {
            target: spec.name.clone(),
            program: req.program.display().to_string(),
            timeout_secs: secs,
        });
    }
    failure::from_code(code)
}

/// For bare metal: a kernel whose panic handler halts (`loop {}`, panic-halt) never exits.
fn halting_hint(spec: &TargetSpec) -> &'static str {
    match spec.runner {
        Runner::QemuSystem { .. } => {
            " A kernel whose panic handler halts (panic-halt's `loop {}`) runs until the timeout: a panic handler \
             that exits through the machine's exit device (semihosting, panic-semihosting with `exit`, the \
             crossflake-harness) ends the run with a verdict."
        }
        _ => "",
    }
}

/// Why a bare-metal run that timed out may have been a panic: it printed one and never
/// ended QEMU, or its panic handler can only halt (panic-halt's `loop {}`).
pub fn halted_panic_hint(program: &Path, panic_line: Option<String>) -> Option<String> {
    const EXITING: &str = "a panic handler that ends QEMU makes a panic a failure with its message: \
                           panic-semihosting with features = [\"exit\"] on Cortex-M, or \
                           crossflake_harness::handle_panic on any target";
    if let Some(line) = panic_line {
        return Some(format!(
            "{} printed a Rust panic (`{line}`) and then never ended QEMU: its panic handler halts; {EXITING}",
            program.display()
        ));
    }
    let at = super::halting::halting_panic_handler(program)?;
    Some(format!(
        "the panic handler of {} (rust_begin_unwind at {at:#x}) halts: it loops without a call (as panic-halt's \
         `loop {{}}` does), so a panic ends at the timeout and crossflake cannot tell it from a hang; {EXITING}",
        program.display()
    ))
}
