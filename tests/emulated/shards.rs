//! Sharding and reports for real: `crossflake test --partition count:K/N`
//! over libtest binaries under qemu-aarch64 and harness kernels under
//! qemu-system-riscv64 (the shards' union is the whole suite, no test twice,
//! read from each shard's JUnit by the schema checker), a failing run's JUnit
//! and GitHub summary, and nextest's own partitions and archives under the
//! target's runner.
use crate::common::*;
use std::collections::BTreeSet;

/// A JUnit case: (suite, test, outcome).
type Case = (String, String, String);

/// The cases of a JUnit file, read by tests/fixtures/junit/check.py.
fn junit_cases(path: &std::path::Path) -> Vec<Case> {
    let o = std::process::Command::new("python3")
        .arg(root().join("tests/fixtures/junit/check.py"))
        .arg(path)
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{} is not valid JUnit: {}", path.display(), text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut out = vec![];
    for (suite, cases) in v.as_object().unwrap() {
        for c in cases.as_array().unwrap() {
            out.push((suite.clone(), c[1].as_str().unwrap().to_string(), c[2].as_str().unwrap().to_string()));
        }
    }
    out
}

/// Runs `crossflake test` with `args` and `--junit`, once whole and once per shard of
/// `n`; checks that every run passed, each shard ran some tests, no test ran in two
/// shards, and the shards together ran exactly the whole suite. The shards' cases.
fn shards_cover_the_suite(dir: &str, args: &[&str], n: usize) -> Vec<(Vec<Case>, String)> {
    let td = tempfile::tempdir().unwrap();
    let run = |extra: &[String], name: &str| {
        let report = td.path().join(format!("{name}.xml"));
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(["--junit".into(), report.display().to_string()]);
        all.extend(extra.iter().cloned());
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let o = crossflake(&refs, &root().join(dir));
        assert!(o.status.success(), "{name}: {}", text(&o));
        (junit_cases(&report), text(&o))
    };
    let whole: BTreeSet<_> = run(&[], "whole").0.into_iter().collect();
    assert!(whole.len() >= 5, "{whole:?}");
    let mut union = BTreeSet::new();
    let mut shards = vec![];
    for k in 1..=n {
        let (cases, out) = run(&["--partition".into(), format!("count:{k}/{n}")], &format!("shard{k}"));
        assert!(!cases.is_empty(), "shard {k}/{n} ran nothing: {out}");
        for c in &cases {
            assert!(union.insert(c.clone()), "{c:?} ran in two shards");
        }
        shards.push((cases, out));
    }
    assert_eq!(union, whole, "the shards together are the whole suite");
    shards
}

#[test]
fn libtest_shards_under_qemu_user_cover_the_suite_once() {
    require_tool("qemu-aarch64");
    let td = shared_target_dir();
    let shards = shards_cover_the_suite(
        "tests/fixtures/many-bins",
        &["test", "--target", "aarch64", "--backend", "host", "--target-dir", td.to_str().unwrap()],
        2,
    );
    // The doctests run in the first shard only.
    for (k, (_, out)) in shards.iter().enumerate() {
        assert_eq!(out.contains("Doc-tests many_bins"), k == 0, "shard {}: {out}", k + 1);
    }
}

#[test]
fn kernel_test_shards_cover_the_suite_once() {
    require_tool("qemu-system-riscv64");
    let td = shared_target_dir();
    let shards = shards_cover_the_suite(
        "examples/kernel",
        &[
            "test",
            "--target",
            "riscv64-none",
            "--backend",
            "host",
            "--target-dir",
            td.to_str().unwrap(),
            "--test",
            "basic",
        ],
        2,
    );
    // Counted per test: the kernel's should_panic test passes, its ignored one is skipped.
    let all: Vec<_> = shards.into_iter().flat_map(|s| s.0).collect();
    assert!(all.iter().any(|c| c.1 == "panic_message_reaches_handler" && c.2 == "passed"), "{all:?}");
    assert!(all.iter().any(|c| c.1 == "heap_churn_is_slow" && c.2 == "skipped"), "{all:?}");
}

#[test]
fn a_failing_run_leaves_its_junit_and_summary() {
    require_tool("qemu-aarch64");
    let td = shared_target_dir();
    let out = tempfile::tempdir().unwrap();
    let (junit, summary) = (out.path().join("j/report.xml"), out.path().join("summary.md"));
    let o = command()
        .args(["test", "--target", "aarch64", "--backend", "host", "--target-dir", td.to_str().unwrap()])
        .args(["--features", "fail", "--no-fail-fast", "--junit", junit.to_str().unwrap()])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .current_dir(root().join("tests/fixtures/many-bins"))
        .output_bounded()
        .unwrap();
    assert_eq!(o.status.code(), Some(101), "cargo's code still: {}", text(&o));
    let cases = junit_cases(&junit);
    let failed: Vec<_> = cases.iter().filter(|c| c.2 == "failure").collect();
    assert_eq!(failed.len(), 1, "{cases:?}");
    assert_eq!((failed[0].0.as_str(), failed[0].1.as_str()), ("many-bins::beta", "beta_checks"));
    assert!(cases.iter().filter(|c| c.2 == "passed").count() >= 5, "{cases:?}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("beta fails on purpose"), "the failure's output is in the report: {xml}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| target | build | test | tests | time | artifact | needs (glibc, macOS) |"), "{md}");
    let row = md.lines().find(|l| l.starts_with("| aarch64 |")).unwrap_or_else(|| panic!("{md}"));
    assert!(row.contains("| ok | **FAILED**") && row.contains(" 1 failed, "), "{row}");
    assert!(md.contains("`many-bins::beta` `beta_checks`"), "the failed test is named: {md}");
}

/// The tests nextest's output says passed (`PASS [ 0.01s] bin test`).
fn nextest_passed(o: &std::process::Output) -> BTreeSet<String> {
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    all.lines()
        .filter_map(|l| l.trim_start().strip_prefix("PASS ["))
        .map(|l| l.split_once("] ").map(|(_, t)| t.trim()).unwrap_or_default())
        // `(2/9) many-bins::alpha alpha_one`: the counter is the run's, not the test's.
        .map(|t| t.split_once(") ").filter(|_| t.starts_with('(')).map_or(t, |(_, name)| name).to_string())
        .collect()
}

#[test]
fn nextest_partitions_and_archives_run_under_the_targets_runner() {
    require_tool("qemu-aarch64");
    require_tool("cargo-nextest");
    let td = tempfile::tempdir().unwrap();
    let target_dir = shared_target_dir().join("nextest-aarch64");
    let base =
        ["nextest", "run", "--target", "aarch64", "--backend", "host", "--target-dir", target_dir.to_str().unwrap()];
    let fixture = root().join("tests/fixtures/many-bins");
    let run = |extra: &[&str], cwd: &std::path::Path| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let o = crossflake(&args, cwd);
        assert!(o.status.success(), "{extra:?}: {}", text(&o));
        o
    };
    // No binfmt_misc here: an aarch64 test passes only through the runner.
    let whole = nextest_passed(&run(&[], &fixture));
    assert!(whole.len() >= 8, "{whole:?}");
    let one = nextest_passed(&run(&["--partition", "count:1/2"], &fixture));
    let two = nextest_passed(&run(&["--partition", "count:2/2"], &fixture));
    assert!(one.is_disjoint(&two) && !one.is_empty() && !two.is_empty(), "{one:?} {two:?}");
    assert_eq!(&one | &two, whole, "nextest's shards are the whole suite");
    // Archive here; run it from a copy of the sources elsewhere, as another machine would.
    let archive = td.path().join("tests.tar.zst");
    let o = crossflake(
        &[
            "nextest",
            "archive",
            "--target",
            "aarch64",
            "--backend",
            "host",
            "--target-dir",
            target_dir.to_str().unwrap(),
            "--archive-file",
            archive.to_str().unwrap(),
        ],
        &fixture,
    );
    assert!(o.status.success(), "{}", text(&o));
    let copy = td.path().join("elsewhere");
    let cp = std::process::Command::new("cp").arg("-r").arg(&fixture).arg(&copy).output_bounded().unwrap();
    assert!(cp.status.success(), "{}", text(&cp));
    let o = crossflake(
        &[
            "nextest",
            "run",
            "--target",
            "aarch64",
            "--backend",
            "host",
            "--archive-file",
            archive.to_str().unwrap(),
            "--workspace-remap",
            copy.to_str().unwrap(),
            "--partition",
            "count:2/2",
        ],
        &copy,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(nextest_passed(&o), two, "the archive's shard 2 is shard 2");
}
