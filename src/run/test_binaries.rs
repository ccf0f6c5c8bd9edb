//! `crossflake test` runs a crate's test binaries side by side under the
//! runner: cargo builds them once (`--no-run`, JSON messages), then up to
//! `-j` binaries (default: the CPU count) run at once through the target's
//! runner, each with its own timeout (the runner's), and their output is
//! printed whole and in cargo's order. cargo's semantics stay: doctests run
//! after the binaries (when cargo would run them), a failure stops what has
//! not started unless `--no-fail-fast`, the exit code is 101 when a test
//! failed, and `error: test failed, to rerun pass ...` names the binary.
use crate::exec::{self, Ending, Output};
use crate::plan::{Plan, Step, TestRun};
use crate::request::CargoRequest;
use crate::run::test_env::{self, Launch};
use anyhow::Context as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Cargo options that select targets: with any of them, `cargo test` runs no doctests.
const SELECTION: &[&str] = &[
    "--lib",
    "--bin",
    "--bins",
    "--test",
    "--tests",
    "--example",
    "--examples",
    "--bench",
    "--benches",
    "--all-targets",
];

/// Turns a planned `cargo test` into build-then-run, when it is one cargo runs
/// binary after binary: not `--no-run`, `--doc`, a user `--message-format`, or `--gdb`.
pub fn plan(plan: &mut Plan, req: &CargoRequest) -> bool {
    let peek = req.peek();
    let first = req.subcommand.first().map(String::as_str);
    if !(matches!(first, Some("test" | "t")) && req.subcommand.len() == 1)
        || peek.no_run
        || peek.doc
        || !peek.message_format.is_empty()
        || req.gdb.is_some()
        || plan.unrun.is_some()
    {
        return false;
    }
    let Some(step) = plan.steps.last_mut() else { return false };
    let split = step.args.iter().position(|a| a == "--").unwrap_or(step.args.len());
    let harness_args = step.args.get(split + 1..).map(<[String]>::to_vec).unwrap_or_default();
    let selected = req.args.iter().any(|a| SELECTION.contains(&a.split('=').next().unwrap_or("")));
    let doc_step = (!selected).then(|| {
        let mut doc = step.clone();
        doc.label = "cargo test --doc".into();
        doc.args.insert(split, "--doc".into());
        doc
    });
    step.args.truncate(split);
    step.args.extend(["--no-run".into(), "--message-format=json-render-diagnostics".into()]);
    let jobs = peek.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let no_fail_fast = req.args.iter().any(|a| a == "--no-fail-fast");
    plan.notes.push(format!(
        "test binaries run under the target's runner after one build, up to {jobs} at once (-j N; -j 1 runs them one by one)"
    ));
    plan.tests = Some(TestRun { jobs, harness_args, no_fail_fast, doc_step });
    true
}

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
    pub version: String,
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
}

/// The test binaries (and every other executable) in cargo's JSON messages, in the
/// order cargo runs tests: by package, then lib, bins, tests, benches, examples, then name.
pub fn binaries(json: &[u8]) -> (Vec<TestBinary>, Vec<PathBuf>) {
    let mut tests = Vec::new();
    for v in String::from_utf8_lossy(json).lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()) {
        if v["reason"] != "compiler-artifact" {
            continue;
        }
        let Some(exe) = v["executable"].as_str().map(PathBuf::from) else { continue };
        if v["profile"]["test"] != true {
            continue;
        }
        let id = v["package_id"].as_str().unwrap_or("");
        // `path+file:///dir#name@1.0.0` or `registry+...#name@version` or the old `name version (source)`.
        let (package, version) = match id.rsplit_once('#') {
            Some((_, nv)) => nv.split_once('@').map(|(n, v)| (n.to_string(), v.to_string())).unwrap_or_default(),
            None => {
                let mut w = id.split_whitespace();
                (w.next().unwrap_or("").to_string(), w.next().unwrap_or("").to_string())
            }
        };
        let manifest_path = PathBuf::from(v["manifest_path"].as_str().unwrap_or(""));
        let package = if package.is_empty() || package.contains('/') {
            manifest_path
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            package
        };
        tests.push(TestBinary {
            exe,
            kind: v["target"]["kind"][0].as_str().unwrap_or("lib").to_string(),
            name: v["target"]["name"].as_str().unwrap_or("").to_string(),
            src_path: PathBuf::from(v["target"]["src_path"].as_str().unwrap_or("")),
            manifest_path,
            package,
            version,
            doctest: v["target"]["doctest"] == true,
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
    (tests, crate::ship::artifacts::executables_from_json(json))
}

/// cargo's `Running` line for a binary.
fn running_line(t: &TestBinary, cwd: &Path) -> String {
    let dir = t.manifest_path.parent().unwrap_or(Path::new(""));
    let src = t.src_path.strip_prefix(dir).unwrap_or(&t.src_path).display().to_string();
    let exe = t.exe.strip_prefix(cwd).unwrap_or(&t.exe).display().to_string();
    let unit = if matches!(t.kind.as_str(), "test" | "bench" | "example") { "" } else { "unittests " };
    format!("     Running {unit}{src} ({exe})")
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
fn launches(build: &Step, tests: Vec<TestBinary>, triple: &str) -> anyhow::Result<Vec<(TestBinary, Launch)>> {
    let record = tempfile::NamedTempFile::new()?;
    let log = tempfile::NamedTempFile::new()?;
    let self_exe = std::env::current_exe().context("cannot find crossflake's own executable")?;
    let capture = test_env::capture_step(build, record.path(), triple, &self_exe);
    let (outcome, _) = exec::run(&capture, Output::Log(log.path()))?;
    if !outcome.success() && exec::interrupted().is_none() {
        anyhow::bail!(
            "asking cargo how it starts the test binaries failed ({}); its last lines:\n{}",
            describe(outcome.ending),
            crate::support::fs::log_tail(log.path(), 15)
        );
    }
    let mut out = Vec::new();
    for l in test_env::read(record.path(), &capture, build)? {
        let t = tests.iter().find(|t| t.exe == l.exe).cloned().unwrap_or_else(|| TestBinary {
            exe: l.exe.clone(),
            kind: "test".into(),
            name: l.exe.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            src_path: PathBuf::new(),
            manifest_path: l.cwd.join("Cargo.toml"),
            package: String::new(),
            version: String::new(),
            doctest: false,
        });
        out.push((t, l));
    }
    Ok(out)
}

/// What a run of the binaries came to.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub code: i32,
    /// Every executable the build made (for coverage: the objects).
    pub executables: Vec<PathBuf>,
}

/// Builds, runs the binaries side by side, then the doctests. `runner`: the runner's
/// argv (crossflake's), from the plan's step; `triple`: the target's directory name,
/// which tells target binaries from host ones (a proc-macro's tests run natively, as
/// cargo runs them). The binary first in cargo's order streams its output live; the
/// others' output is held and printed whole when their turn comes.
pub fn execute(
    build: &Step,
    run: &TestRun,
    runner: &[String],
    triple: &str,
    out: fn(&str) -> bool,
) -> anyhow::Result<(exec::Outcome, Summary, Vec<String>)> {
    let (outcome, got) = exec::run(build, Output::ScanCapture(out))?;
    let mut summary = Summary::default();
    if !outcome.success() {
        summary.code = outcome.ending.exit_code();
        return Ok((outcome, summary, got.kept_lines));
    }
    let (built, all) = binaries(&got.stdout);
    summary.executables = all;
    let has_doctests = built.iter().any(|t| t.doctest && matches!(t.kind.as_str(), "lib" | "rlib" | "proc-macro"));
    let (tests, launched): (Vec<TestBinary>, Vec<Launch>) = launches(build, built, triple)?.into_iter().unzip();
    let cwd = build.cwd.clone().unwrap_or_default();
    let stop = AtomicBool::new(false);
    let n = tests.len();
    let printer =
        Mutex::new(Printer { head: 0, held: vec![Vec::new(); n], endings: vec![None; n], started: vec![false; n] });
    exec::share_out(
        n,
        run.jobs,
        || stop.load(Ordering::SeqCst),
        |i| {
            let t = &tests[i];
            printer.lock().unwrap_or_else(|e| e.into_inner()).start(i, &tests, &cwd);
            let host = !crate::ship::artifacts::built_for(&t.exe, triple);
            let step = binary_step(&launched[i], if host { &[] } else { runner }, t, &run.harness_args);
            let chunk = |bytes: &[u8]| printer.lock().unwrap_or_else(|e| e.into_inner()).output(i, bytes);
            let ending = match exec::run(&step, Output::Merged(&chunk)) {
                Ok((o, _)) => o.ending,
                Err(e) => {
                    chunk(format!("crossflake: cannot run {}: {e:#}\n", t.exe.display()).as_bytes());
                    Ending::Exited(125)
                }
            };
            if ending != Ending::Exited(0) && !run.no_fail_fast {
                stop.store(true, Ordering::SeqCst);
            }
            printer.lock().unwrap_or_else(|e| e.into_inner()).finished(i, ending, &tests, &cwd);
        },
    );
    let endings = printer.into_inner().unwrap_or_else(|e| e.into_inner()).endings;
    let failed: Vec<(&TestBinary, Ending)> =
        tests.iter().zip(&endings).filter_map(|(t, e)| e.filter(|e| *e != Ending::Exited(0)).map(|e| (t, e))).collect();
    let not_run = tests.len() - endings.iter().filter(|e| e.is_some()).count();
    let mut err = std::io::stderr().lock();
    if let Some(sig) = exec::interrupted() {
        summary.code = crate::exit::for_signal(sig);
        return Ok((outcome, summary, vec![]));
    }
    match failed.as_slice() {
        [] => {}
        [(t, e)] => {
            let _ = writeln!(
                err,
                "error: test failed, to rerun pass `{}`\n\nCaused by:\n  process didn't exit successfully: `{}` ({})",
                t.rerun(),
                t.exe.display(),
                describe(*e)
            );
        }
        many => {
            let _ = writeln!(err, "error: {} targets failed:", many.len());
            for (t, _) in many {
                let _ = writeln!(err, "    `{}`", t.rerun());
            }
        }
    }
    if not_run > 0 {
        let _ =
            writeln!(err, "note: {not_run} test binaries were not run after the failure; --no-fail-fast runs them all");
    }
    drop(err);
    if let Some((_, e)) = failed.first() {
        // As cargo: the first failed binary's status.
        summary.code = e.exit_code();
        return Ok((outcome, summary, vec![]));
    }
    if let (Some(doc), true) = (&run.doc_step, has_doctests) {
        let mut doc = doc.clone();
        doc.env.extend(
            build.env.iter().filter(|(k, _)| *k == crate::events::EVENTS_ENV).map(|(k, v)| (k.clone(), v.clone())),
        );
        let (o, got) = exec::run(&doc, Output::Scan(out))?;
        summary.code = o.ending.exit_code();
        return Ok((o, summary, got.kept_lines));
    }
    Ok((outcome, summary, vec![]))
}

/// Output in cargo's order: the head binary's goes straight through, the others' waits.
struct Printer {
    head: usize,
    held: Vec<Vec<u8>>,
    endings: Vec<Option<Ending>>,
    started: Vec<bool>,
}

impl Printer {
    fn output(&mut self, i: usize, bytes: &[u8]) {
        if i == self.head {
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(bytes);
            let _ = o.flush();
        } else {
            self.held[i].extend_from_slice(bytes);
        }
    }

    /// Binary `i` starts: announced now if it is the head.
    fn start(&mut self, i: usize, tests: &[TestBinary], cwd: &Path) {
        self.started[i] = true;
        if i == self.head {
            let _ = writeln!(std::io::stderr(), "{}", running_line(&tests[i], cwd));
        }
    }

    /// Binary `i` ended: the head moves past every ended one; the new head, if it has
    /// started, is announced and its held output printed (then it streams).
    fn finished(&mut self, i: usize, ending: Ending, tests: &[TestBinary], cwd: &Path) {
        self.endings[i] = Some(ending);
        while self.head < tests.len() && self.endings[self.head].is_some() {
            self.head += 1;
            let Some(t) = tests.get(self.head) else { break };
            if !self.started[self.head] {
                break;
            }
            let _ = writeln!(std::io::stderr(), "{}", running_line(t, cwd));
            let held = std::mem::take(&mut self.held[self.head]);
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(&held);
            let _ = o.flush();
        }
    }
}

fn describe(e: Ending) -> String {
    match e {
        Ending::Exited(c) => format!("exit status: {c}"),
        Ending::Signalled(s) => format!("signal: {s}"),
        Ending::TimedOut => "timed out".into(),
        Ending::Interrupted(s) => format!("interrupted by signal {s}"),
    }
}
