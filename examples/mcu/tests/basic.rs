//! Basic checks run on the microcontroller: arithmetic, 64-bit and float
//! maths (the FPU on the hard-float targets), formatting, the console, a
//! test returning `Result`, the command line, an expected panic and an
//! ignored test.

#![no_std]
#![no_main]

use core::fmt::Write;

use mcu::println;
use mcu::testing::{self, Test, tests};

mcu::entry!(main);

static TESTS: &[Test] = tests![
    arithmetic,
    wide_and_float_maths,
    formats_into_a_buffer,
    console_prints,
    parse_returns_result,
    boot_args_reach_the_firmware,
    #[should_panic(expected = "deliberate panic: 42")]
    panic_message_reaches_handler,
    #[ignore]
    counts_slowly,
];

fn main() -> ! {
    testing::run(TESTS)
}

fn arithmetic() {
    assert_eq!(core::hint::black_box(2) + 2, 4);
    assert_eq!(u32::MAX.wrapping_add(1), 0);
    assert_eq!(core::hint::black_box(7u32) * 6, 42);
    assert_eq!(core::hint::black_box(100u32) / 7, 14, "division (a library call on Cortex-M0)");
}

fn wide_and_float_maths() {
    let x = core::hint::black_box(0x1234_5678_9abc_def0_u64);
    assert_eq!(x.rotate_left(16), 0x5678_9abc_def0_1234);
    assert_eq!(x.count_ones(), 32);
    // f32 in hardware on cortex-m4f/cortex-m33f, in software elsewhere.
    let r = core::hint::black_box(2.0f32) / 3.0;
    assert!((r * 3.0 - 2.0).abs() < 1e-6, "2/3*3 = {}", r * 3.0);
    assert_eq!(core::hint::black_box(1.5f64) * 4.0, 6.0);
}

fn formats_into_a_buffer() -> Result<(), core::fmt::Error> {
    let mut out = Buf([0; 32], 0);
    write!(out, "{:>5}|{:#x}|{:.2}", 42, 255, core::hint::black_box(1.0f32) / 3.0)?;
    assert_eq!(out.text(), "   42|0xff|0.33");
    Ok(())
}

fn console_prints() {
    // Reaching the next line proves the console took the bytes.
    println!("console: hello from {}", mcu::MACHINE);
}

/// A test may return `Result<(), E: Debug>`; `?` fails it with the error.
fn parse_returns_result() -> Result<(), core::num::ParseIntError> {
    let n: u32 = core::hint::black_box("4096").parse()?;
    assert_eq!(n, 1 << 12);
    Ok(())
}

/// The runner's request arrives on the command line: booted with
/// `-append crossflake-harness=run:boot_args_reach_the_firmware`, the
/// firmware sees exactly that word (through semihosting or the DTB).
fn boot_args_reach_the_firmware() {
    let mut buf = [0u8; 512];
    let cmdline = mcu::cmdline(&mut buf).unwrap_or("");
    println!("command line: {cmdline:?}");
    if let Some(word) = cmdline.split_ascii_whitespace().find(|w| w.starts_with("crossflake-harness=")) {
        assert_eq!(word, "crossflake-harness=run:boot_args_reach_the_firmware", "command line {cmdline:?}");
    }
}

/// The handler prints message and location, and the harness, told to
/// expect this panic, passes the test.
fn panic_message_reaches_handler() {
    let answer = core::hint::black_box(42);
    panic!("deliberate panic: {answer}");
}

/// Ignored: a plain boot skips it; the runner runs it with `--ignored`.
fn counts_slowly() {
    let mut total = 0u32;
    for i in 0..core::hint::black_box(200_000u32) {
        total = total.wrapping_add(i);
    }
    assert_eq!(total, 19_999_900_000u64 as u32);
}

/// A fixed buffer to format into (no allocator in this firmware).
struct Buf([u8; 32], usize);

impl Buf {
    fn text(&self) -> &str {
        core::str::from_utf8(&self.0[..self.1]).unwrap_or("<not UTF-8>")
    }
}

impl Write for Buf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.1 + s.len();
        let slot = self.0.get_mut(self.1..end).ok_or(core::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.1 = end;
        Ok(())
    }
}
