//! Build artifacts: which executables a cargo build produced (from cargo's
//! JSON messages), their SHA-256, and release names for `crossflake dist`.
pub use crate::events::Artifact;
use crate::exec;
use crate::plan::CargoStep;
use crate::request::remove_option;
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The executables a build made: from its own JSON messages when it asked for them,
/// else from a no-op rerun that does (a `run` builds without running; a `test` builds its
/// binaries with `--no-run`; a user's own `--message-format` is theirs, so the rerun asks
/// cargo again with its JSON and no other output).
pub fn built(cargo: &CargoStep, messages: Option<&[PathBuf]>) -> Result<Vec<PathBuf>> {
    if let Some(m) = messages {
        return Ok(m.to_vec());
    }
    let mut c = cargo.clone();
    c.label = "list artifacts".into();
    match c.subcommand.first().map(String::as_str) {
        Some("test" | "t" | "bench") => c.no_run = true,
        Some("run" | "r") => {
            c.subcommand = vec![if c.program.ends_with("cargo-zigbuild") { "zigbuild" } else { "build" }.into()]
        }
        _ => {}
    }
    c.trailing = None;
    remove_option(&mut c.args, "--message-format");
    c.args.push("--quiet".into());
    c.json_messages = true;
    let got = exec::capture(&c.step())?;
    if !got.success() {
        bail!("listing the build's artifacts failed ({}): {}", got.ending.describe(), got.stderr.trim());
    }
    Ok(crate::run::test_binaries::binaries(got.stdout.as_bytes()).1)
}

/// What ships for `spec` from the executables a build made; for universal2 the fat
/// binaries cargo-zigbuild joined into `<target dir>/universal2-apple-darwin/<profile>/`
/// (it reports no artifacts of its own).
pub fn shipped(spec: &TargetSpec, cargo: &CargoStep, built: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if spec.rust_triple != "universal2-apple-darwin" {
        return Ok(built.to_vec());
    }
    let peek = crate::request::peek(&cargo.args);
    let target_dir = match cargo.target_dir.clone().or(peek.target_dir.map(|d| cargo.cwd.join(d))) {
        Some(d) => d,
        None => {
            let real_cargo = cargo.env.get("CARGO").cloned().unwrap_or_else(|| cargo.program.clone());
            let mut step = crate::step::Step::new("cargo metadata", real_cargo).args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
            ]);
            if let Some(m) = peek.manifest_path {
                step = step.arg("--manifest-path").arg(cargo.cwd.join(m).display().to_string());
            }
            step.env = cargo.env.clone();
            step.cwd = Some(cargo.cwd.clone());
            let got = exec::capture(&step)?;
            if !got.success() {
                bail!("cannot ask cargo for the target directory: {}", got.stderr.trim());
            }
            let md: cargo_metadata::Metadata =
                serde_json::from_str(&got.stdout).context("cargo metadata printed no metadata")?;
            md.target_directory.into_std_path_buf()
        }
    };
    let profile = match peek.profile.as_deref() {
        None | Some("dev") => "debug".to_string(),
        Some(p) => p.to_string(),
    };
    let dir = target_dir.join("universal2-apple-darwin").join(profile);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cargo-zigbuild left no universal2 binaries in {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| crate::support::fs::is_executable(p))
        .collect();
    out.sort();
    Ok(out)
}

/// The artifact at `path` and what it needs: the glibc (read from its ELF), else macOS
/// (read from its Mach-O file).
pub fn artifact(path: &Path) -> Artifact {
    with_needs(path, &crate::ship::glibc::needs(path).unwrap_or_default())
}

/// The artifact at `path`, whose glibc needs were read already.
pub fn with_needs(path: &Path, needs: &crate::ship::glibc::Needs) -> Artifact {
    let glibc = needs.max.map(|v| v.to_string());
    let macos = if glibc.is_none() { crate::ship::macho::inspect(path).ok() } else { None };
    Artifact { path: path.to_path_buf(), glibc, macos }
}

pub use crate::support::hex::sha256_file;

/// `app` + target → `app-linux-arm64`, keeping `.exe` for Windows.
pub fn dist_name(artifact: &Path, spec: &TargetSpec) -> String {
    let stem = artifact.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    match artifact.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext == "exe" => format!("{stem}-{}.{ext}", spec.dist_suffix),
        _ => format!("{stem}-{}", spec.dist_suffix),
    }
}

/// Copies artifacts into `out` under release names and updates `out/SHA256SUMS`.
pub fn copy_to_dist(artifacts: &[PathBuf], spec: &TargetSpec, out: &Path) -> Result<Vec<(PathBuf, String)>> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let sums_path = out.join("SHA256SUMS");
    let mut sums: Vec<(String, String)> = std::fs::read_to_string(&sums_path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once("  ").map(|(h, n)| (n.to_string(), h.to_string())))
        .collect();
    let mut copied = Vec::new();
    for a in artifacts {
        let name = dist_name(a, spec);
        let dest = out.join(&name);
        std::fs::copy(a, &dest).with_context(|| format!("cannot copy {} to {}", a.display(), dest.display()))?;
        let hash = sha256_file(&dest)?;
        sums.retain(|(n, _)| *n != name);
        sums.push((name, hash.clone()));
        copied.push((dest, hash));
    }
    sums.sort();
    let text: String = sums.iter().map(|(n, h)| format!("{h}  {n}\n")).collect();
    std::fs::write(&sums_path, text).with_context(|| format!("cannot write {}", sums_path.display()))?;
    Ok(copied)
}
