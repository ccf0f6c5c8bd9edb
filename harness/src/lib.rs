//! crossflake-harness: a per-test harness for bare-metal test kernels.
//!
//! A test kernel declares its tests with [`tests!`], and its `main` hands
//! them to [`run`] with the kernel command line. What `run` does depends on
//! one word of that command line (QEMU's `-append`), the protocol crossflake's
//! runner speaks (v1, documented in `docs/kernel-tests.md`):
//!
//! - `crossflake-harness=list`: print the tests, exit 0;
//! - `crossflake-harness=run:<name>`: run that one test, print its result
//!   line, exit 0 (ok), 1 (failed), 101 (panicked) or 102 (trap);
//! - no such word (a plain boot): run every test that is not ignored, print
//!   libtest-style lines and a `test result:` summary, exit 0 or 1.
//!
//! The kernel keeps its `#[panic_handler]` and its trap vector; they call
//! [`handle_panic`] and [`handle_trap`], which turn a panic or an exception
//! into the right verdict. Console and exit device come from a [`Platform`]:
//! the kernel's own, or the QEMU glue in [`qemu`] (cargo features
//! `qemu-virt-riscv64`, `qemu-virt-riscv32`, `qemu-virt-aarch64`,
//! `qemu-cortex-m`).
//!
//! ```rust,ignore
//! use crossflake_harness::{qemu::VirtRiscv64, tests, Test};
//!
//! static TESTS: &[Test] = tests![adds, #[should_panic(expected = "boom")] panics, #[ignore] slow];
//!
//! fn kernel_main(dtb: usize) -> ! {
//!     // SAFETY: OpenSBI passed the DTB address in a1.
//!     let cmdline = unsafe { crossflake_harness::cmdline_from_dtb(dtb) };
//!     crossflake_harness::run::<VirtRiscv64>(TESTS, cmdline)
//! }
//!
//! #[panic_handler]
//! fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
//!     crossflake_harness::handle_panic::<VirtRiscv64>(info)
//! }
//! ```

#![no_std]

mod cmdline;
mod fdt;
mod matcher;
mod panic;
mod platform;
mod protocol;
pub mod qemu;
mod run;
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
mod semihosting;
mod state;
mod test;

pub use cmdline::cmdline_from_dtb;
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
pub use cmdline::cmdline_from_semihosting;
pub use panic::{handle_panic, handle_trap};
pub use platform::Platform;
pub use protocol::{EXIT_FAILED, EXIT_OK, EXIT_PANICKED, EXIT_TRAP, EXIT_USAGE, MARKER};
pub use run::run;
pub use test::{ShouldPanic, Test, TestOutcome};
