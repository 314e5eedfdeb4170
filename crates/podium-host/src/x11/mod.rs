//! X11 work the daemon does on a session's display, as a client holding
//! the session's cookie: asking windows to close ([`windows`]), drawing
//! notices on top of everything — the log-off warning ([`notice`]), the
//! block notice ([`block`]), messages ([`message`]), all in [`overlay`]
//! windows drawn with [`canvas`] and [`text`] — and telling Xvnc to ignore
//! its viewers' input or drop them ([`vncext`]).
//!
//! Everything here is blocking (x11rb's pure-Rust connection); the daemon
//! runs it on blocking threads, never on its async workers.

pub mod block;
pub mod canvas;
pub mod message;
pub mod notice;
pub mod overlay;
pub mod text;
pub mod vncext;
pub mod windows;

pub use notice::Lang;

use crate::error::{HostError, Result};
use crate::xauth::{Cookie, PROTOCOL};
use x11rb::rust_connection::{DefaultStream, RustConnection};

/// What it takes to reach a session's display, and to be sure it is that
/// session's server: the X socket lives in world-writable /tmp, so the
/// server's credentials are checked before the cookie is sent.
#[derive(Clone, Debug)]
pub struct DisplayAccess {
    /// The display number.
    pub display: u32,
    /// The session's cookie.
    pub cookie: Cookie,
    /// The uid the display server runs as (the session's user).
    pub server_uid: u32,
    /// The display server's pid.
    pub server_pid: i32,
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
        let peer = nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials)
            .map_err(|e| self.error(e))?;
        if peer.uid() != self.server_uid || peer.pid() != self.server_pid {
            return Err(self.error(format!(
                "{} is served by pid {} (uid {}), not by the session's display server",
                path.display(),
                peer.pid(),
                peer.uid()
            )));
        }
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
