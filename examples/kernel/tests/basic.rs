//! Basic checks run inside the kernel: arithmetic, the UART console, heap
//! allocation (Vec, String, Box), formatting, a test returning `Result`, the
//! kernel command line, an expected panic and an ignored test.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::{boxed::Box, format, string::String, vec, vec::Vec};
use kernel::println;
use kernel::testing::{self, Test, tests};

kernel::entry!(main);

static TESTS: &[Test] = tests![
    arithmetic,
    bit_ops,
    uart_prints,
    alloc_vec,
    alloc_string,
    alloc_box,
    format_string,
    parse_returns_result,
    boot_args_reach_the_kernel,
    #[should_panic(expected = "deliberate panic: 42")]
    panic_message_reaches_handler,
    #[ignore]
    heap_churn_is_slow,
];

fn main() -> ! {
    testing::run(TESTS)
}

fn arithmetic() {
    assert_eq!(core::hint::black_box(2) + 2, 4);
    assert_eq!(u64::MAX.wrapping_add(1), 0);
    assert_eq!(core::hint::black_box(7) * 6, 42);
    assert_eq!(core::hint::black_box(1u128 << 100) >> 99, 2);
}

fn bit_ops() {
    // With Zbb (the custom target JSON) these compile to cpop/clz/ctz/rori.
    let x = core::hint::black_box(0x00f0_0000_0000_1000_u64);
    assert_eq!(x.count_ones(), 5);
    assert_eq!(x.leading_zeros(), 8);
    assert_eq!(x.trailing_zeros(), 12);
    assert_eq!(x.rotate_right(12), 0x0000_0f00_0000_0001);
    assert_eq!(core::hint::black_box(0x1234_u16).swap_bytes(), 0x3412);
}

fn uart_prints() {
    // Reaching the next line proves the UART accepted the bytes.
    println!("uart: hello from {}", kernel::arch::MACHINE);
}

fn alloc_vec() {
    let mut v: Vec<u32> = Vec::new();
    for i in 0..1000 {
        v.push(i);
    }
    assert_eq!(v.len(), 1000);
    assert_eq!(v.iter().sum::<u32>(), 499_500);
    let w = vec![7u8; 4096];
    assert!(w.iter().all(|&b| b == 7));
}

fn alloc_string() {
    let mut s = String::from("cross");
    s.push_str("flake");
    assert_eq!(s, "crossflake");
    assert_eq!(s.to_uppercase(), "CROSSFLAKE");
}

fn alloc_box() {
    let b = Box::new([1u64, 2, 3, 4]);
    assert_eq!(b.iter().sum::<u64>(), 10);
    let dynamic: Box<dyn Fn(u32) -> u32> = Box::new(|x| x + 1);
    assert_eq!(dynamic(41), 42);
    assert!(kernel::heap::used() > 0, "heap reports nothing used");
}

fn format_string() {
    // f64 formatting: on the softfloat target this runs without FP registers.
    let ratio = core::hint::black_box(1.0_f64) / 3.0;
    let s = format!("{:>5}|{:#x}|{:.2}|{:?}", 42, 255, ratio, "q");
    assert_eq!(s, "   42|0xff|0.33|\"q\"");
}

/// A test may return `Result<(), E: Debug>`; `?` fails it with the error.
fn parse_returns_result() -> Result<(), core::num::ParseIntError> {
    let n: u32 = core::hint::black_box("4096").parse()?;
    assert_eq!(n, 1 << 12);
    Ok(())
}

/// The runner's request arrives on the command line: booted with
/// `-append crossflake-harness=run:boot_args_reach_the_kernel`, the kernel
/// sees exactly that word. On aarch64, where the kernel is linked high
/// enough for QEMU's DTB, semihosting and the DTB agree.
fn boot_args_reach_the_kernel() {
    let cmdline = kernel::cmdline().unwrap_or("");
    let word = cmdline.split_ascii_whitespace().find(|w| w.starts_with("crossflake-harness="));
    if let Some(word) = word {
        assert_eq!(word, "crossflake-harness=run:boot_args_reach_the_kernel", "command line {cmdline:?}");
    }
    #[cfg(target_arch = "aarch64")]
    {
        // SAFETY: RAM at 0x4000_0000 is below the kernel and never written.
        let dtb = unsafe { crossflake_harness::cmdline_from_dtb(0x4000_0000) };
        println!("command line: semihosting {cmdline:?}, DTB {dtb:?}");
        if let (Some(dtb), Some(_)) = (dtb, word) {
            assert!(cmdline.ends_with(dtb), "semihosting {cmdline:?} vs DTB {dtb:?}");
        }
    }
    #[cfg(target_arch = "riscv64")]
    println!("command line: DTB {cmdline:?}");
}

/// Today's panic_exit: the handler prints message and location, and the
/// harness, told to expect this panic, passes the test.
fn panic_message_reaches_handler() {
    let answer = core::hint::black_box(42);
    panic!("deliberate panic: {answer}");
}

/// Ignored: a plain boot skips it; the runner runs it with `--ignored`.
fn heap_churn_is_slow() {
    let mut total = 0u64;
    for round in 0..2_000u64 {
        let v: Vec<u64> = (0..round % 64).collect();
        total += v.iter().sum::<u64>();
    }
    assert!(total > 0);
}
