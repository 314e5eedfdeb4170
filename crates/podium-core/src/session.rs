//! A session as every client sees it (SPEC §3 and §8).

use crate::{Role, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A session's small integer id, unique on its host while the session lives.
pub type SessionId = u32;

/// Where a session is in its life. `blocked` is a flag on top of
/// [`SessionState::Active`] and [`SessionState::Disconnected`], not a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    /// The display and desktop are being brought up.
    Starting,
    /// A station is connected.
    Active,
    /// Running with no station connected.
    Disconnected,
    /// A log off is under way.
    Closing,
}

impl SessionState {
    /// The word used in JSON and tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Starting => "starting",
            SessionState::Active => "active",
            SessionState::Disconnected => "disconnected",
            SessionState::Closing => "closing",
        }
    }

    /// Parses the word [`SessionState::as_str`] gives.
    #[must_use]
    pub fn from_word(word: &str) -> Option<Self> {
        [
            SessionState::Starting,
            SessionState::Active,
            SessionState::Disconnected,
            SessionState::Closing,
        ]
        .into_iter()
        .find(|s| s.as_str() == word)
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The station a session is shown on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Station {
    /// What the person uses, e.g. `browser`.
    pub kind: String,
    /// The remote address the station connected from.
    pub address: String,
    /// When it connected.
    pub since: Timestamp,
}

/// One session, exactly the JSON shape of SPEC §8.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionInfo {
    /// Small integer id, unique on the host while the session lives.
    pub id: SessionId,
    /// Login name of the session's user.
    pub user: String,
    /// Numeric user id.
    pub uid: u32,
    /// The user's full name (GECOS), or the login name when it has none.
    pub full_name: String,
    /// The user's role, looked up when the list is made.
    pub role: Role,
    /// The connected station, if any.
    pub station: Option<Station>,
    /// Life-cycle state.
    pub state: SessionState,
    /// Whether the screen is covered by a block notice.
    pub blocked: bool,
    /// The text of the block notice.
    pub block_message: Option<String>,
    /// X display name, e.g. `:3`.
    pub display: String,
    /// When the session was started.
    pub created_at: Timestamp,
    /// When the current station connected.
    pub connected_at: Option<Timestamp>,
    /// When a pending log off will close the session.
    pub logoff_deadline: Option<Timestamp>,
    /// The host it runs on, in a school of several hosts (absent on a
    /// single host): `HOST/ID` names it school-wide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// While a teacher projects their desktop onto this session: their full
    /// name. The station then shows `GET /api/v1/station/projection`
    /// instead of its own desktop, whose input is off (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected_by: Option<String>,
}

/// The body of `GET /api/v1/station`: the caller's own session, as their
/// station sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StationStatus {
    /// The session, if the caller has one.
    pub session: Option<SessionInfo>,
    /// Whether the station is locked (the password must be given again).
    pub locked: bool,
    /// Messages waiting for the user to dismiss them, oldest first.
    #[serde(default)]
    pub messages: Vec<UserMessage>,
    /// Whether the desktop takes the size of the station's screen area
    /// (`[session] follow_station_size`, as the session was started);
    /// when false it keeps its size and the station scales it.
    #[serde(default = "follows")]
    pub follow_size: bool,
}

fn follows() -> bool {
    true
}

/// A message sent from the dashboard, shown on the desktop and the station
/// until its user dismisses it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserMessage {
    /// Its id, for `POST /api/v1/station/messages/{id}/dismiss`.
    #[schema(minimum = 0)]
    pub id: u64,
    /// Login of who sent it.
    pub from: String,
    /// Their full name, as the message shows it.
    pub from_name: String,
    /// The text.
    pub text: String,
    /// When it was sent.
    pub sent_at: Timestamp,
}

/// The body of `GET /api/v1/sessions` and of `podium session list --json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionList {
    /// Sessions the caller may see, by id.
    pub sessions: Vec<SessionInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_json_has_the_shape_of_the_spec() {
        let s = SessionInfo {
            id: 3,
            user: "alice".into(),
            uid: 1001,
            full_name: "Alice Martin".into(),
            role: Role::Standard,
            station: None,
            state: SessionState::Active,
            blocked: false,
            block_message: None,
            display: ":3".into(),
            created_at: Timestamp::parse("2026-11-24T09:00:00Z").expect("valid time"),
            connected_at: None,
            logoff_deadline: None,
            host: None,
            projected_by: None,
        };
        let json = serde_json::to_string(&s).expect("serializes");
        assert_eq!(
            json,
            r#"{"id":3,"user":"alice","uid":1001,"full_name":"Alice Martin","role":"standard","station":null,"state":"active","blocked":false,"block_message":null,"display":":3","created_at":"2026-11-24T09:00:00Z","connected_at":null,"logoff_deadline":null}"#
        );
        let back: SessionInfo = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, s);
    }

    #[test]
    fn state_words_round_trip() {
        for word in ["starting", "active", "disconnected", "closing"] {
            let state = SessionState::from_word(word).expect("known word");
            assert_eq!(state.as_str(), word);
        }
        assert_eq!(SessionState::from_word("gone"), None);
    }
}
