//! What a file to be run is: an ELF of which machine, class and byte order, a
//! PE executable, a WebAssembly module. The runner checks a program against
//! its target before starting an emulator, so a missing file or an ELF of
//! another architecture is named (exit 125) instead of QEMU's exit 255.
use std::path::Path;

/// The executable formats the runner tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf { machine: u16, bits: u8, big_endian: bool },
    Pe,
    Wasm,
    Script,
    Unknown,
}

/// ELF `e_machine` values, the `object` crate's.
pub const EM_386: u16 = object::elf::EM_386.0;
pub const EM_PPC64: u16 = object::elf::EM_PPC64.0;
pub const EM_S390: u16 = object::elf::EM_S390.0;
pub const EM_ARM: u16 = object::elf::EM_ARM.0;
pub const EM_X86_64: u16 = object::elf::EM_X86_64.0;
pub const EM_AARCH64: u16 = object::elf::EM_AARCH64.0;
pub const EM_RISCV: u16 = object::elf::EM_RISCV.0;

/// How much of a file is read to tell its format: a PE's header sits where its DOS
/// header points (0x80 to 0x118 from the usual linkers).
const HEAD: usize = 4096;

/// Reads the start of `path`; Err when it cannot be read (missing, a directory).
pub fn sniff(path: &Path) -> std::io::Result<Format> {
    let mut head = vec![0u8; HEAD];
    let mut f = std::fs::File::open(path)?;
    if f.metadata()?.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "it is a directory"));
    }
    let n = crate::support::fs::read_up_to(&mut f, &mut head)?;
    Ok(classify(&head[..n]))
}

/// The format of a file from its first bytes (an ELF's whole header, a PE's up to its
/// NT header): ELF and PE as the `object` crate reads them; WebAssembly by its magic
/// (object reads wasm only through wasmparser, a large dependency for four bytes).
pub fn classify(head: &[u8]) -> Format {
    use object::elf::{FileHeader32, FileHeader64};
    match object::FileKind::parse(head) {
        Ok(object::FileKind::Elf32) => elf::<FileHeader32<object::Endianness>>(head, 32),
        Ok(object::FileKind::Elf64) => elf::<FileHeader64<object::Endianness>>(head, 64),
        Ok(object::FileKind::Pe32 | object::FileKind::Pe64) => Format::Pe,
        _ if head.starts_with(b"\0asm") => Format::Wasm,
        _ if head.starts_with(b"#!") => Format::Script,
        _ => Format::Unknown,
    }
}

fn elf<Elf: object::read::elf::FileHeader<Endian = object::Endianness>>(head: &[u8], bits: u8) -> Format {
    let header = Elf::parse(head).and_then(|h| Ok((h.e_machine(h.endian()?), h.is_big_endian())));
    match header {
        Ok((machine, big_endian)) => Format::Elf { machine: machine.0, bits, big_endian },
        Err(_) => Format::Unknown,
    }
}

/// The ELF machine, class and byte order a Rust triple's programs have.
pub fn expected_elf(triple: &str) -> Option<(u16, u8, bool)> {
    let arch = triple.split('-').next().unwrap_or("");
    Some(match arch {
        "x86_64" => (EM_X86_64, 64, false),
        "aarch64" => (EM_AARCH64, 64, false),
        a if a.starts_with("riscv64") => (EM_RISCV, 64, false),
        a if a.starts_with("riscv32") => (EM_RISCV, 32, false),
        a if a.starts_with("armv7") || a.starts_with("arm") || a.starts_with("thumb") => (EM_ARM, 32, false),
        "i686" | "i586" | "i386" => (EM_386, 32, false),
        "powerpc64le" => (EM_PPC64, 64, false),
        "powerpc64" => (EM_PPC64, 64, true),
        "s390x" => (EM_S390, 64, true),
        _ => return None,
    })
}

/// A short name for an ELF machine, for messages.
pub fn machine_name(machine: u16, bits: u8) -> String {
    match (machine, bits) {
        (EM_X86_64, _) => "x86_64".into(),
        (EM_AARCH64, _) => "aarch64".into(),
        (EM_RISCV, 64) => "riscv64".into(),
        (EM_RISCV, _) => "riscv32".into(),
        (EM_ARM, _) => "arm (32-bit)".into(),
        (EM_386, _) => "i386".into(),
        (EM_PPC64, _) => "powerpc64".into(),
        (EM_S390, _) => "s390x".into(),
        (m, b) => format!("machine {m} ({b}-bit)"),
    }
}

/// Why `format` cannot be a program for `triple`, or None when it fits (or cannot be
/// judged). `native`: the host runs it itself (a `#!` script is then a program too).
pub fn mismatch(format: Format, triple: &str, native: bool) -> Option<String> {
    let windows = triple.contains("-windows");
    let wasm = triple.starts_with("wasm");
    match format {
        Format::Script if native => None,
        Format::Script => Some(format!("it is a script, which {triple}'s emulator cannot start")),
        Format::Unknown => Some("it is not an executable (no ELF, PE, WebAssembly or `#!` header)".into()),
        Format::Pe if windows => None,
        Format::Wasm if wasm => None,
        Format::Pe => Some(format!("it is a Windows (PE) executable, not a program for {triple}")),
        Format::Wasm => Some(format!("it is a WebAssembly module, not a program for {triple}")),
        Format::Elf { .. } if windows || wasm => Some(format!("it is an ELF file, not a program for {triple}")),
        Format::Elf { machine, bits, big_endian } => {
            let (want, want_bits, want_be) = expected_elf(triple)?;
            (machine != want || bits != want_bits || big_endian != want_be).then(|| {
                format!(
                    "it is an ELF for {}{}, but {triple} runs {}{}",
                    machine_name(machine, bits),
                    if big_endian { " (big-endian)" } else { "" },
                    machine_name(want, want_bits),
                    if want_be { " (big-endian)" } else { "" }
                )
            })
        }
    }
}
