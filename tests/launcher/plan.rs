//! Planning tests: the exact argv and env the host backend and the runner
//! produce for every target, from a synthetic HostEnv (nothing is spawned).
use crossflake::backend::host;
use crossflake::exit::Kind as FailKind;
use crossflake::failure::Failure;
use crossflake::plan::emulator::{self, RunnerRequest};
use crossflake::request::CargoRequest;
use crossflake::resolve::machine::{HostEnv, Pin, Toolchain, ToolchainSource};
use crossflake::resolve::toolchain::{choose_toolchain, StdSource};
use crossflake::targets::{Kind, Registry, Runner};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every target's triple: the pinned toolchain here has each std (riscv64-musl's
/// spec says the host backend cannot build it anyway).
fn all_std() -> Vec<String> {
    Registry::load().unwrap().targets.iter().map(|t| t.rust_triple.clone()).collect()
}

fn toolchain(name: &str, std: &[&str], rust_src: bool) -> Toolchain {
    let sysroot = PathBuf::from(format!("/rustup/toolchains/{name}"));
    Toolchain {
        name: name.into(),
        source: ToolchainSource::Rustup,
        cargo: sysroot.join("bin/cargo"),
        rustc: sysroot.join("bin/rustc"),
        sysroot,
        std_targets: std.iter().map(|s| s.to_string()).collect(),
        rust_src,
    }
}

/// A host with every tool "installed" and the pinned toolchain holding all std but riscv64-musl.
fn env() -> HostEnv {
    let mut tools = BTreeMap::new();
    for t in [
        "aarch64-linux-gnu-gcc",
        "riscv64-linux-gnu-gcc",
        "x86_64-linux-gnu-gcc",
        "x86_64-w64-mingw32-gcc",
        "aarch64-apple-darwin-clang",
        "x86_64-apple-darwin-clang",
        "qemu-aarch64",
        "qemu-riscv64",
        "qemu-x86_64",
        "qemu-system-riscv64",
        "qemu-system-aarch64",
        "wine",
        "cargo-xwin",
    ] {
        tools.insert(t.to_string(), PathBuf::from(format!("/usr/bin/{t}")));
    }
    // Every target's linker and emulator, as the registry names them.
    for spec in &Registry::load().unwrap().targets {
        let runner = match &spec.runner {
            Runner::QemuUser { qemu_arch, .. } => Some(format!("qemu-{qemu_arch}")),
            Runner::QemuSystem { qemu_system, .. } => Some(qemu_system.clone()),
            Runner::Wasi { .. } => Some("node".into()),
            _ => None,
        };
        for t in std::iter::once(spec.host.linker.clone()).chain(runner) {
            tools.insert(t.clone(), PathBuf::from(format!("/usr/bin/{t}")));
        }
    }
    HostEnv {
        host_triple: "x86_64-unknown-linux-gnu".into(),
        path: vec![],
        toolchains: vec![toolchain(
            "1.95.0-x86_64-unknown-linux-gnu",
            &all_std().iter().map(String::as_str).collect::<Vec<_>>(),
            true,
        )],
        pin: Some(Pin { channel: "1.95.0".into(), source: "/src/app/rust-toolchain.toml".into() }),
        self_exe: PathBuf::from("/bin/crossflake"),
        extra_tools: tools,
        opensbi: None,
        zig: Some("/zig/zig".into()),
    }
}

fn req(cmd: &str) -> CargoRequest {
    CargoRequest::new(&[cmd], "/src/app")
}

fn plan(env: &HostEnv, name: &str, r: &CargoRequest) -> Result<crossflake::plan::Plan, Failure> {
    let reg = Registry::load().unwrap();
    host::plan(env, reg.resolve(name).unwrap(), r, None, reg.dir.as_deref())
}

fn facts(env: &HostEnv) -> emulator::Facts {
    crossflake::run::runner::facts(env)
}

const TC: &str = "/rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu";

#[test]
fn aarch64_test_plan_is_exact() {
    let plan = plan(&env(), "arm64", &req("test")).unwrap();
    assert!(plan.setup.is_empty());
    let s = &plan.cargo.step();
    assert_eq!(s.program, format!("{TC}/bin/cargo"));
    assert_eq!(s.args, ["test", "--target", "aarch64-unknown-linux-gnu"]);
    assert_eq!(s.cwd, Some(PathBuf::from("/src/app")));
    let expected: BTreeMap<String, String> = [
        ("AR_aarch64_unknown_linux_gnu", "aarch64-linux-gnu-ar".to_string()),
        ("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER", "aarch64-linux-gnu-gcc".into()),
        ("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER", "/bin/crossflake runner --target aarch64".into()),
        ("CC_aarch64_unknown_linux_gnu", "aarch64-linux-gnu-gcc".into()),
        ("CXX_aarch64_unknown_linux_gnu", "aarch64-linux-gnu-g++".into()),
        ("PKG_CONFIG_ALLOW_CROSS", "1".into()),
        (
            "PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu",
            "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/aarch64-linux-gnu/lib/pkgconfig".into(),
        ),
        ("PKG_CONFIG_SYSROOT_DIR_aarch64_unknown_linux_gnu", "/".into()),
        ("RUSTC", format!("{TC}/bin/rustc")),
        ("RUSTDOC", format!("{TC}/bin/rustdoc")),
        ("RUSTUP_TOOLCHAIN", "1.95.0-x86_64-unknown-linux-gnu".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(s.env, expected);
}

/// Every target gets a plan with the right --target, linker and runner variables.
#[test]
fn every_target_plans_build_and_test() {
    let reg = Registry::load().unwrap();
    let env = env();
    for spec in &reg.targets {
        for cmd in ["build", "test"] {
            if let Some(why) = &spec.host.unsupported {
                let err = host::plan(&env, spec, &req(cmd), None, reg.dir.as_deref()).unwrap_err().to_string();
                assert!(err.contains(why.as_str()) && err.contains("host backend cannot build"), "{err}");
                continue;
            }
            let plan = host::plan(&env, spec, &req(cmd), None, reg.dir.as_deref())
                .unwrap_or_else(|e| panic!("{} {cmd:?}: {e:#}", spec.name));
            let s = &plan.cargo.step();
            // The MSVC targets build through cargo-xwin (`cargo-xwin xwin build ...`).
            let sub = if spec.host.cargo_wrapper.is_some() { 1 } else { 0 };
            assert_eq!(s.args[sub], cmd, "{}", spec.name);
            assert_eq!(s.args[sub + 1], "--target");
            assert_eq!(s.args[sub + 2], spec.rust_triple, "{}", spec.name);
            let t = spec.cargo_env();
            let linker = s.env.get(&format!("CARGO_TARGET_{t}_LINKER"));
            match (spec.host.linker.as_str(), spec.rust_triple.as_str()) {
                ("rust-lld" | "", _) | (_, "x86_64-unknown-linux-gnu") => assert_eq!(linker, None, "{}", spec.name),
                (l, _) => assert_eq!(linker.map(String::as_str), Some(l), "{}", spec.name),
            }
            let runner = s.env.get(&format!("CARGO_TARGET_{t}_RUNNER"));
            match &spec.runner {
                Runner::None { .. } => {
                    assert_eq!(runner, None);
                    assert_eq!(s.args.contains(&"--no-run".to_string()), cmd == "test", "{}", spec.name);
                    assert_eq!(plan.unrun.is_some(), cmd == "test", "tests that cannot run make the command exit 125");
                    if cmd == "test" {
                        assert!(plan.notes.iter().any(|n| n.contains("built, not run")), "{:?}", plan.notes);
                    }
                }
                _ => assert_eq!(runner.unwrap(), &format!("/bin/crossflake runner --target {}", spec.name)),
            }
            let build_std = s.args.iter().find(|a| a.starts_with("-Zbuild-std="));
            assert_eq!(build_std, None, "{}: every other target has a prebuilt std here", spec.name);
            assert_eq!(s.env.contains_key("PKG_CONFIG_ALLOW_CROSS"), spec.kind == Kind::Std);
        }
    }
}

#[test]
fn build_std_for_std_targets_when_only_rust_src() {
    let mut env = env();
    env.pin = None;
    env.toolchains = vec![toolchain("nightly", &["x86_64-unknown-linux-gnu"], true)];
    let plan = plan(&env, "riscv64", &req("test")).unwrap();
    let s = &plan.cargo.step();
    assert_eq!(s.args, ["test", "--target", "riscv64gc-unknown-linux-gnu", "-Zbuild-std=std,panic_abort"]);
    assert_eq!(s.env["RUSTC_BOOTSTRAP"], "1");
    assert_eq!(s.env["RUSTUP_TOOLCHAIN"], "nightly");
}

#[test]
fn build_std_for_bare_metal_when_only_rust_src() {
    let mut env = env();
    env.pin = None;
    env.toolchains = vec![toolchain("system", &["x86_64-unknown-linux-gnu"], true)];
    env.toolchains[0].source = ToolchainSource::System;
    let plan = plan(&env, "riscv64-none", &req("build")).unwrap();
    let s = &plan.cargo.step();
    assert_eq!(
        s.args,
        [
            "build",
            "--target",
            "riscv64gc-unknown-none-elf",
            "-Zbuild-std=core,alloc",
            "-Zbuild-std-features=compiler-builtins-mem"
        ]
    );
    assert_eq!(s.env["RUSTC_BOOTSTRAP"], "1");
    assert!(!s.env.contains_key("RUSTUP_TOOLCHAIN"), "system toolchains are not rustup's");
    assert!(plan.toolchain_reason.unwrap().contains("-Zbuild-std"));
}

#[test]
fn toolchain_choice_prefers_prebuilt_std_then_rust_src() {
    let reg = Registry::load().unwrap();
    let spec = reg.resolve("aarch64").unwrap();
    let mut env = env();
    env.pin = None;
    env.toolchains = vec![
        toolchain("stable", &["x86_64-unknown-linux-gnu"], false),
        toolchain("nightly", &["x86_64-unknown-linux-gnu"], true),
        toolchain("1.90.0", &["aarch64-unknown-linux-gnu"], false),
    ];
    let (tc, src, _) = choose_toolchain(&env, spec, None).unwrap();
    assert_eq!((tc.name.as_str(), src), ("1.90.0", StdSource::Prebuilt));
    let (tc, src, why) = choose_toolchain(&env, spec, Some("nightly")).unwrap();
    assert_eq!((tc.name.as_str(), src), ("nightly", StdSource::BuildStd));
    assert!(why.contains("--toolchain"));
    let err = choose_toolchain(&env, spec, Some("stable")).unwrap_err();
    assert_eq!(err.kind, FailKind::Missing, "exit 3");
    assert!(err.to_string().contains("rustup target add --toolchain stable aarch64-unknown-linux-gnu"), "{err}");
    env.toolchains.truncate(1);
    let err = choose_toolchain(&env, spec, None).unwrap_err().to_string();
    assert!(err.contains("no Rust toolchain here can build aarch64-unknown-linux-gnu"), "{err}");
}

#[test]
fn missing_linker_names_the_package_and_the_nix_shell() {
    let mut env = env();
    env.extra_tools.remove("riscv64-linux-gnu-gcc");
    let err = plan(&env, "rv64", &req("build")).unwrap_err();
    assert_eq!(err.kind, FailKind::Missing, "exit 3");
    let msg = err.to_string();
    assert!(
        msg.contains("sudo apt-get install gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross"),
        "{msg}"
    );
    assert!(msg.contains("nix develop .#riscv64"), "{msg}");
}

#[test]
fn missing_emulator_fails_test_but_not_build() {
    let mut env = env();
    env.extra_tools.remove("qemu-system-aarch64");
    assert!(plan(&env, "aarch64-none", &req("build")).is_ok());
    let err = plan(&env, "aarch64-none", &req("test")).unwrap_err().to_string();
    assert!(err.contains("sudo apt-get install qemu-system-arm"), "{err}");
    // A user's runner replaces the emulator: not needed then.
    let user = vec!["/x/run.sh".to_string()];
    let reg = Registry::load().unwrap();
    assert!(host::plan(&env, reg.resolve("aarch64-none").unwrap(), &req("test"), Some(&user), None).is_ok());
}

#[test]
fn cargo_arguments_reach_cargo_verbatim_and_in_order() {
    let mut r = req("test").with_args([
        "--workspace",
        "--locked",
        "--no-fail-fast",
        "-p",
        "app",
        "--features",
        "a,b",
        "-j",
        "2",
        "--profile",
        "ci",
        "-Zunstable-options",
    ]);
    r.trailing = Some(vec!["--nocapture".into(), "--".into(), "x".into()]);
    r.timeout_secs = Some(9);
    let p = plan(&env(), "riscv64", &r).unwrap();
    let s = &p.cargo.step();
    assert_eq!(
        s.args,
        [
            "test",
            "--target",
            "riscv64gc-unknown-linux-gnu",
            "--workspace",
            "--locked",
            "--no-fail-fast",
            "-p",
            "app",
            "--features",
            "a,b",
            "-j",
            "2",
            "--profile",
            "ci",
            "-Zunstable-options",
            "--",
            "--nocapture",
            "--",
            "x"
        ]
    );
    assert_eq!(
        s.env["CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_RUNNER"],
        "/bin/crossflake runner --target riscv64 --timeout 9"
    );
    // Any cargo subcommand: the words first, then the user's, --target as for test.
    let mut n = CargoRequest::new(&["nextest", "run"], "/src/app").with_args(["--no-capture"]);
    n.trailing = Some(vec!["my_test".into()]);
    let s = plan(&env(), "aarch64", &n).unwrap().cargo.step();
    assert_eq!(s.args, ["nextest", "run", "--target", "aarch64-unknown-linux-gnu", "--no-capture", "--", "my_test"]);
    assert!(s.env.contains_key("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER"), "nextest reads the runner");
}

#[test]
fn a_users_runner_is_wrapped_not_replaced() {
    let user: Vec<String> = vec!["/src/app/scripts/run.sh".into(), "--flag".into()];
    let reg = Registry::load().unwrap();
    let p = host::plan(&env(), reg.resolve("aarch64").unwrap(), &req("test"), Some(&user), None).unwrap();
    let s = &p.cargo.step();
    assert_eq!(s.env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER"], "/bin/crossflake runner --target aarch64");
    assert_eq!(s.env["CROSSFLAKE_WRAP_AARCH64_UNKNOWN_LINUX_GNU"], r#"["/src/app/scripts/run.sh","--flag"]"#);
    // The runner then runs the user's program line, with the target's timeout.
    let r = RunnerRequest { program: "/t/a".into(), args: vec!["--x".into()], wrap: Some(user), ..Default::default() };
    let step = emulator::step(&facts(&env()), reg.resolve("aarch64").unwrap(), &r).unwrap();
    assert_eq!(step.program, "/src/app/scripts/run.sh");
    assert_eq!(step.args, ["--flag", "/t/a", "--x"]);
    assert_eq!(step.timeout_secs, Some(1800));
    // A target without a runner of its own runs the user's.
    let darwin =
        host::plan(&env(), reg.resolve("aarch64-darwin").unwrap(), &req("test"), Some(&["ssh-mac".to_string()]), None)
            .unwrap();
    assert!(darwin.cargo.step().env.contains_key("CARGO_TARGET_AARCH64_APPLE_DARWIN_RUNNER"));
}

#[test]
fn the_crates_toolchain_pin_is_kept_or_named() {
    let reg = Registry::load().unwrap();
    let spec = reg.resolve("aarch64").unwrap();
    let mut env = env();
    env.pin = Some(Pin { channel: "1.80.0".into(), source: "/src/app/rust-toolchain.toml".into() });
    let f = choose_toolchain(&env, spec, None).unwrap_err();
    assert_eq!(f.exit_code(), 3);
    assert!(f.message.contains("/src/app/rust-toolchain.toml pins toolchain 1.80.0, which is not installed"), "{f}");
    assert_eq!(
        f.next.as_deref().unwrap().split('`').nth(1),
        Some("rustup toolchain install 1.80.0 --target aarch64-unknown-linux-gnu")
    );
    // Installed without the target's std (rust-src alone does not count for a normal triple).
    env.toolchains.push(toolchain("1.80.0", &["x86_64-unknown-linux-gnu"], true));
    let err = choose_toolchain(&env, spec, None).unwrap_err().to_string();
    assert!(
        err.contains("has no std for aarch64-unknown-linux-gnu")
            && err.contains("rustup target add --toolchain 1.80.0 aarch64-unknown-linux-gnu"),
        "{err}"
    );
    // --toolchain (or +NAME) says otherwise.
    let (tc, _, why) = choose_toolchain(&env, spec, Some("1.95.0")).unwrap();
    assert_eq!(tc.name, "1.95.0-x86_64-unknown-linux-gnu");
    assert!(why.contains("--toolchain"), "{why}");
}

#[test]
fn run_is_refused_for_targets_without_a_runner() {
    let err = plan(&env(), "macos-arm64", &req("run")).unwrap_err();
    assert!(err.to_string().contains("cannot run programs for aarch64-darwin"), "{err}");
    assert_eq!(err.exit_code(), 125);
    // test builds only, and says so; with --no-run it was asked for.
    let p = plan(&env(), "macos-arm64", &req("test")).unwrap();
    assert!(p.unrun.is_some());
    let p = plan(&env(), "macos-arm64", &req("test").with_args(["--no-run"])).unwrap();
    assert_eq!(p.unrun, None);
    assert_eq!(p.cargo.step().args.iter().filter(|a| *a == "--no-run").count(), 1);
}

fn rreq(p: &str) -> RunnerRequest {
    RunnerRequest { program: p.into(), args: vec!["--x".into()], ..Default::default() }
}

#[test]
fn runner_plans_per_target() {
    let reg = Registry::load().unwrap();
    let env = env();
    let line = |name: &str, r: &RunnerRequest| emulator::step(&facts(&env), reg.resolve(name).unwrap(), r).unwrap();
    let s = line("aarch64", &rreq("/t/a"));
    assert_eq!(s.program, "qemu-aarch64");
    assert_eq!(
        s.args,
        [
            "-cpu",
            "max",
            "-L",
            "/usr/aarch64-linux-gnu",
            "-E",
            "LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib:/usr/lib/aarch64-linux-gnu",
            "/t/a",
            "--x"
        ]
    );
    assert_eq!(s.timeout_secs, Some(1800));
    let s = line("aarch64-musl", &rreq("/t/a"));
    assert_eq!(s.program, "qemu-aarch64");
    assert_eq!(s.args, ["-cpu", "max", "/t/a", "--x"], "static musl: no sysroot");
    // --cpu wins over the target's model; QEMU_CPU (qemu reads it) drops the target's.
    let mut c = rreq("/t/a");
    c.cpu = Some("cortex-a72".into());
    assert_eq!(&line("aarch64-musl", &c).args[..2], ["-cpu", "cortex-a72"]);
    c.cpu = None;
    c.cpu_env = Some("neoverse-n1".into());
    assert_eq!(line("aarch64-musl", &c).args, ["/t/a", "--x"]);
    assert_eq!(&line("ppc64le", &rreq("/t/a")).args[..2], ["-cpu", "power10"], "no `max` in qemu-ppc64le");
    let mut c = rreq("/t/k");
    c.cpu = Some("cortex-a72".into());
    let s = line("aarch64-none", &c);
    assert_eq!(s.args.iter().filter(|a| *a == "-cpu").count(), 1);
    assert!(s.args.windows(2).any(|w| w == ["-cpu", "cortex-a72"]), "{:?}", s.args);
    let s = line("wasm32-wasip1", &rreq("/t/a.wasm"));
    assert_eq!(s.program, "node");
    assert!(s.args[2].ends_with(".mjs") && s.args[3..] == ["/t/a.wasm", "--x"], "{:?}", s.args);
    let s = line("x86_64-musl", &rreq("/t/a"));
    assert_eq!(s.program, "/t/a", "x86_64 programs run natively on an x86_64 host");
    let s = line("riscv64-none", &rreq("/t/k"));
    assert_eq!(s.program, "qemu-system-riscv64");
    assert_eq!(
        s.args,
        [
            "-machine",
            "virt",
            "-nographic",
            "-bios",
            "default",
            "-m",
            "128M",
            "-nic",
            "none",
            "-kernel",
            "/t/k",
            "-append",
            "--x"
        ]
    );
    assert_eq!(s.timeout_secs, Some(60));
    // With the reason-honouring OpenSBI at hand, it replaces QEMU's own.
    let mut with_fw = env.clone();
    with_fw.opensbi = Some("/cache/opensbi/fw_dynamic.bin".into());
    let s = emulator::step(&facts(&with_fw), reg.resolve("riscv64-none").unwrap(), &rreq("/t/k")).unwrap();
    assert_eq!(&s.args[..6], ["-machine", "virt", "-nographic", "-bios", "/cache/opensbi/fw_dynamic.bin", "-m"]);
    let s = emulator::step(&facts(&with_fw), reg.resolve("aarch64-none").unwrap(), &rreq("/t/k")).unwrap();
    assert!(!s.args.iter().any(|a| a.contains("opensbi")), "aarch64 has no use for it");
    let mut g = rreq("/t/k");
    g.gdb = Some(4321);
    let s = line("aarch64-none", &g);
    assert!(s.args.ends_with(&["-gdb".into(), "tcp::4321".into(), "-S".into()]), "{:?}", s.args);
    assert_eq!(s.timeout_secs, None, "a debug session is not timed by default");
    g.timeout_secs = Some(5);
    assert_eq!(line("aarch64-none", &g).timeout_secs, Some(5), "an explicit --timeout holds under --gdb");
    let s = line("windows", &rreq("/t/a.exe"));
    assert_eq!((s.program.as_str(), s.env["WINEDEBUG"].as_str()), ("wine", "-all"));
    assert_eq!(s.args, ["/t/a.exe", "--x"]);
    assert!(s.env["WINEPREFIX"].ends_with("crossflake/wine-prefix"), "{:?}", s.env);
    assert_eq!(s.env["WINEDLLOVERRIDES"], "mscoree,mshtml=;winemenubuilder.exe=d");
    let mut st = rreq("/t/a");
    st.strace = true;
    st.timeout_secs = Some(7);
    let s = line("riscv64", &st);
    assert_eq!((s.env["QEMU_STRACE"].as_str(), s.timeout_secs), ("1", Some(7)));
    assert!(emulator::step(&facts(&env), reg.resolve("x86_64-darwin").unwrap(), &rreq("/t/a")).is_err());
}

#[test]
fn gdb_hint_is_a_complete_command() {
    let reg = Registry::load().unwrap();
    let hint = emulator::gdb_command(reg.resolve("aarch64").unwrap(), std::path::Path::new("/t/a"), 1234);
    assert_eq!(hint, "gdb-multiarch -ex 'set sysroot /usr/aarch64-linux-gnu' -ex 'target remote :1234' /t/a");
}

#[test]
fn missing_library_hints_name_the_package_per_target() {
    use crossflake::run::hints::{missing_libraries, missing_library_hint};
    let reg = Registry::load().unwrap();
    let lines = vec![
        "  The system library `openssl` required by crate `openssl-sys` was not found.".to_string(),
        "Package sqlite3 was not found in the pkg-config search path.".to_string(),
    ];
    assert_eq!(missing_libraries(&lines), ["openssl", "sqlite3"]);
    let hint = missing_library_hint(&lines, reg.resolve("aarch64").unwrap()).unwrap();
    assert!(hint.contains("apt-get install libssl-dev:arm64"), "{hint}");
    assert!(hint.contains("apt-get install libsqlite3-dev:arm64"), "{hint}");
    assert!(hint.contains("targetLibs = p: [ p.openssl ]"), "{hint}");
    let hint = missing_library_hint(&lines, reg.resolve("riscv64").unwrap()).unwrap();
    assert!(hint.contains("Debian 12 has no packages for this target"), "{hint}");
    assert!(missing_library_hint(&["warning: unused".to_string()], reg.resolve("riscv64").unwrap()).is_none());
}
