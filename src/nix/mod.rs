//! The Nix backend: runs cargo inside the flake's dev shell for a target, with
//! dev environments cached on disk (docs/nix-backend.md). This file holds the
//! cargo entry points; `commands.rs` holds shell, package, check and inspect.
pub mod cache;
pub mod cargo;
pub mod commands;
pub mod devenv;
pub mod devshell;
pub mod flake;
pub mod inspect;
pub mod slots;
pub mod tool;

pub use commands::{check, inspect, package, shell};

use crate::cli::NixArgs;
use crate::host::CargoRequest;
use crate::hostenv::HostEnv;
use crate::plan::{Plan, Step};
use crate::report::Reporter;
use crate::targets::TargetSpec;
use anyhow::Result;
use devenv::DevEnv;
use devshell::{DevShell, Source};
use std::path::PathBuf;

/// Whether the Nix backend can serve here (nix on PATH, recent enough, flakes on)
/// and the flake has a dev shell for `spec`. Err says why not and how to fix it.
/// Cheap when answered before (yes or no): no nix process at all; else one `nix eval`,
/// bounded by `CROSSFLAKE_NIX_TIMEOUT` (60 s). Inside a crossflake shell serving the target: yes.
/// A dry run asks too (bounded), so that it shows the backend a real run would use.
pub fn usable(env: &HostEnv, spec: &TargetSpec, req: &CargoRequest, nix: &NixArgs, reporter: &Reporter) -> Result<()> {
    if devenv::inside_shell(spec, nix.flake.as_deref()).is_some() {
        return Ok(());
    }
    DevShell::new(env, spec, nix, &crate_dir(req))?.check_usable(reporter)
}

/// Plans cargo inside the target's dev shell. With `dry_run` nothing is evaluated: a cached
/// environment gives the exact step, else the plan shows the nix command that would make it.
pub fn plan(
    env: &HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
    nix: &NixArgs,
    dry_run: bool,
    reporter: &Reporter,
) -> Result<Plan> {
    if let Some(name) = devenv::inside_shell(spec, nix.flake.as_deref()) {
        let dev = DevEnv::current(spec, outer_var(env, "PATH").unwrap_or_default(), devenv::process_env);
        let c = cargo::in_shell(env, spec, req, &dev, dev.vars.clone())?;
        let note =
            format!("already in the crossflake dev shell {name}, which serves {}: its environment as it is", spec.name);
        return Ok(cargo_plan(spec, req, c, note, "the current dev shell".into()));
    }
    let shell = DevShell::new(env, spec, nix, &crate_dir(req))?;
    let (dev, source) = if dry_run {
        match shell.cached(reporter) {
            Some(e) if e.dev_env.is_some() => {
                (DevEnv::parse(e.dev_env.as_deref().unwrap_or_default())?, Source::Cached)
            }
            entry => return dry_plan(spec, req, &shell, entry.is_some_and(|e| e.usable())),
        }
    } else {
        let (dev, _, source) = shell.dev_env(reporter)?;
        (dev, source)
    };
    let vars = dev.apply(|k| outer_var(env, k));
    let c = cargo::in_shell(env, spec, req, &dev, vars)?;
    let note = match source {
        Source::Cached => format!("dev environment from the cache (key {})", &shell.key.key[..12]),
        Source::Evaluated => format!("dev environment made now and cached (key {})", &shell.key.key[..12]),
    };
    Ok(cargo_plan(spec, req, c, note, format!("the dev shell {}", shell.installable())))
}

fn cargo_plan(spec: &TargetSpec, req: &CargoRequest, c: cargo::CargoStep, note: String, from: String) -> Plan {
    let toolchain = c.step.env.get("RUSTC").map(|p| toolchain_label(p)).unwrap_or_else(|| c.step.program.clone());
    Plan {
        command: req.command().as_str().into(),
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        backend: "nix".into(),
        toolchain: Some(toolchain),
        toolchain_reason: Some(format!("from {from}")),
        notes: std::iter::once(note).chain(c.notes).collect(),
        steps: vec![c.step],
    }
}

/// The plan of a dry run without a cached environment: the nix command, then cargo.
fn dry_plan(spec: &TargetSpec, req: &CargoRequest, shell: &DevShell, known: bool) -> Result<Plan> {
    let mut notes = vec![format!(
        "not evaluated (dry run): the first command makes the dev environment once and caches it in {} (key {})",
        shell.slots.dir.display(),
        &shell.key.key[..12]
    )];
    if !known {
        notes.push(format!("not known yet whether {} has {}", shell.flake.reference, shell.attr));
    }
    notes.push("cargo then comes from the shell's PATH and runs with the shell's exported variables".into());
    let mut cargo = Step::new(&format!("cargo {}", req.command().as_str()), "cargo");
    cargo.args = cargo::cargo_args(spec, req, false, &mut notes)?;
    cargo.cwd = Some(req.cwd.clone());
    Ok(Plan {
        command: req.command().as_str().into(),
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        backend: "nix".into(),
        toolchain: Some("the dev shell's".into()),
        toolchain_reason: Some(format!("from the dev shell {}", shell.installable())),
        notes,
        steps: vec![shell.print_dev_env_step(), cargo],
    })
}

/// The outer value of a variable the shell's value is prepended to.
fn outer_var(env: &HostEnv, name: &str) -> Option<String> {
    match name {
        "PATH" => std::env::join_paths(&env.path).ok().map(|p| p.to_string_lossy().into_owned()),
        _ => devenv::process_env(name),
    }
}

/// `/nix/store/<hash>-rust-default-1.95.0/bin/rustc` -> `rust-default-1.95.0`; other paths as they are.
pub fn toolchain_label(rustc: &str) -> String {
    match rustc.strip_prefix("/nix/store/").and_then(|r| r.split('/').next()) {
        Some(dir) => dir.split_once('-').map_or(dir, |(_, n)| n).to_string(),
        None => rustc.to_string(),
    }
}

/// The directory the flake search starts from: the crate's (from --manifest-path), else the cwd.
fn crate_dir(req: &CargoRequest) -> PathBuf {
    match req.manifest_path.as_ref().and_then(|m| m.parent()) {
        Some(d) if !d.as_os_str().is_empty() => req.cwd.join(d),
        _ => req.cwd.clone(),
    }
}
