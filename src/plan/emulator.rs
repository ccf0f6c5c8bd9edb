//! How `crossflake runner` starts one built program for a target, as a step:
//! natively, under qemu-user, qemu-system (`-kernel`), wine, Node's WASI, or
//! inside a runner the user configured. Pure: what the machine offers comes in
//! as `Facts`.
use crate::failure::Failure;
use crate::step::Step;
use crate::targets::{Firmware, Runner, TargetSpec};
use std::path::{Path, PathBuf};

/// What the runner was asked to run.
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

/// What this machine offers the runner.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub host_triple: String,
    /// The OpenSBI whose SBI shutdown honours the reason, when there is one.
    pub opensbi: Option<PathBuf>,
    /// The script that runs a WASI program under Node's node:wasi.
    pub wasi_script: PathBuf,
    /// The variables a wine run gets (its prefix among them).
    pub wine_env: Vec<(String, String)>,
}

/// The step that runs `req.program` for `spec` on this host.
pub fn step(facts: &Facts, spec: &TargetSpec, req: &RunnerRequest) -> Result<Step, Failure> {
    let prog = req.program.display().to_string();
    let label = format!("run {}", file_name(&req.program));
    let mut step = match (req.user_runner(), &spec.runner) {
        (Some(user), _) => {
            if req.gdb.is_some() {
                return Err(Failure::usage(format!("--gdb cannot reach into your own runner `{}`", user.join(" ")))
                    .next("pass --runner crossflake to use crossflake's emulator, or start gdb from your runner"));
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
        (_, Runner::QemuUser { .. } | Runner::Native { .. }) if spec.runs_natively_on(&facts.host_triple) => {
            if req.gdb.is_some() {
                return Err(Failure::usage(format!("--gdb for a native {} program", spec.name))
                    .next(format!("run it under gdb directly: `gdb --args {prog}`")));
            }
            Step::new(&label, prog).args(req.args.iter().cloned())
        }
        (_, Runner::Direct { .. }) => Step::new(&label, prog).args(req.args.iter().cloned()),
        (_, Runner::Native { .. }) => {
            return Err(Failure::cannot_run(format!(
                "target {} runs natively only, and this host is {}",
                spec.name, facts.host_triple
            )))
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
            let mut args = with_firmware(args, *firmware, facts.opensbi.as_deref());
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
            .args([facts.wasi_script.display().to_string(), prog])
            .args(req.args.iter().cloned()),
        (_, Runner::Wine { .. }) => {
            let mut s = Step::new(&label, "wine").arg(prog).args(req.args.iter().cloned());
            s.env.extend(facts.wine_env.iter().cloned());
            s
        }
        (_, Runner::None { reason }) => {
            return Err(Failure::cannot_run(format!("cannot run {prog} for {}: {reason}", spec.name)))
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

/// The emulator program the runner will start for `spec` on this host, if any.
pub fn emulator_program(host_triple: &str, spec: &TargetSpec) -> Option<String> {
    match &spec.runner {
        Runner::QemuUser { .. } if spec.runs_natively_on(host_triple) => None,
        Runner::QemuUser { qemu_arch, .. } => Some(format!("qemu-{qemu_arch}")),
        Runner::QemuSystem { qemu_system, .. } => Some(qemu_system.clone()),
        Runner::Wine { .. } => Some("wine".into()),
        Runner::Wasi { .. } => Some("node".into()),
        Runner::Native { .. } | Runner::Direct { .. } | Runner::None { .. } => None,
    }
}

/// The gdb command that attaches to a program started with `--gdb PORT`.
pub fn gdb_command(spec: &TargetSpec, program: &Path, port: u16) -> String {
    let mut s = String::from("gdb-multiarch");
    if let (Runner::QemuUser { .. }, Some(root)) = (&spec.runner, &spec.host.sysroot) {
        s += &format!(" -ex 'set sysroot {root}'");
    }
    format!("{s} -ex 'target remote :{port}' {}", program.display())
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| p.display().to_string())
}
