//! `crossflake sdk`: macOS SDKs supplied by the user, checked, added to the
//! Nix store as fixed-output paths, kept from garbage collection and recorded.
pub mod inspect;
pub mod registry;
pub mod store;

use crate::exec::{self, Output};
use crate::plan::Step;
use crate::report::Reporter;
use anyhow::{anyhow, bail, Context, Result};
use inspect::SdkInfo;
use registry::Entry;
use serde_json::json;
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

/// `crossflake sdk add FILE`.
pub fn add(file: &Path, dry_run: bool, reporter: &Reporter) -> Result<i32> {
    reporter.info(&format!("checking {} (reads the whole tarball)", file.display()));
    let Checked { info, entry } = check(file)?;
    let [add, root] = steps(&entry);
    if dry_run {
        print_added(&info, &entry, &[&add, &root], true, reporter);
        return Ok(0);
    }
    if !on_path("nix-store") {
        bail!(
            "`nix-store` is not on PATH, so {} cannot be added: install Nix (https://nixos.org/download, \
             or Debian's nix-bin) and re-run; `crossflake sdk add --dry-run` checks the file without Nix",
            file.display()
        );
    }
    let added = run(&add, reporter)?;
    if added != entry.store_path {
        bail!(
            "Nix added {} as {added}, but crossflake computed {} (store directory {}); nothing was recorded: \
             set NIX_STORE_DIR to the store directory your Nix uses and re-run",
            file.display(),
            entry.store_path,
            store::store_dir()
        );
    }
    let roots = entry.gc_root.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(roots).with_context(|| format!("cannot create {}", roots.display()))?;
    run(&root, reporter)?;
    let cache = registry::cache_dir()?;
    registry::record(&cache, entry.clone())?;
    print_added(&info, &entry, &[], false, reporter);
    reporter.info(&format!("recorded in {}", registry::registry_path(&cache).display()));
    Ok(0)
}

/// Runs a nix-store step; returns its stdout (trimmed), or an error with its stderr.
fn run(step: &Step, reporter: &Reporter) -> Result<String> {
    if reporter.verbose > 0 {
        reporter.info(&format!("running: {}", step.shell_line()));
    }
    let log = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    let (outcome, got) = exec::run(step, Output::Capture(log.path()))?;
    let stdout = got.stdout;
    if !outcome.success() {
        let stderr = std::fs::read_to_string(log.path()).unwrap_or_default();
        return Err(anyhow!("`{}` failed ({:?}): {}", step.shell_line(), outcome.ending, stderr.trim()))
            .context(format!("cannot {}; fix what Nix reports and re-run", step.label));
    }
    Ok(String::from_utf8_lossy(&stdout).trim().to_string())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

fn print_added(info: &SdkInfo, e: &Entry, would_run: &[&Step], dry_run: bool, reporter: &Reporter) {
    if reporter.json() {
        let commands: Vec<String> = would_run.iter().map(|s| s.shell_line()).collect();
        let event = if dry_run { "sdk-checked" } else { "sdk-added" };
        println!(
            "{}",
            json!({"event": event, "dry_run": dry_run, "sdk": e, "settings": info.settings, "commands": commands})
        );
        return;
    }
    let verb = if dry_run { "would be added as" } else { "is in the Nix store as" };
    println!("{}: macOS SDK {} ({}, {} entries)", e.file_name, e.version, info.settings, info.entries);
    println!("  {verb} {}", e.store_path);
    println!("  sha256  {}\n  SRI     {}\n  GC root {}", e.sha256, e.sri, e.gc_root.display());
    for s in would_run {
        println!("  would run: {}", s.shell_line());
    }
    println!("For the flake (requireFile, either hash form):");
    println!("  requireFile {{ name = \"{}\"; sha256 = \"{}\"; }}", e.file_name, e.sha256);
    println!("  requireFile {{ name = \"{}\"; hash = \"{}\"; }}", e.file_name, e.sri);
    println!("crossflake's flake reads macos-sdk.toml beside flake.nix (`git add` it; a flake sees tracked files):");
    println!("  version = \"{}\"\n  sha256 = \"{}\"", e.version, e.sha256);
    if info.compression != inspect::Compression::Xz {
        reporter.warn(&format!(
            "crossflake's flake (nix/macosSdk.nix) asks for MacOSX{}.sdk.tar.xz; recompress with xz and add that file",
            e.version
        ));
    }
    if dry_run {
        reporter.info("dry run: nothing was added or recorded");
    }
}

/// `crossflake sdk list`.
pub fn list(json: bool) -> Result<i32> {
    let cache = registry::cache_dir()?;
    let sdks = registry::load(&cache)?;
    if json {
        let rows: Vec<serde_json::Value> = sdks
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap_or_default();
                v["present"] = json!(Path::new(&e.store_path).exists());
                v
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    if sdks.is_empty() {
        println!(
            "No SDKs recorded in {}; add one: crossflake sdk add MacOSX<ver>.sdk.tar.xz",
            registry::registry_path(&cache).display()
        );
        return Ok(0);
    }
    for e in &sdks {
        let state = if Path::new(&e.store_path).exists() {
            "in the store".to_string()
        } else {
            format!("MISSING from the store: run `crossflake sdk add {}` again", PathBuf::from(&e.source).display())
        };
        println!("{}  version {}  added {}  {state}", e.file_name, e.version, e.added);
        println!("  {}\n  sha256 {}  ({})", e.store_path, e.sha256, e.sri);
    }
    Ok(0)
}
