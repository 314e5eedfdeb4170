//! Big-endian numbers at an offset of a buffer, as RFB writes them: the
//! callers have checked the buffer is long enough.

/// The `u16` at `b[i..i + 2]`.
pub(crate) fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

/// The `u32` at `b[i..i + 4]`.
pub(crate) fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
