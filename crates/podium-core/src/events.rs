//! What the events WebSocket (`GET /api/v1/events`) sends: one JSON object
//! per message, tagged by `type`.

use crate::{SessionId, SessionInfo, UserMessage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One message on the events WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The first message, and again after the client fell behind: every
    /// session the caller may see.
    Snapshot {
        /// The sessions.
        sessions: Vec<SessionInfo>,
    },
    /// A session appeared.
    SessionAdded {
        /// It.
        session: SessionInfo,
    },
    /// A session changed state, station, block, deadline …
    SessionChanged {
        /// It, as it is now.
        session: SessionInfo,
    },
    /// A session is gone.
    SessionRemoved {
        /// Its id.
        id: SessionId,
    },
    /// A session's desktop changed and new thumbnails are ready: fetch
    /// `/api/v1/sessions/{id}/thumbnail?size=…` with `If-None-Match`.
    ThumbnailUpdated {
        /// The session.
        id: SessionId,
        /// The new ETag of each size made (`small`, `medium`, `large`).
        etags: BTreeMap<String, String>,
    },
    /// The messages waiting on one of the caller's own sessions changed
    /// (one was sent or dismissed): sent to the session's user only.
    Messages {
        /// The session.
        id: SessionId,
        /// Every message still waiting, oldest first.
        messages: Vec<UserMessage>,
    },
}
