//! crossflake's bare-metal sample kernel: one code base for riscv64 (QEMU
//! `virt` + OpenSBI) and aarch64 (QEMU `virt`, cortex-a53), with a UART
//! console, a bump allocator, the kernel command line, and crossflake-harness
//! for its test kernels (panics and traps become test verdicts).
//!
//! A kernel binary (src/main.rs or a file under tests/) is `no_std` +
//! `no_main` and names its entry function with [`entry!`].

#![no_std]

extern crate alloc;

use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::Relaxed};

pub mod arch;
pub mod console;
pub mod heap;
mod panic;
pub mod testing;

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

/// The command line read at boot (address and length; null if none).
static CMDLINE: (AtomicPtr<u8>, AtomicUsize) = (AtomicPtr::new(core::ptr::null_mut()), AtomicUsize::new(0));

/// Called by the arch entry code once the stack is set and .bss is zeroed,
/// with the architecture's boot argument (riscv64: the DTB address).
extern "C" fn rust_start(boot_arg: usize) -> ! {
    heap::init();
    if let Some(line) = arch::read_cmdline(boot_arg) {
        CMDLINE.0.store(line.as_ptr().cast_mut(), Relaxed);
        CMDLINE.1.store(line.len(), Relaxed);
    }
    // SAFETY: every kernel binary defines it with entry!; a missing entry!
    // is a link error, not undefined behaviour.
    unsafe { __kernel_main() }
}

/// The kernel command line (QEMU's `-append`; on aarch64 semihosting puts
/// the kernel path first), or `None` if the machine gave none.
pub fn cmdline() -> Option<&'static str> {
    let ptr = CMDLINE.0.load(Relaxed);
    // SAFETY: stored once in rust_start from a &'static str.
    (!ptr.is_null())
        .then(|| unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(ptr, CMDLINE.1.load(Relaxed))) })
}

/// Ends the emulator with `code` (clamped to 255 so a shell sees the same
/// value: a status of 256 would read as success).
pub fn exit(code: u32) -> ! {
    arch::exit(code)
}
