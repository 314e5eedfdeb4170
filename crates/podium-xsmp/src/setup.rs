//! The two set-ups before XSMP can be spoken on an ICE connection: the
//! connection's own (ConnectionSetup, authenticated with the "ICE"
//! cookie) and the protocol's (ProtocolSetup "XSMP", with the "XSMP"
//! cookie). Each may be answered by AuthRequired, which MIT-MAGIC-COOKIE-1
//! settles in one AuthReply carrying the cookie.

use crate::conn::{Conn, OUR_XSMP_OPCODE};
use crate::error::{Result, XsmpError};
use crate::message::Message;
use crate::outgoing::{RELEASE, connection_setup, protocol_setup};
use std::time::Instant;

/// Opens the ICE connection, authenticated with `cookie` if asked.
pub fn connection(conn: &mut Conn, cookie: Option<&[u8]>, deadline: Instant) -> Result<()> {
    const WAITING_FOR: &str = "ConnectionReply";
    conn.send(&connection_setup(RELEASE, cookie.is_some()), deadline)?;
    match authenticated_reply(conn, cookie, "ICE", WAITING_FOR, deadline)? {
        Message::ConnectionReply {
            version_index: 0,
            vendor,
            release,
        } => {
            tracing::debug!(%vendor, %release, "ICE: connection accepted");
            Ok(())
        }
        Message::ConnectionReply { .. } => {
            Err(XsmpError::Malformed("ConnectionReply chose a version we did not offer"))
        }
        other => Err(unexpected(&other, WAITING_FOR)),
    }
}

/// Starts XSMP on the connection, authenticated with `cookie` if asked;
/// from then on the manager's XSMP messages are known by the major
/// opcode it chose.
pub fn protocol(conn: &mut Conn, cookie: Option<&[u8]>, deadline: Instant) -> Result<()> {
    const WAITING_FOR: &str = "ProtocolReply";
    conn.send(&protocol_setup(RELEASE, cookie.is_some(), OUR_XSMP_OPCODE), deadline)?;
    match authenticated_reply(conn, cookie, "XSMP", WAITING_FOR, deadline)? {
        Message::ProtocolReply {
            version_index: 0,
            protocol_opcode,
            vendor,
            release,
        } if protocol_opcode != 0 => {
            tracing::debug!(%vendor, %release, protocol_opcode, "ICE: XSMP accepted");
            conn.set_peer_xsmp(protocol_opcode);
            Ok(())
        }
        Message::ProtocolReply { .. } => Err(XsmpError::Malformed(
            "ProtocolReply chose a version we did not offer or ICE's opcode 0",
        )),
        other => Err(unexpected(&other, WAITING_FOR)),
    }
}

/// The answer to a set-up message once authentication, if asked for, is
/// done: at most one AuthRequired, for the one method we offered.
fn authenticated_reply(
    conn: &mut Conn,
    cookie: Option<&[u8]>,
    protocol: &'static str,
    waiting_for: &'static str,
    deadline: Instant,
) -> Result<Message> {
    let mut authenticated = false;
    loop {
        match conn.recv(deadline, waiting_for)? {
            None => return Err(XsmpError::Closed { waiting_for }),
            Some(Message::AuthRequired { auth_index, .. }) => {
                let cookie = cookie.ok_or(XsmpError::NoCookie { protocol })?;
                if auth_index != 0 || authenticated {
                    return Err(XsmpError::Malformed(
                        "AuthRequired for a method we did not offer, or a second time",
                    ));
                }
                conn.send(&Message::AuthReply { data: cookie.to_vec() }, deadline)?;
                authenticated = true;
            }
            Some(Message::Error(e)) => return Err(conn.refusal(&e)),
            Some(other) => return Ok(other),
        }
    }
}

/// The error for a message that makes no sense at this point.
pub fn unexpected(msg: &Message, waiting_for: &'static str) -> XsmpError {
    XsmpError::Unexpected {
        got: msg.name(),
        waiting_for,
    }
}
