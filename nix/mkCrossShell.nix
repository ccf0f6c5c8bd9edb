# mkCrossShell: one dev shell for a list of target specs: the pinned
# toolchain, every target's linker/runner/CC/AR/pkg-config env (mkCrossEnv),
# QEMU, gdb, lld, pkg-config and the crossflake launcher.
#
# nixpkgs: pkgs/build-support/mkshell/default.nix (packages; other attrs such
# as `env` go to mkDerivation); `qemu`, `gdb`, `lld`, `pkg-config` are
# top-level attributes (pkgs/top-level/all-packages.nix).
{ lib, mkShell, stdenv, toolchain, mkCrossEnv, crossflake, qemu, gdb, lld, pkg-config }:
{ name
, specs
, targetLibs ? (p: [ ])
, macosSdk ? { }
, bareMetalRunner ? (s: "crossflake runner --target ${s.name}")
, withLauncher ? true
, packages ? [ ]
, shellHook ? ""
}:
let
  envs = map (spec: mkCrossEnv { inherit spec targetLibs macosSdk bareMetalRunner; }) specs;
  names = map (e: e.spec.name) envs;
  # Two targets never set the same key, except the shared WINE*/SDKROOT ones,
  # which agree.
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
