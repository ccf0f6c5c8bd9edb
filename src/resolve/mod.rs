//! What this machine and the crate offer, resolved into values: the machine
//! (tools on PATH, toolchains), the toolchain for a target, the user's cargo
//! configuration, the crate's own settings, and the doctor's diagnosis.
pub mod cargo_config;
pub mod crate_meta;
pub mod doctor;
pub mod machine;
pub mod toolchain;
