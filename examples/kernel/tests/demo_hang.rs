//! Deliberately hanging test kernel (feature `demo-hang`): prints a line and
//! never exits, so the runner must kill it at its timeout.

#![no_std]
#![no_main]

use kernel::println;

kernel::entry!(main);

fn main() -> ! {
    println!("demo_hang: looping forever (the runner's timeout must stop this)");
    kernel::arch::idle()
}
