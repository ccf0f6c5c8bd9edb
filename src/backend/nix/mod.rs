//! The Nix backend: runs cargo inside the flake's dev shell for a target, with
//! dev environments cached on disk (docs/nix-backend.md). This file resolves
//! and plans; `commands.rs` holds shell, package, flake-check and inspect.
pub mod cache;
pub mod cargo;
pub mod commands;
pub mod devenv;
pub mod devshell;
pub mod flake;
pub mod inspect;
pub mod slots;
pub mod tool;

use crate::events::Sink;
use crate::failure::Failure;
use crate::plan::cargo_step::{self, Toolset};
use crate::plan::Plan;
use crate::request::{CargoRequest, NixArgs};
use crate::resolve::machine::HostEnv;
use crate::step::Step;
use crate::targets::TargetSpec;
use anyhow::Result;
use cargo::ShellEnv;
use devenv::DevEnv;
use devshell::{DevShell, Source};
use std::path::Path;

/// Whether the Nix backend can serve here (nix on PATH, recent enough, flakes on)
/// and the flake has a dev shell for `spec`. Err says why not and how to fix it.
/// Cheap when answered before (yes or no): no nix process at all; else one `nix eval`,
/// bounded by `CROSSFLAKE_NIX_TIMEOUT` (60 s). Inside a crossflake shell serving the target: yes.
/// A dry run asks too (bounded), so that it shows the backend a real run would use.
pub fn usable(
    env: &HostEnv,
    spec: &TargetSpec,
    crate_dir: &Path,
    nix: &NixArgs,
    sink: &dyn Sink,
) -> Result<(), NotServing> {
    if devenv::inside_shell(spec, nix.flake.as_deref()).is_some() {
        return Ok(());
    }
    let shell =
        DevShell::new(env, spec, nix, crate_dir).map_err(|e| NotServing { why: format!("{e:#}"), news: true })?;
    let cached = shell.version_refused().or_else(|| shell.cached(sink).and_then(|e| e.unusable));
    if let Some(why) = cached {
        return Err(NotServing {
            why: format!("{why} (cached answer; set {}=1 to ask Nix again)", devshell::REFRESH_ENV),
            news: false,
        });
    }
    shell.check_usable(sink).map_err(|e| NotServing { why: format!("{e:#}"), news: true })
}

/// Why the Nix backend cannot serve, and whether that is news: a cached answer was said
/// when it was made (the first command, or the first after nix or the flake changed).
#[derive(Debug, Clone)]
pub struct NotServing {
    pub why: String,
    pub news: bool,
}

/// The dev shell's environment for a target, resolved (this may run nix).
#[derive(Debug, Clone)]
pub enum Resolved {
    /// The environment, applied over the outer one.
    Env { shell: ShellEnv, note: String, from: String },
    /// A dry run with nothing cached: the nix command that would make the environment.
    Pending { make: Step, notes: Vec<String>, from: String },
}

impl Resolved {
    /// The variables of the shell, when known.
    pub fn vars(&self) -> Option<&std::collections::BTreeMap<String, String>> {
        match self {
            Resolved::Env { shell, .. } => Some(&shell.vars),
            Resolved::Pending { .. } => None,
        }
    }
}

/// Resolves the target's dev shell: the one we are in, the cached environment, or
/// (not on a dry run) `nix print-dev-env` now, cached and GC-rooted.
pub fn resolve(
    env: &HostEnv,
    spec: &TargetSpec,
    crate_dir: &Path,
    nix: &NixArgs,
    dry_run: bool,
    sink: &dyn Sink,
) -> Result<Resolved> {
    if let Some(name) = devenv::inside_shell(spec, nix.flake.as_deref()) {
        let dev = DevEnv::current(spec, outer_var(env, "PATH").unwrap_or_default(), devenv::process_env);
        let note =
            format!("already in the crossflake dev shell {name}, which serves {}: its environment as it is", spec.name);
        return Ok(Resolved::Env {
            shell: shell_env(spec, &dev, dev.vars.clone()),
            note,
            from: "the current dev shell".into(),
        });
    }
    let shell = DevShell::new(env, spec, nix, crate_dir)?;
    let from = format!("the dev shell {}", shell.installable());
    let (dev, source) = if dry_run {
        match shell.cached(sink) {
            Some(e) if e.dev_env.is_some() => {
                (DevEnv::parse(e.dev_env.as_deref().unwrap_or_default())?, Source::Cached)
            }
            entry => {
                let mut notes = vec![format!(
                    "not evaluated (dry run): the first command makes the dev environment once and caches it in {} (key {})",
                    shell.slots.dir.display(),
                    &shell.key.key[..12]
                )];
                if !entry.is_some_and(|e| e.usable()) {
                    notes.push(format!("not known yet whether {} has {}", shell.flake.reference, shell.attr));
                }
                notes
                    .push("cargo then comes from the shell's PATH and runs with the shell's exported variables".into());
                return Ok(Resolved::Pending { make: shell.print_dev_env_step(), notes, from });
            }
        }
    } else {
        let (dev, _, source) = shell.dev_env(sink)?;
        (dev, source)
    };
    let vars = dev.apply(|k| outer_var(env, k));
    let note = match source {
        Source::Cached => format!("dev environment from the cache (key {})", &shell.key.key[..12]),
        Source::Evaluated => format!("dev environment made now and cached (key {})", &shell.key.key[..12]),
    };
    Ok(Resolved::Env { shell: shell_env(spec, &dev, vars), note, from })
}

fn shell_env(spec: &TargetSpec, dev: &DevEnv, vars: std::collections::BTreeMap<String, String>) -> ShellEnv {
    let shell_path =
        std::env::join_paths(dev.shell_path()).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let rustc = cargo::shell_rustc(&vars, &shell_path);
    let build_std = cargo::needs_build_std(spec, rustc.as_deref(), &vars);
    ShellEnv { vars, shell_path, build_std }
}

/// Plans cargo inside the target's resolved dev shell. Pure.
pub fn plan(
    env: &HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
    resolved: &Resolved,
    wrap: Option<&[String]>,
    targets_dir: Option<&Path>,
) -> Result<Plan, Failure> {
    match resolved {
        Resolved::Env { shell, note, from } => {
            let mut tools = cargo::toolset(spec, req, shell)?;
            tools.notes.insert(0, note.clone());
            tools.toolchain_reason = Some(format!("from {from}"));
            cargo_step::plan(spec, req, tools, &env.self_exe, wrap, targets_dir)
        }
        Resolved::Pending { make, notes, from } => {
            let tools = Toolset {
                cargo: "cargo".into(),
                zigbuild: req.glibc.map(|_| "cargo-zigbuild".into()),
                backend: "nix",
                toolchain: Some("the dev shell's".into()),
                toolchain_reason: Some(format!("from {from}")),
                notes: notes.clone(),
                ..Toolset::default()
            };
            let mut plan = cargo_step::plan(spec, req, tools, &env.self_exe, wrap, targets_dir)?;
            plan.setup.push(make.clone());
            Ok(plan)
        }
    }
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
