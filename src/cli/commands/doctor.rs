//! `crossflake doctor`: what each target needs here (backend/doctor.rs).
use super::Here;
use crate::backend::doctor;
use crate::cli::flags::Split;
use crate::failure::Outcome;
use crate::report::Reporter;
use crate::resolve::machine::HostEnv;
use crate::targets::TargetSpec;

pub fn run(here: Here, split: &Split, reporter: &Reporter) -> Outcome {
    let env = HostEnv::probe(&here.cwd);
    let specs: Vec<&TargetSpec> = match &split.opts.target {
        Some(t) => vec![here.registry.resolve(t)?],
        None => here.registry.targets.iter().collect(),
    };
    let report = doctor::diagnose(&env, &specs, doctor::nix_status(&env, &here.cwd));
    if split.opts.json || reporter.json() {
        reporter.out(&format!("{}\n", serde_json::to_string_pretty(&report).unwrap_or_default()));
    } else if split.opts.target.is_some() || reporter.verbose > 0 {
        reporter.out(&doctor::render(&report));
    } else {
        reporter.out(&doctor::render_summary(&report));
    }
    Ok(())
}
