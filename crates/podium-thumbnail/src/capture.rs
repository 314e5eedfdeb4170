//! Grabbing a screen's pixels: MIT-SHM when the server has it (the server
//! writes into shared memory, nothing crosses the socket), plain
//! `GetImage` otherwise.

use crate::thumbnail::ThumbError;
use podium_sys::shm::SharedMemory;
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

    /// Whether the two overlap or share an edge.
    #[must_use]
    pub fn touches(self, o: Rect) -> bool {
        self.x <= o.x + o.w && o.x <= self.x + self.w && self.y <= o.y + o.h && o.y <= self.y + self.h
    }

    /// Pixels covered.
    #[must_use]
    pub fn area(self) -> u64 {
        u64::from(self.w) * u64::from(self.h)
    }
}

/// The most bytes one capture may copy through the socket into the
/// daemon's own memory when the server has no MIT-SHM (with it, the
/// pixels stay in memory the X server made). Any program of the user's
/// can make the screen huge (RandR allows 16384² and more, 1 GiB); 64 MiB
/// holds a 5K screen.
pub const MAX_SOCKET_CAPTURE: usize = 64 << 20;

fn x(e: impl std::fmt::Display) -> ThumbError {
    ThumbError::x(e)
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
    pub fn new(conn: &RustConnection, root: Window) -> Result<Capturer, ThumbError> {
        let setup = conn.setup();
        let depth = setup.roots.first().map_or(0, |s| s.root_depth);
        let bpp = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .map_or(0, |f| f.bits_per_pixel);
        if depth != 24 || bpp != 32 {
            return Err(ThumbError::Format { depth, bpp });
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

    fn segment(&mut self, conn: &RustConnection, size: usize) -> Result<Option<u32>, ThumbError> {
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
            Ok::<_, ThumbError>((seg, mem))
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

    /// Bytes of the shared memory segment captures go through (0 before
    /// the first capture, or without MIT-SHM).
    #[must_use]
    pub fn shared_bytes(&self) -> usize {
        self.shm.as_ref().map_or(0, |(_, _, len)| *len)
    }

    /// The screen is now `w`×`h`: a segment larger than the whole new
    /// screen is given back (a station went from a large window to a
    /// small one), and the next capture makes one of the size it needs.
    /// A larger screen needs nothing now: the next capture grows it.
    pub fn screen_resized(&mut self, conn: &RustConnection, (w, h): (u32, u32)) {
        let whole = usize::try_from(u64::from(w) * u64::from(h) * 4).unwrap_or(usize::MAX);
        if self.shm.as_ref().is_some_and(|(_, _, len)| *len > whole)
            && let Some((seg, _, _)) = self.shm.take()
        {
            let _ = conn.shm_detach(seg);
        }
    }

    /// The screen's size now (a round trip; the capture thread learns it
    /// from DAMAGE events instead).
    ///
    /// # Errors
    /// When the X server fails the request.
    pub fn screen_size(&self, conn: &RustConnection) -> Result<(u32, u32), ThumbError> {
        let geometry = conn.get_geometry(self.root).map_err(x)?.reply().map_err(x)?;
        Ok((u32::from(geometry.width), u32::from(geometry.height)))
    }

    /// The whole screen now.
    ///
    /// # Errors
    /// When the X server fails the request.
    pub fn grab<'s>(&'s mut self, conn: &RustConnection) -> Result<Pixels<'s>, ThumbError> {
        let (w, h) = self.screen_size(conn)?;
        self.grab_rect(conn, Rect::screen(w, h), (w, h))
    }

    /// The pixels of `rect` of a screen of `screen` size: only what
    /// changed, so the X server copies, and the daemon scales, that much.
    /// Refused without MIT-SHM when the screen itself is too large to copy
    /// (a program of the user's made it so), whatever the part asked for.
    ///
    /// # Errors
    /// When the X server fails the request, or [`ThumbError::TooLarge`].
    pub fn grab_rect<'s>(
        &'s mut self,
        conn: &RustConnection,
        rect: Rect,
        screen: (u32, u32),
    ) -> Result<Pixels<'s>, ThumbError> {
        let mut all = self.grab_rects(conn, &[rect], screen)?;
        all.pop().ok_or_else(|| x("no picture"))
    }

    /// The pixels of each of `rects`, asked for all at once (one wait for
    /// the X server, not one per part), as [`Capturer::grab_rect`] would.
    ///
    /// # Errors
    /// When the X server fails a request, or [`ThumbError::TooLarge`].
    pub fn grab_rects<'s>(
        &'s mut self,
        conn: &RustConnection,
        rects: &[Rect],
        screen: (u32, u32),
    ) -> Result<Vec<Pixels<'s>>, ThumbError> {
        let coord = |v: u32| i16::try_from(v).map_err(x);
        let side = |v: u32| u16::try_from(v).map_err(x);
        let whole = usize::try_from(u64::from(screen.0) * u64::from(screen.1) * 4).unwrap_or(usize::MAX);
        let sizes: Vec<usize> = rects
            .iter()
            .map(|r| usize::try_from(r.area()).unwrap_or(usize::MAX).saturating_mul(4))
            .collect();
        let total = sizes.iter().fold(0usize, |a, b| a.saturating_add(*b));
        let (root, msb) = (self.root, self.msb);
        let data: Vec<Cow<'s, [u8]>> = match self.segment(conn, total)? {
            Some(seg) => {
                // Each part into its own place in the segment; the replies
                // are awaited together.
                let format = u8::from(ImageFormat::Z_PIXMAP);
                let mut cookies = Vec::with_capacity(rects.len());
                let mut offset = 0usize;
                for (r, size) in rects.iter().zip(&sizes) {
                    let at = u32::try_from(offset).map_err(x)?;
                    let (rx, ry, w, h) = (coord(r.x)?, coord(r.y)?, side(r.w)?, side(r.h)?);
                    cookies.push(shm::get_image(conn, root, rx, ry, w, h, !0, format, seg, at).map_err(x)?);
                    offset += size;
                }
                for c in cookies {
                    c.reply().map_err(x)?;
                }
                let mem = self.shm.as_ref().map(|(_, m, _)| m).ok_or_else(|| x("segment lost"))?;
                let mut offset = 0usize;
                let mut out = Vec::with_capacity(rects.len());
                for size in &sizes {
                    let part = mem
                        .bytes()
                        .get(offset..offset + size)
                        .ok_or_else(|| x("short segment"))?;
                    out.push(Cow::Borrowed(part));
                    offset += size;
                }
                out
            }
            None if whole > MAX_SOCKET_CAPTURE => {
                return Err(ThumbError::TooLarge {
                    width: side(screen.0).unwrap_or(u16::MAX),
                    height: side(screen.1).unwrap_or(u16::MAX),
                });
            }
            None => {
                let mut cookies = Vec::with_capacity(rects.len());
                for r in rects {
                    let (rx, ry, w, h) = (coord(r.x)?, coord(r.y)?, side(r.w)?, side(r.h)?);
                    cookies.push(
                        conn.get_image(ImageFormat::Z_PIXMAP, root, rx, ry, w, h, !0)
                            .map_err(x)?,
                    );
                }
                let mut out = Vec::with_capacity(rects.len());
                for (c, size) in cookies.into_iter().zip(&sizes) {
                    let reply = c.reply().map_err(x)?;
                    if reply.data.len() < *size {
                        return Err(x("short image"));
                    }
                    out.push(Cow::Owned(reply.data));
                }
                out
            }
        };
        Ok(rects
            .iter()
            .zip(data)
            .map(|(r, d)| Pixels {
                width: r.w,
                height: r.h,
                data: if msb { Cow::Owned(to_bgrx(&d)) } else { d },
            })
            .collect())
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
