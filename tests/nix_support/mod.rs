//! Shared by the Nix backend tests: real nix (required: a missing nix fails
//! the test loudly), fixture flakes generated into temp dirs from
//! tests/fixtures/nix, a `nix` wrapper that logs every call, and the real
//! crossflake binary run against them.
#![allow(dead_code)]
pub use crate::common::OutputBounded;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What the tests' nix runs with: root without a daemon, offline.
pub const NIX_CONFIG: &str = "experimental-features = nix-command flakes\nsandbox = false\nbuild-users-group =\nsubstituters =\nflake-registry = /dev/null";

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nix")
}

/// The real nix on PATH; panics with the fix when there is none.
pub fn real_nix() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join("nix")).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "NIX REQUIRED: `nix` is not on PATH. These tests run real Nix; run scripts/setup-host (CI does) and re-run"
        )
    })
}

/// The Nix system of this machine (`x86_64-linux`).
pub fn system() -> String {
    format!("{}-linux", std::env::consts::ARCH)
}

fn write_script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A fixture flake with a crate inside it, a private cache and a logging nix wrapper.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub flake: PathBuf,
    pub krate: PathBuf,
    pub cache: PathBuf,
    pub target: PathBuf,
    pub wrapper_dir: PathBuf,
    /// The shell's own bin directory (a `cargo` wrapper), first on the shell's PATH.
    pub shellbin: PathBuf,
    pub log: PathBuf,
}

impl Fixture {
    pub fn new(marker: &str) -> Fixture {
        let nix = real_nix();
        let tmp = tempfile::Builder::new().prefix("crossflake-nix-").tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let (flake, wrapper_dir, shellbin) = (root.join("flake"), root.join("bin"), root.join("shellbin"));
        for d in [&flake, &wrapper_dir, &shellbin] {
            std::fs::create_dir_all(d).unwrap();
        }
        let log = root.join("nix-calls.log");
        write_script(
            &wrapper_dir.join("nix"),
            &format!("printf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"", log.display(), nix.display()),
        );
        let cargo = PathBuf::from(env!("CARGO"));
        write_script(
            &shellbin.join("cargo"),
            &format!("echo 'cargo: from the dev shell' >&2\nexec '{}' \"$@\"", cargo.display()),
        );
        std::fs::copy(fixtures().join("runner.sh"), flake.join("runner.sh")).unwrap();
        let krate = flake.join("crate");
        std::fs::create_dir_all(krate.join("src")).unwrap();
        for f in ["Cargo.toml", "src/main.rs"] {
            std::fs::copy(fixtures().join("crate").join(f), krate.join(f)).unwrap();
        }
        let (cache, target) = (root.join("cache"), root.join("target"));
        let fx = Fixture { flake, krate, cache, target, wrapper_dir, shellbin, log, tmp };
        fx.write_flake(marker, &fx.shellbin, cargo.parent().unwrap());
        fx
    }

    fn write_flake(&self, marker: &str, shellbin: &Path, toolbin: &Path) {
        let text = std::fs::read_to_string(fixtures().join("flake.nix.in")).unwrap();
        let text = text
            .replace("@SYSTEM@", &system())
            .replace("@SHELLBIN@", &shellbin.display().to_string())
            .replace("@TOOLBIN@", &toolbin.display().to_string())
            .replace("@MARKER@", marker);
        std::fs::write(self.flake.join("flake.nix"), text).unwrap();
    }

    /// Rewrites flake.nix with another marker value (a change the cache key covers).
    pub fn set_marker(&self, marker: &str) {
        let path = self.flake.join("flake.nix");
        let text = std::fs::read_to_string(&path).unwrap();
        let start = text.find("CROSSFLAKE_FIXTURE_MARKER = \"").unwrap() + "CROSSFLAKE_FIXTURE_MARKER = \"".len();
        let end = start + text[start..].find('"').unwrap();
        std::fs::write(&path, format!("{}{marker}{}", &text[..start], &text[end..])).unwrap();
    }

    /// crossflake in the fixture crate, with the logging nix first on PATH.
    pub fn command(&self, args: &[&str]) -> Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.wrapper_dir.clone()];
        dirs.extend(std::env::split_paths(&path));
        let mut c = crate::common::command();
        c.args(args)
            .current_dir(&self.krate)
            .env("PATH", std::env::join_paths(dirs).unwrap())
            .env("NIX_CONFIG", NIX_CONFIG)
            .env("CROSSFLAKE_CACHE_DIR", &self.cache)
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("CROSSFLAKE_NIX_REFRESH")
            .env_remove("CROSSFLAKE_NIX_TIMEOUT")
            .env_remove("RUSTC");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output_bounded().expect("crossflake runs")
    }

    /// Runs and asserts success, returning stdout + stderr.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "crossflake {args:?} failed:\n{}", text(&o));
        text(&o)
    }

    /// The nix commands run so far (one line each, arguments joined).
    pub fn nix_calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log).unwrap_or_default().lines().map(String::from).collect()
    }

    /// The cache's entry files.
    pub fn entries(&self) -> Vec<PathBuf> {
        let dir = self.cache.join("nix");
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        v.sort();
        v
    }
}

pub fn text(o: &Output) -> String {
    format!("--- stdout\n{}\n--- stderr\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}
