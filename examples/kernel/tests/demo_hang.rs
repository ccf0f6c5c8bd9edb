//! A deliberately hanging test (feature `demo-hang`) between two passing
//! ones: a plain boot prints the first result and never exits (the runner's
//! timeout must stop it, and the third test is lost); booted one test at a
//! time, only `hangs` times out and both others pass.

#![no_std]
#![no_main]

use kernel::println;
use kernel::testing::{self, Test, tests};

kernel::entry!(main);

static TESTS: &[Test] = tests![passes_before_the_hang, hangs, passes_after_the_hang];

fn main() -> ! {
    testing::run(TESTS)
}

fn passes_before_the_hang() {
    assert_eq!(core::hint::black_box(3) * 3, 9);
}

fn hangs() {
    println!("demo_hang: looping forever (the runner's timeout must stop this)");
    kernel::arch::idle()
}

fn passes_after_the_hang() {
    assert_eq!(core::hint::black_box(4) * 4, 16);
}
