//! The cargo step of the Nix backend, as data: cargo and rustc from the dev
//! shell's PATH, the shell's variables (see devenv.rs), the same cargo
//! arguments as the host backend (cargo_cmd.rs), and crossflake's runner,
//! wrapping the runner the user or the shell set. Pure: the shell's
//! environment was resolved before (nix/mod.rs).
use super::devenv::find_program;
use crate::plan::cargo_step::{self, run_policy, RunPolicy};
use crate::resolve::cargo_config::UserRunner;
use crate::resolve::machine::{HostEnv, Toolchain, ToolchainSource};
use crate::plan::Step;
use crate::request::CargoRequest;
use crate::targets::TargetSpec;
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The cargo step and what the user should know about it.
#[derive(Debug, Clone)]
pub struct CargoStep {
    pub step: Step,
    pub notes: Vec<String>,
    pub policy: RunPolicy,
}

/// A dev shell's environment as a cargo step needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellEnv {
    /// The variables to set (the shell's, applied over the outer environment).
    pub vars: BTreeMap<String, String>,
    /// The shell's own PATH (without the outer one).
    pub shell_path: String,
    /// The shell's toolchain lacks a prebuilt std for the target but has rust-src.
    pub build_std: bool,
}

/// Plans cargo in the shell.
pub fn in_shell(
    env: &HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
    shell: &ShellEnv,
    user_runner: Option<&UserRunner>,
    targets_dir: Option<&Path>,
) -> Result<CargoStep> {
    let mut notes = Vec::new();
    let path = shell.vars.get("PATH").cloned().unwrap_or_default();
    let Some(cargo) = find_program(&path, "cargo") else {
        bail!(
            "the dev shell for {} has no `cargo` on its PATH (nor has yours). Next: add a Rust toolchain to the shell",
            spec.name
        )
    };
    if find_program(&shell.shell_path, "cargo").is_none() {
        notes.push(format!("the dev shell has no cargo; using {} from your PATH", cargo.display()));
    }
    let policy = run_policy(spec, req)?;
    notes.extend(policy.unrun.iter().cloned());
    let mut step = Step::new(&req.label(), cargo.display().to_string());
    step.env = shell.vars.clone();
    // Pin the shell's compiler: an inherited RUSTC would otherwise win over the shell's PATH.
    for (var, tool) in [("RUSTC", "rustc"), ("RUSTDOC", "rustdoc")] {
        if let (false, Some(p)) = (step.env.contains_key(var), find_program(&shell.shell_path, tool)) {
            step.env.insert(var.into(), p.display().to_string());
        }
    }
    if let Some(tc) = &req.toolchain {
        notes.push(format!("--toolchain/+{tc} is ignored: the Nix backend uses the dev shell's toolchain"));
    }
    if shell.build_std {
        step.env.insert("RUSTC_BOOTSTRAP".into(), "1".into());
        notes.push(format!(
            "the shell's toolchain has no prebuilt std for {}: building it with -Zbuild-std",
            spec.rust_triple
        ));
    }
    match req.glibc {
        None => {
            let target = cargo_step::target_arg(spec, targets_dir)?;
            step.args = cargo_step::argv(spec, req, &target, shell.build_std, &policy);
        }
        Some(floor) => {
            let args = cargo_step::zigbuild_argv(spec, req, floor, shell.build_std, &policy)?;
            let Some(zigbuild) = find_program(&path, "cargo-zigbuild") else {
                bail!(crate::exit::Failure::missing(format!("the dev shell for {} has no cargo-zigbuild for --glibc", spec.name))
                    .next("add cargo-zigbuild and zig to the shell (crossflake's own shells have them), or use --backend host"))
            };
            step.env.insert("CARGO".into(), cargo.display().to_string());
            step.program = zigbuild.display().to_string();
            for k in cargo_step::zig_owned_vars(spec) {
                step.env.remove(&k);
            }
            step.args = args;
            notes.push(format!("glibc floor {floor}: built with the dev shell's cargo-zigbuild"));
        }
    }
    step.cwd = Some(req.cwd.clone());
    cargo_step::set_runner(&mut step, &env.self_exe, spec, req, user_runner);
    Ok(CargoStep { step, notes, policy })
}

/// The runner the dev shell sets for the target, unless it is crossflake's own.
pub fn shell_runner(spec: &TargetSpec, vars: &BTreeMap<String, String>) -> Option<UserRunner> {
    let var = format!("CARGO_TARGET_{}_RUNNER", spec.cargo_env());
    let argv: Vec<String> = vars.get(&var)?.split_whitespace().map(String::from).collect();
    if argv.is_empty() || cargo_step::is_crossflake_runner(&argv) {
        return None;
    }
    Some(UserRunner { argv, source: crate::resolve::cargo_config::Source::Env(format!("{var} of the dev shell")), key: var })
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

/// The rustc a shell's variables select: RUSTC, else the first on the shell's PATH.
pub fn shell_rustc(vars: &BTreeMap<String, String>, shell_path: &str) -> Option<PathBuf> {
    vars.get("RUSTC").map(PathBuf::from).or_else(|| find_program(shell_path, "rustc"))
}
