//! The dev-environment cache: where it lives, the key rule, and entries that
//! carry a checksum and a GC root.
//!
//! Key rule: for a flake on this machine, the contents of `flake.nix`,
//! `flake.lock`, `rust-toolchain.toml`, `rust-toolchain` and every file under
//! `nix/` and `targets/` beside flake.nix (absent ones count as absent); for a
//! remote flake, the reference text. Also the flake's location, the shell's
//! attribute (which holds the Nix system), `--store`, `--option`s, and the nix
//! binary (path, size, mtime: an upgrade invalidates). One entry file per slot
//! (flake + attribute + system + store) holds the key it was made for.
use super::flake::Flake;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped when an entry's meaning changes; older entries are ignored.
pub const FORMAT: u32 = 1;
/// Files beside flake.nix that the key covers.
pub const KEY_FILES: &[&str] = &["flake.nix", "flake.lock", "rust-toolchain.toml", "rust-toolchain"];
/// Directories beside flake.nix whose every file the key covers.
pub const KEY_DIRS: &[&str] = &["nix", "targets"];

pub use crate::support::paths::cache_root;

/// What identifies one cached dev shell.
#[derive(Debug, Clone)]
pub struct KeyInputs<'a> {
    pub flake: &'a Flake,
    pub attr: &'a str,
    pub store: Option<&'a str>,
    pub options: &'a [String],
    /// `path|size|mtime` of the nix binary.
    pub nix_identity: &'a str,
}

/// The entry's file name (slot) and the full key its content must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub slot: String,
    pub key: String,
}

pub fn key(k: &KeyInputs) -> Result<Key> {
    let location = k.flake.dir.as_ref().map_or(k.flake.reference.clone(), |d| d.display().to_string());
    let mut slot = Sha256::new();
    for part in [location.as_str(), k.attr, k.store.unwrap_or("")] {
        slot.update(part.as_bytes());
        slot.update([0]);
    }
    let slot = hex(&slot.finalize())[..24].to_string();
    let mut full = Sha256::new();
    full.update(format!("crossflake-dev-env {FORMAT}\0{slot}\0{}\0", k.nix_identity));
    for o in k.options {
        full.update(o.as_bytes());
        full.update([0]);
    }
    if let Some(dir) = &k.flake.dir {
        hash_flake_files(dir, &mut full)?;
    }
    Ok(Key { slot, key: hex(&full.finalize()) })
}

/// Feeds the key rule's files under `dir` into `h`, in a fixed order.
pub fn hash_flake_files(dir: &Path, h: &mut Sha256) -> Result<()> {
    for f in KEY_FILES {
        hash_path(dir, Path::new(f), h)?;
    }
    for d in KEY_DIRS {
        let mut files = Vec::new();
        walk(&dir.join(d), Path::new(d), &mut files)?;
        if files.is_empty() {
            h.update(format!("absent-dir\0{d}\0"));
        }
        files.sort();
        for f in files {
            hash_path(dir, &f, h)?;
        }
    }
    Ok(())
}

fn walk(abs: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(abs) else { return Ok(()) };
    for e in entries {
        let e = e.with_context(|| format!("cannot list {}", abs.display()))?;
        let (a, r) = (e.path(), rel.join(e.file_name()));
        if e.file_type()?.is_dir() {
            walk(&a, &r, out)?;
        } else {
            out.push(r);
        }
    }
    Ok(())
}

fn hash_path(dir: &Path, rel: &Path, h: &mut Sha256) -> Result<()> {
    let abs = dir.join(rel);
    let name = rel.display().to_string();
    match std::fs::symlink_metadata(&abs) {
        Err(_) => h.update(format!("absent\0{name}\0")),
        Ok(m) if m.file_type().is_symlink() => {
            h.update(format!("link\0{name}\0{}\0", std::fs::read_link(&abs)?.display()));
        }
        Ok(_) => {
            let bytes = std::fs::read(&abs).with_context(|| format!("cannot read {}", abs.display()))?;
            h.update(format!("file\0{name}\0{}\0", bytes.len()));
            h.update(&bytes);
        }
    }
    Ok(())
}

/// `path|size|mtime` of a program: changes when it is replaced or upgraded.
pub fn program_identity(program: &Path) -> String {
    let real = program.canonicalize().unwrap_or_else(|_| program.to_path_buf());
    let (size, mtime) = real
        .metadata()
        .map(|m| (m.len(), m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())))
        .unwrap_or((0, None));
    format!("{}|{size}|{}", real.display(), mtime.map_or(0, |d| d.as_nanos()))
}

pub use crate::support::hex::hex;

pub fn sha256_hex(text: &str) -> String {
    crate::support::hex::sha256_hex(text.as_bytes())
}

/// One cached answer about a dev shell.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub format: u32,
    pub key: String,
    pub flake: String,
    pub attr: String,
    /// Seconds since the epoch when the entry was written.
    pub created: u64,
    /// The shell's derivation, once `nix eval` found it (the shell exists).
    pub drv_path: Option<String>,
    /// Why the flake cannot serve the target: a cached negative answer.
    pub unusable: Option<String>,
    /// `nix print-dev-env --json`, verbatim, and its SHA-256.
    pub dev_env: Option<String>,
    pub dev_env_sha256: Option<String>,
    /// The profile (a GC root) that keeps the environment and its inputs in the store.
    pub root: Option<PathBuf>,
}

impl Entry {
    /// Whether the entry answers "yes, the shell exists".
    pub fn usable(&self) -> bool {
        self.unusable.is_none() && (self.drv_path.is_some() || self.dev_env.is_some())
    }
}
