//! Shipping: the matrix over many targets, reproducibility checks, release
//! artifacts and what is checked in them (glibc needs, Mach-O slices).
pub mod artifacts;
pub mod ci_plan;
pub mod dist;
pub mod glibc;
pub mod macho;
pub mod matrix;
pub mod repro;
