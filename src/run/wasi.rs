//! WebAssembly (WASI preview 1) programs under Node.js's built-in `node:wasi`
//! (src/wasi/run.mjs, written once into crossflake's cache): no wasmtime is
//! needed, Node.js comes with the machine or from Debian's `nodejs`.
use anyhow::Result;
use std::path::PathBuf;

const SCRIPT: &str = include_str!("wasi/run.mjs");

/// Where the runner script lives (named after its contents, so an update is a new file).
pub fn script_path() -> PathBuf {
    let digest = crate::support::hex::short_digest(SCRIPT.as_bytes(), 8);
    crate::support::paths::cache_dir_or_temp().join(format!("wasi/run-{digest}.mjs"))
}

/// Writes the script if it is not there yet.
pub fn ensure_script() -> Result<PathBuf> {
    let path = script_path();
    if !path.is_file() {
        crate::support::fs::write_replacing(&path, SCRIPT.as_bytes(), None)?;
    }
    Ok(path)
}
