# kernelTest: the kernel tests of one bare-metal target under qemu-system,
# inside the derivation: `cargo test --target <triple>` in examples/kernel
# with the launcher as cargo's runner (`crossflake runner --target <name>`,
# the flake's own crossflake package). Each tests/*.rs is a
# crossflake-harness kernel, which the launcher boots once to list its tests
# and then once per test, so the verdicts are per test (libtest's output:
# should_panic and ignored as declared), with the target's firmware
# (CROSSFLAKE_OPENSBI, runnerFirmware.nix) and the console rules. With the
# QEMU wrapper as the runner a test kernel would boot once for all its
# tests: one exit code per file, and a hang or trap would end the rest.
# Then a plain boot of the released kernel.elf with the QEMU wrapper
# (qemuRunner.nix), which must exit 0.
#
# Nothing of it needs what the sandbox lacks: the launcher needs
# qemu-system-* on PATH (buildCargoTarget adds qemu), a writable HOME for its
# cache ($TMPDIR) and no terminal; it bounds each boot by the target's
# timeout_secs and kills a timed-out boot's whole process tree (src/exec/).
# nixpkgs: lib.getExe (lib/meta.nix; writeShellApplication sets meta.mainProgram).
{
  lib,
  src,
  kernelSrc,
  buildCargoTarget,
  qemuRunner,
}:
{ spec, kernel }:
buildCargoTarget {
  pname = "kernel-test-${spec.name}";
  src = kernelSrc;
  cargoRoot = "examples/kernel";
  # Read from the repository, not from the store path kernelSrc makes.
  cargoLock = src + "/examples/kernel/Cargo.lock";
  inherit spec;
  cargoCommand = "test";
  launcherRunner = true;
  installPhase = ''
    ${lib.getExe (qemuRunner spec)} ${kernel}/kernel.elf
    mkdir -p $out
    echo "examples/kernel: tests and boot on ${spec.name} passed" > $out/result
  '';
}
