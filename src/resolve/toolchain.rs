//! Which Rust toolchain builds a target, as rustup decides it: `+NAME` or
//! `--toolchain NAME` first, else the crate's pin (RUSTUP_TOOLCHAIN, then
//! rust-toolchain.toml), which must then be installed and have the target's
//! std (exit 3 with the rustup command otherwise: never another toolchain
//! in silence); without a pin, rustup's default, other rustup toolchains and
//! the system's, prebuilt std first, else rust-src for `-Zbuild-std`.
use crate::failure::Failure;
use crate::resolve::machine::{HostEnv, Toolchain};
use crate::targets::TargetSpec;
use serde::Serialize;

/// How the target's standard library is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StdSource {
    Prebuilt,
    BuildStd,
    /// The user builds std themselves (`-Zbuild-std`, `[unstable] build-std`): crossflake
    /// neither needs the toolchain's std nor adds flags.
    Yours,
}

/// How a toolchain can build `spec`, if at all.
fn fits(tc: &Toolchain, spec: &TargetSpec) -> Option<StdSource> {
    let needs_src = spec.custom_json.is_some();
    if spec.std_triples().iter().all(|t| tc.has_std(t)) && !needs_src {
        Some(StdSource::Prebuilt)
    } else if tc.rust_src {
        Some(StdSource::BuildStd)
    } else {
        None
    }
}

/// Picks the toolchain for a build whose std the user builds themselves: the one asked
/// for, else the pinned one, else rustup's default; it needs no std for the target.
pub fn choose_for_own_std<'a>(
    env: &'a HostEnv,
    spec: &TargetSpec,
    requested: Option<&str>,
) -> Result<(&'a Toolchain, StdSource, String), Failure> {
    let (name, why) = match (requested, &env.pin) {
        (Some(n), _) => (Some(n.to_string()), format!("asked for with --toolchain/+{n}")),
        (None, Some(pin)) => (Some(pin.channel.clone()), format!("pinned by {}", pin.source)),
        (None, None) => (None, "no toolchain pinned: the default".to_string()),
    };
    let tc = match &name {
        Some(n) => env.toolchain(n),
        None => env.toolchains.first(),
    };
    let tc = tc.ok_or_else(|| {
        let n = name.clone().unwrap_or_else(|| "a toolchain".into());
        Failure::missing(format!("toolchain {n} is not installed")).next(format!(
            "`rustup toolchain install {n} --component rust-src` (you build std for {} yourself)",
            spec.rust_triple
        ))
    })?;
    Ok((tc, StdSource::Yours, format!("{why}; you build std for {} yourself (-Zbuild-std)", spec.rust_triple)))
}

/// Picks the toolchain; the string says which and why.
pub fn choose_toolchain<'a>(
    env: &'a HostEnv,
    spec: &TargetSpec,
    requested: Option<&str>,
) -> Result<(&'a Toolchain, StdSource, String), Failure> {
    let triple = &spec.rust_triple;
    if let Some(name) = requested {
        let tc = env.toolchain(name).ok_or_else(|| {
            let known: Vec<_> = env.toolchains.iter().map(|t| t.name.as_str()).collect();
            Failure::missing(format!("toolchain {name:?} is not installed (known: {})", known.join(", ")))
                .next(format!("`rustup toolchain install {name} --target {triple}`"))
        })?;
        return match fits(tc, spec) {
            Some(src) => Ok((tc, src, format!("asked for with --toolchain/+{name}; {}", describe(src, triple)))),
            None => Err(Failure::missing(format!("toolchain {} has neither std for {triple} nor rust-src", tc.name))
                .next(format!(
                    "`rustup target add --toolchain {} {triple}` (or `rustup component add --toolchain {} rust-src` for -Zbuild-std)",
                    tc.name, tc.name
                ))),
        };
    }
    if let Some(pin) = &env.pin {
        let ch = &pin.channel;
        let Some(tc) = env.toolchain(ch) else {
            return Err(Failure::missing(format!("{} pins toolchain {ch}, which is not installed", pin.source)).next(
                format!(
                    "`rustup toolchain install {ch} --target {triple}`, or choose another with `crossflake +NAME ...`"
                ),
            ));
        };
        // A prebuilt std, or rust-src where the target has no prebuilt std at all (custom JSON).
        return match fits(tc, spec) {
            Some(StdSource::Prebuilt) => Ok((
                tc,
                StdSource::Prebuilt,
                format!("pinned by {}; {}", pin.source, describe(StdSource::Prebuilt, triple)),
            )),
            Some(StdSource::BuildStd) if spec.custom_json.is_some() => Ok((
                tc,
                StdSource::BuildStd,
                format!("pinned by {}; {}", pin.source, describe(StdSource::BuildStd, triple)),
            )),
            _ => Err(Failure::missing(format!(
                "{} pins toolchain {}, which has no std for {triple}",
                pin.source, tc.name
            ))
            .next(format!(
                "`rustup target add --toolchain {ch} {triple}`, or choose another with `crossflake +NAME ...`; a \
                 triple rustup has no std for (tier 3) builds its own on a nightly toolchain: `crossflake \
                 +nightly build --target {triple} -Zbuild-std` (with rust-src), passed to cargo as it is"
            ))),
        };
    }
    for want in [StdSource::Prebuilt, StdSource::BuildStd] {
        if let Some(tc) = env.toolchains.iter().find(|tc| fits(tc, spec) == Some(want)) {
            let first = env.toolchains.first().is_some_and(|f| f.name == tc.name);
            let why = format!(
                "{}; {}",
                if first { "no toolchain pinned: the default" } else { "no toolchain pinned: the first that can" },
                describe(want, triple)
            );
            return Ok((tc, want, why));
        }
    }
    Err(Failure::missing(format!("no Rust toolchain here can build {triple}: none has its std or rust-src")).next(
        format!(
        "`rustup target add {triple}` (or `rustup component add rust-src` for -Zbuild-std), or run scripts/setup-host"
    ),
    ))
}

fn describe(src: StdSource, triple: &str) -> String {
    match src {
        StdSource::Prebuilt => format!("has a prebuilt std for {triple}"),
        StdSource::BuildStd => format!("no prebuilt std for {triple}; builds it from rust-src with -Zbuild-std"),
        StdSource::Yours => format!("you build std for {triple} yourself"),
    }
}
