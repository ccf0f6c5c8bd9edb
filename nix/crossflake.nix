# crossflake: the launcher (Cargo.toml + Cargo.lock at the repository root),
# built with crane (lib/buildPackage.nix) over the host-only toolchain. Its
# registry dependencies are compiled once, by `cargoArtifacts`
# (lib/buildDepsOnly.nix: `cargo check` and `cargo build --release` of a
# dummy source with the same Cargo.toml/Cargo.lock), and that derivation's
# target/ is what the package and the checks of cargoLint.nix (tests,
# clippy) start from, instead of each compiling all 93 dependencies again.
# crane vendors the dependencies from Cargo.lock itself (vendorCargoDeps).
# The tests are separate checks (cargoLint.nix), so the package runs none.
{
  lib,
  src,
  craneLib,
}:
let
  # The test targets the crossflake-unit check runs (cargo test --test <name>,
  # cargoLint.nix): those of tests/ that need no external tool (no Nix, QEMU,
  # wine, cross gcc or network), so they pass in the build sandbox. Keep this
  # list in step with tests/ (a listed file that is missing is an evaluation
  # error). They are modules of the `launcher` test binary (tests/launcher/),
  # run by name; the exec unit test in src/ needs no tools either.
  toolFreeTests = [
    "plan"
    "targets"
    "nix_pure"
    "flags"
    "cargo_config"
    "structure"
    "macho"
  ];
  manifest = (builtins.fromTOML (builtins.readFile (src + "/Cargo.toml"))).package;
  lockFile = src + "/Cargo.lock";
  fs = lib.fileset;
  # What the launcher's build and tests read; not examples/, nix/ or docs/.
  source = fs.toSource {
    root = src;
    fileset = fs.unions [
      (src + "/Cargo.toml")
      lockFile
      (src + "/src")
      (src + "/targets")
      (fs.maybeMissing (src + "/build.rs"))
      (fs.maybeMissing (src + "/tests"))
      (fs.maybeMissing (src + "/README.md"))
      (fs.maybeMissing (src + "/rustfmt.toml"))
      (fs.maybeMissing (src + "/clippy.toml"))
    ];
  };
  # Shared by the dependency build, the package and the checks.
  common = {
    pname = manifest.name;
    inherit (manifest) version;
    src = source;
    cargoLock = lockFile;
    strictDeps = true;
  };
  cargoArtifacts = craneLib.buildDepsOnly common;
in
assert
  builtins.pathExists lockFile
  || throw "crossflake: ${toString src}/Cargo.lock is missing; run `cargo generate-lockfile` and commit it.";
craneLib.buildPackage (
  common
  // {
    inherit cargoArtifacts;
    doCheck = false;
    passthru = {
      inherit toolFreeTests cargoArtifacts common;
    };
    meta = {
      description = manifest.description or "crossflake launcher";
      mainProgram = "crossflake";
      license = with lib.licenses; [
        mit
        asl20
      ];
    };
  }
)
