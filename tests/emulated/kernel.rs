//! The sample kernel booted and tested under qemu-system through the
//! launcher: passing tests, a failing test, a hang, GDB, any ELF, custom JSON.
use crate::common::*;
use std::time::{Duration, Instant};

fn kernel() -> std::path::PathBuf {
    root().join("examples/kernel")
}

fn kernel_test(target: &str, extra: &[&str]) -> std::process::Output {
    let td = shared_target_dir();
    let mut args = vec!["test", "--target", target, "--backend", "host", "--target-dir", td.to_str().unwrap()];
    args.extend_from_slice(extra);
    crossflake(&args, &kernel())
}

#[test]
fn kernel_tests_are_counted_per_test_on_every_bare_metal_target() {
    for (target, qemu) in [
        ("riscv64-none", "qemu-system-riscv64"),
        ("aarch64-none", "qemu-system-aarch64"),
        ("aarch64-unknown-none-softfloat", "qemu-system-aarch64"),
    ] {
        require_tool(qemu);
        let o = kernel_test(target, &["--test", "basic"]);
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        // One line per test, libtest's summary: the harness booted once per test.
        for t in ["alloc_vec", "panic_message_reaches_handler", "boot_args_reach_the_kernel"] {
            assert!(out.contains(&format!("test {t} ... ok")), "{target}: {t}: {out}");
        }
        assert!(out.contains("test heap_churn_is_slow ... ignored"), "{target}: {out}");
        assert!(
            out.contains("test result: ok. 10 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out"),
            "{target}: {out}"
        );
    }
}

#[test]
fn a_filter_boots_exactly_one_test_and_list_names_them_all() {
    require_tool("qemu-system-riscv64");
    let o = kernel_test("riscv64-none", &["--test", "basic", "--", "alloc_vec", "--exact"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("running 1 test\n") && out.contains("test alloc_vec ... ok"), "{out}");
    assert!(out.contains("1 passed; 0 failed; 0 ignored; 0 measured; 10 filtered out"), "{out}");
    assert_eq!(out.matches(" ... ok").count(), 1, "{out}");
    let o = kernel_test("riscv64-none", &["--test", "basic", "--", "--list", "--format", "terse"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(out.lines().filter(|l| l.ends_with(": test")).count(), 11, "{out}");
    assert!(out.contains("alloc_vec: test\n"), "{out}");
    // --ignored runs the ignored one alone.
    let o = kernel_test("aarch64-none", &["--test", "basic", "--", "--ignored"]);
    let out = text(&o);
    assert!(o.status.success() && out.contains("test heap_churn_is_slow ... ok"), "{out}");
}

#[test]
fn failing_kernel_tests_fail_one_by_one_with_their_reasons() {
    require_tool("qemu-system-riscv64");
    let o = kernel_test("riscv64-none", &["--features", "demo-fail", "--test", "demo_fail"]);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("test passes ... ok"), "the passing one still passes: {out}");
    for t in
        ["returns_error", "does_not_panic", "fails_on_purpose", "panics_with_the_wrong_message", "traps_on_purpose"]
    {
        assert!(out.contains(&format!("test {t} ... FAILED")), "{t}: {out}");
    }
    assert!(out.contains("Error: \"expected 4, got 5\""), "the console of the failing test is shown: {out}");
    assert!(out.contains("1 passed; 5 failed"), "{out}");
}
#[test]
fn a_hung_kernel_test_is_killed_at_its_timeout_and_the_others_still_run() {
    require_tool("qemu-system-aarch64");
    let start = Instant::now();
    let o = kernel_test("aarch64-none", &["--features", "demo-hang", "--test", "demo_hang", "--timeout", "3"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(124), "{out}");
    assert!(out.contains("test hangs ... FAILED (timed out after 3 s)"), "{out}");
    assert!(out.contains("test passes_before_the_hang ... ok"), "{out}");
    assert!(out.contains("test passes_after_the_hang ... ok"), "{out}");
    assert!(out.contains("timed out after 3 s and was killed"), "the launcher says which: {out}");
    assert!(start.elapsed() < Duration::from_secs(90));
    let left: Vec<_> =
        processes_matching("qemu-system-aarch64").into_iter().filter(|l| l.contains("demo_hang")).collect();
    assert!(left.is_empty(), "qemu left running: {left:?}");
}

/// Builds the kernel binary for `triple` and returns its path.
fn built_kernel(target: &str, triple: &str) -> std::path::PathBuf {
    let td = shared_target_dir();
    let o = crossflake(
        &["build", "--target", target, "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &kernel(),
    );
    assert!(o.status.success(), "{}", text(&o));
    td.join(triple).join("debug/kernel")
}

#[test]
fn the_runner_boots_any_elf_and_maps_exit_codes() {
    require_tool("qemu-system-riscv64");
    let elf = built_kernel("riscv64-none", "riscv64gc-unknown-none-elf");
    // Copied elsewhere: the runner needs nothing but the ELF.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("my-kernel.elf");
    std::fs::copy(&elf, &copy).unwrap();
    let o = crossflake(&["runner", "--target", "riscv64gc-unknown-none-elf", copy.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("crossflake sample kernel"), "{}", text(&o));
    let o = crossflake(&["runner", "--target", "riscv64-none", "/etc/hostname"], dir.path());
    assert_ne!(o.status.code(), Some(0), "a file that is not a kernel must not pass: {}", text(&o));
}

#[test]
fn gdb_attaches_to_a_halted_kernel() {
    require_tool("qemu-system-aarch64");
    require_tool("gdb-multiarch");
    let elf = built_kernel("aarch64-none", "aarch64-unknown-none");
    let port = "47311";
    let GdbSession { status, stderr: err, gdb_out, .. } = gdb_session("aarch64-none", port, &elf, &[]);
    assert!(err.contains(&format!("target remote :{port}")), "the runner prints the gdb command: {err}");
    assert!(gdb_out.contains("pc "), "gdb read the halted CPU's pc: {gdb_out}");
    assert_eq!(status.code(), Some(0), "the kernel ran to completion after `continue`: {err}\n{gdb_out}");
}

#[test]
fn custom_target_json_builds_with_build_std_and_boots() {
    require_tool("qemu-system-riscv64");
    let json = root().join("targets/custom/riscv64imac-crossflake-none-elf.json");
    let o = kernel_test(json.to_str().unwrap(), &["--test", "basic"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("is built from rust-src (-Zbuild-std)"), "{out}");
    assert!(out.contains("test alloc_vec ... ok"), "{out}");
}

#[test]
fn run_boots_the_sample_kernel() {
    require_tool("qemu-system-riscv64");
    let td = shared_target_dir();
    let o = crossflake(
        &["run", "--target", "riscv64-none", "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &kernel(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("crossflake sample kernel") && out.contains("on riscv64"), "{out}");
}

#[test]
fn a_crates_own_machine_variant_boots_the_kernel_tests() {
    require_tool("qemu-system-riscv64");
    let boards = tempfile::tempdir().unwrap();
    std::fs::write(
        boards.path().join("rv-virt-smp2.toml"),
        "base = \"riscv64-none\"\nname = \"rv-virt-smp2\"\naliases = [\"rv-smp2\"]\ndescription = \"virt, 2 harts, 256 MiB\"\n\
         [runner]\nargs = [\"-machine\", \"virt\", \"-smp\", \"2\", \"-nographic\", \"-bios\", \"default\", \"-m\", \"256M\", \"-nic\", \"none\"]\n",
    )
    .unwrap();
    let dir = boards.path().to_str().unwrap();
    let o = kernel_test("rv-smp2", &["--targets-dir", dir, "--test", "basic"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("test result: ok. 10 passed"), "{out}");
    // (The runner found the variant: an unknown target there would have failed every boot.)
    let o = kernel_test("rv-smp2", &["--targets-dir", dir, "--dry-run"]);
    assert!(text(&o).contains(&format!("runner --target rv-virt-smp2 --targets-dir {dir}")), "{}", text(&o));
    let o = crossflake(&["runner", "--target", "rv-virt-smp2", "--targets-dir", dir, "--dry-run", "/k.elf"], &kernel());
    let line = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(line.contains("-smp 2") && line.contains("-m 256M") && line.contains("-kernel /k.elf"), "{}", text(&o));
}
