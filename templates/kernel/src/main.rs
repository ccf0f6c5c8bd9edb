//! The kernel: prints a line on the UART and exits QEMU with 0.
#![no_std]
#![no_main]

#[no_mangle]
extern "C" fn kmain(_hart_id: usize, _dtb: usize) -> ! {
    kernel::print("hello from the crossflake kernel template\n");
    kernel::exit(0)
}
