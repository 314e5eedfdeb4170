//! The words of a command text that name programs, the way the shell
//! reads it.

/// Where Debian puts programs; a path into one of them names a program.
pub(super) const BIN_DIRS: [&str; 5] = ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/"];

/// The shell's own commands and keywords, which need no package.
pub(super) const SHELL_WORDS: [&str; 24] = [
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
pub(super) fn unquoted(line: &str) -> String {
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
