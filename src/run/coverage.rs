//! `crossflake test --coverage`: source-based coverage of tests that run under
//! the target's emulator. The build is instrumented (`-C instrument-coverage`,
//! on top of the rustflags cargo would use anyway), each test process writes a
//! `.profraw` through the emulator to the host's file system, doctests are
//! kept (`--persist-doctests`) so they count too, and the toolchain's own
//! llvm-tools merge the profiles and report: a per-file table (lines,
//! functions, regions), `lcov.info` and HTML under
//! `target/crossflake-coverage/<target>/`. Only the crate's own sources count:
//! the registry, git dependencies, std and generated files are filtered out.
use crate::resolve::cargo_config::Source;
use crate::exec::{self, Output};
use crate::exit::Failure;
use crate::plan::{Coverage, Plan, Step};
use crate::targets::TargetSpec;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Sources that are not the crate's.
const FOREIGN: &str = r"/\.cargo/(registry|git)/|/rustc/[0-9a-f]+/|/lib/rustlib/|^/nix/store/";

/// The llvm tools of a toolchain (rustup's `llvm-tools` component).
fn llvm_tool(sysroot: &Path, name: &str) -> PathBuf {
    sysroot.join("lib/rustlib").join(crate::resolve::machine::host_triple()).join("bin").join(name)
}

/// Instruments a planned test run. `rustflags`/`rustdocflags`: what cargo would use
/// without crossflake (kept, and said so), `krate`: the crate's directory.
pub fn plan(
    plan: &mut Plan,
    spec: &TargetSpec,
    krate: &Path,
    target_dir: Option<&Path>,
    rustflags: Option<(Vec<String>, Source)>,
    rustdocflags: Option<(Vec<String>, Source)>,
) -> Result<(), Failure> {
    let Some(step) = plan.steps.last() else { return Err(Failure::usage("nothing to instrument")) };
    let rustc = step.env.get("RUSTC").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(&step.program));
    let sysroot = rustc.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    let triple_lib = sysroot.join("lib/rustlib").join(&spec.rust_triple).join("lib");
    let has_profiler = std::fs::read_dir(&triple_lib)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("libprofiler_builtins-"));
    if !has_profiler {
        return Err(Failure::missing(format!(
            "coverage for {}: its std ({}) has no profiler runtime (profiler_builtins), so tests cannot write profiles",
            spec.name,
            triple_lib.display()
        ))
        .next("measure coverage on a target whose std ships it (Linux gnu and musl targets do), or natively"));
    }
    let (profdata, cov) = (llvm_tool(&sysroot, "llvm-profdata"), llvm_tool(&sysroot, "llvm-cov"));
    if !profdata.is_file() || !cov.is_file() {
        let tc = step.env.get("RUSTUP_TOOLCHAIN").cloned().unwrap_or_else(|| "<toolchain>".into());
        return Err(Failure::missing(format!(
            "coverage needs llvm-profdata and llvm-cov, which {} lacks",
            sysroot.display()
        ))
        .next(format!("`rustup component add --toolchain {tc} llvm-tools` (scripts/setup-host does)")));
    }
    let base = target_dir.map(|d| krate.join(d)).unwrap_or_else(|| krate.join("target"));
    let dir = base.join("crossflake-coverage").join(&spec.name);
    let build_dir = dir.join("build");
    let c = Coverage {
        profraw_dir: dir.join("profraw"),
        doctest_dir: dir.join("doctests"),
        llvm_profdata: profdata,
        llvm_cov: cov,
        rustdoc: step.env.get("RUSTDOC").cloned().unwrap_or_else(|| "rustdoc".into()),
        triple_dir: spec.rust_triple.clone(),
        krate: krate.to_path_buf(),
        build_dir: build_dir.clone(),
        dir,
    };
    let mut flags = rustflags.as_ref().map(|(f, _)| f.clone()).unwrap_or_default();
    flags.push("-Cinstrument-coverage".into());
    let mut doc = rustdocflags.as_ref().map(|(f, _)| f.clone()).unwrap_or_default();
    doc.extend(["-Cinstrument-coverage", "-Zunstable-options", "--persist-doctests"].map(String::from));
    doc.push(c.doctest_dir.display().to_string());
    let kept: Vec<String> = [("rustflags", &rustflags), ("rustdocflags", &rustdocflags)]
        .iter()
        .filter_map(|(k, f)| f.as_ref().map(|(v, s)| format!("your {k} `{}` (from {s})", v.join(" "))))
        .collect();
    let env = |s: &mut Step| {
        // RUSTFLAGS comes second only to CARGO_ENCODED_RUSTFLAGS: set that one, which takes spaces too.
        s.env.insert("CARGO_ENCODED_RUSTFLAGS".into(), flags.join("\x1f"));
        s.env.insert("CARGO_ENCODED_RUSTDOCFLAGS".into(), doc.join("\x1f"));
        s.env.insert("RUSTDOC".into(), wrapper_path(&c.rustdoc).display().to_string());
        s.env.insert("LLVM_PROFILE_FILE".into(), c.profraw_dir.join("%p-%m.profraw").display().to_string());
        crate::request::remove_option(&mut s.args, "--target-dir");
        let at = s.args.iter().position(|a| a == "--").unwrap_or(s.args.len());
        s.args.splice(at..at, ["--target-dir".to_string(), build_dir.display().to_string()]);
    };
    if let Some(step) = plan.steps.last_mut() {
        env(step);
    }
    if let Some(doc_step) = plan.tests.as_mut().and_then(|t| t.doc_step.as_mut()) {
        env(doc_step);
    }
    plan.notes.push(format!(
        "coverage: instrumented build in {}; reports in {}{}",
        build_dir.display(),
        c.dir.display(),
        if kept.is_empty() {
            String::new()
        } else {
            format!("; {} kept, -Cinstrument-coverage added", kept.join(" and "))
        }
    ));
    plan.coverage = Some(c);
    Ok(())
}

/// The rustdoc wrapper for doctest coverage: `--persist-doctests` is an unstable
/// rustdoc option, allowed for rustdoc alone (not for the crates being built).
fn wrapper_path(real: &str) -> PathBuf {
    let h = crate::support::hex::short_digest(real.as_bytes(), 8);
    crate::support::paths::cache_dir_or_temp().join(format!("coverage/rustdoc-{h}"))
}

/// Before the run: fresh profile and doctest directories, the rustdoc wrapper. The
/// returned file holds a lock on the directory until it is dropped (after the report):
/// another coverage run of the same crate and target waits instead of mixing profiles.
pub fn prepare(c: &Coverage) -> Result<crate::support::fs::Lock> {
    let lock = crate::support::fs::Lock::exclusive(&c.dir.join(".lock"))?;
    for d in [&c.profraw_dir, &c.doctest_dir] {
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let script = format!("#!/bin/sh\nRUSTC_BOOTSTRAP=1 exec {} \"$@\"\n", crate::plan::shell_quote(&c.rustdoc));
    crate::support::fs::write_replacing(&wrapper_path(&c.rustdoc), script.as_bytes(), Some(0o755))?;
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
    let (o, got) = exec::run(&step, Output::Pipe { echo_stderr: false })?;
    if !o.success() {
        bail!("{} failed: {}", label, String::from_utf8_lossy(&got.stderr).trim());
    }
    Ok(got.stdout)
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
        executables.iter().filter(|e| crate::ship::artifacts::built_for(e, &c.triple_dir)).cloned().collect();
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

/// The report as a table.
pub fn table(r: &Report) -> String {
    let pct = |(hit, all): (u64, u64)| {
        if all == 0 {
            "-".to_string()
        } else {
            format!("{:.2}%", hit as f64 * 100.0 / all as f64)
        }
    };
    let row = |name: &str, n: &Numbers| {
        format!(
            "{name:<44} {:>9} {:>8} {:>9} {:>8} {:>9} {:>8}\n",
            format!("{}/{}", n.lines.0, n.lines.1),
            pct(n.lines),
            format!("{}/{}", n.functions.0, n.functions.1),
            pct(n.functions),
            format!("{}/{}", n.regions.0, n.regions.1),
            pct(n.regions)
        )
    };
    let mut out =
        format!("{:<44} {:>9} {:>8} {:>9} {:>8} {:>9} {:>8}\n", "FILE", "LINES", "", "FUNCTIONS", "", "REGIONS", "");
    for (f, n) in &r.files {
        out += &row(f, n);
    }
    out += &row("TOTAL", &r.total);
    out
}

/// A spec whose programs run under no runner cannot be measured.
pub fn usable(spec: &TargetSpec) -> Result<(), Failure> {
    if spec.kind == crate::targets::Kind::BareMetal {
        return Err(Failure::missing(format!("coverage for {}: bare-metal std has no profiler runtime", spec.name))
            .next("measure the logic natively or on a Linux target"));
    }
    Ok(())
}
