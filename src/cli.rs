//! Command-line interface: clap definitions only; `app.rs` acts on them.
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "crossflake",
    version,
    about = "Cross-compile and QEMU-test Rust crates for Linux, Windows, macOS and bare metal",
    long_about = "Cross-compile and QEMU-test Rust crates for Linux (x86_64, aarch64, riscv64; gnu and musl), \
Windows (x86_64-pc-windows-gnu), macOS (via osxcross) and bare metal (riscv64, aarch64).\n\n\
--target takes a name (aarch64), an alias (arm64) or a triple (aarch64-unknown-linux-gnu); \
`crossflake targets` lists them. Run from a crate directory, like cargo.",
    after_help = "Exit codes: 0 success; 1 error; 2 usage error or unknown target; 3 a tool is missing \
(the message names the package); 124 a program was killed at its timeout; 125 a program could not be run here; \
130 interrupted; otherwise cargo's own exit code (101: a test failed)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Path to the crate's Cargo.toml (default: the crate in the current directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// How crossflake reports: human lines on stderr, or JSON lines on stdout.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Say more (the exact commands run).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Say nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    Host,
    Nix,
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
    /// cargo build for a target.
    Build(CargoOpts),
    /// cargo test for a target; tests run under the target's emulator.
    Test(CargoOpts),
    /// cargo run for a target under its emulator (bare metal: boots the kernel).
    Run(CargoOpts),
    /// The cargo runner: run (or boot) a built program for a target, with a timeout.
    Runner(RunnerOpts),
    /// An interactive shell, or one command, in the target's Nix dev environment.
    Shell(ShellOpts),
    /// nix build the target's package (e.g. kernel-riscv64) and print its store path.
    Package(NixTargetOpts),
    /// nix flake check, or only the target's check.
    Check(CheckOpts),
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

/// Options of the Nix backend.
#[derive(Debug, Args, Clone, Default)]
pub struct NixArgs {
    /// The flake to use (default: the nearest flake.nix upward from the crate, else crossflake's own).
    #[arg(long, value_name = "REF")]
    pub flake: Option<String>,
    /// Passed to nix: remote builders (`--builders`).
    #[arg(long, value_name = "SPEC")]
    pub builders: Option<String>,
    /// Passed to nix: the store to use (`--store`).
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Passed to nix: `--option NAME VALUE` (repeatable).
    #[arg(long = "option", value_names = ["NAME", "VALUE"], num_args = 2, action = clap::ArgAction::Append)]
    pub option: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct ShellOpts {
    #[arg(long, short = 't', value_name = "T")]
    pub target: String,
    #[command(flatten)]
    pub nix: NixArgs,
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
pub struct CargoOpts {
    /// Target name, alias or triple (see `crossflake targets`).
    #[arg(long, short = 't', value_name = "T")]
    pub target: String,
    /// Build with the release profile.
    #[arg(long)]
    pub release: bool,
    #[command(flatten)]
    pub build: BuildArgs,
    /// Print the exact steps (program, args, env) and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Kill a program (test binary, emulator) after this many seconds (default: the target's).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Enable all features (cargo --all-features).
    #[arg(long)]
    pub all_features: bool,
    /// Only this binary (cargo --bin; repeatable).
    #[arg(long, value_name = "NAME")]
    pub bin: Vec<String>,
    /// Only this integration test (cargo --test; repeatable).
    #[arg(long, value_name = "NAME")]
    pub test: Vec<String>,
    /// Only the library's tests (cargo --lib).
    #[arg(long)]
    pub lib: bool,
    /// Cargo target directory.
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Start the program halted with a GDB stub on this port and print the gdb command (run).
    #[arg(long, value_name = "PORT", num_args = 0..=1, default_missing_value = "1234")]
    pub gdb: Option<u16>,
    /// Log the program's system calls (qemu-user's QEMU_STRACE).
    #[arg(long)]
    pub strace: bool,
    /// build: extra cargo arguments; test: test-harness arguments; run: program arguments.
    #[arg(last = true)]
    pub args: Vec<String>,
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
    /// Print the emulator command and run nothing.
    #[arg(long)]
    pub dry_run: bool,
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
    #[command(flatten)]
    pub nix: NixArgs,
}

impl BuildArgs {
    /// The request these options describe, for the crate in `cwd` (command and extras unset).
    pub fn request(
        &self,
        cwd: &std::path::Path,
        release: bool,
        timeout_secs: Option<u64>,
    ) -> crate::host::CargoRequest {
        crate::host::CargoRequest {
            release,
            package: self.package.clone(),
            features: self
                .features
                .iter()
                .flat_map(|f| f.split([',', ' ']).filter(|s| !s.is_empty()).map(String::from))
                .collect(),
            no_default_features: self.no_default_features,
            toolchain: self.toolchain.clone(),
            timeout_secs,
            cwd: cwd.to_path_buf(),
            ..Default::default()
        }
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
