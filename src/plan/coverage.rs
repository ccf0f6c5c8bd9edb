//! The plan of `crossflake test --coverage`: the build is instrumented
//! (`-C instrument-coverage`, on top of the rustflags cargo would use anyway,
//! through CARGO_ENCODED_RUSTFLAGS, which takes spaces), every test process
//! writes its profile through the emulator (LLVM_PROFILE_FILE), doctests are
//! kept so they count (a rustdoc wrapper passes `--persist-doctests`), in a
//! build directory of its own. run/coverage.rs merges and reports.
use super::{CargoStep, Coverage, Plan};
use crate::failure::Failure;
use crate::targets::{Kind, TargetSpec};
use std::path::{Path, PathBuf};

/// The llvm tools of a toolchain (rustup's `llvm-tools` component) on this host.
fn llvm_tool(sysroot: &Path, host_triple: &str, name: &str) -> PathBuf {
    sysroot.join("lib/rustlib").join(host_triple).join("bin").join(name)
}

/// Rustflags as cargo would use them without crossflake, and where from.
pub type Flags = Option<(Vec<String>, String)>;

/// Instruments a planned (side-by-side) test run. `rustflags`/`rustdocflags`: what cargo
/// would use without crossflake (kept, and said so), `krate`: the crate's directory,
/// `cache`: where the rustdoc wrapper goes.
pub fn instrument(
    plan: &mut Plan,
    spec: &TargetSpec,
    krate: &Path,
    host_triple: &str,
    cache: &Path,
    (rustflags, rustdocflags): (Flags, Flags),
) -> Result<(), Failure> {
    if spec.kind == Kind::BareMetal {
        return Err(Failure::missing(format!("coverage for {}: bare-metal std has no profiler runtime", spec.name))
            .next("measure the logic natively or on a Linux target"));
    }
    let step = &plan.cargo;
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
    let (profdata, cov) =
        (llvm_tool(&sysroot, host_triple, "llvm-profdata"), llvm_tool(&sysroot, host_triple, "llvm-cov"));
    if !profdata.is_file() || !cov.is_file() {
        let tc = step.env.get("RUSTUP_TOOLCHAIN").cloned().unwrap_or_else(|| "<toolchain>".into());
        return Err(Failure::missing(format!(
            "coverage needs llvm-profdata and llvm-cov, which {} lacks",
            sysroot.display()
        ))
        .next(format!("`rustup component add --toolchain {tc} llvm-tools` (scripts/setup-host does)")));
    }
    let base = step.args_target_dir().map(|d| krate.join(d)).unwrap_or_else(|| krate.join("target"));
    let dir = base.join("crossflake-coverage").join(&spec.name);
    let rustdoc = step.env.get("RUSTDOC").cloned().unwrap_or_else(|| "rustdoc".into());
    let c = Coverage {
        build_dir: dir.join("build"),
        profraw_dir: dir.join("profraw"),
        doctest_dir: dir.join("doctests"),
        llvm_profdata: profdata,
        llvm_cov: cov,
        rustdoc_wrapper: cache
            .join(format!("coverage/rustdoc-{}", crate::support::hex::short_digest(rustdoc.as_bytes(), 8))),
        rustdoc,
        triple_dir: spec.rust_triple.clone(),
        krate: krate.to_path_buf(),
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
    let apply = |s: &mut CargoStep| {
        // RUSTFLAGS comes second only to CARGO_ENCODED_RUSTFLAGS: set that one.
        s.env.insert("CARGO_ENCODED_RUSTFLAGS".into(), flags.join("\x1f"));
        s.env.insert("CARGO_ENCODED_RUSTDOCFLAGS".into(), doc.join("\x1f"));
        s.env.insert("RUSTDOC".into(), c.rustdoc_wrapper.display().to_string());
        s.env.insert("LLVM_PROFILE_FILE".into(), c.profraw_dir.join("%p-%m.profraw").display().to_string());
        s.target_dir = Some(c.build_dir.clone());
    };
    apply(&mut plan.cargo);
    if let Some(doc_step) = plan.tests.as_mut().and_then(|t| t.doc.as_mut()) {
        apply(doc_step);
    }
    plan.notes.push(format!(
        "coverage: instrumented build in {}; reports in {}{}",
        c.build_dir.display(),
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
