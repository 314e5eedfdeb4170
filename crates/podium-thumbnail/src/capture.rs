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

    /// The whole screen now.
    ///
    /// # Errors
    /// When the X server fails the request.
    pub fn grab<'s>(&'s mut self, conn: &RustConnection) -> Result<Pixels<'s>, CaptureError> {
        let geometry = conn.get_geometry(self.root).map_err(x)?.reply().map_err(x)?;
        let (w, h) = (geometry.width, geometry.height);
        let size = usize::from(w) * usize::from(h) * 4;
        let root = self.root;
        let msb = self.msb;
        let data: Cow<'s, [u8]> = match self.segment(conn, size)? {
            Some(seg) => {
                let format = u8::from(ImageFormat::Z_PIXMAP);
                shm::get_image(conn, root, 0, 0, w, h, !0, format, seg, 0)
                    .map_err(x)?
                    .reply()
                    .map_err(x)?;
                let mem = self.shm.as_ref().map(|(_, m, _)| m).ok_or_else(|| x("segment lost"))?;
                Cow::Borrowed(mem.bytes().get(..size).ok_or_else(|| x("short segment"))?)
            }
            None if size > MAX_SOCKET_CAPTURE => {
                return Err(CaptureError::TooLarge { width: w, height: h });
            }
            None => {
                let reply = conn
                    .get_image(ImageFormat::Z_PIXMAP, root, 0, 0, w, h, !0)
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
            width: u32::from(w),
            height: u32::from(h),
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
    #[test]
    fn msb_first_pixels_are_reordered() {
        assert_eq!(super::to_bgrx(&[0, 1, 2, 3, 0, 9, 8, 7]), vec![3, 2, 1, 0, 7, 8, 9, 0]);
    }
}
