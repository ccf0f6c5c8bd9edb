# The target registry: every targets/<name>.toml, parsed with builtins only
# (no nixpkgs lib), so it evaluates under any Nix >= 2.8:
#
#   nix-instantiate --eval --strict --json -E 'import ./nix/targets.nix { }'
#
# Returns { <name> = <the TOML, verbatim> // { cargo_env; cc_env; }; }.
# Field names are the TOML's own: the launcher's `crossflake targets --json`
# prints the same fields, and a Rust test compares the two.
{ dir ? ../targets
,
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
    replaceStrings
    throw
    ;

  lower = [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  upper = [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
  toUpper = replaceStrings lower upper;

  # "aarch64-unknown-linux-gnu" -> AARCH64_UNKNOWN_LINUX_GNU (CARGO_TARGET_<T>_*)
  cargoEnv = triple: toUpper (replaceStrings [ "-" "." ] [ "_" "_" ] triple);
  # "aarch64-unknown-linux-gnu" -> aarch64_unknown_linux_gnu (CC_<t>, AR_<t>)
  ccEnv = triple: replaceStrings [ "-" "." ] [ "_" "_" ] triple;

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
      value = spec // {
        cargo_env = cargoEnv spec.rust_triple;
        cc_env = ccEnv spec.rust_triple;
      };
    };

  entries = readDir dir;
  files = filter (f: entries.${f} == "regular" && match ".*\\.toml" f != null) (attrNames entries);
in
listToAttrs (map load files)
