//! Per-architecture layer, selected on `target_arch` so the builtin targets
//! and custom target JSONs with the same arch share it.
//!
//! Each architecture module provides the entry code (`_start`, which sets up
//! the stack, zeroes .bss and calls [`crate::rust_start`] with its boot
//! argument), a trap handler that reports unexpected exceptions through
//! [`crossflake_harness::handle_trap`] (exit 102), and these items:
//!
//! - `MACHINE`: a short description of the machine it expects;
//! - `Glue`: the [`crossflake_harness::Platform`] of that QEMU machine
//!   (UART and exit device), which the items below forward to;
//! - `putc(u8)`: blocking write of one byte to the UART;
//! - `exit(u32) -> !`: end the emulator with an exit status;
//! - `idle() -> !`: park the CPU forever;
//! - `read_cmdline(boot_arg)`: the kernel command line (QEMU's `-append`).

#[cfg(not(target_os = "none"))]
compile_error!(
    "the sample kernel is bare-metal: build it with --target riscv64gc-unknown-none-elf, \
     --target aarch64-unknown-none(-softfloat) or a custom riscv64 target JSON"
);

#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "riscv64")]
pub use riscv64::{Glue, MACHINE, read_cmdline};

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "aarch64")]
pub use aarch64::{Glue, MACHINE, read_cmdline};

#[cfg(not(any(target_arch = "riscv64", target_arch = "aarch64")))]
compile_error!("the sample kernel supports only target_arch riscv64 and aarch64");

use crossflake_harness::Platform;

/// Writes one byte to the UART.
pub fn putc(byte: u8) {
    Glue::putc(byte)
}

/// Ends the emulator with exit status `code` (clamped to 255).
pub fn exit(code: u32) -> ! {
    Glue::exit(code)
}

/// Parks the CPU forever.
pub fn idle() -> ! {
    Glue::idle()
}
