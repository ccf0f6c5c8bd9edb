//! macOS artifacts before they ship: what support/macho.rs read of them, and a
//! refusal of any that loads a dylib a plain Mac does not have.
pub use crate::support::macho::*;

/// Reads each macOS executable: the files, or a failure (exit 1) after a warning naming
/// every dylib outside macOS one of them loads. An executable that is no Mach-O file is
/// left out (another target's artifact).
pub fn check(
    executables: &[std::path::PathBuf],
    sink: &dyn crate::events::Sink,
) -> Result<Vec<(std::path::PathBuf, MachO)>, crate::failure::Failure> {
    let read: Vec<_> = executables.iter().filter_map(|p| Some((p.clone(), inspect(p).ok()?))).collect();
    let mut bad = Vec::new();
    for (path, m) in &read {
        let foreign = m.foreign_dylibs();
        if !foreign.is_empty() {
            sink.warn(&format!("{} loads dylibs a Mac does not have: {}", path.display(), foreign.join(", ")));
            bad.push(path.display().to_string());
        }
    }
    if bad.is_empty() {
        return Ok(read);
    }
    Err(crate::failure::Failure::error(format!("{} load dylibs outside macOS", bad.join(", "))).next(
        "link them statically (no `-C prefer-dynamic`, a crate's static feature), or ship them next to the binary \
         and load them through @rpath yourself",
    ))
}
