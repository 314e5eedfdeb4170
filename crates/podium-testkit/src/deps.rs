//! The check that keeps `scripts/install-deps.sh` honest (`make test` runs
//! it through `podium-deps-check`).
//!
//! A fresh Debian machine has only its image's packages; everything else
//! the build links and the tests run must be installed by
//! `scripts/install-deps.sh`, or the README's two commands fail there while
//! passing on every machine where somebody installed the package by hand.
//! So the check never asks this machine what it has. It compares two
//! things the repository says with one table the repository keeps
//! (`scripts/debian-packages.txt`, which `install-deps.sh` installs):
//!
//! - every `-l` library on the link line of the workspace (rustc's
//!   `--print link-args`, so `#[link]` attributes and build scripts of every
//!   crate count) needs a `lib` row;
//! - every program the code and the tests start needs a `tool` row: the
//!   command words of string literals in Rust and JavaScript, and of shell
//!   scripts, that name a program (an executable in `/usr/bin` or
//!   `/usr/sbin`).
//!
//! Which words name programs is the only thing taken from the machine, and
//! it errs the safe way: where a program is installed, its name is known,
//! so a test that runs it must have its row; where it is not, the test
//! itself fails.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a row of the table is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A library the build links (`-lNAME`).
    Lib,
    /// A program something starts.
    Tool,
    /// A package needed for another reason (fonts, locales), named by itself.
    Package,
}

/// One line of `scripts/debian-packages.txt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Lib, tool or package.
    pub kind: Kind,
    /// The library's link name or the program's name (`-` for a package row).
    pub name: String,
    /// The Debian package that provides it.
    pub package: String,
}

/// The table of what Podium needs from Debian.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Its rows, in file order.
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads the table: `KIND NAME PACKAGE [why…]` per line, `#` comments.
    ///
    /// # Errors
    /// A line that is not of that shape, named by its number.
    pub fn parse(text: &str) -> Result<Table, String> {
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let (Some(kind), Some(name), Some(package)) = (words.next(), words.next(), words.next()) else {
                return Err(format!("line {}: expected `KIND NAME PACKAGE`, got `{line}`", i + 1));
            };
            let kind = match kind {
                "lib" => Kind::Lib,
                "tool" => Kind::Tool,
                "package" => Kind::Package,
                other => return Err(format!("line {}: unknown kind `{other}` (lib, tool or package)", i + 1)),
            };
            rows.push(Row {
                kind,
                name: name.to_owned(),
                package: package.to_owned(),
            });
        }
        Ok(Table { rows })
    }

    /// Every package the table names.
    #[must_use]
    pub fn packages(&self) -> BTreeSet<&str> {
        self.rows.iter().map(|r| r.package.as_str()).collect()
    }

    fn package_of(&self, kind: Kind, name: &str) -> Option<&str> {
        self.rows
            .iter()
            .find(|r| r.kind == kind && r.name == name)
            .map(|r| r.package.as_str())
    }
}

/// The `-l` libraries of a link line as rustc prints it (`--print
/// link-args`): `-lpam`, `"-lpam"`, `-l pam`, `-l:libfoo.so.1` alike.
#[must_use]
pub fn linked_libs(link_line: &str) -> BTreeSet<String> {
    let words: Vec<String> = shell_words(link_line);
    let mut libs = BTreeSet::new();
    let mut iter = words.iter();
    while let Some(w) = iter.next() {
        let name = if w == "-l" {
            iter.next().cloned()
        } else {
            w.strip_prefix("-l").map(str::to_owned)
        };
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            libs.insert(n);
        }
    }
    libs
}

/// Splits a command line into words, honouring double and single quotes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// The language of a source file, for finding its strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Rust: `"…"` and raw strings; `//` and `/* */` comments.
    Rust,
    /// JavaScript: `"…"`, `'…'` and template strings; `//` and `/* */` comments.
    JavaScript,
    /// A shell script or Makefile: each line is a command line; `#` comments.
    Shell,
}

/// A program named in a source, with where.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Use {
    /// The program's name (the last part of a path).
    pub program: String,
    /// `file:line`.
    pub at: String,
}

/// Where Debian puts programs; a path into one of them names a program.
const BIN_DIRS: [&str; 5] = ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/"];

/// A string literal: its line, its text, and the code just before and after it.
#[derive(Debug)]
struct Literal {
    line: usize,
    text: String,
    before: String,
    after: String,
}

impl Literal {
    /// Whether the literal reads as a command rather than as words: shell
    /// syntax, a program with options, a path, or a lone word handed to a
    /// call as its first argument or followed by an argument list
    /// (`Command::new("x")`, `run("x", &[…])`, `Some("x")`) or by an option
    /// (`["python3", "-c", …]`).
    fn is_command(&self, lang: Source) -> bool {
        if lang == Source::Shell {
            return true;
        }
        let t = self.text.trim();
        if t.is_empty() {
            return false;
        }
        // Markdown and messages with line breaks are prose, whatever their `|`.
        let prose = t.starts_with('#') || t.starts_with('|') || t.contains("\n|") || t.contains("\n\n");
        if !prose && (t.contains([';', '|', '&']) || t.contains("$(")) {
            return true;
        }
        let mut words = t.split_whitespace();
        let first = words.next().unwrap_or("");
        if words.next().is_some_and(|w| w.starts_with('-')) {
            return true;
        }
        // `Command::new("x")`, `ExecPlan::new("x")`, `Some("x")` (a session's
        // command), `run("x", …)`, and `run_as(user, "x", &[…])`.
        let program_argument = ["new(", "Some(", "run("].iter().any(|m| self.before.ends_with(m));
        if t.contains(char::is_whitespace) {
            return program_argument;
        }
        BIN_DIRS.iter().any(|d| first.starts_with(d))
            || program_argument
            || self.after.starts_with(", &[")
            || self.after.starts_with(", [")
            || self.after.starts_with(", \"-")
    }
}

/// The string literals of `text` (each line, for a shell script).
fn literals(text: &str, lang: Source) -> Vec<Literal> {
    if lang == Source::Shell {
        return text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim_start().starts_with('#'))
            .map(|(i, l)| Literal {
                line: i + 1,
                text: l.split(" #").next().unwrap_or("").to_owned(),
                before: String::new(),
                after: String::new(),
            })
            .collect();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let context = |from: usize, to: usize| -> String {
        chars
            .get(from.min(chars.len())..to.min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => line += 1,
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if at(i + 1) == '*' => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
                continue;
            }
            'r' if lang == Source::Rust
                && (at(i + 1) == '"' || at(i + 1) == '#')
                && !at(i.wrapping_sub(1)).is_alphanumeric()
                && at(i.wrapping_sub(1)) != '_' =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while at(j) == '#' {
                    hashes += 1;
                    j += 1;
                }
                if at(j) == '"' {
                    let start_line = line;
                    let mut s = String::new();
                    j += 1;
                    while j < chars.len() {
                        if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                            break;
                        }
                        if chars[j] == '\n' {
                            line += 1;
                        }
                        s.push(chars[j]);
                        j += 1;
                    }
                    out.push(Literal {
                        line: start_line,
                        text: s,
                        before: context(i.saturating_sub(16), i),
                        after: context(j + 1 + hashes, j + 9 + hashes),
                    });
                    i = j + 1 + hashes;
                    continue;
                }
            }
            '\'' if lang == Source::Rust => {
                // A char literal ('x', '\n') or a lifetime ('a): skip either.
                if at(i + 1) == '\\' {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                } else if at(i + 2) == '\'' {
                    i += 2;
                }
            }
            '"' | '\'' | '`' => {
                let (start_line, open) = (line, i);
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                        match at(i) {
                            'n' => s.push('\n'),
                            '\n' => line += 1,
                            other => s.push(other),
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        s.push(chars[i]);
                    }
                    i += 1;
                }
                out.push(Literal {
                    line: start_line,
                    text: s,
                    before: context(open.saturating_sub(16), open),
                    after: context(i + 1, i + 9),
                });
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The shell's own commands and keywords, which need no package.
const SHELL_WORDS: [&str; 24] = [
    "cd", "wait", "exit", "export", "set", "trap", "read", "return", "shift", "eval", "unset", "local", ".", ":",
    "for", "while", "until", "if", "fi", "done", "case", "esac", "[", "in",
];

/// Words that put the next word in command position in a shell line.
const LEADERS: [&str; 11] = [
    "exec", "then", "do", "else", "!", "time", "nohup", "sudo", "xargs", "command", "setsid",
];

/// The words of a command text that stand where a program's name stands:
/// the first word, and the first after `;`, `&`, `|`, `(`, a backquote, a
/// line break or a word such as `exec`. Paths count by their last part.
#[must_use]
pub fn command_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut expect = true;
    let spaced: String = without_variables(text)
        .chars()
        .flat_map(|c| match c {
            ';' | '&' | '|' | '(' | ')' | '`' | '\n' => vec![' ', '\n', ' '],
            c => vec![c],
        })
        .collect();
    for token in spaced.split([' ', '\t']) {
        if token.is_empty() {
            continue;
        }
        if token == "\n" {
            expect = true;
            continue;
        }
        if !expect {
            continue;
        }
        let w = token.trim_matches(|c| c == '"' || c == '\'' || c == '$');
        if w.contains('=') || w.is_empty() {
            // `LANG=C prog`: the program follows the assignment.
            continue;
        }
        if LEADERS.contains(&w) {
            continue;
        }
        expect = false;
        // `scripts/x.sh`, `VAR/bin/pip`: not found through the PATH.
        if w.contains('/') && !BIN_DIRS.iter().any(|d| w.starts_with(d)) {
            continue;
        }
        let name = w.rsplit('/').next().unwrap_or(w);
        if !name.is_empty() {
            words.push(name.to_owned());
        }
    }
    words
}

/// `text` with make's and the shell's variables (`$(CARGO)`, `${HOME}`)
/// replaced by a placeholder word, so their parentheses do not read as a
/// subshell.
fn without_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let close = match tail.chars().next() {
            Some('(') => ')',
            Some('{') => '}',
            _ => {
                out.push('$');
                rest = tail;
                continue;
            }
        };
        let name_end = tail[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        match name_end {
            Some(n) if n > 0 && tail[1 + n..].starts_with(close) => {
                out.push_str("VAR");
                rest = &tail[2 + n..];
            }
            _ => {
                out.push('$');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A shell line without the text of its quoted strings (messages), but
/// with the commands they substitute (`"$(date)"`).
fn unquoted(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(' ');
            }
            (None, c) => out.push(c),
            (Some(q), c) if c == q && depth == 0 => quote = None,
            (Some('"'), '$') if chars.peek() == Some(&'(') => {
                depth += 1;
                out.push(' ');
                out.push(chars.next().unwrap_or('('));
            }
            (Some('"'), ')') if depth > 0 => {
                depth -= 1;
                out.push(')');
            }
            (Some(_), c) if depth > 0 => out.push(c),
            (Some(_), _) => {}
        }
    }
    out
}

/// Programs named in the source `text` of `file`: the command words of its
/// literals that are in `programs` (the names of installed executables).
#[must_use]
pub fn programs_in(file: &str, text: &str, lang: Source, programs: &BTreeSet<String>) -> Vec<Use> {
    let mut found = Vec::new();
    for lit in literals(text, lang).into_iter().filter(|l| l.is_command(lang)) {
        let words = if lang == Source::Shell {
            command_words(&unquoted(&lit.text))
        } else {
            command_words(&lit.text)
        };
        // A string in code is a command when every command word of it is a
        // program or a word of the shell (not SQL, not a sentence with a
        // semicolon); each line of a script is one anyway.
        let all_programs = words
            .iter()
            .all(|w| programs.contains(w) || SHELL_WORDS.contains(&w.as_str()));
        if lang != Source::Shell && (words.is_empty() || !all_programs) {
            continue;
        }
        for w in words {
            if programs.contains(&w) {
                found.push(Use {
                    program: w,
                    at: format!("{file}:{}", lit.line),
                });
            }
        }
    }
    found
}

/// Something the table or `install-deps.sh` lacks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// A library on the link line has no `lib` row.
    UnknownLib(String),
    /// A program is started somewhere and has no `tool` row.
    UnknownTool(Use),
    /// The table names a package `install-deps.sh` does not install.
    NotInstalled {
        /// The row that needs it.
        row: String,
        /// The package.
        package: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownLib(l) => write!(
                f,
                "the build links -l{l}, and scripts/debian-packages.txt names no package for it (add `lib {l} PACKAGE`)"
            ),
            Problem::UnknownTool(u) => write!(
                f,
                "{} runs `{}`, and scripts/debian-packages.txt names no package for it (add `tool {} PACKAGE`)",
                u.at, u.program, u.program
            ),
            Problem::NotInstalled { row, package } => {
                write!(
                    f,
                    "{row} needs the package {package}, which scripts/install-deps.sh does not install"
                )
            }
        }
    }
}

/// Compares what is needed with the table and with what `install-deps.sh`
/// installs (`installs`: its `--list`). `own` programs (the workspace's
/// binaries) need no package.
#[must_use]
pub fn check(
    table: &Table,
    installs: &BTreeSet<String>,
    libs: &BTreeSet<String>,
    uses: &[Use],
    own: &BTreeSet<String>,
) -> Vec<Problem> {
    let mut problems = BTreeSet::new();
    for lib in libs {
        match table.package_of(Kind::Lib, lib) {
            None => {
                problems.insert(Problem::UnknownLib(lib.clone()));
            }
            Some(p) if !installs.contains(p) => {
                problems.insert(Problem::NotInstalled {
                    row: format!("-l{lib}"),
                    package: p.to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    let mut first_use: BTreeMap<&str, &Use> = BTreeMap::new();
    for u in uses {
        if !own.contains(&u.program) {
            first_use.entry(u.program.as_str()).or_insert(u);
        }
    }
    for (program, u) in first_use {
        match table.package_of(Kind::Tool, program) {
            None => {
                problems.insert(Problem::UnknownTool((*u).clone()));
            }
            Some(p) if !installs.contains(p) => {
                problems.insert(Problem::NotInstalled {
                    row: format!("`{program}` ({})", u.at),
                    package: p.to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    for row in table.rows.iter().filter(|r| r.kind == Kind::Package) {
        if !installs.contains(&row.package) {
            problems.insert(Problem::NotInstalled {
                row: "the table".into(),
                package: row.package.clone(),
            });
        }
    }
    problems.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            Table::parse("lib pam\n").expect_err("short"),
            "line 1: expected `KIND NAME PACKAGE`, got `lib pam`"
        );
        assert!(
            Table::parse("\n\nbin x y\n")
                .expect_err("kind")
                .starts_with("line 3: unknown kind `bin`")
        );
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
}
