//! An ICE connection on a connected Unix stream: the byte-order exchange
//! that opens it, whole messages in and out within a deadline, and the
//! Pings ICE may send at any time, answered here so no step has to.

use crate::codec::ByteOrder;
use crate::decode::{decode, error_reason, frame_len};
use crate::encode::encode;
use crate::error::{Result, XsmpError};
use crate::message::{ErrorInfo, Message, ice};
use nix::errno::Errno;
use nix::sys::socket::{MsgFlags, recv, send};
use std::io::{ErrorKind, Read};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::Instant;

/// The major opcode we send XSMP messages with (any from 1 up would do:
/// it is ours to choose in ProtocolSetup).
pub const OUR_XSMP_OPCODE: u8 = 1;

/// One ICE connection, after the byte orders are known.
pub struct Conn {
    stream: UnixStream,
    ours: ByteOrder,
    peer: ByteOrder,
    /// The major opcode the manager sends XSMP with, once ProtocolReply told it.
    peer_xsmp: Option<u8>,
}

impl Conn {
    /// Sends our byte order and reads the manager's, which must be its
    /// first message; everything after is read in that order.
    pub fn open(stream: UnixStream, deadline: Instant) -> Result<Conn> {
        let ours = ByteOrder::native();
        let mut conn = Conn {
            stream,
            ours,
            peer: ours,
            peer_xsmp: None,
        };
        conn.send(&Message::ByteOrder(ours), deadline)?;
        let mut header = [0u8; 8];
        if !conn.read_full(&mut header, deadline, "the manager's ByteOrder")? {
            return Err(XsmpError::Closed {
                waiting_for: "the manager's ByteOrder",
            });
        }
        if header[..2] != [0, ice::BYTE_ORDER] || header[4..] != [0; 4] {
            return Err(XsmpError::Unexpected {
                got: "another message",
                waiting_for: "the manager's ByteOrder",
            });
        }
        conn.peer = ByteOrder::from_wire(header[2]).ok_or(XsmpError::Malformed("unknown byte order"))?;
        tracing::debug!(peer = ?conn.peer, "ICE: byte orders exchanged");
        Ok(conn)
    }

    /// From now on, messages with major opcode `opcode` are the manager's XSMP.
    pub fn set_peer_xsmp(&mut self, opcode: u8) {
        self.peer_xsmp = Some(opcode);
    }

    /// Writes one message whole before `deadline`.
    pub fn send(&mut self, msg: &Message, deadline: Instant) -> Result<()> {
        let bytes = encode(msg, self.ours, OUR_XSMP_OPCODE)?;
        tracing::debug!(message = msg.name(), bytes = bytes.len(), "ICE: sending");
        let waiting_for = "the manager to take our message";
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            self.stream.set_write_timeout(Some(remaining(deadline, waiting_for)?))?;
            match send(self.stream.as_raw_fd(), rest, MsgFlags::MSG_NOSIGNAL) {
                Ok(0) => return Err(XsmpError::Closed { waiting_for }),
                Ok(n) => rest = rest.get(n..).unwrap_or_default(),
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => return Err(XsmpError::Timeout { waiting_for }),
                Err(Errno::EPIPE | Errno::ECONNRESET) => {
                    return Err(XsmpError::Closed { waiting_for });
                }
                Err(e) => return Err(XsmpError::Io(e.into())),
            }
        }
        Ok(())
    }

    /// The next message other than Ping (answered here), or `None` when
    /// the manager closed the connection between messages.
    pub fn recv(&mut self, deadline: Instant, waiting_for: &'static str) -> Result<Option<Message>> {
        loop {
            let mut header = [0u8; 8];
            if !self.read_full(&mut header, deadline, waiting_for)? {
                tracing::debug!(waiting_for, "ICE: the manager closed the connection");
                return Ok(None);
            }
            let len = frame_len(&header, self.peer)?;
            let mut bytes = vec![0u8; len];
            bytes[..8].copy_from_slice(&header);
            if len > 8 && !self.read_full(&mut bytes[8..], deadline, waiting_for)? {
                return Err(XsmpError::Closed { waiting_for });
            }
            let msg = decode(&bytes, self.peer, self.peer_xsmp)?;
            tracing::debug!(message = msg.name(), bytes = len, "ICE: received");
            if msg == Message::Ping {
                self.send(&Message::PingReply, deadline)?;
                continue;
            }
            return Ok(Some(msg));
        }
    }

    /// Whether something (a message or the end of the stream) can be read
    /// before `until`, without reading it.
    pub fn wait_readable(&mut self, until: Instant) -> Result<bool> {
        let Ok(left) = remaining(until, "") else {
            return Ok(false);
        };
        self.stream.set_read_timeout(Some(left))?;
        loop {
            return match recv(self.stream.as_raw_fd(), &mut [0u8; 1], MsgFlags::MSG_PEEK) {
                Ok(_) | Err(Errno::ECONNRESET) => Ok(true),
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => Ok(false),
                Err(e) => Err(XsmpError::Io(e.into())),
            };
        }
    }

    /// Fills `buf`; false when the stream ended before its first byte
    /// (a reset connection counts as ended), an error when it ended within.
    fn read_full(&mut self, buf: &mut [u8], deadline: Instant, waiting_for: &'static str) -> Result<bool> {
        let mut filled = 0;
        while filled < buf.len() {
            self.stream.set_read_timeout(Some(remaining(deadline, waiting_for)?))?;
            let Some(into) = buf.get_mut(filled..) else { break };
            match self.stream.read(into) {
                Ok(0) if filled == 0 => return Ok(false),
                Ok(0) => return Err(XsmpError::Closed { waiting_for }),
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(XsmpError::Timeout { waiting_for });
                }
                Err(e) if e.kind() == ErrorKind::ConnectionReset && filled == 0 => return Ok(false),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(true)
    }

    /// The error to report for an Error message from the manager.
    pub fn refusal(&self, e: &ErrorInfo) -> XsmpError {
        let reason = error_reason(e, self.peer);
        tracing::debug!(
            class = e.class,
            severity = e.severity,
            ?reason,
            "ICE: the manager sent an Error"
        );
        XsmpError::Peer {
            major: e.major,
            class: e.class,
            severity: e.severity,
            offending_minor: e.offending_minor,
            reason,
        }
    }

    /// Ends the connection both ways; the manager reads an end of file.
    pub fn close(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// The time left before `deadline`, or a timeout error when none is.
fn remaining(deadline: Instant, waiting_for: &'static str) -> Result<std::time::Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(XsmpError::Timeout { waiting_for })
    } else {
        Ok(left)
    }
}
