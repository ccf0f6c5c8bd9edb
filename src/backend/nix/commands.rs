//! `crossflake shell`, `package`, `check` and `inspect`: bash with the cached,
//! GC-rooted environment's rc script, nix build, nix flake check, and a
//! reading of the shell's derivation. Each prints its nix commands on --dry-run.
use super::devshell::DevShell;
use super::flake::{check_attrs, nix_system, package_attrs, split_attr, Flake};
use super::inspect as drv;
use super::tool::{eval_timeout, explain, version_verdict, Nix};
use crate::events::{Event, Sink};
use crate::exec;
use crate::failure::{self, Failure};
use crate::request::NixArgs;
use crate::resolve::machine::HostEnv;
use crate::step::{shell_quote, Step};
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::path::PathBuf;

fn here() -> Result<(PathBuf, HostEnv)> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let env = HostEnv::probe(&cwd);
    Ok((cwd, env))
}

/// A dry run's steps, as an event.
fn dry(sink: &dyn Sink, command: &str, spec: Option<&TargetSpec>, steps: Vec<Step>, notes: Vec<String>) {
    let title =
        format!("crossflake {command} {}(nix)", spec.map_or(String::new(), |s| format!("--target {} ", s.name)));
    sink.event(Event::Steps { title, steps, notes });
}

/// Runs a nix step in the foreground (the user sees nix's output); its exit code passes through.
fn run(nix: &Nix, step: &Step) -> failure::Outcome {
    let mut step = step.clone();
    step.program = nix.program.display().to_string();
    failure::from_code(exec::run(&step, exec::Output::Inherit)?.0.ending.exit_code())
}

/// `crossflake shell`: bash with the shell's rc script, as `nix develop` runs it (shellHook
/// included), interactive or running `cmd`. The rc comes from `nix print-dev-env` on the
/// cached environment's profile, which reads a store file and evaluates nothing (`nix develop`
/// itself would evaluate nixpkgs#bashInteractive each time).
pub fn shell(spec: &TargetSpec, cmd: &[String], nix: &NixArgs, dry_run: bool, sink: &dyn Sink) -> failure::Outcome {
    let (cwd, env) = here()?;
    let ds = DevShell::new(&env, spec, nix, &cwd)?;
    let rc_step = |root: Option<PathBuf>| {
        let source = root.map_or_else(|| ds.installable(), |r| r.display().to_string());
        ds.nix.step("nix rc script", &["print-dev-env"], &[source])
    };
    let bash = |rc: &str| {
        if cmd.is_empty() {
            Step::new("shell", "bash").args(["--rcfile", rc])
        } else {
            Step::new(&cmd[0], "bash").arg(rc)
        }
    };
    if dry_run {
        let cached = ds.cached(sink).and_then(|e| e.dev_env.map(|_| e.root));
        let mut steps = if cached.is_some() { vec![] } else { vec![ds.print_dev_env_step()] };
        let root = cached.flatten().or_else(|| ds.rooted.then(|| ds.slots.profile_path(&ds.key)));
        steps.extend([rc_step(root), bash("<the rc script above, saved to a temporary file>")]);
        dry(sink, "shell", Some(spec), steps, vec![]);
        return Ok(());
    }
    let (_, entry, _) = ds.dev_env(sink)?;
    let out = ds.nix.capture(&rc_step(entry.root), None, None)?;
    if !out.success {
        return Err(Failure::error(format!(
            "nix print-dev-env failed for {}: {}",
            ds.installable(),
            out.stderr.trim()
        )));
    }
    let mut file = tempfile::Builder::new().prefix("crossflake-shell-").suffix(".rc").tempfile()?;
    // As nix develop does: ~/.bashrc first for an interactive shell; `exec cmd` for a command.
    let script = if cmd.is_empty() {
        let bashrc = "[ -n \"$PS1\" ] && [ -e ~/.bashrc ] && source ~/.bashrc;\nshopt -u expand_aliases";
        format!("{bashrc}\n{}\nshopt -s expand_aliases\n", out.stdout)
    } else {
        format!("{}\nexec {}\n", out.stdout, cmd.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" "))
    };
    std::io::Write::write_all(&mut file, script.as_bytes())?;
    let step = bash(&file.path().display().to_string());
    failure::from_code(exec::run(&step, exec::Output::Inherit)?.0.ending.exit_code())
}

/// Checks nix's version for commands that always evaluate.
fn located(env: &HostEnv, args: &NixArgs, flake: &Flake) -> Result<Nix> {
    let nix = Nix::locate(env, args)?;
    version_verdict(&nix.version_text()?, flake.own)?;
    Ok(nix)
}

/// The first of `attrs` (all in one attribute set) the flake has; the error lists what it has.
fn pick(nix: &Nix, flake: &Flake, attrs: &[String], spec: &TargetSpec) -> Result<String> {
    let (set, _) = split_attr(&attrs[0]);
    let rest = ["--json".to_string(), flake.installable(set), "--apply".into(), "builtins.attrNames".into()];
    let step = nix.step("nix eval", &["eval"], &rest);
    let out = nix.capture(&step, Some(eval_timeout()), None)?;
    let wanted: Vec<&str> = attrs.iter().map(|a| split_attr(a).1).collect();
    let missing = format!("the flake {} has no {set}; wanted {}", flake.reference, wanted.join(" or "));
    if !out.success {
        bail!("{}", explain(&out, &format!("evaluating {set} of {}", flake.reference), &missing, false).message());
    }
    let names: Vec<String> = serde_json::from_str(&out.stdout).context("nix eval printed no list of names")?;
    match attrs.iter().find(|a| names.iter().any(|n| n == split_attr(a).1)) {
        Some(a) => Ok(a.clone()),
        None => bail!(
            "the flake {} has none of {set}.{{{}}}; it has: {}. Next: build {} with the launcher (`crossflake \
             build --target {}`; crossflake's own flake has packages for the samples' targets only), or give the \
             flake one of them",
            flake.reference,
            wanted.join(", "),
            if names.is_empty() { "nothing".to_string() } else { names.join(", ") },
            spec.name,
            spec.name
        ),
    }
}

/// What `crossflake package` built.
#[derive(Debug, Clone, Serialize)]
pub struct Built {
    pub target: String,
    pub attr: String,
    pub outputs: Vec<String>,
    pub link: String,
}

/// `crossflake package`: `nix build` of the target's package; its store path(s), None on a dry run.
pub fn package(spec: &TargetSpec, args: &NixArgs, dry_run: bool, sink: &dyn Sink) -> Result<Option<Built>, Failure> {
    let (cwd, env) = here()?;
    let flake = Flake::resolve(args.flake.as_deref(), &cwd)?;
    let attrs = package_attrs(&nix_system(args), spec);
    let link = cwd.join(format!("result-{}", spec.name)).display().to_string();
    let build = |nix: &Nix, attr: &str| {
        nix.step("nix build", &["build", "--json", "--out-link"], &[link.clone(), flake.installable(attr)])
    };
    if dry_run {
        let nix = Nix::locate(&env, args)?;
        let notes = attrs[1..].iter().map(|a| format!("if the flake has no {}, builds {a}", attrs[0])).collect();
        dry(sink, "package", Some(spec), vec![build(&nix, &attrs[0])], notes);
        return Ok(None);
    }
    let nix = located(&env, args, &flake)?;
    let attr = pick(&nix, &flake, &attrs, spec)?;
    sink.info(&format!("building {}", flake.installable(&attr)));
    let out = nix.capture(&build(&nix, &attr), None, Some(sink))?;
    if !out.success {
        return Err(Failure::error(format!(
            "nix build {} failed (exit {}); nix's messages are above",
            flake.installable(&attr),
            out.code.unwrap_or(1)
        )));
    }
    let built: serde_json::Value = serde_json::from_str(&out.stdout).context("nix build printed no JSON")?;
    let outputs: Vec<String> = built
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["outputs"].as_object())
        .flat_map(|o| o.values().filter_map(|v| v.as_str().map(String::from)))
        .collect();
    Ok(Some(Built { target: spec.name.clone(), attr, outputs, link }))
}

/// `crossflake check`: `nix flake check`, or `nix build` of `checks.<system>.<target>`.
pub fn check(spec: Option<&TargetSpec>, args: &NixArgs, dry_run: bool, sink: &dyn Sink) -> failure::Outcome {
    let (cwd, env) = here()?;
    let flake = Flake::resolve(args.flake.as_deref(), &cwd)?;
    let nix = if dry_run { Nix::locate(&env, args)? } else { located(&env, args, &flake)? };
    let step = match spec {
        None => nix.step("nix flake check", &["flake", "check"], std::slice::from_ref(&flake.reference)),
        Some(s) => {
            let attrs = check_attrs(&nix_system(args), s);
            let attr = if dry_run { attrs[0].clone() } else { pick(&nix, &flake, &attrs, s)? };
            nix.step("nix build", &["build", "--no-link"], &[flake.installable(&attr)])
        }
    };
    if dry_run {
        let notes = spec
            .map(|s| check_attrs(&nix_system(args), s))
            .map_or(vec![], |a| a[1..].iter().map(|x| format!("if the flake has no {}, builds {x}", a[0])).collect());
        dry(sink, "flake-check", spec, vec![step], notes);
        return Ok(());
    }
    run(&nix, &step)
}

/// `crossflake inspect`: the shell's pins and variables, from its .drv; builds nothing.
/// None on a dry run.
pub fn inspect(
    spec: &TargetSpec,
    args: &NixArgs,
    dry_run: bool,
    sink: &dyn Sink,
) -> Result<Option<drv::Report>, Failure> {
    let (cwd, env) = here()?;
    let ds = DevShell::new(&env, spec, args, &cwd)?;
    let Some(path) = ds.drv_path(dry_run, sink)? else {
        let note = "then reads the shell's .drv and its inputs' with the nix-derivation crate; builds nothing".into();
        dry(sink, "inspect", Some(spec), vec![ds.eval_drv_step()], vec![note]);
        return Ok(None);
    };
    if dry_run {
        let note = format!("would read the cached derivation {path}; nothing to evaluate");
        dry(sink, "inspect", Some(spec), vec![], vec![note]);
        return Ok(None);
    }
    Ok(Some(drv::report(&path, &ds.attr, &ds.flake.reference)?))
}
