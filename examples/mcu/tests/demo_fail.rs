//! Deliberately failing tests (feature `demo-fail`), one per way a test can
//! fail, for the runner's reports. A plain boot runs them in order and ends
//! at `fails_on_purpose` (a panic ends a plain boot, exit 101); booted one
//! at a time each gives its own result line and exit status.

#![no_std]
#![no_main]

use mcu::testing::{self, Test, tests};

mcu::entry!(main);

static TESTS: &[Test] = tests![
    passes,
    returns_error,
    #[should_panic]
    does_not_panic,
    fails_on_purpose,
    faults_on_purpose,
];

fn main() -> ! {
    testing::run(TESTS)
}

fn passes() {
    assert_eq!(core::hint::black_box(1) + 1, 2);
}

/// Returns `Err`: `Error: "expected 4, got 5"`, result `failed: error`, exit 1.
fn returns_error() -> Result<(), &'static str> {
    let sum = core::hint::black_box(2) + 3;
    if sum != 4 { Err("expected 4, got 5") } else { Ok(()) }
}

/// Should panic but returns: `failed: did not panic`, exit 1.
fn does_not_panic() {}

/// An assertion fails: the panic is printed, `failed: panicked`, exit 101.
fn fails_on_purpose() {
    assert_eq!(core::hint::black_box(2) + 3, 4, "expected 4, got 5");
}

/// Executes an undefined instruction: the fault handler reports it,
/// `failed: trap`, exit 102.
fn faults_on_purpose() {
    // SAFETY: the instruction faults; the handler never returns here.
    unsafe {
        #[cfg(target_arch = "arm")]
        core::arch::asm!("udf #0");
        #[cfg(target_arch = "riscv32")]
        core::arch::asm!("unimp");
    }
}
