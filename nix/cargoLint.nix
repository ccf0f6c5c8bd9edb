# cargoLint: the launcher's own checks, crane's (lib/cargoTest.nix,
# lib/cargoClippy.nix, lib/cargoFmt.nix) over the same source and the same
# dependency artifacts as the package (crossflake.nix passthru), so no check
# compiles a dependency again:
#   unit    cargo test --release --test launcher -- <each of crossflake.nix's
#           toolFreeTests, modules of tests/launcher/, as name filters>
#           (the suites that need no Nix, QEMU, wine or cross gcc; the others
#           run in CI outside Nix, scripts/test)
#   clippy  cargo clippy --release --all-targets -- -D warnings
#   rustfmt cargo fmt --check
{
  lib,
  src,
  crossflake,
  craneLib,
}:
let
  inherit (crossflake.passthru) toolFreeTests cargoArtifacts common;
  missing = lib.filter (t: !builtins.pathExists (src + "/tests/launcher/${t}.rs")) toolFreeTests;
  testFlags =
    assert
      missing == [ ]
      || throw "crossflake: nix/crossflake.nix lists the test module `${builtins.head missing}` in toolFreeTests, but tests/launcher/${builtins.head missing}.rs does not exist; update the list.";
    "--test launcher -- " + lib.concatMapStringsSep " " (t: "${t}::") toolFreeTests;
in
{
  unit = craneLib.cargoTest (
    common
    // {
      inherit cargoArtifacts;
      cargoTestExtraArgs = testFlags;
    }
  );
  clippy = craneLib.cargoClippy (
    common
    // {
      inherit cargoArtifacts;
      cargoClippyExtraArgs = "--all-targets -- -D warnings";
    }
  );
  rustfmt = craneLib.cargoFmt common;
}
