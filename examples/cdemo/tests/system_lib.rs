//! liblzma from the target's system libraries, found through pkg-config
//! (`--features system-lib`): version, checksum and an .xz round trip.
#![cfg(feature = "system-lib")]

use cdemo::{c_crc32, lzma, sample_data, zlib};

#[test]
fn linked_liblzma_matches_pkg_config() {
    // The library linked is the one whose .pc file the build found.
    assert_eq!(lzma::version_string(), lzma::PKG_CONFIG_VERSION);
    assert_eq!(lzma::version_from_number(), lzma::PKG_CONFIG_VERSION);
}

#[test]
fn crc32_agrees_with_c_code_and_zlib() {
    assert_eq!(lzma::crc32(b"123456789"), 0xcbf4_3926);
    let data = sample_data(1 << 20, false);
    assert_eq!(lzma::crc32(&data), c_crc32(&data));
    assert_eq!(lzma::crc32(&data), zlib::crc32(&data));
}

#[test]
fn xz_round_trip() {
    for (len, text) in [(0, true), (200_000, true), (50_000, false)] {
        let data = sample_data(len, text);
        let packed = lzma::compress(&data).expect("lzma compress");
        assert_eq!(packed[..6], [0xfd, b'7', b'z', b'X', b'Z', 0], ".xz magic");
        if text && len > 0 {
            assert!(packed.len() < data.len() / 50, "text compresses well");
        }
        let unpacked = lzma::decompress(&packed, len).expect("lzma decompress");
        assert_eq!(unpacked, data);
    }
}

#[test]
fn zlib_data_is_not_xz() {
    let packed = zlib::compress(&sample_data(1000, true)).expect("zlib compress");
    assert!(lzma::decompress(&packed, 1000).is_err());
}
