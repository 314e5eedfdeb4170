//! Reaching a program of the user's desktop over a Unix socket, and making
//! sure the listener is that program.
//!
//! The daemon runs as root and the socket's name is the user's to choose
//! (an abstract name anyone may take, or a file in a world-writable
//! directory), so a connection counts only when `SO_PEERCRED` says the
//! listener is the expected process of the session's user.

use crate::error::{HostError, Result};
use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::time::Duration;

/// Where a program listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// An abstract socket name (without the leading NUL).
    Abstract(String),
    /// A socket file.
    Path(std::path::PathBuf),
}

/// Connects to `address` and checks that process `pid` of user `uid`
/// listens there; reads and writes then time out after `timeout`.
///
/// # Errors
/// [`HostError::DesktopProgram`] naming `program` when the socket cannot be
/// reached or another process listens on it.
pub fn connect(program: &'static str, pid: i32, uid: u32, address: &Address, timeout: Duration) -> Result<UnixStream> {
    let fail = |why: String| HostError::DesktopProgram { program, pid, why };
    let stream = match address {
        Address::Abstract(name) => SocketAddr::from_abstract_name(name.as_bytes())
            .and_then(|a| UnixStream::connect_addr(&a))
            .map_err(|e| fail(format!("cannot connect to @{name}: {e}")))?,
        Address::Path(path) => {
            UnixStream::connect(path).map_err(|e| fail(format!("cannot connect to {}: {e}", path.display())))?
        }
    };
    let peer = getsockopt(&stream, PeerCredentials).map_err(|e| fail(format!("cannot see who listens: {e}")))?;
    if peer.pid() != pid || peer.uid() != uid {
        return Err(fail(format!(
            "the socket belongs to process {} of uid {}, not to the session's program",
            peer.pid(),
            peer.uid()
        )));
    }
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| fail(format!("cannot set a timeout: {e}")))?;
    Ok(stream)
}
