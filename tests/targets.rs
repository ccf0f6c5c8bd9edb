//! Registry tests: the specs in targets/ load, resolve, and bad specs are
//! rejected with the file and the field named.
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
            "armv7",
            "i686",
            "ppc64le",
            "riscv64",
            "riscv64-musl",
            "riscv64-none",
            "s390x",
            "wasm32-wasip1",
            "windows",
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
