//! The desktop's environment: PAM's variables, the session's own (which
//! PAM modules cannot override), and the user's language.

use super::protocol::WorkerSpec;
use crate::users::Account;
use std::path::PathBuf;

/// What the desktop's environment needs from the session's start.
pub(super) struct Desktop {
    /// The display number.
    pub display: u32,
    /// PAM's environment.
    pub pam_env: Vec<(String, String)>,
    /// `XDG_RUNTIME_DIR`.
    pub runtime_dir: PathBuf,
    /// The user's X authority file.
    pub user_xauth: PathBuf,
}

/// The desktop's environment: PAM's variables but the session's own, the
/// language the user chose (or the system's), and UTF-8 at least.
pub(super) fn desktop_env(spec: &WorkerSpec, account: &Account, d: &Desktop) -> Vec<(String, String)> {
    let chosen = spec.locale.as_deref();
    let mut env: Vec<(String, String)> = d
        .pam_env
        .iter()
        .filter(|(k, _)| !OWN_VARS.contains(&k.as_str()))
        // The user's own locale replaces the system's message language.
        .filter(|(k, _)| chosen.is_none() || !LOCALE_VARS.contains(&k.as_str()))
        .cloned()
        .collect();
    if let Some(l) = chosen {
        env.push(("LANG".into(), l.into()));
        if let Some(list) = crate::locale::language_list(l) {
            env.push(("LANGUAGE".into(), list));
        }
    }
    let text = |p: &std::path::Path| p.to_string_lossy().into_owned();
    env.extend([
        ("HOME".into(), text(&account.home)),
        ("USER".into(), spec.user.clone()),
        ("LOGNAME".into(), spec.user.clone()),
        ("SHELL".into(), text(&account.shell)),
        ("PATH".into(), spec.path_env.clone()),
        ("DISPLAY".into(), format!(":{}", d.display)),
        ("XAUTHORITY".into(), text(&d.user_xauth)),
        ("XDG_RUNTIME_DIR".into(), text(&d.runtime_dir)),
        ("XDG_SESSION_TYPE".into(), "x11".into()),
    ]);
    if !env.iter().any(|(k, _)| k == "LANG") {
        // Without a system locale, still speak UTF-8 (names like Chloé).
        env.push(("LANG".into(), "C.UTF-8".into()));
    }
    env
}

/// Variables the session sets itself, whatever PAM modules say.
/// What decides the language of messages, replaced when the user has a
/// locale of their own (the other `LC_*` of the system stay).
pub(super) const LOCALE_VARS: [&str; 4] = ["LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"];

pub(super) const OWN_VARS: [&str; 9] = [
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "PATH",
    "DISPLAY",
    "XAUTHORITY",
    "XDG_RUNTIME_DIR",
    "XDG_SESSION_TYPE",
];

/// The locale programs write their messages in, as the C library picks it:
/// the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`.
pub(super) fn messages_locale<K: AsRef<str>, V: AsRef<str>>(env: &[(K, V)]) -> Option<&str> {
    ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|name| {
        env.iter()
            .find(|(k, v)| k.as_ref() == *name && !v.as_ref().is_empty())
            .map(|(_, v)| v.as_ref())
    })
}

#[cfg(test)]
mod tests {
    use super::messages_locale;

    #[test]
    fn the_messages_locale_is_picked_as_the_c_library_does() {
        assert_eq!(messages_locale(&[("LANG", "fr_FR.UTF-8")]), Some("fr_FR.UTF-8"));
        assert_eq!(
            messages_locale(&[("LANG", "fr_FR.UTF-8"), ("LC_MESSAGES", "en_GB.UTF-8")]),
            Some("en_GB.UTF-8")
        );
        assert_eq!(
            messages_locale(&[("LC_MESSAGES", "en_GB.UTF-8"), ("LC_ALL", ""), ("LANG", "de_DE")]),
            Some("en_GB.UTF-8")
        );
        assert_eq!(
            messages_locale(&[("LC_ALL", "fr_CA.UTF-8"), ("LANG", "C")]),
            Some("fr_CA.UTF-8")
        );
        assert_eq!(messages_locale::<&str, &str>(&[]), None);
    }
}
