# mkCrossEnv: what one target needs in a shell or a build: cargo's linker and
# runner, the cc crate's CC_/CXX_/AR_<t>, pkg-config for the target's own
# libraries, and the tools to put on PATH. Returns { spec, env, runnerEnv,
# packages, runner, cpuRunner, canRun, libs, withC, mode }: `env` includes
# `runnerEnv` (cargo's runner and what it reads, e.g. CROSSFLAKE_OPENSBI)
# unless `withRunner = false` (a build that runs nothing); cpuRunner is the
# qemu-user wrapper with the target's CPU model, if any.
#
# Names come from targetPlatform.nix (nixpkgs' platform.rust with the TOML's
# triple); the C tools from targetTools.nix, called through the target's own
# package set (splicing). Everything is named by absolute path in `env`; no
# cc-wrapper or bintools-wrapper of another platform goes into `packages`,
# because its setup hook would export plain CC/CXX/AR for the host
# (pkgs/build-support/cc-wrapper/setup-hook.sh) and break host C builds
# (cc-rs: CC_<host> -> HOST_CC -> CC). Their programs reach PATH through
# binOnly.nix instead.
#
# `mode` says how the target is served on this machine:
#   "native" / "cross"  nixpkgs' compilers (pkgsCross), the usual case;
#   "osxcross"          a darwin target on Linux (osxcross and your SDK);
#   "zigbuild"          a Linux or Windows target on a darwin machine: nixpkgs' cross
#                       jobsets are not built for darwin build platforms and
#                       cross glibc from darwin has an open bug
#                       (NixOS/nixpkgs#80754), so only the toolchain's std
#                       and cargo-zigbuild (zig links it) are offered, no cross
#                       gcc, no qemu-user (Linux only), unless the scope's
#                       `linuxCrossOnDarwin = true` asks for them.
#
# nixpkgs sources read for this file:
# - lib/systems/default.nix: elaborate, canExecute, emulator, emulatorAvailable
#   (wine from winePackagesFor "wine64", qemu-user `qemu-<arch>`).
# - pkgs/build-support/pkg-config-wrapper/default.nix: passthru.pkg-config.
# - pkgs/os-specific/windows/default.nix: windows.pthreads, windows.mcfgthreads.
# - lib/systems/examples.nix wasi32 (config wasm32-unknown-wasi, useLLVM: a
#   clang cc-wrapper whose libc is wasilibc, so it passes the wasi sysroot's
#   headers and libraries itself; prefix wasm32-unknown-wasi-) and
#   lib/systems/default.nix (emulator wasmtime, replaced by wasiRunner.nix).
{
  lib,
  pkgs,
  pkg-config,
  winePackagesFor,
  mkOsxcross,
  binOnly,
  mingwRuntimeDlls,
  runnerFirmware,
  wasiRunner,
  qemuUserRunner,
  targetPlatform,
  # The scope's switch (nix/default.nix): on a darwin machine, build Linux
  # targets' gcc, glibc and qemu-user from source anyway (see `mode` above).
  linuxCrossOnDarwin,
}:
{
  spec,
  # p: [ p.zlib ], or { <target name> = p: [ ... ]; }; p is the target's pkgsCross set.
  targetLibs ? (p: [ ]),
  # Runner for bare-metal targets (cargo appends the ELF path).
  bareMetalRunner ? (s: "crossflake runner --target ${s.name}"),
  # { version; sha256 or hash; } of a macOS SDK (see macosSdk.nix), for
  # darwin targets on a non-macOS host.
  macosSdk ? { },
  # C for bare-metal targets: false, true, or { <target name> = true; }.
  # Rust's *-none targets link with rust-lld, so only C code needs the
  # target's newlib gcc (CC_/CXX_/AR_<t>).
  bareMetalCC ? false,
  # C for std targets; false leaves CC_/CXX_/AR_<t> out (a build of pure
  # Rust for wasm32-wasip1 then does not pull in the wasi clang).
  withStdC ? true,
  # Whether `env` sets cargo's runner (and what it reads).
  withRunner ? true,
}:
let
  host = pkgs.stdenv.hostPlatform;
  tp = targetPlatform spec;
  inherit (tp) platform native cross;
  inherit (tp) T t;
  bare = spec.kind == "bare-metal";
  wasi = spec.runner.type == "wasi";
  mode =
    if native then
      "native"
    else if platform.isDarwin && !host.isDarwin then
      "osxcross"
    else if (platform.isLinux || platform.isWindows) && host.isDarwin && !linuxCrossOnDarwin then
      "zigbuild"
    else
      "cross";
  osx = mode == "osxcross";
  zigbuild = mode == "zigbuild";
  tools = cross.callPackage ./targetTools.nix { };

  withC =
    if bare then
      (if builtins.isBool bareMetalCC then bareMetalCC else bareMetalCC.${spec.name} or false)
    else
      withStdC && !zigbuild;
  libsFn = if builtins.isFunction targetLibs then targetLibs else targetLibs.${spec.name} or (p: [ ]);
  libs = if bare || osx || zigbuild then [ ] else libsFn cross;
  # The libraries and what they propagate, transitively (a .pc file names its
  # Requires, which live in the propagated inputs' dev outputs).
  closure = map (x: x.drv) (
    builtins.genericClosure {
      startSet = map (d: {
        key = d.outPath;
        drv = d;
      }) libs;
      operator =
        x:
        map (d: {
          key = d.outPath;
          drv = d;
        }) (lib.filter lib.isDerivation (x.drv.propagatedBuildInputs or [ ]));
    }
  );
  pcPath = lib.concatMapStringsSep ":" (
    p: "${lib.getDev p}/lib/pkgconfig:${lib.getDev p}/share/pkgconfig"
  ) closure;
  # wine builds for x86 Linux only; qemu-user needs a Linux host (lib's emulator).
  wineOk = host.isLinux && host.isx86;
  emulator =
    if spec.runner.type == "none" || (platform.isWindows && !wineOk) || zigbuild then
      null
    else if wasi then
      wasiRunner.command
    else if host.canExecute platform then
      null
    else if cross.stdenv.hostPlatform.emulatorAvailable cross.buildPackages then
      cross.stdenv.hostPlatform.emulator cross.buildPackages
    else
      null;
  # qemu-user with the target's CPU model ([runner] cpu, e.g. max; power10
  # for ppc64le), unless QEMU_CPU says otherwise (qemuUserRunner.nix).
  cpuRunner =
    if spec.runner.type == "qemu-user" && spec.runner ? cpu && emulator != null then
      qemuUserRunner {
        inherit emulator;
        arch = spec.runner.qemu_arch;
        inherit (spec.runner) cpu;
      }
    else
      null;
  runner =
    if bare then
      bareMetalRunner spec
    else if cpuRunner != null then
      lib.getExe cpuRunner
    else
      emulator;
  # rustc's own rust-lld links bare metal and wasm ([host] linker = "rust-lld").
  rustLld = bare || (spec.host.linker or null) == "rust-lld";

  osxcross = mkOsxcross macosSdk;
  osxTool = name: "${osxcross}/bin/${spec.rust_triple}-${name}";
  # What running a program needs: cargo's runner and, for riscv64-none, the
  # firmware the launcher's runner boots with (CROSSFLAKE_OPENSBI).
  runnerEnv = lib.optionalAttrs (runner != null) (
    { "CARGO_TARGET_${T}_RUNNER" = runner; } // lib.optionalAttrs bare (runnerFirmware spec).env
  );
  # Where wine looks for DLLs (`;`-separated): winpthreads, the gcc runtime
  # and mcfgthread (mingwRuntimeDlls.nix), the targetLibs' bin/.
  wineEnv = lib.optionalAttrs (platform.isWindows && emulator != null) {
    WINEPATH = lib.concatStringsSep ";" (
      [
        "${tools.pthreads}/bin"
        "${mingwRuntimeDlls cross}/bin"
      ]
      ++ map (p: "${lib.getBin p}/bin") libs
    );
    # As the launcher sets them (src/run/wine.rs): no Mono/Gecko install prompts.
    WINEDLLOVERRIDES = "mscoree,mshtml=;winemenubuilder.exe=d";
    WINEDEBUG = "-all";
  };
in
{
  inherit
    spec
    runner
    libs
    withC
    runnerEnv
    cpuRunner
    mode
    ;
  # Whether this build machine can run the target's programs (natively or
  # under the emulator): the hello/cdemo checks exist only for these.
  canRun =
    spec.runner.type != "none" && !osx && !zigbuild && (runner != null || host.canExecute platform);
  env =
    lib.optionalAttrs (withC && osx) {
      "CC_${t}" = osxTool "clang";
      "CXX_${t}" = osxTool "clang++";
      "AR_${t}" = osxTool "ar";
    }
    // lib.optionalAttrs (withC && !osx) {
      "CC_${t}" = tools.CC;
      "CXX_${t}" = tools.CXX;
      "AR_${t}" = tools.AR;
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
    # Bare-metal and wasm targets keep rustc's default linker (rust-lld);
    # zigbuild targets get theirs from cargo-zigbuild.
    // lib.optionalAttrs (!rustLld && !zigbuild) {
      "CARGO_TARGET_${T}_LINKER" = if osx then osxTool "clang" else tools.linker;
    }
    // lib.optionalAttrs withRunner runnerEnv
    // wineEnv
    // lib.optionalAttrs osx {
      SDKROOT = osxcross.sdkroot;
      MACOSX_DEPLOYMENT_TARGET = spec.host.macos_min or "11.0";
    };
  packages =
    lib.optional (withC && !native && !osx) (
      binOnly "${tools.targetPrefix}cc" [
        tools.cc
        tools.cc.bintools
      ]
    )
    ++ lib.optional osx osxcross
    ++ lib.optional (platform.isWindows && emulator != null) (winePackagesFor "wine64").minimal
    # node for the launcher's own WASI runner, which starts `node` from PATH.
    ++ lib.optionals wasi wasiRunner.packages;
}
