//! Reaching a session's display as a client holding its cookie, after
//! making sure the socket is served by the session's own X server.

use crate::error::{Result, X11Error};
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
    /// [`X11Error::Display`] when the server is not there or refuses the cookie.
    pub fn connect(&self) -> Result<RustConnection> {
        let path = x_socket(self.display);
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
    pub fn error(&self, e: impl std::fmt::Display) -> X11Error {
        X11Error::Display {
            display: self.name(),
            message: e.to_string(),
        }
    }
}

/// The Unix socket of display `:N`, where every X client finds it.
#[must_use]
pub fn x_socket(display: u32) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("/tmp/.X11-unix/X{display}"))
}
