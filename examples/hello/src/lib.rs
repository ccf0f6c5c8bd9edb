//! `hello`: the greeting, runtime observations of the machine the process is
//! running on, and a helper that starts another *target* binary through the
//! cargo runner (the host kernel cannot execute a foreign one by itself).

use std::ffi::OsStr;
use std::io;
use std::process::{Command, Output};

#[cfg(test)]
mod ontarget;

/// Target triple this crate was compiled for (from build.rs).
pub const TARGET: &str = env!("HELLO_TARGET");

/// The cargo runner for [`TARGET`] at build time (`CARGO_TARGET_<T>_RUNNER`),
/// empty when none was set (native runs).
pub const RUNNER: &str = env!("HELLO_RUNNER");

/// `hello from <arch>-<os>`, e.g. `hello from aarch64-linux`.
pub fn greeting() -> String {
    format!("hello from {}-{}", std::env::consts::ARCH, std::env::consts::OS)
}

/// ELF `e_machine` value for the architecture this crate was compiled for.
pub fn expected_elf_machine() -> Option<u16> {
    match std::env::consts::ARCH {
        "x86" => Some(3),
        "arm" => Some(40),
        "x86_64" => Some(62),
        "aarch64" => Some(183),
        "riscv32" | "riscv64" => Some(243),
        "powerpc64" => Some(21),
        "s390x" => Some(22),
        "loongarch64" => Some(258),
        _ => None,
    }
}

/// The identification bytes of the running executable's ELF header:
/// `(EI_CLASS, EI_DATA, e_machine)`, read at run time from /proc/self/exe.
/// Under qemu-user, QEMU maps /proc/self/exe to the guest binary.
#[cfg(target_os = "linux")]
pub fn elf_header_of_self() -> io::Result<(u8, u8, u16)> {
    use std::io::Read;
    let mut header = [0u8; 20];
    std::fs::File::open("/proc/self/exe")?.read_exact(&mut header)?;
    if header[..4] != *b"\x7fELF" {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "not an ELF file"));
    }
    let (class, data) = (header[4], header[5]);
    let raw = [header[18], header[19]];
    // e_machine is stored in the file's own byte order (EI_DATA: 1 LE, 2 BE).
    let machine = if data == 2 { u16::from_be_bytes(raw) } else { u16::from_le_bytes(raw) };
    Ok((class, data, machine))
}

/// The machine name the kernel reports to this process (`uname -m`).
/// Under qemu-user this is the emulated CPU, not the host's.
#[cfg(target_os = "linux")]
pub fn uname_machine() -> io::Result<String> {
    // glibc and musl both use six fields of 65 bytes on Linux.
    #[repr(C)]
    struct UtsName([[u8; 65]; 6]);
    extern "C" {
        fn uname(buf: *mut UtsName) -> i32;
    }
    let mut uts = UtsName([[0; 65]; 6]);
    // SAFETY: `uts` is a writable buffer with the size and layout of `struct utsname`.
    if unsafe { uname(&mut uts) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let field = &uts.0[4];
    let len = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    Ok(String::from_utf8_lossy(&field[..len]).into_owned())
}

/// Runs `program` (a binary built for [`TARGET`]) and collects its output.
///
/// With a runner recorded at build time, `program` is started through it,
/// the same way cargo started this process; otherwise directly. Trying the
/// direct way first and falling back is not reliable: without binfmt_misc the
/// host kernel refuses a foreign ELF with ENOEXEC, but glibc's `posix_spawn`
/// (which std uses) reports that through memory shared with a CLONE_VFORK
/// child, and qemu-user emulates that clone as a plain fork, so the parent
/// sees a successful spawn and a child exiting with 127 instead of an error.
///
/// Linux targets only: under wine the runner is a host path a Windows process
/// cannot start, and Windows programs start each other directly there.
pub fn output_on_target<P, F>(program: P, configure: F) -> io::Result<Output>
where
    P: AsRef<OsStr>,
    F: FnOnce(&mut Command),
{
    let runner = if cfg!(target_os = "linux") { RUNNER } else { "" };
    let mut words = runner.split_whitespace();
    let mut cmd = match words.next() {
        Some(runner) => {
            let mut cmd = Command::new(runner);
            cmd.args(words).arg(program);
            cmd
        }
        None => Command::new(program),
    };
    configure(&mut cmd);
    cmd.output()
}
