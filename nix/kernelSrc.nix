# kernelSrc: the source the kernel builds see: examples/kernel and the
# harness it depends on by path (`crossflake-harness = { path =
# "../../harness" }`), at their places under the repository root, so
# buildCargoTarget runs cargo in examples/kernel (cargoRoot) and cargo finds
# ../../harness. Nothing else of the repository goes in (a change to src/
# does not rebuild a kernel), nor a target/ directory of a local build.
#
# builtins.path with a filter rather than lib.fileset: it is the same store
# path for any Nix, and the stand-in evaluation (Nix 2.8, which lacks
# builtins.readFileType that lib.fileset needs) can then check what it holds.
{ lib, src }:
let
  roots = [
    "examples/kernel"
    "harness"
  ];
  base = toString src;
  keep =
    path: _type:
    let
      rel = lib.removePrefix "${base}/" (toString path);
      # A parent of a root (examples), a root, or inside one but not in its target/.
      parent = r: lib.hasPrefix "${rel}/" r;
      inside =
        r:
        lib.hasPrefix "${r}/" rel
        && builtins.head (lib.splitString "/" (lib.removePrefix "${r}/" rel)) != "target";
    in
    lib.any (r: parent r || rel == r || inside r) roots;
in
builtins.path {
  name = "crossflake-kernel-source";
  path = src;
  filter = keep;
}
