//! One file per command, cargo's way: each takes the command's parsed words
//! (flags.rs), turns them into a request and calls the layer that does the
//! work; the reporter prints. This file dispatches and holds what several
//! commands share: the crate's boards, the target from cargo's config, the
//! context of a planned command.
mod cargo;
mod doctor;
mod env;
mod matrix;
mod nix;
mod reports;
mod runner;
mod sdk;
mod targets;

use super::flags::{Options, Split};
use super::{CommandDef, Invocation};
use crate::failure::{Failure, Outcome};
use crate::report::Reporter;
use crate::resolve::cargo_config::CargoConfig;
use crate::resolve::crate_meta::CrateMeta;
use crate::targets::Registry;
use std::path::{Path, PathBuf};

/// Runs the command.
pub fn run(inv: &Invocation, split: Split, reporter: &Reporter) -> Outcome {
    let d: &CommandDef = inv.command;
    if split.opts.help {
        reporter.out(&super::flags::help(d.cmd, d.name, d.about, d.usage));
        return Ok(());
    }
    let here = Here::new(inv, &split.opts)?;
    match d.name {
        "targets" => targets::run(&here, &split, reporter),
        "doctor" => doctor::run(here, &split, reporter),
        "env" | "shell" => env::run(here, d.name, split, reporter),
        "runner" => runner::run(here, split, reporter),
        "matrix" => matrix::matrix(here, split, reporter),
        "repro" => matrix::repro(here, split, reporter),
        "dist" => matrix::dist(here, split, reporter),
        "package" | "flake-check" | "inspect" => nix::run(here, d.name, &split, reporter),
        "sdk" => sdk::run(&split, reporter),
        name => cargo::run(here, name, split, reporter),
    }
}

/// Where a command runs: the directory, the manifest, the registry, the global options.
pub struct Here {
    pub cwd: PathBuf,
    pub manifest: Option<PathBuf>,
    pub registry: Registry,
    pub toolchain: Option<String>,
}

impl Here {
    fn new(inv: &Invocation, o: &Options) -> Result<Here, Failure> {
        let cwd =
            std::env::current_dir().map_err(|e| Failure::error(format!("cannot read the current directory: {e}")))?;
        Ok(Here {
            cwd,
            manifest: o.manifest_path.clone().or_else(|| inv.global.manifest_path.clone()),
            registry: Registry::load()?,
            toolchain: o.toolchain.clone().or_else(|| inv.global.toolchain.clone()),
        })
    }

    /// The crate's directory: the manifest's, else the nearest Cargo.toml upward.
    pub fn crate_dir(&self) -> Result<PathBuf, Failure> {
        let mut req = crate::request::CargoRequest::new(&["build"], &self.cwd);
        if let Some(m) = &self.manifest {
            req.args = vec!["--manifest-path".into(), m.display().to_string()];
        }
        crate::resolve::user::crate_dir(&req)
    }

    /// Adds `--targets-dir` directories and the crate's own `targets_dir` (from its
    /// `[package.metadata.crossflake]`, found from `dir` upward) to the registry.
    pub fn add_boards(&mut self, dirs: &[PathBuf], dir: &Path) -> Result<(), Failure> {
        let crate_dir = crate::support::fs::crate_dir_of(dir);
        let meta = crate_dir.as_deref().map(CrateMeta::read).transpose()?.unwrap_or_default();
        for d in dirs.iter().map(|d| dir.join(d)).chain(meta.targets_dir) {
            self.registry.add_dir(&d)?;
        }
        Ok(())
    }
}

/// The target: `--target`, else CARGO_BUILD_TARGET or `build.target` of the cargo config.
pub fn target_of(own: Option<String>, config: &CargoConfig, command: &str) -> Result<String, Failure> {
    if let Some(t) = own {
        return Ok(t);
    }
    match config.build_target(&|k| std::env::var(k).ok()) {
        Some((t, _)) => Ok(t),
        None => Err(Failure::usage(format!("crossflake {command} needs --target T"))
            .next("a name, alias, triple or target JSON; `crossflake targets` lists them")),
    }
}
