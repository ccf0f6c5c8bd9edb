//! The module structure holds: the top-level modules form layers (src/lib.rs
//! lists them) and a lower one never imports a higher one; only exec/ starts
//! processes; only report/ prints; only exit.rs knows exit codes' numbers;
//! no module grows past ~400 lines unless its header says why.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first (as src/lib.rs explains them).
const LAYERS: &[&str] = &[
    "support", "exit", "failure", "targets", "request", "step", "exec", "plan", "events", "resolve", "backend", "run",
    "ship", "report", "cli",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every .rs file under src/, with its text.
fn files() -> Vec<(PathBuf, String)> {
    let mut out = vec![];
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`run` for src/run/kernel.rs).
fn top(p: &Path) -> String {
    let rel = p.strip_prefix(src()).unwrap().to_string_lossy().to_string();
    rel.split('/').next().unwrap().trim_end_matches(".rs").to_string()
}

/// The code of a file, without comment lines.
fn code(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Which top-level modules each one names through `crate::`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (p, text) in files() {
        let module = top(&p);
        if module == "main" || module == "lib" {
            continue;
        }
        let text = code(&text);
        let mut deps = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + 7..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    deps.insert(item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
                }
            } else {
                deps.insert(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
            }
        }
        deps.retain(|d: &String| !d.is_empty() && *d != module);
        graph.entry(module).or_default().extend(deps);
    }
    graph
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let graph = module_graph();
    let declared: BTreeSet<&str> = LAYERS.iter().copied().collect();
    let found: BTreeSet<&str> = graph.keys().map(String::as_str).collect();
    assert_eq!(found, declared, "every top-level module has its place in LAYERS (and src/lib.rs)");
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut upward = vec![];
    for (m, deps) in &graph {
        for d in deps {
            if let (Some(a), Some(b)) = (rank(m), rank(d)) {
                if b > a {
                    upward.push(format!("{m} imports {d}"));
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports that go up the layers: {upward:#?}");
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    for l in LAYERS {
        assert!(lib.contains(&format!("pub mod {l};")), "src/lib.rs declares {l}");
    }
}

#[test]
fn only_exec_spawns_processes() {
    let offenders: Vec<String> = files()
        .into_iter()
        .filter(|(p, _)| top(p) != "exec")
        .filter(|(_, t)| {
            let t = code(t);
            t.contains("Command::new(") || t.contains("duct::") || t.contains(".spawn()") || t.contains(".exec()")
        })
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "processes are started outside exec/: {offenders:?}");
}

#[test]
fn only_report_prints_and_exit_holds_the_codes() {
    let mut printers = vec![];
    let mut literals = vec![];
    for (p, text) in files() {
        let module = top(&p);
        let t = code(&text);
        let prints = ["println!", "eprintln!", "print!(", "eprint!(", "json!(", "io::stdout()", "io::stderr()"];
        if module != "report" && module != "main" && prints.iter().any(|x| t.contains(x)) {
            // The runner's last word when its parent is gone has no reporter to reach (exec/signals).
            if !(module == "run" && p.ends_with("runner.rs") && t.matches("io::stderr()").count() == 1) {
                printers.push(p.display().to_string());
            }
        }
        if module != "exit" {
            for code in ["Ok(101)", "Ok(125)", "Ok(124)", "Exited(125)", "Ok(1)", "Ok(2)", "Ok(3)"] {
                if t.contains(code) {
                    literals.push(format!("{}: {code}", p.display()));
                }
            }
        }
    }
    assert!(printers.is_empty(), "print outside report/: {printers:?}");
    assert!(literals.is_empty(), "exit-code literals outside exit.rs: {literals:?}");
}

#[test]
fn modules_stay_small_or_say_why() {
    let big: Vec<String> = files()
        .into_iter()
        .filter(|(_, t)| t.lines().count() > 420)
        .filter(|(_, t)| !t.lines().take_while(|l| l.starts_with("//!")).any(|l| l.contains("long because")))
        .map(|(p, t)| format!("{} ({} lines)", p.display(), t.lines().count()))
        .collect();
    assert!(big.is_empty(), "modules over ~400 lines without a reason in their header: {big:?}");
}

#[test]
fn plans_are_read_by_field_not_by_position() {
    let found: Vec<String> = files()
        .into_iter()
        .filter(|(_, t)| {
            code(t).contains("steps.last()")
                || code(t).contains("split_whitespace().map(String::from).collect::<Vec<String>>()")
        })
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(found.is_empty(), "a plan's steps found by position: {found:?}");
}
