//! Dispatch: each subcommand's options turned into a request for the
//! pipeline (pipeline.rs) or the command that owns it (ship, nix, sdk,
//! doctor, runner, environment).
use crate::args::{self, Split};
use crate::cli::{Command, Invocation, RunnerOpts, SdkCommand};
use crate::exit::Failure;
use crate::hostenv::HostEnv;
use crate::pipeline::{self, Context};
use crate::report::Reporter;
use crate::request::{CargoRequest, CommandKind};
use crate::runner::{self, RunnerRequest};
use crate::targets::{Registry, TargetSpec};
use crate::{doctor, environment, nix, sdk, ship};
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};

pub fn run(inv: Invocation) -> Result<i32> {
    let cli = inv.cli;
    let reporter = Reporter { format: cli.global.message_format, verbose: cli.global.verbose, quiet: cli.global.quiet };
    let mut registry = Registry::load()?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let manifest = cli.global.manifest_path.clone();
    let mut command = cli.command;
    if let Some(p) = crate::cli::pass_args(&mut command) {
        let name = inv.pass.unwrap_or_default();
        return pass_through(&mut registry, &reporter, &name, &p.raw, manifest, inv.plus_toolchain, cwd);
    }
    match command {
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
            } else if target.is_some() || reporter.verbose > 0 {
                print!("{}", doctor::render(&report));
            } else {
                print!("{}", doctor::render_summary(&report));
            }
            Ok(0)
        }
        Command::Env(o) => {
            add_boards(&mut registry, &o.env.targets_dir, &cwd)?;
            let (ctx, spec, req) = environment_request(&registry, &reporter, &o.env, inv.plus_toolchain, cwd)?;
            environment::print(&ctx, &spec, &req, o.format)
        }
        Command::Shell(o) => {
            add_boards(&mut registry, &o.env.targets_dir, &cwd)?;
            let (ctx, spec, req) = environment_request(&registry, &reporter, &o.env, inv.plus_toolchain, cwd)?;
            let ctx = Context { dry_run: o.dry_run, ..ctx };
            environment::shell(&ctx, &spec, &req, &o.command)
        }
        Command::Runner(o) => {
            let meta = crate::metadata::CrateMeta::of_running_program()?;
            for d in o.targets_dir.iter().chain(meta.targets_dir.as_ref()) {
                registry.add_dir(d)?;
            }
            runner_cmd(&registry, o)
        }
        Command::Matrix(o) => {
            add_boards(&mut registry, &o.build.targets_dir, &ship::crate_dir(&manifest, &cwd)?)?;
            ship::matrix(&registry, &reporter, &manifest, cwd, o)
        }
        Command::Repro(o) => {
            add_boards(&mut registry, &o.build.targets_dir, &ship::crate_dir(&manifest, &cwd)?)?;
            ship::repro(&registry, &reporter, &manifest, cwd, o)
        }
        Command::Dist(o) => {
            add_boards(&mut registry, &o.build.targets_dir, &ship::crate_dir(&manifest, &cwd)?)?;
            ship::dist(&registry, &reporter, &manifest, cwd, o)
        }
        Command::Package(o) => nix::package(registry.resolve(&o.target)?, &o.nix, o.dry_run, &reporter),
        Command::FlakeCheck(o) => {
            let spec = o.target.as_deref().map(|t| registry.resolve(t)).transpose()?;
            nix::check(spec, &o.nix, o.dry_run, &reporter)
        }
        Command::Sdk(SdkCommand::Add { file, dry_run }) => sdk::add(&file, dry_run, &reporter),
        Command::Sdk(SdkCommand::List { json }) => sdk::list(json || reporter.json()),
        Command::Inspect(o) => nix::inspect(registry.resolve(&o.target)?, &o.nix, o.dry_run, &reporter),
        _ => unreachable!("the pass-through commands are handled above"),
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

/// Adds `--targets-dir` directories and the crate's own `targets_dir` (from its
/// `[package.metadata.crossflake]`, found from `dir` upward) to the registry.
fn add_boards(registry: &mut Registry, dirs: &[PathBuf], dir: &Path) -> Result<()> {
    let crate_dir = dir.ancestors().find(|a| a.join("Cargo.toml").is_file());
    let meta = crate_dir.map(crate::metadata::CrateMeta::read).transpose()?.unwrap_or_default();
    for d in dirs.iter().map(|d| dir.join(d)).chain(meta.targets_dir) {
        if !registry.extra_dirs.contains(&d) {
            registry.add_dir(&d)?;
        }
    }
    Ok(())
}

/// The cargo subcommand words of a pass-through command, taken off the front of `cargo`.
fn subcommand(name: &str, cargo: &mut Vec<String>) -> Result<Vec<String>, Failure> {
    let word = |cargo: &mut Vec<String>| (cargo.first().is_some_and(|w| !w.starts_with('-'))).then(|| cargo.remove(0));
    match name {
        "cargo" => match word(cargo) {
            Some(w) if w == "nextest" => Ok(std::iter::once(w).chain(word(cargo)).collect()),
            Some(w) => Ok(vec![w]),
            None => Err(Failure::usage("`crossflake cargo` needs a cargo subcommand")
                .next("e.g. `crossflake cargo nextest run --target aarch64`; `crossflake cargo --help`")),
        },
        "nextest" => Ok(std::iter::once("nextest".to_string()).chain(word(cargo)).collect()),
        other => Ok(vec![other.to_string()]),
    }
}

/// The target: `--target`, else CARGO_BUILD_TARGET or `build.target` of the cargo config.
fn target_of(own: Option<String>, cwd: &Path, configs: &[String], command: &str) -> Result<String> {
    if let Some(t) = own {
        return Ok(t);
    }
    let config = crate::cargo_config::CargoConfig::load(cwd, crate::paths::cargo_home().as_deref(), configs)?;
    match config.build_target(&|k| std::env::var(k).ok()) {
        Some((t, _)) => Ok(t),
        None => Err(Failure::usage(format!("crossflake {command} needs --target T"))
            .next("a name, alias, triple or target JSON; `crossflake targets` lists them")
            .into()),
    }
}

fn pass_through(
    registry: &mut Registry,
    reporter: &Reporter,
    name: &str,
    raw: &[String],
    manifest: Option<PathBuf>,
    plus: Option<String>,
    cwd: PathBuf,
) -> Result<i32> {
    let Split { own, mut cargo, trailing } = args::split(raw)?;
    if own.help || (name == "cargo" && cargo.is_empty()) {
        print!("{}", args::help(name));
        return Ok(0);
    }
    let sub = subcommand(name, &mut cargo)?;
    if let Some(m) = &manifest {
        cargo.splice(0..0, ["--manifest-path".to_string(), m.display().to_string()]);
    }
    let req = CargoRequest {
        subcommand: sub,
        args: cargo,
        trailing,
        toolchain: own.toolchain.or(plus),
        timeout_secs: own.timeout,
        gdb: own.gdb,
        strace: own.strace,
        cpu: own.cpu,
        glibc: own.glibc,
        coverage: own.coverage,
        runner: own.runner.unwrap_or_default(),
        targets_dirs: vec![],
        cwd,
    };
    let crate_dir = pipeline::crate_dir(&req).ok();
    add_boards(registry, &own.targets_dirs, crate_dir.as_deref().unwrap_or(&req.cwd))?;
    let req = CargoRequest { targets_dirs: registry.extra_dirs.clone(), ..req };
    let target = target_of(own.target, &req.cwd, &req.peek().configs, name)?;
    let spec = registry.resolve_any(&target)?;
    if req.coverage && !(req.kind() == CommandKind::Test && req.builtin()) {
        return Err(Failure::usage("--coverage goes with `crossflake test`").into());
    }
    if req.gdb.is_some() && req.kind() != CommandKind::Run {
        return Err(Failure::usage("--gdb goes with `crossflake run` (one program at a time)").into());
    }
    if req.kind() != CommandKind::Other {
        pipeline::crate_dir(&req)?;
    }
    // rustup finds rust-toolchain.toml from the current directory, and so does crossflake.
    let env = HostEnv::probe(&req.cwd);
    let ctx = Context { registry, reporter, env, backend: own.backend, nix: own.nix, dry_run: own.dry_run };
    pipeline::run(&ctx, &spec, &req)
}

/// The request and context behind `env` and `shell`: a build in the crate (or directory) here.
fn environment_request<'a>(
    registry: &'a Registry,
    reporter: &'a Reporter,
    o: &crate::cli::EnvArgs,
    plus: Option<String>,
    cwd: PathBuf,
) -> Result<(Context<'a>, TargetSpec, CargoRequest)> {
    let spec = registry.resolve_any(&o.target)?;
    let mut req = CargoRequest::new(&["build"], cwd);
    req.toolchain = o.toolchain.clone().or(plus);
    req.timeout_secs = o.timeout;
    req.targets_dirs = registry.extra_dirs.clone();
    let env = HostEnv::probe(&req.cwd);
    let ctx = Context { registry, reporter, env, backend: o.backend, nix: o.nix.clone(), dry_run: false };
    Ok((ctx, spec, req))
}

fn runner_cmd(registry: &Registry, o: RunnerOpts) -> Result<i32> {
    let spec = &registry.resolve_any(&o.target)?;
    let env = HostEnv::probe_programs();
    let wrap = std::env::var(crate::cargo_cmd::wrap_var(spec)).ok().map(|j| {
        serde_json::from_str::<Vec<String>>(&j).map_err(|e| {
            Failure::usage(format!("{} is not a JSON list of strings: {e}", crate::cargo_cmd::wrap_var(spec)))
        })
    });
    let req = RunnerRequest {
        program: o.program,
        args: o.args,
        timeout_secs: o.timeout,
        gdb: o.gdb,
        strace: o.strace,
        wrap: wrap.transpose()?,
        cpu: o.cpu,
        cpu_env: std::env::var("QEMU_CPU").ok().filter(|c| !c.is_empty()),
    };
    if o.dry_run {
        println!("{}", runner::plan(&env, spec, &req)?.shell_line());
        return Ok(0);
    }
    runner::run(&env, spec, &req)
}
