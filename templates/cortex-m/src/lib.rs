//! What the firmware (src/main.rs) and its test images (tests/) share: the
//! panic handler and the HardFault handler, both handed to crossflake-harness
//! (a panic or fault in a test becomes that test's verdict; elsewhere QEMU
//! exits 101 or 102 with the report printed over semihosting).
#![no_std]

use core::panic::PanicInfo;

use cortex_m_rt::{exception, ExceptionFrame};

/// Semihosting console, exit and command line, from crossflake-harness.
pub type Machine = crossflake_harness::qemu::CortexM;

/// Ends QEMU with exit status `code` (semihosting SYS_EXIT_EXTENDED).
pub fn exit(code: u32) -> ! {
    use crossflake_harness::Platform;
    Machine::exit(code)
}

/// Prints the panic; in a test image the harness turns it into the test's
/// verdict. Otherwise QEMU exits 101.
#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    crossflake_harness::handle_panic::<Machine>(info)
}

/// A fault the firmware does not handle (an undefined instruction, a bus
/// error): reported, exit 102.
#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    crossflake_harness::handle_trap::<Machine>(format_args!("HardFault: pc={:#010x}", frame.pc()))
}
