//! `cdemo`: safe Rust wrappers over C built for the target — csrc/checksum.c
//! (via the `cc` crate), zlib (built from source by libz-sys) and, with
//! `--features system-lib`, the target's system liblzma (found by pkg-config).

use std::ffi::CStr;

#[cfg(feature = "system-lib")]
pub mod lzma;

mod ffi {
    use std::ffi::c_char;

    extern "C" {
        pub fn cdemo_adler32(adler: u32, buf: *const u8, len: usize) -> u32;
        pub fn cdemo_crc32(crc: u32, buf: *const u8, len: usize) -> u32;
        pub fn cdemo_c_arch() -> *const c_char;
        pub fn cdemo_c_pointer_size() -> usize;
        pub fn cdemo_atomic_fetch_add(p: *mut u32, v: u32) -> u32;
    }
}

/// Adler-32 of `data`, computed by csrc/checksum.c.
pub fn c_adler32(data: &[u8]) -> u32 {
    // SAFETY: pointer and length come from one live slice.
    unsafe { ffi::cdemo_adler32(1, data.as_ptr(), data.len()) }
}

/// CRC-32 of `data`, computed by csrc/checksum.c.
pub fn c_crc32(data: &[u8]) -> u32 {
    // SAFETY: pointer and length come from one live slice.
    unsafe { ffi::cdemo_crc32(0, data.as_ptr(), data.len()) }
}

/// The architecture the C compiler built csrc/checksum.c for.
pub fn c_arch() -> &'static str {
    // SAFETY: the C function returns a pointer to a static NUL-terminated literal.
    let s = unsafe { CStr::from_ptr(ffi::cdemo_c_arch()) };
    s.to_str().expect("ASCII architecture name")
}

/// `sizeof(void *)` in the C code.
pub fn c_pointer_size() -> usize {
    // SAFETY: no arguments, no state.
    unsafe { ffi::cdemo_c_pointer_size() }
}

/// Adds `v` to `counter` with C's atomic fetch-and-add (csrc/checksum.c);
/// returns the value before.
pub fn c_atomic_fetch_add(counter: &std::sync::atomic::AtomicU32, v: u32) -> u32 {
    // SAFETY: AtomicU32 has u32's layout, and the C side only accesses it atomically.
    unsafe { ffi::cdemo_atomic_fetch_add(counter.as_ptr(), v) }
}

/// zlib, linked statically from the copy libz-sys compiled for the target.
pub mod zlib {
    use super::CStr;
    use libz_sys as z;
    use std::ffi::{c_uint, c_ulong};

    /// The version of the zlib sources libz-sys built (read from its zlib.h).
    pub const BUNDLED_VERSION: &str = env!("CDEMO_BUNDLED_ZLIB_VERSION");

    /// `zlibVersion()`: the version of the zlib actually linked.
    pub fn version() -> &'static str {
        // SAFETY: zlibVersion returns a static NUL-terminated string.
        let s = unsafe { CStr::from_ptr(z::zlibVersion()) };
        s.to_str().expect("ASCII version")
    }

    /// CRC-32 through zlib's `crc32`.
    pub fn crc32(data: &[u8]) -> u32 {
        let mut crc: c_ulong = 0;
        for chunk in data.chunks(c_uint::MAX as usize) {
            // SAFETY: pointer and length come from one live slice.
            crc = unsafe { z::crc32(crc, chunk.as_ptr(), chunk.len() as c_uint) };
        }
        crc as u32
    }

    /// Adler-32 through zlib's `adler32`.
    pub fn adler32(data: &[u8]) -> u32 {
        let mut adler: c_ulong = 1;
        for chunk in data.chunks(c_uint::MAX as usize) {
            // SAFETY: pointer and length come from one live slice.
            adler = unsafe { z::adler32(adler, chunk.as_ptr(), chunk.len() as c_uint) };
        }
        adler as u32
    }

    /// zlib `compress()`; the error is zlib's return code.
    pub fn compress(data: &[u8]) -> Result<Vec<u8>, i32> {
        // SAFETY: compressBound is a pure size computation.
        let bound = unsafe { z::compressBound(data.len() as c_ulong) };
        let mut out = vec![0u8; bound as usize];
        let mut out_len = bound;
        // SAFETY: `out` has `out_len` writable bytes; `data` is readable.
        let rc = unsafe { z::compress(out.as_mut_ptr(), &mut out_len, data.as_ptr(), data.len() as c_ulong) };
        if rc != z::Z_OK {
            return Err(rc);
        }
        out.truncate(out_len as usize);
        Ok(out)
    }

    /// zlib `uncompress()` into a buffer of `size` bytes (the original size).
    pub fn uncompress(data: &[u8], size: usize) -> Result<Vec<u8>, i32> {
        let mut out = vec![0u8; size];
        let mut out_len = size as c_ulong;
        // SAFETY: `out` has `out_len` writable bytes; `data` is readable.
        let rc = unsafe { z::uncompress(out.as_mut_ptr(), &mut out_len, data.as_ptr(), data.len() as c_ulong) };
        if rc != z::Z_OK {
            return Err(rc);
        }
        out.truncate(out_len as usize);
        Ok(out)
    }
}

/// Deterministic test data: text-like and compressible when `text`, else
/// pseudo-random bytes (xorshift32) that do not compress.
pub fn sample_data(len: usize, text: bool) -> Vec<u8> {
    if text {
        let line = b"crossflake cdemo: the quick brown fox jumps over the lazy dog\n";
        return line.iter().copied().cycle().take(len).collect();
    }
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}
