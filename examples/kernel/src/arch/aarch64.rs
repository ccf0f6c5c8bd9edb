//! aarch64 on QEMU `virt -cpu cortex-a53`: QEMU's `-kernel` loads the ELF at
//! its link address (0x40080000) and enters it at EL1 with the MMU off. The
//! kernel prints through the PL011 UART at 0x0900_0000 and exits through
//! semihosting SYS_EXIT (needs `-semihosting-config enable=on,target=native`).

use core::arch::{asm, global_asm};
use core::ptr;

/// What this layer expects to run on.
pub const MACHINE: &str = "aarch64 QEMU virt (cortex-a53), EL1";

const UART_BASE: usize = 0x0900_0000;
const UART_DR: usize = 0x00; // data register
const UART_FR: usize = 0x18; // flag register
const FR_TXFF: u32 = 1 << 5; // transmit FIFO full

const SYS_EXIT: u64 = 0x18;
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x20026;

// Secondary cores (if any, e.g. with -smp) park; core 0 enables FP/SIMD
// (the target uses NEON), installs the vector table, sets the stack and
// zeroes .bss.
global_asm!(
    ".section .text.entry, \"ax\"",
    ".globl _start",
    "_start:",
    "    mrs x1, mpidr_el1",
    "    and x1, x1, #0xff",
    "    cbnz x1, 3f",
    "    mov x1, #(3 << 20)",
    "    msr cpacr_el1, x1",
    "    adr x1, __kernel_vectors",
    "    msr vbar_el1, x1",
    "    isb",
    "    adrp x1, __stack_top",
    "    add x1, x1, :lo12:__stack_top",
    "    mov sp, x1",
    "    adrp x1, __bss_start",
    "    add x1, x1, :lo12:__bss_start",
    "    adrp x2, __bss_end",
    "    add x2, x2, :lo12:__bss_end",
    "1:  cmp x1, x2",
    "    b.hs 2f",
    "    str xzr, [x1], #8",
    "    b 1b",
    "2:  bl {start}",
    "3:  wfe",
    "    b 3b",
    "",
    // 16 vectors of 128 bytes each; x0 = vector index for the report.
    ".section .text.vectors, \"ax\"",
    ".balign 2048",
    "__kernel_vectors:",
    ".set vector_index, 0",
    ".rept 16",
    "    .balign 128",
    "    mov x0, #vector_index",
    "    b __kernel_trap",
    "    .set vector_index, vector_index + 1",
    ".endr",
    "__kernel_trap:",
    "    adrp x1, __stack_top",
    "    add x1, x1, :lo12:__stack_top",
    "    mov sp, x1",
    "    mrs x1, esr_el1",
    "    mrs x2, elr_el1",
    "    mrs x3, far_el1",
    "    bl {report}",
    start = sym crate::rust_start,
    report = sym trap_report,
);

extern "C" fn trap_report(vector: u64, esr: u64, elr: u64, far: u64) -> ! {
    crate::console::emergency_print(format_args!(
        "unexpected exception: vector={vector} esr={esr:#x} elr={elr:#x} far={far:#x}\n"
    ));
    exit(super::TRAP_EXIT_CODE)
}

/// Writes one byte to the UART (QEMU's PL011 needs no initialisation).
pub fn putc(byte: u8) {
    let base = UART_BASE as *mut u8;
    // SAFETY: the QEMU virt PL011 is mapped at UART_BASE (MMU off).
    unsafe {
        while ptr::read_volatile(base.add(UART_FR).cast::<u32>()) & FR_TXFF != 0 {
            core::hint::spin_loop();
        }
        ptr::write_volatile(base.add(UART_DR).cast::<u32>(), u32::from(byte));
    }
}

/// Ends QEMU with `code` through semihosting SYS_EXIT (AArch64 form: x1
/// points at the {reason, subcode} block, and QEMU exits with subcode).
pub fn exit(code: u32) -> ! {
    let block: [u64; 2] = [ADP_STOPPED_APPLICATION_EXIT, u64::from(code)];
    // SAFETY: semihosting call; QEMU reads the block and terminates.
    unsafe {
        asm!(
            "hlt #0xf000",
            inout("x0") SYS_EXIT => _,
            in("x1") block.as_ptr(),
            options(nostack, readonly),
        );
    }
    idle()
}

/// Parks the core forever (interrupts are masked and none is configured, so
/// `wfi` sleeps; QEMU treats `wfe` as a busy yield).
pub fn idle() -> ! {
    loop {
        // SAFETY: wfi has no side effects besides waiting.
        unsafe { asm!("wfi", options(nomem, nostack)) };
    }
}
