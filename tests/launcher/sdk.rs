//! `crossflake sdk add/list` against real Nix (required: a missing nix fails
//! loudly): the fixed-output path crossflake computes is the one Nix gives,
//! files that are not SDKs are refused and nothing reaches the store.
use crate::common::*;
use crossflake::backend::sdk::{inspect, registry, store};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What the tests' nix runs with: root without a daemon, offline.
const NIX_CONFIG: &str =
    "experimental-features = nix-command flakes\nsandbox = false\nbuild-users-group =\nsubstituters =\nflake-registry =";

/// A real Nix tool; the test fails with the fix if it is not on PATH.
fn nix_tool(tool: &str, args: &[&str]) -> Output {
    require_tool(tool);
    Command::new(tool).args(args).env("NIX_CONFIG", NIX_CONFIG).output_bounded().expect("nix runs")
}

fn nix_out(tool: &str, args: &[&str]) -> String {
    let o = nix_tool(tool, args);
    assert!(o.status.success(), "{tool} {args:?} failed: {}", text(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Where Nix itself says `nix-store --add-fixed sha256` puts `file` (adds nothing).
fn path_by_nix(file: &Path) -> String {
    let hex = nix_out("nix", &["hash", "file", "--type", "sha256", "--base16", &file.display().to_string()]);
    let name = file.file_name().unwrap().to_str().unwrap();
    nix_out("nix-store", &["--print-fixed-path", "sha256", &hex, name])
}

fn in_store(path: &str) -> bool {
    nix_tool("nix-store", &["--check-validity", path]).status.success()
}

/// crossflake with a private cache, the tests' NIX_CONFIG and the default store.
fn sdk(args: &[&str], cache: &Path) -> Output {
    command()
        .args(["sdk"])
        .args(args)
        .env("CROSSFLAKE_CACHE_DIR", cache)
        .env("NIX_CONFIG", NIX_CONFIG)
        .env_remove("NIX_STORE_DIR")
        .env_remove("NIX_STORE")
        .output_bounded()
        .expect("crossflake runs")
}

/// An SDK-shaped tarball made with the system's tar: `<dir>/<top>/SDKSettings.json`
/// (unless `settings` is None), a header and a symlink. `flag` is tar's J (xz)
/// or z (gzip), or j: bzip2, done here (Debian's bzip2 is not always installed).
fn tarball(dir: &Path, top: &str, settings: Option<&str>, flag: &str, name: &str, salt: &str) -> PathBuf {
    require_tool("tar");
    require_tool(if flag == "J" { "xz" } else { "gzip" });
    let src = dir.join(format!("src-{name}"));
    std::fs::create_dir_all(src.join(top).join("usr/include")).unwrap();
    if let Some(s) = settings {
        std::fs::write(src.join(top).join("SDKSettings.json"), s).unwrap();
    }
    std::fs::write(src.join(top).join("usr/include/stdio.h"), format!("int printf(const char *, ...);{salt}\n"))
        .unwrap();
    std::os::unix::fs::symlink("usr/include", src.join(top).join("include")).unwrap();
    let o = Command::new("tar")
        .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C"])
        .arg(&src)
        .arg(if flag == "j" { "-cf".to_string() } else { format!("-c{flag}f") })
        .args(["-", top])
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "tar failed: {}", text(&o));
    let mut bytes = o.stdout;
    if flag == "j" {
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(&bytes).unwrap();
        bytes = bz.finish().unwrap();
    }
    let out = dir.join(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

const SETTINGS: &str = r#"{"CanonicalName":"macosx14.5","DisplayName":"macOS 14.5","Version":"14.5"}"#;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn listed(cache: &Path) -> Vec<serde_json::Value> {
    let o = sdk(&["list", "--json"], cache);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap().as_array().unwrap().clone()
}

#[test]
fn fixed_path_of_a_known_file_is_nixs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.txt");
    std::fs::write(&file, "hello\n").unwrap();
    let digest = store::HashingReader::new(std::fs::File::open(&file).unwrap()).finish().unwrap();
    let ours = store::fixed_path("/nix/store", "hello.txt", &digest).unwrap();
    // Computed once with `nix-store --add-fixed sha256 hello.txt`; confirmed again here.
    assert_eq!(ours, "/nix/store/gy454w1cxaq731grqwylhzf4pp9r5izh-hello.txt");
    assert_eq!(ours, path_by_nix(&file));
    let f = file.display().to_string();
    assert_eq!(store::hex(&digest), nix_out("nix", &["hash", "file", "--type", "sha256", "--base16", &f]));
    assert_eq!(store::sri(&digest), nix_out("nix", &["hash", "file", "--type", "sha256", "--sri", &f]));
    // The store directory is part of the path.
    let hex = store::hex(&digest);
    let o = Command::new("nix-store")
        .args(["--print-fixed-path", "sha256", &hex, "hello.txt"])
        .env("NIX_CONFIG", NIX_CONFIG)
        .env("NIX_STORE_DIR", "/tmp/crossflake-other-store")
        .output_bounded()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(store::fixed_path("/tmp/crossflake-other-store", "hello.txt", &digest).unwrap(), stdout(&o).trim());
}

#[test]
fn add_puts_the_sdk_where_nix_does_and_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let file = tarball(dir.path(), "MacOSX14.5.sdk", Some(SETTINGS), "J", "MacOSX14.5.sdk.tar.xz", "");
    let expected = path_by_nix(&file);
    let o = sdk(&["add", file.to_str().unwrap()], &cache);
    assert!(o.status.success(), "{}", text(&o));
    assert!(in_store(&expected), "{expected} is not in the store after `sdk add`: {}", text(&o));
    // `nix store add-file` (flat, sha256) names the same path.
    assert_eq!(nix_out("nix", &["store", "add-file", file.to_str().unwrap()]), expected);
    let hex = nix_out("nix", &["hash", "file", "--type", "sha256", "--base16", file.to_str().unwrap()]);
    let sri = nix_out("nix", &["hash", "file", "--type", "sha256", "--sri", file.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains(&expected), "{out}");
    assert!(out.contains(&format!(r#"requireFile {{ name = "MacOSX14.5.sdk.tar.xz"; sha256 = "{hex}"; }}"#)), "{out}");
    assert!(out.contains(&format!(r#"hash = "{sri}""#)), "{out}");
    let list = listed(&cache);
    assert_eq!(list.len(), 1, "{list:?}");
    let e = &list[0];
    assert_eq!((e["store_path"].as_str(), e["version"].as_str()), (Some(expected.as_str()), Some("14.5")));
    assert_eq!((e["sha256"].as_str(), e["sri"].as_str()), (Some(hex.as_str()), Some(sri.as_str())));
    assert_eq!(e["present"], true);
    // Kept from garbage collection: our symlink, and Nix's indirect root to it.
    let root = PathBuf::from(e["gc_root"].as_str().unwrap());
    assert_eq!(std::fs::read_link(&root).unwrap(), PathBuf::from(&expected));
    let auto = std::fs::read_dir("/nix/var/nix/gcroots/auto").unwrap();
    assert!(auto.flatten().any(|l| std::fs::read_link(l.path()).ok() == Some(root.clone())), "no Nix root to {root:?}");
    // Adding again is harmless and keeps one entry.
    let again = sdk(&["add", file.to_str().unwrap()], &cache);
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(listed(&cache).len(), 1);
}

#[test]
fn gzip_and_bzip2_tarballs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, name) in [("z", "MacOSX14.5.sdk.tar.gz"), ("j", "MacOSX14.5.sdk.tar.bz2")] {
        let file = tarball(dir.path(), "MacOSX14.5.sdk", Some(SETTINGS), flag, name, "");
        let o = sdk(&["add", "--dry-run", file.to_str().unwrap()], &dir.path().join("cache"));
        assert!(o.status.success(), "{}", text(&o));
        assert!(stdout(&o).contains(&path_by_nix(&file)), "{}", text(&o));
        assert!(stdout(&o).contains("macOS SDK 14.5"), "{}", text(&o));
    }
}

/// Refused with `message`, exit 1, nothing in the store, nothing recorded.
fn assert_refused(file: &Path, message: &str) {
    let cache = file.parent().unwrap().join("cache");
    let path = path_by_nix(file);
    assert!(!in_store(&path), "{path} was in the store before the test");
    let o = sdk(&["add", file.to_str().unwrap()], &cache);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(message) && err.contains("gen_sdk_package.sh"), "{err}");
    assert!(!in_store(&path), "{path} was added although the file was refused");
    assert!(listed(&cache).is_empty());
}

#[test]
fn a_tarball_without_sdksettings_is_refused_and_nothing_is_added() {
    let dir = tempfile::tempdir().unwrap();
    let file = tarball(dir.path(), "MacOSX14.5.sdk", None, "J", "MacOSX14.5.sdk.tar.xz", "no settings");
    assert_refused(&file, "is not a macOS SDK: it has no MacOSX14.5.sdk/SDKSettings.json or SDKSettings.plist");
}

#[test]
fn a_file_that_is_not_a_tarball_is_refused_and_nothing_is_added() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("MacOSX14.5.sdk.tar.xz");
    std::fs::write(&file, "this is not a tarball\n").unwrap();
    assert_refused(&file, "is not an SDK tarball: it is not compressed with xz, gzip or bzip2");
}

#[test]
fn a_misnamed_sdk_is_refused_with_the_name_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let file = tarball(dir.path(), "MacOSX14.5.sdk", Some(SETTINGS), "J", "sdk.tar.xz", "misnamed");
    let o = sdk(&["add", "--dry-run", file.to_str().unwrap()], &dir.path().join("cache"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("must be named MacOSX14.5.sdk.tar.xz"), "{}", text(&o));
}

#[test]
fn dry_run_prints_the_path_and_the_command_and_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    // Content unique to this run, so the path cannot be in the store already.
    let salt = format!("/* {} {:?} */", std::process::id(), std::time::SystemTime::now());
    let file = tarball(dir.path(), "MacOSX14.5.sdk", Some(SETTINGS), "J", "MacOSX14.5.sdk.tar.xz", &salt);
    let expected = path_by_nix(&file);
    let o = sdk(&["add", "--dry-run", file.to_str().unwrap()], &cache);
    assert!(o.status.success(), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("would be added as {expected}")), "{out}");
    let canonical = std::fs::canonicalize(&file).unwrap();
    assert!(out.contains(&format!("would run: nix-store --add-fixed sha256 {}", canonical.display())), "{out}");
    assert!(!in_store(&expected), "--dry-run added {expected}");
    assert!(listed(&cache).is_empty());
    assert!(!cache.join("gcroots").exists());
}

#[test]
fn add_without_nix_on_path_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = tarball(dir.path(), "MacOSX14.5.sdk", Some(SETTINGS), "J", "MacOSX14.5.sdk.tar.xz", "no nix");
    let o = command()
        .args(["sdk", "add", file.to_str().unwrap()])
        .env("PATH", dir.path())
        .env("CROSSFLAKE_CACHE_DIR", dir.path().join("cache"))
        .output_bounded()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "a missing tool: {}", text(&o));
    assert!(text(&o).contains("`nix-store` is not on PATH") && text(&o).contains("--dry-run"), "{}", text(&o));
}

#[test]
fn settings_versions_and_timestamps_parse() {
    assert_eq!(inspect::version_from_json(SETTINGS).as_deref(), Some("14.5"));
    assert_eq!(inspect::version_from_json(r#"{"Version": 14}"#), None);
    let plist = b"<plist><dict>\n\t<key>Version</key>\n\t<string>13.3</string>\n</dict></plist>";
    assert_eq!(inspect::version_from_plist(plist).as_deref(), Some("13.3"));
    assert!(inspect::is_version("10.15.4") && inspect::is_version("14"));
    assert!(!inspect::is_version("14.") && !inspect::is_version("14.5b") && !inspect::is_version(""));
    assert_eq!(inspect::Compression::sniff(&[0xFD, b'7', b'z', b'X', b'Z', 0]), Some(inspect::Compression::Xz));
    assert_eq!(inspect::Compression::sniff(b"ustar"), None);
    assert_eq!(registry::utc_timestamp(0), "1970-01-01T00:00:00Z");
    assert_eq!(registry::utc_timestamp(951_827_696), "2000-02-29T12:34:56Z");
    assert_eq!(registry::utc_timestamp(4_102_444_799), "2099-12-31T23:59:59Z");
}
