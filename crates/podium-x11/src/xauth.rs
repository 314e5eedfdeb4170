//! X authority cookies: each session's display admits only clients that
//! hold its random MIT-MAGIC-COOKIE-1, and only the session's user (and
//! root) can read it.

use crate::error::{Result, X11Error};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The only authorization protocol Podium uses.
pub const PROTOCOL: &str = "MIT-MAGIC-COOKIE-1";
/// `FamilyLocal` in Xauth: a Unix-socket connection on this host.
const FAMILY_LOCAL: u16 = 256;
/// `FamilyWild`: any address.
const FAMILY_WILD: u16 = 0xffff;

/// A session's secret cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct Cookie(pub [u8; 16]);

impl std::fmt::Debug for Cookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cookie(…)")
    }
}

impl Cookie {
    /// As hexadecimal text.
    #[must_use]
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// From [`Cookie::to_hex`]'s text.
    #[must_use]
    pub fn from_hex(hex: &str) -> Option<Cookie> {
        if hex.len() != 32 || !hex.is_ascii() {
            return None;
        }
        let mut c = [0u8; 16];
        for (i, byte) in c.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Cookie(c))
    }

    /// A fresh random cookie from the operating system's generator.
    ///
    /// # Errors
    /// When the system has no randomness to give.
    pub fn generate() -> Result<Cookie> {
        let mut c = [0u8; 16];
        podium_sys::random::fill(&mut c)?;
        Ok(Cookie(c))
    }
}

fn push_field(out: &mut Vec<u8>, data: &[u8]) {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&data[..usize::from(len)]);
}

fn entry(out: &mut Vec<u8>, family: u16, address: &[u8], display: &str, cookie: &Cookie) {
    out.extend_from_slice(&family.to_be_bytes());
    push_field(out, address);
    push_field(out, display.as_bytes());
    push_field(out, PROTOCOL.as_bytes());
    push_field(out, &cookie.0);
}

/// The bytes of an Xauthority file for `display` (the number, `3`; empty
/// for any) on host `hostname`: one local entry and one wildcard entry, so
/// clients find the cookie even if the host name changes.
#[must_use]
pub fn file_contents(hostname: &str, display: &str, cookie: &Cookie) -> Vec<u8> {
    let mut out = Vec::new();
    entry(&mut out, FAMILY_LOCAL, hostname.as_bytes(), display, cookie);
    entry(&mut out, FAMILY_WILD, b"", display, cookie);
    out
}

/// Writes an Xauthority file readable only by `uid`: created fresh (an
/// existing file or symlink at the path is replaced, never followed).
///
/// # Errors
/// When the file cannot be written or given to the user.
pub fn write(path: &Path, contents: &[u8], uid: u32, gid: u32) -> Result<()> {
    let tmp = path.with_extension("new");
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)
        .map_err(X11Error::io("create", &tmp))?;
    f.write_all(contents).map_err(X11Error::io("write", &tmp))?;
    f.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(X11Error::io("chmod", &tmp))?;
    std::os::unix::fs::fchown(&f, Some(uid), Some(gid)).map_err(X11Error::io("chown", &tmp))?;
    fs::rename(&tmp, path).map_err(X11Error::io("rename", path))
}

/// Reads the first MIT-MAGIC-COOKIE-1 from an Xauthority file.
///
/// # Errors
/// When the file cannot be read or holds no cookie.
pub fn read_cookie(path: &Path) -> Result<Cookie> {
    // Without following a symlink or blocking on a FIFO, and at most 64 KiB.
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(X11Error::io("read", path))?;
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(f, 64 * 1024), &mut data)
        .map_err(X11Error::io("read", path))?;
    parse_cookie(&data).ok_or_else(|| X11Error::Io {
        what: "find a cookie in",
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no MIT-MAGIC-COOKIE-1 entry"),
    })
}

fn parse_cookie(mut data: &[u8]) -> Option<Cookie> {
    fn field<'a>(data: &mut &'a [u8]) -> Option<&'a [u8]> {
        let len = usize::from(u16::from_be_bytes([*data.first()?, *data.get(1)?]));
        let value = data.get(2..2 + len)?;
        *data = &data[2 + len..];
        Some(value)
    }
    while data.len() >= 2 {
        data = &data[2..]; // family
        let _address = field(&mut data)?;
        let _number = field(&mut data)?;
        let name = field(&mut data)?;
        let value = field(&mut data)?;
        if name == PROTOCOL.as_bytes() && value.len() == 16 {
            let mut c = [0u8; 16];
            c.copy_from_slice(value);
            return Some(Cookie(c));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_cookie_reads_back() {
        let c = Cookie([7; 16]);
        let bytes = file_contents("host", "3", &c);
        assert_eq!(parse_cookie(&bytes), Some(c));
        assert_eq!(&bytes[..2], &[1, 0], "family local first");
    }

    #[test]
    fn truncated_files_hold_no_cookie() {
        let bytes = file_contents("host", "3", &Cookie([1; 16]));
        for cut in 0..bytes.len() / 2 {
            assert_eq!(parse_cookie(&bytes[..cut]), None);
        }
    }

    #[test]
    fn cookies_go_through_hex() {
        let c = Cookie([0, 1, 0xab, 0xff, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0x10]);
        assert_eq!(Cookie::from_hex(&c.to_hex()), Some(c));
        assert_eq!(Cookie::from_hex("zz"), None);
        assert_eq!(Cookie::from_hex(&"g".repeat(32)), None);
    }

    #[test]
    fn cookies_are_random() {
        let a = Cookie::generate().expect("urandom");
        let b = Cookie::generate().expect("urandom");
        assert_ne!(a, b);
    }
}
