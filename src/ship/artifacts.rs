//! Build artifacts: which executables a cargo build produced (from cargo's
//! JSON messages), their SHA-256, and release names for `crossflake dist`.
use crate::exec::{self, Output};
use crate::plan::Step;
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// A no-op rerun of a build step that reports its artifacts as JSON on stdout: a test
/// step builds its test binaries (`--no-run`) and a run step builds without running.
pub fn artifact_step(build: &Step) -> Step {
    let mut s = build.clone();
    s.label = "list artifacts".into();
    let zigbuild = s.program.ends_with("cargo-zigbuild");
    let has = |a: &str| s.args.iter().any(|x| x == a || x.starts_with(&format!("{a}=")));
    let (no_run, json) = (has("--no-run"), has("--message-format"));
    match s.args.first().map(String::as_str) {
        Some("test" | "t") if !no_run => s.args.insert(1, "--no-run".into()),
        Some("run" | "r") => s.args[0] = if zigbuild { "zigbuild".into() } else { "build".into() },
        _ => {}
    }
    let at = s.args.iter().position(|a| a == "--").unwrap_or(s.args.len());
    s.args.truncate(at);
    if !json {
        s.args.push("--message-format=json-render-diagnostics".into());
    }
    s.args.push("--quiet".into());
    s
}

/// A built executable and the glibc it needs (read from its ELF; None for a static,
/// musl, Windows or bare-metal one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Artifact {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
}

impl Artifact {
    pub fn of(path: &Path) -> Artifact {
        Artifact::with_needs(path, &crate::ship::glibc::needs(path).unwrap_or_default())
    }

    /// The artifact at `path`, whose glibc needs were read already.
    pub fn with_needs(path: &Path, needs: &crate::ship::glibc::Needs) -> Artifact {
        Artifact { path: path.to_path_buf(), glibc: needs.max.map(|v| v.to_string()) }
    }
}

/// Executables named in cargo's JSON messages (`compiler-artifact` with `executable`).
pub fn executables_from_json(stdout: &[u8]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["reason"] == "compiler-artifact")
        .filter_map(|v| v["executable"].as_str().map(PathBuf::from))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether cargo built `exe` for the target whose directory (under the target dir) is
/// `triple_dir`, rather than for the host (a proc-macro's or build script's tests).
pub fn built_for(exe: &Path, triple_dir: &str) -> bool {
    exe.components().any(|c| c.as_os_str() == triple_dir)
}

/// Runs the artifact step for `build` and returns the executables it built.
pub fn list(build: &Step, log: &Path) -> Result<Vec<PathBuf>> {
    let step = artifact_step(build);
    let (outcome, got) = exec::run(&step, Output::Capture(log))?;
    if !outcome.success() {
        bail!("listing the build's artifacts failed (see {})", log.display());
    }
    Ok(executables_from_json(&got.stdout))
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
