//! The one error type of the domain crate.

use crate::limits::MAX_GRACE_SECONDS;

/// What the domain crate refuses: a request body that makes no sense even
/// though it parsed, or a config file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    /// Neither ids nor `all`, or both.
    #[error("give either a non-empty \"sessions\" list or \"all\": true, not both (\"school\" goes with \"all\")")]
    Targets,
    /// A session of another host reached a host's own actions (the API
    /// sends those to their host first).
    #[error("session {0} is on another host")]
    OtherHost(String),
    /// Grace period out of range.
    #[error("\"grace_seconds\" must be between 0 and {MAX_GRACE_SECONDS}, not {0}")]
    Grace(u32),
    /// A text field that is empty or too long.
    #[error("\"{field}\" must be 1 to {max} characters")]
    Text {
        /// The field's name.
        field: &'static str,
        /// Its longest allowed length.
        max: usize,
    },
    /// A user name that cannot be a login name.
    #[error("\"user\" is not a valid login name: {0:?}")]
    User(String),
    /// A locale name that cannot be one (`fr_FR.UTF-8`, `C.UTF-8`, `de_CH@euro`).
    #[error("\"locale\" is not a locale name such as fr_FR.UTF-8: {0:?}")]
    Locale(String),
    /// Open…: neither or both of `url` and `program`.
    #[error("give exactly one of \"url\" (a website) and \"program\" (a program the administrator listed)")]
    OpenWhat,
    /// Open…: a URL that is not a plain http or https address.
    #[error("\"url\" cannot be opened: {0}")]
    Url(String),
    /// Open…: a program name of the wrong shape.
    #[error("\"program\" is not a program name (lower-case letters, digits, '-' and '_'): {0:?}")]
    ProgramName(String),
    /// A config file that could not be used: where, which key, and what is wrong.
    #[error("{file}:{line}: {key}: {message}")]
    Config {
        /// The file's path as given.
        file: String,
        /// 1-based line of the mistake (1 when the parser could not tell).
        line: usize,
        /// Dotted key, e.g. `session.grace_seconds` (`-` when not about one key).
        key: String,
        /// What is wrong.
        message: String,
    },
}
