//! `crossflake matrix --plan github`: the matrix as GitHub Actions' include
//! list, for a plan job whose output feeds `strategy.matrix: ${{
//! fromJSON(needs.plan.outputs.matrix) }}` (cargo-dist's pattern). Each row
//! names the target, its triple, the runner image, what the row can do
//! (`test`, or `build` where the target's programs cannot run on Linux), and
//! the parts of its cache key: the triple, the toolchain, and the hashes of
//! Cargo.lock and flake.lock (`none` when there is none), and the backend: the
//! flake's dev shell (`nix`), or for a target the flake leaves to the
//! launcher (universal2, MSVC; macOS while no SDK is registered) the host's
//! tools, with what the row installs for them (`pip`, `apt`).
use crate::resolve::machine::HostEnv;
use crate::targets::{Runner, TargetSpec};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The runner image every row gets: crossflake runs on x86_64 Linux and brings each
/// target's cross tools and emulator itself (Nix or scripts/setup-host).
pub const RUNS_ON: &str = "ubuntu-latest";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Row {
    pub target: String,
    pub triple: String,
    pub runs_on: String,
    /// `test`, or `build` for a target whose programs cannot run there (macOS).
    pub command: String,
    pub toolchain: String,
    pub cargo_lock: String,
    pub flake_lock: String,
    /// `crossflake-<triple>-<toolchain>-<cargo-lock>-<flake-lock>`.
    pub cache_key: String,
    /// `nix` (the flake's dev shell for the target) or `host` (the runner's own tools).
    pub backend: String,
    /// For a host row: the Python packages it installs (into a virtual environment).
    pub pip: String,
    /// For a host row: the Ubuntu packages it installs (wine for MSVC tests).
    pub apt: String,
    /// For a host row: the std triples rustup adds (universal2: both darwin ones).
    pub std: String,
}

/// What a host row needs: (pip packages, apt packages). macOS and universal2 link
/// with zig through cargo-zigbuild; MSVC builds with cargo-xwin and tests under wine.
fn host_tools(spec: &TargetSpec, runs: bool) -> (Vec<&'static str>, Vec<String>) {
    let mut pip = Vec::new();
    if spec.host.zig_fallback {
        pip.extend(["ziglang", "cargo-zigbuild"]);
    }
    if spec.host.cargo_wrapper.as_deref() == Some("xwin") {
        pip.push("cargo-xwin");
    }
    let apt = spec.host.packages.iter().filter(|p| runs && p.starts_with("wine")).cloned().collect();
    (pip, apt)
}

/// Whether the flake can serve `spec` on a Linux runner: not the launcher's own targets
/// (nix/default.nix launcherOnly), and macOS only with a registered SDK (osxcross).
fn flake_serves(spec: &TargetSpec, sdk_registered: bool) -> bool {
    let launcher_only = spec.rust_triple == "universal2-apple-darwin" || spec.host.cargo_wrapper.is_some();
    !launcher_only && (!spec.is_darwin() || sdk_registered)
}

/// The include list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GithubPlan {
    pub include: Vec<Row>,
}

/// The nearest `name` in `dir` or a parent.
fn upward(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The first 16 hex digits of a file's SHA-256, or `none`.
fn digest(file: Option<PathBuf>) -> String {
    file.and_then(|f| std::fs::read(f).ok()).map_or("none".into(), |b| crate::support::hex::short_digest(&b, 8))
}

/// The toolchain a target gets here: the pinned channel (rust-toolchain.toml, which CI
/// sees too), else the one chosen on this machine; without rustup's host suffix
/// (`1.95.0`, not `1.95.0-x86_64-unknown-linux-gnu`).
fn toolchain(env: &HostEnv, spec: &TargetSpec) -> String {
    let name = match &env.pin {
        Some(pin) => pin.channel.clone(),
        None => crate::resolve::toolchain::choose_toolchain(env, spec, None)
            .map(|(tc, _, _)| tc.name.clone())
            .unwrap_or_else(|_| "unpinned".into()),
    };
    name.strip_suffix(&format!("-{}", env.host_triple)).map(String::from).unwrap_or(name)
}

/// The plan for `specs` of the crate in `dir`.
pub fn github(env: &HostEnv, dir: &Path, specs: &[&TargetSpec]) -> GithubPlan {
    let cargo_lock = digest(upward(dir, "Cargo.lock"));
    let flake_lock = digest(upward(dir, "flake.lock"));
    // `crossflake sdk add` writes macos-sdk.toml next to flake.nix.
    let sdk =
        upward(dir, "flake.nix").and_then(|f| Some(f.parent()?.join("macos-sdk.toml"))).is_some_and(|f| f.is_file());
    let include = specs
        .iter()
        .map(|spec| {
            let toolchain = toolchain(env, spec);
            let safe: String =
                toolchain.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
            let runs = !matches!(spec.runner, Runner::None { .. });
            let nix = flake_serves(spec, sdk);
            let (pip, apt) = if nix { (vec![], vec![]) } else { host_tools(spec, runs) };
            Row {
                target: spec.name.clone(),
                triple: spec.rust_triple.clone(),
                runs_on: RUNS_ON.into(),
                command: if runs { "test" } else { "build" }.into(),
                backend: if nix { "nix" } else { "host" }.into(),
                pip: pip.join(" "),
                apt: apt.join(" "),
                std: if nix { String::new() } else { spec.std_triples().join(" ") },
                cache_key: format!("crossflake-{}-{safe}-{cargo_lock}-{flake_lock}", spec.rust_triple),
                toolchain,
                cargo_lock: cargo_lock.clone(),
                flake_lock: flake_lock.clone(),
            }
        })
        .collect();
    GithubPlan { include }
}
