# Registers crossflake's Nix functions, one per file (crane-style), in a
# package scope over `pkgs` (lib.makeScope, lib/customisation.nix): each file
# is called with callPackage, so it names what it needs from pkgs or from
# this scope.
#
#   (import ./nix { inherit pkgs; }).mkCrossShells { targetLibs = p: [ p.zlib ]; }
#
# The flake's `lib.mkLib pkgs` returns this scope (bound once per package
# set, as crane's mkLib); `.overrideScope` changes a member, e.g.
# `toolchain` or `linuxCrossOnDarwin`.
{
  pkgs,
  # The pinned toolchain; by default rust-toolchain.toml read by rust-overlay
  # (its rust-bin from an overlay on pkgs, or rust-overlay.lib.mkRustBin).
  toolchain ? null,
  rust-overlay ? null,
  # ipetkov/crane (its flake): the launcher's package and checks share their
  # dependency artifacts through crane's buildDepsOnly (crossflake.nix).
  crane ? null,
  # Source of the launcher (the repository root).
  src ? ../.,
  targets ? import ./targets.nix { },
  # On a darwin machine: give Linux targets nixpkgs' cross gcc, glibc and
  # qemu-user, and riscv64-none the patched OpenSBI, all built from source
  # there (mkCrossEnv.nix `mode`; off by default, issue 21 finding 1).
  linuxCrossOnDarwin ? false,
}:
let
  inherit (pkgs) lib;
  toolchainFile = src + "/rust-toolchain.toml";
  fileTargets = (builtins.fromTOML (builtins.readFile toolchainFile)).toolchain.targets or [ ];
  rustBin =
    if pkgs ? rust-bin then
      pkgs.rust-bin
    else if rust-overlay != null then
      rust-overlay.lib.mkRustBin { } pkgs
    else
      throw "crossflake: pkgs has no rust-bin; apply rust-overlay's overlay or pass `toolchain`.";
in
lib.makeScope pkgs.newScope (self: {
  inherit targets src linuxCrossOnDarwin;
  # The rust_triple of every registry target (the `all` shell's toolchain).
  # rust-toolchain.toml lists only what rustup on the project's machines can
  # download (it gets a 404 for riscv64gc-unknown-linux-musl at 1.95.0,
  # which rust-overlay's manifests/stable/1.95.0.nix does list), so the
  # flake adds the rest. No derivation builds std from source.
  toolchainTargets = lib.unique (
    fileTargets ++ lib.concatMap self.stdTriples (builtins.attrValues targets)
  );
  # The triples whose std a target needs: a universal2 macOS binary is cargo-zigbuild's
  # join of the two darwin builds (the launcher's TargetSpec::std_triples says the same).
  stdTriples =
    s:
    if s.rust_triple == "universal2-apple-darwin" then
      [
        "aarch64-apple-darwin"
        "x86_64-apple-darwin"
      ]
    else
      [ s.rust_triple ];
  # Targets only the launcher serves (universal2: cargo-zigbuild joins two darwin
  # builds); the flake gives them no shell or package: use the darwin ones.
  # MSVC: cargo-xwin fetches Microsoft's CRT and SDK, which nixpkgs does not package.
  launcherOnly =
    s: s.rust_triple == "universal2-apple-darwin" || lib.hasSuffix "-windows-msvc" s.rust_triple;
  # rust-overlay lib/rust-bin.nix: fromRustupToolchainFile reads [toolchain]
  # and returns the profile's makeOverridable result, whose override merges
  # into the arguments it was made with (extensions stay as the TOML says,
  # `targets` replaces the file's list; the host's std is always in).
  baseToolchain =
    if toolchain != null then toolchain else rustBin.fromRustupToolchainFile toolchainFile;
  # The toolchain with the std of these specs only (plus the host's), so a
  # shell or build realises no other target's rust-std (issue 21, finding
  # 4). A toolchain without `override` (not rust-overlay's) is used as is.
  toolchainFor =
    specs:
    if self.baseToolchain ? override then
      self.baseToolchain.override { targets = lib.unique (lib.concatMap self.stdTriples specs); }
    else
      self.baseToolchain;
  # Every target's std: the `all` shell's, and the one `toolchain` names.
  toolchain = self.toolchainFor (builtins.attrValues targets);
  # The launcher's own builds need the host's std only.
  hostToolchain = self.toolchainFor [ ];
  # pkgs/development/compilers/rust/make-rust-platform.nix: { rustc, cargo }.
  rustPlatform = pkgs.makeRustPlatform {
    cargo = self.hostToolchain;
    rustc = self.hostToolchain;
  };

  # crane's library over this package set with the host toolchain
  # (crane lib/default.nix: mkLib pkgs, overrideToolchain).
  craneLib =
    if crane == null then
      throw "crossflake: nix/default.nix needs `crane` (the flake's input) for the launcher's builds."
    else
      (crane.mkLib pkgs).overrideToolchain (_: self.hostToolchain);

  # A target's platform, package set and variable names.
  targetPlatform = self.callPackage ./targetPlatform.nix { };

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
