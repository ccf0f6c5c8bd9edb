//! A dev shell's environment, read from `nix print-dev-env --json`, and how
//! it is applied to a step the way `nix develop` applies it: the shell's
//! exported variables are set on top of the inherited environment, except the
//! ones nix develop ignores; PATH and XDG_DATA_DIRS are the shell's followed by
//! the outer ones. Variables the shell does not set stay inherited (nix
//! develop without --ignore-environment keeps them too).
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Variables `nix develop` does not take from the shell (src/nix/develop.cc, `ignoreVars`):
/// the build sandbox's own values, meaningless or harmful in the user's session.
pub const IGNORED: &[&str] = &[
    "BASHOPTS",
    "HOME",
    "NIX_BUILD_TOP",
    "NIX_ENFORCE_PURITY",
    "NIX_LOG_FD",
    "NIX_REMOTE",
    "PPID",
    "SHELLOPTS",
    "SSL_CERT_FILE",
    "TEMP",
    "TEMPDIR",
    "TERM",
    "TMP",
    "TMPDIR",
    "TZ",
    "UID",
];

/// Variables whose shell value goes first and whose outer value is kept after it.
pub const PREPENDED: &[&str] = &["PATH", "XDG_DATA_DIRS"];

/// The exported variables of a dev shell (non-exported shell variables, arrays and
/// bash functions do not reach a child process, so they are dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevEnv {
    pub vars: BTreeMap<String, String>,
}

impl DevEnv {
    /// Parses `nix print-dev-env --json` output.
    pub fn parse(json: &str) -> Result<DevEnv> {
        let value: serde_json::Value = serde_json::from_str(json).context("the dev environment is not valid JSON")?;
        let Some(vars) = value.get("variables").and_then(|v| v.as_object()) else {
            bail!("the dev environment JSON has no `variables` object");
        };
        let mut out = BTreeMap::new();
        for (name, var) in vars {
            if var.get("type").and_then(|t| t.as_str()) != Some("exported") {
                continue;
            }
            if IGNORED.contains(&name.as_str()) || name.starts_with("BASH_") {
                continue;
            }
            if let Some(v) = var.get("value").and_then(|v| v.as_str()) {
                out.insert(name.clone(), v.to_string());
            }
        }
        Ok(DevEnv { vars: out })
    }

    /// The shell's own PATH entries.
    pub fn shell_path(&self) -> Vec<PathBuf> {
        self.vars.get("PATH").map(|p| std::env::split_paths(p).collect()).unwrap_or_default()
    }

    /// The variables to set for a command in the shell, given the outer environment's values
    /// (`outer("PATH")`): the shell's variables, with PATH = shell's PATH + ":" + outer PATH.
    pub fn apply(&self, outer: impl Fn(&str) -> Option<String>) -> BTreeMap<String, String> {
        let mut vars = self.vars.clone();
        for name in PREPENDED {
            match (vars.get(*name), outer(name).filter(|o| !o.is_empty())) {
                (Some(inner), Some(o)) if !inner.is_empty() => {
                    let joined = format!("{inner}:{o}");
                    vars.insert(name.to_string(), joined);
                }
                (Some(_), Some(o)) => {
                    vars.insert(name.to_string(), o);
                }
                _ => {}
            }
        }
        vars
    }
}

/// Inside a crossflake dev shell that serves `spec` (the flake's shells export
/// `CROSSFLAKE_NIX_TARGETS`, and `CROSSFLAKE_NIX_SHELL` naming the shell), unless another
/// flake is asked for: the shell's name.
pub fn inside_shell(spec: &TargetSpec, flake: Option<&str>) -> Option<String> {
    let targets = process_env("CROSSFLAKE_NIX_TARGETS").filter(|_| flake.is_none())?;
    targets.split_whitespace().any(|t| t == spec.name).then(|| process_env("CROSSFLAKE_NIX_SHELL").unwrap_or_default())
}

impl DevEnv {
    /// The environment of the shell we are already in: PATH and the target's `CARGO_TARGET_<T>_*`.
    pub fn current(spec: &TargetSpec, path: String, var: impl Fn(&str) -> Option<String>) -> DevEnv {
        let prefix = format!("CARGO_TARGET_{}_", spec.cargo_env());
        let mut vars: BTreeMap<String, String> = ["LINKER", "RUNNER", "RUSTFLAGS"]
            .iter()
            .filter_map(|s| Some((format!("{prefix}{s}"), var(&format!("{prefix}{s}"))?)))
            .collect();
        vars.insert("PATH".into(), path);
        DevEnv { vars }
    }
}

pub use crate::support::fs::find_in_path as find_program;

/// The outer environment as the process sees it.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
