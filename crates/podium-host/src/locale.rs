//! The language a new session speaks: whose choice wins, and which of the
//! host's locales carries it.
//!
//! One host may have a French pupil beside an English one, so the locale
//! is the user's, not only the system's. The sources, first that has one
//! wins:
//!
//! 1. the locale asked for with the start itself (`podium session start
//!    --locale`, or the language picked on the login page for a new
//!    session, which Podium also remembers for the user);
//! 2. the language the user last picked on the login page (the registry);
//! 3. the user's `Language=` in AccountsService
//!    (`/var/lib/AccountsService/users/NAME`), which desktop settings and
//!    display managers such as LightDM and GDM write;
//! 4. the PAM environment: `/etc/default/locale` through `pam_env`,
//!    `/etc/environment`, and `~/.pam_environment` where the administrator
//!    allows it (`user_readenv=1`);
//! 5. `C.UTF-8`.
//!
//! Sources 1–3 are resolved here, in the daemon; the worker applies the
//! result over the PAM environment (4), and falls back to 5.

use podium_core::Language;
use podium_core::request::is_locale_name;
use std::path::Path;

/// Where AccountsService keeps each user's settings.
pub const ACCOUNTS_SERVICE_DIR: &str = "/var/lib/AccountsService/users";

/// Which source gave a session its locale, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Asked for with the start.
    Asked,
    /// Remembered from the login page.
    Remembered,
    /// AccountsService.
    AccountsService,
}

impl Source {
    /// In words, for the log.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Asked => "asked for with the start",
            Source::Remembered => "picked on the login page",
            Source::AccountsService => "AccountsService",
        }
    }
}

/// The first locale of sources 1 to 3 (none: the PAM environment decides).
#[must_use]
pub fn choose(
    asked: Option<&str>,
    remembered: Option<&str>,
    accounts_service: Option<&str>,
) -> Option<(String, Source)> {
    [
        (asked, Source::Asked),
        (remembered, Source::Remembered),
        (accounts_service, Source::AccountsService),
    ]
    .into_iter()
    .find_map(|(l, s)| l.filter(|l| is_locale_name(l)).map(|l| (l.to_owned(), s)))
}

/// The user's `Language=` in AccountsService, if set to a locale name.
#[must_use]
pub fn accounts_service_language(dir: &Path, user: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(user)).ok()?;
    let mut in_user = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_user = line == "[User]";
        } else if in_user && let Some(v) = line.strip_prefix("Language=") {
            // A list such as "fr_FR.UTF-8:en_GB" (GNOME): the first one.
            let first = v.split(':').next().unwrap_or("").trim();
            return is_locale_name(first).then(|| first.to_owned());
        }
    }
    None
}

/// The host's locales, as `locale -a` lists them (`fr_FR.utf8`, `C.utf8` …).
#[must_use]
pub fn installed() -> Vec<String> {
    match std::process::Command::new("locale").arg("-a").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| is_locale_name(l))
            .map(str::to_owned)
            .collect(),
        Ok(_) | Err(_) => Vec::new(),
    }
}

fn is_utf8(locale: &str) -> bool {
    let l = locale.to_ascii_lowercase();
    l.ends_with(".utf8") || l.ends_with(".utf-8")
}

/// The `.UTF-8` spelling of a locale `locale -a` lists as `.utf8`.
fn spelled(locale: &str) -> String {
    match locale.rsplit_once('.') {
        Some((base, enc)) if enc.eq_ignore_ascii_case("utf8") || enc.eq_ignore_ascii_case("utf-8") => {
            format!("{base}.UTF-8")
        }
        _ => locale.to_owned(),
    }
}

/// The locale that carries `language` on a host with the `installed`
/// locales: the language's own country first (`fr_FR`, `en_US`), then any
/// country's, in UTF-8; and whether the host has it. English falls back to
/// `C.UTF-8` (English messages, UTF-8 text); another language to its
/// usual name, which programs will not find until `locale-gen` makes it
/// (Podium's own notices still follow it).
#[must_use]
pub fn for_language(language: Language, installed: &[String]) -> (String, bool) {
    let code = language.code();
    let home = match language {
        Language::En => "en_US",
        Language::Fr => "fr_FR",
    };
    let utf8: Vec<&String> = installed.iter().filter(|l| is_utf8(l)).collect();
    let pick = utf8.iter().find(|l| l.split('.').next() == Some(home)).or_else(|| {
        utf8.iter()
            .find(|l| l.split(['_', '.']).next() == Some(code) && l.contains('_'))
    });
    match (pick, language) {
        (Some(l), _) => (spelled(l), true),
        (None, Language::En) => ("C.UTF-8".into(), true),
        (None, Language::Fr) => (format!("{home}.UTF-8"), false),
    }
}

/// `LANGUAGE` for a locale (`fr_FR.UTF-8` → `fr_FR:fr`), so gettext's own
/// list, which wins over `LANG`, does not keep another language; none for
/// `C` locales.
#[must_use]
pub fn language_list(locale: &str) -> Option<String> {
    let base = locale.split(['.', '@']).next().unwrap_or("");
    if base.is_empty() || base == "C" || base == "POSIX" {
        return None;
    }
    let lang = base.split('_').next().unwrap_or(base);
    Some(if lang == base {
        lang.to_owned()
    } else {
        format!("{base}:{lang}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_first_source_with_a_locale_wins() {
        assert_eq!(
            choose(Some("fr_FR.UTF-8"), Some("en_GB.UTF-8"), None),
            Some(("fr_FR.UTF-8".into(), Source::Asked))
        );
        assert_eq!(
            choose(None, Some("en_GB.UTF-8"), Some("fr_FR.UTF-8")),
            Some(("en_GB.UTF-8".into(), Source::Remembered))
        );
        assert_eq!(
            choose(None, None, Some("fr_FR.UTF-8")),
            Some(("fr_FR.UTF-8".into(), Source::AccountsService))
        );
        assert_eq!(
            choose(Some("x y"), None, None),
            None,
            "never a name that is not a locale"
        );
        assert_eq!(choose(None, None, None), None);
    }

    #[test]
    fn a_language_becomes_an_installed_locale() {
        let host = list(&[
            "C",
            "C.utf8",
            "POSIX",
            "en_GB.utf8",
            "fr_BE.utf8",
            "fr_FR",
            "fr_FR.utf8",
        ]);
        assert_eq!(for_language(Language::Fr, &host), ("fr_FR.UTF-8".into(), true));
        assert_eq!(for_language(Language::En, &host), ("en_GB.UTF-8".into(), true));
        let belgian = list(&["C.utf8", "fr_BE.utf8"]);
        assert_eq!(for_language(Language::Fr, &belgian), ("fr_BE.UTF-8".into(), true));
        let bare = list(&["C", "C.utf8", "POSIX"]);
        assert_eq!(for_language(Language::En, &bare), ("C.UTF-8".into(), true));
        assert_eq!(for_language(Language::Fr, &bare), ("fr_FR.UTF-8".into(), false));
    }

    #[test]
    fn language_lists_follow_the_locale() {
        assert_eq!(language_list("fr_FR.UTF-8").as_deref(), Some("fr_FR:fr"));
        assert_eq!(language_list("de_CH@euro").as_deref(), Some("de_CH:de"));
        assert_eq!(language_list("C.UTF-8"), None);
    }

    #[test]
    fn accounts_service_gives_its_language() {
        let dir = std::env::temp_dir().join(format!("podium-as-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            dir.join("marie"),
            "[InputSource0]\nLanguage=de_DE.UTF-8\n[User]\nSession=xfce\nLanguage=fr_FR.UTF-8:en_GB\n",
        )
        .expect("write");
        std::fs::write(dir.join("eve"), "[User]\nLanguage=$(reboot)\n").expect("write");
        assert_eq!(accounts_service_language(&dir, "marie").as_deref(), Some("fr_FR.UTF-8"));
        assert_eq!(accounts_service_language(&dir, "eve"), None);
        assert_eq!(accounts_service_language(&dir, "nobody"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
