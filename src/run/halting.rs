//! Whether a bare-metal program's panic handler halts: panic-halt's
//! `loop {}` (and any handler that makes no call and branches to itself)
//! parks the core on a panic instead of ending QEMU, so the run ends at the
//! timeout and looks like a hang. The runner says so when a run times out.
//! Read for Cortex-M (Thumb) and RISC-V code.
use object::{Architecture, Object, ObjectSection, ObjectSymbol};
use std::path::Path;

/// The panic handler of the ELF at `path` (the symbol `rust_begin_unwind`)
/// and its address, when its code branches to itself and makes no call,
/// system call or semihosting call: it can only halt. `None` when it does
/// anything else, or the ELF cannot be read.
pub fn halting_panic_handler(path: &Path) -> Option<u64> {
    let data = std::fs::read(path).ok()?;
    let file = object::File::parse(&*data).ok()?;
    let symbol = file.symbols().find(|s| s.name().is_ok_and(|n| n.ends_with("rust_begin_unwind")))?;
    let thumb = file.architecture() == Architecture::Arm;
    // A Thumb function's address has bit 0 set.
    let address = if thumb { symbol.address() & !1 } else { symbol.address() };
    let section = file.section_by_index(symbol.section_index()?).ok()?;
    let start = usize::try_from(address.checked_sub(section.address())?).ok()?;
    let code = section.data().ok()?.get(start..start.checked_add(usize::try_from(symbol.size()).ok()?)?)?;
    let (loops, calls) = match file.architecture() {
        Architecture::Arm => scan_thumb(code),
        Architecture::Riscv32 | Architecture::Riscv64 => scan_riscv(code, file.architecture() == Architecture::Riscv32),
        _ => return None,
    };
    (loops && !calls).then_some(address)
}

/// (a branch to itself, a call or trap) in Thumb code.
fn scan_thumb(code: &[u8]) -> (bool, bool) {
    let half = |i: usize| code.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let (mut loops, mut calls, mut i) = (false, false, 0);
    while let Some(h) = half(i) {
        if h >> 11 >= 0b11101 {
            // A 32-bit instruction: BL, BLX (immediate), B.W to itself.
            let h2 = half(i + 2).unwrap_or(0);
            calls |= h & 0xf800 == 0xf000 && (h2 & 0xd000 == 0xd000 || h2 & 0xd001 == 0xc000);
            loops |= h == 0xf7ff && h2 == 0xbffe;
            i += 4;
        } else {
            // BLX register, BKPT (semihosting), SVC; B to itself.
            calls |= h & 0xff87 == 0x4780 || h & 0xff00 == 0xbe00 || h & 0xff00 == 0xdf00;
            loops |= h == 0xe7fe;
            i += 2;
        }
    }
    (loops, calls)
}

/// (a jump to itself, a call or trap) in RISC-V code (with C instructions).
fn scan_riscv(code: &[u8], rv32: bool) -> (bool, bool) {
    let (mut loops, mut calls, mut i) = (false, false, 0);
    while let Some(b) = code.get(i..i + 2) {
        let h = u16::from_le_bytes([b[0], b[1]]);
        if h & 3 == 3 {
            let Some(w) = code.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])) else { break };
            let (opcode, rd) = (w & 0x7f, (w >> 7) & 0x1f);
            // JAL/JALR that link, ECALL, EBREAK (semihosting); `j .`.
            calls |= (opcode == 0x6f || opcode == 0x67) && rd != 0 || w == 0x73 || w == 0x0010_0073;
            loops |= w == 0x6f;
            i += 4;
        } else {
            // C.JAL (RV32), C.JALR, C.EBREAK; `c.j .`.
            calls |= rv32 && h & 0xe003 == 0x2001 || h & 0xf07f == 0x9002;
            loops |= h == 0xa001;
            i += 2;
        }
    }
    (loops, calls)
}
