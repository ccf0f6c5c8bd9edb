//! JUnit XML, the report CI systems read (Jenkins, GitLab, GitHub Actions'
//! test reporters), in the shape of the junit-10 schema they validate
//! against: `<testsuites>` of `<testsuite name tests failures errors skipped
//! time>`, each `<testcase name classname>` with a `<failure>`, `<error>` or
//! `<skipped>` when it did not pass. `crossflake test` writes one testsuite
//! per test binary (and one for the doctests); `matrix` one per target, its
//! tests named `binary::test`, a skipped target as a skipped case with the
//! reason, a failed build as a failed `build` case.
use crate::events::{CaseOutcome, Status, TargetResult, TestSuite};
use std::fmt::Write as _;
use std::path::Path;

/// Text as XML character data or an attribute value: escaped, with the characters XML
/// 1.0 cannot hold (terminal colours' ESC, other controls) dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&apos;",
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// One `<testcase>`.
struct Case {
    name: String,
    classname: String,
    /// (element, message, body): `failure`, `error` or `skipped`.
    verdict: Option<(&'static str, String, String)>,
}

/// One `<testsuite>`.
struct Suite {
    name: String,
    seconds: f64,
    cases: Vec<Case>,
    properties: Vec<(&'static str, String)>,
}

impl Suite {
    fn count(&self, what: &str) -> usize {
        self.cases.iter().filter(|c| c.verdict.as_ref().is_some_and(|v| v.0 == what)).count()
    }
}

/// A test binary's cases, named `prefix` + test name, with classname `classname`.
fn cases_of(s: &TestSuite, classname: &str, prefix: &str) -> Vec<Case> {
    let mut out: Vec<Case> = s
        .cases
        .iter()
        .map(|c| Case {
            name: format!("{prefix}{}", c.name),
            classname: classname.to_string(),
            verdict: match c.outcome {
                CaseOutcome::Passed => None,
                CaseOutcome::Ignored => Some(("skipped", "ignored".into(), String::new())),
                CaseOutcome::Failed => Some((
                    "failure",
                    c.message.clone().unwrap_or_else(|| "failed".into()),
                    c.output.clone().unwrap_or_default(),
                )),
            },
        })
        .collect();
    if let Some(e) = &s.error {
        out.push(Case {
            name: format!("{prefix}(the test binary)"),
            classname: classname.to_string(),
            verdict: Some(("error", e.clone(), String::new())),
        });
    }
    out
}

fn render(name: &str, suites: &[Suite]) -> String {
    let total = |what: &str| suites.iter().map(|s| s.count(what)).sum::<usize>();
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let secs: f64 = suites.iter().fold(0.0, |a, s| a + s.seconds);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" time=\"{secs:.3}\">",
        esc(name),
        total("failure"),
        total("error")
    );
    for s in suites {
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            esc(&s.name),
            s.cases.len(),
            s.count("failure"),
            s.count("error"),
            s.count("skipped"),
            s.seconds
        );
        if !s.properties.is_empty() {
            x += "    <properties>\n";
            for (k, v) in &s.properties {
                let _ = writeln!(x, "      <property name=\"{k}\" value=\"{}\"/>", esc(v));
            }
            x += "    </properties>\n";
        }
        for c in &s.cases {
            let head = format!("    <testcase name=\"{}\" classname=\"{}\"", esc(&c.name), esc(&c.classname));
            match &c.verdict {
                None => x += &format!("{head}/>\n"),
                Some((el, msg, body)) => {
                    let msg = esc(msg.lines().next().unwrap_or(""));
                    let _ = writeln!(x, "{head}>\n      <{el} message=\"{msg}\">{}</{el}>\n    </testcase>", esc(body));
                }
            }
        }
        x += "  </testsuite>\n";
    }
    x += "</testsuites>\n";
    x
}

/// `crossflake test`'s report: one testsuite per binary; a failed build (no suites) as a
/// `build` suite with the failure.
pub fn test_report(target: &str, triple: &str, suites: &[TestSuite], failure: Option<&str>) -> String {
    let props = vec![("target", target.to_string()), ("triple", triple.to_string())];
    let mut out: Vec<Suite> = suites
        .iter()
        .map(|s| Suite {
            name: s.name.clone(),
            seconds: s.seconds,
            cases: cases_of(s, &s.name, ""),
            properties: props.clone(),
        })
        .collect();
    if let (true, Some(why)) = (suites.is_empty(), failure) {
        out.push(Suite {
            name: "build".into(),
            seconds: 0.0,
            cases: vec![Case {
                name: "build".into(),
                classname: target.into(),
                verdict: Some(("failure", why.to_string(), String::new())),
            }],
            properties: props,
        });
    }
    render(&format!("crossflake test --target {target}"), &out)
}

/// A phase's case when it did not pass: (element, message).
fn phase_case(target: &str, phase: &str, status: &Status) -> Option<Case> {
    let verdict = match status {
        Status::Passed => return None,
        Status::Skipped(why) => ("skipped", why.clone(), String::new()),
        Status::Failed(why) => ("failure", why.clone(), String::new()),
        Status::TimedOut(why) => ("error", format!("timed out: {why}"), String::new()),
    };
    Some(Case { name: phase.into(), classname: target.into(), verdict: Some(verdict) })
}

/// `crossflake matrix`'s report: one testsuite per target.
pub fn matrix_report(results: &[TargetResult]) -> String {
    let suites: Vec<Suite> = results
        .iter()
        .map(|r| {
            let mut cases: Vec<Case> = phase_case(&r.target, "build", &r.build).into_iter().collect();
            for s in &r.suites {
                cases.extend(cases_of(s, &format!("{}.{}", r.target, s.name), &format!("{}::", s.name)));
            }
            let tests_failed = cases.iter().any(|c| c.verdict.as_ref().is_some_and(|v| v.0 != "skipped"));
            if r.build == Status::Passed && (r.suites.is_empty() || !tests_failed) {
                cases.extend(phase_case(&r.target, "test", &r.test));
            }
            Suite {
                name: r.target.clone(),
                seconds: r.seconds,
                cases,
                properties: vec![("target", r.target.clone()), ("triple", r.rust_triple.clone())],
            }
        })
        .collect();
    render("crossflake matrix", &suites)
}

/// Writes a report, making its directory.
pub fn write(path: &Path, xml: &str) -> std::io::Result<()> {
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(path, xml)
}
