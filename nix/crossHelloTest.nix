# crossHelloTest: examples/hello's `cargo test` for one std target, run inside
# the derivation under the target's emulator (qemu-user, wine) or natively
# when the build machine can execute it. The build fails if a test fails.
{ src, buildCargoTarget }:
{
  spec,
  targetLibs ? (p: [ ]),
}:
buildCargoTarget {
  pname = "hello-test-${spec.name}";
  src = src + "/examples/hello";
  inherit spec targetLibs;
  cargoCommand = "test --release";
  installPhase = ''
    mkdir -p $out
    echo "examples/hello: cargo test --target ${spec.rust_triple} passed" > $out/result
  '';
}
