# formatter: the flake's `nix fmt`, nixpkgs-fmt (pkgs/by-name/ni/nixpkgs-fmt)
# defaulting to `.`. Nix >= 2.25 calls the formatter with no arguments when
# none are given (NixOS/nix#11438 dropped the implicit `.`), and nixpkgs-fmt
# without paths formats stdin, so plain `nix fmt` would format nothing and
# wait for input. Paths given (`nix fmt -- flake.nix`) pass through.
# nixpkgs: writeShellApplication (pkgs/build-support/trivial-builders/default.nix).
{ writeShellApplication, nixpkgs-fmt }:
writeShellApplication {
  name = "crossflake-fmt";
  runtimeInputs = [ nixpkgs-fmt ];
  text = ''
    if [ "$#" -eq 0 ]; then
      set -- .
    fi
    exec nixpkgs-fmt "$@"
  '';
}
