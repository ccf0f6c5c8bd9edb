//! What the harness needs from the machine: a console and an exit device.

use core::fmt;
use core::marker::PhantomData;

/// The kernel's console and exit device, as the harness uses them.
///
/// Both functions are called from the panic and trap paths too, so they
/// must not panic, allocate or take a lock a test might hold (write to the
/// UART directly, as an "emergency" print would). The harness runs on one
/// CPU with interrupts as the kernel left them; it does no locking itself.
///
/// [`qemu::VirtRiscv64`](crate::qemu) and [`qemu::VirtAarch64`](crate::qemu)
/// implement it for QEMU's virt machine.
pub trait Platform {
    /// Writes `s` to the console, returning once every byte is accepted.
    fn write_str(s: &str);

    /// Ends the machine (QEMU) with exit status `code`: 0 for success, and
    /// the harness's own codes, all below 256 ([`EXIT_FAILED`](crate::EXIT_FAILED),
    /// [`EXIT_USAGE`](crate::EXIT_USAGE), [`EXIT_PANICKED`](crate::EXIT_PANICKED),
    /// [`EXIT_TRAP`](crate::EXIT_TRAP)). Must not return, even if the exit
    /// device is missing (park the CPU then).
    fn exit(code: u32) -> !;
}

/// A `fmt::Write` sink over [`Platform::write_str`].
pub(crate) struct Console<P>(PhantomData<P>);

impl<P: Platform> Console<P> {
    pub(crate) fn new() -> Self {
        Console(PhantomData)
    }

    /// Prints formatted text; errors cannot happen (write_str never fails).
    pub(crate) fn print(args: fmt::Arguments<'_>) {
        let _ = fmt::Write::write_fmt(&mut Self::new(), args);
    }
}

impl<P: Platform> fmt::Write for Console<P> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        P::write_str(s);
        Ok(())
    }
}
