//! Scaling a screen down to a thumbnail with a SIMD resizer (area average).

use crate::capture::Pixels;
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

/// A reusable scaler (keeps its buffers between frames).
pub struct Scaler {
    resizer: Resizer,
    options: ResizeOptions,
}

impl std::fmt::Debug for Scaler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scaler")
    }
}

impl Default for Scaler {
    fn default() -> Self {
        Scaler {
            resizer: Resizer::new(),
            // Box convolution averages every source pixel: sharp text turns
            // into readable grey instead of aliasing. The fourth byte is X
            // (unused), not alpha: no premultiplication.
            options: ResizeOptions::new()
                .resize_alg(ResizeAlg::Convolution(FilterType::Box))
                .use_alpha(false),
        }
    }
}

/// A scaled image: BGRX, `width * 4` bytes per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaled {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Pixels.
    pub data: Vec<u8>,
}

impl Scaler {
    /// Scales `src` to `width`×`height`.
    ///
    /// # Errors
    /// When the sizes do not match the buffer.
    pub fn scale(&mut self, src: &Pixels<'_>, width: u32, height: u32) -> Result<Scaled, String> {
        let input = ImageRef::new(src.width, src.height, &src.data, PixelType::U8x4).map_err(|e| e.to_string())?;
        let mut out = Image::new(width, height, PixelType::U8x4);
        self.resizer
            .resize(&input, &mut out, &self.options)
            .map_err(|e| e.to_string())?;
        Ok(Scaled {
            width,
            height,
            data: out.into_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn a_flat_colour_stays_that_colour() {
        let px = [0x30u8, 0x60, 0x90, 0].repeat(64 * 40);
        let src = Pixels {
            width: 64,
            height: 40,
            data: Cow::Owned(px),
        };
        let out = Scaler::default().scale(&src, 16, 10).expect("scales");
        assert_eq!((out.width, out.height, out.data.len()), (16, 10, 16 * 10 * 4));
        assert!(out.data.chunks(4).all(|p| p[..3] == [0x30, 0x60, 0x90]));
    }
}
