# cargoLint: the launcher's own checks, each a derivation over the same
# vendored source as the package (crossflake.nix):
#   unit    cargo test --lib --bins (the unit tests; integration tests in
#           tests/ may need Nix or QEMU and are left to CI outside Nix)
#   clippy  cargo clippy --all-targets -- -D warnings
#   rustfmt cargo fmt --all --check
{ lib, src, crossflake, toolchain }:
let
  srcPath = p: builtins.pathExists (src + "/${p}");
  testFlags = lib.optional (srcPath "src/lib.rs") "--lib"
    ++ lib.optional (srcPath "src/main.rs" || srcPath "src/bin") "--bins";
  variant = name: cmd: crossflake.overrideAttrs (old: {
    pname = "crossflake-${name}";
    nativeBuildInputs = old.nativeBuildInputs ++ [ toolchain ];
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
  unit = variant "unit-tests" "cargo test --offline ${lib.concatStringsSep " " testFlags}";
  clippy = variant "clippy" "cargo clippy --offline --all-targets -- -D warnings";
  rustfmt = variant "rustfmt" "cargo fmt --all --check";
}
