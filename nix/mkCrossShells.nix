# mkCrossShells: devShells for every target in the registry (targets/*.toml,
# names as there) plus `default` with all of them. This is the function the
# flake's `lib.mkCrossShells` exposes to other projects.
#
# Darwin targets on a non-macOS host need osxcross and your SDK (macosSdk.nix):
# they join `default` only when `macosSdk` is given (or on a macOS host), so
# `nix develop` works before you have an SDK.
# nixpkgs: stdenv.hostPlatform (pkgs/stdenv/generic/default.nix, an elaborated
# lib/systems/default.nix platform).
{ lib, stdenv, targets, mkCrossShell }:
{ targetLibs ? (p: [ ])
, macosSdk ? { }
, names ? builtins.attrNames targets
, packages ? [ ]
, withLauncher ? true
, # null: the launcher's runner, or the QEMU wrapper without the launcher.
  bareMetalRunner ? null
, # C for bare-metal targets: false, true, or { riscv64-none = true; }.
  bareMetalCC ? false
}:
let
  spec = n: targets.${n} or (throw "crossflake: no target `${n}`; known: ${lib.concatStringsSep ", " (builtins.attrNames targets)}");
  specs = map spec names;
  needsSdk = s: lib.hasSuffix "-apple-darwin" s.rust_triple && !stdenv.hostPlatform.isDarwin;
  inDefault = s: !(needsSdk s) || macosSdk ? version;
  shell = name: specs: mkCrossShell { inherit name specs targetLibs macosSdk packages withLauncher bareMetalRunner bareMetalCC; };
in
lib.listToAttrs (map (s: lib.nameValuePair s.name (shell s.name [ s ])) specs)
  // { default = shell "all" (lib.filter inDefault specs); }
