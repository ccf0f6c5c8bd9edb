# mkCrossShell: one dev shell for a list of target specs: the pinned
# toolchain with the std of these targets only (toolchainFor), every target's linker/runner/CC/AR/pkg-config env (mkCrossEnv),
# QEMU, gdb, lld, pkg-config, the crossflake launcher, and the tools its
# commands call: cargo-zigbuild and zig (`--glibc X.Y`, src/backend/host.rs: it
# finds cargo-zigbuild on PATH and zig on PATH or in CARGO_ZIGBUILD_ZIG_PATH),
# cargo-nextest (`crossflake nextest`); llvm-profdata/llvm-cov come with the
# toolchain's llvm-tools component (rust-toolchain.toml), in its sysroot
# (lib/rustlib/<host>/bin, where the launcher and cargo-llvm-cov look), not
# on PATH.
#
# `$CC`/`$CXX` stay the host's compiler (stdenv's cc-wrapper hook): the
# targets' compilers are named by absolute path in CC_<t>/CXX_<t> and reach
# PATH without their setup hooks (mkCrossEnv.nix, binOnly.nix).
#
# nixpkgs: pkgs/build-support/mkshell/default.nix (packages; other attrs such
# as `env` go to mkDerivation); `qemu`, `gdb`, `lld`, `pkg-config` are
# top-level attributes (pkgs/top-level/all-packages.nix; `qemu` is the full
# build, the one with every qemu-system-* and qemu-user emulator).
# cargo-zigbuild: pkgs/by-name/ca/cargo-zigbuild/package.nix (its binary is
# wrapped with zig's bin/ on PATH); zig: the top-level `zig` that file is
# called with (pkgs/development/compilers/zig/generic.nix), whose setup hook
# (setup-hook.sh) would set ZIG_GLOBAL_CACHE_DIR to a fresh mktemp -d on
# every shell entry and take over buildPhase, so only its bin/ goes in
# (binOnly.nix; zig finds its lib/ from its real path); cargo-nextest:
# pkgs/by-name/ca/cargo-nextest/package.nix.
{
  lib,
  mkShell,
  stdenv,
  toolchainFor,
  mkCrossEnv,
  crossflake,
  qemuRunner,
  binOnly,
  qemu,
  gdb,
  lld,
  pkg-config,
  cargo-zigbuild,
  zig,
  cargo-nextest,
}:
{
  name,
  specs,
  targetLibs ? (p: [ ]),
  macosSdk ? { },
  bareMetalCC ? false,
  # How cargo runs a bare-metal ELF. Default: the launcher's runner, or,
  # without the launcher, the flake's QEMU wrapper (qemuRunner.nix).
  bareMetalRunner ? null,
  withLauncher ? true,
  packages ? [ ],
  shellHook ? "",
}:
let
  runner =
    if bareMetalRunner != null then
      bareMetalRunner
    else if withLauncher then
      (s: "crossflake runner --target ${s.name}")
    else
      (s: lib.getExe (qemuRunner s));
  envs = map (
    spec:
    mkCrossEnv {
      inherit
        spec
        targetLibs
        macosSdk
        bareMetalCC
        ;
      bareMetalRunner = runner;
    }
  ) specs;
  names = map (e: e.spec.name) envs;
  # Two targets never set the same key, except the shared WINE*, SDKROOT and
  # CROSSFLAKE_OPENSBI ones, which agree.
  merged = lib.foldl' (acc: e: acc // e.env) { } envs;
  available = lib.filter (lib.meta.availableOn stdenv.hostPlatform);
in
mkShell {
  name = "crossflake-${name}";
  packages = [
    (toolchainFor specs)
    pkg-config
    lld
    qemu
  ]
  ++ available [
    gdb
    cargo-zigbuild
    cargo-nextest
  ]
  ++ [ (binOnly "zig" [ zig ]) ]
  ++ lib.optional withLauncher crossflake
  ++ lib.concatMap (e: e.packages) envs
  ++ packages;
  env = merged // {
    # Tells the launcher it runs inside a crossflake Nix shell, and for which targets.
    CROSSFLAKE_NIX_SHELL = name;
    CROSSFLAKE_NIX_TARGETS = lib.concatStringsSep " " names;
  };
  inherit shellHook;
  passthru = { inherit envs; };
}
