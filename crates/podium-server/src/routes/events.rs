//! `/events`: the live WebSocket of session changes.

use crate::auth::COOKIE;
use crate::documented::{Documented, documented};
use crate::error::AppError;
use crate::identity::{Who, check_same_origin, cookie};
use crate::school::here;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use podium_cluster::Change;
use podium_core::permission::may_see;
use podium_core::{Caller, ErrorBody, Event, PictureFrame};
use podium_host::HostEvent;
use podium_thumbnail::Size;
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
    /// `true`: also the sessions of the school's other hosts (each with
    /// its `host`), their changes as this host hears of them, and, with
    /// `thumbnails`, their pictures; this host's only otherwise.
    school: Option<bool>,
}

/// A WebSocket of JSON [`Event`]s: first a snapshot of the sessions the
/// caller may see, then each session added, changed or removed, and each
/// new thumbnail; with `?thumbnails=SIZE`, the pictures themselves as
/// binary messages (4-byte big-endian session id, 1-byte ETag length, the
/// ETag, 1-byte host name length, the host name, the JPEG); with
/// `?school=true`, every host's sessions the caller may see. The upgrade
/// is refused for pages of other origins.
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
    let school = q.school == Some(true);
    Ok(ws.on_upgrade(move |socket| {
        stream(
            socket,
            s,
            Open {
                caller,
                token,
                push,
                school,
            },
        )
    }))
}

/// What one stream was opened for.
struct Open {
    caller: Caller,
    token: Option<String>,
    push: Option<Size>,
    school: bool,
}

/// Sends a picture as a binary message; false when the socket is gone.
async fn send_picture(socket: &mut WebSocket, host: Option<&str>, id: u32, etag: &str, jpeg: &[u8]) -> bool {
    let frame = PictureFrame { id, host, etag, jpeg };
    match frame.encode() {
        Some(bytes) => socket.send(Message::Binary(bytes.into())).await.is_ok(),
        None => true,
    }
}

/// The current pictures of `size` of this host's sessions `ids` (those
/// the snapshot showed), and of the other hosts' the stream shows.
async fn send_current(socket: &mut WebSocket, s: &AppState, open: &Open, ids: &[u32], size: Size) -> bool {
    let host = here(s);
    for &id in ids {
        if let Some(t) = s.thumbnails.current(id, size)
            && !send_picture(socket, host.as_deref(), id, &t.etag, &t.jpeg).await
        {
            return false;
        }
    }
    if open.school
        && let Some(node) = &s.cluster
    {
        for p in node.pictures_of(size.as_str()) {
            if remote_visible(s, &open.caller, &p.host, p.id)
                && !send_picture(socket, Some(&p.host), p.id, &p.etag, &p.jpeg).await
            {
                return false;
            }
        }
    }
    true
}

/// The snapshot, then the current pictures: what a stream starts with,
/// and starts again with when it fell behind. False when the socket is
/// gone.
async fn send_all(socket: &mut WebSocket, s: &AppState, open: &Open) -> bool {
    let mut sessions = s.host.list(&open.caller).sessions;
    let ids: Vec<u32> = sessions.iter().map(|i| i.id).collect();
    if open.school {
        sessions.extend(crate::school::others(s, &open.caller));
    }
    if !send(socket, &Event::Snapshot { sessions }).await {
        return false;
    }
    match open.push {
        Some(size) => send_current(socket, s, open, &ids, size).await,
        None => true,
    }
}

/// Whether `caller` may see session `id` of another host.
fn remote_visible(s: &AppState, caller: &Caller, host: &str, id: u32) -> bool {
    s.cluster
        .as_ref()
        .and_then(|node| node.directory().session(host, id))
        .is_some_and(|session| may_see(caller, session.uid))
}

fn thumbnail_event(s: &AppState, caller: &Caller, e: podium_thumbnail::ThumbEvent) -> Option<Event> {
    s.host.may_see(caller, e.id).then(|| Event::ThumbnailUpdated {
        id: e.id,
        host: here(s),
        etags: e
            .etags
            .into_iter()
            .map(|(size, etag)| (size.as_str().to_owned(), etag))
            .collect(),
    })
}

fn visible(s: &AppState, caller: &Caller, e: HostEvent) -> Option<Event> {
    match e {
        HostEvent::Added(i) => may_see(caller, i.uid).then_some(Event::SessionAdded { session: i }),
        HostEvent::Changed(i) => may_see(caller, i.uid).then_some(Event::SessionChanged { session: i }),
        HostEvent::Removed {
            id,
            uid,
            end,
            applications,
        } => may_see(caller, uid).then(|| Event::SessionRemoved {
            id,
            host: here(s),
            end,
            applications,
        }),
        // Messages are the user's own business.
        HostEvent::Messages { id, uid, messages } => (caller.uid == uid).then_some(Event::Messages { id, messages }),
    }
}

/// Another host's session change, as the caller may see it. A session
/// gone is told to every caller: one who could not see it ignores an id
/// it does not know.
fn remote_event(caller: &Caller, change: Change) -> Option<Event> {
    match change {
        Change::Session { host, session, added } => may_see(caller, session.uid).then(|| {
            let mut session = *session;
            session.host = Some(host);
            if added {
                Event::SessionAdded { session }
            } else {
                Event::SessionChanged { session }
            }
        }),
        Change::Gone { host, id } => Some(Event::SessionRemoved {
            id,
            host: Some(host),
            end: None,
            applications: Vec::new(),
        }),
        Change::Ended { host, ended } => may_see(caller, ended.uid).then_some(Event::SessionRemoved {
            id: ended.id,
            host: Some(host),
            end: Some(ended.end),
            applications: ended.applications,
        }),
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

async fn stream(mut socket: WebSocket, s: AppState, open: Open) {
    let mut rx = s.host.subscribe();
    let mut thumbs = s.thumbnails.subscribe();
    let node = s.cluster.clone().filter(|_| open.school);
    let mut changes = node.as_ref().map(|n| n.directory().changes());
    let mut pictures = node.as_ref().map(|n| n.pictures());
    // While this stream is open, the desktops it may see are kept current,
    // the other hosts' too.
    let caller = &open.caller;
    let _watching = s
        .thumbnails
        .watch_pushing(caller.uid, caller.role.oversees(), open.push);
    // A projection started from this login lasts while it has a stream open.
    let _dashboard = open.token.as_deref().map(|t| s.projections.dashboard_open(t));
    let mut lease = tokio::time::interval(podium_cluster::Lease::RENEWED);
    // The first lease asks for every current picture afresh.
    let mut leased = false;
    if !send_all(&mut socket, &s, &open).await {
        return;
    }
    let mut check = tokio::time::interval(LOGIN_CHECK);
    check.tick().await;
    loop {
        let going = tokio::select! {
            e = rx.recv() => match e {
                Ok(e) => match visible(&s, caller, e) {
                    Some(event) => send(&mut socket, &event).await,
                    None => true,
                },
                Err(RecvError::Lagged(_)) => send_all(&mut socket, &s, &open).await,
                Err(RecvError::Closed) => false,
            },
            t = thumbs.recv() => match t {
                Ok(t) => local_picture(&mut socket, &s, &open, t).await,
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => false,
            },
            c = next(&mut changes) => match c {
                Ok(c) => match remote_event(caller, c) {
                    Some(event) => send(&mut socket, &event).await,
                    None => true,
                },
                Err(RecvError::Lagged(_)) => send_all(&mut socket, &s, &open).await,
                Err(RecvError::Closed) => false,
            },
            p = next(&mut pictures) => match p {
                Ok(p) => remote_picture(&mut socket, &s, &open, &p).await,
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => false,
            },
            _ = lease.tick(), if node.is_some() && open.push.is_some() => {
                if let (Some(node), Some(size)) = (&node, open.push) {
                    // Never held up by NATS: the stream's own events go on.
                    let (node, fresh) = (node.clone(), !leased);
                    tokio::spawn(async move { node.lease(size.as_str(), fresh).await });
                    leased = true;
                }
                true
            }
            msg = socket.recv() => !matches!(msg, Some(Ok(Message::Close(_)) | Err(_)) | None),
            _ = check.tick() => {
                let ended = open.token.as_ref().is_some_and(|t| s.logins.check(t).is_none());
                if ended {
                    let _ = socket.send(Message::Close(None)).await;
                }
                !ended
            }
        };
        if !going {
            return;
        }
    }
}

/// One of this host's new pictures: its event, then the picture itself
/// when the stream pushes its size. False when the socket is gone.
async fn local_picture(socket: &mut WebSocket, s: &AppState, open: &Open, t: podium_thumbnail::ThumbEvent) -> bool {
    let (id, picture) = (t.id, open.push.and_then(|size| t.pictures.get(&size).cloned()));
    let Some(event) = thumbnail_event(s, &open.caller, t) else {
        return true;
    };
    if !send(socket, &event).await {
        return false;
    }
    match picture {
        Some(p) => send_picture(socket, here(s).as_deref(), id, &p.etag, &p.jpeg).await,
        None => true,
    }
}

/// Another host's new picture, if of the size pushed and of a session the
/// caller may see. False when the socket is gone.
async fn remote_picture(socket: &mut WebSocket, s: &AppState, open: &Open, p: &podium_cluster::Picture) -> bool {
    let shown = open.push.is_some_and(|size| size.as_str() == p.size);
    if !shown || !remote_visible(s, &open.caller, &p.host, p.id) {
        return true;
    }
    let event = Event::ThumbnailUpdated {
        id: p.id,
        host: Some(p.host.clone()),
        etags: [(p.size.clone(), p.etag.clone())].into(),
    };
    send(socket, &event).await && send_picture(socket, Some(&p.host), p.id, &p.etag, &p.jpeg).await
}

/// The next message of an optional receiver; never, without one.
async fn next<T: Clone>(rx: &mut Option<tokio::sync::broadcast::Receiver<T>>) -> Result<T, RecvError> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
