//! The one cargo step, built the same way for both backends: `cargo
//! <subcommand> --target T <the user's arguments> [build-std flags]
//! [--no-run] [--message-format json] [-- <trailing>]`, as a typed value
//! ([`CargoStep`]) that later stages adjust by field (the test run asks for
//! `--no-run` and JSON messages, coverage for its own target dir), never by
//! searching the argument list. Also what happens when the target's programs
//! cannot run here, the glibc floor through cargo-zigbuild, and the runner
//! variables (crossflake's runner, and the user's runner it wraps).
use super::Plan;
use crate::failure::Failure;
use crate::request::{remove_option, CargoRequest, CommandKind};
use crate::step::Step;
use crate::support::version::Version;
use crate::targets::{Kind, Runner, TargetSpec};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One cargo invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CargoStep {
    pub label: String,
    /// cargo, or cargo-zigbuild for a glibc floor.
    pub program: String,
    /// `["test"]`, `["nextest", "run"]`, `["zigbuild"]`.
    pub subcommand: Vec<String>,
    /// The `--target` value: a triple, a target JSON, or `<triple>.<glibc>` for zigbuild.
    pub target: String,
    /// The user's arguments, verbatim and in order.
    pub args: Vec<String>,
    /// `-Zbuild-std...` when std is built from rust-src.
    pub build_std: Vec<String>,
    /// Build the tests without running them (crossflake runs them, or they cannot run here).
    pub no_run: bool,
    /// cargo's JSON messages on stdout, for crossflake to read what was built.
    pub json_messages: bool,
    /// The doctests only.
    pub doc: bool,
    /// crossflake's own target directory (coverage), over one the user gave.
    pub target_dir: Option<PathBuf>,
    /// After `--`, when given.
    pub trailing: Option<Vec<String>>,
    /// `CARGO_TARGET_<T>_RUNNER`: crossflake's runner (`crossflake runner --target T ...`).
    pub runner: Option<Vec<String>>,
    /// The runner the user configured, which crossflake's runner wraps.
    pub wrap: Option<Vec<String>>,
    /// `AARCH64_UNKNOWN_LINUX_GNU`: the target's part of cargo's variable names.
    pub target_env: String,
    /// The backend's variables (linker, C tools, the dev shell's), set over the inherited ones.
    pub env: BTreeMap<String, String>,
    pub cwd: PathBuf,
}

impl CargoStep {
    /// The arguments after the program.
    pub fn argv(&self) -> Vec<String> {
        let mut a = self.subcommand.clone();
        // A nextest archive names its own target (nextest refuses --target with it); the
        // runner variable, which is set, is found from the archive's triple.
        let archive = self.subcommand.first().is_some_and(|s| s == "nextest")
            && self.args.iter().any(|x| x == "--archive-file" || x.starts_with("--archive-file="));
        if !archive {
            a.extend(["--target".to_string(), self.target.clone()]);
        }
        match &self.target_dir {
            Some(dir) => {
                let mut user = self.args.clone();
                remove_option(&mut user, "--target-dir");
                a.extend(user);
                a.extend(["--target-dir".to_string(), dir.display().to_string()]);
            }
            None => a.extend(self.args.iter().cloned()),
        }
        a.extend(self.build_std.iter().cloned());
        if self.doc {
            a.push("--doc".into());
        }
        if self.no_run {
            a.push("--no-run".into());
        }
        if self.json_messages {
            a.push("--message-format=json-render-diagnostics".into());
        }
        if let Some(t) = &self.trailing {
            a.push("--".into());
            a.extend(t.iter().cloned());
        }
        a
    }

    /// The `--target-dir` among the user's arguments.
    pub fn args_target_dir(&self) -> Option<PathBuf> {
        crate::request::peek(&self.args).target_dir
    }

    /// `CARGO_TARGET_<T>_RUNNER`.
    pub fn runner_var(&self) -> String {
        format!("CARGO_TARGET_{}_RUNNER", self.target_env)
    }

    /// The variable that carries the user's runner to crossflake's.
    pub fn wrap_var(&self) -> String {
        format!("CROSSFLAKE_WRAP_{}", self.target_env)
    }

    /// The step to run: the backend's variables, the runner's, the working directory.
    pub fn step(&self) -> Step {
        let mut s = Step::new(&self.label, self.program.clone()).args(self.argv());
        s.env = self.env.clone();
        if let Some(r) = &self.runner {
            // cargo splits a runner variable on whitespace.
            s.env.insert(self.runner_var(), r.join(" "));
            // An empty list says "none" (over a wrap inherited from a crossflake shell).
            if let Some(w) = &self.wrap {
                s.env.insert(self.wrap_var(), serde_json::to_string(w).unwrap_or_default());
            }
        }
        s.cwd = Some(self.cwd.clone());
        s
    }
}

/// What a backend brings to the cargo step.
#[derive(Debug, Clone, Default)]
pub struct Toolset {
    /// The cargo program.
    pub cargo: String,
    /// cargo-zigbuild, when zig links: a glibc floor, or macOS without an SDK.
    pub zigbuild: Option<String>,
    /// cargo-xwin, for the MSVC targets.
    pub xwin: Option<String>,
    /// The backend's variables (linker, C tools, pkg-config, toolchain; a dev shell's).
    pub env: BTreeMap<String, String>,
    /// The toolchain has no prebuilt std for the target: build it from rust-src.
    pub build_std: bool,
    pub backend: &'static str,
    pub toolchain: Option<String>,
    pub toolchain_reason: Option<String>,
    pub notes: Vec<String>,
}

/// Plans the cargo command for `spec` with what the backend brought. Pure.
pub fn plan(
    spec: &TargetSpec,
    req: &CargoRequest,
    tools: Toolset,
    self_exe: &Path,
    wrap: Option<&[String]>,
    targets_dir: Option<&Path>,
) -> Result<Plan, Failure> {
    let policy = run_policy(spec, req)?;
    // What a custom target JSON borrowed (its description says whose runner), else what an
    // open triple derived.
    let borrowed = spec.custom_json.as_ref().filter(|_| spec.open.is_none()).map(|_| spec.description.clone());
    let mut notes: Vec<String> = borrowed.into_iter().chain(spec.open.iter().cloned()).chain(tools.notes).collect();
    notes.extend(policy.unrun.iter().cloned());
    let (program, subcommand, target, env) = match (tools.zigbuild, req.glibc) {
        (None, None) if tools.xwin.is_some() => {
            let mut env = tools.env;
            env.insert("CARGO".into(), tools.cargo);
            let mut sub = vec!["xwin".to_string()];
            sub.extend(xwin_subcommand(req)?);
            (tools.xwin.unwrap_or_default(), sub, target_arg(spec, targets_dir)?, env)
        }
        (None, None) => (tools.cargo, req.subcommand.clone(), target_arg(spec, targets_dir)?, tools.env),
        (None, Some(_)) => {
            return Err(Failure::missing("--glibc builds with cargo-zigbuild, which is not installed")
                .next("`cargo install --locked cargo-zigbuild` (scripts/setup-host does)"))
        }
        (Some(zigbuild), floor) => {
            let owned = zig_owned_vars(spec);
            let mut env: BTreeMap<String, String> = tools.env.into_iter().filter(|(k, _)| !owned.contains(k)).collect();
            env.insert("CARGO".into(), tools.cargo);
            let target = match floor {
                Some(f) => glibc_target(spec, f)?,
                None => target_arg(spec, targets_dir)?,
            };
            (zigbuild, zigbuild_subcommand(req)?, target, env)
        }
    };
    let build_std = if tools.build_std { build_std_args(spec) } else { vec![] };
    let runner = (!matches!(spec.runner, Runner::None { .. }) || wrap.is_some_and(|w| !w.is_empty()))
        .then(|| runner_argv(self_exe, spec, req));
    let cargo = CargoStep {
        label: req.label(),
        program,
        subcommand,
        target,
        args: req.args.clone(),
        build_std,
        no_run: policy.no_run,
        json_messages: false,
        doc: false,
        target_dir: None,
        trailing: req.trailing.clone(),
        runner,
        wrap: wrap.map(<[String]>::to_vec),
        target_env: spec.cargo_env(),
        env,
        cwd: req.cwd.clone(),
    };
    Ok(Plan {
        command: req.subcommand.join(" "),
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        backend: tools.backend.into(),
        toolchain: tools.toolchain,
        toolchain_reason: tools.toolchain_reason,
        notes,
        unrun: policy.unrun,
        glibc: req.glibc.map(|v| v.to_string()),
        setup: vec![],
        cargo,
        tests: None,
        coverage: None,
    })
}

/// The flags that build the target's std from rust-src.
fn build_std_args(spec: &TargetSpec) -> Vec<String> {
    let mut a: Vec<String> = match spec.kind {
        Kind::Std => vec!["-Zbuild-std=std,panic_abort".into()],
        Kind::BareMetal => vec!["-Zbuild-std=core,alloc".into(), "-Zbuild-std-features=compiler-builtins-mem".into()],
    };
    if spec.custom_json.is_some() {
        a.push("-Zjson-target-spec".into());
    }
    a
}

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
pub fn glibc_target(spec: &TargetSpec, floor: Version) -> Result<String, Failure> {
    let Some(min) = spec.host.glibc_min.as_deref() else {
        return Err(Failure::usage(format!(
            "--glibc is for Linux glibc targets; {} ({}) has no glibc",
            spec.name, spec.rust_triple
        )));
    };
    let min_v = Version::parse(min).unwrap_or(Version(2, 17, 0));
    if floor < min_v {
        return Err(Failure::usage(format!("--glibc {floor}: the lowest glibc floor for {} is {min}", spec.name))
            .next(format!("--glibc {min} (Rust's std needs 2.17; some architectures came to glibc later)")));
    }
    Ok(format!("{}.{floor}", spec.rust_triple))
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
    wrapper_subcommand(req, "zigbuild", "through cargo-zigbuild (--glibc, or macOS without an SDK)")
}

/// cargo-xwin's subcommand for a cargo one.
pub fn xwin_subcommand(req: &CargoRequest) -> Result<Vec<String>, Failure> {
    wrapper_subcommand(req, "build", "for an MSVC target (cargo-xwin)")
}

/// The subcommands a cargo wrapper has (cargo-zigbuild and cargo-xwin alike), cargo's
/// aliases spelled out, `build` as the wrapper names it.
fn wrapper_subcommand(req: &CargoRequest, build: &str, through: &str) -> Result<Vec<String>, Failure> {
    let sub = match req.subcommand.first().map(String::as_str).unwrap_or("build") {
        "build" | "b" => build,
        "test" | "t" => "test",
        "run" | "r" => "run",
        "check" | "c" => "check",
        "clippy" => "clippy",
        "doc" | "d" => "doc",
        "rustc" => "rustc",
        other => {
            return Err(Failure::usage(format!(
                "`{other}` {through}: it builds, tests, runs, checks and documents only"
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

/// The variable that carries a runner the user configured (a JSON array: program and
/// arguments), which crossflake's runner then runs inside its timeout and process handling.
pub fn wrap_var(spec: &TargetSpec) -> String {
    format!("CROSSFLAKE_WRAP_{}", spec.cargo_env())
}

/// crossflake's runner for `spec`: `<self> runner --target T [--timeout ...]`.
pub fn runner_argv(self_exe: &Path, spec: &TargetSpec, req: &CargoRequest) -> Vec<String> {
    let target = spec.custom_json.as_deref().unwrap_or(&spec.name);
    let mut a = vec![self_exe.display().to_string(), "runner".into(), "--target".into(), target.to_string()];
    if let Some(t) = req.timeout_secs {
        a.extend(["--timeout".into(), t.to_string()]);
    }
    if let Some(p) = req.gdb {
        a.extend(["--gdb".into(), p.to_string()]);
    }
    if req.strace {
        a.push("--strace".into());
    }
    if let Some(c) = &req.cpu {
        a.extend(["--cpu".into(), c.clone()]);
    }
    for d in &req.targets_dirs {
        a.extend(["--targets-dir".into(), d.display().to_string()]);
    }
    a
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
