//! The one cargo command line both backends run: `cargo <subcommand> --target
//! T <the user's arguments> [build-std flags] [-- <trailing>]`, what happens
//! when the target's programs cannot run here, and the runner variables.
use crate::resolve::cargo_config::UserRunner;
use crate::exit::Failure;
use crate::plan::Step;
use crate::request::{CargoRequest, CommandKind};
use crate::targets::{Kind, Runner, TargetSpec};
use std::path::{Path, PathBuf};

/// The `--target` value: the triple, or the custom target JSON (relative ones live in targets/).
pub fn target_arg(spec: &TargetSpec, targets_dir: Option<&Path>) -> Result<String, Failure> {
    match &spec.custom_json {
        None => Ok(spec.rust_triple.clone()),
        Some(json) if Path::new(json).is_absolute() => Ok(json.clone()),
        Some(json) => match targets_dir {
            Some(dir) => Ok(dir.join(json).display().to_string()),
            None => Err(Failure::usage(format!(
                "target {} uses the custom target file {json}, but the targets/ directory is unknown",
                spec.name
            ))
            .next("set CROSSFLAKE_TARGETS_DIR to crossflake's targets/ directory")),
        },
    }
}

/// `--target` with a glibc floor (`aarch64-unknown-linux-gnu.2.17`, cargo-zigbuild's
/// form), checked against the lowest floor the target has.
pub fn glibc_target(spec: &TargetSpec, floor: crate::support::version::Version) -> Result<String, Failure> {
    let Some(min) = spec.host.glibc_min.as_deref() else {
        return Err(Failure::usage(format!(
            "--glibc is for Linux glibc targets; {} ({}) has no glibc",
            spec.name, spec.rust_triple
        )));
    };
    let min_v = crate::support::version::Version::parse(min).unwrap_or(crate::support::version::Version(2, 17, 0));
    if floor < min_v {
        return Err(Failure::usage(format!("--glibc {floor}: the lowest glibc floor for {} is {min}", spec.name))
            .next(format!("--glibc {min} (Rust's std needs 2.17; some architectures came to glibc later)")));
    }
    Ok(format!("{}.{floor}", spec.rust_triple))
}

/// cargo-zigbuild's arguments for a glibc floor: its subcommand and `--target <triple>.<floor>`.
pub fn zigbuild_argv(
    spec: &TargetSpec,
    req: &CargoRequest,
    floor: crate::support::version::Version,
    build_std: bool,
    policy: &RunPolicy,
) -> Result<Vec<String>, Failure> {
    let target = glibc_target(spec, floor)?;
    let zreq = CargoRequest { subcommand: zigbuild_subcommand(req)?, ..req.clone() };
    Ok(argv(spec, &zreq, &target, build_std, policy))
}

/// The variables cargo-zigbuild sets for the target (zig as its linker and C tools): set
/// by anyone else (the host's cross tools, a dev shell) they would win over zig and lose
/// the floor without a word.
pub fn zig_owned_vars(spec: &TargetSpec) -> [String; 4] {
    let (t, c) = (spec.cargo_env(), spec.cc_env());
    [format!("CARGO_TARGET_{t}_LINKER"), format!("CC_{c}"), format!("CXX_{c}"), format!("AR_{c}")]
}

/// The cargo-zigbuild subcommand for a cargo one (`build` is `zigbuild` there).
pub fn zigbuild_subcommand(req: &CargoRequest) -> Result<Vec<String>, Failure> {
    let first = req.subcommand.first().map(String::as_str).unwrap_or("build");
    let sub = match first {
        "build" | "b" => "zigbuild",
        "test" | "t" => "test",
        "run" | "r" => "run",
        "check" | "c" => "check",
        "clippy" => "clippy",
        "doc" | "d" => "doc",
        "rustc" => "rustc",
        other => {
            return Err(Failure::usage(format!(
                "--glibc with `{other}`: cargo-zigbuild builds, tests, runs, checks and documents only"
            )))
        }
    };
    Ok(vec![sub.to_string()])
}

/// What a command does about programs that cannot run here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunPolicy {
    /// Add `--no-run`: build the tests only.
    pub no_run: bool,
    /// Why the tests were not run (the command then exits 125 after building).
    pub unrun: Option<String>,
}

/// `run` refuses a target without a runner; `test`/`bench` build only and say so.
pub fn run_policy(spec: &TargetSpec, req: &CargoRequest) -> Result<RunPolicy, Failure> {
    let Runner::None { reason } = &spec.runner else { return Ok(RunPolicy::default()) };
    match req.kind() {
        CommandKind::Run => Err(Failure::cannot_run(format!("cannot run programs for {}: {reason}", spec.name))
            .next(format!("`crossflake build --target {}`", spec.name))),
        CommandKind::Test | CommandKind::Bench if req.builtin() => {
            let asked = req.peek().no_run;
            Ok(RunPolicy {
                no_run: !asked,
                unrun: (!asked).then(|| format!("tests for {} are built, not run: {reason}", spec.name)),
            })
        }
        CommandKind::Test | CommandKind::Bench => {
            Err(Failure::cannot_run(format!("cannot run tests for {}: {reason}", spec.name))
                .next(format!("build them with `crossflake test --target {} --no-run`", spec.name)))
        }
        _ => Ok(RunPolicy::default()),
    }
}

/// The arguments after `cargo`.
pub fn argv(spec: &TargetSpec, req: &CargoRequest, target: &str, build_std: bool, policy: &RunPolicy) -> Vec<String> {
    let mut a: Vec<String> = req.subcommand.clone();
    a.extend(["--target".to_string(), target.to_string()]);
    a.extend(req.args.iter().cloned());
    if build_std {
        match spec.kind {
            Kind::Std => a.push("-Zbuild-std=std,panic_abort".into()),
            Kind::BareMetal => {
                a.extend(["-Zbuild-std=core,alloc".into(), "-Zbuild-std-features=compiler-builtins-mem".into()])
            }
        }
        if spec.custom_json.is_some() {
            a.push("-Zjson-target-spec".into());
        }
    }
    if policy.no_run {
        a.push("--no-run".into());
    }
    if let Some(t) = &req.trailing {
        a.push("--".into());
        a.extend(t.iter().cloned());
    }
    a
}

/// The variable that carries a runner the user configured (a JSON array: program and
/// arguments), which crossflake's runner then runs inside its timeout and process handling.
pub fn wrap_var(spec: &TargetSpec) -> String {
    format!("CROSSFLAKE_WRAP_{}", spec.cargo_env())
}

/// The value of `CARGO_TARGET_<T>_RUNNER`: this launcher's `runner` subcommand.
pub fn runner_command(self_exe: &Path, spec: &TargetSpec, req: &CargoRequest) -> String {
    let target = spec.custom_json.as_deref().unwrap_or(&spec.name);
    let mut s = format!("{} runner --target {target}", self_exe.display());
    if let Some(t) = req.timeout_secs {
        s += &format!(" --timeout {t}");
    }
    if let Some(p) = req.gdb {
        s += &format!(" --gdb {p}");
    }
    if req.strace {
        s += " --strace";
    }
    if let Some(c) = &req.cpu {
        s += &format!(" --cpu {c}");
    }
    for d in &req.targets_dirs {
        s += &format!(" --targets-dir {}", d.display());
    }
    s
}

/// Sets the runner variables on a cargo step: crossflake's runner, and the user's
/// runner for it to wrap.
pub fn set_runner(step: &mut Step, self_exe: &Path, spec: &TargetSpec, req: &CargoRequest, user: Option<&UserRunner>) {
    if matches!(spec.runner, Runner::None { .. }) && user.is_none() {
        return;
    }
    step.env.insert(format!("CARGO_TARGET_{}_RUNNER", spec.cargo_env()), runner_command(self_exe, spec, req));
    let wrap = wrap_var(spec);
    match user {
        Some(u) => {
            step.env.insert(wrap, serde_json::to_string(&u.argv).unwrap_or_default());
        }
        None => {
            step.env.remove(&wrap);
        }
    }
}

/// Whether a runner value is crossflake's own (`.../crossflake runner ...`).
pub fn is_crossflake_runner(argv: &[String]) -> bool {
    let prog = argv.first().map(PathBuf::from);
    let own = std::env::current_exe().ok();
    let named = prog.as_ref().and_then(|p| p.file_name()).is_some_and(|n| n == "crossflake");
    let same = match (prog.as_ref().and_then(|p| p.canonicalize().ok()), own.and_then(|o| o.canonicalize().ok())) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    };
    (named || same) && argv.get(1).is_some_and(|a| a == "runner")
}
