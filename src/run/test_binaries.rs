//! `crossflake test` runs a crate's test binaries side by side under the
//! runner: cargo builds them once (`--no-run`, JSON messages), cargo is asked
//! how it would start each (test_env.rs), then up to `-j` binaries (default:
//! the CPU count) run at once through the target's runner, each with its own
//! timeout (the runner's), and their output is printed whole and in cargo's
//! order. cargo's semantics stay: doctests run after the binaries (when cargo
//! would run them), a failure stops what has not started unless
//! `--no-fail-fast`, the exit code is the first failed binary's, and
//! `error: test failed, to rerun pass ...` names the binary. Each binary's
//! output is read for its tests' outcomes (libtest.rs), handed on as a
//! `SuiteFinished` event; with `--partition count:K/N` each binary first
//! lists its tests under the runner and runs only its shard's, by name.
use super::libtest;
use super::test_env::{self, Launch};
use crate::events::{Event, Sink, TestCase, TestSuite};
use crate::exec::{self, Ending, Output};
use crate::plan::{CargoStep, TestRun};
use crate::step::Step;
use anyhow::Context as _;
use cargo_metadata::{Message, TargetKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A test binary cargo built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestBinary {
    pub exe: PathBuf,
    /// `lib`, `bin`, `test`, `bench`, `example` (cargo's first kind).
    pub kind: String,
    pub name: String,
    pub src_path: PathBuf,
    pub manifest_path: PathBuf,
    pub package: String,
    pub doctest: bool,
}

impl TestBinary {
    /// cargo's `--lib`, `--test x`: how to rerun just this one.
    pub fn rerun(&self) -> String {
        match self.kind.as_str() {
            "lib" | "rlib" | "proc-macro" | "cdylib" | "dylib" | "staticlib" => "--lib".into(),
            k => format!("--{k} {}", self.name),
        }
    }

    /// nextest's binary id: `pkg` for a library's tests, `pkg::name` for tests/name.rs,
    /// `pkg::bin/name` for a binary's (and bench/, example/).
    pub fn suite_name(&self) -> String {
        match self.kind.as_str() {
            "lib" | "rlib" | "proc-macro" | "cdylib" | "dylib" | "staticlib" => self.package.clone(),
            "test" => format!("{}::{}", self.package, self.name),
            k => format!("{}::{k}/{}", self.package, self.name),
        }
    }
}

/// What a build's JSON messages say was built: the test binaries (in the order cargo
/// runs tests: by package, then lib, bins, tests, benches, examples, then name) and
/// every executable.
pub fn binaries(json: &[u8]) -> (Vec<TestBinary>, Vec<PathBuf>) {
    let mut tests = Vec::new();
    let mut all = Vec::new();
    for m in Message::parse_stream(json).flatten() {
        let Message::CompilerArtifact(a) = m else { continue };
        let Some(exe) = a.executable.map(PathBuf::from) else { continue };
        all.push(exe.clone());
        if !a.profile.test {
            continue;
        }
        let manifest_path = PathBuf::from(a.manifest_path);
        // `path+file:///d/many-bins#0.1.0`: cargo leaves the name out when it is the last segment.
        let package = a.package_id.repr.rsplit_once('#').map(|(url, nv)| match nv.split_once('@') {
            Some((name, _)) => name.to_string(),
            None => url.rsplit('/').next().unwrap_or("").to_string(),
        });
        let package = package.filter(|p| !p.is_empty() && !p.contains('/')).unwrap_or_else(|| {
            manifest_path
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        tests.push(TestBinary {
            exe,
            kind: a.target.kind.first().map(TargetKind::to_string).unwrap_or_else(|| "lib".into()),
            name: a.target.name.clone(),
            src_path: PathBuf::from(&a.target.src_path),
            manifest_path,
            package,
            doctest: a.target.doctest,
        });
    }
    let rank = |k: &str| match k {
        "bin" => 1,
        "test" => 2,
        "bench" => 3,
        "example" => 4,
        _ => 0,
    };
    tests.sort_by(|a, b| (&a.package, rank(&a.kind), &a.name).cmp(&(&b.package, rank(&b.kind), &b.name)));
    tests.dedup_by(|a, b| a.exe == b.exe);
    all.sort();
    all.dedup();
    (tests, all)
}

/// Whether cargo built `exe` for the target whose directory (under the target dir) is
/// `triple_dir`, rather than for the host (a proc-macro's or build script's tests).
pub fn built_for(exe: &Path, triple_dir: &str) -> bool {
    exe.components().any(|c| c.as_os_str() == triple_dir)
}

/// cargo's `Running` line for a binary.
fn running_line(t: &TestBinary, cwd: &Path) -> String {
    let dir = t.manifest_path.parent().unwrap_or(Path::new(""));
    let src = t.src_path.strip_prefix(dir).unwrap_or(&t.src_path).display().to_string();
    let exe = t.exe.strip_prefix(cwd).unwrap_or(&t.exe).display().to_string();
    let unit = if matches!(t.kind.as_str(), "test" | "bench" | "example") { "" } else { "unittests " };
    format!("     Running {unit}{src} ({exe})\n")
}

/// The step that runs one binary through the runner, started as cargo started it (its
/// recorded environment and working directory, nothing else inherited).
fn binary_step(launch: &Launch, runner: &[String], t: &TestBinary, args: &[String]) -> Step {
    let (program, rest) = runner
        .split_first()
        .map(|(p, r)| (p.clone(), r.to_vec()))
        .unwrap_or_else(|| (t.exe.display().to_string(), vec![]));
    let mut s = Step::new(&format!("test {}", t.rerun()), program).args(rest);
    if !runner.is_empty() {
        s = s.arg(t.exe.display().to_string());
    }
    s = s.args(args.iter().cloned());
    s.env = launch.env.clone();
    s.clear_env = true;
    s.cwd = Some(launch.cwd.clone());
    s
}

/// How cargo starts each test binary it would run (test_env.rs), in cargo's order, with
/// the binaries' descriptions from the build's messages.
fn launches(build: &CargoStep, tests: Vec<TestBinary>, ours: &[String]) -> anyhow::Result<Vec<(TestBinary, Launch)>> {
    let record = tempfile::NamedTempFile::new()?;
    let log = tempfile::NamedTempFile::new()?;
    let self_exe = std::env::current_exe().context("cannot find crossflake's own executable")?;
    let capture = test_env::capture_step(build, record.path(), &self_exe);
    let (outcome, _) = exec::run(&capture, Output::Log(log.path()))?;
    if !outcome.success() && exec::interrupted().is_none() {
        anyhow::bail!(
            "asking cargo how it starts the test binaries failed ({}); its last lines:\n{}",
            outcome.ending.describe(),
            crate::support::fs::log_tail(log.path(), 15)
        );
    }
    let mut out = Vec::new();
    for l in test_env::read(record.path(), &capture, &build.step(), ours)? {
        let t = tests.iter().find(|t| t.exe == l.exe).cloned().unwrap_or_else(|| TestBinary {
            exe: l.exe.clone(),
            kind: "test".into(),
            name: l.exe.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            src_path: PathBuf::new(),
            manifest_path: l.cwd.join("Cargo.toml"),
            package: String::new(),
            doctest: false,
        });
        out.push((t, l));
    }
    Ok(out)
}

/// Runs a cargo step the executor's way: its outcome, stdout, and the stderr lines kept.
pub type CargoRun<'a> = dyn Fn(&CargoStep) -> anyhow::Result<(exec::Outcome, Vec<u8>, Vec<String>)> + 'a;

/// What a run of the binaries came to.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The ending that counts: the build's when it failed, else the first failed binary's,
    /// else the doctests'.
    pub ending: Ending,
    /// Every executable the build made (for coverage: the objects; for glibc: the artifacts).
    pub executables: Vec<PathBuf>,
    /// The lines of cargo's stderr kept for hints.
    pub kept: Vec<String>,
    /// Each binary's tests (and the doctests'), in cargo's order.
    pub suites: Vec<TestSuite>,
}

/// What a shard runs of one binary.
enum Share {
    /// These arguments (all of it, or its names with `--exact`).
    Run(Vec<String>),
    /// Nothing: why, as a line for the binary's output.
    None(String),
}

/// The arguments binary `i` runs with in `run`'s shard: its tests are listed under the
/// runner (`--list`) and the shard's taken by name; a binary that is not libtest's (a
/// `harness = false` one) goes whole to one shard, by its place in cargo's order.
fn share(run: &TestRun, step: &dyn Fn(&[String]) -> Step, i: usize, exe: &Path) -> Result<Share, String> {
    let Some(p) = run.partition else { return Ok(Share::Run(run.harness_args.clone())) };
    let listing = step(&libtest::list_args(&run.harness_args));
    let (o, got) = exec::run(&listing, Output::Capture).map_err(|e| format!("{e:#}"))?;
    if !o.success() {
        return Err(format!(
            "listing the tests of {} failed ({}): {}",
            exe.display(),
            o.ending.describe(),
            String::from_utf8_lossy(&got.stderr).trim()
        ));
    }
    Ok(match libtest::listed(&String::from_utf8_lossy(&got.stdout)) {
        Some(names) => match p.pick(&names) {
            mine if mine.is_empty() => Share::None(format!("none of its {} tests is in shard {p}", names.len())),
            mine => Share::Run(libtest::exact_args(&run.harness_args, &mine)),
        },
        None if p.takes(i) => Share::Run(run.harness_args.clone()),
        None => Share::None(format!("it is not a libtest binary; it runs whole in another shard than {p}")),
    })
}

/// Builds, runs the binaries side by side, then the doctests. `runner`: crossflake's
/// runner argv; `triple`: the target's directory name, which tells target binaries from
/// host ones (a proc-macro's tests run natively, as cargo runs them). The binary first in
/// cargo's order streams its output live; the others' output is held and handed to the
/// sink whole when their turn comes. `cargo_run` runs a cargo step the executor's way.
pub fn execute(
    build: &CargoStep,
    run: &TestRun,
    triple: &str,
    sink: &dyn Sink,
    cargo_run: &CargoRun,
) -> anyhow::Result<Summary> {
    let (outcome, stdout, kept) = cargo_run(build)?;
    let mut summary = Summary { ending: outcome.ending, executables: vec![], kept, suites: vec![] };
    if !outcome.success() {
        return Ok(summary);
    }
    let (built, all) = binaries(&stdout);
    summary.executables = all;
    let has_doctests = built.iter().any(|t| t.doctest && matches!(t.kind.as_str(), "lib" | "rlib" | "proc-macro"));
    let (tests, launched): (Vec<TestBinary>, Vec<Launch>) =
        launches(build, built, run.host_runner_var.as_slice())?.into_iter().unzip();
    let cwd = build.cwd.clone();
    let runner = build.runner.clone().unwrap_or_default();
    let stop = AtomicBool::new(false);
    let n = tests.len();
    let printer = Mutex::new(Printer {
        sink,
        head: 0,
        held: vec![Vec::new(); n],
        endings: vec![None; n],
        started: vec![false; n],
        all: vec![Vec::new(); n],
        seconds: vec![0.0; n],
        ran: vec![true; n],
    });
    exec::share_out(
        n,
        run.jobs,
        || stop.load(Ordering::SeqCst),
        |i| {
            let t = &tests[i];
            printer.lock().unwrap_or_else(|e| e.into_inner()).start(i, &tests, &cwd);
            let host = !built_for(&t.exe, triple);
            let started = std::time::Instant::now();
            let step = |args: &[String]| binary_step(&launched[i], if host { &[] } else { &runner }, t, args);
            let chunk = |bytes: &[u8]| printer.lock().unwrap_or_else(|e| e.into_inner()).output(i, bytes);
            let ending = match share(run, &step, i, &t.exe) {
                Ok(Share::Run(args)) => match exec::run(&step(&args), Output::Merged(&chunk)) {
                    Ok((o, _)) => o.ending,
                    Err(e) => {
                        chunk(format!("crossflake: cannot run {}: {e:#}\n", t.exe.display()).as_bytes());
                        Ending::Exited(crate::exit::CANNOT_RUN)
                    }
                },
                Ok(Share::None(why)) => {
                    printer.lock().unwrap_or_else(|e| e.into_inner()).ran[i] = false;
                    chunk(format!("crossflake: skipped {}: {why}\n", t.exe.display()).as_bytes());
                    Ending::Exited(0)
                }
                Err(why) => {
                    chunk(format!("crossflake: {why}\n").as_bytes());
                    Ending::Exited(crate::exit::CANNOT_RUN)
                }
            };
            printer.lock().unwrap_or_else(|e| e.into_inner()).seconds[i] = started.elapsed().as_secs_f64();
            if ending != Ending::Exited(0) && !run.no_fail_fast {
                stop.store(true, Ordering::SeqCst);
            }
            printer.lock().unwrap_or_else(|e| e.into_inner()).finished(i, ending, &tests, &cwd);
        },
    );
    let printed = printer.into_inner().unwrap_or_else(|e| e.into_inner());
    for (i, t) in tests.iter().enumerate().filter(|(i, _)| printed.ran[*i]) {
        let Some(ending) = printed.endings[i] else { continue };
        let suite = suite(t.suite_name(), &printed.all[i], ending, printed.seconds[i]);
        sink.event(Event::SuiteFinished(suite.clone()));
        summary.suites.push(suite);
    }
    let endings = printed.endings;
    let failed: Vec<(&TestBinary, Ending)> =
        tests.iter().zip(&endings).filter_map(|(t, e)| e.filter(|e| *e != Ending::Exited(0)).map(|e| (t, e))).collect();
    let not_run = tests.len() - endings.iter().filter(|e| e.is_some()).count();
    if let Some(sig) = exec::interrupted() {
        summary.ending = Ending::Interrupted(sig);
        return Ok(summary);
    }
    let say = |s: String| sink.event(Event::Stderr(s.into_bytes()));
    match failed.as_slice() {
        [] => {}
        [(t, e)] => say(format!(
            "error: test failed, to rerun pass `{}`\n\nCaused by:\n  process didn't exit successfully: `{}` ({})\n",
            t.rerun(),
            t.exe.display(),
            e.describe()
        )),
        many => {
            let mut s = format!("error: {} targets failed:\n", many.len());
            for (t, _) in many {
                s += &format!("    `{}`\n", t.rerun());
            }
            say(s)
        }
    }
    if not_run > 0 {
        say(format!("note: {not_run} test binaries were not run after the failure; --no-fail-fast runs them all\n"));
    }
    if let Some((_, e)) = failed.first() {
        // As cargo: the first failed binary's status.
        summary.ending = *e;
        return Ok(summary);
    }
    let doc_shard = run.partition.is_none_or(|p| p.shard == 1);
    if let (Some(doc), true, true) = (&run.doc, has_doctests, doc_shard) {
        let mut doc = doc.clone();
        doc.env.extend(
            build.env.iter().filter(|(k, _)| *k == crate::events::EVENTS_ENV).map(|(k, v)| (k.clone(), v.clone())),
        );
        let started = std::time::Instant::now();
        let (o, stdout, kept) = cargo_run(&doc)?;
        let package = tests.first().map(|t| t.package.clone()).unwrap_or_default();
        let suite = suite(format!("{package}::doctests"), &stdout, o.ending, started.elapsed().as_secs_f64());
        sink.event(Event::SuiteFinished(suite.clone()));
        summary.suites.push(suite);
        summary.ending = o.ending;
        summary.kept = kept;
    }
    Ok(summary)
}

/// A binary's suite from its output; an ending its tests do not explain is the suite's error.
fn suite(name: String, output: &[u8], ending: Ending, seconds: f64) -> TestSuite {
    let cases: Vec<TestCase> = libtest::cases(&String::from_utf8_lossy(output));
    let failed = cases.iter().any(|c| c.outcome == crate::events::CaseOutcome::Failed);
    let error = (ending != Ending::Exited(0) && !failed).then(|| {
        let tail: Vec<&str> = std::str::from_utf8(output).unwrap_or("").lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("{} ({})", ending.describe(), tail.join(" / ").trim())
    });
    TestSuite { name, cases, seconds, error }
}

/// Output in cargo's order: the head binary's goes straight through, the others' waits.
struct Printer<'a> {
    sink: &'a dyn Sink,
    head: usize,
    held: Vec<Vec<u8>>,
    endings: Vec<Option<Ending>>,
    started: Vec<bool>,
    /// Each binary's whole output (up to `KEEP` bytes), read for its tests' outcomes.
    all: Vec<Vec<u8>>,
    seconds: Vec<f64>,
    /// False for a binary the shard does not run.
    ran: Vec<bool>,
}

/// How much of a binary's output is kept for reading its tests' outcomes.
const KEEP: usize = 16 << 20;

impl Printer<'_> {
    fn output(&mut self, i: usize, bytes: &[u8]) {
        if self.all[i].len() < KEEP {
            self.all[i].extend_from_slice(bytes);
        }
        if i == self.head {
            self.sink.event(Event::Stdout(bytes.to_vec()));
        } else {
            self.held[i].extend_from_slice(bytes);
        }
    }

    /// Binary `i` starts: announced now if it is the head.
    fn start(&mut self, i: usize, tests: &[TestBinary], cwd: &Path) {
        self.started[i] = true;
        if i == self.head {
            self.sink.event(Event::Stderr(running_line(&tests[i], cwd).into_bytes()));
        }
    }

    /// Binary `i` ended: the head moves past every ended one; the new head, if it has
    /// started, is announced and its held output handed on (then it streams).
    fn finished(&mut self, i: usize, ending: Ending, tests: &[TestBinary], cwd: &Path) {
        self.endings[i] = Some(ending);
        while self.head < tests.len() && self.endings[self.head].is_some() {
            self.head += 1;
            let Some(t) = tests.get(self.head) else { break };
            if !self.started[self.head] {
                break;
            }
            self.sink.event(Event::Stderr(running_line(t, cwd).into_bytes()));
            let held = std::mem::take(&mut self.held[self.head]);
            self.sink.event(Event::Stdout(held));
        }
    }
}
