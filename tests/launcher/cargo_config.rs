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

// The cases below were checked against cargo 1.95 itself (`cargo build -v` / `cargo run`
// with the same files); each would catch a difference between crossflake and cargo.

#[test]
fn runner_sources_rank_as_in_cargo_and_relative_programs_follow_their_file() {
    let t = tempfile::tempdir().unwrap();
    let (ws, app) = (t.path().join("ws"), t.path().join("ws/app"));
    // A triple table with a relative program two directories up, a cfg table deeper.
    write(&ws.join(".cargo/config.toml"), &format!("[target.{T}]\nrunner = \"tools/run.sh --fast\"\n"));
    write(
        &app.join(".cargo/config.toml"),
        "[target.'cfg(target_os = \"linux\")']\nrunner = [\"cfg-runner\", \"a b\"]\n",
    );
    let cfg = CargoConfig::load(&app, None, &[]).unwrap();
    let (argv, source) = runner(&cfg, &[], &app).unwrap();
    assert_eq!(
        argv,
        [ws.join("tools/run.sh").display().to_string(), "--fast".into()],
        "the triple table wins over cfg"
    );
    assert_eq!(source, Source::File(ws.join(".cargo/config.toml")));
    // The environment beats the triple table; a relative program there is the cwd's.
    let (argv, _) = runner(&cfg, &[(VAR, "bin/env.sh")], &app).unwrap();
    assert_eq!(argv, [app.join("bin/env.sh").display().to_string()]);
    // A --config file beats the environment; its relative program is taken from the
    // parent of the file's directory, as cargo takes it (sub/conf/x.toml -> sub/).
    write(&app.join("sub/conf/x.toml"), &format!("[target.{T}]\nrunner = \"bin/r.sh\"\n"));
    let cli = vec!["sub/conf/x.toml".to_string()];
    let cfg = CargoConfig::load(&app, None, &cli).unwrap();
    let (argv, source) = runner(&cfg, &[(VAR, "env")], &app).unwrap();
    assert_eq!(argv, [app.join("sub/bin/r.sh").display().to_string()]);
    assert_eq!(source, Source::File(app.join("sub/conf/x.toml")));
    // Of two --config values the last given wins.
    let cli = vec![format!("target.{T}.runner=\"first\""), format!("target.{T}.runner=[\"last\", \"x y\"]")];
    let cfg = CargoConfig::load(&app, None, &cli).unwrap();
    let (argv, source) = runner(&cfg, &[], &app).unwrap();
    assert_eq!((argv, source), (vec!["last".to_string(), "x y".into()], Source::Cli(cli[1].clone())));
    // Without the triple table, the cfg table of the deeper file serves; arrays keep spaces.
    std::fs::remove_file(ws.join(".cargo/config.toml")).unwrap();
    let cfg = CargoConfig::load(&app, None, &[]).unwrap();
    assert_eq!(runner(&cfg, &[], &app).unwrap().0, ["cfg-runner", "a b"]);
}

#[test]
fn lists_join_files_then_environment_then_config_arguments() {
    let t = tempfile::tempdir().unwrap();
    let (ws, app) = (t.path().join("ws"), t.path().join("ws/app"));
    write(&ws.join(".cargo/config.toml"), &format!("[target.{T}]\nrustflags = [\"--cfg\", \"parent\"]\n"));
    write(
        &app.join(".cargo/config.toml"),
        &format!("[target.{T}]\nrustflags = [\"--cfg\", \"child\"]\n[target.'cfg(unix)']\nrustflags = [\"--cfg\", \"file_cfg\"]\n"),
    );
    let cli = vec![format!("target.{T}.rustflags=[\"--cfg\", \"cli\"]")];
    let cfg = CargoConfig::load(&app, None, &cli).unwrap();
    let flags = |env: &[(&str, &str)]| {
        let env_of = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        cfg.flags("rustflags", T, &env_of, &aarch64_cfg)
    };
    let tvar = "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS";
    let (got, source) = flags(&[(tvar, "--cfg env")]).unwrap();
    let want = ["parent", "child", "env", "cli", "file_cfg"].map(|c| ["--cfg", c]).concat();
    assert_eq!(got, want);
    assert_eq!(source, Source::File(ws.join(".cargo/config.toml")));
    // RUSTFLAGS set but empty: cargo then uses no flags at all.
    assert_eq!(flags(&[("RUSTFLAGS", "")]), Some((vec![], Source::Env("RUSTFLAGS".into()))));
    // build.rustflags: a string in the file, CARGO_BUILD_RUSTFLAGS appended to it; an empty
    // target list does not hide it.
    write(
        &ws.join(".cargo/config.toml"),
        &format!("[build]\nrustflags = \"--cfg file_build\"\n[target.{T}]\nrustflags = []\n"),
    );
    std::fs::remove_file(app.join(".cargo/config.toml")).unwrap();
    let cfg = CargoConfig::load(&app, None, &[]).unwrap();
    let env_of = |k: &str| (k == "CARGO_BUILD_RUSTFLAGS").then(|| "--cfg env_build".to_string());
    assert_eq!(
        cfg.flags("rustflags", T, &env_of, &aarch64_cfg).unwrap().0,
        ["--cfg", "file_build", "--cfg", "env_build"]
    );
}

#[test]
fn build_target_ranks_config_arguments_first_and_reads_specs_from_the_files_root() {
    let t = tempfile::tempdir().unwrap();
    let (ws, app) = (t.path().join("ws"), t.path().join("ws/app"));
    // `config` and `config.toml` side by side: cargo reads `config`.
    write(&ws.join(".cargo/config"), "[build]\ntarget = \"specs/board.json\"\n");
    write(&ws.join(".cargo/config.toml"), "[build]\ntarget = \"aarch64-unknown-linux-gnu\"\n");
    let cfg = CargoConfig::load(&app, None, &[]).unwrap();
    let (target, source) = cfg.build_target(&|_| None).unwrap();
    assert_eq!(target, ws.join("specs/board.json").display().to_string(), "relative to the .cargo dir's parent");
    assert_eq!(source, Source::File(ws.join(".cargo/config")));
    let env = |k: &str| (k == "CARGO_BUILD_TARGET").then(|| "riscv64gc-unknown-linux-gnu".to_string());
    assert_eq!(cfg.build_target(&env).unwrap().0, "riscv64gc-unknown-linux-gnu");
    let cli = vec!["build.target=\"i686-unknown-linux-gnu\"".to_string()];
    let cfg = CargoConfig::load(&app, None, &cli).unwrap();
    assert_eq!(cfg.build_target(&env).unwrap().0, "i686-unknown-linux-gnu", "--config beats the environment");
}

#[test]
fn a_config_cargo_accepts_is_read() {
    // Every table here is one cargo 1.95 builds with; none may stop crossflake.
    let t = tempfile::tempdir().unwrap();
    write(
        &t.path().join(".cargo/config.toml"),
        r#"
[alias]
b2 = "build --release"
xtask = ["run", "-p", "xtask", "--"]
[env]
PLAIN = "x"
REL = { value = "data", relative = true }
[build]
jobs = "default"
rustflags = ["--cfg", "from_build"]
[profile.release]
lto = true
[unstable]
[source.vendored]
directory = "vendor"
[target.x86_64-unknown-linux-gnu.foo]
rustc-link-lib = ["foo"]
[target.aarch64-unknown-linux-gnu]
linker = "aarch64-linux-gnu-gcc"
runner = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]
[target.'thumbv8m.main-none-eabi']
runner = "probe-rs run"
[term]
color = "auto"
[net]
git-fetch-with-cli = true
[http]
timeout = 30
[cargo-new]
vcs = "none"
[future-incompat-report]
frequency = "never"
[doc]
browser = "firefox"
[registries.my]
index = "sparse+https://example.invalid/index/"
[install]
root = "/tmp/x"
"#,
    );
    let cfg = CargoConfig::load(t.path(), None, &[]).unwrap();
    assert_eq!(runner(&cfg, &[], t.path()).unwrap().0, ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]);
    let thumb = cfg.runner("thumbv8m.main-none-eabi", "X", &|_| None, t.path(), &|_| false).unwrap();
    assert_eq!(thumb.unwrap().argv, ["probe-rs", "run"]);
    assert_eq!(cfg.flags("rustflags", T, &|_| None, &aarch64_cfg).unwrap().0, ["--cfg", "from_build"]);
}

#[test]
fn a_runner_that_is_no_program_is_refused_naming_its_file() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join(".cargo/config.toml");
    for bad in ["runner = []", "runner = 5"] {
        write(&f, &format!("[target.{T}]\n{bad}\n"));
        let err = CargoConfig::load(t.path(), None, &[]).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{bad}");
        assert!(err.to_string().contains(&format!("{} is not valid: [target.{T}]", f.display())), "{bad}: {err}");
    }
}

#[test]
fn build_std_is_seen_in_a_file_or_a_config_argument() {
    let t = tempfile::tempdir().unwrap();
    assert!(!CargoConfig::load(t.path(), None, &[]).unwrap().unstable_build_std());
    let cli = vec!["unstable.build-std=[\"core\"]".to_string()];
    assert!(CargoConfig::load(t.path(), None, &cli).unwrap().unstable_build_std());
    write(&t.path().join("ws/.cargo/config.toml"), "[unstable]\nbuild-std = [\"core\", \"alloc\"]\n");
    assert!(CargoConfig::load(&t.path().join("ws/app"), None, &[]).unwrap().unstable_build_std());
}
