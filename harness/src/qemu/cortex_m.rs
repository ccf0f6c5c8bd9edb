//! Cortex-M (any M-profile core: thumbv6m, thumbv7m, thumbv7em, thumbv8m)
//! on any QEMU machine with semihosting
//! (`-semihosting-config enable=on,target=native`, which crossflake's
//! Cortex-M targets pass): semihosting for the console (SYS_WRITE to `:tt`,
//! QEMU's stdout), the exit (SYS_EXIT_EXTENDED, which carries the code) and
//! the command line (SYS_GET_CMDLINE). No machine's devices are touched, so
//! the same glue serves lm3s6965evb, microbit, the mps2 boards and
//! netduinoplus2.

use core::arch::asm;

use crate::Platform;

/// A Cortex-M core under QEMU with semihosting; implements [`Platform`].
pub struct CortexM;

impl CortexM {
    /// The command line from semihosting SYS_GET_CMDLINE, written into `buf`
    /// (QEMU answers `<kernel path> <-append string>`; 256 bytes are plenty
    /// for the harness's request). `None` if the host refused or `buf` is
    /// too small.
    pub fn cmdline(buf: &mut [u8]) -> Option<&str> {
        crate::cmdline_from_semihosting(buf)
    }

    /// Parks the core forever (`wfi`).
    pub fn idle() -> ! {
        loop {
            // SAFETY: wfi only waits.
            unsafe { asm!("wfi", options(nomem, nostack)) };
        }
    }
}

impl Platform for CortexM {
    /// Semihosting SYS_WRITE to `:tt` (QEMU's standard output).
    fn write_str(s: &str) {
        crate::semihosting::write_str(s);
    }

    /// Semihosting SYS_EXIT_EXTENDED {ADP_Stopped_ApplicationExit, code}:
    /// QEMU exits with `code` (plain SYS_EXIT could only say 0 or 1).
    fn exit(code: u32) -> ! {
        crate::semihosting::exit(code.min(255));
        Self::idle()
    }
}
