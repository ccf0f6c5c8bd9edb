# kernelTest: boot tests for one bare-metal target under qemu-system, inside
# the derivation: `cargo test --target <triple>` for examples/kernel (every
# harness = false test is its own kernel image, run by qemuRunner as cargo's
# runner), then a boot of the released kernel.elf, which must exit 0.
# nixpkgs: lib.getExe (lib/meta.nix; writeShellApplication sets meta.mainProgram).
{ lib, src, buildCargoTarget, qemuRunner }:
{ spec, kernel }:
buildCargoTarget {
  pname = "kernel-test-${spec.name}";
  src = src + "/examples/kernel";
  inherit spec;
  cargoCommand = "test";
  installPhase = ''
    ${lib.getExe (qemuRunner spec)} ${kernel}/kernel.elf
    mkdir -p $out
    echo "examples/kernel: tests and boot on ${spec.name} passed" > $out/result
  '';
}
