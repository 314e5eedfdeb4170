//! What can be wrong in an RFB stream.

/// A stream this crate cannot frame: the connection must end, since the
/// next message's start is unknowable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RfbError {
    /// The version line is not RFB 3.8.
    #[error("not an RFB 3.8 version line: {0:?}")]
    Version(String),
    /// The viewer picked a security type other than None (1).
    #[error("security type {0} is not supported (only None)")]
    SecurityType(u8),
    /// A message type this reader does not know.
    #[error("unknown {direction} message type {kind}")]
    UnknownMessage {
        /// "client" or "server".
        direction: &'static str,
        /// The type byte.
        kind: u8,
    },
    /// A QEMU client message other than the extended key event.
    #[error("unsupported QEMU client message {0}")]
    QemuSubmessage(u8),
    /// A rectangle in an encoding that was not asked for.
    #[error("rectangle in encoding {0}, which this reader cannot frame")]
    Encoding(i32),
    /// A Tight rectangle with a compression type this reader cannot frame.
    #[error("Tight rectangle with control byte {0:#04x}")]
    TightControl(u8),
    /// A Tight rectangle with an unknown filter.
    #[error("Tight rectangle with filter {0}")]
    TightFilter(u8),
    /// A pixel format RFB does not allow.
    #[error("bad pixel format: {0} bits per pixel")]
    PixelFormat(u8),
}
