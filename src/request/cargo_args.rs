//! The cargo arguments crossflake reads but never changes: it forwards them
//! verbatim, and peeks at the few it must know (manifest, target dir, profile,
//! jobs, `--no-run`, `--doc`, `--config`, packages, message format).
use std::path::PathBuf;

/// Removes `--name VALUE` and `--name=VALUE` from `args`.
pub fn remove_option(args: &mut Vec<String>, name: &str) {
    let prefix = format!("{name}=");
    let mut i = 0;
    while i < args.len() {
        if args[i] == name {
            args.drain(i..(i + 2).min(args.len()));
        } else if args[i].starts_with(&prefix) {
            args.remove(i);
        } else {
            i += 1;
        }
    }
}

/// What crossflake reads among the cargo arguments (they are forwarded all the same).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Peek {
    pub manifest_path: Option<PathBuf>,
    pub target_dir: Option<PathBuf>,
    /// `release` for `--release`/`-r`, else the `--profile` given.
    pub profile: Option<String>,
    pub jobs: Option<usize>,
    pub no_run: bool,
    pub doc: bool,
    /// `--config` values (TOML `KEY=VALUE` or a file), in order.
    pub configs: Vec<String>,
    /// `-p/--package` values.
    pub packages: Vec<String>,
    pub message_format: Vec<String>,
}

/// Cargo options that take a value (so the value is never read as an option).
const VALUED: &[&str] = &[
    "--manifest-path",
    "--target-dir",
    "--profile",
    "--jobs",
    "--package",
    "--features",
    "--bin",
    "--test",
    "--example",
    "--bench",
    "--exclude",
    "--config",
    "--color",
    "--message-format",
    "--lockfile-path",
    "--artifact-dir",
    "--out-dir",
];
const VALUED_SHORT: &[char] = &['j', 'p', 'F', 'Z'];

/// Reads the cargo arguments crossflake needs to know.
pub fn peek(args: &[String]) -> Peek {
    let mut p = Peek::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if a.starts_with("--") => (n, Some(v.to_string())),
            _ => (a, None),
        };
        let short = a.strip_prefix('-').filter(|r| !r.starts_with('-') && !r.is_empty());
        let mut value = || -> Option<String> {
            if inline.is_some() {
                return inline.clone();
            }
            i += 1;
            args.get(i).cloned()
        };
        match (name, short) {
            ("--manifest-path", _) => p.manifest_path = value().map(PathBuf::from),
            ("--target-dir", _) => p.target_dir = value().map(PathBuf::from),
            ("--release", _) => p.profile = Some("release".into()),
            ("--profile", _) => p.profile = value(),
            ("--jobs", _) => p.jobs = value().and_then(|v| v.parse().ok()),
            ("--no-run", _) => p.no_run = true,
            ("--doc", _) => p.doc = true,
            ("--config", _) => p.configs.extend(value()),
            ("--package", _) => p.packages.extend(value()),
            ("--message-format", _) => p.message_format.extend(value()),
            (_, Some(s)) => {
                // A cluster of short flags: `-r`, `-j4`, `-p foo`, `-rj 4`.
                for (k, c) in s.char_indices() {
                    if c == 'r' {
                        p.profile = Some("release".into());
                        continue;
                    }
                    if VALUED_SHORT.contains(&c) {
                        let rest = &s[k + c.len_utf8()..];
                        let v = if rest.is_empty() {
                            i += 1;
                            args.get(i).cloned()
                        } else {
                            Some(rest.trim_start_matches('=').to_string())
                        };
                        match c {
                            'j' => p.jobs = v.and_then(|v| v.parse().ok()),
                            'p' => p.packages.extend(v),
                            _ => {}
                        }
                        break;
                    }
                }
            }
            (n, None) if VALUED.contains(&n) && inline.is_none() => i += 1,
            _ => {}
        }
        i += 1;
    }
    p
}
