//! The record of added SDKs: `sdks.json` and the GC roots under crossflake's
//! cache directory (`$CROSSFLAKE_CACHE_DIR`, else `$XDG_CACHE_HOME/crossflake`,
//! else `~/.cache/crossflake`).
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One added SDK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The file's base name, which is also the store path's name and requireFile's `name`.
    pub file_name: String,
    /// The SDK version, `14.5`.
    pub version: String,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// The same hash as SRI, `sha256-<base64>`.
    pub sri: String,
    pub store_path: String,
    /// The symlink that keeps `store_path` from being garbage-collected.
    pub gc_root: PathBuf,
    /// Where the file was added from.
    pub source: PathBuf,
    /// When it was added (UTC, RFC 3339).
    pub added: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    sdks: Vec<Entry>,
}

/// crossflake's cache directory, made absolute (GC roots must not depend on the cwd).
pub fn cache_dir() -> Result<PathBuf> {
    crate::support::paths::cache_dir()
}

pub fn registry_path(cache: &Path) -> PathBuf {
    cache.join("sdks.json")
}

/// The GC root for a store path: `<cache>/gcroots/<hash>-<name>`.
pub fn gc_root(cache: &Path, store_path: &str) -> PathBuf {
    let base = Path::new(store_path).file_name().unwrap_or_default();
    cache.join("gcroots").join(base)
}

/// The recorded SDKs, oldest first (none if the file does not exist yet).
pub fn load(cache: &Path) -> Result<Vec<Entry>> {
    let path = registry_path(cache);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let file: File = serde_json::from_str(&text).with_context(|| {
        format!("{} is not a crossflake SDK registry; move it away and run `crossflake sdk add` again", path.display())
    })?;
    Ok(file.sdks)
}

/// Records `entry`, replacing any entry for the same store path. The file is
/// replaced whole (written beside it, then renamed).
pub fn record(cache: &Path, entry: Entry) -> Result<()> {
    let mut sdks = load(cache)?;
    sdks.retain(|e| e.store_path != entry.store_path);
    sdks.push(entry);
    let text = serde_json::to_string_pretty(&File { sdks })? + "\n";
    crate::support::fs::write_replacing(&registry_path(cache), text.as_bytes(), None)
}

/// `secs` since 1970 as `2024-06-01T12:00:00Z`.
pub fn utc_timestamp(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Now, as `utc_timestamp`.
pub fn now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    utc_timestamp(secs)
}
