//! The pixel format: how many bytes a pixel takes in Raw and Cursor
//! rectangles, and in Tight's compact pixels.

use crate::RfbError;

/// An RFB pixel format (16 bytes on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelFormat {
    /// Bits per pixel: 8, 16 or 32.
    pub bits_per_pixel: u8,
    /// Useful bits in a pixel.
    pub depth: u8,
    /// Whether pixels are RGB values rather than colour map indexes.
    pub true_colour: bool,
    /// Largest red value.
    pub red_max: u16,
    /// Largest green value.
    pub green_max: u16,
    /// Largest blue value.
    pub blue_max: u16,
}

impl PixelFormat {
    /// Reads the 16 bytes of a pixel format.
    ///
    /// # Errors
    /// When bits per pixel is not 8, 16 or 32.
    pub fn parse(b: &[u8; 16]) -> Result<PixelFormat, RfbError> {
        let pf = PixelFormat {
            bits_per_pixel: b[0],
            depth: b[1],
            true_colour: b[3] != 0,
            red_max: u16::from_be_bytes([b[4], b[5]]),
            green_max: u16::from_be_bytes([b[6], b[7]]),
            blue_max: u16::from_be_bytes([b[8], b[9]]),
        };
        if !matches!(pf.bits_per_pixel, 8 | 16 | 32) {
            return Err(RfbError::PixelFormat(pf.bits_per_pixel));
        }
        Ok(pf)
    }

    /// Bytes per pixel in Raw and Cursor rectangles.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        u64::from(self.bits_per_pixel / 8)
    }

    /// Bytes per pixel in Tight rectangles: 3 for 24-bit true colour in
    /// 32-bit pixels, the plain size otherwise.
    #[must_use]
    pub fn tight_bytes(&self) -> u64 {
        if self.true_colour
            && self.bits_per_pixel == 32
            && self.depth == 24
            && self.red_max == 255
            && self.green_max == 255
            && self.blue_max == 255
        {
            3
        } else {
            self.bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XVNC: [u8; 16] = [32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0];

    #[test]
    fn xvnc_default_format_has_three_byte_tight_pixels() {
        let pf = PixelFormat::parse(&XVNC).expect("valid");
        assert_eq!((pf.bytes(), pf.tight_bytes()), (4, 3));
    }

    #[test]
    fn sixteen_bit_pixels_stay_two_bytes_in_tight() {
        let mut b = XVNC;
        b[0] = 16;
        b[1] = 16;
        b[5] = 31;
        let pf = PixelFormat::parse(&b).expect("valid");
        assert_eq!((pf.bytes(), pf.tight_bytes()), (2, 2));
    }

    #[test]
    fn odd_bits_per_pixel_are_refused() {
        let mut b = XVNC;
        b[0] = 24;
        assert_eq!(PixelFormat::parse(&b), Err(RfbError::PixelFormat(24)));
    }
}
