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

/// A Mach-O file's architectures, sorted, and the oldest macOS of each.
fn slices(path: &Path) -> Vec<(String, Option<String>)> {
    let m = crossflake::ship::macho::inspect(path).unwrap_or_else(|e| panic!("{e}"));
    let mut s: Vec<_> = m.slices.into_iter().map(|s| (s.arch, s.min_macos)).collect();
    s.sort();
    s
}

fn v(arch: &str, min: &str) -> (String, Option<String>) {
    (arch.to_string(), Some(min.to_string()))
}

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
    // rustc's default oldest macOS, not zig's newest; the build says what it made.
    assert_eq!(slices(&Path::new(td).join("aarch64-apple-darwin/debug/macapp")), [v("arm64", "11.0")]);
    assert!(text(&o).contains("macapp: needs macos arm64 >= 11.0"), "said: {}", text(&o));
    let o = crossflake(&["build", "--target", "x86_64-darwin", "--target-dir", td], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(slices(&Path::new(td).join("x86_64-apple-darwin/debug/macapp")), [v("x86_64", "10.12")]);
    // The user's MACOSX_DEPLOYMENT_TARGET wins (11.0: zig builds its runtime once per version,
    // and universal2 needs x86_64 at 11.0 anyway).
    let o = command()
        .args(["build", "--target", "x86_64-darwin", "--target-dir", td])
        .env("MACOSX_DEPLOYMENT_TARGET", "11.0")
        .current_dir(dir.path())
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(slices(&Path::new(td).join("x86_64-apple-darwin/debug/macapp")), [v("x86_64", "11.0")]);
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
    assert_eq!(slices(&fat), [v("arm64", "11.0"), v("x86_64", "11.0")], "one fat file of both architectures");
    assert!(text(&o).contains("macos x86_64+arm64 >= 11.0"), "the dist table says it: {}", text(&o));
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
