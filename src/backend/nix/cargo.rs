//! The Nix backend's toolset for the one cargo step (plan/cargo_step.rs):
//! cargo and rustc from the dev shell's PATH, the shell's variables (see
//! devenv.rs), build-std when the shell's toolchain lacks the target's std,
//! and the runner the shell sets, which crossflake's runner wraps. Pure: the
//! shell's environment was resolved before (nix/mod.rs).
use crate::failure::Failure;
use crate::plan::cargo_step::{self as cargo_step, Toolset};
use crate::request::CargoRequest;
use crate::resolve::cargo_config::UserRunner;
use crate::resolve::machine::{Toolchain, ToolchainSource};
use crate::support::fs::find_in_path;
use crate::targets::TargetSpec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// The cargo step's toolset in the shell: cargo and rustc from its PATH, its variables.
pub fn toolset(spec: &TargetSpec, req: &CargoRequest, shell: &ShellEnv) -> Result<Toolset, Failure> {
    let mut notes = Vec::new();
    let path = shell.vars.get("PATH").cloned().unwrap_or_default();
    let Some(cargo) = find_in_path(&path, "cargo") else {
        return Err(Failure::missing(format!(
            "the dev shell for {} has no `cargo` on its PATH (nor has yours)",
            spec.name
        ))
        .next("add a Rust toolchain to the shell"));
    };
    if find_in_path(&shell.shell_path, "cargo").is_none() {
        notes.push(format!("the dev shell has no cargo; using {} from your PATH", cargo.display()));
    }
    let mut env = shell.vars.clone();
    // Pin the shell's compiler: an inherited RUSTC would otherwise win over the shell's PATH.
    for (var, tool) in [("RUSTC", "rustc"), ("RUSTDOC", "rustdoc")] {
        if let (false, Some(p)) = (env.contains_key(var), find_in_path(&shell.shell_path, tool)) {
            env.insert(var.into(), p.display().to_string());
        }
    }
    if let Some(tc) = &req.toolchain {
        notes.push(format!("--toolchain/+{tc} is ignored: the Nix backend uses the dev shell's toolchain"));
    }
    if shell.build_std {
        env.insert("RUSTC_BOOTSTRAP".into(), "1".into());
        notes.push(format!(
            "the shell's toolchain has no prebuilt std for {}: building it with -Zbuild-std",
            spec.rust_triple
        ));
    }
    let zigbuild = match req.glibc {
        None => None,
        Some(floor) => {
            let Some(z) = find_in_path(&path, "cargo-zigbuild") else {
                return Err(Failure::missing(format!("the dev shell for {} has no cargo-zigbuild for --glibc", spec.name))
                    .next("add cargo-zigbuild and zig to the shell (crossflake's own shells have them), or use --backend host"));
            };
            notes.push(format!("glibc floor {floor}: built with the dev shell's cargo-zigbuild"));
            Some(z.display().to_string())
        }
    };
    let toolchain = env.get("RUSTC").map(|p| super::toolchain_label(p)).unwrap_or_else(|| cargo.display().to_string());
    Ok(Toolset {
        cargo: cargo.display().to_string(),
        zigbuild,
        xwin: None,
        env,
        build_std: shell.build_std,
        backend: "nix",
        toolchain: Some(toolchain),
        toolchain_reason: None,
        notes,
    })
}

/// The runner the dev shell sets for the target, unless it is crossflake's own.
pub fn shell_runner(spec: &TargetSpec, vars: &BTreeMap<String, String>) -> Option<UserRunner> {
    let var = format!("CARGO_TARGET_{}_RUNNER", spec.cargo_env());
    let argv: Vec<String> = vars.get(&var)?.split_whitespace().map(String::from).collect();
    if argv.is_empty() || cargo_step::is_crossflake_runner(&argv) {
        return None;
    }
    Some(UserRunner {
        argv,
        source: crate::resolve::cargo_config::Source::Env(format!("{var} of the dev shell")),
        key: var,
    })
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
    vars.get("RUSTC").map(PathBuf::from).or_else(|| find_in_path(shell_path, "rustc"))
}
