//! Fixed-output store paths computed without Nix: where
//! `nix-store --add-fixed sha256 FILE` puts a file (flat, SHA-256), and the
//! SHA-256 of a stream as it is read.
use anyhow::{anyhow, Result};
use nix_derivation::{CAHash, NixHash, StoreDir};
use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// The store directory Nix uses: `NIX_STORE_DIR`, else `NIX_STORE` (as Nix
/// itself reads them), else `/nix/store`.
pub fn store_dir() -> String {
    ["NIX_STORE_DIR", "NIX_STORE"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|d| !d.is_empty())
        .unwrap_or_else(|| "/nix/store".to_string())
}

/// The path of a flat SHA-256 fixed-output file: the SHA-256 of
/// `output:out:sha256:<sha256 of "fixed:out:sha256:<hex>:">:<store dir>:<name>`,
/// folded to 20 bytes, in Nix's base32.
pub fn fixed_path(store_dir: &str, name: &str, sha256: &[u8; 32]) -> Result<String> {
    let dir = StoreDir::new(store_dir)
        .map_err(|e| anyhow!("the store directory {store_dir:?} is not usable ({e}); fix NIX_STORE_DIR"))?;
    let path = dir
        .build_ca_path(name, &CAHash::Flat(NixHash::Sha256(*sha256)), [], false)
        .map_err(|e| anyhow!("{name:?} cannot name a store path ({e}); rename the file to MacOSX<ver>.sdk.tar.xz"))?;
    Ok(dir.render_path(&path))
}

/// Lowercase hex, as `nix hash file --base16` prints it.
pub fn hex(sha256: &[u8; 32]) -> String {
    crate::support::hex::hex(sha256)
}

/// `sha256-<base64>`, as `nix hash file --sri` prints it.
pub fn sri(sha256: &[u8; 32]) -> String {
    NixHash::Sha256(*sha256).to_sri_string()
}

/// A reader that hashes every byte read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader { inner, hasher: Sha256::new() }
    }

    /// Reads what is left, then returns the SHA-256 of all the bytes.
    pub fn finish(mut self) -> io::Result<[u8; 32]> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.hasher.finalize().into())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
