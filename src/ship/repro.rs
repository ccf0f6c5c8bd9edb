//! `crossflake repro`: build the release artifacts twice from clean, in two
//! directories of different paths, with deterministic settings, and compare.
use crate::exec;
use crate::request::CargoRequest;
use crate::run::execute::{execute, Console};
use crate::ship::artifacts;
use crate::ship::matrix::{LogSink, Planner};
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The settings that make two builds in different places comparable.
pub fn deterministic_env(
    copy: &Path,
    cargo_home: &Path,
    epoch: &str,
    inherited_rustflags: &str,
) -> BTreeMap<String, String> {
    let mut flags =
        format!("--remap-path-prefix={}=/build --remap-path-prefix={}=/cargo", copy.display(), cargo_home.display());
    if !inherited_rustflags.is_empty() {
        flags = format!("{inherited_rustflags} {flags}");
    }
    [("RUSTFLAGS", flags), ("SOURCE_DATE_EPOCH", epoch.to_string()), ("CARGO_INCREMENTAL", "0".into())]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

/// Copies a crate tree, leaving out build output and VCS data.
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == "result" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let ty = entry.file_type()?;
        if ty.is_dir() {
            copy_tree(&src, &dst)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else {
            std::fs::copy(&src, &dst).with_context(|| format!("cannot copy {}", src.display()))?;
        }
    }
    Ok(())
}

/// The `path = ...` dependencies of the manifest in `dir` (all dependency tables,
/// target-specific ones too), as absolute directories.
fn path_deps(dir: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else { return vec![] };
    let Ok(t) = text.parse::<toml::Table>() else { return vec![] };
    let mut tables: Vec<&toml::Table> = Vec::new();
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    tables.extend(kinds.iter().filter_map(|k| t.get(*k)?.as_table()));
    for target in t.get("target").and_then(|v| v.as_table()).into_iter().flat_map(|m| m.values()) {
        tables.extend(kinds.iter().filter_map(|k| target.get(*k)?.as_table()));
    }
    if let Some(ws) = t.get("workspace").and_then(|w| w.get("dependencies")).and_then(|d| d.as_table()) {
        tables.push(ws);
    }
    tables
        .iter()
        .flat_map(|deps| deps.values())
        .filter_map(|d| d.get("path")?.as_str())
        .filter_map(|p| dir.join(p).canonicalize().ok())
        .collect()
}

/// The smallest directory holding the crate and every path dependency it reaches, so
/// that a copy of it builds (a kernel's `../../harness`).
pub fn source_root(crate_dir: &Path) -> PathBuf {
    let start = crate_dir.canonicalize().unwrap_or_else(|_| crate_dir.to_path_buf());
    let (mut seen, mut todo, mut root) = (vec![start.clone()], vec![start.clone()], start);
    while let Some(d) = todo.pop() {
        for dep in path_deps(&d) {
            while !dep.starts_with(&root) {
                root = root.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
            }
            if !seen.contains(&dep) {
                seen.push(dep.clone());
                todo.push(dep);
            }
        }
    }
    root
}

/// One clean release build of a copy of the crate; returns artifact name → SHA-256.
fn build_copy(
    (planner, log_sink): (&Planner, &LogSink),
    spec: &TargetSpec,
    base: &CargoRequest,
    crate_dir: &Path,
    copy: &Path,
    epoch: &str,
) -> Result<BTreeMap<String, (PathBuf, String)>> {
    // The copy is of the crate's source root (it and its path dependencies); `copy` is it.
    let root = source_root(crate_dir);
    let rel = crate_dir.canonicalize()?.strip_prefix(&root).map(Path::to_path_buf).unwrap_or_default();
    copy_tree(&root, copy)?;
    let krate = copy.join(rel);
    let mut req = base.clone();
    req.subcommand = vec!["build".into()];
    req.cwd = krate.clone();
    crate::request::remove_option(&mut req.args, "--manifest-path");
    req.set_target_dir(&krate.join("target"));
    let mut plan = planner(spec, &req)?;
    let cargo_home = crate::support::paths::cargo_home().unwrap_or_default();
    let inherited = std::env::var("RUSTFLAGS").unwrap_or_default();
    plan.cargo.env.extend(deterministic_env(copy, &cargo_home, epoch, &inherited));
    plan.cargo.json_messages = true;
    let log = copy.with_extension("log");
    let sink = log_sink(&log)?;
    let built = match execute(&plan, spec, Console::Sink, sink.as_ref()) {
        Ok(ran) => ran.executables.unwrap_or_default(),
        Err(f) => bail!(
            "the build in {} failed (exit {}); last lines of {}:\n{}",
            copy.display(),
            f.exit_code(),
            log.display(),
            crate::support::fs::log_tail(&log, 20)
        ),
    };
    let mut out = BTreeMap::new();
    for a in built {
        let name = a.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let hash = artifacts::sha256_file(&a)?;
        out.insert(name, (a, hash));
    }
    if out.is_empty() {
        bail!("the build of {} produced no executable to compare", copy.display());
    }
    Ok(out)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ReproReport {
    pub identical: Vec<(String, String)>,
    pub different: Vec<(String, String, String)>,
    pub dirs: (PathBuf, PathBuf),
    /// Set when both builds had to use one path (why): path dependencies outside the
    /// crate's workspace enter cargo's symbol hashes with their absolute paths.
    pub same_path: Option<String>,
}

/// `p` under `from` as the same path under `to` (a moved build's artifacts).
fn relocate(p: &Path, from: &Path, to: &Path) -> PathBuf {
    p.strip_prefix(from).map(|r| to.join(r)).unwrap_or_else(|_| p.to_path_buf())
}

/// Builds twice and compares every executable by SHA-256.
pub fn run(
    tools: (&Planner, &LogSink),
    spec: &TargetSpec,
    base: &CargoRequest,
    crate_dir: &Path,
    keep: bool,
) -> Result<ReproReport> {
    let tmp = tempfile::Builder::new().prefix("crossflake-repro-").tempdir()?;
    let name = crate_dir.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "crate".into());
    let (mut a, b) = (tmp.path().join("a").join(&name), tmp.path().join("second-build").join(&name));
    let epoch = exec::probe("git", &["-C", &crate_dir.display().to_string(), "log", "-1", "--format=%ct"])
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "1".into());
    let root = source_root(crate_dir);
    let same_path = (root != crate_dir.canonicalize()?).then(|| {
        format!(
            "path dependencies outside the crate (under {}) enter cargo's symbol hashes with their absolute paths, \
             so both builds ran at the same path, one after the other",
            root.display()
        )
    });
    if same_path.is_some() {
        a = b.clone();
    }
    let first = build_copy(tools, spec, base, crate_dir, &a, &epoch)?;
    if same_path.is_some() {
        let kept = tmp.path().join("a").join(&name);
        std::fs::create_dir_all(kept.parent().unwrap_or(tmp.path()))?;
        std::fs::rename(&b, &kept).with_context(|| format!("cannot move the first build to {}", kept.display()))?;
        let _ = std::fs::rename(b.with_extension("log"), kept.with_extension("log"));
        a = kept;
    }
    let first: BTreeMap<String, (PathBuf, String)> =
        first.into_iter().map(|(n, (p, h))| (n, (relocate(&p, &b, &a), h))).collect();
    let second = build_copy(tools, spec, base, crate_dir, &b, &epoch)?;
    let mut report = ReproReport { identical: vec![], different: vec![], dirs: (a.clone(), b.clone()), same_path };
    for (name, (_, h1)) in &first {
        match second.get(name) {
            Some((_, h2)) if h1 == h2 => report.identical.push((name.clone(), h1.clone())),
            Some((_, h2)) => report.different.push((name.clone(), h1.clone(), h2.clone())),
            None => report.different.push((name.clone(), h1.clone(), "missing in the second build".into())),
        }
    }
    if keep {
        let kept = tmp.keep();
        report.dirs = (kept.join("a").join(&name), kept.join("second-build").join(&name));
    }
    Ok(report)
}

/// `crossflake repro`'s JSON event.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict<'a> {
    pub target: &'a str,
    pub same_path: &'a Option<String>,
    pub identical: bool,
    pub same: &'a [(String, String)],
    pub different: &'a [(String, String, String)],
}

impl Verdict<'_> {
    pub fn of<'a>(target: &'a str, r: &'a ReproReport) -> Verdict<'a> {
        Verdict {
            target,
            same_path: &r.same_path,
            identical: r.different.is_empty(),
            same: &r.identical,
            different: &r.different,
        }
    }
}
