//! The glibc an ELF executable needs: the `GLIBC_x.y` versions in its
//! `.gnu.version_r` (what the dynamic loader checks), and which dynamic
//! symbols ask for each (`.gnu.version` + `.dynsym`), so a floor check can
//! name the symbol that breaks it. 32/64-bit, either byte order, read with
//! the `object` crate.
use crate::support::version::Version;
use object::read::elf::FileHeader;
use std::collections::BTreeMap;
use std::path::Path;

/// What an executable needs of glibc.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// The highest `GLIBC_x.y` needed (None: no glibc versions at all, e.g. static or musl).
    pub max: Option<Version>,
    /// Each version and the undefined symbols that ask for it.
    pub symbols: BTreeMap<Version, Vec<String>>,
}

impl Needs {
    /// The symbols that need more than `floor`, with the version each needs.
    pub fn above(&self, floor: Version) -> Vec<(String, Version)> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.symbols.range((Excluded(floor), Unbounded)).flat_map(|(v, s)| s.iter().map(|n| (n.clone(), *v))).collect()
    }
}

/// Reads an ELF's glibc needs; Err when it is not an ELF, None-max when it needs none.
pub fn needs_of(bytes: &[u8]) -> Result<Needs, String> {
    let read = match object::FileKind::parse(bytes) {
        Ok(object::FileKind::Elf32) => read::<object::elf::FileHeader32<object::Endianness>>(bytes),
        Ok(object::FileKind::Elf64) => read::<object::elf::FileHeader64<object::Endianness>>(bytes),
        _ => return Err("not an ELF file".into()),
    };
    read.map_err(|e| format!("a malformed ELF file: {e}"))
}

/// A `GLIBC_x.y` version name.
fn glibc(name: &[u8]) -> Option<Version> {
    std::str::from_utf8(name).ok().filter(|n| n.starts_with("GLIBC_")).and_then(Version::parse)
}

fn read<Elf: FileHeader<Endian = object::Endianness>>(data: &[u8]) -> object::Result<Needs> {
    let header = Elf::parse(data)?;
    let endian = header.endian()?;
    let sections = header.sections(endian, data)?;
    let mut needs = Needs::default();
    // Every version needed, with or without a symbol behind it (what the loader checks).
    if let Some((mut verneed, link)) = sections.gnu_verneed(endian, data)? {
        let strings = sections.strings(endian, data, link)?;
        while let Some((_, mut aux)) = verneed.next()? {
            while let Some(a) = aux.next()? {
                needs.max = needs.max.max(glibc(a.name(endian, strings)?));
            }
        }
    }
    let Some(versions) = sections.versions(endian, data)? else { return Ok(needs) };
    let dynsym = sections.symbols(endian, data, object::elf::SHT_DYNSYM)?;
    for (index, sym) in dynsym.enumerate() {
        let version = versions.version(versions.version_index(endian, index).index()).ok().flatten();
        // Needed ones only (a file of the version need), not versions this file defines.
        let Some(v) = version.filter(|v| v.file().is_some()).and_then(|v| glibc(v.name())) else { continue };
        if let Ok(name) = dynsym.symbol_name(endian, sym) {
            needs.symbols.entry(v).or_default().push(String::from_utf8_lossy(name).into_owned());
        }
    }
    Ok(needs)
}

/// Reads the file at `path`.
pub fn needs(path: &Path) -> Result<Needs, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    needs_of(&bytes)
}

/// Reads each executable's glibc needs and checks them against `floor`: the artifacts,
/// or a failure (exit 1) after a warning that names the symbols above the floor.
pub fn check_floor(
    executables: &[std::path::PathBuf],
    floor: Version,
    sink: &dyn crate::events::Sink,
) -> Result<Vec<crate::events::Artifact>, crate::failure::Failure> {
    let mut out = Vec::new();
    let mut above_any = Vec::new();
    for path in executables {
        let needs = needs(path).unwrap_or_default();
        out.push(super::artifacts::with_needs(path, &needs));
        let above = needs.above(floor);
        if above.is_empty() {
            continue;
        }
        let shown: Vec<String> = above.iter().take(8).map(|(s, v)| format!("{s} (GLIBC_{v})")).collect();
        let more = above.len().saturating_sub(8);
        sink.warn(&format!(
            "{} needs more than glibc {floor}: {}{}",
            path.display(),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
        above_any.push(path.display().to_string());
    }
    if above_any.is_empty() {
        return Ok(out);
    }
    Err(crate::failure::Failure::error(format!("{} need more than glibc {floor}", above_any.join(", "))).next(
        "drop or replace what uses those symbols (a C dependency built without zig? a crate's own linker settings?), \
         or raise --glibc",
    ))
}
