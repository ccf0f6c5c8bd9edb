//! The Nix backend: runs cargo inside the flake's dev shell for a target,
//! with dev environments cached on disk. (Being written: see issue 5.)
use crate::cli::NixArgs;
use crate::host::CargoRequest;
use crate::hostenv::HostEnv;
use crate::plan::Plan;
use crate::report::Reporter;
use crate::targets::{Registry, TargetSpec};
use anyhow::{bail, Result};

/// Whether the Nix backend can serve here (nix on PATH, recent enough, flakes on)
/// and the flake has a dev shell for `spec`. Err says why not and how to fix it.
pub fn usable(_env: &HostEnv, _spec: &TargetSpec, _req: &CargoRequest, _nix: &NixArgs) -> Result<()> {
    bail!("the Nix backend is not implemented yet")
}

/// Plans cargo inside the target's dev shell. With `dry_run` nothing is evaluated.
pub fn plan(
    _env: &HostEnv,
    _spec: &TargetSpec,
    _req: &CargoRequest,
    _nix: &NixArgs,
    _dry_run: bool,
    _reporter: &Reporter,
) -> Result<Plan> {
    bail!("the Nix backend is not implemented yet")
}

/// `crossflake shell`.
pub fn shell(
    _registry: &Registry,
    _spec: &TargetSpec,
    _cmd: &[String],
    _nix: &NixArgs,
    _dry_run: bool,
    _reporter: &Reporter,
) -> Result<i32> {
    bail!("the Nix backend is not implemented yet")
}

/// `crossflake package`.
pub fn package(
    _registry: &Registry,
    _spec: &TargetSpec,
    _nix: &NixArgs,
    _dry_run: bool,
    _reporter: &Reporter,
) -> Result<i32> {
    bail!("the Nix backend is not implemented yet")
}

/// `crossflake check`.
pub fn check(
    _registry: &Registry,
    _spec: Option<&TargetSpec>,
    _nix: &NixArgs,
    _dry_run: bool,
    _reporter: &Reporter,
) -> Result<i32> {
    bail!("the Nix backend is not implemented yet")
}

/// `crossflake inspect`.
pub fn inspect(
    _registry: &Registry,
    _spec: &TargetSpec,
    _nix: &NixArgs,
    _dry_run: bool,
    _reporter: &Reporter,
) -> Result<i32> {
    bail!("the Nix backend is not implemented yet")
}
