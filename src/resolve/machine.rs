//! What the machine offers, gathered once into a value: tools on PATH, Rust
//! toolchains (rustup's and the system's) and which targets each can build.
//! Probing reads the file system only; it never spawns a process.
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToolchainSource {
    Rustup,
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Toolchain {
    /// rustup's name (`1.95.0-x86_64-unknown-linux-gnu`) or `system`.
    pub name: String,
    pub source: ToolchainSource,
    pub sysroot: PathBuf,
    pub cargo: PathBuf,
    pub rustc: PathBuf,
    /// Triples with a prebuilt std/core under `lib/rustlib/<triple>/lib`.
    pub std_targets: Vec<String>,
    /// `lib/rustlib/src/rust/library/Cargo.lock` exists, so `-Zbuild-std` works.
    pub rust_src: bool,
}

impl Toolchain {
    /// Reads a toolchain's sysroot.
    pub fn probe(name: &str, source: ToolchainSource, sysroot: &Path) -> Option<Toolchain> {
        let cargo = sysroot.join("bin/cargo");
        let rustc = sysroot.join("bin/rustc");
        if !rustc.is_file() || !cargo.is_file() {
            return None;
        }
        let rustlib = sysroot.join("lib/rustlib");
        let mut std_targets: Vec<String> = std::fs::read_dir(&rustlib)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains('-') && e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| has_core(&e.path().join("lib")))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        std_targets.sort();
        let rust_src = rustlib.join("src/rust/library/Cargo.lock").is_file();
        Some(Toolchain { name: name.to_string(), source, sysroot: sysroot.into(), cargo, rustc, std_targets, rust_src })
    }

    pub fn has_std(&self, triple: &str) -> bool {
        self.std_targets.iter().any(|t| t == triple)
    }
}

fn has_core(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
}

#[derive(Debug, Clone, Serialize)]
pub struct HostEnv {
    /// The machine's own target triple (`x86_64-unknown-linux-gnu`).
    pub host_triple: String,
    /// Directories searched for programs, in order.
    pub path: Vec<PathBuf>,
    /// Toolchains in preference order: the pinned one first.
    pub toolchains: Vec<Toolchain>,
    /// The toolchain the crate pins (rust-toolchain.toml or RUSTUP_TOOLCHAIN), if any.
    pub pin: Option<Pin>,
    /// This launcher's own executable, used as the cargo runner.
    pub self_exe: PathBuf,
    /// Programs known to exist regardless of PATH (tests set this).
    pub extra_tools: BTreeMap<String, PathBuf>,
    /// The OpenSBI firmware whose SBI shutdown honours the reason, if there is one:
    /// `$CROSSFLAKE_OPENSBI`, else `<cache>/opensbi/fw_dynamic.bin` (scripts/build-opensbi).
    pub opensbi: Option<PathBuf>,
    /// zig for cargo-zigbuild: on PATH, else `<cache>/zig/ziglang/zig` (scripts/setup-host).
    pub zig: Option<PathBuf>,
}

impl HostEnv {
    /// Probes the real machine from `cwd`.
    pub fn probe(cwd: &Path) -> HostEnv {
        let mut env = HostEnv::probe_programs();
        env.pin = find_pin(cwd);
        env.toolchains = probe_toolchains();
        let preferred = env.pin.as_ref().map(|p| p.channel.clone()).or_else(rustup_default);
        order_toolchains(&mut env.toolchains, preferred.as_deref());
        env
    }

    /// PATH and this launcher only, no toolchains: what the runner needs to start a
    /// program, once per test binary.
    pub fn probe_programs() -> HostEnv {
        let path: Vec<PathBuf> =
            std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
        let self_exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("crossflake"));
        let mut env = HostEnv {
            host_triple: host_triple(),
            path,
            toolchains: vec![],
            pin: None,
            self_exe,
            extra_tools: BTreeMap::new(),
            opensbi: find_opensbi(),
            zig: None,
        };
        env.zig = env.which("zig").or_else(|| {
            let cached = crate::support::paths::cache_dir().ok()?.join("zig/ziglang/zig");
            crate::support::fs::is_executable(&cached).then_some(cached)
        });
        env.zig = env.zig.take().or_else(|| env.pip_zig());
        env
    }

    /// zig from the Python package index's `ziglang` (what cargo-zigbuild itself falls
    /// back to): in the site-packages of a python3 on PATH (a virtual environment's) or
    /// of the user's site (`pip install --user`). Read from the file system only.
    fn pip_zig(&self) -> Option<PathBuf> {
        let mut libs: Vec<PathBuf> = Vec::new();
        if let Some(python) = self.which("python3") {
            libs.extend(python.parent().and_then(Path::parent).map(|venv| venv.join("lib")));
        }
        libs.extend(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/lib")));
        libs.iter().find_map(|lib| {
            let mut pythons: Vec<PathBuf> = std::fs::read_dir(lib)
                .ok()?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("python3")))
                .collect();
            pythons.sort();
            pythons
                .into_iter()
                .rev()
                .map(|p| p.join("site-packages/ziglang/zig"))
                .find(|z| crate::support::fs::is_executable(z))
        })
    }

    /// Finds a program on PATH (or an absolute path that exists).
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        if let Some(p) = self.extra_tools.get(program) {
            return Some(p.clone());
        }
        let p = Path::new(program);
        if p.is_absolute() || program.contains('/') {
            // A path (cargo hands the runner relative ones): it is the program itself.
            return p.is_file().then(|| p.to_path_buf());
        }
        self.path.iter().map(|d| d.join(program)).find(|c| crate::support::fs::is_executable(c))
    }

    /// A cargo plugin's program: on PATH, else in cargo's bin directory (`$CARGO_HOME/bin`,
    /// else ~/.cargo/bin), where `cargo install` puts it.
    pub fn cargo_tool(&self, program: &str) -> Option<PathBuf> {
        self.which(program).or_else(|| {
            let installed = crate::support::paths::cargo_home()?.join("bin").join(program);
            self.which(&installed.display().to_string())
        })
    }

    pub fn toolchain(&self, name: &str) -> Option<&Toolchain> {
        self.toolchains.iter().find(|t| toolchain_matches(&t.name, name))
    }
}

impl HostEnv {
    /// Why an SBI shutdown's reason cannot be judged here, when the target wants the
    /// reason-honouring OpenSBI and this host lacks it.
    pub fn firmware_gap(&self, spec: &crate::targets::TargetSpec) -> Option<String> {
        use crate::targets::{Firmware, Runner};
        match &spec.runner {
            Runner::QemuSystem { firmware: Some(Firmware::OpensbiSrstReason), .. } if self.opensbi.is_none() => {
                Some(format!(
                    "{}: QEMU's stock OpenSBI (-bios default) ends every SBI shutdown with exit 0 whatever its reason, \
                     so a kernel that shuts down through SBI after a failure is judged by its console only (the panic \
                     rule). Build the firmware that tells them apart: scripts/build-opensbi (scripts/setup-host runs \
                     it), or set {OPENSBI_ENV}",
                    spec.name
                ))
            }
            _ => None,
        }
    }
}

/// Marks a shell started by `crossflake shell` on the host backend (its value: the target).
pub const HOST_SHELL_ENV: &str = "CROSSFLAKE_HOST_SHELL";

/// The environment variable naming a reason-honouring OpenSBI firmware.
pub const OPENSBI_ENV: &str = "CROSSFLAKE_OPENSBI";

fn find_opensbi() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(OPENSBI_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let cached = crate::support::paths::cache_dir().ok()?.join("opensbi/fw_dynamic.bin");
    cached.is_file().then_some(cached)
}

/// rustup's toolchains (by name), then the system's in /usr and /usr/local.
fn probe_toolchains() -> Vec<Toolchain> {
    let mut toolchains = Vec::new();
    if let Some(dir) = crate::support::paths::rustup_home().map(|h| h.join("toolchains")) {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        for n in names {
            if let Some(tc) = Toolchain::probe(&n, ToolchainSource::Rustup, &dir.join(&n)) {
                toolchains.push(tc);
            }
        }
    }
    for sys in ["/usr", "/usr/local"] {
        if let Some(tc) = Toolchain::probe("system", ToolchainSource::System, Path::new(sys)) {
            if !toolchains.iter().any(|t| t.sysroot == tc.sysroot) {
                toolchains.push(tc);
            }
        }
    }
    toolchains
}

/// Whether rustup's toolchain `name` is what `asked` names: itself, or it with this
/// host's triple (`1.95.0` names `1.95.0-x86_64-unknown-linux-gnu`).
pub fn toolchain_matches(name: &str, asked: &str) -> bool {
    name == asked || name.strip_prefix(asked).and_then(|r| r.strip_prefix('-')) == Some(host_triple().as_str())
}

/// Puts the preferred toolchain (the pinned one, else rustup's default) first, then
/// the other rustup ones, then the system's.
pub fn order_toolchains(tcs: &mut [Toolchain], preferred: Option<&str>) {
    tcs.sort_by_key(|t| {
        let is_preferred = preferred.is_some_and(|p| toolchain_matches(&t.name, p));
        (!is_preferred, t.source == ToolchainSource::System)
    });
}

/// A toolchain the crate pins, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pub channel: String,
    /// `RUSTUP_TOOLCHAIN` or the rust-toolchain file's path.
    pub source: String,
}

/// The pin, as rustup decides it: `RUSTUP_TOOLCHAIN` (unless rustup set it to its own
/// default for a parent process: `RUSTUP_TOOLCHAIN_SOURCE=default`), else the `channel`
/// of the nearest rust-toolchain.toml (or legacy `rust-toolchain`) upward from `dir`.
pub fn find_pin(dir: &Path) -> Option<Pin> {
    let source = std::env::var("RUSTUP_TOOLCHAIN_SOURCE").ok();
    if let Ok(tc) = std::env::var("RUSTUP_TOOLCHAIN").map(|t| t.trim().to_string()) {
        if !tc.is_empty() && source.as_deref() != Some("default") {
            let how = source.map(|s| format!(" (set by rustup: {s})")).unwrap_or_default();
            return Some(Pin { channel: tc, source: format!("RUSTUP_TOOLCHAIN{how}") });
        }
    }
    for d in dir.ancestors() {
        for f in ["rust-toolchain.toml", "rust-toolchain"] {
            let file = d.join(f);
            if let Ok(text) = std::fs::read_to_string(&file) {
                let parsed: Option<toml::Table> = toml::from_str(&text).ok();
                let channel = parsed
                    .as_ref()
                    .and_then(|t| t.get("toolchain"))
                    .and_then(|t| t.get("channel"))
                    .and_then(|c| c.as_str())
                    .map(str::to_string);
                let channel =
                    channel.or_else(|| Some(text.trim().to_string()).filter(|s| !s.is_empty() && !s.contains('[')));
                return channel.map(|channel| Pin { channel, source: file.display().to_string() });
            }
        }
    }
    None
}

/// rustup's default toolchain (`default_toolchain` in settings.toml).
fn rustup_default() -> Option<String> {
    let home = crate::support::paths::rustup_home()?;
    let text = std::fs::read_to_string(home.join("settings.toml")).ok()?;
    let t: toml::Table = toml::from_str(&text).ok()?;
    t.get("default_toolchain")?.as_str().map(str::to_string)
}

/// This machine's triple, from the architecture the launcher was built for.
pub fn host_triple() -> String {
    match std::env::consts::ARCH {
        "riscv64" => "riscv64gc-unknown-linux-gnu".to_string(),
        arch => format!("{arch}-unknown-linux-gnu"),
    }
}
