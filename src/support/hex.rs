//! Lowercase hex and SHA-256 digests, as `sha256sum` and `nix hash --base16` print them.
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The first `n` bytes of the SHA-256 of `bytes`, in hex (names made from contents).
pub fn short_digest(bytes: &[u8], n: usize) -> String {
    hex(&Sha256::digest(bytes)[..n])
}

/// The SHA-256 of a file's contents, in hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = std::io::Read::read(&mut f, &mut buf).with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            return Ok(hex(&h.finalize()));
        }
        h.update(&buf[..n]);
    }
}
