//! Triples crossflake has no file for are cargo's to build (issue 19): crossflake
//! runs cargo as cargo would, with the user's configuration and inside its own
//! runner handling, says so once, and derives only what is safe. Where plain
//! cargo with the same arguments and config exits 0, crossflake does too, and
//! their exit codes agree otherwise.
use crate::common::*;
use std::path::Path;

/// Triples rustup installs here (rust-toolchain.toml lists them) that no target file names.
const UNLISTED: [&str; 2] = ["riscv32i-unknown-none-elf", "armv7a-none-eabi"];

/// A no_std crate: a library and a `#![no_main]` binary, with a cargo-config runner (a
/// script that names the program and exits with $MYCODE) for the first unlisted triple.
fn no_std_crate(dir: &Path) {
    std::fs::create_dir_all(dir.join("src/bin")).unwrap();
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"ow\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "#![no_std]\npub fn add(a: u32, b: u32) -> u32 { a + b }\n").unwrap();
    std::fs::write(
        dir.join("src/bin/app.rs"),
        "#![no_std]\n#![no_main]\n#[panic_handler]\nfn panic(_: &core::panic::PanicInfo) -> ! { loop {} }\n\
         #[no_mangle]\npub extern \"C\" fn _start() -> ! { loop {} }\n",
    )
    .unwrap();
    let runner = dir.join("run.sh");
    std::fs::write(&runner, "#!/bin/sh\necho \"my runner got $1\"\nexit ${MYCODE:-0}\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&runner, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join(".cargo/config.toml"), format!("[target.{}]\nrunner = \"./run.sh\"\n", UNLISTED[0]))
        .unwrap();
    // The project's toolchain (scripts/setup-host gives it these triples' std), for cargo
    // and crossflake alike, as a crate pins its own.
    let pin = format!("[toolchain]\nchannel = \"{}\"\n", project_channel());
    std::fs::write(dir.join("rust-toolchain.toml"), pin).unwrap();
}

fn project_channel() -> String {
    let t: toml::Table = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap().parse().unwrap();
    t["toolchain"]["channel"].as_str().unwrap().to_string()
}

fn run_both(dir: &Path, args: &[&str], code: &str) -> (std::process::Output, std::process::Output) {
    let td = shared_target_dir().join("open-world");
    let td = td.to_str().unwrap();
    let cargo = user_command("cargo")
        .args(args)
        .args(["--target-dir", td])
        .env("MYCODE", code)
        .current_dir(dir)
        .output_bounded()
        .unwrap();
    let cf =
        command().args(args).args(["--target-dir", td]).env("MYCODE", code).current_dir(dir).output_bounded().unwrap();
    (cargo, cf)
}

#[test]
fn unlisted_triples_build_and_run_as_cargo_does() {
    let dir = tempfile::tempdir().unwrap();
    no_std_crate(dir.path());
    for t in UNLISTED {
        let (cargo, cf) = run_both(dir.path(), &["build", "--target", t], "0");
        assert!(cargo.status.success(), "{t}: plain cargo builds: {}", text(&cargo));
        assert!(cf.status.success(), "{t}: crossflake builds where cargo does: {}", text(&cf));
        let said = text(&cf).matches("no built-in environment for").count();
        assert_eq!(said, 1, "{t}: said once: {}", text(&cf));
    }
    // The crate's own runner, for a triple crossflake has no runner of its own for, runs
    // as under plain cargo: the same output, the same exit code, success or not.
    for code in ["0", "7"] {
        let (cargo, cf) = run_both(dir.path(), &["run", "--target", UNLISTED[0], "--bin", "app"], code);
        assert_eq!(cf.status.code(), cargo.status.code(), "exit codes agree: {}\n{}", text(&cargo), text(&cf));
        assert_eq!(cf.status.code(), Some(code.parse().unwrap()), "{}", text(&cf));
        assert!(
            text(&cf).contains("my runner got ")
                && text(&cf).contains(
                    "riscv32i-unknown-none-elf/debug/app
"
                ),
            "{}",
            text(&cf)
        );
        assert!(
            text(&cf).contains("your runner `./run.sh`") || text(&cf).contains("with your runner"),
            "{}",
            text(&cf)
        );
    }
}

#[test]
fn unknown_triples_exit_2_and_missing_std_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    no_std_crate(dir.path());
    let o = crossflake(&["build", "--target", "riscv32q-unknown-none-elf"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("riscv32i-unknown-none-elf"), "the closest triples are named: {}", text(&o));
    // rustc knows it, but no toolchain here has its std: the rustup line that adds it.
    let o = crossflake(&["build", "--target", "mips64el-unknown-linux-gnuabi64"], dir.path());
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("rustup target add") && text(&o).contains("mips64el-unknown-linux-gnuabi64"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_linux_gnu_triple_gets_the_gcc_and_qemu_on_path_and_says_so() {
    require_tool("arm-linux-gnueabihf-gcc");
    require_tool("qemu-arm");
    let dir = tempfile::tempdir().unwrap();
    no_std_crate(dir.path());
    let o = crossflake(
        &["--message-format", "json", "test", "--target", "arm-unknown-linux-gnueabihf", "-Zbuild-std", "--dry-run"],
        dir.path(),
    );
    let plan = String::from_utf8_lossy(&o.stdout).lines().find(|l| l.contains("\"event\":\"plan\"")).map(String::from);
    let v: serde_json::Value = serde_json::from_str(&plan.unwrap_or_else(|| panic!("{}", text(&o)))).unwrap();
    let env = &v["plan"]["cargo"]["env"];
    assert_eq!(env["CARGO_TARGET_ARM_UNKNOWN_LINUX_GNUEABIHF_LINKER"], "arm-linux-gnueabihf-gcc", "{v}");
    assert_eq!(env["CC_arm_unknown_linux_gnueabihf"], "arm-linux-gnueabihf-gcc");
    let notes = v["plan"]["notes"].to_string();
    assert!(notes.contains("derived from PATH") && notes.contains("qemu-arm as runner"), "{notes}");
    let o = crossflake(&["runner", "--target", "arm-unknown-linux-gnueabihf", "--dry-run", "/t/prog"], dir.path());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("qemu-arm -L /usr/arm-linux-gnueabihf"), "{}", text(&o));
    // The user builds std (-Zbuild-std): crossflake adds no build-std flags of its own.
    let args = v["plan"]["cargo"]["args"].to_string() + &v["plan"]["cargo"]["build_std"].to_string();
    assert_eq!(args.matches("build-std").count(), 1, "{args}");
    // Without the cross gcc on PATH nothing is derived, and nothing is set.
    let o = crossflake(
        &[
            "--message-format",
            "json",
            "build",
            "--target",
            "mips64el-unknown-linux-gnuabi64",
            "-Zbuild-std",
            "--dry-run",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let plan = String::from_utf8_lossy(&o.stdout).lines().find(|l| l.contains("\"event\":\"plan\"")).map(String::from);
    let v: serde_json::Value = serde_json::from_str(&plan.unwrap()).unwrap();
    let env = v["plan"]["cargo"]["env"].as_object().unwrap();
    assert!(env.keys().all(|k| !k.contains("MIPS64EL") && !k.contains("mips64el")), "{env:?}");
    assert!(v["plan"]["notes"].to_string().contains("nothing derived"), "{v}");
}
