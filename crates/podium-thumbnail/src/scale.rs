//! Scaling a screen down to a thumbnail with a SIMD resizer (area average),
//! whole or only where it changed.
//!
//! With the box filter each pixel of the thumbnail averages the screen
//! pixels whose centres fall in its box, so a change on the screen touches
//! only the thumbnail pixels whose boxes it reaches. [`parts`] finds them
//! for the changed rectangles, [`source`] the screen part each is made
//! from, and [`Scaler::scale_into`] remakes just those in the kept
//! thumbnail, giving the pixels a whole rescale would give. A ticking clock
//! costs a clock's worth of work, not a screen's.

use crate::capture::{Pixels, Rect};
use crate::thumbnail::ThumbError;
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

/// The part of a `thumb`-sized thumbnail of a `screen`-sized screen that
/// a change in `changed` reaches: the thumbnail pixels whose boxes hold a
/// changed pixel, one more on each side for the boxes' rounding.
#[must_use]
pub fn reached(changed: Rect, screen: (u32, u32), thumb: (u32, u32)) -> Rect {
    let changed = changed.clamp(screen.0, screen.1);
    if changed.is_empty() {
        return Rect::default();
    }
    let (sx, sy) = ratios(screen, thumb);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let span = |lo: u32, len: u32, scale: f64, limit: u32| -> (u32, u32) {
        let first = (f64::from(lo) / scale).floor() as u32;
        let last = (f64::from(lo + len) / scale).ceil() as u32;
        (first.saturating_sub(1), (last + 1).min(limit))
    };
    let (x0, x1) = span(changed.x, changed.w, sx, thumb.0);
    let (y0, y1) = span(changed.y, changed.h, sy, thumb.1);
    Rect {
        x: x0,
        y: y0,
        w: x1.saturating_sub(x0),
        h: y1.saturating_sub(y0),
    }
}

/// The screen part the thumbnail part `dst` is made from (a pixel wider on
/// each side than its boxes).
#[must_use]
pub fn source(dst: Rect, screen: (u32, u32), thumb: (u32, u32)) -> Rect {
    if dst.is_empty() {
        return Rect::default();
    }
    let (sx, sy) = ratios(screen, thumb);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let span = |d0: u32, d1: u32, scale: f64, limit: u32| -> (u32, u32) {
        let a = (f64::from(d0) * scale).floor() as u32;
        let b = (f64::from(d1) * scale).ceil() as u32;
        (a.saturating_sub(1), (b + 1).min(limit))
    };
    let (x0, x1) = span(dst.x, dst.x + dst.w, sx, screen.0);
    let (y0, y1) = span(dst.y, dst.y + dst.h, sy, screen.1);
    Rect {
        x: x0,
        y: y0,
        w: x1.saturating_sub(x0),
        h: y1.saturating_sub(y0),
    }
}

fn ratios(screen: (u32, u32), thumb: (u32, u32)) -> (f64, f64) {
    (
        f64::from(screen.0.max(1)) / f64::from(thumb.0.max(1)),
        f64::from(screen.1.max(1)) / f64::from(thumb.1.max(1)),
    )
}

/// The thumbnail parts to remake for the changed screen rectangles: the
/// parts they reach, those that touch or overlap joined into one, and all
/// of them into their bounding box when there are more than `most` (text
/// scrolling in a terminal damages line after line).
#[must_use]
pub fn parts(changed: &[Rect], screen: (u32, u32), thumb: (u32, u32), most: usize) -> Vec<Rect> {
    let mut parts: Vec<Rect> = changed
        .iter()
        .map(|c| reached(*c, screen, thumb))
        .filter(|r| !r.is_empty())
        .collect();
    // Join until no two touch: few parts, no pixel remade twice.
    loop {
        let mut joined = false;
        'outer: for i in 0..parts.len() {
            for j in i + 1..parts.len() {
                if parts[i].touches(parts[j]) {
                    parts[i] = parts[i].union(parts[j]);
                    parts.swap_remove(j);
                    joined = true;
                    break 'outer;
                }
            }
        }
        if !joined {
            break;
        }
    }
    if parts.len() > most {
        let all = parts.iter().fold(Rect::default(), |a, r| a.union(*r));
        return vec![all];
    }
    parts
}

impl Scaler {
    /// Remakes the `dst` part of `thumb`, the thumbnail of a `screen`-sized
    /// screen, from `src`: the pixels of the screen's part `src_at` (which
    /// must hold what [`source`] asked for).
    ///
    /// # Errors
    /// When the sizes do not match the buffers.
    pub fn scale_into(
        &mut self,
        src: &Pixels<'_>,
        src_at: Rect,
        screen: (u32, u32),
        thumb: &mut Scaled,
        dst: Rect,
    ) -> Result<(), ThumbError> {
        if dst.is_empty() {
            return Ok(());
        }
        if dst.x + dst.w > thumb.width || dst.y + dst.h > thumb.height {
            return Err(ThumbError::picture("the part lies outside the thumbnail"));
        }
        let sx = f64::from(screen.0) / f64::from(thumb.width);
        let sy = f64::from(screen.1) / f64::from(thumb.height);
        let input = ImageRef::new(src.width, src.height, &src.data, PixelType::U8x4).map_err(ThumbError::picture)?;
        let mut out = Image::new(dst.w, dst.h, PixelType::U8x4);
        let options = self.options.crop(
            f64::from(dst.x) * sx - f64::from(src_at.x),
            f64::from(dst.y) * sy - f64::from(src_at.y),
            f64::from(dst.w) * sx,
            f64::from(dst.h) * sy,
        );
        self.resizer
            .resize(&input, &mut out, &options)
            .map_err(ThumbError::picture)?;
        let row = usize::try_from(dst.w).map_err(ThumbError::picture)? * 4;
        let pitch = usize::try_from(thumb.width).map_err(ThumbError::picture)? * 4;
        let (x, y) = (
            usize::try_from(dst.x).map_err(ThumbError::picture)?,
            usize::try_from(dst.y).map_err(ThumbError::picture)?,
        );
        for (i, line) in out.buffer().chunks_exact(row).enumerate() {
            let at = (y + i) * pitch + x * 4;
            thumb
                .data
                .get_mut(at..at + row)
                .ok_or(ThumbError::picture("the thumbnail buffer is short"))?
                .copy_from_slice(line);
        }
        Ok(())
    }

    /// Scales `src` to `width`×`height`.
    ///
    /// # Errors
    /// When the sizes do not match the buffer.
    pub fn scale(&mut self, src: &Pixels<'_>, width: u32, height: u32) -> Result<Scaled, ThumbError> {
        let input = ImageRef::new(src.width, src.height, &src.data, PixelType::U8x4).map_err(ThumbError::picture)?;
        let mut out = Image::new(width, height, PixelType::U8x4);
        self.resizer
            .resize(&input, &mut out, &self.options)
            .map_err(ThumbError::picture)?;
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

    /// A screen with detail everywhere: every pixel differs from its neighbours.
    fn noisy(w: u32, h: u32, seed: u32) -> Vec<u8> {
        let mut v = seed.wrapping_mul(2_654_435_761).max(1);
        (0..w * h * 4)
            .map(|_| {
                v ^= v << 13;
                v ^= v >> 17;
                v ^= v << 5;
                (v >> 24) as u8
            })
            .collect()
    }

    fn crop(data: &[u8], screen_w: u32, r: Rect) -> Vec<u8> {
        let mut out = Vec::new();
        for y in r.y..r.y + r.h {
            let at = ((y * screen_w + r.x) * 4) as usize;
            out.extend_from_slice(&data[at..at + (r.w * 4) as usize]);
        }
        out
    }

    #[test]
    fn remaking_only_the_changed_part_gives_the_whole_rescale() {
        for (screen, thumb) in [
            ((1280, 800), (320, 200)),
            ((1280, 800), (160, 100)),
            ((1280, 800), (480, 300)),
            ((1366, 768), (320, 180)),
            ((1920, 1080), (480, 270)),
        ] {
            let before = noisy(screen.0, screen.1, 1);
            let mut after = before.clone();
            let changed = Rect {
                x: 601,
                y: 333,
                w: 37,
                h: 19,
            };
            let fresh = noisy(changed.w, changed.h, 2);
            for row in 0..changed.h {
                let at = (((changed.y + row) * screen.0 + changed.x) * 4) as usize;
                let from = (row * changed.w * 4) as usize;
                after[at..at + (changed.w * 4) as usize].copy_from_slice(&fresh[from..from + (changed.w * 4) as usize]);
            }
            let whole = |data: &[u8]| {
                let px = Pixels {
                    width: screen.0,
                    height: screen.1,
                    data: Cow::Borrowed(data),
                };
                Scaler::default().scale(&px, thumb.0, thumb.1).expect("scales")
            };
            let mut kept = whole(&before);
            let expected = whole(&after);
            let dst = reached(changed, screen, thumb);
            let src = source(dst, screen, thumb);
            assert!(
                dst.area() < u64::from(thumb.0 * thumb.1) / 20,
                "{dst:?} is a small part"
            );
            let part = crop(&after, screen.0, src);
            let px = Pixels {
                width: src.w,
                height: src.h,
                data: Cow::Owned(part),
            };
            Scaler::default()
                .scale_into(&px, src, screen, &mut kept, dst)
                .expect("scales the part");
            assert!(
                kept == expected,
                "{screen:?} → {thumb:?}: the remade part differs from a whole rescale"
            );
        }
    }

    #[test]
    fn a_change_at_the_screens_edge_stays_inside_both_pictures() {
        let edge = Rect {
            x: 1270,
            y: 795,
            w: 100,
            h: 100,
        };
        let dst = reached(edge, (1280, 800), (320, 200));
        let src = source(dst, (1280, 800), (320, 200));
        assert!(dst.x + dst.w <= 320 && dst.y + dst.h <= 200, "{dst:?}");
        assert!(src.x + src.w <= 1280 && src.y + src.h <= 800, "{src:?}");
        assert_eq!(reached(Rect::default(), (1280, 800), (320, 200)), Rect::default());
    }

    #[test]
    fn changes_far_apart_stay_apart_and_near_ones_are_joined() {
        let clock = Rect {
            x: 40,
            y: 40,
            w: 220,
            h: 220,
        };
        let cursor = Rect {
            x: 1100,
            y: 700,
            w: 40,
            h: 24,
        };
        let beside = Rect {
            x: 262,
            y: 100,
            w: 10,
            h: 10,
        };
        let found = parts(&[clock, cursor, beside], (1280, 800), (320, 200), 8);
        assert_eq!(found.len(), 2, "{found:?}");
        let area: u64 = found.iter().map(|p| p.area()).sum();
        assert!(area < 320 * 200 / 10, "{found:?}");
        let lines: Vec<Rect> = (0..40)
            .map(|i| Rect {
                x: 0,
                y: i * 20,
                w: 300,
                h: 2,
            })
            .collect();
        assert_eq!(
            parts(&lines, (1280, 800), (320, 200), 8).len(),
            1,
            "many parts become one"
        );
    }

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
