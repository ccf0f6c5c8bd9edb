# overlays.default: the launcher (crossflake), osxcross (its SDK comes from
# you: without one, building it prints how to add it), the bare-metal runner
# wrappers (crossflake-runners.<target>) and the whole scope (crossflakeLib),
# all from the functions in nix/ over the final package set.
{ rust-overlay, crane }:
final: prev:
let
  scope = import ../nix {
    pkgs = final;
    inherit rust-overlay crane;
  };
  bare = prev.lib.filterAttrs (_: s: s.kind == "bare-metal") scope.targets;
in
{
  crossflake = scope.crossflake;
  osxcross = scope.osxcross;
  crossflakeLib = scope;
  crossflake-runners = prev.lib.mapAttrs (_: s: scope.qemuRunner s) bare;
}
