//! What a macOS build made, read with the `object` crate: each architecture
//! of a Mach-O file (thin, or fat/universal), the oldest macOS it runs on
//! (LC_BUILD_VERSION's minos, else LC_VERSION_MIN_MACOSX) and the dylibs it
//! loads (LC_LOAD_DYLIB, weak, re-exported, lazy, upward), each marked system
//! (under /usr/lib/ or /System/Library/, which every Mac has) or not: a
//! binary built on Linux that loads anything else cannot run on a plain Mac.
use crate::support::version::Version;
use object::macho;
use object::read::macho::{FatArch, MachHeader};
use serde::Serialize;
use std::path::Path;

/// A Mach-O file: one slice per architecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MachO {
    /// A fat (universal) file, even of one architecture.
    pub universal: bool,
    pub slices: Vec<Slice>,
}

/// One architecture of a Mach-O file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slice {
    /// As Apple names it: `arm64`, `arm64e`, `x86_64`, `i386`, else `cputype <n>`.
    pub arch: String,
    /// `executable`, `dylib`, `bundle`, `object`, else `filetype <n>`.
    pub kind: String,
    /// The oldest macOS it runs on (`11.0`); None when the file does not say.
    pub min_macos: Option<String>,
    /// The SDK it was linked against, as the file records it.
    pub sdk: Option<String>,
    pub dylibs: Vec<Dylib>,
}

/// A dylib a slice loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dylib {
    pub path: String,
    /// Part of macOS itself (/usr/lib/, /System/Library/).
    pub system: bool,
    /// LC_LOAD_WEAK_DYLIB: the program starts without it.
    pub weak: bool,
}

impl MachO {
    /// One line for tables: `macos arm64+x86_64 >= 11.0`, or per architecture when their
    /// minimums differ (`macos arm64 >= 11.0, x86_64 >= 10.12`).
    pub fn summary(&self) -> String {
        let min = |s: &Slice| s.min_macos.clone().unwrap_or_else(|| "?".into());
        let first = self.slices.first().map(min);
        if self.slices.iter().all(|s| Some(min(s)) == first) {
            let arches: Vec<&str> = self.slices.iter().map(|s| s.arch.as_str()).collect();
            format!("macos {} >= {}", arches.join("+"), first.unwrap_or_default())
        } else {
            let each: Vec<String> = self.slices.iter().map(|s| format!("{} >= {}", s.arch, min(s))).collect();
            format!("macos {}", each.join(", "))
        }
    }

    /// The dylibs outside macOS that some slice loads, each once.
    pub fn foreign_dylibs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for d in self.slices.iter().flat_map(|s| &s.dylibs).filter(|d| !d.system) {
            if !out.contains(&d.path.as_str()) {
                out.push(&d.path);
            }
        }
        out
    }

    /// The newest of the slices' minimum macOS versions (what the file as a whole needs).
    pub fn min_macos(&self) -> Option<Version> {
        self.slices.iter().filter_map(|s| Version::parse(s.min_macos.as_deref()?)).max()
    }
}

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

/// Reads the Mach-O file at `path`.
pub fn inspect(path: &Path) -> Result<MachO, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    inspect_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a Mach-O file's bytes; Err when it is not one (or is malformed).
pub fn inspect_bytes(data: &[u8]) -> Result<MachO, String> {
    use object::read::macho::{MachOFatFile32, MachOFatFile64};
    let err = |e: object::Error| format!("a malformed Mach-O file: {e}");
    let slices = match object::FileKind::parse(data) {
        Ok(object::FileKind::MachO32 | object::FileKind::MachO64) => {
            return Ok(MachO { universal: false, slices: vec![thin(data)?] })
        }
        Ok(object::FileKind::MachOFat32) => fat(MachOFatFile32::parse(data).map_err(err)?.arches(), data),
        Ok(object::FileKind::MachOFat64) => fat(MachOFatFile64::parse(data).map_err(err)?.arches(), data),
        _ => return Err("not a Mach-O file".into()),
    };
    Ok(MachO { universal: true, slices: slices? })
}

/// The slices of a fat file, in its order.
fn fat<F: FatArch>(arches: &[F], data: &[u8]) -> Result<Vec<Slice>, String> {
    let each = |a: &F| thin(a.data(data).map_err(|e| format!("a malformed fat Mach-O file: {e}"))?);
    arches.iter().map(each).collect()
}

/// One thin Mach-O (a whole file, or one architecture of a fat one).
fn thin(data: &[u8]) -> Result<Slice, String> {
    let read = match object::FileKind::parse(data) {
        Ok(object::FileKind::MachO64) => slice::<macho::MachHeader64<object::Endianness>>(data),
        Ok(object::FileKind::MachO32) => slice::<macho::MachHeader32<object::Endianness>>(data),
        _ => return Err("an architecture of the fat file is not a Mach-O file".into()),
    };
    read.map_err(|e| format!("a malformed Mach-O file: {e}"))
}

fn slice<Mach: MachHeader<Endian = object::Endianness>>(data: &[u8]) -> object::Result<Slice> {
    let header = Mach::parse(data, 0)?;
    let endian = header.endian()?;
    let mut out = Slice {
        arch: arch_name(header.cputype(endian), header.cpusubtype(endian)),
        kind: kind_name(header.filetype(endian)),
        min_macos: None,
        sdk: None,
        dylibs: Vec::new(),
    };
    let mut commands = header.load_commands(endian, data, 0)?;
    while let Some(command) = commands.next()? {
        if let Some((build, _tools)) = command.build_version(endian)? {
            if build.platform.get(endian) == macho::PLATFORM_MACOS {
                out.min_macos = Some(version(build.minos.get(endian)));
                out.sdk = Some(version(build.sdk.get(endian)));
            }
        } else if let Some(dylib) = command.dylib()? {
            let path = String::from_utf8_lossy(command.string(endian, dylib.dylib.name)?).into_owned();
            let system = path.starts_with("/usr/lib/") || path.starts_with("/System/Library/");
            let weak = command.cmd() == macho::LC_LOAD_WEAK_DYLIB;
            out.dylibs.push(Dylib { path, system, weak });
        } else if command.cmd() == macho::LC_VERSION_MIN_MACOSX && out.min_macos.is_none() {
            let v: &macho::VersionMinCommand<object::Endianness> = command.data()?;
            out.min_macos = Some(version(v.version.get(endian)));
            out.sdk = Some(version(v.sdk.get(endian)));
        }
    }
    Ok(out)
}

/// `11.0`, `10.12`, `14.2.1`: Mach-O's xxxx.yy.zz nibbles as macOS versions are written.
fn version(v: macho::Version) -> String {
    Version(v.major().into(), v.minor().into(), v.update().into()).to_string()
}

fn arch_name(cpu: macho::CpuType, sub: macho::CpuSubtype) -> String {
    match cpu {
        macho::CPU_TYPE_ARM64 if sub.id() == macho::CPU_SUBTYPE_ARM64E => "arm64e".into(),
        macho::CPU_TYPE_ARM64 => "arm64".into(),
        macho::CPU_TYPE_X86_64 => "x86_64".into(),
        macho::CPU_TYPE_X86 => "i386".into(),
        other => format!("cputype {}", other.0),
    }
}

fn kind_name(t: macho::FileType) -> String {
    match t {
        macho::MH_EXECUTE => "executable".into(),
        macho::MH_DYLIB => "dylib".into(),
        macho::MH_BUNDLE => "bundle".into(),
        macho::MH_OBJECT => "object".into(),
        other => format!("filetype {}", other.0),
    }
}
