//! `crossflake env` and `crossflake shell`: a target's environment outside
//! crossflake's own commands. It is the environment of the cargo step a build
//! for the target gets (linker, C tools, pkg-config, toolchain, crossflake's
//! runner and the runner it wraps; on the Nix backend the dev shell's
//! variables), plus `CARGO_BUILD_TARGET`, so that plain `cargo test`,
//! cargo-nextest or rust-analyzer behave as `crossflake test` does.
use super::Here;
use crate::backend::{self, Context};
use crate::cli::flags::Split;
use crate::events::{Event, Sink};
use crate::failure::{self, Failure, Outcome};
use crate::report::Reporter;
use crate::request::{BackendChoice, CargoRequest};
use crate::resolve::machine::{HostEnv, HOST_SHELL_ENV};
use crate::step::Step;
use crate::targets::TargetSpec;
use std::collections::BTreeMap;
use std::path::Path;

/// The variables of a build's cargo step for the target.
fn variables(ctx: &Context, spec: &TargetSpec, req: &CargoRequest) -> Result<BTreeMap<String, String>, Failure> {
    let (plan, _) = backend::prepare_and_plan(ctx, spec, req)?;
    let step = plan.cargo.step();
    let mut vars = step.env.clone();
    vars.insert("CARGO_BUILD_TARGET".into(), plan.cargo.target.clone());
    // The toolchain's cargo first on PATH (the Nix backend's PATH is the shell's already).
    if plan.backend == "host" {
        if let Some(bin) = Path::new(&step.program).parent() {
            let outer =
                std::env::join_paths(&ctx.env.path).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            vars.insert("PATH".into(), format!("{}:{outer}", bin.display()));
        }
    }
    Ok(vars)
}

pub fn run(mut here: Here, name: &str, split: Split, reporter: &Reporter) -> Outcome {
    let o = split.opts;
    let Some(target) = o.target.clone() else {
        return Err(Failure::usage(format!("crossflake {name} needs --target T")));
    };
    let cwd = here.cwd.clone();
    here.add_boards(&o.targets_dirs, &cwd)?;
    let env = HostEnv::probe(&cwd);
    let spec = crate::resolve::open_world::resolve(&here.registry, &env, &target)?;
    let mut req = CargoRequest::new(&["build"], &cwd);
    req.toolchain = here.toolchain.clone();
    req.timeout_secs = o.timeout;
    req.targets_dirs = here.registry.extra_dirs.clone();
    let ctx = Context {
        registry: &here.registry,
        sink: reporter,
        env: &env,
        backend: o.backend,
        nix: &o.nix,
        dry_run: false,
    };
    if name == "env" {
        let vars = variables(&ctx, &spec, &req)?;
        reporter.out(&crate::report::tables::env(&vars, o.format.as_deref().unwrap_or("sh")));
        return Ok(());
    }
    let command = split.trailing.unwrap_or_default();
    let dir = crate::resolve::user::crate_dir(&req).unwrap_or_else(|_| req.cwd.clone());
    if backend::choose(&ctx, &spec, &dir) == BackendChoice::Nix {
        return backend::nix::commands::shell(&spec, &command, &o.nix, o.dry_run, reporter);
    }
    let mut vars = variables(&Context { backend: Some(BackendChoice::Host), ..ctx }, &spec, &req)?;
    vars.insert(HOST_SHELL_ENV.into(), spec.name.clone());
    let mut step = match command.split_first() {
        Some((prog, args)) => Step::new(prog, prog.clone()).args(args.iter().cloned()),
        None => {
            let sh = std::env::var("SHELL").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| "bash".into());
            Step::new("shell", sh)
        }
    };
    step.env = vars;
    step.cwd = Some(req.cwd.clone());
    if o.dry_run {
        let title = format!("crossflake shell --target {} (host)", spec.name);
        reporter.event(Event::Steps { title, steps: vec![step], notes: vec![] });
        return Ok(());
    }
    if command.is_empty() {
        reporter.info(&format!(
            "a shell for {} (host backend): cargo, the linker and the runner are set; `exit` leaves",
            spec.name
        ));
    }
    let (outcome, _) = crate::exec::run(&step, crate::exec::Output::Inherit)?;
    failure::from_code(outcome.ending.exit_code())
}
