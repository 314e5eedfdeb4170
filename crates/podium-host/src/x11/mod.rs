//! X11 work the daemon does on a session's display, as a client holding
//! the session's cookie: asking windows to close ([`windows`]) and drawing
//! notices on top of everything ([`notice`], [`canvas`]).
//!
//! Everything here is blocking (x11rb's pure-Rust connection); the daemon
//! runs it on blocking threads, never on its async workers.

pub mod canvas;
pub mod notice;
pub mod windows;

use crate::error::{HostError, Result};
use crate::xauth::{Cookie, PROTOCOL};
use x11rb::rust_connection::{DefaultStream, RustConnection};

/// What it takes to reach a session's display.
#[derive(Clone, Debug)]
pub struct DisplayAccess {
    /// The display number.
    pub display: u32,
    /// The session's cookie.
    pub cookie: Cookie,
}

impl DisplayAccess {
    /// `:N`, for messages.
    #[must_use]
    pub fn name(&self) -> String {
        format!(":{}", self.display)
    }

    /// Opens a connection over the display's Unix socket.
    ///
    /// # Errors
    /// [`HostError::X11`] when the server is not there or refuses the cookie.
    pub fn connect(&self) -> Result<RustConnection> {
        let path = crate::display::x_socket(self.display);
        let stream = std::os::unix::net::UnixStream::connect(&path).map_err(|e| self.error(e))?;
        let (stream, _) = DefaultStream::from_unix_stream(stream).map_err(|e| self.error(e))?;
        RustConnection::connect_to_stream_with_auth_info(
            stream,
            0,
            PROTOCOL.as_bytes().to_vec(),
            self.cookie.0.to_vec(),
        )
        .map_err(|e| self.error(e))
    }

    /// An X11 error for this display.
    pub fn error(&self, e: impl std::fmt::Display) -> HostError {
        HostError::X11 {
            display: self.name(),
            message: e.to_string(),
        }
    }
}
