//! matrix, repro and dist on the samples, for real: tables, JSON, failures
//! that do not stop the other targets, bit-identical rebuilds, release names.
use crate::common::*;

fn json_lines(o: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn summary(o: &std::process::Output) -> serde_json::Value {
    json_lines(o).into_iter().find(|v| v["event"] == "matrix-summary").expect("a matrix-summary event")
}

#[test]
fn matrix_of_hello_passes_with_a_table() {
    require_tool("qemu-aarch64");
    require_tool("qemu-riscv64");
    let td = shared_target_dir().join("matrix-hello");
    let o = crossflake(
        &["matrix", "--targets", "x86_64,aarch64,riscv64", "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &root().join("examples/hello"),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.starts_with("TARGET"), "a table: {out}");
    for t in ["x86_64", "aarch64", "riscv64"] {
        let row = stdout.lines().find(|l| l.starts_with(&format!("{t} "))).unwrap_or_else(|| panic!("row {t}: {out}"));
        assert!(row.split_whitespace().nth(1) == Some("ok") && row.split_whitespace().nth(2) == Some("ok"), "{row}");
    }
    assert!(stdout.contains("matrix: 3 passed, 0 failed, 0 skipped"), "{out}");
}

#[test]
fn matrix_of_the_kernel_defaults_to_bare_metal_and_speaks_json() {
    require_tool("qemu-system-riscv64");
    require_tool("qemu-system-aarch64");
    let td = shared_target_dir().join("matrix-kernel");
    let o = crossflake(
        &[
            "--message-format",
            "json",
            "matrix",
            "--backend",
            "host",
            "--jobs",
            "2",
            "--target-dir",
            td.to_str().unwrap(),
        ],
        &root().join("examples/kernel"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let s = summary(&o);
    assert_eq!((s["passed"].as_u64(), s["failed"].as_u64(), s["skipped"].as_u64()), (Some(3), Some(0), Some(0)), "{s}");
    let mut names: Vec<&str> = s["results"].as_array().unwrap().iter().map(|r| r["target"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["aarch64-none", "aarch64-none-softfloat", "riscv64-none"]);
    for r in s["results"].as_array().unwrap() {
        assert_eq!(r["test"]["status"], "passed", "{r}");
        assert!(!r["artifacts"].as_array().unwrap().is_empty(), "{r}");
    }
}

#[test]
fn a_failing_target_fails_the_matrix_while_the_others_complete() {
    require_tool("qemu-riscv64");
    let td = shared_target_dir().join("matrix-archfail");
    let o = crossflake(
        &[
            "--message-format",
            "json",
            "matrix",
            "--targets",
            "riscv64,x86_64,riscv64-musl",
            "--backend",
            "host",
            "--target-dir",
            td.to_str().unwrap(),
        ],
        &root().join("tests/fixtures/archfail"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = summary(&o);
    let by = |t: &str| s["results"].as_array().unwrap().iter().find(|r| r["target"] == t).unwrap().clone();
    assert_eq!(by("riscv64")["test"]["status"], "failed");
    assert_eq!(by("x86_64")["test"]["status"], "passed");
    // The host backend cannot build it on Debian: skipped, and never counted as passed.
    assert_eq!(by("riscv64-musl")["build"]["status"], "skipped");
    assert_eq!((s["passed"].as_u64(), s["failed"].as_u64(), s["skipped"].as_u64()), (Some(1), Some(1), Some(1)));
}

fn repro_identical(dir: &str, target: &str) {
    let o = crossflake(&["repro", "--target", target, "--backend", "host"], &root().join(dir));
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains(&format!("repro {target}: identical")), "{out}");
    assert!(out.contains("identical  "), "at least one artifact compared: {out}");
}

#[test]
fn repro_is_identical_for_riscv64() {
    require_tool("riscv64-linux-gnu-gcc");
    repro_identical("examples/hello", "riscv64");
}

#[test]
fn repro_is_identical_for_riscv64_none() {
    repro_identical("examples/kernel", "riscv64-none");
}

#[test]
fn dist_copies_release_artifacts_with_checksums() {
    require_tool("aarch64-linux-gnu-gcc");
    let out_dir = tempfile::tempdir().unwrap();
    let o = crossflake(
        &["dist", "--target", "arm64", "--backend", "host", "--out", out_dir.path().to_str().unwrap()],
        &root().join("examples/hello"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let art = out_dir.path().join("hello-linux-arm64");
    let bytes = std::fs::read(&art).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), 183, "an aarch64 ELF");
    let sums = std::fs::read_to_string(out_dir.path().join("SHA256SUMS")).unwrap();
    let check = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(out_dir.path())
        .output_bounded()
        .unwrap();
    assert!(check.status.success(), "{sums}\n{}", text(&check));
    assert!(sums.ends_with("  hello-linux-arm64\n"), "{sums}");
    // Each artifact with the glibc it needs, read from its ELF: in the table and in JSON.
    let want = crossflake::ship::glibc::needs(&art).unwrap().max.unwrap().to_string();
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(table.lines().next().unwrap().contains("NEEDS"), "{table}");
    assert!(
        table.lines().any(|l| l.contains("hello-linux-arm64") && l.contains(&format!(" glibc {want} "))),
        "{table}"
    );
    let o = crossflake(
        &[
            "--message-format",
            "json",
            "dist",
            "--target",
            "arm64",
            "--backend",
            "host",
            "--out",
            out_dir.path().to_str().unwrap(),
        ],
        &root().join("examples/hello"),
    );
    let event =
        String::from_utf8_lossy(&o.stdout).lines().find(|l| l.contains("\"event\":\"dist\"")).unwrap().to_string();
    let v: serde_json::Value = serde_json::from_str(&event).unwrap();
    assert_eq!(v["artifacts"][0]["glibc"], want.as_str(), "{v}");
}

/// Every unit cargo compiled (not fresh) in a matrix run, from the JSON messages each
/// target's builds left in `<dir>/logs/<target>.json`: (package id, target name, kind,
/// test profile, the directory it was built for: `host` or the triple).
fn compiled(dir: &std::path::Path) -> Vec<(String, String, String, bool, String)> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir.join("logs")).unwrap().flatten() {
        if e.path().extension().is_none_or(|x| x != "json") {
            continue;
        }
        for line in std::fs::read_to_string(e.path()).unwrap().lines() {
            let Ok(m) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            if m["reason"] != "compiler-artifact" || m["fresh"] == true {
                continue;
            }
            let file = std::path::PathBuf::from(m["filenames"][0].as_str().unwrap());
            let rel = file.strip_prefix(dir).unwrap_or_else(|_| panic!("{} outside {}", file.display(), dir.display()));
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy().to_string();
            let place = if first == "debug" { "host".to_string() } else { first };
            out.push((
                m["package_id"].as_str().unwrap().rsplit('#').next().unwrap().to_string(),
                m["target"]["name"].as_str().unwrap().to_string(),
                m["target"]["kind"][0].as_str().unwrap().to_string(),
                m["profile"]["test"].as_bool().unwrap(),
                place,
            ));
        }
    }
    out
}

#[test]
fn a_matrix_compiles_each_host_unit_once_for_all_targets() {
    require_tool("qemu-aarch64");
    require_tool("qemu-riscv64");
    // A fresh directory: a warm one would show nothing compiled at all.
    let td = tempfile::tempdir().unwrap();
    let junit = td.path().join("reports/matrix.xml");
    let summary = td.path().join("summary.md");
    let o = command()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .current_dir(root().join("tests/fixtures/host-macros"))
        .args([
            "matrix",
            "--targets",
            "x86_64,aarch64,riscv64",
            "--backend",
            "host",
            "--jobs",
            "2",
            "--target-dir",
            td.path().join("t").to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ])
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    // GitHub's step summary: a row per target with its counts and artifact.
    let md = std::fs::read_to_string(&summary).unwrap();
    for t in ["x86_64", "aarch64", "riscv64"] {
        let row = md.lines().find(|l| l.starts_with(&format!("| {t} |"))).unwrap_or_else(|| panic!("{t}: {md}"));
        assert!(row.contains("| ok | ok | 3 passed, 0 failed, 0 ignored |") && row.contains("`hostmac`"), "{row}");
        assert!(row.contains("glibc 2."), "{row}");
    }
    let units = compiled(&td.path().join("t"));
    let host: Vec<_> = units.iter().filter(|u| u.4 == "host").collect();
    let mut seen = std::collections::BTreeMap::new();
    for u in &host {
        *seen.entry((&u.0, &u.1, &u.2, u.3)).or_insert(0) += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "host units compiled more than once: {twice:?}\nall: {units:#?}");
    // The host half: the proc-macro, both build scripts, the build-dependency.
    for (pkg, name, kind) in [
        ("hostmac-derive@0.1.0", "hostmac_derive", "proc-macro"),
        ("hostmac-derive@0.1.0", "build-script-build", "custom-build"),
        ("hostmac@0.1.0", "build-script-build", "custom-build"),
        ("hostmac-gen@0.1.0", "hostmac_gen", "lib"),
    ] {
        assert!(
            host.iter().any(|u| u.0 == pkg && u.1 == name && u.2 == kind),
            "{pkg} {name} compiled for the host: {units:#?}"
        );
    }
    // The target half, once per target (its library for the build, and its tests).
    for triple in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "riscv64gc-unknown-linux-gnu"] {
        let lib: Vec<_> = units.iter().filter(|u| u.4 == triple && u.1 == "hostmac" && u.2 == "lib").collect();
        assert_eq!(lib.len(), 2, "{triple}: the library, and its unit tests: {units:#?}");
    }
    // The proc-macro's and the build script's code ran right for each target: 3 tests each.
    let xml = std::fs::read_to_string(&junit).unwrap();
    for t in ["x86_64", "aarch64", "riscv64"] {
        assert!(
            xml.contains(&format!("<testsuite name=\"{t}\" tests=\"3\" failures=\"0\" errors=\"0\"")),
            "{t}: {xml}"
        );
    }
}
