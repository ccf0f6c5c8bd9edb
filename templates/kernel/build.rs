//! Links the kernel at 0x80200000 (after OpenSBI) with kernel.ld.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    println!("cargo:rerun-if-changed=kernel.ld");
    println!("cargo:rustc-link-arg-bins=-T{dir}/kernel.ld");
}
