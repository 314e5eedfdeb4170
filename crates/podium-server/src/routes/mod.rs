//! The API's routes, one module per resource.

pub mod audit;
pub mod me;
pub mod sessions;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use podium_core::ErrorCode;

/// Everything under `/api/v1`.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(sessions::router())
        .merge(audit::router())
        .merge(me::router())
        .method_not_allowed_fallback(method_not_allowed)
}

/// Unknown routes, in the API's error format.
pub async fn not_found() -> AppError {
    AppError::not_found("no such route")
}

async fn method_not_allowed() -> AppError {
    AppError::new(ErrorCode::MethodNotAllowed, "this route does not accept that method")
}
