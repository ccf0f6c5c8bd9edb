//! What is inside an SDK tarball: its compression (from the first bytes), its
//! one top directory `MacOSX<ver>.sdk/` and the version its SDKSettings file
//! states. Reads a stream; spawns nothing.
use crate::support::fs::read_up_to;
use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;
use std::io::{self, Read};
use std::path::{Component, Path};

/// The compressions crossflake can look inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compression {
    Xz,
    Gzip,
    Bzip2,
}

impl Compression {
    /// The compression whose magic bytes `head` starts with.
    pub fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0]) {
            Some(Compression::Xz)
        } else if head.starts_with(&[0x1F, 0x8B]) {
            Some(Compression::Gzip)
        } else if head.starts_with(b"BZh") {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }

    /// The compressor's name.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Xz => "xz",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
        }
    }

    /// The file name's last extension for this compression (`xz` in `.tar.xz`).
    pub fn extension(self) -> &'static str {
        match self {
            Compression::Xz => "xz",
            Compression::Gzip => "gz",
            Compression::Bzip2 => "bz2",
        }
    }

    fn decoder<'a>(self, raw: impl Read + 'a) -> Box<dyn Read + 'a> {
        match self {
            Compression::Xz => Box::new(lzma_rust2::XzReader::new(raw, true)),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        }
    }
}

/// What a valid SDK tarball holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkInfo {
    /// The top directory, `MacOSX14.5.sdk`.
    pub dir: String,
    /// The version SDKSettings states, `14.5`.
    pub version: String,
    /// The file the version was read from, `MacOSX14.5.sdk/SDKSettings.json`.
    pub settings: String,
    pub compression: Compression,
    /// Entries in the archive.
    pub entries: usize,
}

impl SdkInfo {
    /// The name the file must have: `MacOSX14.5.sdk.tar.xz`.
    pub fn file_name(&self) -> String {
        format!("{}.tar.{}", self.dir, self.compression.extension())
    }
}

const MAKE_ONE: &str = "make the SDK tarball on a Mac with osxcross's tools/gen_sdk_package.sh (see docs/macos.md)";

/// Reads the whole compressed tarball `raw` (so a truncated or corrupt file is
/// refused) and checks that it is a macOS SDK. `path` is for messages.
pub fn inspect(path: &Path, mut raw: impl Read) -> Result<SdkInfo> {
    let shown = path.display();
    let mut head = [0u8; 6];
    let n = read_up_to(&mut raw, &mut head).with_context(|| format!("cannot read {shown}"))?;
    let Some(compression) = Compression::sniff(&head[..n]) else {
        bail!("{shown} is not an SDK tarball: it is not compressed with xz, gzip or bzip2; {MAKE_ONE}");
    };
    let decoder = compression.decoder((&head[..n]).chain(raw));
    let corrupt = |e: io::Error| {
        let why: String = e.to_string().chars().take(100).map(|c| if c.is_ascii_graphic() { c } else { ' ' }).collect();
        anyhow!(
            "{shown} is not a readable .tar.{} file ({why}): it may be truncated or corrupt; copy it again or {MAKE_ONE}",
            compression.extension()
        )
    };
    let mut archive = tar::Archive::new(decoder);
    let mut tops: Vec<String> = Vec::new();
    let (mut json, mut plist): (Option<String>, Option<Vec<u8>>) = (None, None);
    let mut entries = 0;
    for entry in archive.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        entries += 1;
        let entry_path = entry.path().map_err(corrupt)?.into_owned();
        let parts: Vec<String> = entry_path
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        // `._name` files are macOS metadata that tar made on a Mac may add.
        let Some(top) = parts.first().filter(|t| !t.starts_with("._")) else { continue };
        if !tops.contains(top) {
            tops.push(top.clone());
        }
        let is_file = entry.header().entry_type().is_file();
        match parts.get(1).map(String::as_str) {
            Some("SDKSettings.json") if parts.len() == 2 && is_file => {
                json = Some(read_small(&mut entry).map_err(corrupt)?);
            }
            Some("SDKSettings.plist") if parts.len() == 2 && is_file => {
                plist = Some(read_small(&mut entry).map_err(corrupt)?.into_bytes());
            }
            _ => {}
        }
    }
    // Read to the end, so the compression's own checksum is verified.
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(corrupt)?;
    let dir = match tops.as_slice() {
        [one] => one.clone(),
        [] => bail!("{shown} is an empty tar archive, not an SDK; {MAKE_ONE}"),
        many => bail!(
            "{shown} holds {} top-level entries ({}); an SDK tarball holds one directory, MacOSX<ver>.sdk/; {MAKE_ONE}",
            many.len(),
            many.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    let (settings, version) = match (json, plist) {
        (Some(text), _) => (format!("{dir}/SDKSettings.json"), version_from_json(&text)),
        (None, Some(bytes)) if bytes.starts_with(b"bplist") => {
            bail!("{shown}: {dir}/SDKSettings.plist is a binary plist, which crossflake cannot read; {MAKE_ONE}")
        }
        (None, Some(bytes)) => (format!("{dir}/SDKSettings.plist"), version_from_plist(&bytes)),
        (None, None) => {
            bail!("{shown} is not a macOS SDK: it has no {dir}/SDKSettings.json or SDKSettings.plist; {MAKE_ONE}")
        }
    };
    let version = version.with_context(|| format!("{shown}: {settings} states no SDK version; {MAKE_ONE}"))?;
    if !is_version(&version) {
        bail!("{shown}: {settings} states the version {version:?}, which is not like 14.5; {MAKE_ONE}");
    }
    if dir != format!("MacOSX{version}.sdk") {
        bail!("{shown}: the top directory is {dir}/ but {settings} says version {version}; the directory must be MacOSX{version}.sdk/; {MAKE_ONE}");
    }
    Ok(SdkInfo { dir, version, settings, compression, entries })
}

/// An SDKSettings file's text; such files are a few KB.
fn read_small(r: &mut impl Read) -> io::Result<String> {
    let mut bytes = Vec::new();
    r.take(4 << 20).read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `Version` of SDKSettings.json (`{"Version": "14.5", ...}`).
pub fn version_from_json(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get("Version")?.as_str().map(str::to_string)
}

/// `Version` of an XML SDKSettings.plist (`<key>Version</key><string>14.5</string>`).
pub fn version_from_plist(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let after = text.split_once("<key>Version</key>")?.1.trim_start();
    let value = after.strip_prefix("<string>")?;
    Some(value.split_once("</string>")?.0.trim().to_string())
}

/// `14`, `14.5`, `10.15.4`.
pub fn is_version(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
