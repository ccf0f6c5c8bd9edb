//! The glibc floor: what an executable needs, read from its ELF in Rust, agrees
//! with readelf; `--glibc 2.17` builds binaries that need at most 2.17 and still
//! pass their tests under QEMU; an artifact that needs more fails the command,
//! naming the symbol; the floors of the targets hold.
use crate::common::*;
use crossflake::ship::glibc::needs;
use crossflake::support::version::Version;
use std::process::Command;

/// The highest GLIBC_x.y that `readelf -V` lists for a file.
fn readelf_max(path: &std::path::Path) -> Option<Version> {
    let o = Command::new("readelf").arg("-V").arg(path).output_bounded().unwrap();
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .filter(|w| w.starts_with("GLIBC_") && !w.starts_with("GLIBC_PRIVATE"))
        .filter_map(Version::parse)
        .max()
}

/// Each `name@GLIBC_x.y` of `readelf --dyn-syms`, grouped by version (the symbols behind
/// each need, as the floor check names them).
fn readelf_symbols(path: &std::path::Path) -> std::collections::BTreeMap<Version, Vec<String>> {
    let o = Command::new("readelf").args(["--dyn-syms", "-W"]).arg(path).output_bounded().unwrap();
    let mut out: std::collections::BTreeMap<Version, Vec<String>> = Default::default();
    for word in String::from_utf8_lossy(&o.stdout).split_whitespace() {
        if let Some((name, v)) = word.split_once("@GLIBC_").and_then(|(n, v)| Some((n, Version::parse(v)?))) {
            out.entry(v).or_default().push(name.to_string());
        }
    }
    out
}

fn td() -> std::path::PathBuf {
    // Its own target dir: zig-linked builds would otherwise replace the shared ones.
    root().join("target/xglibc")
}

#[test]
fn needs_agree_with_readelf_on_every_byte_order_and_width() {
    require_tool("readelf");
    let shared = shared_target_dir();
    let mut files = vec![std::path::PathBuf::from("/bin/ls")];
    for (target, triple) in [
        ("aarch64", "aarch64-unknown-linux-gnu"),
        ("armv7", "armv7-unknown-linux-gnueabihf"),
        ("s390x", "s390x-unknown-linux-gnu"),
    ] {
        let o = crossflake(
            &["build", "--target", target, "--backend", "host", "--target-dir", shared.to_str().unwrap()],
            &root().join("examples/hello"),
        );
        assert!(o.status.success(), "{}", text(&o));
        files.push(shared.join(triple).join("debug/hello"));
    }
    for f in &files {
        let mine = needs(f).unwrap();
        assert_eq!(mine.max, readelf_max(f), "{}", f.display());
        assert!(mine.max.is_some(), "{} is dynamically linked against glibc", f.display());
        assert!(!mine.symbols.is_empty(), "{}: the symbols behind the versions", f.display());
        assert_eq!(mine.symbols, readelf_symbols(f), "{}: the same symbols behind each version", f.display());
    }
    assert!(needs(std::path::Path::new("/etc/hostname")).is_err(), "not an ELF");
}

#[test]
fn a_glibc_floor_holds_and_tests_still_run_under_qemu() {
    require_tool("cargo-zigbuild");
    require_tool("qemu-aarch64");
    let dir = td();
    for (target, triple) in [("aarch64", "aarch64-unknown-linux-gnu"), ("x86_64", "x86_64-unknown-linux-gnu")] {
        let o = crossflake(
            &[
                "test",
                "--target",
                target,
                "--glibc",
                "2.17",
                "--backend",
                "host",
                "--target-dir",
                dir.to_str().unwrap(),
            ],
            &root().join("examples/hello"),
        );
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        assert!(out.contains("test result: ok."), "{target}: the tests ran: {out}");
        let exe = dir.join(triple).join("debug/hello");
        let v = needs(&exe).unwrap().max.expect("a glibc binary");
        assert!(v <= Version(2, 17, 0), "{target}: needs {v}");
        assert_eq!(Some(v), readelf_max(&exe), "{target}");
        assert!(out.contains(&format!("{}: needs glibc {v}", exe.display())), "{target}: reported: {out}");
    }
}

#[test]
fn an_artifact_above_the_floor_fails_naming_the_symbol() {
    require_tool("cargo-zigbuild");
    // The crate's own linker (here through RUSTFLAGS) wins over zig: the host's glibc is
    // then linked, and the check says so instead of passing.
    let o = command()
        .args(["build", "--target", "x86_64", "--glibc", "2.17", "--backend", "host", "--target-dir"])
        .arg(td().join("over"))
        .env("RUSTFLAGS", "-C linker=x86_64-linux-gnu-gcc")
        .current_dir(root().join("examples/hello"))
        .output_bounded()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("needs more than glibc 2.17:") && out.contains("(GLIBC_2."), "{out}");
}

#[test]
fn floors_below_the_targets_lowest_are_refused() {
    for (target, floor, says) in [
        ("riscv64", "2.17", "the lowest glibc floor for riscv64 is 2.27"),
        ("ppc64le", "2.17", "the lowest glibc floor for ppc64le is 2.19"),
        ("x86_64-musl", "2.17", "has no glibc"),
        ("aarch64", "two", "expected a glibc version"),
    ] {
        let o = crossflake(
            &["build", "--target", target, "--glibc", floor, "--backend", "host", "--dry-run"],
            &root().join("examples/hello"),
        );
        assert_eq!(o.status.code(), Some(2), "{target}: {}", text(&o));
        assert!(text(&o).contains(says), "{target}: {}", text(&o));
    }
}
