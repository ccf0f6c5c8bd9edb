//! crossflake: cross-compile and QEMU-test Rust crates. The folders are the
//! pipeline, lowest layer first; a module imports only from the layers above
//! it in this list (tests/launcher/structure.rs holds the order):
//!
//! - `support`: small helpers with one job each (paths, files, hex, versions, Mach-O reading)
//! - `exit`: the exit codes; `failure`: the one error type, which carries its code and next step
//! - `targets`: the target data (targets/*.toml, boards, custom JSON)
//! - `request`: what the user asked cargo to do, as data; `step`: a program, args, env, cwd
//! - `exec`: the only code that starts processes
//! - `plan`: pure planning: a request and a resolved environment become steps
//! - `events`: what happens, as values (the reporter renders them)
//! - `resolve`: what this machine and the crate offer (tools, toolchains, cargo config, open triples)
//! - `backend`: the host's cross tools or the flake's dev shell, and doctor
//! - `run`: running plans and programs (the runner, test binaries, kernels, coverage, hints)
//! - `ship`: matrix, CI plans, repro, dist and the artifacts they check
//! - `report`: the only printer (human, JSON, JUnit, step summaries)
//! - `cli`: the command line (the only code that knows clap) and one file per command
pub mod backend;
pub mod cli;
pub mod events;
pub mod exec;
pub mod exit;
pub mod failure;
pub mod plan;
pub mod report;
pub mod request;
pub mod resolve;
pub mod run;
pub mod ship;
pub mod step;
pub mod support;
pub mod targets;
