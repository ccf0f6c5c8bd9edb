# mingwRuntimeDlls: one directory with the DLLs that programs built by
# nixpkgs' MinGW gcc load at run time, for WINEPATH: the gcc runtime
# (libgcc_s_seh-1.dll, libstdc++-6.dll; the gcc builder moves
# `<target>/lib/lib*.dll` into the `lib` output,
# pkgs/development/compilers/gcc/common/builder.nix) and mcfgthread's DLL,
# because that gcc uses the `mcf` thread model (threadsCross in
# pkgs/top-level/all-packages.nix; windows.mcfgthreads in
# pkgs/os-specific/windows/default.nix). They are found by name under those
# outputs, not at fixed paths, since the directories vary between versions:
# files and symbolic links alike, without following links (`find -L` fails
# on a link loop, which pipefail then turns into a failed build), and the
# build fails naming any expected DLL it did not find, rather than wine
# failing later. `cross` is the pkgsCross set of the Windows target.
{ lib, runCommand }:
cross:
let
  gcc = cross.stdenv.cc.cc;
  # One pattern per DLL a Rust program can load (mcfgthread's is versioned).
  expected = [
    "libgcc_s_seh-1.dll"
    "libstdc++-6.dll"
    "libmcfgthread-*.dll"
  ];
in
runCommand "mingw-runtime-dlls" { } ''
  mkdir -p $out/bin
  find ${gcc} ${lib.getLib gcc} ${cross.windows.mcfgthreads} \( -type f -o -type l \) -name '*.dll' |
    sort | while read -r f; do
      [ -e "$out/bin/''${f##*/}" ] || ln -s "$f" "$out/bin/"
    done
  for want in ${lib.escapeShellArgs expected}; do
    found=no
    for f in $out/bin/$want; do [ -e "$f" ] && found=yes; done
    if [ "$found" = no ]; then
      echo "mingw-runtime-dlls: no $want under ${gcc}, ${lib.getLib gcc} or ${cross.windows.mcfgthreads}; nixpkgs moved it: update nix/mingwRuntimeDlls.nix" >&2
      exit 1
    fi
  done
''
