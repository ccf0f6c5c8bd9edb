//! Dotted version numbers (`2.17`, `2.3.4`, `GLIBC_2.34`, macOS `11.0`), ordered
//! numerically: glibc floors and minimum OS versions.

/// A version `X.Y[.Z]`, ordered numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// `2.17`, `2.3.4`, `GLIBC_2.34` (a `GLIBC_` prefix is taken off).
    pub fn parse(s: &str) -> Option<Version> {
        let mut p = s.trim_start_matches("GLIBC_").split('.').map(|n| n.parse::<u32>().ok());
        let major = p.next()??;
        let minor = p.next()??;
        let patch = p.next().unwrap_or(Some(0))?;
        p.next().is_none().then_some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.2 {
            0 => write!(f, "{}.{}", self.0, self.1),
            p => write!(f, "{}.{}.{p}", self.0, self.1),
        }
    }
}
