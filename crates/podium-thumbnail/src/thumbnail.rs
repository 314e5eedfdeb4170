//! What the service hands out: pictures, news of new pictures, and why
//! there is none.

use crate::size::Size;
use podium_core::SessionId;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::oneshot;

/// One encoded thumbnail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thumbnail {
    /// JPEG bytes.
    pub jpeg: Arc<Vec<u8>>,
    /// Content ETag (quoted).
    pub etag: String,
}

/// "Session `id` has new pictures", with the ETag of each size made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThumbEvent {
    /// The session.
    pub id: SessionId,
    /// New ETags by size.
    pub etags: BTreeMap<Size, String>,
    /// The pictures made, for streams that push them.
    pub pictures: BTreeMap<Size, Thumbnail>,
}

/// Why no thumbnail could be given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThumbError {
    /// The session has no display to look at (yet, or any more).
    #[error("session {0} has no display to show")]
    NoDisplay(SessionId),
    /// Capturing failed.
    #[error("the display could not be captured: {0}")]
    Capture(String),
    /// The display cannot be captured as it is now (its screen is too
    /// large), but may be later: capturing goes on.
    #[error("the display cannot be shown now: {0}")]
    NotNow(String),
    /// The X connection failed while capturing.
    #[error("X: {0}")]
    X(String),
    /// The screen is not 24-bit colour in 32-bit pixels.
    #[error("unsupported screen format (depth {depth}, {bpp} bits per pixel)")]
    Format {
        /// Depth.
        depth: u8,
        /// Bits per pixel.
        bpp: u8,
    },
    /// Without MIT-SHM, the screen is too large to copy into the daemon.
    #[error("the screen ({width}×{height}) is too large to capture without MIT-SHM")]
    TooLarge {
        /// Width.
        width: u16,
        /// Height.
        height: u16,
    },
    /// Scaling, encoding or joining a picture failed: its words.
    #[error("{0}")]
    Picture(String),
}

impl ThumbError {
    /// An X failure, in words.
    pub(crate) fn x(e: impl std::fmt::Display) -> ThumbError {
        ThumbError::X(e.to_string())
    }

    /// A picture that could not be made, in words.
    pub(crate) fn picture(e: impl std::fmt::Display) -> ThumbError {
        ThumbError::Picture(e.to_string())
    }
}

/// A request for a fresh picture, sent to a session's capture thread.
pub(crate) struct Request {
    pub size: Size,
    pub reply: oneshot::Sender<Result<Thumbnail, ThumbError>>,
}
