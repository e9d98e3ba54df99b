//! The crate's layout, checked: a folder per area of the address space (`shell`, `fleet`,
//! `cluster`, `admin`, `changes`); areas never import each other; what two areas share lives below
//! them, in `kit` (and `api`, `call`, `error`), which imports no area; and no file of the
//! crate is over 600 lines.

use std::path::{Path, PathBuf};

const AREAS: &[&str] = &["shell", "fleet", "cluster", "admin", "changes"];
const BELOW: &[&str] = &["kit", "call"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("app/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The areas a source text names through `crate::…` (also inside `use crate::{…}`).
fn areas_named(text: &str) -> Vec<&'static str> {
    let mut named = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let heads: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group
                .split('}')
                .next()
                .unwrap_or("")
                .split(',')
                .map(|p| p.trim().split("::").next().unwrap_or(""))
                .collect(),
            None => vec![rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")],
        };
        for head in heads {
            if let Some(area) = AREAS.iter().find(|a| **a == head) {
                if !named.contains(area) {
                    named.push(*area);
                }
            }
        }
    }
    named
}

#[test]
fn areas_never_import_each_other_and_the_kit_imports_no_area() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for owner in AREAS.iter().chain(BELOW) {
        let mut files = Vec::new();
        rust_files(&src.join(owner), &mut files);
        assert!(!files.is_empty(), "app/src/{owner} has no source files");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source file");
            for area in areas_named(&text) {
                if area != *owner {
                    problems.push(format!("{} imports the area {area}", file.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn imports_are_found_in_both_forms() {
    assert_eq!(
        areas_named("use crate::cluster::frame::Scope;"),
        ["cluster"]
    );
    assert_eq!(
        areas_named("use crate::{kit::Empty, fleet::tags};"),
        ["fleet"]
    );
    assert_eq!(
        areas_named("crate::kit::cluster_href(a)"),
        Vec::<&str>::new()
    );
}

/// A project rule: no source file in `app/` is over 600 lines (a file that grows past it is
/// split along its parts).
#[test]
fn no_file_in_app_is_over_600_lines() {
    const MAX: usize = 600;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut over = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        let lines = text.lines().count();
        if lines > MAX {
            over.push(format!("{} has {lines} lines", file.display()));
        }
    }
    assert!(
        over.is_empty(),
        "files over {MAX} lines:\n{}",
        over.join("\n")
    );
}
