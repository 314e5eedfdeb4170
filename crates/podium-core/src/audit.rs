//! Audit records: who did what to whom, when, and how it ended (SPEC §4).

use crate::outcome::{EndKind, Outcome};
use crate::session::SessionId;
use crate::timestamp::Timestamp;
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
    /// A desktop watched from the dashboard: one record when the view
    /// starts, one when it ends (`action` is `start` or `end`).
    View,
    /// A desktop driven from the dashboard: start and end, as for `View`.
    Control,
    /// A teacher's desktop projected onto sessions: one record per target
    /// when it starts, one when it stops.
    Project,
    /// A website or a program opened on sessions (`reason` names which).
    Open,
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
            AuditKind::View => "view",
            AuditKind::Control => "control",
            AuditKind::Project => "project",
            AuditKind::Open => "open",
        }
    }

    /// Every kind.
    pub const ALL: [AuditKind; 15] = [
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
        AuditKind::View,
        AuditKind::Control,
        AuditKind::Project,
        AuditKind::Open,
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
    /// For log offs: what became of each application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<crate::apps::AppOutcome>,
    /// The host that wrote it, in the school's log (absent in a host's
    /// own): `id` numbers each host's records apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// The body of `GET /api/v1/audit` and of `podium audit --json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditList {
    /// Records, oldest first.
    pub records: Vec<AuditRecord>,
    /// Asked for the school's log and it could not be read (NATS cannot
    /// be reached): why. The records are then this host's own only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_error: Option<String>,
}

/// How an audited event ended. The words are what the registry stores and
/// `podium audit` shows, so they never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Carried out.
    Done,
    /// The permission rule, or a throttle, said no.
    Refused,
    /// Tried, and it went wrong.
    Failed,
    /// There was no such session.
    NotFound,
    /// A session ended with every process leaving on its own.
    Closed,
    /// A session ended with something killed at the terminate timeout.
    Forced,
}

impl AuditOutcome {
    /// The stored word.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Done => "done",
            AuditOutcome::Refused => "refused",
            AuditOutcome::Failed => "failed",
            AuditOutcome::NotFound => "not_found",
            AuditOutcome::Closed => "closed",
            AuditOutcome::Forced => "forced",
        }
    }
}

impl fmt::Display for AuditOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Outcome> for AuditOutcome {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Done => AuditOutcome::Done,
            Outcome::Refused => AuditOutcome::Refused,
            Outcome::NotFound => AuditOutcome::NotFound,
            Outcome::Failed => AuditOutcome::Failed,
        }
    }
}

impl From<EndKind> for AuditOutcome {
    fn from(e: EndKind) -> Self {
        match e {
            EndKind::Closed => AuditOutcome::Closed,
            EndKind::Forced => AuditOutcome::Forced,
            EndKind::Failed => AuditOutcome::Failed,
        }
    }
}

/// An audit record about to be written: everything but its number and
/// time, which the registry gives. Every path that audits builds one here,
/// so a refusal or a session's end reads the same whoever wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAudit {
    /// Who: a login name, or [`SYSTEM_ACTOR`].
    pub actor: String,
    /// What.
    pub kind: AuditKind,
    /// The action, for refusals and station events.
    pub action: Option<String>,
    /// Which session.
    pub session: Option<SessionId>,
    /// Whose.
    pub target_user: Option<String>,
    /// How it went.
    pub outcome: AuditOutcome,
    /// Why.
    pub reason: Option<String>,
    /// How long, in ms.
    pub duration_ms: Option<u64>,
    /// What became of each application (log offs).
    pub applications: Vec<crate::apps::AppOutcome>,
}

impl NewAudit {
    /// `actor` did `kind`, and it ended as `outcome`.
    pub fn new(actor: impl Into<String>, kind: AuditKind, outcome: impl Into<AuditOutcome>) -> NewAudit {
        NewAudit {
            actor: actor.into(),
            kind,
            action: None,
            session: None,
            target_user: None,
            outcome: outcome.into(),
            reason: None,
            duration_ms: None,
            applications: Vec::new(),
        }
    }

    /// What became of each application.
    #[must_use]
    pub fn applications(mut self, apps: Vec<crate::apps::AppOutcome>) -> NewAudit {
        self.applications = apps;
        self
    }

    /// `actor` was refused `action`, for `reason`.
    pub fn refused(actor: impl Into<String>, action: impl Into<String>, reason: impl fmt::Display) -> NewAudit {
        NewAudit::new(actor, AuditKind::Refused, AuditOutcome::Refused)
            .action(action)
            .because(reason)
    }

    /// About session `id` of `user`.
    #[must_use]
    pub fn on(mut self, id: SessionId, user: impl Into<String>) -> NewAudit {
        self.session = Some(id);
        self.target_user = Some(user.into());
        self
    }

    /// About `user`, who has no session (yet).
    #[must_use]
    pub fn target(mut self, user: impl Into<String>) -> NewAudit {
        self.target_user = Some(user.into());
        self
    }

    /// The action concerned.
    #[must_use]
    pub fn action(mut self, action: impl Into<String>) -> NewAudit {
        self.action = Some(action.into());
        self
    }

    /// Why.
    #[must_use]
    pub fn because(self, reason: impl fmt::Display) -> NewAudit {
        self.reason(Some(reason.to_string()))
    }

    /// Why, when there is something to say.
    #[must_use]
    pub fn reason(mut self, reason: Option<String>) -> NewAudit {
        self.reason = reason;
        self
    }

    /// How long it took.
    #[must_use]
    pub fn took(mut self, duration_ms: Option<u64>) -> NewAudit {
        self.duration_ms = duration_ms;
        self
    }
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

    #[test]
    fn audit_outcomes_keep_the_stored_words() {
        let words: Vec<&str> = [
            AuditOutcome::Done,
            AuditOutcome::Refused,
            AuditOutcome::Failed,
            AuditOutcome::NotFound,
            AuditOutcome::Closed,
            AuditOutcome::Forced,
        ]
        .iter()
        .map(|o| o.as_str())
        .collect();
        assert_eq!(words, ["done", "refused", "failed", "not_found", "closed", "forced"]);
        for o in [Outcome::Done, Outcome::Refused, Outcome::NotFound, Outcome::Failed] {
            assert_eq!(AuditOutcome::from(o).as_str(), o.as_str());
        }
        for e in [EndKind::Closed, EndKind::Forced, EndKind::Failed] {
            assert_eq!(AuditOutcome::from(e).as_str(), e.as_str());
        }
        assert_eq!(
            serde_json::to_string(&AuditOutcome::NotFound).ok().as_deref(),
            Some("\"not_found\"")
        );
    }

    #[test]
    fn a_refusal_is_built_whole() {
        let a = NewAudit::refused("bob", "logoff", "administrator session").on(7, "root");
        assert_eq!(a.kind, AuditKind::Refused);
        assert_eq!(a.outcome, AuditOutcome::Refused);
        assert_eq!(a.action.as_deref(), Some("logoff"));
        assert_eq!((a.session, a.target_user.as_deref()), (Some(7), Some("root")));
        assert_eq!(a.reason.as_deref(), Some("administrator session"));
        assert_eq!(a.duration_ms, None);
    }
}
