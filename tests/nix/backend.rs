//! The Nix backend against real Nix (Debian's nix-bin is enough) and fixture
//! flakes of plain derivations: cargo runs inside the dev shell with its
//! variables and runner; the cache hits, misses, invalidates and repairs
//! itself; dry runs run no nix. Without nix these tests fail, loudly.
use crate::nix_support::{system, text, Fixture, OutputBounded};

const SHELL_ATTR: &str = "devShells.@.x86_64";

fn attr() -> String {
    SHELL_ATTR.replace('@', &system())
}

fn evaluations(calls: &[String]) -> usize {
    calls.iter().filter(|c| c.starts_with("eval") || c.starts_with("print-dev-env")).count()
}

#[test]
fn cargo_runs_inside_the_dev_shell_with_its_variables_and_runner() {
    let fx = Fixture::new("from-the-dev-shell");
    let out = fx.ok(&["run", "--target", "x86_64"]);
    assert!(out.contains("with nix backend"), "{out}");
    assert!(out.contains("cargo: from the dev shell"), "cargo must come from the shell's PATH:\n{out}");
    assert!(out.contains("built-with=from-the-dev-shell"), "the build must see the shell's variables:\n{out}");
    assert!(out.contains("runtime=from-the-dev-shell"), "{out}");
    assert!(out.contains("runner: from the dev shell"), "the shell's CARGO_TARGET_<T>_RUNNER must be used:\n{out}");
}

#[test]
fn a_repeated_command_is_a_cache_hit_and_runs_no_nix() {
    let fx = Fixture::new("one");
    fx.ok(&["build", "--target", "x86_64"]);
    let first = fx.nix_calls();
    assert!(first.iter().any(|c| c.starts_with("print-dev-env --json --profile")), "{first:?}");
    // Files outside the key rule (the crate, a README) do not invalidate.
    std::fs::write(fx.flake.join("README.md"), "notes").unwrap();
    let start = std::time::Instant::now();
    let out = fx.ok(&["build", "--target", "x86_64"]);
    let took = start.elapsed();
    assert_eq!(fx.nix_calls(), first, "a cache hit must not run nix at all:\n{out}");
    assert!(out.contains("dev environment from the cache"), "{out}");
    assert!(took.as_secs() < 10, "a cached build took {took:?}");
}

#[test]
fn editing_flake_nix_invalidates_the_entry() {
    let fx = Fixture::new("before-edit");
    assert!(fx.ok(&["run", "--target", "x86_64"]).contains("built-with=before-edit"));
    let before = evaluations(&fx.nix_calls());
    fx.set_marker("after-edit");
    let out = fx.ok(&["run", "--target", "x86_64"]);
    assert!(evaluations(&fx.nix_calls()) > before, "an edited flake.nix must be evaluated again:\n{out}");
    assert!(out.contains("built-with=after-edit") && out.contains("runtime=after-edit"), "{out}");
    assert_eq!(fx.entries().len(), 1, "one slot per flake and shell");
}

#[test]
fn a_corrupt_entry_is_detected_and_rebuilt() {
    let fx = Fixture::new("intact");
    fx.ok(&["build", "--target", "x86_64"]);
    let entry = fx.entries().pop().expect("an entry");
    // Broken JSON.
    std::fs::write(&entry, "{ not json").unwrap();
    let calls = fx.nix_calls().len();
    let out = fx.ok(&["build", "--target", "x86_64"]);
    assert!(out.contains("corrupt"), "{out}");
    assert!(fx.nix_calls()[calls..].iter().any(|c| c.starts_with("print-dev-env")), "{out}");
    // Valid JSON whose environment no longer matches its checksum.
    let text = std::fs::read_to_string(&entry).unwrap().replace("intact", "tampered");
    std::fs::write(&entry, text).unwrap();
    let calls = fx.nix_calls().len();
    let out = fx.ok(&["run", "--target", "x86_64"]);
    assert!(out.contains("checksum"), "{out}");
    assert!(out.contains("runtime=intact"), "the rebuilt entry must hold the real environment:\n{out}");
    assert!(fx.nix_calls()[calls..].iter().any(|c| c.starts_with("print-dev-env")));
}

#[test]
fn the_environment_is_a_gc_root() {
    let fx = Fixture::new("rooted");
    fx.ok(&["build", "--target", "x86_64"]);
    let profile = fx
        .cache
        .join("nix")
        .read_dir()
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "profile"));
    let profile = profile.expect("a profile next to the entry");
    let env_path = std::fs::canonicalize(&profile).unwrap();
    assert!(env_path.starts_with("/nix/store") && env_path.display().to_string().ends_with("-env"), "{env_path:?}");
    let roots = std::process::Command::new("nix-store")
        .args(["--query", "--roots"])
        .arg(&env_path)
        .env("NIX_CONFIG", crate::nix_support::NIX_CONFIG)
        .output_bounded()
        .unwrap();
    let roots = String::from_utf8_lossy(&roots.stdout);
    assert!(roots.contains(&fx.cache.join("nix").display().to_string()), "not rooted by the cache: {roots}");
}

#[test]
fn dry_run_shows_the_nix_command_and_runs_no_nix() {
    let fx = Fixture::new("dry");
    let out = fx.ok(&["build", "--target", "x86_64", "--backend", "nix", "--dry-run"]);
    assert!(out.contains("nix print-dev-env --json --profile"), "{out}");
    assert!(out.contains(&format!("{}#{}", fx.flake.display(), attr())), "{out}");
    assert!(out.contains("cargo build --target x86_64-unknown-linux-gnu"), "{out}");
    assert!(fx.nix_calls().is_empty(), "a dry run must run no nix: {:?}", fx.nix_calls());
    let remote = ["--builders", "ssh://b x86_64-linux", "--option", "cores", "1"];
    let out = fx.ok(&[&["build", "--target", "x86_64", "--backend", "nix", "--dry-run"][..], &remote].concat());
    assert!(out.contains("--builders 'ssh://b x86_64-linux' --option cores 1"), "remote options pass through:\n{out}");
    // Once cached, a dry run shows the exact step, the shell's variables included, still without nix.
    fx.ok(&["build", "--target", "x86_64"]);
    let calls = fx.nix_calls();
    let out = fx.ok(&["build", "--target", "x86_64", "--dry-run"]);
    assert!(out.contains("CROSSFLAKE_FIXTURE_MARKER=dry"), "{out}");
    assert_eq!(fx.nix_calls(), calls);
}

#[test]
fn a_flake_without_the_shell_falls_back_to_host_and_the_answer_is_cached() {
    let fx = Fixture::new("negative");
    let first = text(&fx.run(&["build", "--target", "aarch64-darwin", "--dry-run"]));
    assert!(first.contains("using the host backend"), "{first}");
    assert!(first.contains("has no dev shell for aarch64-darwin"), "{first}");
    let calls = fx.nix_calls();
    assert_eq!(evaluations(&calls), 1, "{calls:?}");
    let second = text(&fx.run(&["build", "--target", "aarch64-darwin", "--dry-run"]));
    assert!(!second.contains("using the host backend"), "a cached answer is not news: {second}");
    let verbose = text(&fx.run(&["-v", "build", "--target", "aarch64-darwin", "--dry-run"]));
    assert!(verbose.contains("using the host backend") && verbose.contains("cached answer"), "-v says it: {verbose}");
    assert_eq!(fx.nix_calls(), calls, "a cached negative answer must not run nix");
    // Explicitly asked for, the Nix backend says why it cannot serve.
    let o = fx.run(&["build", "--target", "aarch64-darwin", "--backend", "nix"]);
    assert!(!o.status.success() && text(&o).contains("has no dev shell"), "{}", text(&o));
}

#[test]
fn shell_runs_a_command_in_the_environment_with_the_shell_hook() {
    let fx = Fixture::new("in-shell");
    let o = fx.run(&[
        "shell",
        "--target",
        "x86_64",
        "--",
        "sh",
        "-c",
        "echo $CROSSFLAKE_FIXTURE_MARKER $CROSSFLAKE_FROM_HOOK; exit 7",
    ]);
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("in-shell hook-ran"), "{}", text(&o));
    let dry = fx.ok(&["shell", "--target", "x86_64", "--dry-run", "--", "true"]);
    assert!(dry.contains("nix print-dev-env") && dry.contains(".profile"), "{dry}");
}

#[test]
fn package_check_and_inspect_use_the_flake() {
    let fx = Fixture::new("outputs");
    let out = fx.ok(&["package", "--target", "riscv64-none"]);
    assert!(out.lines().any(|l| l.starts_with("/nix/store/") && l.ends_with("-kernel-riscv64")), "{out}");
    assert!(fx.krate.join("result-riscv64-none").exists());
    // No packages.<system>.x86_64 in the fixture: the fallback hello-x86_64 is built.
    assert!(fx.ok(&["package", "--target", "x86_64"]).contains("-hello-x86_64"));
    // A target the flake has no package for: what it has, and the launcher's way.
    let o = fx.run(&["package", "--target", "cortex-m3"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("has none of packages.x86_64-linux.{kernel-cortex-m3}; it has: "), "{}", text(&o));
    assert!(text(&o).contains("`crossflake build --target cortex-m3`"), "{}", text(&o));
    let dry = fx.ok(&["package", "--target", "x86_64", "--dry-run"]);
    assert!(dry.contains("nix build --json --out-link") && dry.contains("hello-x86_64"), "{dry}");
    fx.ok(&["flake-check", "--target", "x86_64"]);
    let o = fx.run(&["flake-check", "--target", "riscv64-none"]);
    assert!(!o.status.success() && text(&o).contains("riscv64-none"), "{}", text(&o));
    fx.ok(&["flake-check"]);
    assert!(fx.ok(&["flake-check", "--dry-run"]).contains("nix flake check"));

    let out = fx.ok(&["inspect", "--target", "riscv64-none"]);
    for want in ["rustc 1.95.0", "qemu 10.0.2", "riscv64-none-elf-gcc-wrapper 14.3.0", "-rustc-1.95.0"] {
        assert!(out.contains(want), "inspect lacks {want:?}:\n{out}");
    }
    assert!(out.contains("CARGO_TARGET_RISCV64GC_UNKNOWN_NONE_ELF_RUNNER=qemu-system-riscv64"), "{out}");
    let built = fx.nix_calls().into_iter().filter(|c| c.starts_with("print-dev-env") && c.contains("riscv64-none"));
    assert_eq!(built.count(), 0, "inspect must build nothing");
}

#[test]
fn inside_a_crossflake_shell_its_environment_is_used_without_nix() {
    let fx = Fixture::new("inside");
    let path = std::env::join_paths(
        [fx.wrapper_dir.clone(), fx.shellbin.clone()]
            .into_iter()
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let o = fx
        .command(&["build", "--target", "x86_64", "--dry-run"])
        .env("PATH", path)
        .env("CROSSFLAKE_NIX_SHELL", "x86_64")
        .env("CROSSFLAKE_NIX_TARGETS", "aarch64 x86_64")
        .output_bounded()
        .unwrap();
    let t = text(&o);
    assert!(o.status.success() && t.contains("already in the crossflake dev shell x86_64"), "{t}");
    assert!(t.contains(&format!("{}/cargo build", fx.shellbin.display())), "cargo from the current PATH: {t}");
    assert!(fx.nix_calls().is_empty(), "{:?}", fx.nix_calls());
}
