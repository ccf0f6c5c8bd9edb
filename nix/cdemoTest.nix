# cdemoTest: examples/cdemo's `cargo test --release --features system-lib`
# for one std target, run inside the derivation under the target's emulator
# (or natively), like crossHelloTest. It covers the C side of a target:
# csrc/checksum.c through the cc crate (CC_<t>), zlib built from source by
# libz-sys with the same compiler, and liblzma of the target's pkgsCross set
# found through pkg-config (targetLibs -> PKG_CONFIG_*_<t>).
#
# liblzma comes as a static archive as well, so that every target links it
# the same way (cdemo's build.rs prefers lib<name>.a; musl targets link
# statically): nixpkgs' stdenv passes --disable-static unless
# dontDisableStatic is set (pkgs/stdenv/generic/setup.sh), and xz has no
# other switch for both kinds (pkgs/by-name/xz/xz/package.nix: enableStatic
# means --disable-shared).
{ src, buildCargoTarget }:
{
  spec,
  targetLibs ? (p: [ (p.xz.overrideAttrs { dontDisableStatic = true; }) ]),
}:
buildCargoTarget {
  pname = "cdemo-test-${spec.name}";
  src = src + "/examples/cdemo";
  inherit spec targetLibs;
  cargoCommand = "test --release --features system-lib";
  installPhase = ''
    mkdir -p $out
    echo "examples/cdemo: cargo test --features system-lib --target ${spec.rust_triple} passed" > $out/result
  '';
}
