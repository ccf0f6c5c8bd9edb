# crossflake: the launcher (Cargo.toml + Cargo.lock at the repository root),
# built with buildRustPackage (pkgs/build-support/rust/build-rust-package)
# from the pinned toolchain; dependencies come from cargoLock.lockFile.
# Its tests are separate checks (cargoLint.nix), so the package does not run them.
{ lib, src, rustPlatform }:
let
  # The test targets the crossflake-unit check runs (cargo test --test <name>,
  # cargoLint.nix): those of tests/ that need no external tool (no Nix, QEMU,
  # wine, cross gcc or network), so they pass in the build sandbox. Keep this
  # list in step with tests/ (a listed file that is missing is an evaluation
  # error). src/ has no unit tests; they live in tests/.
  toolFreeTests = [ "plan" "targets" "nix_pure" "args" "cargo_config" "structure" ];
  manifest = (builtins.fromTOML (builtins.readFile (src + "/Cargo.toml"))).package;
  lockFile = src + "/Cargo.lock";
  fs = lib.fileset;
in
assert builtins.pathExists lockFile
  || throw "crossflake: ${toString src}/Cargo.lock is missing; run `cargo generate-lockfile` and commit it.";
rustPlatform.buildRustPackage {
  pname = manifest.name;
  inherit (manifest) version;
  src = fs.toSource {
    root = src;
    fileset = fs.unions ([
      (src + "/Cargo.toml")
      lockFile
      (src + "/src")
      (src + "/targets")
      (fs.maybeMissing (src + "/build.rs"))
      (fs.maybeMissing (src + "/tests"))
      (fs.maybeMissing (src + "/README.md"))
      (fs.maybeMissing (src + "/rustfmt.toml"))
      (fs.maybeMissing (src + "/clippy.toml"))
    ]);
  };
  cargoLock = { inherit lockFile; };
  passthru = { inherit toolFreeTests; };
  # No cargo-auditable wrapper around the rust-overlay cargo: one thing less.
  auditable = false;
  doCheck = false;
  meta = {
    description = manifest.description or "crossflake launcher";
    mainProgram = "crossflake";
    license = with lib.licenses; [ mit asl20 ];
  };
}
