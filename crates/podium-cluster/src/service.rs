//! Actions on another host's sessions: one NATS request per host, never
//! queued (a "log off all" must not replay an hour later). The caller's
//! name travels signed by the asking host ([`crate::assertion`]); the
//! owning host checks it, then decides permission itself, from its own
//! view of the caller's groups, as for a caller of its own.

use podium_core::{ActionResults, BlockRequest, LogoffRequest, MessageRequest, TargetsRequest};
use serde::{Deserialize, Serialize};

/// An action, with the sessions of the host asked (ids without a host).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "request", rename_all = "snake_case", deny_unknown_fields)]
pub enum Remote {
    /// Log off.
    Logoff(LogoffRequest),
    /// Disconnect.
    Disconnect(TargetsRequest),
    /// Block.
    Block(BlockRequest),
    /// Unblock.
    Unblock(TargetsRequest),
    /// Send a message.
    Message(MessageRequest),
}

/// What one host asks another.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ask {
    /// The signed caller.
    pub caller: String,
    /// What to do.
    pub action: Remote,
}

/// The owning host's answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Answer {
    /// The outcome of each session.
    Results(ActionResults),
    /// The request itself was refused (who asks could not be believed, or
    /// the request could not be read), in words.
    Refused(String),
}

/// Where host `host` takes actions.
#[must_use]
pub fn subject(host: &str) -> String {
    format!("podium.request.{host}.action")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_reads_back() {
        let ask = Ask {
            caller: "token".into(),
            action: Remote::Logoff(LogoffRequest {
                sessions: vec![podium_core::SessionRef::here(3)],
                grace_seconds: Some(0),
                ..LogoffRequest::default()
            }),
        };
        let text = serde_json::to_string(&ask).expect("json");
        assert!(text.contains(r#""action":"logoff""#), "{text}");
        let back: Ask = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.action, ask.action);
        assert_eq!(subject("room-12"), "podium.request.room-12.action");
    }
}
