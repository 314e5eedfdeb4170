//! The error body every API error uses: `{"error":{"code","message"}}`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Machine-readable error codes, each with one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body or a parameter is malformed or out of range.
    BadRequest,
    /// No valid login.
    Unauthorized,
    /// Logged in but not allowed.
    Forbidden,
    /// No such resource (or route).
    NotFound,
    /// Wrong method on a route.
    MethodNotAllowed,
    /// The request conflicts with the current state (e.g. the user already has a session).
    Conflict,
    /// Well formed, but it cannot be done as asked (a desktop command that
    /// does not exist, an account without a home directory).
    Unprocessable,
    /// The station is locked: unlock it with the password first.
    Locked,
    /// Body larger than the limit.
    PayloadTooLarge,
    /// Body is not JSON.
    UnsupportedMediaType,
    /// Too many attempts; try later.
    TooManyRequests,
    /// A bug or a host failure; the detail is in the daemon's log.
    Internal,
    /// The host could not do it (Xvnc missing, PAM refused the session …).
    Unavailable,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    #[must_use]
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::Unprocessable => 422,
            ErrorCode::Locked => 423,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }
}

/// The inner object of an [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// Machine-readable code.
    pub code: ErrorCode,
    /// What was wrong, for a person.
    pub message: String,
    /// The host of the school the error is about, when another host, or
    /// this one's room, is why (a desktop on a host that cannot be
    /// reached, a host that is full): what a page names in its own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

impl ErrorBody {
    /// An error body with this code and message.
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code,
                message: message.into(),
                host: None,
            },
        }
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_spec_shape() {
        let e = ErrorBody::new(ErrorCode::Forbidden, "no");
        assert_eq!(
            serde_json::to_string(&e).expect("serializes"),
            r#"{"error":{"code":"forbidden","message":"no"}}"#
        );
        assert_eq!(ErrorCode::Forbidden.status(), 403);
    }
}
