//! What the events WebSocket (`GET /api/v1/events`) sends: one JSON object
//! per text message, tagged by `type`; and, when the client asked for
//! pictures (`?thumbnails=medium`), each new picture as a binary message
//! ([`PictureFrame`]) right after its `thumbnail_updated`.

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
        /// Its host, when this host is part of a school's cluster.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        host: Option<String>,
        /// How a log off ended it: `closed`, `forced` or `failed` (absent
        /// when the session ended otherwise).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<crate::EndKind>,
        /// What the log off did to each application (absent when none had
        /// a window). A log off's results arrive after its request was
        /// answered; this is how the dashboard learns them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        applications: Vec<crate::AppOutcome>,
    },
    /// A session's desktop changed and new thumbnails are ready: fetch
    /// `/api/v1/sessions/{id}/thumbnail?size=…` with `If-None-Match`, or
    /// take the binary message that follows when the stream pushes pictures.
    ThumbnailUpdated {
        /// The session.
        id: SessionId,
        /// Its host, when this host is part of a school's cluster.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        host: Option<String>,
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

/// A picture pushed on the events WebSocket, as one binary message: the
/// session id (4 bytes, big-endian), the ETag's length (1 byte), the ETag
/// (ASCII, quoted as in the `ETag` header), the host's name's length (1
/// byte, 0 on a single host), the host's name, then the JPEG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PictureFrame<'a> {
    /// The session pictured.
    pub id: SessionId,
    /// Its host, when this host is part of a school's cluster.
    pub host: Option<&'a str>,
    /// The picture's ETag, as `GET /api/v1/sessions/{id}/thumbnail` gives it.
    pub etag: &'a str,
    /// The JPEG.
    pub jpeg: &'a [u8],
}

impl<'a> PictureFrame<'a> {
    /// The message's bytes (`None` for an ETag or a host name over 255
    /// bytes, which Podium never makes).
    #[must_use]
    pub fn encode(&self) -> Option<Vec<u8>> {
        let host = self.host.unwrap_or_default();
        let etag_len = u8::try_from(self.etag.len()).ok()?;
        let host_len = u8::try_from(host.len()).ok()?;
        let mut out = Vec::with_capacity(6 + self.etag.len() + host.len() + self.jpeg.len());
        out.extend_from_slice(&self.id.to_be_bytes());
        out.push(etag_len);
        out.extend_from_slice(self.etag.as_bytes());
        out.push(host_len);
        out.extend_from_slice(host.as_bytes());
        out.extend_from_slice(self.jpeg);
        Some(out)
    }

    /// Reads a message's bytes; `None` when they are not a picture frame.
    #[must_use]
    pub fn decode(bytes: &'a [u8]) -> Option<PictureFrame<'a>> {
        let id = SessionId::from_be_bytes(bytes.get(..4)?.try_into().ok()?);
        let etag_len = usize::from(*bytes.get(4)?);
        let etag = std::str::from_utf8(bytes.get(5..5 + etag_len)?).ok()?;
        let at = 5 + etag_len;
        let host_len = usize::from(*bytes.get(at)?);
        let host = std::str::from_utf8(bytes.get(at + 1..at + 1 + host_len)?).ok()?;
        Some(PictureFrame {
            id,
            host: (!host.is_empty()).then_some(host),
            etag,
            jpeg: bytes.get(at + 1 + host_len..)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_frames_go_and_come_back_and_garbage_is_no_frame() {
        let f = PictureFrame {
            id: 7,
            host: None,
            etag: "\"00ff\"",
            jpeg: &[0xff, 0xd8, 0xff, 0xd9],
        };
        let bytes = f.encode().expect("encodes");
        assert_eq!(&bytes[..5], &[0, 0, 0, 7, 6]);
        assert_eq!(bytes[11], 0, "no host");
        assert_eq!(PictureFrame::decode(&bytes), Some(f.clone()));
        let there = PictureFrame { host: Some("b"), ..f };
        let bytes = there.encode().expect("encodes");
        assert_eq!(&bytes[11..13], &[1, b'b']);
        assert_eq!(PictureFrame::decode(&bytes), Some(there));
        assert_eq!(PictureFrame::decode(&[0, 0, 0]), None);
        assert_eq!(
            PictureFrame::decode(&[0, 0, 0, 1, 9, b'x']),
            None,
            "an ETag longer than the message"
        );
        assert_eq!(
            PictureFrame::decode(&[0, 0, 0, 1, 1, b'x', 4, b'b']),
            None,
            "a host name longer than the message"
        );
        let long = "x".repeat(256);
        assert_eq!(
            PictureFrame {
                id: 1,
                host: None,
                etag: &long,
                jpeg: &[]
            }
            .encode(),
            None
        );
    }
}
