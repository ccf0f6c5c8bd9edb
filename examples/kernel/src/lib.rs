//! crossflake's bare-metal sample kernel: one code base for riscv64 (QEMU
//! `virt` + OpenSBI) and aarch64 (QEMU `virt`, cortex-a53), with a UART
//! console, a bump allocator, a panic handler that exits non-zero, and a
//! tiny test harness for `harness = false` test kernels.
//!
//! A kernel binary (src/main.rs or a file under tests/) is `no_std` +
//! `no_main` and names its entry function with [`entry!`].

#![no_std]

extern crate alloc;

pub mod arch;
pub mod console;
pub mod heap;
mod panic;
pub mod testing;

/// Exit status of a kernel that panicked outside an expected-panic test.
pub const PANIC_EXIT_CODE: u32 = 101;

/// Declares the kernel's main function, `fn() -> !`, called after boot.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(export_name = "__kernel_main")]
        extern "Rust" fn __kernel_main() -> ! {
            let main: fn() -> ! = $main;
            main()
        }
    };
}

unsafe extern "Rust" {
    /// Defined by the binary through [`entry!`].
    fn __kernel_main() -> !;
}

/// Called by the arch entry code once the stack is set and .bss is zeroed.
extern "C" fn rust_start() -> ! {
    heap::init();
    // SAFETY: every kernel binary defines it with entry!; a missing entry!
    // is a link error, not undefined behaviour.
    unsafe { __kernel_main() }
}

/// Ends the emulator with `code` (clamped to 255 so a shell sees the same
/// value: a status of 256 would read as success).
pub fn exit(code: u32) -> ! {
    arch::exit(code.min(255))
}
