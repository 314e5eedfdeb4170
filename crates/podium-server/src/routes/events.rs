//! `/events`: the live WebSocket of session changes.

use crate::auth::COOKIE;
use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::{Who, check_same_origin, cookie};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use podium_core::permission::may_see;
use podium_core::{Caller, ErrorBody, Event, PictureFrame};
use podium_host::HostEvent;
use podium_thumbnail::{Size, Thumbnail};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The events route.
pub fn routes() -> Documented {
    documented!("/api/v1", events)
}

/// Query of the events route.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventsQuery {
    /// Push the pictures of this size (`small`, `medium`, `large`) on the
    /// stream itself, each as a binary message after its
    /// `thumbnail_updated`, and the current ones after the snapshot: what
    /// the dashboard does, a request fewer per picture.
    #[param(value_type = Option<String>, pattern = "^(small|medium|large)$")]
    thumbnails: Option<String>,
}

/// A WebSocket of JSON [`Event`]s: first a snapshot of the sessions the
/// caller may see, then each session added, changed or removed, and each
/// new thumbnail; with `?thumbnails=SIZE`, the pictures themselves as
/// binary messages (4-byte big-endian session id, 1-byte ETag length, the
/// ETag, the JPEG). The upgrade is refused for pages of other origins.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "sessions",
    params(EventsQuery),
    responses(
        (status = 101, description = "WebSocket of JSON events (see the Event schema)"),
        (status = 400, description = "Not a WebSocket upgrade request", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Cross-origin upgrade", body = ErrorBody),
    ),
    security(("cookie" = []))
)]
async fn events(
    State(s): State<AppState>,
    Who(caller): Who,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    check_same_origin(&headers, true)?;
    let Query(q) = query.map_err(|e| AppError::bad_request(e.body_text()))?;
    let push = match q.thumbnails.as_deref() {
        None => None,
        Some(w) => Some(Size::from_word(w).ok_or_else(|| {
            AppError::bad_request(format!("\"thumbnails\" must be small, medium or large, not {w:?}"))
        })?),
    };
    let ws = ws.map_err(|e| AppError::bad_request(format!("this route is a WebSocket ({})", e.body_text())))?;
    let token = cookie(&headers, COOKIE);
    Ok(ws.on_upgrade(move |socket| stream(socket, s, caller, token, push)))
}

/// Sends a picture as a binary message; false when the socket is gone.
async fn send_picture(socket: &mut WebSocket, id: u32, t: &Thumbnail) -> bool {
    let frame = PictureFrame {
        id,
        etag: &t.etag,
        jpeg: &t.jpeg,
    };
    match frame.encode() {
        Some(bytes) => socket.send(Message::Binary(bytes.into())).await.is_ok(),
        None => true,
    }
}

/// The current pictures of `size` of every session `caller` may see.
async fn send_current(socket: &mut WebSocket, s: &AppState, caller: &Caller, size: Size) -> bool {
    for id in s.host.list(caller).sessions.iter().map(|i| i.id) {
        if let Some(t) = s.thumbnails.current(id, size)
            && !send_picture(socket, id, &t).await
        {
            return false;
        }
    }
    true
}

fn snapshot(s: &AppState, caller: &Caller) -> Event {
    Event::Snapshot {
        sessions: s.host.list(caller).sessions,
    }
}

fn thumbnail_event(s: &AppState, caller: &Caller, e: podium_thumbnail::ThumbEvent) -> Option<Event> {
    s.host.may_see(caller, e.id).then(|| Event::ThumbnailUpdated {
        id: e.id,
        etags: e
            .etags
            .into_iter()
            .map(|(size, etag)| (size.as_str().to_owned(), etag))
            .collect(),
    })
}

fn visible(caller: &Caller, e: HostEvent) -> Option<Event> {
    match e {
        HostEvent::Added(i) => may_see(caller, i.uid).then_some(Event::SessionAdded { session: i }),
        HostEvent::Changed(i) => may_see(caller, i.uid).then_some(Event::SessionChanged { session: i }),
        HostEvent::Removed {
            id,
            uid,
            end,
            applications,
        } => may_see(caller, uid).then_some(Event::SessionRemoved { id, end, applications }),
        // Messages are the user's own business.
        HostEvent::Messages { id, uid, messages } => (caller.uid == uid).then_some(Event::Messages { id, messages }),
    }
}

async fn send(socket: &mut WebSocket, e: &Event) -> bool {
    match serde_json::to_string(e) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

/// How often a cookie-authenticated stream checks that its login is still valid.
const LOGIN_CHECK: Duration = Duration::from_secs(30);

async fn stream(mut socket: WebSocket, s: AppState, caller: Caller, token: Option<String>, push: Option<Size>) {
    let mut rx = s.host.subscribe();
    let mut thumbs = s.thumbnails.subscribe();
    // While this stream is open, the desktops it may see are kept current.
    let _watching = s.thumbnails.watch_pushing(caller.uid, caller.role.oversees(), push);
    if !send(&mut socket, &snapshot(&s, &caller)).await {
        return;
    }
    if let Some(size) = push
        && !send_current(&mut socket, &s, &caller, size).await
    {
        return;
    }
    let mut check = tokio::time::interval(LOGIN_CHECK);
    check.tick().await;
    loop {
        tokio::select! {
            e = rx.recv() => match e {
                Ok(e) => {
                    if let Some(event) = visible(&caller, e)
                        && !send(&mut socket, &event).await
                    {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    if !send(&mut socket, &snapshot(&s, &caller)).await {
                        return;
                    }
                    if let Some(size) = push
                        && !send_current(&mut socket, &s, &caller, size).await
                    {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            t = thumbs.recv() => match t {
                Ok(t) => {
                    let (id, picture) = (t.id, push.and_then(|size| t.pictures.get(&size).cloned()));
                    if let Some(event) = thumbnail_event(&s, &caller, t) {
                        if !send(&mut socket, &event).await {
                            return;
                        }
                        if let Some(p) = picture
                            && !send_picture(&mut socket, id, &p).await
                        {
                            return;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = check.tick() => {
                if let Some(t) = &token && s.logins.check(t).is_none() {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
}
