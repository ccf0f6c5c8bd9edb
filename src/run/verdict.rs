//! Console verdicts: rules, as data, that read what a program printed and
//! overrule an exit status of 0 that does not tell the truth. A kernel that
//! printed a Rust panic and then shut down through SBI or PSCI exits QEMU
//! with 0; the panic rule (on by default for bare metal) makes that a
//! failure. `fail_pattern` fails a run that printed it; `pass_pattern`, when
//! set, must have been printed for a run to pass. Rules come from the target
//! file's `[verdict]` table and the crate's `[package.metadata.crossflake]`
//! (the crate's win), and each decision is announced.
use crate::failure::Failure;
pub use crate::targets::RuleSpec;
use crate::targets::{Kind, TargetSpec};
use regex_lite::Regex;
use std::sync::Mutex;

/// What Rust's panic message starts with (PanicInfo's Display: `panicked at src/x.rs:1:2:`).
pub const PANIC_MARK: &str = "panicked at ";

/// The exit code of a run that a console rule failed (as a Rust panic's).
pub const RULE_FAILED: i32 = crate::exit::TESTS_FAILED;

/// Compiled rules.
#[derive(Debug, Clone)]
pub struct Rules {
    pub panic: bool,
    pub pass: Option<Regex>,
    pub fail: Option<Regex>,
}

impl Rules {
    /// The target's rules, then the crate's on top; a bad pattern is a usage error naming where.
    pub fn new(spec: &TargetSpec, krate: Option<(&RuleSpec, &str)>) -> Result<Rules, Failure> {
        let target = spec.verdict.clone().unwrap_or_default();
        let (mine, from) = krate.map_or((RuleSpec::default(), ""), |(r, f)| (r.clone(), f));
        let compile = |p: &Option<String>, key: &str, whose: &str| -> Result<Option<Regex>, Failure> {
            p.as_deref()
                .map(|p| {
                    Regex::new(p)
                        .map_err(|e| Failure::usage(format!("{key} {p:?} in {whose} is not a regular expression: {e}")))
                })
                .transpose()
        };
        let target_file = format!("targets/{}.toml", spec.name);
        Ok(Rules {
            panic: mine.panic_rule.or(target.panic_rule).unwrap_or(spec.kind == Kind::BareMetal),
            pass: match &mine.pass_pattern {
                Some(_) => compile(&mine.pass_pattern, "pass_pattern", from)?,
                None => compile(&target.pass_pattern, "pass_pattern", &target_file)?,
            },
            fail: match &mine.fail_pattern {
                Some(_) => compile(&mine.fail_pattern, "fail_pattern", from)?,
                None => compile(&target.fail_pattern, "fail_pattern", &target_file)?,
            },
        })
    }

    /// Whether any rule needs the console read.
    pub fn active(&self) -> bool {
        self.panic || self.pass.is_some() || self.fail.is_some()
    }
}

/// What the rules saw on the console so far (shared with the line reader).
#[derive(Debug, Default)]
pub struct Seen {
    pub panic_line: Option<String>,
    pub fail_line: Option<String>,
    pub passed: bool,
}

/// A console watcher: call `line` for each line, then `judge`.
#[derive(Debug)]
pub struct Watch<'a> {
    rules: &'a Rules,
    seen: Mutex<Seen>,
}

impl<'a> Watch<'a> {
    pub fn new(rules: &'a Rules) -> Watch<'a> {
        Watch { rules, seen: Mutex::new(Seen::default()) }
    }

    pub fn line(&self, line: &str) {
        let mut s = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if self.rules.panic && s.panic_line.is_none() && line.contains(PANIC_MARK) {
            s.panic_line = Some(line.trim().to_string());
        }
        if s.fail_line.is_none() && self.rules.fail.as_ref().is_some_and(|r| r.is_match(line)) {
            s.fail_line = Some(line.trim().to_string());
        }
        if self.rules.pass.as_ref().is_some_and(|r| r.is_match(line)) {
            s.passed = true;
        }
    }

    /// The first line that showed a Rust panic, if the panic rule saw one.
    pub fn panic_line(&self) -> Option<String> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).panic_line.clone()
    }

    /// The exit code after the rules, and why it changed (None: the program's stands).
    pub fn judge(&self, code: i32) -> (i32, Option<String>) {
        let s = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if code != 0 {
            return (code, None);
        }
        if let Some(l) = &s.fail_line {
            return (RULE_FAILED, Some(format!("it printed the fail_pattern (`{l}`)")));
        }
        if let Some(l) = &s.panic_line {
            return (
                RULE_FAILED,
                Some(format!(
                    "it printed a Rust panic (`{l}`) before QEMU exited 0 (panic rule; `panic_rule = false` in [package.metadata.crossflake] turns it off)"
                )),
            );
        }
        if self.rules.pass.is_some() && !s.passed {
            return (RULE_FAILED, Some("it exited 0 without printing the pass_pattern".into()));
        }
        (0, None)
    }
}
