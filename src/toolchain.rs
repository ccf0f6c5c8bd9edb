//! Which Rust toolchain builds a target: `--toolchain` when given, else the
//! pinned one, other rustup toolchains, then the system's; prebuilt std first,
//! else rust-src for `-Zbuild-std`.
use crate::hostenv::{HostEnv, Toolchain};
use crate::targets::TargetSpec;
use serde::Serialize;

/// How the target's standard library is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StdSource {
    Prebuilt,
    BuildStd,
}

/// Picks the toolchain: `requested` if given, else the first (pinned first)
/// with a prebuilt std for the target, else the first with rust-src.
pub fn choose_toolchain<'a>(
    env: &'a HostEnv,
    spec: &TargetSpec,
    requested: Option<&str>,
) -> anyhow::Result<(&'a Toolchain, StdSource, String)> {
    let triple = &spec.rust_triple;
    let needs_src = spec.custom_json.is_some();
    let fits = |tc: &Toolchain| -> Option<StdSource> {
        if tc.has_std(triple) && !needs_src {
            Some(StdSource::Prebuilt)
        } else if tc.rust_src {
            Some(StdSource::BuildStd)
        } else {
            None
        }
    };
    if let Some(name) = requested {
        let tc = env.toolchain(name).ok_or_else(|| {
            let known: Vec<_> = env.toolchains.iter().map(|t| t.name.as_str()).collect();
            anyhow::anyhow!("toolchain {name:?} not found; known: {}", known.join(", "))
        })?;
        return match fits(tc) {
            Some(src) => Ok((tc, src, format!("requested with --toolchain; {}", describe(src, triple)))),
            None => anyhow::bail!(
                "toolchain {} has neither std for {triple} nor rust-src. Next: `rustup target add --toolchain {} {triple}` or `rustup component add --toolchain {} rust-src`",
                tc.name, tc.name, tc.name
            ),
        };
    }
    for want in [StdSource::Prebuilt, StdSource::BuildStd] {
        if let Some(tc) = env.toolchains.iter().find(|tc| fits(tc) == Some(want)) {
            let pinned =
                env.pinned_channel.as_deref().is_some_and(|p| tc.name == p || tc.name.starts_with(&format!("{p}-")));
            let why = format!(
                "{}{}",
                if pinned { "pinned by rust-toolchain.toml; " } else { "first found; " },
                describe(want, triple)
            );
            return Ok((tc, want, why));
        }
    }
    let pinned = env.pinned_channel.clone().unwrap_or_else(|| "stable".into());
    anyhow::bail!(
        "no Rust toolchain here can build {triple}: none has its std or rust-src. Next: `rustup target add --toolchain {pinned} {triple}` (or `rustup component add --toolchain {pinned} rust-src` for -Zbuild-std), or run scripts/setup-host"
    )
}

fn describe(src: StdSource, triple: &str) -> String {
    match src {
        StdSource::Prebuilt => format!("has a prebuilt std for {triple}"),
        StdSource::BuildStd => format!("no prebuilt std for {triple}; builds it from rust-src with -Zbuild-std"),
    }
}
