//! `crossflake doctor`: per target and backend, what is there, what is
//! missing, and the command that installs it.
use crate::backend::host::packages_for;
use crate::plan::emulator::emulator_program;
use crate::resolve::machine::HostEnv;
use crate::resolve::toolchain::choose_toolchain;
use crate::targets::TargetSpec;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ToolCheck {
    pub tool: String,
    pub purpose: String,
    pub found: Option<String>,
    /// The command that installs it, when missing.
    pub install: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    pub target: String,
    pub rust_triple: String,
    pub backend: String,
    pub toolchain: Option<String>,
    pub toolchain_reason: String,
    pub tools: Vec<ToolCheck>,
    /// Whether this host can build for the target, and run its programs.
    pub can_build: bool,
    pub can_run: bool,
    pub notes: Vec<String>,
}

/// The Nix backend's prerequisites (no evaluation: that is per command, and cached).
#[derive(Debug, Clone, Serialize)]
pub struct NixStatus {
    pub nix: Option<String>,
    pub version: Option<String>,
    /// The flake the Nix backend would use from here.
    pub flake: Option<String>,
    /// Ok, or why the Nix backend cannot serve and what to do.
    pub verdict: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub host_triple: String,
    pub toolchains: Vec<String>,
    pub nix: NixStatus,
    pub targets: Vec<TargetReport>,
}

/// Finds nix and reads its version (one `nix --version`).
pub fn nix_status(env: &HostEnv, cwd: &std::path::Path) -> NixStatus {
    use crate::backend::nix::{flake::Flake, tool};
    let flake = Flake::resolve(None, cwd).ok();
    let mut st = NixStatus {
        nix: None,
        version: None,
        flake: flake.as_ref().map(|f| f.reference.clone()),
        verdict: String::new(),
    };
    let located = tool::Nix::locate(env, &crate::request::NixArgs::default());
    let verdict = located.and_then(|nix| {
        st.nix = Some(nix.program.display().to_string());
        let text = nix.version_text()?;
        st.version = Some(text.trim().to_string());
        tool::version_verdict(&text, flake.as_ref().is_some_and(|f| f.own))
    });
    st.verdict = match verdict {
        Ok(_) => "usable: each target's dev shell is evaluated on first use and cached".into(),
        Err(e) => format!("{e:#}"),
    };
    st
}

fn check(env: &HostEnv, spec: &TargetSpec, tool: &str, purpose: &str) -> ToolCheck {
    let found = env.which(tool).map(|p| p.display().to_string());
    let install = found.is_none().then(|| {
        let pkgs = packages_for(spec, tool);
        if pkgs.is_empty() {
            format!("no Debian package; use `nix develop .#{}`", spec.name)
        } else {
            format!("sudo apt-get install {}", pkgs.join(" "))
        }
    });
    ToolCheck { tool: tool.into(), purpose: purpose.into(), found, install }
}

/// Diagnoses the host backend for each target.
pub fn diagnose_target(env: &HostEnv, spec: &TargetSpec) -> TargetReport {
    let mut notes = Vec::new();
    let (toolchain, reason) = match choose_toolchain(env, spec, None) {
        Ok((tc, _, why)) => (Some(tc.name.clone()), why),
        Err(e) => (None, e.to_string()),
    };
    let native = spec.is_host_target(&env.host_triple);
    let mut tools = Vec::new();
    if !matches!(spec.host.linker.as_str(), "rust-lld" | "") && !native {
        tools.push(check(env, spec, &spec.host.linker, "linker"));
    }
    if let Some(why) = &spec.host.unsupported {
        notes.push(format!("the host backend cannot build this target: {why}"));
    }
    let build_ok = toolchain.is_some() && spec.host.unsupported.is_none() && tools.iter().all(|t| t.found.is_some());
    let runner = emulator_program(&env.host_triple, spec);
    if let Some(r) = &runner {
        tools.push(check(env, spec, r, "runner"));
    }
    let runnable = match &spec.runner {
        crate::targets::Runner::None { reason } => {
            notes.push(format!("programs cannot run here: {reason}"));
            false
        }
        _ => tools.iter().all(|t| t.found.is_some()),
    };
    match &spec.host.cc {
        Some(cc) => {
            let c = check(env, spec, cc, "C compiler for -sys crates and cc (optional)");
            if c.found.is_none() {
                notes.push(format!("C code for this target needs `{cc}`: {}", c.install.clone().unwrap_or_default()));
            }
            tools.push(c);
        }
        None if spec.kind == crate::targets::Kind::Std && spec.host.note.is_none() => {
            notes.push("no C compiler is set for this target: crates with C code will not build".into())
        }
        None => {}
    }
    if let Some(gap) = env.firmware_gap(spec) {
        notes.push(gap);
    } else if let (Some(fw), crate::targets::Runner::QemuSystem { firmware: Some(_), .. }) =
        (&env.opensbi, &spec.runner)
    {
        notes.push(format!("SBI shutdown reasons are judged: OpenSBI {}", fw.display()));
    }
    if let Some(min) = &spec.host.glibc_min {
        let zigbuild = env.cargo_tool("cargo-zigbuild");
        notes.push(match (zigbuild, &env.zig) {
            (Some(_), Some(_)) => format!("--glibc X.Y (X.Y >= {min}): ready (cargo-zigbuild and zig found)"),
            _ => format!("--glibc X.Y (X.Y >= {min}) needs cargo-zigbuild and zig: run scripts/setup-host"),
        });
    }
    if let Some(n) = &spec.host.note {
        notes.push(n.clone());
    }
    TargetReport {
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        backend: "host".into(),
        toolchain,
        toolchain_reason: reason,
        tools,
        can_build: build_ok,
        can_run: build_ok && runnable,
        notes,
    }
}

pub fn diagnose(env: &HostEnv, specs: &[&TargetSpec], nix: NixStatus) -> Report {
    Report {
        host_triple: env.host_triple.clone(),
        toolchains: env.toolchains.iter().map(|t| format!("{} ({})", t.name, t.sysroot.display())).collect(),
        nix,
        targets: specs.iter().map(|s| diagnose_target(env, s)).collect(),
    }
}

pub fn render(r: &Report) -> String {
    let mut out = format!("host: {}\ntoolchains: {}\n", r.host_triple, r.toolchains.join(", "));
    out += &format!(
        "nix backend: {} ({}; flake {}): {}\n\n",
        r.nix.nix.as_deref().unwrap_or("nix not found"),
        r.nix.version.as_deref().unwrap_or("no version"),
        r.nix.flake.as_deref().unwrap_or("none"),
        r.nix.verdict
    );
    for t in &r.targets {
        let status = match (t.can_build, t.can_run) {
            (true, true) => "ready: builds and runs",
            (true, false) => "builds only",
            _ => "cannot build",
        };
        out += &format!("{} ({}) [{} backend]: {status}\n", t.target, t.rust_triple, t.backend);
        out += &format!("  toolchain: {}: {}\n", t.toolchain.as_deref().unwrap_or("none"), t.toolchain_reason);
        for tool in &t.tools {
            match (&tool.found, &tool.install) {
                (Some(p), _) => out += &format!("  {}: {} ({p})\n", tool.purpose, tool.tool),
                (None, Some(i)) => out += &format!("  {}: {} MISSING; install: {i}\n", tool.purpose, tool.tool),
                (None, None) => out += &format!("  {}: {} MISSING\n", tool.purpose, tool.tool),
            }
        }
        for n in &t.notes {
            out += &format!("  note: {n}\n");
        }
    }
    out
}
