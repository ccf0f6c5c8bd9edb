# buildCargoTarget: runs cargo for one target inside a derivation: the pinned
# toolchain, dependencies vendored from Cargo.lock (rustPlatform.importCargoLock
# + cargoSetupHook, pkgs/build-support/rust/import-cargo-lock.nix and
# hooks/cargo-setup-hook.sh), and the target's env from mkCrossEnv, where
# bare-metal targets run under qemuRunner instead of the launcher.
# `cargoCommand` may be `build ...` or `test ...`: nixpkgs turns doCheck off
# for cross builds, so tests under QEMU are run here as the build itself.
{ lib, stdenv, toolchain, rustPlatform, mkCrossEnv, qemuRunner }:
{ pname
, src
, spec
, cargoCommand ? "build --release"
, installPhase ? "touch $out"
, targetLibs ? (p: [ ])
, extraEnv ? { }
}:
let
  lockFile = src + "/Cargo.lock";
  hasLock = builtins.pathExists lockFile;
  target = mkCrossEnv {
    inherit spec targetLibs;
    bareMetalRunner = s: lib.getExe (qemuRunner s);
  };
in
stdenv.mkDerivation ({
  inherit pname src installPhase;
  version = "0";
  nativeBuildInputs = [ toolchain ] ++ lib.optional hasLock rustPlatform.cargoSetupHook;
  # String context pulls in the cross cc, qemu-user, wine and the runner.
  env = target.env // {
    CARGO_NET_OFFLINE = "true";
    CARGO_TERM_COLOR = "never";
  } // extraEnv;
  dontConfigure = true;
  buildPhase = ''
    runHook preBuild
    export HOME=$TMPDIR WINEPREFIX=$TMPDIR/wine
    cargo ${cargoCommand} --offline --target ${spec.rust_triple}
    runHook postBuild
  '';
  dontStrip = true;
  dontPatchELF = true;
  passthru = { inherit target; };
} // lib.optionalAttrs hasLock {
  cargoDeps = rustPlatform.importCargoLock { inherit lockFile; };
})
