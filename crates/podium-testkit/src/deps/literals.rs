//! The string literals of Rust and JavaScript sources, with the code
//! around each, and the lines of shell scripts.

use super::words::BIN_DIRS;

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

/// A string literal: its line, its text, and the code just before and after it.
#[derive(Debug)]
pub(super) struct Literal {
    pub(super) line: usize,
    pub(super) text: String,
    before: String,
    after: String,
}

impl Literal {
    /// Whether the literal reads as a command rather than as words: shell
    /// syntax, a program with options, a path, or a lone word handed to a
    /// call as its first argument or followed by an argument list
    /// (`Command::new("x")`, `run("x", &[…])`, `Some("x")`) or by an option
    /// (`["python3", "-c", …]`).
    pub(super) fn is_command(&self, lang: Source) -> bool {
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
pub(super) fn literals(text: &str, lang: Source) -> Vec<Literal> {
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
    let mut scan = Scanner {
        chars: text.chars().collect(),
        lang,
        i: 0,
        line: 1,
        out: Vec::new(),
    };
    scan.run();
    scan.out
}

/// A pass over Rust or JavaScript source that skips comments, character
/// literals and lifetimes, and collects string literals.
struct Scanner {
    chars: Vec<char>,
    lang: Source,
    /// The character looked at.
    i: usize,
    /// Its line.
    line: usize,
    out: Vec<Literal>,
}

impl Scanner {
    fn at(&self, i: usize) -> char {
        self.chars.get(i).copied().unwrap_or('\0')
    }

    /// The code between `from` and `to`, its blanks squeezed.
    fn context(&self, from: usize, to: usize) -> String {
        let chars = &self.chars;
        chars
            .get(from.min(chars.len())..to.min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn run(&mut self) {
        while self.i < self.chars.len() {
            let c = self.chars[self.i];
            match c {
                '\n' => self.line += 1,
                '/' if self.at(self.i + 1) == '/' => {
                    self.skip_line_comment();
                    continue;
                }
                '/' if self.at(self.i + 1) == '*' => {
                    self.skip_block_comment();
                    continue;
                }
                'r' if self.lang == Source::Rust
                    && (self.at(self.i + 1) == '"' || self.at(self.i + 1) == '#')
                    && !self.at(self.i.wrapping_sub(1)).is_alphanumeric()
                    && self.at(self.i.wrapping_sub(1)) != '_' =>
                {
                    // Not a raw string after all: the `r` of a name.
                    if !self.raw_string() {
                        self.i += 1;
                    }
                    continue;
                }
                '\'' if self.lang == Source::Rust => self.skip_char_or_lifetime(),
                '"' | '\'' | '`' => self.quoted(c),
                _ => {}
            }
            self.i += 1;
        }
    }

    fn skip_line_comment(&mut self) {
        while self.i < self.chars.len() && self.chars[self.i] != '\n' {
            self.i += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        self.i += 2;
        while self.i < self.chars.len() && !(self.chars[self.i] == '*' && self.at(self.i + 1) == '/') {
            if self.chars[self.i] == '\n' {
                self.line += 1;
            }
            self.i += 1;
        }
        self.i += 2;
    }

    /// A raw string (`r"…"`, `r#"…"#`) starting at the `r`: collected, and
    /// `true` once passed; `false` when the `r` starts no raw string.
    fn raw_string(&mut self) -> bool {
        let i = self.i;
        let mut j = i + 1;
        let mut hashes = 0;
        while self.at(j) == '#' {
            hashes += 1;
            j += 1;
        }
        if self.at(j) != '"' {
            return false;
        }
        let start_line = self.line;
        let mut s = String::new();
        j += 1;
        while j < self.chars.len() {
            if self.chars[j] == '"' && (1..=hashes).all(|k| self.at(j + k) == '#') {
                break;
            }
            if self.chars[j] == '\n' {
                self.line += 1;
            }
            s.push(self.chars[j]);
            j += 1;
        }
        self.out.push(Literal {
            line: start_line,
            text: s,
            before: self.context(i.saturating_sub(16), i),
            after: self.context(j + 1 + hashes, j + 9 + hashes),
        });
        self.i = j + 1 + hashes;
        true
    }

    /// A char literal (`'x'`, `'\n'`) or a lifetime (`'a`): skipped.
    fn skip_char_or_lifetime(&mut self) {
        if self.at(self.i + 1) == '\\' {
            self.i += 2;
            while self.i < self.chars.len() && self.chars[self.i] != '\'' {
                self.i += 1;
            }
        } else if self.at(self.i + 2) == '\'' {
            self.i += 2;
        }
    }

    /// A string between `quote`s, escapes read, collected; ends on its
    /// closing quote.
    fn quoted(&mut self, quote: char) {
        let (start_line, open) = (self.line, self.i);
        let mut s = String::new();
        self.i += 1;
        while self.i < self.chars.len() && self.chars[self.i] != quote {
            if self.chars[self.i] == '\\' {
                self.i += 1;
                match self.at(self.i) {
                    'n' => s.push('\n'),
                    '\n' => self.line += 1,
                    other => s.push(other),
                }
            } else {
                if self.chars[self.i] == '\n' {
                    self.line += 1;
                }
                s.push(self.chars[self.i]);
            }
            self.i += 1;
        }
        self.out.push(Literal {
            line: start_line,
            text: s,
            before: self.context(open.saturating_sub(16), open),
            after: self.context(self.i + 1, self.i + 9),
        });
    }
}
