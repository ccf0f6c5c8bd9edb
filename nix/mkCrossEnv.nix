# mkCrossEnv: what one target needs in a shell or a build: cargo's linker and
# runner, the cc crate's CC_/CXX_/AR_<t>, pkg-config for the target's own
# libraries, and the tools to put on PATH. Returns { spec, env, runnerEnv,
# packages, runner, cpuRunner, canRun, libs, withC }: `env` includes
# `runnerEnv` (cargo's runner and what it reads, e.g. CROSSFLAKE_OPENSBI)
# unless `withRunner = false` (a build that runs nothing); cpuRunner is the
# qemu-user wrapper with the target's CPU model, if any.
#
# Names and `--target` are always the TOML's rust_triple (spec.cargo_env,
# spec.cc_env), never nixpkgs' platform.rust.rustcTarget: they differ for
# aarch64-none-softfloat (nixpkgs_example aarch64-embedded gives
# aarch64-unknown-none). The nixpkgs example only chooses the C toolchain
# and the emulator.
#
# Everything is named by absolute path in `env`; no cc-wrapper or
# bintools-wrapper of another platform goes into `packages`, because its
# setup hook would export plain CC/CXX/AR for the host
# (pkgs/build-support/cc-wrapper/setup-hook.sh: `export CC${role_post}=...`,
# role_post is empty for a nativeBuildInputs entry) and break host C builds
# (cc-rs: CC_<host> -> HOST_CC -> CC). Their programs reach PATH through
# binOnly.nix instead.
#
# nixpkgs sources read for this file:
# - lib/systems/default.nix: elaborate, canExecute, emulator, emulatorAvailable
#   (wine from winePackagesFor "wine64", qemu-user `qemu-<arch>`).
# - lib/systems/examples.nix: the `nixpkgs_example` names.
# - pkgs/build-support/cc-wrapper/default.nix: stdenv.cc.targetPrefix, .bintools, .cc.
# - pkgs/build-support/bintools-wrapper/default.nix: `${targetPrefix}ar` links.
# - pkgs/build-support/pkg-config-wrapper/default.nix: passthru.pkg-config.
# - pkgs/os-specific/windows/default.nix: windows.pthreads, windows.mcfgthreads.
# - lib/systems/examples.nix wasi32 (config wasm32-unknown-wasi, useLLVM: a
#   clang cc-wrapper with wasilibc, prefix wasm32-unknown-wasi-) and
#   lib/systems/default.nix (rust.rustcTarget wasm32-wasip1; emulator
#   wasmtime, replaced by wasiRunner.nix).
{ lib, pkgs, pkg-config, winePackagesFor, mkOsxcross, binOnly, mingwRuntimeDlls, runnerFirmware, wasiRunner, qemuUserRunner }:
{ spec
, # p: [ p.zlib ], or { <target name> = p: [ ... ]; }; p is the target's pkgsCross set.
  targetLibs ? (p: [ ])
, # Runner for bare-metal targets (cargo appends the ELF path).
  bareMetalRunner ? (s: "crossflake runner --target ${s.name}")
, # { version; sha256 or hash; } of a macOS SDK (see macosSdk.nix), for
  # darwin targets on a non-macOS host.
  macosSdk ? { }
, # C for bare-metal targets: false, true, or { <target name> = true; }.
  # Rust's *-none targets link with rust-lld, so only C code needs the
  # target's newlib gcc (CC_/CXX_/AR_<t>).
  bareMetalCC ? false
, # Whether `env` sets cargo's runner (and what it reads).
  withRunner ? true
}:
let
  host = pkgs.stdenv.hostPlatform;
  example = lib.systems.examples.${spec.nixpkgs_example} or (throw
    "crossflake: targets/${spec.name}.toml: nixpkgs_example = \"${spec.nixpkgs_example}\" is not in lib.systems.examples.");
  platform = lib.systems.elaborate example;
  native = platform.config == host.config;
  bare = spec.kind == "bare-metal";
  osx = platform.isDarwin && !host.isDarwin;
  cross = if native then pkgs else pkgs.pkgsCross.${spec.nixpkgs_example};
  cc = cross.stdenv.cc;
  T = spec.cargo_env;
  t = spec.cc_env;

  withC = !bare || (if builtins.isBool bareMetalCC then bareMetalCC else bareMetalCC.${spec.name} or false);
  libsFn = if builtins.isFunction targetLibs then targetLibs else targetLibs.${spec.name} or (p: [ ]);
  libs = if bare || osx then [ ] else libsFn cross;
  pcPath = lib.concatMapStringsSep ":" (p: "${lib.getDev p}/lib/pkgconfig:${lib.getDev p}/share/pkgconfig") libs;
  # wine builds for x86 Linux only; qemu-user needs a Linux host (lib's emulator).
  wineOk = host.isLinux && host.isx86;
  wasi = spec.runner.type == "wasi";
  emulator =
    if spec.runner.type == "none" || (platform.isWindows && !wineOk) then null
    else if wasi then wasiRunner.command
    else if host.canExecute platform then null
    else if cross.stdenv.hostPlatform.emulatorAvailable cross.buildPackages
    then cross.stdenv.hostPlatform.emulator cross.buildPackages
    else null;
  # qemu-user with the target's CPU model ([runner] cpu, e.g. max; power10
  # for ppc64le), unless QEMU_CPU says otherwise (qemuUserRunner.nix).
  cpuRunner =
    if spec.runner.type == "qemu-user" && spec.runner ? cpu && emulator != null
    then qemuUserRunner { inherit emulator; arch = spec.runner.qemu_arch; inherit (spec.runner) cpu; }
    else null;
  runner =
    if bare then bareMetalRunner spec
    else if cpuRunner != null then lib.getExe cpuRunner
    else emulator;
  # rustc's own rust-lld links bare metal and wasm ([host] linker = "rust-lld").
  rustLld = bare || (spec.host.linker or null) == "rust-lld";

  osxcross = mkOsxcross macosSdk;
  tool = name: if osx then "${osxcross}/bin/${spec.rust_triple}-${name}" else "${cc}/bin/${cc.targetPrefix}${name}";
  inherit (cross.windows) pthreads;
  # What running a program needs: cargo's runner and, for riscv64-none, the
  # firmware the launcher's runner boots with (CROSSFLAKE_OPENSBI).
  runnerEnv = lib.optionalAttrs (runner != null) ({ "CARGO_TARGET_${T}_RUNNER" = runner; }
    // lib.optionalAttrs bare (runnerFirmware spec).env);
in
{
  inherit spec runner libs withC runnerEnv cpuRunner;
  # Whether this build machine can run the target's programs (natively or
  # under the emulator): the hello/cdemo checks exist only for these.
  canRun = spec.runner.type != "none" && !osx && (runner != null || host.canExecute platform);
  env = lib.optionalAttrs withC
    {
      "CC_${t}" = tool (if osx then "clang" else "cc");
      "CXX_${t}" = tool (if osx then "clang++" else "c++");
      "AR_${t}" = if osx then tool "ar" else "${cc.bintools}/bin/${cc.targetPrefix}ar";
    }
  # pkg-config crate: PKG_CONFIG*_<target_with_underscores> beat the plain
  # vars even when empty, and an empty LIBDIR drops the default search path:
  # set them only when there are libraries to find.
  // lib.optionalAttrs (libs != [ ]) {
    "PKG_CONFIG_${t}" = "${pkg-config.pkg-config}/bin/pkg-config";
    "PKG_CONFIG_PATH_${t}" = pcPath;
    "PKG_CONFIG_LIBDIR_${t}" = pcPath;
    "PKG_CONFIG_ALLOW_CROSS_${t}" = "1";
  }
  # Bare-metal and wasm targets keep rustc's default linker (rust-lld).
  // lib.optionalAttrs (!rustLld) { "CARGO_TARGET_${T}_LINKER" = tool (if osx then "clang" else "cc"); }
  // lib.optionalAttrs withRunner runnerEnv
  // lib.optionalAttrs platform.isWindows {
    "CARGO_TARGET_${T}_RUSTFLAGS" = "-L native=${pthreads}/lib";
    # Doctests link with rustdoc, which reads RUSTDOCFLAGS, not RUSTFLAGS.
    "CARGO_TARGET_${T}_RUSTDOCFLAGS" = "-L native=${pthreads}/lib";
    # Where wine looks for DLLs (`;`-separated): winpthreads, the gcc
    # runtime and mcfgthread (mingwRuntimeDlls.nix), the targetLibs' bin/.
    WINEPATH = lib.concatStringsSep ";" ([ "${pthreads}/bin" "${mingwRuntimeDlls cross}/bin" ]
      ++ map (p: "${lib.getBin p}/bin") libs);
    # As the launcher sets them (src/wine.rs): no Mono/Gecko install prompts.
    WINEDLLOVERRIDES = "mscoree,mshtml=;winemenubuilder.exe=d";
    WINEDEBUG = "-all";
  }
  // lib.optionalAttrs osx {
    SDKROOT = osxcross.sdkroot;
    MACOSX_DEPLOYMENT_TARGET = spec.macos_deployment_target or "11.0";
  };
  packages = lib.optional (withC && !native && !osx) (binOnly "${cc.targetPrefix}cc" [ cc cc.bintools ])
    ++ lib.optional osx osxcross
    ++ lib.optional (platform.isWindows && emulator != null) (winePackagesFor "wine64").minimal
    # node for the launcher's own WASI runner, which starts `node` from PATH.
    ++ lib.optionals wasi wasiRunner.packages;
}
