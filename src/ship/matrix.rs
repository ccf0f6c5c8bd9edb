//! `crossflake matrix`: build and test one crate for many targets. Every
//! target builds in one shared target directory, so what is built for the
//! host (proc-macros such as serde_derive, syn, every build script) is
//! compiled once for all targets; cargo's lock on that directory makes
//! concurrent builds take turns (each with every CPU) while another target's
//! tests run. Each target's artifacts, log and verdict stay its own; a
//! failure in one never stops the others.
use super::{artifacts, glibc};
use crate::events::{Artifact, Event, Sink, Status, TargetResult};
use crate::exec;
use crate::failure::Failure;
use crate::plan::Plan;
use crate::request::CargoRequest;
use crate::run::execute::{execute, Console};
use crate::targets::{Kind, Registry, Runner, TargetSpec};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

/// What the crate is: a kernel (no_std) crate gets the bare-metal targets by default.
pub fn crate_kind(dir: &Path) -> Kind {
    if let Some(kind) = crate::resolve::crate_meta::CrateMeta::read(dir).ok().and_then(|m| m.kind) {
        return kind;
    }
    let no_std = ["src/main.rs", "src/lib.rs"].iter().any(|f| {
        std::fs::read_to_string(dir.join(f)).is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("#![no_std]")))
    });
    if no_std {
        Kind::BareMetal
    } else {
        Kind::Std
    }
}

/// The default matrix: every registry target of the crate's kind (custom JSON targets excluded).
pub fn default_targets(reg: &Registry, kind: Kind) -> Vec<&TargetSpec> {
    reg.targets.iter().filter(|t| t.kind == kind && t.custom_json.is_none()).collect()
}

/// Plans one cargo command for one target (the chosen backend's planner).
pub type Planner<'a> = dyn Fn(&TargetSpec, &CargoRequest) -> Result<Plan, Failure> + Sync + 'a;
/// Makes the sink a target's log is written through.
pub type LogSink<'a> = dyn Fn(&Path) -> Result<Box<dyn Sink>> + Sync + 'a;

pub struct MatrixJob<'a> {
    pub planner: &'a Planner<'a>,
    pub log_sink: &'a LogSink<'a>,
    pub base: CargoRequest,
    /// The target directory all targets share; logs go in `<root>/logs/`.
    pub target_dir: PathBuf,
    pub dist: Option<PathBuf>,
}

impl MatrixJob<'_> {
    /// The request for `subcommand` in the shared target directory.
    pub fn request(&self, subcommand: &str) -> CargoRequest {
        let mut req = self.base.clone();
        req.set_target_dir(&self.target_dir);
        req.subcommand = vec![subcommand.to_string()];
        req
    }

    pub fn log(&self, spec: &TargetSpec) -> PathBuf {
        self.target_dir.join("logs").join(format!("{}.log", spec.name))
    }
}

/// Runs a plan with its output in the target's log: Ok with the executables built, or
/// the status that failed.
fn run_plan(plan: &Plan, spec: &TargetSpec, log: &dyn Sink, path: &Path) -> Result<Vec<PathBuf>, Status> {
    match execute(plan, spec, Console::Sink, log) {
        Ok(ran) => Ok(ran.executables.unwrap_or_default()),
        Err(f) => Err(match f.kind {
            crate::exit::Kind::TimedOut => Status::TimedOut(format!("see {}", path.display())),
            crate::exit::Kind::Signal(s) => Status::Failed(format!("signal {s}")),
            _ if !f.message.is_empty() => Status::Failed(format!("{}; see {}", f, path.display())),
            k => Status::Failed(format!("exit {}; see {}", k.code(), path.display())),
        }),
    }
}

/// Builds then tests one target; every outcome is captured in the result.
fn run_one(job: &MatrixJob, spec: &TargetSpec, sink: &dyn Sink) -> TargetResult {
    let start = Instant::now();
    let path = job.log(spec);
    let mut res = TargetResult {
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        build: Status::Skipped("not attempted".into()),
        test: Status::Skipped("not attempted".into()),
        seconds: 0.0,
        artifacts: vec![],
        log: path.clone(),
    };
    let log = match (job.log_sink)(&path) {
        Ok(l) => l,
        Err(e) => {
            res.build = Status::Failed(format!("cannot write the log: {e:#}"));
            return res;
        }
    };
    let req = job.request("build");
    let mut plan = match (job.planner)(spec, &req) {
        Ok(p) => p,
        Err(e) => {
            res.build = Status::Skipped(e.to_string());
            res.test = Status::Skipped("not built".into());
            return res;
        }
    };
    plan.cargo.json_messages = true;
    sink.event(Event::TargetPhase { target: spec.name.clone(), phase: "building".into() });
    match run_plan(&plan, spec, log.as_ref(), &path) {
        Ok(built) => {
            let built = artifacts::shipped(spec, &plan.cargo, &built).unwrap_or(built);
            res.build = Status::Passed;
            res.artifacts = match req.glibc {
                Some(floor) => match glibc::check_floor(&built, floor, log.as_ref()) {
                    Ok(a) => a,
                    Err(f) => {
                        res.build = Status::Failed(f.to_string());
                        vec![]
                    }
                },
                None => built.iter().map(|p| artifacts::artifact(p)).collect::<Vec<Artifact>>(),
            };
            // Shipping a binary that loads a dylib no Mac has fails; building it is cargo's success.
            if spec.is_darwin() && job.dist.is_some() {
                if let Err(f) = super::macho::check(&built, log.as_ref()) {
                    res.build = Status::Failed(f.to_string());
                }
            }
            if let (Some(out), Status::Passed) = (&job.dist, &res.build) {
                if let Err(e) = artifacts::copy_to_dist(&built, spec, out) {
                    res.build = Status::Failed(format!("dist: {e:#}"));
                }
            }
        }
        Err(status) => res.build = status,
    }
    res.test = match (&res.build, &spec.runner) {
        (Status::Passed, Runner::None { reason }) => Status::Skipped(reason.clone()),
        (Status::Passed, _) => {
            sink.event(Event::TargetPhase { target: spec.name.clone(), phase: "testing".into() });
            let req = job.request("test");
            match (job.planner)(spec, &req) {
                Err(e) => Status::Skipped(e.to_string()),
                Ok(mut p) => {
                    crate::plan::tests::side_by_side(&mut p, &req, &crate::resolve::machine::host_triple());
                    run_plan(&p, spec, log.as_ref(), &path).map_or_else(|s| s, |_| Status::Passed)
                }
            }
        }
        _ => Status::Skipped("not built".into()),
    };
    res.seconds = start.elapsed().as_secs_f64();
    res
}

/// Runs the matrix with `jobs` workers; results come back in `specs` order.
pub fn run(job: &MatrixJob, specs: &[&TargetSpec], jobs: usize, sink: &dyn Sink) -> Result<Vec<TargetResult>> {
    std::fs::create_dir_all(job.target_dir.join("logs"))
        .with_context(|| format!("cannot create {}", job.target_dir.display()))?;
    exec::signals::install();
    let results: Mutex<Vec<Option<TargetResult>>> = Mutex::new(vec![None; specs.len()]);
    exec::share_out(
        specs.len(),
        jobs,
        || false,
        |i| {
            let r = run_one(job, specs[i], sink);
            sink.event(Event::TargetFinished(r.clone()));
            results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
        },
    );
    Ok(results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().collect())
}

/// The matrix's result: counts and every target's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub results: Vec<TargetResult>,
}

impl Summary {
    pub fn of(results: Vec<TargetResult>) -> Summary {
        let passed = results.iter().filter(|r| r.passed()).count();
        let failed = results.iter().filter(|r| r.failed()).count();
        Summary { passed, failed, skipped: results.len() - passed - failed, results }
    }
}
