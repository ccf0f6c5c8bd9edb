# The flake evaluated for real with Nix 2.8, over the stand-in package set
# (stand-in.nix), the real nixpkgs.lib and the real rust-overlay at the
# locked commit (inputs.nix). tests/nix_flake_*.rs read the attributes below
# as JSON:
#   nix-instantiate --eval --strict --json nix/tests/eval.nix --argstr system x86_64-linux -A toolchain
{
  system ? "x86_64-linux",
  # { <package name> = "<prefix>"; }: real programs for rendered scripts.
  tools ? { },
  # Seconds, for runnerWithTimeout.
  timeout ? 60,
  # A copy of templates/kernel (with a Cargo.lock), for kernelTemplate.
  templateDir ? null,
  # A crate directory for probes.buildStdConfig (one with .cargo/config.toml).
  probeCrate ? null,
  # The revision the template's `crossflake` input is locked to.
  templateRev ? "0123456789abcdef0123456789abcdef01234567",
}:
let
  inputs = import ./inputs.nix;
  lib = import (inputs.nixpkgs-lib + "/lib");
  pkgs = nixpkgs.legacyPackages.${system};

  # crane's own flake.nix (it has no inputs).
  crane = (import (inputs.crane + "/flake.nix")).outputs { } // {
    outPath = inputs.crane;
  };

  # rust-overlay's own flake.nix, called as Nix would call it.
  rust-overlay =
    (import (inputs.rust-overlay + "/flake.nix")).outputs {
      self = rust-overlay;
      nixpkgs = { inherit lib; };
    }
    // {
      outPath = inputs.rust-overlay;
    };

  # crossflake's flake.nix, likewise; every system gets a stand-in set.
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ] (
      s:
      import ./stand-in.nix {
        inherit lib tools;
        system = s;
      }
    );
  };
  flake = (import ../../flake.nix).outputs {
    self = flake // {
      outPath = ../..;
    };
    inherit nixpkgs rust-overlay crane;
  };

  scope = flake.lib.mkLib pkgs;
  # The flake's outputs with the sample bare-metal targets of ./targets
  # (Cortex-M, a dotted triple, riscv32) added to the registry, as the new
  # targets/*.toml files will be.
  # Microcontroller targets of the registry, one of them with a dotted triple
  # (thumbv8m.main) and one riscv32 nixpkgs would name riscv32gc.
  fixtureTargets = lib.getAttrs [ "cortex-m3" "cortex-m33f" "riscv32-none" ] scope.targets;
  fixtureScope = scope;
  fixtureOutputs = fixtureScope.outputs;
  names = map (p: p.name or "?");
  # What a check or package is made of, as far as the tests look.
  describe = d: {
    inherit (d) name;
    builder = d.standInBuilder or null;
    env = d.env or { };
    buildPhase = d.buildPhase or null;
    checkPhase = d.checkPhase or null;
    doCheck = d.doCheck or false;
    cargoArtifacts = if (d.cargoArtifacts or null) == null then null else d.cargoArtifacts.name;
    installPhase = d.installPhase or null;
    cargoCommand = d.cargoCommand or null;
    cargoRoot = d.cargoRoot or null;
    nativeBuildInputs = names (d.nativeBuildInputs or [ ]);
    buildInputs = names (d.buildInputs or [ ]);
    std = stdOf (d.nativeBuildInputs or [ ]);
  };
  # A package that sets CC/CXX through its setup hook: a cc-wrapper or
  # bintools-wrapper for another platform (cc-wrapper/setup-hook.sh).
  crossWrapper = p: (p.isCcWrapper or false) && p.targetPrefix != "";
  # The rust-std components of the toolchain among `ps`.
  stdOf =
    ps:
    lib.concatMap (
      t:
      map (lib.removePrefix "rust-std-${t.version}-") (
        builtins.filter (lib.hasPrefix "rust-std-") (names t.paths)
      )
    ) (builtins.filter (p: p ? paths && lib.hasPrefix "rust-" (p.name or "")) ps);
  describeShell = sh: {
    env = sh.env;
    packages = names sh.nativeBuildInputs;
    crossWrappers = names (builtins.filter crossWrapper sh.nativeBuildInputs);
    std = stdOf sh.nativeBuildInputs;
  };
  toolchain = scope.toolchain;
  probeBuild = scope.buildCargoTarget {
    pname = "probe";
    src = ../../examples/cdemo;
    spec = scope.targets.aarch64;
    outputHashes = {
      "somecrate-0.1.0" = lib.fakeHash;
    };
    nativeBuildInputs = [ pkgs.cmake ];
    buildInputs = [ pkgs.openssl ];
  };
  std = map (lib.removePrefix "rust-std-${toolchain.version}-") (
    builtins.filter (lib.hasPrefix "rust-std-") (names toolchain.paths)
  );
in
{
  toolchain = {
    inherit (toolchain) name version;
    inherit std;
    components = names toolchain.paths;
    targets = map (s: s.rust_triple) (builtins.attrValues scope.targets);
    # The shells and builds use this same toolchain.
    inShells = lib.all (sh: builtins.elem toolchain.name (names sh.nativeBuildInputs)) (
      builtins.attrValues flake.devShells.${system}
    );
  };
  devShells = lib.mapAttrs (_: describeShell) flake.devShells.${system};
  packages = lib.mapAttrs (_: describe) flake.packages.${system};
  checks = lib.mapAttrs (_: describe) flake.checks.${system};
  formatter = describe flake.formatter.${system} // {
    script = flake.formatter.${system}.script;
  };
  apps = flake.apps.${system};
  # Scripts rendered with `tools` (the bare-metal runners the apps start).
  runners = lib.mapAttrs' (
    _: s: lib.nameValuePair "crossflake-qemu-${s.name}" (scope.qemuRunner s).script
  ) (lib.filterAttrs (_: s: s.runner.type == "qemu-system") scope.targets);
  # The outputs as the microcontroller targets see them.
  fixture = {
    devShells = lib.mapAttrs (_: describeShell) fixtureOutputs.devShells;
    packages = builtins.attrNames fixtureOutputs.packages;
    checks = builtins.attrNames fixtureOutputs.checks;
    apps = fixtureOutputs.apps;
    runners = lib.mapAttrs (_: s: (fixtureScope.qemuRunner s).script) fixtureTargets;
    bareMetalCC =
      describeShell
        (fixtureScope.mkCrossShells {
          bareMetalCC = true;
          names = builtins.attrNames fixtureTargets;
        }).all;
  };
  # The qemu-user CPU wrappers (the shells' and checks' runners), rendered.
  cpuRunners = lib.mapAttrs (_: e: e.cpuRunner.script) (
    lib.filterAttrs (_: e: e.cpuRunner != null) (
      lib.mapAttrs (_: s: scope.mkCrossEnv { spec = s; }) scope.targets
    )
  );
  # A runner with another timeout, e.g. -A runnerWithTimeout.riscv64-none --arg timeout 5.
  runnerWithTimeout = lib.mapAttrs (
    _: s:
    (scope.qemuRunner (
      s
      // {
        runner = s.runner // {
          timeout_secs = timeout;
        };
      }
    )).script
  ) (lib.filterAttrs (_: s: s.runner.type == "qemu-system") scope.targets);
  # Which derivations of `nix flake check`'s closure compile registry
  # dependencies, and how many times each: walked through the derivation
  # graph (nativeBuildInputs, buildInputs, crane's cargoArtifacts). A crane
  # derivation with cargoArtifacts inherits them (0); crane's buildDepsOnly
  # compiles them once per cargo check/build line of its build phase; a
  # buildCargoTarget or buildRustPackage derivation once (cargo fmt: never).
  depCompilations =
    let
      inputsOf =
        d:
        builtins.filter lib.isDerivation (
          (d.nativeBuildInputs or [ ])
          ++ (d.buildInputs or [ ])
          ++ lib.optional ((d.cargoArtifacts or null) != null) d.cargoArtifacts
        );
      closure = builtins.genericClosure {
        startSet = map (d: {
          key = d.name;
          inherit d;
        }) (builtins.attrValues flake.checks.${system});
        operator =
          x:
          map (d: {
            key = d.name;
            inherit d;
          }) (inputsOf x.d);
      };
      lockOf = d: d.cargoLock or (d.cargoDeps.lockFile or null);
      registryDeps =
        lock:
        lib.length (
          builtins.filter (p: lib.hasPrefix "registry+" (p.source or ""))
            (builtins.fromTOML (builtins.readFile lock)).package
        );
      words =
        cmd:
        lib.length (
          builtins.filter (
            l: builtins.match ".*(cargoWithProfile|cargo) (check|build|test|clippy).*" l != null
          ) (lib.splitString "\n" cmd)
        );
      passes =
        d:
        if d ? cargoVendorDir then
          (if (d.cargoArtifacts or null) == null then words d.buildPhase else 0)
        else if d ? cargoDeps && d ? cargoCommand then
          (if lib.hasPrefix "fmt" d.cargoCommand then 0 else 1)
        else if (d.standInBuilder or "") == "buildRustPackage" then
          (if lib.hasInfix "cargo fmt" (d.buildPhase or "") then 0 else 1)
        else
          0;
    in
    map (x: {
      inherit (x.d) name;
      passes = passes x.d;
      deps = registryDeps (lockOf x.d);
      lock = toString (lockOf x.d);
    }) (builtins.filter (x: lockOf x.d != null && passes x.d > 0) closure);
  # Variable names per target (targetPlatform.nix), the fixtures' too.
  varNames = lib.mapAttrs (_: s: { inherit (scope.targetPlatform s) T t; }) scope.targets;
  # What the Windows linker (a cc-wrapper override) adds to its nix-support.
  windowsLinker =
    ((scope.targetPlatform scope.targets.windows).cross.callPackage ../targetTools.nix { })
    .cc.extraBuildCommands;
  # The MinGW runtime DLL collector's script, rendered with `tools`.
  mingwDlls = (scope.mingwRuntimeDlls pkgs.pkgsCross.mingwW64).buildCommand;
  overlay = builtins.attrNames (flake.overlays.default pkgs pkgs);
  # The firmware that replaces -bios default (its stand-in name, for `tools`).
  opensbi = {
    inherit (scope.opensbiSrstReason) name firmware makeFlags;
    patches = map baseNameOf scope.opensbiSrstReason.patches;
  };
  # The source trees the kernel packages and checks build from; a store path
  # only with --read-write-mode (nix-instantiate --eval is read-only).
  kernelSources = lib.mapAttrs (_: d: d.src) (
    lib.filterAttrs (n: _: lib.hasPrefix "kernel-" n) (
      flake.packages.${system} // flake.checks.${system}
    )
  );
  # templates/kernel's flake with this flake as its locked `crossflake`
  # input (a flake input has rev and narHash).
  kernelTemplate =
    let
      crossflake = flake // {
        outPath = ../..;
        rev = templateRev;
        narHash = "sha256-TEMPLATEINPUTNARHASHTEMPLATEINPUTNARHASH000=";
      };
      t = (import (templateDir + "/flake.nix")).outputs {
        self = t;
        inherit nixpkgs crossflake;
      };
      tests = t.checks.${system}.tests;
    in
    {
      inherit (crossflake) narHash;
      tests = describe tests // {
        outputHashes = tests.cargoDeps.outputHashes;
      };
      shells = builtins.attrNames t.devShells.${system};
      boot = t.checks.${system}.boot.buildCommand;
    };
  # The lib functions with the arguments the flake's users pass.
  probes = {
    # Must fail, naming what is not supported.
    buildStd =
      (scope.buildCargoTarget {
        pname = "probe";
        src = ../../examples/hello;
        spec = scope.targets.riscv64-musl;
        cargoCommand = "build -Zbuild-std";
      }).name;
    build = describe probeBuild // {
      outputHashes = probeBuild.cargoDeps.outputHashes;
    };
    noLauncher =
      describeShell
        (scope.mkCrossShells {
          withLauncher = false;
          names = [ "riscv64-none" ];
        }).riscv64-none;
    # A pure-Rust wasm build: no wasi clang in its inputs.
    wasmBuild = describe (
      scope.buildCargoTarget {
        pname = "probe";
        src = ../../examples/hello;
        spec = scope.targets.wasm32-wasip1;
      }
    );
    buildStdEnv =
      (scope.buildCargoTarget {
        pname = "probe";
        src = ../../examples/hello;
        spec = scope.targets.riscv64;
        extraEnv.CARGO_UNSTABLE_BUILD_STD = "std";
      }).name;
    buildStdConfig =
      (scope.buildCargoTarget {
        pname = "probe";
        src = probeCrate;
        spec = scope.targets.riscv64;
      }).name;
    # targetLibs whose .pc files need what they propagate.
    pcClosure =
      (scope.mkCrossEnv {
        spec = scope.targets.aarch64;
        targetLibs = p: [ p.libpng ];
      }).env;
    bareMetalCC =
      describeShell
        (scope.mkCrossShells {
          bareMetalCC = {
            riscv64-none = true;
            aarch64-none-softfloat = true;
          };
          names = [
            "riscv64-none"
            "aarch64-none"
            "aarch64-none-softfloat"
          ];
        }).all;
    # macos-sdk.toml may carry other keys.
    osxcross =
      (scope.mkOsxcross {
        version = "14.5";
        sha256 = lib.fakeSha256;
        note = "from my Mac";
      }).name;
  };
  lib = builtins.attrNames flake.lib;
}
