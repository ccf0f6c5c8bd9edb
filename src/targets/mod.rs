//! The target registry: specs from targets/*.toml (embedded at build time, or
//! read from `$CROSSFLAKE_TARGETS_DIR`), and resolution of names, aliases and triples.
use crate::failure::Failure;
use anyhow::{bail, Context, Result};

use std::path::{Path, PathBuf};

pub mod spec;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/targets.rs"));
}

/// Environment variable naming a directory of specs to use instead of the embedded ones.
pub const TARGETS_DIR_ENV: &str = "CROSSFLAKE_TARGETS_DIR";

pub use spec::*;

/// All known targets, in file-name order (crossflake's own, then a crate's boards).
#[derive(Debug, Clone)]
pub struct Registry {
    pub targets: Vec<TargetSpec>,
    /// Where custom target JSON files live (the targets/ directory), when known.
    pub dir: Option<PathBuf>,
    /// Directories of extra specs added with `add_dir` (a crate's boards), in order.
    pub extra_dirs: Vec<PathBuf>,
}

impl Registry {
    /// The specs embedded in this binary, unless `$CROSSFLAKE_TARGETS_DIR` names a directory.
    pub fn load() -> Result<Registry> {
        match std::env::var_os(TARGETS_DIR_ENV) {
            Some(dir) => Self::from_dir(Path::new(&dir)),
            None => {
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets");
                let sources = embedded::EMBEDDED.iter().map(|(f, s)| (f.to_string(), s.to_string()));
                Self::from_sources(sources, dir.is_dir().then_some(dir))
            }
        }
    }

    pub fn from_dir(dir: &Path) -> Result<Registry> {
        let mut files = Vec::new();
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read the target directory {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                files.push((path.display().to_string(), text));
            }
        }
        files.sort();
        Self::from_sources(files, Some(dir.to_path_buf()))
    }

    /// Adds a crate's own target files (boards, machine variants) from `dir` (once: a
    /// directory named twice, on the command line and in Cargo.toml, is read once). A file
    /// may name `base = "<a target>"` and give only what differs: its TOML is merged over
    /// the base's (tables key by key, other values replaced). Names and aliases must be
    /// new; the triple may be any target's (one chip, several boards): the name selects
    /// the board, and `--target <triple>` keeps meaning the target that came first.
    pub fn add_dir(&mut self, dir: &Path) -> Result<()> {
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if self.extra_dirs.iter().any(|d| d.canonicalize().unwrap_or_else(|_| d.clone()) == canonical) {
            return Ok(());
        }
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Failure::usage(format!("cannot read the targets directory {}: {e}", dir.display()))
                .next("pass --targets-dir with a directory of target .toml files")
        })?;
        let mut files: Vec<PathBuf> =
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect();
        files.sort();
        let mut pending = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let file = path.display().to_string();
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| invalid(&file, e.message()))?;
            pending.push((file, table));
        }
        // A board may build on another board of the same directory: a file whose base is
        // not known yet waits for the files before it, in name order.
        while !pending.is_empty() {
            let ready = pending.iter().position(|(_, t)| match t.get("base") {
                Some(b) => b.as_str().is_none_or(|b| self.resolve(b).is_ok()),
                None => true,
            });
            let (file, table) = pending.remove(ready.unwrap_or(0));
            let spec = self.spec_from(&file, table)?;
            self.targets.push(spec);
        }
        self.extra_dirs.push(dir.to_path_buf());
        Ok(())
    }

    /// A target file's table as a spec: merged over its `base` when it names one.
    fn spec_from(&self, file: &str, mut table: toml::Table) -> Result<TargetSpec> {
        if let Some(base) = table.remove("base") {
            let base = base.as_str().ok_or_else(|| invalid(file, "`base` must be a target name"))?;
            let base_spec = self.resolve(base).map_err(|e| invalid(file, &format!("base: {e}")))?;
            let mut merged = toml::Table::try_from(base_spec).context("cannot re-read a base target")?;
            // The base's aliases stay the base's.
            merged.insert("aliases".into(), toml::Value::Array(vec![]));
            // Another kind of runner: the file's [runner] stands alone.
            let runner_type = |t: &toml::Table| t.get("runner").and_then(|r| r.get("type")).cloned();
            if runner_type(&table).is_some_and(|t| Some(t) != runner_type(&merged)) {
                merged.remove("runner");
            }
            merge(&mut merged, table);
            table = merged;
        }
        let spec = toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| invalid(file, e.message()))?;
        Ok(self.check(file, spec)?)
    }

    /// Checks a spec against the file it came from and the specs before it: its name and
    /// aliases are new, and none is another target's triple.
    fn check(&self, file: &str, spec: TargetSpec) -> Result<TargetSpec, Failure> {
        let stem = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if spec.name != stem {
            return Err(invalid(
                file,
                &format!("field `name` is {:?} but the file is {stem}.toml; they must match", spec.name),
            ));
        }
        for other in &self.targets {
            for key in std::iter::once(&spec.name).chain(&spec.aliases) {
                if other.name == *key || other.aliases.contains(key) || other.rust_triple == *key {
                    return Err(invalid(file, &format!("{key:?} is already used by target {}", other.name)));
                }
            }
        }
        Ok(spec)
    }

    pub fn from_sources(sources: impl IntoIterator<Item = (String, String)>, dir: Option<PathBuf>) -> Result<Registry> {
        let mut reg = Registry { targets: vec![], dir, extra_dirs: vec![] };
        for (file, text) in sources {
            let spec: TargetSpec = toml::from_str(&text).map_err(|e| invalid(&file, e.message()))?;
            let spec = reg.check(&file, spec)?;
            reg.targets.push(spec);
        }
        if reg.targets.is_empty() {
            bail!("no target specs found (expected targets/*.toml)");
        }
        Ok(reg)
    }

    pub fn get(&self, name: &str) -> Option<&TargetSpec> {
        self.targets.iter().find(|t| t.name == name)
    }

    /// Resolves a name or an alias, else a full triple (case-insensitive): a triple
    /// several targets share (boards) means the first of them, crossflake's own.
    pub fn resolve(&self, query: &str) -> Result<&TargetSpec, UnknownTarget> {
        let q = query.trim().to_ascii_lowercase();
        self.targets
            .iter()
            .find(|t| t.name == q || t.aliases.contains(&q))
            .or_else(|| self.targets.iter().find(|t| t.rust_triple == q))
            .ok_or_else(|| UnknownTarget { query: query.to_string(), suggestions: self.closest(&q) })
    }

    /// Like `resolve`, and also accepts a path to a custom target JSON: it takes the
    /// runner and host tools of the bare-metal target it matches (`custom_base`); a JSON
    /// that matches none is a usage error here (resolve/open_world.rs builds it as cargo
    /// would instead).
    pub fn resolve_any(&self, query: &str) -> anyhow::Result<TargetSpec> {
        if !query.ends_with(".json") {
            return Ok(self.resolve(query).map_err(Failure::from)?.clone());
        }
        let json = CustomJson::read(query)?;
        let base = self.custom_base(&json).ok_or_else(|| {
            Failure::usage(format!(
                "the custom target file {}: no bare-metal target in targets/ has arch {:?} to take a runner from",
                json.path.display(),
                json.arch
            ))
        })?;
        Ok(json.spec_from(base))
    }

    /// The bare-metal target a custom JSON borrows its runner from: the one whose triple
    /// is the JSON's `llvm-target`, else the first of its architecture as rustc names it
    /// (`arm` for thumbv7m, `riscv32` for riscv32imac).
    pub fn custom_base(&self, json: &CustomJson) -> Option<&TargetSpec> {
        let bare = || self.targets.iter().filter(|t| t.kind == Kind::BareMetal);
        bare()
            .find(|t| json.llvm_target.as_deref() == Some(t.rust_triple.as_str()))
            .or_else(|| bare().find(|t| rustc_arch(t.arch()) == json.arch))
    }

    /// Known names closest to `q` by edit distance (names, aliases and triples).
    fn closest(&self, q: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> = Vec::new();
        for t in &self.targets {
            let best = std::iter::once(&t.name)
                .chain(&t.aliases)
                .chain([&t.rust_triple])
                .map(|k| edit_distance(q, k))
                .min()
                .unwrap_or(usize::MAX);
            scored.push((best, &t.name));
        }
        scored.sort();
        let limit = (q.len() / 3).max(2);
        let near: Vec<String> =
            scored.iter().filter(|(d, _)| *d <= limit).take(3).map(|(_, n)| n.to_string()).collect();
        if near.is_empty() {
            scored.iter().take(3).map(|(_, n)| n.to_string()).collect()
        } else {
            near
        }
    }
}

/// A target file that cannot be used (exit 2), with the way to write one.
fn invalid(file: &str, why: &str) -> Failure {
    Failure::usage(format!("invalid target spec {file}: {}", why.trim())).next(
        "give every field as the files in crossflake's targets/ do, or write `base = \"<a target>\"` and only what \
         differs (docs/boards.md)",
    )
}

/// An unknown `--target` (exit 2), with the closest known names.
#[derive(Debug, Clone)]
pub struct UnknownTarget {
    pub query: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for UnknownTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown target {:?}; closest known targets: {}. `crossflake targets` lists them all",
            self.query,
            self.suggestions.join(", ")
        )
    }
}

impl From<UnknownTarget> for Failure {
    fn from(u: UnknownTarget) -> Failure {
        Failure::usage(u.to_string())
    }
}

/// Merges `over` into `base`: tables key by key, everything else replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Levenshtein distance over bytes.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A custom target JSON, as read.
#[derive(Debug, Clone)]
pub struct CustomJson {
    pub path: std::path::PathBuf,
    /// The file name without `.json`: what cargo names its target directory.
    pub stem: String,
    pub arch: String,
    pub llvm_target: Option<String>,
    /// `os`, `none` when absent (bare metal).
    pub os: String,
}

impl CustomJson {
    /// Reads `query` (a path): exit 2 when it cannot be read or lacks `arch`.
    pub fn read(query: &str) -> Result<CustomJson, Failure> {
        let bad = |why: String| Failure::usage(why);
        let path = std::fs::canonicalize(query).map_err(|e| {
            bad(format!("cannot read the custom target file {query}: {e}"))
                .next("pass the path of a target JSON that exists, or a known target (`crossflake targets`)")
        })?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| bad(format!("cannot read the custom target file {}: {e}", path.display())))?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            bad(format!("the custom target file {} is not valid JSON: {e}", path.display()))
                .next("fix the file (`rustc -Z unstable-options --print target-spec-json` shows a valid one)")
        })?;
        let arch = json["arch"].as_str().ok_or_else(|| {
            bad(format!("the custom target file {}: field `arch` is missing", path.display()))
                .next("add \"arch\" (rustc's name: riscv64, aarch64, arm, riscv32, ...) to it")
        })?;
        Ok(CustomJson {
            stem: path.file_stem().and_then(|s| s.to_str()).unwrap_or("custom").to_string(),
            arch: arch.to_string(),
            llvm_target: json["llvm-target"].as_str().map(String::from),
            os: json["os"].as_str().unwrap_or("none").to_string(),
            path,
        })
    }

    /// The spec for it: `base`'s runner and host tools, under the file's name.
    pub fn spec_from(&self, base: &TargetSpec) -> TargetSpec {
        let mut spec = base.clone();
        spec.description = format!("custom target {} (runner of {})", self.path.display(), base.name);
        spec.name = self.stem.clone();
        spec.aliases = vec![];
        spec.rust_triple = self.stem.clone();
        spec.custom_json = Some(self.path.display().to_string());
        spec
    }
}

/// rustc's `target_arch` for a triple's first part: `thumbv7m` and `armv7a` are `arm`,
/// `riscv32imac` is `riscv32`, `riscv64gc` is `riscv64`.
pub fn rustc_arch(first: &str) -> &str {
    if first.starts_with("thumb") || first.starts_with("arm") {
        "arm"
    } else if first.starts_with("riscv32") {
        "riscv32"
    } else if first.starts_with("riscv64") {
        "riscv64"
    } else {
        first
    }
}
