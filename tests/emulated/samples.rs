//! The std samples, cross-built and tested for real under QEMU through the
//! launcher: examples/hello and examples/cdemo (C, a -sys crate, pkg-config).
use crate::common::*;

fn hello() -> std::path::PathBuf {
    root().join("examples/hello")
}

/// `crossflake test` in `dir` for `target` with the host backend and the shared target dir.
fn test_in(dir: &std::path::Path, target: &str, extra: &[&str]) -> std::process::Output {
    let td = shared_target_dir();
    let mut args = vec!["test", "--target", target, "--backend", "host", "--target-dir", td.to_str().unwrap()];
    args.extend_from_slice(extra);
    crossflake(&args, dir)
}

/// Sums "N passed" over every `test result:` line.
fn passed_count(out: &str) -> usize {
    out.lines()
        .filter(|l| l.starts_with("test result: ok."))
        .filter_map(|l| l.split_whitespace().nth(3)?.parse::<usize>().ok())
        .sum()
}

fn hello_passes_on(target: &str, tool: &str) {
    require_tool(tool);
    let o = test_in(&hello(), target, &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(passed_count(&out) >= 9, "expected the sample's tests to have run: {out}");
    assert!(!out.contains("FAILED"), "{out}");
}

#[test]
fn hello_passes_on_x86_64() {
    hello_passes_on("x86_64", "cc");
}

#[test]
fn hello_passes_on_aarch64_under_qemu() {
    hello_passes_on("aarch64", "qemu-aarch64");
}

#[test]
fn hello_passes_on_riscv64_under_qemu() {
    hello_passes_on("riscv64", "qemu-riscv64");
}

#[test]
fn hello_passes_on_aarch64_musl_under_qemu() {
    hello_passes_on("aarch64-musl", "qemu-aarch64");
}

#[test]
fn hello_builds_for_windows() {
    require_tool("x86_64-w64-mingw32-gcc");
    let td = shared_target_dir();
    let o = crossflake(
        &["build", "--target", "win64", "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &hello(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let exe = td.join("x86_64-pc-windows-gnu/debug/hello.exe");
    let bytes = std::fs::read(&exe).unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
    assert_eq!(&bytes[..2], b"MZ", "a PE executable");
}

#[test]
fn hello_passes_on_windows_under_wine() {
    require_tool("x86_64-w64-mingw32-gcc");
    hello_passes_on("windows", "wine");
}

#[test]
fn hello_runs_under_qemu_with_strace() {
    require_tool("qemu-aarch64");
    let td = shared_target_dir();
    let o = crossflake(
        &["run", "--target", "aarch64", "--backend", "host", "--strace", "--target-dir", td.to_str().unwrap()],
        &hello(),
    );
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("hello from aarch64-linux"), "{out}");
    assert!(out.contains(" write(1,"), "QEMU_STRACE output expected: {out}");
}

#[test]
fn cdemo_passes_on_x86_64_aarch64_riscv64() {
    for (target, tool) in [("x86_64", "cc"), ("aarch64", "qemu-aarch64"), ("riscv64", "qemu-riscv64")] {
        require_tool(tool);
        let o = test_in(&root().join("examples/cdemo"), target, &[]);
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        assert!(passed_count(&out) >= 6, "{target}: {out}");
    }
}

#[test]
fn cdemo_passes_on_wasi_with_debians_clang_and_wasi_libc() {
    // C of its own and libz-sys's bundled zlib, compiled by clang for wasm32 against
    // wasi-libc, linked by rust-lld, run under node:wasi.
    require_tool("clang");
    require_tool("node");
    let o = test_in(&root().join("examples/cdemo"), "wasm32-wasip1", &[]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("test linked_zlib_is_the_bundled_one ... ok"), "zlib's tests ran: {out}");
    assert!(out.contains("test c_compiler_targeted_this_machine ... ok"), "the C is wasm32's: {out}");
    assert!(out.contains("c_atomic_fetch_add_from_threads ... ignored, wasm32-wasip1 has no threads"), "{out}");
    assert!(passed_count(&out) >= 9, "{out}");
}

#[test]
fn c_for_wasi_without_its_compiler_or_headers_exits_3_naming_the_packages() {
    // The target data with a C compiler, then a wasi-libc, that this machine lacks.
    let broken = |from: &str, to: &str| {
        let dir = tempfile::tempdir().unwrap();
        let file = std::fs::read_to_string(root().join("targets/wasm32-wasip1.toml")).unwrap();
        assert!(file.contains(from), "targets/wasm32-wasip1.toml has {from}");
        std::fs::write(dir.path().join("wasm32-wasip1.toml"), file.replace(from, to)).unwrap();
        let td = shared_target_dir().join("wasi-broken");
        let o = command()
            .args(["build", "--target", "wasm32-wasip1", "--target-dir", td.to_str().unwrap()])
            .env("CROSSFLAKE_TARGETS_DIR", dir.path())
            .current_dir(root().join("examples/cdemo"))
            .output_bounded()
            .unwrap();
        assert_eq!(o.status.code(), Some(3), "{}", text(&o));
        text(&o)
    };
    let out = broken("cc = \"clang\"", "cc = \"clang-not-installed\"");
    assert!(out.contains("`clang-not-installed`"), "{out}");
    assert!(out.contains("apt-get install clang llvm lld libclang-rt-dev-wasm32 wasi-libc"), "{out}");
    let out = broken("-isystem /usr/include/wasm32-wasi", "-isystem /nonexistent/wasm32-wasi");
    assert!(out.contains("file not found"), "the compiler's words stay: {out}");
    assert!(out.contains("/nonexistent/wasm32-wasi (the target's C headers) is not installed"), "{out}");
    assert!(out.contains("apt-get install wasi-libc"), "{out}");
}

#[test]
fn cdemo_links_a_pkg_config_library_where_debian_has_it() {
    for target in ["x86_64", "aarch64"] {
        let o = test_in(&root().join("examples/cdemo"), target, &["--features", "system-lib"]);
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        assert!(
            out.contains("test linked_liblzma_matches_pkg_config ... ok"),
            "{target}: the liblzma tests should have run: {out}"
        );
    }
}

#[test]
fn missing_target_library_names_the_package() {
    let o = test_in(&root().join("examples/cdemo"), "riscv64", &["--features", "system-lib"]);
    let out = text(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("liblzma-dev"), "the message should name the package: {out}");
    assert!(out.contains("targetLibs"), "and the Nix way: {out}");
}

#[test]
fn any_sys_crates_missing_library_gets_the_package_and_the_nix_way() {
    require_tool("aarch64-linux-gnu-gcc");
    let td = shared_target_dir();
    let o = crossflake(
        &["build", "--target", "aarch64", "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &root().join("tests/fixtures/needs-lib"),
    );
    let out = text(&o);
    assert!(!o.status.success(), "libzstd is not installed for arm64 here: {out}");
    assert!(out.contains("the target library `libzstd` for aarch64-unknown-linux-gnu is missing"), "{out}");
    assert!(out.contains("apt-get install libzstd-dev:arm64"), "{out}");
    assert!(out.contains("targetLibs = p: [ p.zstd ]"), "{out}");
}

#[test]
fn hello_runs_natively_through_the_runner() {
    let td = shared_target_dir();
    let o =
        crossflake(&["run", "--target", "x86_64", "--backend", "host", "--target-dir", td.to_str().unwrap()], &hello());
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("hello from x86_64-linux"), "{out}");
}

#[test]
fn gdb_attaches_to_a_program_under_qemu_user() {
    require_tool("qemu-aarch64");
    require_tool("gdb-multiarch");
    let td = shared_target_dir();
    let o = crossflake(
        &["build", "--target", "aarch64", "--backend", "host", "--target-dir", td.to_str().unwrap()],
        &hello(),
    );
    assert!(o.status.success(), "{}", text(&o));
    let exe = td.join("aarch64-unknown-linux-gnu/debug/hello");
    let port = "47312";
    let GdbSession { status, stdout: out, stderr: err, gdb_out } =
        gdb_session("aarch64", port, &exe, &["set sysroot /usr/aarch64-linux-gnu"]);
    assert!(err.contains(&format!("-ex 'set sysroot /usr/aarch64-linux-gnu' -ex 'target remote :{port}'")), "{err}");
    assert!(gdb_out.contains("pc "), "gdb read the halted program's pc: {gdb_out}");
    assert!(out.contains("hello from aarch64-linux"), "the program ran on after `continue`: {out}\n{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}

/// rusqlite's bundled SQLite links and runs on both musl targets: its C code is
/// compiled against musl (CC_<t>), not glibc's headers (which ask for fcntl64,
/// pread64, mmap64 and fail to link against Rust's musl).
#[test]
fn bundled_sqlite_passes_on_the_musl_targets() {
    for (target, tool) in [("x86_64-musl", "musl-gcc"), ("aarch64-musl", "aarch64-linux-musl-gcc")] {
        require_tool(tool);
        let o = test_in(&root().join("tests/fixtures/sqlite"), target, &["--locked"]);
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        assert!(out.contains("test tests::file_database_with_mmap ... ok"), "{target}: {out}");
    }
}

/// The 32-bit, big-endian and WASI targets: examples/hello passes on each (WASI
/// without the tests that need threads or processes, which it reports ignored).
#[test]
fn hello_passes_on_32_bit_big_endian_and_wasi() {
    for (target, tool, at_least) in [
        ("armv7", "qemu-arm", 9),
        ("i686", "qemu-i386", 9),
        ("ppc64le", "qemu-ppc64le", 9),
        ("s390x", "qemu-s390x", 10),
        ("wasm32-wasip1", "node", 6),
    ] {
        require_tool(tool);
        let o = test_in(&hello(), target, &[]);
        let out = text(&o);
        assert!(o.status.success(), "{target}: {out}");
        assert!(passed_count(&out) >= at_least, "{target}: {out}");
        if target == "s390x" {
            assert!(out.contains("test ontarget::runs_big_endian ... ok"), "s390x runs big-endian: {out}");
        }
        if target == "wasm32-wasip1" {
            assert!(out.contains("ignored, WASI preview 1 has no threads"), "{out}");
        }
    }
}
