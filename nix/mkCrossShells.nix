# mkCrossShells: devShells for every target in the registry (targets/*.toml,
# names as there), `all` with all of them, and a small `default`: the
# toolchain, the launcher and the tools of every shell, for this machine's
# own targets only (no cross compiler, wine or firmware to build; pick
# `.#<target>` or `.#all` for those). This is the function the flake's
# `lib.mkLib pkgs` scope exposes to other projects.
#
# Darwin targets on a non-macOS host need osxcross and your SDK (macosSdk.nix):
# they join `all` only when `macosSdk` is given (or on a macOS host), so
# `nix develop .#all` works before you have an SDK. On a macOS host, Linux
# targets get zigbuild shells (mkCrossEnv.nix `mode`).
# nixpkgs: stdenv.hostPlatform (pkgs/stdenv/generic/default.nix, an elaborated
# lib/systems/default.nix platform).
{
  lib,
  stdenv,
  targets,
  mkCrossShell,
  targetPlatform,
  launcherOnly,
}:
{
  targetLibs ? (p: [ ]),
  macosSdk ? { },
  names ? builtins.filter (n: !(launcherOnly targets.${n})) (builtins.attrNames targets),
  packages ? [ ],
  withLauncher ? true,
  # null: the launcher's runner, or the QEMU wrapper without the launcher.
  bareMetalRunner ? null,
  # C for bare-metal targets: false, true, or { riscv64-none = true; }.
  bareMetalCC ? false,
}:
let
  spec =
    n:
    targets.${n}
      or (throw "crossflake: no target `${n}`; known: ${lib.concatStringsSep ", " (builtins.attrNames targets)}");
  specs = map spec names;
  needsSdk = s: lib.hasSuffix "-apple-darwin" s.rust_triple && !stdenv.hostPlatform.isDarwin;
  inAll = s: !(needsSdk s) || macosSdk ? version;
  shell =
    name: specs:
    mkCrossShell {
      inherit
        name
        specs
        targetLibs
        macosSdk
        packages
        withLauncher
        bareMetalRunner
        bareMetalCC
        ;
    };
in
lib.listToAttrs (map (s: lib.nameValuePair s.name (shell s.name [ s ])) specs)
// {
  all = shell "all" (lib.filter inAll specs);
  default = shell "default" (lib.filter (s: (targetPlatform s).native) specs);
}
