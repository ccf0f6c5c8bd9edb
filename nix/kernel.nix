# kernel: examples/kernel (a no_std workspace) built hermetically for a
# bare-metal target with the pinned toolchain's prebuilt core; linked by
# rust-lld with the crate's own linker script (its build.rs). Its path
# dependency ../../harness comes with it (kernelSrc.nix; cargo runs in
# examples/kernel).
# packages.kernel-<arch>: $out/kernel.elf, bootable with
#   <qemu_system> <[runner] args of targets/<name>.toml> -kernel result/kernel.elf
# (or `nix run .#crossflake-qemu-<name> -- result/kernel.elf`, which also puts
# the target's firmware in place of `-bios default`).
{
  src,
  kernelSrc,
  buildCargoTarget,
}:
{ spec }:
buildCargoTarget {
  pname = "kernel-${spec.name}";
  src = kernelSrc;
  cargoRoot = "examples/kernel";
  # Read from the repository, not from the store path kernelSrc makes.
  cargoLock = src + "/examples/kernel/Cargo.lock";
  inherit spec;
  cargoCommand = "build --release --bin kernel";
  installPhase = ''
    install -Dm644 target/${spec.rust_triple}/release/kernel $out/kernel.elf
  '';
}
