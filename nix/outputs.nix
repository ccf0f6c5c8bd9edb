# outputs: the per-system flake outputs (devShells, packages, checks), made
# from the registry in targets/ and the functions of this scope.
# Hello/kernel builds and all checks are for Linux build machines; on macOS
# only the shells and the launcher are offered.
# nixpkgs: stdenv.hostPlatform.isLinux (pkgs/stdenv/generic/default.nix;
# lib/systems/inspect.nix); lib.importTOML (lib/trivial.nix).
{ lib
, stdenv
, src
, targets
, mkCrossEnv
, mkCrossShells
, mkOsxcross
, crossflake
, qemuRunner
, crossHello
, crossHelloTest
, cdemoTest
, kernel
, kernelTest
, cargoLint
, nixFormatCheck
, formatter
}:
let
  specs = builtins.attrValues targets;
  isApple = s: lib.hasSuffix "-apple-darwin" s.rust_triple;
  std = lib.filter (s: s.kind == "std" && !(isApple s)) specs;
  bare = lib.filter (s: s.kind == "bare-metal") specs;
  runnable = lib.filter (s: (mkCrossEnv { spec = s; }).canRun) std;
  # cdemo is the C side (the cc crate, libz-sys, the target's liblzma through
  # pkg-config): not for wasm32-wasip1, whose C needs a wasi-libc clang that
  # the launcher's host backend has not got either, and for which nixpkgs'
  # xz is not known to build (it would make `nix flake check` fail).
  withC = lib.filter (s: s.runner.type != "wasi") runnable;
  # kernel-riscv64 for riscv64-none, kernel-aarch64 for aarch64-none,
  # kernel-aarch64-none-softfloat: the names the launcher looks for
  # (src/nix/flake.rs package_attrs, check_attrs strip a trailing -none).
  kernelName = s: "kernel-" + lib.removeSuffix "-none" s.name;
  kernels = each (s: lib.nameValuePair (kernelName s) (kernel { spec = s; })) bare;
  # Written by `crossflake sdk add` (see macosSdk.nix); optional.
  sdkFile = src + "/macos-sdk.toml";
  macosSdk = if builtins.pathExists sdkFile then lib.importTOML sdkFile else { };
  each = f: xs: lib.listToAttrs (map f xs);
  linuxOnly = lib.optionalAttrs stdenv.hostPlatform.isLinux;
in
{
  devShells = mkCrossShells { inherit macosSdk; };
  inherit formatter;

  packages = {
    inherit crossflake;
    default = crossflake;
  } // linuxOnly (
    kernels
      // each (s: lib.nameValuePair "hello-${s.name}" (crossHello { spec = s; })) std
      // each (s: lib.nameValuePair "crossflake-qemu-${s.name}" (qemuRunner s)) bare
      // lib.optionalAttrs (macosSdk ? version) { osxcross = mkOsxcross macosSdk; }
  );

  checks = linuxOnly (
    each (s: lib.nameValuePair "hello-${s.name}" (crossHelloTest { spec = s; })) runnable
    // each (s: lib.nameValuePair "cdemo-${s.name}" (cdemoTest { spec = s; })) withC
    // each (s: lib.nameValuePair "${kernelName s}-boot" (kernelTest { spec = s; kernel = kernels.${kernelName s}; })) bare
    // {
      crossflake-unit = cargoLint.unit;
      crossflake-clippy = cargoLint.clippy;
      crossflake-rustfmt = cargoLint.rustfmt;
      nix-format = nixFormatCheck;
    }
  );
}
