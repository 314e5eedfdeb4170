//! `[open]`: what Open… may start on a desktop — the program that opens a
//! website in the user's default browser, and the administrator's list of
//! programs. Commands are argv lists, never run through a shell.

use crate::core_error::CoreError;
use crate::open::{ProgramInfo, ProgramList, is_program_name};
use serde::{Deserialize, Serialize};

/// `[open]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenConfig {
    /// Opens a website in the user's default browser: the URL is added as
    /// one more argument.
    pub url_command: Vec<String>,
    /// The programs a teacher may open (`[[open.programs]]`), none by default.
    pub programs: Vec<ProgramConfig>,
}

impl Default for OpenConfig {
    fn default() -> Self {
        OpenConfig {
            url_command: vec!["xdg-open".to_owned()],
            programs: Vec::new(),
        }
    }
}

/// One `[[open.programs]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramConfig {
    /// The word the API and the CLI use (`calculator`).
    pub name: String,
    /// What the dashboard shows (`Calculator`).
    pub label: String,
    /// What the dashboard shows in French; the label when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_fr: Option<String>,
    /// The program and its arguments, started as the user in their session.
    pub command: Vec<String>,
}

/// The longest label shown on the dashboard, in characters.
const MAX_LABEL: usize = 100;

impl OpenConfig {
    /// The program listed as `name`.
    #[must_use]
    pub fn program(&self, name: &str) -> Option<&ProgramConfig> {
        self.programs.iter().find(|p| p.name == name)
    }

    /// The list the dashboard shows.
    #[must_use]
    pub fn list(&self) -> ProgramList {
        ProgramList {
            programs: self
                .programs
                .iter()
                .map(|p| ProgramInfo {
                    name: p.name.clone(),
                    label: p.label.clone(),
                    label_fr: p.label_fr.clone(),
                })
                .collect(),
        }
    }

    /// Checks what serde cannot, naming the key and its line in `text`.
    pub(super) fn check(&self, text: &str, file: &str) -> Result<(), CoreError> {
        let error = |line: usize, key: String, message: String| CoreError::Config {
            file: file.to_owned(),
            line,
            key,
            message,
        };
        if self.url_command.first().is_none_or(|c| c.trim().is_empty()) {
            return Err(error(
                open_line(text, "url_command"),
                "open.url_command".into(),
                "must name a program, e.g. [\"xdg-open\"]".into(),
            ));
        }
        for (i, p) in self.programs.iter().enumerate() {
            let fail = |key: &str, message: String| {
                error(program_line(text, i, key), format!("open.programs[{i}].{key}"), message)
            };
            if !is_program_name(&p.name) {
                return Err(fail(
                    "name",
                    format!(
                        "{:?} must be 1 to 32 lower-case letters, digits, '-' or '_', starting with a letter or digit",
                        p.name
                    ),
                ));
            }
            if self.programs[..i].iter().any(|q| q.name == p.name) {
                return Err(fail("name", format!("{:?} is listed twice", p.name)));
            }
            for (key, label) in [("label", Some(&p.label)), ("label_fr", p.label_fr.as_ref())] {
                if let Some(l) = label
                    && (l.trim().is_empty() || l.chars().count() > MAX_LABEL || l.chars().any(char::is_control))
                {
                    return Err(fail(key, format!("must be 1 to {MAX_LABEL} characters on one line")));
                }
            }
            if p.command.first().is_none_or(|c| c.trim().is_empty()) {
                return Err(fail("command", "must name a program, e.g. [\"galculator\"]".into()));
            }
            if p.command.iter().any(|a| a.contains('\0')) {
                return Err(fail("command", "holds a NUL character".into()));
            }
        }
        Ok(())
    }
}

/// The line of `key` in the `[open]` table of `text` (1 when not written).
fn open_line(text: &str, key: &str) -> usize {
    let mut inside = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == "[open]";
        } else if inside && t.split('=').next().map(str::trim) == Some(key) {
            return n + 1;
        }
    }
    1
}

/// The line of `key` in the `index`th `[[open.programs]]` table of `text`
/// (the table's own line when the key is not written; 1 when not found).
fn program_line(text: &str, index: usize, key: &str) -> usize {
    let mut seen = 0;
    let mut table_line = None;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            if table_line.is_some() {
                break;
            }
            if t.trim_start_matches('[').trim_end_matches(']').trim() == "open.programs" && t.starts_with("[[") {
                if seen == index {
                    table_line = Some(n + 1);
                }
                seen += 1;
            }
        } else if table_line.is_some() && t.split('=').next().map(str::trim) == Some(key) {
            return n + 1;
        }
    }
    table_line.unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use crate::Config;
    use crate::core_error::CoreError;

    fn mistake(text: &str) -> (usize, String, String) {
        match Config::parse(text, "p.toml") {
            Err(CoreError::Config { line, key, message, .. }) => (line, key, message),
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn programs_are_read_with_their_labels_and_argv() {
        let c = Config::parse(
            "[open]\nurl_command = [\"firefox-esr\", \"--new-tab\"]\n\n[[open.programs]]\nname = \"calculator\"\nlabel = \"Calculator\"\nlabel_fr = \"Calculatrice\"\ncommand = [\"galculator\"]\n\n[[open.programs]]\nname = \"write\"\nlabel = \"Writer\"\ncommand = [\"libreoffice\", \"--writer\"]\n",
            "p.toml",
        )
        .expect("valid");
        assert_eq!(c.open.url_command, ["firefox-esr", "--new-tab"]);
        assert_eq!(
            c.open.program("write").map(|p| p.command.clone()),
            Some(vec!["libreoffice".into(), "--writer".into()])
        );
        let list = c.open.list();
        assert_eq!(list.programs.len(), 2);
        assert_eq!(list.programs[0].label_fr.as_deref(), Some("Calculatrice"));
        assert_eq!(list.programs[1].label_fr, None);
        assert_eq!(Config::default().open.url_command, ["xdg-open"]);
    }

    #[test]
    fn mistakes_name_the_program_key_and_line() {
        let two = "[[open.programs]]\nname = \"calc\"\nlabel = \"C\"\ncommand = [\"galculator\"]\n\n[[open.programs]]\nname = \"Calc 2\"\nlabel = \"C\"\ncommand = [\"x\"]\n";
        assert_eq!(mistake(two).0, 7);
        assert_eq!(mistake(two).1, "open.programs[1].name");
        let twice = two.replace("Calc 2", "calc");
        assert!(mistake(&twice).2.contains("twice"));
        let empty = "[[open.programs]]\nname = \"calc\"\nlabel = \"C\"\ncommand = []\n";
        assert_eq!(
            (mistake(empty).0, mistake(empty).1.as_str()),
            (4, "open.programs[0].command")
        );
        let label = "[[open.programs]]\nname = \"calc\"\nlabel = \" \"\ncommand = [\"x\"]\n";
        assert_eq!(mistake(label).1, "open.programs[0].label");
        let missing = "[[open.programs]]\nname = \"calc\"\ncommand = [\"x\"]\n";
        assert!(mistake(missing).2.contains("label"), "{:?}", mistake(missing));
        let unknown = "[[open.programs]]\nname = \"calc\"\nlabel = \"C\"\ncommand = [\"x\"]\nshell = true\n";
        assert_eq!(mistake(unknown).0, 5);
        let opener = "[open]\nurl_command = []\n";
        assert_eq!((mistake(opener).0, mistake(opener).1.as_str()), (2, "open.url_command"));
        let string = "[open]\nurl_command = \"xdg-open\"\n";
        assert_eq!(mistake(string).1, "open.url_command");
    }
}
