//! A machine scripts/setup-host prepared leaves the user's own setup working:
//! the hand-written runner line people put in `.cargo/config.toml`,
//! `runner = "qemu-aarch64 -L /usr/aarch64-linux-gnu"`, runs a threaded test
//! program with plain cargo (no crossflake involved). Issue 22: setup-host
//! adds Debian's multiarch libc6:arm64, another build than the cross
//! libc6-arm64-cross; under `-L` the cross ld.so searched /lib/aarch64-linux-gnu
//! first, QEMU fell back to the host's, and every threaded program hung in
//! pthread_create. setup-host now writes an ld.so.cache into each cross
//! sysroot (scripts/sysroot-ld-cache). The same line is tried for every glibc
//! target that runs under qemu-user.
use crate::common::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Long enough for a cold build of a dependency-free crate on a loaded 2-CPU
/// machine; the threaded tests themselves finish in well under a second.
const BOUND: Duration = Duration::from_secs(300);

struct Target {
    triple: &'static str,
    gcc: &'static str,
    qemu: &'static str,
    sysroot: &'static str,
    /// Debian's multiarch directory for the architecture: where a multiarch
    /// libc would shadow the cross one.
    multiarch: &'static str,
}

/// A crate whose tests start threads, share a lock and join them, with the
/// hand-written runner and linker for `t` in its own `.cargo/config.toml`.
fn threaded_crate(t: &Target) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("host_setup").join(t.triple);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"threads\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        r#"
#[test]
fn threads_share_a_lock() {
    let total = std::sync::Arc::new(std::sync::Mutex::new(0u64));
    let handles: Vec<_> = (1..=8u64)
        .map(|i| {
            let total = total.clone();
            std::thread::spawn(move || *total.lock().unwrap() += i)
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(*total.lock().unwrap(), 36);
}

#[test]
fn a_scoped_thread_returns() {
    assert_eq!(std::thread::scope(|s| s.spawn(|| 6 * 7).join().unwrap()), 42);
}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join(".cargo/config.toml"),
        format!("[target.{}]\nlinker = \"{}\"\nrunner = \"{} -L {}\"\n", t.triple, t.gcc, t.qemu, t.sysroot),
    )
    .unwrap();
    dir
}

/// `cargo test --target T` in `dir` as a user types it, stopped (with its
/// whole process group) if it has not finished within `BOUND`.
fn cargo_test(dir: &Path, triple: &str) -> (bool, String) {
    let mut cmd = user_command("cargo");
    cmd.args(["test", "--target", triple]).current_dir(dir).env("CARGO_TARGET_DIR", dir.join("target"));
    // Plain cargo: nothing of the environment this suite runs in decides the runner.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("CARGO_TARGET_") || k.starts_with("CARGO_BUILD_") || k.contains("RUSTFLAGS") {
            cmd.env_remove(&*k);
        }
    }
    let out = try_output_within(&mut cmd, BOUND).expect("cargo runs").unwrap_or_else(|| {
        panic!(
            "`cargo test --target {triple}` with the hand-written runner did not finish within {BOUND:?} and was \
             stopped (the qemu -L hang: does the cross sysroot have an etc/ld.so.cache? run scripts/sysroot-ld-cache)"
        )
    });
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[allow(clippy::print_stderr)] // which case this machine is, in the test output
fn hand_written_runner_passes(t: &Target) {
    require_tool(t.gcc);
    require_tool(t.qemu);
    assert!(
        Path::new(t.sysroot).join("lib/libc.so.6").is_file(),
        "REQUIRED TOOL MISSING: the cross libc {}/lib/libc.so.6; run scripts/setup-host --cargo-tools (scripts/test does) and re-run",
        t.sysroot
    );
    let shadowed = Path::new("/lib").join(t.multiarch).join("libc.so.6").exists();
    eprintln!(
        "{}: multiarch libc {}",
        t.triple,
        if shadowed { "installed: the case that hung" } else { "not installed" }
    );
    let dir = threaded_crate(t);
    let (ok, out) = cargo_test(&dir, t.triple);
    assert!(ok, "`cargo test --target {}` with runner `{} -L {}` failed:\n{out}", t.triple, t.qemu, t.sysroot);
    assert!(out.contains("test result: ok. 2 passed"), "both threaded tests ran under {}:\n{out}", t.qemu);
}

macro_rules! hand_written_runner {
    ($name:ident, $triple:expr, $gcc:expr, $qemu:expr, $sysroot:expr, $multiarch:expr) => {
        #[test]
        fn $name() {
            hand_written_runner_passes(&Target {
                triple: $triple,
                gcc: $gcc,
                qemu: $qemu,
                sysroot: $sysroot,
                multiarch: $multiarch,
            });
        }
    };
}

hand_written_runner!(
    aarch64_qemu_l_runner_runs_threads,
    "aarch64-unknown-linux-gnu",
    "aarch64-linux-gnu-gcc",
    "qemu-aarch64",
    "/usr/aarch64-linux-gnu",
    "aarch64-linux-gnu"
);
hand_written_runner!(
    armv7_qemu_l_runner_runs_threads,
    "armv7-unknown-linux-gnueabihf",
    "arm-linux-gnueabihf-gcc",
    "qemu-arm",
    "/usr/arm-linux-gnueabihf",
    "arm-linux-gnueabihf"
);
hand_written_runner!(
    riscv64_qemu_l_runner_runs_threads,
    "riscv64gc-unknown-linux-gnu",
    "riscv64-linux-gnu-gcc",
    "qemu-riscv64",
    "/usr/riscv64-linux-gnu",
    "riscv64-linux-gnu"
);
hand_written_runner!(
    i686_qemu_l_runner_runs_threads,
    "i686-unknown-linux-gnu",
    "i686-linux-gnu-gcc",
    "qemu-i386",
    "/usr/i686-linux-gnu",
    "i386-linux-gnu"
);
hand_written_runner!(
    ppc64le_qemu_l_runner_runs_threads,
    "powerpc64le-unknown-linux-gnu",
    "powerpc64le-linux-gnu-gcc",
    "qemu-ppc64le",
    "/usr/powerpc64le-linux-gnu",
    "powerpc64le-linux-gnu"
);
hand_written_runner!(
    s390x_qemu_l_runner_runs_threads,
    "s390x-unknown-linux-gnu",
    "s390x-linux-gnu-gcc",
    "qemu-s390x",
    "/usr/s390x-linux-gnu",
    "s390x-linux-gnu"
);

/// What setup-host leaves behind: every cross glibc sysroot has its cache,
/// up to date with the sysroot's libraries.
#[test]
fn every_cross_sysroot_has_its_ld_so_cache() {
    require_tool("python3");
    let sysroots: Vec<String> = std::fs::read_dir("/usr")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("lib/libc.so.6").is_file() && p.to_string_lossy().contains("-linux-gnu"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(!sysroots.is_empty(), "REQUIRED TOOL MISSING: no cross glibc sysroot in /usr; run scripts/setup-host");
    let script = root().join("scripts/sysroot-ld-cache");
    let out = user_command("python3").arg(&script).arg("--check").args(&sysroots).output_bounded().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// `crossflake doctor` detects the mismatch on a machine setup-host did not
/// prepare: a file-system tree with a cross libc and a different multiarch
/// libc, without and then with the sysroot's cache.
#[test]
fn doctor_names_a_multiarch_libc_that_shadows_the_cross_one() {
    use crossflake::backend::doctor::multiarch_shadow;
    let registry = crossflake::targets::Registry::load().unwrap();
    let aarch64 = registry.resolve("aarch64").unwrap();
    let root = tempfile::tempdir().unwrap();
    let put = |path: &str, bytes: &[u8]| {
        let p = root.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    put("usr/aarch64-linux-gnu/lib/libc.so.6", b"the cross build");
    assert_eq!(multiarch_shadow(aarch64, root.path()), None, "no multiarch libc: nothing to shadow");
    put("lib/aarch64-linux-gnu/libc.so.6", b"the cross build");
    assert_eq!(multiarch_shadow(aarch64, root.path()), None, "the same build: nothing to mix up");
    put("lib/aarch64-linux-gnu/libc.so.6", b"another build");
    let warning = multiarch_shadow(aarch64, root.path()).expect("the mismatch is reported");
    for part in [
        "qemu-aarch64 -L /usr/aarch64-linux-gnu",
        "/lib/aarch64-linux-gnu/libc.so.6",
        "scripts/sysroot-ld-cache /usr/aarch64-linux-gnu",
        "LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib",
    ] {
        assert!(warning.contains(part), "{part} in: {warning}");
    }
    put("usr/aarch64-linux-gnu/etc/ld.so.cache", b"glibc-ld.so.cache1.1...libc.so.6\0/lib/libc.so.6\0");
    assert_eq!(multiarch_shadow(aarch64, root.path()), None, "the sysroot's cache keeps the cross libc");
    let riscv64_none = registry.resolve("riscv64-none").unwrap();
    assert_eq!(multiarch_shadow(riscv64_none, root.path()), None, "only qemu-user targets");
}

/// `crossflake doctor` opens with one line per target, then the details hint;
/// on a machine setup-host prepared there is no multiarch warning.
#[test]
fn doctor_opens_with_one_line_per_target() {
    let targets = std::fs::read_dir(root().join("targets"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .count();
    let out = command().arg("doctor").output_bounded().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + targets + 1, "host, nix, one per target, the details hint:\n{text}");
    assert!(lines[2..2 + targets].iter().all(|l| !l.starts_with(' ')), "{text}");
    let aarch64 = lines.iter().find(|l| l.split_whitespace().next() == Some("aarch64")).expect("an aarch64 line");
    assert!(aarch64.contains("ready") && !aarch64.contains("WARNING"), "{aarch64}");
    assert!(lines.last().unwrap().contains("doctor --target T"), "{text}");
    let detail = command().args(["doctor", "--target", "aarch64"]).output_bounded().unwrap();
    let detail = String::from_utf8_lossy(&detail.stdout);
    assert!(
        detail.contains("  linker: aarch64-linux-gnu-gcc") && detail.contains("  runner: qemu-aarch64"),
        "{detail}"
    );
    let verbose = command().args(["-v", "doctor"]).output_bounded().unwrap();
    assert!(String::from_utf8_lossy(&verbose.stdout).lines().count() > 3 * targets, "-v: every target's details");
}
