//! QEMU `virt` aarch64 (`-cpu cortex-a53` or later, EL1): PL011 UART at
//! 0x0900_0000 for the console, semihosting SYS_EXIT for the exit (QEMU
//! needs `-semihosting-config enable=on,target=native`). Uses no FP/SIMD
//! registers, so it also serves aarch64-unknown-none-softfloat.

use core::arch::asm;
use core::ptr;

use crate::Platform;

/// QEMU aarch64 `virt` with semihosting; implements [`Platform`].
pub struct VirtAarch64;

impl VirtAarch64 {
    /// PL011 base; DR at +0x00, FR at +0x18 (bit 5: transmit FIFO full).
    pub const UART: usize = 0x0900_0000;
    /// Where QEMU puts the DTB for an ELF kernel linked at or above
    /// 0x4020_0000 (the base of RAM).
    pub const DTB: usize = 0x4000_0000;

    /// Writes one byte to the UART (QEMU's PL011 needs no initialisation).
    pub fn putc(byte: u8) {
        let base = Self::UART as *mut u32;
        // SAFETY: QEMU virt maps the PL011 at UART (MMU off).
        unsafe {
            while ptr::read_volatile(base.add(0x18 / 4)) & (1 << 5) != 0 {
                core::hint::spin_loop();
            }
            ptr::write_volatile(base, u32::from(byte));
        }
    }

    /// The command line: semihosting SYS_GET_CMDLINE into `buf` (the kernel
    /// path, then the `-append` string), else `/chosen/bootargs` of the DTB
    /// at the base of RAM (there only if the kernel is linked at or above
    /// 0x4020_0000; otherwise that RAM holds no DTB magic and this is `None`).
    ///
    /// The DTB fallback reads RAM at [`Self::DTB`]: the kernel must not put
    /// anything of its own below its link address.
    pub fn cmdline(buf: &mut [u8]) -> Option<&str> {
        // SAFETY: RAM at DTB is readable (MMU off) and the kernel, linked
        // above it, never writes there.
        crate::cmdline_from_semihosting(buf).or_else(|| unsafe { crate::cmdline_from_dtb(Self::DTB) })
    }

    /// Parks the core forever (`wfi`; QEMU treats `wfe` as a busy yield).
    pub fn idle() -> ! {
        loop {
            // SAFETY: wfi only waits.
            unsafe { asm!("wfi", options(nomem, nostack)) };
        }
    }
}

impl Platform for VirtAarch64 {
    fn write_str(s: &str) {
        s.bytes().for_each(Self::putc);
    }

    /// Semihosting SYS_EXIT {ADP_Stopped_ApplicationExit, code}.
    fn exit(code: u32) -> ! {
        crate::semihosting::exit(code.min(255));
        Self::idle()
    }
}
