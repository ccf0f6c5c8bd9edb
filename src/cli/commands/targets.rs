//! `crossflake targets`: the known targets.
use super::Here;
use crate::cli::flags::Split;
use crate::failure::Outcome;
use crate::report::{tables, Reporter};

pub fn run(here: &Here, split: &Split, reporter: &Reporter) -> Outcome {
    if split.opts.json || reporter.json() {
        reporter.out(&format!("{}\n", serde_json::to_string_pretty(&here.registry.targets).unwrap_or_default()));
    } else {
        reporter.out(&tables::targets(&here.registry));
    }
    Ok(())
}
