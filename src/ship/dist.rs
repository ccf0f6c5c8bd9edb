//! `crossflake dist`: a release build, its executables copied under release
//! names (`app-linux-arm64`) beside a SHA256SUMS file, with the glibc each
//! needs (checked against `--glibc` when given; for macOS its architectures and
//! oldest macOS, refused when it loads a dylib no Mac has).
use super::{artifacts, glibc};
use crate::events::Sink;
use crate::failure::Failure;
use crate::plan::Plan;
use crate::run::execute::{execute, Console};
use crate::targets::TargetSpec;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One shipped file.
#[derive(Debug, Clone, Serialize)]
pub struct Shipped {
    pub path: PathBuf,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub macos: Option<super::macho::MachO>,
    /// For the table: `glibc 2.17`, `macos arm64 >= 11.0`.
    #[serde(skip)]
    pub needs: Option<String>,
}

/// What `dist` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Dist {
    pub target: String,
    pub artifacts: Vec<Shipped>,
    pub sums: PathBuf,
}

/// Runs the planned release build and ships what it made into `out`.
pub fn dist(mut plan: Plan, spec: &TargetSpec, krate: &Path, out: &Path, sink: &dyn Sink) -> Result<Dist, Failure> {
    plan.cargo.json_messages =
        plan.cargo.json_messages || crate::request::peek(&plan.cargo.args).message_format.is_empty();
    sink.event(crate::events::Event::Plan { plan: Box::new(plan.clone()), dry_run: false });
    let ran = execute(&plan, spec, Console::Live, sink)?;
    let found = artifacts::shipped(spec, &plan.cargo, &artifacts::built(&plan.cargo, ran.executables.as_deref())?)?;
    if found.is_empty() {
        return Err(Failure::error(format!("the release build of {} produced no executable to ship", krate.display())));
    }
    let needs: Vec<_> = match plan.glibc.as_deref().and_then(crate::support::version::Version::parse) {
        Some(floor) => glibc::check_floor(&found, floor, sink)?,
        None => found.iter().map(|p| artifacts::artifact(p)).collect(),
    };
    if spec.is_darwin() {
        super::macho::check(&found, sink)?;
    }
    let copied = artifacts::copy_to_dist(&found, spec, out)?;
    let artifacts = copied
        .into_iter()
        .zip(needs)
        .map(|((path, sha256), a)| Shipped { path, sha256, needs: a.needs(), glibc: a.glibc, macos: a.macos })
        .collect();
    Ok(Dist { target: spec.name.clone(), artifacts, sums: out.join("SHA256SUMS") })
}
