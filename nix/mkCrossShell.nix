# mkCrossShell: one dev shell for a list of target specs: the pinned
# toolchain, every target's linker/runner/CC/AR/pkg-config env (mkCrossEnv),
# QEMU, gdb, lld, pkg-config and the crossflake launcher.
#
# `$CC`/`$CXX` stay the host's compiler (stdenv's cc-wrapper hook): the
# targets' compilers are named by absolute path in CC_<t>/CXX_<t> and reach
# PATH without their setup hooks (mkCrossEnv.nix, binOnly.nix).
#
# nixpkgs: pkgs/build-support/mkshell/default.nix (packages; other attrs such
# as `env` go to mkDerivation); `qemu`, `gdb`, `lld`, `pkg-config` are
# top-level attributes (pkgs/top-level/all-packages.nix; `qemu` is the full
# build, the one with every qemu-system-* and qemu-user emulator).
{ lib, mkShell, stdenv, toolchain, mkCrossEnv, crossflake, qemuRunner, qemu, gdb, lld, pkg-config }:
{ name
, specs
, targetLibs ? (p: [ ])
, macosSdk ? { }
, bareMetalCC ? false
, # How cargo runs a bare-metal ELF. Default: the launcher's runner, or,
  # without the launcher, the flake's QEMU wrapper (qemuRunner.nix).
  bareMetalRunner ? null
, withLauncher ? true
, packages ? [ ]
, shellHook ? ""
}:
let
  runner =
    if bareMetalRunner != null then bareMetalRunner
    else if withLauncher then (s: "crossflake runner --target ${s.name}")
    else (s: lib.getExe (qemuRunner s));
  envs = map (spec: mkCrossEnv { inherit spec targetLibs macosSdk bareMetalCC; bareMetalRunner = runner; }) specs;
  names = map (e: e.spec.name) envs;
  # Two targets never set the same key, except the shared WINE*, SDKROOT and
  # CROSSFLAKE_OPENSBI ones, which agree.
  merged = lib.foldl' (acc: e: acc // e.env) { } envs;
in
mkShell {
  name = "crossflake-${name}";
  packages = [ toolchain pkg-config lld qemu ]
    ++ lib.optional (lib.meta.availableOn stdenv.hostPlatform gdb) gdb
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
