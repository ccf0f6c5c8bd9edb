//! Targets crossflake has no file for. A `--target` (or `build.target`) that
//! is not in the registry but that the toolchain's rustc knows (`rustc
//! --print target-list`) is still cargo's to build: it runs as plain cargo
//! would, with the user's configuration (runner, linker, rustflags), inside
//! crossflake's runner handling (timeout, signals, exit codes). Only what is
//! safe to derive is derived, and said: a `*-linux-gnu*` triple whose
//! `<arch>-linux-<env>-gcc` and `qemu-<arch>` are on PATH gets them as linker,
//! C tools and runner. Anything else keeps cargo's defaults (programs start
//! as they are, as cargo starts them).
use super::machine::HostEnv;
use crate::failure::Failure;
use crate::step::Step;
use crate::targets::{HostTools, Kind, Registry, Runner, TargetSpec};
use std::path::{Path, PathBuf};

/// A program's timeout under an open triple's runner: the built-in Linux targets' (a
/// hang is what it catches; a slow suite under emulation must still pass).
const USER_TIMEOUT_SECS: u64 = 1800;

/// The rustc whose target list counts: the chosen toolchain's (the pinned one comes
/// first), else `$RUSTC`, else `rustc` on PATH.
pub fn rustc_of(env: &HostEnv) -> PathBuf {
    env.toolchains
        .first()
        .map(|t| t.rustc.clone())
        .or_else(|| std::env::var_os("RUSTC").map(PathBuf::from))
        .unwrap_or_else(|| "rustc".into())
}

/// The triples `rustc` knows (empty when it cannot be asked).
pub fn target_list(rustc: &Path) -> Vec<String> {
    let step = Step::new("rustc --print target-list", rustc.display().to_string()).args(["--print", "target-list"]);
    match crate::exec::capture(&step) {
        Ok(got) if got.success() => {
            got.stdout.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
        }
        _ => vec![],
    }
}

/// What rustc says of a target's OS (`none` for bare metal).
fn target_os(rustc: &Path, triple: &str) -> Option<String> {
    let step = Step::new("rustc --print cfg", rustc.display().to_string())
        .args(["--print", "cfg", "--target", triple])
        .env("RUSTC_BOOTSTRAP", "1");
    let got = crate::exec::capture(&step).ok().filter(|g| g.success())?;
    got.stdout.lines().find_map(|l| l.strip_prefix("target_os=\"")?.strip_suffix('"').map(String::from))
}

/// QEMU's user-mode name for a Rust architecture.
fn qemu_arch(arch: &str) -> &str {
    match arch {
        "i586" | "i686" => "i386",
        a if a.starts_with("armv") || a == "arm" || a.starts_with("thumbv") => "arm",
        a if a.starts_with("riscv64") => "riscv64",
        a if a.starts_with("riscv32") => "riscv32",
        "powerpc64le" => "ppc64le",
        "powerpc64" => "ppc64",
        "powerpc" => "ppc",
        a => a,
    }
}

/// The spec of a triple crossflake has no file for: cargo's defaults, plus what is safe to
/// derive from this machine, said in `open`.
pub fn spec_for(env: &HostEnv, triple: &str, rustc: &Path) -> TargetSpec {
    let bare = target_os(rustc, triple).map_or(triple.contains("-none"), |os| os == "none");
    let mut host = HostTools {
        linker: String::new(),
        cc: None,
        cxx: None,
        ar: None,
        cflags: None,
        sysroot: None,
        packages: vec![],
        pkg_config_libdir: None,
        note: None,
        unsupported: None,
        glibc_min: None,
        zig_fallback: false,
        macos_min: None,
        cargo_wrapper: None,
    };
    let mut runner = Runner::Direct { timeout_secs: USER_TIMEOUT_SECS };
    let mut derived = vec![];
    let parts: Vec<&str> = triple.split('-').collect();
    if let (Some(arch), Some(abi)) = (parts.first(), parts.last().filter(|e| e.starts_with("gnu"))) {
        if triple.contains("-linux-") {
            let arch = arch.trim_end_matches("gc");
            let prefix = format!("{arch}-linux-{abi}");
            let gcc = format!("{prefix}-gcc");
            let qemu = format!("qemu-{}", qemu_arch(arch));
            if env.which(&gcc).is_some() {
                derived.push(format!("{gcc} as linker and C compiler"));
                host.linker = gcc.clone();
                host.cc = Some(gcc);
                host.ar = Some(format!("{prefix}-ar"));
                host.cxx = env.which(&format!("{prefix}-g++")).map(|_| format!("{prefix}-g++"));
            }
            if env.which(&qemu).is_some() && !host.linker.is_empty() {
                let root = format!("/usr/{prefix}");
                host.sysroot = Path::new(&root).is_dir().then_some(root);
                derived.push(format!(
                    "{qemu} as runner{}",
                    host.sysroot.as_ref().map_or(String::new(), |r| format!(" (-L {r})"))
                ));
                runner =
                    Runner::QemuUser { qemu_arch: qemu_arch(arch).into(), timeout_secs: USER_TIMEOUT_SECS, cpu: None };
            }
        }
    }
    let open = format!(
        "crossflake has no built-in environment for {triple}: cargo runs as it would with your configuration \
         (runner, linker, rustflags), inside crossflake's runner (timeout, signals); {}",
        if derived.is_empty() {
            "nothing derived".to_string()
        } else {
            format!("derived from PATH: {}", derived.join(", "))
        }
    );
    TargetSpec {
        name: triple.to_string(),
        aliases: vec![],
        rust_triple: triple.to_string(),
        kind: if bare { Kind::BareMetal } else { Kind::Std },
        nixpkgs_example: String::new(),
        description: format!("{triple} (no built-in environment)"),
        dist_suffix: triple.to_string(),
        custom_json: None,
        runner,
        host,
        verdict: None,
        open: Some(open),
    }
}

/// A custom target JSON no built-in target matches: built as cargo builds it (std from
/// rust-src), run with the user's runner or none, said in `open`.
fn json_spec(env: &HostEnv, json: &crate::targets::CustomJson) -> TargetSpec {
    let mut spec = spec_for(env, &json.stem, Path::new("/nonexistent"));
    spec.kind = if json.os == "none" { Kind::BareMetal } else { Kind::Std };
    spec.custom_json = Some(json.path.display().to_string());
    spec.description = format!("custom target {} (no built-in environment)", json.path.display());
    spec.open = Some(format!(
        "crossflake has no built-in target of arch {:?} for {}: cargo builds it as it would (std from rust-src) \
         with your configuration (runner, linker, rustflags), inside crossflake's runner (timeout, signals); nothing \
         derived",
        json.arch,
        json.path.display()
    ));
    spec
}

/// Resolves a `--target`: a built-in target or board, a target JSON, else a triple the
/// toolchain's rustc knows; a triple rustc does not know exits 2 naming the closest.
pub fn resolve(registry: &Registry, env: &HostEnv, query: &str) -> Result<TargetSpec, Failure> {
    match registry.resolve(query) {
        Ok(spec) => Ok(spec.clone()),
        Err(_) if query.ends_with(".json") => {
            let json = crate::targets::CustomJson::read(query)?;
            Ok(match registry.custom_base(&json) {
                Some(base) => json.spec_from(base),
                None => json_spec(env, &json),
            })
        }
        Err(unknown) => {
            let rustc = rustc_of(env);
            let known = target_list(&rustc);
            let q = query.trim();
            if known.iter().any(|t| t == q) {
                return Ok(spec_for(env, q, &rustc));
            }
            let mut near: Vec<(usize, &String)> =
                known.iter().map(|t| (crate::targets::edit_distance(q, t), t)).filter(|(d, _)| *d <= 3).collect();
            near.sort();
            let mut suggestions = unknown.suggestions;
            suggestions.extend(near.into_iter().take(3).map(|(_, t)| t.clone()));
            Err(crate::targets::UnknownTarget { query: query.to_string(), suggestions }.into())
        }
    }
}

/// Whether the user builds std themselves: `-Zbuild-std` among cargo's arguments,
/// `CARGO_UNSTABLE_BUILD_STD`, or `[unstable] build-std` in a cargo config cargo reads.
pub fn builds_own_std(args: &[String], config: &super::cargo_config::CargoConfig) -> bool {
    let in_args = args.iter().enumerate().any(|(i, a)| {
        a.starts_with("-Zbuild-std") || (a == "-Z" && args.get(i + 1).is_some_and(|v| v.starts_with("build-std")))
    });
    in_args
        || std::env::var_os("CARGO_UNSTABLE_BUILD_STD").is_some_and(|v| !v.is_empty())
        || config.unstable_build_std()
}
