//! Request bodies shared by the HTTP API and the CLI.

use crate::SessionId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most a log off may be postponed, in seconds.
pub const MAX_GRACE_SECONDS: u32 = 600;

/// A request body that makes no sense even though it parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Neither ids nor `all`, or both.
    #[error("give either a non-empty \"sessions\" list or \"all\": true, not both")]
    Targets,
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
}

/// Which sessions an action aims at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    /// These ids, each reported on even if it does not exist. Duplicates
    /// are folded so a session is never acted on twice.
    Ids(Vec<SessionId>),
    /// Every session the caller may act on, minus their own.
    All,
}

fn targets(sessions: &[SessionId], all: bool) -> Result<Targets, RequestError> {
    match (sessions.is_empty(), all) {
        (false, false) => {
            let mut seen = BTreeSet::new();
            Ok(Targets::Ids(
                sessions.iter().copied().filter(|id| seen.insert(*id)).collect(),
            ))
        }
        (true, true) => Ok(Targets::All),
        _ => Err(RequestError::Targets),
    }
}

/// Body of `POST /api/v1/sessions/logoff`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoffRequest {
    /// Session ids to log off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionId>,
    /// Log off every session the caller may act on, except their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// Seconds of warning before applications are asked to close
    /// (0–600; default from the config, 10 s out of the box).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_seconds: Option<u32>,
    /// Answer only when every target has ended (the CLI does this), so the
    /// results say `closed` or `forced`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait: bool,
}

impl LogoffRequest {
    /// Checks the body and says which sessions it aims at.
    ///
    /// # Errors
    /// A [`RequestError`] naming the field that is wrong.
    pub fn targets(&self) -> Result<Targets, RequestError> {
        if let Some(g) = self.grace_seconds.filter(|g| *g > MAX_GRACE_SECONDS) {
            return Err(RequestError::Grace(g));
        }
        targets(&self.sessions, self.all)
    }
}

/// Body of `POST /api/v1/sessions` (administrators: `podium session start`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Login name of the user whose session to start.
    pub user: String,
    /// Desktop command instead of the configured one, e.g. `xterm -geometry 80x24`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

/// The longest desktop command accepted.
pub const MAX_COMMAND_LEN: usize = 4096;

impl StartRequest {
    /// Checks the user name and command for shape (not for existence).
    ///
    /// # Errors
    /// A [`RequestError`] naming the field that is wrong.
    pub fn validate(&self) -> Result<(), RequestError> {
        if !is_login_name(&self.user) {
            return Err(RequestError::User(self.user.clone()));
        }
        if let Some(c) = &self.command
            && (c.trim().is_empty() || c.len() > MAX_COMMAND_LEN || c.contains('\0'))
        {
            return Err(RequestError::Text {
                field: "command",
                max: MAX_COMMAND_LEN,
            });
        }
        Ok(())
    }
}

/// A name `useradd` would accept: starts with a letter or `_`, then letters,
/// digits, `_`, `-`, `.`, at most 32 bytes (an optional trailing `$` too).
#[must_use]
pub fn is_login_name(name: &str) -> bool {
    let body = name.strip_suffix('$').unwrap_or(name);
    let mut chars = body.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && name.len() <= 32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_need_ids_or_all_but_not_both() {
        let ids = LogoffRequest {
            sessions: vec![3, 4, 3],
            ..Default::default()
        };
        assert_eq!(ids.targets(), Ok(Targets::Ids(vec![3, 4])));
        let all = LogoffRequest {
            all: true,
            ..Default::default()
        };
        assert_eq!(all.targets(), Ok(Targets::All));
        assert_eq!(LogoffRequest::default().targets(), Err(RequestError::Targets));
        let both = LogoffRequest {
            sessions: vec![1],
            all: true,
            ..Default::default()
        };
        assert_eq!(both.targets(), Err(RequestError::Targets));
    }

    #[test]
    fn grace_above_ten_minutes_is_refused() {
        let r = LogoffRequest {
            all: true,
            grace_seconds: Some(601),
            ..Default::default()
        };
        assert_eq!(r.targets(), Err(RequestError::Grace(601)));
    }

    #[test]
    fn unknown_fields_and_wrong_types_do_not_parse() {
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"all":true,"force":1}"#).is_err());
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"sessions":["3"]}"#).is_err());
        assert!(serde_json::from_str::<LogoffRequest>(r#"{"sessions":[-1]}"#).is_err());
    }

    #[test]
    fn login_names_are_checked_for_shape() {
        assert!(is_login_name("alice"));
        assert!(is_login_name("podium-demo-1"));
        assert!(!is_login_name(""));
        assert!(!is_login_name("1abc"));
        assert!(!is_login_name("../etc"));
        assert!(!is_login_name(&"a".repeat(33)));
        let bad = StartRequest {
            user: "bob".into(),
            command: Some("  ".into()),
        };
        assert!(bad.validate().is_err());
    }
}

/// Body of `POST /api/v1/auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    #[schema(max_length = 32)]
    pub username: String,
    /// Password, checked by PAM.
    #[schema(max_length = 1024, format = Password)]
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

/// The longest password accepted.
pub const MAX_PASSWORD_LEN: usize = 1024;

impl LoginRequest {
    /// Checks the fields' shape.
    ///
    /// # Errors
    /// A [`RequestError`] naming the field.
    pub fn validate(&self) -> Result<(), RequestError> {
        if !is_login_name(&self.username) {
            return Err(RequestError::User(self.username.clone()));
        }
        if self.password.is_empty() || self.password.len() > MAX_PASSWORD_LEN || self.password.contains(['\0', '\n']) {
            return Err(RequestError::Text {
                field: "password",
                max: MAX_PASSWORD_LEN,
            });
        }
        Ok(())
    }
}
