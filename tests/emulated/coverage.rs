//! Coverage of emulated test runs, for real under qemu-aarch64 and qemu-riscv64:
//! the per-architecture line counts only on its architecture, the branch no test
//! takes counts 0, doctests and integration tests count, std and foreign code do
//! not, and a target whose std lacks the profiler runtime is refused (exit 3).
use crate::common::*;
use std::collections::BTreeMap;

fn probe() -> std::path::PathBuf {
    root().join("tests/fixtures/cov-probe")
}

/// `MARK:<name>` -> line number in the probe's src/lib.rs.
fn marks() -> BTreeMap<String, u32> {
    let src = std::fs::read_to_string(probe().join("src/lib.rs")).unwrap();
    src.lines()
        .enumerate()
        .filter_map(|(i, l)| Some((l.split("MARK:").nth(1)?.trim().to_string(), i as u32 + 1)))
        .collect()
}

/// Line -> hit count for src/lib.rs in an lcov file.
fn hits(lcov: &str) -> BTreeMap<u32, u64> {
    let mut out = BTreeMap::new();
    let mut in_lib = false;
    for l in lcov.lines() {
        if let Some(f) = l.strip_prefix("SF:") {
            in_lib = f.ends_with("cov-probe/src/lib.rs");
        } else if let (true, Some(da)) = (in_lib, l.strip_prefix("DA:")) {
            let (line, n) = da.split_once(',').unwrap();
            out.insert(line.parse().unwrap(), n.split(',').next().unwrap().parse().unwrap());
        }
    }
    out
}

fn covered_run(target: &str, tool: &str, arch_mark: &str) {
    require_tool(tool);
    let td = shared_target_dir().join(format!("cov-{target}"));
    let o = crossflake(
        &[
            "--message-format",
            "json",
            "test",
            "--coverage",
            "--target",
            target,
            "--backend",
            "host",
            "--target-dir",
            td.to_str().unwrap(),
        ],
        &probe(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{target}: {out}");
    let event =
        String::from_utf8_lossy(&o.stdout).lines().find(|l| l.contains("\"event\":\"coverage\"")).map(String::from);
    let event: serde_json::Value =
        serde_json::from_str(&event.unwrap_or_else(|| panic!("{target}: no coverage event: {out}"))).unwrap();
    let r = &event["report"];
    let lcov_path = r["lcov"].as_str().unwrap();
    assert!(lcov_path.ends_with(&format!("crossflake-coverage/{target}/lcov.info")), "{r}");
    assert!(std::path::Path::new(r["html"].as_str().unwrap()).is_file(), "{r}");
    let lcov = std::fs::read_to_string(lcov_path).unwrap();
    assert!(!lcov.contains("/rustc/") && !lcov.contains(".cargo/registry"), "only the crate's own sources: {lcov}");
    let (h, m) = (hits(&lcov), marks());
    let at = |name: &str| h.get(&m[name]).copied();
    assert!(at(arch_mark).is_some_and(|n| n >= 1), "{target}: the {arch_mark} line ran under emulation: {h:?}");
    for other in ["aarch64-only", "riscv64-only", "other-arch"].into_iter().filter(|x| *x != arch_mark) {
        assert_eq!(at(other), None, "{target}: {other} is compiled out: {h:?}");
    }
    assert_eq!(at("never-taken"), Some(0), "{target}: the branch no test takes: {h:?}");
    assert!(at("taken").is_some_and(|n| n >= 1), "{target}");
    assert!(at("doctest-only").is_some_and(|n| n >= 1), "{target}: doctests count: {h:?}");
    assert!(at("integration-only").is_some_and(|n| n >= 1), "{target}: integration tests count: {h:?}");
    let files: Vec<&str> = r["files"].as_array().unwrap().iter().map(|f| f[0].as_str().unwrap()).collect();
    assert_eq!(files, ["src/lib.rs", "tests/it.rs"], "{r}");
}

#[test]
fn coverage_under_qemu_aarch64_is_exact() {
    covered_run("aarch64", "qemu-aarch64", "aarch64-only");
}

#[test]
fn coverage_under_qemu_riscv64_is_exact() {
    covered_run("riscv64", "qemu-riscv64", "riscv64-only");
}

#[test]
fn the_table_is_printed_for_people() {
    require_tool("qemu-aarch64");
    // Its own directory: two coverage runs in one directory would share their profiles.
    let td = shared_target_dir().join("cov-table");
    let o = crossflake(
        &["test", "--coverage", "--target", "aarch64", "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &probe(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    let table: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("FILE")).take(4).collect();
    assert!(table[0].contains("LINES") && table[0].contains("FUNCTIONS") && table[0].contains("REGIONS"), "{out}");
    assert!(table[1].starts_with("src/lib.rs") && table[3].starts_with("TOTAL"), "{out}");
}

#[test]
fn targets_without_the_profiler_runtime_are_refused() {
    for target in ["windows", "riscv64-none", "wasm32-wasip1"] {
        let o = crossflake(&["test", "--coverage", "--target", target, "--backend", "host", "--dry-run"], &probe());
        assert_eq!(o.status.code(), Some(3), "{target}: {}", text(&o));
        assert!(text(&o).contains("profiler runtime"), "{target}: {}", text(&o));
    }
    let o = crossflake(&["build", "--coverage", "--target", "aarch64", "--backend", "host", "--dry-run"], &probe());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
