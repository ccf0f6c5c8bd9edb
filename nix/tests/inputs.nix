# The real sources the stand-in evaluation (nix/tests/eval.nix) runs on,
# fetched with builtins.fetchTree (Nix 2.8 with the flakes feature). With a
# rev and a narHash Nix uses a store path of that hash when it has one and
# needs no network, so a machine without GitHub adds them once:
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
in
builtins.mapAttrs (_: builtins.fetchTree) pins
// {
  # "<name> <rev> <narHash>" lines, for scripts/nix-add-inputs (fetches nothing).
  pinsText = builtins.concatStringsSep "" (
    builtins.attrValues (builtins.mapAttrs (n: p: "${n} ${p.rev} ${p.narHash}\n") pins)
  );
}
