//! UART console: `print!`/`println!` macros over the arch layer's `putc`,
//! serialised by a spin lock so lines do not interleave. The panic and trap
//! handlers print through crossflake-harness, which takes no lock.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};

static LOCK: AtomicBool = AtomicBool::new(false);

/// A `fmt::Write` sink that sends bytes straight to the UART.
pub struct Uart;

impl Write for Uart {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(crate::arch::putc);
        Ok(())
    }
}

/// Backend of [`print!`](crate::print) and [`println!`](crate::println).
#[doc(hidden)]
pub fn _print(args: fmt::Arguments<'_>) {
    while LOCK.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        core::hint::spin_loop();
    }
    // Uart::write_str never fails.
    let _ = Uart.write_fmt(args);
    LOCK.store(false, Ordering::Release);
}

/// Prints to the UART.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::console::_print(format_args!($($arg)*))
    };
}

/// Prints to the UART, with a newline (`\n`, no `\r`).
#[macro_export]
macro_rules! println {
    () => {
        $crate::print!("\n")
    };
    ($($arg:tt)*) => {
        $crate::console::_print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
