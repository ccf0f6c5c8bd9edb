# targetPlatform: a target's nixpkgs platform and package set, and the
# variable names its triple gives. The platform is lib.systems.examples'
# `nixpkgs_example` with `rust.rustcTarget` set to the TOML's rust_triple
# (lib/systems/default.nix: `args.rust.rustcTarget` wins over the derived
# one), so every name comes from nixpkgs' own `platform.rust` attributes and
# still says the TOML's triple where nixpkgs derives another: softfloat
# (aarch64-embedded gives aarch64-unknown-none), riscv32-embedded
# (riscv32gc-unknown-none-elf, which rust-overlay does not publish).
#
#   T  CARGO_TARGET_<T>_*: lib's rust.cargoEnvVarTarget, upper case with `-`
#      replaced; it keeps a `.` (thumbv8m.main-none-eabi), which cargo
#      replaces too, so this does.
#   t  CC_<t>, CXX_<t>, AR_<t>, PKG_CONFIG_*_<t>: the triple with `-` and `.`
#      as `_`, lower case: what the cc crate reads (cc 1.2, target_envs:
#      CC_<triple> or CC_<triple with _>). nixpkgs' rust.envVars.setEnv
#      (pkgs/build-support/rust/lib/default.nix) writes CC_<T> upper case,
#      which the cc crate does not read, so only its values are used
#      (targetTools.nix).
#
# `cross` is pkgsCross.<nixpkgs_example>, or pkgs itself when the example is
# the machine's own platform (same config).
{ lib, pkgs }:
spec:
let
  example =
    lib.systems.examples.${spec.nixpkgs_example}
      or (throw "crossflake: targets/${spec.name}.toml: nixpkgs_example = \"${spec.nixpkgs_example}\" is not in lib.systems.examples (lib/systems/examples.nix); use one of its names.");
  platform = lib.systems.elaborate (
    example
    // {
      rust = (example.rust or { }) // {
        rustcTarget = spec.rust_triple;
      };
    }
  );
  host = pkgs.stdenv.hostPlatform;
  native = platform.config == host.config;
in
{
  inherit platform native;
  cross = if native then pkgs else pkgs.pkgsCross.${spec.nixpkgs_example};
  T = lib.replaceStrings [ "." ] [ "_" ] platform.rust.cargoEnvVarTarget;
  t = lib.replaceStrings [ "-" "." ] [ "_" "_" ] platform.rust.cargoShortTarget;
}
