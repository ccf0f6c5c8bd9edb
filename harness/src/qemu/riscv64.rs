//! QEMU `virt` riscv64 (S-mode under OpenSBI, `-bios default`): NS16550
//! UART at 0x1000_0000 for the console, the SiFive test device at 0x10_0000
//! for the exit. Never SBI SRST: stock OpenSBI exits 0 whatever its reason.

use core::arch::asm;
use core::ptr;

use crate::Platform;

/// QEMU riscv64 `virt` with OpenSBI; implements [`Platform`].
pub struct VirtRiscv64;

impl VirtRiscv64 {
    /// NS16550 base; THR at +0, LSR at +5 (bit 5: THR empty).
    pub const UART: usize = 0x1000_0000;
    /// SiFive test device ("finisher").
    pub const TEST_DEVICE: usize = 0x10_0000;

    /// Writes one byte to the UART (OpenSBI has initialised it).
    pub fn putc(byte: u8) {
        let base = Self::UART as *mut u8;
        // SAFETY: QEMU virt maps the NS16550 at UART (MMU off).
        unsafe {
            while ptr::read_volatile(base.add(5)) & (1 << 5) == 0 {
                core::hint::spin_loop();
            }
            ptr::write_volatile(base, byte);
        }
    }

    /// The command line: `/chosen/bootargs` of the DTB whose address OpenSBI
    /// passed in `a1` at kernel entry.
    ///
    /// # Safety
    ///
    /// As for [`cmdline_from_dtb`](crate::cmdline_from_dtb): `dtb` is the
    /// value of `a1` at entry (or 0), and the DTB is left intact.
    pub unsafe fn cmdline(dtb: usize) -> Option<&'static str> {
        // SAFETY: the caller's promise.
        unsafe { crate::cmdline_from_dtb(dtb) }
    }

    /// Parks the hart forever.
    pub fn idle() -> ! {
        loop {
            // SAFETY: wfi only waits.
            unsafe { asm!("wfi", options(nomem, nostack)) };
        }
    }
}

impl Platform for VirtRiscv64 {
    fn write_str(s: &str) {
        s.bytes().for_each(Self::putc);
    }

    /// `0x5555` exits QEMU with 0, `(code << 16) | 0x3333` with `code`.
    fn exit(code: u32) -> ! {
        let code = code.min(255);
        let value = if code == 0 { 0x5555 } else { (code << 16) | 0x3333 };
        // SAFETY: QEMU virt maps the test device at TEST_DEVICE.
        unsafe { ptr::write_volatile(Self::TEST_DEVICE as *mut u32, value) };
        Self::idle()
    }
}
