//! The host backend: the machine's own cross tools. Turns a target spec, the
//! request and the probed machine into the cargo step's toolset (toolchain,
//! linker, C tools, pkg-config, zig for a glibc floor) and plans with it.
//! Pure: it reads values, spawns nothing.
use crate::failure::Failure;
use crate::plan::cargo_step::{self, Toolset};
use crate::plan::emulator::emulator_program;
use crate::plan::Plan;
use crate::request::{CargoRequest, CommandKind};
use crate::resolve::machine::{HostEnv, ToolchainSource};
use crate::resolve::toolchain::{choose_toolchain, StdSource};
use crate::targets::{Kind, TargetSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The rustc the host backend would use for `spec` (to ask it for the target's cfg).
pub fn rustc(env: &HostEnv, spec: &TargetSpec, req: &CargoRequest) -> Option<PathBuf> {
    toolchain(env, spec, req).ok().map(|t| t.0.rustc.clone())
}

/// The toolchain for `spec` (any that is asked for when the user builds std themselves).
fn toolchain<'a>(
    env: &'a HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
) -> Result<(&'a crate::resolve::machine::Toolchain, StdSource, String), Failure> {
    match req.own_std {
        true => crate::resolve::toolchain::choose_for_own_std(env, spec, req.toolchain.as_deref()),
        false => choose_toolchain(env, spec, req.toolchain.as_deref()),
    }
}

/// Plans the cargo command for `spec` with the host's tools.
pub fn plan(
    env: &HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
    wrap: Option<&[String]>,
    targets_dir: Option<&Path>,
) -> Result<Plan, Failure> {
    if let Some(why) = &spec.host.unsupported {
        return Err(Failure::missing(format!("the host backend cannot build {}: {why}", spec.name)));
    }
    let (tc, std_src, why) = toolchain(env, spec, req)?;
    let build_std = std_src == StdSource::BuildStd;
    let mut tools = Toolset {
        cargo: tc.cargo.display().to_string(),
        build_std,
        backend: "host",
        toolchain: Some(tc.name.clone()),
        toolchain_reason: Some(why),
        ..Toolset::default()
    };
    let mut vars = BTreeMap::new();
    if build_std {
        vars.insert("RUSTC_BOOTSTRAP".into(), "1".into());
        tools.notes.push(format!(
            "std for {} is built from rust-src (-Zbuild-std); the first build takes 25-55 s",
            spec.rust_triple
        ));
    }
    vars.insert("RUSTC".into(), tc.rustc.display().to_string());
    vars.insert("RUSTDOC".into(), tc.sysroot.join("bin/rustdoc").display().to_string());
    if tc.source == ToolchainSource::Rustup {
        vars.insert("RUSTUP_TOOLCHAIN".into(), tc.name.clone());
    }
    // macOS without osxcross (no SDK registered on this machine): zig links libSystem.
    let zig_links_macos = spec.host.zig_fallback && env.which(&spec.host.linker).is_none();
    let wrapped = spec.host.cargo_wrapper.is_some();
    let (target_vars, kept) = target_env(env, spec, req.glibc.is_none() && !zig_links_macos && !wrapped)?;
    vars.extend(target_vars);
    if !kept.is_empty() {
        tools.notes.push(format!("your {} kept (set in your environment)", kept.join(", ")));
    }
    if spec.host.cargo_wrapper.as_deref() == Some("xwin") {
        let xwin = env.cargo_tool("cargo-xwin").ok_or_else(|| {
            Failure::missing(format!("{} builds with cargo-xwin, which is not installed", spec.name)).next(
                "`cargo install --locked cargo-xwin` (or `pip install cargo-xwin`; scripts/setup-host installs it)",
            )
        })?;
        tools.notes.push(
            "built with cargo-xwin, which fetches Microsoft's CRT and Windows SDK on first use into its cache \
             (XWIN_CACHE_DIR; using it accepts Microsoft's license, https://go.microsoft.com/fwlink/?LinkId=2086102)"
                .into(),
        );
        tools.xwin = Some(xwin.display().to_string());
    }
    if req.glibc.is_some() || zig_links_macos {
        let why = if zig_links_macos { format!("{} without osxcross", spec.name) } else { "--glibc".into() };
        let zigbuild = env.cargo_tool("cargo-zigbuild").ok_or_else(|| {
            Failure::missing(format!("{why} builds with cargo-zigbuild, which is not installed"))
                .next("`cargo install --locked cargo-zigbuild` (scripts/setup-host does)")
        })?;
        let zig = env.zig.clone().ok_or_else(|| {
            Failure::missing(format!("{why} needs zig, which is not on PATH nor in crossflake's cache")).next(
                "`pip install ziglang` in a virtual environment whose bin/ is on PATH, or with --user, or into \
                     ~/.cache/crossflake/zig (scripts/setup-host does)",
            )
        })?;
        tools.notes.push(match req.glibc {
            Some(floor) => format!(
                "glibc floor {floor}: built with cargo-zigbuild and zig ({}); every artifact's GLIBC_ needs are checked",
                zig.display()
            ),
            None => format!(
                "no osxcross ({} is not on PATH): linked with cargo-zigbuild and zig ({}), which links libSystem \
                 without an SDK; frameworks need one (`crossflake sdk add`, docs/macos.md). rustc's warning that \
                 `xcrun ... --show-sdk-path` failed means only that no SDK version is recorded in the binary",
                spec.host.linker,
                zig.display()
            ),
        });
        if let (true, Some(min)) = (zig_links_macos, &spec.host.macos_min) {
            if std::env::var_os("MACOSX_DEPLOYMENT_TARGET").is_none() {
                vars.insert("MACOSX_DEPLOYMENT_TARGET".into(), min.clone());
                tools.notes.push(format!(
                    "runs on macOS {min} and later (MACOSX_DEPLOYMENT_TARGET, rustc's default; set it to change)"
                ));
            }
        }
        vars.insert("CARGO_ZIGBUILD_ZIG_PATH".into(), zig.display().to_string());
        tools.zigbuild = Some(zigbuild.display().to_string());
    }
    tools.env = vars;
    let runs = matches!(req.kind(), CommandKind::Test | CommandKind::Run | CommandKind::Bench) && !req.peek().no_run;
    if runs && wrap.is_none() && !spec.is_host_target(&env.host_triple) {
        if let Some(prog) = emulator_program(&env.host_triple, spec) {
            require(env, &prog, spec, "runner")?;
        }
    }
    cargo_step::plan(spec, req, tools, &env.self_exe, wrap, targets_dir)
}

/// Variables to set, and the names of those left to the user's environment.
pub type TargetVars = (Vec<(String, String)>, Vec<String>);

/// The target's linker, C tools and pkg-config variables (checked to exist where
/// needed), and the names of those the user's environment sets already, which are
/// left to it. `linker`: whether the linker is the host's to give (not zig's).
pub fn target_env(env: &HostEnv, spec: &TargetSpec, linker: bool) -> Result<TargetVars, Failure> {
    let mut out = Vec::new();
    let native = spec.is_host_target(&env.host_triple);
    let (t, c) = (spec.cargo_env(), spec.cc_env());
    if linker && !matches!(spec.host.linker.as_str(), "rust-lld" | "") && !native {
        require(env, &spec.host.linker, spec, "linker")?;
        out.push((format!("CARGO_TARGET_{t}_LINKER"), spec.host.linker.clone()));
    }
    for (var, tool) in [("CC", &spec.host.cc), ("CXX", &spec.host.cxx), ("AR", &spec.host.ar)] {
        if let (Some(tool), true) = (tool, linker) {
            out.push((format!("{var}_{c}"), tool.clone()));
        }
    }
    if let Some(flags) = &spec.host.cflags {
        // The cc crate reads the first of CFLAGS_<t>, TARGET_CFLAGS, CFLAGS: a user's
        // TARGET_CFLAGS or CFLAGS would be hidden by ours, so theirs follows ours.
        let theirs = ["TARGET_CFLAGS", "CFLAGS"].iter().find_map(|v| std::env::var(v).ok());
        let flags = match theirs {
            Some(t) if !t.trim().is_empty() => format!("{flags} {t}"),
            _ => flags.clone(),
        };
        out.push((format!("CFLAGS_{c}"), flags));
    }
    // (a triple without a file keeps pkg-config's defaults, as under plain cargo)
    if spec.kind == Kind::Std && spec.open.is_none() {
        out.push(("PKG_CONFIG_ALLOW_CROSS".into(), "1".into()));
        out.push((format!("PKG_CONFIG_LIBDIR_{c}"), spec.host.pkg_config_libdir.clone().unwrap_or_default()));
        out.push((format!("PKG_CONFIG_SYSROOT_DIR_{c}"), "/".into()));
    }
    // The user's configuration wins: a variable their environment sets stays theirs
    // (inside crossflake's own shell these are crossflake's values already).
    let (theirs, ours): (Vec<_>, Vec<_>) = out.into_iter().partition(|(k, _)| std::env::var_os(k).is_some());
    let in_shell = std::env::var_os(crate::resolve::machine::HOST_SHELL_ENV).is_some();
    Ok((ours, if in_shell { vec![] } else { theirs.into_iter().map(|(k, _)| k).collect() }))
}

/// A missing tool as a failure (exit 3) that names the package and the Nix shell.
pub fn missing_tool(tool: &str, spec: &TargetSpec, purpose: &str) -> Failure {
    let packages = packages_for(spec, tool);
    let install = if packages.is_empty() {
        "Debian has no package for it".to_string()
    } else {
        format!("install it: `sudo apt-get install {}`", packages.join(" "))
    };
    Failure::missing(format!("`{tool}` ({purpose}) for target {} is not on PATH", spec.name)).next(format!(
        "{install}; or use the Nix shell that provides it: `nix develop .#{}` (crossflake --backend nix)",
        spec.name
    ))
}

fn require(env: &HostEnv, tool: &str, spec: &TargetSpec, purpose: &str) -> Result<(), Failure> {
    match env.which(tool) {
        Some(_) => Ok(()),
        None => Err(missing_tool(tool, spec, purpose)),
    }
}

/// The Debian packages that provide `tool` for `spec` (from the spec's list).
pub fn packages_for(spec: &TargetSpec, tool: &str) -> Vec<String> {
    let pick = |pred: &dyn Fn(&str) -> bool| spec.host.packages.iter().filter(|p| pred(p)).cloned().collect::<Vec<_>>();
    let found = if tool.starts_with("qemu-system") {
        pick(&|p| p.starts_with("qemu-system"))
    } else if tool.starts_with("qemu-") {
        pick(&|p| p == "qemu-user")
    } else if tool == "wine" {
        pick(&|p| p.starts_with("wine"))
    } else if tool == "node" {
        pick(&|p| p == "nodejs")
    } else {
        pick(&|p| !p.starts_with("qemu") && !p.starts_with("wine") && p != "nodejs")
    };
    if found.is_empty() {
        spec.host.packages.clone()
    } else {
        found
    }
}
