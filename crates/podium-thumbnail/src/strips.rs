//! A thumbnail's JPEG kept as strips, so a change re-encodes only the rows
//! it touched.
//!
//! A baseline JPEG with a restart interval of one MCU row (16 pixel rows
//! at 4:2:0) is a header followed by one independent piece of entropy-coded
//! data per MCU row, separated by restart markers: at each marker the
//! decoder starts the DC predictions again from zero and the bits at a
//! byte boundary. That is exactly what a JPEG of those 16 rows alone holds
//! between its header and its end. So each strip is encoded on its own
//! (libjpeg-turbo, same quality, same standard tables), its data is kept,
//! and the thumbnail's JPEG is the first strip's header with the full
//! height and a restart interval, then the strips joined by `RSTn`.
//! A clock ticking in a corner re-encodes one or two strips of thirteen.

use crate::encode::Encoder;
use crate::scale::Scaled;
use crate::thumbnail::ThumbError;

/// Pixel rows per strip: one MCU row at 4:2:0.
pub const STRIP_ROWS: u32 = 16;

/// The encoded strips of one picture.
#[derive(Debug, Clone, Default)]
pub struct Strips {
    /// Size of the picture they encode.
    size: (u32, u32),
    /// The picture's header, up to and with the start of scan.
    header: Vec<u8>,
    /// Each strip's entropy-coded data.
    data: Vec<Vec<u8>>,
}

/// The parts of a JPEG of one strip: its header (SOI to SOS, as written)
/// and its entropy-coded data (up to EOI).
fn split(jpeg: &[u8]) -> Result<(&[u8], &[u8]), ThumbError> {
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xff {
            return Err(ThumbError::picture("a JPEG segment does not start with a marker"));
        }
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        let end = i + 2 + len;
        if end > jpeg.len() {
            return Err(ThumbError::picture("a JPEG segment runs past the end"));
        }
        if marker == 0xda {
            let eoi = jpeg
                .len()
                .checked_sub(2)
                .filter(|&e| e >= end && jpeg[e..] == [0xff, 0xd9]);
            let eoi = eoi.ok_or(ThumbError::picture("the JPEG does not end with EOI"))?;
            return Ok((&jpeg[..end], &jpeg[end..eoi]));
        }
        i = end;
    }
    Err(ThumbError::picture("no start of scan in the JPEG"))
}

/// `header` (of a strip) made the whole picture's: the frame's height set
/// to `height`, and a restart interval of `mcus_per_row` before the scan.
fn whole_header(header: &[u8], height: u32, mcus_per_row: u32) -> Result<Vec<u8>, ThumbError> {
    let mut out = Vec::with_capacity(header.len() + 6);
    let mut i = 2;
    out.extend_from_slice(&header[..2]);
    while i + 4 <= header.len() {
        let marker = header[i + 1];
        let len = usize::from(u16::from_be_bytes([header[i + 2], header[i + 3]]));
        let mut segment = header[i..i + 2 + len].to_vec();
        match marker {
            // Baseline frame: precision, then height.
            0xc0 => {
                let h = u16::try_from(height).map_err(|_| ThumbError::picture("too tall for JPEG"))?;
                segment
                    .get_mut(5..7)
                    .ok_or(ThumbError::picture("short frame header"))?
                    .copy_from_slice(&h.to_be_bytes());
            }
            0xdd => return Err(ThumbError::picture("the strip already has a restart interval")),
            0xda => {
                let n = u16::try_from(mcus_per_row).map_err(|_| ThumbError::picture("too wide for JPEG"))?;
                out.extend_from_slice(&[0xff, 0xdd, 0x00, 0x04]);
                out.extend_from_slice(&n.to_be_bytes());
            }
            _ => {}
        }
        out.extend_from_slice(&segment);
        i += 2 + len;
    }
    Ok(out)
}

impl Strips {
    /// How many strips a picture of `height` rows has.
    #[must_use]
    pub fn count(height: u32) -> u32 {
        height.div_ceil(STRIP_ROWS)
    }

    /// The strips holding rows `y0..y1`.
    #[must_use]
    pub fn covering(y0: u32, y1: u32) -> std::ops::Range<u32> {
        y0 / STRIP_ROWS..y1.div_ceil(STRIP_ROWS)
    }

    /// Encodes `picture` again where `rows` (strip numbers) say it changed
    /// — all of it when the kept strips are of another size — and returns
    /// the whole JPEG.
    ///
    /// # Errors
    /// When the encoder fails or writes a JPEG this cannot join.
    pub fn update(
        &mut self,
        enc: &mut Encoder,
        picture: &Scaled,
        rows: impl IntoIterator<Item = u32>,
    ) -> Result<Vec<u8>, ThumbError> {
        let size = (picture.width, picture.height);
        let n = Strips::count(picture.height);
        let all = self.size != size || self.data.len() != usize::try_from(n).unwrap_or(0);
        let todo: Vec<u32> = if all {
            self.size = size;
            self.data = vec![Vec::new(); usize::try_from(n).unwrap_or(0)];
            (0..n).collect()
        } else {
            rows.into_iter().filter(|r| *r < n).collect()
        };
        let pitch = usize::try_from(picture.width).map_err(ThumbError::picture)? * 4;
        for s in todo {
            let y0 = s * STRIP_ROWS;
            let rows = STRIP_ROWS.min(picture.height - y0);
            let from = usize::try_from(y0).map_err(ThumbError::picture)? * pitch;
            let to = from + usize::try_from(rows).map_err(ThumbError::picture)? * pitch;
            let strip = Scaled {
                width: picture.width,
                height: rows,
                data: picture
                    .data
                    .get(from..to)
                    .ok_or(ThumbError::picture("picture buffer too short"))?
                    .to_vec(),
            };
            let jpeg = enc.jpeg(&strip)?;
            let (header, data) = split(&jpeg)?;
            if s == 0 || self.header.is_empty() {
                self.header = whole_header(header, picture.height, picture.width.div_ceil(16))?;
            }
            let slot = self
                .data
                .get_mut(usize::try_from(s).map_err(ThumbError::picture)?)
                .ok_or(ThumbError::picture("no such strip"))?;
            data.clone_into(slot);
        }
        Ok(self.join())
    }

    /// The whole JPEG: the header, the strips with restart markers between
    /// them, the end.
    fn join(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.header.len() + self.data.iter().map(Vec::len).sum::<usize>() + 64);
        out.extend_from_slice(&self.header);
        for (i, d) in self.data.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(&[0xff, 0xd0 + u8::try_from((i - 1) % 8).unwrap_or(0)]);
            }
            out.extend_from_slice(d);
        }
        out.extend_from_slice(&[0xff, 0xd9]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(w: u32, h: u32, seed: u8) -> Scaled {
        let data = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                let v = u8::try_from((x * 7 + y * 13) % 251).expect("small");
                [v, v.wrapping_mul(3).wrapping_add(seed), v ^ 0x5a, 0]
            })
            .collect();
        Scaled {
            width: w,
            height: h,
            data,
        }
    }

    fn decode(jpeg: &[u8]) -> Vec<u8> {
        let mut d = jpeg_decoder::Decoder::new(jpeg);
        d.decode().expect("a JPEG any decoder reads")
    }

    #[test]
    fn joined_strips_decode_to_the_whole_encodings_pixels() {
        let mut enc = Encoder::new().expect("libjpeg-turbo");
        for (w, h) in [(320, 200), (160, 100), (480, 300), (320, 180), (328, 7)] {
            let p = picture(w, h, 1);
            let mut strips = Strips::default();
            let joined = strips.update(&mut enc, &p, 0..0).expect("encodes");
            let whole = enc.jpeg(&p).expect("encodes");
            assert_eq!(decode(&joined), decode(&whole), "{w}×{h}");
        }
    }

    #[test]
    fn a_change_re_encodes_its_strips_and_the_picture_is_as_if_encoded_afresh() {
        let mut enc = Encoder::new().expect("libjpeg-turbo");
        let mut p = picture(320, 200, 1);
        let mut strips = Strips::default();
        let before = strips.update(&mut enc, &p, 0..0).expect("encodes");
        // Rows 170..180 change: strips 10 and 11.
        for y in 170..180u32 {
            for x in 100..140u32 {
                let i = usize::try_from((y * 320 + x) * 4).expect("small");
                p.data[i..i + 3].copy_from_slice(&[255, 255, 255]);
            }
        }
        assert_eq!(Strips::covering(170, 180), 10..12);
        let after = strips
            .update(&mut enc, &p, Strips::covering(170, 180))
            .expect("encodes");
        assert_ne!(before, after);
        assert_eq!(decode(&after), decode(&enc.jpeg(&p).expect("encodes")));
        // Another size: all strips again.
        let small = picture(160, 100, 9);
        let again = strips.update(&mut enc, &small, 0..0).expect("encodes");
        assert_eq!(decode(&again), decode(&enc.jpeg(&small).expect("encodes")));
    }

    #[test]
    fn what_is_not_a_jpeg_is_refused_not_joined() {
        assert!(split(b"\xff\xd8\xff\xda\x00\x02abc").is_err(), "no EOI");
        assert!(split(b"\xff\xd8garbage").is_err());
        assert!(split(b"\xff\xd8\xff\xe0\x7f\xff").is_err(), "a segment past the end");
    }
}
