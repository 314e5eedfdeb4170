//! Wires the host's session events into the thumbnail service: a capture
//! thread for every session with a display, stopped when the session ends.
//! The thumbnail crate knows displays, not the host; this is where they meet.

use podium_core::{Caller, Role, SessionId, SessionInfo};
use podium_host::{Host, HostEvent};
use podium_thumbnail::Service;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// Who lists every session for the service.
fn root() -> Caller {
    Caller {
        user: "root".into(),
        uid: 0,
        role: Role::Admin,
    }
}

/// Keeps a capture thread for every session of `host` that has a
/// display, from now on.
pub fn follow(thumbnails: &Arc<Service>, host: Arc<Host>) {
    let service = thumbnails.clone();
    let mut events = host.subscribe();
    for info in host.list(&root()).sessions {
        consider(&service, &host, &info);
    }
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(HostEvent::Added(i) | HostEvent::Changed(i)) => consider(&service, &host, &i),
                Ok(HostEvent::Removed { id, .. }) => service.stop(id),
                Ok(HostEvent::Messages { .. }) => {}
                Err(RecvError::Lagged(_)) => {
                    let live: Vec<SessionId> = host.list(&root()).sessions.iter().map(|s| s.id).collect();
                    service.keep_only(&live);
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

fn consider(service: &Arc<Service>, host: &Host, info: &SessionInfo) {
    if info.display.is_empty() || service.is_capturing(info.id) {
        return;
    }
    if let Some(access) = host.display_access(info.id) {
        service.start(info.id, info.uid, access);
    }
}
