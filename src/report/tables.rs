//! Each command's result for people: aligned tables (every column as wide as
//! its longest cell) and the lines of env, repro, dist, package and sdk.
use crate::backend::sdk::{self, registry::Entry};
use crate::events::{Status, TargetResult};
use crate::run::coverage::{Numbers, Report as Coverage};
use crate::ship::dist::Dist;
use crate::ship::repro::ReproReport;
use crate::targets::Registry;
use std::collections::BTreeMap;

/// Rows under a header, each column padded to its widest cell (the last one not padded);
/// `right` names the columns aligned to the right.
pub fn table(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let render = |cells: Vec<&str>| {
        let n = cells.len();
        let mut line = String::new();
        for (i, c) in cells.into_iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            if i + 1 == n && !right.contains(&i) {
                line += c;
            } else if right.contains(&i) {
                line += &format!("{}{c}", " ".repeat(pad));
            } else {
                line += &format!("{c}{}", " ".repeat(pad));
            }
            if i + 1 < n {
                line += "  ";
            }
        }
        line.trim_end().to_string() + "\n"
    };
    let mut out = render(header.to_vec());
    for r in rows {
        out += &render(r.iter().map(String::as_str).collect());
    }
    out
}

/// `crossflake targets`.
pub fn targets(reg: &Registry) -> String {
    let rows: Vec<Vec<String>> = reg
        .targets
        .iter()
        .map(|t| {
            let runner = serde_json::to_value(&t.runner).ok().and_then(|v| v["type"].as_str().map(String::from));
            let kind = serde_json::to_value(t.kind).ok().and_then(|v| v.as_str().map(String::from));
            vec![
                t.name.clone(),
                t.rust_triple.clone(),
                kind.unwrap_or_default(),
                runner.unwrap_or_default(),
                t.aliases.join(", "),
            ]
        })
        .collect();
    table(&["NAME", "TRIPLE", "KIND", "RUNNER", "ALIASES"], &rows, &[])
}

/// The matrix's summary table.
pub fn matrix(results: &[TargetResult]) -> String {
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let detail = match (&r.build, &r.test) {
                (Status::Skipped(why), _) | (_, Status::Skipped(why)) if !r.failed() => why.clone(),
                (Status::Failed(why) | Status::TimedOut(why), _) | (_, Status::Failed(why) | Status::TimedOut(why)) => {
                    why.clone()
                }
                _ => r
                    .artifacts
                    .first()
                    .map(|a| match a.needs() {
                        Some(n) => format!("{} ({n})", a.path.display()),
                        None => a.path.display().to_string(),
                    })
                    .unwrap_or_default(),
            };
            vec![
                r.target.clone(),
                r.build.word().to_string(),
                r.test.word().to_string(),
                format!("{:.1}s", r.seconds),
                detail.lines().next().unwrap_or("").to_string(),
            ]
        })
        .collect();
    let mut out = table(&["TARGET", "BUILD", "TEST", "TIME", "ARTIFACT / REASON"], &rows, &[3]);
    let (p, f) = (results.iter().filter(|r| r.passed()).count(), results.iter().filter(|r| r.failed()).count());
    out += &format!("matrix: {p} passed, {f} failed, {} skipped\n", results.len() - p - f);
    out
}

/// `crossflake dist`'s table.
pub fn dist(d: &Dist) -> String {
    let rows: Vec<Vec<String>> = d
        .artifacts
        .iter()
        .map(|a| vec![a.path.display().to_string(), a.needs.clone().unwrap_or_else(|| "-".into()), a.sha256.clone()])
        .collect();
    table(&["ARTIFACT", "NEEDS", "SHA256"], &rows, &[])
}

/// `crossflake repro`'s lines.
pub fn repro(target: &str, r: &ReproReport, keep: bool) -> String {
    let mut out = String::new();
    for (name, h) in &r.identical {
        out += &format!("identical  {name}  sha256:{h}\n");
    }
    for (name, a, b) in &r.different {
        out += &format!("DIFFERENT  {name}  first sha256:{a}  second sha256:{b}\n");
    }
    if keep {
        out += &format!("builds kept in {} and {}\n", r.dirs.0.display(), r.dirs.1.display());
    }
    if let Some(why) = &r.same_path {
        out += &format!("note: {why}\n");
    }
    out += &format!("repro {target}: {}\n", if r.different.is_empty() { "identical" } else { "NOT reproducible" });
    out
}

/// Variables for `eval`, JSON or `$GITHUB_ENV`.
pub fn env(vars: &BTreeMap<String, String>, format: &str) -> String {
    let sh_word = |v: &str| format!("'{}'", v.replace('\'', r"'\''"));
    match format {
        "json" => format!("{}\n", serde_json::to_string_pretty(vars).unwrap_or_default()),
        "github" => vars
            .iter()
            .map(|(k, v)| {
                if v.contains('\n') {
                    format!("{k}<<CROSSFLAKE_EOF\n{v}\nCROSSFLAKE_EOF\n")
                } else {
                    format!("{k}={v}\n")
                }
            })
            .collect(),
        _ => vars.iter().map(|(k, v)| format!("export {k}={}\n", sh_word(v))).collect(),
    }
}

/// `crossflake sdk add`'s lines.
pub fn sdk_added(a: &sdk::Added) -> String {
    let (info, e) = (&a.info, &a.entry);
    let verb = if a.dry_run { "would be added as" } else { "is in the Nix store as" };
    let mut s = format!("{}: macOS SDK {} ({}, {} entries)\n", e.file_name, e.version, info.settings, info.entries);
    s += &format!("  {verb} {}\n", e.store_path);
    s += &format!("  sha256  {}\n  SRI     {}\n  GC root {}\n", e.sha256, e.sri, e.gc_root.display());
    for st in &a.would_run {
        s += &format!("  would run: {}\n", st.shell_line());
    }
    s += "For the flake (requireFile, either hash form):\n";
    s += &format!("  requireFile {{ name = \"{}\"; sha256 = \"{}\"; }}\n", e.file_name, e.sha256);
    s += &format!("  requireFile {{ name = \"{}\"; hash = \"{}\"; }}\n", e.file_name, e.sri);
    s += "crossflake's flake reads macos-sdk.toml beside flake.nix (`git add` it; a flake sees tracked files):\n";
    s += &format!("  version = \"{}\"\n  sha256 = \"{}\"\n", e.version, e.sha256);
    s
}

/// `crossflake sdk list`'s lines.
pub fn sdk_list(sdks: &[sdk::Listed], registry: &std::path::Path) -> String {
    if sdks.is_empty() {
        return format!(
            "No SDKs recorded in {}; add one: crossflake sdk add MacOSX<ver>.sdk.tar.xz\n",
            registry.display()
        );
    }
    let mut s = String::new();
    for sdk::Listed { entry: e, present } in sdks {
        let Entry { file_name, version, added, store_path, sha256, sri, source, .. } = e;
        let state = if *present {
            "in the store".to_string()
        } else {
            format!("MISSING from the store: run `crossflake sdk add {}` again", source.display())
        };
        s += &format!(
            "{file_name}  version {version}  added {added}  {state}\n  {store_path}\n  sha256 {sha256}  ({sri})\n"
        );
    }
    s
}

pub fn coverage(r: &Coverage) -> String {
    let pct = |(hit, all): (u64, u64)| {
        if all == 0 {
            "-".to_string()
        } else {
            format!("{:.2}%", hit as f64 * 100.0 / all as f64)
        }
    };
    let row = |name: &str, n: &Numbers| {
        format!(
            "{name:<44} {:>9} {:>8} {:>9} {:>8} {:>9} {:>8}\n",
            format!("{}/{}", n.lines.0, n.lines.1),
            pct(n.lines),
            format!("{}/{}", n.functions.0, n.functions.1),
            pct(n.functions),
            format!("{}/{}", n.regions.0, n.regions.1),
            pct(n.regions)
        )
    };
    let mut out =
        format!("{:<44} {:>9} {:>8} {:>9} {:>8} {:>9} {:>8}\n", "FILE", "LINES", "", "FUNCTIONS", "", "REGIONS", "");
    for (f, n) in &r.files {
        out += &row(f, n);
    }
    out += &row("TOTAL", &r.total);
    out
}
