//! The source tree keeps the shape the style guide asks for: every module opens with a `//!`
//! paragraph, and no two top-level modules import each other, directly or around a circle
//! (test code excluded), so each layer of `load → validate → model → render → write` can be
//! read without the ones after it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file under `src/`, with its path relative to `src/`.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    walkdir::WalkDir::new(&root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn every_module_opens_with_a_doc_paragraph() {
    for (file, text) in sources() {
        assert!(
            text.starts_with("//!"),
            "src/{file} does not open with a `//!` paragraph"
        );
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources() {
        let module = file.split(['/', '.']).next().unwrap().to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (at, _) in code.match_indices("crate::") {
            let target: String = code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if target != module && !target.is_empty() {
                imports.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    let mut done = BTreeSet::new();
    for module in imports.keys() {
        visit(module, &imports, &mut Vec::new(), &mut done);
    }
}

/// Depth-first search for a back edge from `module`; the path is the circle.
fn visit<'a>(
    module: &'a str,
    imports: &'a BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
) {
    if let Some(start) = path.iter().position(|m| *m == module) {
        panic!("import circle: {} → {module}", path[start..].join(" → "));
    }
    if !done.insert(module) {
        return;
    }
    path.push(module);
    for next in imports.get(module).into_iter().flatten() {
        visit(next, imports, path, done);
    }
    path.pop();
}
