//! Deliberately failing test kernel (feature `demo-fail`): one check fails
//! with "expected 4, got 5", so the kernel exits with status 1.

#![no_std]
#![no_main]

use kernel::check_eq;
use kernel::testing::{self, TestResult};

kernel::entry!(main);

fn main() -> ! {
    testing::run(&[("passes", passes), ("fails_on_purpose", fails_on_purpose)])
}

fn passes() -> TestResult {
    check_eq!(1 + 1, 2);
    Ok(())
}

fn fails_on_purpose() -> TestResult {
    check_eq!(core::hint::black_box(2) + 3, 4);
    Ok(())
}
