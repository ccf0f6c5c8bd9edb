//! The user's cargo configuration that crossflake must keep: a runner for the
//! target, and the default target. Read the way cargo documents it (`cargo
//! config get` is unstable): `.cargo/config.toml` (or `.cargo/config`) in the
//! current directory and each parent, deeper files first, then
//! `$CARGO_HOME/config.toml`; `--config` values and files on the command line
//! above all files; `CARGO_TARGET_<T>_RUNNER` above files, below `--config`.
//! `[target.<triple>]` wins over `[target.'cfg(...)']`; two matching cfg
//! tables with a runner are an error, as in cargo.
use crate::failure::Failure;
use std::path::{Path, PathBuf};

/// Where a value came from, for the one-line note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Cli(String),
    Env(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Cli(v) => write!(f, "--config {v}"),
            Source::Env(v) => write!(f, "${v}"),
        }
    }
}

/// One config layer: a file, or a `--config` value.
#[derive(Debug, Clone)]
pub struct Layer {
    pub source: Source,
    pub table: toml::Table,
    /// Relative program paths (with a `/`) are taken from here.
    pub base: PathBuf,
}

/// The layers, highest precedence first.
#[derive(Debug, Clone, Default)]
pub struct CargoConfig {
    pub layers: Vec<Layer>,
}

/// A runner the user configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRunner {
    pub argv: Vec<String>,
    pub source: Source,
    /// The key it was read from (`target.aarch64-unknown-linux-gnu.runner`).
    pub key: String,
}

impl CargoConfig {
    /// Reads the files cargo would read from `cwd`, plus `--config` arguments (`cli`).
    pub fn load(cwd: &Path, cargo_home: Option<&Path>, cli: &[String]) -> Result<CargoConfig, Failure> {
        let mut layers = Vec::new();
        for c in cli.iter().rev() {
            let as_file = cwd.join(c);
            if c.ends_with(".toml") && as_file.is_file() {
                layers.push(read_layer(&as_file, as_file.parent().unwrap_or(cwd))?);
            } else {
                let table: toml::Table = c.parse().map_err(|e: toml::de::Error| {
                    Failure::usage(format!("--config {c} is not a TOML `KEY=VALUE` or a .toml file: {}", e.message()))
                })?;
                layers.push(Layer { source: Source::Cli(c.clone()), table, base: cwd.to_path_buf() });
            }
        }
        let mut seen = Vec::new();
        for dir in cwd.ancestors() {
            for name in ["config.toml", "config"] {
                let f = dir.join(".cargo").join(name);
                if f.is_file() {
                    layers.push(read_layer(&f, dir)?);
                    seen.push(f);
                    break;
                }
            }
        }
        if let Some(home) = cargo_home {
            for name in ["config.toml", "config"] {
                let f = home.join(name);
                if f.is_file() && !seen.iter().any(|s| same_file(s, &f)) {
                    layers.push(read_layer(&f, home.parent().unwrap_or(home))?);
                    break;
                }
            }
        }
        Ok(CargoConfig { layers })
    }

    /// The runner for `triple`: `var` (CARGO_TARGET_<T>_RUNNER) from `env`, above the
    /// files; `--config` above both. `cfg` tells whether a cfg expression holds for the target.
    pub fn runner(
        &self,
        triple: &str,
        var: &str,
        env: &dyn Fn(&str) -> Option<String>,
        cwd: &Path,
        cfg: &dyn Fn(&str) -> bool,
    ) -> Result<Option<UserRunner>, Failure> {
        let key = format!("target.{triple}.runner");
        let from_env = env(var).filter(|v| !v.trim().is_empty()).map(|v| UserRunner {
            argv: resolve_program(v.split_whitespace().map(String::from).collect(), cwd),
            source: Source::Env(var.to_string()),
            key: key.clone(),
        });
        // --config layers come first in `layers` and beat the environment.
        for layer in self.layers.iter().filter(|l| matches!(l.source, Source::Cli(_))) {
            if let Some(r) = triple_runner(layer, triple)? {
                return Ok(Some(r));
            }
        }
        if from_env.is_some() {
            return Ok(from_env);
        }
        for layer in self.layers.iter().filter(|l| !matches!(l.source, Source::Cli(_))) {
            if let Some(r) = triple_runner(layer, triple)? {
                return Ok(Some(r));
            }
        }
        // cfg tables: the first (highest-precedence) definition of each key counts.
        let mut matched: Vec<(String, UserRunner)> = Vec::new();
        for layer in &self.layers {
            for (expr, table) in cfg_tables(&layer.table) {
                let Some(value) = table.get("runner") else { continue };
                if matched.iter().any(|(e, _)| e == expr) || !cfg(expr) {
                    continue;
                }
                let argv = runner_argv(value, &layer.source, &format!("target.'{expr}'.runner"))?;
                let key = format!("target.'{expr}'.runner");
                matched.push((
                    expr.to_string(),
                    UserRunner { argv: resolve_program(argv, &layer.base), source: layer.source.clone(), key },
                ));
            }
        }
        match matched.len() {
            0 => Ok(None),
            1 => Ok(matched.pop().map(|(_, r)| r)),
            _ => Err(Failure::usage(format!(
                "several `[target.'cfg(..)'] runner` tables match {triple}: {} (cargo refuses this too)",
                matched.iter().map(|(e, r)| format!("{e} in {}", r.source)).collect::<Vec<_>>().join(", ")
            ))
            .next(format!("keep one, or set [target.{triple}] runner, which wins over cfg tables"))),
        }
    }

    /// The rustflags cargo would use for `triple`, by its rule: `CARGO_ENCODED_RUSTFLAGS`,
    /// else `RUSTFLAGS`, else `target.<triple>.rustflags` (env or files) together with
    /// matching `target.'cfg(..)'.rustflags`, else `build.rustflags` (`CARGO_BUILD_RUSTFLAGS`).
    /// `kind` is "rustflags" or "rustdocflags" (whose env names are RUSTDOCFLAGS etc.).
    pub fn flags(
        &self,
        kind: &str,
        triple: &str,
        env: &dyn Fn(&str) -> Option<String>,
        cfg: &dyn Fn(&str) -> bool,
    ) -> Option<(Vec<String>, Source)> {
        let upper = kind.to_uppercase();
        let split = |s: String| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        if let Some(v) = env(&format!("CARGO_ENCODED_{upper}")).filter(|v| !v.is_empty()) {
            return Some((v.split('\x1f').map(String::from).collect(), Source::Env(format!("CARGO_ENCODED_{upper}"))));
        }
        if let Some(v) = env(&upper).filter(|v| !v.trim().is_empty()) {
            return Some((split(v), Source::Env(upper)));
        }
        let list = |v: &toml::Value| -> Vec<String> {
            match v {
                toml::Value::String(s) => s.split_whitespace().map(String::from).collect(),
                toml::Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
                _ => vec![],
            }
        };
        let tvar = format!("CARGO_TARGET_{}_{upper}", triple.to_uppercase().replace(['-', '.'], "_"));
        let mut found: Vec<String> = Vec::new();
        let mut source = None;
        if let Some(v) = env(&tvar).filter(|v| !v.trim().is_empty()) {
            found.extend(split(v));
            source = Some(Source::Env(tvar));
        } else if let Some((v, l)) =
            self.layers.iter().find_map(|l| Some((l.table.get("target")?.get(triple)?.get(kind)?, l)))
        {
            found.extend(list(v));
            source = Some(l.source.clone());
        }
        for l in &self.layers {
            for (expr, t) in cfg_tables(&l.table) {
                if let (Some(v), true) = (t.get(kind), cfg(expr)) {
                    found.extend(list(v));
                    source.get_or_insert(l.source.clone());
                }
            }
        }
        if let Some(s) = source {
            return Some((found, s));
        }
        let bvar = format!("CARGO_BUILD_{upper}");
        if let Some(v) = env(&bvar).filter(|v| !v.trim().is_empty()) {
            return Some((split(v), Source::Env(bvar)));
        }
        self.layers.iter().find_map(|l| Some((list(l.table.get("build")?.get(kind)?), l.source.clone())))
    }

    /// `build.target` (a single string), highest precedence first; CARGO_BUILD_TARGET wins.
    pub fn build_target(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<(String, Source)> {
        if let Some(t) = env("CARGO_BUILD_TARGET").filter(|t| !t.is_empty()) {
            return Some((t, Source::Env("CARGO_BUILD_TARGET".into())));
        }
        self.layers.iter().find_map(|l| {
            let t = l.table.get("build")?.get("target")?;
            let t = t.as_str().or_else(|| t.as_array().filter(|a| a.len() == 1)?.first()?.as_str())?;
            Some((t.to_string(), l.source.clone()))
        })
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Reads a config file; relative programs in it are taken from `base` (the directory
/// holding `.cargo/`).
fn read_layer(file: &Path, base: &Path) -> Result<Layer, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read the cargo config {}: {e}", file.display())))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        Failure::usage(format!("the cargo config {} is not valid TOML: {}", file.display(), e.message().trim()))
            .next("fix it (cargo would refuse it too)")
    })?;
    Ok(Layer { source: Source::File(file.to_path_buf()), table, base: base.to_path_buf() })
}

fn triple_runner(layer: &Layer, triple: &str) -> Result<Option<UserRunner>, Failure> {
    let key = format!("target.{triple}.runner");
    let Some(value) = layer.table.get("target").and_then(|t| t.get(triple)).and_then(|t| t.get("runner")) else {
        return Ok(None);
    };
    let argv = runner_argv(value, &layer.source, &key)?;
    Ok(Some(UserRunner { argv: resolve_program(argv, &layer.base), source: layer.source.clone(), key }))
}

fn cfg_tables(table: &toml::Table) -> impl Iterator<Item = (&str, &toml::Table)> {
    table
        .get("target")
        .and_then(|t| t.as_table())
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("cfg("))
        .filter_map(|(k, v)| Some((k.as_str(), v.as_table()?)))
}

/// A runner value: a string (split on whitespace, as cargo does) or an array of strings.
fn runner_argv(value: &toml::Value, source: &Source, key: &str) -> Result<Vec<String>, Failure> {
    let argv: Option<Vec<String>> = match value {
        toml::Value::String(s) => Some(s.split_whitespace().map(String::from).collect()),
        toml::Value::Array(a) => a.iter().map(|v| v.as_str().map(String::from)).collect(),
        _ => None,
    };
    match argv {
        Some(a) if !a.is_empty() => Ok(a),
        _ => Err(Failure::usage(format!("{key} in {source} must be a string or an array of strings"))),
    }
}

/// A program with a `/` in it is relative to `base`; a bare name is looked up on PATH later.
fn resolve_program(mut argv: Vec<String>, base: &Path) -> Vec<String> {
    if let Some(p) = argv.first_mut() {
        if p.contains('/') && !Path::new(p.as_str()).is_absolute() {
            *p = base.join(&*p).display().to_string();
        }
    }
    argv
}

/// A target's cfg values (`target_arch="aarch64"`, `unix`), as `rustc --print cfg` prints them.
#[derive(Debug, Clone, Default)]
pub struct TargetCfg {
    pub entries: Vec<(String, Option<String>)>,
}

impl TargetCfg {
    pub fn parse(text: &str) -> TargetCfg {
        let entries = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match l.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), Some(v.trim().trim_matches('"').to_string())),
                None => (l.trim().to_string(), None),
            })
            .collect();
        TargetCfg { entries }
    }

    /// The cfg of a triple as far as its parts tell (when rustc cannot be asked).
    pub fn from_triple(triple: &str) -> TargetCfg {
        let parts: Vec<&str> = triple.split('-').collect();
        let arch = match parts.first().copied().unwrap_or("") {
            a if a.starts_with("riscv64") => "riscv64",
            a if a.starts_with("riscv32") => "riscv32",
            a if a.starts_with("armv7") || a.starts_with("thumb") => "arm",
            "i686" | "i586" => "x86",
            "powerpc64le" => "powerpc64",
            a => a,
        };
        let os = if triple.contains("-linux") {
            "linux"
        } else if triple.contains("-windows") {
            "windows"
        } else if triple.contains("-darwin") {
            "macos"
        } else if triple.contains("wasi") {
            "wasi"
        } else {
            "none"
        };
        let env = ["gnu", "musl"].into_iter().find(|e| parts.last().is_some_and(|l| l.starts_with(e))).unwrap_or("");
        let family = match os {
            "linux" | "macos" => Some("unix"),
            "windows" => Some("windows"),
            "wasi" => Some("wasm"),
            _ => None,
        };
        let mut entries = vec![
            ("target_arch".to_string(), Some(arch.to_string())),
            ("target_os".into(), Some(os.into())),
            ("target_env".into(), Some(env.into())),
            ("target_vendor".into(), Some(parts.get(1).copied().unwrap_or("unknown").into())),
        ];
        if let Some(f) = family {
            entries.push(("target_family".into(), Some(f.into())));
            if f != "wasm" {
                entries.push((f.into(), None));
            }
        }
        TargetCfg { entries }
    }

    /// Evaluates `cfg(...)` (all, any, not, `name`, `name = "value"`); Err on a malformed one.
    pub fn eval(&self, expr: &str) -> Result<bool, String> {
        let inner = expr.trim().strip_prefix("cfg(").and_then(|r| r.strip_suffix(')')).ok_or("not cfg(...)")?;
        let tokens = tokenize(inner)?;
        let mut pos = 0;
        let v = self.eval_pred(&tokens, &mut pos)?;
        if pos != tokens.len() {
            return Err(format!("unexpected `{}`", tokens[pos]));
        }
        Ok(v)
    }

    fn eval_pred(&self, t: &[String], pos: &mut usize) -> Result<bool, String> {
        let name = t.get(*pos).ok_or("expected a predicate")?.clone();
        *pos += 1;
        match (name.as_str(), t.get(*pos).map(String::as_str)) {
            ("all" | "any" | "not", Some("(")) => {
                *pos += 1;
                let mut values = Vec::new();
                while t.get(*pos).map(String::as_str) != Some(")") {
                    values.push(self.eval_pred(t, pos)?);
                    match t.get(*pos).map(String::as_str) {
                        Some(",") => *pos += 1,
                        Some(")") => {}
                        other => return Err(format!("expected `,` or `)`, got {other:?}")),
                    }
                }
                *pos += 1;
                Ok(match name.as_str() {
                    "all" => values.iter().all(|v| *v),
                    "any" => values.iter().any(|v| *v),
                    _ if values.len() == 1 => !values[0],
                    _ => return Err("not() takes one predicate".into()),
                })
            }
            (_, Some("=")) => {
                *pos += 1;
                let value = t.get(*pos).ok_or("expected a value")?.trim_matches('"').to_string();
                *pos += 1;
                Ok(self.entries.iter().any(|(k, v)| *k == name && v.as_deref() == Some(value.as_str())))
            }
            _ => Ok(self.entries.iter().any(|(k, v)| *k == name && v.is_none())),
        }
    }
}

fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' | '=' => {
                out.push(c.to_string());
                chars.next();
            }
            '"' => {
                chars.next();
                let mut v = String::from('"');
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(ch) => v.push(ch),
                        None => return Err("unterminated string".into()),
                    }
                }
                v.push('"');
                out.push(v);
            }
            _ => {
                let mut w = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_alphanumeric() || ch == '_' {
                        w.push(ch);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if w.is_empty() {
                    return Err(format!("unexpected `{c}`"));
                }
                out.push(w);
            }
        }
    }
    Ok(out)
}
