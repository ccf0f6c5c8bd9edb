//! macOS binaries from Linux without an SDK (issue 19): with no osxcross on PATH the
//! darwin targets link through cargo-zigbuild and zig (libSystem only), universal2 is one
//! fat binary of both architectures, a framework the zig path lacks fails with the
//! linker's words and the `crossflake sdk add` next step (exit 3), and nothing runs.
use crate::common::*;
use std::path::Path;

fn mac_crate(dir: &Path, main: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"macapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    let t: toml::Table = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap().parse().unwrap();
    let pin = format!("[toolchain]\nchannel = \"{}\"\n", t["toolchain"]["channel"].as_str().unwrap());
    std::fs::write(dir.join("rust-toolchain.toml"), pin).unwrap();
}

/// A Mach-O file's architectures as its header says them (a fat file lists each).
fn macho_cpus(path: &Path) -> Vec<u32> {
    let b = std::fs::read(path).unwrap();
    let be = |at: usize| u32::from_be_bytes(b[at..at + 4].try_into().unwrap());
    let le = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    match be(0) {
        0xcafe_babe => (0..be(4) as usize).map(|i| be(8 + i * 20)).collect(),
        _ if le(0) == 0xfeed_facf => vec![le(4)],
        m => panic!("{} is not Mach-O (magic {m:#x})", path.display()),
    }
}

const ARM64: u32 = 0x0100_000c;
const X86_64: u32 = 0x0100_0007;

#[test]
fn darwin_binaries_link_with_zig_and_universal2_is_fat() {
    require_tool("zig-or-cache");
    let dir = tempfile::tempdir().unwrap();
    mac_crate(dir.path(), "fn main() { println!(\"hi from macOS\"); }\n");
    let td = shared_target_dir().join("macos");
    let td = td.to_str().unwrap();
    let o = crossflake(&["build", "--target", "aarch64-darwin", "--target-dir", td], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("linked with cargo-zigbuild and zig"), "said: {}", text(&o));
    assert_eq!(macho_cpus(&Path::new(td).join("aarch64-apple-darwin/debug/macapp")), [ARM64]);
    // Nothing runs: `run` exits 125, `test --no-run` builds.
    let o = crossflake(&["run", "--target", "aarch64-darwin", "--target-dir", td], dir.path());
    assert_eq!(o.status.code(), Some(125), "{}", text(&o));
    let out = dir.path().join("dist");
    let o = crossflake(
        &["dist", "--target", "universal2-darwin", "--target-dir", td, "--out", out.to_str().unwrap()],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let fat = out.join("macapp-macos-universal2");
    let mut cpus = macho_cpus(&fat);
    cpus.sort();
    assert_eq!(cpus, [X86_64, ARM64], "one fat file of both architectures");
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("  macapp-macos-universal2"), "{sums}");
}

#[test]
fn a_framework_without_an_sdk_exits_3_with_the_next_step() {
    require_tool("zig-or-cache");
    let dir = tempfile::tempdir().unwrap();
    mac_crate(
        dir.path(),
        "#[link(name = \"CoreFoundation\", kind = \"framework\")]\nextern \"C\" { fn CFRelease(p: *const u8); }\n\
         fn main() { unsafe { CFRelease(std::ptr::null()) } }\n",
    );
    let td = shared_target_dir().join("macos");
    let o = crossflake(&["build", "--target", "x86_64-darwin", "--target-dir", td.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("unable to find system framework \"CoreFoundation\""), "the linker's words: {out}");
    assert!(out.contains("crossflake sdk add"), "the next step: {out}");
}
