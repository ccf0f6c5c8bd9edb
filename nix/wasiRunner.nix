# wasiRunner: how wasm32-wasip1 programs run in the shells and checks: under
# Node.js's built-in node:wasi, through the launcher's own script
# (src/run/wasi/run.mjs, the one `crossflake runner` starts), so `cargo test` in
# a shell, `nix flake check` and the launcher give a program the same
# preopens (`.`, the current directory at its absolute path, a fresh TMPDIR)
# and the same exit codes (proc_exit's; 134 for a trap). nixpkgs' own
# emulator for wasi (lib/systems/default.nix: `${pkgs.wasmtime}/bin/wasmtime`)
# would need `run --dir . --dir $PWD` and a TMPDIR preopen in a wrapper and
# maps traps differently, and the launcher's runner needs `node` on PATH in
# the shell anyway.
# Returns { command; packages; }: command is a CARGO_TARGET_<T>_RUNNER value.
# nixpkgs: `nodejs`, a top-level alias of one nodejs_<n>
# (pkgs/development/web/nodejs/v<n>.nix; its setup hook only extends
# NODE_PATH). node:wasi takes `version: 'preview1'` from Node 20 on, which is
# asserted here; the flag Node 18 needed is left out.
{
  lib,
  nodejs,
  src,
}:
assert
  lib.versionAtLeast nodejs.version "20"
  || throw "crossflake: wasm32-wasip1 runs under node:wasi, which needs Node.js >= 20; this nodejs is ${nodejs.version}.";
{
  command = "${nodejs}/bin/node --no-warnings ${src + "/src/run/wasi/run.mjs"}";
  packages = [ nodejs ];
}
