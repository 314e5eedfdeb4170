//! `/station`: a user's own desktop in the browser — open or reconnect
//! their session, relay its VNC stream over a WebSocket, lock and unlock.

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::{Who, check_same_origin};
use crate::json::{JsonBody, OptionalJsonBody};
use crate::password::{self, Verdict};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use podium_core::{Caller, ErrorBody, ErrorCode, StartRequest, StationOpenRequest, StationStatus, UnlockRequest};
use podium_host::HostError;
use podium_host::host::station::StationGuard;
use podium_host::live::Kick;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use zeroize::Zeroizing;

/// The station routes.
pub fn routes() -> Documented {
    documented!("/api/v1", status, open, lock, unlock, vnc, dismiss)
}

/// The caller's own session, if any, and whether their station is locked.
#[utoipa::path(
    get,
    path = "/api/v1/station",
    tag = "station",
    responses(
        (status = 200, description = "The caller's own session", body = StationStatus),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Account not allowed", body = ErrorBody),
    )
)]
pub(crate) async fn status(State(s): State<AppState>, Who(caller): Who) -> Json<StationStatus> {
    Json(s.host.station_status(&caller))
}

/// Creates the caller's session, or returns the one they already have
/// (one session per user). Answers once the desktop runs. The language
/// picked on the login page, if any, is remembered for the user, and a new
/// session speaks it. On a host of a school's cluster, a standard user
/// gets no new session here while another host runs theirs, nor when this
/// host already runs `[cluster] capacity` sessions.
#[utoipa::path(
    post,
    path = "/api/v1/station/session",
    tag = "station",
    request_body(content = Option<StationOpenRequest>, description = "Optional: the language picked on the login page"),
    responses(
        (status = 200, description = "The caller's session, new or existing", body = StationStatus),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Account not allowed to have a session, or a cross-site request", body = ErrorBody),
        (status = 409, description = "Another host of the school runs the caller's session (`host` names it)",
            body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "The account cannot have a desktop (no home directory …)", body = ErrorBody),
        (status = 503, description = "The desktop could not start, or this host is full (`host` names it)",
            body = ErrorBody),
    )
)]
pub(crate) async fn open(
    State(s): State<AppState>,
    Who(caller): Who,
    OptionalJsonBody(body): OptionalJsonBody<StationOpenRequest>,
) -> Result<Json<StationStatus>, AppError> {
    let locale = match body.and_then(|b| b.language) {
        Some(language) => Some(s.host.pick_language(&caller.user, language).await),
        None => None,
    };
    if s.host.own_session(&caller).is_none() {
        crate::placement::admit(&s, &caller)?;
        let req = StartRequest {
            user: caller.user.clone(),
            command: None,
            locale,
        };
        match s.host.start(&caller, &req).await {
            Ok(_) | Err(HostError::AlreadyRunning { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Json(s.host.station_status(&caller)))
}

/// Locks the caller's station: the stream stops, and only their password
/// (`/station/unlock`) brings it back. The session keeps running.
#[utoipa::path(
    post,
    path = "/api/v1/station/lock",
    tag = "station",
    responses(
        (status = 204, description = "Locked"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Cross-site request", body = ErrorBody),
        (status = 404, description = "No running session", body = ErrorBody),
    )
)]
pub(crate) async fn lock(State(s): State<AppState>, Who(caller): Who) -> Result<StatusCode, AppError> {
    s.host.lock(&caller)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlocks the caller's station with their password (checked by PAM, and
/// throttled like a login).
#[utoipa::path(
    post,
    path = "/api/v1/station/unlock",
    tag = "station",
    request_body = UnlockRequest,
    responses(
        (status = 204, description = "Unlocked"),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Wrong password, or not logged in", body = ErrorBody),
        (status = 403, description = "Cross-site request", body = ErrorBody),
        (status = 404, description = "No running session", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords; wait", body = ErrorBody),
        (status = 503, description = "PAM could not be asked", body = ErrorBody),
    )
)]
pub(crate) async fn unlock(
    State(s): State<AppState>,
    Who(caller): Who,
    extensions: Extensions,
    headers: HeaderMap,
    JsonBody(req): JsonBody<UnlockRequest>,
) -> Result<StatusCode, AppError> {
    req.validate()?;
    if s.host.own_session(&caller).is_none() {
        return Err(HostError::NoSuchSession.into());
    }
    let ip = crate::client_addr::name_of_request(&s, &extensions, &headers);
    match password::check(&s, &caller.user, ip, Zeroizing::new(req.password)).await? {
        Verdict::Right => {
            s.host.unlock(&caller)?;
            Ok(StatusCode::NO_CONTENT)
        }
        Verdict::Throttled => Err(AppError::new(
            ErrorCode::TooManyRequests,
            "too many wrong passwords; try again in a minute",
        )),
        Verdict::Refused(_) => {
            s.metrics.login_failure("bad_credentials");
            Err(AppError::unauthorized("wrong password"))
        }
    }
}

/// The user read a message on their station and pressed OK: it goes from
/// the station and from the desktop, and the next one shows.
#[utoipa::path(
    post,
    path = "/api/v1/station/messages/{id}/dismiss",
    tag = "station",
    params(("id" = u64, Path, description = "The message's id", minimum = 0)),
    responses(
        (status = 204, description = "Dismissed"),
        (status = 400, description = "Not a message id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Cross-site request", body = ErrorBody),
        (status = 404, description = "No session, or no such message waiting", body = ErrorBody),
    )
)]
pub(crate) async fn dismiss(
    State(s): State<AppState>,
    Who(caller): Who,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, AppError> {
    let Path(id) = id.map_err(|e| AppError::bad_request(e.body_text()))?;
    let id: u64 = id
        .parse()
        .map_err(|_| AppError::bad_request(format!("not a message id: {id:?}")))?;
    s.host.dismiss_own(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `/station/vnc`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct VncQuery {
    /// The session to show; it must be the caller's own (the default).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 4294967295_u64)]
    session: Option<String>,
}

/// The caller's desktop: a WebSocket relaying the session's VNC stream
/// (binary RFB messages both ways), for the session's own user only. A
/// newer station takes the session over; the older is closed with code
/// 4001 ("taken over"), 4002 (disconnected), 4003 (locked) or 4004 (ended).
#[utoipa::path(
    get,
    path = "/api/v1/station/vnc",
    tag = "station",
    params(VncQuery),
    responses(
        (status = 101, description = "WebSocket of the session's VNC stream"),
        (status = 400, description = "Not a WebSocket upgrade, or a malformed query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Another user's session, or another site's page", body = ErrorBody),
        (status = 404, description = "No running session", body = ErrorBody),
        (status = 423, description = "The station is locked", body = ErrorBody),
    )
)]
pub(crate) async fn vnc(
    State(s): State<AppState>,
    Who(caller): Who,
    headers: HeaderMap,
    extensions: Extensions,
    query: Result<Query<VncQuery>, QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    check_same_origin(&headers, true)?;
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    if let Some(id) = q.session {
        let id: u32 = id
            .parse()
            .map_err(|_| AppError::bad_request(format!("\"session\" is not a session id: {id:?}")))?;
        s.host.check_own(&caller, id)?;
    }
    let ws = ws.map_err(|e| AppError::bad_request(format!("this route is a WebSocket ({})", e.body_text())))?;
    let address = crate::client_addr::name_of_request(&s, &extensions, &headers);
    let guard = s.host.open_station(&caller, "browser", &address)?;
    let stream = crate::vnc_socket::connect(&guard.vnc_socket, guard.vnc_server).await?;
    Ok(ws
        .protocols(["binary"])
        .on_upgrade(move |socket| relay(socket, stream, guard, caller))
        .into_response())
}

fn close_frame(kick: Kick) -> CloseFrame {
    let (code, reason) = match kick {
        Kick::TakenOver => (4001, "taken over by another station"),
        Kick::Disconnected => (4002, "disconnected"),
        Kick::Locked => (4003, "locked"),
        Kick::Ended => (4004, "session ended"),
    };
    CloseFrame {
        code,
        reason: reason.into(),
    }
}

/// Relays bytes both ways until either side closes or the host ends the
/// connection.
async fn relay(mut socket: WebSocket, stream: UnixStream, mut guard: StationGuard, caller: Caller) {
    let (mut from_vnc, mut to_vnc) = stream.into_split();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(data))) => {
                    if to_vnc.write_all(&data).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            n = from_vnc.read(&mut buf) => match n {
                Ok(0) | Err(_) => {
                    // A disconnect also drops every viewer of the display, so
                    // the stream may end before the kick is seen: the kick says why.
                    let kicked = *guard.kicked.borrow();
                    let frame = if let Some(kick) = kicked {
                        close_frame(kick)
                    } else if guard.session_ending() {
                        close_frame(Kick::Ended)
                    } else {
                        tracing::warn!(user = %caller.user, "the desktop's VNC stream ended");
                        CloseFrame { code: 1011, reason: "the desktop stopped answering".into() }
                    };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    break;
                }
                Ok(n) => {
                    if socket.send(Message::Binary(buf[..n].to_vec().into())).await.is_err() {
                        break;
                    }
                }
            },
            changed = guard.kicked.changed() => {
                let kick = if changed.is_ok() { *guard.kicked.borrow() } else { None };
                if let Some(kick) = kick {
                    tracing::debug!(user = %caller.user, ?kick, "station connection ended by the host");
                    let _ = socket.send(Message::Close(Some(close_frame(kick)))).await;
                }
                break;
            }
        }
    }
    let _ = to_vnc.shutdown().await;
}
