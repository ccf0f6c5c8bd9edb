//! riscv64 on QEMU `virt` behind OpenSBI (`-bios default`): the kernel runs in
//! S-mode at 0x80200000, prints through the NS16550 UART at 0x1000_0000 and
//! exits through the SiFive test device at 0x10_0000 (the harness's glue).
//! OpenSBI passes the DTB address in a1, which holds the command line.

use core::arch::global_asm;

/// What this layer expects to run on.
pub const MACHINE: &str = "riscv64 QEMU virt, S-mode under OpenSBI";

/// UART and exit device.
pub type Glue = crossflake_harness::qemu::VirtRiscv64;

// OpenSBI enters with a0 = hart id, a1 = DTB address; only the boot hart
// reaches the kernel, the others stay parked in the firmware. rust_start
// gets the DTB address (a1 is untouched until the call).
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
    "2:  mv a0, a1",
    "    call {start}",
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
    crossflake_harness::handle_trap::<Glue>(format_args!(
        "unexpected trap: scause={cause:#x} sepc={epc:#x} stval={tval:#x}"
    ))
}

/// The command line from the DTB OpenSBI passed (`boot_arg` = a1).
pub fn read_cmdline(boot_arg: usize) -> Option<&'static str> {
    // SAFETY: boot_arg is a1 at entry, the DTB OpenSBI placed near the top
    // of RAM, which the kernel (image, stack, heap from 0x80200000) never
    // writes.
    unsafe { Glue::cmdline(boot_arg) }
}
