//! Per-architecture layer, selected on `target_arch` so the builtin targets
//! and custom target JSONs with the same arch share it.
//!
//! Each architecture module provides the entry code (`_start`, which sets up
//! the stack, zeroes .bss and calls [`crate::rust_start`]), a trap handler
//! that reports unexpected exceptions, and these items:
//!
//! - `MACHINE`: a short description of the machine it expects;
//! - `putc(u8)`: blocking write of one byte to the UART;
//! - `exit(u32) -> !`: end the emulator with an exit status;
//! - `idle() -> !`: park the CPU forever.

#[cfg(not(target_os = "none"))]
compile_error!(
    "the sample kernel is bare-metal: build it with --target riscv64gc-unknown-none-elf, \
     --target aarch64-unknown-none or a custom riscv64 target JSON"
);

#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "riscv64")]
pub use riscv64::{MACHINE, exit, idle, putc};

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "aarch64")]
pub use aarch64::{MACHINE, exit, idle, putc};

#[cfg(not(any(target_arch = "riscv64", target_arch = "aarch64")))]
compile_error!("the sample kernel supports only target_arch riscv64 and aarch64");

/// Exit status used when the CPU takes an exception the kernel does not handle.
pub const TRAP_EXIT_CODE: u32 = 102;
