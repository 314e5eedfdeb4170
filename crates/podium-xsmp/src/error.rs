//! The one error type of the XSMP crate.
//!
//! Everything here describes something the session manager (a program the
//! session's user controls) did or failed to do, or a file that user
//! wrote, so every variant carries only plain values: the caller logs it
//! and falls back to its own way of ending the session.

/// What can go wrong reading an ICE authority file or talking XSMP to a
/// session manager.
#[derive(Debug, thiserror::Error)]
pub enum XsmpError {
    /// The socket failed (other than by a timeout or the manager closing it).
    #[error("session manager connection: {0}")]
    Io(#[from] std::io::Error),
    /// The manager did not send what we wait for in the time we gave it.
    #[error("the session manager did not answer in time (waiting for {waiting_for})")]
    Timeout {
        /// The message or step we were waiting for.
        waiting_for: &'static str,
    },
    /// The manager closed the connection before the conversation reached
    /// its end.
    #[error("the session manager closed the connection (waiting for {waiting_for})")]
    Closed {
        /// The message or step we were waiting for.
        waiting_for: &'static str,
    },
    /// The manager closed the connection after our log-out request without
    /// starting a shutdown: xfce4-session drops a client that asks while it
    /// is still starting the session or saving it, so asking again later
    /// may work.
    #[error("the session manager dropped the connection instead of starting the shutdown")]
    Dropped,
    /// A message that breaks the protocol's rules: a length that does not
    /// add up, a value out of range, a count over our limits.
    #[error("malformed message from the session manager: {0}")]
    Malformed(&'static str),
    /// A message announcing more bytes than we accept.
    #[error("message of {0} bytes from the session manager is longer than allowed")]
    TooLong(u64),
    /// A well-formed message that makes no sense at this point.
    #[error("unexpected {got} from the session manager (waiting for {waiting_for})")]
    Unexpected {
        /// The message received.
        got: &'static str,
        /// The message or step we were waiting for.
        waiting_for: &'static str,
    },
    /// The manager answered with an ICE or XSMP Error message.
    #[error(
        "the session manager reports error class {class:#06x} (severity {severity}) about our minor opcode {offending_minor} of protocol {major}{}",
        reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
    )]
    Peer {
        /// Major opcode of the protocol the error belongs to (0: ICE itself).
        major: u8,
        /// The error class (`IceNoAuth`, `IceAuthRejected`, `IceBadState` …).
        class: u16,
        /// 0 can continue, 1 fatal to the protocol, 2 fatal to the connection.
        severity: u8,
        /// Minor opcode of our message it is about.
        offending_minor: u8,
        /// The manager's words, when the error class carries some.
        reason: Option<String>,
    },
    /// The manager wants authentication we have no cookie for.
    #[error("the session manager asks for a {protocol} cookie and the authority file has none for it")]
    NoCookie {
        /// `ICE` (connection set-up) or `XSMP` (protocol set-up).
        protocol: &'static str,
    },
    /// The ICE authority file cannot be read as one.
    #[error("ICE authority file: {0}")]
    Authority(&'static str),
    /// Something we were asked to send does not fit its field on the wire.
    #[error("cannot encode {0}: too long for its field")]
    Encode(&'static str),
}

/// Results of this crate.
pub type Result<T, E = XsmpError> = std::result::Result<T, E>;
