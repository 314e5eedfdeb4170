//! `podium-deps-check` on this repository, with one line taken out of its
//! table: it fails, and says what lacks a package, although this machine
//! has that package installed (the tests need it).

use std::path::PathBuf;
use std::process::Command;

const CHECK: &str = env!("CARGO_BIN_EXE_podium-deps-check");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the check with the repository's table minus the row for `name`.
fn check_without(kind: &str, name: &str) -> (i32, String) {
    let table = std::fs::read_to_string(repo().join("scripts/debian-packages.txt")).expect("the table");
    let kept: Vec<&str> = table
        .lines()
        .filter(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            !(w.len() >= 2 && w[0] == kind && w[1] == name)
        })
        .collect();
    assert!(
        kept.len() < table.lines().count(),
        "the table has a `{kind} {name}` row"
    );
    let path = std::env::temp_dir().join(format!("podium-deps-{kind}-{name}-{}.txt", std::process::id()));
    std::fs::write(&path, kept.join("\n")).expect("write the table");
    let out = Command::new(CHECK)
        .arg("--root")
        .arg(repo())
        .arg("--table")
        .arg(&path)
        .output()
        .expect("run podium-deps-check");
    let _ = std::fs::remove_file(&path);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One test for both: each run relinks the same probe, which two runs at
/// once would race for.
#[test]
fn a_library_or_a_program_without_its_package_fails_the_check() {
    let (code, stderr) = check_without("lib", "turbojpeg");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("the build links -lturbojpeg, and scripts/debian-packages.txt names no package for it"),
        "{stderr}"
    );

    let (code, stderr) = check_without("tool", "xdotool");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("runs `xdotool`, and scripts/debian-packages.txt names no package"),
        "{stderr}"
    );
    assert!(
        stderr.contains("crates/podium/tests/"),
        "names the test that runs it: {stderr}"
    );
}
