//! crossflake: cross-compile and QEMU-test Rust crates. The library holds the
//! planner and runner so tests can drive them without spawning anything.
pub mod app;
pub mod artifacts;
pub mod cli;
pub mod doctor;
pub mod exec;
pub mod exit;
pub mod hints;
pub mod host;
pub mod hostenv;
pub mod matrix;
pub mod nix;
pub mod paths;
pub mod plan;
pub mod progress;
pub mod report;
pub mod repro;
pub mod runner;
pub mod sdk;
pub mod ship;
pub mod targets;
pub mod toolchain;
pub mod wine;
