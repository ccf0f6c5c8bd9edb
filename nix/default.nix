# Registers crossflake's Nix functions, one per file (crane-style), in a
# package scope over `pkgs` (lib.makeScope, lib/customisation.nix): each file
# is called with callPackage, so it names what it needs from pkgs or from
# this scope.
#
#   (import ./nix { inherit pkgs; }).mkCrossShells { targetLibs = p: [ p.zlib ]; }
{ pkgs
, # The pinned toolchain; by default rust-toolchain.toml read by rust-overlay
  # (its rust-bin from an overlay on pkgs, or rust-overlay.lib.mkRustBin).
  toolchain ? null
, rust-overlay ? null
, # Source of the launcher (the repository root).
  src ? ../.
, targets ? import ./targets.nix { }
}:
let
  inherit (pkgs) lib;
  toolchainFile = src + "/rust-toolchain.toml";
  fileTargets = (builtins.fromTOML (builtins.readFile toolchainFile)).toolchain.targets or [ ];
  rustBin =
    if pkgs ? rust-bin then pkgs.rust-bin
    else if rust-overlay != null then rust-overlay.lib.mkRustBin { } pkgs
    else throw "crossflake: pkgs has no rust-bin; apply rust-overlay's overlay or pass `toolchain`.";
in
lib.makeScope pkgs.newScope (self: {
  inherit targets src;
  # The rust_triple of every registry target. The default toolchain has the
  # std of each: rust-toolchain.toml lists only what rustup on the project's
  # machines can download (it gets a 404 for riscv64gc-unknown-linux-musl at
  # 1.95.0, which rust-overlay's manifests/stable/1.95.0.nix does list), so
  # the flake adds the rest here. No derivation builds std from source.
  toolchainTargets = lib.unique (fileTargets ++ map (s: s.rust_triple) (builtins.attrValues targets));
  # rust-overlay lib/rust-bin.nix: fromRustupToolchainFile reads [toolchain]
  # and returns the profile's makeOverridable result, whose override merges
  # into the arguments it was made with (extensions stay as the TOML says).
  toolchain =
    if toolchain != null then toolchain
    else (rustBin.fromRustupToolchainFile toolchainFile).override { targets = self.toolchainTargets; };
  # pkgs/development/compilers/rust/make-rust-platform.nix: { rustc, cargo }.
  rustPlatform = pkgs.makeRustPlatform { cargo = self.toolchain; rustc = self.toolchain; };

  # Shells
  binOnly = self.callPackage ./binOnly.nix { };
  mingwRuntimeDlls = self.callPackage ./mingwRuntimeDlls.nix { };
  mkCrossEnv = self.callPackage ./mkCrossEnv.nix { };
  mkCrossShell = self.callPackage ./mkCrossShell.nix { };
  mkCrossShells = self.callPackage ./mkCrossShells.nix { };

  # macOS from Linux
  macosSdk = self.callPackage ./macosSdk.nix { };
  mkOsxcross = self.callPackage ./osxcross.nix { };
  osxcross = self.mkOsxcross { };

  # Runners and builds
  opensbiSrstReason = self.callPackage ./opensbi.nix { };
  runnerFirmware = self.callPackage ./runnerFirmware.nix { };
  qemuRunner = self.callPackage ./qemuRunner.nix { };
  qemuUserRunner = self.callPackage ./qemuUserRunner.nix { };
  wasiRunner = self.callPackage ./wasiRunner.nix { };
  buildCargoTarget = self.callPackage ./buildCargoTarget.nix { };
  crossHello = self.callPackage ./crossHello.nix { };
  kernelSrc = self.callPackage ./kernelSrc.nix { };
  kernel = self.callPackage ./kernel.nix { };
  crossflake = self.callPackage ./crossflake.nix { };

  # Checks
  crossHelloTest = self.callPackage ./crossHelloTest.nix { };
  cdemoTest = self.callPackage ./cdemoTest.nix { };
  kernelTest = self.callPackage ./kernelTest.nix { };
  cargoLint = self.callPackage ./cargoLint.nix { };
  nixFormatCheck = self.callPackage ./nixFormatCheck.nix { };
  formatter = self.callPackage ./formatter.nix { };

  # Per-system flake outputs, assembled from the functions above.
  outputs = self.callPackage ./outputs.nix { };
})
