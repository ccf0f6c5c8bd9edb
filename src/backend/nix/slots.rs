//! Cache entries on disk: `<cache>/nix/<slot>.json` (written atomically) and
//! `<cache>/nix/<slot>.profile`, the nix profile that is the entry's GC root.
//! A lookup checks everything it can without running nix: the JSON parses,
//! the key matches, the environment's checksum matches and parses, and the GC
//! root still resolves into the store.
use super::cache::{sha256_hex, Entry, Key, FORMAT};
use super::devenv::DevEnv;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The cache's `nix/` directory.
#[derive(Debug, Clone)]
pub struct Slots {
    pub dir: PathBuf,
}

/// The outcome of a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Hit(Box<Entry>),
    /// No entry (`stale: false`), or one made for other inputs (`stale: true`).
    Miss {
        stale: bool,
    },
    /// An entry that failed a check; it is rebuilt.
    Corrupt(String),
}

impl Slots {
    pub fn new(cache_root: &Path) -> Slots {
        Slots { dir: cache_root.join("nix") }
    }

    pub fn entry_path(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.json", key.slot))
    }

    /// The profile that keeps the slot's environment alive (`nix ... --profile`).
    pub fn profile_path(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.profile", key.slot))
    }

    pub fn lookup(&self, key: &Key) -> Lookup {
        let Ok(text) = std::fs::read_to_string(self.entry_path(key)) else { return Lookup::Miss { stale: false } };
        let entry: Entry = match serde_json::from_str(&text) {
            Ok(e) => e,
            Err(e) => return Lookup::Corrupt(format!("the entry is not valid JSON ({e})")),
        };
        if entry.format != FORMAT || entry.key != key.key {
            return Lookup::Miss { stale: true };
        }
        match verify(&entry) {
            Ok(()) => Lookup::Hit(Box::new(entry)),
            Err(why) => Lookup::Corrupt(why),
        }
    }

    /// Writes an entry atomically (temporary file, then rename).
    pub fn store(&self, key: &Key, entry: &Entry) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create the cache {}", self.dir.display()))?;
        let tmp = tempfile::NamedTempFile::new_in(&self.dir).context("cannot write to the cache")?;
        serde_json::to_writer(&tmp, entry)?;
        let path = self.entry_path(key);
        tmp.persist(&path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// Removes the profile's older generations so only the current environment stays rooted.
    pub fn prune_generations(&self, key: &Key) {
        let profile = self.profile_path(key);
        let current = std::fs::read_link(&profile).ok();
        let prefix = format!("{}.profile-", key.slot);
        for e in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let is_generation = name.starts_with(&prefix) && name.ends_with("-link");
            if is_generation && current.as_deref() != Some(Path::new(&name)) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Checks an entry whose key matched; Err says what is wrong with it.
pub fn verify(entry: &Entry) -> Result<(), String> {
    if let Some(env) = &entry.dev_env {
        if entry.dev_env_sha256.as_deref() != Some(sha256_hex(env).as_str()) {
            return Err("the environment's checksum does not match".into());
        }
        DevEnv::parse(env).map_err(|e| format!("{e:#}"))?;
        if let Some(root) = &entry.root {
            if std::fs::metadata(root).is_err() {
                return Err(format!("its GC root {} no longer leads into the store", root.display()));
            }
        }
    }
    Ok(())
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
