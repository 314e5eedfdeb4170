//! `/events`: the live WebSocket of session changes.

use crate::AppState;
use crate::auth::COOKIE;
use crate::error::AppError;
use crate::identity::{Who, check_same_origin, cookie};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use podium_core::permission::may_see;
use podium_core::{Caller, ErrorBody, Event};
use podium_host::HostEvent;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The events route.
pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

/// A WebSocket of JSON [`Event`]s: first a snapshot of the sessions the
/// caller may see, then each session added, changed or removed. The
/// upgrade is refused for pages of other origins.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "sessions",
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
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    check_same_origin(&headers, true)?;
    let ws = ws.map_err(|e| AppError::bad_request(format!("this route is a WebSocket ({})", e.body_text())))?;
    let token = cookie(&headers, COOKIE);
    Ok(ws.on_upgrade(move |socket| stream(socket, s, caller, token)))
}

fn snapshot(s: &AppState, caller: &Caller) -> Event {
    Event::Snapshot {
        sessions: s.host.list(caller).sessions,
    }
}

fn thumbnail_event(s: &AppState, caller: &Caller, e: podium_thumbnail::ThumbEvent) -> Option<Event> {
    let owner = s.host.get(caller, e.id)?;
    may_see(caller, owner.uid).then(|| Event::ThumbnailUpdated {
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
        HostEvent::Removed { id, uid } => may_see(caller, uid).then_some(Event::SessionRemoved { id }),
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

async fn stream(mut socket: WebSocket, s: AppState, caller: Caller, token: Option<String>) {
    let mut rx = s.host.subscribe();
    let mut thumbs = s.thumbnails.subscribe();
    // While this stream is open, the desktops it may see are kept current.
    let _watching = s.thumbnails.watch(caller.uid, caller.role.oversees());
    if !send(&mut socket, &snapshot(&s, &caller)).await {
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
                }
                Err(RecvError::Closed) => return,
            },
            t = thumbs.recv() => match t {
                Ok(t) => {
                    if let Some(event) = thumbnail_event(&s, &caller, t)
                        && !send(&mut socket, &event).await
                    {
                        return;
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
