# outputs: the per-system flake outputs (devShells, packages, apps, checks),
# made from the registry in targets/ and the functions of this scope.
#
# Linux machines get everything. A darwin machine gets what can work there
# (issue 21, finding 1): the shells (darwin natively, wasm32-wasip1, bare
# metal with QEMU's own firmware, Linux targets through cargo-zigbuild; see
# mkCrossEnv.nix `mode`), the launcher, the bare-metal kernels and their
# QEMU apps; no checks, no hello packages (they need Linux cross gcc).
#
# A bare-metal target gets the sample kernel (examples/kernel) as a package
# and check when that kernel supports its architecture: the `qemu-virt-<arch>`
# features it enables of crossflake-harness (examples/kernel/Cargo.toml)
# name them, and the triple starts with one. Other bare-metal targets
# (Cortex-M, riscv32) get their shell and QEMU app only.
# nixpkgs: stdenv.hostPlatform.isLinux (pkgs/stdenv/generic/default.nix;
# lib/systems/inspect.nix); lib.importTOML (lib/trivial.nix); lib.getExe
# (lib/meta.nix).
{
  lib,
  stdenv,
  src,
  targets,
  launcherOnly,
  mkCrossEnv,
  mkCrossShells,
  mkOsxcross,
  crossflake,
  qemuRunner,
  crossHello,
  crossHelloTest,
  cdemoTest,
  kernel,
  kernelTest,
  cargoLint,
  nixFormatCheck,
  formatter,
}:
let
  # universal2 and the MSVC targets are the launcher's alone (default.nix launcherOnly).
  specs = lib.filter (s: !(launcherOnly s)) (builtins.attrValues targets);
  isApple = s: lib.hasSuffix "-apple-darwin" s.rust_triple;
  std = lib.filter (s: s.kind == "std" && !(isApple s)) specs;
  bare = lib.filter (s: s.kind == "bare-metal") specs;
  runnable = lib.filter (s: (mkCrossEnv { spec = s; }).canRun) std;
  # cdemo is the C side (the cc crate, libz-sys, the target's liblzma through
  # pkg-config): not for wasm32-wasip1, for which nixpkgs' xz is not known
  # to build (it would make `nix flake check` fail).
  withC = lib.filter (s: s.runner.type != "wasi") runnable;
  harnessFeatures =
    (lib.importTOML (src + "/examples/kernel/Cargo.toml")).dependencies.crossflake-harness.features
      or [ ];
  kernelArchs = map (lib.removePrefix "qemu-virt-") (
    lib.filter (lib.hasPrefix "qemu-virt-") harnessFeatures
  );
  hasKernel = s: lib.any (a: lib.hasPrefix a s.rust_triple) kernelArchs;
  # kernel-riscv64 for riscv64-none, kernel-aarch64 for aarch64-none,
  # kernel-aarch64-none-softfloat: the names the launcher looks for
  # (src/nix/flake.rs package_attrs, check_attrs strip a trailing -none).
  kernelName = s: "kernel-" + lib.removeSuffix "-none" s.name;
  kernels = each (
    s:
    lib.nameValuePair (kernelName s) (kernel {
      spec = s;
    })
  ) (lib.filter hasKernel bare);
  # Written by `crossflake sdk add` (see macosSdk.nix); optional.
  sdkFile = src + "/macos-sdk.toml";
  macosSdk = if builtins.pathExists sdkFile then lib.importTOML sdkFile else { };
  each = f: xs: lib.listToAttrs (map f xs);
  linuxOnly = lib.optionalAttrs stdenv.hostPlatform.isLinux;
in
{
  devShells = mkCrossShells { inherit macosSdk; };
  inherit formatter;

  packages = {
    inherit crossflake;
    default = crossflake;
  }
  // kernels
  // linuxOnly (
    each (
      s:
      lib.nameValuePair "hello-${s.name}" (crossHello {
        spec = s;
      })
    ) std
    // lib.optionalAttrs (macosSdk ? version) { osxcross = mkOsxcross macosSdk; }
  );

  # `nix run .#crossflake-qemu-<target> -- kernel.elf`: boots an ELF the way
  # the target's [runner] says (qemuRunner.nix). `nix run` alone: the launcher.
  apps =
    each (
      s:
      lib.nameValuePair "crossflake-qemu-${s.name}" {
        type = "app";
        program = lib.getExe (qemuRunner s);
        meta.description = "boot a ${s.name} ELF under ${s.runner.qemu_system}";
      }
    ) (lib.filter (s: s.runner.type == "qemu-system") bare)
    // {
      default = {
        type = "app";
        program = lib.getExe crossflake;
        meta.description = "the crossflake launcher";
      };
    };

  checks = linuxOnly (
    each (
      s:
      lib.nameValuePair "hello-${s.name}" (crossHelloTest {
        spec = s;
      })
    ) runnable
    // each (
      s:
      lib.nameValuePair "cdemo-${s.name}" (cdemoTest {
        spec = s;
      })
    ) withC
    // each (
      s:
      lib.nameValuePair "${kernelName s}-boot" (kernelTest {
        spec = s;
        kernel = kernels.${kernelName s};
      })
    ) (lib.filter hasKernel bare)
    // {
      crossflake-unit = cargoLint.unit;
      crossflake-clippy = cargoLint.clippy;
      crossflake-rustfmt = cargoLint.rustfmt;
      nix-format = nixFormatCheck;
    }
  );
}
