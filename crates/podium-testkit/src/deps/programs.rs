//! The programs a source file starts: the command words of its string
//! literals (each line of a shell script) that name installed programs.

use super::literals::{Source, literals};
use super::words::{SHELL_WORDS, command_words, unquoted};
use std::collections::BTreeSet;

/// A program named in a source, with where.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Use {
    /// The program's name (the last part of a path).
    pub program: String,
    /// `file:line`.
    pub at: String,
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
