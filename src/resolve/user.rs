//! The user's side of one command for one target: the crate's directory, the
//! cargo configuration cargo would read (once per target; the target's cfg,
//! for `[target.'cfg(..)']` tables, asked of rustc the first time a table
//! needs it), the runner the user configured, and the rustflags cargo would
//! use without crossflake.
use super::cargo_config::{CargoConfig, TargetCfg, UserRunner};
use crate::failure::Failure;
use crate::plan::cargo_step::{is_crossflake_runner, wrap_var};
use crate::request::CargoRequest;
use crate::step::Step;
use crate::targets::TargetSpec;
use std::path::{Path, PathBuf};

/// The cargo configuration cargo would read for one target.
#[derive(Debug, Clone)]
pub struct UserConfig {
    pub config: CargoConfig,
    /// The `--target` value rustc is asked about.
    target: String,
    triple: String,
    rustc: Option<PathBuf>,
    cfg: std::cell::OnceCell<TargetCfg>,
}

impl UserConfig {
    /// Reads the files and `--config` values cargo would read for `req`; `target` is the
    /// `--target` value, `rustc` the compiler to ask for the target's cfg.
    pub fn load(
        spec: &TargetSpec,
        req: &CargoRequest,
        target: String,
        rustc: Option<&Path>,
    ) -> Result<UserConfig, Failure> {
        Ok(UserConfig {
            config: CargoConfig::load(&req.cwd, crate::support::paths::cargo_home().as_deref(), &req.peek().configs)?,
            target,
            triple: spec.rust_triple.clone(),
            rustc: rustc.map(Path::to_path_buf),
            cfg: std::cell::OnceCell::new(),
        })
    }

    /// Whether a `cfg(..)` expression holds for the target (false when malformed).
    pub fn holds(&self, expr: &str) -> bool {
        self.cfg
            .get_or_init(|| target_cfg(self.rustc.as_deref(), &self.target, &self.triple))
            .eval(expr)
            .unwrap_or(false)
    }

    /// The runner the user configured for the target, as cargo would pick it; None when it
    /// is crossflake's own (inside `crossflake env`/`shell`), unless that one wraps theirs.
    pub fn runner(&self, spec: &TargetSpec, req: &CargoRequest) -> Result<Option<UserRunner>, Failure> {
        let var = format!("CARGO_TARGET_{}_RUNNER", spec.cargo_env());
        let env_of = |k: &str| std::env::var(k).ok();
        let found = self.config.runner(&spec.rust_triple, &var, &env_of, &req.cwd, &|e| self.holds(e))?;
        Ok(match found {
            Some(r) if is_crossflake_runner(&r.argv) => std::env::var(wrap_var(spec))
                .ok()
                .and_then(|j| serde_json::from_str::<Vec<String>>(&j).ok())
                .filter(|argv| !argv.is_empty())
                .map(|argv| UserRunner { argv, source: r.source.clone(), key: r.key.clone() }),
            other => other,
        })
    }

    /// The rustflags and rustdocflags cargo would use for the target without crossflake,
    /// and where each came from.
    pub fn flags(&self, spec: &TargetSpec) -> (crate::plan::coverage::Flags, crate::plan::coverage::Flags) {
        let env_of = |k: &str| std::env::var(k).ok();
        let cfg = |e: &str| self.holds(e);
        let get =
            |kind: &str| self.config.flags(kind, &spec.rust_triple, &env_of, &cfg).map(|(f, s)| (f, s.to_string()));
        (get("rustflags"), get("rustdocflags"))
    }
}

/// The crate's directory: the manifest's, else the nearest Cargo.toml upward from the cwd.
pub fn crate_dir(req: &CargoRequest) -> Result<PathBuf, Failure> {
    if let Some(m) = req.peek().manifest_path {
        let m = req.cwd.join(m);
        let m = m.canonicalize().map_err(|e| {
            Failure::usage(format!("cannot read the manifest {}: {e}", m.display()))
                .next("pass --manifest-path with the path of a Cargo.toml")
        })?;
        return Ok(m.parent().unwrap_or(Path::new("/")).to_path_buf());
    }
    crate::support::fs::crate_dir_of(&req.cwd).ok_or_else(|| {
        Failure::usage(format!("no Cargo.toml in {} or above", req.cwd.display()))
            .next("run from a crate directory, or pass --manifest-path")
    })
}

/// The target's cfg, for `[target.'cfg(..)']` tables: asked of rustc, else read off the triple.
fn target_cfg(rustc: Option<&Path>, target: &str, triple: &str) -> TargetCfg {
    let asked = rustc.and_then(|r| {
        let step = Step::new("rustc --print cfg", r.display().to_string())
            .args(["--print", "cfg", "--target", target])
            .env("RUSTC_BOOTSTRAP", "1");
        let got = crate::exec::capture(&step).ok()?;
        got.success().then(|| TargetCfg::parse(&got.stdout))
    });
    asked.unwrap_or_else(|| TargetCfg::from_triple(triple))
}
