//! Finding the user's runner and default target the way cargo does: files
//! from the current directory up, then CARGO_HOME; the environment above
//! the files; `--config` above both; `[target.<triple>]` above cfg tables;
//! relative programs taken from the config's directory.
use crossflake::resolve::cargo_config::{CargoConfig, Source, TargetCfg};
use std::path::Path;

const T: &str = "aarch64-unknown-linux-gnu";
const VAR: &str = "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn aarch64_cfg(expr: &str) -> bool {
    TargetCfg::from_triple(T).eval(expr).unwrap()
}

fn runner(cfg: &CargoConfig, env: &[(&str, &str)], cwd: &Path) -> Option<(Vec<String>, Source)> {
    let env_of = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
    cfg.runner(T, VAR, &env_of, cwd, &aarch64_cfg).unwrap().map(|r| (r.argv, r.source))
}

#[test]
fn deeper_files_win_and_cargo_home_comes_last() {
    let t = tempfile::tempdir().unwrap();
    let (root, deep, home) = (t.path().join("ws"), t.path().join("ws/crates/app"), t.path().join("cargo-home"));
    write(&home.join("config.toml"), &format!("[target.{T}]\nrunner = \"home-runner\"\n"));
    let cfg = CargoConfig::load(&deep, Some(&home), &[]).unwrap();
    assert_eq!(runner(&cfg, &[], &deep).unwrap().0, ["home-runner"]);
    write(&root.join(".cargo/config.toml"), &format!("[target.{T}]\nrunner = \"scripts/run.sh --fast\"\n"));
    let cfg = CargoConfig::load(&deep, Some(&home), &[]).unwrap();
    let (argv, source) = runner(&cfg, &[], &deep).unwrap();
    assert_eq!(
        argv,
        [root.join("scripts/run.sh").display().to_string(), "--fast".into()],
        "relative to the .cargo dir's parent"
    );
    assert_eq!(source, Source::File(root.join(".cargo/config.toml")));
    write(&deep.join(".cargo/config"), &format!("[target.{T}]\nrunner = [\"deep\", \"a b\"]\n"));
    let cfg = CargoConfig::load(&deep, Some(&home), &[]).unwrap();
    assert_eq!(runner(&cfg, &[], &deep).unwrap().0, ["deep", "a b"], "the legacy name counts; arrays keep spaces");
}

#[test]
fn environment_beats_files_and_config_arguments_beat_both() {
    let t = tempfile::tempdir().unwrap();
    write(&t.path().join(".cargo/config.toml"), &format!("[target.{T}]\nrunner = \"file\"\n"));
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    let (argv, source) = runner(&cfg, &[(VAR, "./env-runner -x")], t.path()).unwrap();
    assert_eq!(argv, [t.path().join("./env-runner").display().to_string(), "-x".into()]);
    assert_eq!(source, Source::Env(VAR.into()));
    let cli = vec![format!("target.{T}.runner=[\"cli\"]")];
    let cfg = CargoConfig::load(t.path(), None, &cli).unwrap();
    assert_eq!(runner(&cfg, &[(VAR, "env")], t.path()).unwrap().0, ["cli"]);
    let bad = CargoConfig::load(t.path(), None, &["target = [".into()]).unwrap_err();
    assert_eq!(bad.exit_code(), 2);
}

#[test]
fn cfg_tables_match_the_target_and_the_triple_table_wins() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join(".cargo/config.toml");
    write(&f, "[target.'cfg(target_os = \"none\")']\nrunner = \"bare\"\n[target.'cfg(all(target_arch = \"aarch64\", target_os = \"linux\"))']\nrunner = \"linux-arm\"\n");
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    assert_eq!(runner(&cfg, &[], t.path()).unwrap().0, ["linux-arm"]);
    write(&f, &format!("{}\n[target.{T}]\nrunner = \"exact\"\n", std::fs::read_to_string(&f).unwrap()));
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    assert_eq!(runner(&cfg, &[], t.path()).unwrap().0, ["exact"]);
    // Two matching cfg tables with a runner: cargo refuses, so do we, naming both.
    write(&f, "[target.'cfg(unix)']\nrunner = \"a\"\n[target.'cfg(target_arch = \"aarch64\")']\nrunner = \"b\"\n");
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    let env_of = |_: &str| None;
    let err = cfg.runner(T, VAR, &env_of, t.path(), &aarch64_cfg).unwrap_err();
    assert!(err.to_string().contains("cfg(unix)") && err.to_string().contains("cfg(target_arch"), "{err}");
    // No runner anywhere.
    write(&f, "[build]\njobs = 2\n");
    assert_eq!(runner(&CargoConfig::load(t.path(), None, &[]).unwrap(), &[], t.path()), None);
}

#[test]
fn build_target_is_the_default_target() {
    let t = tempfile::tempdir().unwrap();
    write(&t.path().join(".cargo/config.toml"), "[build]\ntarget = \"riscv64gc-unknown-none-elf\"\n");
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    assert_eq!(cfg.build_target(&|_| None).unwrap().0, "riscv64gc-unknown-none-elf");
    let env = |k: &str| (k == "CARGO_BUILD_TARGET").then(|| "aarch64".to_string());
    assert_eq!(cfg.build_target(&env).unwrap().0, "aarch64");
}

#[test]
fn cfg_expressions_evaluate_like_rustc() {
    let linux = TargetCfg::parse(
        "panic=\"unwind\"\ntarget_arch=\"aarch64\"\ntarget_endian=\"little\"\ntarget_env=\"gnu\"\ntarget_family=\"unix\"\ntarget_os=\"linux\"\nunix\n",
    );
    for (expr, want) in [
        ("cfg(unix)", true),
        ("cfg(windows)", false),
        ("cfg(target_os = \"linux\")", true),
        ("cfg(all(target_arch = \"aarch64\", not(target_env = \"musl\")))", true),
        ("cfg(any(target_os = \"none\", target_endian = \"big\"))", false),
        ("cfg(not(unix))", false),
        ("cfg(all())", true),
        ("cfg(any())", false),
    ] {
        assert_eq!(linux.eval(expr), Ok(want), "{expr}");
    }
    assert!(linux.eval("cfg(all(unix)").is_err());
    let bare = TargetCfg::from_triple("riscv64gc-unknown-none-elf");
    assert_eq!(bare.eval("cfg(all(target_arch = \"riscv64\", target_os = \"none\"))"), Ok(true));
    assert_eq!(TargetCfg::from_triple("x86_64-pc-windows-gnu").eval("cfg(windows)"), Ok(true));
}

#[test]
fn rustflags_follow_cargos_precedence() {
    let t = tempfile::tempdir().unwrap();
    write(
        &t.path().join(".cargo/config.toml"),
        &format!("[build]\nrustflags = [\"--cfg\", \"from_build\"]\n[target.{T}]\nrustflags = \"--cfg from_target\"\n[target.'cfg(unix)']\nrustflags = [\"--cfg\", \"from_cfg\"]\n"),
    );
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    let flags = |env: &[(&str, &str)]| {
        let env_of = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        cfg.flags("rustflags", T, &env_of, &aarch64_cfg).map(|(f, _)| f)
    };
    assert_eq!(
        flags(&[]).unwrap(),
        ["--cfg", "from_target", "--cfg", "from_cfg"],
        "target and cfg tables join; build is then unused"
    );
    assert_eq!(flags(&[("RUSTFLAGS", "-C opt-level=1")]).unwrap(), ["-C", "opt-level=1"], "RUSTFLAGS replaces config");
    assert_eq!(flags(&[("CARGO_ENCODED_RUSTFLAGS", "-C\x1fa b"), ("RUSTFLAGS", "x")]).unwrap(), ["-C", "a b"]);
    write(&t.path().join(".cargo/config.toml"), "[build]\nrustflags = [\"--cfg\", \"from_build\"]\n");
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    assert_eq!(cfg.flags("rustflags", T, &|_| None, &aarch64_cfg).unwrap().0, ["--cfg", "from_build"]);
    assert_eq!(cfg.flags("rustdocflags", T, &|_| None, &aarch64_cfg), None);
}
