//! `crossflake test` builds the test binaries once and runs them side by side
//! (run/test_binaries.rs): the plan's cargo step becomes `--no-run` with JSON
//! messages, the harness arguments are kept for each binary, and the doctests
//! get a step of their own, run after the binaries as cargo would.
use super::{Plan, TestRun};
use crate::request::CargoRequest;

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
    plan.tests = Some(TestRun { jobs, harness_args, no_fail_fast, doc, host_runner_var });
    true
}
