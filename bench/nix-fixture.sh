#!/usr/bin/env bash
# Makes the Nix benchmark's fixture flake in $1 (from tests/fixtures/nix: plain
# derivations, no nixpkgs, so Debian's Nix 2.8 evaluates it offline) and prints
# the flake's directory; its crate is in <flake>/crate.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")/.." && pwd)
fx=$here/tests/fixtures/nix
toolbin=$(dirname "$(rustup which cargo 2>/dev/null || command -v cargo)")
flake=$out/nix-flake
mkdir -p "$flake/crate/src"
sed -e "s|@SYSTEM@|$(uname -m)-linux|" -e "s|@SHELLBIN@|$toolbin|" -e "s|@TOOLBIN@|$toolbin|" \
    -e "s|@MARKER@|bench|" "$fx/flake.nix.in" > "$flake/flake.nix"
cp "$fx/runner.sh" "$flake/"
cp "$fx/crate/Cargo.toml" "$flake/crate/"
cp "$fx/crate/src/main.rs" "$flake/crate/src/"
echo "$flake"
