//! QEMU `virt` riscv64 (S-mode under OpenSBI, `-bios default`) and riscv32
//! (M-mode with no firmware, `-bios none`): NS16550 UART at 0x1000_0000 for
//! the console, the SiFive test device at 0x10_0000 for the exit. Never SBI
//! SRST: stock OpenSBI exits 0 whatever its reason.

use core::arch::asm;
use core::ptr;

use crate::Platform;

/// NS16550 base; THR at +0, LSR at +5 (bit 5: THR empty).
const UART: usize = 0x1000_0000;
/// SiFive test device ("finisher").
const TEST_DEVICE: usize = 0x10_0000;

/// Writes one byte to the UART (QEMU's 16550 needs no initialisation).
fn putc(byte: u8) {
    let base = UART as *mut u8;
    // SAFETY: QEMU virt maps the NS16550 at UART (MMU off).
    unsafe {
        while ptr::read_volatile(base.add(5)) & (1 << 5) == 0 {
            core::hint::spin_loop();
        }
        ptr::write_volatile(base, byte);
    }
}

/// `0x5555` exits QEMU with 0, `(code << 16) | 0x3333` with `code`.
fn exit(code: u32) -> ! {
    let code = code.min(255);
    let value = if code == 0 { 0x5555 } else { (code << 16) | 0x3333 };
    // SAFETY: QEMU virt maps the test device at TEST_DEVICE.
    unsafe { ptr::write_volatile(TEST_DEVICE as *mut u32, value) };
    idle()
}

/// Parks the hart forever.
fn idle() -> ! {
    loop {
        // SAFETY: wfi only waits.
        unsafe { asm!("wfi", options(nomem, nostack)) };
    }
}

/// QEMU riscv64 `virt` with OpenSBI; implements [`Platform`].
#[cfg(target_arch = "riscv64")]
pub struct VirtRiscv64;

#[cfg(target_arch = "riscv64")]
impl VirtRiscv64 {
    /// NS16550 base; THR at +0, LSR at +5 (bit 5: THR empty).
    pub const UART: usize = UART;
    /// SiFive test device ("finisher").
    pub const TEST_DEVICE: usize = TEST_DEVICE;

    /// Writes one byte to the UART.
    pub fn putc(byte: u8) {
        putc(byte)
    }

    /// The command line: `/chosen/bootargs` of the DTB whose address
    /// OpenSBI passed in `a1` at kernel entry.
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
        idle()
    }
}

#[cfg(target_arch = "riscv64")]
impl Platform for VirtRiscv64 {
    fn write_str(s: &str) {
        s.bytes().for_each(putc);
    }

    /// `0x5555` exits QEMU with 0, `(code << 16) | 0x3333` with `code`.
    fn exit(code: u32) -> ! {
        exit(code)
    }
}

/// QEMU riscv32 `virt` in M-mode with no firmware (`-bios none`: the
/// program is entered at 0x8000_0000, hart id in `a0`, DTB address in `a1`);
/// implements [`Platform`].
#[cfg(target_arch = "riscv32")]
pub struct VirtRiscv32;

#[cfg(target_arch = "riscv32")]
impl VirtRiscv32 {
    /// NS16550 base; THR at +0, LSR at +5 (bit 5: THR empty).
    pub const UART: usize = UART;
    /// SiFive test device ("finisher").
    pub const TEST_DEVICE: usize = TEST_DEVICE;

    /// Writes one byte to the UART.
    pub fn putc(byte: u8) {
        putc(byte)
    }

    /// The command line: `/chosen/bootargs` of the DTB whose address
    /// QEMU's reset code passed in `a1` at kernel entry.
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
        idle()
    }
}

#[cfg(target_arch = "riscv32")]
impl Platform for VirtRiscv32 {
    fn write_str(s: &str) {
        s.bytes().for_each(putc);
    }

    /// `0x5555` exits QEMU with 0, `(code << 16) | 0x3333` with `code`.
    fn exit(code: u32) -> ! {
        exit(code)
    }
}
