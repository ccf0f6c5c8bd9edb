//! What this machine and the crate offer, resolved into values: the machine
//! (tools on PATH, toolchains), the toolchain for a target, the user's cargo
//! configuration (read once per target, with the target's cfg asked of rustc
//! when a `cfg(..)` table needs it), and the crate's own settings.
pub mod cargo_config;
pub mod crate_meta;
pub mod machine;
pub mod open_world;
pub mod toolchain;
pub mod user;
