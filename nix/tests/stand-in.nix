# A stand-in for nixpkgs' package set, so that Nix 2.8 can evaluate the
# flake's wiring (nixpkgs 25.11 itself needs Nix >= 2.18). Real here: `lib`
# (nixpkgs.lib), the platforms (lib.systems.elaborate: configs, Rust triples,
# canExecute, emulator) and everything rust-overlay computes. Stand-ins:
# packages are attribute sets shaped like derivations (type, name, outPath,
# outputs, meta) that build nothing, and the builders crossflake calls
# (mkDerivation, mkShell, writeShellApplication, runCommand, symlinkJoin,
# buildRustPackage, importCargoLock, ...) record their arguments. Only the
# attributes the flake and rust-overlay ask for exist: callPackageWith aborts
# naming any other, so a file that starts to use a new attribute fails here
# until someone reads that attribute's nixpkgs source and adds it.
#
# `tools` maps a package name to a real prefix (e.g. { qemu = "/usr"; }), so a
# rendered script can run with the build machine's programs.
{
  lib,
  system,
  tools ? { },
}:
let
  inherit (builtins) isFunction;

  # One package set per platform; `buildSet` is the set that builds for it.
  mkSet =
    {
      platform,
      buildSet ? null,
    }:
    let
      native = buildSet == null;
      tag = if native then "" else "${platform.config}-";
      drv = name: attrs: mkDrv "${tag}${name}" attrs;
      mkDrv =
        name: attrs:
        let
          outputs = attrs.outputs or [ "out" ];
          base = tools.${name} or "/nix/store/00000000000000000000000000000000-${name}";
          outFor = o: if o == "out" then base else "${base}-${o}";
          self =
            attrs
            // (attrs.passthru or { })
            // {
              type = "derivation";
              inherit name outputs;
              outPath = outFor "out";
              outputName = "out";
              drvPath = "/nix/store/00000000000000000000000000000000-${name}.drv";
              meta = attrs.meta or { };
              standIn = true;
              overrideAttrs = f: mkDrv name (attrs // (if isFunction f then f attrs else f));
            }
            // lib.genAttrs outputs (
              o:
              self
              // {
                outPath = outFor o;
                outputName = o;
              }
            );
        in
        self;

      # pkgs/stdenv/generic/make-derivation.nix: name from pname-version,
      # finalAttrs, overrideAttrs with a function of the old attributes or a set.
      mkDerivation =
        fArgs:
        let
          args = if isFunction fArgs then fArgs (args // { finalPackage = result; }) else fArgs;
          result =
            mkDrv (args.name or "${tag}${args.pname}-${args.version or "0"}") (
              args
              // {
                standInBuilder = args.standInBuilder or "mkDerivation";
              }
            )
            // {
              overrideAttrs =
                f:
                let
                  new = if isFunction f then f args else f;
                in
                mkDerivation (removeAttrs args (lib.optional (new ? pname) "name") // new);
            };
        in
        result;

      # cc-wrapper / bintools-wrapper: their setup hook exports CC/CXX (or
      # AR, LD, ...) for the platform they target (cc-wrapper/setup-hook.sh).
      # pkgs/build-support/cc-wrapper/default.nix is callPackage'd, so a
      # wrapper has `override`; extraBuildCommands is one of its arguments
      # (recorded here, e.g. a nix-support/cc-ldflags line).
      wrapper =
        name: extra:
        let
          w =
            args:
            drv name (
              {
                isCcWrapper = true;
                targetPrefix = if native then "" else "${platform.config}-";
                extraBuildCommands = args.extraBuildCommands or "";
                override = f: w (args // (if isFunction f then f args else f));
              }
              // extra
            );
        in
        w { };
      bintools = wrapper "binutils-wrapper" { };
      cc = wrapper "gcc-wrapper" {
        inherit bintools;
        isGNU = true;
        # The unwrapped gcc; target runtime libraries are in its `lib` output
        # (pkgs/development/compilers/gcc/common/builder.nix).
        cc = drv "gcc" {
          outputs = [
            "out"
            "lib"
          ];
        };
      };
      stdenv = {
        hostPlatform = platform;
        buildPlatform = if native then platform else buildSet.stdenv.hostPlatform;
        targetPlatform = platform;
        inherit cc mkDerivation;
        inherit (platform) isLinux isDarwin system;
        shell = "/bin/bash";
      };

      # pkgs/build-support/rust/lib/default.nix (read in NixOS/nixpkgs):
      # envVars.linkerForHost is the set's cc, or ld.lld for a static
      # aarch64 platform (rust-lang/rust#89626), exposed as pkgs.rust.envVars
      # (pkgs/build-support/rust/hooks/default.nix uses rust.envVars).
      rust = {
        envVars =
          let
            useLLD = platform.isAarch64 && platform.isStatic && !platform.isDarwin;
            ccForHost = "${cc}/bin/${cc.targetPrefix}cc";
          in
          {
            inherit ccForHost;
            cxxForHost = "${cc}/bin/${cc.targetPrefix}c++";
            linkerForHost =
              if useLLD then
                "${pkgs.buildPackages.llvmPackages.bintools}/bin/${cc.targetPrefix}ld.lld"
              else
                ccForHost;
          };
      };

      pkgs = {
        inherit
          lib
          stdenv
          bintools
          pkgs
          rust
          ;
        stdenvNoCC = stdenv // {
          cc = null;
        };
        clangStdenv = stdenv // {
          cc = drv "clang-wrapper" {
            isCcWrapper = true;
            targetPrefix = "";
          };
        };
        buildPackages = if native then pkgs else buildSet;
        # The splicing sets (pkgs/top-level/stage.nix). A stand-in set builds
        # for its own platform only, so each is the set itself or the one
        # that builds for it; splicePackages (pkgs/top-level/splice.nix)
        # takes the host-target set's values, as callPackage would for a
        # native build; makeScopeWithSplicing' is lib's (lib/customisation.nix)
        # over it, as splice.nix defines it. crane's lib/default.nix needs all three.
        pkgsBuildBuild = pkgs.buildPackages;
        pkgsBuildHost = pkgs.buildPackages;
        pkgsBuildTarget = pkgs.buildPackages;
        pkgsHostTarget = pkgs;
        pkgsTargetTarget = pkgs;
        pkgsHostHost = pkgs;
        splicePackages = { pkgsHostTarget, ... }: pkgsHostTarget;
        makeScopeWithSplicing' = lib.makeScopeWithSplicing' {
          inherit (pkgs) splicePackages newScope;
        };
        # pkgs/build-support/setup-hooks/make-setup-hook.nix: a derivation
        # whose setup hook is the script (with substitutions).
        makeSetupHook = args: script: mkDrv args.name (args // { inherit script; });
        writeText = name: text: mkDrv name { inherit text; };
        runCommandLocal =
          name: env: buildCommand:
          mkDrv name (env // { inherit buildCommand; });
        linkFarm = name: entries: mkDrv name { inherit entries; };
        path = "/stand-in/nixpkgs";
        callPackage = lib.callPackageWith pkgs;
        newScope = extra: lib.callPackageWith (pkgs // extra);

        runtimeShell = "/bin/bash";
        mkShell =
          args:
          mkDrv (args.name or "nix-shell") (
            removeAttrs args [ "packages" ]
            // {
              standInBuilder = "mkShell";
              # pkgs/build-support/mkshell/default.nix: packages ++ nativeBuildInputs.
              nativeBuildInputs = (args.packages or [ ]) ++ (args.nativeBuildInputs or [ ]);
            }
          );
        # pkgs/build-support/trivial-builders/default.nix: the script is
        # `#!runtimeShell`, `set -o errexit -o nounset -o pipefail`, PATH from
        # runtimeInputs, then `text`; it is shellchecked when built.
        writeShellApplication =
          {
            name,
            text,
            runtimeInputs ? [ ],
            ...
          }@args:
          mkDrv name (
            args
            // {
              meta = {
                mainProgram = name;
              };
              script = ''
                #!/bin/bash
                set -o errexit
                set -o nounset
                set -o pipefail
              ''
              + lib.optionalString (runtimeInputs != [ ]) ''
                export PATH="${lib.makeBinPath runtimeInputs}:$PATH"
              ''
              + text;
            }
          );
        writeShellScriptBin =
          name: text:
          mkDrv name {
            inherit text;
            meta.mainProgram = name;
          };
        runCommand =
          name: env: buildCommand:
          mkDrv name (env // { inherit buildCommand; });
        symlinkJoin = args: mkDrv args.name args;
        requireFile = args: mkDrv args.name args;
        fetchurl = args: mkDrv (args.name or (baseNameOf args.url)) args;
        fetchFromGitHub = args: mkDrv "source-${args.repo}" args;
        makeRustPlatform = { cargo, rustc }: {
          # pkgs/build-support/rust/build-rust-package: its hooks and the
          # toolchain come first in nativeBuildInputs.
          buildRustPackage =
            args:
            mkDerivation (
              args
              // {
                standInBuilder = "buildRustPackage";
                nativeBuildInputs = [
                  (drv "cargo-build-hook" { })
                  cargo
                  rustc
                ]
                ++ (args.nativeBuildInputs or [ ]);
              }
            );
          importCargoLock = args: mkDrv "cargo-vendor-dir" args;
          cargoSetupHook = drv "cargo-setup-hook" { };
        };

        # pkgs/build-support/pkg-config-wrapper: passthru.pkg-config is the
        # unwrapped program.
        pkg-config = drv "pkg-config-wrapper" { passthru.pkg-config = drv "pkg-config" { }; };
        winePackagesFor = wine: { minimal = drv "${wine}-minimal" { }; };
        windows = {
          pthreads = drv "mingw_w64-pthreads" { };
          mcfgthreads = drv "mcfgthread" {
            outputs = [
              "out"
              "dev"
            ];
          };
        };
        llvmPackages = {
          clang-unwrapped = drv "clang" { };
          clang = drv "clang-wrapper" { };
          lld = drv "lld" { };
          bintools = drv "llvm-binutils-wrapper" { };
        };
        pkgsCross = lib.mapAttrs (
          _: example:
          mkSet {
            platform = lib.systems.elaborate example;
            buildSet = pkgs;
          }
        ) lib.systems.examples;
      }
      // lib.genAttrs [
        # Plain packages the flake or rust-overlay names (each read in nixpkgs).
        "autoPatchelfHook"
        "bash"
        "bzip2"
        "cargo-nextest"
        "cargo-zigbuild"
        "cmake"
        "coreutils"
        "curl"
        "gccForLibs"
        "gdb"
        "gnutar"
        "jq"
        "rsync"
        "writableTmpDirAsHomeHook"
        "zstd"
        "libxml2"
        "lld"
        "lndir"
        "makeWrapper"
        "nixfmt"
        "openssl"
        "python3"
        "qemu"
        "qemu-user"
        "rustc"
        "zig"
        "zlib"
      ] (n: drv n { meta.mainProgram = n; })
      // {
        # pkgs/by-name/li/libpng/package.nix: propagatedBuildInputs = [ zlib ]
        # (libpng.pc says Requires.private: zlib).
        libpng = drv "libpng" {
          outputs = [
            "out"
            "dev"
            "man"
          ];
          propagatedBuildInputs = [ pkgs.zlib ];
        };
        # pkgs/by-name/xz/xz/package.nix: outputs bin dev out man doc.
        xz = drv "xz" {
          outputs = [
            "bin"
            "dev"
            "out"
            "man"
            "doc"
          ];
        };
        # pkgs/development/web/nodejs: any version >= 20 (node:wasi preview1).
        nodejs = drv "nodejs" {
          version = "22.0.0";
          meta.mainProgram = "node";
        };
        # pkgs/by-name/op/opensbi/package.nix: version 1.6, these flags.
        opensbi = mkDerivation {
          pname = "opensbi";
          version = "1.6";
          makeFlags = [ "PLATFORM=generic" ];
          installFlags = [ "I=$(out)" ];
        };
      };
    in
    pkgs;
in
mkSet { platform = lib.systems.elaborate { inherit system; }; }
