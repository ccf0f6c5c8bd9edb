{
  description = "crossflake: hermetic Rust cross-compilation shells, packages and QEMU checks";

  inputs = {
    # A stable release; flake.lock pins the revision.
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
    rust-overlay = {
      url = "github:oxalica/rust-overlay";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    # Dependency artifacts shared between the launcher's package and checks
    # (buildDepsOnly); it has no inputs of its own.
    crane.url = "github:ipetkov/crane/v0.23.4";
  };

  # The functions live in nix/ (one per file, registered in nix/default.nix),
  # the overlay in overlays/; the target list is targets/*.toml
  # (nix/targets.nix). nixpkgs attributes used: legacyPackages.<system>
  # (the package set) and lib (lib/default.nix: genAttrs).
  outputs =
    {
      self,
      nixpkgs,
      rust-overlay,
      crane,
    }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems =
        f:
        lib.genAttrs systems (
          system:
          f
            (import ./nix {
              pkgs = nixpkgs.legacyPackages.${system};
              inherit rust-overlay crane;
            }).outputs
        );
    in
    {
      # lib.mkLib pkgs: crossflake's scope over your package set (nix/lib.nix).
      lib = import ./nix/lib.nix { inherit rust-overlay crane; };
      overlays.default = import ./overlays { inherit rust-overlay crane; };

      devShells = forAllSystems (o: o.devShells);
      packages = forAllSystems (o: o.packages);
      # The bare-metal QEMU wrappers (nix run .#crossflake-qemu-<target>).
      apps = forAllSystems (o: o.apps);
      checks = forAllSystems (o: o.checks);
      # `nix fmt`: nixfmt on `.` unless given paths (nix/formatter.nix),
      # the same program checks.nix-format runs.
      formatter = forAllSystems (o: o.formatter);

      templates = {
        app = {
          path = ./templates/app;
          description = "A Rust program with crossflake's cross shells (nix develop .#aarch64)";
        };
        kernel = {
          path = ./templates/kernel;
          description = "A bare-metal riscv64 kernel, built and booted under QEMU by nix flake check";
        };
        cortex-m = {
          path = ./templates/cortex-m;
          description = "Cortex-M3 firmware (lm3s6965evb) built and tested under QEMU";
        };
        default = self.templates.app;
      };
    };
}
