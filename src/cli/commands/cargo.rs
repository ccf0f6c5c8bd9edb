//! `crossflake build|test|run|bench|check|clippy|doc|cargo|nextest`: cargo
//! for a target. crossflake's options are taken out (flags.rs); everything
//! else goes to cargo. The request is prepared (backend, the user's runner),
//! planned, printed, executed, and for a glibc floor the artifacts checked.
use super::{target_of, Here};
use crate::backend::{self, Context};
use crate::cli::flags::Split;
use crate::events::{Event, Sink};
use crate::failure::{Failure, Outcome};
use crate::report::Reporter;
use crate::request::{CargoRequest, CommandKind};
use crate::resolve::cargo_config::CargoConfig;
use crate::resolve::machine::HostEnv;
use crate::resolve::open_world;
use crate::run::execute::{execute, Console};

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

pub fn run(mut here: Here, name: &str, split: Split, reporter: &Reporter) -> Outcome {
    let Split { opts: o, rest: mut cargo, trailing } = split;
    let sub = subcommand(name, &mut cargo)?;
    let builtin_test = name == "test";
    if let (Some(p), false) = (&o.partition, builtin_test) {
        // nextest's own option (count:, hash:, slice:), and any other tool's: passed on.
        cargo.extend(["--partition".to_string(), p.clone()]);
    }
    let partition = o.partition.as_deref().filter(|_| builtin_test).map(crate::plan::tests::Partition::parse);
    let partition = partition.transpose()?;
    if let Some(m) = &here.manifest {
        cargo.splice(0..0, ["--manifest-path".to_string(), m.display().to_string()]);
    }
    let mut req = CargoRequest {
        subcommand: sub,
        args: cargo,
        trailing,
        toolchain: here.toolchain.clone(),
        timeout_secs: o.timeout,
        gdb: o.gdb,
        strace: o.strace,
        cpu: o.cpu,
        glibc: o.glibc,
        coverage: o.coverage,
        runner: o.runner.unwrap_or_default(),
        targets_dirs: vec![],
        cwd: here.cwd.clone(),
        own_std: false,
    };
    let crate_dir = crate::resolve::user::crate_dir(&req).ok();
    here.add_boards(&o.targets_dirs, crate_dir.as_deref().unwrap_or(&req.cwd))?;
    req.targets_dirs = here.registry.extra_dirs.clone();
    let config = CargoConfig::load(&req.cwd, crate::support::paths::cargo_home().as_deref(), &req.peek().configs)?;
    req.own_std = open_world::builds_own_std(&req.args, &config);
    let target = target_of(o.target, &config, name)?;
    // rustup finds rust-toolchain.toml from the current directory, and so does crossflake.
    let env = HostEnv::probe(&req.cwd);
    let spec = open_world::resolve(&here.registry, &env, &target)?;
    if req.coverage && !(req.kind() == CommandKind::Test && req.builtin()) {
        return Err(Failure::usage("--coverage goes with `crossflake test`"));
    }
    if req.gdb.is_some() && req.kind() != CommandKind::Run {
        return Err(Failure::usage("--gdb goes with `crossflake run` (one program at a time)"));
    }
    if req.kind() != CommandKind::Other {
        crate::resolve::user::crate_dir(&req)?;
    }
    let ctx = Context {
        registry: &here.registry,
        sink: reporter,
        env: &env,
        backend: o.backend,
        nix: &o.nix,
        dry_run: o.dry_run,
    };
    let prepared = backend::prepare(&ctx, &spec, &req)?;
    let mut plan = backend::plan(&ctx, &spec, &req, &prepared)?;
    if req.kind() == CommandKind::Test {
        let side_by_side = crate::plan::tests::side_by_side(&mut plan, &req, &env.host_triple);
        if (partition.is_some() || o.junit.is_some()) && !side_by_side {
            return Err(Failure::usage(
                "--partition and --junit go with `crossflake test` running the tests: not with --no-run, --doc, \
                 --message-format or --gdb",
            )
            .next("nextest has its own: `crossflake nextest run --partition count:1/2`, [profile.ci.junit] path"));
        }
        if let Some(t) = plan.tests.as_mut() {
            t.partition = partition;
        }
        if req.coverage {
            if !side_by_side {
                return Err(Failure::usage(
                    "--coverage runs the tests itself: it does not go with --no-run, --doc or a --message-format",
                ));
            }
            let krate = crate::resolve::user::crate_dir(&req)?;
            let cache = crate::support::paths::cache_dir_or_temp();
            let flags = prepared.config.flags(&spec);
            crate::plan::coverage::instrument(&mut plan, &spec, &krate, &env.host_triple, &cache, flags)?;
        }
    }
    if o.junit.is_some() && plan.tests.is_none() {
        return Err(Failure::usage(format!("--junit goes with `crossflake test` (or `matrix`), not `{name}`")));
    }
    let floor = req.glibc;
    // A macOS build cannot run here: what it made is said instead (architectures, oldest macOS).
    let macos = spec.is_darwin() && req.kind() == CommandKind::Build;
    if (floor.is_some() || macos)
        && plan.tests.is_none()
        && req.peek().message_format.is_empty()
        && req.kind() == CommandKind::Build
    {
        plan.cargo.json_messages = true;
    }
    reporter.event(Event::Plan { plan: Box::new(plan.clone()), dry_run: o.dry_run });
    if o.dry_run {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let ran = execute(&plan, &spec, Console::Live, reporter);
    if plan.tests.is_some() {
        let floor = floor.map(|f| f.to_string());
        super::reports::after_test(o.junit.as_deref(), &spec, reporter, &ran, started.elapsed().as_secs_f64(), floor)?;
    }
    let ran = ran?;
    if let Some(c) = &ran.coverage {
        let event = crate::run::coverage::Reported { report: c };
        reporter.result("coverage", &event, || crate::report::tables::coverage(c));
        reporter.info(&format!(
            "coverage: lcov {}, HTML {}, profile {}",
            c.lcov.display(),
            c.html.display(),
            c.profdata.display()
        ));
    }
    if floor.is_some() || (macos && ran.executables.is_some()) {
        let built = crate::ship::artifacts::built(&plan.cargo, ran.executables.as_deref())?;
        let artifacts = match floor {
            Some(floor) => crate::ship::glibc::check_floor(&built, floor, reporter)?,
            None => {
                let built = crate::ship::artifacts::shipped(&spec, &plan.cargo, &built).unwrap_or(built);
                // Warned, not refused: cargo built it; `dist` refuses to ship it.
                let _ = crate::ship::macho::check(&built, reporter);
                built.iter().map(|p| crate::ship::artifacts::artifact(p)).collect()
            }
        };
        for a in &artifacts {
            reporter.result("artifact", a, || {
                let needs = a.needs().unwrap_or_else(|| "none (static, or not linked against glibc)".into());
                format!("crossflake: {}: needs {needs}\n", a.path.display())
            });
        }
    }
    Ok(())
}
