//! The one pipeline every command that runs cargo goes through (build, test,
//! run, cargo, nextest, env, shell, matrix, repro, dist): find the crate,
//! resolve the environment (backend choice, the Nix dev shell, the user's
//! runner), plan (pure), execute the plan's steps emitting events, report.
use crate::plan::cargo_step::is_crossflake_runner;
use crate::resolve::cargo_config::{CargoConfig, TargetCfg, UserRunner};
use crate::events::{Event, Say};
use crate::exec::{self, Ending, Output};
use crate::exit::{self, Failure};
use crate::resolve::machine::HostEnv;
use crate::request::options::{BackendChoice, NixArgs};
use crate::plan::Plan;
use crate::report::Reporter;
use crate::request::{CargoRequest, RunnerMode};
use crate::run::runner::EVENTS_ENV;
use crate::targets::{Registry, TargetSpec};
use crate::{backend::host, backend::nix};
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};

/// What every planned command shares.
#[derive(Clone)]
pub struct Context<'a> {
    pub registry: &'a Registry,
    pub reporter: &'a Reporter,
    pub env: HostEnv,
    pub backend: Option<BackendChoice>,
    pub nix: NixArgs,
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

/// The cargo configuration cargo would read for one target, with the target's cfg
/// (for `[target.'cfg(..)']` tables) asked of rustc the first time a table needs it.
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
    /// Reads the files and `--config` values cargo would read for `req`.
    pub fn load(ctx: &Context, spec: &TargetSpec, req: &CargoRequest, rustc: Option<&Path>) -> Result<UserConfig> {
        Ok(UserConfig {
            config: CargoConfig::load(&req.cwd, crate::support::paths::cargo_home().as_deref(), &req.peek().configs)?,
            target: crate::plan::cargo_step::target_arg(spec, ctx.registry.dir.as_deref())?,
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

/// The backend to use: the one asked for, else Nix when it is on PATH and the
/// flake has a shell for the target, else the host's tools (said once, never silent).
pub fn choose_backend(ctx: &Context, spec: &TargetSpec, dir: &Path) -> BackendChoice {
    match ctx.backend {
        Some(b) => b,
        None if ctx.env.which("nix").is_some() => match nix::usable(&ctx.env, spec, dir, &ctx.nix, ctx.reporter) {
            Ok(()) => BackendChoice::Nix,
            Err(why) => {
                ctx.reporter
                    .note_once("backend", &format!("using the host backend: the Nix backend cannot serve: {why:#}"));
                BackendChoice::Host
            }
        },
        None => BackendChoice::Host,
    }
}

/// The target's cfg, for `[target.'cfg(..)']` tables: asked of rustc, else read off the triple.
fn target_cfg(rustc: Option<&Path>, target: &str, triple: &str) -> TargetCfg {
    let asked = rustc.and_then(|r| {
        let step = crate::plan::Step::new("rustc --print cfg", r.display().to_string())
            .args(["--print", "cfg", "--target", target])
            .env("RUSTC_BOOTSTRAP", "1");
        let (o, got) = exec::run(&step, Output::Capture(Path::new("/dev/null"))).ok()?;
        o.success().then(|| TargetCfg::parse(&String::from_utf8_lossy(&got.stdout)))
    });
    asked.unwrap_or_else(|| TargetCfg::from_triple(triple))
}

/// The runner the user configured for the target, as cargo would pick it; None when it
/// is crossflake's own (inside `crossflake env`/`shell`).
pub fn user_runner(spec: &TargetSpec, req: &CargoRequest, config: &UserConfig) -> Result<Option<UserRunner>> {
    let var = format!("CARGO_TARGET_{}_RUNNER", spec.cargo_env());
    let env_of = |k: &str| std::env::var(k).ok();
    let found = config.config.runner(&spec.rust_triple, &var, &env_of, &req.cwd, &|e| config.holds(e))?;
    Ok(match found {
        Some(r) if is_crossflake_runner(&r.argv) => {
            // Our own runner from `crossflake env`: what it wrapped, if anything.
            std::env::var(crate::plan::cargo_step::wrap_var(spec))
                .ok()
                .and_then(|j| serde_json::from_str(&j).ok())
                .map(|argv| UserRunner { argv, source: r.source.clone(), key: r.key.clone() })
        }
        other => other,
    })
}

/// Resolves the environment for `spec` and `req`: backend, dev shell, the user's runner.
pub fn prepare(ctx: &Context, spec: &TargetSpec, req: &CargoRequest) -> Result<Prepared> {
    let dir = crate_dir(req).unwrap_or_else(|_| req.cwd.clone());
    let choice = choose_backend(ctx, spec, &dir);
    let backend = match choice {
        BackendChoice::Host => Backend::Host,
        BackendChoice::Nix => Backend::Nix(nix::resolve(&ctx.env, spec, &dir, &ctx.nix, ctx.dry_run, ctx.reporter)?),
    };
    let rustc = match &backend {
        Backend::Host => {
            host::choose_toolchain(&ctx.env, spec, req.toolchain.as_deref()).ok().map(|t| t.0.rustc.clone())
        }
        Backend::Nix(r) => r.vars().and_then(|v| v.get("RUSTC").map(PathBuf::from)),
    };
    if let Some(gap) = crate::run::runner::firmware_gap(&ctx.env, spec) {
        ctx.reporter.note_once("firmware", &format!("note: {gap}"));
    }
    let config = UserConfig::load(ctx, spec, req, rustc.as_deref())?;
    let mut user = user_runner(spec, req, &config)?;
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
                ctx.reporter.note_once(
                    "runner",
                    &format!(
                        "not using the runner `{shown}` ({} in {}): --runner crossflake asks for crossflake's emulator",
                        u.key, u.source
                    ),
                );
                user = None;
            }
            RunnerMode::Wrap => ctx.reporter.note_once(
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
pub fn plan(ctx: &Context, spec: &TargetSpec, req: &CargoRequest, prepared: &Prepared) -> Result<Plan> {
    let dir = ctx.registry.dir.as_deref();
    match &prepared.backend {
        Backend::Host => host::plan(&ctx.env, spec, req, prepared.user_runner.as_ref(), dir),
        Backend::Nix(r) => nix::plan(&ctx.env, spec, req, r, prepared.user_runner.as_ref(), dir),
    }
}

/// Prepares and plans in one go (what matrix, repro and dist need per target).
pub fn prepare_and_plan(ctx: &Context, spec: &TargetSpec, req: &CargoRequest) -> Result<Plan> {
    let prepared = prepare(ctx, spec, req)?;
    plan(ctx, spec, req, &prepared)
}

/// Executes a plan's steps in order, emitting events; stops at the first failure
/// and returns the command's exit code (124 when the runner killed a program at its timeout).
pub fn execute(plan: &Plan, spec: &TargetSpec, out: Output, sink: &mut dyn FnMut(Event)) -> Result<i32> {
    for (i, step) in plan.steps.iter().enumerate() {
        let events = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
        let mut step = step.clone();
        step.env.insert(EVENTS_ENV.into(), events.path().display().to_string());
        let tests = plan.tests.as_ref().filter(|_| i + 1 == plan.steps.len());
        let (outcome, collected, test_code) = match tests {
            None => {
                let (o, c) = exec::run(&step, out)?;
                (o, c.kept_lines, None)
            }
            Some(run) => {
                let runner_var = format!("CARGO_TARGET_{}_RUNNER", spec.cargo_env());
                let runner: Vec<String> = step
                    .env
                    .get(&runner_var)
                    .map(|r| r.split_whitespace().map(String::from).collect())
                    .unwrap_or_default();
                let scan = match out {
                    Output::Scan(f) => f,
                    _ => crate::run::hints::interesting,
                };
                let start = std::time::Instant::now();
                let _lock = plan.coverage.as_ref().map(crate::run::coverage::prepare).transpose()?;
                let (mut o, summary, kept) = crate::run::test_binaries::execute(&step, run, &runner, &spec.rust_triple, scan)?;
                o.elapsed = start.elapsed();
                let mut code = summary.code;
                if let (Some(c), true) = (&plan.coverage, exec::interrupted().is_none()) {
                    match crate::run::coverage::report(c, &summary.executables) {
                        Ok(r) => sink(Event::Coverage(r)),
                        Err(e) if summary.executables.is_empty() => {
                            sink(Event::Hint(format!("no coverage report: {e:#}")))
                        }
                        Err(e) => {
                            sink(Event::Hint(format!("the coverage report failed: {e:#}")));
                            if code == 0 {
                                code = exit::ERROR;
                            }
                        }
                    }
                }
                // The step's verdict is the test run's, not the build's.
                if code != 0 {
                    o.ending = Ending::Exited(code);
                }
                (o, kept, Some(code))
            }
        };
        sink(Event::StepFinished { step: &step, outcome: &outcome });
        if !outcome.success() {
            if let Some(hint) = crate::run::hints::missing_library_hint(&collected, spec) {
                sink(Event::Hint(hint));
            }
            if let Some(arg) = collected.iter().find_map(|l| crate::run::hints::rejected_argument(l)) {
                sink(Event::Hint(format!(
                    "`{} {}` does not take `{arg}`: crossflake passes every option it does not own to it; \
                     `crossflake {} --help` lists crossflake's own",
                    step.program.rsplit('/').next().unwrap_or("cargo"),
                    plan.command,
                    plan.command.split(' ').next().unwrap_or("test")
                )));
                return Ok(exit::USAGE);
            }
        }
        let timeouts = read_timeouts(events.path());
        for (program, secs) in &timeouts {
            sink(Event::TimedOut { program: program.clone(), secs: *secs });
        }
        if let Some(code) = test_code.filter(|c| *c != 0) {
            return Ok(if !timeouts.is_empty() { exit::TIMEOUT } else { code });
        }
        match outcome.ending {
            Ending::Exited(0) => continue,
            Ending::Interrupted(_) | Ending::Signalled(_) => return Ok(outcome.ending.exit_code()),
            _ if !timeouts.is_empty() => return Ok(exit::TIMEOUT),
            ending => return Ok(ending.exit_code()),
        }
    }
    if let (Some(floor), Some(step)) = (&plan.glibc, plan.steps.last()) {
        let code = check_glibc(step, floor, sink)?;
        if code != 0 {
            return Ok(code);
        }
    }
    if let Some(why) = &plan.unrun {
        sink(Event::Unrun(why.clone()));
        return Ok(exit::CANNOT_RUN);
    }
    Ok(0)
}

/// Lists what `step` built and checks each executable's glibc needs against `floor`:
/// 1 (naming the symbols) when one needs more.
fn check_glibc(step: &crate::plan::Step, floor: &str, sink: &mut dyn FnMut(Event)) -> Result<i32> {
    let log = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let floor_v = crate::support::version::Version::parse(floor).context("a glibc floor")?;
    let mut code = 0;
    for path in crate::ship::artifacts::list(step, log.path())? {
        let needs = crate::ship::glibc::needs(&path).unwrap_or_default();
        sink(Event::Artifact(crate::ship::artifacts::Artifact::with_needs(&path, &needs)));
        let above = needs.above(floor_v);
        if !above.is_empty() {
            let symbols = above.into_iter().map(|(s, v)| (s, v.to_string())).collect();
            sink(Event::AboveFloor { path, floor: floor.to_string(), symbols });
            code = exit::ERROR;
        }
    }
    Ok(code)
}

fn read_timeouts(path: &Path) -> Vec<(String, u64)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "timeout")
        .map(|v| (v["program"].as_str().unwrap_or("a program").to_string(), v["timeout_secs"].as_u64().unwrap_or(0)))
        .collect()
}

/// The rustflags and rustdocflags cargo would use for the target without crossflake.
type Flags = Option<(Vec<String>, crate::resolve::cargo_config::Source)>;
fn base_flags(spec: &TargetSpec, config: &UserConfig) -> (Flags, Flags) {
    let env_of = |k: &str| std::env::var(k).ok();
    let cfg = |e: &str| config.holds(e);
    (
        config.config.flags("rustflags", &spec.rust_triple, &env_of, &cfg),
        config.config.flags("rustdocflags", &spec.rust_triple, &env_of, &cfg),
    )
}

/// The whole pipeline for one target: prepare, plan, print it, and run it unless a dry run.
pub fn run(ctx: &Context, spec: &TargetSpec, req: &CargoRequest) -> Result<i32> {
    let prepared = prepare(ctx, spec, req)?;
    let mut plan = plan(ctx, spec, req, &prepared)?;
    if req.kind() == crate::request::CommandKind::Test {
        let parallel = crate::run::test_binaries::plan(&mut plan, req);
        if req.coverage {
            if !parallel {
                return Err(Failure::usage(
                    "--coverage runs the tests itself: it does not go with --no-run, --doc or a --message-format",
                )
                .into());
            }
            crate::run::coverage::usable(spec)?;
            let krate = crate_dir(req)?;
            let (rf, rdf) = base_flags(spec, &prepared.config);
            crate::run::coverage::plan(&mut plan, spec, &krate, req.peek().target_dir.as_deref(), rf, rdf)?;
        }
    }
    ctx.reporter.plan(&plan, ctx.dry_run);
    if ctx.dry_run {
        return Ok(0);
    }
    execute(&plan, spec, Output::Scan(crate::run::hints::interesting), &mut |e| ctx.reporter.event(&e))
}
