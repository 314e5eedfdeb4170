//! The viewer's side of the stream: the handshake, then client messages,
//! cut one by one so a relay can pass, drop or translate each.

use crate::be::{u16_at, u32_at};
use crate::{PixelFormat, RfbError};

/// The version line both sides speak.
pub const VERSION: &[u8; 12] = b"RFB 003.008\n";

/// What a client message is, with what a relay needs to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// The viewer's version line (12 bytes).
    Version,
    /// The security type it picked (always None here).
    SecurityType,
    /// ClientInit: whether it wants the desktop shared.
    ClientInit {
        /// Asked to share (a relay forces this on).
        shared: bool,
    },
    /// SetPixelFormat: the format of every later update.
    SetPixelFormat(PixelFormat),
    /// SetEncodings (rewrite it with [`crate::encodings::rewrite`]).
    SetEncodings,
    /// FramebufferUpdateRequest.
    UpdateRequest,
    /// KeyEvent.
    Key {
        /// Pressed or released.
        down: bool,
        /// The X keysym.
        keysym: u32,
    },
    /// PointerEvent.
    Pointer {
        /// Button mask.
        buttons: u8,
        /// Column.
        x: u16,
        /// Row.
        y: u16,
    },
    /// ClientCutText: only its 8-byte header is in `bytes`, the text is
    /// skipped unread (a relay drops it anyway).
    CutText,
    /// EnableContinuousUpdates.
    ContinuousUpdates,
    /// ClientFence.
    Fence,
    /// xvp (shut down, reboot, reset).
    Xvp,
    /// SetDesktopSize.
    SetDesktopSize,
    /// The QEMU extended key event.
    QemuKey {
        /// Pressed or released.
        down: bool,
        /// The X keysym.
        keysym: u32,
    },
}

/// One client message: its kind and its bytes as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMessage {
    /// What it is.
    pub kind: ClientKind,
    /// The whole message (for [`ClientKind::CutText`], its header only).
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Version,
    SecurityType,
    ClientInit,
    Messages,
}

/// Cuts a viewer's byte stream into messages.
#[derive(Debug)]
pub struct ClientReader {
    phase: Phase,
    buf: Vec<u8>,
    /// Bytes of a clipboard text still to skip.
    skip: u64,
}

impl Default for ClientReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientReader {
    /// A reader at the start of a connection.
    #[must_use]
    pub fn new() -> ClientReader {
        ClientReader {
            phase: Phase::Version,
            buf: Vec::new(),
            skip: 0,
        }
    }

    /// Adds bytes read from the viewer.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next whole message, or `None` until more bytes come.
    ///
    /// # Errors
    /// On a message this reader cannot frame; the connection must end.
    pub fn next_message(&mut self) -> Result<Option<ClientMessage>, RfbError> {
        if self.skip > 0 {
            let n = usize::try_from(self.skip).unwrap_or(usize::MAX).min(self.buf.len());
            self.buf.drain(..n);
            self.skip -= n as u64;
            if self.skip > 0 {
                return Ok(None);
            }
        }
        let Some(len) = self.length()? else {
            return Ok(None);
        };
        if self.buf.len() < len {
            return Ok(None);
        }
        let bytes: Vec<u8> = self.buf.drain(..len).collect();
        let kind = self.kind(&bytes)?;
        Ok(Some(ClientMessage { kind, bytes }))
    }

    /// The length of the next message, once enough of it is here to know.
    fn length(&self) -> Result<Option<usize>, RfbError> {
        let b = &self.buf;
        let need = |n: usize, f: &dyn Fn() -> usize| if b.len() < n { None } else { Some(f()) };
        Ok(match self.phase {
            Phase::Version => Some(12),
            Phase::SecurityType | Phase::ClientInit => Some(1),
            Phase::Messages => {
                let Some(&kind) = b.first() else { return Ok(None) };
                match kind {
                    0 => Some(20),
                    2 => need(4, &|| 4 + 4 * usize::from(u16_at(b, 2))),
                    3 | 150 => Some(10),
                    4 => Some(8),
                    5 => Some(6),
                    6 => Some(8),
                    248 => need(9, &|| 9 + usize::from(b[8])),
                    250 => Some(4),
                    251 => need(7, &|| 8 + 16 * usize::from(b[6])),
                    255 => match b.get(1) {
                        None => None,
                        Some(0) => Some(12),
                        Some(&other) => return Err(RfbError::QemuSubmessage(other)),
                    },
                    kind => {
                        return Err(RfbError::UnknownMessage {
                            direction: "client",
                            kind,
                        });
                    }
                }
            }
        })
    }

    fn kind(&mut self, b: &[u8]) -> Result<ClientKind, RfbError> {
        match self.phase {
            Phase::Version => {
                if b != VERSION {
                    return Err(RfbError::Version(String::from_utf8_lossy(b).into_owned()));
                }
                self.phase = Phase::SecurityType;
                return Ok(ClientKind::Version);
            }
            Phase::SecurityType => {
                if b[0] != 1 {
                    return Err(RfbError::SecurityType(b[0]));
                }
                self.phase = Phase::ClientInit;
                return Ok(ClientKind::SecurityType);
            }
            Phase::ClientInit => {
                self.phase = Phase::Messages;
                return Ok(ClientKind::ClientInit { shared: b[0] != 0 });
            }
            Phase::Messages => {}
        }
        Ok(match b[0] {
            0 => {
                let mut pf = [0u8; 16];
                pf.copy_from_slice(&b[4..20]);
                ClientKind::SetPixelFormat(PixelFormat::parse(&pf)?)
            }
            2 => ClientKind::SetEncodings,
            3 => ClientKind::UpdateRequest,
            4 => ClientKind::Key {
                down: b[1] != 0,
                keysym: u32_at(b, 4),
            },
            5 => ClientKind::Pointer {
                buttons: b[1],
                x: u16_at(b, 2),
                y: u16_at(b, 4),
            },
            6 => {
                // A negative length is the extended clipboard's.
                #[allow(clippy::cast_possible_wrap)]
                let len = u32_at(b, 4) as i32;
                self.skip = u64::from(len.unsigned_abs());
                ClientKind::CutText
            }
            150 => ClientKind::ContinuousUpdates,
            248 => ClientKind::Fence,
            250 => ClientKind::Xvp,
            251 => ClientKind::SetDesktopSize,
            _ => ClientKind::QemuKey {
                down: u16_at(b, 2) != 0,
                keysym: u32_at(b, 4),
            },
        })
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
