//! Checksums in plain C, compiled by build.rs with the target's C compiler
//! (the `cc` crate picks `CC_<triple>`), and called from Rust through FFI.

#include <stddef.h>
#include <stdint.h>

/* Adler-32 (RFC 1950), bytewise; `adler` is 1 for a fresh checksum. */
uint32_t cdemo_adler32(uint32_t adler, const unsigned char *buf, size_t len)
{
    uint32_t a = adler & 0xffff, b = adler >> 16;
    for (size_t i = 0; i < len; i++) {
        a = (a + buf[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

/* CRC-32 (IEEE 802.3, reflected, as zlib and liblzma compute it), bitwise;
 * `crc` is 0 for a fresh checksum. */
uint32_t cdemo_crc32(uint32_t crc, const unsigned char *buf, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* An atomic read-modify-write, as C code in real crates has them. On
 * aarch64, GCC (10 and later) compiles it to a call of libgcc's outline
 * atomics (__aarch64_ldadd4_*), whose start-up code asks getauxval for the
 * CPU's LSE support: the case that static musl links trip over
 * (rust-lang/rust#89626), so the aarch64-musl tests link and run it.
 * Returns the value before the addition. */
uint32_t cdemo_atomic_fetch_add(uint32_t *p, uint32_t v)
{
    return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

/* The architecture the C compiler generated code for, from its own
 * predefined macros: a host compiler used by mistake would be caught here
 * (if the object linked at all). */
const char *cdemo_c_arch(void)
{
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#elif defined(__riscv) && __riscv_xlen == 64
    return "riscv64";
#elif defined(__i386__)
    return "x86";
#elif defined(__arm__)
    return "arm";
#elif defined(__wasm32__)
    return "wasm32";
#elif defined(__powerpc64__)
    return "powerpc64";
#elif defined(__s390x__)
    return "s390x";
#else
    return "unknown";
#endif
}

/* sizeof(void *) as the C compiler sees it. */
size_t cdemo_c_pointer_size(void)
{
    return sizeof(void *);
}
