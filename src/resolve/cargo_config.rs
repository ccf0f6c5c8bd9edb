//! The user's cargo configuration that crossflake must keep: a runner for the
//! target, the rustflags cargo would use, and the default target.
//!
//! From `cargo-config2`: the files cargo reads (its `Walk`: `.cargo/config` or
//! `.cargo/config.toml` from the current directory up, `config` first as in
//! cargo, then `$CARGO_HOME`) and the typed shapes of the keys read here
//! (`de::Config`: runners as program and args, flags as string or list).
//! Not from it, and why:
//! - its loader types every table it knows and refuses values newer cargo
//!   takes (`build.jobs = "default"` in 0.1.45); crossflake must not refuse
//!   what cargo builds, so each file is cut to the keys read here first;
//! - its resolved view (`Config::runner`, `Config::rustflags`) runs
//!   `rustc --print cfg` itself for `[target.'cfg(..)']` tables: outside
//!   `exec`, without the RUSTC_BOOTSTRAP a target JSON needs on a stable
//!   rustc, failing when no rustc is at hand; and it takes one of two matching
//!   cfg runners where cargo refuses. So the target's cfg is [`TargetCfg`]
//!   (asked of the command's own rustc by resolve/user.rs), evaluated with
//!   `cargo-platform`, cargo's own cfg parser, and precedence is done here;
//! - it has no `--config` (its issue #3): `--config KEY=VALUE` and
//!   `--config file.toml` are layers above the files, the last given first.
//!
//! Precedence as cargo 1.95 does it (tests/launcher/cargo_config.rs): a runner
//! from `--config`, then `CARGO_TARGET_<T>_RUNNER`, then `[target.<triple>]`
//! of the deepest file, then the one matching cfg table; lists (rustflags)
//! join the files (outermost first), then the environment, then `--config`;
//! `CARGO_ENCODED_RUSTFLAGS` or `RUSTFLAGS`, when set at all, replace them.
//! Relative programs with a `/` are taken from the directory holding the
//! file's directory (`.cargo/`, or a `--config` file's), else from the cwd.
use crate::failure::Failure;
use cargo_config2::de;
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

/// One source of values: a `--config` argument or one file, with the directory its
/// relative programs are taken from.
#[derive(Debug, Clone)]
struct Layer {
    source: Source,
    root: PathBuf,
    cli: bool,
    config: de::Config,
    /// `[unstable] build-std` is set (not a key cargo-config2 knows).
    build_std: bool,
}

impl Layer {
    fn target(&self, key: &str) -> Option<&de::TargetConfig> {
        self.config.target.get(key)
    }

    fn runner(&self, r: &de::PathAndArgs, key: String) -> UserRunner {
        let argv = std::iter::once(r.path.raw_value()).chain(r.args.iter().map(|a| a.val.as_str()));
        UserRunner { argv: program_at(argv.map(String::from).collect(), &self.root), source: self.source.clone(), key }
    }
}

/// The files cargo reads and the `--config` overlay.
#[derive(Debug, Clone, Default)]
pub struct CargoConfig {
    /// `--config` arguments (the last given first), then the files (the deepest first).
    layers: Vec<Layer>,
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
                layers.push(read_file(&as_file, true)?);
                continue;
            }
            let table = c.parse().map_err(|e: toml::de::Error| {
                Failure::usage(format!("--config {c} is not a TOML `KEY=VALUE` or a .toml file: {}", e.message()))
            })?;
            let build_std = build_std(&table);
            let config = typed(table).map_err(|e| Failure::usage(format!("--config {c}: {e}")))?;
            layers.push(Layer {
                source: Source::Cli(c.clone()),
                root: cwd.to_path_buf(),
                cli: true,
                config,
                build_std,
            });
        }
        for file in cargo_config2::Walk::with_cargo_home(cwd, cargo_home.map(Path::to_path_buf)) {
            layers.push(read_file(&file, false)?);
        }
        Ok(CargoConfig { layers })
    }

    fn cli(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().filter(|l| l.cli)
    }

    fn files(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().filter(|l| !l.cli)
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
        let exact = |l: &Layer| Some(l.runner(l.target(triple)?.runner.as_ref()?, key.clone()));
        if let Some(r) = self.cli().find_map(exact) {
            return Ok(Some(r));
        }
        if let Some(v) = env(var).filter(|v| !v.trim().is_empty()) {
            let argv = program_at(split(&v), cwd);
            return Ok(Some(UserRunner { argv, source: Source::Env(var.to_string()), key }));
        }
        if let Some(r) = self.files().find_map(exact) {
            return Ok(Some(r));
        }
        // cfg tables: the first (highest-precedence) definition of each key counts.
        let mut matched: Vec<(&str, UserRunner)> = Vec::new();
        for layer in &self.layers {
            for (expr, table) in cfg_tables(&layer.config) {
                let Some(r) = &table.runner else { continue };
                if !matched.iter().any(|(e, _)| *e == expr) && cfg(expr) {
                    matched.push((expr, layer.runner(r, format!("target.'{expr}'.runner"))));
                }
            }
        }
        match matched.len() {
            0 | 1 => Ok(matched.pop().map(|(_, r)| r)),
            _ => Err(Failure::usage(format!(
                "several `[target.'cfg(..)'] runner` tables match {triple}: {} (cargo refuses this too)",
                matched.iter().map(|(e, r)| format!("{e} in {}", r.source)).collect::<Vec<_>>().join(", ")
            ))
            .next(format!("keep one, or set [target.{triple}] runner, which wins over cfg tables"))),
        }
    }

    /// The rustflags cargo would use for `triple`, by its rule: `CARGO_ENCODED_RUSTFLAGS`,
    /// else `RUSTFLAGS`, else `target.<triple>.rustflags` (files, then
    /// CARGO_TARGET_<T>_RUSTFLAGS, then `--config`) followed by matching
    /// `target.'cfg(..)'.rustflags`, else `build.rustflags` (files, CARGO_BUILD_RUSTFLAGS,
    /// `--config`). `kind` is "rustflags" or "rustdocflags" (env names RUSTDOCFLAGS etc.).
    pub fn flags(
        &self,
        kind: &str,
        triple: &str,
        env: &dyn Fn(&str) -> Option<String>,
        cfg: &dyn Fn(&str) -> bool,
    ) -> Option<(Vec<String>, Source)> {
        let upper = kind.to_uppercase();
        let doc = kind == "rustdocflags";
        // Set at all (even empty), these replace every config value, as in cargo.
        if let Some(v) = env(&format!("CARGO_ENCODED_{upper}")) {
            let flags = if v.is_empty() { vec![] } else { v.split('\x1f').map(String::from).collect() };
            return Some((flags, Source::Env(format!("CARGO_ENCODED_{upper}"))));
        }
        if let Some(v) = env(&upper) {
            return Some((split(&v), Source::Env(upper)));
        }
        let tvar = format!("CARGO_TARGET_{}_{upper}", triple.to_uppercase().replace(['-', '.'], "_"));
        let mut found = self.joined(
            |l| l.target(triple).and_then(|t| pick(&t.rustflags, &t.rustdocflags, doc)),
            env(&tvar).map(|v| (v, tvar)),
        );
        // Each matching cfg table in key order, its list joined across layers like any list.
        let exprs: std::collections::BTreeSet<&str> =
            self.layers.iter().flat_map(|l| cfg_tables(&l.config)).map(|(e, _)| e).collect();
        for expr in exprs.into_iter().filter(|e| cfg(e)) {
            found.extend(self.joined(|l| l.target(expr).and_then(|t| pick(&t.rustflags, &t.rustdocflags, doc)), None));
        }
        if found.is_empty() {
            let bvar = format!("CARGO_BUILD_{upper}");
            found = self.joined(
                |l| pick(&l.config.build.rustflags, &l.config.build.rustdocflags, doc),
                env(&bvar).map(|v| (v, bvar)),
            );
        }
        let source = found.first()?.1.clone();
        Some((found.into_iter().map(|(f, _)| f).collect(), source))
    }

    /// A list value as cargo joins it: the files' (the outermost first), then the
    /// environment's, then each `--config` in the order given; each flag with its source.
    fn joined<'a>(
        &'a self,
        get: impl Fn(&'a Layer) -> Option<&'a de::Flags>,
        from_env: Option<(String, String)>,
    ) -> Vec<(String, Source)> {
        let of = |l: &'a Layer| get(l).into_iter().flat_map(|f| &f.flags).map(|v| (v.val.clone(), l.source.clone()));
        let mut out: Vec<_> = self.files().collect::<Vec<_>>().into_iter().rev().flat_map(of).collect();
        if let Some((v, var)) = from_env {
            out.extend(split(&v).into_iter().map(|f| (f, Source::Env(var.clone()))));
        }
        out.extend(self.cli().collect::<Vec<_>>().into_iter().rev().flat_map(of));
        out
    }

    /// `build.target` (a single one), highest precedence first: `--config`, then
    /// CARGO_BUILD_TARGET, then the files. A target JSON path in a file is taken from
    /// the directory holding its `.cargo/`, as cargo does.
    /// Whether some config cargo reads sets `[unstable] build-std`.
    pub fn unstable_build_std(&self) -> bool {
        self.layers.iter().any(|l| l.build_std)
    }

    pub fn build_target(&self, env: &dyn Fn(&str) -> Option<String>) -> Option<(String, Source)> {
        let of = |l: &Layer| {
            let t = match l.config.build.target.as_ref()? {
                de::StringOrArray::String(t) => &t.val,
                de::StringOrArray::Array(a) if a.len() == 1 => &a[0].val,
                de::StringOrArray::Array(_) => return None,
            };
            // A target JSON (`.json`, or a path) in a file is relative to the file's root.
            let spec = !l.cli && (t.ends_with(".json") || t.contains('/')) && !Path::new(t).is_absolute();
            Some((if spec { l.root.join(t).display().to_string() } else { t.clone() }, l.source.clone()))
        };
        let var = "CARGO_BUILD_TARGET";
        let from_env = || env(var).filter(|t| !t.is_empty()).map(|t| (t, Source::Env(var.into())));
        self.cli().find_map(of).or_else(from_env).or_else(|| self.files().find_map(of))
    }
}

fn build_std(table: &toml::Table) -> bool {
    table.get("unstable").and_then(|u| u.get("build-std")).is_some()
}

/// Reads a config file (`cli`: given as `--config file.toml`); its relative programs are
/// taken from the directory holding its directory (`.cargo/`), as cargo takes them.
fn read_file(file: &Path, cli: bool) -> Result<Layer, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read the cargo config {}: {e}", file.display())))?;
    let bad = |e: String| {
        Failure::usage(format!("the cargo config {} is not valid: {}", file.display(), e.trim()))
            .next("fix it (cargo would refuse it too)")
    };
    let table = text.parse().map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
    let build_std = build_std(&table);
    let config = typed(table).map_err(bad)?;
    let root = file.parent().and_then(Path::parent).unwrap_or(Path::new("/")).to_path_buf();
    Ok(Layer { source: Source::File(file.to_path_buf()), root, cli, config, build_std })
}

/// The keys read here, typed by cargo-config2; the rest is cargo's to judge (cargo-config2
/// types every table it knows and refuses what newer cargo accepts, `build.jobs = "default"`).
fn typed(mut table: toml::Table) -> Result<de::Config, String> {
    fn keep<T: serde::de::DeserializeOwned>(key: &str, v: Option<toml::Value>, keys: &[&str]) -> Result<T, String> {
        let kept: toml::Table = match v {
            Some(toml::Value::Table(t)) => t.into_iter().filter(|(k, _)| keys.contains(&k.as_str())).collect(),
            _ => toml::Table::new(),
        };
        toml::Value::Table(kept).try_into().map_err(|e: toml::de::Error| format!("{key}: {}", e.message().trim()))
    }
    let mut config = de::Config::default();
    config.build = keep("build", table.remove("build"), &["target", "rustflags", "rustdocflags"])?;
    if let Some(toml::Value::Table(targets)) = table.remove("target") {
        for (k, v) in targets {
            let t = keep(&format!("[target.{k}]"), Some(v), &["runner", "rustflags", "rustdocflags"])?;
            config.target.insert(k, t);
        }
    }
    Ok(config)
}

/// `rustflags` or `rustdocflags` of a table.
fn pick<'a>(flags: &'a Option<de::Flags>, doc_flags: &'a Option<de::Flags>, doc: bool) -> Option<&'a de::Flags> {
    if doc {
        doc_flags.as_ref()
    } else {
        flags.as_ref()
    }
}

fn split(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

fn cfg_tables(config: &de::Config) -> impl Iterator<Item = (&str, &de::TargetConfig)> {
    config.target.iter().filter(|(k, _)| k.starts_with("cfg(")).map(|(k, v)| (k.as_str(), v))
}

/// A program with a `/` in it is relative to `base`; a bare name is looked up on PATH later.
fn program_at(mut argv: Vec<String>, base: &Path) -> Vec<String> {
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
    pub entries: Vec<cargo_platform::Cfg>,
}

impl TargetCfg {
    /// Reads `rustc --print cfg` output; lines cargo-platform cannot read are left out.
    pub fn parse(text: &str) -> TargetCfg {
        TargetCfg { entries: text.lines().filter_map(|l| l.trim().parse().ok()).collect() }
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
        let os = [("-linux", "linux"), ("-windows", "windows"), ("-darwin", "macos"), ("wasi", "wasi")]
            .into_iter()
            .find_map(|(part, os)| triple.contains(part).then_some(os))
            .unwrap_or("none");
        let env = ["gnu", "musl"].into_iter().find(|e| parts.last().is_some_and(|l| l.starts_with(e))).unwrap_or("");
        let vendor = parts.get(1).copied().unwrap_or("unknown");
        let mut text =
            format!("target_arch=\"{arch}\"\ntarget_os=\"{os}\"\ntarget_env=\"{env}\"\ntarget_vendor=\"{vendor}\"\n");
        match os {
            "linux" | "macos" => text.push_str("target_family=\"unix\"\nunix\n"),
            "windows" => text.push_str("target_family=\"windows\"\nwindows\n"),
            "wasi" => text.push_str("target_family=\"wasm\"\n"),
            _ => {}
        }
        TargetCfg::parse(&text)
    }

    /// Evaluates `cfg(...)` as cargo does (all, any, not, `name`, `name = "value"`, true,
    /// false); Err on a malformed one.
    pub fn eval(&self, expr: &str) -> Result<bool, String> {
        match expr.trim().parse::<cargo_platform::Platform>().map_err(|e| e.to_string())? {
            cargo_platform::Platform::Cfg(c) => Ok(c.matches(&self.entries)),
            cargo_platform::Platform::Name(n) => Err(format!("{n} is not cfg(...)")),
        }
    }
}
