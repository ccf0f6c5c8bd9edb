//! riscv32 on riscv-rt, QEMU virt with `-bios none` (M-mode from
//! 0x8000_0000): the entry keeps the DTB address QEMU passes in `a1` (the
//! command line is its `/chosen/bootargs`), and the exception handler
//! reports faults. Console and exit: crossflake-harness's `VirtRiscv32`
//! glue (NS16550 UART, SiFive test device).

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The console and exit device: QEMU virt's UART and SiFive test device.
pub type Machine = crossflake_harness::qemu::VirtRiscv32;

/// What the image runs on, for its banner.
pub const MACHINE: &str = "riscv32 QEMU virt (M-mode)";

/// The DTB address from `a1` at entry (0: none).
static DTB: AtomicUsize = AtomicUsize::new(0);

#[riscv_rt::entry]
fn reset(_hart_id: usize, dtb: usize) -> ! {
    DTB.store(dtb, Relaxed);
    crate::start()
}

/// The command line: `/chosen/bootargs` of QEMU's DTB (`buf` is not needed).
pub fn cmdline(_buf: &mut [u8]) -> Option<&'static str> {
    // SAFETY: the address QEMU passed in a1; the DTB sits near the top of
    // RAM, above the 16 MiB memory.x gives the firmware.
    unsafe { Machine::cmdline(DTB.load(Relaxed)) }
}

/// An exception the firmware does not handle (an illegal instruction, an
/// access fault): reported, exit 102.
#[unsafe(export_name = "ExceptionHandler")]
fn exception(_frame: &riscv_rt::TrapFrame) -> ! {
    let (cause, pc): (usize, usize);
    // SAFETY: reading M-mode CSRs in M-mode.
    unsafe { asm!("csrr {0}, mcause", "csrr {1}, mepc", out(reg) cause, out(reg) pc, options(nomem, nostack)) };
    crossflake_harness::handle_trap::<Machine>(format_args!("exception: mcause={cause:#x} mepc={pc:#010x}"))
}
