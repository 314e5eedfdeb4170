//! Telling systemd how the daemon is doing (`Type=notify` in
//! `podium.service`): `READY=1` once every listener is bound and the
//! sessions are taken back, `STOPPING=1` when it shuts down.
//!
//! The protocol is one datagram per message, sent to the Unix socket named
//! by `$NOTIFY_SOCKET`: a path, or an abstract socket name written with a
//! leading `@`. Without the variable (not started by systemd) nothing is
//! sent. See sd_notify(3).

use std::ffi::OsStr;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};

/// The variable systemd sets for a `Type=notify` service.
pub const NOTIFY_SOCKET: &str = "NOTIFY_SOCKET";

/// Sends `state` (e.g. `READY=1`) to the socket in `$NOTIFY_SOCKET`.
/// Returns whether there was a socket to tell.
///
/// # Errors
/// The variable names no usable socket, or the datagram cannot be sent.
pub fn notify(state: &str) -> io::Result<bool> {
    match std::env::var_os(NOTIFY_SOCKET) {
        Some(socket) if !socket.is_empty() => notify_to(&socket, state).map(|()| true),
        _ => Ok(false),
    }
}

/// Sends `state` to `socket`: an absolute path, or `@name` for the
/// abstract socket `name`.
///
/// # Errors
/// `socket` is neither form, or the datagram cannot be sent.
pub fn notify_to(socket: &OsStr, state: &str) -> io::Result<()> {
    let bytes = socket.as_bytes();
    let addr = match bytes.first() {
        Some(b'@') => SocketAddr::from_abstract_name(&bytes[1..])?,
        Some(b'/') => SocketAddr::from_pathname(socket)?,
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{NOTIFY_SOCKET}={} is neither an absolute path nor an @abstract name",
                    socket.to_string_lossy()
                ),
            ));
        }
    };
    let sender = UnixDatagram::unbound()?;
    let sent = sender.send_to_addr(state.as_bytes(), &addr)?;
    if sent != state.len() {
        return Err(io::Error::new(io::ErrorKind::WriteZero, "notification cut short"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn receive(listener: &UnixDatagram) -> String {
        listener
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("set timeout");
        let mut buf = [0u8; 256];
        let n = listener.recv(&mut buf).expect("a datagram arrives");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn sends_one_datagram_to_a_socket_path() {
        let dir = std::env::temp_dir().join(format!("podium-notify-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("test dir");
        let path = dir.join("notify.sock");
        let _ = std::fs::remove_file(&path);
        let listener = UnixDatagram::bind(&path).expect("bind");
        notify_to(path.as_os_str(), "READY=1").expect("sent");
        assert_eq!(receive(&listener), "READY=1");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn sends_to_an_abstract_socket_written_with_an_at_sign() {
        let name = format!("podium-notify-test-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).expect("address");
        let listener = UnixDatagram::bind_addr(&addr).expect("bind");
        notify_to(OsStr::new(&format!("@{name}")), "STOPPING=1").expect("sent");
        assert_eq!(receive(&listener), "STOPPING=1");
    }

    #[test]
    fn refuses_a_relative_or_empty_address() {
        for bad in ["notify.sock", ""] {
            let e = notify_to(OsStr::new(bad), "READY=1").expect_err(bad);
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{bad}: {e}");
        }
    }

    #[test]
    fn a_missing_listener_is_an_error_not_a_hang() {
        let e = notify_to(OsStr::new("/nonexistent/podium/notify.sock"), "READY=1");
        assert!(e.is_err());
    }
}
