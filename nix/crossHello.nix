# crossHello: examples/hello (its own workspace) built for one std target;
# packages.hello-<target> puts its executables in $out/bin (for
# wasm32-wasip1 the .wasm modules, which need no executable bit).
{
  lib,
  src,
  buildCargoTarget,
}:
{
  spec,
  targetLibs ? (p: [ ]),
}:
buildCargoTarget {
  pname = "hello-${spec.name}";
  src = src + "/examples/hello";
  inherit spec targetLibs;
  installPhase = ''
    mkdir -p $out/bin
    find target/${spec.rust_triple}/release -maxdepth 1 -type f \( -executable -o -name '*.wasm' \) \
      -exec cp -t $out/bin {} +
  '';
}
