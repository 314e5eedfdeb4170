//! A small software canvas for notices: rounded rectangles, discs, arches,
//! triangles, soft shadows and anti-aliased text (DejaVu Sans, built into
//! the binary so a notice looks the same on every host), sent to a window
//! with `PutImage`. Laying text out is [`crate::text`]'s job.

use fontdue::{Font, FontSettings};
use std::sync::OnceLock;
use x11rb::connection::Connection;
use x11rb::errors::ReplyOrIdError;
use x11rb::protocol::xproto::{ConnectionExt, Gcontext, ImageFormat, ImageOrder, Window};

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

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

    /// Copies `src` onto this canvas with its top left corner at (x, y),
    /// leaving out what falls outside.
    pub fn blit(&mut self, src: &Canvas, x: i32, y: i32) {
        let (w, sw) = (i32::from(self.width), i32::from(src.width));
        let (x0, x1) = (x.max(0), (x + sw).min(w));
        if x0 >= x1 {
            return;
        }
        for sy in 0..i32::from(src.height) {
            let ty = y + sy;
            if ty < 0 || ty >= i32::from(self.height) {
                continue;
            }
            let index = |row: i32, width: i32, col: i32| usize::try_from(row * width + col).unwrap_or(0);
            let (from, to) = (index(sy, sw, x0 - x), index(ty, w, x0));
            let len = usize::try_from(x1 - x0).unwrap_or(0);
            self.px[to..to + len].copy_from_slice(&src.px[from..from + len]);
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
        self.round_rect_alpha(x, y, w, h, r, color, 255);
    }

    /// Mixes a rounded rectangle in at `opacity` (0–255): shadows.
    #[allow(clippy::too_many_arguments)]
    pub fn round_rect_alpha(&mut self, x: i32, y: i32, w: i32, h: i32, r: i32, color: Rgb, opacity: u8) {
        let (x0, y0) = (x.max(0), y.max(0));
        let (x1, y1) = ((x + w).min(i32::from(self.width)), (y + h).min(i32::from(self.height)));
        for py in y0..y1 {
            for px in x0..x1 {
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
                if (cx, cy) == (px, py) {
                    self.plot(px, py, color, opacity);
                    continue;
                }
                let (dx, dy) = (f64::from(px - cx), f64::from(py - cy));
                let d = (dx * dx + dy * dy).sqrt() - f64::from(r);
                let alpha = if r == 0 || d <= -0.5 {
                    1.0
                } else {
                    (0.5 - d).clamp(0.0, 1.0)
                };
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                self.plot(px, py, color, (alpha * f64::from(opacity)) as u8);
            }
        }
    }

    /// A soft shadow around a rounded rectangle (drawn before it), fading
    /// out over `spread` pixels from `opacity`, shifted down by `drop`.
    #[allow(clippy::too_many_arguments)]
    pub fn shadow(&mut self, x: i32, y: i32, w: i32, h: i32, r: i32, spread: i32, drop: i32, opacity: u8) {
        let y = y + drop;
        let (x0, y0) = ((x - spread).max(0), (y - spread).max(0));
        let x1 = (x + w + spread).min(i32::from(self.width));
        let y1 = (y + h + spread).min(i32::from(self.height));
        let spread_f = f64::from(spread.max(1));
        // The rectangle the corners' centres span (`clamp` wants min ≤ max).
        let (left, right) = (x + r, (x + w - r - 1).max(x + r));
        let (top, bottom) = (y + r, (y + h - r - 1).max(y + r));
        for py in y0..y1 {
            for px in x0..x1 {
                // Distance from the rounded rectangle's edge (0 inside).
                let nx = px.clamp(left, right);
                let ny = py.clamp(top, bottom);
                let (dx, dy) = (f64::from(px - nx), f64::from(py - ny));
                let d = (dx * dx + dy * dy).sqrt() - f64::from(r);
                let fade = (1.0 - d.max(0.0) / spread_f).clamp(0.0, 1.0);
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                self.plot(px, py, 0x000000, (fade * fade * f64::from(opacity)) as u8);
            }
        }
    }

    /// Fills a triangle, anti-aliased by sampling each pixel 4×4 times.
    pub fn triangle(&mut self, a: (i32, i32), b: (i32, i32), c: (i32, i32), color: Rgb) {
        let edge = |p: (f64, f64), q: (i32, i32), r: (i32, i32)| {
            (f64::from(r.0 - q.0)) * (p.1 - f64::from(q.1)) - (f64::from(r.1 - q.1)) * (p.0 - f64::from(q.0))
        };
        let area = edge((f64::from(c.0), f64::from(c.1)), a, b);
        if area == 0.0 {
            return;
        }
        let (x0, x1) = (a.0.min(b.0).min(c.0), a.0.max(b.0).max(c.0));
        let (y0, y1) = (a.1.min(b.1).min(c.1), a.1.max(b.1).max(c.1));
        for py in y0..=y1 {
            for px in x0..=x1 {
                let mut hits = 0u32;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let p = (
                            f64::from(px) + (f64::from(sx) + 0.5) / 4.0,
                            f64::from(py) + (f64::from(sy) + 0.5) / 4.0,
                        );
                        let (e0, e1, e2) = (edge(p, a, b), edge(p, b, c), edge(p, c, a));
                        let inside = if area > 0.0 {
                            e0 >= 0.0 && e1 >= 0.0 && e2 >= 0.0
                        } else {
                            e0 <= 0.0 && e1 <= 0.0 && e2 <= 0.0
                        };
                        hits += u32::from(inside);
                    }
                }
                self.plot(px, py, color, u8::try_from(hits * 255 / 16).unwrap_or(255));
            }
        }
    }

    /// Fills an anti-aliased disc.
    pub fn disc(&mut self, cx: i32, cy: i32, r: i32, color: Rgb) {
        self.round_rect(cx - r, cy - r, 2 * r, 2 * r, r, color);
    }

    /// Draws the top half of a ring centred on (cx, cy), `thickness` pixels
    /// wide inside radius `r`: a lock's shackle.
    pub fn arch(&mut self, cx: i32, cy: i32, r: i32, thickness: i32, color: Rgb) {
        let inner = f64::from(r - thickness);
        for py in cy - r..=cy {
            for px in cx - r..=cx + r {
                // Distances are taken from pixel centres, as in `round_rect`.
                let (dx, dy) = (f64::from(px - cx), f64::from(py - cy));
                let d = (dx * dx + dy * dy).sqrt();
                let outside = (d - f64::from(r) + 0.5).clamp(0.0, 1.0);
                let inside = (inner - d + 0.5).clamp(0.0, 1.0);
                let alpha = (1.0 - outside - inside).clamp(0.0, 1.0);
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                self.plot(px, py, color, (alpha * 255.0) as u8);
            }
        }
    }

    /// The canvas as a binary PPM (P6) image, to look at a notice without
    /// a display.
    #[must_use]
    pub fn to_ppm(&self) -> Vec<u8> {
        let mut out = format!("P6\n{} {}\n255\n", self.width, self.height).into_bytes();
        for p in &self.px {
            out.extend_from_slice(&p.to_be_bytes()[1..]);
        }
        out
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

    /// Sends the canvas to `window` with its top left corner at `at`, in
    /// strips small enough for any server's request size limit.
    ///
    /// # Errors
    /// When the connection fails.
    pub fn put(
        &self,
        conn: &impl Connection,
        window: Window,
        gc: Gcontext,
        depth: u8,
        at: (i16, i16),
    ) -> Result<(), ReplyOrIdError> {
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
            let y = i16::try_from(strip * rows_per_strip)
                .ok()
                .and_then(|y| y.checked_add(at.1))
                .unwrap_or(i16::MAX);
            conn.put_image(
                ImageFormat::Z_PIXMAP,
                window,
                gc,
                self.width,
                rows,
                at.0,
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
    fn blit_copies_what_fits() {
        let mut dst = Canvas::new(4, 3, 0);
        let mut src = Canvas::new(2, 2, 7);
        src.px[3] = 9;
        dst.blit(&src, 1, 1);
        assert_eq!(dst.px, vec![0, 0, 0, 0, 0, 7, 7, 0, 0, 7, 9, 0]);
        // Partly outside, on every side: clipped, no panic.
        for (x, y) in [(-1, -1), (3, 2), (-5, 0), (0, 5), (4, 0)] {
            let mut d = Canvas::new(4, 3, 0);
            d.blit(&src, x, y);
        }
        let mut d = Canvas::new(4, 3, 0);
        d.blit(&src, -1, -1);
        assert_eq!(d.px[0], 9, "the part inside is copied");
        assert_eq!(d.px.iter().filter(|p| **p != 0).count(), 1);
    }

    #[test]
    fn text_leaves_ink() {
        let f = fonts().expect("embedded fonts parse");
        let mut c = Canvas::new(200, 40, 0x000000);
        let end = c.text(&f.bold, 24.0, 4.0, 30, 0xffffff, "Podium");
        assert!(end > 60.0);
        let ink = (0..200)
            .flat_map(|x| (0..40).map(move |y| (x, y)))
            .filter(|(x, y)| c.pixel(*x, *y) != 0)
            .count();
        assert!(ink > 100, "only {ink} pixels drawn");
    }

    #[test]
    fn shapes_fill_what_they_cover_and_nothing_else() {
        let mut c = Canvas::new(100, 100, 0x000000);
        c.arch(50, 50, 20, 5, 0xffffff);
        assert_eq!(c.pixel(50, 32), 0xffffff, "on the ring");
        assert_eq!(c.pixel(50, 45), 0x000000, "inside the ring");
        assert_eq!(c.pixel(50, 60), 0x000000, "below the centre: only the top half");
        c.triangle((10, 80), (30, 80), (10, 95), 0x00ff00);
        assert_eq!(c.pixel(12, 82), 0x00ff00);
        assert_eq!(c.pixel(28, 94), 0x000000);
        let mut s = Canvas::new(100, 100, 0xffffff);
        s.shadow(30, 30, 40, 40, 6, 10, 0, 200);
        assert!(
            s.pixel(50, 50) < 0xffffff && s.pixel(25, 50) < 0xffffff,
            "under and near: darker"
        );
        assert_eq!(s.pixel(5, 5), 0xffffff, "far: untouched");
        // Degenerate sizes draw nothing and do not panic.
        s.shadow(10, 10, 2, 2, 6, 3, 0, 200);
        s.round_rect(-50, -50, 500, 500, 300, 0x123456);
        c.triangle((0, 0), (5, 5), (10, 10), 0xffffff);
    }

    #[test]
    fn ppm_has_a_header_and_three_bytes_a_pixel() {
        let c = Canvas::new(3, 2, 0x112233);
        let ppm = c.to_ppm();
        assert!(ppm.starts_with(b"P6\n3 2\n255\n"));
        assert_eq!(&ppm[ppm.len() - 3..], &[0x11, 0x22, 0x33]);
        assert_eq!(ppm.len(), 11 + 3 * 6);
    }

    #[test]
    fn rounded_corners_stay_background() {
        let mut c = Canvas::new(50, 50, 0x000000);
        c.round_rect(0, 0, 50, 50, 12, 0xff0000);
        assert_eq!(c.pixel(0, 0), 0x000000);
        assert_eq!(c.pixel(25, 25), 0xff0000);
    }
}
