//! The encodings a relay lets the viewer ask for: those whose rectangles
//! [`crate::server::ServerReader`] can frame, and never the extended
//! clipboard (the desktop's clipboard is for its owner only).

/// Raw pixels.
pub const RAW: i32 = 0;
/// A copy from elsewhere on the screen.
pub const COPY_RECT: i32 = 1;
/// Tight (noVNC's best).
pub const TIGHT: i32 = 7;
/// ZRLE (length-prefixed).
pub const ZRLE: i32 = 16;
/// The QEMU extended key event, acknowledged by an empty rectangle.
pub const QEMU_EXTENDED_KEY: i32 = -258;
/// The QEMU keyboard LED state (one byte per rectangle).
pub const QEMU_LED_STATE: i32 = -261;
/// A new desktop size.
pub const DESKTOP_SIZE: i32 = -223;
/// The last rectangle of an update.
pub const LAST_RECT: i32 = -224;
/// The cursor's shape.
pub const CURSOR: i32 = -239;
/// The desktop's new name.
pub const DESKTOP_NAME: i32 = -307;
/// A new desktop size with its screens.
pub const EXTENDED_DESKTOP_SIZE: i32 = -308;
/// Fences.
pub const FENCE: i32 = -312;
/// Continuous updates.
pub const CONTINUOUS_UPDATES: i32 = -313;
/// The extended clipboard, which a relay never lets through.
#[allow(clippy::cast_possible_wrap)]
pub const EXTENDED_CLIPBOARD: i32 = 0xC0A1_E5CE_u32 as i32;

/// Whether the server reader can frame this encoding, or it carries no
/// rectangle data at all (compression and quality levels).
#[must_use]
pub fn allowed(encoding: i32) -> bool {
    matches!(
        encoding,
        RAW | COPY_RECT
            | TIGHT
            | ZRLE
            | QEMU_EXTENDED_KEY
            | QEMU_LED_STATE
            | DESKTOP_SIZE
            | LAST_RECT
            | CURSOR
            | DESKTOP_NAME
            | EXTENDED_DESKTOP_SIZE
            | FENCE
            | CONTINUOUS_UPDATES
            // Compression level, JPEG quality, TigerVNC's fine quality and subsampling.
            | -256..=-247
            | -32..=-23
            | -512..=-412
            | -768..=-763
    )
}

/// Rewrites a whole `SetEncodings` message (type 2) to keep only the
/// allowed encodings, in the viewer's order of preference.
///
/// `message` must be one complete `SetEncodings` message, as cut by
/// [`crate::client::ClientReader`].
#[must_use]
pub fn rewrite(message: &[u8]) -> Vec<u8> {
    let kept: Vec<i32> = message
        .get(4..)
        .unwrap_or_default()
        .chunks_exact(4)
        .map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .filter(|e| allowed(*e))
        .collect();
    let count = u16::try_from(kept.len()).unwrap_or(u16::MAX);
    let mut out = Vec::with_capacity(4 + 4 * kept.len());
    out.extend_from_slice(&[2, 0]);
    out.extend_from_slice(&count.to_be_bytes());
    for e in kept.iter().take(usize::from(count)) {
        out.extend_from_slice(&e.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_encodings(list: &[i32]) -> Vec<u8> {
        let mut m = vec![2, 0];
        m.extend_from_slice(&u16::try_from(list.len()).expect("short").to_be_bytes());
        for e in list {
            m.extend_from_slice(&e.to_be_bytes());
        }
        m
    }

    #[test]
    fn rewrite_keeps_framable_encodings_in_order() {
        let novnc = [
            TIGHT,
            -260,
            ZRLE,
            6,
            5,
            2,
            COPY_RECT,
            RAW,
            -26,
            -1,
            DESKTOP_SIZE,
            LAST_RECT,
            QEMU_EXTENDED_KEY,
            EXTENDED_DESKTOP_SIZE,
            -309,
            FENCE,
            CONTINUOUS_UPDATES,
            DESKTOP_NAME,
            EXTENDED_CLIPBOARD,
            CURSOR,
            0x574D_5668,
        ];
        let out = rewrite(&set_encodings(&novnc));
        assert_eq!(
            out,
            set_encodings(&[
                TIGHT,
                ZRLE,
                COPY_RECT,
                RAW,
                -26,
                DESKTOP_SIZE,
                LAST_RECT,
                QEMU_EXTENDED_KEY,
                EXTENDED_DESKTOP_SIZE,
                FENCE,
                CONTINUOUS_UPDATES,
                DESKTOP_NAME,
                CURSOR,
            ])
        );
    }

    #[test]
    fn rewrite_never_keeps_the_extended_clipboard() {
        let out = rewrite(&set_encodings(&[EXTENDED_CLIPBOARD, EXTENDED_CLIPBOARD]));
        assert_eq!(out, vec![2, 0, 0, 0]);
    }

    #[test]
    fn levels_are_allowed_but_hextile_is_not() {
        assert!(allowed(-256) && allowed(-247) && allowed(-32) && allowed(-23) && allowed(-500));
        assert!(!allowed(5) && !allowed(2) && !allowed(-246) && !allowed(-22));
    }
}
