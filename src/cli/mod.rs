//! Command-line interface: clap definitions, and the split of argv that
//! hands a pass-through command's words (`crossflake test ...`) to
//! args.rs untouched; `app.rs` acts on them.
pub mod commands;
pub mod flags;
use crate::request::options::{BackendChoice, MessageFormat, NixArgs};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "crossflake",
    version,
    about = "Cross-compile and QEMU-test Rust crates for Linux, Windows, macOS and bare metal",
    long_about = "Cross-compile and QEMU-test Rust crates for Linux (x86_64, aarch64, riscv64; gnu and musl), \
Windows (x86_64-pc-windows-gnu), macOS (via osxcross) and bare metal (riscv64, aarch64).\n\n\
Used like cargo: `crossflake test --target aarch64 --workspace --locked -- --nocapture` forwards every option \
crossflake does not own to cargo. --target takes a name (aarch64), an alias (arm64), a triple \
(aarch64-unknown-linux-gnu) or a target JSON; `crossflake targets` lists them. `crossflake +NAME ...` picks a \
toolchain as rustup does. Run from a crate directory, like cargo.",
    after_help = exit_codes_help(),
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

fn exit_codes_help() -> String {
    format!("Exit codes:\n{}", crate::exit::table_text())
}

#[derive(Debug, Args)]
pub struct Global {
    /// Path to the crate's Cargo.toml (default: the crate in the current directory); also passed to cargo.
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// How crossflake reports: human lines on stderr, or JSON lines on stdout. Before the subcommand:
    /// after a cargo subcommand, --message-format is cargo's.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Say more (the exact commands run). After a cargo subcommand, -v is cargo's.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Say nothing but errors. After a cargo subcommand, -q is cargo's.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// A pass-through command's words after its name, split by args.rs.
#[derive(Debug, Args, Clone, Default)]
pub struct Pass {
    #[arg(skip)]
    pub raw: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the known targets (names, aliases, triples, runners).
    Targets {
        #[arg(long)]
        json: bool,
    },
    /// Show, per target and backend, what is available, what is missing and how to install it.
    Doctor {
        #[arg(long, value_name = "T")]
        target: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// cargo build for a target (`crossflake build --help`: crossflake's options; the rest is cargo's).
    Build(Pass),
    /// cargo test for a target; test binaries run under the target's emulator.
    Test(Pass),
    /// cargo run for a target under its emulator (bare metal: boots the kernel).
    Run(Pass),
    /// cargo bench for a target; benchmarks run under the target's emulator.
    Bench(Pass),
    /// cargo check for a target.
    Check(Pass),
    /// cargo clippy for a target.
    Clippy(Pass),
    /// cargo doc for a target.
    Doc(Pass),
    /// Any cargo subcommand (nextest, llvm-cov, hack, zigbuild, ...) in the target's environment.
    Cargo(Pass),
    /// cargo nextest in the target's environment (`crossflake nextest run --target T`).
    Nextest(Pass),
    /// Print the target's environment (for eval, direnv, rust-analyzer, $GITHUB_ENV).
    Env(EnvOpts),
    /// An interactive shell, or one command, in the target's environment (host or Nix backend).
    Shell(ShellOpts),
    /// The cargo runner: run (or boot) a built program for a target, with a timeout.
    Runner(RunnerOpts),
    /// nix build the target's package (e.g. kernel-riscv64) and print its store path.
    Package(NixTargetOpts),
    /// nix flake check, or only the target's check.
    FlakeCheck(CheckOpts),
    /// Show what the target's dev shell pins (rustc, linker, QEMU) without building anything.
    Inspect(NixTargetOpts),
    /// Build and test the crate for many targets (default: every target of its kind this host can serve).
    Matrix(MatrixOpts),
    /// Build the release artifact twice from clean, in two directories, and compare the bits.
    Repro(ReproOpts),
    /// Build release artifacts and copy them under release names with a SHA256SUMS file.
    Dist(DistOpts),
    /// Register a macOS SDK (which Apple's licence keeps out of the flake) in the Nix store.
    #[command(subcommand)]
    Sdk(SdkCommand),
    /// (internal) The runner of `crossflake test`'s capture run: records how cargo started a
    /// test binary (environment, working directory) in FILE, runs nothing.
    #[command(hide = true)]
    CaptureEnv {
        file: PathBuf,
        program: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// The commands whose words after the name go to args.rs, not clap.
pub const PASS_THROUGH: &[&str] = &["build", "test", "run", "bench", "check", "clippy", "doc", "cargo", "nextest"];

/// The parsed command line: clap's part, the `+TOOLCHAIN`, and a pass-through command's words.
#[derive(Debug)]
pub struct Invocation {
    pub cli: Cli,
    pub plus_toolchain: Option<String>,
    /// The pass-through command's name, when it is one.
    pub pass: Option<String>,
}

/// Global options that take a value (to find the subcommand word after them).
const GLOBAL_VALUED: &[&str] = &["--manifest-path", "--message-format"];

/// Parses argv: `+TOOLCHAIN` first, clap for the global options and the subcommand, and
/// the words after a pass-through command's name left verbatim for args.rs.
pub fn parse(argv: Vec<String>) -> Result<Invocation, clap::Error> {
    let mut argv = argv;
    let plus_toolchain = match argv.get(1) {
        Some(a) if a.starts_with('+') && a.len() > 1 => Some(argv.remove(1)[1..].to_string()),
        _ => None,
    };
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        if GLOBAL_VALUED.contains(&a) {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    let pass = argv.get(i).filter(|w| PASS_THROUGH.contains(&w.as_str())).cloned();
    let (head, raw) = match &pass {
        Some(_) => {
            let raw = argv.split_off(i + 1);
            (argv, raw)
        }
        None => (argv, vec![]),
    };
    let mut cli = Cli::try_parse_from(head)?;
    if let Some(p) = pass_args(&mut cli.command) {
        p.raw = raw;
    }
    Ok(Invocation { cli, plus_toolchain, pass })
}

/// A pass-through command's words, when the command is one.
pub fn pass_args(c: &mut Command) -> Option<&mut Pass> {
    match c {
        Command::Build(p)
        | Command::Test(p)
        | Command::Run(p)
        | Command::Bench(p)
        | Command::Check(p)
        | Command::Clippy(p)
        | Command::Doc(p)
        | Command::Cargo(p)
        | Command::Nextest(p) => Some(p),
        _ => None,
    }
}

/// How `crossflake env` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvFormat {
    /// `export NAME='value'` lines, for `eval "$(crossflake env --target T)"` and direnv.
    Sh,
    /// One JSON object (rust-analyzer's `cargo.extraEnv`).
    Json,
    /// `NAME=value` lines for `$GITHUB_ENV`.
    Github,
}

/// The options that pick a target's environment (env, shell).
#[derive(Debug, Args, Clone)]
pub struct EnvArgs {
    /// Target name, alias, triple or target JSON.
    #[arg(long, short = 't', value_name = "T")]
    pub target: String,
    /// host: the machine's cross tools; nix: the flake's dev shell (default: nix when it can serve).
    #[arg(long, value_enum)]
    pub backend: Option<BackendChoice>,
    /// Rust toolchain to use (a rustup name, or `system`).
    #[arg(long, value_name = "NAME")]
    pub toolchain: Option<String>,
    /// Timeout for programs run through the runner (default: the target's).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// More target files (boards, machine variants); repeatable.
    #[arg(long, value_name = "DIR")]
    pub targets_dir: Vec<PathBuf>,
    #[command(flatten)]
    pub nix: NixArgs,
}

#[derive(Debug, Args, Clone)]
pub struct EnvOpts {
    #[command(flatten)]
    pub env: EnvArgs,
    #[arg(long, value_enum, default_value_t = EnvFormat::Sh)]
    pub format: EnvFormat,
}

#[derive(Debug, Subcommand)]
pub enum SdkCommand {
    /// Check a MacOSX*.sdk.tar.* file, add it to the Nix store as a fixed-output path, and record it.
    Add {
        /// The SDK tarball, e.g. MacOSX14.5.sdk.tar.xz (as osxcross's gen_sdk_package.sh makes).
        file: PathBuf,
        /// Print what would be added and run nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Show the SDKs registered with `crossflake sdk add`.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args, Clone)]
pub struct ShellOpts {
    #[command(flatten)]
    pub env: EnvArgs,
    /// Print the steps and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The command to run (default: an interactive $SHELL).
    #[arg(last = true)]
    pub command: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct NixTargetOpts {
    #[arg(long, short = 't', value_name = "T")]
    pub target: String,
    #[command(flatten)]
    pub nix: NixArgs,
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args, Clone)]
pub struct CheckOpts {
    /// Only this target's check (default: the whole `nix flake check`).
    #[arg(long, short = 't', value_name = "T")]
    pub target: Option<String>,
    #[command(flatten)]
    pub nix: NixArgs,
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args, Clone)]
pub struct RunnerOpts {
    #[arg(long, short = 't', value_name = "T")]
    pub target: String,
    /// Kill the program and its process group after this many seconds (default: the target's).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Start halted with a GDB stub on this port and print the gdb command.
    #[arg(long, value_name = "PORT", num_args = 0..=1, default_missing_value = "1234")]
    pub gdb: Option<u16>,
    /// Log system calls (qemu-user).
    #[arg(long)]
    pub strace: bool,
    /// QEMU's CPU model (over the target's; QEMU_CPU works too for qemu-user).
    #[arg(long, value_name = "MODEL")]
    pub cpu: Option<String>,
    /// Print the emulator command and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// More target files (a crate's boards); repeatable.
    #[arg(long, value_name = "DIR")]
    pub targets_dir: Vec<PathBuf>,
    /// The program (ELF, .exe) to run.
    pub program: PathBuf,
    /// Arguments for the program (kernels: passed as -append).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Options shared by every command that builds (build, test, run, matrix, repro, dist).
#[derive(Debug, Args, Clone)]
pub struct BuildArgs {
    /// host: the machine's cross tools; nix: the flake's dev shell for the target.
    #[arg(long, value_enum)]
    pub backend: Option<BackendChoice>,
    /// Rust toolchain to use (a rustup name such as 1.95.0, or `system`).
    #[arg(long, value_name = "X")]
    pub toolchain: Option<String>,
    /// Package to build (cargo -p).
    #[arg(long, short = 'p', value_name = "SPEC")]
    pub package: Option<String>,
    /// Cargo features to enable (comma or space separated, repeatable).
    #[arg(long, short = 'F', value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Do not enable the default feature (cargo --no-default-features).
    #[arg(long)]
    pub no_default_features: bool,
    /// More target files (a crate's boards, machine variants); repeatable.
    #[arg(long, value_name = "DIR")]
    pub targets_dir: Vec<PathBuf>,
    /// Build for glibc X.Y and older (cargo-zigbuild); every artifact is checked against it.
    #[arg(long, value_name = "X.Y", value_parser = parse_glibc)]
    pub glibc: Option<crate::support::version::Version>,
    #[command(flatten)]
    pub nix: NixArgs,
}

fn parse_glibc(s: &str) -> Result<crate::support::version::Version, String> {
    crate::support::version::Version::parse(s).ok_or_else(|| format!("expected a glibc version such as 2.17, got {s:?}"))
}

impl BuildArgs {
    /// The cargo arguments these options stand for (`-p`, `--features`, `--no-default-features`).
    pub fn cargo_args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(p) = &self.package {
            a.extend(["--package".to_string(), p.clone()]);
        }
        let features: Vec<&str> =
            self.features.iter().flat_map(|f| f.split([',', ' ']).filter(|s| !s.is_empty())).collect();
        if !features.is_empty() {
            a.extend(["--features".to_string(), features.join(",")]);
        }
        if self.no_default_features {
            a.push("--no-default-features".into());
        }
        a
    }
}

#[derive(Debug, Args, Clone)]
pub struct MatrixOpts {
    /// Comma-separated targets (names, aliases or triples).
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub targets: Vec<String>,
    /// Targets built and tested at once (default: the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Build and test with the release profile.
    #[arg(long)]
    pub release: bool,
    /// Kill a program (test binary, emulator) after this many seconds (default: the target's).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Root of the per-target target dirs (default: target/crossflake-matrix).
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Also copy the built artifacts here under release names (see `dist`).
    #[arg(long, value_name = "DIR")]
    pub dist: Option<PathBuf>,
    /// Print the targets and their plans, run nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ReproOpts {
    #[arg(long, short = 't', value_name = "T")]
    pub target: String,
    /// Keep the two build directories (for diffoscope) instead of removing them.
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Args, Clone)]
pub struct DistOpts {
    #[arg(long, short = 't', value_name = "T")]
    pub target: String,
    /// Where the artifacts and SHA256SUMS go.
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub out: PathBuf,
    #[command(flatten)]
    pub build: BuildArgs,
}
