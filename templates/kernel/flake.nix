{
  description = "A bare-metal riscv64 kernel built and booted with crossflake";

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
      spec = crossflake.lib.targets.riscv64-none;
      # crossflake's functions over this system's nixpkgs, bound once per system.
      scope = system: crossflake.lib.mkLib nixpkgs.legacyPackages.${system};
      # The git dependency crossflake-harness at the crossflake input's
      # revision (Cargo.lock must say that revision; harness-hashes.nix).
      outputHashes = import ./harness-hashes.nix {
        lockFile = ./Cargo.lock;
        inherit crossflake;
      };
      # Forced here: without a Cargo.lock buildCargoTarget vendors nothing and
      # never reads outputHashes, so cargo would fail offline in the sandbox
      # instead of harness-hashes.nix saying how to make the lock file.
      build =
        system: args:
        assert builtins.isAttrs outputHashes;
        (scope system).buildCargoTarget (
          {
            src = ./.;
            inherit spec outputHashes;
          }
          // args
        );
    in
    {
      # nix develop: cargo build / run / test, booted in QEMU by the
      # launcher's runner (crossflake test: one boot per harness test).
      devShells = forAllSystems (
        system:
        (scope system).mkCrossShells {
          names = [ "riscv64-none" ];
        }
      );

      # nix build: result/kernel.elf
      packages = forAllSystems (system: {
        default = build system {
          pname = "kernel";
          cargoCommand = "build --release --bin kernel";
          installPhase = "install -Dm644 target/${spec.rust_triple}/release/kernel $out/kernel.elf";
        };
      });

      # nix flake check: boots the kernel under qemu-system-riscv64 (it must
      # exit 0; the QEMU wrapper puts the SBI-reason-honouring OpenSBI in
      # place of -bios default), and runs `cargo test` with the launcher as
      # cargo's runner, which boots each test kernel once per harness test.
      checks = forAllSystems (system: {
        boot = nixpkgs.legacyPackages.${system}.runCommand "kernel-boot" { } ''
          ${nixpkgs.lib.getExe ((scope system).qemuRunner spec)} ${self.packages.${system}.default}/kernel.elf
          touch $out
        '';
        tests = build system {
          pname = "kernel-tests";
          cargoCommand = "test --release";
          launcherRunner = true;
        };
      });
    };
}
