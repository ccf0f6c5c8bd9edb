//! `crossflake package`, `flake-check` and `inspect`: the Nix backend's own
//! commands (backend/nix/commands.rs).
use super::Here;
use crate::backend::nix::{commands, inspect};
use crate::cli::flags::Split;
use crate::failure::{Failure, Outcome};
use crate::report::Reporter;

pub fn run(here: Here, name: &str, split: &Split, reporter: &Reporter) -> Outcome {
    let o = &split.opts;
    let spec = o.target.as_deref().map(|t| here.registry.resolve(t)).transpose()?;
    match (name, spec) {
        ("flake-check", spec) => commands::check(spec, &o.nix, o.dry_run, reporter),
        (_, None) => Err(Failure::usage(format!("crossflake {name} needs --target T"))),
        ("package", Some(spec)) => {
            if let Some(b) = commands::package(spec, &o.nix, o.dry_run, reporter)? {
                reporter.result("package", &b, || b.outputs.iter().map(|p| format!("{p}\n")).collect());
            }
            Ok(())
        }
        (_, Some(spec)) => {
            if let Some(r) = commands::inspect(spec, &o.nix, o.dry_run, reporter)? {
                reporter.result("inspect", &inspect::Inspected { report: &r }, || inspect::render(&r));
            }
            Ok(())
        }
    }
}
