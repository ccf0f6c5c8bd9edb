//! csrc/checksum.c, compiled by the `cc` crate for the target: known-answer
//! checksums, and proof that the C compiler targeted the same machine.

use cdemo::{c_adler32, c_arch, c_atomic_fetch_add, c_crc32, c_pointer_size, sample_data};
use std::sync::atomic::{AtomicU32, Ordering};

#[test]
fn adler32_known_answers() {
    assert_eq!(c_adler32(b""), 1);
    assert_eq!(c_adler32(b"Wikipedia"), 0x11e6_0398);
    assert_eq!(c_adler32(b"123456789"), 0x091e_01de);
}

#[test]
fn crc32_known_answers() {
    assert_eq!(c_crc32(b""), 0);
    assert_eq!(c_crc32(b"123456789"), 0xcbf4_3926);
    assert_eq!(c_crc32(b"The quick brown fox jumps over the lazy dog"), 0x414f_a339);
}

#[test]
fn c_compiler_targeted_this_machine() {
    // The C side's predefined macros and the Rust side's target agree.
    assert_eq!(c_arch(), std::env::consts::ARCH);
    assert_eq!(c_pointer_size(), std::mem::size_of::<usize>());
}

#[test]
fn checksums_over_a_large_buffer_are_stable() {
    let data = sample_data(1 << 20, false);
    let (a, c) = (c_adler32(&data), c_crc32(&data));
    // Same input, same answer; a changed byte changes both.
    assert_eq!((a, c), (c_adler32(&data), c_crc32(&data)));
    let mut changed = data.clone();
    changed[12345] ^= 1;
    assert_ne!(a, c_adler32(&changed));
    assert_ne!(c, c_crc32(&changed));
}

// C's atomic read-modify-write, from one thread: what every target (wasip1,
// which has no threads, too) can check.
#[test]
fn c_atomic_fetch_add_in_one_thread() {
    let counter = AtomicU32::new(5);
    assert_eq!(c_atomic_fetch_add(&counter, 2), 5);
    for _ in 0..1000 {
        c_atomic_fetch_add(&counter, 1);
    }
    assert_eq!(counter.load(Ordering::SeqCst), 7 + 1000);
}

// C's atomic read-modify-write (on aarch64 GCC's outline atomics from
// libgcc, the static-musl linking case of rust-lang/rust#89626), from four
// threads at once: no update is lost.
#[test]
#[cfg_attr(target_os = "wasi", ignore = "wasm32-wasip1 has no threads")]
fn c_atomic_fetch_add_from_threads() {
    let counter = AtomicU32::new(5);
    assert_eq!(c_atomic_fetch_add(&counter, 2), 5);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10_000 {
                    c_atomic_fetch_add(&counter, 1);
                }
            });
        }
    });
    assert_eq!(counter.load(Ordering::SeqCst), 7 + 40_000);
}
