//! A target, as its file in targets/ says it: triple, kind, runner, the host
//! tools and Debian packages it needs, console rules. (The registry in mod.rs
//! loads and resolves them.)
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Std,
    BareMetal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitDevice {
    /// SiFive test device (riscv `virt`): the guest's exit code is QEMU's.
    SifiveTest,
    /// Arm semihosting SYS_EXIT: the guest's exit code is QEMU's.
    Semihosting,
    /// x86 isa-debug-exit: QEMU exits with `(v << 1) | 1`.
    IsaDebugExit,
}

/// Console rules (src/run/verdict.rs) as written in TOML: a target file's `[verdict]`,
/// a crate's `[package.metadata.crossflake]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Fail a run that printed a Rust panic (default: on for bare-metal targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panic_rule: Option<bool>,
    /// A regular expression a passing run must print.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_pattern: Option<String>,
    /// A regular expression that fails a run which prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_pattern: Option<String>,
}

/// Firmware the runner puts in place of QEMU's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Firmware {
    /// OpenSBI whose SBI System Reset honours the reason (scripts/build-opensbi,
    /// `$CROSSFLAKE_OPENSBI`), instead of `-bios default`.
    OpensbiSrstReason,
}

/// How a target's programs are run on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Runner {
    QemuUser {
        qemu_arch: String,
        timeout_secs: u64,
        /// QEMU's CPU model (`-cpu`; `max` tests the newest instructions). `--cpu` or
        /// `QEMU_CPU` overrides it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cpu: Option<String>,
    },
    QemuSystem {
        qemu_system: String,
        args: Vec<String>,
        exit: ExitDevice,
        timeout_secs: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        firmware: Option<Firmware>,
    },
    Wine {
        timeout_secs: u64,
    },
    /// WebAssembly (WASI preview 1) under Node.js's built-in `node:wasi`.
    Wasi {
        timeout_secs: u64,
    },
    Native {
        timeout_secs: u64,
    },
    /// The program as it is, as plain cargo would start it (the host's kernel decides:
    /// natively, or through binfmt_misc), with crossflake's timeout and process handling.
    /// For triples crossflake has no runner of its own for.
    Direct {
        timeout_secs: u64,
    },
    None {
        reason: String,
    },
}

impl Runner {
    pub fn default_timeout_secs(&self) -> Option<u64> {
        match self {
            Runner::QemuUser { timeout_secs, .. }
            | Runner::QemuSystem { timeout_secs, .. }
            | Runner::Wine { timeout_secs }
            | Runner::Wasi { timeout_secs }
            | Runner::Native { timeout_secs }
            | Runner::Direct { timeout_secs } => Some(*timeout_secs),
            Runner::None { .. } => None,
        }
    }
}

/// What the host backend needs from the machine for this target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostTools {
    /// The linker cargo is given (`rust-lld`: rustc's own; empty: cargo's default, untouched).
    pub linker: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cxx: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ar: Option<String>,
    /// Flags C compilers need for the target (`CFLAGS_<t>`: a sysroot, include paths).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cflags: Option<String>,
    /// Root of the target's libc for qemu-user (`-L`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sysroot: Option<String>,
    /// Debian packages that provide the tools above and the runner.
    pub packages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkg_config_libdir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set when the host backend cannot build this target on Debian 12: why, and what to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupported: Option<String>,
    /// Link with cargo-zigbuild and zig when `linker` is not on PATH (macOS without
    /// osxcross and an SDK: libSystem only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub zig_fallback: bool,
    /// The oldest macOS a zig-linked build runs on (MACOSX_DEPLOYMENT_TARGET, rustc's own
    /// default for the triple); without it zig stamps its newest macOS. Yours wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub macos_min: Option<String>,
    /// The cargo wrapper that builds for this target (`xwin`: cargo-xwin, which brings
    /// Microsoft's CRT and Windows SDK for the MSVC targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cargo_wrapper: Option<String>,
    /// The lowest glibc floor `--glibc` can give this target (glibc's first release
    /// for the architecture, as zig knows it); only glibc targets have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc_min: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    pub name: String,
    pub aliases: Vec<String>,
    pub rust_triple: String,
    pub kind: Kind,
    pub nixpkgs_example: String,
    pub description: String,
    /// Suffix of release artifacts copied by `crossflake dist` (`app-linux-arm64`).
    pub dist_suffix: String,
    /// A custom target JSON (relative to targets/) for targets rustc lacks; built with build-std.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_json: Option<String>,
    pub runner: Runner,
    pub host: HostTools,
    /// Console rules for this target's programs (src/run/verdict.rs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<RuleSpec>,
    /// For a triple crossflake has no file for (resolve/open_world.rs): that it runs cargo as
    /// cargo would, and what was derived. Said with every plan for it.
    #[serde(skip)]
    pub open: Option<String>,
}

impl TargetSpec {
    /// `AARCH64_UNKNOWN_LINUX_GNU`, as in `CARGO_TARGET_<T>_LINKER`.
    pub fn cargo_env(&self) -> String {
        self.rust_triple.to_uppercase().replace(['-', '.'], "_")
    }
    /// `aarch64_unknown_linux_gnu`, as in `CC_<t>` read by the cc crate.
    pub fn cc_env(&self) -> String {
        self.rust_triple.replace(['-', '.'], "_")
    }
    /// The triples whose std the target needs (a universal macOS binary needs both).
    pub fn std_triples(&self) -> Vec<&str> {
        match self.rust_triple.as_str() {
            "universal2-apple-darwin" => vec!["aarch64-apple-darwin", "x86_64-apple-darwin"],
            t => vec![t],
        }
    }

    /// The architecture part of the triple (`aarch64`, `riscv64gc`, `x86_64`).
    pub fn arch(&self) -> &str {
        self.rust_triple.split('-').next().unwrap_or("")
    }

    /// Whether programs for this target run natively on a host of `host_triple` (same
    /// architecture, Linux).
    pub fn runs_natively_on(&self, host_triple: &str) -> bool {
        let host_arch = host_triple.split('-').next().unwrap_or("");
        self.kind == Kind::Std
            && self.rust_triple.contains("-linux-")
            && self.arch().trim_end_matches("gc") == host_arch.trim_end_matches("gc")
    }

    /// Whether this is the host's own target: its programs run as they are and the host's
    /// linker links them.
    pub fn is_host_target(&self, host_triple: &str) -> bool {
        self.runs_natively_on(host_triple) && self.rust_triple == host_triple
    }

    /// A macOS target (its artifacts are Mach-O files).
    pub fn is_darwin(&self) -> bool {
        self.rust_triple.ends_with("-apple-darwin")
    }
}
