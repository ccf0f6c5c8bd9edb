//! Checks the panic path: the handler prints the message and location and
//! the harness, told to expect this panic, reports it and exits 0. (An
//! unexpected panic exits 101; see tests/demo_fail.rs for a failing run.)

#![no_std]
#![no_main]

use kernel::testing;

kernel::entry!(main);

fn main() -> ! {
    testing::should_panic("panic_message_reaches_handler", "deliberate panic: 42", || {
        let answer = core::hint::black_box(42);
        panic!("deliberate panic: {answer}");
    })
}
