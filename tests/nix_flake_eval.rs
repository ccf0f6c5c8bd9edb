//! The flake evaluated with Debian's Nix (2.8 on 12, 2.26 on 13) over a stand-in package set
//! (nix/tests/eval.nix): the real nixpkgs.lib and the real rust-overlay at the
//! commit flake.lock pins, stand-ins for nixpkgs' packages and builders. It
//! checks what the flake builds from them: the toolchain has every target's
//! std and llvm-tools, no shell exports a cross compiler for the host,
//! pkg-config variables only with libraries, a shell and checks for every
//! target of targets/ (hello, cdemo, kernels), the TOML's rust_triple in
//! every variable name and `--target`, qemu-user runners with the target's
//! CPU model, the reason-honouring OpenSBI for riscv64-none (runner and
//! CROSSFLAKE_OPENSBI), the kernel builds' source with ../../harness, the
//! launcher's tools in every shell, templates/kernel's harness pin, the CI
//! workflow's rows, and the lib functions' options. What the flake writes is
//! rendered with this machine's programs and run: the bare-metal QEMU runner
//! (under a pseudo-terminal, with Debian's QEMU and the patched OpenSBI), the
//! kernel check's phases (cargo test with the launcher as runner, then the
//! boot), the wasm32-wasip1 runner (node:wasi) and the `nix fmt` wrapper.
mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const NIX_CONFIG: &str = "experimental-features = nix-command flakes\nsandbox = false\nbuild-users-group =\nsubstituters =\nflake-registry =";

/// `nix-instantiate --eval` in read-write mode: paths the flake imports
/// (builtins.path, "${./file}") are added to the store, so every attribute
/// evaluates on a fresh store whatever ran before.
fn eval_raw(attr: &str, args: &[&str]) -> Output {
    require_tool("nix-instantiate");
    Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "--read-write-mode"])
        .arg(root().join("nix/tests/eval.nix"))
        .args(args)
        .args(["-A", attr])
        .env("NIX_CONFIG", NIX_CONFIG)
        .output_bounded()
        .unwrap()
}

/// `attr` of nix/tests/eval.nix as JSON. The inputs come from the Nix store
/// (or GitHub): a missing one fails with the way to add it.
fn eval_with(attr: &str, args: &[&str]) -> Value {
    let o = eval_raw(attr, args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !(err.contains("unable to download") || err.contains("Could not resolve host") || err.contains("fetchTree")),
        "the stand-in evaluation needs rust-overlay (the commit in flake.lock) and nixpkgs.lib (nix/tests/inputs.nix) \
         in the Nix store; scripts/nix-add-inputs adds them from ../shared/nix-inputs without network:\n{err}"
    );
    assert!(o.status.success(), "evaluating {attr}:\n{err}");
    serde_json::from_slice(&o.stdout).unwrap()
}

fn eval(attr: &str) -> Value {
    eval_with(attr, &[])
}

const SYSTEMS: [&str; 2] = ["x86_64-linux", "aarch64-linux"];

/// The flake's name for a bare-metal target's kernel, as the launcher looks it up
/// (src/nix/flake.rs: a trailing `-none` stripped).
fn kernel_name(target: &str) -> String {
    format!("kernel-{}", target.strip_suffix("-none").unwrap_or(target))
}

/// Whether examples/kernel (the sample kernel) supports a bare-metal target: one of
/// its `qemu-virt-<arch>` harness features starts the triple (nix/outputs.nix hasKernel).
fn has_sample_kernel(spec: &Value) -> bool {
    let manifest: toml::Table =
        std::fs::read_to_string(root().join("examples/kernel/Cargo.toml")).unwrap().parse().unwrap();
    let features = manifest["dependencies"]["crossflake-harness"]["features"].as_array().cloned().unwrap_or_default();
    let triple = spec["rust_triple"].as_str().unwrap();
    spec["kind"] == "bare-metal"
        && features.iter().filter_map(|f| f.as_str()?.strip_prefix("qemu-virt-")).any(|a| triple.starts_with(a))
}

fn is_darwin(spec: &Value) -> bool {
    spec["rust_triple"].as_str().unwrap().ends_with("-apple-darwin")
}

fn obj(v: &Value) -> &serde_json::Map<String, Value> {
    v.as_object().unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

fn targets() -> serde_json::Map<String, Value> {
    let o = Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "-E", &format!("import {}/nix/targets.nix {{ }}", root().display())])
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let mut all = serde_json::from_slice::<Value>(&o.stdout).unwrap().as_object().unwrap().clone();
    // universal2-darwin is the launcher's alone (cargo-zigbuild joins the two darwin builds);
    // the flake gives it no shell (nix/default.nix launcherOnly), and its two stds are the
    // darwin targets' own.
    // The MSVC targets are too (cargo-xwin brings Microsoft's CRT and SDK).
    all.retain(|_, s| {
        let t = s["rust_triple"].as_str().unwrap();
        t != "universal2-apple-darwin" && !t.ends_with("-windows-msvc")
    });
    all
}

// Finding 1: every rust_triple of targets/ has its std in the toolchain the
// flake builds (rust-overlay resolves the components for real).
#[test]
fn the_toolchain_has_the_std_of_every_target() {
    for system in ["x86_64-linux", "aarch64-linux"] {
        let t = eval_with("toolchain", &["--argstr", "system", system]);
        assert_eq!(t["version"], "1.95.0", "the channel of rust-toolchain.toml");
        let std = strs(&t["std"]);
        for (name, spec) in targets() {
            let triple = spec["rust_triple"].as_str().unwrap();
            assert!(std.iter().any(|s| s == triple), "{system}: no rust-std for {name} ({triple}) in {std:?}");
        }
        let components = strs(&t["components"]);
        for ext in ["rust-src", "clippy-preview", "rustfmt-preview", "llvm-tools-preview"] {
            assert!(components.iter().any(|c| c.starts_with(ext)), "{system}: {ext} missing: {components:?}");
        }
        assert_eq!(t["inShells"], true, "every shell has this toolchain");
    }
}

// Finding 1, the host side: rustup on the project's machines cannot fetch
// riscv64gc-unknown-linux-musl, so rust-toolchain.toml must not list it.
#[test]
fn rust_toolchain_toml_lists_only_what_rustup_here_can_install() {
    let toml: toml::Value = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap().parse().unwrap();
    let listed: Vec<&str> =
        toml["toolchain"]["targets"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(!listed.contains(&"riscv64gc-unknown-linux-musl"), "{listed:?}");
    // llvm-tools installs here (host-toolchain.md), and the flake reads the same list.
    let components: Vec<&str> =
        toml["toolchain"]["components"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(components.contains(&"llvm-tools"), "{components:?}");
}

// Findings 3 and 8: no shell puts a cc-wrapper of another platform in its
// packages (its setup hook would export CC/CXX for the host), none sets
// CC/CXX itself, CC_<host> is the host's compiler, and bare-metal targets get
// a C compiler only when asked for.
#[test]
fn no_shell_exports_a_cross_compiler_for_the_host() {
    for (system, host_cc_env) in
        [("x86_64-linux", "x86_64_unknown_linux_gnu"), ("aarch64-linux", "aarch64_unknown_linux_gnu")]
    {
        let shells = eval_with("devShells", &["--argstr", "system", system]);
        for (name, sh) in obj(&shells) {
            assert_eq!(sh["crossWrappers"], serde_json::json!([]), "{system} {name}: a cross cc-wrapper in packages");
            let env = obj(&sh["env"]);
            for var in ["CC", "CXX", "HOST_CC", "HOST_CXX", "AR", "LD"] {
                assert!(!env.contains_key(var), "{system} {name} sets {var}");
            }
            if let Some(cc) = env.get(&format!("CC_{host_cc_env}")) {
                assert!(cc.as_str().unwrap().ends_with("-gcc-wrapper/bin/cc"), "{system} {name}: CC_<host> = {cc}");
            }
            let bare =
                |k: &str| k.ends_with("_none_elf") || k.ends_with("_unknown_none") || k.ends_with("_none_softfloat");
            for (var, _) in env.iter().filter(|(k, _)| bare(k)) {
                assert!(
                    !var.starts_with("CC_") && !var.starts_with("CXX_") && !var.starts_with("AR_"),
                    "{name}: {var}"
                );
            }
        }
    }
    let cc = eval("probes.bareMetalCC");
    let env = obj(&cc["env"]);
    assert!(env["CC_riscv64gc_unknown_none_elf"].as_str().unwrap().contains("riscv64-none-elf-gcc-wrapper"));
    assert!(!env.contains_key("CC_aarch64_unknown_none"), "only the target asked for");
    // softfloat: nixpkgs' aarch64-embedded gcc, under the TOML triple's name.
    let soft = env["CC_aarch64_unknown_none_softfloat"].as_str().unwrap();
    assert!(soft.contains("aarch64-none-elf-gcc-wrapper/bin/aarch64-none-elf-cc"), "{soft}");
    assert!(strs(&cc["packages"]).contains(&"riscv64-none-elf-cc-bin".to_string()), "the programs, without the hook");
}

// Finding 6: PKG_CONFIG*_<t> only with targetLibs (the default shells have none).
#[test]
fn pkg_config_variables_only_with_target_libraries() {
    let shells = eval("devShells");
    for (name, sh) in obj(&shells) {
        for (var, value) in obj(&sh["env"]) {
            assert!(!var.starts_with("PKG_CONFIG"), "{name}: {var}={value} without targetLibs");
            assert_ne!(value, "", "{name}: {var} is empty");
        }
    }
    let checks = eval("checks");
    for (name, c) in obj(&checks).iter().filter(|(n, _)| n.starts_with("cdemo-")) {
        let env = obj(&c["env"]);
        let t =
            env.keys().find_map(|k| k.strip_prefix("PKG_CONFIG_LIBDIR_")).unwrap_or_else(|| panic!("{name}: {env:?}"));
        let dirs = env[&format!("PKG_CONFIG_LIBDIR_{t}")].as_str().unwrap();
        assert!(dirs.contains("-xz-dev/lib/pkgconfig"), "{name}: {dirs}");
        assert_eq!(env[&format!("PKG_CONFIG_ALLOW_CROSS_{t}")], "1");
        for (var, value) in env {
            assert_ne!(value, "", "{name}: {var} is empty");
        }
    }
}

// The Windows runtime under wine, in shells and checks alike; MinGW's
// pthreads on the linker (the cc-wrapper's nix-support/cc-ldflags), and no
// shell or build sets CARGO_TARGET_*_RUSTFLAGS, which any RUSTFLAGS would
// silently replace (issue 21, finding 2).
#[test]
fn windows_runs_with_the_gcc_runtime_and_links_pthreads_through_the_linker() {
    for system in SYSTEMS {
        let arg = ["--argstr", "system", system];
        let (shells, checks, packages) =
            (eval_with("devShells", &arg), eval_with("checks", &arg), eval_with("packages", &arg));
        for (what, set) in [("shell", &shells), ("check", &checks), ("package", &packages)] {
            for (name, d) in obj(set) {
                for var in obj(&d["env"]).keys() {
                    assert!(
                        !(var.ends_with("_RUSTFLAGS") || var.ends_with("_RUSTDOCFLAGS") || var == "RUSTFLAGS"),
                        "{system} {what} {name} sets {var}"
                    );
                }
            }
        }
    }
    let shells = eval("devShells");
    let checks = eval("checks");
    for (what, env) in [("shell", &shells["windows"]["env"]), ("check", &checks["hello-windows"]["env"])] {
        let path = env["WINEPATH"].as_str().unwrap();
        let dirs: Vec<&str> = path.split(';').collect();
        assert!(dirs.iter().any(|d| d.ends_with("-mingw_w64-pthreads/bin")), "{what}: {path}");
        assert!(dirs.iter().any(|d| d.ends_with("-mingw-runtime-dlls/bin")), "{what}: {path}");
        assert_eq!(env["WINEDLLOVERRIDES"], "mscoree,mshtml=;winemenubuilder.exe=d", "{what}: as src/wine.rs");
        let linker = env["CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER"].as_str().unwrap();
        assert!(linker.ends_with("-x86_64-w64-mingw32-gcc-wrapper/bin/x86_64-w64-mingw32-cc"), "{what}: {linker}");
    }
    let flags = eval("windowsLinker");
    let flags = flags.as_str().unwrap();
    assert!(
        flags.contains("-mingw_w64-pthreads/lib' >> $out/nix-support/cc-ldflags"),
        "the linker's wrapper adds -L<pthreads>/lib: {flags}"
    );
    let launcher = std::fs::read_to_string(root().join("src/run/wine.rs")).unwrap();
    assert!(launcher.contains("\"mscoree,mshtml=;winemenubuilder.exe=d\""), "the launcher's value moved");
}

// The MinGW runtime DLLs, its script rendered over stand-in gcc and
// mcfgthread trees and run: links and files are found without following
// links (a link loop does not fail the build), and a DLL that is not there
// fails the build naming it (issue 21, finding 3).
#[test]
fn the_mingw_runtime_dlls_are_found_and_missing_ones_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mk = |rel: &str| {
        let p = d.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "dll").unwrap();
    };
    mk("gcc/x86_64-w64-mingw32/lib/libgcc_s_seh-1.dll");
    mk("gcc-lib/x86_64-w64-mingw32/lib/libstdc++-6.dll");
    mk("mcf/bin/libmcfgthread-2.dll");
    std::os::unix::fs::symlink("loop", d.join("gcc/loop")).unwrap();
    std::os::unix::fs::symlink(d.join("mcf/bin/libmcfgthread-2.dll"), d.join("gcc-lib/link.dll")).unwrap();
    // The stand-in names the gcc's `lib` output `<its prefix>-lib`.
    let run = |gcc: &str| {
        let tools =
            tools_arg(&[("x86_64-w64-mingw32-gcc", &d.join(gcc)), ("x86_64-w64-mingw32-mcfgthread", &d.join("mcf"))]);
        let script = eval_with("mingwDlls", &["--arg", "tools", &tools]);
        let out = d.join(format!("out-{gcc}"));
        let o = Command::new("bash")
            .args(["-euo", "pipefail", "-c", script.as_str().unwrap()])
            .env("out", &out)
            .output_bounded()
            .unwrap();
        (o, out)
    };
    let (o, out) = run("gcc");
    assert!(o.status.success(), "{}", text(&o));
    for f in ["libgcc_s_seh-1.dll", "libstdc++-6.dll", "libmcfgthread-2.dll", "link.dll"] {
        assert!(out.join("bin").join(f).exists(), "{f} in {}", out.display());
    }
    mk("gcc2/x86_64-w64-mingw32/lib/libgcc_s_seh-1.dll");
    std::fs::create_dir_all(d.join("gcc2-lib")).unwrap();
    let (o, _) = run("gcc2");
    assert!(!o.status.success(), "a missing libstdc++ must fail the build");
    assert!(text(&o).contains("no libstdc++-6.dll under"), "{}", text(&o));
}

// Finding 10 and the checks' shape: hello and cdemo for every target this
// machine can run, kernels booted, the unit check runs the tool-free suites.
#[test]
fn checks_cover_hello_cdemo_and_the_kernels_per_target() {
    let checks = eval("checks");
    let checks = obj(&checks);
    let runnable = [
        "aarch64",
        "aarch64-musl",
        "riscv64",
        "riscv64-musl",
        "x86_64",
        "x86_64-musl",
        "windows",
        "armv7",
        "i686",
        "ppc64le",
        "s390x",
    ];
    for t in runnable {
        for kind in ["hello", "cdemo"] {
            let c = &checks[&format!("{kind}-{t}")];
            assert!(c.is_object(), "no check {kind}-{t}: {:?}", checks.keys());
            assert!(c["cargoCommand"].as_str().unwrap().starts_with("test --release"), "{kind}-{t}");
        }
        let cdemo = &checks[&format!("cdemo-{t}")];
        assert!(cdemo["cargoCommand"].as_str().unwrap().contains("--features system-lib"));
        assert!(obj(&cdemo["env"]).keys().any(|k| k.starts_with("CC_")), "cdemo-{t}: the cc crate's CC_<t>");
    }
    // WASI: hello only (no C for wasm on the host side either, see nix/outputs.nix).
    assert!(checks["hello-wasm32-wasip1"].is_object() && !checks.contains_key("cdemo-wasm32-wasip1"));
    assert!(!checks.contains_key("hello-aarch64-darwin") && !checks.contains_key("cdemo-x86_64-darwin"));
    for k in ["kernel-riscv64-boot", "kernel-aarch64-boot", "kernel-aarch64-none-softfloat-boot"] {
        let env = obj(&checks[k]["env"]);
        assert!(env.keys().any(|v| v.ends_with("_RUNNER")), "{k} runs its tests under QEMU");
    }
    // crane's cargoTest runs them in its check phase, from the shared artifacts.
    let unit = &checks["crossflake-unit"];
    let phase = unit["checkPhase"].as_str().unwrap();
    assert!(
        unit["doCheck"] == true && phase.contains("test --locked --test launcher -- plan:: targets:: nix_pure::"),
        "{unit}"
    );
    for lint in ["crossflake-unit", "crossflake-clippy"] {
        assert_eq!(checks[lint]["cargoArtifacts"], "crossflake-deps-0.1.0", "{lint}");
    }
    assert!(checks["crossflake-clippy"]["buildPhase"]
        .as_str()
        .unwrap()
        .contains("clippy --locked --all-targets -- -D warnings"));
    for t in ["plan", "targets", "nix_pure"] {
        assert!(root().join(format!("tests/launcher/{t}.rs")).is_file(), "toolFreeTests lists {t}");
    }
    // On an arm64 machine x86_64 runs under qemu-user and windows is left out (no wine).
    let arm = eval_with("checks", &["--argstr", "system", "aarch64-linux"]);
    assert!(arm["cdemo-x86_64"].is_object() && arm["cdemo-windows"].is_null());
}

// Every target of targets/ has its shell on both Linux machines, in `default`
// too (darwin only with an SDK); every std target but darwin its hello
// package and, where this machine runs it, its hello check; every bare-metal
// target its kernel package, QEMU wrapper and boot check, under the names the
// launcher asks for.
#[test]
fn every_target_has_its_shell_packages_and_checks() {
    for system in SYSTEMS {
        let arg = ["--argstr", "system", system];
        let (shells, packages, checks) =
            (eval_with("devShells", &arg), eval_with("packages", &arg), eval_with("checks", &arg));
        let in_all: Vec<&str> = shells["all"]["env"]["CROSSFLAKE_NIX_TARGETS"].as_str().unwrap().split(' ').collect();
        for (name, spec) in targets() {
            let sh = &shells[&name];
            assert!(sh.is_object(), "{system}: no devShells.{name}");
            assert_eq!(sh["env"]["CROSSFLAKE_NIX_SHELL"], name.as_str(), "{system}");
            assert_eq!(in_all.contains(&name.as_str()), !is_darwin(&spec), "{system}: {name} in all: {in_all:?}");
            match spec["kind"].as_str().unwrap() {
                "bare-metal" => {
                    let k = kernel_name(&name);
                    let kernel = has_sample_kernel(&spec);
                    assert_eq!(packages[&k].is_object(), kernel, "{system}: packages.{k}");
                    let app = &eval_with("apps", &arg)[&format!("crossflake-qemu-{name}")];
                    assert_eq!(app["type"], "app", "{system}: {name}'s QEMU wrapper is an app");
                    assert!(
                        app["program"].as_str().unwrap().ends_with(&format!("/bin/crossflake-qemu-{name}")),
                        "{app}"
                    );
                    assert!(packages[&format!("crossflake-qemu-{name}")].is_null(), "runners are apps, not packages");
                    assert_eq!(checks[&format!("{k}-boot")].is_object(), kernel, "{system}: checks.{k}-boot");
                }
                _ if is_darwin(&spec) => assert!(checks[&format!("hello-{name}")].is_null(), "{system}: {name}"),
                _ => {
                    assert!(packages[&format!("hello-{name}")].is_object(), "{system}: no packages.hello-{name}");
                    // wine only on x86_64 machines.
                    let runs = !(name == "windows" && system == "aarch64-linux");
                    assert_eq!(checks[&format!("hello-{name}")].is_object(), runs, "{system}: checks.hello-{name}");
                }
            }
        }
    }
}

// The TOML's rust_triple names every variable and is every `--target`, even
// where nixpkgs derives another triple from nixpkgs_example (softfloat:
// aarch64-embedded gives aarch64-unknown-none).
#[test]
fn the_tomls_triple_names_every_variable_and_target() {
    let shells = eval("devShells");
    let (packages, checks) = (eval("packages"), eval("checks"));
    let names = eval("varNames");
    for (name, spec) in targets() {
        let (t, c) = (names[&name]["T"].as_str().unwrap(), names[&name]["t"].as_str().unwrap());
        for (var, _) in obj(&shells[&name]["env"]) {
            if let Some(rest) = var.strip_prefix("CARGO_TARGET_") {
                assert!(rest.starts_with(&format!("{t}_")), "{name}: {var} is not CARGO_TARGET_{t}_*");
            }
            for p in ["CC_", "CXX_", "AR_", "PKG_CONFIG_"] {
                if let Some(rest) = var.strip_prefix(p) {
                    assert_eq!(rest, c, "{name}: {var}");
                }
            }
        }
        let triple = spec["rust_triple"].as_str().unwrap();
        let builds = match spec["kind"].as_str().unwrap() {
            "bare-metal" => [kernel_name(&name), format!("{}-boot", kernel_name(&name))],
            _ => [format!("hello-{name}"), format!("cdemo-{name}")],
        };
        for b in builds.iter() {
            for d in [&packages[b], &checks[b]].into_iter().filter(|d| d.is_object()) {
                let phase = d["buildPhase"].as_str().unwrap();
                assert!(phase.contains(&format!(" --target {triple}\n")), "{b}: {phase}");
                for (var, _) in obj(&d["env"]).iter().filter(|(k, _)| k.starts_with("CARGO_TARGET_")) {
                    assert!(var.starts_with(&format!("CARGO_TARGET_{t}_")), "{b}: {var}");
                }
            }
        }
    }
    let soft = obj(&shells["aarch64-none-softfloat"]["env"]);
    assert_eq!(
        soft["CARGO_TARGET_AARCH64_UNKNOWN_NONE_SOFTFLOAT_RUNNER"],
        "crossflake runner --target aarch64-none-softfloat"
    );
    let kernel = packages["kernel-aarch64-none-softfloat"]["installPhase"].as_str().unwrap();
    assert!(kernel.contains("target/aarch64-unknown-none-softfloat/release/kernel"), "{kernel}");
    // wasm: rust-lld links (no linker variable), pkgsCross.wasi32's clang
    // (its wrapper passes wasi-libc's sysroot) and archiver for C.
    let wasm = obj(&shells["wasm32-wasip1"]["env"]);
    assert!(!wasm.contains_key("CARGO_TARGET_WASM32_WASIP1_LINKER"), "{wasm:?}");
    assert!(wasm["CC_wasm32_wasip1"].as_str().unwrap().ends_with("/bin/wasm32-unknown-wasi-cc"), "{wasm:?}");
    assert!(wasm["CXX_wasm32_wasip1"].as_str().unwrap().ends_with("/bin/wasm32-unknown-wasi-c++"), "{wasm:?}");
    assert!(wasm["AR_wasm32_wasip1"].as_str().unwrap().ends_with("/bin/wasm32-unknown-wasi-ar"), "{wasm:?}");
    // A pure-Rust wasm build does not pull the wasi clang in (finding 6).
    let build = eval("probes.wasmBuild");
    assert!(!obj(&build["env"]).keys().any(|k| k.starts_with("CC_") || k.starts_with("AR_")), "{build}");
    assert!(!packages["hello-wasm32-wasip1"]["env"].as_object().unwrap().contains_key("CC_wasm32_wasip1"));
    assert!(wasm["CARGO_TARGET_WASM32_WASIP1_RUNNER"].as_str().unwrap().contains("/bin/node "), "{wasm:?}");
}

// WASI programs run under node:wasi through the launcher's own script, the
// same file (src/wasi/run.mjs), with node in the shell for `crossflake runner`.
#[test]
fn wasm32_wasip1_runs_under_node_with_the_launchers_script() {
    for system in SYSTEMS {
        let shells = eval_with("devShells", &["--argstr", "system", system]);
        let sh = &shells["wasm32-wasip1"];
        let runner = sh["env"]["CARGO_TARGET_WASM32_WASIP1_RUNNER"].as_str().unwrap();
        let argv: Vec<&str> = runner.split(' ').collect();
        assert_eq!(argv.len(), 3, "{runner}");
        assert!(argv[0].ends_with("-nodejs/bin/node") && argv[1] == "--no-warnings", "{runner}");
        let script = std::fs::read_to_string(argv[2]).unwrap();
        assert_eq!(script, std::fs::read_to_string(root().join("src/run/wasi/run.mjs")).unwrap(), "{system}");
        assert!(strs(&sh["packages"]).contains(&"nodejs".to_string()), "{system}: node for the launcher");
    }
}

// The runner value of a check and its shell, rendered with this machine's
// node: examples/hello's tests pass under it (the thread tests ignored).
#[test]
fn the_wasi_runner_passes_hello_here() {
    require_tool("node");
    let check = eval_with("checks.hello-wasm32-wasip1", &["--arg", "tools", "{ nodejs = \"/usr\"; }"]);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("hello");
    copy_tree(&root().join("examples/hello"), &src);
    let target_dir = shared_target_dir().join("nix-flake-wasi");
    let o = run_phases(
        &src,
        &check,
        &["buildPhase"],
        &dir.path().join("out"),
        &[("CARGO_TARGET_DIR", target_dir.as_os_str())],
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("ignored, WASI preview 1 has no threads"), "{out}");
    assert!(out.contains("test ontarget::file_io_in_temp_dir ... ok"), "TMPDIR is preopened: {out}");
}

// qemu-user runs with the target's CPU model ([runner] cpu: max; power10 for
// ppc64le) through a wrapper per target (one QEMU_CPU could not serve a shell
// of several targets), in shells and checks alike; targets the machine runs
// itself get no runner.
#[test]
fn qemu_user_runners_carry_the_cpu_model() {
    for system in SYSTEMS {
        let arg = ["--argstr", "system", system];
        let (shells, checks, wrappers) =
            (eval_with("devShells", &arg), eval_with("checks", &arg), eval_with("cpuRunners", &arg));
        let names = eval("varNames");
        let native: &[&str] =
            if system == "x86_64-linux" { &["x86_64", "x86_64-musl", "i686"] } else { &["aarch64", "aarch64-musl"] };
        for (name, spec) in targets().into_iter().filter(|(_, s)| s["runner"]["type"] == "qemu-user") {
            let var = format!("CARGO_TARGET_{}_RUNNER", names[&name]["T"].as_str().unwrap());
            let runner = &shells[&name]["env"][&var];
            if native.contains(&name.as_str()) {
                assert!(runner.is_null() && wrappers[&name].is_null(), "{system}: {name} runs natively, yet {runner}");
                continue;
            }
            let runner = runner.as_str().unwrap_or_else(|| panic!("{system}: {name} has no runner"));
            let (arch, cpu) = (spec["runner"]["qemu_arch"].as_str().unwrap(), spec["runner"]["cpu"].as_str().unwrap());
            assert!(runner.ends_with(&format!("/bin/qemu-{arch}-cpu-{cpu}")), "{system}: {name}: {runner}");
            let script = wrappers[&name].as_str().unwrap();
            let qemu = format!("-qemu-user/bin/qemu-{arch}");
            assert!(script.contains(&format!("{qemu} -cpu {cpu} \"$@\"")), "{system}: {name}: {script}");
            assert!(script.contains(&format!("{qemu} \"$@\"")) && script.contains("QEMU_CPU"), "{script}");
            assert_eq!(checks[&format!("hello-{name}")]["env"][&var], runner, "{system}: the check runs the same way");
        }
        let ppc = shells["ppc64le"]["env"]["CARGO_TARGET_POWERPC64LE_UNKNOWN_LINUX_GNU_RUNNER"].as_str().unwrap();
        assert!(ppc.ends_with("/bin/qemu-ppc64le-cpu-power10"), "{ppc}");
    }
}

// The CPU wrapper, rendered with a stand-in qemu-ppc64le that prints its
// arguments: the target's model, unless QEMU_CPU is set (as the launcher's
// runner does it).
#[test]
fn the_cpu_wrapper_gives_way_to_qemu_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("qemu-user");
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    write_script(&prefix.join("bin"), "qemu-ppc64le", "#!/bin/sh\necho \"QEMU_CPU=${QEMU_CPU:-} $*\"\n");
    let tools = tools_arg(&[("qemu-user", &prefix)]);
    let script = eval_with("cpuRunners.ppc64le", &["--arg", "tools", &tools]);
    let wrapper = write_script(dir.path(), "qemu-ppc64le-cpu-power10", script.as_str().unwrap());
    let run = |cpu: Option<&str>| {
        let mut c = Command::new(&wrapper);
        c.args(["prog", "arg"]).env_remove("QEMU_CPU");
        if let Some(m) = cpu {
            c.env("QEMU_CPU", m);
        }
        let o = c.output_bounded().unwrap();
        assert!(o.status.success(), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    assert_eq!(run(None), "QEMU_CPU= -cpu power10 prog arg");
    assert_eq!(run(Some("power9")), "QEMU_CPU=power9 prog arg");
}

// The launcher's tools in every shell: cargo-zigbuild and zig (--glibc),
// cargo-nextest, and llvm-tools in the toolchain; zig without its setup
// hook (binOnly), which would reset its cache dir on every shell entry.
#[test]
fn every_shell_carries_the_launchers_tools() {
    for system in SYSTEMS {
        let shells = eval_with("devShells", &["--argstr", "system", system]);
        for (name, sh) in obj(&shells) {
            let packages = strs(&sh["packages"]);
            for p in ["cargo-zigbuild", "zig-bin", "cargo-nextest", "rust-minimal-1.95.0"] {
                assert!(packages.contains(&p.to_string()), "{system} {name}: no {p} in {packages:?}");
            }
            assert!(!packages.contains(&"zig".to_string()), "{system} {name}: zig with its setup hook");
        }
    }
    let components = strs(&eval("toolchain")["components"]);
    assert!(components.iter().any(|c| c.starts_with("llvm-tools-preview-1.95.0")), "{components:?}");
}

// Finding 8: a plain build pulls in no runner (no QEMU for a kernel build).
#[test]
fn builds_set_no_runner_and_bare_metal_builds_no_c_compiler() {
    let packages = eval("packages");
    for (name, p) in obj(&packages).iter().filter(|(n, _)| n.starts_with("kernel-") || n.starts_with("hello-")) {
        let env = obj(&p["env"]);
        assert!(!env.keys().any(|k| k.ends_with("_RUNNER")), "{name}: {env:?}");
        if name.starts_with("kernel-") {
            assert!(!env.keys().any(|k| k.starts_with("CC_")), "{name}: {env:?}");
        }
    }
}

// Finding 9: the lib functions' options.
#[test]
fn lib_functions_take_the_options_users_need() {
    let b = eval("probes.build");
    assert_eq!(b["outputHashes"]["somecrate-0.1.0"].as_str().unwrap().len(), 51, "outputHashes reach importCargoLock");
    assert!(strs(&b["nativeBuildInputs"]).contains(&"cmake".to_string()));
    assert_eq!(strs(&b["buildInputs"]), ["openssl"]);
    let sh = eval("probes.noLauncher");
    let runner = sh["env"]["CARGO_TARGET_RISCV64GC_UNKNOWN_NONE_ELF_RUNNER"].as_str().unwrap();
    assert!(runner.ends_with("/bin/crossflake-qemu-riscv64-none"), "withLauncher = false: the QEMU wrapper, {runner}");
    assert!(!strs(&sh["packages"]).iter().any(|p| p.starts_with("crossflake-0")));
    assert_eq!(eval("probes.osxcross"), "osxcross-1.5-unstable-2025-12-15", "extra macos-sdk.toml keys are ignored");
    // Finding 2: -Zbuild-std is refused with a reason.
    let o = eval_raw("probes.buildStd", &[]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("-Zbuild-std") && err.contains("library/Cargo.lock") && err.contains("nix develop"), "{err}");
}

// Findings 5 and 11: the formatter wrapper, the overlay under overlays/.
#[test]
fn flake_outputs_formatter_overlay_and_lib() {
    let f = eval("formatter");
    assert_eq!(f["name"], "crossflake-fmt");
    assert_eq!(strs(&eval("overlay")), ["crossflake", "crossflake-runners", "crossflakeLib", "osxcross"]);
    assert!(root().join("overlays/default.nix").is_file() && !root().join("nix/overlay.nix").exists());
    let flake = std::fs::read_to_string(root().join("flake.nix")).unwrap();
    assert!(flake.contains("overlays.default = import ./overlays"), "{flake}");
    assert_eq!(strs(&eval("lib")), ["mkLib", "mkToolchain", "targets"]);
}

fn write_script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// Waits for `child` up to `limit`, killing it past that.
fn wait_bounded(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::yield_now();
        std::thread::park_timeout(Duration::from_millis(20));
    }
}

// Finding 5: `nix fmt` with no arguments formats the tree and never reads
// stdin. nixfmt is a stand-in here that behaves like it: no paths means
// stdin to stdout; paths (files or directories) are rewritten in place.
#[test]
fn the_formatter_wrapper_formats_the_tree_without_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("fmt/bin");
    std::fs::create_dir_all(&bin).unwrap();
    write_script(
        &bin,
        "nixfmt",
        "#!/bin/bash\nif [ $# -eq 0 ]; then exec sed 's/[[:space:]]*$//'; fi\n\
         find \"$@\" -name '*.nix' -type f -exec sed -i 's/[[:space:]]*$//' {} +\n",
    );
    let tools = format!("{{ nixfmt = \"{}\"; }}", dir.path().join("fmt").display());
    let script = eval_with("formatter", &["--arg", "tools", &tools])["script"].as_str().unwrap().to_string();
    let wrapper = write_script(dir.path(), "crossflake-fmt", &script);
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("nix")).unwrap();
    std::fs::write(tree.join("flake.nix"), "{ }   \n").unwrap();
    std::fs::write(tree.join("nix/a.nix"), "x:  \n  x\n").unwrap();
    // stdin stays open: a formatter that reads it would never finish.
    let mut child = Command::new(&wrapper).current_dir(&tree).stdin(Stdio::piped()).spawn().unwrap();
    let status =
        wait_bounded(&mut child, Duration::from_secs(20)).expect("the wrapper read stdin instead of formatting .");
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(tree.join("flake.nix")).unwrap(), "{ }\n");
    assert_eq!(std::fs::read_to_string(tree.join("nix/a.nix")).unwrap(), "x:\n  x\n");
    // Paths given pass through: only that file.
    std::fs::write(tree.join("flake.nix"), "{ }  \n").unwrap();
    std::fs::write(tree.join("nix/a.nix"), "x:  \n").unwrap();
    let o = Command::new(&wrapper).arg("flake.nix").current_dir(&tree).stdin(Stdio::null()).output_bounded().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(tree.join("flake.nix")).unwrap(), "{ }\n");
    assert_eq!(std::fs::read_to_string(tree.join("nix/a.nix")).unwrap(), "x:  \n");
}

fn riscv_kernel() -> PathBuf {
    let target_dir = shared_target_dir().join("nix-flake-kernel");
    let o = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--bin", "kernel", "--target", "riscv64gc-unknown-none-elf"])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(root().join("examples/kernel"))
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "building examples/kernel:\n{}", text(&o));
    target_dir.join("riscv64gc-unknown-none-elf/release/kernel")
}

/// A `tools` argument for nix/tests/eval.nix: stand-in package name -> real prefix.
fn tools_arg(pairs: &[(&str, &Path)]) -> String {
    let body: String = pairs.iter().map(|(n, p)| format!("\"{n}\" = \"{}\"; ", p.display())).collect();
    format!("{{ {body}}}")
}

/// A prefix laid out like the flake's OpenSBI package, holding `firmware`.
fn opensbi_prefix(dir: &Path, firmware: &Path) -> PathBuf {
    let prefix = dir.join("opensbi");
    let fw = prefix.join(eval("opensbi")["firmware"].as_str().unwrap());
    std::fs::create_dir_all(fw.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(firmware, &fw).unwrap();
    prefix
}

/// QEMU's own OpenSBI (Debian's opensbi package): every SBI shutdown exits 0.
fn stock_opensbi() -> PathBuf {
    let fw = PathBuf::from("/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin");
    assert!(fw.is_file(), "REQUIRED TOOL MISSING: {} (Debian's opensbi, with qemu-system-misc)", fw.display());
    fw
}

/// The reason-honouring OpenSBI scripts/build-opensbi made (the host twin of nix/opensbi.nix).
fn patched_opensbi() -> PathBuf {
    let fw = PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/crossflake/opensbi/fw_dynamic.bin");
    assert!(
        fw.is_file(),
        "REQUIRED TOOL MISSING: {} (scripts/build-opensbi; scripts/setup-host runs it)",
        fw.display()
    );
    fw
}

/// The runner for riscv64-none, rendered with Debian's QEMU and coreutils and
/// `firmware` as the flake's OpenSBI.
fn riscv_runner(dir: &Path, timeout: u32, firmware: &Path) -> PathBuf {
    let name = eval("opensbi")["name"].as_str().unwrap().to_string();
    let fw = opensbi_prefix(dir, firmware);
    let tools = tools_arg(&[("qemu", Path::new("/usr")), ("coreutils", Path::new("/usr")), (&name, &fw)]);
    let script = eval_with(
        "runnerWithTimeout.riscv64-none",
        &["--arg", "tools", &tools, "--arg", "timeout", &timeout.to_string()],
    );
    write_script(dir, "crossflake-qemu-riscv64-none", script.as_str().unwrap())
}

/// `cmd` under a pseudo-terminal (`script`), bounded by `limit`. The shell
/// runs it as a child in the terminal's foreground process group, as cargo
/// runs a runner (`; exit $?` stops the shell from exec'ing it as the session
/// leader, whose own process group timeout could not leave).
fn under_pty(cmd: &str, limit: Duration) -> (Option<std::process::ExitStatus>, Duration, String) {
    require_tool("script");
    let cmd = format!("{cmd}; exit $?");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("typescript");
    let start = Instant::now();
    let mut child = Command::new("script")
        .args(["-qec", &cmd])
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = wait_bounded(&mut child, limit);
    (status, start.elapsed(), std::fs::read_to_string(&log).unwrap_or_default())
}

// Finding 4: on a terminal, QEMU's tcsetattr must not stop the runner
// (SIGTTOU): the kernel boots, exits 0 through the SiFive test device, and the
// runner returns long before its timeout.
#[test]
fn the_qemu_runner_finishes_under_a_terminal() {
    require_tool("qemu-system-riscv64");
    let dir = tempfile::tempdir().unwrap();
    let runner = riscv_runner(dir.path(), 30, &stock_opensbi());
    let kernel = riscv_kernel();
    let (status, took, out) = under_pty(&format!("{} {}", runner.display(), kernel.display()), Duration::from_secs(60));
    let status = status.unwrap_or_else(|| panic!("the runner hung on a terminal:\n{out}"));
    assert_eq!(status.code(), Some(0), "{out}");
    assert!(took < Duration::from_secs(25), "took {took:?}: it waited for its timeout\n{out}");
}

// Finding 4, the other half: the timeout still ends a hung guest on a
// terminal, with 124, and leaves no QEMU behind. The guest is a raw image of
// one instruction, `j .`, that OpenSBI jumps to at 0x80200000.
#[test]
fn the_qemu_runner_times_out_a_hung_guest_under_a_terminal() {
    require_tool("qemu-system-riscv64");
    let dir = tempfile::tempdir().unwrap();
    let runner = riscv_runner(dir.path(), 3, &stock_opensbi());
    let image = dir.path().join("hang.bin");
    std::fs::write(&image, [0x6f, 0x00, 0x00, 0x00]).unwrap();
    let (status, took, out) = under_pty(&format!("{} {}", runner.display(), image.display()), Duration::from_secs(30));
    let status = status.unwrap_or_else(|| panic!("the runner did not time out:\n{out}"));
    assert_eq!(status.code(), Some(124), "{out}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(processes_matching(&image.display().to_string()).is_empty(), "QEMU left running");
}

/// The probe kernel (tests/fixtures/probe-kernels) built to take exit path `probe`.
fn probe_kernel(probe: &str) -> PathBuf {
    let target_dir = shared_target_dir().join(format!("nix-flake-probe-{probe}"));
    let o = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--target", "riscv64gc-unknown-none-elf"])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("PROBE", probe)
        .current_dir(root().join("tests/fixtures/probe-kernels"))
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "building the probe kernel:\n{}", text(&o));
    target_dir.join("riscv64gc-unknown-none-elf/debug/probe")
}

// riscv64-none ([runner] firmware = "opensbi-srst-reason"): the QEMU wrapper
// boots the patched OpenSBI instead of -bios default, every shell with that
// target exports it as CROSSFLAKE_OPENSBI for the launcher's runner, and so
// does the kernel check; a kernel build, which runs nothing, does not.
#[test]
fn riscv64_none_boots_the_reason_honouring_opensbi() {
    let sbi = eval("opensbi");
    assert_eq!(strs(&sbi["patches"]), ["opensbi-srst-reason.patch"]);
    assert!(strs(&sbi["makeFlags"]).contains(&"FW_DYNAMIC=y".to_string()));
    let fw = format!(
        "/nix/store/00000000000000000000000000000000-{}/{}",
        sbi["name"].as_str().unwrap(),
        sbi["firmware"].as_str().unwrap()
    );
    let runners = eval("runners");
    let riscv = runners["crossflake-qemu-riscv64-none"].as_str().unwrap();
    assert!(riscv.contains(&format!(" -bios {fw} ")) && !riscv.contains("-bios default"), "{riscv}");
    for (name, r) in obj(&runners).iter().filter(|(n, _)| !n.ends_with("riscv64-none")) {
        assert!(!r.as_str().unwrap().contains("opensbi"), "{name}: {r}");
    }
    for system in SYSTEMS {
        let shells = eval_with("devShells", &["--argstr", "system", system]);
        for (name, sh) in obj(&shells) {
            let has = sh["env"]["CROSSFLAKE_NIX_TARGETS"].as_str().unwrap().split(' ').any(|t| t == "riscv64-none");
            let exported = &sh["env"]["CROSSFLAKE_OPENSBI"];
            if has {
                assert_eq!(exported, fw.as_str(), "{system} {name}");
            } else {
                assert!(exported.is_null(), "{system} {name}: {exported}");
            }
        }
    }
    assert_eq!(eval("probes.noLauncher")["env"]["CROSSFLAKE_OPENSBI"], fw.as_str(), "the QEMU wrapper's shell too");
    assert_eq!(eval("checks")["kernel-riscv64-boot"]["env"]["CROSSFLAKE_OPENSBI"], fw.as_str());
    assert!(eval("packages")["kernel-riscv64"]["env"]["CROSSFLAKE_OPENSBI"].is_null());
    let launcher = std::fs::read_to_string(root().join("src/resolve/machine.rs")).unwrap();
    assert!(
        launcher.contains("pub const OPENSBI_ENV: &str = \"CROSSFLAKE_OPENSBI\";"),
        "the launcher's variable moved"
    );
}

// The rendered QEMU wrapper with the patched OpenSBI: a kernel that shuts
// down through SBI with reason "system failure" exits 1; with QEMU's own
// OpenSBI the same kernel exits 0, which is why the flake replaces it.
#[test]
fn the_qemu_runner_reports_an_sbi_failure_with_the_patched_opensbi() {
    require_tool("qemu-system-riscv64");
    let kernel = probe_kernel("srst-fail");
    for (firmware, code) in [(patched_opensbi(), 1), (stock_opensbi(), 0)] {
        let dir = tempfile::tempdir().unwrap();
        let runner = riscv_runner(dir.path(), 30, &firmware);
        let o = Command::new(&runner).arg(&kernel).output_bounded().unwrap();
        assert_eq!(o.status.code(), Some(code), "{}: {}", firmware.display(), text(&o));
    }
}

// The kernel packages and checks build from examples/kernel together with the
// harness it depends on by path, at their places (cargo runs in
// examples/kernel), and nothing else of the repository.
#[test]
fn kernel_builds_have_the_harness_in_their_source() {
    let sources = eval_with("kernelSources", &[]);
    let (packages, checks) = (eval("packages"), eval("checks"));
    for (name, src) in obj(&sources) {
        let src = Path::new(src.as_str().unwrap());
        for f in
            ["examples/kernel/Cargo.toml", "examples/kernel/Cargo.lock", "harness/Cargo.toml", "harness/src/lib.rs"]
        {
            assert!(src.join(f).is_file(), "{name}: no {f} in {}", src.display());
        }
        for f in ["src", "examples/hello", "Cargo.toml", "targets", "examples/kernel/target", "harness/target"] {
            assert!(!src.join(f).exists(), "{name}: {f} in {}", src.display());
        }
        let d = if packages[name].is_object() { &packages[name] } else { &checks[name] };
        assert_eq!(d["cargoRoot"], "examples/kernel", "{name}");
        assert!(d["buildPhase"].as_str().unwrap().contains("cd examples/kernel && cargo "), "{name}");
    }
    assert_eq!(obj(&sources).len(), 2 * targets().values().filter(|s| has_sample_kernel(s)).count());
    let manifest = std::fs::read_to_string(root().join("examples/kernel/Cargo.toml")).unwrap();
    assert!(manifest.contains("path = \"../../harness\""), "examples/kernel's harness dependency moved");
}

/// `from` copied to `to`, writable (store paths are read-only).
fn copy_tree(from: &Path, to: &Path) {
    let o = Command::new("cp").arg("-r").arg(from).arg(to).output_bounded().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = Command::new("chmod").args(["-R", "u+w"]).arg(to).output_bounded().unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

/// A derivation's phases (as eval.nix describes it) run in `cwd` with bash, its
/// env and `$out`, in an environment as bare as a build's: PATH of this
/// machine's programs and the rustup toolchain the flake pins (cargo, rustc).
fn run_phases(cwd: &Path, d: &Value, phases: &[&str], out: &Path, extra: &[(&str, &std::ffi::OsStr)]) -> Output {
    let home = PathBuf::from(std::env::var("HOME").unwrap());
    let rustup_home = std::env::var_os("RUSTUP_HOME").map(PathBuf::from).unwrap_or_else(|| home.join(".rustup"));
    let cargo_home = std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| home.join(".cargo"));
    let tmp = out.with_extension("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut script = String::from("set -euo pipefail\nrunHook() { :; }\n");
    for p in phases {
        script += d[*p].as_str().unwrap_or_else(|| panic!("no {p} in {d}"));
        script += "\n";
    }
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(script).current_dir(cwd).env_clear();
    cmd.env("PATH", format!("{}:/usr/bin:/bin", cargo_home.join("bin").display()))
        .env("HOME", "/homeless-shelter")
        .env("RUSTUP_HOME", rustup_home)
        .env("CARGO_HOME", cargo_home)
        .env("RUSTUP_TOOLCHAIN", "1.95.0")
        .env("TMPDIR", &tmp)
        .env("out", out);
    for (k, v) in obj(&d["env"]) {
        cmd.env(k, v.as_str().unwrap());
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output_bounded().unwrap()
}

// The kernel package and its check, their phases rendered with this machine's
// QEMU, the launcher built here and the patched OpenSBI and run in a copy of
// their source: the build makes kernel.elf; the check's `cargo test` boots
// every harness test on its own through `crossflake runner` (per-test
// verdicts: should_panic and ignored as declared), then boots kernel.elf.
#[test]
fn the_kernel_checks_pass_when_their_phases_run_here() {
    require_tool("qemu-system-riscv64");
    require_tool("qemu-system-aarch64");
    for target in ["riscv64-none", "aarch64-none-softfloat"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let launcher = d.join("crossflake");
        std::fs::create_dir_all(launcher.join("bin")).unwrap();
        std::os::unix::fs::symlink(bin(), launcher.join("bin/crossflake")).unwrap();
        let (kernel_out, runner) = (d.join("kernel-out"), d.join("runner"));
        let sbi = eval("opensbi");
        let fw = opensbi_prefix(d, &patched_opensbi());
        let k = kernel_name(target);
        let kernel_pkg = format!("kernel-{target}-0");
        let wrapper = format!("crossflake-qemu-{target}");
        let tools = tools_arg(&[
            ("qemu", Path::new("/usr")),
            ("coreutils", Path::new("/usr")),
            ("crossflake-0.1.0", &launcher),
            (sbi["name"].as_str().unwrap(), &fw),
            (&kernel_pkg, &kernel_out),
            (&wrapper, &runner),
        ]);
        let args = ["--arg", "tools", tools.as_str()];
        let script = eval_with(&format!("runners.{wrapper}"), &args);
        std::fs::create_dir_all(runner.join("bin")).unwrap();
        write_script(&runner.join("bin"), &wrapper, script.as_str().unwrap());
        let src = PathBuf::from(eval_with(&format!("kernelSources.{k}"), &[]).as_str().unwrap());

        let build = d.join("build");
        copy_tree(&src, &build);
        let package = eval_with(&format!("packages.{k}"), &args);
        let o = run_phases(&build, &package, &["buildPhase", "installPhase"], &kernel_out, &[]);
        assert!(o.status.success(), "{target}: the kernel package:\n{}", text(&o));
        assert!(kernel_out.join("kernel.elf").is_file(), "{target}");

        let check_dir = d.join("check");
        copy_tree(&src, &check_dir);
        let check = eval_with(&format!("checks.{k}-boot"), &args);
        let out = d.join("check-out");
        let o = run_phases(&check_dir, &check, &["buildPhase", "installPhase"], &out, &[]);
        let log = text(&o);
        assert!(o.status.success(), "{target}: the kernel check:\n{log}");
        // The launcher's summary (a plain boot's has no time), from one boot per test.
        assert!(log.contains("running 11 tests"), "{target}: listed, booted per test:\n{log}");
        assert!(log.contains("test panic_message_reaches_handler ... ok"), "{target}:\n{log}");
        assert!(
            log.contains("test result: ok. 10 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in"),
            "{target}:\n{log}"
        );
        assert!(out.join("result").is_file(), "{target}");
    }
}

/// A copy of templates/kernel with `lock` as its Cargo.lock (none if empty).
fn kernel_template(lock: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["flake.nix", "harness-hashes.nix", "Cargo.toml"] {
        std::fs::copy(root().join("templates/kernel").join(f), dir.path().join(f)).unwrap();
    }
    if !lock.is_empty() {
        std::fs::write(dir.path().join("Cargo.lock"), lock).unwrap();
    }
    dir
}

fn template_lock(rev: &str) -> String {
    format!(
        "version = 4\n\n[[package]]\nname = \"crossflake-harness\"\nversion = \"0.1.0\"\n\
         source = \"git+https://github.com/crossflake/crossflake#{rev}\"\n\n\
         [[package]]\nname = \"kernel\"\nversion = \"0.1.0\"\ndependencies = [\"crossflake-harness\"]\n"
    )
}

// templates/kernel: the git dependency crossflake-harness is vendored with
// the hash of the crossflake input (same revision, same tree), its tests run
// under the launcher; a missing or stale Cargo.lock stops with the fix.
#[test]
fn the_kernel_template_pins_the_harness_and_tests_per_test() {
    let rev = "0123456789abcdef0123456789abcdef01234567";
    let dir = kernel_template(&template_lock(rev));
    let at = |d: &Path| format!("{}", d.display());
    let t = eval_with("kernelTemplate", &["--arg", "templateDir", &at(dir.path()), "--argstr", "templateRev", rev]);
    assert_eq!(t["tests"]["outputHashes"]["crossflake-harness-0.1.0"], t["narHash"], "{t}");
    let runner = t["tests"]["env"]["CARGO_TARGET_RISCV64GC_UNKNOWN_NONE_ELF_RUNNER"].as_str().unwrap();
    assert!(runner.ends_with("/bin/crossflake runner --target riscv64-none"), "per-test verdicts: {runner}");
    assert!(strs(&t["tests"]["nativeBuildInputs"]).contains(&"qemu".to_string()));
    assert!(t["tests"]["env"]["CROSSFLAKE_OPENSBI"].as_str().unwrap().ends_with("/fw_dynamic.bin"));
    assert!(t["boot"].as_str().unwrap().contains("/bin/crossflake-qemu-riscv64-none "), "{t}");
    assert_eq!(strs(&t["shells"]), ["all", "default", "riscv64-none"]);

    // No Cargo.lock: the message says how to make one, before any build.
    let none = kernel_template("");
    let o = eval_raw(
        "kernelTemplate.tests.name",
        &["--arg", "templateDir", &at(none.path()), "--argstr", "templateRev", rev],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("Cargo.lock is missing") && err.contains(&format!("--precise {rev}")),
        "{err}"
    );
    // Cargo.lock at another revision than the input.
    let stale = kernel_template(&template_lock("fedcba9876543210fedcba9876543210fedcba98"));
    let o = eval_raw(
        "kernelTemplate.tests.name",
        &["--arg", "templateDir", &at(stale.path()), "--argstr", "templateRev", rev],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("fedcba98") && err.contains("cargo update -p crossflake-harness"),
        "{err}"
    );
}

// The CI workflow's matrix is the launcher's plan (`matrix --plan github`): a
// `nix` row for every target with a dev shell (the triple the shell names), a
// `host` row for those the flake leaves to the launcher (universal2, MSVC)
// and for macOS without a registered SDK, and every row runs with its backend.
#[test]
fn the_ci_plan_runs_each_target_where_the_flake_or_the_host_serves_it() {
    let yml = std::fs::read_to_string(root().join(".github/workflows/crossflake.yml")).unwrap();
    for cmd in ["test", "build", "dist"] {
        assert!(yml.contains(&format!("{cmd} --backend ${{{{ matrix.backend }}}} --target")), "{cmd}: {yml}");
    }
    let o = command()
        .args(["matrix", "--plan", "github"])
        .current_dir(root().join("examples/hello"))
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let plan: Value = serde_json::from_slice(&o.stdout).unwrap();
    let shells = eval("devShells");
    let specs = targets();
    let rows = plan["include"].as_array().unwrap();
    for row in rows {
        let target = row["target"].as_str().unwrap();
        match row["backend"].as_str().unwrap() {
            "nix" => {
                assert!(shells[target].is_object(), "row {target}: no devShells.x86_64-linux.{target}");
                assert_eq!(specs[target]["rust_triple"], row["triple"], "row {target}");
            }
            "host" => {
                let launcher_only = shells[target].is_null();
                assert!(launcher_only || is_darwin(&specs[target]), "row {target} could use its shell: {row}");
                assert!(!launcher_only || !specs.contains_key(target), "{target}");
                assert!(!row["pip"].as_str().unwrap().is_empty() && !row["std"].as_str().unwrap().is_empty(), "{row}");
            }
            other => panic!("row {target}: backend {other}"),
        }
    }
    let reg = crossflake::targets::Registry::load().unwrap();
    let std_targets = reg.targets.iter().filter(|s| s.kind == crossflake::targets::Kind::Std).count();
    assert_eq!(rows.len(), std_targets, "one row per std target of examples/hello: {rows:?}");
}

// The variable names the flake derives from nixpkgs' platform (rust.rustcTarget
// set to the TOML triple) are the launcher's: CARGO_TARGET_<T>_* and CC_<t>,
// for the registry and for the sample bare-metal targets (a dotted triple
// among them: nixpkgs' cargoEnvVarTarget keeps the dot, cargo does not).
#[test]
fn variable_names_agree_with_the_launcher() {
    let names = eval("varNames");
    let reg = crossflake::targets::Registry::load().unwrap();
    for spec in &reg.targets {
        let n = &names[&spec.name];
        assert_eq!(n["T"], spec.cargo_env(), "{}", spec.name);
        assert_eq!(n["t"], spec.cc_env(), "{}", spec.name);
    }
    assert_eq!(names["cortex-m33f"]["T"], "THUMBV8M_MAIN_NONE_EABIHF");
    assert_eq!(names["cortex-m33f"]["t"], "thumbv8m_main_none_eabihf");
    assert_eq!(names["riscv32-none"]["T"], "RISCV32IMAC_UNKNOWN_NONE_ELF", "the TOML's triple, not riscv32gc");
    assert_eq!(names["aarch64-none-softfloat"]["T"], "AARCH64_UNKNOWN_NONE_SOFTFLOAT");
}

// Finding 4: each shell and build realises the std of its own targets only
// (plus the host's); `default` is small (the machine's own targets: no cross
// compiler, wine or firmware), `all` has every target; the launcher builds
// with the host's std alone.
#[test]
fn shells_and_builds_carry_only_their_targets_std() {
    for (system, host) in [("x86_64-linux", "x86_64-unknown-linux-gnu"), ("aarch64-linux", "aarch64-unknown-linux-gnu")]
    {
        let arg = ["--argstr", "system", system];
        let (shells, packages, checks) =
            (eval_with("devShells", &arg), eval_with("packages", &arg), eval_with("checks", &arg));
        for (name, spec) in targets() {
            let triple = spec["rust_triple"].as_str().unwrap().to_string();
            let mut want = vec![host.to_string(), triple.clone()];
            want.sort();
            want.dedup();
            let mut got = strs(&shells[&name]["std"]);
            got.sort();
            assert_eq!(got, want, "{system}: devShells.{name}");
            let builds = if spec["kind"] == "bare-metal" { kernel_name(&name) } else { format!("hello-{name}") };
            for b in [builds] {
                if packages[&b].is_object() {
                    let mut got = strs(&packages[&b]["std"]);
                    got.sort();
                    assert_eq!(got, want, "{system}: packages.{b}");
                }
            }
        }
        let all = strs(&shells["all"]["std"]);
        assert!(targets()
            .values()
            .filter(|s| !is_darwin(s))
            .all(|s| all.contains(&s["rust_triple"].as_str().unwrap().to_string())));
        let default = &shells["default"];
        assert_eq!(strs(&default["std"]), [host], "{system}: default");
        assert_eq!(default["crossWrappers"], serde_json::json!([]));
        let packages_of_default = strs(&default["packages"]);
        assert!(
            !packages_of_default.iter().any(|p| p.ends_with("-cc-bin") || p.contains("wine")),
            "{packages_of_default:?}"
        );
        assert!(default["env"]["CROSSFLAKE_OPENSBI"].is_null(), "no firmware to build for `nix develop`");
        assert!(packages_of_default.iter().any(|p| p.starts_with("crossflake-")), "the launcher");
        let mut launcher = strs(&checks["crossflake-clippy"]["std"]);
        launcher.dedup();
        assert_eq!(launcher, [host], "{system}: the launcher's toolchain");
    }
}

// Finding 5: pkg-config sees what the listed libraries propagate, their dev
// outputs, transitively (libpng.pc requires zlib).
#[test]
fn pkg_config_sees_the_propagated_libraries() {
    let env = eval("probes.pcClosure");
    let path = env["PKG_CONFIG_PATH_aarch64_unknown_linux_gnu"].as_str().unwrap();
    assert!(path.contains("-aarch64-unknown-linux-gnu-libpng-dev/lib/pkgconfig"), "{path}");
    assert!(path.contains("-aarch64-unknown-linux-gnu-zlib/lib/pkgconfig"), "zlib, propagated by libpng: {path}");
    assert_eq!(env["PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu"], env["PKG_CONFIG_PATH_aarch64_unknown_linux_gnu"]);
}

// Finding 7: building std from source is refused however it is asked for:
// -Zbuild-std, CARGO_UNSTABLE_BUILD_STD, or the crate's own [unstable] build-std.
#[test]
fn build_std_is_refused_from_the_environment_and_the_crates_config() {
    let o = eval_raw("probes.buildStdEnv", &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("CARGO_UNSTABLE_BUILD_STD") && err.contains("nix develop"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
    std::fs::write(dir.path().join(".cargo/config.toml"), "[unstable]\nbuild-std = [\"core\"]\n").unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"probe\"\nversion = \"0.1.0\"\n").unwrap();
    let at = dir.path().display().to_string();
    let o = eval_raw("probes.buildStdConfig", &["--arg", "probeCrate", &at]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("[unstable] build-std in the crate's .cargo/config.toml"), "{err}");
    std::fs::write(dir.path().join(".cargo/config.toml"), "[build]\ntarget-dir = \"t\"\n").unwrap();
    assert_eq!(
        eval_with("probes.buildStdConfig", &["--arg", "probeCrate", &at]),
        "probe-0",
        "a config without it builds"
    );
}

// Finding 1: on a Mac only what works there: darwin natively, wasm32, bare
// metal with QEMU's own firmware, Linux targets through cargo-zigbuild (no
// cross gcc, no qemu-user, no runner); no checks; the kernels and their apps.
#[test]
fn darwin_machines_get_only_what_works_there() {
    for system in ["aarch64-darwin", "x86_64-darwin"] {
        let arg = ["--argstr", "system", system];
        let (shells, checks, packages, apps) = (
            eval_with("devShells", &arg),
            eval_with("checks", &arg),
            eval_with("packages", &arg),
            eval_with("apps", &arg),
        );
        assert_eq!(obj(&checks).len(), 0, "{system}: checks need Linux: {:?}", obj(&checks).keys());
        for (name, spec) in targets() {
            let sh = &shells[&name];
            assert!(sh.is_object(), "{system}: devShells.{name}");
            assert_eq!(sh["crossWrappers"], serde_json::json!([]), "{system} {name}");
            let env = obj(&sh["env"]);
            let linux = spec["kind"] == "std" && !is_darwin(&spec) && spec["runner"]["type"] != "wasi";
            if linux {
                assert!(
                    !env.keys().any(|k| k.starts_with("CC_") || k.ends_with("_LINKER") || k.ends_with("_RUNNER")),
                    "{system} {name}: {env:?}"
                );
                assert!(strs(&sh["packages"]).contains(&"cargo-zigbuild".to_string()), "{system} {name}");
                assert!(!strs(&sh["packages"]).iter().any(|p| p.ends_with("-cc-bin")), "{system} {name}");
            }
            assert!(
                env.get("CROSSFLAKE_OPENSBI").is_none(),
                "{system} {name}: the patched OpenSBI needs a riscv64 glibc gcc"
            );
        }
        assert!(packages["kernel-riscv64"].is_object() && apps["crossflake-qemu-riscv64-none"].is_object(), "{system}");
        assert!(packages["hello-aarch64"].is_null(), "{system}");
        let runner = eval_with("runners.crossflake-qemu-riscv64-none", &arg);
        assert!(runner.as_str().unwrap().contains(" -bios default "), "{system}: QEMU's own firmware: {runner}");
    }
}

// Bare-metal targets drop in as data: the Cortex-M and riscv32 target files
// get their shell (the launcher as runner, under
// the TOML triple's names, the triple's std), their QEMU app and, with
// bareMetalCC, the newlib gcc of their nixpkgs example; no kernel package or
// check, which examples/kernel (riscv64 and aarch64) cannot serve.
#[test]
fn sample_bare_metal_targets_get_shells_apps_and_c() {
    let f = eval("fixture");
    let expect = [
        ("cortex-m3", "THUMBV7M_NONE_EABI", "thumbv7m-none-eabi", "qemu-system-arm"),
        ("cortex-m33f", "THUMBV8M_MAIN_NONE_EABIHF", "thumbv8m.main-none-eabihf", "qemu-system-arm"),
        ("riscv32-none", "RISCV32IMAC_UNKNOWN_NONE_ELF", "riscv32imac-unknown-none-elf", "qemu-system-riscv32"),
    ];
    for (name, t, triple, qemu) in expect {
        let sh = &f["devShells"][name];
        assert_eq!(sh["env"][format!("CARGO_TARGET_{t}_RUNNER")], format!("crossflake runner --target {name}"), "{sh}");
        assert!(strs(&sh["std"]).contains(&triple.to_string()), "{name}: rust-overlay has {triple}: {:?}", sh["std"]);
        assert!(strs(&sh["packages"]).contains(&"qemu".to_string()), "{name}: qemu-system-*");
        assert!(!obj(&sh["env"]).keys().any(|k| k.starts_with("CC_")), "{name}: C only when asked");
        let app = &f["apps"][format!("crossflake-qemu-{name}")];
        assert_eq!(app["type"], "app", "{name}");
        let script = f["runners"][name].as_str().unwrap();
        assert!(script.contains(&format!("  {qemu} ")) && script.contains(" -kernel \"$1\""), "{script}");
        for kind in [format!("kernel-{name}"), format!("kernel-{name}-boot")] {
            assert!(!strs(&f["packages"]).contains(&kind) && !strs(&f["checks"]).contains(&kind), "{kind}");
        }
    }
    assert!(strs(&f["packages"]).contains(&"kernel-riscv64".to_string()), "the real kernels stay");
    let all = obj(&f["devShells"]["all"]["env"]);
    assert!(all.contains_key("CARGO_TARGET_THUMBV7M_NONE_EABI_RUNNER"), "{all:?}");
    let cc = obj(&f["bareMetalCC"]["env"]);
    let arm = cc["CC_thumbv7m_none_eabi"].as_str().unwrap();
    assert!(arm.ends_with("-arm-none-eabi-gcc-wrapper/bin/arm-none-eabi-cc"), "{arm}");
    assert!(cc["AR_thumbv8m_main_none_eabihf"].as_str().unwrap().ends_with("/bin/arm-none-eabi-ar"));
    let rv = cc["CC_riscv32imac_unknown_none_elf"].as_str().unwrap();
    assert!(rv.ends_with("-riscv32-none-elf-gcc-wrapper/bin/riscv32-none-elf-cc"), "{rv}");
}

// Dependencies are compiled once per crate and target across `nix flake
// check`'s checks (from the derivation graph, nix/tests/eval.nix
// depCompilations): the launcher's registry crates by one derivation,
// crane's buildDepsOnly (its `cargo check` and `cargo build` lines), which
// the package, the unit tests and clippy inherit; each cdemo check compiles
// its own target's. Before crane the launcher's 93 were compiled by three
// derivations (package, unit tests, clippy): 356 crate compilations on
// x86_64-linux, now 263.
#[test]
fn dependencies_are_compiled_once_across_the_checks() {
    for system in SYSTEMS {
        let d = eval_with("depCompilations", &["--argstr", "system", system]);
        let rows: Vec<&Value> = d.as_array().unwrap().iter().filter(|r| r["deps"].as_u64().unwrap() > 0).collect();
        let launcher: Vec<&&Value> = rows
            .iter()
            .filter(|r| {
                r["lock"].as_str().unwrap().ends_with("/Cargo.lock")
                    && !r["lock"].as_str().unwrap().contains("/examples/")
            })
            .collect();
        assert_eq!(launcher.len(), 1, "{system}: one derivation compiles the launcher's dependencies: {launcher:?}");
        assert_eq!(launcher[0]["name"], "crossflake-deps-0.1.0", "{system}");
        assert_eq!(launcher[0]["passes"], 2, "{system}: cargo check (clippy's metadata) and cargo build");
        let total: u64 = rows.iter().map(|r| r["deps"].as_u64().unwrap() * r["passes"].as_u64().unwrap()).sum();
        let cdemo = rows.iter().filter(|r| r["name"].as_str().unwrap().starts_with("cdemo-")).count() as u64;
        // Each of the launcher's dependencies twice (check and build), each of cdemo's
        // once per target: nothing is compiled again by another check.
        let deps = launcher[0]["deps"].as_u64().unwrap();
        assert_eq!(total, 2 * deps + 7 * cdemo, "{system}: {rows:?}");
        eprintln!("{system}: {total} dependency compilations in {} derivations", rows.len());
    }
}
