# qemuUserRunner: nixpkgs' qemu-user emulator (lib/systems/default.nix
# emulator: `${pkgs.qemu-user}/bin/qemu-<arch>`) with a target's CPU model
# ([runner] cpu: max, power10 for ppc64le), as the launcher runs it
# (src/plan/emulator.rs): `-cpu <model>` unless QEMU_CPU is set, which qemu-user
# then reads itself, so QEMU_CPU overrides the model in a shell as it does
# under `crossflake runner`. One wrapper per target rather than one QEMU_CPU
# per shell, whose targets may want different models.
# nixpkgs: writeShellApplication (pkgs/build-support/trivial-builders/default.nix:
# bin/<name>, errexit/nounset/pipefail, shellchecked when built).
{ writeShellApplication }:
{
  emulator,
  arch,
  cpu,
}:
writeShellApplication {
  name = "qemu-${arch}-cpu-${cpu}";
  text = ''
    if [ -n "''${QEMU_CPU:-}" ]; then
      exec ${emulator} "$@"
    fi
    exec ${emulator} -cpu ${cpu} "$@"
  '';
}
