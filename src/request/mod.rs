//! What the user asked cargo to do, independent of the backend: the cargo
//! subcommand, the arguments forwarded to it verbatim and in order, and
//! crossflake's own options. `peek` reads (never changes) the cargo
//! arguments crossflake must know about: manifest, target dir, profile, jobs.
pub mod options;
use serde::Serialize;
use std::path::PathBuf;

/// How a cargo subcommand relates to running programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommandKind {
    /// build, check, clippy, doc, rustc: nothing runs.
    Build,
    /// test, and test runners (nextest run): test binaries run under the runner.
    Test,
    /// run: one program runs under the runner.
    Run,
    /// bench: benchmarks run under the runner.
    Bench,
    /// Any other cargo subcommand (llvm-cov, hack, deny, zigbuild): run with the environment.
    Other,
}

/// Whose runner runs the programs when the user configured one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum RunnerMode {
    /// The user's runner (from .cargo/config.toml or CARGO_TARGET_<T>_RUNNER) inside
    /// crossflake's timeout and process handling; crossflake's emulator when there is none.
    #[default]
    Wrap,
    /// crossflake's emulator, ignoring a runner the user configured (said once).
    Crossflake,
}

#[derive(Debug, Clone, Default)]
pub struct CargoRequest {
    /// The cargo subcommand words: `["test"]`, `["nextest", "run"]`, `["llvm-cov", "test"]`.
    pub subcommand: Vec<String>,
    /// Arguments for cargo, verbatim and in order (crossflake's own options taken out).
    pub args: Vec<String>,
    /// Arguments after `--` (test harness, program), when `--` was given.
    pub trailing: Option<Vec<String>>,
    /// A toolchain asked for with `+NAME` or `--toolchain NAME`.
    pub toolchain: Option<String>,
    pub timeout_secs: Option<u64>,
    pub gdb: Option<u16>,
    pub strace: bool,
    /// QEMU's CPU model for the runner (`--cpu`).
    pub cpu: Option<String>,
    /// Measure coverage of the test run (`--coverage`).
    pub coverage: bool,
    /// The glibc floor (`--glibc 2.17`): built with cargo-zigbuild, artifacts checked.
    pub glibc: Option<crate::support::version::Version>,
    pub runner: RunnerMode,
    /// The crate's own target files (boards), which crossflake's runner must see too.
    pub targets_dirs: Vec<PathBuf>,
    /// Where cargo runs (its config files are found from here).
    pub cwd: PathBuf,
}

impl CargoRequest {
    pub fn new(subcommand: &[&str], cwd: impl Into<PathBuf>) -> CargoRequest {
        CargoRequest {
            subcommand: subcommand.iter().map(|s| s.to_string()).collect(),
            cwd: cwd.into(),
            ..Default::default()
        }
    }

    pub fn kind(&self) -> CommandKind {
        let first = self.subcommand.first().map(String::as_str).unwrap_or("build");
        match first {
            "build" | "b" | "check" | "c" | "clippy" | "doc" | "d" | "rustc" | "rustdoc" | "fix" => CommandKind::Build,
            "test" | "t" => CommandKind::Test,
            "run" | "r" => CommandKind::Run,
            "bench" => CommandKind::Bench,
            "nextest" if self.subcommand.get(1).is_some_and(|s| s == "run" || s == "r") => CommandKind::Test,
            _ => CommandKind::Other,
        }
    }

    /// Whether the subcommand is one of cargo's own (not a plugin such as nextest).
    pub fn builtin(&self) -> bool {
        self.kind() != CommandKind::Other && self.subcommand.first().is_some_and(|s| s != "nextest")
    }

    /// `cargo test` etc., for labels.
    pub fn label(&self) -> String {
        format!("cargo {}", self.subcommand.join(" "))
    }

    /// Appends cargo arguments.
    pub fn with_args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, a: I) -> CargoRequest {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }

    /// Sets `--target-dir` (replacing one the arguments carry).
    pub fn set_target_dir(&mut self, dir: &std::path::Path) {
        remove_option(&mut self.args, "--target-dir");
        self.args.extend(["--target-dir".to_string(), dir.display().to_string()]);
    }

    pub fn peek(&self) -> Peek {
        peek(&self.args)
    }
}

/// Removes `--name VALUE` and `--name=VALUE` from `args`.
pub fn remove_option(args: &mut Vec<String>, name: &str) {
    let prefix = format!("{name}=");
    let mut i = 0;
    while i < args.len() {
        if args[i] == name {
            args.drain(i..(i + 2).min(args.len()));
        } else if args[i].starts_with(&prefix) {
            args.remove(i);
        } else {
            i += 1;
        }
    }
}

/// What crossflake reads among the cargo arguments (they are forwarded all the same).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peek {
    pub manifest_path: Option<PathBuf>,
    pub target_dir: Option<PathBuf>,
    /// `release` for `--release`/`-r`, else the `--profile` given.
    pub profile: Option<String>,
    pub jobs: Option<usize>,
    pub no_run: bool,
    pub doc: bool,
    /// `--config` values (TOML `KEY=VALUE` or a file), in order.
    pub configs: Vec<String>,
    /// `-p/--package` values.
    pub packages: Vec<String>,
    pub message_format: Vec<String>,
}

/// Cargo options that take a value (so the value is never read as an option).
const VALUED: &[&str] = &[
    "--manifest-path",
    "--target-dir",
    "--profile",
    "--jobs",
    "--package",
    "--features",
    "--bin",
    "--test",
    "--example",
    "--bench",
    "--exclude",
    "--config",
    "--color",
    "--message-format",
    "--lockfile-path",
    "--artifact-dir",
    "--out-dir",
];
const VALUED_SHORT: &[char] = &['j', 'p', 'F', 'Z'];

/// Reads the cargo arguments crossflake needs to know.
pub fn peek(args: &[String]) -> Peek {
    let mut p = Peek::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if a.starts_with("--") => (n, Some(v.to_string())),
            _ => (a, None),
        };
        let short = a.strip_prefix('-').filter(|r| !r.starts_with('-') && !r.is_empty());
        let mut value = || -> Option<String> {
            if inline.is_some() {
                return inline.clone();
            }
            i += 1;
            args.get(i).cloned()
        };
        match (name, short) {
            ("--manifest-path", _) => p.manifest_path = value().map(PathBuf::from),
            ("--target-dir", _) => p.target_dir = value().map(PathBuf::from),
            ("--release", _) => p.profile = Some("release".into()),
            ("--profile", _) => p.profile = value(),
            ("--jobs", _) => p.jobs = value().and_then(|v| v.parse().ok()),
            ("--no-run", _) => p.no_run = true,
            ("--doc", _) => p.doc = true,
            ("--config", _) => p.configs.extend(value()),
            ("--package", _) => p.packages.extend(value()),
            ("--message-format", _) => p.message_format.extend(value()),
            (_, Some(s)) => {
                // A cluster of short flags: `-r`, `-j4`, `-p foo`, `-rj 4`.
                for (k, c) in s.char_indices() {
                    if c == 'r' {
                        p.profile = Some("release".into());
                        continue;
                    }
                    if VALUED_SHORT.contains(&c) {
                        let rest = &s[k + c.len_utf8()..];
                        let v = if rest.is_empty() {
                            i += 1;
                            args.get(i).cloned()
                        } else {
                            Some(rest.trim_start_matches('=').to_string())
                        };
                        match c {
                            'j' => p.jobs = v.and_then(|v| v.parse().ok()),
                            'p' => p.packages.extend(v),
                            _ => {}
                        }
                        break;
                    }
                }
            }
            (n, None) if VALUED.contains(&n) && inline.is_none() => i += 1,
            _ => {}
        }
        i += 1;
    }
    p
}
