//! What happened to each target of an action (SPEC §8).

use crate::SessionId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The fate of one target session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The action was carried out (for a log off: it is under way, or with
    /// `wait`, finished).
    Done,
    /// The permission rule said no; `reason` says why. Nothing was touched.
    Refused,
    /// No such session.
    NotFound,
    /// Allowed, tried, and it went wrong; `reason` says how.
    Failed,
}

impl Outcome {
    /// The word used in JSON and tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Refused => "refused",
            Outcome::NotFound => "not_found",
            Outcome::Failed => "failed",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a session ended, as the audit log and a waited-for log off report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    /// Every process left on its own after being asked.
    Closed,
    /// Something was still running at the terminate timeout and was killed.
    Forced,
    /// The session could not be ended cleanly; see the reason.
    Failed,
}

impl EndKind {
    /// The word used in JSON, audit and tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EndKind::Closed => "closed",
            EndKind::Forced => "forced",
            EndKind::Failed => "failed",
        }
    }
}

impl fmt::Display for EndKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of an action's `results`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionResult {
    /// The target's id, as the caller gave it or as "all" found it.
    pub session: SessionId,
    /// The target's user, when the session exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Why, for `refused` and `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a log off that was waited for: how the session ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<EndKind>,
    /// For a log off that was waited for: milliseconds from request to gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

impl ActionResult {
    /// A target that was acted on.
    #[must_use]
    pub fn done(session: SessionId, user: &str) -> Self {
        Self::new(session, Some(user), Outcome::Done, None)
    }

    /// A target the permission rule refused.
    #[must_use]
    pub fn refused(session: SessionId, user: &str, reason: impl fmt::Display) -> Self {
        Self::new(session, Some(user), Outcome::Refused, Some(reason.to_string()))
    }

    /// A target that does not exist.
    #[must_use]
    pub fn not_found(session: SessionId) -> Self {
        Self::new(session, None, Outcome::NotFound, Some("no such session".into()))
    }

    /// A target on which the action went wrong.
    #[must_use]
    pub fn failed(session: SessionId, user: &str, reason: impl fmt::Display) -> Self {
        Self::new(session, Some(user), Outcome::Failed, Some(reason.to_string()))
    }

    fn new(session: SessionId, user: Option<&str>, outcome: Outcome, reason: Option<String>) -> Self {
        ActionResult {
            session,
            user: user.map(str::to_owned),
            outcome,
            reason,
            ended: None,
            duration_ms: None,
        }
    }
}

/// The body every action answers with: one entry per target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionResults {
    /// One entry per target, in the order of the request (ids), or by id for "all".
    pub results: Vec<ActionResult>,
}

impl ActionResults {
    /// True when every target was done (the CLI then exits 0).
    #[must_use]
    pub fn all_done(&self) -> bool {
        self.results.iter().all(|r| r.outcome == Outcome::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_serialize_as_in_the_spec() {
        let r = ActionResults {
            results: vec![
                ActionResult::done(3, "alice"),
                ActionResult::refused(4, "root", "administrator session"),
            ],
        };
        assert_eq!(
            serde_json::to_string(&r).expect("serializes"),
            r#"{"results":[{"session":3,"user":"alice","outcome":"done"},{"session":4,"user":"root","outcome":"refused","reason":"administrator session"}]}"#
        );
        assert!(!r.all_done());
    }
}
