//! Integration test: runs the built `hello` binary and checks what it prints.
//!
//! `hello` is a target binary. Under qemu-user this test is emulated too, and
//! without binfmt_misc the host kernel cannot exec another foreign ELF: a
//! plain spawn "succeeds" with a child exiting 127 (glibc posix_spawn under
//! QEMU's fork emulation). So `hello::output_on_target` starts it through the
//! cargo runner that started this test (`CARGO_TARGET_<TRIPLE>_RUNNER`,
//! recorded by build.rs); natively there is none and it starts directly.
//! Either way `hello` really runs on the target (or its emulation), and its
//! output reports what it observed there.

use std::process::Output;

fn run_hello() -> Output {
    let exe = env!("CARGO_BIN_EXE_hello");
    let out = hello::output_on_target(exe, |_| {})
        .unwrap_or_else(|e| panic!("start {exe}: {e} (runner: {:?})", hello::RUNNER));
    assert!(out.status.success(), "hello failed: {out:?}");
    out
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "WASI preview 1 has no processes")]
fn prints_greeting_for_its_target() {
    let out = run_hello();
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    let mut lines = stdout.lines();
    let expected = format!("hello from {}-{}", std::env::consts::ARCH, std::env::consts::OS);
    assert_eq!(lines.next(), Some(expected.as_str()));
    assert_eq!(lines.next(), Some(format!("built for {}", hello::TARGET).as_str()));

    if cfg!(target_os = "linux") {
        // What the child observed at run time must match what this test (a
        // binary for the same target) was compiled for.
        let machine = lines.next().expect("uname line");
        if matches!(std::env::consts::ARCH, "x86_64" | "aarch64" | "riscv64") {
            assert_eq!(machine, format!("uname machine: {}", std::env::consts::ARCH));
        }
        let elf = lines.next().expect("elf line");
        let e_machine = hello::expected_elf_machine().expect("known architecture");
        assert_eq!(elf, format!("elf machine: {e_machine}"));
    }
    assert_eq!(lines.next(), None, "unexpected extra output");
}

#[test]
fn greeting_names_the_target_triple_arch() {
    // The triple's first component and the greeting agree (riscv64gc → riscv64,
    // i686 → x86, armv7 → arm, powerpc64le → powerpc64).
    let arch = hello::TARGET.split('-').next().expect("triple");
    let arch = if matches!(arch, "i686" | "i586") { "x86" } else { arch };
    let greeting = hello::greeting();
    let named = greeting.trim_start_matches("hello from ");
    assert!(arch.starts_with(named.split('-').next().unwrap()), "{arch} vs {greeting}");
}
