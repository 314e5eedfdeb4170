//! `podium-modules-check` on a crate of three files made for the test: two
//! modules that use each other fail the check, which names both and the
//! lines that make the circle; take one use away and it passes. A use
//! from a `#[cfg(test)]` module is no use.

use std::path::{Path, PathBuf};
use std::process::Command;

const CHECK: &str = env!("CARGO_BIN_EXE_podium-modules-check");

/// A package `cyc` in a fresh directory: `lib.rs` declares `a` and `b`;
/// `a` uses `b` by a `use` line, and `b` uses `a` by `b_text`.
fn package(case: &str, b_text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("podium-modules-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"cyc\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace]\n",
        ),
        ("src/lib.rs", "//! Two modules.\npub mod a;\npub mod b;\n"),
        (
            "src/a.rs",
            "//! Uses b.\nuse crate::b::g;\n\n/// Calls b.\npub fn f() {\n    g();\n}\n",
        ),
        ("src/b.rs", b_text),
    ];
    for (path, text) in files {
        std::fs::write(dir.join(path), text).expect("write");
    }
    dir
}

fn check(dir: &Path) -> (i32, String, String) {
    let out = Command::new(CHECK)
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .output()
        .expect("run podium-modules-check");
    let _ = std::fs::remove_dir_all(dir);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn two_modules_that_use_each_other_fail_the_check_and_are_named() {
    let b =
        "//! Uses a in place.\n/// Called by a.\npub fn g() {}\n\n/// Calls a.\npub fn h() {\n    crate::a::f();\n}\n";
    let (code, _, stderr) = check(&package("cycle", b));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cyc (lib): modules that use each other: cyc::a, cyc::b\n    cyc::a → cyc::b → cyc::a\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cyc::a uses cyc::b: `crate::b::g` at src/a.rs:2"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cyc::b uses cyc::a: `crate::a::f` at src/b.rs:7"),
        "{stderr}"
    );
}

#[test]
fn without_the_use_back_the_check_passes() {
    let b = "//! Uses nothing.\n/// Called by a.\npub fn g() {}\n";
    let (code, stdout, stderr) = check(&package("acyclic", b));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("1 crates, 3 modules, 0 knot(s) of modules that use each other"),
        "{stdout}"
    );
}

#[test]
fn a_use_back_from_test_code_is_no_cycle() {
    let b = "//! Tests a.\n/// Called by a.\npub fn g() {}\n\n#[cfg(test)]\nmod tests {\n    use crate::a::f;\n\n    #[test]\n    fn calls_a() {\n        f();\n        super::g();\n    }\n}\n";
    let (code, _, stderr) = check(&package("tests", b));
    assert_eq!(code, 0, "{stderr}");
}
