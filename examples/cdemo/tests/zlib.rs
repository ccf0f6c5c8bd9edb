//! zlib built from source by libz-sys (`static`) with the target's C
//! compiler: the linked copy is the bundled one, it round-trips data, and its
//! checksums agree with csrc/checksum.c.

use cdemo::{c_adler32, c_crc32, sample_data, zlib};

#[test]
fn linked_zlib_is_the_bundled_one() {
    // A system zlib (Debian 12 ships 1.2.13) would report its own version.
    assert_eq!(zlib::version(), zlib::BUNDLED_VERSION);
}

#[test]
fn checksums_agree_with_the_c_code() {
    assert_eq!(zlib::crc32(b"123456789"), 0xcbf4_3926);
    assert_eq!(zlib::adler32(b"Wikipedia"), 0x11e6_0398);
    for (len, text) in [(0, true), (1, false), (4096, true), (1 << 20, false)] {
        let data = sample_data(len, text);
        assert_eq!(zlib::crc32(&data), c_crc32(&data), "crc32, {len} bytes");
        assert_eq!(zlib::adler32(&data), c_adler32(&data), "adler32, {len} bytes");
    }
}

#[test]
fn compress_round_trip() {
    for (len, text) in [(0, true), (100_000, true), (100_000, false)] {
        let data = sample_data(len, text);
        let packed = zlib::compress(&data).expect("compress");
        if text && len > 0 {
            assert!(packed.len() < data.len() / 20, "text compresses well");
        }
        assert_eq!(zlib::uncompress(&packed, data.len()).expect("uncompress"), data);
    }
}

#[test]
fn corrupt_input_is_rejected() {
    let mut packed = zlib::compress(&sample_data(10_000, true)).expect("compress");
    let mid = packed.len() / 2;
    packed[mid] ^= 0xff;
    assert!(zlib::uncompress(&packed, 10_000).is_err());
}
