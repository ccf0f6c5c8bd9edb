{
  description = "Cortex-M3 firmware (QEMU lm3s6965evb) built and tested with crossflake";

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
      spec = crossflake.lib.targets.cortex-m3;
      scope = system: crossflake.lib.scopeFor { pkgs = nixpkgs.legacyPackages.${system}; };
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
        crossflake.lib.mkCrossShells {
          pkgs = nixpkgs.legacyPackages.${system};
          names = [ "cortex-m3" ];
        }
      );

      # nix build: result/firmware.elf
      packages = forAllSystems (system: {
        default = build system {
          pname = "firmware";
          cargoCommand = "build --release --bin firmware";
          installPhase = "install -Dm644 target/${spec.rust_triple}/release/firmware $out/firmware.elf";
        };
      });

      # nix flake check: boots the firmware under qemu-system-arm (it must
      # exit 0 through semihosting), and runs `cargo test` with the launcher
      # as cargo's runner, which boots each test image once per harness test.
      checks = forAllSystems (system: {
        boot = nixpkgs.legacyPackages.${system}.runCommand "firmware-boot" { } ''
          ${nixpkgs.lib.getExe ((scope system).qemuRunner spec)} ${
            self.packages.${system}.default
          }/firmware.elf
          touch $out
        '';
        tests = build system {
          pname = "firmware-tests";
          cargoCommand = "test --release";
          launcherRunner = true;
        };
      });
    };
}
