//! Grabbing a screen's pixels: MIT-SHM when the server has it (the server
//! writes into shared memory, nothing crosses the socket), plain
//! `GetImage` otherwise.

use podium_host::sys::shm::SharedMemory;
use std::borrow::Cow;
use x11rb::connection::Connection;
use x11rb::protocol::shm::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, ImageOrder, Window};
use x11rb::rust_connection::RustConnection;

/// A screen's pixels, 4 bytes each in B, G, R, X order.
#[derive(Debug)]
pub struct Pixels<'a> {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Rows of `width * 4` bytes.
    pub data: Cow<'a, [u8]>,
}

/// A rectangle of the screen, in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl Rect {
    /// The whole of a `w`×`h` screen.
    #[must_use]
    pub fn screen(w: u32, h: u32) -> Rect {
        Rect { x: 0, y: 0, w, h }
    }

    /// Whether it covers no pixel.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.w == 0 || self.h == 0
    }

    /// The smallest rectangle holding both (an empty one adds nothing).
    #[must_use]
    pub fn union(self, o: Rect) -> Rect {
        if self.is_empty() {
            return o;
        }
        if o.is_empty() {
            return self;
        }
        let (x0, y0) = (self.x.min(o.x), self.y.min(o.y));
        let x1 = (self.x + self.w).max(o.x + o.w);
        let y1 = (self.y + self.h).max(o.y + o.h);
        Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        }
    }

    /// The part inside a `w`×`h` screen.
    #[must_use]
    pub fn clamp(self, w: u32, h: u32) -> Rect {
        let x0 = self.x.min(w);
        let y0 = self.y.min(h);
        let x1 = self.x.saturating_add(self.w).min(w);
        let y1 = self.y.saturating_add(self.h).min(h);
        Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        }
    }

    /// Pixels covered.
    #[must_use]
    pub fn area(self) -> u64 {
        u64::from(self.w) * u64::from(self.h)
    }
}

/// What can go wrong capturing.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The X connection failed.
    #[error("X: {0}")]
    X(String),
    /// The screen is not 24-bit colour in 32-bit pixels.
    #[error("unsupported screen format (depth {depth}, {bpp} bits per pixel)")]
    Format {
        /// Depth.
        depth: u8,
        /// Bits per pixel.
        bpp: u8,
    },
    /// Without MIT-SHM, the screen is too large to copy into the daemon.
    #[error("the screen ({width}×{height}) is too large to capture without MIT-SHM")]
    TooLarge {
        /// Width.
        width: u16,
        /// Height.
        height: u16,
    },
}

/// The most bytes one capture may copy through the socket into the
/// daemon's own memory when the server has no MIT-SHM (with it, the
/// pixels stay in memory the X server made). Any program of the user's
/// can make the screen huge (RandR allows 16384² and more, 1 GiB); 64 MiB
/// holds a 5K screen.
pub const MAX_SOCKET_CAPTURE: usize = 64 << 20;

fn x(e: impl std::fmt::Display) -> CaptureError {
    CaptureError::X(e.to_string())
}

/// Captures one display's root window.
#[derive(Debug)]
pub struct Capturer {
    root: Window,
    shm: Option<(u32, SharedMemory, usize)>,
    shm_available: bool,
    msb: bool,
}

impl Capturer {
    /// Prepares to capture `root` on `conn`, using MIT-SHM if the server offers it.
    ///
    /// # Errors
    /// When the screen's pixel format is not one Podium reads.
    pub fn new(conn: &RustConnection, root: Window) -> Result<Capturer, CaptureError> {
        let setup = conn.setup();
        let depth = setup.roots.first().map_or(0, |s| s.root_depth);
        let bpp = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .map_or(0, |f| f.bits_per_pixel);
        if depth != 24 || bpp != 32 {
            return Err(CaptureError::Format { depth, bpp });
        }
        let shm_available = conn
            .shm_query_version()
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|v| (v.major_version, v.minor_version) >= (1, 2));
        Ok(Capturer {
            root,
            shm: None,
            shm_available,
            msb: setup.image_byte_order == ImageOrder::MSB_FIRST,
        })
    }

    /// Whether captures go through shared memory.
    #[must_use]
    pub fn uses_shm(&self) -> bool {
        self.shm_available
    }

    fn segment(&mut self, conn: &RustConnection, size: usize) -> Result<Option<u32>, CaptureError> {
        if !self.shm_available {
            return Ok(None);
        }
        if let Some((seg, _, len)) = &self.shm
            && *len >= size
        {
            return Ok(Some(*seg));
        }
        if let Some((old, _, _)) = self.shm.take() {
            let _ = conn.shm_detach(old);
        }
        let made = (|| {
            let seg = conn.generate_id().map_err(x)?;
            let size32 = u32::try_from(size).map_err(x)?;
            let reply = conn
                .shm_create_segment(seg, size32, false)
                .map_err(x)?
                .reply()
                .map_err(x)?;
            let fd = reply.shm_fd;
            let mem = SharedMemory::map(fd, size).map_err(x)?;
            Ok::<_, CaptureError>((seg, mem))
        })();
        match made {
            Ok((seg, mem)) => {
                self.shm = Some((seg, mem, size));
                Ok(Some(seg))
            }
            Err(e) => {
                tracing::warn!("MIT-SHM unusable ({e}); capturing through the socket");
                self.shm_available = false;
                Ok(None)
            }
        }
    }

    /// The screen's size now (a round trip; the capture thread learns it
    /// from DAMAGE events instead).
    ///
    /// # Errors
    /// When the X server fails the request.
    pub fn screen_size(&self, conn: &RustConnection) -> Result<(u32, u32), CaptureError> {
        let geometry = conn.get_geometry(self.root).map_err(x)?.reply().map_err(x)?;
        Ok((u32::from(geometry.width), u32::from(geometry.height)))
    }

    /// The whole screen now.
    ///
    /// # Errors
    /// When the X server fails the request.
    pub fn grab<'s>(&'s mut self, conn: &RustConnection) -> Result<Pixels<'s>, CaptureError> {
        let (w, h) = self.screen_size(conn)?;
        self.grab_rect(conn, Rect::screen(w, h), (w, h))
    }

    /// The pixels of `rect` of a screen of `screen` size: only what
    /// changed, so the X server copies, and the daemon scales, that much.
    /// Refused without MIT-SHM when the screen itself is too large to copy
    /// (a program of the user's made it so), whatever the part asked for.
    ///
    /// # Errors
    /// When the X server fails the request, or [`CaptureError::TooLarge`].
    pub fn grab_rect<'s>(
        &'s mut self,
        conn: &RustConnection,
        rect: Rect,
        screen: (u32, u32),
    ) -> Result<Pixels<'s>, CaptureError> {
        let coord = |v: u32| i16::try_from(v).map_err(x);
        let side = |v: u32| u16::try_from(v).map_err(x);
        let (rx, ry, w, h) = (coord(rect.x)?, coord(rect.y)?, side(rect.w)?, side(rect.h)?);
        let size = usize::from(w) * usize::from(h) * 4;
        let whole = usize::try_from(u64::from(screen.0) * u64::from(screen.1) * 4).unwrap_or(usize::MAX);
        let root = self.root;
        let msb = self.msb;
        let data: Cow<'s, [u8]> = match self.segment(conn, size)? {
            Some(seg) => {
                let format = u8::from(ImageFormat::Z_PIXMAP);
                shm::get_image(conn, root, rx, ry, w, h, !0, format, seg, 0)
                    .map_err(x)?
                    .reply()
                    .map_err(x)?;
                let mem = self.shm.as_ref().map(|(_, m, _)| m).ok_or_else(|| x("segment lost"))?;
                Cow::Borrowed(mem.bytes().get(..size).ok_or_else(|| x("short segment"))?)
            }
            None if whole > MAX_SOCKET_CAPTURE => {
                return Err(CaptureError::TooLarge {
                    width: side(screen.0).unwrap_or(u16::MAX),
                    height: side(screen.1).unwrap_or(u16::MAX),
                });
            }
            None => {
                let reply = conn
                    .get_image(ImageFormat::Z_PIXMAP, root, rx, ry, w, h, !0)
                    .map_err(x)?
                    .reply()
                    .map_err(x)?;
                if reply.data.len() < size {
                    return Err(x("short image"));
                }
                Cow::Owned(reply.data)
            }
        };
        let data = if msb { Cow::Owned(to_bgrx(&data)) } else { data };
        Ok(Pixels {
            width: rect.w,
            height: rect.h,
            data,
        })
    }
}

/// Servers with MSB-first images send X, R, G, B.
fn to_bgrx(xrgb: &[u8]) -> Vec<u8> {
    xrgb.chunks_exact(4).flat_map(|p| [p[3], p[2], p[1], 0]).collect()
}

#[cfg(test)]
mod tests {
    use super::Rect;

    #[test]
    fn rectangles_join_and_stay_on_the_screen() {
        let a = Rect {
            x: 10,
            y: 20,
            w: 5,
            h: 5,
        };
        let b = Rect {
            x: 30,
            y: 0,
            w: 10,
            h: 10,
        };
        assert_eq!(
            a.union(b),
            Rect {
                x: 10,
                y: 0,
                w: 30,
                h: 25
            }
        );
        assert_eq!(Rect::default().union(a), a);
        assert_eq!(a.union(Rect::default()), a);
        assert_eq!(
            Rect {
                x: 1270,
                y: 790,
                w: 50,
                h: 50
            }
            .clamp(1280, 800),
            Rect {
                x: 1270,
                y: 790,
                w: 10,
                h: 10
            }
        );
        assert!(
            Rect {
                x: 2000,
                y: 0,
                w: 5,
                h: 5
            }
            .clamp(1280, 800)
            .is_empty()
        );
        assert_eq!(Rect::screen(4, 2).area(), 8);
    }

    #[test]
    fn msb_first_pixels_are_reordered() {
        assert_eq!(super::to_bgrx(&[0, 1, 2, 3, 0, 9, 8, 7]), vec![3, 2, 1, 0, 7, 8, 9, 0]);
    }
}
