//! Windows programs under wine: one cached prefix (initialised once, outside
//! any test timeout, keyed on wine's version) and the environment to run in.
//! Debian 12's wine 8.0 lacks bcryptprimitives.dll, which Rust's std (>= 1.78)
//! imports for `ProcessPrng`; a small stand-in DLL is built with MinGW and
//! put into the prefix (src/wine/bcryptprimitives.c).
use crate::exec;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

const SHIM_SOURCE: &str = include_str!("wine/bcryptprimitives.c");
/// Where wine keeps its own bcryptprimitives.dll when it has one (wine >= 8.13).
const BUILTIN_DLL: &str = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/bcryptprimitives.dll";
const MARKER: &str = ".crossflake-wine-version";

pub fn prefix_dir() -> PathBuf {
    crate::paths::cache_dir().unwrap_or_else(|_| std::env::temp_dir().join("crossflake")).join("wine-prefix")
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
pub fn ensure_prefix(prefix: &Path) -> Result<()> {
    let version = exec::capture("wine", &["--version"]).context("`wine --version` failed; is wine installed?")?;
    let marker = prefix.join(MARKER);
    if std::fs::read_to_string(&marker).is_ok_and(|v| v == version) {
        return Ok(());
    }
    std::fs::create_dir_all(prefix.parent().unwrap_or(Path::new("/")))?;
    let lock =
        std::fs::OpenOptions::new().create(true).write(true).truncate(false).open(prefix.with_extension("lock"))?;
    // SAFETY: flock on a descriptor we own; released when `lock` is dropped.
    unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
    if std::fs::read_to_string(&marker).is_ok_and(|v| v == version) {
        return Ok(());
    }
    eprintln!("crossflake runner: preparing the wine prefix {} for {version} (once, ~15 s)", prefix.display());
    let boot =
        duct::cmd!("wineboot", "--init").full_env(wine_env(prefix)).stdout_null().stderr_null().unchecked().run()?;
    if !boot.status.success() {
        bail!("`wineboot --init` failed for {}; remove that directory and retry", prefix.display());
    }
    let _ = duct::cmd!("wineserver", "-w").full_env(wine_env(prefix)).unchecked().run();
    if !Path::new(BUILTIN_DLL).exists() {
        build_shim(&prefix.join("drive_c/windows/system32/bcryptprimitives.dll"))?;
    }
    std::fs::write(&marker, &version)?;
    Ok(())
}

fn wine_env(prefix: &Path) -> Vec<(String, String)> {
    let mut e: Vec<(String, String)> = std::env::vars().collect();
    e.extend(env(prefix));
    e
}

fn build_shim(dest: &Path) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("bcryptprimitives.c");
    std::fs::write(&src, SHIM_SOURCE)?;
    let out = duct::cmd!("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-s", "-o", dest, &src, "-ladvapi32")
        .stderr_to_stdout()
        .stdout_capture()
        .unchecked()
        .run()
        .context("x86_64-w64-mingw32-gcc is needed to add bcryptprimitives.dll to the wine prefix (apt-get install gcc-mingw-w64-x86-64)")?;
    if !out.status.success() {
        bail!("building bcryptprimitives.dll failed:\n{}", String::from_utf8_lossy(&out.stdout));
    }
    Ok(())
}

/// After a timeout: stop every process of the prefix (detached children included).
pub fn kill_prefix(prefix: &Path) {
    let _ = duct::cmd!("wineserver", "-k").full_env(wine_env(prefix)).stdout_null().stderr_null().unchecked().run();
    let _ = duct::cmd!("wineserver", "-w").full_env(wine_env(prefix)).stdout_null().stderr_null().unchecked().run();
}
