//! Windows programs under wine: one cached prefix (initialised once, outside
//! any test timeout, keyed on wine's version) and the environment to run in.
//! Debian 12's wine 8.0 lacks bcryptprimitives.dll, which Rust's std (>= 1.78)
//! imports for `ProcessPrng`; a small stand-in DLL is built with MinGW and
//! put into the prefix (src/wine/bcryptprimitives.c).
use crate::exec::{self, Output};
use crate::step::Step;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

const SHIM_SOURCE: &str = include_str!("wine/bcryptprimitives.c");
/// Where wine keeps its own bcryptprimitives.dll when it has one (wine >= 8.13).
const BUILTIN_DLL: &str = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/bcryptprimitives.dll";
const MARKER: &str = ".crossflake-wine-version";

pub fn prefix_dir() -> PathBuf {
    crate::support::paths::cache_dir_or_temp().join("wine-prefix")
}

/// The variables every wine run gets (no X server, no menus, no Mono/Gecko prompts).
pub fn env(prefix: &Path) -> Vec<(String, String)> {
    [
        ("WINEPREFIX", prefix.display().to_string()),
        ("WINEDEBUG", "-all".to_string()),
        ("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d".to_string()),
        ("DISPLAY", String::new()),
        ("WAYLAND_DISPLAY", String::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Makes sure the prefix exists for this wine; the first time takes ~15 s.
pub fn ensure_prefix(prefix: &Path, sink: &dyn crate::events::Sink) -> Result<()> {
    let version = exec::probe("wine", &["--version"]).context("`wine --version` failed; is wine installed?")?;
    let marker = prefix.join(MARKER);
    if std::fs::read_to_string(&marker).is_ok_and(|v| v == version) {
        return Ok(());
    }
    let _lock = crate::support::fs::Lock::exclusive(&prefix.with_extension("lock"))?;
    if std::fs::read_to_string(&marker).is_ok_and(|v| v == version) {
        return Ok(());
    }
    sink.info(&format!("preparing the wine prefix {} for {version} (once, ~15 s)", prefix.display()));
    if !run_quiet(prefix, "wineboot", &["--init"])? {
        bail!("`wineboot --init` failed for {}; remove that directory and retry", prefix.display());
    }
    run_quiet(prefix, "wineserver", &["-w"])?;
    if !Path::new(BUILTIN_DLL).exists() {
        build_shim(&prefix.join("drive_c/windows/system32/bcryptprimitives.dll"))?;
    }
    std::fs::write(&marker, &version)?;
    Ok(())
}

/// Runs a wine tool for the prefix with its output discarded; whether it succeeded.
fn run_quiet(prefix: &Path, program: &str, args: &[&str]) -> Result<bool> {
    let mut step = Step::new(program, program).args(args.iter().copied());
    step.env.extend(env(prefix));
    let (outcome, _) = exec::run(&step, Output::Log(Path::new("/dev/null")))?;
    Ok(outcome.success())
}

fn build_shim(dest: &Path) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("bcryptprimitives.c");
    std::fs::write(&src, SHIM_SOURCE)?;
    let log = dir.path().join("gcc.log");
    let step = Step::new("build bcryptprimitives.dll", "x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-s", "-o"])
        .arg(dest.display().to_string())
        .arg(src.display().to_string())
        .arg("-ladvapi32");
    let (outcome, _) = exec::run(&step, Output::Log(&log)).context(
        "x86_64-w64-mingw32-gcc is needed to add bcryptprimitives.dll to the wine prefix (apt-get install gcc-mingw-w64-x86-64)",
    )?;
    if !outcome.success() {
        bail!("building bcryptprimitives.dll failed:\n{}", std::fs::read_to_string(&log).unwrap_or_default());
    }
    Ok(())
}
