//! Turns well-known build failures into the next step: a -sys crate that
//! cannot find its target library gets the Debian package and the Nix way.
use crate::failure::Failure;
use crate::targets::TargetSpec;

/// Lines of cargo's stderr worth keeping for hints.
pub fn interesting(line: &str) -> bool {
    rejected_argument(line).is_some()
        || missing_framework(line).is_some()
        || line.contains("required by crate")
        || line.contains("was not found in the pkg-config search path")
        || line.contains("Could not find directory of OpenSSL")
        || missing_tool(line).is_some()
        || line.contains("Failed to setup MSVC")
        || (line.contains("HTTP") && line.contains("request for"))
        || line.contains("io: ")
}

/// The C tool in the cc crate's "failed to find tool \"X\"" error (a crate with C code
/// whose compiler for the target is not installed).
pub fn missing_tool(line: &str) -> Option<String> {
    let rest = line.split("failed to find tool \"").nth(1)?;
    rest.split('"').next().filter(|t| !t.is_empty()).map(str::to_string)
}

/// The failure (exit 3) when the build failed because the cc crate found no C compiler
/// (or archiver) for the target: the Debian packages the target file names for it, or
/// how to name one when the target has none.
pub fn missing_c_tool(lines: &[String], spec: &TargetSpec) -> Option<Failure> {
    let tool = lines.iter().find_map(|l| missing_tool(l))?;
    let known = [&spec.host.cc, &spec.host.cxx, &spec.host.ar].into_iter().flatten().any(|t| *t == tool);
    Some(if known {
        crate::backend::host::missing_tool(&tool, spec, "the C compiler a crate's build asked for")
    } else {
        Failure::missing(format!(
            "a crate has C code for {}, and `{tool}` is not on PATH: crossflake's host backend knows no C compiler \
             for {}",
            spec.rust_triple, spec.name
        ))
        .next(format!("set CC_{} to one, or use `nix develop .#{}`", spec.cc_env(), spec.name))
    })
}

/// The failure (exit 3) when cargo-xwin could not download Microsoft's CRT and Windows SDK
/// (`Failed to setup MSVC CRT`, then anyhow's causes: the request, the network error).
pub fn xwin_download(lines: &[String], spec: &TargetSpec) -> Option<Failure> {
    let at = lines.iter().position(|l| l.contains("Failed to setup MSVC"))?;
    let causes: Vec<&str> = lines[at + 1..]
        .iter()
        .map(|l| l.trim().trim_start_matches(|c: char| c.is_ascii_digit() || c == ':').trim())
        .filter(|l| !l.is_empty())
        .take(2)
        .collect();
    let why = if causes.is_empty() { String::new() } else { format!(": {}", causes.join(": ")) };
    Some(
        Failure::missing(format!(
            "{} builds with cargo-xwin, which could not download Microsoft's CRT and Windows SDK{why}",
            spec.name
        ))
        .next(
            "on a machine that reaches Microsoft's servers run `cargo-xwin cache xwin` (accepting Microsoft's \
             license), then copy ~/.cache/cargo-xwin here (or point XWIN_CACHE_DIR at it); or build for the GNU \
             ABI, which needs no download: `--target windows`",
        ),
    )
}

/// The argument in cargo's "unexpected argument 'X' found" error (an option crossflake
/// forwarded because it is not crossflake's).
pub fn rejected_argument(line: &str) -> Option<String> {
    let rest = line.split("error: unexpected argument '").nth(1)?;
    rest.split('\'').next().map(str::to_string)
}

/// The macOS framework zig could not find (`unable to find system framework "X"`): a
/// link without an SDK.
pub fn missing_framework(line: &str) -> Option<String> {
    let rest = line.split("unable to find system framework \"").nth(1)?;
    rest.split('"').next().map(str::to_string)
}

/// (pkg-config name, Debian -dev package, nixpkgs attribute) for common libraries.
const LIBS: &[(&str, &str, &str)] = &[
    ("zlib", "zlib1g-dev", "zlib"),
    ("libzstd", "libzstd-dev", "zstd"),
    ("liblzma", "liblzma-dev", "xz"),
    ("openssl", "libssl-dev", "openssl"),
    ("libssl", "libssl-dev", "openssl"),
    ("libcrypto", "libssl-dev", "openssl"),
    ("sqlite3", "libsqlite3-dev", "sqlite"),
    ("libcurl", "libcurl4-openssl-dev", "curl"),
    ("dbus-1", "libdbus-1-dev", "dbus"),
    ("libudev", "libudev-dev", "systemd"),
    ("alsa", "libasound2-dev", "alsa-lib"),
    ("libpng", "libpng-dev", "libpng"),
    ("libffi", "libffi-dev", "libffi"),
    ("libgit2", "libgit2-dev", "libgit2"),
];

/// Debian's architecture name for a Rust triple, where Debian 12 has one.
pub fn debian_arch(spec: &TargetSpec) -> Option<&'static str> {
    match spec.arch() {
        "x86_64" if spec.rust_triple.contains("linux-gnu") => Some("amd64"),
        "aarch64" if spec.rust_triple.contains("linux-gnu") => Some("arm64"),
        _ => None,
    }
}

/// The library names the lines say are missing.
pub fn missing_libraries(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for l in lines {
        let name = if let Some(rest) = l.split("The system library `").nth(1) {
            rest.split('`').next().map(str::to_string)
        } else if let Some(rest) = l.split("Package ").nth(1).filter(|_| l.contains("pkg-config search path")) {
            rest.split_whitespace().next().map(str::to_string)
        } else if l.contains("OpenSSL") {
            Some("openssl".to_string())
        } else {
            None
        };
        if let Some(n) = name {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// The next step for each missing library, or None when there is nothing to say.
pub fn missing_library_hint(lines: &[String], spec: &TargetSpec) -> Option<String> {
    let libs = missing_libraries(lines);
    if libs.is_empty() {
        return None;
    }
    let mut out = String::new();
    for lib in libs {
        let known = LIBS.iter().find(|(pc, _, _)| *pc == lib);
        let (deb, attr) = known.map(|(_, d, a)| (d.to_string(), a.to_string())).unwrap_or_else(|| {
            (
                format!("the -dev package holding {lib}.pc (`apt-file search {lib}.pc`)"),
                lib.trim_start_matches("lib").to_string(),
            )
        });
        out += &format!("the target library `{lib}` for {} is missing.\n", spec.rust_triple);
        match debian_arch(spec) {
            Some(arch) if known.is_some() && arch == "amd64" && spec.rust_triple == crate::resolve::machine::host_triple() => {
                out += &format!("  Debian: sudo apt-get install {deb}\n")
            }
            Some(arch) if known.is_some() => {
                out += &format!("  Debian: sudo dpkg --add-architecture {arch} && sudo apt-get update && sudo apt-get install {deb}:{arch}\n")
            }
            Some(arch) => out += &format!("  Debian ({arch}): {deb}\n"),
            None => out += "  Debian 12 has no packages for this target's architecture/libc: build the library from source (a -sys crate's vendored/static feature) or use Nix\n",
        }
        out += &format!(
            "  Nix: declare it for the target's shell: targetLibs = p: [ p.{attr} ]; (crossflake.lib.mkCrossShells)\n"
        );
    }
    Some(out)
}
