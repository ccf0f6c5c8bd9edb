//! `crossflake targets [--all]`: the built-in targets, and with `--all` the
//! triples the toolchain's rustc knows, which crossflake passes to cargo as
//! they are (resolve/open_world.rs).
use super::Here;
use crate::cli::flags::Split;
use crate::failure::Outcome;
use crate::report::{tables, Reporter};
use crate::resolve::machine::HostEnv;
use crate::resolve::open_world;

/// What `--all` adds: every rustc triple without a target file here.
#[derive(Debug, serde::Serialize)]
struct All<'a> {
    builtin: &'a [crate::targets::TargetSpec],
    rustc: String,
    pass_through: Vec<String>,
}

pub fn run(here: &Here, split: &Split, reporter: &Reporter) -> Outcome {
    let json = split.opts.json || reporter.json();
    if !split.opts.all {
        match json {
            true => {
                reporter.out(&format!("{}\n", serde_json::to_string_pretty(&here.registry.targets).unwrap_or_default()))
            }
            false => reporter.out(&tables::targets(&here.registry)),
        }
        return Ok(());
    }
    let env = HostEnv::probe(&here.cwd);
    let rustc = open_world::rustc_of(&env);
    let builtin: Vec<&str> = here.registry.targets.iter().map(|t| t.rust_triple.as_str()).collect();
    let pass_through: Vec<String> =
        open_world::target_list(&rustc).into_iter().filter(|t| !builtin.contains(&t.as_str())).collect();
    let all = All { builtin: &here.registry.targets, rustc: rustc.display().to_string(), pass_through };
    match json {
        true => reporter.out(&format!("{}\n", serde_json::to_string_pretty(&all).unwrap_or_default())),
        false => reporter.out(&format!(
            "{}\nWithout a file here, passed to cargo as they are ({} triples {} knows):\n{}\n",
            tables::targets(&here.registry),
            all.pass_through.len(),
            all.rustc,
            all.pass_through.join("\n")
        )),
    }
    Ok(())
}
