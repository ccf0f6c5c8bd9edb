//! Build script for `cdemo`: compiles csrc/checksum.c for the target, records
//! the bundled zlib version, and with `--features system-lib` finds liblzma
//! for the target through pkg-config.
//!
//! Environment for `system-lib` when cross-compiling (crossflake's launcher
//! sets these): `PKG_CONFIG_ALLOW_CROSS=1`,
//! `PKG_CONFIG_LIBDIR_<triple_with_underscores>` (the target's .pc
//! directories) and `PKG_CONFIG_SYSROOT_DIR_<triple>=/`.

use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=csrc/checksum.c");
    // The `cc` crate takes the compiler from CC_<triple> (or guesses it).
    cc::Build::new().file("csrc/checksum.c").warnings(true).extra_warnings(true).compile("cdemo_checksum");

    // libz-sys (`links = "z"`) tells us where its freshly built zlib headers
    // are; the tests compare the runtime zlibVersion() with this one.
    let include = env::var("DEP_Z_INCLUDE").expect("libz-sys reports its include dir");
    let header = fs::read_to_string(format!("{include}/zlib.h")).expect("bundled zlib.h");
    let version = header
        .lines()
        .find_map(|l| l.strip_prefix("#define ZLIB_VERSION \""))
        .and_then(|rest| rest.split('"').next())
        .expect("ZLIB_VERSION in zlib.h");
    println!("cargo:rustc-env=CDEMO_BUNDLED_ZLIB_VERSION={version}");

    #[cfg(feature = "system-lib")]
    system_lib::link();
}

#[cfg(feature = "system-lib")]
mod system_lib {
    use std::path::PathBuf;
    use std::{env, fs};

    /// pkg-config module, archive name, Debian -dev package, nixpkgs attribute.
    const MODULE: &str = "liblzma";
    const LIB: &str = "lzma";
    const DEB_DEV: &str = "liblzma-dev";
    const NIX_ATTR: &str = "xz";

    pub fn link() {
        // No cargo metadata from pkg-config itself: it would add the target's
        // whole system library directory to the search path and link
        // dynamically (it never links static from under PKG_CONFIG_SYSROOT_DIR).
        let lib = match pkg_config::Config::new().statik(true).cargo_metadata(false).env_metadata(true).probe(MODULE) {
            Ok(lib) => lib,
            Err(e) => fail(&e),
        };
        println!("cargo:rustc-env=CDEMO_LZMA_PC_VERSION={}", lib.version);

        let mut dirs = lib.link_paths.clone();
        // System directories are left out of `--libs`; the .pc file knows.
        if let Ok(libdir) = pkg_config::get_variable(MODULE, "libdir") {
            dirs.push(PathBuf::from(libdir));
        }
        dirs.dedup();
        let archive = format!("lib{LIB}.a");
        if let Some(found) = dirs.iter().map(|d| d.join(&archive)).find(|p| p.is_file()) {
            // Static: copy the archive alone into OUT_DIR, so the linker sees
            // this one library and not the rest of a multiarch directory.
            let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("system-lib");
            fs::create_dir_all(&out).expect("create OUT_DIR/system-lib");
            fs::copy(&found, out.join(&archive)).expect("copy static library");
            println!("cargo:rerun-if-changed={}", found.display());
            println!("cargo:rustc-link-search=native={}", out.display());
            println!("cargo:rustc-link-lib=static={LIB}");
        } else {
            println!("cargo:warning=no {archive} in {dirs:?}: linking {MODULE} dynamically");
            let elf = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
            for dir in &lib.link_paths {
                println!("cargo:rustc-link-search=native={}", dir.display());
                if elf {
                    // Non-system dirs (e.g. /nix/store/...) are not searched at
                    // run time: record them in the binary.
                    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
                }
            }
            println!("cargo:rustc-link-lib={LIB}");
        }
        // Libs.private (e.g. -lpthread) are libc parts: rustc links those itself.
    }

    /// Stops the build with a short message saying how to get the library.
    fn fail(err: &pkg_config::Error) -> ! {
        let target = env::var("TARGET").unwrap_or_default();
        let native = env::var("HOST").is_ok_and(|h| h == target);
        let mut msg = vec![format!("feature `system-lib`: {MODULE} for {target} was not found through pkg-config")];
        let gnu_linux = env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
            && env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|e| e == "gnu");
        match debian_arch().filter(|_| gnu_linux) {
            Some(_) if native => {
                msg.push(format!("Debian/Ubuntu: sudo apt-get install {DEB_DEV}"));
            }
            Some(arch) => {
                msg.push(format!(
                    "Debian/Ubuntu: sudo dpkg --add-architecture {arch} && sudo apt-get update \
                     && sudo apt-get install {DEB_DEV}:{arch}"
                ));
                if arch == "riscv64" {
                    msg.push("(Debian 12 has no riscv64 architecture; Debian 13 has)".into());
                }
            }
            None => msg.push(format!("no Debian package provides {MODULE} for {target}")),
        }
        msg.push(format!("Nix: add it to targetLibs in the flake, e.g. `targetLibs = p: [ p.{NIX_ATTR} ];`"));
        msg.push("or build without `--features system-lib`".into());
        if matches!(err, pkg_config::Error::CrossCompilation) {
            msg.push(format!(
                "(cross build: set PKG_CONFIG_ALLOW_CROSS=1 and PKG_CONFIG_LIBDIR_{})",
                target.replace('-', "_")
            ));
        }
        let said = match err {
            pkg_config::Error::Failure { command, output }
            | pkg_config::Error::ProbeFailure { command, output, .. } => {
                let stderr = String::from_utf8_lossy(&output.stderr);
                let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                format!("{} (ran {command})", first.trim())
            }
            other => other.to_string().lines().next().unwrap_or("").to_owned(),
        };
        msg.push(format!("pkg-config: {said}"));
        for line in msg {
            println!("cargo::error={line}");
        }
        std::process::exit(0); // cargo fails the build because of the errors
    }

    /// Debian's name for the target architecture (multiarch `:arch`).
    fn debian_arch() -> Option<&'static str> {
        let arch = env::var("CARGO_CFG_TARGET_ARCH").ok()?;
        Some(match arch.as_str() {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "riscv64" => "riscv64",
            "x86" => "i386",
            _ => return None,
        })
    }
}
