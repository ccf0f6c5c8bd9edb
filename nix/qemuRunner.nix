# qemuRunner: boots a bare-metal ELF the way targets/<name>.toml [runner]
# says, `<qemu_system> <args> -kernel <elf>`, under `timeout timeout_secs`.
# QEMU's exit code is the kernel's (SiFive test device / semihosting exit);
# 124 means it timed out. Usable as CARGO_TARGET_<T>_RUNNER (cargo appends
# the ELF path; further arguments are ignored) and by the Nix checks.
#
# On a terminal timeout runs with --foreground: otherwise it puts itself and
# QEMU in a process group of their own, which is not the terminal's
# foreground group, and QEMU's tcsetattr on the tty (-nographic) stops it
# with SIGTTOU, so the runner hangs. Without a terminal (Nix builds, pipes)
# it keeps its own process group and kills the whole group on timeout. In
# both modes a QEMU that ignores SIGTERM gets SIGKILL 5 s later.
#
# nixpkgs: writeShellApplication (pkgs/build-support/trivial-builders/default.nix),
# `qemu` (pkgs/applications/virtualization/qemu/default.nix, the full build:
# the qemu-system-* emulators and the OpenSBI firmware `-bios default` loads),
# `coreutils` (timeout). A target's `[runner] firmware` replaces `-bios
# default` (runnerFirmware.nix: the SBI-reason-honouring OpenSBI for
# riscv64-none).
{
  lib,
  writeShellApplication,
  qemu,
  coreutils,
  runnerFirmware,
}:
spec:
assert
  spec.runner.type == "qemu-system"
  || throw "crossflake: targets/${spec.name}.toml: qemuRunner needs [runner] type = \"qemu-system\".";
let
  inherit (runnerFirmware spec) args;
in
writeShellApplication {
  name = "crossflake-qemu-${spec.name}";
  runtimeInputs = [
    qemu
    coreutils
  ];
  text = ''
    if [ "$#" -lt 1 ]; then
      echo "usage: crossflake-qemu-${spec.name} KERNEL.elf" >&2
      exit 2
    fi
    fg=()
    if [ -t 0 ] || [ -t 1 ] || [ -t 2 ]; then
      fg=(--foreground)
    fi
    exec timeout "''${fg[@]}" --kill-after=5 ${toString (spec.runner.timeout_secs or 60)} \
      ${spec.runner.qemu_system} ${lib.escapeShellArgs args} -kernel "$1"
  '';
}
