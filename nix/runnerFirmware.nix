# runnerFirmware: the firmware a bare-metal target's [runner] asks for, as
# the QEMU wrapper (qemuRunner.nix) and the launcher (`crossflake runner`,
# src/plan/emulator.rs with_firmware) use it: for firmware = "opensbi-srst-reason"
# the patched OpenSBI (opensbi.nix) replaces `-bios default`, and
# CROSSFLAKE_OPENSBI names it for the launcher (src/resolve/machine.rs OPENSBI_ENV).
# Returns { path; args; env; }: path is null and env empty for targets
# without a firmware; args are the [runner] args with the replacement.
#
# On a darwin machine the patched OpenSBI would need pkgsCross.riscv64's
# glibc gcc, built from source there (issue 21, finding 1), so the target
# keeps QEMU's own firmware (`-bios default`), whose SBI shutdown exits 0
# whatever its reason: the launcher says so once, and kernels that exit
# through the SiFive test device are unaffected. The scope's
# `linuxCrossOnDarwin = true` builds the patched one anyway.
{
  lib,
  stdenv,
  opensbiSrstReason,
  linuxCrossOnDarwin,
}:
spec:
let
  wanted = spec.runner.firmware or null;
  stock = stdenv.hostPlatform.isDarwin && !linuxCrossOnDarwin;
  known = {
    opensbi-srst-reason = "${opensbiSrstReason}/${opensbiSrstReason.firmware}";
  };
  path =
    if wanted == null || stock then
      null
    else
      known.${wanted}
        or (throw "crossflake: targets/${spec.name}.toml: [runner] firmware = \"${wanted}\" is unknown; known: ${lib.concatStringsSep ", " (builtins.attrNames known)}.");
  args = spec.runner.args or [ ];
  # `-bios default` -> `-bios <path>`, like the launcher; other args stay.
  isDefaultBios = i: a: a == "default" && i > 0 && builtins.elemAt args (i - 1) == "-bios";
in
{
  inherit path;
  args = if path == null then args else lib.imap0 (i: a: if isDefaultBios i a then path else a) args;
  env = lib.optionalAttrs (path != null) { CROSSFLAKE_OPENSBI = path; };
}
