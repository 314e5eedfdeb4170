//! ARCHITECTURE.md names the files that do each step: every one of them
//! must exist, so a move or a rename cannot leave the document behind.

use std::path::{Path, PathBuf};

/// The workspace's root (this crate is `crates/podium-testkit`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `code span` of `text` that names a file or folder of the
/// repository: a relative path with a file extension or a final `/`.
/// Host paths (`/etc/…`), placeholders (`<id>`), globs and bare names other
/// than Rust sources are not files of the repository.
fn named_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (i, span) in text.split('`').enumerate() {
        if i % 2 == 0 || span.starts_with('/') || span.contains(['<', '*', ' ', '{', '(', '=']) {
            continue;
        }
        let is_dir = span.ends_with('/') && span.len() > 1;
        let ext = Path::new(span).extension().and_then(|e| e.to_str());
        let is_file = matches!(
            ext,
            Some("rs" | "js" | "md" | "toml" | "sh" | "txt" | "json" | "html" | "service" | "py" | "mjs")
        );
        // A bare name other than a source file is something on the host
        // (`progress.json` in a session's directory, the `podium.service` unit).
        let bare_not_source = !span.contains('/') && ext != Some("rs");
        if (is_dir || is_file) && !bare_not_source {
            paths.push(span.to_owned());
        }
    }
    paths
}

/// Where a named path may be: from the root, under `crates/` (the
/// document says `podium-host/src/…`), under `web/` (`app/main.js`), or,
/// for a bare file name, in some crate's sources.
fn exists(root: &Path, path: &str) -> bool {
    let direct = ["", "crates/", "web/"]
        .iter()
        .any(|base| root.join(base).join(path).exists());
    if direct || path.contains('/') {
        return direct;
    }
    let Ok(crates) = std::fs::read_dir(root.join("crates")) else {
        return false;
    };
    crates.flatten().any(|c| has_file(&c.path().join("src"), path))
}

fn has_file(dir: &Path, name: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            has_file(&p, name)
        } else {
            p.file_name().is_some_and(|n| n == name)
        }
    })
}

#[test]
fn every_file_architecture_names_exists() {
    let root = root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let named = named_paths(&text);
    assert!(named.len() > 40, "too few paths found: {named:?}");
    let missing: Vec<&String> = named.iter().filter(|p| !exists(&root, p)).collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names files that do not exist: {missing:?}"
    );
}

#[test]
fn the_log_off_path_names_one_file_per_step() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = text.find("## The path of a log off").expect("the section");
    let section = &text[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let steps: Vec<&str> = section
        .split('\n')
        .filter(|l| {
            l.split_once(". **")
                .is_some_and(|(n, _)| n.trim().parse::<u32>().is_ok())
        })
        .collect();
    assert!(steps.len() >= 10, "{steps:?}");
    for (n, step) in steps.iter().enumerate() {
        let body_start = section.find(step).expect("step");
        let body_end = steps.get(n + 1).and_then(|s| section.find(s)).unwrap_or(section.len());
        let body = &section[body_start..body_end];
        assert!(
            named_paths(body).iter().any(|p| p.ends_with(".rs")),
            "step {} names no file: {step}",
            n + 1
        );
    }
}

#[test]
fn paths_are_found_in_code_spans_only() {
    let named = named_paths(
        "see `podium-host/src/host/logoff.rs`, `/etc/podium/podium.toml`, `<id>.rs` and `web/` but not podium-x11/src/lib.rs",
    );
    assert_eq!(named, ["podium-host/src/host/logoff.rs", "web/"]);
    assert!(!exists(&root(), "podium-host/src/no-such-file.rs"));
    assert!(exists(&root(), "podium-x11/src/notice.rs"));
}
