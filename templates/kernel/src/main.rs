//! A riscv64 kernel for QEMU `virt` (loaded by OpenSBI at 0x80200000): prints
//! a line on the 16550 UART and exits QEMU through the SiFive test device.
#![no_std]
#![no_main]

use core::panic::PanicInfo;

core::arch::global_asm!(
    ".section .text.entry",
    ".globl _start",
    "_start:",
    "    la sp, _stack_top",
    "    call kmain",
);

const UART: *mut u8 = 0x1000_0000 as *mut u8;
const SIFIVE_TEST: *mut u32 = 0x10_0000 as *mut u32;

fn print(s: &str) {
    for b in s.bytes() {
        // SAFETY: QEMU virt maps the UART's transmit register here.
        unsafe { UART.write_volatile(b) }
    }
}

/// 0x5555 exits QEMU with 0; (code << 16) | 0x3333 exits with `code`.
fn exit(code: u32) -> ! {
    let value = if code == 0 { 0x5555 } else { (code << 16) | 0x3333 };
    // SAFETY: QEMU virt maps the SiFive test device here.
    unsafe { SIFIVE_TEST.write_volatile(value) }
    loop {}
}

#[no_mangle]
extern "C" fn kmain() -> ! {
    print("hello from the crossflake kernel template\n");
    exit(0)
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    print("panic\n");
    exit(1)
}
