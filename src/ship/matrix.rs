//! `crossflake matrix`: build and test one crate for many targets. Every
//! target builds in one shared target directory, so what is built for the
//! host (proc-macros such as serde_derive, syn, every build script) is
//! compiled once for all targets; cargo's lock on that directory makes
//! concurrent builds take turns (each with every CPU) while another target's
//! tests run. Each target's artifacts, log and verdict stay its own; a
//! failure in one never stops the others. Every target is planned first, and
//! the variables that reach host units get one value in all of them
//! (`share_host_env`), or host units would be rebuilt for each target in turn.
//! `--isolate` gives each target a directory of its own instead.
use super::{artifacts, glibc};
use crate::events::{Artifact, Counts, Event, Sink, Status, TargetResult, TestSuite};
use crate::exec;
use crate::failure::Failure;
use crate::plan::{CargoStep, Plan};
use crate::request::CargoRequest;
use crate::run::execute::{execute, Console};
use crate::targets::{Kind, Registry, Runner, TargetSpec};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
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
/// Makes the sink a target's log is written through (for a matrix, it also keeps cargo's
/// JSON messages, in `MatrixJob::messages`).
pub type LogSink<'a> = dyn Fn(&Path) -> Result<Box<dyn Sink>> + Sync + 'a;

pub struct MatrixJob<'a> {
    pub planner: &'a Planner<'a>,
    pub log_sink: &'a LogSink<'a>,
    pub base: CargoRequest,
    /// The target directory all targets share; logs go in `<root>/logs/`.
    pub target_dir: PathBuf,
    pub dist: Option<PathBuf>,
    /// Each target in a target directory of its own (`<root>/<target>`): nothing shared.
    pub isolate: bool,
    /// This machine's triple: the variables named for it reach host units.
    pub host_triple: String,
}

impl MatrixJob<'_> {
    /// The request for `subcommand` in the target's target directory.
    pub fn request(&self, spec: &TargetSpec, subcommand: &str) -> CargoRequest {
        let mut req = self.base.clone();
        match self.isolate {
            true => req.set_target_dir(&self.target_dir.join(&spec.name)),
            false => req.set_target_dir(&self.target_dir),
        }
        req.subcommand = vec![subcommand.to_string()];
        req
    }

    pub fn log(&self, spec: &TargetSpec) -> PathBuf {
        self.target_dir.join("logs").join(format!("{}.log", spec.name))
    }

    /// cargo's JSON messages of the target's builds, one per line (beside its log).
    pub fn messages(&self, spec: &TargetSpec) -> PathBuf {
        messages_of(&self.log(spec))
    }
}

/// Where the JSON messages of the log at `log` go.
pub fn messages_of(log: &Path) -> PathBuf {
    log.with_extension("json")
}

/// A target's plans: its build's, and its tests' (None: its programs cannot run here,
/// the reason). Err: why the target is skipped.
pub struct Planned {
    pub build: Result<Plan, String>,
    pub test: Result<Plan, String>,
}

/// Plans every target's build and test run, then gives the variables that reach host
/// units one value in all of them (`share_host_env`), so what one target built for the
/// host stays fresh for the next.
pub fn plan_all(job: &MatrixJob, specs: &[&TargetSpec]) -> Vec<Planned> {
    let mut all: Vec<Planned> = specs
        .iter()
        .map(|spec| {
            let build = (job.planner)(spec, &job.request(spec, "build")).map_err(|e| e.to_string());
            let test = match &spec.runner {
                Runner::None { reason } => Err(reason.clone()),
                _ => {
                    let req = job.request(spec, "test");
                    (job.planner)(spec, &req).map_err(|e| e.to_string()).map(|mut p| {
                        crate::plan::tests::side_by_side(&mut p, &req, &job.host_triple);
                        p
                    })
                }
            };
            Planned { build, test }
        })
        .collect();
    let mut steps: Vec<&mut CargoStep> = Vec::new();
    for p in &mut all {
        for plan in [&mut p.build, &mut p.test].into_iter().flatten() {
            let Plan { cargo, tests, .. } = plan;
            steps.push(cargo);
            steps.extend(tests.as_mut().and_then(|t| t.doc.as_mut()));
        }
    }
    share_host_env(&mut steps, &job.host_triple);
    all
}

/// cargo's variable-name form of a triple (`X86_64_UNKNOWN_LINUX_GNU`).
fn name_form(triple: &str) -> String {
    triple.to_uppercase().replace(['-', '.'], "_")
}

/// Gives every step the same value of each variable that reaches host units (build
/// scripts and proc-macros, which run here): those named for the host's triple
/// (`CC_x86_64_unknown_linux_gnu`, `CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER`, which
/// an x86_64 target sets and the others do not) and `PKG_CONFIG_ALLOW_CROSS`. cc-rs and
/// pkg-config-rs tell cargo to rerun a build script when these change, so one value
/// differing between two targets' cargo runs would rebuild the host's units for each
/// target in turn, and rewrite them while another target's tests use them. The value
/// of the step whose target is the host wins; else the first step's. Pure.
pub fn share_host_env(steps: &mut [&mut CargoStep], host_triple: &str) {
    let host = name_form(host_triple);
    let reaches_host = |k: &str| name_form(k).contains(&host) || k == "PKG_CONFIG_ALLOW_CROSS";
    let mut chosen: BTreeMap<String, (bool, String)> = BTreeMap::new();
    for st in steps.iter() {
        let owner = st.target_env == host;
        for (k, v) in st.step().env.into_iter().filter(|(k, _)| reaches_host(k)) {
            match chosen.get(&k) {
                Some((true, _)) => {}
                Some((false, _)) if !owner => {}
                _ => {
                    chosen.insert(k, (owner, v));
                }
            }
        }
    }
    for st in steps.iter_mut() {
        for (k, (_, v)) in &chosen {
            if st.target_env != host || *k != st.runner_var() {
                st.env.insert(k.clone(), v.clone());
            }
        }
    }
}

/// A sink that passes everything on and keeps the test suites that finished.
struct Keep<'a> {
    inner: &'a dyn Sink,
    suites: Mutex<Vec<TestSuite>>,
}

impl Sink for Keep<'_> {
    fn event(&self, e: Event) {
        if let Event::SuiteFinished(s) = &e {
            self.suites.lock().unwrap_or_else(|e| e.into_inner()).push(s.clone());
        }
        self.inner.event(e)
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
            // What this machine lacks, found only by the build (cargo-xwin's refused download, a
            // crate's C compiler): the target cannot be served here, as a missing linker found
            // while planning; skipped with the reason, never counted as passed.
            crate::exit::Kind::Missing => Status::Skipped(format!("{f}; see {}", path.display())),
            _ if !f.message.is_empty() => Status::Failed(format!("{}; see {}", f, path.display())),
            k => Status::Failed(format!("exit {}; see {}", k.code(), path.display())),
        }),
    }
}

/// Builds then tests one target; every outcome is captured in the result.
fn run_one(job: &MatrixJob, spec: &TargetSpec, planned: &Planned, sink: &dyn Sink) -> TargetResult {
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
        tests: None,
        suites: vec![],
    };
    let log = match (job.log_sink)(&path) {
        Ok(l) => l,
        Err(e) => {
            res.build = Status::Failed(format!("cannot write the log: {e:#}"));
            return res;
        }
    };
    let mut plan = match &planned.build {
        Ok(p) => p.clone(),
        Err(e) => {
            res.build = Status::Skipped(e.clone());
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
            res.artifacts = match job.base.glibc {
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
    res.test = match (&res.build, &planned.test) {
        (Status::Passed, Err(why)) => Status::Skipped(why.clone()),
        (Status::Passed, Ok(p)) => {
            sink.event(Event::TargetPhase { target: spec.name.clone(), phase: "testing".into() });
            let keep = Keep { inner: log.as_ref(), suites: Mutex::new(vec![]) };
            let status = run_plan(p, spec, &keep, &path).map_or_else(|s| s, |_| Status::Passed);
            res.suites = keep.suites.into_inner().unwrap_or_else(|e| e.into_inner());
            res.tests = Some(Counts::of(&res.suites));
            status
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
    let planned = plan_all(job, specs);
    let results: Mutex<Vec<Option<TargetResult>>> = Mutex::new(vec![None; specs.len()]);
    exec::share_out(
        specs.len(),
        jobs,
        || false,
        |i| {
            let r = run_one(job, specs[i], &planned[i], sink);
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
