//! A test image: crossflake-harness runs the tests the command line asks
//! for (`crossflake test` boots it once per test; a plain boot runs all).
#![no_std]
#![no_main]

use core::fmt::Write;

use cortex_m_rt::entry;
use crossflake_harness::{tests, Test};
use firmware::Machine;

static TESTS: &[Test] = tests![
    adds,
    formats,
    #[should_panic(expected = "boom")]
    panics,
];

#[entry]
fn main() -> ! {
    // The command line (semihosting SYS_GET_CMDLINE) carries the request.
    let mut buf = [0u8; 512];
    crossflake_harness::run::<Machine>(TESTS, Machine::cmdline(&mut buf))
}

fn adds() {
    assert_eq!(core::hint::black_box(2) + 2, 4);
}

/// A test may return `Result<(), E: Debug>`.
fn formats() -> Result<(), core::fmt::Error> {
    let mut out = Buf([0; 16], 0);
    write!(out, "{}+{}", 40, 2)?;
    assert_eq!(&out.0[..out.1], b"40+2");
    Ok(())
}

fn panics() {
    panic!("boom");
}

/// A fixed buffer to format into (no allocator in this firmware).
struct Buf([u8; 16], usize);

impl Write for Buf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.1 + s.len();
        let slot = self.0.get_mut(self.1..end).ok_or(core::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}
