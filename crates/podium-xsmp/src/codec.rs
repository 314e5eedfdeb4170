//! The wire's building blocks: byte order, padding, ICE's `STRING`,
//! XSMP's `ARRAY8` and their lists, read from and written to byte slices.
//!
//! Reading never trusts a length: every one is checked against what is
//! left of the message and against our limits before anything is
//! allocated, because the bytes come from a program the session's user
//! controls.

use crate::error::{Result, XsmpError};

/// The most bytes one message may have, header included.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// The most items any list in a message may have.
pub const MAX_ITEMS: usize = 64;

/// The order of a peer's multi-byte fields, announced by its first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// `IceLSBfirst` (0): little-endian, as on x86.
    LsbFirst,
    /// `IceMSBfirst` (1): big-endian.
    MsbFirst,
}

impl ByteOrder {
    /// This machine's order, the one we send in.
    #[must_use]
    pub fn native() -> ByteOrder {
        if cfg!(target_endian = "little") {
            ByteOrder::LsbFirst
        } else {
            ByteOrder::MsbFirst
        }
    }

    /// The value in a ByteOrder message.
    #[must_use]
    pub fn to_wire(self) -> u8 {
        match self {
            ByteOrder::LsbFirst => 0,
            ByteOrder::MsbFirst => 1,
        }
    }

    /// From the value in a ByteOrder message.
    #[must_use]
    pub fn from_wire(value: u8) -> Option<ByteOrder> {
        match value {
            0 => Some(ByteOrder::LsbFirst),
            1 => Some(ByteOrder::MsbFirst),
            _ => None,
        }
    }
}

/// Bytes needed after `len` bytes to reach a multiple of `unit`.
#[must_use]
pub fn pad(len: usize, unit: usize) -> usize {
    (unit - len % unit) % unit
}

/// A cursor over one message's bytes in its sender's byte order.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    order: ByteOrder,
}

impl<'a> Reader<'a> {
    /// Reads `buf` from its start.
    #[must_use]
    pub fn new(buf: &'a [u8], order: ByteOrder) -> Reader<'a> {
        Reader { buf, pos: 0, order }
    }

    /// How many bytes are left.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(XsmpError::Malformed("length overflows"))?;
        let out = self
            .buf
            .get(self.pos..end)
            .ok_or(XsmpError::Malformed("a field runs past the end of its message"))?;
        self.pos = end;
        Ok(out)
    }

    /// Skips `n` bytes (padding, unused fields).
    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.bytes(n).map(|_| ())
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// A CARD16 in the sender's order.
    pub fn u16(&mut self) -> Result<u16> {
        let b = self.array::<2>()?;
        Ok(match self.order {
            ByteOrder::LsbFirst => u16::from_le_bytes(b),
            ByteOrder::MsbFirst => u16::from_be_bytes(b),
        })
    }

    /// A CARD32 in the sender's order.
    pub fn u32(&mut self) -> Result<u32> {
        let b = self.array::<4>()?;
        Ok(match self.order {
            ByteOrder::LsbFirst => u32::from_le_bytes(b),
            ByteOrder::MsbFirst => u32::from_be_bytes(b),
        })
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let b = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    /// An ICE `STRING`: CARD16 length, bytes, padding to 4.
    pub fn string(&mut self) -> Result<String> {
        let len = usize::from(self.u16()?);
        let text = String::from_utf8_lossy(self.bytes(len)?).into_owned();
        self.skip(pad(2 + len, 4))?;
        Ok(text)
    }

    /// `count` ICE `STRING`s.
    pub fn strings(&mut self, count: u8) -> Result<Vec<String>> {
        limit(usize::from(count))?;
        (0..count).map(|_| self.string()).collect()
    }

    /// An XSMP `ARRAY8`: CARD32 length, bytes, padding so the whole is a
    /// multiple of 8.
    pub fn array8(&mut self) -> Result<Vec<u8>> {
        let len = self.u32()?;
        let len = usize::try_from(len).map_err(|_| XsmpError::Malformed("ARRAY8 length"))?;
        let data = self.bytes(len)?.to_vec();
        self.skip(pad(4 + len, 8))?;
        Ok(data)
    }

    /// An XSMP `LISTofARRAY8`: CARD32 count, 4 unused, the items.
    pub fn array8_list(&mut self) -> Result<Vec<Vec<u8>>> {
        let count = self.count()?;
        (0..count).map(|_| self.array8()).collect()
    }

    /// A list's CARD32 count and the 4 unused bytes after it, within our limit.
    pub fn count(&mut self) -> Result<usize> {
        let count = self.u32()?;
        self.skip(4)?;
        let count = usize::try_from(count).map_err(|_| XsmpError::Malformed("list count"))?;
        limit(count)?;
        Ok(count)
    }

    /// Checks that what is left is at most the padding to 8 bytes: every
    /// message's length must be exactly what its contents need.
    pub fn finish(&self) -> Result<()> {
        if self.remaining() < 8 {
            Ok(())
        } else {
            Err(XsmpError::Malformed("a message is longer than its contents"))
        }
    }
}

fn limit(count: usize) -> Result<()> {
    if count > MAX_ITEMS {
        Err(XsmpError::Malformed("a list has more items than allowed"))
    } else {
        Ok(())
    }
}

/// A message being written in one byte order.
pub struct Writer {
    buf: Vec<u8>,
    order: ByteOrder,
}

impl Writer {
    /// An empty message.
    #[must_use]
    pub fn new(order: ByteOrder) -> Writer {
        Writer {
            buf: Vec::with_capacity(64),
            order,
        }
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// A CARD16.
    pub fn u16(&mut self, v: u16) {
        match self.order {
            ByteOrder::LsbFirst => self.buf.extend_from_slice(&v.to_le_bytes()),
            ByteOrder::MsbFirst => self.buf.extend_from_slice(&v.to_be_bytes()),
        }
    }

    /// A CARD32.
    pub fn u32(&mut self, v: u32) {
        match self.order {
            ByteOrder::LsbFirst => self.buf.extend_from_slice(&v.to_le_bytes()),
            ByteOrder::MsbFirst => self.buf.extend_from_slice(&v.to_be_bytes()),
        }
    }

    /// Raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// `n` zero bytes.
    pub fn zeros(&mut self, n: usize) {
        self.buf.resize(self.buf.len() + n, 0);
    }

    /// An ICE `STRING`.
    pub fn string(&mut self, s: &str, what: &'static str) -> Result<()> {
        let len = u16::try_from(s.len()).map_err(|_| XsmpError::Encode(what))?;
        self.u16(len);
        self.bytes(s.as_bytes());
        self.zeros(pad(2 + s.len(), 4));
        Ok(())
    }

    /// An XSMP `ARRAY8`.
    pub fn array8(&mut self, data: &[u8], what: &'static str) -> Result<()> {
        let len = u32::try_from(data.len()).map_err(|_| XsmpError::Encode(what))?;
        self.u32(len);
        self.bytes(data);
        self.zeros(pad(4 + data.len(), 8));
        Ok(())
    }

    /// A list's CARD32 count and the 4 unused bytes after it.
    pub fn count(&mut self, n: usize, what: &'static str) -> Result<()> {
        if n > MAX_ITEMS {
            return Err(XsmpError::Encode(what));
        }
        self.u32(u32::try_from(n).map_err(|_| XsmpError::Encode(what))?);
        self.zeros(4);
        Ok(())
    }

    /// An XSMP `LISTofARRAY8`.
    pub fn array8_list(&mut self, items: &[Vec<u8>], what: &'static str) -> Result<()> {
        self.count(items.len(), what)?;
        items.iter().try_for_each(|i| self.array8(i, what))
    }

    /// Pads to 8 bytes, writes the header's length field (8-byte units
    /// after the first 8) and returns the message.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        self.zeros(pad(self.buf.len(), 8));
        if self.buf.len() > MAX_MESSAGE || self.buf.len() < 8 {
            return Err(XsmpError::Encode("a message"));
        }
        let units = u32::try_from((self.buf.len() - 8) / 8).map_err(|_| XsmpError::Encode("a message"))?;
        let field = match self.order {
            ByteOrder::LsbFirst => units.to_le_bytes(),
            ByteOrder::MsbFirst => units.to_be_bytes(),
        };
        self.buf[4..8].copy_from_slice(&field);
        Ok(self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_pad_to_four_and_array8s_to_eight() {
        let mut w = Writer::new(ByteOrder::LsbFirst);
        w.zeros(8);
        w.string("abc", "t").unwrap();
        w.array8(b"xyz", "t").unwrap();
        let out = w.finish().unwrap();
        assert_eq!(&out[8..], b"\x03\x00abc\x00\x00\x00\x03\x00\x00\x00xyz\x00");
        assert_eq!(&out[4..8], &[2, 0, 0, 0]);
    }

    #[test]
    fn big_endian_fields_read_back() {
        let mut w = Writer::new(ByteOrder::MsbFirst);
        w.u16(0x0102);
        w.u32(0x0304_0506);
        let mut r = Reader::new(&w.buf, ByteOrder::MsbFirst);
        assert_eq!(w.buf, [1, 2, 3, 4, 5, 6]);
        assert_eq!(r.u16().unwrap(), 0x0102);
        assert_eq!(r.u32().unwrap(), 0x0304_0506);
        assert!(r.u8().is_err());
    }

    #[test]
    fn lengths_past_the_end_are_errors_not_allocations() {
        let huge = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
        assert!(Reader::new(&huge, ByteOrder::LsbFirst).array8().is_err());
        assert!(Reader::new(&huge, ByteOrder::LsbFirst).array8_list().is_err());
        assert!(Reader::new(&[9, 0, b'a'], ByteOrder::LsbFirst).string().is_err());
        let many = [65, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            Reader::new(&many, ByteOrder::LsbFirst).array8_list(),
            Err(XsmpError::Malformed(_))
        ));
    }

    #[test]
    fn too_many_items_cannot_be_written() {
        let items = vec![Vec::new(); MAX_ITEMS + 1];
        assert!(Writer::new(ByteOrder::LsbFirst).array8_list(&items, "t").is_err());
    }
}
