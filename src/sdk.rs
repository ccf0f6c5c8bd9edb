//! `crossflake sdk`: macOS SDKs supplied by the user, checked and added to the
//! Nix store as fixed-output paths. (Being written: see issue 6.)
use crate::report::Reporter;
use anyhow::{bail, Result};
use std::path::Path;

/// `crossflake sdk add FILE`.
pub fn add(_file: &Path, _dry_run: bool, _reporter: &Reporter) -> Result<i32> {
    bail!("`crossflake sdk add` is not implemented yet")
}

/// `crossflake sdk list`.
pub fn list(_json: bool) -> Result<i32> {
    bail!("`crossflake sdk list` is not implemented yet")
}
