# outputHashes for the crossflake-harness git dependency (builtins only).
#
# In the sandbox, importCargoLock fetches a git dependency at the revision
# Cargo.lock names and needs the hash of that tree. When the revision is the
# one this flake's `crossflake` input is locked to, the hash is the input's
# narHash (a GitHub tarball and fetchgit give the same tree). A harness from
# a path (or none) needs no hash; other states stop with the fix.
{ lockFile, crossflake }:
let
  rev = crossflake.rev or "<revision>";
  fix = "in `nix develop`, run `cargo update -p crossflake-harness --precise ${rev}` and `git add Cargo.lock`";
  lock = builtins.fromTOML (builtins.readFile lockFile);
  found = builtins.filter (p: p.name == "crossflake-harness") (lock.package or [ ]);
  pkg = builtins.head found;
  # git+https://github.com/crossflake/crossflake[?branch=..|?rev=..]#<commit>
  locked = builtins.match "git\\+https://github.com/crossflake/crossflake[^#]*#([0-9a-f]+)" (
    pkg.source or ""
  );
in
if !builtins.pathExists lockFile then
  throw (
    "firmware: Cargo.lock is missing; it pins crossflake-harness for the Nix build: in `nix develop`, run "
    + "`cargo generate-lockfile && cargo update -p crossflake-harness --precise ${rev}` and `git add Cargo.lock`."
  )
else if found == [ ] || locked == null then
  { } # no harness, a path one, or another source (importCargoLock says what it needs)
else if !(crossflake ? rev) then
  throw (
    "firmware: the crossflake input has no revision (a dirty or path checkout?), so it cannot stand in "
    + "for the git dependency crossflake-harness: commit it, or make the dependency a path."
  )
else if builtins.head locked != crossflake.rev then
  throw "firmware: Cargo.lock has crossflake-harness at ${builtins.head locked}, the crossflake input is at ${crossflake.rev}: ${fix}."
else
  { "crossflake-harness-${pkg.version}" = crossflake.narHash; }
