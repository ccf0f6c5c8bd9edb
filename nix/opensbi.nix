# OpenSBI for QEMU virt whose SBI System Reset honours the reason: a
# shutdown with reason "system failure" makes QEMU exit 1 instead of 0
# (nix/opensbi-srst-reason.patch; scripts/build-opensbi is the host twin).
#
# Built on nixpkgs' pkgs/by-name/op/opensbi/package.nix (read in
# NixOS/nixpkgs: version 1.6 from fetchFromGitHub riscv-software-src/opensbi
# tag v1.6, postPatch runs patchShebangs, makeFlags = [ "PLATFORM=generic" ],
# installFlags = [ "I=$(out)" ], meta.platforms riscv64-linux and
# riscv32-linux). The patch applies cleanly to v1.5.1 through v1.9, so a
# newer nixpkgs version needs no change here.
#
# Usage: qemu-system-riscv64 -bios ${opensbi}/${opensbi.firmware} ...
pkgs:
let
  # The package builds for a riscv host only: cross-compile it elsewhere.
  riscv = if pkgs.stdenv.hostPlatform.isRiscV64 then pkgs else pkgs.pkgsCross.riscv64;
  firmware = "share/opensbi/lp64/generic/firmware/fw_dynamic.bin";
in
riscv.opensbi.overrideAttrs (old: {
  pname = "opensbi-crossflake";
  patches = (old.patches or [ ]) ++ [ ./opensbi-srst-reason.patch ];
  # Only fw_dynamic, the image QEMU's -bios takes (as with -bios default).
  makeFlags = (old.makeFlags or [ ]) ++ [ "FW_DYNAMIC=y" "FW_JUMP=n" "FW_PAYLOAD=n" ];
  passthru = (old.passthru or { }) // { inherit firmware; };
})
