//! Kernel tests counted per test, not per binary: a kernel built with
//! crossflake-harness (docs/kernel-tests.md, protocol v1) is booted once to
//! list its tests and then once per test, with the test's name on the kernel
//! command line, up to `--test-threads` boots at a time, each with its own
//! timeout. A test passes when QEMU exits 0, the kernel printed the
//! harness's `result <name> ok` line, and no console rule objects. The
//! output and arguments are libtest's, so `crossflake test`, CI log parsers
//! and IDEs count tests, filter and list them as with any Rust test binary.
use super::verdict::{Rules, Watch};
use crate::events::{record, Event, RunnerEvent, Sink};
use crate::exec::{self, Ending, Output};
use crate::exit::{TESTS_FAILED, TIMEOUT};
use crate::failure::{self, Failure};
use crate::step::Step;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// Bytes every harness kernel contains (its protocol header).
pub const MARKER: &[u8] = b"crossflake-harness v1";
const LIST: &str = "crossflake-harness=list";

/// Whether `program` is a kernel built with crossflake-harness.
pub fn is_harness(program: &Path) -> bool {
    std::fs::read(program).is_ok_and(|b| b.windows(MARKER.len()).any(|w| w == MARKER))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelTest {
    pub name: String,
    pub ignored: bool,
    pub should_panic: bool,
}

/// The tests a list boot printed, between `crossflake-harness v1 list` and `... end`.
pub fn parse_list(console: &[String]) -> Result<Vec<KernelTest>, String> {
    let start = console
        .iter()
        .position(|l| l.trim_end() == "crossflake-harness v1 list")
        .ok_or("the kernel printed no `crossflake-harness v1 list` header")?;
    let mut tests = Vec::new();
    for l in &console[start + 1..] {
        let l = l.trim_end();
        if l == "crossflake-harness v1 end" {
            return Ok(tests);
        }
        if let Some(rest) = l.strip_prefix("crossflake-test ") {
            let mut words = rest.split_whitespace();
            let name = words.next().ok_or("a `crossflake-test` line without a name")?.to_string();
            let flags: Vec<&str> = words.collect();
            tests.push(KernelTest {
                name,
                ignored: flags.contains(&"ignored"),
                should_panic: flags.contains(&"should_panic"),
            });
        }
    }
    Err("the list ended without `crossflake-harness v1 end`".into())
}

/// What the harness reported for `name`: Ok, or the reason it gave.
pub fn reported(console: &[String], name: &str) -> Option<Result<(), String>> {
    let prefix = format!("crossflake-harness v1 result {name} ");
    console.iter().rev().find_map(|l| {
        let rest = l.trim_end().strip_prefix(&prefix)?;
        Some(if rest == "ok" { Ok(()) } else { Err(rest.trim_start_matches("failed: ").to_string()) })
    })
}

/// libtest's arguments, as far as kernel tests need them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub filters: Vec<String>,
    pub skip: Vec<String>,
    pub exact: bool,
    pub ignored: bool,
    pub include_ignored: bool,
    pub list: bool,
    pub terse: bool,
    pub quiet: bool,
    pub show_output: bool,
    pub test_threads: Option<usize>,
}

pub fn parse_args(args: &[String]) -> Result<Options, Failure> {
    let mut o = Options::default();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if a.starts_with("--") => (n, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = |what: &str| {
            inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| Failure::usage(format!("{what} needs a value")))
        };
        match name {
            "--exact" => o.exact = true,
            "--ignored" => o.ignored = true,
            "--include-ignored" => o.include_ignored = true,
            "--list" => o.list = true,
            "-q" | "--quiet" => o.quiet = true,
            "--nocapture" | "--no-capture" | "--show-output" => o.show_output = true,
            "--skip" => o.skip.push(value("--skip")?),
            "--format" => o.terse = value("--format")? == "terse",
            "--test-threads" => {
                let v = value("--test-threads")?;
                o.test_threads = Some(v.parse().map_err(|_| Failure::usage(format!("--test-threads {v}: a number")))?)
            }
            "--color" | "-Z" => {
                value(name)?;
            }
            "--bench" | "--test" => {}
            f if f.starts_with('-') => {
                return Err(Failure::usage(format!("kernel tests do not take {f}"))
                    .next("filters, --exact, --skip, --ignored, --include-ignored, --list, --test-threads N work"))
            }
            f => o.filters.push(f.to_string()),
        }
    }
    Ok(o)
}

/// The tests to boot, the ignored ones, and how many the filters left out.
pub fn select<'a>(tests: &'a [KernelTest], o: &Options) -> (Vec<&'a KernelTest>, Vec<&'a KernelTest>, usize) {
    let matches = |t: &KernelTest, pat: &str| if o.exact { t.name == pat } else { t.name.contains(pat) };
    let (mut run, mut ignored, mut out) = (vec![], vec![], 0);
    for t in tests {
        let wanted = (o.filters.is_empty() || o.filters.iter().any(|f| matches(t, f)))
            && !o.skip.iter().any(|s| matches(t, s))
            && (!o.ignored || t.ignored);
        if !wanted {
            out += 1;
        } else if t.ignored && !o.ignored && !o.include_ignored {
            ignored.push(t);
        } else {
            run.push(t);
        }
    }
    (run, ignored, out)
}

/// One boot's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed(String),
    TimedOut(u64),
}

/// Judges one test's boot from QEMU's exit code, the harness's report and the rules.
pub fn judge(test: &KernelTest, code: i32, console: &[String], rules: &Rules) -> Verdict {
    // A should_panic test prints a panic by design: the harness's report decides it.
    let rules = Rules { panic: rules.panic && !test.should_panic, ..rules.clone() };
    let watch = Watch::new(&rules);
    console.iter().for_each(|l| watch.line(l));
    let (code, why) = watch.judge(code);
    match (code, reported(console, &test.name), why) {
        (_, _, Some(why)) => Verdict::Failed(why),
        (0, Some(Ok(())), None) => Verdict::Passed,
        (0, Some(Err(why)), None) => Verdict::Failed(format!("{why} (yet QEMU exited 0)")),
        (0, None, None) => Verdict::Failed(
            "QEMU exited 0 but the kernel never reported the test's result (did it shut down from inside the test, \
             e.g. through SBI or PSCI?)"
                .into(),
        ),
        (c, Some(Err(why)), None) => Verdict::Failed(format!("{why} (exit {c})")),
        (c, _, None) => Verdict::Failed(format!("exit {c}")),
    }
}

/// Boots the kernel with `cmdline`; returns the ending and the console lines.
fn boot(step: &Step) -> anyhow::Result<(Ending, Vec<String>)> {
    let lines = Mutex::new(Vec::new());
    let keep = |l: &str| lines.lock().unwrap_or_else(|e| e.into_inner()).push(l.to_string());
    let (outcome, _) = exec::run(step, Output::Console(&keep))?;
    Ok((outcome.ending, lines.into_inner().unwrap_or_else(|e| e.into_inner())))
}

/// Lists, then boots each selected test (`plan_boot` makes the QEMU step for a command
/// line); prints libtest's output and returns libtest's exit code (101 when a test failed).
pub fn run(
    program: &Path,
    args: &[String],
    rules: &Rules,
    exit_code: &(dyn Fn(Ending) -> i32 + Sync),
    plan_boot: &(dyn Fn(&str) -> Result<Step, Failure> + Sync),
    sink: &dyn Sink,
) -> failure::Outcome {
    let out = |s: String| sink.event(Event::Stdout(format!("{s}\n").into_bytes()));
    let o = parse_args(args)?;
    let list_step = plan_boot(LIST)?;
    let (ending, console) = boot(&list_step)?;
    let tests = match (exit_code(ending), parse_list(&console)) {
        (0, Ok(t)) => t,
        (code, list) => {
            let why = list.err().unwrap_or_else(|| format!("exit {code}"));
            let shown: String = console.iter().map(|l| format!("\n  {l}")).collect();
            sink.warn(&format!("listing the tests of {} failed: {why}; its console:{shown}", program.display()));
            return failure::from_code(if code == TIMEOUT { code } else { TESTS_FAILED });
        }
    };
    if o.list {
        tests.iter().for_each(|t| out(format!("{}: test", t.name)));
        if !o.terse {
            out(format!("\n{} tests, 0 benchmarks", tests.len()));
        }
        return Ok(());
    }
    let (selected, ignored, filtered) = select(&tests, &o);
    let started = Instant::now();
    let n = selected.len() + ignored.len();
    out(format!("\nrunning {n} test{}", if n == 1 { "" } else { "s" }));
    for t in &ignored {
        out(format!("test {} ... ignored", t.name));
    }
    let threads = o
        .test_threads
        .or_else(|| std::env::var("RUST_TEST_THREADS").ok().and_then(|v| v.parse().ok()))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let results: Mutex<Vec<(usize, Verdict, Vec<String>)>> = Mutex::new(Vec::new());
    exec::share_out(
        selected.len(),
        threads,
        || false,
        |i| {
            let t = selected[i];
            let (verdict, console) = match plan_boot(&format!("crossflake-harness=run:{}", t.name)) {
                Ok(step) => match boot(&step) {
                    Ok((Ending::TimedOut, c)) => (Verdict::TimedOut(step.timeout_secs.unwrap_or(0)), c),
                    Ok((e, c)) => (judge(t, exit_code(e), &c, rules), c),
                    Err(e) => (Verdict::Failed(format!("{e:#}")), vec![]),
                },
                Err(e) => (Verdict::Failed(format!("{e:#}")), vec![]),
            };
            if let Verdict::TimedOut(secs) = verdict {
                record(&RunnerEvent::Timeout {
                    target: String::new(),
                    program: format!("{} ({})", program.display(), t.name),
                    timeout_secs: secs,
                });
            }
            let word = match &verdict {
                Verdict::Passed => "ok".to_string(),
                Verdict::Failed(_) => "FAILED".into(),
                Verdict::TimedOut(secs) => format!("FAILED (timed out after {secs} s)"),
            };
            let mut all = results.lock().unwrap_or_else(|e| e.into_inner());
            out(format!("test {} ... {word}", t.name));
            all.push((i, verdict, console));
        },
    );
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|r| r.0);
    let failed: Vec<_> = results.iter().filter(|r| r.1 != Verdict::Passed).collect();
    if o.show_output {
        for (i, _, console) in results.iter().filter(|r| r.1 == Verdict::Passed) {
            out(format!("\n---- {} stdout ----\n{}", selected[*i].name, console.join("\n")));
        }
    }
    if !failed.is_empty() {
        out("\nfailures:".into());
        for (i, verdict, console) in &failed {
            let why = match verdict {
                Verdict::Failed(w) => w.clone(),
                Verdict::TimedOut(secs) => format!("killed at the timeout ({secs} s); raise it with --timeout SECS"),
                Verdict::Passed => unreachable!(),
            };
            out(format!(
                "\n---- {} console ----\n{}\n---- {}: {why}",
                selected[*i].name,
                console.join("\n"),
                selected[*i].name
            ));
        }
        out("\nfailures:".into());
        failed.iter().for_each(|(i, _, _)| out(format!("    {}", selected[*i].name)));
    }
    let passed = results.len() - failed.len();
    out(format!(
        "\ntest result: {}. {passed} passed; {} failed; {} ignored; 0 measured; {filtered} filtered out; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len(),
        ignored.len(),
        started.elapsed().as_secs_f64()
    ));
    if let Some(sig) = exec::interrupted() {
        return Err(Failure::signal(sig));
    }
    failure::from_code(if failed.is_empty() { 0 } else { TESTS_FAILED })
}
