//! Registry tests: the specs in targets/ load, resolve, and bad specs are
//! rejected with the file and the field named.
use crate::common::*;
use crossflake::targets::{edit_distance, Kind, Registry};

fn load_one(file: &str, text: &str) -> anyhow::Result<Registry> {
    Registry::from_sources([(file.to_string(), text.to_string())], None)
}

const GOOD: &str = r#"
name = "demo"
aliases = ["dm"]
rust_triple = "aarch64-unknown-linux-gnu"
kind = "std"
nixpkgs_example = "aarch64-multiplatform"
description = "demo"
dist_suffix = "linux-arm64"
[runner]
type = "qemu-user"
qemu_arch = "aarch64"
timeout_secs = 10
[host]
linker = "aarch64-linux-gnu-gcc"
packages = ["gcc-aarch64-linux-gnu"]
"#;

#[test]
fn the_registry_has_the_targets() {
    let reg = Registry::load().unwrap();
    let mut names: Vec<_> = reg.targets.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "aarch64",
            "aarch64-darwin",
            "aarch64-musl",
            "aarch64-none",
            "aarch64-none-softfloat",
            "aarch64-windows-msvc",
            "armv7",
            "cortex-m0",
            "cortex-m3",
            "cortex-m33",
            "cortex-m33f",
            "cortex-m4",
            "cortex-m4f",
            "i686",
            "ppc64le",
            "riscv32-none",
            "riscv32imc-none",
            "riscv64",
            "riscv64-musl",
            "riscv64-none",
            "s390x",
            "universal2-darwin",
            "wasm32-wasip1",
            "windows",
            "windows-msvc",
            "x86_64",
            "x86_64-darwin",
            "x86_64-musl"
        ]
    );
    assert_eq!(reg.resolve("riscv64gc-unknown-none-elf").unwrap().kind, Kind::BareMetal);
    assert_eq!(reg.resolve("WIN64").unwrap().rust_triple, "x86_64-pc-windows-gnu");
    assert_eq!(reg.resolve("rv64").unwrap().name, "riscv64");
    assert_eq!(reg.resolve("aarch64").unwrap().cargo_env(), "AARCH64_UNKNOWN_LINUX_GNU");
    assert_eq!(reg.resolve("riscv64").unwrap().cc_env(), "riscv64gc_unknown_linux_gnu");
    assert_eq!(reg.resolve("thumbv7m-none-eabi").unwrap().name, "cortex-m3");
    assert_eq!(reg.resolve("thumbv8m.main-none-eabihf").unwrap().cargo_env(), "THUMBV8M_MAIN_NONE_EABIHF");
}

#[test]
fn unknown_targets_name_the_closest() {
    let reg = Registry::load().unwrap();
    let err = reg.resolve("aarch46").unwrap_err();
    assert_eq!(err.suggestions.first().map(String::as_str), Some("aarch64"));
    assert!(err.to_string().contains("closest known targets: aarch64"), "{err}");
    let err = reg.resolve("riscv64gc-unknown-linux-gn").unwrap_err();
    assert_eq!(err.suggestions[0], "riscv64");
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}

#[test]
fn a_good_spec_loads() {
    let reg = load_one("demo.toml", GOOD).unwrap();
    assert_eq!(reg.get("demo").unwrap().aliases, ["dm"]);
}

#[test]
fn a_missing_field_is_named_with_the_file() {
    let text = GOOD.replace("rust_triple = \"aarch64-unknown-linux-gnu\"\n", "");
    let err = load_one("targets/demo.toml", &text).unwrap_err().to_string();
    assert!(err.contains("targets/demo.toml") && err.contains("rust_triple"), "{err}");
    let text = GOOD.replace("qemu_arch = \"aarch64\"\n", "");
    let err = load_one("demo.toml", &text).unwrap_err().to_string();
    assert!(err.contains("demo.toml") && err.contains("qemu_arch"), "{err}");
}

#[test]
fn a_bad_value_or_unknown_field_is_named() {
    let err = load_one("demo.toml", &GOOD.replace("kind = \"std\"", "kind = \"weird\"")).unwrap_err().to_string();
    assert!(err.contains("demo.toml") && err.contains("weird"), "{err}");
    let err = load_one("demo.toml", &GOOD.replace("[host]", "[host]\nlinkr = \"x\"")).unwrap_err().to_string();
    assert!(err.contains("linkr"), "{err}");
    let err = load_one("other.toml", GOOD).unwrap_err().to_string();
    assert!(err.contains("`name`") && err.contains("other.toml"), "{err}");
}

#[test]
fn duplicate_aliases_are_rejected() {
    let second = GOOD.replace("name = \"demo\"", "name = \"demo2\"").replace("aarch64-unknown-linux-gnu", "x-y-z");
    let err = Registry::from_sources([("demo.toml".into(), GOOD.into()), ("demo2.toml".into(), second)], None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"dm\" is already used by target demo"), "{err}");
}

#[test]
fn a_directory_of_specs_loads_and_a_broken_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("demo.toml"), GOOD).unwrap();
    assert_eq!(Registry::from_dir(dir.path()).unwrap().targets.len(), 1);
    std::fs::write(dir.path().join("bad.toml"), "name = \"bad\"\n").unwrap();
    let err = Registry::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("bad.toml") && err.contains("missing field"), "{err}");
}

#[test]
fn a_crates_board_files_extend_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rv-virt-smp2.toml"),
        r#"
base = "riscv64-none"
name = "rv-virt-smp2"
aliases = ["rv-smp2"]
description = "riscv64 virt with 2 harts and 256 MiB"
[runner]
args = ["-machine", "virt", "-smp", "2", "-nographic", "-bios", "default", "-m", "256M", "-nic", "none"]
"#,
    )
    .unwrap();
    let mut reg = Registry::load().unwrap();
    reg.add_dir(dir.path()).unwrap();
    let board = reg.resolve("rv-smp2").unwrap();
    assert_eq!(board.rust_triple, "riscv64gc-unknown-none-elf", "inherited from the base");
    assert_eq!(board.kind, Kind::BareMetal);
    match &board.runner {
        crossflake::targets::Runner::QemuSystem { args, timeout_secs, qemu_system, firmware, .. } => {
            assert!(args.windows(2).any(|w| w == ["-smp", "2"]), "{args:?}");
            assert_eq!((qemu_system.as_str(), *timeout_secs), ("qemu-system-riscv64", 60), "the rest inherited");
            assert!(firmware.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        reg.resolve("riscv64gc-unknown-none-elf").unwrap().name,
        "riscv64-none",
        "the triple stays crossflake's"
    );
    assert_eq!(reg.extra_dirs, [dir.path().to_path_buf()]);
    // A name crossflake uses, a missing base, a misspelt field: each named.
    for (file, text, says) in [
        ("aarch64.toml", "base = \"aarch64-none\"\nname = \"aarch64\"\n", "already used by target aarch64"),
        ("x.toml", "base = \"nope\"\nname = \"x\"\n", "base: unknown target \"nope\""),
        ("y.toml", "base = \"aarch64-none\"\nname = \"y\"\nalias = [\"z\"]\n", "unknown field `alias`"),
    ] {
        let bad = tempfile::tempdir().unwrap();
        std::fs::write(bad.path().join(file), text).unwrap();
        let err = Registry::load().unwrap().add_dir(bad.path()).unwrap_err().to_string();
        assert!(err.contains(file) && err.contains(says), "{file}: {err}");
    }
}

/// A full board file (no `base`) for QEMU's raspi3b, on a triple crossflake's
/// aarch64-none-softfloat uses.
const RASPI3B: &str = r#"
name = "raspi3b"
aliases = ["rpi3"]
rust_triple = "aarch64-unknown-none-softfloat"
kind = "bare-metal"
nixpkgs_example = "aarch64-embedded"
description = "Raspberry Pi 3B (QEMU raspi3b)"
dist_suffix = "none-raspi3b"
[runner]
type = "qemu-system"
qemu_system = "qemu-system-aarch64"
args = ["-M", "raspi3b", "-nographic", "-semihosting-config", "enable=on,target=native"]
exit = "semihosting"
timeout_secs = 60
[host]
linker = "rust-lld"
packages = ["qemu-system-arm"]
"#;

/// Issue 24: two boards for one triple are normal (one chip, several boards): the name
/// selects the board, the bare triple keeps meaning crossflake's own target, in a crate's
/// targets dir and in a CROSSFLAKE_TARGETS_DIR alike; a directory named twice is read once.
#[test]
fn a_second_board_for_a_builtin_triple_works() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("raspi3b.toml"), RASPI3B).unwrap();
    let variant = "base = \"raspi3b\"\nname = \"raspi3b-fast\"\n[runner]\ntimeout_secs = 5\n";
    std::fs::write(dir.path().join("raspi3b-fast.toml"), variant).unwrap();
    let mut reg = Registry::load().unwrap();
    reg.add_dir(dir.path()).unwrap();
    reg.add_dir(dir.path()).unwrap();
    assert_eq!(reg.resolve("rpi3").unwrap().name, "raspi3b");
    assert_eq!(reg.resolve("raspi3b-fast").unwrap().runner.default_timeout_secs(), Some(5));
    assert_eq!(reg.resolve("aarch64-unknown-none-softfloat").unwrap().name, "aarch64-none-softfloat");
    // The same files beside crossflake's own in one directory.
    let all = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("targets")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "toml") {
            std::fs::copy(e.path(), all.path().join(e.file_name())).unwrap();
        }
    }
    std::fs::write(all.path().join("a-board.toml"), RASPI3B.replace("raspi3b\"", "a-board\"")).unwrap();
    let reg = Registry::from_dir(all.path()).unwrap();
    assert_eq!(reg.resolve("a-board").unwrap().rust_triple, "aarch64-unknown-none-softfloat");
    // (a-board's file comes first: the bare triple means the first file that has it)
    assert_eq!(reg.resolve("aarch64-unknown-none-softfloat").unwrap().name, "a-board");
}

/// An invalid target file is a usage error (exit 2) that says how to write one.
#[test]
fn an_invalid_board_file_exits_2_naming_base() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("raspi3b.toml"), RASPI3B.replace("kind = \"bare-metal\"\n", "")).unwrap();
    let args = ["build", "--target", "raspi3b", "--targets-dir", dir.path().to_str().unwrap(), "--dry-run"];
    let o = crossflake(&args, &root().join("examples/kernel"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("raspi3b.toml") && err.contains("missing field `kind`"), "{err}");
    assert!(err.contains("base = \"<a target>\"") && err.contains("docs/boards.md"), "{err}");
    std::fs::write(dir.path().join("raspi3b.toml"), RASPI3B).unwrap();
    let o = crossflake(&args, &root().join("examples/kernel"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--target aarch64-unknown-none-softfloat"), "{}", text(&o));
}

/// A custom target JSON borrows the runner of the bare-metal target it matches: by its
/// `llvm-target`, else by rustc's arch (`arm` for the thumbv* targets, `riscv32`); one
/// that matches none is still cargo's to build (std from rust-src, the user's runner).
#[test]
fn custom_target_jsons_take_the_matching_runner_or_build_as_cargo_would() {
    let dir = tempfile::tempdir().unwrap();
    let krate = dir.path().join("k");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(krate.join("Cargo.toml"), "[package]\nname = \"k\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::write(krate.join("src/lib.rs"), "#![no_std]\n").unwrap();
    let plan = |file: &str, json: &str| {
        let path = dir.path().join(file);
        std::fs::write(&path, json).unwrap();
        let o = crossflake(&["test", "--target", path.to_str().unwrap(), "--dry-run"], &krate);
        assert!(o.status.success(), "{file}: {}", text(&o));
        text(&o)
    };
    let m4 = plan("my-m4.json", r#"{"arch": "arm", "llvm-target": "thumbv7em-none-eabihf", "os": "none"}"#);
    assert!(m4.contains("runner of cortex-m4f"), "{m4}");
    let rv32 = plan("my-rv32.json", r#"{"arch": "riscv32", "llvm-target": "riscv32-unknown-none-elf"}"#);
    assert!(rv32.contains("runner of riscv32-none"), "by arch: {rv32}");
    let mips = plan("my-mips.json", r#"{"arch": "mips", "llvm-target": "mips-unknown-none"}"#);
    assert!(mips.contains("no built-in target of arch \"mips\""), "{mips}");
    assert!(mips.contains("-Zbuild-std"), "std from rust-src: {mips}");
}
