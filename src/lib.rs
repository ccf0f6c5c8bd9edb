//! crossflake: cross-compile and QEMU-test Rust crates. The library holds the
//! layers (lowest first: exit, targets, request, options; hostenv, toolchain,
//! cargo_config; plan, cargo_cmd, host, nix, runner; exec; events, report;
//! pipeline; app) so tests can drive the planners without spawning anything.
pub mod app;
pub mod args;
pub mod artifacts;
pub mod binfmt;
pub mod cargo_cmd;
pub mod cargo_config;
pub mod cli;
pub mod doctor;
pub mod environment;
pub mod events;
pub mod exec;
pub mod exit;
pub mod hints;
pub mod host;
pub mod hostenv;
pub mod kernel_tests;
pub mod matrix;
pub mod metadata;
pub mod nix;
pub mod options;
pub mod paths;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod report;
pub mod repro;
pub mod request;
pub mod runner;
pub mod sdk;
pub mod ship;
pub mod targets;
pub mod toolchain;
pub mod verdict;
pub mod wasi;
pub mod wine;
