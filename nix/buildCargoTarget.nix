# buildCargoTarget: runs cargo for one target inside a derivation: the pinned
# toolchain, dependencies vendored from Cargo.lock (rustPlatform.importCargoLock
# + cargoSetupHook, pkgs/build-support/rust/import-cargo-lock.nix and
# hooks/cargo-setup-hook.sh), and the target's env from mkCrossEnv, where
# bare-metal targets run under qemuRunner, or with `launcherRunner` under the
# launcher (`crossflake runner`: harness kernels booted once per test, the
# firmware and console rules of src/run/runner.rs).
#
# `cargoRoot`: the crate's directory inside `src` when its path dependencies
# lie outside it (examples/kernel and ../../harness): Cargo.lock is read
# from there (importCargoLock skips path dependencies, which have no
# `source`), cargoSetupHook checks `$cargoRoot/Cargo.lock` (postPatch; its
# .cargo/config.toml is written above the source, where cargo finds it from
# any subdirectory), and cargo runs there, so installPhase starts there too.
#
# `cargoCommand` may be `build ...` or `test ...`: nixpkgs turns doCheck off
# for cross builds, so tests under QEMU are run here as the build itself.
#
# std always comes prebuilt from the toolchain (the host's and this target's
# std only, toolchainFor): -Zbuild-std would need the dependencies of
# rust-src's library/Cargo.lock vendored too, which this function does not
# do, so it refuses such a build with a message, whether it is asked for on
# the command line, in CARGO_UNSTABLE_BUILD_STD or in the crate's own
# .cargo/config.toml (`[unstable] build-std`).
#
# `cargoLock` is read at evaluation time, so it must be a path of the
# source tree, not of a store path made from it (`nix flake check
# --no-build` evaluates read-only, where such a path is not valid yet).
# nixpkgs: stdenv.mkDerivation (pkgs/stdenv/generic/make-derivation.nix);
# `qemu` (pkgs/applications/virtualization/qemu/default.nix) on PATH for the
# launcher's runner, which starts qemu-system-* from PATH.
{
  lib,
  stdenv,
  toolchainFor,
  makeRustPlatform,
  mkCrossEnv,
  qemuRunner,
  crossflake,
  qemu,
}:
{
  pname,
  src,
  spec,
  cargoCommand ? "build --release",
  installPhase ? "touch $out",
  # The target's own libraries, from its pkgsCross set: p: [ p.zlib ].
  targetLibs ? (p: [ ]),
  extraEnv ? { },
  # Hashes of git dependencies in Cargo.lock, as importCargoLock takes them:
  # { "<name>-<version>" = "sha256-..."; }.
  outputHashes ? { },
  # Build-machine tools and libraries (for build scripts); the target's
  # libraries go in targetLibs.
  nativeBuildInputs ? [ ],
  buildInputs ? [ ],
  # C: the target's compiler as CC_/CXX_/AR_<t>. Default: for std targets
  # but wasm32-wasip1, whose Rust links with rust-lld and needs no clang.
  withC ? spec.kind == "std" && spec.runner.type != "wasi",
  # Whether cargo's runner (qemu-user, wine, the QEMU wrapper) is set. By
  # default only for commands that run programs, so a plain build does not
  # pull in QEMU or wine.
  withRunner ? builtins.elem (builtins.head (lib.splitString " " cargoCommand)) [
    "test"
    "run"
    "bench"
  ],
  # Bare metal: run under the launcher instead of the QEMU wrapper.
  launcherRunner ? false,
  # The crate's directory relative to src ("examples/kernel"), or null.
  cargoRoot ? null,
  # The crate's Cargo.lock, read at evaluation time (see above).
  cargoLock ? (if cargoRoot == null then src else src + "/${cargoRoot}") + "/Cargo.lock",
}:
let
  lockFile = cargoLock;
  crateDir = dirOf cargoLock;
  bare = spec.kind == "bare-metal";
  viaLauncher = launcherRunner && bare && withRunner;
  # In the build's shell, so installPhase starts there too.
  cdRoot = lib.optionalString (cargoRoot != null) "cd ${lib.escapeShellArg cargoRoot} && ";
  hasLock = builtins.pathExists lockFile;
  customTarget = lib.hasSuffix ".json" spec.rust_triple;
  # The crate's own cargo config (cargo reads .cargo/config.toml, or the
  # older .cargo/config, from the directory it runs in).
  configs = lib.filter builtins.pathExists [
    (crateDir + "/.cargo/config.toml")
    (crateDir + "/.cargo/config")
  ];
  configBuildStd = lib.any (
    f: ((builtins.fromTOML (builtins.readFile f)).unstable or { }) ? build-std
  ) configs;
  buildStd =
    customTarget
    || configBuildStd
    || extraEnv ? CARGO_UNSTABLE_BUILD_STD
    || lib.hasInfix "build-std" cargoCommand;
  toolchain = toolchainFor [ spec ];
  rustPlatform = makeRustPlatform {
    cargo = toolchain;
    rustc = toolchain;
  };
  target = mkCrossEnv {
    inherit spec targetLibs withRunner;
    bareMetalCC = withC;
    withStdC = withC;
    bareMetalRunner =
      s:
      if viaLauncher then
        "${lib.getExe crossflake} runner --target ${s.name}"
      else
        lib.getExe (qemuRunner s);
  };
in
assert
  !buildStd
  || throw ''
    crossflake: ${pname}: building std from source (${
      if customTarget then
        "the custom target ${spec.rust_triple} needs -Zbuild-std"
      else if configBuildStd then
        "[unstable] build-std in the crate's .cargo/config.toml"
      else if extraEnv ? CARGO_UNSTABLE_BUILD_STD then
        "CARGO_UNSTABLE_BUILD_STD"
      else
        "-Zbuild-std"
    })
    is not supported in a Nix derivation: the dependencies of rust-src's
    library/Cargo.lock are not vendored. Use a target whose prebuilt std the
    toolchain has (every targets/*.toml triple is in crossflake's), or build it
    in `nix develop`, where cargo can fetch them.'';
stdenv.mkDerivation (
  {
    inherit
      pname
      src
      installPhase
      buildInputs
      ;
    version = "0";
    nativeBuildInputs = [
      toolchain
    ]
    ++ lib.optional hasLock rustPlatform.cargoSetupHook
    ++ lib.optionals viaLauncher [
      qemu
      crossflake
    ]
    ++ nativeBuildInputs;
    # String context pulls in the cross cc (withC or its linker), and with the
    # runner qemu-user, wine or the QEMU wrapper.
    env =
      target.env
      // {
        CARGO_NET_OFFLINE = "true";
        CARGO_TERM_COLOR = "never";
      }
      // extraEnv;
    dontConfigure = true;
    buildPhase = ''
      runHook preBuild
      export HOME=$TMPDIR WINEPREFIX=$TMPDIR/wine
      ${cdRoot}cargo ${cargoCommand} --offline --target ${spec.rust_triple}
      runHook postBuild
    '';
    dontStrip = true;
    dontPatchELF = true;
    passthru = { inherit target cargoCommand toolchain; };
  }
  // lib.optionalAttrs (cargoRoot != null) {
    # Read by cargoSetupHook (hooks/cargo-setup-hook.sh).
    inherit cargoRoot;
  }
  // lib.optionalAttrs hasLock {
    # pkgs/build-support/rust/import-cargo-lock.nix: lockFile, outputHashes.
    cargoDeps = rustPlatform.importCargoLock { inherit lockFile outputHashes; };
  }
)
