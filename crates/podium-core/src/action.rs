//! The things a person can do to a session (SPEC §4).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An action on an existing session. Starting a session is not one: it has
/// no target session yet and is decided by [`crate::permission::may_start`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// End the session: warn, ask applications to close, then kill what is left.
    Logoff,
    /// Drop every station connection; the session keeps running.
    Disconnect,
    /// Cover the screen with a notice and ignore station input.
    Block,
    /// Undo [`Action::Block`].
    Unblock,
    /// Show a text until the user dismisses it.
    Message,
    /// The user locks their own station.
    Lock,
    /// Watch the desktop live, read-only (the dashboard's View).
    View,
    /// Drive the desktop with one's own keyboard and mouse (Take control).
    Control,
    /// Show one's own desktop full-screen on the session's station and
    /// desktop, with the session's input off (Project my desktop).
    Project,
    /// Open a website or an administrator-listed program on the desktop.
    Open,
}

impl Action {
    /// Every action, for table tests and documentation.
    pub const ALL: [Action; 10] = [
        Action::Logoff,
        Action::Disconnect,
        Action::Block,
        Action::Unblock,
        Action::Message,
        Action::Lock,
        Action::View,
        Action::Control,
        Action::Project,
        Action::Open,
    ];

    /// The word used in JSON, audit records and logs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Logoff => "logoff",
            Action::Disconnect => "disconnect",
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::Message => "message",
            Action::Lock => "lock",
            Action::View => "view",
            Action::Control => "control",
            Action::Project => "project",
            Action::Open => "open",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
