//! `crossflake sdk`: macOS SDKs supplied by the user, checked, added to the
//! Nix store as fixed-output paths, kept from garbage collection and recorded.
pub mod inspect;
pub mod registry;
pub mod store;

use crate::events::Sink;
use crate::exec;
use crate::failure::Failure;
use crate::step::Step;
use anyhow::{bail, Context, Result};
use inspect::SdkInfo;
use registry::Entry;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A file checked to be an SDK tarball, with the path Nix will give it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub info: SdkInfo,
    pub entry: Entry,
}

/// Reads the whole file: checks that it is an SDK tarball named as requireFile
/// will expect, and computes its hashes and fixed-output store path.
pub fn check(file: &Path) -> Result<Checked> {
    let shown = file.display();
    let source = std::fs::canonicalize(file).with_context(|| format!("cannot find {shown}: check the path"))?;
    if !source.is_file() {
        bail!("{shown} is not a file; give the SDK tarball, e.g. MacOSX14.5.sdk.tar.xz");
    }
    let opened = std::fs::File::open(&source).with_context(|| format!("cannot read {shown}"))?;
    let mut raw = store::HashingReader::new(std::io::BufReader::with_capacity(1 << 20, opened));
    let info = inspect::inspect(file, &mut raw)?;
    let sha256 = raw.finish().with_context(|| format!("cannot read {shown}"))?;
    let file_name = source.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    if file_name != info.file_name() {
        bail!(
            "{shown} holds {}/ compressed with {}, so it must be named {}: that name is requireFile's `name` \
             and the store path's; rename the file and re-run",
            info.dir,
            info.compression.name(),
            info.file_name()
        );
    }
    let store_path = store::fixed_path(&store::store_dir(), &file_name, &sha256)?;
    let cache = registry::cache_dir()?;
    let entry = Entry {
        gc_root: registry::gc_root(&cache, &store_path),
        file_name,
        version: info.version.clone(),
        sha256: store::hex(&sha256),
        sri: store::sri(&sha256),
        store_path,
        source,
        added: registry::now(),
    };
    Ok(Checked { info, entry })
}

/// The commands that add the file and keep it from garbage collection.
pub fn steps(entry: &Entry) -> [Step; 2] {
    [
        Step::new("add the SDK to the Nix store", "nix-store")
            .args(["--add-fixed", "sha256"])
            .arg(path_arg(&entry.source)),
        Step::new("keep the SDK from garbage collection", "nix-store")
            .arg("--add-root")
            .arg(path_arg(&entry.gc_root))
            .args(["--indirect", "--realise", &entry.store_path]),
    ]
}

fn path_arg(p: &Path) -> String {
    p.display().to_string()
}

/// What `crossflake sdk add` checked, and whether it was added (not on a dry run).
#[derive(Debug, Clone, Serialize)]
pub struct Added {
    pub info: SdkInfo,
    pub entry: Entry,
    pub dry_run: bool,
    /// The commands a dry run would have run.
    pub would_run: Vec<Step>,
    /// Where the record is kept.
    pub registry: PathBuf,
}

/// `crossflake sdk add FILE`.
pub fn add(file: &Path, dry_run: bool, sink: &dyn Sink) -> Result<Added, Failure> {
    sink.info(&format!("checking {} (reads the whole tarball)", file.display()));
    let Checked { info, entry } = check(file)?;
    let [add, root] = steps(&entry);
    let registry = registry::registry_path(&registry::cache_dir()?);
    if dry_run {
        return Ok(Added { info, entry, dry_run, would_run: vec![add, root], registry });
    }
    if !on_path("nix-store") {
        return Err(Failure::missing(format!("`nix-store` is not on PATH, so {} cannot be added", file.display()))
            .next(
            "install Nix (https://nixos.org/download, or Debian's nix-bin) and re-run; `crossflake sdk add --dry-run` \
             checks the file without Nix",
        ));
    }
    let added = run(&add, sink)?;
    if added != entry.store_path {
        return Err(Failure::error(format!(
            "Nix added {} as {added}, but crossflake computed {} (store directory {}); nothing was recorded",
            file.display(),
            entry.store_path,
            store::store_dir()
        ))
        .next("set NIX_STORE_DIR to the store directory your Nix uses and re-run"));
    }
    let roots = entry.gc_root.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(roots).with_context(|| format!("cannot create {}", roots.display()))?;
    run(&root, sink)?;
    registry::record(&registry::cache_dir()?, entry.clone())?;
    Ok(Added { info, entry, dry_run, would_run: vec![], registry })
}

/// Runs a nix-store step; returns its stdout (trimmed), or an error with its stderr.
fn run(step: &Step, sink: &dyn Sink) -> Result<String, Failure> {
    sink.event(crate::events::Event::Detail(format!("running: {}", step.shell_line())));
    let got = exec::capture(step)?;
    if !got.success() {
        return Err(Failure::error(format!(
            "`{}` failed ({}): {}",
            step.shell_line(),
            got.ending.describe(),
            got.stderr.trim()
        ))
        .next(format!("fix what Nix reports and re-run (to {})", step.label)));
    }
    Ok(got.stdout.trim().to_string())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// One recorded SDK, and whether its store path is still there.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub entry: Entry,
    pub present: bool,
}

/// `crossflake sdk list`: the recorded SDKs and where the record is.
pub fn list() -> Result<(Vec<Listed>, PathBuf), Failure> {
    let cache = registry::cache_dir()?;
    let sdks = registry::load(&cache)?
        .into_iter()
        .map(|e| Listed { present: Path::new(&e.store_path).exists(), entry: e })
        .collect();
    Ok((sdks, registry::registry_path(&cache)))
}
