# The flake evaluated for real with Nix 2.8, over the stand-in package set
# (stand-in.nix), the real nixpkgs.lib and the real rust-overlay at the
# locked commit (inputs.nix). tests/nix_flake_*.rs read the attributes below
# as JSON:
#   nix-instantiate --eval --strict --json nix/tests/eval.nix --argstr system x86_64-linux -A toolchain
{ system ? "x86_64-linux"
, # { <package name> = "<prefix>"; }: real programs for rendered scripts.
  tools ? { }
, # Seconds, for runnerWithTimeout.
  timeout ? 60
, # A copy of templates/kernel (with a Cargo.lock), for kernelTemplate.
  templateDir ? null
, # The revision the template's `crossflake` input is locked to.
  templateRev ? "0123456789abcdef0123456789abcdef01234567"
}:
let
  inputs = import ./inputs.nix;
  lib = import (inputs.nixpkgs-lib + "/lib");
  pkgs = nixpkgs.legacyPackages.${system};

  # rust-overlay's own flake.nix, called as Nix would call it.
  rust-overlay = (import (inputs.rust-overlay + "/flake.nix")).outputs
    {
      self = rust-overlay;
      nixpkgs = { inherit lib; };
    } // { outPath = inputs.rust-overlay; };

  # crossflake's flake.nix, likewise; every system gets a stand-in set.
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]
      (s: import ./stand-in.nix { inherit lib tools; system = s; });
  };
  flake = (import ../../flake.nix).outputs {
    self = flake // { outPath = ../..; };
    inherit nixpkgs rust-overlay;
  };

  scope = flake.lib.scopeFor { inherit pkgs; };
  names = map (p: p.name or "?");
  # What a check or package is made of, as far as the tests look.
  describe = d: {
    inherit (d) name;
    builder = d.standInBuilder or null;
    env = d.env or { };
    buildPhase = d.buildPhase or null;
    installPhase = d.installPhase or null;
    cargoCommand = d.cargoCommand or null;
    cargoRoot = d.cargoRoot or null;
    nativeBuildInputs = names (d.nativeBuildInputs or [ ]);
    buildInputs = names (d.buildInputs or [ ]);
  };
  # A package that sets CC/CXX through its setup hook: a cc-wrapper or
  # bintools-wrapper for another platform (cc-wrapper/setup-hook.sh).
  crossWrapper = p: (p.isCcWrapper or false) && p.targetPrefix != "";
  describeShell = sh: {
    env = sh.env;
    packages = names sh.nativeBuildInputs;
    crossWrappers = names (builtins.filter crossWrapper sh.nativeBuildInputs);
  };
  toolchain = scope.toolchain;
  probeBuild = scope.buildCargoTarget {
    pname = "probe";
    src = ../../examples/cdemo;
    spec = scope.targets.aarch64;
    outputHashes = { "somecrate-0.1.0" = lib.fakeHash; };
    nativeBuildInputs = [ pkgs.cmake ];
    buildInputs = [ pkgs.openssl ];
  };
  std = map (lib.removePrefix "rust-std-${toolchain.version}-")
    (builtins.filter (lib.hasPrefix "rust-std-") (names toolchain.paths));
in
{
  toolchain = {
    inherit (toolchain) name version;
    inherit std;
    components = names toolchain.paths;
    targets = map (s: s.rust_triple) (builtins.attrValues scope.targets);
    # The shells and builds use this same toolchain.
    inShells = lib.all (sh: builtins.elem toolchain.name (names sh.nativeBuildInputs))
      (builtins.attrValues flake.devShells.${system});
  };
  devShells = lib.mapAttrs (_: describeShell) flake.devShells.${system};
  packages = lib.mapAttrs (_: describe) flake.packages.${system};
  checks = lib.mapAttrs (_: describe) flake.checks.${system};
  formatter = describe flake.formatter.${system} // { script = flake.formatter.${system}.script; };
  # Scripts rendered with `tools` (the bare-metal runners).
  runners = lib.mapAttrs (_: r: r.script) (lib.filterAttrs (n: _: lib.hasPrefix "crossflake-qemu-" n) flake.packages.${system});
  # The qemu-user CPU wrappers (the shells' and checks' runners), rendered.
  cpuRunners = lib.mapAttrs (_: e: e.cpuRunner.script)
    (lib.filterAttrs (_: e: e.cpuRunner != null) (lib.mapAttrs (_: s: scope.mkCrossEnv { spec = s; }) scope.targets));
  # A runner with another timeout, e.g. -A runnerWithTimeout.riscv64-none --arg timeout 5.
  runnerWithTimeout = lib.mapAttrs
    (_: s: (scope.qemuRunner (s // { runner = s.runner // { timeout_secs = timeout; }; })).script)
    (lib.filterAttrs (_: s: s.runner.type == "qemu-system") scope.targets);
  overlay = builtins.attrNames (flake.overlays.default pkgs pkgs);
  # The firmware that replaces -bios default (its stand-in name, for `tools`).
  opensbi = {
    inherit (scope.opensbiSrstReason) name firmware makeFlags;
    patches = map baseNameOf scope.opensbiSrstReason.patches;
  };
  # The source trees the kernel packages and checks build from; a store path
  # only with --read-write-mode (nix-instantiate --eval is read-only).
  kernelSources = lib.mapAttrs (_: d: d.src)
    (lib.filterAttrs (n: _: lib.hasPrefix "kernel-" n) (flake.packages.${system} // flake.checks.${system}));
  # templates/kernel's flake with this flake as its locked `crossflake`
  # input (a flake input has rev and narHash).
  kernelTemplate =
    let
      crossflake = flake // { outPath = ../..; rev = templateRev; narHash = "sha256-TEMPLATEINPUTNARHASHTEMPLATEINPUTNARHASH000="; };
      t = (import (templateDir + "/flake.nix")).outputs { self = t; inherit nixpkgs crossflake; };
      tests = t.checks.${system}.tests;
    in
    {
      inherit (crossflake) narHash;
      tests = describe tests // { outputHashes = tests.cargoDeps.outputHashes; };
      shells = builtins.attrNames t.devShells.${system};
      boot = t.checks.${system}.boot.buildCommand;
    };
  # The lib functions with the arguments the flake's users pass.
  probes = {
    # Must fail, naming what is not supported.
    buildStd = (scope.buildCargoTarget {
      pname = "probe";
      src = ../../examples/hello;
      spec = scope.targets.riscv64-musl;
      cargoCommand = "build -Zbuild-std";
    }).name;
    build = describe probeBuild // { outputHashes = probeBuild.cargoDeps.outputHashes; };
    noLauncher = describeShell (scope.mkCrossShells { withLauncher = false; names = [ "riscv64-none" ]; }).riscv64-none;
    bareMetalCC = describeShell (scope.mkCrossShells {
      bareMetalCC = { riscv64-none = true; aarch64-none-softfloat = true; };
      names = [ "riscv64-none" "aarch64-none" "aarch64-none-softfloat" ];
    }).default;
    # macos-sdk.toml may carry other keys.
    osxcross = (scope.mkOsxcross { version = "14.5"; sha256 = lib.fakeSha256; note = "from my Mac"; }).name;
  };
  lib = builtins.attrNames flake.lib;
}
