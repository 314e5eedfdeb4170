//! What the events WebSocket (`GET /api/v1/events`) sends: one JSON object
//! per message, tagged by `type`.

use crate::{SessionId, SessionInfo};
use serde::{Deserialize, Serialize};

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
}
