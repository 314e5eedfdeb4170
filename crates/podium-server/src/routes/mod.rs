//! The API's routes, one module per resource.

pub mod audit;
pub mod auth;
pub mod events;
pub mod me;
pub mod sessions;
pub mod station;
pub mod thumbnail;

use crate::AppState;
use crate::error::AppError;
use axum::routing::get;
use axum::{Json, Router};
use podium_core::ErrorCode;
use utoipa::OpenApi;

/// Everything under `/api/v1`.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(sessions::router())
        .merge(audit::router())
        .merge(me::router())
        .merge(auth::router())
        .merge(events::router())
        .merge(thumbnail::router())
        .merge(station::router())
        .route("/openapi.json", get(document))
        .method_not_allowed_fallback(method_not_allowed)
}

/// This API's OpenAPI document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "sessions",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object))
)]
pub(crate) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::ApiDoc::openapi())
}

/// Unknown routes, in the API's error format.
pub async fn not_found() -> AppError {
    AppError::not_found("no such route")
}

async fn method_not_allowed() -> AppError {
    AppError::new(ErrorCode::MethodNotAllowed, "this route does not accept that method")
}
