//! `crossflake test` builds the test binaries once and runs them side by side
//! (run/test_binaries.rs): the plan's cargo step becomes `--no-run` with JSON
//! messages, the harness arguments are kept for each binary, and the doctests
//! get a step of their own, run after the binaries as cargo would. Also
//! `--partition count:K/N`, nextest's meaning: within each test binary, its
//! tests (after the filters, sorted by name) go round-robin to N shards.
use super::{Plan, TestRun};
use crate::failure::Failure;
use crate::request::CargoRequest;
use serde::Serialize;

/// `count:K/N`: shard K (from 1) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Partition {
    pub shard: usize,
    pub total: usize,
}

impl Partition {
    pub fn parse(v: &str) -> Result<Partition, Failure> {
        let bad = || {
            Failure::usage(format!("--partition {v}: expected count:K/N with 1 <= K <= N"))
                .next("e.g. --partition count:1/3 on the first of three CI jobs (nextest's meaning)")
        };
        let (k, n) = v.strip_prefix("count:").and_then(|r| r.split_once('/')).ok_or_else(bad)?;
        let (shard, total) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if shard == 0 || shard > total {
            return Err(bad());
        }
        Ok(Partition { shard, total })
    }

    /// Whether the `i`-th (from 0) of a binary's tests, in name order, is in this shard.
    pub fn takes(&self, i: usize) -> bool {
        i % self.total == self.shard - 1
    }

    /// This shard's share of `names`: sorted, then every N-th from the K-th.
    pub fn pick(&self, names: &[String]) -> Vec<String> {
        let mut sorted = names.to_vec();
        sorted.sort();
        sorted.dedup();
        sorted.into_iter().enumerate().filter(|(i, _)| self.takes(*i)).map(|(_, n)| n).collect()
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "count:{}/{}", self.shard, self.total)
    }
}

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

/// Turns a planned `cargo test` into build-then-run, when it is one cargo runs binary
/// after binary: not `--no-run`, `--doc`, a user `--message-format`, or `--gdb`. Whether
/// it did. `host_triple`: this machine's, whose runner variable (set the same for the
/// build and the capture run) leads cargo's host test binaries to crossflake's runner.
pub fn side_by_side(plan: &mut Plan, req: &CargoRequest, host_triple: &str) -> bool {
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
    let selected = req.args.iter().any(|a| SELECTION.contains(&a.split('=').next().unwrap_or("")));
    let doc = (!selected).then(|| {
        let mut d = plan.cargo.clone();
        d.label = "cargo test --doc".into();
        d.doc = true;
        d
    });
    let harness_args = plan.cargo.trailing.take().unwrap_or_default();
    let host_var = format!("CARGO_TARGET_{}_RUNNER", host_triple.to_uppercase().replace(['-', '.'], "_"));
    let host_runner_var = match (&plan.cargo.runner, host_var == plan.cargo.runner_var()) {
        (Some(r), false) => {
            let me = r.first().cloned().unwrap_or_else(|| "crossflake".into());
            plan.cargo.env.insert(host_var.clone(), format!("{me} runner --target {host_triple}"));
            Some(host_var)
        }
        _ => None,
    };
    plan.cargo.no_run = true;
    plan.cargo.json_messages = true;
    let jobs = peek.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let no_fail_fast = req.args.iter().any(|a| a == "--no-fail-fast");
    plan.notes.push(format!(
        "test binaries run under the target's runner after one build, up to {jobs} at once (-j N; -j 1 runs them one by one)"
    ));
    plan.tests = Some(TestRun { jobs, harness_args, no_fail_fast, doc, host_runner_var, partition: None });
    true
}
