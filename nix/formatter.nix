# formatter: the flake's `nix fmt`, nixfmt (nixpkgs' own formatter since
# RFC 166; pkgs/by-name/ni/nixfmt, the program nixfmt-rfc-style now points
# to) defaulting to `.`. Nix >= 2.25 calls the formatter with no arguments
# when none are given (NixOS/nix#11438 dropped the implicit `.`), and nixfmt
# without paths formats stdin, so plain `nix fmt` would format nothing and
# wait for input. Paths given (`nix fmt -- flake.nix`) pass through.
# nixpkgs: writeShellApplication (pkgs/build-support/trivial-builders/default.nix).
{ writeShellApplication, nixfmt }:
writeShellApplication {
  name = "crossflake-fmt";
  runtimeInputs = [ nixfmt ];
  text = ''
    if [ "$#" -eq 0 ]; then
      set -- .
    fi
    exec nixfmt "$@"
  '';
}
