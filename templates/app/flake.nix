{
  description = "A Rust program cross-compiled with crossflake";

  inputs = {
    crossflake.url = "github:crossflake/crossflake";
    nixpkgs.follows = "crossflake/nixpkgs";
  };

  outputs =
    {
      self,
      nixpkgs,
      crossflake,
    }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
      # crossflake's functions over this system's nixpkgs, bound once per system.
      cf = system: crossflake.lib.mkLib nixpkgs.legacyPackages.${system};
    in
    {
      # nix develop .#aarch64 (or .#windows, .#riscv64-musl, ...; `default` has all):
      # linker, runner, CC/AR and pkg-config for each target, QEMU and the launcher.
      devShells = forAllSystems (
        system:
        (cf system).mkCrossShells {
          # This crate's C libraries, built for each target (its pkgsCross set).
          targetLibs = p: [ p.zlib ];
        }
      );

      # nix flake check: the tests of this crate under qemu-user for aarch64.
      checks = forAllSystems (system: {
        test-aarch64 = (cf system).buildCargoTarget {
          pname = "app-test-aarch64";
          src = ./.;
          spec = crossflake.lib.targets.aarch64;
          cargoCommand = "test --release";
          targetLibs = p: [ p.zlib ];
        };
      });
    };
}
