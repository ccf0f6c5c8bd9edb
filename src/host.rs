//! The host backend's planner: turns a target spec, the user's options and a
//! probed `HostEnv` into cargo steps using the machine's own cross tools.
use crate::hostenv::{HostEnv, ToolchainSource};
use crate::plan::{Plan, Step};
use crate::targets::{Kind, Runner, TargetSpec};
pub use crate::toolchain::{choose_toolchain, StdSource};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CargoCommand {
    Build,
    Test,
    Run,
}

impl CargoCommand {
    pub fn as_str(self) -> &'static str {
        match self {
            CargoCommand::Build => "build",
            CargoCommand::Test => "test",
            CargoCommand::Run => "run",
        }
    }
}

/// What the user asked cargo to do, independent of the backend.
#[derive(Debug, Clone, Default)]
pub struct CargoRequest {
    pub command: Option<CargoCommand>,
    pub release: bool,
    pub manifest_path: Option<PathBuf>,
    pub package: Option<String>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    /// Target selection passed to cargo as is (`--bin x`, `--test y`, `--lib`).
    pub selection: Vec<String>,
    pub target_dir: Option<PathBuf>,
    pub toolchain: Option<String>,
    pub timeout_secs: Option<u64>,
    pub gdb: Option<u16>,
    pub strace: bool,
    /// Extra cargo arguments (build) or arguments after `--` (test: test harness, run: program).
    pub extra: Vec<String>,
    pub cwd: PathBuf,
}

impl CargoRequest {
    pub fn command(&self) -> CargoCommand {
        self.command.unwrap_or(CargoCommand::Build)
    }
}

/// A tool the plan needs that the machine lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingTool {
    pub tool: String,
    pub target: String,
    pub purpose: String,
    pub packages: Vec<String>,
}

impl std::fmt::Display for MissingTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.packages.is_empty() && self.tool == "a host toolchain" {
            return write!(f, "the host backend cannot build {}: {}", self.target, self.purpose);
        }
        write!(f, "`{}` ({}) for target {} is not on PATH. ", self.tool, self.purpose, self.target)?;
        if self.packages.is_empty() {
            write!(f, "Debian has no package for it")?;
        } else {
            write!(f, "Install it: `sudo apt-get install {}`", self.packages.join(" "))?;
        }
        write!(f, "; or use the Nix shell that provides it: `nix develop .#{}` (crossflake --backend nix)", self.target)
    }
}
impl std::error::Error for MissingTool {}

/// The value of `CARGO_TARGET_<T>_RUNNER`: this launcher's `runner` subcommand.
pub fn runner_command(env: &HostEnv, spec: &TargetSpec, req: &CargoRequest) -> String {
    let target = spec.custom_json.as_deref().unwrap_or(&spec.name);
    let mut s = format!("{} runner --target {target}", env.self_exe.display());
    if let Some(t) = req.timeout_secs {
        s += &format!(" --timeout {t}");
    }
    if let Some(p) = req.gdb {
        s += &format!(" --gdb {p}");
    }
    if req.strace {
        s += " --strace";
    }
    s
}

/// Whether programs for `spec` run natively on this host (same architecture, Linux).
pub fn runs_natively(env: &HostEnv, spec: &TargetSpec) -> bool {
    let host_arch = env.host_triple.split('-').next().unwrap_or("");
    spec.kind == Kind::Std
        && spec.rust_triple.contains("-linux-")
        && spec.arch().trim_end_matches("gc") == host_arch.trim_end_matches("gc")
}

/// Plans `cargo build|test|run` for `spec` with the host's tools.
pub fn plan(env: &HostEnv, spec: &TargetSpec, req: &CargoRequest, targets_dir: Option<&Path>) -> anyhow::Result<Plan> {
    let cmd = req.command();
    if let Some(why) = &spec.host.unsupported {
        return Err(MissingTool {
            tool: "a host toolchain".into(),
            target: spec.name.clone(),
            purpose: why.clone(),
            packages: vec![],
        }
        .into());
    }
    let (tc, std_src, why) = choose_toolchain(env, spec, req.toolchain.as_deref())?;
    let mut notes = Vec::new();
    let target_arg = match &spec.custom_json {
        Some(json) => {
            let dir = targets_dir.ok_or_else(|| anyhow::anyhow!("target {} uses the custom target file {json}, but the targets/ directory is unknown; set CROSSFLAKE_TARGETS_DIR", spec.name))?;
            dir.join(json).display().to_string()
        }
        None => spec.rust_triple.clone(),
    };
    let mut step = Step::new(&format!("cargo {}", cmd.as_str()), tc.cargo.display().to_string())
        .arg(cmd.as_str())
        .args(["--target", &target_arg]);
    step.cwd = Some(req.cwd.clone());
    if req.release {
        step = step.arg("--release");
    }
    if let Some(m) = &req.manifest_path {
        step = step.args(["--manifest-path".to_string(), m.display().to_string()]);
    }
    if let Some(p) = &req.package {
        step = step.args(["--package", p]);
    }
    if !req.features.is_empty() {
        step = step.args(["--features".to_string(), req.features.join(",")]);
    }
    if req.all_features {
        step = step.arg("--all-features");
    }
    if req.no_default_features {
        step = step.arg("--no-default-features");
    }
    step = step.args(req.selection.iter().cloned());
    if let Some(d) = &req.target_dir {
        step = step.args(["--target-dir".to_string(), d.display().to_string()]);
    }
    if std_src == StdSource::BuildStd {
        match spec.kind {
            Kind::Std => step = step.arg("-Zbuild-std=std,panic_abort"),
            Kind::BareMetal => {
                step = step.args(["-Zbuild-std=core,alloc", "-Zbuild-std-features=compiler-builtins-mem"])
            }
        }
        if spec.custom_json.is_some() {
            step = step.arg("-Zjson-target-spec");
        }
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

    let native = runs_natively(env, spec) && spec.rust_triple == env.host_triple;
    let t = spec.cargo_env();
    if spec.host.linker != "rust-lld" && !native {
        require(env, &spec.host.linker, spec, "linker")?;
        step = step.env(format!("CARGO_TARGET_{t}_LINKER"), &spec.host.linker);
    }
    let c = spec.cc_env();
    for (var, tool) in [("CC", &spec.host.cc), ("CXX", &spec.host.cxx), ("AR", &spec.host.ar)] {
        if let Some(tool) = tool {
            step = step.env(format!("{var}_{c}"), tool);
        }
    }
    if spec.kind == Kind::Std {
        step = step
            .env("PKG_CONFIG_ALLOW_CROSS", "1")
            .env(format!("PKG_CONFIG_LIBDIR_{c}"), spec.host.pkg_config_libdir.clone().unwrap_or_default())
            .env(format!("PKG_CONFIG_SYSROOT_DIR_{c}"), "/");
    }

    let runnable = !matches!(spec.runner, Runner::None { .. });
    match (cmd, &spec.runner) {
        (CargoCommand::Run, Runner::None { reason }) => {
            anyhow::bail!(
                "cannot run programs for {}: {reason}. Next: `crossflake build --target {}`",
                spec.name,
                spec.name
            )
        }
        (CargoCommand::Test, Runner::None { reason }) => {
            step = step.arg("--no-run");
            notes.push(format!("tests for {} are built, not run: {reason}", spec.name));
        }
        _ => {}
    }
    if runnable {
        if matches!(cmd, CargoCommand::Test | CargoCommand::Run) && !native {
            if let Some(prog) = runner_program(env, spec) {
                require(env, &prog, spec, "runner")?;
            }
        }
        step = step.env(format!("CARGO_TARGET_{t}_RUNNER"), runner_command(env, spec, req));
    }
    if !req.extra.is_empty() {
        if cmd == CargoCommand::Build {
            step = step.args(req.extra.iter().cloned());
        } else {
            step = step.arg("--").args(req.extra.iter().cloned());
        }
    }
    Ok(Plan {
        command: cmd.as_str().into(),
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        backend: "host".into(),
        toolchain: Some(tc.name.clone()),
        toolchain_reason: Some(why),
        notes,
        steps: vec![step],
    })
}

/// The emulator program the runner will start for `spec` on this host, if any.
pub fn runner_program(env: &HostEnv, spec: &TargetSpec) -> Option<String> {
    match &spec.runner {
        Runner::QemuUser { .. } if runs_natively(env, spec) => None,
        Runner::QemuUser { qemu_arch, .. } => Some(format!("qemu-{qemu_arch}")),
        Runner::QemuSystem { qemu_system, .. } => Some(qemu_system.clone()),
        Runner::Wine { .. } => Some("wine".into()),
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
