//! The module graph of small crates written for each case.

use super::graph::{edges, knots};
use super::report::knots as report;
use super::tree::Crate;
use crate::error::TestkitError;
use std::path::PathBuf;

/// A crate `demo` made of `files` (path under `src/`, text) in a fresh
/// directory, read back.
fn demo(files: &[(&str, &str)]) -> (Crate, PathBuf) {
    let dir = write(files);
    let krate = Crate::read("demo", &dir.join("src/lib.rs")).expect("the crate reads");
    (krate, dir)
}

/// A fresh directory with `files` (path under `src/`, text) written in it.
fn write(files: &[(&str, &str)]) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("podium-modules-unit-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let file = dir.join("src").join(path);
        std::fs::create_dir_all(file.parent().expect("a directory")).expect("mkdir");
        std::fs::write(&file, text).expect("write");
    }
    dir
}

/// The knots of `files`, each as its modules' names.
fn knots_of(files: &[(&str, &str)]) -> Vec<Vec<String>> {
    let (krate, dir) = demo(files);
    let found = knots(krate.modules.len(), &edges(&krate))
        .into_iter()
        .map(|k| k.into_iter().map(|m| krate.display(m)).collect())
        .collect();
    let _ = std::fs::remove_dir_all(dir);
    found
}

fn pair(a: &str, b: &str) -> Vec<Vec<String>> {
    vec![vec![a.to_owned(), b.to_owned()]]
}

#[test]
fn a_use_line_and_a_path_in_a_function_body_make_a_cycle() {
    let files = [
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::g;\npub fn f() { g() }\n"),
        ("b.rs", "pub fn g() {}\npub fn h() { crate::a::f() }\n"),
    ];
    assert_eq!(knots_of(&files), pair("demo::a", "demo::b"));
}

#[test]
fn test_code_uses_nothing() {
    let files = [
        ("lib.rs", "mod a;\nmod b;\n"),
        (
            "a.rs",
            "pub fn f() {}\n#[cfg(test)]\nfn helper() { crate::b::g() }\n\
             #[cfg(test)]\nmod tests { use super::*; use crate::b::g; }\n",
        ),
        ("b.rs", "pub fn g() { crate::a::f() }\n"),
    ];
    assert!(knots_of(&files).is_empty());
}

#[test]
fn a_re_exported_name_leads_to_the_module_that_defines_it() {
    // `crate::Thing` is `a::Thing`: b uses a, not the crate root, so the
    // root's re-export makes no cycle, while a's use of b does.
    let files = [
        ("lib.rs", "mod a;\nmod b;\npub use a::Thing;\n"),
        ("a.rs", "pub struct Thing;\npub fn f() { crate::b::g() }\n"),
        ("b.rs", "use crate::Thing;\npub fn g() -> Option<Thing> { None }\n"),
    ];
    assert_eq!(knots_of(&files), pair("demo::a", "demo::b"));
}

#[test]
fn paths_in_macro_calls_and_attributes_count() {
    let files = [
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        (
            "a.rs",
            "pub const N: u8 = 1;\npub fn f() { println!(\"{}\", crate::b::M); }\n\
             pub fn g() { assert!(matches!(None, Some(crate::c::T))); }\n",
        ),
        (
            "b.rs",
            "pub const M: u8 = 2;\n#[derive(Doc)]\n#[doc_paths(crate::a::N)]\npub struct S;\n",
        ),
        ("c.rs", "#[serde(with = \"crate::a\")]\npub struct T;\n"),
    ];
    let all = vec![vec!["demo::a".to_owned(), "demo::b".to_owned(), "demo::c".to_owned()]];
    assert_eq!(knots_of(&files), all);
}

#[test]
fn a_parent_and_a_child_that_use_each_other_are_a_cycle() {
    let files = [
        (
            "lib.rs",
            "pub struct State;\nmod routes;\npub fn app() { routes::api() }\n",
        ),
        (
            "routes.rs",
            "use crate::State;\npub fn api() {}\npub fn s(_: State) {}\n",
        ),
    ];
    assert_eq!(knots_of(&files), pair("demo", "demo::routes"));
}

#[test]
fn a_parent_that_only_declares_and_re_exports_is_no_cycle() {
    let files = [
        (
            "lib.rs",
            "mod state;\nmod routes;\npub use state::State;\npub use routes::api;\n",
        ),
        ("state.rs", "pub struct State;\n"),
        ("routes.rs", "use crate::State;\npub fn api(_: State) {}\n"),
    ];
    assert!(knots_of(&files).is_empty());
}

#[test]
fn inline_modules_and_path_attributes_are_followed() {
    let files = [
        (
            "lib.rs",
            "mod outer {\n    pub mod inner;\n}\n#[path = \"other_name.rs\"]\nmod b;\n",
        ),
        ("outer/inner.rs", "pub fn f() { super::super::b::g() }\n"),
        ("other_name.rs", "pub fn g() { crate::outer::inner::f() }\n"),
    ];
    assert_eq!(knots_of(&files), pair("demo::outer::inner", "demo::b"));
}

#[test]
fn paths_outside_the_crate_and_type_paths_lead_nowhere() {
    let files = [
        ("lib.rs", "mod a;\n"),
        (
            "a.rs",
            "use std::collections::HashMap;\npub struct S;\n\
             impl S { pub fn new() -> Self { Self::make(HashMap::<u8, u8>::new()) }\n\
             fn make(_: HashMap<u8, u8>) -> Self { S } }\n",
        ),
    ];
    let (krate, dir) = demo(&files);
    assert!(edges(&krate).is_empty(), "{:?}", edges(&krate));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_report_names_each_step_with_its_path_and_line() {
    let files = [
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "pub fn f() {}\n\npub fn g() { crate::b::h() }\n"),
        ("b.rs", "use crate::a;\npub fn h() { a::f() }\n"),
    ];
    let (krate, dir) = demo(&files);
    let found = report(&krate, "demo (lib)", &dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 1);
    let text = found[0].to_string();
    assert_eq!(
        text,
        "demo (lib): modules that use each other: demo::a, demo::b\n\
         \x20   demo::a → demo::b → demo::a\n\
         \x20       demo::a uses demo::b: `crate::b::h` at src/a.rs:3\n\
         \x20       demo::b uses demo::a: `crate::a` at src/b.rs:1\n"
    );
}

#[test]
fn a_missing_or_broken_module_file_is_named() {
    let dir = write(&[("lib.rs", "mod gone;\n")]);
    let missing = Crate::read("demo", &dir.join("src/lib.rs")).expect_err("no gone.rs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        matches!(&missing, TestkitError::ModuleMissing { name, .. } if name == "gone"),
        "{missing:?}"
    );
    let src = dir.join("src");
    assert_eq!(
        missing.to_string(),
        format!(
            "{}: `mod gone;` has neither {} nor {}",
            src.join("lib.rs").display(),
            src.join("gone.rs").display(),
            src.join("gone/mod.rs").display()
        )
    );

    let dir = write(&[("lib.rs", "mod broken;\n"), ("broken.rs", "pub fn f() {}\nfn g( {}\n")]);
    let broken = Crate::read("demo", &dir.join("src/lib.rs")).expect_err("broken.rs does not parse");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        matches!(&broken, TestkitError::ParseSource { line: 2, .. }),
        "{broken:?}"
    );
    let place = format!("cannot parse {}:2:", dir.join("src/broken.rs").display());
    assert!(broken.to_string().starts_with(&place), "{broken}");

    let unreadable = Crate::read("demo", &dir.join("src/lib.rs")).expect_err("the directory is gone");
    assert!(matches!(&unreadable, TestkitError::ReadSource { .. }), "{unreadable:?}");
    let words = format!("cannot read {}: ", dir.join("src/lib.rs").display());
    assert!(unreadable.to_string().starts_with(&words), "{unreadable}");
}
