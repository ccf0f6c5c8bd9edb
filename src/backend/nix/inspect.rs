//! `crossflake inspect`: what a dev shell pins (Rust toolchain, linker, QEMU:
//! names, versions, store paths) and the variables it sets, read from its
//! derivation files with the nix-derivation crate. Nothing is built.
use anyhow::{Context, Result};
use nix_derivation::Derivation;
use serde::Serialize;
use std::collections::BTreeMap;

/// Variables worth showing: what configures cargo, cc, pkg-config, emulators and SDKs.
pub const ENV_PREFIXES: &[&str] =
    &["CARGO_", "CC", "CXX", "AR_", "RUST", "PKG_CONFIG", "CROSSFLAKE_", "BINDGEN_", "QEMU_", "SDKROOT", "WINE"];

/// One input derivation of the shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pin {
    pub role: &'static str,
    pub name: String,
    pub version: String,
    pub drv: String,
    /// Output paths the shell uses (known before building for input-addressed outputs).
    pub outputs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub attr: String,
    pub flake: String,
    pub drv_path: String,
    pub system: String,
    pub pins: Vec<Pin>,
    pub env: BTreeMap<String, String>,
}

/// `builtins.parseDrvName`: the version starts at the first dash followed by a digit.
pub fn parse_drv_name(name: &str) -> (String, String) {
    let b = name.as_bytes();
    match (0..b.len()).find(|&i| b[i] == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
        Some(i) => (name[..i].to_string(), name[i + 1..].to_string()),
        None => (name.to_string(), String::new()),
    }
}

/// What an input is for, from its name.
pub fn role(pname: &str) -> &'static str {
    let has = |s: &str| pname.contains(s);
    if pname.starts_with("qemu") || pname.starts_with("wine") {
        "emulator"
    } else if pname.starts_with("rust") || pname.starts_with("cargo") || has("-rustc") || has("rust-bin") {
        "rust toolchain"
    } else if ["gcc", "clang", "lld", "binutils", "mingw", "osxcross", "cc-wrapper", "zig"].iter().any(|s| has(s)) {
        "linker / C compiler"
    } else {
        "other"
    }
}

const ROLES: &[&str] = &["rust toolchain", "linker / C compiler", "emulator", "other"];

/// A derivation's name (`/nix/store/<hash>-rustc-1.95.0.drv` -> `rustc-1.95.0`).
pub fn drv_name(path: &str) -> &str {
    let base = path.rsplit('/').next().unwrap_or(path);
    let base = base.split_once('-').map_or(base, |(_, n)| n);
    base.strip_suffix(".drv").unwrap_or(base)
}

/// Reads and parses a .drv file.
pub fn read_drv(path: &str) -> Result<Derivation> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the derivation {path}"))?;
    Derivation::from_aterm_bytes(&bytes, drv_name(path))
        .map_err(|e| anyhow::anyhow!("cannot parse the derivation {path}: {e}"))
}

/// The report for the shell derivation at `drv_path`.
pub fn report(drv_path: &str, attr: &str, flake: &str) -> Result<Report> {
    let drv = read_drv(drv_path)?;
    let mut pins = Vec::new();
    for (input, used) in drv.input_derivations() {
        let path = input.to_string();
        let (name, version) = parse_drv_name(drv_name(&path));
        // The input's own .drv gives its output paths; a missing one only loses those.
        let outs = read_drv(&path).ok().and_then(|d| d.resolved_outputs().ok()).unwrap_or_default();
        let outputs = used.outputs().iter().filter_map(|o| outs.get(o)?.path.as_ref().map(|p| p.to_string())).collect();
        pins.push(Pin { role: role(&name), name, version, drv: path, outputs });
    }
    pins.sort_by_key(|p| (ROLES.iter().position(|r| *r == p.role), p.name.clone()));
    let env = drv
        .environment()
        .iter()
        .filter(|(k, _)| ENV_PREFIXES.iter().any(|p| k.starts_with(p)))
        .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    Ok(Report {
        attr: attr.into(),
        flake: flake.into(),
        drv_path: drv_path.into(),
        system: drv.system().into(),
        pins,
        env,
    })
}

/// The report as text for people.
pub fn render(r: &Report) -> String {
    let mut s = format!("dev shell {} of {}\n", r.attr, r.flake);
    s += &format!("derivation: {} (system {}; nothing was built)\n", r.drv_path, r.system);
    s += "pins:\n";
    let width = r.pins.iter().map(|p| p.name.len() + p.version.len() + 1).max().unwrap_or(0);
    for p in &r.pins {
        let nv = format!("{} {}", p.name, if p.version.is_empty() { "-" } else { &p.version });
        let path = p.outputs.first().cloned().unwrap_or_else(|| p.drv.clone());
        s += &format!("  {:<20} {nv:<width$}  {path}\n", p.role);
    }
    if r.pins.is_empty() {
        s += "  (no input derivations)\n";
    }
    s += "environment the shell sets:\n";
    for (k, v) in &r.env {
        s += &format!("  {k}={v}\n");
    }
    if r.env.is_empty() {
        s += "  (none of CARGO_*, CC*, CXX*, AR_*, RUST*, PKG_CONFIG*, QEMU_*, SDKROOT, WINE*)\n";
    }
    s
}

/// `crossflake inspect`'s JSON event: `{"event": "inspect", "report": ...}`.
#[derive(Debug, Serialize)]
pub struct Inspected<'a> {
    pub report: &'a Report,
}
