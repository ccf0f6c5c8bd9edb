//! `crossflake env` and `crossflake shell`: a target's environment outside
//! crossflake's own commands. It is the environment of the cargo step a
//! build for the target gets (linker, C tools, pkg-config, toolchain,
//! crossflake's runner and the runner it wraps; on the Nix backend the dev
//! shell's variables), plus `CARGO_BUILD_TARGET`, so that plain `cargo test`,
//! cargo-nextest or rust-analyzer behave as `crossflake test` does.
use crate::cli::EnvFormat;
use crate::request::options::BackendChoice;
use crate::run::pipeline::{self, Context};
use crate::plan::{Plan, Step};
use crate::request::CargoRequest;
use crate::run::runner::EVENTS_ENV;
use crate::targets::TargetSpec;
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Marks a shell started by `crossflake shell` on the host backend (its value: the target).
pub const HOST_SHELL_ENV: &str = "CROSSFLAKE_HOST_SHELL";

/// The plan of a build for the target and the variables of its cargo step.
pub fn variables(ctx: &Context, spec: &TargetSpec, req: &CargoRequest) -> Result<(Plan, BTreeMap<String, String>)> {
    let plan = pipeline::prepare_and_plan(ctx, spec, req)?;
    let Some(step) = plan.steps.last() else { bail!("no cargo step was planned for {}", spec.name) };
    let mut vars = step.env.clone();
    vars.remove(EVENTS_ENV);
    vars.insert("CARGO_BUILD_TARGET".into(), crate::plan::cargo_step::target_arg(spec, ctx.registry.dir.as_deref())?);
    // The toolchain's cargo first on PATH (the Nix backend's PATH is the shell's already).
    if plan.backend == "host" {
        if let Some(bin) = Path::new(&step.program).parent() {
            let outer =
                std::env::join_paths(&ctx.env.path).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            vars.insert("PATH".into(), format!("{}:{outer}", bin.display()));
        }
    }
    Ok((plan, vars))
}

/// Renders variables for `eval`, JSON or `$GITHUB_ENV`.
pub fn render(vars: &BTreeMap<String, String>, format: EnvFormat) -> String {
    match format {
        EnvFormat::Sh => vars.iter().map(|(k, v)| format!("export {k}={}\n", sh_word(v))).collect(),
        EnvFormat::Json => format!("{}\n", serde_json::to_string_pretty(vars).unwrap_or_default()),
        EnvFormat::Github => vars
            .iter()
            .map(|(k, v)| {
                if v.contains('\n') {
                    format!("{k}<<CROSSFLAKE_EOF\n{v}\nCROSSFLAKE_EOF\n")
                } else {
                    format!("{k}={v}\n")
                }
            })
            .collect(),
    }
}

/// A value quoted for a POSIX shell (always quoted, so `eval` never splits it).
fn sh_word(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// `crossflake env`.
pub fn print(ctx: &Context, spec: &TargetSpec, req: &CargoRequest, format: EnvFormat) -> Result<i32> {
    let (_, vars) = variables(ctx, spec, req)?;
    print!("{}", render(&vars, format));
    Ok(0)
}

/// `crossflake shell`: an interactive shell (or one command) in the environment, on either backend.
pub fn shell(ctx: &Context, spec: &TargetSpec, req: &CargoRequest, command: &[String]) -> Result<i32> {
    let dir = pipeline::crate_dir(req).unwrap_or_else(|_| req.cwd.clone());
    if pipeline::choose_backend(ctx, spec, &dir) == BackendChoice::Nix {
        return crate::backend::nix::shell(spec, command, &ctx.nix, ctx.dry_run, ctx.reporter);
    }
    let (plan, mut vars) =
        variables(&Context { dry_run: false, backend: Some(BackendChoice::Host), ..ctx.clone() }, spec, req)?;
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
    let shown = Plan { command: "shell".into(), steps: vec![step.clone()], ..plan };
    ctx.reporter.plan(&shown, ctx.dry_run);
    if ctx.dry_run {
        return Ok(0);
    }
    if command.is_empty() {
        ctx.reporter.info(&format!(
            "a shell for {} (host backend): cargo, the linker and the runner are set; `exit` leaves",
            spec.name
        ));
    }
    let (outcome, _) = crate::exec::run(&step, crate::exec::Output::Inherit)?;
    Ok(outcome.ending.exit_code())
}
