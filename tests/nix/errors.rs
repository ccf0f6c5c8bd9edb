//! The Nix backend when Nix cannot serve: missing, too old, flakes disabled.
//! Each error names the fix, and without --backend the host backend takes
//! over with a message. The flakes-disabled case runs real nix.
use crate::nix_support::{text, Fixture, OutputBounded};
use std::path::Path;

fn fake_nix(dir: &Path, version: &str) {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("nix");
    std::fs::write(&p, format!("#!/bin/sh\necho 'nix (Nix) {version}'\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn flakes_disabled_names_the_setting_and_falls_back() {
    let fx = Fixture::new("disabled");
    let o = fx
        .command(&["build", "--target", "x86_64", "--backend", "nix"])
        .env("NIX_CONFIG", "sandbox = false")
        .output_bounded()
        .unwrap();
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("experimental-features = nix-command flakes"), "{}", text(&o));
    let o = fx
        .command(&["build", "--target", "x86_64", "--dry-run"])
        .env("NIX_CONFIG", "sandbox = false")
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("using the host backend") && t.contains("flakes are disabled"), "{t}");
}

#[test]
fn a_nix_too_old_for_flakes_is_named() {
    let fx = Fixture::new("old");
    fake_nix(&fx.wrapper_dir, "2.3.16");
    let o = fx.run(&["build", "--target", "x86_64", "--backend", "nix"]);
    let t = text(&o);
    assert!(!o.status.success() && t.contains("Nix 2.3.16 is too old") && t.contains(">= 2.4"), "{t}");
    assert!(t.contains(">= 2.18"), "the message names what crossflake's own flake needs: {t}");
}

#[test]
fn without_nix_on_path_the_error_says_how_to_install_it() {
    let fx = Fixture::new("absent");
    let o = fx
        .command(&["build", "--target", "x86_64", "--backend", "nix"])
        .env("PATH", "/nonexistent")
        .output_bounded()
        .unwrap();
    let t = text(&o);
    assert!(!o.status.success() && t.contains("nix is not on PATH") && t.contains("--backend host"), "{t}");
}
