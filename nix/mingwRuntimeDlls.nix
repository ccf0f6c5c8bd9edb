# mingwRuntimeDlls: one directory with the DLLs that programs built by
# nixpkgs' MinGW gcc load at run time, for WINEPATH: the gcc runtime
# (libgcc_s_seh-1.dll, libstdc++-6.dll; the gcc builder moves
# `<target>/lib/lib*.dll` into the `lib` output,
# pkgs/development/compilers/gcc/common/builder.nix) and mcfgthread's DLL,
# because that gcc uses the `mcf` thread model (threadsCross in
# pkgs/top-level/all-packages.nix; windows.mcfgthreads in
# pkgs/os-specific/windows/default.nix). They are found by name under those
# outputs, not at fixed paths, since the directories vary between versions.
# `cross` is the pkgsCross set of the Windows target.
{ lib, runCommand }:
cross:
let
  gcc = cross.stdenv.cc.cc;
in
runCommand "mingw-runtime-dlls" { } ''
  mkdir -p $out/bin
  find -L ${gcc} ${lib.getLib gcc} ${cross.windows.mcfgthreads} -name '*.dll' -type f | sort |
    while read -r f; do
      [ -e "$out/bin/''${f##*/}" ] || ln -s "$f" "$out/bin/"
    done
''
