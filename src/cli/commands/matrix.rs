//! `crossflake matrix`, `repro` and `dist`: the commands that ship (the work
//! is in ship/). Words crossflake does not own go to each cargo they run.
use super::Here;
use crate::backend::{self, Context};
use crate::cli::flags::{Options, Split};
use crate::events::{Event, Sink};
use crate::failure::{Failure, Outcome};
use crate::plan::Plan;
use crate::report::{tables, Reporter};
use crate::request::CargoRequest;
use crate::resolve::machine::HostEnv;
use crate::ship::matrix::{self, LogSink, MatrixJob, Planner};
use crate::ship::{dist as ship_dist, repro as ship_repro};
use crate::targets::TargetSpec;
use std::path::{Path, PathBuf};

/// A build in `dir` with the command's cargo arguments and crossflake's options.
fn base_request(here: &Here, dir: &Path, o: &Options, cargo: Vec<String>, release: bool) -> CargoRequest {
    let mut req = CargoRequest::new(&["build"], dir).with_args(cargo);
    if let Some(m) = &here.manifest {
        req.args.splice(0..0, ["--manifest-path".to_string(), m.display().to_string()]);
    }
    if release && req.peek().profile.is_none() {
        req.args.push("--release".into());
    }
    req.targets_dirs = here.registry.extra_dirs.clone();
    req.toolchain = here.toolchain.clone();
    req.timeout_secs = o.timeout;
    req.glibc = o.glibc;
    req
}

/// The sink a log file is written through.
fn log_sink(path: &Path) -> anyhow::Result<Box<dyn Sink>> {
    Ok(Box::new(crate::report::LogFile::create(path)?))
}

/// The sink a matrix target's log is written through, with cargo's JSON messages beside it.
fn matrix_log_sink(path: &Path) -> anyhow::Result<Box<dyn Sink>> {
    Ok(Box::new(crate::report::LogFile::with_messages(path, &matrix::messages_of(path))?))
}

fn context<'a>(here: &'a Here, env: &'a HostEnv, o: &'a Options, sink: &'a dyn Sink) -> Context<'a> {
    Context { registry: &here.registry, sink, env, backend: o.backend, nix: &o.nix, dry_run: false }
}

pub fn matrix(mut here: Here, split: Split, reporter: &Reporter) -> Outcome {
    let o = &split.opts;
    let dir = here.crate_dir()?;
    here.add_boards(&o.targets_dirs, &dir)?;
    // --targets, else the crate's own `targets` list, else every target of its kind.
    let listed = match (o.targets.is_empty(), crate::resolve::crate_meta::CrateMeta::read(&dir)?.targets) {
        (false, _) => Some(o.targets.clone()),
        (true, own) => own,
    };
    let specs: Vec<TargetSpec> = match listed {
        None => matrix::default_targets(&here.registry, matrix::crate_kind(&dir)).into_iter().cloned().collect(),
        Some(names) => {
            let env = HostEnv::probe(&dir);
            names
                .iter()
                .map(|t| crate::resolve::open_world::resolve(&here.registry, &env, t.trim()))
                .collect::<Result<_, _>>()?
        }
    };
    let env = HostEnv::probe(&dir);
    if o.plan.is_some() {
        let refs: Vec<&TargetSpec> = specs.iter().collect();
        let plan = crate::ship::ci_plan::github(&env, &dir, &refs);
        // Raw, whatever the message format: every top-level key would be a matrix axis.
        reporter.out(&format!("{}\n", serde_json::to_string(&plan).unwrap_or_default()));
        return Ok(());
    }
    let ctx = context(&here, &env, o, reporter);
    let plan_fn = |spec: &TargetSpec, req: &CargoRequest| -> Result<Plan, Failure> {
        Ok(backend::prepare_and_plan(&ctx, spec, req)?.0)
    };
    let job = MatrixJob {
        planner: &plan_fn as &Planner,
        log_sink: &matrix_log_sink as &LogSink,
        base: base_request(&here, &dir, o, split.rest.clone(), false),
        target_dir: o
            .target_dir
            .clone()
            .map(|d| here.cwd.join(d))
            .unwrap_or_else(|| dir.join("target/crossflake-matrix")),
        dist: o.dist.clone().map(|d| here.cwd.join(d)),
        isolate: o.isolate,
        host_triple: env.host_triple.clone(),
    };
    let refs: Vec<&TargetSpec> = specs.iter().collect();
    if o.dry_run {
        for (spec, planned) in refs.iter().zip(matrix::plan_all(&job, &refs)) {
            for (what, p) in [("build", planned.build), ("test", planned.test)] {
                match p {
                    Ok(p) => reporter.event(Event::Plan { plan: Box::new(p), dry_run: true }),
                    Err(e) => reporter.info(&format!("{}: {what} would be skipped: {e}", spec.name)),
                }
            }
        }
        return Ok(());
    }
    let jobs = o.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let names: Vec<&str> = refs.iter().map(|s| s.name.as_str()).collect();
    let shared = if o.isolate { "each in its own directory under" } else { "sharing" };
    reporter.info(&format!(
        "matrix for {} over {} target(s) with {jobs} job(s), {shared} {}: {}",
        dir.display(),
        refs.len(),
        job.target_dir.display(),
        names.join(", ")
    ));
    let results = matrix::run(&job, &refs, jobs, reporter)?;
    if !reporter.json() {
        for r in results.iter().filter(|r| r.failed()) {
            reporter.out(&format!(
                "--- {} failed; last lines of {}:\n{}\n",
                r.target,
                r.log.display(),
                crate::support::fs::log_tail(&r.log, 25)
            ));
        }
    }
    let summary = matrix::Summary::of(results);
    reporter.result("matrix-summary", &summary, || tables::matrix(&summary.results));
    if let Some(path) = &o.junit {
        let path = here.cwd.join(path);
        crate::report::junit::write(&path, &crate::report::junit::matrix_report(&summary.results))
            .map_err(|e| Failure::error(format!("cannot write the JUnit report {}: {e}", path.display())))?;
        reporter.info(&format!("JUnit report: {}", path.display()));
    }
    crate::report::summary::append(&crate::report::summary::matrix(&summary.results)).map_err(|e| {
        Failure::error(format!("cannot append to ${}: {e}", crate::report::summary::ENV))
            .next("check the file it names")
    })?;
    let failed = summary.failed;
    if let Some(sig) = crate::exec::interrupted() {
        return Err(Failure::signal(sig));
    }
    if failed > 0 {
        return Err(Failure::error(format!("{failed} of {} targets failed", summary.results.len())));
    }
    Ok(())
}

fn one_target(here: &mut Here, o: &Options, name: &str) -> Result<(TargetSpec, PathBuf), Failure> {
    let Some(target) = o.target.clone() else {
        return Err(Failure::usage(format!("crossflake {name} needs --target T")));
    };
    let dir = here.crate_dir()?;
    here.add_boards(&o.targets_dirs, &dir)?;
    let env = HostEnv::probe(&dir);
    Ok((crate::resolve::open_world::resolve(&here.registry, &env, &target)?, dir))
}

pub fn repro(mut here: Here, split: Split, reporter: &Reporter) -> Outcome {
    let o = &split.opts;
    let (spec, dir) = one_target(&mut here, o, "repro")?;
    let env = HostEnv::probe(&dir);
    let ctx = context(&here, &env, o, reporter);
    let mut base = base_request(&here, &dir, o, split.rest.clone(), true);
    // Both copies must use the toolchain the crate pins, though they live elsewhere.
    if base.toolchain.is_none() {
        base.toolchain =
            crate::resolve::toolchain::choose_toolchain(&env, &spec, None).ok().map(|(tc, _, _)| tc.name.clone());
    }
    let plan_fn = |spec: &TargetSpec, req: &CargoRequest| -> Result<Plan, Failure> {
        Ok(backend::prepare_and_plan(&ctx, spec, req)?.0)
    };
    reporter.info(&format!(
        "repro {}: two clean release builds of {} in different directories",
        spec.name,
        dir.display()
    ));
    let report = ship_repro::run((&plan_fn, &log_sink), &spec, &base, &dir, o.keep)?;
    reporter
        .result("repro", &ship_repro::Verdict::of(&spec.name, &report), || tables::repro(&spec.name, &report, o.keep));
    if report.different.is_empty() {
        Ok(())
    } else {
        Err(Failure::error(format!("the two builds of {} differ", spec.name)))
    }
}

pub fn dist(mut here: Here, split: Split, reporter: &Reporter) -> Outcome {
    let o = &split.opts;
    let (spec, dir) = one_target(&mut here, o, "dist")?;
    let env = HostEnv::probe(&dir);
    let ctx = context(&here, &env, o, reporter);
    let req = base_request(&here, &dir, o, split.rest.clone(), true);
    let (plan, _) = backend::prepare_and_plan(&ctx, &spec, &req)?;
    let out = here.cwd.join(o.out.clone().unwrap_or_else(|| "dist".into()));
    let d = ship_dist::dist(plan, &spec, &dir, &out, reporter)?;
    reporter.result("dist", &d, || tables::dist(&d));
    reporter.info(&format!("wrote {}", d.sums.display()));
    Ok(())
}
