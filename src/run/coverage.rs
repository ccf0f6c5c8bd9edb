//! `crossflake test --coverage`, after the run (plan/coverage.rs instruments
//! it): each test process wrote a `.profraw` through the emulator to the
//! host's file system, rustdoc kept the doctests, and the toolchain's own
//! llvm-tools merge the profiles and report: per-file numbers (lines,
//! functions, regions), `lcov.info` and HTML under
//! `target/crossflake-coverage/<target>/`. Only the crate's own sources count:
//! the registry, git dependencies, std and generated files are filtered out.
use crate::exec;
use crate::plan::Coverage;
use crate::step::Step;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Sources that are not the crate's.
const FOREIGN: &str = r"/\.cargo/(registry|git)/|/rustc/[0-9a-f]+/|/lib/rustlib/|^/nix/store/";

/// Before the run: fresh profile and doctest directories, the rustdoc wrapper. The
/// returned file holds a lock on the directory until it is dropped (after the report):
/// another coverage run of the same crate and target waits instead of mixing profiles.
pub fn prepare(c: &Coverage) -> Result<crate::support::fs::Lock> {
    let lock = crate::support::fs::Lock::exclusive(&c.dir.join(".lock"))?;
    for d in [&c.profraw_dir, &c.doctest_dir] {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let script = format!("#!/bin/sh\nRUSTC_BOOTSTRAP=1 exec {} \"$@\"\n", crate::step::shell_quote(&c.rustdoc));
    crate::support::fs::write_replacing(&c.rustdoc_wrapper, script.as_bytes(), Some(0o755))?;
    Ok(lock)
}

/// One file's (or the total's) numbers.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Numbers {
    pub lines: (u64, u64),
    pub functions: (u64, u64),
    pub regions: (u64, u64),
}

/// What `report` made.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub files: Vec<(String, Numbers)>,
    pub total: Numbers,
    pub lcov: PathBuf,
    pub html: PathBuf,
    pub profdata: PathBuf,
}

fn run_tool(program: &Path, args: &[String], label: &str) -> Result<Vec<u8>> {
    let step = Step::new(label, program.display().to_string()).args(args.iter().cloned());
    let got = exec::capture(&step)?;
    if !got.success() {
        bail!("{} failed: {}", label, got.stderr.trim());
    }
    Ok(got.stdout.into_bytes())
}

/// Merges the profiles and writes the reports for the instrumented `executables`.
pub fn report(c: &Coverage, executables: &[PathBuf]) -> Result<Report> {
    let profraw: Vec<String> = std::fs::read_dir(&c.profraw_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "profraw"))
        .map(|p| p.display().to_string())
        .collect();
    if profraw.is_empty() {
        bail!("no test wrote a profile to {} (did any test run?)", c.profraw_dir.display());
    }
    let profdata = c.dir.join("crossflake.profdata");
    let mut merge = vec!["merge".to_string(), "-sparse".into()];
    merge.extend(profraw);
    merge.extend(["-o".into(), profdata.display().to_string()]);
    run_tool(&c.llvm_profdata, &merge, "llvm-profdata merge")?;
    // The target's own executables (host ones, a proc-macro's tests, are not instrumented),
    // and the doctests rustdoc kept.
    let mut objects: Vec<PathBuf> =
        executables.iter().filter(|e| super::test_binaries::built_for(e, &c.triple_dir)).cloned().collect();
    let mut stack = vec![c.doctest_dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if crate::run::binfmt::sniff(&p)
                .is_ok_and(|f| matches!(f, crate::run::binfmt::Format::Elf { .. } | crate::run::binfmt::Format::Pe))
            {
                objects.push(p);
            }
        }
    }
    let ignore = format!("{FOREIGN}|^{}", regex_lite::escape(&c.build_dir.display().to_string()));
    let mut common =
        vec!["-instr-profile".to_string(), profdata.display().to_string(), format!("-ignore-filename-regex={ignore}")];
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            common.push("-object".into());
        }
        common.push(o.display().to_string());
    }
    let mut export = vec!["export".to_string(), "-summary-only".into()];
    export.extend(common.iter().cloned());
    let json: serde_json::Value = serde_json::from_slice(&run_tool(&c.llvm_cov, &export, "llvm-cov export")?)
        .context("llvm-cov export printed no JSON")?;
    let nums = |s: &serde_json::Value| {
        let pair = |k: &str| (s[k]["covered"].as_u64().unwrap_or(0), s[k]["count"].as_u64().unwrap_or(0));
        Numbers { lines: pair("lines"), functions: pair("functions"), regions: pair("regions") }
    };
    let data = &json["data"][0];
    let mut files: Vec<(String, Numbers)> = data["files"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let name = f["filename"].as_str().unwrap_or("");
            let shown = Path::new(name)
                .strip_prefix(&c.krate)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| name.to_string());
            (shown, nums(&f["summary"]))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let lcov = c.dir.join("lcov.info");
    let mut lcov_args = vec!["export".to_string(), "-format=lcov".into()];
    lcov_args.extend(common.iter().cloned());
    std::fs::write(&lcov, run_tool(&c.llvm_cov, &lcov_args, "llvm-cov export -format=lcov")?)?;
    let html = c.dir.join("html");
    let mut html_args = vec!["show".to_string(), "-format=html".into(), format!("-output-dir={}", html.display())];
    html_args.extend(common);
    run_tool(&c.llvm_cov, &html_args, "llvm-cov show -format=html")?;
    Ok(Report { files, total: nums(&data["totals"]), lcov, html: html.join("index.html"), profdata })
}

/// The JSON event of a coverage report: `{"event": "coverage", "report": ...}`.
#[derive(Debug, serde::Serialize)]
pub struct Reported<'a> {
    pub report: &'a Report,
}
