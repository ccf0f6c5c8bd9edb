//! The commands that ship: `matrix`, `repro` and `dist` (argument handling
//! and reporting; the work is in matrix.rs, repro.rs and artifacts.rs).
use crate::ship::artifacts;
use crate::cli::{BuildArgs, DistOpts, MatrixOpts, ReproOpts};
use crate::exec::Output;
use crate::resolve::machine::HostEnv;
use crate::ship::matrix::{self, MatrixJob, Planner, TargetResult};
use crate::run::pipeline::{self, Context};
use crate::plan::Plan;
use crate::report::progress::Progress;
use crate::report::Reporter;
use crate::ship::repro;
use crate::request::CargoRequest;
use crate::targets::{Registry, TargetSpec};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

/// The crate's directory: the manifest's, else the nearest Cargo.toml upward from `cwd`.
pub fn crate_dir(manifest: &Option<PathBuf>, cwd: &Path) -> Result<PathBuf> {
    let mut req = CargoRequest::new(&["build"], cwd);
    if let Some(m) = manifest {
        req.args = vec!["--manifest-path".into(), m.display().to_string()];
    }
    Ok(pipeline::crate_dir(&req)?)
}

/// The context and the base request (a build in `dir`) of a shipping command.
fn context<'a>(registry: &'a Registry, reporter: &'a Reporter, dir: &Path, b: &BuildArgs) -> Context<'a> {
    Context { registry, reporter, env: HostEnv::probe(dir), backend: b.backend, nix: b.nix.clone(), dry_run: false }
}

fn base_request(registry: &Registry, dir: &Path, b: &BuildArgs, release: bool, timeout: Option<u64>) -> CargoRequest {
    let mut req = CargoRequest::new(&["build"], dir).with_args(b.cargo_args());
    req.targets_dirs = registry.extra_dirs.clone();
    if release {
        req.args.push("--release".into());
    }
    req.toolchain = b.toolchain.clone();
    req.timeout_secs = timeout;
    req.glibc = b.glibc;
    req
}

pub fn matrix(
    registry: &Registry,
    reporter: &Reporter,
    manifest: &Option<PathBuf>,
    cwd: PathBuf,
    o: MatrixOpts,
) -> Result<i32> {
    let dir = crate_dir(manifest, &cwd)?;
    let specs: Vec<TargetSpec> = if o.targets.is_empty() {
        matrix::default_targets(registry, matrix::crate_kind(&dir)).into_iter().cloned().collect()
    } else {
        o.targets.iter().map(|t| registry.resolve_any(t.trim())).collect::<Result<_>>()?
    };
    let ctx = context(registry, reporter, &dir, &o.build);
    let plan_fn = |spec: &TargetSpec, req: &CargoRequest| pipeline::prepare_and_plan(&ctx, spec, req);
    let job = MatrixJob {
        planner: &plan_fn as &Planner,
        base: base_request(registry, &dir, &o.build, o.release, o.timeout),
        target_root: o.target_dir.clone().unwrap_or_else(|| dir.join("target/crossflake-matrix")),
        dist: o.dist.clone(),
    };
    let refs: Vec<&TargetSpec> = specs.iter().collect();
    if o.dry_run {
        for spec in &refs {
            for cmd in ["build", "test"] {
                let mut req = job.base.clone();
                req.subcommand = vec![cmd.to_string()];
                req.set_target_dir(&job.target_root.join(&spec.name));
                match (job.planner)(spec, &req) {
                    Ok(p) => reporter.plan(&p, true),
                    Err(e) => reporter.info(&format!("{}: would be skipped: {e:#}", spec.name)),
                }
            }
        }
        return Ok(0);
    }
    let jobs = o.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let names: Vec<&str> = refs.iter().map(|s| s.name.as_str()).collect();
    reporter.info(&format!(
        "matrix for {} over {} target(s) with {jobs} job(s): {}",
        dir.display(),
        refs.len(),
        names.join(", ")
    ));
    let progress = Progress::new(reporter.json(), refs.len());
    let results = matrix::run(&job, &refs, jobs, &progress)?;
    report_matrix(reporter, &results);
    if let Some(sig) = crate::exec::interrupted() {
        return Ok(crate::exit::for_signal(sig));
    }
    Ok(if results.iter().any(TargetResult::failed) { 1 } else { 0 })
}

fn report_matrix(reporter: &Reporter, results: &[TargetResult]) {
    if reporter.json() {
        let passed = results.iter().filter(|r| r.passed()).count();
        let failed = results.iter().filter(|r| r.failed()).count();
        let summary = serde_json::json!({"event": "matrix-summary", "passed": passed, "failed": failed,
            "skipped": results.len() - passed - failed, "results": results});
        println!("{summary}");
        return;
    }
    for r in results.iter().filter(|r| r.failed()) {
        eprintln!("--- {} failed; last lines of {}:", r.target, r.log.display());
        eprintln!("{}", crate::support::fs::log_tail(&r.log, 25));
    }
    print!("{}", matrix::table(results));
}

pub fn repro(
    registry: &Registry,
    reporter: &Reporter,
    manifest: &Option<PathBuf>,
    cwd: PathBuf,
    o: ReproOpts,
) -> Result<i32> {
    let spec = registry.resolve_any(&o.target)?;
    let dir = crate_dir(manifest, &cwd)?;
    let ctx = context(registry, reporter, &dir, &o.build);
    let mut base = base_request(registry, &dir, &o.build, true, None);
    // Both copies must use the toolchain the crate pins, though they live elsewhere.
    if base.toolchain.is_none() {
        base.toolchain = crate::backend::host::choose_toolchain(&ctx.env, &spec, None).ok().map(|(tc, _, _)| tc.name.clone());
    }
    let plan_fn = |spec: &TargetSpec, req: &CargoRequest| pipeline::prepare_and_plan(&ctx, spec, req);
    reporter.info(&format!(
        "repro {}: two clean release builds of {} in different directories",
        spec.name,
        dir.display()
    ));
    let report = repro::run(&plan_fn, &spec, &base, &dir, o.keep)?;
    if reporter.json() {
        println!(
            "{}",
            serde_json::json!({"event": "repro", "target": spec.name, "same_path": report.same_path,
            "identical": report.different.is_empty(), "same": report.identical, "different": report.different})
        );
    } else {
        for (name, h) in &report.identical {
            println!("identical  {name}  sha256:{h}");
        }
        for (name, a, b) in &report.different {
            println!("DIFFERENT  {name}  first sha256:{a}  second sha256:{b}");
        }
        if o.keep {
            println!("builds kept in {} and {}", report.dirs.0.display(), report.dirs.1.display());
        }
        if let Some(why) = &report.same_path {
            reporter.info(&format!("note: {why}"));
        }
        println!("repro {}: {}", spec.name, if report.different.is_empty() { "identical" } else { "NOT reproducible" });
    }
    Ok(if report.different.is_empty() { 0 } else { 1 })
}

pub fn dist(
    registry: &Registry,
    reporter: &Reporter,
    manifest: &Option<PathBuf>,
    cwd: PathBuf,
    o: DistOpts,
) -> Result<i32> {
    let spec = registry.resolve_any(&o.target)?;
    let dir = crate_dir(manifest, &cwd)?;
    let ctx = context(registry, reporter, &dir, &o.build);
    let req = base_request(registry, &dir, &o.build, true, None);
    let plan: Plan = pipeline::prepare_and_plan(&ctx, &spec, &req)?;
    reporter.plan(&plan, false);
    let code = pipeline::execute(&plan, &spec, Output::Scan(crate::run::hints::interesting), &mut |e| reporter.event(&e))?;
    if code != 0 {
        return Ok(code);
    }
    let log = tempfile::NamedTempFile::new()?;
    let Some(build) = plan.steps.last() else { bail!("no build step was planned") };
    let found = artifacts::list(build, log.path())?;
    if found.is_empty() {
        bail!("the release build of {} produced no executable to ship", dir.display());
    }
    let out = if o.out.is_absolute() { o.out.clone() } else { cwd.join(&o.out) };
    let copied = artifacts::copy_to_dist(&found, &spec, &out)?;
    let rows: Vec<(artifacts::Artifact, String)> =
        copied.iter().map(|(path, hash)| (artifacts::Artifact::of(path), hash.clone())).collect();
    if reporter.json() {
        let list: Vec<_> =
            rows.iter().map(|(a, h)| serde_json::json!({"path": a.path, "sha256": h, "glibc": a.glibc})).collect();
        println!("{}", serde_json::json!({"event": "dist", "target": spec.name, "artifacts": list}));
    } else {
        println!("{:<40} {:<7} SHA256", "ARTIFACT", "GLIBC");
        for (a, h) in &rows {
            println!("{:<40} {:<7} {h}", a.path.display(), a.glibc.as_deref().unwrap_or("-"));
        }
    }
    reporter.info(&format!("wrote {}", out.join("SHA256SUMS").display()));
    Ok(0)
}
