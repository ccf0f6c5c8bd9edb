//! Just enough of a flattened device tree (DTB) reader to find
//! `/chosen/bootargs`, where QEMU puts its `-append` string. Works on a byte
//! slice, so every read is bounds-checked; all fields are big-endian.
//! (After the reader of this project's probe kernels, made slice-based.)

const MAGIC: u32 = 0xd00d_feed;
const BEGIN_NODE: u32 = 1;
const END_NODE: u32 = 2;
const PROP: u32 = 3;
const NOP: u32 = 4;

/// The header fields the reader needs (version 17 layout).
const OFF_TOTALSIZE: usize = 4;
const OFF_DT_STRUCT: usize = 8;
const OFF_DT_STRINGS: usize = 12;
const OFF_VERSION: usize = 20;
const OFF_SIZE_DT_STRINGS: usize = 32;
const OFF_SIZE_DT_STRUCT: usize = 36;
pub(crate) const HEADER_LEN: usize = 40;

/// The big-endian u32 at `at` (`None` past the end).
fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let field = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(field.try_into().ok()?))
}

/// The NUL-terminated string at `at`, without its NUL.
fn c_str(bytes: &[u8], at: usize) -> Option<&[u8]> {
    let rest = bytes.get(at..)?;
    rest.iter().position(|&b| b == 0).map(|len| &rest[..len])
}

fn align4(x: usize) -> usize {
    (x + 3) & !3
}

/// Checks the header of a DTB starting at `header` (at least [`HEADER_LEN`]
/// readable bytes) and returns its total size.
pub(crate) fn total_size(header: &[u8]) -> Option<usize> {
    if header.len() < HEADER_LEN || be32(header, 0)? != MAGIC || be32(header, OFF_VERSION)? < 17 {
        return None;
    }
    let size = be32(header, OFF_TOTALSIZE)? as usize;
    (size >= HEADER_LEN).then_some(size)
}

/// `/chosen/bootargs` of the whole DTB `blob`, without its NUL; `None` when
/// the tree is malformed or has no such property.
pub(crate) fn bootargs(blob: &[u8]) -> Option<&[u8]> {
    let section = |off, size| -> Option<&[u8]> {
        let start = be32(blob, off)? as usize;
        blob.get(start..start.checked_add(be32(blob, size)? as usize)?)
    };
    let structure = section(OFF_DT_STRUCT, OFF_SIZE_DT_STRUCT)?;
    let strings = section(OFF_DT_STRINGS, OFF_SIZE_DT_STRINGS)?;
    let (mut at, mut depth, mut in_chosen) = (0usize, 0usize, false);
    loop {
        let token = be32(structure, at)?;
        at += 4;
        match token {
            BEGIN_NODE => {
                let name = c_str(structure, at)?;
                depth += 1;
                // `chosen` directly under the root node (depth 1).
                in_chosen = depth == 2 && name == b"chosen";
                at = align4(at + name.len() + 1);
            }
            END_NODE => {
                depth = depth.checked_sub(1)?;
                in_chosen = false;
            }
            PROP => {
                let len = be32(structure, at)? as usize;
                let name = c_str(strings, be32(structure, at + 4)? as usize)?;
                let value = structure.get(at + 8..(at + 8).checked_add(len)?)?;
                if in_chosen && name == b"bootargs" {
                    return Some(value.strip_suffix(&[0]).unwrap_or(value));
                }
                at = align4(at + 8 + len);
            }
            NOP => {}
            _ => return None, // END, or a malformed tree
        }
    }
}
