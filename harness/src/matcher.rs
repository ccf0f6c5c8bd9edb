//! A streaming substring test: a `fmt::Write` sink that says whether the
//! text written to it contains a needle, with no buffer (the panic hook
//! must not allocate and the panic message may be any length).

use core::fmt;

/// Feeds formatted text through [`fmt::Write`]; [`Contains::found`] says
/// whether the needle occurred in it.
pub(crate) struct Contains<'a> {
    needle: &'a [u8],
    /// Length of the longest prefix of the needle that ends the text so far.
    matched: usize,
    found: bool,
}

impl<'a> Contains<'a> {
    pub(crate) fn new(needle: &'a str) -> Self {
        Contains { needle: needle.as_bytes(), matched: 0, found: needle.is_empty() }
    }

    pub(crate) fn found(&self) -> bool {
        self.found
    }

    /// Advances by one byte. The text's last `matched` bytes equal
    /// `needle[..matched]`, so the next state depends on the needle alone:
    /// the longest `k` such that `needle[..k]` ends `needle[..matched] + byte`.
    fn push(&mut self, byte: u8) {
        if self.found {
            return;
        }
        let (needle, matched) = (self.needle, self.matched);
        let mut k = matched + 1;
        while k > 0 && !(needle[k - 1] == byte && needle[..k - 1] == needle[matched + 1 - k..matched]) {
            k -= 1;
        }
        self.matched = k;
        self.found = k == needle.len();
    }
}

impl fmt::Write for Contains<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(|b| self.push(b));
        Ok(())
    }
}
