//! The one error type of the X11 crate.

use std::path::PathBuf;

/// What can go wrong talking to a session's display or handling its cookie.
#[derive(Debug, thiserror::Error)]
pub enum X11Error {
    /// The display refused, vanished or is not the session's: its words,
    /// with the display's name.
    #[error("display {display}: {message}")]
    Display {
        /// The display, e.g. `:3`.
        display: String,
        /// What went wrong.
        message: String,
    },
    /// A cookie file could not be read or written.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done ("write", "chmod") …
        what: &'static str,
        /// … to which file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// An X request failed or got an error reply.
    #[error(transparent)]
    Reply(#[from] x11rb::errors::ReplyError),
    /// A VNC-EXTENSION parameter name or value too long for its request.
    #[error("{0:?} is too long for VNC-EXTENSION")]
    TooLong(String),
    /// The system has no randomness to make a cookie with.
    #[error("no random bytes for a cookie: {0}")]
    Random(#[from] podium_sys::SysError),
}

impl From<x11rb::errors::ConnectionError> for X11Error {
    fn from(e: x11rb::errors::ConnectionError) -> Self {
        X11Error::Reply(e.into())
    }
}

impl X11Error {
    /// An I/O error with the file and the operation it concerned.
    pub fn io(what: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> X11Error {
        let path = path.into();
        move |source| X11Error::Io { what, path, source }
    }

    /// Whether this failed because the disk is full.
    #[must_use]
    pub fn is_disk_full(&self) -> bool {
        matches!(self, X11Error::Io { source, .. } if source.raw_os_error() == Some(libc::ENOSPC))
    }
}

/// Results of this crate.
pub type Result<T, E = X11Error> = std::result::Result<T, E>;
