//! The command line: the only code that knows clap. clap gives the skeleton
//! (the commands, `crossflake --help`, `--version`, the global options before
//! the command); each command's own words are parsed by the option table in
//! flags.rs, which also writes each command's `--help`. commands/ holds one
//! file per command.
pub mod commands;
pub mod flags;

use crate::report::Format;
use clap::{Arg, ArgAction, Command as Skeleton};
use flags::Cmd;
use std::path::PathBuf;

/// A command: its name, where it stands in the option table, what it does, its usage.
pub struct CommandDef {
    pub name: &'static str,
    pub cmd: Cmd,
    pub about: &'static str,
    pub usage: &'static str,
}

const fn def(name: &'static str, cmd: Cmd, about: &'static str, usage: &'static str) -> CommandDef {
    CommandDef { name, cmd, about, usage }
}

/// The commands, in `--help` order.
pub const COMMANDS: &[CommandDef] = &[
    def(
        "targets",
        Cmd::Targets,
        "List the known targets (names, aliases, triples, runners); --all adds every other triple rustc knows",
        "crossflake targets [--all] [--json]",
    ),
    def(
        "doctor",
        Cmd::Doctor,
        "Show, per target, what this machine has, what is missing and how to install it",
        "crossflake doctor [--target T] [--json]",
    ),
    def("build", Cmd::Cargo, "cargo build for a target", "crossflake build --target T [OPTIONS] [CARGO ARGS...]"),
    def(
        "test",
        Cmd::Cargo,
        "cargo test for a target; test binaries run under the target's emulator, side by side",
        "crossflake test --target T [OPTIONS] [CARGO ARGS...] [-- HARNESS ARGS...]",
    ),
    def(
        "run",
        Cmd::Cargo,
        "cargo run for a target under its emulator (bare metal: boots the kernel)",
        "crossflake run --target T [OPTIONS] [CARGO ARGS...] [-- PROGRAM ARGS...]",
    ),
    def(
        "bench",
        Cmd::Cargo,
        "cargo bench for a target; benchmarks run under the target's emulator",
        "crossflake bench --target T [OPTIONS] [CARGO ARGS...] [-- ARGS...]",
    ),
    def("check", Cmd::Cargo, "cargo check for a target", "crossflake check --target T [OPTIONS] [CARGO ARGS...]"),
    def(
        "clippy",
        Cmd::Cargo,
        "cargo clippy for a target",
        "crossflake clippy --target T [OPTIONS] [CARGO ARGS...] [-- LINTS...]",
    ),
    def("doc", Cmd::Cargo, "cargo doc for a target", "crossflake doc --target T [OPTIONS] [CARGO ARGS...]"),
    def(
        "cargo",
        Cmd::Cargo,
        "Any cargo subcommand (nextest, llvm-cov, hack, zigbuild, ...) in the target's environment",
        "crossflake cargo <SUBCOMMAND> --target T [OPTIONS] [CARGO ARGS...] [-- ARGS...]",
    ),
    def(
        "nextest",
        Cmd::Cargo,
        "cargo nextest in the target's environment; each test runs under the target's emulator",
        "crossflake nextest <run|list|archive> --target T [OPTIONS] [NEXTEST ARGS...] [-- FILTERS...]",
    ),
    def(
        "env",
        Cmd::Env,
        "Print the target's environment (for eval, direnv, rust-analyzer, $GITHUB_ENV)",
        "crossflake env --target T [--format sh|json|github] [OPTIONS]",
    ),
    def(
        "shell",
        Cmd::Shell,
        "An interactive shell, or one command, in the target's environment (host or Nix backend)",
        "crossflake shell --target T [OPTIONS] [-- COMMAND...]",
    ),
    def(
        "runner",
        Cmd::Runner,
        "The cargo runner: run (or boot) a built program for a target, with a timeout",
        "crossflake runner --target T [OPTIONS] PROGRAM [ARGS...]",
    ),
    def(
        "matrix",
        Cmd::Matrix,
        "Build and test the crate for many targets (default: every target of its kind this host can serve)",
        "crossflake matrix [--targets A,B,...] [OPTIONS] [CARGO ARGS...]",
    ),
    def(
        "repro",
        Cmd::Repro,
        "Build the release artifact twice from clean, in two directories, and compare the bits",
        "crossflake repro --target T [--keep] [OPTIONS] [CARGO ARGS...]",
    ),
    def(
        "dist",
        Cmd::Dist,
        "Build release artifacts and copy them under release names with a SHA256SUMS file",
        "crossflake dist --target T [--out DIR] [OPTIONS] [CARGO ARGS...]",
    ),
    def(
        "package",
        Cmd::Nix,
        "nix build the target's package (e.g. kernel-riscv64) and print its store path",
        "crossflake package --target T [OPTIONS]",
    ),
    def(
        "flake-check",
        Cmd::Nix,
        "nix flake check, or only the target's check",
        "crossflake flake-check [--target T] [OPTIONS]",
    ),
    def(
        "inspect",
        Cmd::Nix,
        "Show what the target's dev shell pins (rustc, linker, QEMU) without building anything",
        "crossflake inspect --target T [OPTIONS]",
    ),
    def(
        "sdk",
        Cmd::Sdk,
        "Register a macOS SDK (which Apple's licence keeps out of the flake) in the Nix store, or list them",
        "crossflake sdk add MacOSX<ver>.sdk.tar.xz [--dry-run] | crossflake sdk list [--json]",
    ),
];

/// The options before the command.
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub manifest_path: Option<PathBuf>,
    pub format: Format,
    pub verbose: u8,
    pub quiet: bool,
    /// `crossflake +NAME ...`.
    pub toolchain: Option<String>,
}

/// The parsed command line.
pub struct Invocation {
    pub global: Global,
    pub command: &'static CommandDef,
    /// The command's words, for flags.rs.
    pub words: Vec<String>,
}

fn skeleton() -> Skeleton {
    let mut c =
        Skeleton::new("crossflake")
            .version(env!("CARGO_PKG_VERSION"))
            .about("Cross-compile and QEMU-test Rust crates for Linux, WebAssembly, Windows, macOS and bare metal")
            .long_about(
                "Cross-compile and QEMU-test Rust crates for Linux (x86_64, aarch64, riscv64, armv7, i686, ppc64le, \
             s390x; gnu and musl), WebAssembly (WASI), Windows, macOS and bare metal.\n\n\
             Used like cargo: `crossflake test --target aarch64 --workspace --locked -- --nocapture` forwards every \
             option crossflake does not own to cargo. --target takes a name (aarch64), an alias (arm64), a triple \
             (aarch64-unknown-linux-gnu) or a target JSON; `crossflake targets` lists them. `crossflake +NAME ...` \
             picks a toolchain as rustup does. `crossflake <command> --help` shows a command's options.",
            )
            .after_help(format!("Exit codes:\n{}", crate::exit::table_text()))
            .disable_help_subcommand(true)
            .subcommand_required(true)
            .arg(
                Arg::new("manifest-path")
                    .long("manifest-path")
                    .value_name("PATH")
                    .help("Path to the crate's Cargo.toml (default: the crate here); also passed to cargo"),
            )
            .arg(Arg::new("message-format").long("message-format").value_parser(["human", "json"]).help(
                "human lines on stderr, or JSON lines on stdout (after the command, --message-format is cargo's)",
            ))
            .arg(Arg::new("verbose").short('v').long("verbose").action(ArgAction::Count).help("Say more"))
            .arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue).help("Say nothing but errors"));
    for d in COMMANDS {
        c = c.subcommand(
            Skeleton::new(d.name)
                .about(d.about)
                .disable_help_flag(true)
                .arg(Arg::new("words").num_args(0..).trailing_var_arg(true).allow_hyphen_values(true)),
        );
    }
    c
}

/// Parses argv: `+TOOLCHAIN` first, clap for the global options and the command, the
/// command's words left for flags.rs.
pub fn parse(mut argv: Vec<String>) -> Result<Invocation, clap::Error> {
    let toolchain = match argv.get(1) {
        Some(a) if a.starts_with('+') && a.len() > 1 => Some(argv.remove(1)[1..].to_string()),
        _ => None,
    };
    let m = skeleton().try_get_matches_from(argv)?;
    let (name, sub) = m.subcommand().expect("a subcommand is required");
    let command = COMMANDS.iter().find(|d| d.name == name).expect("every subcommand is in the table");
    let words = sub.get_many::<String>("words").map(|w| w.cloned().collect()).unwrap_or_default();
    let global = Global {
        manifest_path: m.get_one::<String>("manifest-path").map(PathBuf::from),
        format: match m.get_one::<String>("message-format").map(String::as_str) {
            Some("json") => Format::Json,
            _ => Format::Human,
        },
        verbose: m.get_count("verbose"),
        quiet: m.get_flag("quiet"),
        toolchain,
    };
    Ok(Invocation { global, command, words })
}

/// The whole program: parse, run the command, report how it ended; the exit code.
pub fn main(argv: Vec<String>) -> i32 {
    let inv = match parse(argv) {
        Ok(i) => i,
        Err(e) => {
            let text = e.render().ansi().to_string();
            let reporter = crate::report::Reporter::new(Format::Human, 0, false, "crossflake");
            return match e.use_stderr() {
                true => {
                    reporter.text_err(&text);
                    crate::exit::USAGE
                }
                false => {
                    reporter.out(&text);
                    crate::exit::OK
                }
            };
        }
    };
    let who = if inv.command.name == "runner" { "crossflake runner" } else { "crossflake" };
    let split = flags::split(inv.command.cmd, inv.command.name, &inv.words);
    let (format, verbose, quiet) = match &split {
        Ok(s) => (
            s.opts.message_format.unwrap_or(inv.global.format),
            inv.global.verbose + s.opts.verbose,
            inv.global.quiet || s.opts.quiet,
        ),
        Err(_) => (inv.global.format, inv.global.verbose, inv.global.quiet),
    };
    let reporter = crate::report::Reporter::new(format, verbose, quiet, who);
    match split.and_then(|s| commands::run(&inv, s, &reporter)) {
        Ok(()) => crate::exit::OK,
        Err(f) => {
            reporter.failure(&f);
            f.exit_code()
        }
    }
}

/// Reports a failure that happened before a command could run; its exit code.
pub fn report_failure(f: &crate::failure::Failure) -> i32 {
    crate::report::Reporter::new(Format::Human, 0, false, "crossflake").failure(f);
    f.exit_code()
}
