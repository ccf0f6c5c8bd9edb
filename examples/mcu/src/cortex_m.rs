//! Cortex-M on cortex-m-rt: the reset entry and the HardFault handler. The
//! console, exit and command line are semihosting, through
//! crossflake-harness's `CortexM` glue (any QEMU machine with
//! `-semihosting-config enable=on,target=native`).

use cortex_m_rt::{ExceptionFrame, entry, exception};

/// The console, exit device and command line: semihosting.
pub type Machine = crossflake_harness::qemu::CortexM;

/// What the image runs on, for its banner.
pub const MACHINE: &str = "Cortex-M (semihosting)";

#[entry]
fn reset() -> ! {
    crate::start()
}

/// A fault the firmware does not handle (an undefined instruction, a bus
/// error, escalated to HardFault): reported, exit 102.
#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    crossflake_harness::handle_trap::<Machine>(format_args!(
        "HardFault: pc={:#010x} lr={:#010x} xpsr={:#010x}",
        frame.pc(),
        frame.lr(),
        frame.xpsr()
    ))
}
