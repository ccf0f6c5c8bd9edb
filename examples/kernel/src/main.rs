//! The sample kernel image: prints a banner, exercises the heap and exits 0.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::{boxed::Box, string::String, vec::Vec};
use kernel::println;

kernel::entry!(kernel_main);

fn kernel_main() -> ! {
    println!("crossflake sample kernel {} on {}", env!("CARGO_PKG_VERSION"), kernel::arch::MACHINE);

    let squares: Vec<u64> = (1..=10).map(|n| n * n).collect();
    let boxed = Box::new(squares.iter().sum::<u64>());
    let mut greeting = String::from("hello");
    greeting.push_str(" from the heap");
    println!("{greeting}: sum of squares 1..=10 = {boxed}");
    println!("heap: {} of {} bytes used", kernel::heap::used(), kernel::heap::size());

    println!("bye");
    kernel::exit(0)
}
