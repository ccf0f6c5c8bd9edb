//! libtest's output, read: each test's outcome from its `test NAME ... ok`
//! lines and the failures' sections (the kernel harness prints the same
//! lines, so kernel tests are read the same way), the names a `--list` run
//! printed, and a binary's harness arguments split into the filters and the
//! rest (a shard runs its own names with `--exact`).
use crate::events::{CaseOutcome, TestCase};

/// The tests a run printed, in the order printed; failures get their section's text
/// (`---- NAME stdout ----`, the kernel harness's `---- NAME console ----`) and the line
/// that says why (the panic's, or the harness's `---- NAME: why`).
pub fn cases(output: &str) -> Vec<TestCase> {
    let mut cases: Vec<TestCase> = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("test ") else { continue };
        let Some((name, word)) = rest.rsplit_once(" ... ") else { continue };
        let outcome = match word.trim_end() {
            "ok" => CaseOutcome::Passed,
            w if w.starts_with("bench:") => CaseOutcome::Passed,
            w if w.starts_with("FAILED") => CaseOutcome::Failed,
            w if w.starts_with("ignored") => CaseOutcome::Ignored,
            _ => continue,
        };
        let message = word.strip_prefix("FAILED").map(str::trim).filter(|w| !w.is_empty()).map(String::from);
        cases.push(TestCase { name: name.to_string(), outcome, message, output: None });
    }
    for (name, text, why) in sections(output) {
        if let Some(c) = cases.iter_mut().find(|c| c.name == name && c.outcome == CaseOutcome::Failed) {
            let panic = text.lines().find(|l| l.contains("panicked at")).map(|l| l.trim().to_string());
            c.message = why.or(panic).or(c.message.take());
            c.output = Some(text);
        }
    }
    cases
}

/// The `---- NAME (stdout|stderr|console) ----` sections: (name, text, the `---- NAME: why` line).
fn sections(output: &str) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<(String, String, Option<String>)> = Vec::new();
    let mut open = false;
    for line in output.lines() {
        if let Some(head) = line.strip_prefix("---- ") {
            let name = ["stdout ----", "stderr ----", "console ----"].iter().find_map(|s| head.strip_suffix(s));
            if let Some(name) = name {
                out.push((name.trim_end().to_string(), String::new(), None));
                open = true;
                continue;
            }
            if let (Some(last), Some((_, why))) = (out.last_mut(), head.split_once(": ")) {
                last.2 = Some(why.to_string());
                open = false;
                continue;
            }
        }
        if line == "failures:" || line == "successes:" || line.starts_with("test result: ") {
            open = false;
        } else if let (true, Some(last)) = (open, out.last_mut()) {
            last.1 += line;
            last.1.push('\n');
        }
    }
    for s in &mut out {
        s.1 = s.1.trim_end().to_string();
    }
    out
}

/// The names a `--list` run printed (`NAME: test`, `NAME: bench`), or None when the
/// output is not libtest's (no `N tests, M benchmarks` line: a `harness = false` binary).
pub fn listed(output: &str) -> Option<Vec<String>> {
    let summary = output.lines().any(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        w.len() == 4
            && w[0].parse::<usize>().is_ok()
            && matches!(w[1], "tests," | "test,")
            && w[2].parse::<usize>().is_ok()
            && matches!(w[3], "benchmarks" | "benchmark")
    });
    let names = output
        .lines()
        .filter_map(|l| l.strip_suffix(": test").or_else(|| l.strip_suffix(": bench")))
        .map(String::from)
        .collect();
    summary.then_some(names)
}

/// libtest's options that take a value (the next word, unless given with `=`).
const VALUED: &[&str] = &["--test-threads", "--skip", "--format", "--color", "--logfile", "-Z", "--shuffle-seed"];

/// A binary's harness arguments, split.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HarnessArgs {
    /// The positional filters, `--skip` patterns and `--exact`: what chose the tests.
    pub selection: Vec<String>,
    /// Everything else (`--nocapture`, `--test-threads 2`, `--ignored`, ...).
    pub rest: Vec<String>,
}

pub fn split(args: &[String]) -> HarnessArgs {
    let mut out = HarnessArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let name = a.split('=').next().unwrap_or(a);
        let takes = VALUED.contains(&name) && !a.contains('=');
        let to = if name == "--skip" || name == "--exact" || !a.starts_with('-') {
            &mut out.selection
        } else {
            &mut out.rest
        };
        to.push(a.clone());
        if takes {
            if let Some(v) = it.next() {
                to.push(v.clone());
            }
        }
    }
    out
}

/// The arguments of a `--list` run that sees the tests a run with `args` would run.
pub fn list_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let name = a.split('=').next().unwrap_or(a);
        match name {
            // The listing's own format: the summary line tells libtest from other harnesses.
            "--format" | "-q" | "--quiet" | "--logfile" => {
                if name != "-q" && name != "--quiet" && !a.contains('=') {
                    it.next();
                }
            }
            _ => out.push(a.clone()),
        }
    }
    out.push("--list".into());
    out
}

/// The arguments that run exactly `names` (the shard's), with the options of `args`.
pub fn exact_args(args: &[String], names: &[String]) -> Vec<String> {
    let mut out = split(args).rest;
    out.push("--exact".into());
    out.extend(names.iter().cloned());
    out
}
