//! Boot code for a riscv64 kernel on QEMU `virt` (loaded by OpenSBI at
//! 0x80200000), shared by the kernel (src/main.rs) and its test kernels
//! (tests/): entry, trap and panic handlers, console and exit. Each binary
//! defines `kmain(hart_id, dtb)`, which `_start` calls.
#![no_std]

use core::panic::PanicInfo;

use crossflake_harness::Platform;

/// QEMU virt's 16550 UART and SiFive test device, from crossflake-harness.
pub type Machine = crossflake_harness::qemu::VirtRiscv64;

// OpenSBI enters with a0 = hart id, a1 = DTB address (kept for kmain).
core::arch::global_asm!(
    ".section .text.entry, \"ax\"",
    ".globl _start",
    "_start:",
    "    la sp, _stack_top",
    "    la t0, trap_entry",
    "    csrw stvec, t0",
    "    la t0, _bss_start",
    "    la t1, _bss_end",
    "1:  bgeu t0, t1, 2f",
    "    sd zero, 0(t0)",
    "    addi t0, t0, 8",
    "    j 1b",
    "2:  call kmain",
    "",
    ".balign 4",
    "trap_entry:",
    "    la sp, _stack_top",
    "    csrr a0, scause",
    "    csrr a1, sepc",
    "    call {trap}",
    trap = sym trap,
);

/// An exception the kernel does not handle: reported, exit 102.
extern "C" fn trap(cause: usize, pc: usize) -> ! {
    crossflake_harness::handle_trap::<Machine>(format_args!("trap: scause={cause:#x} sepc={pc:#x}"))
}

/// Prints to the UART.
pub fn print(s: &str) {
    Machine::write_str(s)
}

/// Exits QEMU with `code`.
pub fn exit(code: u32) -> ! {
    Machine::exit(code)
}

/// The kernel command line (`-append`), from the DTB OpenSBI passed in a1.
pub fn cmdline(dtb: usize) -> Option<&'static str> {
    // SAFETY: dtb is a1 at entry; the DTB lies near the top of RAM, which
    // this kernel never writes.
    unsafe { Machine::cmdline(dtb) }
}

/// Prints the panic; in a test kernel, the harness turns it into the
/// test's verdict. Otherwise it exits 101.
#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    crossflake_harness::handle_panic::<Machine>(info)
}
