# binOnly: the bin/ of some packages without their setup hooks
# (nix-support/), so a shell gets the programs on PATH and none of the
# variables a hook would export. Used for a target's cc-wrapper and
# bintools-wrapper, whose hooks export CC/CXX/AR/LD for the host when they are
# in a shell's packages (pkgs/build-support/cc-wrapper/setup-hook.sh,
# pkgs/build-support/bintools-wrapper/setup-hook.sh). Their programs carry a
# target prefix (aarch64-unknown-linux-gnu-cc), so nothing shadows the host's.
# nixpkgs: runCommand (pkgs/build-support/trivial-builders/default.nix).
{ runCommand }:
name: packages:
runCommand "${name}-bin" { } ''
  mkdir -p $out/bin
  for p in ${toString packages}; do
    for f in "$p"/bin/*; do
      [ -e "$out/bin/''${f##*/}" ] || ln -s "$f" "$out/bin/"
    done
  done
''
