//! aarch64 on QEMU `virt -cpu cortex-a53`: QEMU's `-kernel` loads the ELF at
//! its link address (0x40200000, high enough that QEMU also puts the DTB at
//! the base of RAM) and enters it at EL1 with the MMU off. The kernel prints
//! through the PL011 UART at 0x0900_0000 and exits through semihosting
//! SYS_EXIT (the harness's glue; needs `-semihosting-config
//! enable=on,target=native`). Built for aarch64-unknown-none-softfloat it
//! leaves FP/SIMD disabled, so any FP instruction would trap.

use core::arch::global_asm;

/// What this layer expects to run on.
pub const MACHINE: &str = "aarch64 QEMU virt (cortex-a53), EL1";

/// UART and exit device.
pub type Glue = crossflake_harness::qemu::VirtAarch64;

/// CPACR_EL1 at boot: FPEN = 0b11 (no FP/SIMD traps) where the target uses
/// NEON; 0 (FP/SIMD traps) for the softfloat target, which must not use it.
const CPACR_EL1: u64 = if cfg!(target_feature = "neon") { 3 << 20 } else { 0 };

// Secondary cores (if any, e.g. with -smp) park; core 0 sets CPACR_EL1,
// installs the vector table, sets the stack and zeroes .bss.
global_asm!(
    ".section .text.entry, \"ax\"",
    ".globl _start",
    "_start:",
    "    mrs x1, mpidr_el1",
    "    and x1, x1, #0xff",
    "    cbnz x1, 3f",
    "    mov x1, #{cpacr}",
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
    // No boot argument: QEMU leaves x0 at 0 for an ELF kernel.
    "2:  mov x0, xzr",
    "    bl {start}",
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
    cpacr = const CPACR_EL1,
    start = sym crate::rust_start,
    report = sym trap_report,
);

extern "C" fn trap_report(vector: u64, esr: u64, elr: u64, far: u64) -> ! {
    crossflake_harness::handle_trap::<Glue>(format_args!(
        "unexpected exception: vector={vector} esr={esr:#x} elr={elr:#x} far={far:#x}"
    ))
}

/// The command line: semihosting SYS_GET_CMDLINE (`<kernel path> <-append>`),
/// else the DTB at the base of RAM. `boot_arg` is unused (0).
pub fn read_cmdline(_boot_arg: usize) -> Option<&'static str> {
    // Leaked once at boot: the answer lives as long as the kernel.
    let buf = alloc::vec![0u8; 1024].leak();
    Glue::cmdline(buf)
}
