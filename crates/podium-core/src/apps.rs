//! What a log off did to each application of a session (SPEC §4 step 5):
//! which closed by themselves, which kept their work for the next session,
//! which had to be stopped or killed, and which held unsaved work. None of
//! a teacher's other tools can say "Mousepad was forced with unsaved
//! notes"; this is what lets Podium say it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How one application ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppFate {
    /// It kept its work for the next session and quit (LibreOffice's
    /// session save).
    Kept,
    /// It quit when asked: by the desktop's own log out, or when its
    /// windows were asked to close.
    Closed,
    /// It quit on SIGTERM.
    Stopped,
    /// It was still running at the terminate timeout and was killed.
    Forced,
}

impl AppFate {
    /// The word used in JSON, the audit log and the CLI.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AppFate::Kept => "kept",
            AppFate::Closed => "closed",
            AppFate::Stopped => "stopped",
            AppFate::Forced => "forced",
        }
    }
}

impl fmt::Display for AppFate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One application of a session that was logged off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppOutcome {
    /// The application as a teacher knows it ("LibreOffice Writer").
    pub name: String,
    /// Its documents' or windows' titles when the log off began
    /// ("Untitled 2", "*Untitled 1 - Mousepad").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<String>,
    /// How it ended.
    pub fate: AppFate,
    /// Whether it was known to hold work that was not saved: a title
    /// marked with `*`, a save dialog still open at the terminate
    /// timeout, or the application's own answer. With `kept`, that work is
    /// back at the next session.
    pub unsaved: bool,
}

impl fmt::Display for AppOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        let mut notes: Vec<String> = self.titles.iter().map(|t| format!("{t:?}")).collect();
        if self.unsaved {
            notes.push(if self.fate == AppFate::Kept {
                "unsaved, kept".into()
            } else {
                "unsaved".into()
            });
        }
        if !notes.is_empty() {
            write!(f, " ({})", notes.join(", "))?;
        }
        Ok(())
    }
}

/// The applications in a line, grouped by fate, the worst first:
/// `forced: LibreOffice Writer ("Untitled 2", unsaved), Mousepad; closed: Firefox`.
#[must_use]
pub fn summary(apps: &[AppOutcome]) -> String {
    let mut parts = Vec::new();
    for fate in [AppFate::Forced, AppFate::Stopped, AppFate::Closed, AppFate::Kept] {
        let names: Vec<String> = apps
            .iter()
            .filter(|a| a.fate == fate)
            .map(ToString::to_string)
            .collect();
        if !names.is_empty() {
            parts.push(format!("{fate}: {}", names.join(", ")));
        }
    }
    parts.join("; ")
}

/// Known applications' window classes and their names; anything else is
/// named by its class.
const NAMES: &[(&str, &str)] = &[
    ("libreoffice-writer", "LibreOffice Writer"),
    ("libreoffice-calc", "LibreOffice Calc"),
    ("libreoffice-impress", "LibreOffice Impress"),
    ("libreoffice-draw", "LibreOffice Draw"),
    ("libreoffice-math", "LibreOffice Math"),
    ("libreoffice-startcenter", "LibreOffice"),
    ("soffice", "LibreOffice"),
    ("firefox-esr", "Firefox"),
    ("firefox", "Firefox"),
    ("mousepad", "Mousepad"),
    ("xfce4-terminal", "Terminal"),
    ("thunar", "Files"),
];

/// The name a teacher knows an application by, from its window class.
#[must_use]
pub fn display_name(class: &str) -> String {
    let lower = class.to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(c, _)| *c == lower)
        .map_or_else(|| class.to_owned(), |(_, name)| (*name).to_owned())
}

/// Whether a window title marks unsaved changes, as GTK and Qt editors
/// do: a leading `*` ("*Untitled 1 - Mousepad") or a trailing one.
#[must_use]
pub fn title_says_unsaved(title: &str) -> bool {
    let t = title.trim();
    t.starts_with('*') || t.split(" - ").next().is_some_and(|doc| doc.ends_with('*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(name: &str, titles: &[&str], fate: AppFate, unsaved: bool) -> AppOutcome {
        AppOutcome {
            name: name.into(),
            titles: titles.iter().map(|t| (*t).to_owned()).collect(),
            fate,
            unsaved,
        }
    }

    #[test]
    fn says_which_applications_were_forced_and_what_they_held() {
        let apps = [
            app("Firefox", &[], AppFate::Closed, false),
            app("LibreOffice Writer", &["Untitled 2"], AppFate::Forced, true),
            app("Mousepad", &[], AppFate::Forced, false),
        ];
        assert_eq!(
            summary(&apps),
            "forced: LibreOffice Writer (\"Untitled 2\", unsaved), Mousepad; closed: Firefox"
        );
        assert_eq!(
            summary(&[app("LibreOffice Writer", &["Untitled 1"], AppFate::Kept, true)]),
            "kept: LibreOffice Writer (\"Untitled 1\", unsaved, kept)"
        );
        assert_eq!(summary(&[]), "");
    }

    #[test]
    fn names_applications_as_a_teacher_knows_them() {
        assert_eq!(display_name("libreoffice-writer"), "LibreOffice Writer");
        assert_eq!(display_name("Mousepad"), "Mousepad");
        assert_eq!(display_name("firefox-esr"), "Firefox");
        assert_eq!(display_name("XClock"), "XClock");
    }

    #[test]
    fn reads_the_unsaved_mark_of_a_title() {
        assert!(title_says_unsaved("*Untitled 1 - Mousepad"));
        assert!(title_says_unsaved("notes.txt* - Kate"));
        assert!(!title_says_unsaved("Untitled 1 - LibreOffice Writer"));
        assert!(!title_says_unsaved("a * b - Calculator"));
    }

    #[test]
    fn fates_are_the_documented_words() {
        let json = serde_json::to_string(&[AppFate::Kept, AppFate::Closed, AppFate::Stopped, AppFate::Forced]);
        assert_eq!(json.ok().as_deref(), Some(r#"["kept","closed","stopped","forced"]"#));
    }
}
