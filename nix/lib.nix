# The flake's `lib` output, for other projects' flakes (see templates/):
#
#   let cf = crossflake.lib.mkLib nixpkgs.legacyPackages.${system}; in
#   devShells.${system} = cf.mkCrossShells {
#     targetLibs = p: [ p.zlib p.openssl ];   # from each target's pkgsCross set
#   };
#
# mkLib binds crossflake's scope (every function of nix/) to one package set
# once, as crane's mkLib does; `.overrideScope (final: prev: { baseToolchain
# = ...; })` gives it your own toolchain (mkToolchain), and
# `linuxCrossOnDarwin = true` the from-source Linux cross compilers on a Mac.
{ rust-overlay, crane }:
{
  # The target registry (targets/*.toml), builtins only.
  targets = import ./targets.nix { };
  # pkgs -> the scope: mkCrossShells, mkCrossShell, buildCargoTarget,
  # qemuRunner, mkCrossEnv, mkOsxcross, toolchainFor, ...
  mkLib = pkgs: import ./. { inherit pkgs rust-overlay crane; };
  # { pkgs, file }: a toolchain from your rust-toolchain.toml (rust-overlay).
  mkToolchain = { pkgs, file }: (rust-overlay.lib.mkRustBin { } pkgs).fromRustupToolchainFile file;
}
