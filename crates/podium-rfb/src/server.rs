//! The server's side of the stream: the handshake, then server messages,
//! followed byte by byte (a framebuffer update can be megabytes; it is
//! passed on as it comes, never held whole).

use crate::be::{u16_at, u32_at};
use crate::client::VERSION;
use crate::encodings as enc;
use crate::tight::{self, TightStep};
use crate::{PixelFormat, RfbError};

/// A server message that ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// The version line.
    Version,
    /// The security types offered.
    SecurityTypes,
    /// The security result (with its reason when refused).
    SecurityResult,
    /// ServerInit: the desktop's size, pixel format and name.
    ServerInit,
    /// A FramebufferUpdate, all its rectangles.
    Update,
    /// SetColourMapEntries.
    ColourMap,
    /// Bell.
    Bell,
    /// ServerCutText, classic or extended: never passed on.
    CutText,
    /// EndOfContinuousUpdates.
    EndOfContinuousUpdates,
    /// ServerFence.
    Fence,
    /// xvp.
    Xvp,
}

/// Where the reader is; each step needs a fixed number of header bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Version,
    SecurityCount,
    SecurityTypes(u8),
    SecurityResult,
    ReasonLength,
    /// After a refusal the server closes; anything more is passed on.
    Closed,
    ServerInit,
    /// The end of a message whose last bytes were skipped.
    End(ServerKind),
    MessageType,
    UpdateHeader,
    RectHeader,
    /// A rectangle's data was skipped: the next rectangle, or the end.
    RectDone,
    ZrleLength,
    NameLength,
    ScreenCount,
    ColourMapHeader,
    CutTextHeader,
    FenceHeader,
    XvpBody,
    Tight(TightStep),
}

impl Step {
    fn need(self) -> usize {
        match self {
            Step::Version => 12,
            Step::SecurityCount | Step::MessageType | Step::Closed => 1,
            Step::SecurityTypes(n) => usize::from(n),
            Step::SecurityResult | Step::ReasonLength | Step::ZrleLength | Step::NameLength | Step::ScreenCount => 4,
            Step::ServerInit => 24,
            Step::End(_) | Step::RectDone => 0,
            Step::UpdateHeader | Step::XvpBody => 3,
            Step::RectHeader => 12,
            Step::ColourMapHeader => 5,
            Step::CutTextHeader => 7,
            Step::FenceHeader => 8,
            Step::Tight(t) => t.need(),
        }
    }
}

/// The rectangle being read.
#[derive(Debug, Clone, Copy, Default)]
struct Rect {
    width: u64,
    height: u64,
}

/// Follows a VNC server's byte stream, says what to pass on to a viewer
/// and where each message ends.
#[derive(Debug)]
pub struct ServerReader {
    step: Step,
    header: Vec<u8>,
    skip: u64,
    /// What comes after the skipped bytes.
    after_skip: Step,
    /// The current message is not passed on.
    dropping: bool,
    format: PixelFormat,
    pending_format: Option<PixelFormat>,
    rects_left: u16,
    rect: Rect,
}

impl Default for ServerReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerReader {
    /// A reader at the start of a connection.
    #[must_use]
    pub fn new() -> ServerReader {
        ServerReader {
            step: Step::Version,
            header: Vec::with_capacity(24),
            skip: 0,
            after_skip: Step::MessageType,
            dropping: false,
            format: PixelFormat {
                bits_per_pixel: 32,
                depth: 24,
                true_colour: true,
                red_max: 255,
                green_max: 255,
                blue_max: 255,
            },
            pending_format: None,
            rects_left: 0,
            rect: Rect::default(),
        }
    }

    /// The viewer asked for another pixel format: updates use it from the
    /// next one that starts (viewers change it with no update pending).
    pub fn set_pixel_format(&mut self, format: PixelFormat) {
        self.pending_format = Some(format);
    }

    /// Reads bytes from the server: appends what to pass on to `out`, and
    /// returns each message that ended, with the offset in `data` just
    /// past its end.
    ///
    /// # Errors
    /// On a message or rectangle this reader cannot frame; the connection
    /// must end.
    pub fn feed(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> Result<Vec<(usize, ServerKind)>, RfbError> {
        let total = data.len();
        let mut ended = Vec::new();
        loop {
            if self.skip > 0 {
                if data.is_empty() {
                    break;
                }
                let n = usize::try_from(self.skip).unwrap_or(usize::MAX).min(data.len());
                if !self.dropping {
                    out.extend_from_slice(&data[..n]);
                }
                data = &data[n..];
                self.skip -= n as u64;
                if self.skip == 0 {
                    self.step = self.after_skip;
                }
                continue;
            }
            let need = self.step.need();
            if self.header.len() < need {
                if data.is_empty() {
                    break;
                }
                let n = (need - self.header.len()).min(data.len());
                self.header.extend_from_slice(&data[..n]);
                data = &data[n..];
                if self.header.len() < need {
                    break;
                }
            }
            let header = std::mem::take(&mut self.header);
            if !self.dropping && self.step != Step::MessageType {
                out.extend_from_slice(&header);
            }
            let finished = self.advance(&header, out)?;
            self.header = header;
            self.header.clear();
            if let Some(kind) = finished {
                ended.push((total - data.len(), kind));
                self.dropping = false;
            }
        }
        Ok(ended)
    }

    /// Skips `n` bytes, then goes on at `then`.
    fn skip_then(&mut self, n: u64, then: Step) {
        if n == 0 {
            self.step = then;
        } else {
            self.skip = n;
            self.after_skip = then;
        }
    }

    /// Acts on a complete header; returns the message that ended, if one did.
    fn advance(&mut self, h: &[u8], out: &mut Vec<u8>) -> Result<Option<ServerKind>, RfbError> {
        match self.step {
            Step::Version => {
                if h != VERSION {
                    return Err(RfbError::Version(String::from_utf8_lossy(h).into_owned()));
                }
                self.step = Step::SecurityCount;
                return Ok(Some(ServerKind::Version));
            }
            Step::SecurityCount => {
                if h[0] == 0 {
                    self.step = Step::ReasonLength;
                } else {
                    self.step = Step::SecurityTypes(h[0]);
                }
            }
            Step::SecurityTypes(_) => {
                self.step = Step::SecurityResult;
                return Ok(Some(ServerKind::SecurityTypes));
            }
            Step::SecurityResult => {
                if h == [0, 0, 0, 0] {
                    self.step = Step::ServerInit;
                    return Ok(Some(ServerKind::SecurityResult));
                }
                self.step = Step::ReasonLength;
            }
            Step::ReasonLength => self.skip_then(u64::from(u32_at(h, 0)), Step::End(ServerKind::SecurityResult)),
            Step::Closed => {}
            Step::ServerInit => {
                let mut pf = [0u8; 16];
                pf.copy_from_slice(&h[4..20]);
                self.format = PixelFormat::parse(&pf)?;
                self.skip_then(u64::from(u32_at(h, 20)), Step::End(ServerKind::ServerInit));
            }
            Step::End(kind) => {
                // A security result ending here was a refusal: the server closes.
                self.step = if kind == ServerKind::SecurityResult {
                    Step::Closed
                } else {
                    Step::MessageType
                };
                return Ok(Some(kind));
            }
            Step::MessageType => return self.message_type(h[0], out),
            Step::UpdateHeader => {
                self.rects_left = u16_at(h, 1);
                return Ok(self.next_rect());
            }
            Step::RectHeader => return self.rect_header(h),
            Step::RectDone => return Ok(self.next_rect()),
            Step::ZrleLength => self.skip_then(u64::from(u32_at(h, 0)), Step::RectDone),
            Step::NameLength => self.skip_then(u64::from(u32_at(h, 0)), Step::RectDone),
            Step::ScreenCount => self.skip_then(16 * u64::from(h[0]), Step::RectDone),
            Step::ColourMapHeader => self.skip_then(6 * u64::from(u16_at(h, 3)), Step::End(ServerKind::ColourMap)),
            Step::CutTextHeader => {
                // A negative length is the extended clipboard's.
                #[allow(clippy::cast_possible_wrap)]
                let len = u32_at(h, 3) as i32;
                self.skip_then(u64::from(len.unsigned_abs()), Step::End(ServerKind::CutText));
            }
            Step::FenceHeader => self.skip_then(u64::from(h[7]), Step::End(ServerKind::Fence)),
            Step::XvpBody => self.step = Step::End(ServerKind::Xvp),
            Step::Tight(t) => match tight::advance(t, h, (self.rect.width, self.rect.height), self.format)? {
                tight::Next::Step(next) => self.step = Step::Tight(next),
                tight::Next::Skip(n) => self.skip_then(n, Step::RectDone),
                tight::Next::SkipThen(n, next) => self.skip_then(n, Step::Tight(next)),
            },
        }
        Ok(None)
    }

    fn message_type(&mut self, kind: u8, out: &mut Vec<u8>) -> Result<Option<ServerKind>, RfbError> {
        self.dropping = kind == 3;
        if !self.dropping {
            out.push(kind);
        }
        self.step = match kind {
            0 => {
                if let Some(pf) = self.pending_format.take() {
                    self.format = pf;
                }
                Step::UpdateHeader
            }
            1 => Step::ColourMapHeader,
            2 => Step::End(ServerKind::Bell),
            3 => Step::CutTextHeader,
            150 => Step::End(ServerKind::EndOfContinuousUpdates),
            248 => Step::FenceHeader,
            250 => Step::XvpBody,
            kind => {
                return Err(RfbError::UnknownMessage {
                    direction: "server",
                    kind,
                });
            }
        };
        Ok(None)
    }

    /// After a rectangle: the next one, or the end of the update.
    fn next_rect(&mut self) -> Option<ServerKind> {
        if self.rects_left == 0 {
            self.step = Step::MessageType;
            return Some(ServerKind::Update);
        }
        self.rects_left -= 1;
        self.step = Step::RectHeader;
        None
    }

    fn rect_header(&mut self, h: &[u8]) -> Result<Option<ServerKind>, RfbError> {
        let (w, hgt) = (u64::from(u16_at(h, 4)), u64::from(u16_at(h, 6)));
        self.rect = Rect { width: w, height: hgt };
        #[allow(clippy::cast_possible_wrap)]
        let encoding = u32_at(h, 8) as i32;
        match encoding {
            enc::RAW => self.skip_then(w * hgt * self.format.bytes(), Step::RectDone),
            enc::COPY_RECT => self.skip_then(4, Step::RectDone),
            enc::ZRLE => self.step = Step::ZrleLength,
            enc::TIGHT => self.step = Step::Tight(TightStep::Control),
            enc::CURSOR => self.skip_then(w * hgt * self.format.bytes() + w.div_ceil(8) * hgt, Step::RectDone),
            enc::DESKTOP_NAME => self.step = Step::NameLength,
            enc::EXTENDED_DESKTOP_SIZE => self.step = Step::ScreenCount,
            enc::QEMU_LED_STATE => self.skip_then(1, Step::RectDone),
            enc::LAST_RECT => {
                self.rects_left = 0;
                self.step = Step::MessageType;
                return Ok(Some(ServerKind::Update));
            }
            enc::DESKTOP_SIZE | enc::QEMU_EXTENDED_KEY | enc::FENCE | enc::CONTINUOUS_UPDATES => {
                self.step = Step::RectDone;
            }
            other => return Err(RfbError::Encoding(other)),
        }
        Ok(None)
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
