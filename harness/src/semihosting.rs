//! Arm semihosting, for AArch64 (`hlt #0xf000`) and M-profile Thumb
//! (Cortex-M: `bkpt #0xab`): the operation in x0/r0, the address of its
//! parameter block (words of the machine's size) in x1/r1, the result in
//! x0/r0. QEMU answers with `-semihosting-config enable=on,target=native`;
//! without semihosting the instruction is an exception (AArch64: undefined
//! instruction; Cortex-M: a HardFault).

use core::arch::asm;

#[cfg(target_arch = "arm")]
const SYS_OPEN: usize = 0x01;
#[cfg(target_arch = "arm")]
const SYS_WRITE0: usize = 0x04;
#[cfg(target_arch = "arm")]
const SYS_WRITE: usize = 0x05;
const SYS_GET_CMDLINE: usize = 0x15;
/// The exit operation: SYS_EXIT (0x18) takes the parameter block on
/// AArch64; on 32-bit Arm it takes only a reason (QEMU then exits 0 for
/// ApplicationExit and 1 for any other), so SYS_EXIT_EXTENDED (0x20), which
/// takes the block there, carries the code.
#[cfg(target_arch = "aarch64")]
const EXIT_WITH_CODE: usize = 0x18;
#[cfg(target_arch = "arm")]
const EXIT_WITH_CODE: usize = 0x20;
/// SYS_EXIT reason that makes QEMU exit with the subcode as its status.
const ADP_STOPPED_APPLICATION_EXIT: usize = 0x20026;

/// Makes semihosting call `op` with `param` (an address, or a value the
/// operation takes directly) and returns the host's answer.
///
/// # Safety
///
/// `param` must be what `op` expects: for a parameter block, the address of
/// readable (and, for answers the host writes, writable) memory of the
/// block's size, and of every buffer the block names.
unsafe fn call(op: usize, param: usize) -> usize {
    let result: usize;
    // SAFETY: the caller's promise; the host reads and writes only the
    // memory the operation names.
    unsafe {
        #[cfg(target_arch = "aarch64")]
        asm!("hlt #0xf000", inout("x0") op => result, in("x1") param, options(nostack));
        #[cfg(target_arch = "arm")]
        asm!("bkpt #0xab", inout("r0") op => result, in("r1") param, options(nostack));
    }
    result
}

/// SYS_GET_CMDLINE: fills `buf` with the NUL-terminated command line and
/// returns its length without the NUL; `None` if the host refused.
pub(crate) fn get_cmdline(buf: &mut [u8]) -> Option<usize> {
    // The parameter block: buffer address and size; on success the host
    // writes the string and replaces the size with its length.
    let mut block: [usize; 2] = [buf.as_mut_ptr() as usize, buf.len()];
    // SAFETY: the host writes at most block[1] bytes into buf and updates
    // the block; nothing else changes.
    let result = unsafe { call(SYS_GET_CMDLINE, block.as_mut_ptr() as usize) };
    let len = block[1];
    (result == 0 && len < buf.len()).then_some(len)
}

/// Writes `s` to the host's stdout: SYS_WRITE to the handle SYS_OPEN gives
/// for `:tt` in mode "w" (QEMU: its standard output, where
/// cortex-m-semihosting's `hprintln!` goes too; SYS_WRITE0 would go to its
/// standard error). Should the host refuse `:tt`, SYS_WRITE0 of `s` in
/// pieces, without any NUL it holds.
#[cfg(target_arch = "arm")]
#[cfg_attr(not(feature = "qemu-cortex-m"), allow(dead_code))]
pub(crate) fn write_str(s: &str) {
    match stdout() {
        Some(handle) => {
            let block: [usize; 3] = [handle, s.as_ptr() as usize, s.len()];
            // SAFETY: the host reads s.len() bytes of s and the block.
            unsafe { call(SYS_WRITE, block.as_ptr() as usize) };
        }
        None => write0_pieces(s),
    }
}

/// The `:tt` handle for writing, opened on first use (single core, so a
/// load and a store suffice; `usize::MAX`: not opened yet).
#[cfg(target_arch = "arm")]
fn stdout() -> Option<usize> {
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    static STDOUT: AtomicUsize = AtomicUsize::new(usize::MAX);
    const REFUSED: usize = usize::MAX - 1;
    match STDOUT.load(Relaxed) {
        usize::MAX => {
            let name = b":tt\0";
            // {name, mode 4 ("w"), length without the NUL}.
            let block: [usize; 3] = [name.as_ptr() as usize, 4, name.len() - 1];
            // SAFETY: the host reads the NUL-terminated name and the block.
            let handle = unsafe { call(SYS_OPEN, block.as_ptr() as usize) };
            let handle = if handle as isize == -1 { REFUSED } else { handle };
            STDOUT.store(handle, Relaxed);
            (handle != REFUSED).then_some(handle)
        }
        REFUSED => None,
        handle => Some(handle),
    }
}

/// SYS_WRITE0 of `s`, in pieces copied to a NUL-terminated buffer on the
/// stack (a NUL inside `s` is left out: SYS_WRITE0 would stop there).
#[cfg(target_arch = "arm")]
fn write0_pieces(s: &str) {
    let mut chunk = [0u8; 65];
    let mut len = 0;
    for &byte in s.as_bytes().iter().filter(|&&b| b != 0) {
        chunk[len] = byte;
        len += 1;
        if len == chunk.len() - 1 {
            write0(&mut chunk, len);
            len = 0;
        }
    }
    if len > 0 {
        write0(&mut chunk, len);
    }
}

/// SYS_WRITE0 of `chunk[..len]` (terminated in place).
#[cfg(target_arch = "arm")]
fn write0(chunk: &mut [u8; 65], len: usize) {
    chunk[len] = 0;
    // SAFETY: a NUL-terminated string the host only reads.
    unsafe { call(SYS_WRITE0, chunk.as_ptr() as usize) };
}

/// Exits with status `code`: the parameter block
/// {ADP_Stopped_ApplicationExit, code} through SYS_EXIT (AArch64) or
/// SYS_EXIT_EXTENDED (32-bit Arm). Returns only if the host ignored it.
#[cfg_attr(not(any(feature = "qemu-virt-aarch64", feature = "qemu-cortex-m")), allow(dead_code))]
pub(crate) fn exit(code: u32) {
    let block: [usize; 2] = [ADP_STOPPED_APPLICATION_EXIT, code as usize];
    // SAFETY: the host reads the block and ends the process.
    unsafe { call(EXIT_WITH_CODE, block.as_ptr() as usize) };
}
