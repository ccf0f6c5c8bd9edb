//! The Nix side, checked with what runs here (Debian's Nix 2.8; nixpkgs
//! itself cannot be evaluated): every .nix file parses, nix/targets.nix
//! evaluates with builtins only and agrees with `crossflake targets --json`,
//! broken specs are named, and flake.lock has the shape Nix expects.
use crate::common::*;
use std::process::Command;

fn nix_files() -> Vec<std::path::PathBuf> {
    let out = Command::new("git")
        .args(["ls-files", "-co", "--exclude-standard", "*.nix"])
        .current_dir(root())
        .output_bounded()
        .unwrap();
    let files: Vec<_> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| root().join(l))
        .filter(|p| p.is_file() && !p.starts_with(root().join("target")))
        .collect();
    assert!(files.len() >= 10, "expected the flake's .nix files, found {files:?}");
    files
}

#[test]
fn every_nix_file_parses() {
    require_tool("nix-instantiate");
    for f in nix_files() {
        let o = Command::new("nix-instantiate").arg("--parse").arg(&f).output_bounded().unwrap();
        assert!(o.status.success(), "{} does not parse:\n{}", f.display(), String::from_utf8_lossy(&o.stderr));
    }
}

fn eval_targets(dir: Option<&std::path::Path>) -> std::process::Output {
    let arg = dir.map(|d| format!("{{ dir = {}; }}", d.display())).unwrap_or_else(|| "{}".into());
    Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "-E", &format!("import {}/nix/targets.nix {arg}", root().display())])
        .env("NIX_CONFIG", "experimental-features = nix-command flakes")
        .output_bounded()
        .unwrap()
}

#[test]
fn nix_targets_agree_with_the_launcher() {
    require_tool("nix-instantiate");
    let o = eval_targets(None);
    assert!(o.status.success(), "{}", text(&o));
    let nix: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let o = crossflake(&["targets", "--json"], &root());
    let rust: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rust = rust.as_array().unwrap();
    assert_eq!(nix.as_object().unwrap().len(), rust.len(), "same number of targets");
    let reg = crossflake::targets::Registry::load().unwrap();
    for t in rust {
        let name = t["name"].as_str().unwrap();
        let n = &nix[name];
        assert!(n.is_object(), "nix/targets.nix lacks {name}");
        for (field, value) in t.as_object().unwrap() {
            assert_eq!(&n[field], value, "{name}.{field} differs between Nix and the launcher");
        }
        assert!(reg.get(name).is_some(), "{name}");
    }
}

#[test]
fn nix_targets_names_the_file_and_field_of_a_broken_spec() {
    require_tool("nix-instantiate");
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(root().join("targets/aarch64.toml")).unwrap();
    let broken: String = good.lines().filter(|l| !l.starts_with("rust_triple")).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.path().join("aarch64.toml"), broken).unwrap();
    let o = eval_targets(Some(dir.path()));
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("aarch64.toml") && err.contains("rust_triple"), "{err}");
}

#[test]
fn flake_lock_pins_every_input_with_follows() {
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("flake.lock")).unwrap()).unwrap();
    assert_eq!(lock["version"], 7);
    assert_eq!(lock["root"], "root");
    let nodes = &lock["nodes"];
    assert_eq!(nodes["rust-overlay"]["inputs"]["nixpkgs"], serde_json::json!(["nixpkgs"]));
    assert_eq!(nodes["crane"]["original"]["ref"], "v0.23.4", "crane at a release tag");
    assert!(nodes["crane"].get("inputs").is_none(), "crane has no inputs");
    for input in ["nixpkgs", "rust-overlay", "crane"] {
        let l = &nodes[input]["locked"];
        assert_eq!(l["type"], "github", "{input}");
        assert_eq!(l["rev"].as_str().unwrap().len(), 40, "{input}");
        assert!(l["narHash"].as_str().unwrap().starts_with("sha256-"), "{input}");
        assert!(l["lastModified"].as_u64().unwrap() > 1_700_000_000, "{input}");
    }
    // The toolchain the flake reads is the one rustup uses here.
    let flake = std::fs::read_to_string(root().join("nix/default.nix")).unwrap()
        + &std::fs::read_to_string(root().join("nix/outputs.nix")).unwrap();
    assert!(flake.contains("fromRustupToolchainFile"), "the flake reads rust-toolchain.toml");
}
