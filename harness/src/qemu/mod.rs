//! Ready-made [`Platform`](crate::Platform) glue for QEMU machines, one type
//! per architecture, each behind its cargo feature and present only when
//! building for that architecture (a kernel for several may enable several):
//!
//! | feature | type | console | exit |
//! |---|---|---|---|
//! | `qemu-virt-riscv64` | `VirtRiscv64` | NS16550 UART at 0x1000_0000 | SiFive test device at 0x10_0000 |
//! | `qemu-virt-riscv32` | `VirtRiscv32` | NS16550 UART at 0x1000_0000 | SiFive test device at 0x10_0000 |
//! | `qemu-virt-aarch64` | `VirtAarch64` | PL011 UART at 0x0900_0000 | semihosting `SYS_EXIT` |
//! | `qemu-cortex-m` | `CortexM` | semihosting `SYS_WRITE` to `:tt` | semihosting `SYS_EXIT_EXTENDED` |
//!
//! All expect the MMU off (or these devices identity-mapped) and clamp
//! exit codes to 255, so that a shell sees the same status.

#[cfg(any(
    all(feature = "qemu-virt-riscv64", target_arch = "riscv64"),
    all(feature = "qemu-virt-riscv32", target_arch = "riscv32")
))]
mod riscv;
#[cfg(all(feature = "qemu-virt-riscv32", target_arch = "riscv32"))]
pub use riscv::VirtRiscv32;
#[cfg(all(feature = "qemu-virt-riscv64", target_arch = "riscv64"))]
pub use riscv::VirtRiscv64;

#[cfg(all(feature = "qemu-virt-aarch64", target_arch = "aarch64"))]
mod aarch64;
#[cfg(all(feature = "qemu-virt-aarch64", target_arch = "aarch64"))]
pub use aarch64::VirtAarch64;

#[cfg(all(feature = "qemu-cortex-m", target_arch = "arm"))]
mod cortex_m;
#[cfg(all(feature = "qemu-cortex-m", target_arch = "arm"))]
pub use cortex_m::CortexM;
