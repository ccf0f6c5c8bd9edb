# The target registry: every targets/<name>.toml, parsed with builtins only
# (no nixpkgs lib), so it evaluates under any Nix >= 2.8:
#
#   nix-instantiate --eval --strict --json -E 'import ./nix/targets.nix { }'
#
# Returns { <name> = <the TOML, verbatim>; }. Field names are the TOML's
# own: the launcher's `crossflake targets --json` prints the same fields, and
# a Rust test compares the two. The variable names a triple gives
# (CARGO_TARGET_<T>_*, CC_<t>) come from nixpkgs' platform, not from here
# (targetPlatform.nix).
{
  dir ? ../targets,
}:
let
  inherit (builtins)
    attrNames
    filter
    hasAttr
    isAttrs
    listToAttrs
    match
    readDir
    readFile
    throw
    ;

  required = [
    "name"
    "aliases"
    "rust_triple"
    "kind"
    "nixpkgs_example"
  ];

  missing =
    file: field:
    throw "crossflake: ${toString dir}/${file} lacks the required field `${field}`; add it (see the other files in targets/).";

  check =
    file: spec:
    let
      absent = filter (f: !(hasAttr f spec)) required;
    in
    if absent != [ ] then
      missing file (builtins.head absent)
    else if !(hasAttr "runner" spec && isAttrs spec.runner) then
      missing file "runner"
    else if !(hasAttr "type" spec.runner) then
      missing file "runner.type"
    else if spec.name + ".toml" != file then
      throw "crossflake: ${toString dir}/${file} has name = \"${spec.name}\"; name must equal the file name without .toml."
    else
      spec;

  load =
    file:
    let
      path = dir + "/${file}";
      spec = builtins.addErrorContext "while reading the target spec ${toString path}" (
        check file (fromTOML (readFile path))
      );
    in
    {
      name = spec.name;
      value = spec;
    };

  entries = readDir dir;
  files = filter (f: entries.${f} == "regular" && match ".*\\.toml" f != null) (attrNames entries);
in
listToAttrs (map load files)
