//! Links the kernel and its test kernels at 0x80200000 (after OpenSBI) with
//! kernel.ld (rustc-link-arg, not -bins, so tests/ get it too).
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    println!("cargo:rerun-if-changed=kernel.ld");
    println!("cargo:rustc-link-arg=-T{dir}/kernel.ld");
}
