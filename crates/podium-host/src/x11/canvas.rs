//! A small software canvas for notices: rectangles, circles and
//! anti-aliased text (DejaVu Sans, built into the binary so a notice looks
//! the same on every host), sent to a window with `PutImage`.

use fontdue::{Font, FontSettings};
use std::sync::OnceLock;
use x11rb::connection::Connection;
use x11rb::errors::ReplyOrIdError;
use x11rb::protocol::xproto::{ConnectionExt, Gcontext, ImageFormat, ImageOrder, Window};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The two faces notices use.
pub struct Fonts {
    /// DejaVu Sans.
    pub regular: Font,
    /// DejaVu Sans Bold.
    pub bold: Font,
}

/// The built-in fonts, parsed once. `None` only if the embedded files are broken.
pub fn fonts() -> Option<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = Font::from_bytes(REGULAR, FontSettings::default()).ok()?;
            let bold = Font::from_bytes(BOLD, FontSettings::default()).ok()?;
            Some(Fonts { regular, bold })
        })
        .as_ref()
}

/// An RGB colour, `0xRRGGBB`.
pub type Rgb = u32;

fn blend(under: Rgb, over: Rgb, alpha: u8) -> Rgb {
    let a = u32::from(alpha);
    let mix = |shift: u32| {
        let u = (under >> shift) & 0xff;
        let o = (over >> shift) & 0xff;
        ((o * a + u * (255 - a)) / 255) << shift
    };
    mix(16) | mix(8) | mix(0)
}

/// Pixels in memory, one `0x00RRGGBB` word each.
#[derive(Clone, Debug)]
pub struct Canvas {
    width: u16,
    height: u16,
    px: Vec<Rgb>,
}

impl Canvas {
    /// A canvas filled with `background`.
    #[must_use]
    pub fn new(width: u16, height: u16, background: Rgb) -> Canvas {
        Canvas {
            width,
            height,
            px: vec![background; usize::from(width) * usize::from(height)],
        }
    }

    /// Width in pixels.
    #[must_use]
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Height in pixels.
    #[must_use]
    pub fn height(&self) -> u16 {
        self.height
    }

    /// The colour at (x, y), for tests.
    #[must_use]
    pub fn pixel(&self, x: u16, y: u16) -> Rgb {
        self.px[usize::from(y) * usize::from(self.width) + usize::from(x)]
    }

    fn plot(&mut self, x: i32, y: i32, color: Rgb, alpha: u8) {
        if x < 0 || y < 0 || x >= i32::from(self.width) || y >= i32::from(self.height) || alpha == 0 {
            return;
        }
        #[allow(clippy::cast_sign_loss)]
        let i = y as usize * usize::from(self.width) + x as usize;
        self.px[i] = if alpha == 255 {
            color
        } else {
            blend(self.px[i], color, alpha)
        };
    }

    /// Fills a rectangle with rounded corners (radius `r`; 0 for square).
    pub fn round_rect(&mut self, x: i32, y: i32, w: i32, h: i32, r: i32, color: Rgb) {
        for py in y..y + h {
            for px in x..x + w {
                // Distance into the corner region, for anti-aliased corners.
                let cx = if px < x + r {
                    x + r
                } else if px >= x + w - r {
                    x + w - r - 1
                } else {
                    px
                };
                let cy = if py < y + r {
                    y + r
                } else if py >= y + h - r {
                    y + h - r - 1
                } else {
                    py
                };
                let (dx, dy) = (f64::from(px - cx), f64::from(py - cy));
                let d = (dx * dx + dy * dy).sqrt() - f64::from(r);
                let alpha = if r == 0 || d <= -0.5 {
                    1.0
                } else {
                    (0.5 - d).clamp(0.0, 1.0)
                };
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                self.plot(px, py, color, (alpha * 255.0) as u8);
            }
        }
    }

    /// Fills an anti-aliased disc.
    pub fn disc(&mut self, cx: i32, cy: i32, r: i32, color: Rgb) {
        self.round_rect(cx - r, cy - r, 2 * r, 2 * r, r, color);
    }

    /// Width of `text` at `size` pixels.
    #[must_use]
    pub fn measure(font: &Font, size: f32, text: &str) -> f32 {
        text.chars().map(|c| font.metrics(c, size).advance_width).sum()
    }

    /// Draws `text` with its baseline at `baseline`, starting at `x`.
    /// Returns the x after the last glyph.
    pub fn text(&mut self, font: &Font, size: f32, x: f32, baseline: i32, color: Rgb, text: &str) -> f32 {
        let mut pen = x;
        for c in text.chars() {
            let (m, bitmap) = font.rasterize(c, size);
            #[allow(clippy::cast_possible_truncation)]
            let left = pen.round() as i32 + m.xmin;
            let top = baseline - i32::try_from(m.height).unwrap_or(0) - m.ymin;
            for (i, coverage) in bitmap.iter().enumerate() {
                let gx = i32::try_from(i % m.width.max(1)).unwrap_or(0);
                let gy = i32::try_from(i / m.width.max(1)).unwrap_or(0);
                self.plot(left + gx, top + gy, color, *coverage);
            }
            pen += m.advance_width;
        }
        pen
    }

    /// Splits `text` into lines no wider than `max` pixels.
    #[must_use]
    pub fn wrap(font: &Font, size: f32, text: &str, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if Canvas::measure(font, size, &candidate) > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Sends the canvas to `window` at (0, 0), in strips small enough for
    /// any server's request size limit.
    ///
    /// # Errors
    /// When the connection fails.
    pub fn put(&self, conn: &impl Connection, window: Window, gc: Gcontext, depth: u8) -> Result<(), ReplyOrIdError> {
        let lsb = conn.setup().image_byte_order == ImageOrder::LSB_FIRST;
        let row_bytes = usize::from(self.width) * 4;
        let max_bytes = conn.maximum_request_bytes().saturating_sub(64).max(row_bytes);
        let rows_per_strip = (max_bytes / row_bytes).clamp(1, usize::from(self.height.max(1)));
        for (strip, chunk) in self.px.chunks(rows_per_strip * usize::from(self.width)).enumerate() {
            let mut data = Vec::with_capacity(chunk.len() * 4);
            for p in chunk {
                data.extend_from_slice(&if lsb { p.to_le_bytes() } else { p.to_be_bytes() });
            }
            let rows = u16::try_from(chunk.len() / usize::from(self.width).max(1)).unwrap_or(0);
            let y = i16::try_from(strip * rows_per_strip).unwrap_or(i16::MAX);
            conn.put_image(
                ImageFormat::Z_PIXMAP,
                window,
                gc,
                self.width,
                rows,
                0,
                y,
                0,
                depth,
                &data,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_leaves_ink_and_wraps() {
        let f = fonts().expect("embedded fonts parse");
        let mut c = Canvas::new(200, 40, 0x000000);
        let end = c.text(&f.bold, 24.0, 4.0, 30, 0xffffff, "Podium");
        assert!(end > 60.0);
        let ink = (0..200)
            .flat_map(|x| (0..40).map(move |y| (x, y)))
            .filter(|(x, y)| c.pixel(*x, *y) != 0)
            .count();
        assert!(ink > 100, "only {ink} pixels drawn");
        let lines = Canvas::wrap(&f.regular, 16.0, "one two three four five six seven", 80.0);
        assert!(lines.len() >= 3, "{lines:?}");
    }

    #[test]
    fn rounded_corners_stay_background() {
        let mut c = Canvas::new(50, 50, 0x000000);
        c.round_rect(0, 0, 50, 50, 12, 0xff0000);
        assert_eq!(c.pixel(0, 0), 0x000000);
        assert_eq!(c.pixel(25, 25), 0xff0000);
    }
}
