//! Project my desktop: `POST /sessions/project` and `/sessions/project/stop`
//! for the teacher, `GET /station/projection` for each pupil's station.

use crate::auth::COOKIE;
use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::{Who, check_same_origin, cookie};
use crate::json::JsonBody;
use crate::peer::PeerInfo;
use crate::state::AppState;
use axum::Json;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{Extensions, HeaderMap};
use axum::response::{IntoResponse, Response};
use podium_core::{ActionResults, Caller, ErrorBody, ErrorCode, TargetsRequest};
use podium_host::live::Projected;
use podium_thumbnail::projector::Frames;
use tokio::sync::watch;

/// The projection routes.
pub fn routes() -> Documented {
    documented!("/api/v1", project, stop, projection)
}

/// The web login a request comes with (none over the Unix socket).
fn web_login(extensions: &Extensions, headers: &HeaderMap) -> Option<String> {
    if extensions.get::<ConnectInfo<PeerInfo>>().is_some() {
        return None;
    }
    cookie(headers, COOKIE)
}

/// Project the caller's own desktop onto sessions: each target's station
/// shows the caller's screen full-size (`GET /station/projection`), its
/// desktop is covered by a notice naming the caller, and its keyboard and
/// mouse are off. The source is the caller's own session on this host
/// (409 without one); another host's session is not reached, and
/// `"school"` means this host's. Asking again while projecting adds the new targets;
/// a session another teacher projects onto is taken over. One result per
/// target, decided as for the other actions (never an administrator's
/// session for a dashboard user, never the caller's own). Started from a
/// web login, the projection lasts while that login has an events
/// WebSocket open (ended 3 s after the last one closes); started over the
/// Unix socket, until `/sessions/project/stop`.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/project",
    tag = "sessions",
    request_body = TargetsRequest,
    responses(
        (status = 200, description = "One result per target", body = ActionResults),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Cross-site request or account not allowed", body = ErrorBody),
        (status = 409, description = "The caller has no desktop on this host to project", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
    )
)]
pub(crate) async fn project(
    State(s): State<AppState>,
    Who(caller): Who,
    extensions: Extensions,
    headers: HeaderMap,
    JsonBody(mut req): JsonBody<TargetsRequest>,
) -> Result<Json<ActionResults>, AppError> {
    // A desktop is shown on its own host's sessions only: "all" of the
    // school is this host's, and another host's session is not reached.
    let me = s.host.config().cluster.name().map(str::to_owned);
    let (here, elsewhere): (Vec<_>, Vec<_>) = std::mem::take(&mut req.sessions)
        .into_iter()
        .partition(|r| r.host.is_none() || r.host == me);
    req.sessions = here.into_iter().map(|r| podium_core::SessionRef::here(r.id)).collect();
    req.school = false;
    let mut results = if req.sessions.is_empty() && !req.all && !elsewhere.is_empty() {
        ActionResults { results: Vec::new() }
    } else {
        s.host.project(&caller, &req).await?
    };
    results.results.extend(elsewhere.iter().map(|r| {
        podium_core::ActionResult::not_reached(
            r.host.as_deref().unwrap_or_default(),
            r.id,
            "a desktop is projected onto its own host's sessions only",
        )
    }));
    if let Some(source) = s.host.own_session(&caller)
        && s.host.is_projecting(source)
    {
        match web_login(&extensions, &headers) {
            Some(token) => s.projections.tie(&s.host, source, &token),
            None => s.projections.untie(source),
        }
    }
    Ok(Json(results))
}

/// Stop projecting the caller's desktop: every session it was shown on
/// gets its own desktop back, and its keyboard and mouse (unless it is
/// blocked). One result per session it was shown on; none when nothing
/// was projected.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/project/stop",
    tag = "sessions",
    responses(
        (status = 200, description = "One result per session the desktop was shown on", body = ActionResults),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Cross-site request or account not allowed", body = ErrorBody),
    )
)]
pub(crate) async fn stop(State(s): State<AppState>, Who(caller): Who) -> Result<Json<ActionResults>, AppError> {
    if let Some(source) = s.host.own_session(&caller) {
        s.projections.untie(source);
    }
    Ok(Json(s.host.stop_projecting(&caller).await?))
}

/// While a teacher's desktop is projected onto the caller's own session:
/// a WebSocket of its pictures, each a binary message holding one whole
/// JPEG of the teacher's screen (at most 20 a second, only when it
/// changed; the latest is sent at once, so a station that reconnects
/// needs nothing else). Whatever the client sends is ignored. The socket
/// closes with 4005 when the projection stops and 4006 when the projected
/// desktop is gone. 404 when nothing is projected onto the caller's
/// session.
#[utoipa::path(
    get,
    path = "/api/v1/station/projection",
    tag = "station",
    responses(
        (status = 101, description = "WebSocket of JPEG frames of the projected screen"),
        (status = 400, description = "Not a WebSocket upgrade", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Another site's page", body = ErrorBody),
        (status = 404, description = "No session, or nothing projected onto it", body = ErrorBody),
        (status = 503, description = "The projected desktop cannot be captured", body = ErrorBody),
    )
)]
pub(crate) async fn projection(
    State(s): State<AppState>,
    Who(caller): Who,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    check_same_origin(&headers, true)?;
    let ws = ws.map_err(|e| AppError::bad_request(format!("this route is a WebSocket ({})", e.body_text())))?;
    let (projected, access, watch) = s.host.projection_for(&caller)?;
    let frames = s.projections.frames(projected.source, access).map_err(|e| {
        AppError::new(
            ErrorCode::Unavailable,
            format!("the projected desktop cannot be shown: {e}"),
        )
    })?;
    Ok(ws
        .protocols(["binary"])
        .on_upgrade(move |socket| send_frames(socket, frames, watch, projected, caller))
        .into_response())
}

/// Sends each new frame until the projection onto the caller stops or
/// changes, the projected desktop goes, or the station closes.
async fn send_frames(
    mut socket: WebSocket,
    mut frames: Frames,
    mut watch: watch::Receiver<Option<Projected>>,
    projected: Projected,
    caller: Caller,
) {
    let mut sent = 0;
    let close = loop {
        let frame = frames.borrow_and_update().clone();
        if let Some(f) = frame.filter(|f| f.serial != sent) {
            sent = f.serial;
            if socket.send(Message::Binary(f.jpeg)).await.is_err() {
                return;
            }
        }
        tokio::select! {
            changed = frames.changed() => if changed.is_err() {
                break (4006, "the projected desktop is gone");
            },
            changed = watch.changed() => {
                let still = changed.is_ok() && watch.borrow_and_update().as_ref() == Some(&projected);
                if !still {
                    break (4005, "the projection stopped");
                }
            },
            msg = socket.recv() => if matches!(msg, None | Some(Err(_) | Ok(Message::Close(_)))) {
                return;
            },
        }
    };
    tracing::debug!(user = %caller.user, reason = close.1, "projection stream ends");
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: close.0,
            reason: close.1.into(),
        })))
        .await;
}
