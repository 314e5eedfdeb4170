//! The one error type of the server: where an error becomes a status code
//! (and, for what fails before serving, such as a certificate, the words
//! the daemon stops with).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use podium_core::{ErrorBody, ErrorCode};
use podium_host::HostError;
use std::sync::atomic::{AtomicU64, Ordering};

/// An error as the API reports it: a code, and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// Machine-readable code (it decides the status).
    pub code: ErrorCode,
    /// What to tell the client.
    pub message: String,
    /// The host of the school the error is about, if another host (or this
    /// one's room) is why.
    pub host: Option<String>,
}

impl AppError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            host: None,
        }
    }

    /// The same error, about host `host` of the school (the page names it).
    #[must_use]
    pub fn about_host(mut self, host: impl Into<String>) -> AppError {
        self.host = Some(host.into());
        self
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::BadRequest, message)
    }

    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Unauthorized, message)
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Forbidden, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::NotFound, message)
    }

    /// 500: the client learns only a request number; the detail goes to the log.
    pub fn internal(detail: &dyn std::fmt::Display) -> AppError {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        tracing::error!(request = n, "internal error: {detail}");
        AppError::new(
            ErrorCode::Internal,
            format!("internal error (request {n}; see the daemon's log)"),
        )
    }
}

impl From<HostError> for AppError {
    fn from(e: HostError) -> AppError {
        match &e {
            HostError::Refused(r) => AppError::forbidden(r.reason()),
            HostError::Invalid(_) => AppError::bad_request(e.to_string()),
            HostError::UnusableAccount { .. } | HostError::BadCommand { .. } | HostError::UnknownProgram { .. } => {
                AppError::new(ErrorCode::Unprocessable, e.to_string())
            }
            HostError::UnknownUser(_) => AppError::not_found(e.to_string()),
            HostError::NoSuchSession => AppError::not_found("you have no running session"),
            HostError::NoSuchMessage(_) => AppError::not_found(e.to_string()),
            HostError::NoDesktopToProject => AppError::new(ErrorCode::Conflict, e.to_string()),
            HostError::NotProjected => AppError::not_found(e.to_string()),
            HostError::Locked => AppError::new(
                ErrorCode::Locked,
                "the station is locked: give your password to unlock it",
            ),
            HostError::AlreadyRunning { .. } => AppError::new(ErrorCode::Conflict, e.to_string()),
            HostError::StartFailed(_) => AppError::new(ErrorCode::Unavailable, e.to_string()),
            _ if e.is_disk_full() => {
                tracing::error!("{e}");
                AppError::new(ErrorCode::Unavailable, podium_host::error::DISK_FULL)
            }
            _ => AppError::internal(&e),
        }
    }
}

impl From<podium_core::CoreError> for AppError {
    fn from(e: podium_core::CoreError) -> AppError {
        AppError::bad_request(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = ErrorBody::new(self.code, self.message);
        body.error.host = self.host;
        (status, Json(body)).into_response()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}
