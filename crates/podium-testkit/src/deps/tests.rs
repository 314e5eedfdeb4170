//! The table, the link line, the literals and the check, on small inputs.

use super::*;
use crate::error::TestkitError;
use std::collections::BTreeSet;

const TABLE: &str = "\
# kind name package why
lib pam libpam0g-dev PAM
lib c libc6-dev the C library
tool Xvnc tigervnc-standalone-server sessions
tool xclock x11-apps test desktops
package - fonts-dejavu-core notices
";

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|s| (*s).to_owned()).collect()
}

fn installs() -> BTreeSet<String> {
    set(&[
        "libpam0g-dev",
        "libc6-dev",
        "tigervnc-standalone-server",
        "x11-apps",
        "fonts-dejavu-core",
    ])
}

#[test]
fn the_table_reads_and_bad_lines_are_named() {
    let t = Table::parse(TABLE).expect("parses");
    assert_eq!(t.rows.len(), 5);
    assert_eq!(t.package_of(Kind::Tool, "xclock"), Some("x11-apps"));
    assert!(t.packages().contains("fonts-dejavu-core"));
    let short = Table::parse("lib pam\n").expect_err("short");
    assert!(matches!(short, TestkitError::TableLine { line: 1, .. }), "{short:?}");
    assert_eq!(short.to_string(), "line 1: expected `KIND NAME PACKAGE`, got `lib pam`");
    let kind = Table::parse("\n\nbin x y\n").expect_err("kind");
    assert!(matches!(kind, TestkitError::TableKind { line: 3, .. }), "{kind:?}");
    assert!(kind.to_string().starts_with("line 3: unknown kind `bin`"));
}

#[test]
fn link_lines_give_their_libraries() {
    let line = r#""cc" "-m64" "a.o" "-Wl,--as-needed" "-Wl,-Bdynamic" "-lpam" "-lturbojpeg" "-l" "gcc_s" "-lc" "-L" "/x" "-o" "out""#;
    assert_eq!(linked_libs(line), set(&["pam", "turbojpeg", "gcc_s", "c"]));
    assert_eq!(linked_libs("cc -lfoo -l:libbar.so.1"), set(&["foo", ":libbar.so.1"]));
}

#[test]
fn a_library_linked_without_its_package_is_a_problem() {
    let t = Table::parse(TABLE).expect("parses");
    let problems = check(&t, &installs(), &set(&["pam", "c", "turbojpeg"]), &[], &BTreeSet::new());
    assert_eq!(problems, vec![Problem::UnknownLib("turbojpeg".into())]);
    assert!(problems[0].to_string().contains("-lturbojpeg"));
    // Listed in the table, but not installed by install-deps.sh.
    let t = Table::parse(&format!("{TABLE}lib turbojpeg libturbojpeg0-dev JPEG\n")).expect("parses");
    let problems = check(&t, &installs(), &set(&["turbojpeg"]), &[], &BTreeSet::new());
    assert_eq!(
        problems,
        vec![Problem::NotInstalled {
            row: "-lturbojpeg".into(),
            package: "libturbojpeg0-dev".into()
        }]
    );
    let mut all = installs();
    all.insert("libturbojpeg0-dev".into());
    assert!(check(&t, &all, &set(&["turbojpeg", "pam"]), &[], &BTreeSet::new()).is_empty());
}

#[test]
fn a_program_the_tests_run_without_its_package_is_a_problem() {
    let t = Table::parse(TABLE).expect("parses");
    let programs = set(&["xclock", "Xvnc", "tesseract", "sh", "podium"]);
    let source = r#"
        // tesseract in a comment is not a use
        let out = Command::new("tesseract").arg("shot.png").output();
        kit.start_session(&u, Some("xclock -update 1"));
        let p = Command::new("/usr/bin/podium");
    "#;
    let uses = programs_in("tests/ocr.rs", source, Source::Rust, &programs);
    assert_eq!(
        uses.iter()
            .map(|u| (u.program.as_str(), u.at.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("tesseract", "tests/ocr.rs:3"),
            ("xclock", "tests/ocr.rs:4"),
            ("podium", "tests/ocr.rs:5")
        ]
    );
    let problems = check(&t, &installs(), &BTreeSet::new(), &uses, &set(&["podium"]));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].to_string(),
        "tests/ocr.rs:3 runs `tesseract`, and scripts/debian-packages.txt names no package for it \
         (add `tool tesseract PACKAGE`)"
    );
}

#[test]
fn command_words_follow_the_shell() {
    assert_eq!(
        command_words("xsetroot -solid red\nxclock -geometry 9x9 &\nLANG=C exec sleep 1 | head -n1; (cat x)"),
        vec!["xsetroot", "xclock", "sleep", "head", "cat"]
    );
    assert_eq!(command_words("env -i sh -c 'true'"), vec!["env"]);
    assert_eq!(command_words("/usr/bin/chromium --headless"), vec!["chromium"]);
    assert!(command_words("the session's display").iter().all(|w| w == "the"));
}

#[test]
fn strings_are_found_in_rust_javascript_and_shell() {
    let programs = set(&[
        "xdotool", "chromium", "pkill", "userdel", "display", "id", "cargo", "fmt", "date",
    ]);
    let rust = "let c = 'x'; fn f<'a>() {} /* \"xdotool\" */ run(\"xdotool\", &[\"key\", \"a\"]); \
                let s = Some(r#\"xdotool type hello\"#);";
    let found = programs_in("a.rs", rust, Source::Rust, &programs);
    assert_eq!(found.len(), 2, "{found:?}");
    let js = "const b = await chromium.launch({ executablePath: '/usr/bin/chromium' }); // 'xdotool'";
    let found = programs_in("a.mjs", js, Source::JavaScript, &programs);
    assert_eq!(
        found.iter().map(|u| u.program.as_str()).collect::<Vec<_>>(),
        vec!["chromium"]
    );
    let sh = "#!/bin/sh\n# pkill in a comment\npkill -f x 2>/dev/null\n\
              for u in $(getent passwd); do userdel -r \"$u\"; done\n\
              echo \"cannot (as root) display; see $(date)\"\n\
              \t$(CARGO) fmt --all\n";
    let found = programs_in("a.sh", sh, Source::Shell, &programs);
    assert_eq!(
        found
            .iter()
            .map(|u| (u.program.as_str(), u.at.as_str()))
            .collect::<Vec<_>>(),
        vec![("pkill", "a.sh:3"), ("userdel", "a.sh:4"), ("date", "a.sh:5")]
    );
}

#[test]
fn sentences_sql_and_markdown_are_not_commands() {
    let programs = set(&["display", "id", "users", "passwd", "login", "stat"]);
    let rust = r#"
        tracing::debug!(session = id, "display closed; thumbnails stop");
        assert!(audit.contains("display server died"), "{audit}");
        const SCHEMA: &str = "CREATE TABLE s (id INTEGER, display TEXT); CREATE INDEX i ON s (id);";
        let t = "| users | passwd |
|---|---|
| login | id |
";
        let p = read("/etc/passwd"); let q = format!("/proc/{pid}/stat"); post("/api/v1/auth/login");
    "#;
    assert_eq!(programs_in("a.rs", rust, Source::Rust, &programs), vec![]);
}
