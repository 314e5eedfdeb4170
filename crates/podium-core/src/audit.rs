//! Audit records: who did what to whom, when, and how it ended (SPEC §4).

use crate::{SessionId, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The actor recorded for things nobody asked for (a session whose desktop
/// exited, one found dead after a restart, automatic log off).
pub const SYSTEM_ACTOR: &str = "system";

/// What an audit record is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A session was started (or failed to start).
    SessionStart,
    /// Somebody logged a session off.
    Logoff,
    /// A session ended without a log off: its desktop exited or its display died.
    SessionEnd,
    /// An action on a session was refused.
    Refused,
    /// A web login: `done`, `failed` (wrong password …) or `refused` (throttled, not allowed).
    Login,
    /// A web logout.
    Logout,
    /// A station locked or unlocked (`action` says which).
    Station,
    /// Sessions disconnected.
    Disconnect,
    /// Sessions blocked.
    Block,
    /// Sessions unblocked.
    Unblock,
    /// A message sent to sessions.
    Message,
}

impl AuditKind {
    /// The word used in JSON and tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::SessionStart => "session_start",
            AuditKind::Logoff => "logoff",
            AuditKind::SessionEnd => "session_end",
            AuditKind::Refused => "refused",
            AuditKind::Login => "login",
            AuditKind::Logout => "logout",
            AuditKind::Station => "station",
            AuditKind::Disconnect => "disconnect",
            AuditKind::Block => "block",
            AuditKind::Unblock => "unblock",
            AuditKind::Message => "message",
        }
    }

    /// Every kind.
    pub const ALL: [AuditKind; 11] = [
        AuditKind::SessionStart,
        AuditKind::Logoff,
        AuditKind::SessionEnd,
        AuditKind::Refused,
        AuditKind::Login,
        AuditKind::Logout,
        AuditKind::Station,
        AuditKind::Disconnect,
        AuditKind::Block,
        AuditKind::Unblock,
        AuditKind::Message,
    ];

    /// Parses the word [`AuditKind::as_str`] gives.
    #[must_use]
    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// Increasing record number.
    pub id: i64,
    /// When the event finished (for a log off: when the session was gone).
    pub at: Timestamp,
    /// Who asked: a login name, or `system`.
    pub actor: String,
    /// What it was.
    pub kind: AuditKind,
    /// The action, for refusals (`logoff`, `block` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The session concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionId>,
    /// The session's user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_user: Option<String>,
    /// `done`, `closed`, `forced`, `failed`, `refused`.
    pub outcome: String,
    /// Why, for failures and refusals; what happened, for session ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How long it took, for log offs: from request to the last process gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// The body of `GET /api/v1/audit` and of `podium audit --json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditList {
    /// Records, oldest first.
    pub records: Vec<AuditRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_word_and_json() {
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::from_word(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).expect("json"), format!("\"{}\"", k.as_str()));
        }
        assert_eq!(AuditKind::from_word("nope"), None);
    }
}
