//! The Markdown summary GitHub Actions shows on a run's page: when
//! `GITHUB_STEP_SUMMARY` names a file, `matrix` and `test` append a table
//! (target, build, test, the tests' counts, time, artifact, what it needs:
//! the glibc, or a Mach-O's architectures and oldest macOS), and the names
//! of the tests that failed.
use crate::events::{Counts, Status, TargetResult, TestSuite};
use std::io::Write as _;

/// The variable GitHub Actions sets to the step's summary file.
pub const ENV: &str = "GITHUB_STEP_SUMMARY";

/// A table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.lines().next().unwrap_or("").replace('|', "\\|")
}

fn status(s: &Status) -> String {
    match s {
        Status::Passed => "ok".into(),
        Status::Skipped(why) => format!("skipped: {}", cell(why)),
        Status::Failed(why) => format!("**FAILED**: {}", cell(why)),
        Status::TimedOut(why) => format!("**TIMEOUT**: {}", cell(why)),
    }
}

fn counts(c: Option<Counts>) -> String {
    c.map_or("-".into(), |c| format!("{} passed, {} failed, {} ignored", c.passed, c.failed, c.ignored))
}

const HEADER: &str =
    "| target | build | test | tests | time | artifact | needs (glibc, macOS) |\n|---|---|---|---|---|---|---|\n";

/// The failed tests' names, as a list under the table (at most 30).
fn failures(suites: &[(String, &TestSuite)]) -> String {
    let mut names: Vec<String> = vec![];
    for (target, s) in suites {
        for c in s.cases.iter().filter(|c| c.outcome == crate::events::CaseOutcome::Failed) {
            names.push(format!("- `{target}` `{}` `{}`: {}", s.name, c.name, cell(c.message.as_deref().unwrap_or(""))));
        }
        if let Some(e) = &s.error {
            names.push(format!("- `{target}` `{}`: {}", s.name, cell(e)));
        }
    }
    let more = names.len().saturating_sub(30);
    names.truncate(30);
    if more > 0 {
        names.push(format!("- and {more} more"));
    }
    match names.is_empty() {
        true => String::new(),
        false => format!("\nFailed:\n{}\n", names.join("\n")),
    }
}

/// `crossflake matrix`'s summary.
pub fn matrix(results: &[TargetResult]) -> String {
    let mut md = String::from("### crossflake matrix\n\n") + HEADER;
    for r in results {
        let art = r.artifacts.first();
        let name = art.and_then(|a| a.path.file_name()).map(|n| format!("`{}`", n.to_string_lossy()));
        md += &format!(
            "| {} | {} | {} | {} | {:.1} s | {} | {} |\n",
            r.target,
            status(&r.build),
            status(&r.test),
            counts(r.tests),
            r.seconds,
            name.unwrap_or_else(|| "-".into()),
            art.and_then(|a| a.needs()).unwrap_or_else(|| "-".into())
        );
    }
    let all: Vec<(String, &TestSuite)> =
        results.iter().flat_map(|r| r.suites.iter().map(|s| (r.target.clone(), s))).collect();
    md + &failures(&all)
}

/// `crossflake test`'s summary: one row for the target.
pub fn test(target: &str, build: &Status, test: &Status, suites: &[TestSuite], seconds: f64, glibc: &str) -> String {
    let mut md = format!("### crossflake test --target {target}\n\n") + HEADER;
    let c = (!suites.is_empty()).then(|| Counts::of(suites));
    let binaries = format!("{} test binaries", suites.iter().filter(|s| !s.name.ends_with("::doctests")).count());
    md += &format!(
        "| {target} | {} | {} | {} | {seconds:.1} s | {binaries} | {glibc} |\n",
        status(build),
        status(test),
        counts(c)
    );
    let all: Vec<(String, &TestSuite)> = suites.iter().map(|s| (target.to_string(), s)).collect();
    md + &failures(&all)
}

/// Appends `md` to the step summary, when GitHub Actions asked for one; where it went.
pub fn append(md: &str) -> std::io::Result<Option<std::path::PathBuf>> {
    let Some(path) = std::env::var_os(ENV).filter(|p| !p.is_empty()).map(std::path::PathBuf::from) else {
        return Ok(None);
    };
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
    f.write_all(md.as_bytes())?;
    f.write_all(b"\n")?;
    Ok(Some(path))
}
