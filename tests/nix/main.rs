//! The Nix backend against real Nix (Debian's nix-bin is enough) and fixture
//! flakes of plain derivations, and the flake's own .nix files.
#[path = "../common/mod.rs"]
mod common;
#[path = "../nix_support/mod.rs"]
mod nix_support;

mod backend;
mod errors;
mod files;
