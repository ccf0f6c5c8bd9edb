//! `crossflake runner`: the cargo runner for every target. Plans how a built
//! program runs here (natively, qemu-user, qemu-system, wine), runs it with a
//! timeout in its own process group, and maps the emulator's exit status.
use crate::exec::{self, Ending};
use crate::host::runs_natively;
use crate::hostenv::HostEnv;
use crate::plan::Step;
use crate::targets::{ExitDevice, Runner, TargetSpec};
use anyhow::{bail, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Exit code when the program was killed at the timeout (as GNU timeout).
pub const EXIT_TIMEOUT: i32 = 124;
/// Exit code when the runner cannot run the program at all (no emulator, no runner).
pub const EXIT_CANNOT_RUN: i32 = 125;
/// Environment variable naming a file where the runner appends JSON events for the launcher.
pub const EVENTS_ENV: &str = "CROSSFLAKE_EVENTS";

#[derive(Debug, Clone, Default)]
pub struct RunnerRequest {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub timeout_secs: Option<u64>,
    pub gdb: Option<u16>,
    pub strace: bool,
}

/// The step that runs `req.program` for `spec` on this host.
pub fn plan(env: &HostEnv, spec: &TargetSpec, req: &RunnerRequest) -> Result<Step> {
    let prog = req.program.display().to_string();
    let label = format!("run {}", file_name(&req.program));
    let mut step = match &spec.runner {
        Runner::QemuUser { .. } | Runner::Native { .. } if runs_natively(env, spec) => {
            if req.gdb.is_some() {
                bail!("--gdb for a native {} program: run it under gdb directly (`gdb --args {prog}`)", spec.name)
            }
            Step::new(&label, prog).args(req.args.iter().cloned())
        }
        Runner::Native { .. } => {
            bail!("target {} is marked native but does not match this host ({})", spec.name, env.host_triple)
        }
        Runner::QemuUser { qemu_arch, .. } => {
            let mut s = Step::new(&label, format!("qemu-{qemu_arch}"));
            if let Some(root) = &spec.host.sysroot {
                // -L finds the loader; LD_LIBRARY_PATH keeps the guest on the cross
                // libc even when Debian multiarch libs sit in the host's ld.so.cache.
                let multiarch =
                    Path::new(root).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                s = s.args(["-L", root, "-E", &format!("LD_LIBRARY_PATH={root}/lib:/usr/lib/{multiarch}")]);
            }
            if let Some(port) = req.gdb {
                s = s.args(["-g".to_string(), port.to_string()]);
            }
            if req.strace {
                s = s.env("QEMU_STRACE", "1");
            }
            s.arg(prog).args(req.args.iter().cloned())
        }
        Runner::QemuSystem { qemu_system, args, .. } => {
            let mut s = Step::new(&label, qemu_system.clone()).args(args.iter().cloned()).args(["-kernel", &prog]);
            if !req.args.is_empty() {
                s = s.args(["-append".to_string(), req.args.join(" ")]);
            }
            if let Some(port) = req.gdb {
                s = s.args(["-gdb".to_string(), format!("tcp::{port}"), "-S".to_string()]);
            }
            s
        }
        Runner::Wine { .. } => {
            let mut s = Step::new(&label, "wine").arg(prog).args(req.args.iter().cloned());
            s.env.extend(crate::wine::env(&crate::wine::prefix_dir()));
            s
        }
        Runner::None { reason } => bail!("cannot run {prog} for {}: {reason}", spec.name),
    };
    step.timeout_secs = if req.gdb.is_some() { None } else { req.timeout_secs.or(spec.runner.default_timeout_secs()) };
    Ok(step)
}

/// The gdb command that attaches to a program started with `--gdb PORT`.
pub fn gdb_hint(spec: &TargetSpec, program: &Path, port: u16) -> String {
    let mut s = String::from("gdb-multiarch");
    if let (Runner::QemuUser { .. }, Some(root)) = (&spec.runner, &spec.host.sysroot) {
        s += &format!(" -ex 'set sysroot {root}'");
    }
    format!("{s} -ex 'target remote :{port}' {}", program.display())
}

/// Maps the emulator's ending to the runner's exit code.
pub fn exit_code(spec: &TargetSpec, ending: Ending) -> i32 {
    match (ending, &spec.runner) {
        (Ending::Exited(code), Runner::QemuSystem { exit: ExitDevice::IsaDebugExit, .. }) if code & 1 == 1 => code >> 1,
        (ending, _) => ending.exit_code(),
    }
}

/// Runs the program and returns the runner's exit code; reports timeouts on stderr
/// and, when the launcher asked for it, in its events file.
pub fn run(env: &HostEnv, spec: &TargetSpec, req: &RunnerRequest) -> Result<i32> {
    let step = match plan(env, spec, req) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("crossflake runner: {e:#}");
            return Ok(EXIT_CANNOT_RUN);
        }
    };
    if env.which(&step.program).is_none() {
        let pkgs = crate::host::packages_for(spec, &step.program);
        eprintln!(
            "crossflake runner: `{}` is not on PATH; install it (`sudo apt-get install {}`) or use `nix develop .#{}`",
            step.program,
            pkgs.join(" "),
            spec.name
        );
        return Ok(EXIT_CANNOT_RUN);
    }
    if let Some(port) = req.gdb {
        eprintln!(
            "crossflake runner: {} is waiting for gdb on port {port}; attach with:\n  {}",
            spec.name,
            gdb_hint(spec, &req.program, port)
        );
    }
    let wine_prefix = step.env.get("WINEPREFIX").map(std::path::PathBuf::from);
    if let Some(prefix) = &wine_prefix {
        if let Err(e) = crate::wine::ensure_prefix(prefix) {
            eprintln!("crossflake runner: {e:#}");
            return Ok(EXIT_CANNOT_RUN);
        }
    }
    let wine_prefix = step.env.get("WINEPREFIX").map(std::path::PathBuf::from);
    if let Some(prefix) = &wine_prefix {
        if let Err(e) = crate::wine::ensure_prefix(prefix) {
            eprintln!("crossflake runner: {e:#}");
            return Ok(EXIT_CANNOT_RUN);
        }
    }
    exec::install_signal_handlers();
    let outcome = exec::run_isolated(&step)?;
    if let (Some(prefix), Ending::TimedOut) = (&wine_prefix, outcome.ending) {
        crate::wine::kill_prefix(prefix);
    }
    if let (Some(prefix), Ending::TimedOut) = (&wine_prefix, outcome.ending) {
        crate::wine::kill_prefix(prefix);
    }
    let code = exit_code(spec, outcome.ending);
    if outcome.ending == Ending::TimedOut {
        let secs = step.timeout_secs.unwrap_or(0);
        eprintln!(
            "crossflake runner: TIMEOUT: {} did not exit within {secs} s under `{}`; killed it and its process group (exit {EXIT_TIMEOUT}). Raise the limit with --timeout SECS.",
            req.program.display(), step.program
        );
        record_event(
            &serde_json::json!({"event": "timeout", "target": spec.name, "program": req.program, "timeout_secs": secs}),
        );
    }
    Ok(code)
}

fn record_event(event: &serde_json::Value) {
    if let Some(path) = std::env::var_os(EVENTS_ENV) {
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = writeln!(f, "{event}");
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| p.display().to_string())
}
