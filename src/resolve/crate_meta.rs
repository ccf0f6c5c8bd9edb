//! A crate's own settings for crossflake, `[package.metadata.crossflake]` in
//! its Cargo.toml, read in one place and checked (a misspelt key is named):
//!
//! ```toml
//! [package.metadata.crossflake]
//! kind = "bare-metal"          # the matrix's default targets: std or bare-metal
//! targets = ["cortex-m3"]      # or exactly these (a firmware for some machines only)
//! runner = "crossflake"        # ignore a configured runner (default: wrap it)
//! targets_dir = "boards"       # the crate's own target files (boards, machine variants)
//! panic_rule = true            # console rules (src/run/verdict.rs)
//! pass_pattern = "^all tests passed$"
//! fail_pattern = "^FAIL"
//! ```
use crate::failure::Failure;
use crate::request::RunnerMode;
use crate::targets::{Kind, RuleSpec};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    kind: Option<Kind>,
    targets: Option<Vec<String>>,
    runner: Option<RunnerMode>,
    targets_dir: Option<PathBuf>,
    #[serde(flatten)]
    rules: RuleSpec,
}

/// What a crate says, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrateMeta {
    pub manifest: Option<PathBuf>,
    pub kind: Option<Kind>,
    /// The matrix's targets when `--targets` is not given (names, aliases or triples).
    pub targets: Option<Vec<String>>,
    pub runner: Option<RunnerMode>,
    /// Absolute (relative paths are taken from the manifest's directory).
    pub targets_dir: Option<PathBuf>,
    pub rules: RuleSpec,
}

impl CrateMeta {
    /// Reads `dir/Cargo.toml`; no file or no table is the default, a malformed table an error.
    pub fn read(dir: &Path) -> Result<CrateMeta, Failure> {
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else { return Ok(CrateMeta::default()) };
        let bad =
            |why: String| Failure::usage(format!("[package.metadata.crossflake] in {}: {why}", manifest.display()));
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| bad(e.message().trim().to_string()))?;
        let Some(meta) = table.get("package").and_then(|p| p.get("metadata")).and_then(|m| m.get("crossflake")) else {
            return Ok(CrateMeta { manifest: Some(manifest), ..CrateMeta::default() });
        };
        let raw: Raw = meta.clone().try_into().map_err(|e: toml::de::Error| bad(e.message().trim().to_string()))?;
        Ok(CrateMeta {
            targets_dir: raw.targets_dir.map(|d| dir.join(d)),
            manifest: Some(manifest),
            kind: raw.kind,
            targets: raw.targets,
            runner: raw.runner,
            rules: raw.rules,
        })
    }

    /// The crate of the program being run: `$CARGO_MANIFEST_DIR` (cargo sets it for the
    /// programs it runs), else the nearest Cargo.toml upward from the current directory.
    pub fn of_running_program() -> Result<CrateMeta, Failure> {
        let start = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).or_else(|| std::env::current_dir().ok());
        match start.and_then(|d| crate::support::fs::crate_dir_of(&d)) {
            Some(dir) => CrateMeta::read(&dir),
            None => Ok(CrateMeta::default()),
        }
    }

    /// The rules and the file they came from, for `verdict::Rules::new`.
    pub fn rules_with_source(&self) -> (RuleSpec, String) {
        (self.rules.clone(), self.manifest.as_ref().map(|m| m.display().to_string()).unwrap_or_default())
    }
}
