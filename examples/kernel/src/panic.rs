//! Panic handler: prints the message and location on the UART, lets the
//! test harness account for the panic, then exits through the arch layer
//! (status 101 unless a test expected the panic).

use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::console::emergency_print;

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    if PANICKING.swap(true, Ordering::Relaxed) {
        emergency_print(format_args!("panicked while panicking\n"));
        crate::exit(crate::PANIC_EXIT_CODE);
    }
    match info.location() {
        Some(location) => emergency_print(format_args!("panicked at {location}: {}\n", info.message())),
        None => emergency_print(format_args!("panicked: {}\n", info.message())),
    }
    let code = crate::testing::after_panic(info).unwrap_or(crate::PANIC_EXIT_CODE);
    crate::exit(code)
}
