//! The Nix backend's pure parts, without nix: the cache key rule, entries and
//! their checks, applying a dev environment, the cargo step, version rules,
//! flake and attribute resolution, and reading a shell's derivation.
use crossflake::backend::nix::cache::{cache_root, key, sha256_hex, Entry, KeyInputs, FORMAT};
use crossflake::backend::nix::devenv::DevEnv;
use crossflake::backend::nix::flake::{check_attrs, local_path, package_attrs, Flake};
use crossflake::backend::nix::slots::{Lookup, Slots};
use crossflake::backend::nix::{cargo, inspect, tool};
use crossflake::request::CargoRequest;
use crossflake::request::NixArgs;
use crossflake::resolve::machine::HostEnv;
use crossflake::targets::Registry;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn flake_dir() -> (tempfile::TempDir, Flake) {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("flake.nix"), "{ outputs = _: { }; }").unwrap();
    let f = Flake::resolve_with(None, t.path(), None, Path::new("/nonexistent")).unwrap();
    (t, f)
}

fn key_of(f: &Flake, attr: &str) -> crossflake::backend::nix::cache::Key {
    key(&KeyInputs { flake: f, attr, store: None, options: &[], nix_identity: "/usr/bin/nix|1|2" }).unwrap()
}

#[test]
fn the_key_covers_the_rules_files_and_nothing_else() {
    let (t, f) = flake_dir();
    let base = key_of(&f, "devShells.x86_64-linux.x86_64");
    let d = t.path();
    for (file, covered) in [
        ("src/main.rs", false),
        ("README.md", false),
        ("flake.lock", true),
        ("nix/shell.nix", true),
        ("targets/x86_64.toml", true),
        ("rust-toolchain.toml", true),
        ("flake.nix", true),
    ] {
        let before = key_of(&f, "devShells.x86_64-linux.x86_64");
        std::fs::create_dir_all(d.join(file).parent().unwrap()).unwrap();
        std::fs::write(d.join(file), format!("changed {file}")).unwrap();
        let after = key_of(&f, "devShells.x86_64-linux.x86_64");
        assert_eq!(before.key != after.key, covered, "{file}");
        assert_eq!(after.slot, base.slot, "content changes keep the slot");
    }
    assert_ne!(key_of(&f, "devShells.x86_64-linux.aarch64").slot, base.slot);
    let other_nix = key(&KeyInputs { flake: &f, attr: "a", store: None, options: &[], nix_identity: "/nix/2.18" });
    assert_ne!(other_nix.unwrap().key, key_of(&f, "a").key, "a new nix invalidates");
}

#[test]
fn the_cache_directory_follows_the_documented_order() {
    let env =
        |pairs: &'static [(&str, &str)]| move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
    assert_eq!(cache_root(env(&[("CROSSFLAKE_CACHE_DIR", "/c"), ("XDG_CACHE_HOME", "/x")])), Some("/c".into()));
    assert_eq!(cache_root(env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])), Some("/x/crossflake".into()));
    assert_eq!(cache_root(env(&[("HOME", "/h")])), Some("/h/.cache/crossflake".into()));
}

const DEV_ENV: &str = r#"{"bashFunctions": {"f": "echo"}, "variables": {
  "PATH": {"type": "exported", "value": "/nix/store/a-rust/bin"},
  "XDG_DATA_DIRS": {"type": "exported", "value": "/nix/store/a/share"},
  "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER": {"type": "exported", "value": "qemu-x86_64"},
  "HOME": {"type": "exported", "value": "/homeless-shelter"},
  "TMPDIR": {"type": "exported", "value": "/build"},
  "BASH_VERSION": {"type": "exported", "value": "5"},
  "shellHook": {"type": "var", "value": "echo hi"},
  "arr": {"type": "array", "value": ["a"]}}}"#;

#[test]
fn applying_an_environment_mirrors_nix_develop() {
    let dev = DevEnv::parse(DEV_ENV).unwrap();
    let vars = dev.apply(|k| match k {
        "PATH" => Some("/usr/bin:/bin".into()),
        _ => None,
    });
    assert_eq!(vars["PATH"], "/nix/store/a-rust/bin:/usr/bin:/bin", "shell's PATH first, then the outer one");
    assert_eq!(vars["XDG_DATA_DIRS"], "/nix/store/a/share", "no outer value: the shell's alone");
    assert_eq!(vars["CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"], "qemu-x86_64");
    for dropped in ["HOME", "TMPDIR", "BASH_VERSION", "shellHook", "arr"] {
        assert!(!vars.contains_key(dropped), "{dropped} must stay as inherited");
    }
    assert!(DevEnv::parse("{\"variables\": 3}").is_err() && DevEnv::parse("nope").is_err());
}

fn entry(k: &crossflake::backend::nix::cache::Key, env: &str) -> Entry {
    let text = env.to_string();
    Entry {
        format: FORMAT,
        key: k.key.clone(),
        dev_env_sha256: Some(sha256_hex(&text)),
        dev_env: Some(text),
        ..Entry::default()
    }
}

#[test]
fn lookups_tell_hits_from_stale_and_corrupt_entries() {
    let (t, f) = flake_dir();
    let slots = Slots::new(&t.path().join("cache"));
    let k = key_of(&f, "devShells.x86_64-linux.x86_64");
    assert_eq!(slots.lookup(&k), Lookup::Miss { stale: false });
    slots.store(&k, &entry(&k, DEV_ENV)).unwrap();
    assert!(matches!(slots.lookup(&k), Lookup::Hit(_)));
    std::fs::write(t.path().join("flake.lock"), "{}").unwrap();
    assert_eq!(slots.lookup(&key_of(&f, "devShells.x86_64-linux.x86_64")), Lookup::Miss { stale: true });
    let mut bad = entry(&k, DEV_ENV);
    bad.dev_env = Some(DEV_ENV.replace("qemu", "wine"));
    slots.store(&k, &bad).unwrap();
    assert!(matches!(slots.lookup(&k), Lookup::Corrupt(w) if w.contains("checksum")));
    slots.store(&k, &Entry { root: Some(t.path().join("gone")), ..entry(&k, DEV_ENV) }).unwrap();
    assert!(matches!(slots.lookup(&k), Lookup::Corrupt(w) if w.contains("GC root")));
    std::fs::write(slots.entry_path(&k), "{").unwrap();
    assert!(matches!(slots.lookup(&k), Lookup::Corrupt(w) if w.contains("JSON")));
}

fn fake_toolchain(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    for t in ["cargo", "rustc", "rustdoc"] {
        std::fs::write(dir.join("bin").join(t), "").unwrap();
        std::fs::set_permissions(dir.join("bin").join(t), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn the_cargo_step_takes_the_shells_tools_variables_and_runner() {
    let t = tempfile::tempdir().unwrap();
    fake_toolchain(&t.path().join("tc"));
    let bin = t.path().join("tc/bin").display().to_string();
    let reg = Registry::load().unwrap();
    let env = HostEnv::probe(t.path());
    let req = CargoRequest::new(&["test"], t.path()).with_args(["--release"]);
    let shell = |vars: BTreeMap<String, String>| cargo::ShellEnv { vars, shell_path: bin.clone(), build_std: false };
    let in_shell = |spec, shell: cargo::ShellEnv, wrap: Option<&[String]>| {
        let resolved = crossflake::backend::nix::Resolved::Env { shell, note: "n".into(), from: "f".into() };
        crossflake::backend::nix::plan(&env, spec, &req, &resolved, wrap, None)
    };
    let dev = DevEnv { vars: BTreeMap::from([("PATH".to_string(), bin.clone())]) };
    let c = in_shell(reg.resolve("x86_64").unwrap(), shell(dev.apply(|_| Some("/usr/bin".into()))), None).unwrap();
    let step = c.cargo.step();
    assert_eq!(step.program, format!("{bin}/cargo"));
    assert_eq!(step.args, ["test", "--target", "x86_64-unknown-linux-gnu", "--release"]);
    assert_eq!(step.env["RUSTC"], format!("{bin}/rustc"), "the shell's rustc is pinned against an inherited RUSTC");
    assert!(step.env["CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"].contains("runner --target x86_64"));
    // A runner the shell sets runs inside crossflake's runner; the shell's value names it.
    let vars = BTreeMap::from([
        ("PATH".to_string(), bin.clone()),
        ("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER".into(), "qemu-aarch64 -cpu max".into()),
    ]);
    let aarch64 = reg.resolve("aarch64").unwrap();
    let user = cargo::shell_runner(aarch64, &vars).expect("the shell's runner");
    assert_eq!(user.argv, ["qemu-aarch64", "-cpu", "max"]);
    let c = in_shell(aarch64, shell(vars), Some(&user.argv)).unwrap().cargo.step();
    assert!(c.env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER"].contains("runner --target aarch64"));
    assert_eq!(c.env["CROSSFLAKE_WRAP_AARCH64_UNKNOWN_LINUX_GNU"], r#"["qemu-aarch64","-cpu","max"]"#);
    // crossflake's own runner in the shell is not a user's runner.
    let own = BTreeMap::from([(
        "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER".to_string(),
        "/nix/store/x-crossflake/bin/crossflake runner --target aarch64".to_string(),
    )]);
    assert_eq!(cargo::shell_runner(aarch64, &own), None);
    // A target without a runner builds its tests only.
    let darwin = reg.resolve("aarch64-darwin").unwrap();
    let c = in_shell(darwin, shell(dev.apply(|_| None)), None).unwrap();
    assert!(c.cargo.step().args.contains(&"--no-run".to_string()));
    assert!(c.unrun.as_deref().is_some_and(|u| u.contains("built, not run")), "{:?}", c.unrun);
    let empty = DevEnv { vars: BTreeMap::from([("PATH".to_string(), "/nonexistent".to_string())]) };
    let no_cargo = cargo::ShellEnv { vars: empty.apply(|_| None), shell_path: "/nonexistent".into(), build_std: false };
    let err = in_shell(reg.resolve("x86_64").unwrap(), no_cargo, None).unwrap_err();
    assert!(format!("{err}").contains("no `cargo`"), "{err}");
}

#[test]
fn nix_versions_are_judged_with_the_fix_named() {
    assert_eq!(tool::parse_version("nix (Nix) 2.8.0"), Some((2, 8)));
    assert_eq!(tool::parse_version("nix (Lix, like Nix) 2.91.1"), Some((2, 91)));
    let old = tool::version_verdict("nix (Nix) 2.3.16", false).unwrap_err().to_string();
    assert!(old.contains("too old") && old.contains(">= 2.4") && old.contains(">= 2.18"), "{old}");
    assert!(tool::version_verdict("nix (Nix) 2.8.0", false).is_ok());
    let own = tool::version_verdict("nix (Nix) 2.8.0", true).unwrap_err().to_string();
    assert!(own.contains("nixpkgs 25.11") && own.contains(">= 2.18"), "{own}");
    assert!(tool::version_verdict("nix (Nix) 2.18.1", true).is_ok());
    assert!(tool::version_verdict("garbage", false).is_err());
    let args = NixArgs {
        builders: Some("ssh://b x86_64-linux".into()),
        store: Some("daemon".into()),
        option: vec!["cores".into(), "2".into()],
        flake: None,
    };
    assert_eq!(
        tool::common_args(&args),
        ["--builders", "ssh://b x86_64-linux", "--store", "daemon", "--option", "cores", "2"]
    );
    let disabled =
        tool::Captured { stderr: "error: experimental Nix feature 'flakes' is disabled".into(), ..Default::default() };
    assert!(tool::explain(&disabled, "x", "m", false).message().contains("experimental-features = nix-command flakes"));
    let missing =
        tool::Captured { stderr: "error: flake 'x' does not provide attribute 'y'".into(), ..Default::default() };
    assert_eq!(tool::explain(&missing, "x", "no shell", false), tool::NixFailure::Missing("no shell".into()));
}

#[test]
fn flakes_and_attributes_resolve_by_the_documented_rules() {
    let (t, _) = flake_dir();
    let sub = t.path().join("crate/src");
    std::fs::create_dir_all(&sub).unwrap();
    let found = Flake::resolve_with(None, &sub, None, Path::new("/nonexistent")).unwrap();
    assert_eq!(found.dir.as_deref(), Some(t.path().canonicalize().unwrap().as_path()), "nearest flake.nix upward");
    assert!(!found.own);
    assert!(Flake::resolve_with(None, &sub, None, t.path()).unwrap().own, "crossflake's own flake is recognised");
    let remote = Flake::resolve_with(Some("github:o/r"), &sub, None, Path::new("/x")).unwrap();
    assert_eq!((remote.reference.as_str(), remote.dir), ("github:o/r", None));
    assert_eq!(local_path("git+file:///src/repo?dir=sub&ref=main"), Some(PathBuf::from("/src/repo/sub")));
    assert_eq!(local_path("path:./x"), Some(PathBuf::from("./x")));
    let installed = Flake::resolve_with(None, Path::new("/"), Some("github:crossflake/crossflake"), t.path()).unwrap();
    assert_eq!(installed.reference, "github:crossflake/crossflake", "$CROSSFLAKE_FLAKE before the source tree");
    assert!(Flake::resolve_with(Some(".#x"), &sub, None, t.path()).is_err(), "no #attribute");
    let none = Flake::resolve_with(None, Path::new("/"), None, Path::new("/nonexistent")).unwrap_err().to_string();
    assert!(none.contains("--flake"), "{none}");
    let reg = Registry::load().unwrap();
    assert_eq!(
        package_attrs("x86_64-linux", reg.resolve("riscv64-none").unwrap()),
        ["packages.x86_64-linux.kernel-riscv64"]
    );
    assert_eq!(package_attrs("s", reg.resolve("aarch64").unwrap()), ["packages.s.aarch64", "packages.s.hello-aarch64"]);
    let bare = reg.resolve("aarch64-none").unwrap();
    assert_eq!(check_attrs("s", bare), ["checks.s.aarch64-none", "checks.s.kernel-aarch64-boot"]);
    assert_eq!(check_attrs("s", reg.resolve("riscv64").unwrap())[1], "checks.s.hello-riscv64");
    assert_eq!(
        crossflake::backend::nix::toolchain_label("/nix/store/abc-rust-default-1.95.0/bin/rustc"),
        "rust-default-1.95.0"
    );
}

#[test]
fn inspect_reads_names_versions_and_variables_from_a_derivation() {
    assert_eq!(
        inspect::parse_drv_name("riscv64-none-elf-gcc-wrapper-14.3.0"),
        ("riscv64-none-elf-gcc-wrapper".into(), "14.3.0".into())
    );
    assert_eq!(inspect::parse_drv_name("stdenv-linux"), ("stdenv-linux".into(), String::new()));
    assert_eq!(inspect::role("qemu-user"), "emulator");
    assert_eq!(inspect::role("rust-default"), "rust toolchain");
    assert_eq!(inspect::role("x86_64-w64-mingw32-gcc-wrapper"), "linker / C compiler");
    let drv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nix/llm1fv20xzyckqw3vcqma1810zz2frvk-shell-riscv64-none.drv");
    let r = inspect::report(&drv.display().to_string(), "devShells.x86_64-linux.riscv64-none", "/f").unwrap();
    let pins: Vec<(&str, &str, &str)> = r.pins.iter().map(|p| (p.role, p.name.as_str(), p.version.as_str())).collect();
    assert_eq!(
        pins,
        [
            ("rust toolchain", "rustc", "1.95.0"),
            ("linker / C compiler", "riscv64-none-elf-gcc-wrapper", "14.3.0"),
            ("emulator", "qemu", "10.0.2")
        ]
    );
    assert_eq!(r.env["CARGO_TARGET_RISCV64GC_UNKNOWN_NONE_ELF_RUNNER"], "qemu-system-riscv64 -machine virt -kernel");
    assert!(!r.env.contains_key("PATH") && r.system == "x86_64-linux");
    assert!(inspect::render(&r).contains("rustc 1.95.0"));
}
