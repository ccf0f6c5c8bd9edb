//! The firmware: prints over semihosting and exits QEMU with 0.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use firmware as _; // the panic and fault handlers

#[entry]
fn main() -> ! {
    hprintln!("Hello, world!");
    firmware::exit(0)
}
