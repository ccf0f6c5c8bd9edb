//! defmt, the embedded logging framework: a program that logs with it (its
//! ELF has a `.defmt` section, the format strings) writes binary frames
//! (over semihosting with defmt-semihosting), which only the ELF can turn
//! back into text. The runner pipes the emulator's output through
//! knurling's `defmt-print -e ELF` when it is installed, and says why the
//! output is unreadable when it is not.
use crate::plan::emulator::RunnerRequest;
use crate::plan::Step;
use crate::resolve::machine::HostEnv;
use crate::targets::{Runner, TargetSpec};
use object::Object;
use std::path::Path;

/// The decoder's program name (`cargo install defmt-print`).
pub const PRINTER: &str = "defmt-print";

/// The emulator step for `req`, its output decoded by `defmt-print` when the program
/// logs with defmt (crossflake's qemu-system runner, not yours), and the note to give
/// when the program does but `defmt-print` is missing (the step is then unchanged).
pub fn decoding(env: &HostEnv, spec: &TargetSpec, req: &RunnerRequest, step: Step) -> (Step, Option<String>) {
    let ours = matches!(spec.runner, Runner::QemuSystem { .. }) && req.user_runner().is_none();
    if !ours || !logs_with_defmt(&req.program) {
        return (step, None);
    }
    match env.which(PRINTER) {
        Some(printer) => (decoded(step, &printer, &req.program), None),
        None => (step, Some(missing_note(&req.program))),
    }
}

/// Whether the ELF at `path` logs with defmt (has a `.defmt` section).
pub fn logs_with_defmt(path: &Path) -> bool {
    let Ok(data) = std::fs::read(path) else { return false };
    object::File::parse(&*data).is_ok_and(|f| f.section_by_name(".defmt").is_some())
}

/// `step` with its standard output decoded by `printer -e elf`: a bash
/// pipeline with `pipefail`, so the emulator's exit status stands (and a
/// decoder that fails fails the run).
pub fn decoded(step: Step, printer: &Path, elf: &Path) -> Step {
    let mut out = Step::new(&step.label, "bash")
        .args(["-c", r#"set -o pipefail; "${@:3}" | "$1" -e "$2""#, "crossflake-defmt"])
        .arg(printer.display().to_string())
        .arg(elf.display().to_string())
        .arg(step.program)
        .args(step.args);
    out.env = step.env;
    out.cwd = step.cwd;
    out.timeout_secs = step.timeout_secs;
    out
}

/// The note for a defmt program when `defmt-print` is missing.
pub fn missing_note(program: &Path) -> String {
    format!(
        "{} logs with defmt, whose frames are binary and need the ELF to be read; they are shown undecoded \
         because `{PRINTER}` is not on PATH: install it (`cargo install {PRINTER}`) and crossflake pipes the \
         output through `{PRINTER} -e ELF`",
        program.display()
    )
}
