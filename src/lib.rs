//! crossflake: cross-compile and QEMU-test Rust crates. The library holds the
//! planner and runner so tests can drive them without spawning anything.
pub mod app;
pub mod cli;
pub mod doctor;
pub mod exec;
pub mod exit;
pub mod host;
pub mod hostenv;
pub mod nix;
pub mod plan;
pub mod report;
pub mod runner;
pub mod sdk;
pub mod targets;
