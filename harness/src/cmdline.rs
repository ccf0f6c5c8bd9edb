//! The kernel command line (QEMU's `-append`): from a device tree's
//! `/chosen/bootargs`, or on aarch64 and Cortex-M from semihosting
//! SYS_GET_CMDLINE.

use crate::fdt;

/// `/chosen/bootargs` of the device tree blob at address `dtb`: on QEMU
/// virt, the `-append` string. `None` if `dtb` is 0 or not 4-byte aligned,
/// holds no valid DTB header, or the tree has no (UTF-8) bootargs.
///
/// Where the DTB is: riscv64 virt under OpenSBI, and riscv32 virt with
/// `-bios none`, pass its address in `a1` at kernel entry; aarch64 virt puts it at the base of RAM (0x4000_0000)
/// only if the ELF `-kernel` is linked high enough for the 1 MiB blob to
/// fit below it (at or above 0x4020_0000).
///
/// # Safety
///
/// `dtb` must be 0 or the address of memory that is readable (identity
/// mapped or MMU off) for 40 bytes and, if those hold a DTB header, for the
/// header's `totalsize`; that memory must not change afterwards (the result
/// borrows it for `'static`: keep stack, heap and data away from the DTB).
pub unsafe fn cmdline_from_dtb(dtb: usize) -> Option<&'static str> {
    if dtb == 0 || dtb % 4 != 0 {
        return None;
    }
    // SAFETY: readable for the header's length (the caller's promise).
    let header = unsafe { core::slice::from_raw_parts(dtb as *const u8, fdt::HEADER_LEN) };
    let size = fdt::total_size(header)?;
    // SAFETY: a valid header: readable for totalsize (the caller's promise).
    let blob = unsafe { core::slice::from_raw_parts(dtb as *const u8, size) };
    core::str::from_utf8(fdt::bootargs(blob)?).ok()
}

/// The command line from semihosting SYS_GET_CMDLINE (0x15), written into
/// `buf`. QEMU answers `<kernel path> <-append string>` when semihosting is
/// on (`-semihosting-config enable=on,target=native`, which crossflake's
/// aarch64 and Cortex-M targets pass). `None` if the call fails (e.g. `buf`
/// is too small: 1 KiB is plenty for the harness, and its own request needs
/// no more than the kernel path and one word) or the text is not UTF-8.
///
/// On 32-bit Arm this is M-profile (Cortex-M, `bkpt #0xab`) semihosting.
/// Without semihosting the instruction it executes is an exception (aarch64
/// `hlt #0xf000`: undefined instruction; Cortex-M `bkpt`: a HardFault): the
/// kernel's exception vector runs.
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
pub fn cmdline_from_semihosting(buf: &mut [u8]) -> Option<&str> {
    let len = crate::semihosting::get_cmdline(buf)?;
    core::str::from_utf8(&buf[..len]).ok()
}
