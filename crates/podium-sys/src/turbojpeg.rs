//! The few calls of the system's libjpeg-turbo (TurboJPEG API 2.x) needed
//! to compress a BGRX image: the thumbnails' encoder, the one TigerVNC
//! itself uses (ARCHITECTURE.md says why it was chosen).

use crate::error::SysError;
use std::ffi::{CStr, c_char, c_int, c_uchar, c_ulong, c_void};

type TjHandle = *mut c_void;

#[link(name = "turbojpeg")]
unsafe extern "C" {
    fn tjInitCompress() -> TjHandle;
    fn tjCompress2(
        handle: TjHandle,
        src: *const c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        jpeg_buf: *mut *mut c_uchar,
        jpeg_size: *mut c_ulong,
        subsamp: c_int,
        quality: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjFree(buffer: *mut c_uchar);
    fn tjDestroy(handle: TjHandle) -> c_int;
    fn tjGetErrorStr2(handle: TjHandle) -> *mut c_char;
}

const TJPF_BGRX: c_int = 3;
const TJSAMP_420: c_int = 2;
const TJFLAG_FASTDCT: c_int = 2048;

/// A TurboJPEG compressor.
#[derive(Debug)]
pub struct TurboJpeg(TjHandle);

// SAFETY: a TurboJPEG handle may be used from any one thread at a time.
unsafe impl Send for TurboJpeg {}

impl TurboJpeg {
    /// `tjInitCompress`.
    ///
    /// # Errors
    /// When the library cannot make a compressor.
    pub fn new() -> Result<TurboJpeg, SysError> {
        // SAFETY: no arguments; a null return is checked.
        let h = unsafe { tjInitCompress() };
        if h.is_null() {
            Err(SysError::Jpeg("tjInitCompress failed".into()))
        } else {
            Ok(TurboJpeg(h))
        }
    }

    /// Compresses a BGRX image (4 bytes per pixel, `pitch` bytes per row).
    ///
    /// # Errors
    /// TurboJPEG's message, or a size that does not fit.
    pub fn compress_bgrx(
        &mut self,
        pixels: &[u8],
        width: usize,
        pitch: usize,
        height: usize,
        quality: u8,
    ) -> Result<Vec<u8>, SysError> {
        if pitch < width * 4 || pixels.len() < pitch * height {
            return Err(SysError::Jpeg("image buffer too small".into()));
        }
        let dim = |v: usize| c_int::try_from(v).map_err(|_| SysError::Jpeg("image too large".into()));
        let mut out: *mut c_uchar = std::ptr::null_mut();
        let mut size: c_ulong = 0;
        // SAFETY: pixels covers pitch*height bytes (checked above); TurboJPEG
        // allocates `out`, which we copy and free with tjFree below.
        let rc = unsafe {
            tjCompress2(
                self.0,
                pixels.as_ptr(),
                dim(width)?,
                dim(pitch)?,
                dim(height)?,
                TJPF_BGRX,
                &raw mut out,
                &raw mut size,
                TJSAMP_420,
                c_int::from(quality),
                TJFLAG_FASTDCT,
            )
        };
        if rc != 0 || out.is_null() {
            // SAFETY: the handle is live; the message is a static or handle-owned C string.
            let msg = unsafe { CStr::from_ptr(tjGetErrorStr2(self.0)) }
                .to_string_lossy()
                .into_owned();
            if !out.is_null() {
                // SAFETY: allocated by TurboJPEG.
                unsafe { tjFree(out) };
            }
            return Err(SysError::Jpeg(msg));
        }
        let len = usize::try_from(size).map_err(|_| SysError::Jpeg("image too large".into()))?;
        // SAFETY: TurboJPEG wrote `size` bytes at `out`; we copy them, then free it.
        let jpeg = unsafe { std::slice::from_raw_parts(out, len) }.to_vec();
        // SAFETY: allocated by TurboJPEG, freed once.
        unsafe { tjFree(out) };
        Ok(jpeg)
    }
}

impl Drop for TurboJpeg {
    fn drop(&mut self) {
        // SAFETY: destroying the handle made in `new`, once.
        unsafe { tjDestroy(self.0) };
    }
}
