//! Open… (SPEC §5): `GET /programs`, the programs the administrator
//! listed, and `POST /sessions/open`, a website or one of them on the
//! chosen desktops.

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::Who;
use crate::json::JsonBody;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use podium_core::{ActionResults, ErrorBody, OpenRequest, ProgramList};

/// The routes.
pub fn routes() -> Documented {
    documented!("/api/v1", programs, open)
}

/// The programs a teacher may open on desktops, as the administrator
/// listed them (`[[open.programs]]`): name and labels, not the commands.
/// For dashboard users and administrators.
#[utoipa::path(
    get,
    path = "/api/v1/programs",
    tag = "sessions",
    responses(
        (status = 200, description = "The configured programs, in the config's order", body = ProgramList),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a dashboard user or administrator", body = ErrorBody),
    )
)]
pub(crate) async fn programs(State(s): State<AppState>, Who(caller): Who) -> Result<Json<ProgramList>, AppError> {
    if !caller.role.oversees() {
        return Err(AppError::forbidden("the programs are for the dashboard's users"));
    }
    Ok(Json(s.host.config().open.list()))
}

/// What `POST /sessions/open` answers.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "read by utoipa only: it documents, it is never built")]
enum OpenResponses {
    /// One result per target.
    #[response(status = 200, description = "One result per target")]
    Results(ActionResults),
    #[response(
        status = 400,
        description = "Malformed request: not exactly one of url and program, a URL that is not http or https, or \
                       holds spaces or control characters, or is too long"
    )]
    Malformed(ErrorBody),
    #[response(status = 401, description = "Not logged in")]
    NotLoggedIn(ErrorBody),
    #[response(status = 403, description = "Cross-site request or account not allowed")]
    Forbidden(ErrorBody),
    #[response(status = 413, description = "Body too large")]
    TooLarge(ErrorBody),
    #[response(status = 415, description = "Body is not JSON")]
    NotJson(ErrorBody),
    #[response(status = 422, description = "No program of that name is configured")]
    UnknownProgram(ErrorBody),
}

/// Open a website (`url`, http or https only, in each user's default
/// browser) or a program the administrator listed (`program`) on the
/// sessions, as each session's user and inside the session. Each target is
/// decided on its own and reported: `done` once the program runs,
/// `refused` with the reason, `not_found`, or `failed` with why (a program
/// that is not installed, a session that is ending). Sessions of this host
/// only.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/open",
    tag = "sessions",
    request_body = OpenRequest,
    responses(OpenResponses)
)]
pub(crate) async fn open(
    State(s): State<AppState>,
    Who(caller): Who,
    JsonBody(req): JsonBody<OpenRequest>,
) -> Result<Json<ActionResults>, AppError> {
    Ok(Json(s.host.open_on(&caller, &req).await?))
}
