//! The real binary: listing, usage errors, dry runs, missing tools, and the
//! runner's timeout and signal handling (no process may survive).
use crate::common::*;

use std::time::{Duration, Instant};

#[test]
fn targets_json_lists_every_spec() {
    let o = crossflake(&["targets", "--json"], &root());
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(
        list.len(),
        std::fs::read_dir(root().join("targets"))
            .unwrap()
            .filter(|e| { e.as_ref().unwrap().path().extension().is_some_and(|x| x == "toml") })
            .count()
    );
    let aarch64 = list.iter().find(|t| t["name"] == "aarch64").unwrap();
    assert_eq!(aarch64["rust_triple"], "aarch64-unknown-linux-gnu");
    assert_eq!(aarch64["runner"]["type"], "qemu-user");
}

#[test]
fn unknown_target_exits_2_and_suggests() {
    let o = crossflake(&["build", "--target", "riscv46", "--backend", "host"], &root());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown target \"riscv46\"") && err.contains("closest known targets: riscv64"), "{err}");
}

#[test]
fn dry_run_prints_the_cargo_command_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let o = crossflake(&["test", "--target", "rv64", "--backend", "host", "--dry-run"], dir.path());
    assert_eq!(o.status.code(), Some(2), "no Cargo.toml is a usage error, dry run too: {}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no Cargo.toml in"), "{}", text(&o));
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\nversion = \"0.1.0\"\n").unwrap();
    let o = crossflake(&["test", "--target", "rv64", "--backend", "host", "--dry-run"], dir.path());
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("cargo test --target riscv64gc-unknown-linux-gnu"), "{out}");
    assert!(out.contains("CARGO_TARGET_RISCV64GC_UNKNOWN_LINUX_GNU_LINKER=riscv64-linux-gnu-gcc"), "{out}");
    assert!(!dir.path().join("target").exists(), "a dry run builds nothing");
    let o = crossflake(
        &["--message-format", "json", "build", "--target", "aarch64", "--backend", "host", "--dry-run"],
        dir.path(),
    );
    let line = String::from_utf8_lossy(&o.stdout).lines().next().unwrap().to_string();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["event"], "plan");
    assert_eq!(v["plan"]["cargo"]["target"], "aarch64-unknown-linux-gnu");
}

#[test]
fn missing_linker_exits_3_naming_the_package() {
    let empty = tempfile::tempdir().unwrap();
    let o = command()
        .args(["build", "--target", "riscv64", "--backend", "host"])
        .current_dir(root())
        .env("PATH", empty.path())
        .output_bounded()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("riscv64-linux-gnu-gcc") && err.contains("apt-get install gcc-riscv64-linux-gnu"), "{err}");
    assert!(err.contains("nix develop .#riscv64"), "{err}");
}

#[test]
fn doctor_reports_every_target() {
    let o = crossflake(&["doctor", "--json"], &root());
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let specs = std::fs::read_dir(root().join("targets")).unwrap().flatten();
    let specs = specs.filter(|e| e.path().extension().is_some_and(|x| x == "toml")).count();
    assert_eq!(v["targets"].as_array().unwrap().len(), specs);
    let darwin = v["targets"].as_array().unwrap().iter().find(|t| t["target"] == "aarch64-darwin").unwrap();
    assert_eq!(darwin["can_run"], false);
    // A Nix too old for crossflake's flake (nixpkgs 25.11 needs 2.18) is said, with the fix;
    // a current one is usable (a fake nix: the machine's own must not decide the test).
    for (version, says) in [("2.8.0", "2.18"), ("2.26.3", "usable")] {
        let bin = tempfile::tempdir().unwrap();
        fake_nix(bin.path(), version);
        let o = command()
            .args(["doctor", "--json"])
            .current_dir(root())
            .env("PATH", path_with(bin.path()))
            .output_bounded()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["nix"]["version"].as_str().unwrap().contains(version), "{}", v["nix"]);
        let verdict = v["nix"]["verdict"].as_str().unwrap();
        assert!(verdict.contains(says), "{version}: {verdict}");
    }
}

/// The note that the Nix backend cannot serve is said when it is news: on the first
/// command, again after nix changed, and when asked for (-v); not on every command. An
/// explicit --backend nix still fails, naming why. (A fake nix too old for crossflake's
/// flake: the machine's own Nix must not decide the test.)
#[test]
fn the_nix_fallback_note_is_said_when_it_is_news() {
    let (bin, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fake_nix(bin.path(), "2.8.0");
    let run = |args: &[&str]| {
        command()
            .args(args)
            .current_dir(root().join("examples/hello"))
            .env("PATH", path_with(bin.path()))
            .env("CROSSFLAKE_CACHE_DIR", cache.path())
            .env_remove("CROSSFLAKE_NIX_REFRESH")
            .output_bounded()
            .unwrap()
    };
    let notes = |o: &std::process::Output| text(o).matches("the Nix backend cannot serve").count();
    let o = run(&["matrix", "--targets", "aarch64,riscv64,armv7", "--dry-run"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(notes(&o), 1, "the first command says it once for all targets: {}", text(&o));
    let o = run(&["build", "--target", "aarch64", "--dry-run"]);
    assert_eq!(notes(&o), 0, "a cached answer is not news: {}", text(&o));
    let o = run(&["-v", "build", "--target", "aarch64", "--dry-run"]);
    assert_eq!(notes(&o), 1, "-v asks for it: {}", text(&o));
    fake_nix(bin.path(), "2.9.10");
    let o = run(&["build", "--target", "aarch64", "--dry-run"]);
    assert_eq!(notes(&o), 1, "another nix is news again: {}", text(&o));
    let o = run(&["build", "--target", "aarch64", "--dry-run"]);
    assert_eq!(notes(&o), 0, "{}", text(&o));
    let o = run(&["build", "--target", "aarch64", "--backend", "nix"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("2.18"), "{}", text(&o));
}

#[test]
fn runner_kills_the_whole_process_group_at_the_timeout() {
    let start = Instant::now();
    // A shell that leaves a grandchild behind: both must go.
    let o = crossflake(
        &["runner", "--target", "x86_64", "--timeout", "1", "/bin/sh", "-c", "sleep 7231 & sleep 7231; wait"],
        &root(),
    );
    assert_eq!(o.status.code(), Some(124), "{}", text(&o));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(String::from_utf8_lossy(&o.stderr).contains("TIMEOUT"), "{}", text(&o));
    // The runner returns only once its whole tree is gone.
    assert_eq!(processes_matching("sleep 7231"), Vec::<String>::new(), "processes left behind");
}

#[test]
fn runner_on_sigint_kills_its_children_and_exits_130() {
    let mut cmd = command();
    cmd.args(["runner", "--target", "x86_64", "/bin/sh", "-c", "sleep 7232 & echo started; sleep 7232; wait"]);
    let mut run = Running::start(cmd);
    run.wait_for_line("started", Duration::from_secs(30));
    // SAFETY: kill(2) on the runner's pid.
    unsafe { libc::kill(run.child.id() as i32, libc::SIGINT) };
    let (status, out) = run.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(130), "{out}");
    assert_eq!(processes_matching("sleep 7232"), Vec::<String>::new(), "processes left behind");
}

#[test]
fn runner_passes_the_exit_code_through() {
    let o = crossflake(&["runner", "--target", "x86_64", "/bin/sh", "-c", "exit 7"], &root());
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
}

#[test]
fn hung_emulated_test_is_killed_at_the_timeout() {
    require_tool("qemu-aarch64");
    require_tool("aarch64-linux-gnu-gcc");
    let fixture = root().join("tests/fixtures/hang");
    let td = shared_target_dir();
    let start = Instant::now();
    let o = crossflake(
        &[
            "test",
            "--target",
            "aarch64",
            "--backend",
            "host",
            "--timeout",
            "3",
            "--target-dir",
            td.to_str().unwrap(),
            "--",
            "--ignored",
        ],
        &fixture,
    );
    assert_eq!(o.status.code(), Some(124), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("timed out after 3 s"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(120));
    let left: Vec<_> = processes_matching("qemu-aarch64").into_iter().filter(|l| l.contains("/hang-")).collect();
    assert!(left.is_empty(), "qemu left running: {left:?}");
}

#[test]
fn a_targets_c_flags_come_first_and_the_users_follow() {
    // The cc crate reads only the first of CFLAGS_<t>, TARGET_CFLAGS, CFLAGS: the target's
    // flags must not hide the user's.
    let dir = tempfile::tempdir().unwrap();
    let env = |vars: &[(&str, &str)]| {
        let mut c = command();
        c.args(["env", "--target", "wasm32-wasip1"]).current_dir(dir.path());
        for (k, v) in vars {
            c.env(k, v);
        }
        let o = c.output_bounded().unwrap();
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).lines().find(|l| l.contains("CFLAGS_wasm32_wasip1=")).unwrap().to_string()
    };
    let ours = "-nostdlibinc -isystem /usr/include/wasm32-wasi";
    assert_eq!(env(&[]), format!("export CFLAGS_wasm32_wasip1='{ours}'"));
    assert_eq!(env(&[("CFLAGS", "-O1 -DX")]), format!("export CFLAGS_wasm32_wasip1='{ours} -O1 -DX'"));
    assert_eq!(env(&[("TARGET_CFLAGS", "-g"), ("CFLAGS", "-O1")]), format!("export CFLAGS_wasm32_wasip1='{ours} -g'"));
}

#[test]
fn zig_is_found_in_a_pip_virtual_environment_as_cargo_zigbuild_finds_it() {
    // `pip install ziglang cargo-zigbuild` in a venv whose bin/ is on PATH (as the CI
    // workflow's host rows do): no `zig` on PATH, the package's binary in site-packages.
    let t = tempfile::tempdir().unwrap();
    let venv = t.path().join("venv");
    let zig = venv.join("lib/python3.12/site-packages/ziglang/zig");
    for exe in [venv.join("bin/python3"), venv.join("bin/cargo-zigbuild"), zig.clone()] {
        std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
        std::fs::write(&exe, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let home = std::env::var("HOME").unwrap();
    let path = format!("{}:{home}/.cargo/bin:/usr/bin:/bin", venv.join("bin").display());
    let krate = t.path().join("app");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(krate.join("Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::write(krate.join("src/main.rs"), "fn main() {}\n").unwrap();
    let o = command()
        .args(["build", "--target", "aarch64-darwin", "--dry-run"])
        .current_dir(&krate)
        .env("PATH", path)
        .env("CROSSFLAKE_CACHE_DIR", t.path().join("cache"))
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(&format!("CARGO_ZIGBUILD_ZIG_PATH={}", zig.display())), "{}", text(&o));
}
