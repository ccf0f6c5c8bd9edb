//! crossflake's options, in one table (ripgrep's way): each `Flag` says which
//! commands take it, what it takes, its help, and how it sets `Options`. The
//! same table parses every command's words and writes every command's help.
//! For the commands in front of cargo (build, test, run, ..., matrix, repro,
//! dist) crossflake's own options are taken out wherever they appear before
//! `--`, and every other word goes to cargo verbatim and in order; what
//! follows `--` is the test harness's or the program's. (The file is long because
//! it is the table of every option of every command, with its help.)
use crate::failure::Failure;
use crate::request::{BackendChoice, NixArgs, RunnerMode};
use crate::support::version::Version;
use std::path::PathBuf;

/// A command's place in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    /// build, test, run, bench, check, clippy, doc, cargo, nextest: in front of cargo.
    Cargo,
    Env,
    Shell,
    Runner,
    Matrix,
    Repro,
    Dist,
    /// package, inspect, flake-check.
    Nix,
    Targets,
    Doctor,
    Sdk,
}

impl Cmd {
    /// Words the command does not own go to cargo.
    pub fn forwards(self) -> bool {
        matches!(self, Cmd::Cargo | Cmd::Matrix | Cmd::Repro | Cmd::Dist)
    }
}

use Cmd::*;
const BUILDS: &[Cmd] = &[Cargo, Env, Shell, Matrix, Repro, Dist];
const NIX: &[Cmd] = &[Cargo, Env, Shell, Matrix, Repro, Dist, Nix];
/// The commands whose words are not cargo's: the global options may follow them.
const NOT_CARGO: &[Cmd] = &[Env, Shell, Runner, Matrix, Repro, Dist, Nix, Targets, Doctor, Sdk];

/// What an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    Nothing,
    Value(&'static str),
    /// A value only when the next word fits (`--gdb` or `--gdb 1234`).
    OptionalPort,
    Two(&'static str, &'static str),
}

/// crossflake's options for a command, as parsed.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub target: Option<String>,
    pub targets: Vec<String>,
    pub backend: Option<BackendChoice>,
    pub toolchain: Option<String>,
    pub timeout: Option<u64>,
    pub runner: Option<RunnerMode>,
    pub targets_dirs: Vec<PathBuf>,
    pub gdb: Option<u16>,
    pub cpu: Option<String>,
    pub glibc: Option<Version>,
    pub coverage: bool,
    pub strace: bool,
    pub dry_run: bool,
    pub nix: NixArgs,
    pub help: bool,
    pub jobs: Option<usize>,
    pub target_dir: Option<PathBuf>,
    pub dist: Option<PathBuf>,
    pub keep: bool,
    pub out: Option<PathBuf>,
    pub json: bool,
    pub format: Option<String>,
    pub all: bool,
    /// The global options, given after a command that is not cargo's.
    pub manifest_path: Option<PathBuf>,
    pub message_format: Option<crate::report::Format>,
    pub verbose: u8,
    pub quiet: bool,
    /// matrix: each target in its own target directory.
    pub isolate: bool,
    /// matrix: print a CI plan instead of running (`github`).
    pub plan: Option<String>,
    /// test, matrix: write a JUnit XML report here.
    pub junit: Option<PathBuf>,
    /// test: run only this shard of each binary's tests (`count:K/N`, parsed by the
    /// command: for nextest it is nextest's own, `hash:` and `slice:` too).
    pub partition: Option<String>,
}

pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    pub takes: Takes,
    pub help: &'static str,
    pub on: &'static [Cmd],
    /// Sets the option from its value(s) (`v[0]`, and `v[1]` for two-valued ones).
    pub set: fn(&mut Options, &[String]) -> Result<(), Failure>,
}

fn parsed<T: std::str::FromStr>(flag: &str, v: &str, what: &str) -> Result<T, Failure> {
    v.parse().map_err(|_| Failure::usage(format!("--{flag} {v}: expected {what}")))
}

/// The table.
pub const FLAGS: &[Flag] = &[
    Flag {
        long: "target",
        short: Some('t'),
        takes: Takes::Value("T"),
        help: "target name, alias, triple or path to a target JSON (default: CARGO_BUILD_TARGET or build.target in .cargo/config.toml; for doctor: every target)",
        on: &[Cargo, Env, Shell, Runner, Repro, Dist, Nix, Doctor],
        set: |o, v| match o.target.replace(v[0].clone()) {
            None => Ok(()),
            Some(_) => Err(Failure::usage("--target given twice")
                .next("one target per command; `crossflake matrix --targets a,b` builds several")),
        },
    },
    Flag {
        long: "targets",
        short: None,
        takes: Takes::Value("A,B,..."),
        help: "targets (names, aliases or triples), comma-separated (default: every target of the crate's kind)",
        on: &[Matrix],
        set: |o, v| {
            o.targets.extend(v[0].split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()));
            Ok(())
        },
    },
    Flag {
        long: "backend",
        short: None,
        takes: Takes::Value("host|nix"),
        help: "host: the machine's cross tools; nix: the flake's dev shell (default: nix when it can serve)",
        on: BUILDS,
        set: |o, v| {
            o.backend = Some(match v[0].as_str() {
                "host" => BackendChoice::Host,
                "nix" => BackendChoice::Nix,
                other => return Err(Failure::usage(format!("--backend {other}: expected host or nix"))),
            });
            Ok(())
        },
    },
    Flag {
        long: "toolchain",
        short: None,
        takes: Takes::Value("NAME"),
        help: "Rust toolchain (a rustup name or `system`); same as `crossflake +NAME ...`",
        on: BUILDS,
        set: |o, v| {
            o.toolchain = Some(v[0].clone());
            Ok(())
        },
    },
    Flag {
        long: "timeout",
        short: None,
        takes: Takes::Value("SECS"),
        help: "kill a program (test binary, emulator) after SECS seconds (default: the target's)",
        on: &[Cargo, Env, Shell, Runner, Matrix],
        set: |o, v| {
            o.timeout = Some(parsed("timeout", &v[0], "a whole number of seconds")?);
            Ok(())
        },
    },
    Flag {
        long: "targets-dir",
        short: None,
        takes: Takes::Value("DIR"),
        help: "more target files (boards, machine variants; `base = \"riscv64-none\"` inherits); repeatable. Also [package.metadata.crossflake] targets_dir",
        on: &[Cargo, Env, Shell, Runner, Matrix, Repro, Dist],
        set: |o, v| {
            o.targets_dirs.push(v[0].clone().into());
            Ok(())
        },
    },
    Flag {
        long: "runner",
        short: None,
        takes: Takes::Value("wrap|crossflake"),
        help: "wrap (default): a runner you configured runs inside crossflake's timeout; crossflake: use crossflake's emulator instead",
        on: &[Cargo],
        set: |o, v| {
            o.runner = Some(match v[0].as_str() {
                "wrap" => RunnerMode::Wrap,
                "crossflake" => RunnerMode::Crossflake,
                other => return Err(Failure::usage(format!("--runner {other}: expected wrap or crossflake"))),
            });
            Ok(())
        },
    },
    Flag {
        long: "coverage",
        short: None,
        takes: Takes::Nothing,
        help: "test: measure source coverage of the run (emulated too); table, lcov.info and HTML in target/crossflake-coverage/<target>/",
        on: &[Cargo],
        set: |o, _| {
            o.coverage = true;
            Ok(())
        },
    },
    Flag {
        long: "glibc",
        short: None,
        takes: Takes::Value("X.Y"),
        help: "build for glibc X.Y and older (cargo-zigbuild with zig); every artifact is checked against it",
        on: &[Cargo, Matrix, Repro, Dist],
        set: |o, v| {
            o.glibc = Some(
                Version::parse(&v[0])
                    .ok_or_else(|| Failure::usage(format!("--glibc {}: expected a glibc version such as 2.17", v[0])))?,
            );
            Ok(())
        },
    },
    Flag {
        long: "cpu",
        short: None,
        takes: Takes::Value("MODEL"),
        help: "QEMU's CPU model for the programs (over the target's, e.g. `max`; QEMU_CPU works too for qemu-user)",
        on: &[Cargo, Runner],
        set: |o, v| {
            o.cpu = Some(v[0].clone());
            Ok(())
        },
    },
    Flag {
        long: "gdb",
        short: None,
        takes: Takes::OptionalPort,
        help: "run: start the program halted with a GDB stub on PORT (default 1234) and print the gdb command",
        on: &[Cargo, Runner],
        set: |o, v| {
            o.gdb = Some(match v.first() {
                Some(p) => parsed("gdb", p, "a port number")?,
                None => 1234,
            });
            Ok(())
        },
    },
    Flag {
        long: "strace",
        short: None,
        takes: Takes::Nothing,
        help: "log the program's system calls (qemu-user's QEMU_STRACE)",
        on: &[Cargo, Runner],
        set: |o, _| {
            o.strace = true;
            Ok(())
        },
    },
    Flag {
        long: "jobs",
        short: Some('j'),
        takes: Takes::Value("N"),
        help: "targets built and tested at once (default: the number of CPUs)",
        on: &[Matrix],
        set: |o, v| {
            o.jobs = Some(parsed("jobs", &v[0], "a number")?);
            Ok(())
        },
    },
    Flag {
        long: "target-dir",
        short: None,
        takes: Takes::Value("DIR"),
        help: "the target directory every target shares (default: target/crossflake-matrix)",
        on: &[Matrix],
        set: |o, v| {
            o.target_dir = Some(v[0].clone().into());
            Ok(())
        },
    },
    Flag {
        long: "dist",
        short: None,
        takes: Takes::Value("DIR"),
        help: "also copy the built artifacts here under release names (see `dist`)",
        on: &[Matrix],
        set: |o, v| {
            o.dist = Some(v[0].clone().into());
            Ok(())
        },
    },
    Flag {
        long: "keep",
        short: None,
        takes: Takes::Nothing,
        help: "keep the two build directories (for diffoscope) instead of removing them",
        on: &[Repro],
        set: |o, _| {
            o.keep = true;
            Ok(())
        },
    },
    Flag {
        long: "out",
        short: None,
        takes: Takes::Value("DIR"),
        help: "where the artifacts and SHA256SUMS go (default: dist)",
        on: &[Dist],
        set: |o, v| {
            o.out = Some(v[0].clone().into());
            Ok(())
        },
    },
    Flag {
        long: "format",
        short: None,
        takes: Takes::Value("sh|json|github"),
        help: "sh: `export` lines for eval and direnv; json: one object (rust-analyzer's cargo.extraEnv); github: lines for $GITHUB_ENV",
        on: &[Env],
        set: |o, v| match v[0].as_str() {
            "sh" | "json" | "github" => {
                o.format = Some(v[0].clone());
                Ok(())
            }
            other => Err(Failure::usage(format!("--format {other}: expected sh, json or github"))),
        },
    },
    Flag {
        long: "all",
        short: None,
        takes: Takes::Nothing,
        help: "also the triples the toolchain's rustc knows that crossflake has no file for (passed to cargo as they are)",
        on: &[Targets],
        set: |o, _| {
            o.all = true;
            Ok(())
        },
    },
    Flag {
        long: "json",
        short: None,
        takes: Takes::Nothing,
        help: "print JSON",
        on: &[Targets, Doctor, Sdk],
        set: |o, _| {
            o.json = true;
            Ok(())
        },
    },
    Flag {
        long: "dry-run",
        short: None,
        takes: Takes::Nothing,
        help: "print the exact steps (program, args, env) and run nothing",
        on: &[Cargo, Shell, Runner, Matrix, Nix, Sdk],
        set: |o, _| {
            o.dry_run = true;
            Ok(())
        },
    },
    Flag {
        long: "flake",
        short: None,
        takes: Takes::Value("REF"),
        help: "nix: the flake (default: the nearest flake.nix upward, else crossflake's own)",
        on: NIX,
        set: |o, v| {
            o.nix.flake = Some(v[0].clone());
            Ok(())
        },
    },
    Flag {
        long: "builders",
        short: None,
        takes: Takes::Value("SPEC"),
        help: "nix: remote builders (`--builders`)",
        on: NIX,
        set: |o, v| {
            o.nix.builders = Some(v[0].clone());
            Ok(())
        },
    },
    Flag {
        long: "store",
        short: None,
        takes: Takes::Value("URL"),
        help: "nix: the store to use (`--store`)",
        on: NIX,
        set: |o, v| {
            o.nix.store = Some(v[0].clone());
            Ok(())
        },
    },
    Flag {
        long: "option",
        short: None,
        takes: Takes::Two("NAME", "VALUE"),
        help: "nix: `--option NAME VALUE` (repeatable)",
        on: NIX,
        set: |o, v| {
            o.nix.option.extend(v.iter().cloned());
            Ok(())
        },
    },
    Flag {
        long: "manifest-path",
        short: None,
        takes: Takes::Value("PATH"),
        help: "the crate's Cargo.toml (default: the crate in the current directory); also passed to cargo",
        on: NOT_CARGO,
        set: |o, v| {
            o.manifest_path = Some(v[0].clone().into());
            Ok(())
        },
    },
    Flag {
        long: "message-format",
        short: None,
        takes: Takes::Value("human|json"),
        help: "how crossflake reports: human lines on stderr, or JSON lines on stdout",
        on: NOT_CARGO,
        set: |o, v| {
            o.message_format = Some(match v[0].as_str() {
                "human" => crate::report::Format::Human,
                "json" => crate::report::Format::Json,
                other => return Err(Failure::usage(format!("--message-format {other}: expected human or json"))),
            });
            Ok(())
        },
    },
    Flag {
        long: "verbose",
        short: Some('v'),
        takes: Takes::Nothing,
        help: "say more (the exact commands run)",
        on: NOT_CARGO,
        set: |o, _| {
            o.verbose += 1;
            Ok(())
        },
    },
    Flag {
        long: "quiet",
        short: Some('q'),
        takes: Takes::Nothing,
        help: "say nothing but errors",
        on: NOT_CARGO,
        set: |o, _| {
            o.quiet = true;
            Ok(())
        },
    },
    Flag {
        long: "help",
        short: Some('h'),
        takes: Takes::Nothing,
        help: "print this help",
        on: &[Cargo, Env, Shell, Runner, Matrix, Repro, Dist, Nix, Targets, Doctor, Sdk],
        set: |o, _| {
            o.help = true;
            Ok(())
        },
    },
    Flag {
        long: "isolate",
        short: None,
        takes: Takes::Nothing,
        help: "each target in a target directory of its own (<target-dir>/<target>), sharing nothing: host units build once per target",
        on: &[Matrix],
        set: |o, _| {
            o.isolate = true;
            Ok(())
        },
    },
    Flag {
        long: "plan",
        short: None,
        takes: Takes::Value("github"),
        help: "print the matrix as a CI plan and run nothing: github: {\"include\": [...]} for strategy.matrix (fromJSON)",
        on: &[Matrix],
        set: |o, v| match v[0].as_str() {
            "github" => {
                o.plan = Some(v[0].clone());
                Ok(())
            }
            other => Err(Failure::usage(format!("--plan {other}: expected github"))),
        },
    },
    Flag {
        long: "junit",
        short: None,
        takes: Takes::Value("PATH"),
        help: "test, matrix: write a JUnit XML report of every test (matrix: one testsuite per target)",
        on: &[Cargo, Matrix],
        set: |o, v| {
            o.junit = Some(v[0].clone().into());
            Ok(())
        },
    },
    Flag {
        long: "partition",
        short: None,
        takes: Takes::Value("count:K/N"),
        help: "test: run shard K of N: each binary's tests, by name, go round-robin to N shards (nextest's count:K/N; doctests run in shard 1). nextest: its own",
        on: &[Cargo],
        set: |o, v| {
            o.partition = Some(v[0].clone());
            Ok(())
        },
    },
];

/// A command's words, split.
#[derive(Debug, Clone, Default)]
pub struct Split {
    pub opts: Options,
    /// The words crossflake does not own: cargo's (forwarding commands) or positionals.
    pub rest: Vec<String>,
    /// After `--`, when given.
    pub trailing: Option<Vec<String>>,
}

fn find(cmd: Cmd, token: &str) -> Option<(&'static Flag, Option<String>)> {
    let mine = |f: &&Flag| f.on.contains(&cmd);
    if let Some(rest) = token.strip_prefix("--") {
        let (name, inline) = match rest.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (rest, None),
        };
        return FLAGS.iter().filter(mine).find(|f| f.long == name).map(|f| (f, inline));
    }
    let mut chars = token.strip_prefix('-')?.chars();
    let c = chars.next()?;
    let rest: String = chars.collect();
    let flag = FLAGS.iter().filter(mine).find(|f| f.short == Some(c))?;
    match (flag.takes, rest.is_empty()) {
        (_, true) => Some((flag, None)),
        (Takes::Value(_), false) => Some((flag, Some(rest.trim_start_matches('=').to_string()))),
        _ => None,
    }
}

/// Splits `tokens` (everything after the command's name). A command that does not forward
/// to cargo refuses an option it does not know; its other words are positionals, and for
/// the runner everything after the program is the program's.
pub fn split(cmd: Cmd, name: &str, tokens: &[String]) -> Result<Split, Failure> {
    let mut out = Split::default();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t == "--" {
            out.trailing = Some(tokens[i + 1..].to_vec());
            break;
        }
        if cmd == Runner && !out.rest.is_empty() {
            out.rest.extend(tokens[i..].iter().cloned());
            break;
        }
        let Some((flag, inline)) = find(cmd, t) else {
            if !cmd.forwards() && t.starts_with('-') && t.len() > 1 {
                return Err(Failure::usage(format!("`crossflake {name}` has no option {t}"))
                    .next(format!("`crossflake {name} --help` lists its options")));
            }
            out.rest.push(t.clone());
            i += 1;
            continue;
        };
        let shown = format!("--{}", flag.long);
        let mut value = |what: &str| -> Result<String, Failure> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            i += 1;
            tokens
                .get(i)
                .filter(|v| v.as_str() != "--")
                .cloned()
                .ok_or_else(|| Failure::usage(format!("{shown} needs a value ({what})")))
        };
        let values = match flag.takes {
            Takes::Nothing if inline.is_some() => {
                return Err(Failure::usage(format!("{shown} takes no value")));
            }
            Takes::Nothing => vec![],
            Takes::Value(w) => vec![value(w)?],
            Takes::OptionalPort => match &inline {
                Some(v) => vec![v.clone()],
                None => match tokens.get(i + 1).filter(|v| v.parse::<u16>().is_ok()) {
                    Some(p) => {
                        i += 1;
                        vec![p.clone()]
                    }
                    None => vec![],
                },
            },
            Takes::Two(a, b) => {
                let first = value(a)?;
                i += 1;
                let second = tokens
                    .get(i)
                    .cloned()
                    .ok_or_else(|| Failure::usage(format!("{shown} {first} needs a value ({b})")))?;
                vec![first, second]
            }
        };
        (flag.set)(&mut out.opts, &values)?;
        i += 1;
    }
    Ok(out)
}

/// The help of a command, from its entry in the command table and the option table.
pub fn help(cmd: Cmd, name: &str, about: &str, usage: &str) -> String {
    let mut out = format!("{about}\n\nUsage: {usage}\n\nOptions:\n");
    for f in FLAGS.iter().filter(|f| f.on.contains(&cmd)) {
        let value = match f.takes {
            Takes::Nothing => String::new(),
            Takes::Value(v) => format!(" {v}"),
            Takes::OptionalPort => " [PORT]".into(),
            Takes::Two(a, b) => format!(" {a} {b}"),
        };
        let short = f.short.map(|c| format!("-{c}, ")).unwrap_or_default();
        out += &format!("  {short}--{}{value}\n      {}\n", f.long, f.help);
    }
    if cmd.forwards() {
        let owner = match name {
            "cargo" => "the cargo subcommand".to_string(),
            "nextest" => "`cargo nextest`".to_string(),
            "matrix" | "repro" | "dist" => "each `cargo build` and `cargo test` it runs".to_string(),
            c => format!("`cargo {c}` (see `cargo {c} --help`)"),
        };
        out += &format!(
            "\nEvery other option goes to {owner} verbatim and in order: --workspace, --locked, --release, \
             --profile, -p, -F, --no-default-features, --no-run, --no-fail-fast, -Z ... Arguments after `--` go to \
             the test harness or the program.\n"
        );
    }
    out += &format!("\nExit codes:\n{}\n", crate::exit::table_text());
    out
}
