//! What happened to each target of an action (SPEC §8).

use crate::SessionId;
use crate::permission::Refusal;
use crate::reason::ReasonCode;
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
    /// The host the session is on, when not the host asked (a school's
    /// several hosts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The target's user, when the session exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Why, for `refused`, `not_found` and `failed`: English, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The same why as a stable word, for `refused` and `not_found`: what a
    /// program matches on and the dashboard translates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ReasonCode>,
    /// For a log off that was waited for: how the session ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<EndKind>,
    /// For a log off that was waited for: milliseconds from request to gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// For a log off that was waited for: what became of each application
    /// that had a window (absent when there was none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applications: Vec<crate::apps::AppOutcome>,
}

impl ActionResult {
    /// A target that was acted on.
    #[must_use]
    pub fn done(session: SessionId, user: &str) -> Self {
        Self::new(session, Some(user), Outcome::Done, None, None)
    }

    /// A target the permission rule refused, with its reason and code.
    #[must_use]
    pub fn refused(session: SessionId, user: &str, refusal: Refusal) -> Self {
        Self::new(
            session,
            Some(user),
            Outcome::Refused,
            Some(refusal.reason().into()),
            Some(refusal.code()),
        )
    }

    /// A target that does not exist.
    #[must_use]
    pub fn not_found(session: SessionId) -> Self {
        Self::new(
            session,
            None,
            Outcome::NotFound,
            Some("no such session".into()),
            Some(ReasonCode::NoSuchSession),
        )
    }

    /// A target on which the action went wrong.
    #[must_use]
    pub fn failed(session: SessionId, user: &str, reason: impl fmt::Display) -> Self {
        Self::new(session, Some(user), Outcome::Failed, Some(reason.to_string()), None)
    }

    /// A target on another host that could not be asked (unreachable, or
    /// it refused to believe who asks), with why.
    #[must_use]
    pub fn not_reached(host: &str, session: SessionId, reason: impl fmt::Display) -> Self {
        let mut r = Self::new(session, None, Outcome::Failed, Some(reason.to_string()), None);
        r.host = Some(host.to_owned());
        r
    }

    fn new(
        session: SessionId,
        user: Option<&str>,
        outcome: Outcome,
        reason: Option<String>,
        code: Option<ReasonCode>,
    ) -> Self {
        ActionResult {
            session,
            host: None,
            user: user.map(str::to_owned),
            outcome,
            reason,
            code,
            ended: None,
            duration_ms: None,
            applications: Vec::new(),
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
                ActionResult::refused(4, "root", Refusal::AdministratorSession),
            ],
        };
        assert_eq!(
            serde_json::to_string(&r).expect("serializes"),
            r#"{"results":[{"session":3,"user":"alice","outcome":"done"},{"session":4,"user":"root","outcome":"refused","reason":"administrator session","code":"administrator_session"}]}"#
        );
        assert!(!r.all_done());
    }

    #[test]
    fn a_missing_session_is_reported_with_its_code() {
        assert_eq!(
            serde_json::to_string(&ActionResult::not_found(7)).expect("serializes"),
            r#"{"session":7,"outcome":"not_found","reason":"no such session","code":"no_such_session"}"#
        );
    }

    #[test]
    fn a_failure_has_a_reason_but_no_code() {
        let json = serde_json::to_value(ActionResult::failed(5, "bob", "the disk is full")).expect("serializes");
        assert_eq!(json["reason"], "the disk is full");
        assert!(json.get("code").is_none(), "{json}");
    }

    #[test]
    fn every_code_is_written_in_json_as_its_word_and_read_back() {
        let codes = Refusal::ALL
            .map(Refusal::code)
            .into_iter()
            .chain([ReasonCode::NoSuchSession]);
        for code in codes {
            let json = serde_json::to_string(&code).expect("serializes");
            assert_eq!(json, format!("\"{code}\""));
            assert_eq!(serde_json::from_str::<ReasonCode>(&json).expect("parses"), code);
        }
    }
}
