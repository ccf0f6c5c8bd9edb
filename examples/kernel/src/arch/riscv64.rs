//! riscv64 on QEMU `virt` behind OpenSBI (`-bios default`): the kernel runs in
//! S-mode at 0x80200000, prints through the NS16550 UART at 0x1000_0000 and
//! exits through the SiFive test device at 0x10_0000.

use core::arch::{asm, global_asm};
use core::ptr;

/// What this layer expects to run on.
pub const MACHINE: &str = "riscv64 QEMU virt, S-mode under OpenSBI";

const UART_BASE: usize = 0x1000_0000;
const UART_THR: usize = 0; // transmit holding register
const UART_LSR: usize = 5; // line status register
const LSR_THR_EMPTY: u8 = 1 << 5;

const TEST_DEVICE: usize = 0x10_0000;
const TEST_PASS: u32 = 0x5555;
const TEST_FAIL: u32 = 0x3333;

// OpenSBI enters with a0 = hart id, a1 = DTB address; only the boot hart
// reaches the kernel, the others stay parked in the firmware.
global_asm!(
    ".section .text.entry, \"ax\"",
    ".globl _start",
    "_start:",
    "    la sp, __stack_top",
    "    la t0, __kernel_trap",
    "    csrw stvec, t0",
    // sstatus.FS = Initial: the hard-float ABI may use FP registers.
    "    li t0, 1 << 13",
    "    csrs sstatus, t0",
    "    la t0, __bss_start",
    "    la t1, __bss_end",
    "1:  bgeu t0, t1, 2f",
    "    sd zero, 0(t0)",
    "    addi t0, t0, 8",
    "    j 1b",
    "2:  call {start}",
    "3:  wfi",
    "    j 3b",
    "",
    ".section .text.trap, \"ax\"",
    ".balign 4",
    "__kernel_trap:",
    "    la sp, __stack_top",
    "    csrr a0, scause",
    "    csrr a1, sepc",
    "    csrr a2, stval",
    "    call {report}",
    start = sym crate::rust_start,
    report = sym trap_report,
);

extern "C" fn trap_report(cause: usize, epc: usize, tval: usize) -> ! {
    crate::console::emergency_print(format_args!("unexpected trap: scause={cause:#x} sepc={epc:#x} stval={tval:#x}\n"));
    exit(super::TRAP_EXIT_CODE)
}

/// Writes one byte to the UART (OpenSBI has already initialised it).
pub fn putc(byte: u8) {
    let base = UART_BASE as *mut u8;
    // SAFETY: the QEMU virt NS16550 is mapped at UART_BASE (MMU off).
    unsafe {
        while ptr::read_volatile(base.add(UART_LSR)) & LSR_THR_EMPTY == 0 {
            core::hint::spin_loop();
        }
        ptr::write_volatile(base.add(UART_THR), byte);
    }
}

/// Ends QEMU with `code` through the SiFive test device.
pub fn exit(code: u32) -> ! {
    let value = if code == 0 { TEST_PASS } else { (code << 16) | TEST_FAIL };
    // SAFETY: the test device is mapped at TEST_DEVICE on QEMU virt.
    unsafe { ptr::write_volatile(TEST_DEVICE as *mut u32, value) };
    idle()
}

/// Parks the hart forever (no interrupts are enabled, so `wfi` sleeps).
pub fn idle() -> ! {
    loop {
        // SAFETY: wfi has no side effects besides waiting.
        unsafe { asm!("wfi", options(nomem, nostack)) };
    }
}
