//! Bare metal that never lies, with real QEMU and probe kernels written for
//! it (tests/fixtures/probe-kernels): an SBI shutdown's reason (through the
//! reason-honouring OpenSBI), a printed Rust panic before an exit of 0,
//! semihosting reasons and codes, PSCI SYSTEM_OFF, a hang, and the console
//! rules a crate sets in its metadata.
use crate::common::*;
use std::path::PathBuf;

/// Builds the probe kernel for `target` (through crossflake) and returns it.
fn probe(target: &str, triple: &str) -> PathBuf {
    let td = shared_target_dir();
    let o = crossflake(
        &["build", "--target", target, "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &root().join("tests/fixtures/probe-kernels"),
    );
    assert!(o.status.success(), "{}", text(&o));
    td.join(triple).join("debug/probe")
}

/// `crossflake runner --target T --timeout 20 ELF probe=NAME` in `dir`, without the
/// launcher's events file (the runner speaks for itself).
fn boot(target: &str, elf: &std::path::Path, name: &str, dir: &std::path::Path) -> std::process::Output {
    command()
        .args(["runner", "--target", target, "--timeout", "20", elf.to_str().unwrap(), &format!("probe={name}")])
        .current_dir(dir)
        .env_remove("CARGO_MANIFEST_DIR")
        .output_bounded()
        .unwrap()
}

fn opensbi() -> PathBuf {
    let fw = PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/crossflake/opensbi/fw_dynamic.bin");
    assert!(
        fw.is_file(),
        "REQUIRED TOOL MISSING: {} (scripts/build-opensbi; scripts/setup-host runs it)",
        fw.display()
    );
    fw
}

#[test]
fn riscv64_sbi_shutdown_reasons_and_panics_are_judged() {
    require_tool("qemu-system-riscv64");
    opensbi();
    let elf = probe("riscv64-none", "riscv64gc-unknown-none-elf");
    let here = tempfile::tempdir().unwrap();
    // Each probe prints its name first (proof it was the one that ran); what the runner
    // says is there exactly when it overruled QEMU's exit code.
    for (name, code, overruled) in [
        ("srst-none", 0, None),
        ("srst-fail", 1, None),
        ("panic-srst-none", 101, Some("printed a Rust panic (`panicked at src/main.rs:")),
        ("panic-srst-fail", 1, None),
        ("test-exit3", 3, None),
    ] {
        let o = boot("riscv64-none", &elf, name, here.path());
        assert_eq!(o.status.code(), Some(code), "{name}: {}", text(&o));
        assert!(text(&o).contains(&format!("probe: {name}\n")), "{name} ran: {}", text(&o));
        match overruled {
            Some(says) => assert!(text(&o).contains(says), "{name}: {}", text(&o)),
            None => assert!(!text(&o).contains("counted as a failure"), "{name}: QEMU's code stands: {}", text(&o)),
        }
    }
    let o = command()
        .args(["runner", "--target", "riscv64-none", "--timeout", "2", elf.to_str().unwrap(), "probe=hang"])
        .current_dir(here.path())
        .output_bounded()
        .unwrap();
    assert_eq!(o.status.code(), Some(124), "{}", text(&o));
}

#[test]
fn without_the_firmware_the_runner_says_it_cannot_tell() {
    require_tool("qemu-system-riscv64");
    let elf = probe("riscv64-none", "riscv64gc-unknown-none-elf");
    let empty = tempfile::tempdir().unwrap();
    let o = command()
        .args(["runner", "--target", "riscv64-none", "--timeout", "20", elf.to_str().unwrap(), "probe=srst-fail"])
        .current_dir(empty.path())
        .env("CROSSFLAKE_CACHE_DIR", empty.path())
        .env_remove("CROSSFLAKE_OPENSBI")
        .output_bounded()
        .unwrap();
    // Stock OpenSBI: exit 0, and crossflake says why that proves nothing.
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("ends every SBI shutdown with exit 0 whatever its reason"), "{}", text(&o));
    assert!(text(&o).contains("scripts/build-opensbi"), "{}", text(&o));
}

#[test]
fn aarch64_semihosting_and_psci_are_judged() {
    require_tool("qemu-system-aarch64");
    let elf = probe("aarch64-none", "aarch64-unknown-none");
    let here = tempfile::tempdir().unwrap();
    for (name, code) in [
        ("semi-exit0", 0),
        ("semi-exit3", 3),
        ("semi-runtime", 1),
        ("semi-internal", 1),
        ("panic-semi-exit0", 101),
        ("panic-psci-off", 101),
        ("psci-off", 0),
    ] {
        let o = boot("aarch64-none", &elf, name, here.path());
        assert_eq!(o.status.code(), Some(code), "{name}: {}", text(&o));
        assert!(text(&o).contains(&format!("probe: {name}\n")), "{name} ran: {}", text(&o));
        // A panic's exit 0 is overruled, and said; no other verdict is.
        let said = text(&o).contains("counted as a failure");
        assert_eq!(said, name.starts_with("panic-"), "{name}: {}", text(&o));
    }
}

#[test]
fn console_rules_from_the_crates_metadata() {
    require_tool("qemu-system-aarch64");
    let elf = probe("aarch64-none", "aarch64-unknown-none");
    let krate = tempfile::tempdir().unwrap();
    let manifest = |meta: &str| {
        std::fs::write(
            krate.path().join("Cargo.toml"),
            format!("[package]\nname = \"k\"\nversion = \"0.1.0\"\n\n[package.metadata.crossflake]\n{meta}\n"),
        )
        .unwrap()
    };
    manifest("fail_pattern = '^probe: semi-exit0$'");
    let o = boot("aarch64-none", &elf, "semi-exit0", krate.path());
    assert_eq!(o.status.code(), Some(101), "{}", text(&o));
    assert!(text(&o).contains("fail_pattern"), "{}", text(&o));
    manifest("pass_pattern = 'all tests passed'");
    let o = boot("aarch64-none", &elf, "semi-exit0", krate.path());
    assert_eq!(o.status.code(), Some(101), "{}", text(&o));
    assert!(text(&o).contains("without printing the pass_pattern"), "{}", text(&o));
    manifest("pass_pattern = '^probe: semi'");
    assert_eq!(boot("aarch64-none", &elf, "semi-exit0", krate.path()).status.code(), Some(0));
    manifest("panic_rule = false");
    assert_eq!(boot("aarch64-none", &elf, "panic-semi-exit0", krate.path()).status.code(), Some(0), "rule off");
    manifest("pass_patern = 'typo'");
    let o = boot("aarch64-none", &elf, "semi-exit0", krate.path());
    assert_eq!(o.status.code(), Some(2), "a misspelt key is named: {}", text(&o));
    assert!(text(&o).contains("pass_patern"), "{}", text(&o));
}
