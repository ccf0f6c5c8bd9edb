//! Unit tests that prove they ran on the target: each compares what the crate
//! was compiled for (`cfg!`) with what the running process observes.

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use std::{env, fs, mem, process, thread};

/// Set in the child started by `child_process_exit_status`.
const CHILD_EXIT_ENV: &str = "HELLO_CHILD_EXIT_CODE";

#[test]
fn architecture_matches_runtime() {
    // Compile time: what rustc targeted.
    let compiled = if cfg!(target_arch = "x86_64") {
        "x86_64"
    } else if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else if cfg!(target_arch = "riscv64") {
        "riscv64"
    } else {
        env::consts::ARCH
    };
    assert_eq!(env::consts::ARCH, compiled);
    #[cfg(target_os = "linux")]
    {
        // Run time: the kernel (or QEMU, emulating one) and our own binary.
        let machine = crate::uname_machine().expect("uname");
        if matches!(compiled, "x86_64" | "aarch64" | "riscv64") {
            assert_eq!(machine, compiled, "uname -m of the running process");
        }
        let (_, _, e_machine) = crate::elf_header_of_self().expect("read /proc/self/exe");
        assert_eq!(Some(e_machine), crate::expected_elf_machine(), "ELF e_machine");
    }
}

#[test]
fn pointer_width_matches_runtime() {
    let bits = mem::size_of::<usize>() * 8;
    let compiled = if cfg!(target_pointer_width = "64") { 64 } else { 32 };
    assert_eq!(bits, compiled);
    #[cfg(target_os = "linux")]
    {
        let (class, _, _) = crate::elf_header_of_self().expect("read /proc/self/exe");
        assert_eq!(class, if bits == 64 { 2 } else { 1 }, "ELF EI_CLASS");
    }
}

#[test]
fn endianness_matches_runtime() {
    // black_box keeps the compiler from folding the byte order into a constant.
    let bytes = black_box(0x0102_0304u32).to_ne_bytes();
    let little = bytes == [4, 3, 2, 1];
    assert!(little || bytes == [1, 2, 3, 4], "odd byte order {bytes:?}");
    assert_eq!(little, cfg!(target_endian = "little"));
    #[cfg(target_os = "linux")]
    {
        let (_, data, _) = crate::elf_header_of_self().expect("read /proc/self/exe");
        assert_eq!(data, if little { 1 } else { 2 }, "ELF EI_DATA");
    }
}

/// Big-endian targets (s390x) really run big-endian: a word's bytes in memory
/// start with the most significant one, and the executable says so too.
#[cfg(target_endian = "big")]
#[test]
fn runs_big_endian() {
    let word = black_box(0x1122_3344u32);
    // SAFETY: reading the four bytes of a live u32.
    let first = unsafe { *(&word as *const u32 as *const u8) };
    assert_eq!(first, 0x11, "the most significant byte comes first in memory");
    assert_eq!(u16::from_ne_bytes([0x12, 0x34]), 0x1234);
    #[cfg(target_os = "linux")]
    {
        let (_, data, _) = crate::elf_header_of_self().expect("read /proc/self/exe");
        assert_eq!(data, 2, "ELF EI_DATA: big-endian");
    }
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "WASI preview 1 has no threads")]
fn thread_spawn_and_join() {
    let handles: Vec<_> = (0..4u64)
        .map(|i| {
            thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || {
                    let name = thread::current().name().map(str::to_owned);
                    (name, (1..=1000u64).map(|n| n * (i + 1)).sum::<u64>())
                })
                .expect("spawn thread")
        })
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let (name, sum) = handle.join().expect("join thread");
        assert_eq!(name.as_deref(), Some(format!("worker-{i}").as_str()));
        assert_eq!(sum, 500_500 * (i as u64 + 1));
    }
}

#[test]
fn file_io_in_temp_dir() {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // WASI has no temp_dir(): its runner hands over a scratch directory in TMPDIR.
    let tmp = if cfg!(target_os = "wasi") { env::var("TMPDIR").expect("TMPDIR").into() } else { env::temp_dir() };
    // (and no process ids).
    let pid = if cfg!(target_os = "wasi") { 0 } else { process::id() };
    let dir = tmp.join(format!("hello-{pid}-{nanos}-{n}"));
    fs::create_dir(&dir).expect("create unique temp dir");
    let file = dir.join("data.txt");
    let text = format!("{}\nbuilt for {}\n", crate::greeting(), crate::TARGET);
    fs::write(&file, &text).expect("write");
    assert_eq!(fs::read_to_string(&file).expect("read"), text);
    assert_eq!(fs::metadata(&file).expect("metadata").len(), text.len() as u64);
    assert_eq!(fs::read_dir(&dir).expect("read_dir").count(), 1);
    fs::remove_file(&file).expect("remove file");
    fs::remove_dir(&dir).expect("remove dir");
    assert!(!dir.exists());
}

/// Not a check by itself: in the child started below it exits with the code
/// it was given; in a normal test run it does nothing.
#[test]
fn child_exit_helper() {
    if let Ok(code) = env::var(CHILD_EXIT_ENV) {
        process::exit(code.parse().expect("exit code"));
    }
}

/// The child is this test binary itself (`current_exe`), filtered down to
/// `child_exit_helper`, so it is a target binary too. Under qemu-user without
/// binfmt_misc the host kernel cannot exec a foreign ELF (the child exits with
/// 127), so `output_on_target` starts it through the cargo runner recorded by
/// build.rs, as cargo started us; natively there is no runner and it starts
/// directly. `/bin/sh -c 'exit 7'` also passes under QEMU, but QEMU hands that
/// `execve` to the host kernel, so the *host's* shell runs: that is only the
/// secondary check below.
#[test]
#[cfg_attr(target_os = "wasi", ignore = "WASI preview 1 has no processes")]
fn child_process_exit_status() {
    let exe = env::current_exe().expect("current_exe");
    let out = crate::output_on_target(&exe, |cmd| {
        cmd.args(["--exact", "ontarget::child_exit_helper", "--test-threads=1"]);
        cmd.env(CHILD_EXIT_ENV, "7");
    })
    .unwrap_or_else(|e| panic!("start {}: {e} (runner: {:?})", exe.display(), crate::RUNNER));
    assert_eq!(out.status.code(), Some(7), "child: {out:?}");
}

/// Spawning, waiting and decoding the status with the target's std, the child
/// being the host's `/bin/sh` (QEMU hands `execve` to the host kernel).
#[cfg(unix)]
#[test]
fn shell_child_exit_status() {
    let status = process::Command::new("/bin/sh").args(["-c", "exit 7"]).status().expect("spawn /bin/sh");
    assert_eq!(status.code(), Some(7));
    assert!(!status.success());
}
