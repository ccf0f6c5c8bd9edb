{
  description = "A bare-metal riscv64 kernel built and booted with crossflake";

  inputs = {
    crossflake.url = "github:crossflake/crossflake";
    nixpkgs.follows = "crossflake/nixpkgs";
  };

  outputs = { self, nixpkgs, crossflake }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = nixpkgs.lib.genAttrs systems;
      spec = crossflake.lib.targets.riscv64-none;
      scope = system: crossflake.lib.scopeFor { pkgs = nixpkgs.legacyPackages.${system}; };
    in
    {
      # nix develop: cargo build / cargo run (QEMU through the launcher's runner).
      devShells = forAllSystems (system: crossflake.lib.mkCrossShells {
        pkgs = nixpkgs.legacyPackages.${system};
        names = [ "riscv64-none" ];
      });

      # nix build: result/kernel.elf
      packages = forAllSystems (system: {
        default = (scope system).buildCargoTarget {
          pname = "kernel";
          src = ./.;
          inherit spec;
          installPhase = "install -Dm644 target/${spec.rust_triple}/release/kernel $out/kernel.elf";
        };
      });

      # nix flake check: boots it under qemu-system-riscv64; it must exit 0.
      checks = forAllSystems (system: {
        boot = nixpkgs.legacyPackages.${system}.runCommand "kernel-boot" { } ''
          ${nixpkgs.lib.getExe ((scope system).qemuRunner spec)} ${self.packages.${system}.default}/kernel.elf
          touch $out
        '';
      });
    };
}
