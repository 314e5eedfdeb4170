//! The libraries of a link line.

use std::collections::BTreeSet;

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
