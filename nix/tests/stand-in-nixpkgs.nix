# A stand-in nixpkgs flake for a current Nix (scripts/test-flake-nix226
# copies this file as flake.nix beside stand-in.nix and nixpkgs.lib's lib/):
# `lib` is the real nixpkgs.lib, `legacyPackages.<system>` the stand-in
# package set, as nix/tests/eval.nix gives them to Nix 2.8.
{
  description = "stand-in nixpkgs: the real lib, packages that record their arguments";
  outputs =
    { self }:
    let
      lib = import ./lib;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ] (system: import ./stand-in.nix { inherit lib system; });
    };
}
