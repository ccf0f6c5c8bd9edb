//! crossflake as a transparent cargo, for real: cargo's own flags on a real
//! workspace under qemu-aarch64, doctests under the runner, a crate's own
//! runner from .cargo/config.toml kept (wrapped) or refused on request,
//! nextest, `env` and `shell`, signals to crossflake's PID, the toolchain
//! pin, one-time notes and one exit code per kind of bad input.
use crate::common::*;
use std::process::Command;
use std::time::Duration;

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures").join(name)
}

fn td() -> String {
    shared_target_dir().display().to_string()
}

#[test]
fn cargo_flags_pass_through_on_a_real_workspace() {
    require_tool("qemu-aarch64");
    let o = crossflake(
        &[
            "test",
            "--workspace",
            "--target",
            "aarch64",
            "--locked",
            "--backend",
            "host",
            "--no-fail-fast",
            "--exclude",
            "wapp",
            "--target-dir",
            &td(),
            "-j",
            "2",
            "--",
            "--test-threads",
            "1",
        ],
        &fixture("workspace"),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("test tests::runs_on_the_target_machine ... ok"), "wcore's unit test ran: {out}");
    assert!(out.contains("aarch64-unknown-linux-gnu/debug/deps/wcore-"), "built for the target: {out}");
    assert!(!out.contains("Running tests/app.rs"), "--exclude wapp was honoured: {out}");
    // The whole workspace, the proc-macro's own tests run on the host (issue 24: they
    // exited 127 without the toolchain's sysroot on the library path).
    for target in PROBE_TARGETS {
        let o = crossflake(
            &["test", "--target", target, "--backend", "host", "--workspace", "--target-dir", &td()],
            &fixture("workspace"),
        );
        let out = text(&o);
        assert!(o.status.success() && out.contains("test the_macro_expands ... ok"), "{target}: {out}");
    }
}

/// The targets issue 24 names: qemu-user (glibc), wine, native musl.
const PROBE_TARGETS: [&str; 4] = ["aarch64", "riscv64", "windows", "x86_64-musl"];

/// What tests/fixtures/env-probe's tests printed: per kind (`target-unit`, `integration`,
/// `host-proc-macro`), the working directory (as `cwd`) and every variable.
fn probe_blocks(out: &str) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
    let mut blocks = std::collections::BTreeMap::new();
    let mut cur: Option<String> = None;
    for l in out.lines() {
        if let Some(kind) = l.strip_prefix("PROBE-BEGIN ") {
            cur = Some(kind.trim().to_string());
            blocks.insert(kind.trim().to_string(), std::collections::BTreeMap::new());
        } else if l.starts_with("PROBE-END") {
            cur = None;
        } else if let Some(kind) = &cur {
            let (k, v) = match (l.strip_prefix("cwd="), l.strip_prefix("env ")) {
                (Some(cwd), _) => ("cwd".to_string(), cwd.to_string()),
                (_, Some(kv)) => kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap_or_default(),
                _ => continue,
            };
            blocks.get_mut(kind).unwrap().insert(k, v);
        }
    }
    blocks
}

/// Every test binary crossflake runs itself is started as cargo starts it: the same
/// variables (cargo's CARGO_*, OUT_DIR, CARGO_BIN_EXE_<name>, a build script's
/// rustc-env, the library path with the sysroot a proc-macro's tests need) and working
/// directory, for a target unit test, an integration test and a host proc-macro's test.
/// Compared with plain `cargo test` in `crossflake env`'s environment; the only
/// differences allowed are the ones each way of starting has by design.
#[test]
fn test_binaries_get_what_cargo_gives_them() {
    require_tool("qemu-aarch64");
    require_tool("qemu-riscv64");
    require_tool("wine");
    // `crossflake env` adds CARGO_BUILD_TARGET (crossflake passes --target) and the
    // toolchain's bin first on PATH (so plain `cargo` is the chosen one); crossflake adds
    // its runners' event file; bash sets `_`.
    let by_design = ["CARGO_BUILD_TARGET", "PATH", "CROSSFLAKE_EVENTS", "_"];
    let dir = fixture("env-probe");
    for target in PROBE_TARGETS {
        let script = format!(
            "eval \"$('{}' env --target {target} --backend host)\" && cargo test --target-dir '{}' -- --nocapture",
            bin().display(),
            td()
        );
        let plain = user_command("bash").args(["-c", &script]).current_dir(&dir).output_bounded().unwrap();
        assert!(plain.status.success(), "{target}: plain cargo passes: {}", text(&plain));
        // Both started from a shell, as users start them (it sets PWD, SHLVL).
        let script = format!(
            "'{}' test --target {target} --backend host --target-dir '{}' -- --nocapture",
            bin().display(),
            td()
        );
        let cf = user_command("bash").args(["-c", &script]).current_dir(&dir).output_bounded().unwrap();
        assert!(cf.status.success(), "{target}: {}", text(&cf));
        let (want, got) = (probe_blocks(&text(&plain)), probe_blocks(&text(&cf)));
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            ["host-proc-macro", "integration", "target-unit"],
            "{target}: every probe ran: {}",
            text(&plain)
        );
        for (kind, vars) in &want {
            let mine = &got[kind];
            let differ: Vec<String> = vars
                .keys()
                .chain(mine.keys())
                .filter(|k| !by_design.contains(&k.as_str()) && vars.get(*k) != mine.get(*k))
                .map(|k| format!("{k}: cargo {:?}, crossflake {:?}", vars.get(k), mine.get(k)))
                .collect();
            assert!(differ.is_empty(), "{target} {kind}: {differ:#?}");
        }
        // The comparison has teeth: what cargo gives is there.
        let host = &got["host-proc-macro"];
        assert!(host["LD_LIBRARY_PATH"].contains("lib/rustlib/x86_64-unknown-linux-gnu/lib"), "{host:?}");
        assert!(host["cwd"].ends_with("probe-macros"), "{host:?}");
        let it = &got["integration"];
        // (wine hands Windows programs no variable whose name has a `-`, with cargo or without)
        let bin_exe = target == "windows" || it.contains_key("CARGO_BIN_EXE_probe-bin");
        assert!(bin_exe && it.contains_key("OUT_DIR"), "{it:?}");
        assert_eq!(got["target-unit"].get("PROBE_FROM_BUILD_SCRIPT").map(String::as_str), Some("yes"));
        assert_eq!(got["target-unit"].get("CARGO_PKG_VERSION_PRE").map(String::as_str), Some("rc.1"));
    }
}

#[test]
fn doctests_run_under_the_targets_runner() {
    require_tool("qemu-aarch64");
    let o = crossflake(
        &["test", "--target", "aarch64", "--backend", "host", "-p", "wcore", "--doc", "--target-dir", &td()],
        &fixture("workspace"),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("Doc-tests wcore") && out.contains("test result: ok. 1 passed"), "the doctest ran: {out}");
}

#[test]
fn a_crates_own_runner_is_wrapped_and_kept() {
    require_tool("qemu-aarch64");
    let dir = fixture("runner-map");
    // Plain cargo with the crate's runner passes: the fixture is sound.
    let plain = user_command("cargo")
        .args(["+1.95.0", "test", "--target", "aarch64-unknown-linux-gnu", "--target-dir", &td()])
        .env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER", "aarch64-linux-gnu-gcc")
        .current_dir(&dir)
        .output_bounded()
        .unwrap();
    assert!(plain.status.success(), "plain cargo: {}", text(&plain));
    let o = crossflake(&["test", "--target", "aarch64", "--backend", "host", "--target-dir", &td()], &dir);
    let out = text(&o);
    assert!(o.status.success(), "crossflake must keep the crate's runner: {out}");
    assert!(out.contains("runner-map: the program exited 3"), "the crate's runner ran: {out}");
    assert_eq!(out.matches("programs run with your runner").count(), 1, "said once: {out}");
    assert!(out.contains("scripts/run.sh") && out.contains(".cargo/config.toml"), "named with its source: {out}");
    // The opt-out: crossflake's emulator, said plainly; the exit code 3 is then a failure.
    let o = crossflake(
        &["test", "--target", "aarch64", "--backend", "host", "--runner", "crossflake", "--target-dir", &td()],
        &dir,
    );
    let out = text(&o);
    assert!(!o.status.success(), "exit 3 from the test is a failure without the crate's runner: {out}");
    assert!(out.contains("not using the runner") && !out.contains("runner-map: the program exited"), "{out}");
}

#[test]
fn nextest_runs_each_test_under_qemu_and_wine() {
    require_tool("cargo-nextest");
    require_tool("qemu-aarch64");
    let o = crossflake(
        &["nextest", "run", "--target", "aarch64", "--backend", "host", "--target-dir", &td()],
        &root().join("examples/hello"),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.matches("PASS [").count() >= 9, "nextest ran the tests one process each: {out}");
    assert!(out.contains("aarch64-unknown-linux-gnu"), "{out}");
    require_tool("wine");
    let o = crossflake(
        &["cargo", "nextest", "run", "--target", "windows", "--backend", "host", "--target-dir", &td()],
        &root().join("examples/hello"),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    // (wineserver may hold a test's output open a moment: nextest calls that LEAK, still a pass.)
    assert!(out.contains("9 tests run: 9 passed"), "under wine: {out}");
}

#[test]
fn env_makes_plain_cargo_cross_test() {
    require_tool("qemu-aarch64");
    let script = format!(
        "set -e; eval \"$({} env --target aarch64 --backend host)\"; test \"$CARGO_BUILD_TARGET\" = aarch64-unknown-linux-gnu; cargo test --target-dir {}",
        bin().display(),
        td()
    );
    let o =
        Command::new("bash").args(["-c", &script]).current_dir(root().join("examples/hello")).output_bounded().unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("aarch64-unknown-linux-gnu/debug/deps/hello-"), "plain cargo built for aarch64: {out}");
    assert!(out.contains("test result: ok."), "{out}");
    let o = crossflake(
        &["env", "--target", "aarch64", "--backend", "host", "--format", "json"],
        &root().join("examples/hello"),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"], "aarch64-linux-gnu-gcc");
    let o = crossflake(
        &["env", "--target", "aarch64", "--backend", "host", "--format", "github"],
        &root().join("examples/hello"),
    );
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.lines().any(|l| l == "CARGO_BUILD_TARGET=aarch64-unknown-linux-gnu"), "{out}");
}

#[test]
fn shell_works_on_the_host_backend() {
    let o = crossflake(
        &[
            "shell",
            "--target",
            "aarch64",
            "--backend",
            "host",
            "--",
            "sh",
            "-c",
            "echo \"[$CARGO_BUILD_TARGET $CROSSFLAKE_HOST_SHELL]\"; exit 7",
        ],
        &root().join("examples/hello"),
    );
    assert_eq!(o.status.code(), Some(7), "the command's exit code: {}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("[aarch64-unknown-linux-gnu aarch64]"), "{}", text(&o));
}

/// `crossflake test` on the hang fixture, its one test hung under qemu-aarch64 (the
/// `marker` on its command line); returns it and the emulators' pids.
fn hung_test(marker: &str) -> (Running, Vec<i32>) {
    require_tool("qemu-aarch64");
    let td = td();
    let mut cmd = command();
    cmd.args(["test", "--target", "aarch64", "--backend", "host", "--target-dir", &td])
        .args(["--", "--ignored", "--exact", "hangs_forever", marker])
        .current_dir(fixture("hang"));
    let mut run = Running::start(cmd);
    run.wait_for_line("running 1 test", Duration::from_secs(240));
    let qemu = pids_matching(marker);
    assert!(!qemu.is_empty(), "the emulated test runs: {}", run.seen());
    (run, qemu)
}

/// A hung emulated test, then `sig` to crossflake's PID only: everything stops, the
/// exit code is 128+sig, nothing is left.
fn stop_with(sig: i32, code: i32, marker: &str) {
    let (run, qemu) = hung_test(marker);
    // SAFETY: kill(2) on the child's pid only.
    unsafe { libc::kill(run.child.id() as i32, sig) };
    let (status, out) = run.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(code), "{out}");
    for p in qemu {
        assert!(wait_pid_exit(p, Duration::from_secs(1)), "qemu {p} outlived crossflake");
    }
    assert_eq!(processes_matching(marker), Vec::<String>::new(), "processes left behind");
}

#[test]
fn sigterm_to_the_pid_stops_everything() {
    stop_with(libc::SIGTERM, 143, "signal-marker-term");
}

#[test]
fn sigint_and_sighup_to_the_pid_stop_everything() {
    stop_with(libc::SIGINT, 130, "signal-marker-int");
    stop_with(libc::SIGHUP, 129, "signal-marker-hup");
}

#[test]
fn the_emulator_dies_with_its_runner_when_crossflake_is_killed() {
    let (mut run, qemu) = hung_test("signal-marker-kill");
    run.child.kill().unwrap();
    let _ = run.wait(Duration::from_secs(10));
    for p in qemu {
        assert!(wait_pid_exit(p, Duration::from_secs(10)), "qemu {p} survived a SIGKILLed crossflake");
    }
}

#[test]
fn a_missing_pinned_toolchain_exits_3_naming_the_pin() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("Cargo.toml"), "[package]\nname = \"p\"\nversion = \"0.1.0\"\n").unwrap();
    std::fs::write(t.path().join("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.80.0\"\n").unwrap();
    let o = command()
        .args(["build", "--target", "aarch64", "--backend", "host", "--dry-run"])
        .current_dir(t.path())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTUP_TOOLCHAIN_SOURCE")
        .output_bounded()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("rust-toolchain.toml pins toolchain 1.80.0, which is not installed"), "{out}");
    assert!(out.contains("`rustup toolchain install 1.80.0 --target aarch64-unknown-linux-gnu`"), "{out}");
    // `+NAME` says otherwise.
    let o = command()
        .args(["+1.95.0", "build", "--target", "aarch64", "--backend", "host", "--dry-run"])
        .current_dir(t.path())
        .env_remove("RUSTUP_TOOLCHAIN")
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn bad_input_gets_one_exit_code_per_kind() {
    let hello = root().join("examples/hello");
    let no_crate = tempfile::tempdir().unwrap();
    let bad_json = no_crate.path().join("bad.json");
    std::fs::write(&bad_json, "{ not json").unwrap();
    let aarch64_elf = shared_target_dir().join("no-such-program");
    let cases: Vec<(Vec<&str>, &std::path::Path, i32, &str)> = vec![
        (vec!["test", "--target", "aarch64", "--dry-run"], no_crate.path(), 2, "no Cargo.toml in"),
        (
            vec!["build", "--target", "/nonexistent/t.json", "--dry-run"],
            &hello,
            2,
            "cannot read the custom target file",
        ),
        (vec!["build", "--target", bad_json.to_str().unwrap(), "--dry-run"], &hello, 2, "is not valid JSON"),
        (
            vec![
                "build",
                "--target",
                "aarch64",
                "--backend",
                "host",
                "--bogus-flag",
                "--target-dir",
                "/nonexistent-td",
            ],
            &hello,
            2,
            "does not take `--bogus-flag`",
        ),
        (vec!["build", "--target", "riscv46"], &hello, 2, "closest known targets"),
        (vec!["build"], no_crate.path(), 2, "needs --target"),
        (vec!["runner", "--target", "aarch64", aarch64_elf.to_str().unwrap()], &hello, 125, "No such file"),
        (
            vec!["runner", "--target", "aarch64", "/bin/sh"],
            &hello,
            125,
            "it is an ELF for x86_64, but aarch64-unknown-linux-gnu runs aarch64",
        ),
        (vec!["runner", "--target", "aarch64", "/etc/hostname"], &hello, 125, "not an executable"),
        (vec!["runner", "--target", "aarch64-darwin", "/bin/sh"], &hello, 125, "cannot run /bin/sh for aarch64-darwin"),
    ];
    for (args, dir, code, says) in cases {
        let o = crossflake(&args, dir);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{args:?} should say {says:?}: {}", text(&o));
    }
    // crossflake itself failing (its target data unreadable) is 1.
    let o = command().args(["targets"]).env("CROSSFLAKE_TARGETS_DIR", "/nonexistent").output_bounded().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn tests_that_cannot_run_here_exit_125_after_building() {
    // A target whose programs cannot run here, that still builds here: x86_64-musl with its
    // runner taken away, in a copy of the target data.
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("targets")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "toml") {
            let mut text = std::fs::read_to_string(e.path()).unwrap();
            if e.file_name() == "x86_64-musl.toml" {
                let (start, end) = (text.find("[runner]").unwrap(), text.find("[host]").unwrap());
                text.replace_range(start..end, "[runner]\ntype = \"none\"\nreason = \"no runner in this test\"\n\n");
                assert!(text.contains("no runner in this test"));
            }
            std::fs::write(dir.path().join(e.file_name()), text).unwrap();
        }
    }
    let run = |extra: &[&str]| {
        let mut args = vec!["test", "--target", "x86_64-musl", "--backend", "host", "--target-dir"];
        let td = td();
        args.push(&td);
        args.extend_from_slice(extra);
        command()
            .args(&args)
            .current_dir(root().join("examples/hello"))
            .env("CROSSFLAKE_TARGETS_DIR", dir.path())
            .output_bounded()
            .unwrap()
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(125), "built, not run, and not a pass: {}", text(&o));
    assert!(text(&o).contains("tests for x86_64-musl are built, not run: no runner in this test"), "{}", text(&o));
    let o = run(&["--no-run"]);
    assert!(o.status.success(), "a build of the tests was asked for: {}", text(&o));
}
