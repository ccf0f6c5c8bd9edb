//! `crossflake sdk add FILE` and `crossflake sdk list` (backend/sdk).
use crate::backend::sdk;
use crate::cli::flags::Split;
use crate::failure::{Failure, Outcome};
use crate::report::{tables, Reporter};
use std::path::Path;

pub fn run(split: &Split, reporter: &Reporter) -> Outcome {
    let o = &split.opts;
    match split.rest.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["add", file] => {
            let added = sdk::add(Path::new(file), o.dry_run, reporter)?;
            let event = if added.dry_run { "sdk-checked" } else { "sdk-added" };
            reporter.result(event, &added, || tables::sdk_added(&added));
            if added.info.compression != sdk::inspect::Compression::Xz {
                crate::events::Sink::warn(reporter, &format!(
                    "crossflake's flake (nix/macosSdk.nix) asks for MacOSX{}.sdk.tar.xz; recompress with xz and add that file",
                    added.entry.version
                ));
            }
            if added.dry_run {
                crate::events::Sink::info(reporter, "dry run: nothing was added or recorded");
            } else {
                crate::events::Sink::info(reporter, &format!("recorded in {}", added.registry.display()));
            }
            Ok(())
        }
        ["list"] => {
            let (sdks, registry) = sdk::list()?;
            if o.json || reporter.json() {
                reporter.out(&format!("{}\n", serde_json::to_string_pretty(&sdks).unwrap_or_default()));
            } else {
                reporter.out(&tables::sdk_list(&sdks, &registry));
            }
            Ok(())
        }
        _ => Err(Failure::usage("crossflake sdk takes `add FILE` or `list`").next("crossflake sdk --help")),
    }
}
