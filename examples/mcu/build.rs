//! Gives the linker this target's memory map (memory/<triple>.x, copied as
//! memory.x where cortex-m-rt's and riscv-rt's link.x look for it) and the
//! runtime's linker script, for every linked target of this package (the
//! firmware and each harness=false test image: rustc-link-arg, not -bins).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=build.rs");
    let target = env::var("TARGET").expect("TARGET");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        // Host builds fail in src/lib.rs with a clear compile_error!.
        return;
    }
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let map = dir.join("memory").join(format!("{target}.x"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    if let Err(e) = fs::copy(&map, out.join("memory.x")) {
        panic!(
            "no memory map for {target}: {} ({e}); add one (docs/microcontrollers.md has each target's map)",
            map.display()
        );
    }
    println!("cargo:rustc-link-search={}", out.display());
    if env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("riscv32") {
        // riscv-rt's link.x expects memory.x on the command line first.
        println!("cargo:rustc-link-arg=-Tmemory.x");
    }
    println!("cargo:rustc-link-arg=-Tlink.x");
}
