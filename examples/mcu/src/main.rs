//! The sample firmware: prints over semihosting (Cortex-M, with
//! cortex-m-semihosting's `hprintln!`) or the UART (riscv32), computes a
//! little and exits 0.

#![no_std]
#![no_main]

use mcu::println;

mcu::entry!(main);

fn main() -> ! {
    #[cfg(target_arch = "arm")]
    cortex_m_semihosting::hprintln!("Hello, world! (cortex-m-semihosting)");
    println!("crossflake microcontroller sample {} on {}", env!("CARGO_PKG_VERSION"), mcu::MACHINE);
    let squares: u32 = (1..=10u32).map(|n| n * n).sum();
    println!("sum of squares 1..=10 = {squares}");
    println!("bye");
    mcu::exit(0)
}
