# macosSdk: the macOS SDK tarball, which Apple's licence does not let anyone
# redistribute, so the user adds it to the Nix store once. requireFile is
# read in pkgs/build-support/trivial-builders/default.nix: a fixed-output
# path whose builder only prints `message` and fails until the file is added.
#
# { version = "14.5"; sha256 = "<nix-prefetch-url output>"; }  (or hash = "sha256-...")
# The message goes through an unquoted shell heredoc: no backticks or dollars in it.
{ lib, requireFile }:
{
  version ? null,
  sha256 ? null,
  hash ? null,
  ...
}:
let
  name =
    if version == null then "MacOSX-SDK-not-configured.sdk.tar.xz" else "MacOSX${version}.sdk.tar.xz";
in
requireFile (
  {
    inherit name;
    message = ''
      crossflake needs a macOS SDK for the *-apple-darwin targets, and Apple's
      licence forbids shipping it. Once:
        1. Make MacOSX<ver>.sdk.tar.xz on a Mac: osxcross's tools/gen_sdk_package.sh
           (from an Xcode you may use).
        2. crossflake sdk add /path/to/MacOSX<ver>.sdk.tar.xz
           It runs 'nix-store --add-fixed sha256 <file>' and prints the lines for
           macos-sdk.toml beside flake.nix:
             version = "<ver>"
             sha256 = "<hash>"
           Write them there and run 'git add macos-sdk.toml' (a flake sees tracked files only).
      Without the launcher: nix-prefetch-url file:///abs/path/MacOSX<ver>.sdk.tar.xz
      adds the file and prints its sha256 for the same two lines;
      or pass { version; sha256; } as macosSdk to crossflake's lib.mkCrossShells.
      ${lib.optionalString (version == null) "No SDK is configured yet (no macos-sdk.toml)."}
    '';
  }
  // (
    if hash != null then
      { inherit hash; }
    else if sha256 != null then
      { inherit sha256; }
    else
      { hash = lib.fakeHash; }
  )
)
