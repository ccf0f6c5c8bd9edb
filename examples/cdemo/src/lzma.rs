//! liblzma from the target's system libraries (pkg-config, `system-lib`
//! feature): .xz one-shot compression, CRC-32 and the library's version.

use std::ffi::{c_char, c_int, CStr};
use std::ptr;

/// The liblzma version pkg-config reported at build time (its .pc file).
pub const PKG_CONFIG_VERSION: &str = env!("CDEMO_LZMA_PC_VERSION");

const LZMA_OK: c_int = 0;
const LZMA_CHECK_CRC64: c_int = 4;
const LZMA_PRESET_DEFAULT: u32 = 6;

// Declarations from <lzma.h> (liblzma 5.x); enums are C `int`s.
extern "C" {
    fn lzma_version_number() -> u32;
    fn lzma_version_string() -> *const c_char;
    fn lzma_crc32(buf: *const u8, size: usize, crc: u32) -> u32;
    fn lzma_stream_buffer_bound(uncompressed_size: usize) -> usize;
    fn lzma_easy_buffer_encode(
        preset: u32,
        check: c_int,
        allocator: *const u8,
        input: *const u8,
        in_size: usize,
        out: *mut u8,
        out_pos: *mut usize,
        out_size: usize,
    ) -> c_int;
    fn lzma_stream_buffer_decode(
        memlimit: *mut u64,
        flags: u32,
        allocator: *const u8,
        input: *const u8,
        in_pos: *mut usize,
        in_size: usize,
        out: *mut u8,
        out_pos: *mut usize,
        out_size: usize,
    ) -> c_int;
}

/// `lzma_version_string()`, e.g. `5.4.1`.
pub fn version_string() -> &'static str {
    // SAFETY: returns a static NUL-terminated string.
    let s = unsafe { CStr::from_ptr(lzma_version_string()) };
    s.to_str().expect("ASCII version")
}

/// `lzma_version_number()` decoded to `major.minor.patch`.
pub fn version_from_number() -> String {
    // SAFETY: no arguments, no state.
    let n = unsafe { lzma_version_number() };
    format!("{}.{}.{}", n / 10_000_000, n / 10_000 % 1000, n / 10 % 1000)
}

/// CRC-32 through liblzma.
pub fn crc32(data: &[u8]) -> u32 {
    // SAFETY: pointer and length come from one live slice.
    unsafe { lzma_crc32(data.as_ptr(), data.len(), 0) }
}

/// Compresses `data` into the .xz format (preset 6, CRC64 check).
pub fn compress(data: &[u8]) -> Result<Vec<u8>, i32> {
    // SAFETY: pure size computation.
    let size = unsafe { lzma_stream_buffer_bound(data.len()) };
    let mut out = vec![0u8; size];
    let mut pos = 0usize;
    // SAFETY: `out` has `size` writable bytes; a null allocator means malloc.
    let rc = unsafe {
        lzma_easy_buffer_encode(
            LZMA_PRESET_DEFAULT,
            LZMA_CHECK_CRC64,
            ptr::null(),
            data.as_ptr(),
            data.len(),
            out.as_mut_ptr(),
            &mut pos,
            size,
        )
    };
    if rc != LZMA_OK {
        return Err(rc);
    }
    out.truncate(pos);
    Ok(out)
}

/// Decompresses a whole .xz stream into at most `max_size` bytes.
pub fn decompress(data: &[u8], max_size: usize) -> Result<Vec<u8>, i32> {
    let mut out = vec![0u8; max_size];
    let (mut in_pos, mut out_pos, mut memlimit) = (0usize, 0usize, u64::MAX);
    // SAFETY: the buffers and their sizes come from live slices/vectors.
    let rc = unsafe {
        lzma_stream_buffer_decode(
            &mut memlimit,
            0,
            ptr::null(),
            data.as_ptr(),
            &mut in_pos,
            data.len(),
            out.as_mut_ptr(),
            &mut out_pos,
            max_size,
        )
    };
    if rc != LZMA_OK {
        return Err(rc);
    }
    out.truncate(out_pos);
    Ok(out)
}
