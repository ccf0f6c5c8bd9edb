//! Basic checks run inside the kernel: arithmetic, the UART console, heap
//! allocation (Vec, String, Box) and formatting.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::{boxed::Box, format, string::String, vec, vec::Vec};
use kernel::testing::{self, TestResult};
use kernel::{check, check_eq, println};

kernel::entry!(main);

fn main() -> ! {
    testing::run(&[
        ("arithmetic", arithmetic),
        ("bit_ops", bit_ops),
        ("uart_prints", uart_prints),
        ("alloc_vec", alloc_vec),
        ("alloc_string", alloc_string),
        ("alloc_box", alloc_box),
        ("format_string", format_string),
    ])
}

fn arithmetic() -> TestResult {
    check_eq!(2 + 2, 4);
    check_eq!(u64::MAX.wrapping_add(1), 0);
    check_eq!(7 * 6, 42);
    check_eq!(core::hint::black_box(1u128 << 100) >> 99, 2);
    Ok(())
}

fn bit_ops() -> TestResult {
    // With Zbb (the custom target JSON) these compile to cpop/clz/ctz/rori.
    let x = core::hint::black_box(0x00f0_0000_0000_1000_u64);
    check_eq!(x.count_ones(), 5);
    check_eq!(x.leading_zeros(), 8);
    check_eq!(x.trailing_zeros(), 12);
    check_eq!(x.rotate_right(12), 0x0000_0f00_0000_0001);
    check_eq!(core::hint::black_box(0x1234_u16).swap_bytes(), 0x3412);
    Ok(())
}

fn uart_prints() -> TestResult {
    // Reaching the next line proves the UART accepted the bytes.
    println!("uart: hello from {}", kernel::arch::MACHINE);
    Ok(())
}

fn alloc_vec() -> TestResult {
    let mut v: Vec<u32> = Vec::new();
    for i in 0..1000 {
        v.push(i);
    }
    check_eq!(v.len(), 1000);
    check_eq!(v.iter().sum::<u32>(), 499_500);
    let w = vec![7u8; 4096];
    check!(w.iter().all(|&b| b == 7));
    Ok(())
}

fn alloc_string() -> TestResult {
    let mut s = String::from("cross");
    s.push_str("flake");
    check_eq!(s.as_str(), "crossflake");
    check_eq!(s.to_uppercase(), "CROSSFLAKE");
    Ok(())
}

fn alloc_box() -> TestResult {
    let b = Box::new([1u64, 2, 3, 4]);
    check_eq!(b.iter().sum::<u64>(), 10);
    let dynamic: Box<dyn Fn(u32) -> u32> = Box::new(|x| x + 1);
    check_eq!(dynamic(41), 42);
    check!(kernel::heap::used() > 0, "heap reports nothing used");
    Ok(())
}

fn format_string() -> TestResult {
    let ratio = core::hint::black_box(1.0_f64) / 3.0;
    let s = format!("{:>5}|{:#x}|{:.2}|{:?}", 42, 255, ratio, "q");
    check_eq!(s.as_str(), "   42|0xff|0.33|\"q\"");
    Ok(())
}
