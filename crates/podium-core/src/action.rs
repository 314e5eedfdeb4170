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
}

impl Action {
    /// Every action, for table tests and documentation.
    pub const ALL: [Action; 6] = [
        Action::Logoff,
        Action::Disconnect,
        Action::Block,
        Action::Unblock,
        Action::Message,
        Action::Lock,
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
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
