//! Mach-O inspection on real macOS binaries built here by cargo-zigbuild and
//! zig (no SDK): thin arm64 and x86_64, a universal2 fat file, and one that
//! loads a dylib macOS does not have (`-C prefer-dynamic`: @rpath/libstd).
//! What crossflake reads is compared with llvm-objdump (the toolchain's
//! llvm-tools), an independent reader. All builds share target/xtests; with
//! zig's cache warm each takes about a second (the first zig build for a
//! macOS version compiles zig's runtime, about 50 s here).
use crate::common::*;
use crossflake::ship::macho::{check, inspect, MachO};
use std::path::{Path, PathBuf};
use std::process::Command;

/// zig as crossflake finds it: on PATH, else the one scripts/setup-host installs.
fn zig() -> PathBuf {
    let on_path =
        std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("zig")).find(|z| z.is_file()));
    let cached = crossflake::support::paths::cache_dir().map(|d| d.join("zig/ziglang/zig")).ok();
    let zig = on_path.or(cached.filter(|z| z.is_file()));
    zig.expect("REQUIRED TOOL MISSING: zig is neither on PATH nor in crossflake's cache; run scripts/setup-host")
}

/// Builds the fixture for `target` (an apple triple or universal2-apple-darwin) into
/// `target/xtests/<sub>`; returns the binary.
fn zigbuild(target: &str, sub: &str, config: &[&str]) -> PathBuf {
    require_tool("cargo-zigbuild");
    let dir = shared_target_dir().join(sub);
    let manifest = root().join("tests/fixtures/macho-hello/Cargo.toml");
    let mut cmd = user_command("cargo");
    cmd.args(["zigbuild", "--quiet", "--target", target, "--manifest-path"]).arg(&manifest);
    cmd.arg("--target-dir").arg(&dir).env("CARGO_ZIGBUILD_ZIG_PATH", zig()).env_remove("MACOSX_DEPLOYMENT_TARGET");
    for c in config {
        cmd.args(["--config", c]);
    }
    let o = cmd.output_bounded().unwrap();
    assert!(o.status.success(), "cargo zigbuild --target {target}: {}", text(&o));
    dir.join(target).join("debug/macho-hello")
}

/// Per architecture, llvm-objdump's minos and loaded dylibs.
fn objdump(file: &Path) -> Vec<(String, String, Vec<String>)> {
    let sysroot = Command::new("rustc").args(["--print", "sysroot"]).current_dir(root()).output_bounded().unwrap();
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    let tool = Path::new(&sysroot).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/llvm-objdump");
    assert!(tool.is_file(), "REQUIRED TOOL MISSING: {} (rustup component add llvm-tools)", tool.display());
    let o =
        Command::new(&tool).args(["--macho", "--private-headers", "--arch=all"]).arg(file).output_bounded().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let (mut out, mut cmd) = (Vec::<(String, String, Vec<String>)>::new(), String::new());
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(arch) = line.split("(architecture ").nth(1) {
            out.push((arch.trim_end_matches("):").to_string(), String::new(), vec![]));
        }
        match words.as_slice() {
            ["cmd", c] => {
                cmd = c.to_string();
                if out.is_empty() {
                    out.push((String::new(), String::new(), vec![])); // a thin file
                }
            }
            ["minos", v] if cmd == "LC_BUILD_VERSION" => out.last_mut().unwrap().1 = v.to_string(),
            ["name", path, "(offset", ..] if cmd.contains("DYLIB") && cmd != "LC_ID_DYLIB" => {
                out.last_mut().unwrap().2.push(path.to_string())
            }
            _ => {}
        }
    }
    out
}

/// What crossflake read agrees with llvm-objdump, slice by slice.
fn agrees(m: &MachO, file: &Path) {
    let theirs = objdump(file);
    assert_eq!(m.slices.len(), theirs.len(), "{}: {m:?} vs {theirs:?}", file.display());
    for (mine, (arch, minos, dylibs)) in m.slices.iter().zip(&theirs) {
        if !arch.is_empty() {
            assert_eq!(&mine.arch, arch, "{}", file.display());
        }
        let ours = mine.min_macos.as_deref().and_then(crossflake::support::version::Version::parse);
        assert_eq!(ours, crossflake::support::version::Version::parse(minos), "{}: minos", file.display());
        let paths: Vec<&str> = mine.dylibs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, dylibs.iter().map(String::as_str).collect::<Vec<_>>(), "{}", file.display());
        assert_eq!(mine.kind, "executable");
    }
}

#[test]
fn thin_and_universal_darwin_binaries_show_their_architectures_macos_and_dylibs() {
    let arm = zigbuild("aarch64-apple-darwin", "", &[]);
    let m = inspect(&arm).unwrap();
    agrees(&m, &arm);
    assert!(!m.universal && m.slices.len() == 1 && m.slices[0].arch == "arm64", "{m:?}");
    assert!(m.slices[0].dylibs.iter().any(|d| d.path == "/usr/lib/libSystem.B.dylib" && d.system), "{m:?}");
    assert!(m.foreign_dylibs().is_empty(), "only macOS's own dylibs: {m:?}");
    let min = m.slices[0].min_macos.clone().expect("LC_BUILD_VERSION");
    assert_eq!(m.summary(), format!("macos arm64 >= {min}"));

    let x86 = zigbuild("x86_64-apple-darwin", "", &[]);
    let m = inspect(&x86).unwrap();
    agrees(&m, &x86);
    assert_eq!(m.slices.iter().map(|s| s.arch.as_str()).collect::<Vec<_>>(), ["x86_64"]);

    let fat = zigbuild("universal2-apple-darwin", "", &[]);
    let m = inspect(&fat).unwrap();
    agrees(&m, &fat);
    let mut arches: Vec<&str> = m.slices.iter().map(|s| s.arch.as_str()).collect();
    arches.sort();
    assert!(m.universal && arches == ["arm64", "x86_64"], "{m:?}");
    assert!(m.summary().starts_with("macos ") && m.summary().contains("arm64") && m.summary().contains("x86_64"));
    assert!(m.foreign_dylibs().is_empty(), "{m:?}");

    let elf = inspect(Path::new("/bin/ls")).unwrap_err();
    assert!(elf.contains("not a Mach-O file"), "{elf}");
}

#[test]
fn a_dylib_macos_lacks_is_flagged() {
    // prefer-dynamic links the toolchain's libstd dylib, which no Mac has.
    let dynamic = zigbuild("aarch64-apple-darwin", "macho-dynamic", &["build.rustflags=[\"-C\", \"prefer-dynamic\"]"]);
    let m = inspect(&dynamic).unwrap();
    agrees(&m, &dynamic);
    let foreign = m.foreign_dylibs();
    assert!(foreign.len() == 1 && foreign[0].starts_with("@rpath/libstd-"), "{m:?}");
    assert!(m.slices[0].dylibs.iter().any(|d| d.system), "libSystem still counts as macOS's: {m:?}");

    // The check dist and matrix run: the static build passes, the dynamic one fails
    // (exit 1) after a warning naming the dylib.
    let warnings = Warnings::default();
    let fine = zigbuild("aarch64-apple-darwin", "", &[]);
    assert_eq!(check(&[fine.clone(), PathBuf::from("/bin/ls")], &warnings).unwrap().len(), 1, "the ELF is left out");
    let err = check(&[fine, dynamic.clone()], &warnings).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains(&dynamic.display().to_string()), "{err}");
    let said = warnings.0.lock().unwrap().join("\n");
    assert!(said.contains("loads dylibs a Mac does not have: @rpath/libstd-"), "{said}");
}

/// The warnings a command would print.
#[derive(Default)]
struct Warnings(std::sync::Mutex<Vec<String>>);
impl crossflake::events::Sink for Warnings {
    fn event(&self, e: crossflake::events::Event) {
        if let crossflake::events::Event::Warning(w) = e {
            self.0.lock().unwrap().push(w);
        }
    }
}
