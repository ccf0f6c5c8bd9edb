# The real sources the stand-in evaluation (nix/tests/eval.nix) runs on:
# the store path of each pin's narHash when it is valid (no network), else
# fetched with builtins.fetchTree (the flakes feature). A machine without
# GitHub adds them once:
# scripts/nix-add-inputs does it from the archives in ../shared/nix-inputs
# (by hand: `git -C <clone> archive <rev> | tar -x -C <dir>/source &&
# nix-store --add <dir>/source`; the directory must be named `source`, and
# `nix hash path` must print the narHash).
let
  lock = builtins.fromJSON (builtins.readFile ../../flake.lock);
  pins = {
    # Exactly the commits flake.lock pins.
    rust-overlay = lock.nodes.rust-overlay.locked;
    crane = lock.nodes.crane.locked;
    # nixpkgs itself needs Nix >= 2.18 (lib/minfeatures.nix); its lib does not.
    # nix-community/nixpkgs.lib mirrors nixpkgs' lib/: this commit is the last
    # one before master's lib/.version became 26.05, i.e. the lib nixos-25.11
    # branched with (lib/.version 25.11).
    nixpkgs-lib = {
      type = "github";
      owner = "nix-community";
      repo = "nixpkgs.lib";
      rev = "d7885204d4be98b3718bad1a47b80c2058d696aa";
      narHash = "sha256-IOt8c6oCRB9JiqnnVU0MPHwJ5jopZJcTgluG2YBWa6g=";
      lastModified = 1763113153;
    };
  };
  # Where `nix-store --add` puts a directory named `source` whose NAR hash is
  # narHash: the output path of a fixed-output derivation with that recursive
  # hash (only its name is computed; nothing is built). Nix 2.8's fetchTree
  # takes that store path when it is valid, but Nix 2.26 fetches a github
  # input again whatever the store holds (only "final" inputs are looked up
  # by narHash there), so the path is taken here when it is valid, by both.
  storePathOf =
    p:
    builtins.unsafeDiscardStringContext
      (derivation {
        name = "source";
        system = "builtin";
        builder = "builtin:fetchurl";
        outputHashMode = "recursive";
        outputHashAlgo = "sha256";
        outputHash = p.narHash;
      }).outPath;
  fetch =
    p:
    let
      path = storePathOf p;
    in
    if builtins.pathExists path then builtins.storePath path else builtins.fetchTree p;
in
builtins.mapAttrs (_: fetch) pins
// {
  # "<name> <rev> <narHash> <store path>" lines, for scripts/nix-add-inputs
  # (fetches nothing).
  pinsText = builtins.concatStringsSep "" (
    builtins.attrValues (builtins.mapAttrs (n: p: "${n} ${p.rev} ${p.narHash} ${storePathOf p}\n") pins)
  );
}
