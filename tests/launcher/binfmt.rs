//! What the runner tells a program apart by, read from files the cross
//! compilers here produce: each ELF's machine, width and byte order, a PE,
//! a WebAssembly module, a script, and what is none of them.
use crate::common::*;
use crossflake::run::binfmt::{mismatch, sniff, Format, EM_386, EM_AARCH64, EM_ARM, EM_PPC64, EM_RISCV, EM_S390};
use std::process::Command;

/// Compiles (and links, for a PE) a one-line C program with `gcc`.
fn compiled(gcc: &str, dir: &std::path::Path, link: bool) -> std::path::PathBuf {
    require_tool(gcc);
    // mingw would add .exe to a name without it.
    let (src, out) = (dir.join("m.c"), dir.join(if link { format!("{gcc}.exe") } else { gcc.to_string() }));
    std::fs::write(&src, "int main(void) { return 0; }\n").unwrap();
    let mut cmd = Command::new(gcc);
    cmd.arg(&src).arg("-o").arg(&out);
    if !link {
        cmd.arg("-c");
    }
    let o = cmd.output_bounded().unwrap();
    assert!(o.status.success(), "{gcc}: {}", text(&o));
    out
}

#[test]
fn formats_are_told_apart_from_real_files() {
    let t = tempfile::tempdir().unwrap();
    for (gcc, machine, bits, big_endian, triple) in [
        ("aarch64-linux-gnu-gcc", EM_AARCH64, 64, false, "aarch64-unknown-linux-gnu"),
        ("arm-linux-gnueabihf-gcc", EM_ARM, 32, false, "armv7-unknown-linux-gnueabihf"),
        ("i686-linux-gnu-gcc", EM_386, 32, false, "i686-unknown-linux-gnu"),
        ("s390x-linux-gnu-gcc", EM_S390, 64, true, "s390x-unknown-linux-gnu"),
        ("powerpc64le-linux-gnu-gcc", EM_PPC64, 64, false, "powerpc64le-unknown-linux-gnu"),
        ("riscv64-linux-gnu-gcc", EM_RISCV, 64, false, "riscv64gc-unknown-linux-gnu"),
    ] {
        let f = compiled(gcc, t.path(), false);
        let format = sniff(&f).unwrap();
        assert_eq!(format, Format::Elf { machine, bits, big_endian }, "{gcc}");
        assert_eq!(mismatch(format, triple, false), None, "{gcc} fits {triple}");
        let other = mismatch(format, "x86_64-unknown-linux-gnu", false).unwrap_or_default();
        assert!(other.contains("but x86_64-unknown-linux-gnu runs x86_64"), "{gcc}: {other}");
    }
    let s390x = sniff(&t.path().join("s390x-linux-gnu-gcc")).unwrap();
    let said = mismatch(s390x, "aarch64-unknown-linux-gnu", false).unwrap();
    assert!(said.contains("an ELF for s390x (big-endian)"), "{said}");

    let pe = compiled("x86_64-w64-mingw32-gcc", t.path(), true);
    assert_eq!(sniff(&pe).unwrap(), Format::Pe);
    assert_eq!(mismatch(Format::Pe, "x86_64-pc-windows-gnu", false), None);

    let write = |name: &str, bytes: &[u8]| {
        let p = t.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        sniff(&p).unwrap()
    };
    // The smallest valid module: magic and version 1.
    assert_eq!(write("m.wasm", b"\0asm\x01\0\0\0"), Format::Wasm);
    assert_eq!(write("run.sh", b"#!/bin/sh\nexit 0\n"), Format::Script);
    assert_eq!(mismatch(Format::Script, "aarch64-unknown-linux-gnu", true), None, "the host runs its scripts");
    // "MZ" without a PE header behind it, and an ELF cut short, are no programs.
    assert_eq!(write("mz.txt", b"MZ is not enough to be a Windows program\n"), Format::Unknown);
    let elf = std::fs::read(t.path().join("aarch64-linux-gnu-gcc")).unwrap();
    assert_eq!(write("cut", &elf[..40]), Format::Unknown);
    assert!(sniff(t.path()).is_err(), "a directory");
    assert!(sniff(&t.path().join("missing")).is_err());
}
