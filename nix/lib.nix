# The flake's `lib` output, for other projects' flakes (see templates/):
#
#   devShells.${system} = crossflake.lib.mkCrossShells {
#     pkgs = nixpkgs.legacyPackages.${system};
#     targetLibs = p: [ p.zlib p.openssl ];   # from each target's pkgsCross set
#   };
#
# `toolchain` defaults to crossflake's rust-toolchain.toml (all targets'
# std); pass your own (e.g. mkToolchain with your rust-toolchain.toml).
{ rust-overlay }:
let
  scopeFor = { pkgs, toolchain ? null }: import ./. { inherit pkgs toolchain rust-overlay; };
  # Calls a scope function with the caller's arguments minus pkgs/toolchain.
  via = name: { pkgs, toolchain ? null, ... }@args:
    (scopeFor { inherit pkgs toolchain; }).${name} (removeAttrs args [ "pkgs" "toolchain" ]);
in
{
  # The target registry (targets/*.toml), builtins only.
  targets = import ./targets.nix { };
  # Every function of nix/, over your pkgs: (scopeFor { inherit pkgs; }).qemuRunner spec
  inherit scopeFor;
  # { pkgs, toolchain?, targetLibs?, macosSdk?, names?, packages?, withLauncher?,
  #   bareMetalCC?, bareMetalRunner? }
  mkCrossShells = via "mkCrossShells";
  # { pkgs, toolchain?, name, specs, targetLibs?, ... }: one shell for chosen targets.
  mkCrossShell = via "mkCrossShell";
  # { pkgs, toolchain?, pname, src, spec, cargoCommand?, installPhase?, targetLibs?,
  #   outputHashes?, nativeBuildInputs?, buildInputs?, withC?, withRunner?, extraEnv?,
  #   launcherRunner?, cargoRoot? }
  buildCargoTarget = via "buildCargoTarget";
  # { pkgs, file }: a toolchain from your rust-toolchain.toml (rust-overlay).
  mkToolchain = { pkgs, file }: (rust-overlay.lib.mkRustBin { } pkgs).fromRustupToolchainFile file;
}
