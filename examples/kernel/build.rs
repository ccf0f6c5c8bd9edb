//! Passes the per-architecture linker script to every linked target of this
//! package (the kernel binary and each harness=false test kernel).

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=linker");
    println!("cargo:rerun-if-changed=build.rs");

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "none" {
        // Host builds fail in src/arch with a clear compile_error!.
        return;
    }
    let script = match arch.as_str() {
        "riscv64" => "riscv64.ld",
        "aarch64" => "aarch64.ld",
        _ => return,
    };
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let path = dir.join("linker").join(script);
    // rustc-link-arg (not -bins) so test kernels get the script too.
    println!("cargo:rustc-link-arg=-T{}", path.display());
}
