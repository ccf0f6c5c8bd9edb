//! `crossflake runner`: the cargo runner for every target. Plans how a built
//! program runs here (natively, qemu-user, qemu-system, wine, or inside a
//! runner the user configured), checks the program first, runs it with a
//! timeout (its whole process tree killed at the end), and maps the
//! emulator's exit status.
use crate::run::binfmt;
use crate::exec::{self, Ending, Output};
use crate::exit::{self, Failure};
use crate::backend::host::runs_natively;
use crate::resolve::machine::HostEnv;
use crate::run::kernel;
use crate::plan::Step;
use crate::targets::{ExitDevice, Firmware, Runner, TargetSpec};
use crate::run::verdict::{Rules, Watch};
use anyhow::Result;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::events::EVENTS_ENV;
use crate::events::{record_event, under_launcher};

#[derive(Debug, Clone, Default)]
pub struct RunnerRequest {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub timeout_secs: Option<u64>,
    pub gdb: Option<u16>,
    pub strace: bool,
    /// The user's own runner (program and arguments) to run the program with.
    pub wrap: Option<Vec<String>>,
    /// QEMU's CPU model asked for with `--cpu` (over the target's).
    pub cpu: Option<String>,
    /// `QEMU_CPU` from the environment: qemu-user reads it itself, so the target's
    /// model is then not passed.
    pub cpu_env: Option<String>,
}

impl RunnerRequest {
    /// The user's runner, when one is set (an empty list is none).
    pub fn user_runner(&self) -> Option<&[String]> {
        self.wrap.as_deref().filter(|w| !w.is_empty())
    }
}

/// The step that runs `req.program` for `spec` on this host.
pub fn plan(env: &HostEnv, spec: &TargetSpec, req: &RunnerRequest) -> Result<Step> {
    let prog = req.program.display().to_string();
    let label = format!("run {}", file_name(&req.program));
    let mut step = match (req.user_runner(), &spec.runner) {
        (Some(user), _) => {
            if req.gdb.is_some() {
                return Err(Failure::usage(format!("--gdb cannot reach into your own runner `{}`", user.join(" ")))
                    .next("pass --runner crossflake to use crossflake's emulator, or start gdb from your runner")
                    .into());
            }
            let s = Step::new(&label, user[0].clone())
                .args(user[1..].iter().cloned())
                .arg(prog)
                .args(req.args.iter().cloned());
            // A runner of yours that is qemu-user (the Nix shells' are) takes the model from QEMU_CPU.
            match &req.cpu {
                Some(c) => s.env("QEMU_CPU", c),
                None => s,
            }
        }
        (_, Runner::QemuUser { .. } | Runner::Native { .. }) if runs_natively(env, spec) => {
            if req.gdb.is_some() {
                return Err(Failure::usage(format!("--gdb for a native {} program", spec.name))
                    .next(format!("run it under gdb directly: `gdb --args {prog}`"))
                    .into());
            }
            Step::new(&label, prog).args(req.args.iter().cloned())
        }
        (_, Runner::Native { .. }) => {
            return Err(Failure::cannot_run(format!(
                "target {} runs natively only, and this host is {}",
                spec.name, env.host_triple
            ))
            .into())
        }
        (_, Runner::QemuUser { qemu_arch, cpu, .. }) => {
            let mut s = Step::new(&label, format!("qemu-{qemu_arch}"));
            match (&req.cpu, &req.cpu_env, cpu) {
                (Some(c), _, _) => s = s.args(["-cpu", c]),
                (None, Some(_), _) => {}
                (None, None, Some(c)) => s = s.args(["-cpu", c]),
                (None, None, None) => {}
            }
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
        (_, Runner::QemuSystem { qemu_system, args, firmware, .. }) => {
            let mut args = with_firmware(args, *firmware, env.opensbi.as_deref());
            if let Some(c) = &req.cpu {
                match args.iter().position(|a| a == "-cpu") {
                    Some(i) if i + 1 < args.len() => args[i + 1] = c.clone(),
                    _ => args.extend(["-cpu".to_string(), c.clone()]),
                }
            }
            let mut s = Step::new(&label, qemu_system.clone()).args(args).args(["-kernel", &prog]);
            if !req.args.is_empty() {
                s = s.args(["-append".to_string(), req.args.join(" ")]);
            }
            if let Some(port) = req.gdb {
                s = s.args(["-gdb".to_string(), format!("tcp::{port}"), "-S".to_string()]);
            }
            s
        }
        (_, Runner::Wasi { .. }) => Step::new(&label, "node")
            // The flag is what Node 18 needs for node:wasi; Node >= 20 accepts and ignores it.
            .args(["--no-warnings", "--experimental-wasi-unstable-preview1"])
            .args([crate::run::wasi::script_path().display().to_string(), prog])
            .args(req.args.iter().cloned()),
        (_, Runner::Wine { .. }) => {
            let mut s = Step::new(&label, "wine").arg(prog).args(req.args.iter().cloned());
            s.env.extend(crate::run::wine::env(&crate::run::wine::prefix_dir()));
            s
        }
        (_, Runner::None { reason }) => {
            return Err(Failure::cannot_run(format!("cannot run {prog} for {}: {reason}", spec.name)).into())
        }
    };
    // A debug session waits for gdb: only an explicit limit applies.
    step.timeout_secs = match req.gdb {
        Some(_) => req.timeout_secs,
        None => req.timeout_secs.or(spec.runner.default_timeout_secs()),
    };
    Ok(step)
}

/// The machine arguments with `-bios default` replaced by the firmware the target asks
/// for, when this host has it.
pub fn with_firmware(args: &[String], firmware: Option<Firmware>, opensbi: Option<&Path>) -> Vec<String> {
    let mut out = args.to_vec();
    if let (Some(Firmware::OpensbiSrstReason), Some(fw)) = (firmware, opensbi) {
        if let Some(i) = out.windows(2).position(|w| w[0] == "-bios" && w[1] == "default") {
            out[i + 1] = fw.display().to_string();
        }
    }
    out
}

/// Why an SBI shutdown's reason cannot be judged here, when the target wants the
/// reason-honouring OpenSBI and this host lacks it.
pub fn firmware_gap(env: &HostEnv, spec: &TargetSpec) -> Option<String> {
    match &spec.runner {
        Runner::QemuSystem { firmware: Some(Firmware::OpensbiSrstReason), .. } if env.opensbi.is_none() => {
            Some(format!(
            "{}: QEMU's stock OpenSBI (-bios default) ends every SBI shutdown with exit 0 whatever its reason, so a \
             kernel that shuts down through SBI after a failure is judged by its console only (the panic rule). \
             Build the firmware that tells them apart: scripts/build-opensbi (scripts/setup-host runs it), or set {}",
            spec.name,
            crate::resolve::machine::OPENSBI_ENV
        ))
        }
        _ => None,
    }
}

/// The gdb command that attaches to a program started with `--gdb PORT`.
pub fn gdb_hint(spec: &TargetSpec, program: &Path, port: u16) -> String {
    let mut s = String::from("gdb-multiarch");
    if let (Runner::QemuUser { .. }, Some(root)) = (&spec.runner, &spec.host.sysroot) {
        s += &format!(" -ex 'set sysroot {root}'");
    }
    format!("{s} -ex 'target remote :{port}' {}", program.display())
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
    if wrapped {
        return Ok(());
    }
    let native = runs_natively(env, spec) && !matches!(spec.runner, Runner::QemuSystem { .. });
    match binfmt::mismatch(format, &spec.rust_triple, native) {
        None => Ok(()),
        Some(why) => Err(Failure::cannot_run(format!("cannot run {} for {}: {why}", program.display(), spec.name))
            .next("build it for this target (`crossflake build --target ...`) or pick the target it was built for")),
    }
}

/// Runs the program and returns the runner's exit code; reports timeouts on stderr
/// and, when the launcher asked for it, in its events file.
pub fn run(env: &HostEnv, spec: &TargetSpec, req: &RunnerRequest) -> Result<i32> {
    exec::install_signal_handlers();
    watch_parent();
    let wrapped = req.user_runner().is_some();
    check_program(env, spec, &req.program, wrapped)?;
    let step = plan(env, spec, req)?;
    if env.which(&step.program).is_none() {
        let pkgs = crate::backend::host::packages_for(spec, &step.program);
        let install = if pkgs.is_empty() {
            format!("use `nix develop .#{}`", spec.name)
        } else {
            format!("install it (`sudo apt-get install {}`) or use `nix develop .#{}`", pkgs.join(" "), spec.name)
        };
        return Err(Failure::cannot_run(format!("`{}` is not on PATH", step.program)).next(install).into());
    }
    if let Some(port) = req.gdb {
        eprintln!(
            "crossflake runner: {} is waiting for gdb on port {port}; attach with:\n  {}",
            spec.name,
            gdb_hint(spec, &req.program, port)
        );
    }
    if matches!(spec.runner, Runner::Wasi { .. }) && !wrapped {
        crate::run::wasi::ensure_script()?;
    }
    if let Some(prefix) = step.env.get("WINEPREFIX") {
        crate::run::wine::ensure_prefix(Path::new(prefix)).map_err(|e| Failure::cannot_run(format!("{e:#}")))?;
    }
    if let Some(p) = env.opensbi.as_ref().filter(|p| !p.is_file()) {
        return Err(Failure::cannot_run(format!(
            "{} names {}, which is not a file",
            crate::resolve::machine::OPENSBI_ENV,
            p.display()
        ))
        .next("point it at an OpenSBI fw_dynamic.bin, or unset it")
        .into());
    }
    if let (Some(gap), false) = (firmware_gap(env, spec), under_launcher()) {
        let _ = writeln!(std::io::stderr(), "crossflake runner: note: {gap}");
    }
    let (mine, from) = crate::resolve::crate_meta::CrateMeta::of_running_program()?.rules_with_source();
    let rules = Rules::new(spec, Some((&mine, from.as_str())))?;
    let code_of = |ending: Ending| exit_code(spec, ending, wrapped);
    if matches!(spec.runner, Runner::QemuSystem { .. })
        && !wrapped
        && req.gdb.is_none()
        && kernel::is_harness(&req.program)
    {
        let boot = |cmdline: &str| {
            let r = RunnerRequest { args: vec![cmdline.to_string()], ..req.clone() };
            plan(env, spec, &r)
        };
        return kernel::run(&req.program, &req.args, &rules, &code_of, &boot);
    }
    let (outcome, watch) = if rules.active() {
        let watch = Watch::new(&rules);
        let echo = |l: &str| {
            let _ = writeln!(std::io::stdout(), "{l}");
            watch.line(l);
        };
        (exec::run(&step, Output::Console(&echo))?.0, Some(watch))
    } else {
        (exec::run(&step, Output::Inherit)?.0, None)
    };
    let mut code = code_of(outcome.ending);
    if let Some((judged, Some(why))) = watch.as_ref().map(|w| w.judge(code)) {
        let _ = writeln!(
            std::io::stderr(),
            "crossflake runner: {} exited 0, but {why}: counted as a failure (exit {judged})",
            req.program.display()
        );
        code = judged;
    }
    if outcome.ending == Ending::TimedOut {
        let secs = step.timeout_secs.unwrap_or(0);
        eprintln!(
            "crossflake runner: TIMEOUT: {} did not exit within {secs} s under `{}`; killed it and everything it started (exit {}). Raise the limit with --timeout SECS.",
            req.program.display(), step.program, exit::TIMEOUT
        );
        record_event(
            &serde_json::json!({"event": "timeout", "target": spec.name, "program": req.program, "timeout_secs": secs}),
        );
    }
    Ok(code)
}

/// Stops everything below the runner when its parent (cargo, nextest, crossflake) goes
/// away, even by SIGKILL: a pidfd on the parent becomes readable when it exits.
fn watch_parent() {
    // SAFETY: getppid has no preconditions; pidfd_open returns a descriptor we own or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getppid(), 0) } as i32;
    if fd < 0 {
        // An older kernel: let the kernel signal us when the parent thread exits.
        // SAFETY: prctl on ourselves.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) };
        return;
    }
    std::thread::spawn(move || {
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd on our own descriptor; blocks until the parent exits.
        while unsafe { libc::poll(&mut pfd, 1, -1) } < 0 {}
        // stderr may be a pipe nobody reads any more: never panic on it.
        let _ =
            writeln!(std::io::stderr(), "crossflake runner: the process that started it is gone; stopping the program");
        exec::stop_everything(libc::SIGTERM);
    });
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| p.display().to_string())
}
