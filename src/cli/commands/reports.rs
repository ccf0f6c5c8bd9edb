//! What `crossflake test` leaves for CI after its run, passed or failed: the
//! JUnit file `--junit PATH` asks for and, under GitHub Actions, a summary
//! table in `$GITHUB_STEP_SUMMARY` (both rendered in report/).
use crate::events::{Sink, Status};
use crate::failure::Failure;
use crate::report::{junit, summary, Reporter};
use crate::run::execute::Ran;
use crate::targets::TargetSpec;
use std::path::Path;

/// Writes the reports of a side-by-side test run that ended with `outcome`.
pub fn after_test(
    junit_path: Option<&Path>,
    spec: &TargetSpec,
    reporter: &Reporter,
    outcome: &Result<Ran, Failure>,
    seconds: f64,
    glibc: Option<String>,
) -> Result<(), Failure> {
    let suites = reporter.suites();
    let why = |f: &Failure| match f.message.is_empty() {
        true => format!("exit {}", f.exit_code()),
        false => f.message.clone(),
    };
    let (build, test) = match outcome {
        Ok(_) => (Status::Passed, Status::Passed),
        Err(f) if suites.is_empty() => (Status::Failed(why(f)), Status::Skipped("not built".into())),
        Err(f) => (Status::Passed, Status::Failed(why(f))),
    };
    if let Some(path) = junit_path {
        let failure = match &build {
            Status::Failed(w) => Some(w.as_str()),
            _ => None,
        };
        let xml = junit::test_report(&spec.name, &spec.rust_triple, &suites, failure);
        junit::write(path, &xml)
            .map_err(|e| Failure::error(format!("cannot write the JUnit report {}: {e}", path.display())))?;
        reporter.info(&format!("JUnit report: {}", path.display()));
    }
    let glibc = glibc.map_or("-".to_string(), |g| format!("glibc <= {g}"));
    let md = summary::test(&spec.name, &build, &test, &suites, seconds, &glibc);
    summary::append(&md).map_err(|e| {
        Failure::error(format!("cannot append to ${}: {e}", summary::ENV)).next("check the file it names")
    })?;
    Ok(())
}
