//! The cargo step of the Nix backend, as data: cargo and rustc from the dev
//! shell's PATH, the shell's variables (see devenv.rs), the target's arguments,
//! and a runner: the shell's `CARGO_TARGET_<T>_RUNNER` when it sets one (it
//! knows its emulator and sysroot), else crossflake's own runner.
use super::devenv::{find_program, DevEnv};
use crate::host::{runner_command, CargoCommand, CargoRequest};
use crate::hostenv::{HostEnv, Toolchain, ToolchainSource};
use crate::plan::Step;
use crate::targets::{Kind, Runner, TargetSpec, TARGETS_DIR_ENV};
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The cargo step and what the user should know about it.
#[derive(Debug, Clone)]
pub struct CargoStep {
    pub step: Step,
    pub notes: Vec<String>,
}

/// Plans cargo in the shell whose variables (already applied, see `DevEnv::apply`) are `vars`.
pub fn in_shell(
    env: &HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
    dev: &DevEnv,
    vars: BTreeMap<String, String>,
) -> Result<CargoStep> {
    let mut notes = Vec::new();
    let path = vars.get("PATH").cloned().unwrap_or_default();
    let shell_path =
        std::env::join_paths(dev.shell_path()).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(cargo) = find_program(&path, "cargo") else {
        bail!(
            "the dev shell for {} has no `cargo` on its PATH (nor has yours). Next: add a Rust toolchain to the shell",
            spec.name
        )
    };
    if find_program(&shell_path, "cargo").is_none() {
        notes.push(format!("the dev shell has no cargo; using {} from your PATH", cargo.display()));
    }
    let mut step = Step::new(&format!("cargo {}", req.command().as_str()), cargo.display().to_string());
    step.env = vars;
    // Pin the shell's compiler: an inherited RUSTC would otherwise win over the shell's PATH.
    for (var, tool) in [("RUSTC", "rustc"), ("RUSTDOC", "rustdoc")] {
        if let (false, Some(p)) = (step.env.contains_key(var), find_program(&shell_path, tool)) {
            step.env.insert(var.into(), p.display().to_string());
        }
    }
    let build_std = needs_build_std(spec, step.env.get("RUSTC").map(Path::new), &step.env);
    if build_std {
        step.env.insert("RUSTC_BOOTSTRAP".into(), "1".into());
        notes.push(format!(
            "the shell's toolchain has no prebuilt std for {}: building it with -Zbuild-std",
            spec.rust_triple
        ));
    }
    let t = spec.cargo_env();
    let runner_var = format!("CARGO_TARGET_{t}_RUNNER");
    if !matches!(spec.runner, Runner::None { .. }) && !step.env.contains_key(&runner_var) {
        step.env.insert(runner_var, runner_command(env, spec, req));
    } else if step.env.contains_key(&runner_var) && (req.timeout_secs.is_some() || req.gdb.is_some() || req.strace) {
        notes.push(format!(
            "the dev shell sets {runner_var}: --timeout, --gdb and --strace apply only to crossflake's runner"
        ));
    }
    step.args = cargo_args(spec, req, build_std, &mut notes)?;
    step.cwd = Some(req.cwd.clone());
    Ok(CargoStep { step, notes })
}

/// `build --target T [options] [-- extra]`: the same arguments as the host backend.
pub fn cargo_args(
    spec: &TargetSpec,
    req: &CargoRequest,
    build_std: bool,
    notes: &mut Vec<String>,
) -> Result<Vec<String>> {
    let cmd = req.command();
    let mut a: Vec<String> = vec![cmd.as_str().into(), "--target".into(), target_arg(spec).display().to_string()];
    if req.release {
        a.push("--release".into());
    }
    if let Some(m) = &req.manifest_path {
        a.extend(["--manifest-path".into(), m.display().to_string()]);
    }
    if let Some(p) = &req.package {
        a.extend(["--package".into(), p.clone()]);
    }
    if !req.features.is_empty() {
        a.extend(["--features".into(), req.features.join(",")]);
    }
    if req.all_features {
        a.push("--all-features".into());
    }
    if req.no_default_features {
        a.push("--no-default-features".into());
    }
    a.extend(req.selection.iter().cloned());
    if let Some(d) = &req.target_dir {
        a.extend(["--target-dir".into(), d.display().to_string()]);
    }
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
    match (cmd, &spec.runner) {
        (CargoCommand::Run, Runner::None { reason }) => {
            bail!("cannot run programs for {}: {reason}. Next: `crossflake build --target {}`", spec.name, spec.name)
        }
        (CargoCommand::Test, Runner::None { reason }) => {
            a.push("--no-run".into());
            notes.push(format!("tests for {} are built, not run: {reason}", spec.name));
        }
        _ => {}
    }
    if !req.extra.is_empty() {
        if cmd != CargoCommand::Build {
            a.push("--".into());
        }
        a.extend(req.extra.iter().cloned());
    }
    Ok(a)
}

/// The triple, or the custom target JSON for targets rustc lacks (absolute, or relative to targets/).
fn target_arg(spec: &TargetSpec) -> PathBuf {
    match &spec.custom_json {
        Some(json) => std::env::var_os(TARGETS_DIR_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("targets"))
            .join(json),
        None => PathBuf::from(&spec.rust_triple),
    }
}

/// Whether cargo must build std: the shell's toolchain (found from its rustc) lacks a prebuilt
/// std for the target but has rust-src, and the shell does not configure build-std itself.
pub fn needs_build_std(spec: &TargetSpec, rustc: Option<&Path>, vars: &BTreeMap<String, String>) -> bool {
    if vars.contains_key("CARGO_UNSTABLE_BUILD_STD") {
        return false;
    }
    // Not canonicalized: Nix toolchains are trees of symlinks whose root is the sysroot.
    let sysroot = rustc.and_then(|r| r.parent()?.parent());
    let Some(tc) = sysroot.and_then(|s| Toolchain::probe("dev shell", ToolchainSource::System, s)) else {
        return false;
    };
    (spec.custom_json.is_some() || !tc.has_std(&spec.rust_triple)) && tc.rust_src
}
