//! `crossflake capture-env FILE PROGRAM [ARGS...]` (internal): the runner of
//! `crossflake test`'s capture run (run/test_env.rs); records how cargo started
//! a test binary and runs nothing.
use crate::failure::{Failure, Outcome};
use std::path::Path;

pub fn run(words: &[String]) -> Outcome {
    let [file, program, ..] = words else {
        return Err(Failure::usage("capture-env needs FILE and PROGRAM"));
    };
    Ok(crate::run::test_env::record(Path::new(file), Path::new(program))?)
}
