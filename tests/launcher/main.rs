//! The launcher without emulators: option parsing, planning, the registry,
//! cargo's configuration, the Nix backend's pure parts,
//! SDK checks, the module structure, and the command line's exit codes.
#[path = "../common/mod.rs"]
mod common;

mod binfmt;
mod cargo_config;
mod ci;
mod cli;
mod flags;
mod macho;
mod nix_pure;
mod plan;
mod sdk;
mod structure;
mod targets;
