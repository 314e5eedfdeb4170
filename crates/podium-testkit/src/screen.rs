//! Looking at a session's screen as its X server has it (ImageMagick's
//! `import`, with the user's X authority), to check what Podium draws.

use std::path::Path;
use std::process::Command;

/// A picture of a whole screen.
#[derive(Debug)]
pub struct Shot {
    /// Pixels across.
    pub width: usize,
    /// Pixels down.
    pub height: usize,
    rgb: Vec<u8>,
}

impl Shot {
    /// Takes a picture of display `display` (e.g. `:3`), with the X
    /// authority file `xauthority`; also saves it as PNG at `png` if given.
    ///
    /// # Panics
    /// When `import` fails or writes something that is not a PPM image.
    #[must_use]
    pub fn take(display: &str, xauthority: &Path, png: Option<&Path>) -> Shot {
        let out = Command::new("import")
            .args(["-display", display, "-window", "root", "-depth", "8", "ppm:-"])
            .env("XAUTHORITY", xauthority)
            .output()
            .expect("run import");
        assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
        if let Some(png) = png {
            let status = Command::new("convert")
                .args(["ppm:-", &png.to_string_lossy()])
                .stdin(std::process::Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    use std::io::Write;
                    c.stdin.take().expect("stdin").write_all(&out.stdout)?;
                    c.wait()
                })
                .expect("run convert");
            assert!(status.success(), "convert to {}", png.display());
        }
        parse_ppm(&out.stdout).expect("a PPM image")
    }

    /// The colour at (x, y).
    #[must_use]
    pub fn pixel(&self, x: usize, y: usize) -> (u8, u8, u8) {
        let i = (y * self.width + x) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// The share of pixels for which `pick` is true (every 7th pixel looked at).
    #[must_use]
    pub fn share(&self, pick: impl Fn((u8, u8, u8)) -> bool) -> f64 {
        let (mut n, mut hit) = (0u32, 0u32);
        for i in (0..self.width * self.height).step_by(7) {
            n += 1;
            if pick((self.rgb[i * 3], self.rgb[i * 3 + 1], self.rgb[i * 3 + 2])) {
                hit += 1;
            }
        }
        f64::from(hit) / f64::from(n.max(1))
    }

    /// The share of near-white pixels (an xterm's background).
    #[must_use]
    pub fn white(&self) -> f64 {
        self.share(|(r, g, b)| r > 240 && g > 240 && b > 240)
    }
}

/// Reads a binary PPM (P6, maxval 255).
fn parse_ppm(data: &[u8]) -> Option<Shot> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if data[i] == b'#' {
            while *data.get(i)? != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while !data.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&data[start..i]).ok()?.to_owned());
    }
    if fields[0] != "P6" || fields[3] != "255" {
        return None;
    }
    let (width, height): (usize, usize) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let rgb = data.get(i + 1..i + 1 + width * height * 3)?.to_vec();
    Some(Shot { width, height, rgb })
}
