//! AArch64 semihosting (`hlt #0xf000`, operation in x0, parameter block in
//! x1): SYS_GET_CMDLINE for the command line and SYS_EXIT for the exit.

use core::arch::asm;

const SYS_GET_CMDLINE: u64 = 0x15;
const SYS_EXIT: u64 = 0x18;
/// SYS_EXIT reason that makes QEMU exit with the subcode as its status.
const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x20026;

/// SYS_GET_CMDLINE: fills `buf` with the NUL-terminated command line and
/// returns its length without the NUL; `None` if the host refused.
pub(crate) fn get_cmdline(buf: &mut [u8]) -> Option<usize> {
    // The parameter block: buffer address and size; on success the host
    // writes the string and replaces the size with its length.
    let mut block: [u64; 2] = [buf.as_mut_ptr() as u64, buf.len() as u64];
    let result: u64;
    // SAFETY: the host writes at most block[1] bytes into buf and updates
    // the block; nothing else changes.
    unsafe {
        asm!(
            "hlt #0xf000",
            inout("x0") SYS_GET_CMDLINE => result,
            in("x1") block.as_mut_ptr(),
            options(nostack),
        );
    }
    let len = block[1] as usize;
    (result == 0 && len < buf.len()).then_some(len)
}

/// SYS_EXIT with the AArch64 parameter block {ADP_Stopped_ApplicationExit,
/// code}: QEMU exits with status `code`. Returns only if the host ignored it.
#[cfg_attr(not(feature = "qemu-virt-aarch64"), allow(dead_code))]
pub(crate) fn exit(code: u32) {
    let block: [u64; 2] = [ADP_STOPPED_APPLICATION_EXIT, u64::from(code)];
    // SAFETY: the host reads the block and ends the process.
    unsafe {
        asm!(
            "hlt #0xf000",
            inout("x0") SYS_EXIT => _,
            in("x1") block.as_ptr(),
            options(nostack, readonly),
        );
    }
}
