//! What cargo gives a test process it starts: its environment (cargo's runtime
//! variables, the dynamic-library path with the toolchain's sysroot that a
//! proc-macro's test harness needs, `OUT_DIR`, `CARGO_BIN_EXE_<name>`, a build
//! script's `rustc-env`, the `[env]` config table) and its working directory.
//! Rather than re-derive cargo's rules (they change between cargo versions),
//! crossflake asks cargo: after the build, `cargo test` "runs" every test binary
//! once more through crossflake's runner (the target's, and for host binaries
//! such as a proc-macro's tests the host's), told by `CROSSFLAKE_CAPTURE_TO` to
//! record what it was given and exit 0, while doctests are skipped (RUSTDOC is
//! crossflake itself, which declines `--test`). Each binary is then started
//! exactly as cargo would have started it.
use crate::plan::CargoStep;
use crate::step::Step;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Set on the capture run: crossflake runs as rustdoc, declining doctests and handing
/// every other call to the rustdoc this names.
pub const AS_RUSTDOC_ENV: &str = "CROSSFLAKE_CAPTURE_REAL_RUSTDOC";

/// How cargo started one test binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Launch {
    pub exe: PathBuf,
    pub cwd: PathBuf,
    pub env: BTreeMap<String, String>,
}

/// The runner of the capture run: appends how this process was started (PROGRAM, the
/// working directory, the environment) to FILE as a JSON line.
pub fn record(file: &Path, program: &Path) -> Result<()> {
    use std::io::Write;
    let launch = Launch {
        exe: program.to_path_buf(),
        cwd: std::env::current_dir().context("cannot read the current directory")?,
        env: std::env::vars_os()
            .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
            .collect(),
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .with_context(|| format!("cannot open {}", file.display()))?;
    writeln!(f, "{}", serde_json::to_string(&launch)?).with_context(|| format!("cannot write {}", file.display()))
}

/// When this process was started as the capture run's rustdoc: declines doctests
/// (`--test`, exit 0) and replaces itself with the real rustdoc for anything else.
/// None when it was not started as rustdoc (the capture run's runner sees the same variable).
pub fn act_as_rustdoc() -> Option<Result<(), crate::failure::Failure>> {
    let real = std::env::var_os(AS_RUSTDOC_ENV)?;
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if std::env::var_os(CAPTURE_ENV).is_some() && args.first().is_some_and(|a| a == "runner") {
        return None;
    }
    if args.iter().any(|a| a == "--test") {
        return Some(Ok(()));
    }
    let err = crate::exec::replace_with(&real, &args, AS_RUSTDOC_ENV);
    Some(Err(crate::failure::Failure::error(format!("cannot run rustdoc {}: {err}", Path::new(&real).display()))))
}

/// Set on the capture run: crossflake's runner records how it was started into this
/// file and runs nothing.
pub const CAPTURE_ENV: &str = "CROSSFLAKE_CAPTURE_TO";

/// `CARGO_TARGET_<T>_RUNNER` for a triple (or a custom target's name).
pub fn runner_var(triple: &str) -> String {
    format!("CARGO_TARGET_{}_RUNNER", triple.to_uppercase().replace(['-', '.'], "_"))
}

/// The capture run for a planned test build: the same `cargo test` that runs the tests
/// (not `--no-run`, no JSON messages), with the same runner variables (a build script that
/// watches them must not rerun), crossflake's runner told to record instead of run
/// (`CROSSFLAKE_CAPTURE_TO`), and crossflake as rustdoc.
pub fn capture_step(build: &CargoStep, file: &Path, self_exe: &Path) -> Step {
    let mut c = build.clone();
    c.label = "capture the test environments".into();
    c.no_run = false;
    c.json_messages = false;
    drop_runner_configs(&mut c.args);
    if !c.args.iter().any(|a| a == "--no-fail-fast") {
        c.args.push("--no-fail-fast".into());
    }
    let mut s = c.step();
    s.env.insert(CAPTURE_ENV.into(), file.display().to_string());
    let rustdoc = s.env.get("RUSTDOC").cloned().or_else(|| std::env::var("RUSTDOC").ok());
    s.env.insert(AS_RUSTDOC_ENV.into(), rustdoc.unwrap_or_else(|| "rustdoc".into()));
    s.env.insert("RUSTDOC".into(), self_exe.display().to_string());
    s
}

/// Takes `--config` values that set a runner out of `args`: the capture run's runners
/// must be crossflake's, which record instead of running (cargo ranks `--config` above
/// the environment).
fn drop_runner_configs(args: &mut Vec<String>) {
    let mut i = 0;
    while i < args.len() {
        let inline = args[i].strip_prefix("--config=");
        let value = inline.or_else(|| (args[i] == "--config").then(|| args.get(i + 1).map(String::as_str))?);
        match value {
            Some(v) if v.contains("runner") && !v.ends_with(".toml") => {
                let n = if inline.is_some() { 1 } else { 2 };
                args.drain(i..(i + n).min(args.len()));
            }
            _ => i += 1,
        }
    }
}

/// The launches recorded in `file`, in the order cargo made them. Variables the capture
/// run set are given back their values in the real run (`build`), or the inherited one;
/// `ours` (set for crossflake's own use) are dropped unless the user's environment has them.
pub fn read(file: &Path, capture: &Step, build: &Step, ours: &[String]) -> Result<Vec<Launch>> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines() {
        let mut l: Launch =
            serde_json::from_str(line).with_context(|| format!("a bad record in {}", file.display()))?;
        for (k, v) in &capture.env {
            if build.env.get(k) == Some(v) {
                continue;
            }
            match build.env.get(k).cloned().or_else(|| std::env::var(k).ok()) {
                Some(orig) => l.env.insert(k.clone(), orig),
                None => l.env.remove(k),
            };
        }
        for k in ours {
            match std::env::var(k) {
                Ok(v) => l.env.insert(k.clone(), v),
                Err(_) => l.env.remove(k),
            };
        }
        out.push(l);
    }
    Ok(out)
}
