//! A command as a value: program, arguments, environment, working directory
//! and time limit. Planners make steps, `exec` runs them, `--dry-run` prints
//! them as shell lines.
use serde::Serialize;
use std::collections::BTreeMap;
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
