//! `/sessions`: list, start, and the actions on sessions (log off,
//! disconnect, block, unblock, message).

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::Who;
use crate::json::JsonBody;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use podium_core::{
    ActionResults, BlockRequest, ErrorBody, LogoffRequest, MessageRequest, SessionInfo, SessionList, StartRequest,
    TargetsRequest,
};

/// The sessions routes.
pub fn routes() -> Documented {
    documented!("/api/v1", list, start, logoff, disconnect, block, unblock, message)
}

/// Query of `GET /sessions`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `true`: also the sessions of the school's other hosts, as last
    /// heard from them (each with its `host`); this host's only otherwise.
    school: Option<bool>,
}

/// The sessions the caller may see: a standard user sees their own,
/// dashboard users and administrators see every session.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    tag = "sessions",
    params(ListQuery),
    responses(
        (status = 200, description = "Sessions by id", body = SessionList),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Account not allowed", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(s): State<AppState>,
    Who(caller): Who,
    query: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SessionList>, AppError> {
    let axum::extract::Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let mut list = s.host.list(&caller);
    if q.school == Some(true) {
        list.sessions.extend(crate::school::others(&s, &caller));
    }
    Ok(Json(list))
}

/// Start a session for a user without a password (administrators), or for
/// oneself. Answers once the desktop runs.
#[utoipa::path(
    post,
    path = "/api/v1/sessions",
    tag = "sessions",
    request_body = StartRequest,
    responses(
        (status = 201, description = "The new session", body = SessionInfo),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user has a session already", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "The account has no home, or the desktop command cannot run", body = ErrorBody),
        (status = 503, description = "The host could not start it (display server, PAM …)", body = ErrorBody),
    )
)]
pub(crate) async fn start(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<StartRequest>,
) -> Result<(StatusCode, Json<SessionInfo>), AppError> {
    let info = s.host.start(&caller, &req).await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// What every per-session action (log off, disconnect, block, unblock,
/// message) answers: results even when some targets were refused, errors
/// only for a request that could not be read or a caller not let in.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "read by utoipa only: it documents, it is never built")]
enum ActionResponses {
    /// One result per target.
    #[response(status = 200, description = "One result per target")]
    Results(ActionResults),
    #[response(status = 400, description = "Malformed request")]
    Malformed(ErrorBody),
    #[response(status = 401, description = "Not logged in")]
    NotLoggedIn(ErrorBody),
    #[response(status = 403, description = "Cross-site request or account not allowed")]
    Forbidden(ErrorBody),
    #[response(status = 413, description = "Body too large")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Body is not JSON")]
    NotJson(ErrorBody),
}

/// Log sessions off: each target is decided on its own and reported
/// (`done`, `refused` with the reason, `not_found`, `failed`); the status
/// is 200 even when some were refused. "all" leaves the caller's own
/// session alone. With `wait`, answers once every target has ended.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/logoff",
    tag = "sessions",
    request_body = LogoffRequest,
    responses(ActionResponses)
)]
pub(crate) async fn logoff(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<LogoffRequest>,
) -> Result<Json<ActionResults>, AppError> {
    let (host, who) = (&s.host, &caller);
    let results = crate::school::act(&s, &caller, req, |r| async move { host.logoff(who, &r).await }).await?;
    Ok(Json(results))
}

/// Disconnect sessions ("suspend and leave the session active"): every
/// station connection is dropped; the session and its programs keep
/// running, and its user gets it back at their next login. One result per
/// target, as for log off.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/disconnect",
    tag = "sessions",
    request_body = TargetsRequest,
    responses(ActionResponses)
)]
pub(crate) async fn disconnect(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<TargetsRequest>,
) -> Result<Json<ActionResults>, AppError> {
    let (host, who) = (&s.host, &caller);
    let results = crate::school::act(&s, &caller, req, |r| async move { host.disconnect(who, &r).await }).await?;
    Ok(Json(results))
}

/// Block sessions: a notice covers each screen (the request's `message`, or
/// "This station is blocked." in the user's language) and the keyboard
/// and pointer of its stations are ignored until unblocked. Blocking a
/// blocked session changes its text. One result per target.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/block",
    tag = "sessions",
    request_body = BlockRequest,
    responses(ActionResponses)
)]
pub(crate) async fn block(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<BlockRequest>,
) -> Result<Json<ActionResults>, AppError> {
    let (host, who) = (&s.host, &caller);
    let results = crate::school::act(&s, &caller, req, |r| async move { host.block(who, &r).await }).await?;
    Ok(Json(results))
}

/// Unblock sessions: the notice goes and input works again. One result per
/// target (unblocking a session that is not blocked is done, and harmless).
#[utoipa::path(
    post,
    path = "/api/v1/sessions/unblock",
    tag = "sessions",
    request_body = TargetsRequest,
    responses(ActionResponses)
)]
pub(crate) async fn unblock(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<TargetsRequest>,
) -> Result<Json<ActionResults>, AppError> {
    let unblock = crate::school::Unblock(req);
    let (host, who) = (&s.host, &caller);
    let results = crate::school::act(&s, &caller, unblock, |r| async move { host.unblock(who, &r.0).await }).await?;
    Ok(Json(results))
}

/// Send a message: it shows on each desktop and station, with the sender's
/// name, until the user presses OK; several wait in turn. One result per
/// target.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/message",
    tag = "sessions",
    request_body = MessageRequest,
    responses(ActionResponses)
)]
pub(crate) async fn message(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<MessageRequest>,
) -> Result<Json<ActionResults>, AppError> {
    let (host, who) = (&s.host, &caller);
    let results = crate::school::act(&s, &caller, req, |r| async move { host.message(who, &r).await }).await?;
    Ok(Json(results))
}
