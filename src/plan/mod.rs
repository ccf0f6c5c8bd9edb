//! Plans: what will run, as plain data (program, args, env, cwd) that can be
//! printed (`--dry-run`), serialized and tested without spawning anything.
pub mod cargo_step;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// One process to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What the step is for, in a few words (`cargo test`, `boot kernel`).
    pub label: String,
    pub program: String,
    pub args: Vec<String>,
    /// Variables set on top of the inherited environment.
    pub env: BTreeMap<String, String>,
    pub cwd: Option<PathBuf>,
    /// Kill the step (and its process group) after this many seconds.
    pub timeout_secs: Option<u64>,
    /// `env` is the whole environment: nothing is inherited (a test binary gets exactly
    /// what cargo would give it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub clear_env: bool,
}

impl Step {
    pub fn new(label: &str, program: impl Into<String>) -> Step {
        Step {
            label: label.into(),
            program: program.into(),
            args: vec![],
            env: BTreeMap::new(),
            cwd: None,
            timeout_secs: None,
            clear_env: false,
        }
    }
    pub fn arg(mut self, a: impl Into<String>) -> Step {
        self.args.push(a.into());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, a: I) -> Step {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, k: impl Into<String>, v: impl Into<String>) -> Step {
        self.env.insert(k.into(), v.into());
        self
    }
    /// The step as a line a shell would run.
    pub fn shell_line(&self) -> String {
        let mut parts = Vec::new();
        if let Some(cwd) = &self.cwd {
            parts.push(format!("cd {} &&", shell_quote(&cwd.display().to_string())));
        }
        if !self.env.is_empty() || self.clear_env {
            parts.push(if self.clear_env { "env -i".into() } else { "env".into() });
            for (k, v) in &self.env {
                parts.push(format!("{k}={}", shell_quote(v)));
            }
        }
        parts.push(shell_quote(&self.program));
        parts.extend(self.args.iter().map(|a| shell_quote(a)));
        parts.join(" ")
    }
}

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// How a plan's test binaries run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestRun {
    /// Binaries at once.
    pub jobs: usize,
    /// After `--`: each binary's arguments.
    pub harness_args: Vec<String>,
    pub no_fail_fast: bool,
    /// `cargo test --doc ...`, run after the binaries when the crate has doctests.
    pub doc_step: Option<Step>,
}

/// Where a coverage run keeps its data and which tools it uses (src/coverage.rs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// `target/crossflake-coverage/<target>`: reports (lcov.info, html/).
    pub dir: PathBuf,
    pub build_dir: PathBuf,
    pub profraw_dir: PathBuf,
    pub doctest_dir: PathBuf,
    pub llvm_profdata: PathBuf,
    pub llvm_cov: PathBuf,
    /// The real rustdoc, behind the wrapper that lets it keep doctests.
    pub rustdoc: String,
    /// The directory name of the target's artifacts (its triple).
    pub triple_dir: String,
    /// The crate's directory: file names are shown relative to it.
    pub krate: PathBuf,
}

/// Everything a command will do for one target.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub command: String,
    pub target: String,
    pub rust_triple: String,
    pub backend: String,
    /// The toolchain chosen and why.
    pub toolchain: Option<String>,
    pub toolchain_reason: Option<String>,
    /// Things the user should know (tests that cannot run here, build-std, ...).
    pub notes: Vec<String>,
    /// Set when the command builds tests it cannot run here (it then exits 125): why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unrun: Option<String>,
    /// The glibc floor every artifact must keep (`--glibc`), checked after the build.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
    /// Test binaries built once, then run side by side (src/test_run.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestRun>,
    /// Coverage of the test run (src/coverage.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    pub steps: Vec<Step>,
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "# crossflake {} --target {} ({}), backend {}",
            self.command, self.target, self.rust_triple, self.backend
        )?;
        if let (Some(tc), Some(why)) = (&self.toolchain, &self.toolchain_reason) {
            writeln!(f, "# toolchain {tc}: {why}")?;
        }
        for n in &self.notes {
            writeln!(f, "# note: {n}")?;
        }
        for s in &self.steps {
            writeln!(f, "{}", s.shell_line())?;
        }
        Ok(())
    }
}
