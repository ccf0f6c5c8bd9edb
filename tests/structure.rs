//! The module structure holds: lower layers never import higher ones, so the
//! graph of `crate::` references between top-level modules has no cycle.
use std::collections::{BTreeMap, BTreeSet};

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(&src).unwrap().to_string_lossy().to_string();
            let module = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
            if module == "main" || module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let mut deps = BTreeSet::new();
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + 7..];
                if let Some(group) = rest.strip_prefix('{') {
                    let inner = &group[..group.find('}').unwrap_or(group.len())];
                    for item in inner.split(',') {
                        let name: String =
                            item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                        deps.insert(name);
                    }
                } else {
                    deps.insert(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
                }
            }
            deps.retain(|d| !d.is_empty() && *d != module);
            graph.entry(module).or_default().extend(deps);
        }
    }
    graph
}

#[test]
fn no_module_imports_in_a_circle() {
    let graph = module_graph();
    assert!(graph.len() >= 20, "the modules were found: {:?}", graph.keys());
    // Depth-first search for a back edge; the path names the circle.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if !done.insert(n.to_string()) {
            return None;
        }
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten().filter(|d| g.contains_key(*d)) {
            if let Some(c) = visit(d, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        let mut path = vec![];
        if let Some(c) = visit(m, &graph, &mut path, &mut done) {
            panic!("import circle: {}", c.join(" -> "));
        }
    }
}

#[test]
fn only_exec_spawns_processes() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = vec![];
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("exec.rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                if text.contains("Command::new(") || text.contains("duct::") || text.contains(".spawn()") {
                    offenders.push(p.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "processes are started outside exec.rs: {offenders:?}");
}
