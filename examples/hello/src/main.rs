//! `hello` binary: prints a greeting naming the target it was built for, then
//! what the running process observes about the machine it runs on.
//!
//! Output (one item per line), e.g. under qemu-aarch64:
//!
//! ```text
//! hello from aarch64-linux
//! built for aarch64-unknown-linux-gnu
//! uname machine: aarch64
//! elf machine: 183
//! ```
//!
//! The last two lines exist on Linux only. tests/run_binary.rs checks them.

use std::process::ExitCode;

/// Exits with failure if a runtime observation fails, so callers (and
/// tests/run_binary.rs) notice instead of parsing an error line.
fn main() -> ExitCode {
    println!("{}", hello::greeting());
    println!("built for {}", hello::TARGET);
    #[cfg(target_os = "linux")]
    {
        match hello::uname_machine() {
            Ok(machine) => println!("uname machine: {machine}"),
            Err(e) => {
                eprintln!("hello: uname: {e}");
                return ExitCode::FAILURE;
            }
        }
        match hello::elf_header_of_self() {
            Ok((_, _, machine)) => println!("elf machine: {machine}"),
            Err(e) => {
                eprintln!("hello: reading /proc/self/exe: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
