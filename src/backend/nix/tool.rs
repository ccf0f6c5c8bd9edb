//! Running nix: finding it, judging its version, the options every nix
//! command gets (`--builders`, `--store`, `--option`), bounded captures, and
//! turning nix's failures into errors that name the fix.
use crate::exec::{Ending, Output};
use crate::failure::Failure;
use crate::request::NixArgs;
use crate::resolve::machine::HostEnv;
use crate::step::Step;
use anyhow::{bail, Result};
use std::path::PathBuf;
use std::time::Duration;

/// Flakes exist from this Nix on.
pub const MIN_FLAKES: (u32, u32) = (2, 4);
/// crossflake's own flake pins nixpkgs 25.11, which refuses older Nix (lib/minfeatures.nix).
pub const MIN_OWN_FLAKE: (u32, u32) = (2, 18);
/// Limit for an evaluation made only to decide the backend (`CROSSFLAKE_NIX_TIMEOUT` overrides).
pub const DEFAULT_EVAL_TIMEOUT_SECS: u64 = 60;

/// The nix program and the options given to every nix command.
#[derive(Debug, Clone)]
pub struct Nix {
    pub program: PathBuf,
    pub common: Vec<String>,
}

impl Nix {
    /// Finds nix on PATH; the error says how to install it.
    pub fn locate(env: &HostEnv, args: &NixArgs) -> Result<Nix> {
        let program = env.which("nix").ok_or_else(|| {
            Failure::missing("nix is not on PATH").next(
                "install Nix >= 2.18 (https://nixos.org/download, or Debian 13's nix-bin; crossflake's flake needs it \
                 for nixpkgs 25.11), or use --backend host",
            )
        })?;
        Ok(Nix { program, common: common_args(args) })
    }

    /// `nix <sub> <common options> <rest>` as a step (shown as `nix`, run from PATH).
    pub fn step(&self, label: &str, sub: &[&str], rest: &[String]) -> Step {
        Step::new(label, "nix").args(sub.iter().copied()).args(self.common.iter().cloned()).args(rest.iter().cloned())
    }

    /// Runs a step's nix command, capturing stdout and stderr, killed at `timeout`. With
    /// `show_stderr` (a build's progress), nix's stderr is passed to `sink` line by line too.
    pub fn capture(
        &self,
        step: &Step,
        timeout: Option<Duration>,
        show: Option<&dyn crate::events::Sink>,
    ) -> Result<Captured> {
        let mut step = step.clone();
        step.program = self.program.display().to_string();
        step.timeout_secs = timeout.map(|t| t.as_secs().max(1));
        let got = match show {
            None => crate::exec::capture(&step)?,
            Some(sink) => {
                let kept = std::sync::Mutex::new(String::new());
                let line = |l: &str| {
                    sink.event(crate::events::Event::Stderr(format!("{l}\n").into_bytes()));
                    let mut k = kept.lock().unwrap_or_else(|e| e.into_inner());
                    k.push_str(l);
                    k.push('\n');
                };
                let (o, c) =
                    crate::exec::run(&step, Output::Cargo { stderr: &line, stdout: crate::exec::Stdout::Capture })?;
                crate::exec::Captured {
                    ending: o.ending,
                    stdout: String::from_utf8_lossy(&c.stdout).into_owned(),
                    stderr: kept.into_inner().unwrap_or_else(|e| e.into_inner()),
                }
            }
        };
        let code = match got.ending {
            Ending::Exited(c) => Some(c),
            _ => None,
        };
        Ok(Captured {
            success: got.success(),
            code,
            stdout: got.stdout,
            stderr: got.stderr,
            timed_out: got.ending == Ending::TimedOut,
        })
    }

    /// What `nix --version` prints.
    pub fn version_text(&self) -> Result<String> {
        let step = Step::new("nix version", "nix").arg("--version");
        let out = self.capture(&step, Some(Duration::from_secs(20)), None)?;
        if !out.success {
            bail!("`{} --version` failed: {}", self.program.display(), out.stderr.trim());
        }
        Ok(out.stdout)
    }
}

/// What a captured nix command did.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

/// The options every nix command gets, from the user's `--builders`, `--store` and `--option`.
pub fn common_args(a: &NixArgs) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(b) = &a.builders {
        v.extend(["--builders".to_string(), b.clone()]);
    }
    if let Some(s) = &a.store {
        v.extend(["--store".to_string(), s.clone()]);
    }
    for kv in a.option.chunks(2) {
        v.push("--option".into());
        v.extend(kv.iter().cloned());
    }
    v
}

/// `nix (Nix) 2.8.0` -> (2, 8); also Lix and Determinate Nix version lines.
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let word = text.lines().next()?.split_whitespace().last()?;
    let mut parts = word.split('.').map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Ok(version text) when this Nix can serve; else an error naming the fix.
pub fn version_verdict(version_text: &str, own_flake: bool) -> Result<String> {
    let text = version_text.trim();
    let Some(v) = parse_version(text) else {
        return Err(Failure::missing(format!("cannot read nix's version from `{text}`"))
            .next("check that `nix --version` works")
            .into());
    };
    let shown = text.split_whitespace().last().unwrap_or(text);
    if v < MIN_FLAKES {
        return Err(Failure::missing(format!(
            "Nix {shown} is too old: flakes need Nix >= 2.4, and crossflake's flake needs >= 2.18 (nixpkgs 25.11 \
             requires it)"
        ))
        .next("upgrade Nix (https://nixos.org/download; Debian 13's nix-bin is 2.26), or use --backend host")
        .into());
    }
    if own_flake && v < MIN_OWN_FLAKE {
        return Err(Failure::missing(format!(
            "Nix {shown} cannot evaluate crossflake's flake: it pins nixpkgs 25.11, which needs Nix >= 2.18"
        ))
        .next(
            "upgrade Nix (https://nixos.org/download; Debian 13's nix-bin is 2.26), pass --flake with a flake this \
             Nix can evaluate, or use --backend host",
        )
        .into());
    }
    Ok(shown.to_string())
}

/// Why a nix command failed, for `what` (e.g. "evaluating devShells.x86_64-linux.aarch64 of /src").
/// `missing` is the message for a flake that lacks the attribute; `echoed`: the user saw nix's stderr.
pub fn explain(out: &Captured, what: &str, missing: &str, echoed: bool) -> NixFailure {
    let err = &out.stderr;
    if out.timed_out {
        return NixFailure::Other(format!("{what} did not finish in time and was stopped"));
    }
    if err.contains("experimental Nix feature") && err.contains("is disabled") {
        return NixFailure::Other(format!(
            "{what} failed: flakes are disabled in this Nix. Next: add `experimental-features = nix-command flakes` \
             to ~/.config/nix/nix.conf (or /etc/nix/nix.conf), or export NIX_CONFIG='experimental-features = \
             nix-command flakes'"
        ));
    }
    if err.contains("does not provide attribute") {
        return NixFailure::Missing(missing.to_string());
    }
    let code = out.code.unwrap_or(-1);
    if echoed {
        return NixFailure::Other(format!("{what} failed (exit {code}); nix's messages are above"));
    }
    let tail: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = tail[tail.len().saturating_sub(6)..].join("\n");
    NixFailure::Other(format!("{what} failed (exit {code}):\n{tail}"))
}

/// A nix failure: the flake lacks what was asked for (a stable answer, worth caching), or anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NixFailure {
    Missing(String),
    Other(String),
}

impl NixFailure {
    pub fn message(&self) -> &str {
        match self {
            NixFailure::Missing(m) | NixFailure::Other(m) => m,
        }
    }
}

/// The evaluation limit: `CROSSFLAKE_NIX_TIMEOUT` seconds, else 60.
pub fn eval_timeout() -> Duration {
    let secs = std::env::var("CROSSFLAKE_NIX_TIMEOUT").ok().and_then(|s| s.parse().ok());
    Duration::from_secs(secs.unwrap_or(DEFAULT_EVAL_TIMEOUT_SECS))
}
