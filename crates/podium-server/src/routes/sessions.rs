//! `/sessions`: list, start, log off.

use crate::AppState;
use crate::error::AppError;
use crate::identity::Who;
use crate::json::JsonBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use podium_core::{ActionResults, LogoffRequest, SessionInfo, SessionList, StartRequest};

/// The sessions routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions", get(list).post(start))
        .route("/sessions/logoff", post(logoff))
}

/// `GET /sessions`: the sessions the caller may see.
async fn list(State(s): State<AppState>, Who(caller): Who) -> Json<SessionList> {
    Json(s.host.list(&caller))
}

/// `POST /sessions`: start a session (administrators, or for oneself).
async fn start(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<StartRequest>,
) -> Result<(StatusCode, Json<SessionInfo>), AppError> {
    let info = s.host.start(&caller, &req).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// `POST /sessions/logoff`: per-session outcomes, 200 even when some are refused.
async fn logoff(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<LogoffRequest>,
) -> Result<Json<ActionResults>, AppError> {
    Ok(Json(s.host.logoff(&caller, &req).await?))
}
