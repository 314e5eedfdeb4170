//! JPEG encoding of thumbnails. The built-in pure-Rust encoder (with SIMD)
//! is what the daemon uses; the system's libjpeg-turbo is available with
//! the `turbojpeg` feature so the benchmark can compare the two.

use crate::scale::Scaled;

/// JPEG quality of thumbnails: small files, text still legible at 480 px.
pub const QUALITY: u8 = 80;

/// Encodes BGRX pixels to JPEG with the built-in encoder.
///
/// # Errors
/// When the image is too large for JPEG.
pub fn jpeg(img: &Scaled) -> Result<Vec<u8>, String> {
    let (w, h) = (
        u16::try_from(img.width).map_err(|e| e.to_string())?,
        u16::try_from(img.height).map_err(|e| e.to_string())?,
    );
    let mut out = Vec::with_capacity(img.data.len() / 8);
    let encoder = jpeg_encoder::Encoder::new(&mut out, QUALITY);
    // The fourth byte is X (unused); the encoder ignores alpha.
    encoder
        .encode(&img.data, w, h, jpeg_encoder::ColorType::Bgra)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Encodes with the system's libjpeg-turbo (benchmark comparison).
///
/// # Errors
/// TurboJPEG's message.
#[cfg(feature = "turbojpeg")]
pub fn jpeg_turbo(t: &mut podium_host::sys::turbojpeg::TurboJpeg, img: &Scaled) -> Result<Vec<u8>, String> {
    let w = usize::try_from(img.width).map_err(|e| e.to_string())?;
    let h = usize::try_from(img.height).map_err(|e| e.to_string())?;
    t.compress_bgrx(&img.data, w, w * 4, h, QUALITY)
}

/// The content ETag of a JPEG: the same picture always gets the same tag.
#[must_use]
pub fn etag(jpeg: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(jpeg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_decodable_jpeg_with_a_content_etag() {
        let img = Scaled {
            width: 32,
            height: 20,
            data: [200u8, 100, 50, 0].repeat(32 * 20),
        };
        let a = jpeg(&img).expect("encodes");
        let mut d = jpeg_decoder::Decoder::new(a.as_slice());
        let rgb = d.decode().expect("decodes");
        let px = &rgb[rgb.len() / 2..rgb.len() / 2 + 3];
        assert!(
            (i32::from(px[0]) - 50).abs() < 6 && (i32::from(px[2]) - 200).abs() < 6,
            "{px:?}"
        );
        assert_eq!(etag(&a), etag(&jpeg(&img).expect("encodes")));
        let other = Scaled {
            data: [0u8, 0, 0, 0].repeat(32 * 20),
            ..img
        };
        assert_ne!(etag(&a), etag(&jpeg(&other).expect("encodes")));
    }
}
