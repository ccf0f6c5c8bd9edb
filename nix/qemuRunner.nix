# qemuRunner: boots a bare-metal ELF the way targets/<name>.toml [runner]
# says, `<qemu_system> <args> -kernel <elf>`, under `timeout timeout_secs`.
# QEMU's exit code is the kernel's (SiFive test device / semihosting exit);
# 124 means it timed out. Usable as CARGO_TARGET_<T>_RUNNER (cargo appends
# the ELF path; further arguments are ignored) and by the Nix checks.
# nixpkgs: writeShellApplication (pkgs/build-support/trivial-builders), `qemu`
# (full QEMU with the system emulators and the OpenSBI firmware `-bios default` loads).
{ lib, writeShellApplication, qemu, coreutils }:
spec:
assert spec.runner.type == "qemu-system"
  || throw "crossflake: targets/${spec.name}.toml: qemuRunner needs [runner] type = \"qemu-system\".";
writeShellApplication {
  name = "crossflake-qemu-${spec.name}";
  runtimeInputs = [ qemu coreutils ];
  text = ''
    if [ "$#" -lt 1 ]; then
      echo "usage: crossflake-qemu-${spec.name} KERNEL.elf" >&2
      exit 2
    fi
    exec timeout ${toString (spec.runner.timeout_secs or 60)} \
      ${spec.runner.qemu_system} ${lib.escapeShellArgs (spec.runner.args or [ ])} -kernel "$1"
  '';
}
