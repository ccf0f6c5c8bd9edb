//! Microcontrollers under real QEMU: Cortex-M crates written here on the
//! ecosystem's crates (cortex-m-rt, cortex-m-semihosting, panic-halt,
//! panic-semihosting) exit 0, non-zero, fail on a panic and time out (with
//! the hint) on a halting one; examples/mcu's crossflake-harness tests are
//! counted per test on Cortex-M and riscv32; every microcontroller target
//! boots, passes and fails truly; gdb attaches to a Cortex-M core.
use crate::common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn mcu() -> PathBuf {
    root().join("examples/mcu")
}

/// `crossflake ARGS --backend host --target-dir <shared> [-- HARNESS ARGS]` in `dir`.
fn cf_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let td = shared_target_dir();
    let split = args.iter().position(|a| *a == "--").unwrap_or(args.len());
    let mut all = args[..split].to_vec();
    all.extend(["--backend", "host", "--target-dir", td.to_str().unwrap()]);
    all.extend_from_slice(&args[split..]);
    crossflake(&all, dir)
}

/// A Cortex-M firmware crate as a user writes one after the Embedded Rust
/// Book: cortex-m-rt with a memory.x for the target's machine, output and
/// exit through cortex-m-semihosting, one binary per way to end.
fn write_cortex_m_crate(dir: &Path) {
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    file(
        "Cargo.toml",
        r#"[package]
name = "firmware"
version = "0.1.0"
edition = "2021"

[dependencies]
cortex-m-rt = "0.7"
cortex-m-semihosting = "0.5"
panic-halt = "1"
panic-semihosting = { version = "0.6", features = ["exit"] }
"#,
    );
    // The machines of crossflake's cortex-m3 (lm3s6965evb) and cortex-m4f
    // (mps2-an386) targets, as docs/microcontrollers.md gives them.
    file(
        "build.rs",
        r#"fn main() {
    let memory = match std::env::var("TARGET").unwrap().as_str() {
        "thumbv7m-none-eabi" => "FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n  RAM : ORIGIN = 0x20000000, LENGTH = 64K",
        _ => "FLASH : ORIGIN = 0x00000000, LENGTH = 4M\n  RAM : ORIGIN = 0x20000000, LENGTH = 4M",
    };
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    std::fs::write(out.join("memory.x"), format!("MEMORY\n{{\n  {memory}\n}}\n")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg=-Tlink.x");
}
"#,
    );
    let bin = |name: &str, panic: &str, body: &str| {
        file(
            &format!("src/bin/{name}.rs"),
            &format!(
                "#![no_std]\n#![no_main]\nuse cortex_m_rt::entry;\nuse cortex_m_semihosting::{{debug, hprintln}};\n{panic}\n\
                 #[entry]\n#[allow(unreachable_code)]\nfn main() -> ! {{\n    hprintln!(\"{name}: started\");\n{body}\n    loop {{}}\n}}\n"
            ),
        )
    };
    bin("pass", "use panic_halt as _;", "    debug::exit(debug::EXIT_SUCCESS);");
    bin("fail", "use panic_halt as _;", "    debug::exit(debug::EXIT_FAILURE);");
    // SYS_EXIT_EXTENDED {ADP_Stopped_ApplicationExit, 3}: the code itself.
    bin(
        "exit3",
        "use panic_halt as _;",
        "    let block = [0x20026usize, 3];\n    unsafe { cortex_m_semihosting::syscall1(0x20, block.as_ptr() as usize) };",
    );
    // panic-semihosting prints the panic and exits with EXIT_FAILURE.
    bin("panics", "use panic_semihosting as _;", "    panic!(\"deliberate: {}\", core::hint::black_box(42));");
    // A handler that prints the panic and then reports success: QEMU exits 0.
    bin(
        "panics_exit0",
        "#[panic_handler]\nfn panic(info: &core::panic::PanicInfo) -> ! {\n    hprintln!(\"{}\", info);\n    \
         debug::exit(debug::EXIT_SUCCESS);\n    loop {}\n}",
        "    panic!(\"deliberate: {}\", core::hint::black_box(42));",
    );
    // panic-halt: the core spins in the handler; nothing ends QEMU.
    bin("halts", "use panic_halt as _;", "    panic!(\"deliberate: {}\", core::hint::black_box(42));");
}

#[test]
fn cortex_m_exits_panics_and_halts_are_judged_on_thumbv7m_and_thumbv7em_hf() {
    require_tool("qemu-system-arm");
    let krate = tempfile::tempdir().unwrap();
    write_cortex_m_crate(krate.path());
    for target in ["thumbv7m-none-eabi", "cortex-m4f"] {
        let run = |bin: &str, extra: &[&str]| {
            let mut args = vec!["run", "--target", target, "--bin", bin];
            args.extend_from_slice(extra);
            let o = cf_in(krate.path(), &args);
            (o.status.code(), text(&o))
        };
        let (code, out) = run("pass", &[]);
        assert_eq!(code, Some(0), "{target}: {out}");
        assert!(out.contains("pass: started"), "{target}: semihosting output is shown: {out}");
        let (code, out) = run("fail", &[]);
        assert_eq!(code, Some(1), "{target}: EXIT_FAILURE is a failure: {out}");
        let (code, out) = run("exit3", &[]);
        assert_eq!(code, Some(3), "{target}: SYS_EXIT_EXTENDED carries the code: {out}");
        let (code, out) = run("panics", &[]);
        assert_ne!(code, Some(0), "{target}: {out}");
        assert!(out.contains("panicked at src/bin/panics.rs") && out.contains("deliberate: 42"), "{target}: {out}");
        let (code, out) = run("panics_exit0", &[]);
        assert_eq!(code, Some(101), "{target}: a printed panic before exit 0 fails: {out}");
        assert!(out.contains("counted as a failure"), "{target}: announced: {out}");
        let start = Instant::now();
        let (code, out) = run("halts", &["--timeout", "3"]);
        assert_eq!(code, Some(124), "{target}: a halted panic ends at the timeout: {out}");
        assert!(out.contains("TIMEOUT"), "{target}: {out}");
        assert!(
            out.contains("hint: the panic handler of") && out.contains("halts") && out.contains("panic-halt"),
            "{target}: the hint names the halting panic handler: {out}"
        );
        assert!(start.elapsed() < Duration::from_secs(120), "{target}: {:?}", start.elapsed());
    }
    // A program that really hangs, with a panic handler that exits, gets no such hint.
    let hang = krate.path().join("src/bin/spins.rs");
    std::fs::write(
        &hang,
        "#![no_std]\n#![no_main]\nuse panic_semihosting as _;\n#[cortex_m_rt::entry]\nfn main() -> ! {\n    loop {}\n}\n",
    )
    .unwrap();
    let o = cf_in(krate.path(), &["run", "--target", "cortex-m3", "--bin", "spins", "--timeout", "2"]);
    assert_eq!(o.status.code(), Some(124), "{}", text(&o));
    assert!(!text(&o).contains("hint: the panic handler"), "panic-semihosting exits: no halt hint: {}", text(&o));
}

#[test]
fn a_halting_panic_handler_on_riscv32_gets_the_hint() {
    require_tool("qemu-system-riscv32");
    let krate = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        std::fs::create_dir_all(krate.path().join(name).parent().unwrap()).unwrap();
        std::fs::write(krate.path().join(name), text).unwrap();
    };
    file(
        "Cargo.toml",
        "[package]\nname = \"rv\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\
         riscv-rt = { version = \"0.16\", features = [\"single-hart\"] }\n",
    );
    file("memory.x", &std::fs::read_to_string(mcu().join("memory/riscv32imac-unknown-none-elf.x")).unwrap());
    file(
        "build.rs",
        "fn main() {\n    println!(\"cargo:rustc-link-search={}\", env!(\"CARGO_MANIFEST_DIR\"));\n    \
         println!(\"cargo:rustc-link-arg=-Tmemory.x\");\n    println!(\"cargo:rustc-link-arg=-Tlink.x\");\n}\n",
    );
    file(
        "src/main.rs",
        "#![no_std]\n#![no_main]\n#[panic_handler]\nfn halt(_: &core::panic::PanicInfo) -> ! {\n    loop {}\n}\n\
         #[riscv_rt::entry]\nfn main() -> ! {\n    panic!(\"deliberate\")\n}\n",
    );
    let o = cf_in(krate.path(), &["run", "--target", "riscv32-none", "--timeout", "2"]);
    assert_eq!(o.status.code(), Some(124), "{}", text(&o));
    assert!(text(&o).contains("hint: the panic handler of") && text(&o).contains("halts"), "{}", text(&o));
}

#[test]
fn harness_tests_are_counted_per_test_on_cortex_m_and_riscv32() {
    require_tool("qemu-system-arm");
    require_tool("qemu-system-riscv32");
    for target in ["thumbv7m-none-eabi", "riscv32-none"] {
        let o = cf_in(&mcu(), &["test", "--target", target, "--test", "basic"]);
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        for t in ["arithmetic", "wide_and_float_maths", "boot_args_reach_the_firmware", "panic_message_reaches_handler"]
        {
            assert!(out.contains(&format!("test {t} ... ok")), "{target}: {t}: {out}");
        }
        assert!(out.contains("test counts_slowly ... ignored"), "{target}: {out}");
        assert!(out.contains("test result: ok. 7 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out"), "{out}");
        // A filter boots exactly one test (after the list).
        let o = cf_in(&mcu(), &["test", "--target", target, "--test", "basic", "--", "arithmetic", "--exact"]);
        let out = text(&o);
        assert!(
            o.status.success() && out.contains("1 passed; 0 failed; 0 ignored; 0 measured; 7 filtered out"),
            "{out}"
        );
    }
    // Each way to fail, one boot each, with its reason; the passing one still passes.
    let o = cf_in(&mcu(), &["test", "--target", "cortex-m3", "--features", "demo-fail", "--test", "demo_fail"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(101), "{out}");
    assert!(out.contains("test passes ... ok"), "{out}");
    for (t, why) in [
        ("returns_error", "error (exit 1)"),
        ("does_not_panic", "did not panic (exit 1)"),
        ("fails_on_purpose", "panicked (exit 101)"),
        ("faults_on_purpose", "trap (exit 102)"),
    ] {
        assert!(
            out.contains(&format!("test {t} ... FAILED")) && out.contains(&format!("---- {t}: {why}")),
            "{t}: {out}"
        );
    }
    assert!(out.contains("HardFault: pc="), "the fault handler's report is the console: {out}");
    assert!(out.contains("1 passed; 4 failed"), "{out}");
    // A hang costs only its own boot.
    let o = cf_in(
        &mcu(),
        &["test", "--target", "riscv32-none", "--features", "demo-hang", "--test", "demo_hang", "--timeout", "3"],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(124), "{out}");
    assert!(out.contains("test hangs ... FAILED (timed out after 3 s)"), "{out}");
    assert!(
        out.contains("test passes_before_the_hang ... ok") && out.contains("test passes_after_the_hang ... ok"),
        "{out}"
    );
}

#[test]
fn every_microcontroller_target_boots_the_sample_and_fails_truly() {
    require_tool("qemu-system-arm");
    require_tool("qemu-system-riscv32");
    let targets = [
        "cortex-m0",
        "cortex-m3",
        "cortex-m4",
        "cortex-m4f",
        "cortex-m33",
        "cortex-m33f",
        "riscv32-none",
        "riscv32imc-none",
    ];
    for target in targets {
        let o = cf_in(&mcu(), &["run", "--target", target]);
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        assert!(out.contains("sum of squares 1..=10 = 385") && out.contains("bye"), "{target}: {out}");
        // A failing test's boot exits QEMU with the harness's code (1 for an
        // `Err`): the exit device carries it on every machine.
        let o = cf_in(
            &mcu(),
            &[
                "test",
                "--target",
                target,
                "--features",
                "demo-fail",
                "--test",
                "demo_fail",
                "--",
                "returns_error",
                "passes",
            ],
        );
        let out = text(&o);
        assert_eq!(o.status.code(), Some(101), "{target}: {out}");
        assert!(
            out.contains("test passes ... ok") && out.contains("---- returns_error: error (exit 1)"),
            "{target}: {out}"
        );
    }
}

/// templates/cortex-m (with the harness from this checkout instead of git):
/// `crossflake run` prints over semihosting, `crossflake test` boots the test
/// image once per test, with the target from its .cargo/config.toml.
#[test]
fn the_cortex_m_template_runs_and_tests_one_boot_per_test() {
    require_tool("qemu-system-arm");
    let dir = tempfile::tempdir().unwrap();
    for f in ["Cargo.toml", ".cargo/config.toml", "memory.x", "build.rs", "src/lib.rs", "src/main.rs", "tests/boot.rs"]
    {
        let to = dir.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join("templates/cortex-m").join(f), to).unwrap();
    }
    let manifest = dir.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let git = r#"git = "https://github.com/crossflake/crossflake""#;
    assert!(text.contains(git), "{text}");
    let path = format!("path = {:?}", root().join("harness").display().to_string());
    std::fs::write(&manifest, text.replace(git, &path)).unwrap();
    let o = cf_in(dir.path(), &["run"]);
    assert!(o.status.success(), "{}", text_of(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Hello, world!"), "{}", text_of(&o));
    let o = cf_in(dir.path(), &["test"]);
    let out = text_of(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("test cortex-m3 (thumbv7m-none-eabi)"), "the target from .cargo/config.toml: {out}");
    for t in ["adds", "formats", "panics"] {
        assert!(out.contains(&format!("test {t} ... ok")), "{t}: {out}");
    }
    assert!(out.contains("test result: ok. 3 passed; 0 failed"), "{out}");
}

/// common::text, which a local `text` shadows.
fn text_of(o: &std::process::Output) -> String {
    crate::common::text(o)
}

/// A crate logging with defmt over semihosting (defmt-semihosting), as
/// embedded crates do: its frames are decoded with defmt-print and the exit
/// status stands; without defmt-print the runner says why the output is
/// unreadable, and the status still stands.
#[test]
fn defmt_frames_over_semihosting_are_decoded() {
    require_tool("qemu-system-arm");
    require_tool("defmt-print");
    let krate = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        std::fs::create_dir_all(krate.path().join(name).parent().unwrap()).unwrap();
        std::fs::write(krate.path().join(name), text).unwrap();
    };
    file(
        "Cargo.toml",
        "[package]\nname = \"logs\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\
         cortex-m = { version = \"0.7\", features = [\"critical-section-single-core\"] }\n\
         cortex-m-rt = \"0.7\"\ncortex-m-semihosting = \"0.5\"\ndefmt = \"1\"\ndefmt-semihosting = \"0.3\"\n",
    );
    file("memory.x", &std::fs::read_to_string(mcu().join("memory/thumbv7m-none-eabi.x")).unwrap());
    file(
        "build.rs",
        "fn main() {\n    println!(\"cargo:rustc-link-search={}\", env!(\"CARGO_MANIFEST_DIR\"));\n    \
         println!(\"cargo:rustc-link-arg=-Tlink.x\");\n    println!(\"cargo:rustc-link-arg=-Tdefmt.x\");\n}\n",
    );
    let bin = |name: &str, exit: &str| {
        file(
            &format!("src/bin/{name}.rs"),
            &format!(
                "#![no_std]\n#![no_main]\nuse cortex_m_semihosting::debug;\nuse defmt_semihosting as _;\n\
                 #[panic_handler]\nfn panic(_: &core::panic::PanicInfo) -> ! {{\n    debug::exit(debug::EXIT_FAILURE);\n    loop {{}}\n}}\n\
                 #[cortex_m_rt::entry]\nfn main() -> ! {{\n    defmt::info!(\"{name}: the answer is {{=u32}}\", 42);\n    \
                 defmt::warn!(\"a float: {{}}\", 1.5f32);\n    debug::exit(debug::{exit});\n    loop {{}}\n}}\n"
            ),
        )
    };
    bin("logs", "EXIT_SUCCESS");
    bin("logs_and_fails", "EXIT_FAILURE");
    let run = |bin: &str| {
        let mut cmd = std::process::Command::new(bin_path());
        let td = shared_target_dir();
        cmd.args([
            "run",
            "--target",
            "cortex-m3",
            "--bin",
            bin,
            "--backend",
            "host",
            "--target-dir",
            td.to_str().unwrap(),
        ])
        .current_dir(krate.path())
        .env("DEFMT_LOG", "info");
        cmd.output_bounded().unwrap()
    };
    let o = run("logs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(stdout.contains("INFO  logs: the answer is 42") && stdout.contains("WARN  a float: 1.5"), "{}", text(&o));
    let o = run("logs_and_fails");
    assert_eq!(o.status.code(), Some(1), "the exit status stands: {}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("logs_and_fails: the answer is 42"), "{}", text(&o));
    // Without defmt-print (a PATH with QEMU alone): said, and the status still stands.
    let elf = shared_target_dir().join("thumbv7m-none-eabi/debug/logs_and_fails");
    let path = tempfile::tempdir().unwrap();
    let qemu = which("qemu-system-arm");
    std::os::unix::fs::symlink(&qemu, path.path().join("qemu-system-arm")).unwrap();
    let o = std::process::Command::new(bin_path())
        .args(["runner", "--target", "cortex-m3", elf.to_str().unwrap()])
        .env("PATH", path.path())
        .output_bounded()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("logs with defmt") && text(&o).contains("cargo install defmt-print"), "{}", text(&o));
}

/// A crate with C code (the cc crate) for a Cortex-M target whose C compiler is
/// not installed exits 3 naming the Debian packages, not cargo's 101. The C
/// tool is renamed in a board file so the test does not depend on whether this
/// machine has gcc-arm-none-eabi.
#[test]
fn a_crate_with_c_and_no_c_compiler_exits_3_naming_the_packages() {
    let krate = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        std::fs::create_dir_all(krate.path().join(name).parent().unwrap()).unwrap();
        std::fs::write(krate.path().join(name), text).unwrap();
    };
    file(
        "Cargo.toml",
        "[package]\nname = \"withc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.crossflake]\ntargets_dir = \"boards\"\n\n[build-dependencies]\ncc = \"1\"\n",
    );
    file("src/twice.c", "int twice(int x) { return 2 * x; }\n");
    file("build.rs", "fn main() {\n    cc::Build::new().file(\"src/twice.c\").compile(\"twice\");\n}\n");
    file("src/lib.rs", "#![no_std]\nextern \"C\" {\n    fn twice(x: i32) -> i32;\n}\npub fn t(x: i32) -> i32 {\n    unsafe { twice(x) }\n}\n");
    let cortex_m3 = std::fs::read_to_string(root().join("targets/cortex-m3.toml")).unwrap();
    let packages = cortex_m3.lines().find(|l| l.starts_with("packages = ")).unwrap();
    file(
        "boards/m3-no-gcc.toml",
        &format!("base = \"cortex-m3\"\nname = \"m3-no-gcc\"\n\n[host]\nlinker = \"rust-lld\"\ncc = \"crossflake-no-such-arm-gcc\"\n{packages}\n"),
    );
    let o = cf_in(krate.path(), &["build", "--target", "m3-no-gcc"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("`crossflake-no-such-arm-gcc` (the C compiler a crate's build asked for)"), "{out}");
    assert!(out.contains("sudo apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"), "{out}");
}

/// The crossflake binary (common::bin, which a local closure named `bin` shadows).
fn bin_path() -> PathBuf {
    crate::common::bin()
}

/// The full path of `tool` on PATH.
fn which(tool: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{tool}` is not on PATH"))
}

#[test]
fn gdb_attaches_to_a_cortex_m_core() {
    require_tool("qemu-system-arm");
    require_tool("gdb-multiarch");
    let o = cf_in(&mcu(), &["build", "--target", "cortex-m3", "--bin", "mcu"]);
    assert!(o.status.success(), "{}", text(&o));
    let elf = shared_target_dir().join("thumbv7m-none-eabi/debug/mcu");
    // A port no other process holds (another suite may run the same tests at once).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let port = port.as_str();
    let GdbSession { status, stdout, stderr, gdb_out } = gdb_session("cortex-m3", port, &elf, &[]);
    assert!(stderr.contains(&format!("target remote :{port}")), "the runner prints the gdb command: {stderr}");
    assert!(gdb_out.contains("pc "), "gdb read the halted core's pc: {gdb_out}");
    assert!(stdout.contains("sum of squares 1..=10 = 385"), "the firmware ran on after `continue`: {stdout}");
    assert_eq!(status.code(), Some(0), "{stderr}\n{gdb_out}");
}
