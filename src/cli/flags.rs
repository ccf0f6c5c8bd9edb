//! The pass-through commands' arguments (`build`, `test`, `run`, `bench`,
//! `check`, `clippy`, `doc`, `cargo`, `nextest`): crossflake's own few
//! options are taken out wherever they appear before `--`; every other
//! token goes to cargo verbatim and in order; what follows `--` is the test
//! harness's or the program's. The table below is also the help text.
use crate::exit::Failure;
use crate::request::options::{BackendChoice, NixArgs};
use crate::request::RunnerMode;

/// What an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    Nothing,
    Value(&'static str),
    /// A value only when the next word fits (`--gdb` or `--gdb 1234`).
    OptionalPort,
    Two(&'static str, &'static str),
}

pub struct OwnOption {
    pub long: &'static str,
    pub short: Option<char>,
    pub takes: Takes,
    pub help: &'static str,
}

/// crossflake's own options on the pass-through commands.
pub const OWN: &[OwnOption] = &[
    OwnOption {
        long: "target",
        short: Some('t'),
        takes: Takes::Value("T"),
        help: "target name, alias, triple or path to a target JSON (default: CARGO_BUILD_TARGET or build.target in .cargo/config.toml)",
    },
    OwnOption {
        long: "backend",
        short: None,
        takes: Takes::Value("host|nix"),
        help: "host: the machine's cross tools; nix: the flake's dev shell (default: nix when it can serve)",
    },
    OwnOption {
        long: "toolchain",
        short: None,
        takes: Takes::Value("NAME"),
        help: "Rust toolchain (a rustup name or `system`); same as `crossflake +NAME ...`",
    },
    OwnOption {
        long: "timeout",
        short: None,
        takes: Takes::Value("SECS"),
        help: "kill a program (test binary, emulator) after SECS seconds (default: the target's)",
    },
    OwnOption {
        long: "targets-dir",
        short: None,
        takes: Takes::Value("DIR"),
        help: "more target files (boards, machine variants; `base = \"riscv64-none\"` inherits); repeatable. Also [package.metadata.crossflake] targets_dir",
    },
    OwnOption {
        long: "runner",
        short: None,
        takes: Takes::Value("wrap|crossflake"),
        help: "wrap (default): a runner you configured runs inside crossflake's timeout; crossflake: use crossflake's emulator instead",
    },
    OwnOption {
        long: "coverage",
        short: None,
        takes: Takes::Nothing,
        help: "test: measure source coverage of the run (emulated too); table, lcov.info and HTML in target/crossflake-coverage/<target>/",
    },
    OwnOption {
        long: "glibc",
        short: None,
        takes: Takes::Value("X.Y"),
        help: "build for glibc X.Y and older (cargo-zigbuild with zig); every artifact is checked against it",
    },
    OwnOption {
        long: "cpu",
        short: None,
        takes: Takes::Value("MODEL"),
        help: "QEMU's CPU model for the programs (over the target's, e.g. `max`; QEMU_CPU works too for qemu-user)",
    },
    OwnOption {
        long: "gdb",
        short: None,
        takes: Takes::OptionalPort,
        help: "run: start the program halted with a GDB stub on PORT (default 1234) and print the gdb command",
    },
    OwnOption {
        long: "strace",
        short: None,
        takes: Takes::Nothing,
        help: "log the program's system calls (qemu-user's QEMU_STRACE)",
    },
    OwnOption {
        long: "dry-run",
        short: None,
        takes: Takes::Nothing,
        help: "print the exact steps (program, args, env) and run nothing",
    },
    OwnOption {
        long: "flake",
        short: None,
        takes: Takes::Value("REF"),
        help: "nix: the flake (default: the nearest flake.nix upward, else crossflake's own)",
    },
    OwnOption { long: "builders", short: None, takes: Takes::Value("SPEC"), help: "nix: remote builders (`--builders`)" },
    OwnOption { long: "store", short: None, takes: Takes::Value("URL"), help: "nix: the store to use (`--store`)" },
    OwnOption {
        long: "option",
        short: None,
        takes: Takes::Two("NAME", "VALUE"),
        help: "nix: `--option NAME VALUE` (repeatable)",
    },
    OwnOption { long: "help", short: Some('h'), takes: Takes::Nothing, help: "print this help" },
];

/// crossflake's own options, as parsed.
#[derive(Debug, Clone, Default)]
pub struct Own {
    pub target: Option<String>,
    pub backend: Option<BackendChoice>,
    pub toolchain: Option<String>,
    pub timeout: Option<u64>,
    pub runner: Option<RunnerMode>,
    pub targets_dirs: Vec<std::path::PathBuf>,
    pub gdb: Option<u16>,
    pub cpu: Option<String>,
    pub glibc: Option<crate::support::version::Version>,
    pub coverage: bool,
    pub strace: bool,
    pub dry_run: bool,
    pub nix: NixArgs,
    pub help: bool,
}

/// A pass-through command's arguments, split.
#[derive(Debug, Clone, Default)]
pub struct Split {
    pub own: Own,
    pub cargo: Vec<String>,
    /// After `--`, when given.
    pub trailing: Option<Vec<String>>,
}

fn find(token: &str) -> Option<(&'static OwnOption, Option<String>)> {
    if let Some(rest) = token.strip_prefix("--") {
        let (name, inline) = match rest.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (rest, None),
        };
        return OWN.iter().find(|o| o.long == name).map(|o| (o, inline));
    }
    let mut chars = token.strip_prefix('-')?.chars();
    let c = chars.next()?;
    let rest: String = chars.collect();
    let opt = OWN.iter().find(|o| o.short == Some(c))?;
    match (opt.takes, rest.is_empty()) {
        (_, true) => Some((opt, None)),
        (Takes::Value(_), false) => Some((opt, Some(rest.trim_start_matches('=').to_string()))),
        _ => None,
    }
}

/// Splits `tokens` (everything after the subcommand name).
pub fn split(tokens: &[String]) -> Result<Split, Failure> {
    let mut out = Split::default();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t == "--" {
            out.trailing = Some(tokens[i + 1..].to_vec());
            break;
        }
        let Some((opt, inline)) = find(t) else {
            out.cargo.push(t.clone());
            i += 1;
            continue;
        };
        let flag = format!("--{}", opt.long);
        let mut next_value = |what: &str| -> Result<String, Failure> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            i += 1;
            tokens
                .get(i)
                .filter(|v| v.as_str() != "--")
                .cloned()
                .ok_or_else(|| Failure::usage(format!("{flag} needs a value ({what})")))
        };
        match (opt.long, opt.takes) {
            ("target", Takes::Value(w)) => {
                let v = next_value(w)?;
                if out.own.target.replace(v).is_some() {
                    return Err(Failure::usage("--target given twice")
                        .next("one target per command; `crossflake matrix --targets a,b` builds several"));
                }
            }
            ("backend", Takes::Value(w)) => {
                out.own.backend = Some(match next_value(w)?.as_str() {
                    "host" => BackendChoice::Host,
                    "nix" => BackendChoice::Nix,
                    other => return Err(Failure::usage(format!("--backend {other}: expected host or nix"))),
                })
            }
            ("toolchain", Takes::Value(w)) => out.own.toolchain = Some(next_value(w)?),
            ("targets-dir", Takes::Value(w)) => out.own.targets_dirs.push(next_value(w)?.into()),
            ("timeout", Takes::Value(w)) => {
                let v = next_value(w)?;
                out.own.timeout = Some(
                    v.parse()
                        .map_err(|_| Failure::usage(format!("--timeout {v}: expected a whole number of seconds")))?,
                )
            }
            ("runner", Takes::Value(w)) => {
                out.own.runner = Some(match next_value(w)?.as_str() {
                    "wrap" => RunnerMode::Wrap,
                    "crossflake" => RunnerMode::Crossflake,
                    other => return Err(Failure::usage(format!("--runner {other}: expected wrap or crossflake"))),
                })
            }
            ("gdb", _) => {
                let port = match &inline {
                    Some(v) => Some(v.clone()),
                    None => tokens.get(i + 1).filter(|v| v.parse::<u16>().is_ok()).cloned().inspect(|_| i += 1),
                };
                out.own.gdb = Some(match port {
                    Some(p) => p.parse().map_err(|_| Failure::usage(format!("--gdb {p}: expected a port number")))?,
                    None => 1234,
                });
            }
            ("strace", _) => out.own.strace = true,
            ("coverage", _) => out.own.coverage = true,
            ("cpu", Takes::Value(w)) => out.own.cpu = Some(next_value(w)?),
            ("glibc", Takes::Value(w)) => {
                let v = next_value(w)?;
                out.own.glibc = Some(
                    crate::support::version::Version::parse(&v)
                        .ok_or_else(|| Failure::usage(format!("--glibc {v}: expected a glibc version such as 2.17")))?,
                )
            }
            ("dry-run", _) => out.own.dry_run = true,
            ("help", _) => out.own.help = true,
            ("flake", Takes::Value(w)) => out.own.nix.flake = Some(next_value(w)?),
            ("builders", Takes::Value(w)) => out.own.nix.builders = Some(next_value(w)?),
            ("store", Takes::Value(w)) => out.own.nix.store = Some(next_value(w)?),
            ("option", Takes::Two(a, b)) => {
                let name = next_value(a)?;
                i += 1;
                let value = tokens
                    .get(i)
                    .cloned()
                    .ok_or_else(|| Failure::usage(format!("--option {name} needs a value ({b})")))?;
                out.own.nix.option.extend([name, value]);
            }
            _ => unreachable!("every option in OWN is handled"),
        }
        if inline.is_some() && matches!(opt.takes, Takes::Nothing) {
            return Err(Failure::usage(format!("--{} takes no value", opt.long)));
        }
        i += 1;
    }
    Ok(out)
}

/// What each pass-through command is, for its help.
pub fn about(command: &str) -> &'static str {
    match command {
        "build" => "cargo build for a target",
        "test" => "cargo test for a target; test binaries run under the target's emulator",
        "run" => "cargo run for a target under its emulator (bare metal: boots the kernel)",
        "bench" => "cargo bench for a target; benchmarks run under the target's emulator",
        "check" => "cargo check for a target",
        "clippy" => "cargo clippy for a target",
        "doc" => "cargo doc for a target",
        "cargo" => "any cargo subcommand (nextest, llvm-cov, hack, zigbuild, ...) in the target's environment",
        "nextest" => "cargo nextest in the target's environment; each test runs under the target's emulator",
        _ => "",
    }
}

/// The help of a pass-through command, from the table above.
pub fn help(command: &str) -> String {
    let usage = match command {
        "cargo" => "crossflake cargo <SUBCOMMAND> --target T [OPTIONS] [CARGO ARGS...] [-- ARGS...]".to_string(),
        "nextest" => {
            "crossflake nextest <run|list|archive> --target T [OPTIONS] [NEXTEST ARGS...] [-- FILTERS...]".into()
        }
        c => format!("crossflake {c} --target T [OPTIONS] [CARGO ARGS...] [-- ARGS...]"),
    };
    let mut out = format!("{}\n\nUsage: {usage}\n\ncrossflake's options (anywhere before `--`):\n", about(command));
    for o in OWN {
        let value = match o.takes {
            Takes::Nothing => String::new(),
            Takes::Value(v) => format!(" {v}"),
            Takes::OptionalPort => " [PORT]".into(),
            Takes::Two(a, b) => format!(" {a} {b}"),
        };
        let short = o.short.map(|c| format!("-{c}, ")).unwrap_or_default();
        out += &format!("  {short}--{}{value}\n      {}\n", o.long, o.help);
    }
    let owner = match command {
        "cargo" => "the cargo subcommand".to_string(),
        "nextest" => "`cargo nextest`".to_string(),
        c => format!("`cargo {c}` (see `cargo {c} --help`)"),
    };
    out += &format!(
        "\nEvery other option goes to {owner} verbatim and in order: --workspace, --locked, --release, \
         --profile, -p, -F, --no-run, --no-fail-fast, -j, -Z ... Arguments after `--` go to the test harness \
         or the program.\n\nExit codes:\n{}\n",
        crate::exit::table_text()
    );
    out
}
