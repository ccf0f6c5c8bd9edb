//! Which flake serves a target, and which of its outputs: flake discovery
//! (`--flake`, else the nearest flake.nix upward, else crossflake's own), the
//! Nix system, and the attribute naming rules for shells, packages and checks.
use crate::request::NixArgs;
use crate::targets::{Kind, TargetSpec};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// A flake as nix is given it, plus what crossflake knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flake {
    /// The flake reference passed to nix (`/abs/dir`, `github:owner/repo`, ...).
    pub reference: String,
    /// The directory holding flake.nix, for flakes on this machine: its files make the cache key.
    pub dir: Option<PathBuf>,
    /// crossflake's own flake, which pins nixpkgs 25.11 and so needs Nix >= 2.18.
    pub own: bool,
}

/// The flake used when there is no --flake and no flake.nix upward from the crate.
pub const FLAKE_ENV: &str = "CROSSFLAKE_FLAKE";

/// Where crossflake's own flake lives: the source tree this binary was built from.
pub fn own_flake_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Flake {
    /// `--flake REF` when given, else the nearest flake.nix upward from `start`, else
    /// `$CROSSFLAKE_FLAKE` (for an installed launcher), else crossflake's own source tree.
    pub fn resolve(explicit: Option<&str>, start: &Path) -> Result<Flake> {
        let default = std::env::var(FLAKE_ENV).ok().filter(|s| !s.is_empty());
        Self::resolve_with(explicit, start, default.as_deref(), &own_flake_dir())
    }

    pub fn resolve_with(explicit: Option<&str>, start: &Path, default: Option<&str>, own: &Path) -> Result<Flake> {
        let own_dir = own.canonicalize().ok();
        let local = |dir: PathBuf| -> Result<Flake> {
            let dir =
                dir.canonicalize().with_context(|| format!("the flake directory {} is missing", dir.display()))?;
            if !dir.join("flake.nix").is_file() {
                bail!("{} has no flake.nix; pass --flake with a directory that has one", dir.display());
            }
            let own = own_dir.as_deref() == Some(dir.as_path());
            Ok(Flake { reference: dir.display().to_string(), dir: Some(dir), own })
        };
        let reference = |r: &str| -> Result<Flake> {
            if r.contains('#') {
                bail!("a flake reference without `#attribute` is wanted (got {r}): crossflake picks the attribute");
            }
            match local_path(r) {
                Some(p) if p.is_absolute() => local(p),
                Some(p) => local(start.join(p)),
                None => Ok(Flake { reference: r.to_string(), dir: None, own: false }),
            }
        };
        if let Some(r) = explicit {
            return reference(r);
        }
        if let Some(d) = start.ancestors().find(|d| d.join("flake.nix").is_file()) {
            return local(d.to_path_buf());
        }
        if let Some(r) = default {
            return reference(r);
        }
        if own.join("flake.nix").is_file() {
            return local(own.to_path_buf());
        }
        bail!(
            "no flake.nix in {} or any directory above it, {FLAKE_ENV} is unset, and crossflake's own flake is not on \
             this machine ({} has none). Next: pass --flake (e.g. --flake github:crossflake/crossflake), or use --backend host",
            start.display(),
            own.display()
        )
    }

    /// `<flake>#<attr>`.
    pub fn installable(&self, attr: &str) -> String {
        format!("{}#{attr}", self.reference)
    }
}

/// The directory a flake reference names when it is on this machine (`/x`, `./x`, `path:/x`,
/// `git+file:///x?dir=sub`); None for remote and registry references.
pub fn local_path(reference: &str) -> Option<PathBuf> {
    let (body, query) = reference.split_once('?').unwrap_or((reference, ""));
    let path = if let Some(p) = body.strip_prefix("path:") {
        p
    } else if let Some(p) = body.strip_prefix("git+file://") {
        p
    } else if body.starts_with('/') || body.starts_with('.') {
        body
    } else {
        return None;
    };
    let sub = query.split('&').find_map(|kv| kv.strip_prefix("dir="));
    let dir = PathBuf::from(path);
    Some(match sub {
        Some(s) => dir.join(s),
        None => dir,
    })
}

/// The Nix system to use: `--option system X` when given, else this machine's (`x86_64-linux`).
pub fn nix_system(args: &NixArgs) -> String {
    if let Some(pair) = args.option.chunks(2).find(|kv| kv.len() == 2 && kv[0] == "system") {
        return pair[1].clone();
    }
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    format!("{}-{os}", std::env::consts::ARCH)
}

/// The dev shell for a target: `devShells.<system>.<target name>`.
pub fn dev_shell_attr(system: &str, spec: &TargetSpec) -> String {
    format!("devShells.{system}.{}", spec.name)
}

/// The packages tried, in order, for `crossflake package`: bare metal `<arch>-none` ->
/// `kernel-<arch>`; any other target -> `<name>`, then `hello-<name>`.
pub fn package_attrs(system: &str, spec: &TargetSpec) -> Vec<String> {
    match spec.kind {
        Kind::BareMetal => {
            let arch = spec.name.strip_suffix("-none").unwrap_or(&spec.name);
            vec![format!("packages.{system}.kernel-{arch}")]
        }
        Kind::Std => vec![format!("packages.{system}.{}", spec.name), format!("packages.{system}.hello-{}", spec.name)],
    }
}

/// The checks tried, in order, for `crossflake flake-check --target`: `<name>`, then the flake's
/// own naming: `hello-<name>` (std targets), `kernel-<arch>-boot` (bare metal `<arch>-none`).
pub fn check_attrs(system: &str, spec: &TargetSpec) -> Vec<String> {
    let own = match spec.kind {
        Kind::BareMetal => format!("kernel-{}-boot", spec.name.strip_suffix("-none").unwrap_or(&spec.name)),
        Kind::Std => format!("hello-{}", spec.name),
    };
    vec![format!("checks.{system}.{}", spec.name), format!("checks.{system}.{own}")]
}

/// Splits `packages.x86_64-linux.kernel-riscv64` into the set (`packages.x86_64-linux`) and the name.
pub fn split_attr(attr: &str) -> (&str, &str) {
    attr.rsplit_once('.').unwrap_or(("", attr))
}
