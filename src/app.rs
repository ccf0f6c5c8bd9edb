//! What each subcommand does: resolve the target, plan, then run the plan
//! (or print it) and report.
use crate::cli::{BackendChoice, CargoOpts, Cli, Command, RunnerOpts, SdkCommand};
use crate::exec::{self, Ending};
use crate::host::{self, CargoCommand, CargoRequest};
use crate::hostenv::HostEnv;
use crate::plan::Plan;
use crate::report::Reporter;
use crate::runner::{self, RunnerRequest, EVENTS_ENV, EXIT_TIMEOUT};
use crate::targets::{Registry, TargetSpec};
use crate::{doctor, exit, nix, sdk, ship};
use anyhow::{Context, Result};

pub fn run(cli: Cli) -> Result<i32> {
    let reporter = Reporter { format: cli.global.message_format, verbose: cli.global.verbose, quiet: cli.global.quiet };
    let registry = Registry::load()?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    match cli.command {
        Command::Targets { json } => {
            print_targets(&registry, json || reporter.json())?;
            Ok(0)
        }
        Command::Doctor { target, json } => {
            let env = HostEnv::probe(&cwd);
            let specs: Vec<&TargetSpec> = match &target {
                Some(t) => vec![registry.resolve(t)?],
                None => registry.targets.iter().collect(),
            };
            let report = doctor::diagnose(&env, &specs, doctor::nix_status(&env, &cwd));
            if json || reporter.json() {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", doctor::render(&report));
            }
            Ok(0)
        }
        Command::Build(o) => cargo(&registry, &reporter, &cli.global.manifest_path, cwd, CargoCommand::Build, o),
        Command::Test(o) => cargo(&registry, &reporter, &cli.global.manifest_path, cwd, CargoCommand::Test, o),
        Command::Run(o) => cargo(&registry, &reporter, &cli.global.manifest_path, cwd, CargoCommand::Run, o),
        Command::Runner(o) => runner_cmd(&registry, o),
        Command::Matrix(o) => ship::matrix(&registry, &reporter, &cli.global.manifest_path, cwd, o),
        Command::Repro(o) => ship::repro(&registry, &reporter, &cli.global.manifest_path, cwd, o),
        Command::Dist(o) => ship::dist(&registry, &reporter, &cli.global.manifest_path, cwd, o),
        Command::Shell(o) => nix::shell(registry.resolve(&o.target)?, &o.command, &o.nix, o.dry_run, &reporter),
        Command::Package(o) => nix::package(registry.resolve(&o.target)?, &o.nix, o.dry_run, &reporter),
        Command::Check(o) => {
            let spec = o.target.as_deref().map(|t| registry.resolve(t)).transpose()?;
            nix::check(spec, &o.nix, o.dry_run, &reporter)
        }
        Command::Sdk(SdkCommand::Add { file, dry_run }) => sdk::add(&file, dry_run, &reporter),
        Command::Sdk(SdkCommand::List { json }) => sdk::list(json || reporter.json()),
        Command::Inspect(o) => nix::inspect(registry.resolve(&o.target)?, &o.nix, o.dry_run, &reporter),
    }
}

fn print_targets(registry: &Registry, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(&registry.targets)?);
        return Ok(());
    }
    println!("{:<15} {:<29} {:<10} {:<12} ALIASES", "NAME", "TRIPLE", "KIND", "RUNNER");
    for t in &registry.targets {
        let runner = serde_json::to_value(&t.runner)?;
        let kind = serde_json::to_value(t.kind)?;
        println!(
            "{:<15} {:<29} {:<10} {:<12} {}",
            t.name,
            t.rust_triple,
            kind.as_str().unwrap_or(""),
            runner["type"].as_str().unwrap_or(""),
            t.aliases.join(", ")
        );
    }
    Ok(())
}

/// The request the user's options describe.
pub fn request(
    cmd: CargoCommand,
    o: &CargoOpts,
    manifest: &Option<std::path::PathBuf>,
    cwd: std::path::PathBuf,
) -> CargoRequest {
    let selection = o
        .bin
        .iter()
        .flat_map(|b| ["--bin".to_string(), b.clone()])
        .chain(o.test.iter().flat_map(|t| ["--test".to_string(), t.clone()]))
        .chain(o.lib.then(|| "--lib".to_string()))
        .collect();
    CargoRequest {
        command: Some(cmd),
        manifest_path: manifest.clone(),
        all_features: o.all_features,
        selection,
        target_dir: o.target_dir.clone(),
        gdb: o.gdb,
        strace: o.strace,
        extra: o.args.clone(),
        ..o.build.request(&cwd, o.release, o.timeout)
    }
}

fn cargo(
    registry: &Registry,
    reporter: &Reporter,
    manifest: &Option<std::path::PathBuf>,
    cwd: std::path::PathBuf,
    cmd: CargoCommand,
    o: CargoOpts,
) -> Result<i32> {
    let spec = &registry.resolve_any(&o.target)?;
    if o.gdb.is_some() && cmd != CargoCommand::Run {
        return Err(exit::usage("--gdb goes with `crossflake run` (one program at a time)"));
    }
    let req = request(cmd, &o, manifest, cwd.clone());
    let env = HostEnv::probe(&cwd);
    let backend = choose_backend(&env, spec, &req, o.build.backend, &o.build.nix, reporter);
    let plan = plan_with(backend, &env, registry, spec, &req, &o.build.nix, o.dry_run, reporter)?;
    reporter.plan(&plan, o.dry_run);
    if o.dry_run {
        return Ok(0);
    }
    execute(&plan, spec, reporter)
}

/// The backend to use: the one asked for, else Nix when it is on PATH and the
/// flake has a shell for the target, else the host's tools (said, never silent).
pub fn choose_backend(
    env: &HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
    asked: Option<BackendChoice>,
    nix_args: &crate::cli::NixArgs,
    reporter: &Reporter,
) -> BackendChoice {
    match asked {
        Some(b) => b,
        None if env.which("nix").is_some() => match nix::usable(env, spec, req, nix_args, reporter) {
            Ok(()) => BackendChoice::Nix,
            Err(why) => {
                reporter.info(&format!("using the host backend: the Nix backend cannot serve {}: {why:#}", spec.name));
                BackendChoice::Host
            }
        },
        None => BackendChoice::Host,
    }
}

/// Plans a cargo command with the given backend.
#[allow(clippy::too_many_arguments)]
pub fn plan_with(
    backend: BackendChoice,
    env: &HostEnv,
    registry: &Registry,
    spec: &TargetSpec,
    req: &CargoRequest,
    nix_args: &crate::cli::NixArgs,
    dry_run: bool,
    reporter: &Reporter,
) -> Result<Plan> {
    match backend {
        BackendChoice::Nix => nix::plan(env, spec, req, nix_args, dry_run, reporter),
        BackendChoice::Host => host::plan(env, spec, req, registry.dir.as_deref()),
    }
}

/// Runs a plan's steps in order; stops at the first failure and returns its exit code.
pub fn execute(plan: &Plan, spec: &TargetSpec, reporter: &Reporter) -> Result<i32> {
    exec::install_signal_handlers();
    for step in &plan.steps {
        let events = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
        let mut step = step.clone();
        step.env.insert(EVENTS_ENV.into(), events.path().display().to_string());
        let (outcome, collected) = exec::run_collecting(&step, exec::Output::Scan(crate::hints::interesting))?;
        reporter.step_done(&step, &outcome);
        if !outcome.success() {
            if let Some(hint) = crate::hints::missing_library_hint(&collected.kept_lines, spec) {
                reporter.warn(hint.trim_end());
            }
        }
        let timeouts = read_timeouts(events.path());
        for t in &timeouts {
            reporter.warn(&format!(
                "{} timed out after {} s and was killed with its process group; raise the limit with --timeout SECS",
                t["program"].as_str().unwrap_or("a program"),
                t["timeout_secs"]
            ));
        }
        let code = match outcome.ending {
            Ending::Exited(0) => continue,
            _ if !timeouts.is_empty() => EXIT_TIMEOUT,
            ending => ending.exit_code(),
        };
        return Ok(code);
    }
    Ok(0)
}

fn read_timeouts(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "timeout")
        .collect()
}

fn runner_cmd(registry: &Registry, o: RunnerOpts) -> Result<i32> {
    let spec = &registry.resolve_any(&o.target)?;
    let env = HostEnv::probe_programs();
    let req = RunnerRequest { program: o.program, args: o.args, timeout_secs: o.timeout, gdb: o.gdb, strace: o.strace };
    if o.dry_run {
        println!("{}", runner::plan(&env, spec, &req)?.shell_line());
        return Ok(0);
    }
    runner::run(&env, spec, &req)
}
