# targetTools: one target's C compiler, archiver and linker, called through
# the target's own package set (`(targetPlatform spec).cross.callPackage`),
# so nixpkgs' splicing picks them: `stdenv.cc` is the cc-wrapper that runs
# here and builds for the target, `windows.pthreads` is built for Windows,
# and `rust.envVars` is that set's (pkgs/build-support/rust/lib/default.nix:
# linkerForHost is `${stdenv.cc}/bin/${targetPrefix}cc`, or ld.lld for a
# static aarch64 platform, the rust-lang/rust#89626 workaround).
#
# Windows (finding 2 of issue 21): MinGW's pthreads goes on the linker, in
# the cc-wrapper's nix-support/cc-ldflags (read by
# pkgs/build-support/cc-wrapper/add-flags.sh into the wrapper's LDFLAGS;
# `extraBuildCommands` is an argument of pkgs/build-support/cc-wrapper/default.nix,
# so `.override` adds to it), not in CARGO_TARGET_<T>_RUSTFLAGS, which any
# RUSTFLAGS would silently replace (cargo's rustflags sources are exclusive).
{
  lib,
  stdenv,
  rust,
  windows ? null,
}:
let
  base = stdenv.cc;
  mingw = stdenv.hostPlatform.isMinGW;
  cc =
    if mingw then
      base.override (old: {
        extraBuildCommands = (old.extraBuildCommands or "") + ''
          echo ' -L${windows.pthreads}/lib' >> $out/nix-support/cc-ldflags
        '';
      })
    else
      base;
  bin = name: "${cc}/bin/${cc.targetPrefix}${name}";
in
{
  inherit cc;
  inherit (cc) targetPrefix;
  CC = bin "cc";
  CXX = bin "c++";
  # bintools-wrapper links `${targetPrefix}ar` (llvm-ar for useLLVM platforms such as wasi32).
  AR = "${cc.bintools}/bin/${cc.targetPrefix}ar";
  linker = if mingw then bin "cc" else rust.envVars.linkerForHost;
  pthreads = if mingw then windows.pthreads else null;
}
