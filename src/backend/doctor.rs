//! `crossflake doctor`: per target and backend, what is there, what is
//! missing, and the command that installs it: one line per target, details
//! with `--target T` or `-v`.
use crate::backend::host::packages_for;
use crate::plan::emulator::emulator_program;
use crate::resolve::machine::HostEnv;
use crate::resolve::toolchain::choose_toolchain;
use crate::targets::{Runner, TargetSpec};
use serde::Serialize;
use std::path::Path;

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
    /// One line: `ready`, or what is missing and the one command that installs it.
    pub summary: String,
    /// What on this machine breaks the target outside crossflake (a multiarch
    /// libc that a hand-written `qemu-<arch> -L <sysroot>` runner would load).
    pub warnings: Vec<String>,
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
    // What links where crossflake links through a cargo wrapper (backend/host.rs does the same).
    let cargo_tool = |tool: &str, found: Option<std::path::PathBuf>| ToolCheck {
        tool: tool.into(),
        purpose: "linker".into(),
        install: found.is_none().then(|| "scripts/setup-host".to_string()),
        found: found.map(|p| p.display().to_string()),
    };
    let zig_links = spec.host.zig_fallback && env.which(&spec.host.linker).is_none();
    if spec.host.cargo_wrapper.as_deref() == Some("xwin") {
        tools.push(cargo_tool("cargo-xwin", env.cargo_tool("cargo-xwin")));
        notes.push("cargo-xwin links, with Microsoft's CRT and Windows SDK, downloaded on first use".into());
    } else if zig_links {
        tools.push(cargo_tool("cargo-zigbuild", env.cargo_tool("cargo-zigbuild")));
        tools.push(cargo_tool("zig", env.zig.clone()));
        notes.push(format!(
            "no osxcross ({} is not on PATH): zig links libSystem without an SDK; frameworks need one \
             (crossflake sdk add)",
            spec.host.linker
        ));
    } else if !matches!(spec.host.linker.as_str(), "rust-lld" | "") && !native {
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
        // cargo-zigbuild compiles C with `zig cc` too.
        Some(_) if zig_links => {}
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
            _ => {
                format!("--glibc X.Y (X.Y >= {min}) needs cargo-zigbuild and zig: run scripts/setup-host --cargo-tools")
            }
        });
    }
    if let Some(n) = &spec.host.note {
        notes.push(n.clone());
    }
    let warnings: Vec<String> = multiarch_shadow(spec, Path::new("/")).into_iter().collect();
    let mut report = TargetReport {
        target: spec.name.clone(),
        rust_triple: spec.rust_triple.clone(),
        backend: "host".into(),
        toolchain,
        toolchain_reason: reason,
        tools,
        can_build: build_ok,
        can_run: build_ok && runnable,
        notes,
        summary: String::new(),
        warnings,
    };
    report.summary = summarize(spec, &report);
    report
}

/// The target's one line: ready, or what is missing and the one command that
/// installs it (apt packages merged into one `apt-get install`; a tool with
/// no Debian package means the target's Nix shell, which has everything).
fn summarize(spec: &TargetSpec, t: &TargetReport) -> String {
    let nix_shell = format!("nix develop .#{}", spec.name);
    if spec.host.unsupported.is_some() {
        return format!("not served by the host backend (`-v` says why); next: `{nix_shell}`");
    }
    let required = |tool: &&ToolCheck| tool.found.is_none() && (tool.purpose == "linker" || tool.purpose == "runner");
    let missing: Vec<&ToolCheck> = t.tools.iter().filter(required).collect();
    let mut what: Vec<String> = missing.iter().map(|m| format!("{} ({})", m.tool, m.purpose)).collect();
    let mut commands = Vec::new();
    if t.toolchain.is_none() {
        what.insert(0, format!("a toolchain with the {} std", t.rust_triple));
        // choose_toolchain's error names the rustup command between backticks after "Next:".
        let rustup = t.toolchain_reason.split("Next:").nth(1).and_then(|next| next.split('`').nth(1));
        commands.push(rustup.map_or_else(|| "scripts/setup-host".to_string(), str::to_string));
    }
    if let Some(cmd) = install_all(&missing, &nix_shell) {
        commands.push(cmd);
    }
    let runs = !matches!(spec.runner, Runner::None { .. });
    let status = match (t.can_build, t.can_run, runs) {
        (true, true, _) => "ready".to_string(),
        (true, false, false) => "ready to build (its programs cannot run here)".to_string(),
        _ => format!("missing {}", what.join(", ")),
    };
    let mut line = status;
    if !commands.is_empty() {
        line += &format!("; next: `{}`", commands.join(" && "));
    }
    let c_missing: Vec<&ToolCheck> =
        t.tools.iter().filter(|c| c.found.is_none() && c.purpose.starts_with("C compiler")).collect();
    if t.can_build && !c_missing.is_empty() {
        if let Some(cmd) = install_all(&c_missing, &nix_shell) {
            line += &format!("; C code needs `{}`", cmd);
        }
    }
    if !t.warnings.is_empty() {
        line += "; WARNING below";
    }
    line
}

/// One command that installs every tool in `missing`: one `apt-get install`
/// with all their packages, or the Nix shell when one has no Debian package.
fn install_all(missing: &[&ToolCheck], nix_shell: &str) -> Option<String> {
    let mut packages: Vec<&str> = Vec::new();
    let mut others: Vec<&str> = Vec::new();
    for m in missing {
        match m.install.as_deref() {
            Some(i) if i.starts_with("sudo apt-get install ") => {
                packages.extend(i["sudo apt-get install ".len()..].split_whitespace())
            }
            // A tool that scripts/setup-host brings (cargo-zigbuild, zig, cargo-xwin).
            Some(i) if !i.starts_with("no Debian package") => {
                if !others.contains(&i) {
                    others.push(i)
                }
            }
            _ => return Some(nix_shell.to_string()),
        }
    }
    packages.dedup();
    let apt = (!packages.is_empty()).then(|| format!("sudo apt-get install {}", packages.join(" ")));
    let all: Vec<String> = apt.into_iter().chain(others.iter().map(|o| o.to_string())).collect();
    (!all.is_empty()).then(|| all.join(" && "))
}

/// A hand-written qemu-user runner, `qemu-<arch> -L <sysroot>`, hangs
/// threaded programs when Debian's multiarch libc for the architecture
/// (libc6:arm64 under /lib/aarch64-linux-gnu) is another build than the
/// cross libc: with no ld.so.cache under the sysroot, the cross ld.so
/// searches /lib/<multiarch> first, QEMU finds no such directory under the
/// sysroot and falls back to the host's. Says so, with the fix, when the
/// sysroot has no cache that lists libc.so.6. `root` is the file system's
/// root (`/`).
pub fn multiarch_shadow(spec: &TargetSpec, root: &Path) -> Option<String> {
    let Runner::QemuUser { qemu_arch, .. } = &spec.runner else { return None };
    let sysroot = spec.host.sysroot.as_deref().filter(|s| *s != "/")?;
    let under = |p: &str| root.join(p.trim_start_matches('/'));
    let cross_libc = under(sysroot).join("lib/libc.so.6");
    // Debian's multiarch directory: the one pkg-config's libdir names first
    // (/usr/lib/<multiarch>/pkgconfig), else the sysroot's own name.
    let multiarch = spec
        .host
        .pkg_config_libdir
        .as_deref()
        .and_then(|l| l.split(':').next())
        .and_then(|d| d.strip_prefix("/usr/lib/"))
        .and_then(|d| d.strip_suffix("/pkgconfig"))
        .map(str::to_string)
        .or_else(|| Path::new(sysroot).file_name().map(|n| n.to_string_lossy().into_owned()))?;
    let multiarch_libc =
        ["lib", "usr/lib"].iter().map(|d| root.join(d).join(&multiarch).join("libc.so.6")).find(|p| p.exists())?;
    let (cross, other) = (std::fs::read(&cross_libc).ok()?, std::fs::read(&multiarch_libc).ok()?);
    if cross == other {
        return None; // the same build: nothing to mix up
    }
    let cache = std::fs::read(under(sysroot).join("etc/ld.so.cache")).unwrap_or_default();
    if cache.windows(10).any(|w| w == b"libc.so.6\0") {
        return None;
    }
    Some(format!(
        "a hand-written runner `qemu-{qemu_arch} -L {sysroot}` hangs threaded programs here: the cross ld.so loads Debian's \
         multiarch {} (another build than {}), because {sysroot} has no etc/ld.so.cache. Next: `sudo python3 \
         scripts/sysroot-ld-cache {sysroot}` (from crossflake's repository; scripts/setup-host does it), or add `-E \
         LD_LIBRARY_PATH={sysroot}/lib` to that runner. crossflake's own runner is not affected",
        Path::new("/").join(multiarch_libc.strip_prefix(root).unwrap_or(&multiarch_libc)).display(),
        Path::new("/").join(cross_libc.strip_prefix(root).unwrap_or(&cross_libc)).display(),
    ))
}

pub fn diagnose(env: &HostEnv, specs: &[&TargetSpec], nix: NixStatus) -> Report {
    Report {
        host_triple: env.host_triple.clone(),
        toolchains: env.toolchains.iter().map(|t| format!("{} ({})", t.name, t.sysroot.display())).collect(),
        nix,
        targets: specs.iter().map(|s| diagnose_target(env, s)).collect(),
    }
}

/// The default view: the host and Nix in two lines, then one line per target,
/// then the warnings.
pub fn render_summary(r: &Report) -> String {
    let names: Vec<&str> = r.toolchains.iter().map(|t| t.split(" (").next().unwrap_or(t)).collect();
    let mut out = format!("host: {}; toolchains: {}\n", r.host_triple, names.join(", "));
    out += &format!(
        "nix backend: {} ({}): {}\n",
        r.nix.nix.as_deref().unwrap_or("nix not found"),
        r.nix.version.as_deref().unwrap_or("no version"),
        r.nix.verdict
    );
    let width = r.targets.iter().map(|t| t.target.len()).max().unwrap_or(0);
    for t in &r.targets {
        out += &format!("{:width$}  {}\n", t.target, t.summary);
    }
    for t in &r.targets {
        for w in &t.warnings {
            out += &format!("WARNING: {}: {w}\n", t.target);
        }
    }
    out += "details: crossflake doctor --target T (or -v for every target; --json)\n";
    out
}

/// The detailed view (`--target T`, `-v`): every tool, the toolchain's reason, the notes.
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
        for w in &t.warnings {
            out += &format!("  WARNING: {w}\n");
        }
    }
    out
}
