//! crossflake's microcontroller sample: one code base for Cortex-M (on
//! cortex-m-rt, output and exit through semihosting) and riscv32 (on
//! riscv-rt, QEMU virt's UART and SiFive test device), with
//! crossflake-harness for its test images (panics and faults become test
//! verdicts).
//!
//! A firmware image (src/main.rs or a file under tests/) is `no_std` +
//! `no_main` and names its main function, `fn() -> !`, with [`entry!`]; this
//! crate owns the runtime's entry point, the fault handler and the panic
//! handler, so every image gets them.

#![no_std]

#[cfg(not(all(target_os = "none", any(target_arch = "arm", target_arch = "riscv32"))))]
compile_error!(
    "the microcontroller sample is bare-metal Cortex-M or riscv32: build it with --target thumbv7m-none-eabi \
     (or another thumb triple) or riscv32imac-unknown-none-elf; `crossflake targets` lists them"
);

use core::fmt;

use crossflake_harness::Platform;

#[cfg(target_arch = "arm")]
mod cortex_m;
#[cfg(target_arch = "riscv32")]
mod riscv32;
pub mod testing;

#[cfg(target_arch = "arm")]
pub use cortex_m::{MACHINE, Machine};
#[cfg(target_arch = "riscv32")]
pub use riscv32::{MACHINE, Machine};

/// Declares the image's main function, `fn() -> !`, called once the runtime
/// has set up RAM (and, on Cortex-M with an FPU, enabled it).
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(export_name = "__mcu_main")]
        extern "Rust" fn __mcu_main() -> ! {
            let main: fn() -> ! = $main;
            main()
        }
    };
}

unsafe extern "Rust" {
    /// Defined by the image through [`entry!`].
    fn __mcu_main() -> !;
}

/// Called by the architecture's entry point.
fn start() -> ! {
    // SAFETY: every image defines it with entry!; a missing entry! is a
    // link error, not undefined behaviour.
    unsafe { __mcu_main() }
}

/// Prints to the console (Cortex-M: semihosting; riscv32: the UART).
pub fn print(s: &str) {
    Machine::write_str(s)
}

/// `print!`-style formatting to the console.
pub fn print_fmt(args: fmt::Arguments<'_>) {
    struct Console;
    impl fmt::Write for Console {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            print(s);
            Ok(())
        }
    }
    let _ = fmt::Write::write_fmt(&mut Console, args);
}

/// Prints a line to the console.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => { $crate::print_fmt(format_args!("{}\n", format_args!($($arg)*))) };
}

/// The command line (QEMU's `-append`; on Cortex-M semihosting puts the
/// image's path first), read into `buf`; `None` if the machine gave none.
pub fn cmdline(buf: &mut [u8]) -> Option<&str> {
    #[cfg(target_arch = "arm")]
    return Machine::cmdline(buf);
    #[cfg(target_arch = "riscv32")]
    return riscv32::cmdline(buf);
}

/// Ends QEMU with exit status `code` (clamped to 255).
pub fn exit(code: u32) -> ! {
    Machine::exit(code)
}

/// Prints the panic as Rust does; in a test image the harness turns it into
/// the test's verdict, elsewhere it exits 101.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    crossflake_harness::handle_panic::<Machine>(info)
}
