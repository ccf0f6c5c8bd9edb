//! Build script for the `hello` sample: records the target triple and the
//! cargo runner (if any) so tests can start *target* binaries themselves.
//!
//! Why the runner is needed: under qemu-user without binfmt_misc (the normal
//! case in containers and on CI machines, and on this project's Debian hosts),
//! the kernel cannot `execve` a foreign-architecture ELF; it fails with
//! ENOEXEC ("Exec format error"). QEMU passes a guest `execve` straight to the
//! host kernel, so a host binary (like `/bin/sh` or `qemu-aarch64` itself)
//! starts fine, but another aarch64 binary does not. Cargo runs the test
//! binary through `CARGO_TARGET_<TRIPLE>_RUNNER`; exporting that value lets a
//! test wrap its own child the same way cargo wrapped it.

use std::env;

fn main() {
    let target = env::var("TARGET").expect("cargo sets TARGET for build scripts");
    let key = format!("CARGO_TARGET_{}_RUNNER", target.to_uppercase().replace(['-', '.'], "_"));
    println!("cargo:rerun-if-env-changed={key}");
    println!("cargo:rerun-if-changed=build.rs");

    // A runner set in .cargo/config.toml is not visible here; crossflake's
    // launcher (and the Nix shells) set the environment variable, which is
    // what this covers. Cargo splits that value on whitespace into program
    // and arguments; `hello::output_on_target` does the same.
    let runner = env::var(&key).unwrap_or_default();
    println!("cargo:rustc-env=HELLO_TARGET={target}");
    println!("cargo:rustc-env=HELLO_RUNNER={runner}");
}
