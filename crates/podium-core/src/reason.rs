//! The stable codes of the reasons a target was not acted on: what clients
//! match and translate, while the English reason beside them may be
//! reworded.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a target was not done, as a word that never changes: what a program
/// matches on and what the dashboard translates. The English `reason` beside
/// it is for people and may be reworded; this may not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Refused: "all" leaves the caller's own session alone.
    OwnSessionInAll,
    /// Refused: block, unblock and message are never aimed at oneself.
    OwnSession,
    /// Refused: dashboard users never act on an administrator's session.
    AdministratorSession,
    /// Refused: standard users act on their own session only.
    NotYourSession,
    /// Refused: only a session's own user can lock it.
    LockIsPersonal,
    /// Refused: starting a session for somebody else is for administrators.
    StartForOthers,
    /// Refused: the account may not have sessions at all.
    NotAllowedToLogOn,
    /// Not found: no session has this id (any more).
    NoSuchSession,
}

impl ReasonCode {
    /// The word used in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::OwnSessionInAll => "own_session_in_all",
            ReasonCode::OwnSession => "own_session",
            ReasonCode::AdministratorSession => "administrator_session",
            ReasonCode::NotYourSession => "not_your_session",
            ReasonCode::LockIsPersonal => "lock_is_personal",
            ReasonCode::StartForOthers => "start_for_others",
            ReasonCode::NotAllowedToLogOn => "not_allowed_to_log_on",
            ReasonCode::NoSuchSession => "no_such_session",
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
