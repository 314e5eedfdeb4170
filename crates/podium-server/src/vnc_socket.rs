//! Reaching a session's VNC socket, for the station relay and the viewer
//! relay alike: the socket must be served by the session's own Xvnc.

use crate::error::AppError;
use podium_core::ErrorCode;
use std::path::Path;
use tokio::net::UnixStream;

/// Connects to `socket` and makes sure the session's own Xvnc is what
/// listens there: `server` is its user's uid and its pid (the socket's
/// directory is the user's, so another program of theirs could bind it).
pub(crate) async fn connect(socket: &Path, server: (u32, i32)) -> Result<UnixStream, AppError> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|e| AppError::new(ErrorCode::Unavailable, format!("the desktop cannot be reached: {e}")))?;
    let peer = stream.peer_cred().map_err(|e| AppError::internal(&e))?;
    let (uid, pid) = server;
    if peer.uid() != uid || peer.pid() != Some(pid) {
        tracing::warn!(socket = %socket.display(), peer_pid = ?peer.pid(), "VNC socket not served by the session's Xvnc");
        return Err(AppError::new(ErrorCode::Unavailable, "the desktop cannot be reached"));
    }
    Ok(stream)
}
