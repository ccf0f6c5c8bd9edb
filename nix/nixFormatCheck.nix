# nixFormatCheck: every .nix file of the repository is as written by
# nixfmt (pkgs/by-name/ni/nixfmt), the same
# program as the flake's `formatter` (`nix fmt`).
# nixpkgs: runCommand (pkgs/build-support/trivial-builders/default.nix),
# lib.fileset (lib/fileset/default.nix).
{
  lib,
  src,
  runCommand,
  nixfmt,
}:
let
  fs = lib.fileset;
  nixFiles = fs.toSource {
    root = src;
    # tests/fixtures belongs to the launcher's tests and may be malformed on purpose.
    fileset = fs.difference (fs.fileFilter (f: f.hasExt "nix") src) (
      fs.maybeMissing (src + "/tests/fixtures")
    );
  };
in
runCommand "crossflake-nix-format" { nativeBuildInputs = [ nixfmt ]; } ''
  cp -r ${nixFiles} src
  chmod -R u+w src
  cd src
  nixfmt --check $(find . -name '*.nix' | sort)
  touch $out
''
