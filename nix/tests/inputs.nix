# The real sources the stand-in evaluation (nix/tests/eval.nix) runs on,
# fetched with builtins.fetchTree (Nix 2.8 with the flakes feature). With a
# rev and a narHash Nix uses a store path of that hash when it has one and
# needs no network, so a machine without GitHub can add them once:
#   git -C <clone> archive <rev> | tar -x -C <dir>/source && nix-store --add <dir>/source
# (the directory must be named `source`; `nix hash path` must print the narHash).
let
  lock = builtins.fromJSON (builtins.readFile ../../flake.lock);
in
{
  # Exactly the commit flake.lock pins.
  rust-overlay = builtins.fetchTree lock.nodes.rust-overlay.locked;

  # nixpkgs itself needs Nix >= 2.18 (lib/minfeatures.nix); its lib does not.
  # nix-community/nixpkgs.lib mirrors nixpkgs' lib/: this commit is the last
  # one before master's lib/.version became 26.05, i.e. the lib nixos-25.11
  # branched with (lib/.version 25.11).
  nixpkgs-lib = builtins.fetchTree {
    type = "github";
    owner = "nix-community";
    repo = "nixpkgs.lib";
    rev = "d7885204d4be98b3718bad1a47b80c2058d696aa";
    narHash = "sha256-IOt8c6oCRB9JiqnnVU0MPHwJ5jopZJcTgluG2YBWa6g=";
    lastModified = 1763113153;
  };
}
