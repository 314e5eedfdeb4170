//! The length of a Tight rectangle, read from its control byte, filter,
//! palette and compact lengths (the pixels themselves are zlib or JPEG
//! data the reader skips).

use crate::{PixelFormat, RfbError};

/// Tight data shorter than this is sent as is, without a length.
const MIN_TO_COMPRESS: u64 = 12;

/// A step of a Tight rectangle's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TightStep {
    /// The compression control byte.
    Control,
    /// The filter id of a basic rectangle.
    Filter,
    /// The palette's size, less one.
    PaletteSize,
    /// The palette was skipped; the data of a palette rectangle follows.
    PaletteData(u16),
    /// One byte of a compact length: the value so far and its shift.
    Length { value: u32, shift: u8 },
}

/// What follows a header step.
pub(crate) enum Next {
    /// Another header step.
    Step(TightStep),
    /// The rest of the rectangle: this many bytes.
    Skip(u64),
    /// This many bytes (a palette), then another header step.
    SkipThen(u64, TightStep),
}

impl TightStep {
    pub(crate) fn need(self) -> usize {
        match self {
            TightStep::PaletteData(_) => 0,
            _ => 1,
        }
    }
}

/// The pixel data of a basic rectangle: raw under 12 bytes, else a
/// compact length and that many bytes.
fn data(size: u64) -> Next {
    if size < MIN_TO_COMPRESS {
        Next::Skip(size)
    } else {
        Next::Step(TightStep::Length { value: 0, shift: 0 })
    }
}

/// Acts on one header step of a Tight rectangle.
/// `size` is the rectangle's width and height.
pub(crate) fn advance(step: TightStep, h: &[u8], size: (u64, u64), pf: PixelFormat) -> Result<Next, RfbError> {
    let (width, height) = size;
    let pixels = width * height;
    let tpixel = pf.tight_bytes();
    Ok(match step {
        TightStep::Control => {
            let control = h[0];
            match control >> 4 {
                0x08 => Next::Skip(tpixel),
                0x09 => Next::Step(TightStep::Length { value: 0, shift: 0 }),
                t if t & 0x08 == 0 && t & 0x04 != 0 => Next::Step(TightStep::Filter),
                t if t & 0x08 == 0 => data(pixels * tpixel),
                _ => return Err(RfbError::TightControl(control)),
            }
        }
        TightStep::Filter => match h[0] {
            0 | 2 => data(pixels * tpixel),
            1 => Next::Step(TightStep::PaletteSize),
            other => return Err(RfbError::TightFilter(other)),
        },
        TightStep::PaletteSize => {
            let colours = u16::from(h[0]) + 1;
            Next::SkipThen(u64::from(colours) * tpixel, TightStep::PaletteData(colours))
        }
        TightStep::PaletteData(colours) => {
            let size = if colours == 2 {
                width.div_ceil(8) * height
            } else {
                pixels
            };
            data(size)
        }
        TightStep::Length { value, shift } => {
            let byte = h[0];
            if shift == 14 {
                Next::Skip(u64::from(value | (u32::from(byte) << 14)))
            } else {
                let value = value | (u32::from(byte & 0x7f) << shift);
                if byte & 0x80 == 0 {
                    Next::Skip(u64::from(value))
                } else {
                    Next::Step(TightStep::Length {
                        value,
                        shift: shift + 7,
                    })
                }
            }
        }
    })
}
