# cargoLint: the launcher's own checks, each a derivation over the same
# vendored source as the package (crossflake.nix):
#   unit    cargo test --test <each of crossflake.nix's toolFreeTests>
#           (the suites that need no Nix, QEMU, wine or cross gcc; the others
#           run in CI outside Nix, scripts/test)
#   clippy  cargo clippy --all-targets -- -D warnings
#   rustfmt cargo fmt --all --check
# nixpkgs: overrideAttrs (pkgs/stdenv/generic/make-derivation.nix) on the
# buildRustPackage derivation (pkgs/build-support/rust/build-rust-package).
{ lib, src, crossflake, hostToolchain }:
let
  tests = crossflake.passthru.toolFreeTests;
  missing = lib.filter (t: !builtins.pathExists (src + "/tests/${t}.rs")) tests;
  testFlags = assert missing == [ ] || throw
    "crossflake: nix/crossflake.nix lists the test target `${builtins.head missing}` in toolFreeTests, but tests/${builtins.head missing}.rs does not exist; update the list.";
    lib.concatMapStringsSep " " (t: "--test ${t}") tests;
  variant = name: cmd: crossflake.overrideAttrs (old: {
    pname = "crossflake-${name}";
    nativeBuildInputs = old.nativeBuildInputs ++ [ hostToolchain ];
    buildPhase = ''
      runHook preBuild
      export HOME=$TMPDIR
      ${cmd}
      runHook postBuild
    '';
    doCheck = false;
    installPhase = "mkdir -p $out && echo '${cmd}: ok' > $out/result";
  });
in
{
  unit = variant "unit-tests" "cargo test --offline ${testFlags}";
  clippy = variant "clippy" "cargo clippy --offline --all-targets -- -D warnings";
  rustfmt = variant "rustfmt" "cargo fmt --all --check";
}
