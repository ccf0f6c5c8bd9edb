//! The glibc an ELF executable needs: the `GLIBC_x.y` versions in its
//! `.gnu.version_r` (what the dynamic loader checks), and which dynamic
//! symbols ask for each (`.gnu.version` + `.dynsym`), so a floor check can
//! name the symbol that breaks it. 32/64-bit, either byte order.
use crate::support::version::Version;
use std::collections::BTreeMap;
use std::path::Path;

const SHT_DYNSYM: u32 = 11;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;
const SHT_GNU_VERSYM: u32 = 0x6fff_ffff;

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

struct Elf<'a> {
    b: &'a [u8],
    wide: bool,
    be: bool,
}

impl Elf<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let s: [u8; 2] = self.b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.be { u16::from_be_bytes(s) } else { u16::from_le_bytes(s) })
    }
    fn u32(&self, at: usize) -> Option<u32> {
        let s: [u8; 4] = self.b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.be { u32::from_be_bytes(s) } else { u32::from_le_bytes(s) })
    }
    fn word(&self, at: usize) -> Option<u64> {
        if self.wide {
            let s: [u8; 8] = self.b.get(at..at + 8)?.try_into().ok()?;
            Some(if self.be { u64::from_be_bytes(s) } else { u64::from_le_bytes(s) })
        } else {
            self.u32(at).map(u64::from)
        }
    }
    fn cstr(&self, at: usize) -> Option<String> {
        let rest = self.b.get(at..)?;
        let end = rest.iter().position(|c| *c == 0)?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    }
}

/// A section header: type, link, offset, size, entry size.
#[derive(Debug, Clone, Copy)]
struct Section {
    kind: u32,
    link: u32,
    offset: usize,
    size: usize,
    entsize: usize,
}

fn sections(e: &Elf) -> Option<Vec<Section>> {
    let (shoff, shentsize, shnum) = if e.wide {
        (e.word(0x28)? as usize, e.u16(0x3a)? as usize, e.u16(0x3c)? as usize)
    } else {
        (e.word(0x20)? as usize, e.u16(0x2e)? as usize, e.u16(0x30)? as usize)
    };
    (0..shnum)
        .map(|i| {
            let h = shoff + i * shentsize;
            Some(if e.wide {
                Section {
                    kind: e.u32(h + 4)?,
                    offset: e.word(h + 0x18)? as usize,
                    size: e.word(h + 0x20)? as usize,
                    link: e.u32(h + 0x28)?,
                    entsize: e.word(h + 0x38)? as usize,
                }
            } else {
                Section {
                    kind: e.u32(h + 4)?,
                    offset: e.u32(h + 0x10)? as usize,
                    size: e.u32(h + 0x14)? as usize,
                    link: e.u32(h + 0x18)?,
                    entsize: e.u32(h + 0x24)? as usize,
                }
            })
        })
        .collect()
}

/// Reads an ELF's glibc needs; Err when it is not an ELF, None-max when it needs none.
pub fn needs_of(bytes: &[u8]) -> Result<Needs, String> {
    // The ident is read as binfmt reads it; a whole header is at least 0x34 bytes (32-bit).
    let (crate::run::binfmt::Format::Elf { bits, big_endian, .. }, true) =
        (crate::run::binfmt::classify(bytes), bytes.len() >= 0x34)
    else {
        return Err("not an ELF file".into());
    };
    let e = Elf { b: bytes, wide: bits == 64, be: big_endian };
    let secs = sections(&e).ok_or("truncated section headers")?;
    let Some(vn) = secs.iter().find(|s| s.kind == SHT_GNU_VERNEED) else { return Ok(Needs::default()) };
    let strtab = secs.get(vn.link as usize).ok_or("bad .gnu.version_r link")?.offset;
    // Version index (vna_other) -> version name, for the GLIBC_ ones.
    let mut by_index: BTreeMap<u16, Version> = BTreeMap::new();
    let mut at = vn.offset;
    while at + 16 <= vn.offset + vn.size {
        let (cnt, aux, next) = (
            e.u16(at + 2).ok_or("bad verneed")?,
            e.u32(at + 8).ok_or("bad verneed")?,
            e.u32(at + 12).ok_or("bad verneed")?,
        );
        let mut a = at + aux as usize;
        for _ in 0..cnt {
            let other = e.u16(a + 6).ok_or("bad vernaux")?;
            let name = e.cstr(strtab + e.u32(a + 8).ok_or("bad vernaux")? as usize).ok_or("bad version name")?;
            if let (true, Some(v)) = (name.starts_with("GLIBC_"), Version::parse(&name)) {
                by_index.insert(other, v);
            }
            match e.u32(a + 12).ok_or("bad vernaux")? {
                0 => break,
                n => a += n as usize,
            }
        }
        if next == 0 {
            break;
        }
        at += next as usize;
    }
    let mut needs = Needs { max: by_index.values().max().copied(), symbols: BTreeMap::new() };
    let (Some(sym), Some(ver)) =
        (secs.iter().find(|s| s.kind == SHT_DYNSYM), secs.iter().find(|s| s.kind == SHT_GNU_VERSYM))
    else {
        return Ok(needs);
    };
    let names = secs.get(sym.link as usize).ok_or("bad .dynsym link")?.offset;
    let entsize = sym.entsize.max(if e.wide { 24 } else { 16 });
    for i in 0..sym.size / entsize {
        let s = sym.offset + i * entsize;
        let Some(index) = e.u16(ver.offset + i * 2).map(|v| v & 0x7fff) else { continue };
        let (Some(v), Some(name_at)) = (by_index.get(&index), e.u32(s)) else { continue };
        if let Some(name) = e.cstr(names + name_at as usize) {
            needs.symbols.entry(*v).or_default().push(name);
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
