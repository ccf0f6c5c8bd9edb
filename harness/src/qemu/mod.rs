//! Ready-made [`Platform`](crate::Platform) glue for QEMU's `virt` machine,
//! one type per architecture, each behind its cargo feature and present only
//! when building for that architecture (a kernel for both may enable both):
//!
//! | feature | type | console | exit |
//! |---|---|---|---|
//! | `qemu-virt-riscv64` | `VirtRiscv64` | NS16550 UART at 0x1000_0000 | SiFive test device at 0x10_0000 |
//! | `qemu-virt-aarch64` | `VirtAarch64` | PL011 UART at 0x0900_0000 | semihosting SYS_EXIT |
//!
//! Both expect the MMU off (or these devices identity-mapped) and clamp
//! exit codes to 255, so that a shell sees the same status.

#[cfg(all(feature = "qemu-virt-riscv64", target_arch = "riscv64"))]
mod riscv64;
#[cfg(all(feature = "qemu-virt-riscv64", target_arch = "riscv64"))]
pub use riscv64::VirtRiscv64;

#[cfg(all(feature = "qemu-virt-aarch64", target_arch = "aarch64"))]
mod aarch64;
#[cfg(all(feature = "qemu-virt-aarch64", target_arch = "aarch64"))]
pub use aarch64::VirtAarch64;
