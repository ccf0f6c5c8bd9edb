//! The environments cargo runs in: the host's own cross tools (`host`) or the
//! flake's dev shell (`nix`); macOS SDKs registered for the flake (`sdk`);
//! what each target needs here (`doctor`). The main entry points are
//! [`prepare`] (choose the backend and resolve its environment, the user's
//! cargo configuration and runner) and [`plan`] (hand both to the backend's
//! planner, which builds the one cargo step).
pub mod doctor;
pub mod host;
pub mod nix;
pub mod sdk;

use crate::events::Sink;
use crate::failure::Failure;
use crate::plan::Plan;
use crate::request::{BackendChoice, CargoRequest, NixArgs, RunnerMode};
use crate::resolve::cargo_config::UserRunner;
use crate::resolve::machine::HostEnv;
use crate::resolve::user::{crate_dir, UserConfig};
use crate::targets::{Registry, TargetSpec};
use std::path::{Path, PathBuf};

/// What every planned command shares.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub registry: &'a Registry,
    pub sink: &'a dyn Sink,
    pub env: &'a HostEnv,
    pub backend: Option<BackendChoice>,
    pub nix: &'a NixArgs,
    pub dry_run: bool,
}

/// The environment a plan is made for.
#[derive(Debug, Clone)]
pub enum Backend {
    Host,
    Nix(nix::Resolved),
}

/// Everything resolved for one target and request.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub backend: Backend,
    /// The runner the user (or the dev shell) set, which crossflake's runner wraps.
    pub user_runner: Option<UserRunner>,
    /// The user's cargo configuration, read once for the runner and the flags.
    pub config: UserConfig,
}

/// The backend to use: the one asked for, else Nix when it is on PATH and the flake has
/// a shell for the target, else the host's tools (the reason said when it is news).
pub fn choose(ctx: &Context, spec: &TargetSpec, dir: &Path) -> BackendChoice {
    match ctx.backend {
        Some(b) => b,
        None if ctx.env.which("nix").is_some() => match nix::usable(ctx.env, spec, dir, ctx.nix, ctx.sink) {
            Ok(()) => BackendChoice::Nix,
            Err(n) => {
                let msg = format!("using the host backend: the Nix backend cannot serve: {}", n.why);
                match n.news {
                    true => ctx.sink.note_once("backend", &msg),
                    false => ctx.sink.event(crate::events::Event::Detail(msg)),
                }
                BackendChoice::Host
            }
        },
        None => BackendChoice::Host,
    }
}

/// Resolves the environment for `spec` and `req`: backend, dev shell, the user's runner.
pub fn prepare(ctx: &Context, spec: &TargetSpec, req: &CargoRequest) -> Result<Prepared, Failure> {
    let dir = crate_dir(req).unwrap_or_else(|_| req.cwd.clone());
    let backend = match choose(ctx, spec, &dir) {
        BackendChoice::Host => Backend::Host,
        BackendChoice::Nix => Backend::Nix(nix::resolve(ctx.env, spec, &dir, ctx.nix, ctx.dry_run, ctx.sink)?),
    };
    let rustc: Option<PathBuf> = match &backend {
        Backend::Host => host::rustc(ctx.env, spec, req),
        Backend::Nix(r) => r.vars().and_then(|v| v.get("RUSTC").map(PathBuf::from)),
    };
    if let Some(gap) = ctx.env.firmware_gap(spec) {
        ctx.sink.note_once("firmware", &format!("note: {gap}"));
    }
    let target = crate::plan::cargo_step::target_arg(spec, ctx.registry.dir.as_deref())?;
    let config = UserConfig::load(spec, req, target, rustc.as_deref())?;
    let mut user = config.runner(spec, req)?;
    if let (None, Backend::Nix(r)) = (&user, &backend) {
        user = r.vars().and_then(|v| nix::cargo::shell_runner(spec, v));
    }
    let mode = match req.runner {
        RunnerMode::Wrap => crate::resolve::crate_meta::CrateMeta::read(&dir)?.runner.unwrap_or_default(),
        explicit => explicit,
    };
    if let Some(u) = &user {
        let shown = u.argv.join(" ");
        match mode {
            RunnerMode::Crossflake => {
                ctx.sink.note_once(
                    "runner",
                    &format!(
                        "not using the runner `{shown}` ({} in {}): --runner crossflake asks for crossflake's emulator",
                        u.key, u.source
                    ),
                );
                user = None;
            }
            RunnerMode::Wrap => ctx.sink.note_once(
                "runner",
                &format!(
                    "programs run with your runner `{shown}` ({} in {}), inside crossflake's runner (timeout, and \
                     everything it starts stopped with it); --runner crossflake uses crossflake's emulator instead",
                    u.key, u.source
                ),
            ),
        }
    }
    Ok(Prepared { backend, user_runner: user, config })
}

/// Plans the command for `spec` in the prepared environment. Pure.
pub fn plan(ctx: &Context, spec: &TargetSpec, req: &CargoRequest, prepared: &Prepared) -> Result<Plan, Failure> {
    let dir = ctx.registry.dir.as_deref();
    // No runner of the user's, yet one inherited from a crossflake shell: said to be none.
    let none: &[String] = &[];
    let inherited = std::env::var_os(crate::plan::cargo_step::wrap_var(spec)).is_some();
    let wrap = match &prepared.user_runner {
        Some(u) => Some(u.argv.as_slice()),
        None => inherited.then_some(none),
    };
    match &prepared.backend {
        Backend::Host => host::plan(ctx.env, spec, req, wrap, dir),
        Backend::Nix(r) => nix::plan(ctx.env, spec, req, r, wrap, dir),
    }
}

/// Prepares and plans in one go (what matrix, repro and dist need per target).
pub fn prepare_and_plan(ctx: &Context, spec: &TargetSpec, req: &CargoRequest) -> Result<(Plan, Prepared), Failure> {
    let prepared = prepare(ctx, spec, req)?;
    Ok((plan(ctx, spec, req, &prepared)?, prepared))
}
