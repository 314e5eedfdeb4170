//! The language Podium writes in on a desktop.

/// The language a notice is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// From a locale such as `fr_FR.UTF-8`; English unless it is French.
    #[must_use]
    pub fn from_locale(locale: &str) -> Lang {
        if locale.starts_with("fr") { Lang::Fr } else { Lang::En }
    }

    /// The language of messages in a session's environment, found as the C
    /// library finds it: `LC_ALL`, else `LC_MESSAGES`, else `LANG` (the
    /// first that is set and not empty).
    #[must_use]
    pub fn from_env(env: &[(String, String)]) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|key| env.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v))
            .map_or(Lang::En, |v| Lang::from_locale(v))
    }
}
