//! Where crossflake keeps things: one cache directory for dev environments,
//! the wine prefix and registered SDKs.
use anyhow::{Context, Result};
use std::path::PathBuf;

/// `$CROSSFLAKE_CACHE_DIR`, else `$XDG_CACHE_HOME/crossflake`, else `~/.cache/crossflake`
/// (empty variables count as unset); `var` reads the environment.
pub fn cache_root(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |k: &str| var(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    set("CROSSFLAKE_CACHE_DIR")
        .or_else(|| set("XDG_CACHE_HOME").map(|d| d.join("crossflake")))
        .or_else(|| set("HOME").map(|h| h.join(".cache/crossflake")))
}

/// A home directory from `$var`, else `~/<dot_dir>` (as cargo and rustup find theirs).
fn tool_home(var: &str, dot_dir: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(dot_dir)))
}

/// cargo's home: `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    tool_home("CARGO_HOME", ".cargo")
}

/// rustup's home: `$RUSTUP_HOME`, else `~/.rustup`.
pub fn rustup_home() -> Option<PathBuf> {
    tool_home("RUSTUP_HOME", ".rustup")
}

/// The cache directory of this process's environment, made absolute (GC roots
/// and wine prefixes must not depend on the current directory).
pub fn cache_dir() -> Result<PathBuf> {
    let dir = cache_root(|k| std::env::var(k).ok())
        .context("no cache directory: HOME is not set; set CROSSFLAKE_CACHE_DIR to a writable directory")?;
    std::path::absolute(&dir).with_context(|| format!("cannot make the cache directory {} absolute", dir.display()))
}

/// The cache directory, else `<tmp>/crossflake` (for files that are only worth keeping).
pub fn cache_dir_or_temp() -> PathBuf {
    cache_dir().unwrap_or_else(|_| std::env::temp_dir().join("crossflake"))
}
