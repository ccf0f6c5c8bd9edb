//! A hanging test between two passing ones (feature `demo-hang`): booted
//! one test at a time, only the hang is lost (killed at the timeout). A
//! plain boot hangs after the first.

#![no_std]
#![no_main]

use mcu::testing::{self, Test, tests};

mcu::entry!(main);

static TESTS: &[Test] = tests![passes_before_the_hang, hangs, passes_after_the_hang];

fn main() -> ! {
    testing::run(TESTS)
}

fn passes_before_the_hang() {}

fn hangs() {
    loop {
        core::hint::spin_loop();
    }
}

fn passes_after_the_hang() {}
