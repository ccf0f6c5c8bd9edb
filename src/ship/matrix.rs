//! `crossflake matrix`: build and test one crate for many targets, in
//! parallel where it helps, with live progress and a summary table.
use crate::ship::artifacts;
use crate::exec::{self, Output};
use crate::run::pipeline;
use crate::plan::Plan;
use crate::report::progress::Progress;
use crate::request::CargoRequest;
use crate::targets::{Kind, Registry, Runner, TargetSpec};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed(String),
    TimedOut(String),
    /// Not attempted, with the reason. Never counted as passed.
    Skipped(String),
}

impl Status {
    fn from_code(code: i32, log: &Path) -> Status {
        match code {
            0 => Status::Passed,
            crate::exit::TIMEOUT => Status::TimedOut(format!("see {}", log.display())),
            c if c > crate::exit::SIGNAL_BASE => Status::Failed(format!("signal {}", c - crate::exit::SIGNAL_BASE)),
            c => Status::Failed(format!("exit {c}; see {}", log.display())),
        }
    }
    pub fn word(&self) -> &'static str {
        match self {
            Status::Passed => "ok",
            Status::Failed(_) => "FAILED",
            Status::TimedOut(_) => "TIMEOUT",
            Status::Skipped(_) => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    pub target: String,
    pub rust_triple: String,
    pub build: Status,
    pub test: Status,
    pub seconds: f64,
    pub artifacts: Vec<artifacts::Artifact>,
    pub log: PathBuf,
}

impl TargetResult {
    pub fn failed(&self) -> bool {
        matches!(self.build, Status::Failed(_) | Status::TimedOut(_))
            || matches!(self.test, Status::Failed(_) | Status::TimedOut(_))
    }
    pub fn passed(&self) -> bool {
        self.build == Status::Passed && self.test == Status::Passed
    }
}

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
pub type Planner<'a> = dyn Fn(&TargetSpec, &CargoRequest) -> Result<Plan> + Sync + 'a;

pub struct MatrixJob<'a> {
    pub planner: &'a Planner<'a>,
    pub base: CargoRequest,
    /// Per-target target dirs live under here.
    pub target_root: PathBuf,
    pub dist: Option<PathBuf>,
}

/// Builds then tests one target; every outcome is captured in the result.
fn run_one(job: &MatrixJob, spec: &TargetSpec, progress: &Progress) -> TargetResult {
    let start = Instant::now();
    let dir = job.target_root.join(&spec.name);
    let log = dir.join("matrix.log");
    let mut res = TargetResult {
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        build: Status::Skipped("not attempted".into()),
        test: Status::Skipped("not attempted".into()),
        seconds: 0.0,
        artifacts: vec![],
        log: log.clone(),
    };
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(&log, "");
    let mut req = job.base.clone();
    req.set_target_dir(&dir);
    req.subcommand = vec!["build".into()];
    let plan = match (job.planner)(spec, &req) {
        Ok(p) => p,
        Err(e) => {
            res.build = Status::Skipped(format!("{e:#}"));
            res.test = Status::Skipped("not built".into());
            return res;
        }
    };
    progress.update(&spec.name, "building");
    let build = plan.steps.last().expect("a build plan has a cargo step");
    res.build = run_plan(&plan, spec, &log);
    if res.build == Status::Passed {
        let built = artifacts::list(build, &log).unwrap_or_default();
        res.artifacts = built.iter().map(|p| artifacts::Artifact::of(p)).collect();
        if let Some(out) = &job.dist {
            if let Err(e) = artifacts::copy_to_dist(&built, spec, out) {
                res.build = Status::Failed(format!("dist: {e:#}"));
            }
        }
    }
    res.test = match (&res.build, &spec.runner) {
        (Status::Passed, Runner::None { reason }) => Status::Skipped(reason.clone()),
        (Status::Passed, _) => {
            progress.update(&spec.name, "testing");
            req.subcommand = vec!["test".into()];
            match (job.planner)(spec, &req) {
                Err(e) => Status::Skipped(format!("{e:#}")),
                Ok(p) => run_plan(&p, spec, &log),
            }
        }
        _ => Status::Skipped("not built".into()),
    };
    res.seconds = start.elapsed().as_secs_f64();
    res
}

/// Runs a plan with its output in the target's log.
fn run_plan(plan: &Plan, spec: &TargetSpec, log: &Path) -> Status {
    match pipeline::execute(plan, spec, Output::Log(log), &mut |_| {}) {
        Ok(code) => Status::from_code(code, log),
        Err(e) => Status::Failed(format!("{e:#}")),
    }
}

/// Runs the matrix with `jobs` workers; results come back in `specs` order.
pub fn run(job: &MatrixJob, specs: &[&TargetSpec], jobs: usize, progress: &Progress) -> Result<Vec<TargetResult>> {
    std::fs::create_dir_all(&job.target_root)
        .with_context(|| format!("cannot create {}", job.target_root.display()))?;
    exec::install_signal_handlers();
    let results: Mutex<Vec<Option<TargetResult>>> = Mutex::new(vec![None; specs.len()]);
    exec::share_out(
        specs.len(),
        jobs,
        || false,
        |i| {
            let r = run_one(job, specs[i], progress);
            let line = format!(
                "crossflake: {}: build {}, test {} ({:.1} s)",
                r.target,
                r.build.word(),
                r.test.word(),
                r.seconds
            );
            progress.finished(&r.target, &line, serde_json::to_value(&r).unwrap_or_default());
            results.lock().unwrap()[i] = Some(r);
        },
    );
    Ok(results.into_inner().unwrap().into_iter().flatten().collect())
}

/// The summary table.
pub fn table(results: &[TargetResult]) -> String {
    let mut out = format!("{:<14} {:<8} {:<8} {:>8}  {}\n", "TARGET", "BUILD", "TEST", "TIME", "ARTIFACT / REASON");
    for r in results {
        let detail = match (&r.build, &r.test) {
            (Status::Skipped(why), _) | (_, Status::Skipped(why)) if !r.failed() => why.clone(),
            (Status::Failed(why) | Status::TimedOut(why), _) | (_, Status::Failed(why) | Status::TimedOut(why)) => {
                why.clone()
            }
            _ => r
                .artifacts
                .first()
                .map(|a| match &a.glibc {
                    Some(g) => format!("{} (glibc {g})", a.path.display()),
                    None => a.path.display().to_string(),
                })
                .unwrap_or_default(),
        };
        let detail = detail.lines().next().unwrap_or("").to_string();
        out += &format!("{:<14} {:<8} {:<8} {:>7.1}s  {detail}\n", r.target, r.build.word(), r.test.word(), r.seconds);
    }
    let (p, f) = (results.iter().filter(|r| r.passed()).count(), results.iter().filter(|r| r.failed()).count());
    out += &format!("matrix: {p} passed, {f} failed, {} skipped\n", results.len() - p - f);
    out
}
