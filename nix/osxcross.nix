# mkOsxcross: clang wrappers plus cctools (ld64, ar, lipo, ...) for
# x86_64- and aarch64-apple-darwin, from pinned sources and your SDK.
# nixpkgs has no osxcross, and pkgsCross.*-darwin does not work from Linux
# (NixOS/nixpkgs#273442).
#
# osxcross 1.5 (e6ab3fa) build.sh clones three repositories at build time
# (tools/tools.sh get_sources): xar (master), apple-libtapi (branch 1300.6.5)
# and cctools-port (branch 986-ld64-711). Each is pinned below at the commit
# its branch held; git_clone_repository copies it from $TP_OSXCROSS_DEV
# instead of cloning. Every hash is the NAR hash of `git archive <rev>` of a
# fetched copy, computed with `nix hash path` (what fetchFromGitHub checks).
# Built here: never (no SDK on this machine); see docs/nix.md.
{
  lib,
  clangStdenv,
  fetchFromGitHub,
  runCommand,
  runtimeShell,
  llvmPackages,
  cmake,
  python3,
  libxml2,
  openssl,
  zlib,
  bzip2,
  xz,
  macosSdk,
}:
# Other keys of macos-sdk.toml (notes, a path, ...) are ignored.
{
  version ? null,
  sha256 ? null,
  hash ? null,
  ...
}:
let
  tp =
    repo: rev: hash:
    fetchFromGitHub {
      owner = "tpoechtrager";
      inherit repo rev hash;
    };
  deps = {
    xar =
      tp "xar" "2b9a4ab7003f1db8c54da4fea55fcbb424fdecb0"
        "sha256-eclp58HG1E30Ddlg1GcBO9yRHaA4uOUDKrsv93RKw3I=";
    apple-libtapi =
      tp "apple-libtapi" "b8c5ac40267aa5f6004dd38cc2b2cd84f2d9d555"
        "sha256-8CbOGjXD5YyVShMSfR2wQJ4OAYhSWDV8/vkdtm0zqyw=";
    cctools-port =
      tp "cctools-port" "164f42296d56fd9456cb9e969ad6cf95e430cb39"
        "sha256-ANrqnjB8Rm7gMnh2hB5yFC37FTkT6dwwSgvhm4Zhy4s=";
  };
  sdk = macosSdk { inherit version sha256 hash; };
  # osxcross's wrapper runs `clang` from PATH (wrapper/target.cpp). This one is
  # nixpkgs' unwrapped clang with the resource dir of its wrapper
  # (cc-wrapper's resource-root) and none of the wrapper's glibc flags.
  clangShim = runCommand "osxcross-clang-shim" { } ''
    mkdir -p $out/bin
    for c in clang clang++; do
      printf '#!%s\nexec %s -resource-dir=%s "$@"\n' ${runtimeShell} \
        ${llvmPackages.clang-unwrapped}/bin/$c ${llvmPackages.clang}/resource-root > $out/bin/$c
      chmod +x $out/bin/$c
    done
  '';
in
clangStdenv.mkDerivation (finalAttrs: {
  pname = "osxcross";
  version = "1.5-unstable-2025-12-15";
  src =
    tp "osxcross" "e6ab3fa7423f9235ce9ed6381d6d3af191b46b59"
      "sha256-MuOPFExFudprW/AZzcPoUXmSrGhEwQ20dFvwu6Q7OXc=";
  nativeBuildInputs = [
    cmake
    python3
    xz
  ];
  buildInputs = [
    libxml2
    openssl
    zlib
    bzip2
  ];
  dontUseCmakeConfigure = true;
  dontConfigure = true;
  buildPhase = ''
    runHook preBuild
    mkdir -p dev tarballs
    ${lib.concatStrings (lib.mapAttrsToList (n: d: "cp -r ${d} dev/${n}\n") deps)}
    chmod -R u+w dev
    cp ${sdk} tarballs/${sdk.name}
    patchShebangs .
    export TP_OSXCROSS_DEV=$PWD/dev UNATTENDED=1 TARGET_DIR=$out JOBS=$NIX_BUILD_CORES
    export USESYSTEMCOMPILER=1 CC=${clangStdenv.cc}/bin/cc CXX=${clangStdenv.cc}/bin/c++
    export DISABLE_LTO_SUPPORT=1 SDK_VERSION=${toString version}
    PATH=${clangShim}/bin:$PATH ./build.sh
    runHook postBuild
  '';
  # Unversioned names (aarch64-apple-darwin-clang, ...), as targets/*.toml
  # [host] expects, that also put the clang shim on PATH.
  installPhase = ''
    runHook preInstall
    for arch in x86_64 aarch64; do
      for tool in clang clang++ ar ranlib ld lipo strip nm otool install_name_tool; do
        real=$(ls -d $out/bin/$arch-apple-darwin[0-9]*-$tool 2>/dev/null | head -n1)
        [ -n "$real" ] || continue
        printf '#!%s\nPATH=%s:$PATH exec %s "$@"\n' ${runtimeShell} ${clangShim}/bin "$real" \
          > $out/bin/$arch-apple-darwin-$tool
        chmod +x $out/bin/$arch-apple-darwin-$tool
      done
    done
    runHook postInstall
  '';
  passthru = {
    inherit sdk deps clangShim;
    sdkroot = "${finalAttrs.finalPackage}/SDK/MacOSX${toString version}.sdk";
  };
  meta = {
    description = "macOS cross toolchain (osxcross) with a user-supplied SDK";
    homepage = "https://github.com/tpoechtrager/osxcross";
    license = lib.licenses.gpl2Only;
    platforms = lib.platforms.linux;
  };
})
