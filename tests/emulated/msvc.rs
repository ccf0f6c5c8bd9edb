//! The MSVC targets (issue 19): they build through cargo-xwin, which downloads
//! Microsoft's CRT and Windows SDK on first use. Where that download works the
//! program is a PE file and its tests pass under wine; where it is refused (this
//! project's machines reach no Microsoft server) crossflake exits 3 with the
//! download's cause and the next step. Each run checks the outcome it got; which
//! one it was is printed.
use crate::common::*;
use crossflake::run::binfmt::{sniff, Format};
use std::path::Path;

fn windows_crate(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"winapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "fn main() { println!(\"hi from msvc\"); }\n#[test]\nfn adds() { assert_eq!(1 + 1, 2); }\n",
    )
    .unwrap();
    let t: toml::Table = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap().parse().unwrap();
    let pin = format!("[toolchain]\nchannel = \"{}\"\n", t["toolchain"]["channel"].as_str().unwrap());
    std::fs::write(dir.join("rust-toolchain.toml"), pin).unwrap();
}

/// The refusal: exit 3, cargo-xwin's own cause, and where to get the files.
fn assert_refused_download(o: &std::process::Output, target: &str) {
    let out = text(o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(
        out.contains(&format!("{target} builds with cargo-xwin, which could not download Microsoft's CRT")),
        "names what failed: {out}"
    );
    assert!(out.contains("Failed to setup MSVC CRT"), "cargo-xwin's words stay above: {out}");
    assert!(out.contains("`cargo-xwin cache xwin`") && out.contains("--target windows"), "the next step: {out}");
}

#[test]
#[allow(clippy::print_stderr)] // which of the two outcomes was checked, in the test's output
fn msvc_builds_through_cargo_xwin_and_runs_under_wine_or_says_why_not() {
    require_tool("cargo-xwin");
    let dir = tempfile::tempdir().unwrap();
    windows_crate(dir.path());
    let td = shared_target_dir().join("msvc");
    let td = td.to_str().unwrap();
    let o = crossflake(&["build", "--target", "windows-msvc", "--target-dir", td, "--dry-run"], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("cargo-xwin xwin build --target x86_64-pc-windows-msvc"), "{}", text(&o));

    let o = crossflake(&["build", "--target", "windows-msvc", "--target-dir", td], dir.path());
    assert!(text(&o).contains("built with cargo-xwin"), "{}", text(&o));
    if o.status.success() {
        eprintln!("cargo-xwin had Microsoft's CRT and SDK: the build and wine are checked");
        let exe = Path::new(td).join("x86_64-pc-windows-msvc/debug/winapp.exe");
        assert_eq!(sniff(&exe).unwrap(), Format::Pe, "{}", exe.display());
        let o = crossflake(&["test", "--target", "windows-msvc", "--target-dir", td], dir.path());
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("test adds ... ok"), "{}", text(&o));
    } else {
        eprintln!("cargo-xwin's download was refused here: the refusal is checked");
        assert_refused_download(&o, "windows-msvc");
        // A test run stops at the same place with the same words (not at wine).
        let o = crossflake(&["test", "--target", "windows-msvc", "--target-dir", td], dir.path());
        assert_refused_download(&o, "windows-msvc");
        // In a matrix the target cannot be served here: skipped with that reason, the
        // others unaffected, nothing counted as passed.
        let o = crossflake(&["matrix", "--targets", "windows-msvc,x86_64", "--target-dir", td], dir.path());
        let out = text(&o);
        assert!(o.status.success(), "{out}");
        assert!(out.contains("matrix: 1 passed, 0 failed, 1 skipped"), "{out}");
        let row = out.lines().find(|l| l.starts_with("windows-msvc ")).unwrap_or_else(|| panic!("{out}"));
        assert!(row.contains("skipped") && row.contains("could not download Microsoft's CRT"), "{row}");
    }
}

#[test]
fn aarch64_msvc_builds_only() {
    require_tool("cargo-xwin");
    let dir = tempfile::tempdir().unwrap();
    windows_crate(dir.path());
    let td = shared_target_dir().join("msvc");
    // Nothing runs it: a test run that would run something exits 125 before building.
    let o = crossflake(&["run", "--target", "aarch64-windows-msvc", "--target-dir", td.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(125), "{}", text(&o));
    let o = crossflake(
        &["build", "--target", "aarch64-windows-msvc", "--target-dir", td.to_str().unwrap(), "--dry-run"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("cargo-xwin xwin build --target aarch64-pc-windows-msvc"), "{}", text(&o));
}
