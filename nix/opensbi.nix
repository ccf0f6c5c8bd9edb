# opensbiSrstReason: OpenSBI for QEMU virt whose SBI System Reset honours the
# reason: a shutdown with reason "system failure" makes QEMU exit 1 instead
# of 0 (nix/opensbi-srst-reason.patch; scripts/build-opensbi is the host
# twin). Used in place of `-bios default` for targets whose [runner] says
# firmware = "opensbi-srst-reason" (runnerFirmware.nix).
#
# Built on nixpkgs' pkgs/by-name/op/opensbi/package.nix (read in
# NixOS/nixpkgs: version 1.6 from fetchFromGitHub riscv-software-src/opensbi
# tag v1.6, postPatch runs patchShebangs, makeFlags = [ "PLATFORM=generic" ],
# installFlags = [ "I=$(out)" ], meta.platforms riscv64-linux and
# riscv32-linux). The patch applies to v1.5.1 through v1.9 (checked with
# `patch --dry-run` on v1.6), so a newer nixpkgs version needs no change here.
# pkgsCross.riscv64 is lib/systems/examples.nix's riscv64 (Linux, glibc),
# the toolchain nixpkgs builds its own riscv64 OpenSBI with.
#
# Usage: qemu-system-riscv64 -bios ${opensbiSrstReason}/${opensbiSrstReason.firmware} ...
{
  stdenv,
  pkgsCross,
  opensbi,
}:
let
  # The package builds for a riscv64 host only: cross-compile it elsewhere.
  base = if stdenv.hostPlatform.isRiscV64 then opensbi else pkgsCross.riscv64.opensbi;
  firmware = "share/opensbi/lp64/generic/firmware/fw_dynamic.bin";
in
base.overrideAttrs (old: {
  pname = "opensbi-crossflake";
  patches = (old.patches or [ ]) ++ [ ./opensbi-srst-reason.patch ];
  # Only fw_dynamic, the image QEMU's -bios takes (as with -bios default).
  makeFlags = (old.makeFlags or [ ]) ++ [
    "FW_DYNAMIC=y"
    "FW_JUMP=n"
    "FW_PAYLOAD=n"
  ];
  passthru = (old.passthru or { }) // {
    inherit firmware;
  };
})
