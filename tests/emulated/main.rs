//! Real builds and real emulators (QEMU user and system, wine, Node's WASI):
//! the samples on every target, cargo pass-through, kernels and their
//! verdicts, microcontrollers, test binaries side by side, coverage, glibc
//! floors, macOS and MSVC builds, and the shipping commands. Cross builds share one target dir (common::shared_target_dir).
#[path = "../common/mod.rs"]
mod common;

mod coverage;
mod glibc;
mod host_setup;
mod kernel;
mod macho;
mod macos;
mod mcu;
mod msvc;
mod open_world;
mod parallel;
mod passthrough;
mod samples;
mod shards;
mod ship;
mod verdicts;
