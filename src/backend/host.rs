//! The host backend's planner: turns a target spec, the user's request, a
//! probed `HostEnv` and the user's runner into the cargo step, using the
//! machine's own cross tools. Pure: it reads values, spawns nothing.
use crate::plan::cargo_step::{self, run_policy};
use crate::resolve::cargo_config::UserRunner;
use crate::exit::Failure;
pub use crate::exit::MissingTool;
use crate::resolve::machine::{HostEnv, ToolchainSource};
use crate::plan::{Plan, Step};
use crate::request::{CargoRequest, CommandKind};
use crate::targets::{Kind, Runner, TargetSpec};
pub use crate::resolve::toolchain::{choose_toolchain, StdSource};
use std::path::Path;

/// Whether programs for `spec` run natively on this host (same architecture, Linux).
pub fn runs_natively(env: &HostEnv, spec: &TargetSpec) -> bool {
    let host_arch = env.host_triple.split('-').next().unwrap_or("");
    spec.kind == Kind::Std
        && spec.rust_triple.contains("-linux-")
        && spec.arch().trim_end_matches("gc") == host_arch.trim_end_matches("gc")
}

/// Whether `spec` is this host's own target: its programs run as they are and the
/// host's linker links them.
pub fn is_host_target(env: &HostEnv, spec: &TargetSpec) -> bool {
    runs_natively(env, spec) && spec.rust_triple == env.host_triple
}

/// Plans the cargo command for `spec` with the host's tools.
pub fn plan(
    env: &HostEnv,
    spec: &TargetSpec,
    req: &CargoRequest,
    user_runner: Option<&UserRunner>,
    targets_dir: Option<&Path>,
) -> anyhow::Result<Plan> {
    if let Some(why) = &spec.host.unsupported {
        return Err(MissingTool {
            tool: "a host toolchain".into(),
            target: spec.name.clone(),
            purpose: why.clone(),
            packages: vec![],
        }
        .into());
    }
    let policy = run_policy(spec, req)?;
    let (tc, std_src, why) = choose_toolchain(env, spec, req.toolchain.as_deref())?;
    let mut notes: Vec<String> = policy.unrun.iter().cloned().collect();
    let build_std = std_src == StdSource::BuildStd;
    let mut step = match req.glibc {
        None => {
            let target = cargo_step::target_arg(spec, targets_dir)?;
            Step::new(&req.label(), tc.cargo.display().to_string())
                .args(cargo_step::argv(spec, req, &target, build_std, &policy))
        }
        Some(floor) => {
            let args = cargo_step::zigbuild_argv(spec, req, floor, build_std, &policy)?;
            let zigbuild = env.cargo_tool("cargo-zigbuild").ok_or_else(|| {
                Failure::missing("--glibc builds with cargo-zigbuild, which is not installed")
                    .next("`cargo install --locked cargo-zigbuild` (scripts/setup-host does)")
            })?;
            let zig = env.zig.clone().ok_or_else(|| {
                Failure::missing("--glibc needs zig, which is not on PATH nor in crossflake's cache")
                    .next("`pip install ziglang` (scripts/setup-host puts it in ~/.cache/crossflake/zig)")
            })?;
            notes.push(format!(
                "glibc floor {floor}: built with cargo-zigbuild and zig ({}); every artifact's GLIBC_ needs are checked",
                zig.display()
            ));
            Step::new(&req.label(), zigbuild.display().to_string())
                .args(args)
                .env("CARGO", tc.cargo.display().to_string())
                .env("CARGO_ZIGBUILD_ZIG_PATH", zig.display().to_string())
        }
    };
    step.cwd = Some(req.cwd.clone());
    if build_std {
        step = step.env("RUSTC_BOOTSTRAP", "1");
        notes.push(format!(
            "std for {} is built from rust-src (-Zbuild-std); the first build takes 25-55 s",
            spec.rust_triple
        ));
    }
    step = step
        .env("RUSTC", tc.rustc.display().to_string())
        .env("RUSTDOC", tc.sysroot.join("bin/rustdoc").display().to_string());
    if tc.source == ToolchainSource::Rustup {
        step = step.env("RUSTUP_TOOLCHAIN", &tc.name);
    }
    let zig_owned = if req.glibc.is_some() { cargo_step::zig_owned_vars(spec).to_vec() } else { vec![] };
    step.env.extend(target_env(env, spec)?.into_iter().filter(|(k, _)| !zig_owned.contains(k)));

    let runs = matches!(req.kind(), CommandKind::Test | CommandKind::Run | CommandKind::Bench) && !policy.no_run;
    if runs && user_runner.is_none() && !is_host_target(env, spec) {
        if let Some(prog) = runner_program(env, spec) {
            require(env, &prog, spec, "runner")?;
        }
    }
    cargo_step::set_runner(&mut step, &env.self_exe, spec, req, user_runner);
    Ok(Plan {
        command: req.subcommand.join(" "),
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        backend: "host".into(),
        toolchain: Some(tc.name.clone()),
        toolchain_reason: Some(why),
        notes,
        unrun: policy.unrun,
        glibc: req.glibc.map(|v| v.to_string()),
        tests: None,
        coverage: None,
        steps: vec![step],
    })
}

/// The target's linker, C tools and pkg-config variables (checked to exist where needed).
pub fn target_env(env: &HostEnv, spec: &TargetSpec) -> Result<Vec<(String, String)>, MissingTool> {
    let mut out = Vec::new();
    let native = is_host_target(env, spec);
    let t = spec.cargo_env();
    if spec.host.linker != "rust-lld" && !native {
        require(env, &spec.host.linker, spec, "linker")?;
        out.push((format!("CARGO_TARGET_{t}_LINKER"), spec.host.linker.clone()));
    }
    let c = spec.cc_env();
    for (var, tool) in [("CC", &spec.host.cc), ("CXX", &spec.host.cxx), ("AR", &spec.host.ar)] {
        if let Some(tool) = tool {
            out.push((format!("{var}_{c}"), tool.clone()));
        }
    }
    if spec.kind == Kind::Std {
        out.push(("PKG_CONFIG_ALLOW_CROSS".into(), "1".into()));
        out.push((format!("PKG_CONFIG_LIBDIR_{c}"), spec.host.pkg_config_libdir.clone().unwrap_or_default()));
        out.push((format!("PKG_CONFIG_SYSROOT_DIR_{c}"), "/".into()));
    }
    Ok(out)
}

/// The emulator program the runner will start for `spec` on this host, if any.
pub fn runner_program(env: &HostEnv, spec: &TargetSpec) -> Option<String> {
    match &spec.runner {
        Runner::QemuUser { .. } if runs_natively(env, spec) => None,
        Runner::QemuUser { qemu_arch, .. } => Some(format!("qemu-{qemu_arch}")),
        Runner::QemuSystem { qemu_system, .. } => Some(qemu_system.clone()),
        Runner::Wine { .. } => Some("wine".into()),
        Runner::Wasi { .. } => Some("node".into()),
        Runner::Native { .. } | Runner::None { .. } => None,
    }
}

fn require(env: &HostEnv, tool: &str, spec: &TargetSpec, purpose: &str) -> Result<(), MissingTool> {
    match env.which(tool) {
        Some(_) => Ok(()),
        None => Err(MissingTool {
            tool: tool.into(),
            target: spec.name.clone(),
            purpose: purpose.into(),
            packages: packages_for(spec, tool),
        }),
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
    } else {
        pick(&|p| !p.starts_with("qemu") && !p.starts_with("wine"))
    };
    if found.is_empty() {
        spec.host.packages.clone()
    } else {
        found
    }
}
