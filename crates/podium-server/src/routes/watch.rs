//! `/sessions/{id}/vnc`: the dashboard's View and Take control — a
//! teacher's own connection to a pupil's desktop, through a relay that
//! reads every RFB message ([`crate::viewer_relay`]).

use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::{Who, check_same_origin};
use crate::state::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use podium_core::permission::decide;
use podium_core::{Action, ErrorBody, NewAudit, Selection};
use podium_host::HostError;
use serde::Deserialize;

/// The viewer routes.
pub fn routes() -> Documented {
    documented!("/api/v1", vnc)
}

/// Query of `/sessions/{id}/vnc`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct WatchQuery {
    /// `true`: take control (keys and pointer drive the desktop);
    /// `false`, the default: only view.
    #[param(value_type = Option<bool>)]
    control: Option<String>,
}

impl WatchQuery {
    fn control(&self) -> Result<bool, AppError> {
        match self.control.as_deref().unwrap_or("false") {
            "false" => Ok(false),
            "true" => Ok(true),
            other => Err(AppError::bad_request(format!(
                "\"control\" must be true or false, not {other:?}"
            ))),
        }
    }
}

/// Another user's desktop, live: a WebSocket relaying the session's VNC
/// stream to a viewer of the dashboard. Only viewing, the viewer's keys,
/// pointer, clipboard and resizes are dropped; with `control=true` its keys
/// and pointer drive the desktop (even a blocked one). The desktop's
/// clipboard never reaches a viewer. Closed with 4004 when the session
/// ends, 4005 on a VNC message the relay cannot read, 4006 when the viewer
/// stopped answering pings (5 s). A plain GET answers 403 with the reason
/// when the caller may not view (or control) this session, 400 otherwise.
#[utoipa::path(
    get,
    path = "/api/v1/sessions/{id}/vnc",
    tag = "sessions",
    params(
        ("id" = u32, Path, description = "Session id", minimum = 0, maximum = 4294967295_u64),
        WatchQuery,
    ),
    responses(
        (status = 101, description = "WebSocket of the session's VNC stream"),
        (status = 400, description = "Not a WebSocket upgrade, or a malformed id or query", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not allowed to view or control this session, or another site's page",
            body = ErrorBody),
        (status = 404, description = "No such session", body = ErrorBody),
        (status = 503, description = "The desktop cannot be reached", body = ErrorBody),
    )
)]
pub(crate) async fn vnc(
    State(s): State<AppState>,
    Who(caller): Who,
    headers: HeaderMap,
    id: Result<Path<u32>, PathRejection>,
    query: Result<Query<WatchQuery>, QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    check_same_origin(&headers, true)?;
    let Path(id) = id.map_err(|e| AppError::bad_request(format!("session id: {}", e.body_text())))?;
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let control = q.control()?;
    let action = if control { Action::Control } else { Action::View };
    let no_session = || AppError::not_found(format!("no session {id}"));
    // Looked up whoever asks: another's session is refused (and audited), as at the station.
    let session = s
        .host
        .all_sessions()
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(no_session)?;
    // Decided before the upgrade, so that a page can learn why with a plain GET.
    if let Err(r) = decide(&caller, session.uid, session.role, action, Selection::Named) {
        s.host
            .record(&NewAudit::refused(caller.user.clone(), action.as_str(), r.reason()).on(id, session.user));
        return Err(AppError::forbidden(r.reason()));
    }
    let ws = ws.map_err(|e| AppError::bad_request(format!("this route is a WebSocket ({})", e.body_text())))?;
    let watch = s.host.watch(&caller, id, control).await.map_err(|e| match e {
        HostError::NoSuchSession => no_session(),
        e => e.into(),
    })?;
    let stream = crate::vnc_socket::connect(watch.vnc_socket(), watch.vnc_server()).await?;
    let who = crate::viewer_relay::Who {
        viewer: caller.user,
        session: id,
    };
    Ok(ws
        .protocols(["binary"])
        .on_upgrade(move |socket| crate::viewer_relay::relay(socket, stream, watch, who))
        .into_response())
}
