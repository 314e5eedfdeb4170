//! TigerVNC's own X extension, spoken directly over the daemon's X
//! connection: turning the VNC viewers' keyboard and pointer off and on
//! (a block) and dropping every viewer (a disconnect), as `vncconfig -set`
//! and `vncconfig -disconnect` do, without running a program as the user.
//!
//! The extension is called `VNC-EXTENSION` up to TigerVNC 1.13, where
//! `SetParam` carries `name=value` as one string, and `TIGERVNC` from 1.14,
//! where name and value are separate; both are understood. Xvnc changes
//! only the parameters listed in its `-AllowOverride` option, which is why
//! sessions start Xvnc with `AcceptKeyEvents` added to that list
//! (`podium-host`'s `display::xvnc_args`).

use crate::access::DisplayAccess;
use crate::error::{Result, X11Error};
use std::io::IoSlice;
use x11rb::connection::RequestConnection;
use x11rb::errors::ParseError;
use x11rb::x11_utils::TryParse;

/// The extension's name in TigerVNC 1.13 and earlier.
const LEGACY_NAME: &str = "VNC-EXTENSION";
/// The extension's name from TigerVNC 1.14.
const CURRENT_NAME: &str = "TIGERVNC";

const SET_PARAM: u8 = 0;
const GET_PARAM: u8 = 1;
const CONNECT: u8 = 7;

/// The viewers' keyboard.
pub const ACCEPT_KEYS: &str = "AcceptKeyEvents";
/// The viewers' mouse.
pub const ACCEPT_POINTER: &str = "AcceptPointerEvents";

/// How `SetParam` carries its parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    /// One string, `name=value`, its length in one byte (TigerVNC ≤ 1.13).
    NameEqualsValue,
    /// Name and value apart, each length in two bytes (TigerVNC ≥ 1.14).
    Separate,
}

/// The extension on one connection: its opcode and dialect.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VncExt {
    opcode: u8,
    dialect: Dialect,
}

fn pad4(mut v: Vec<u8>) -> Vec<u8> {
    v.resize(v.len().div_ceil(4) * 4, 0);
    v
}

/// A request: 4-byte header with the length in words, then `body`.
fn request(opcode: u8, minor: u8, body: &[u8]) -> Option<Vec<u8>> {
    let words = u16::try_from((4 + body.len()).div_ceil(4)).ok()?;
    let mut v = vec![opcode, minor];
    v.extend_from_slice(&words.to_ne_bytes());
    v.extend_from_slice(body);
    Some(pad4(v))
}

/// `xVncExtSetParamReq`, or `None` when a string is too long for it.
fn set_param_request(opcode: u8, dialect: Dialect, name: &str, value: &str) -> Option<Vec<u8>> {
    match dialect {
        Dialect::NameEqualsValue => {
            let param = format!("{name}={value}");
            let mut body = vec![u8::try_from(param.len()).ok()?, 0, 0, 0];
            body.extend_from_slice(param.as_bytes());
            request(opcode, SET_PARAM, &body)
        }
        Dialect::Separate => {
            let mut body = Vec::new();
            body.extend_from_slice(&u16::try_from(name.len()).ok()?.to_ne_bytes());
            body.extend_from_slice(&u16::try_from(value.len()).ok()?.to_ne_bytes());
            body.extend_from_slice(&pad4(name.as_bytes().to_vec()));
            body.extend_from_slice(value.as_bytes());
            request(opcode, SET_PARAM, &body)
        }
    }
}

/// `xVncExtGetParamReq`.
fn get_param_request(opcode: u8, name: &str) -> Option<Vec<u8>> {
    let mut body = vec![u8::try_from(name.len()).ok()?, 0, 0, 0];
    body.extend_from_slice(name.as_bytes());
    request(opcode, GET_PARAM, &body)
}

/// `xVncExtConnectReq`: an empty address disconnects every viewer.
fn connect_request(opcode: u8, address: &str) -> Option<Vec<u8>> {
    // strLen, then viewOnly (1.14; padding before), then padding.
    let mut body = vec![u8::try_from(address.len()).ok()?, 0, 0, 0];
    body.extend_from_slice(address.as_bytes());
    request(opcode, CONNECT, &body)
}

/// A reply cut into its parts.
struct RawReply<'a> {
    /// The 32 bytes every reply starts with.
    header: &'a [u8; 32],
    /// The `length` words after it.
    body: &'a [u8],
    /// Whatever follows.
    rest: &'a [u8],
}

fn split_reply(value: &[u8]) -> std::result::Result<RawReply<'_>, ParseError> {
    let header: &[u8; 32] = value
        .get(..32)
        .and_then(|h| h.try_into().ok())
        .ok_or(ParseError::InsufficientData)?;
    let words = u32::from_ne_bytes([header[4], header[5], header[6], header[7]]);
    let extra = usize::try_from(words)
        .ok()
        .and_then(|w| w.checked_mul(4))
        .ok_or(ParseError::ConversionFailed)?;
    let after = &value[32..];
    let body = after.get(..extra).ok_or(ParseError::InsufficientData)?;
    Ok(RawReply {
        header,
        body,
        rest: &after[extra..],
    })
}

/// The reply to `SetParam` and `Connect`: only whether it worked (the rest
/// of these replies is padding Xvnc leaves uninitialised).
#[derive(Debug)]
struct Done {
    success: bool,
}

impl TryParse for Done {
    fn try_parse(value: &[u8]) -> std::result::Result<(Self, &[u8]), ParseError> {
        let r = split_reply(value)?;
        Ok((
            Done {
                success: r.header[1] != 0,
            },
            r.rest,
        ))
    }
}

/// The reply to `GetParam`: the value, if the parameter exists.
#[derive(Debug)]
struct Value {
    value: Option<Vec<u8>>,
}

impl TryParse for Value {
    fn try_parse(value: &[u8]) -> std::result::Result<(Self, &[u8]), ParseError> {
        let r = split_reply(value)?;
        let len = usize::from(u16::from_ne_bytes([r.header[8], r.header[9]]));
        let value = (r.header[1] != 0).then(|| r.body.get(..len).unwrap_or(r.body).to_vec());
        Ok((Value { value }, r.rest))
    }
}

/// Reads a boolean parameter's value as Xvnc writes it (`1`/`0`).
fn parse_bool(value: &[u8]) -> Option<bool> {
    match value.to_ascii_lowercase().as_slice() {
        b"1" | b"on" | b"true" | b"yes" => Some(true),
        b"0" | b"off" | b"false" | b"no" => Some(false),
        _ => None,
    }
}

/// Reads the bytes of a `SetParam` or `Connect` reply as the daemon does:
/// whether Xvnc says it worked. Xvnc runs as the session's user, so these
/// bytes are the user's to shape; this is where they come in, public so the
/// fuzz targets can reach it.
///
/// # Errors
/// When the bytes are not a whole reply.
pub fn read_done_reply(bytes: &[u8]) -> std::result::Result<bool, ParseError> {
    Done::try_parse(bytes).map(|(done, _)| done.success)
}

/// Reads the bytes of a `GetParam` reply as the daemon does: the
/// parameter's value as a boolean (`None` when it has none or it is not
/// one). Public for the same reason as [`read_done_reply`].
///
/// # Errors
/// When the bytes are not a whole reply.
pub fn read_bool_reply(bytes: &[u8]) -> std::result::Result<Option<bool>, ParseError> {
    Value::try_parse(bytes).map(|(v, _)| v.value.as_deref().and_then(parse_bool))
}

impl VncExt {
    /// The extension on `conn`, if the server has it.
    pub fn find(conn: &impl RequestConnection) -> Result<Option<VncExt>> {
        for (name, dialect) in [
            (LEGACY_NAME, Dialect::NameEqualsValue),
            (CURRENT_NAME, Dialect::Separate),
        ] {
            if let Some(info) = conn.extension_information(name)? {
                return Ok(Some(VncExt {
                    opcode: info.major_opcode,
                    dialect,
                }));
            }
        }
        Ok(None)
    }

    /// Sets a server parameter; false when Xvnc refuses (the parameter is
    /// not in `-AllowOverride`, or the value is invalid).
    pub fn set(&self, conn: &impl RequestConnection, name: &str, value: &str) -> Result<bool> {
        let req = set_param_request(self.opcode, self.dialect, name, value)
            .ok_or_else(|| X11Error::TooLong(name.to_owned()))?;
        let done: Done = conn
            .send_request_with_reply(&[IoSlice::new(&req)], Vec::new())?
            .reply()?;
        Ok(done.success)
    }

    /// A boolean server parameter; `None` if there is no such parameter or
    /// it is not a boolean.
    pub fn get_bool(&self, conn: &impl RequestConnection, name: &str) -> Result<Option<bool>> {
        let req = get_param_request(self.opcode, name).ok_or_else(|| X11Error::TooLong(name.to_owned()))?;
        let reply: Value = conn
            .send_request_with_reply(&[IoSlice::new(&req)], Vec::new())?
            .reply()?;
        Ok(reply.value.as_deref().and_then(parse_bool))
    }

    /// Drops every VNC viewer of the display; false if Xvnc could not.
    pub fn disconnect_all(&self, conn: &impl RequestConnection) -> Result<bool> {
        let req = connect_request(self.opcode, "").ok_or_else(|| X11Error::TooLong(String::new()))?;
        let done: Done = conn
            .send_request_with_reply(&[IoSlice::new(&req)], Vec::new())?
            .reply()?;
        Ok(done.success)
    }

    /// Whether the viewers' keyboard and pointer are both accepted.
    pub fn input_allowed(&self, conn: &impl RequestConnection, access: &DisplayAccess) -> Result<bool> {
        let mut all = true;
        for name in [ACCEPT_KEYS, ACCEPT_POINTER] {
            match self.get_bool(conn, name).map_err(|e| access.error(e))? {
                Some(on) => all &= on,
                None => return Err(access.error(format!("Xvnc has no boolean parameter {name}"))),
            }
        }
        Ok(all)
    }

    /// Turns the viewers' keyboard and pointer on or off.
    pub fn set_input_allowed(
        &self,
        conn: &impl RequestConnection,
        access: &DisplayAccess,
        allowed: bool,
    ) -> Result<()> {
        let value = if allowed { "1" } else { "0" };
        for name in [ACCEPT_KEYS, ACCEPT_POINTER] {
            if !self.set(conn, name, value).map_err(|e| access.error(e))? {
                return Err(access.error(format!(
                    "Xvnc refused to set {name}={value} (it must be listed in Xvnc's -AllowOverride)"
                )));
            }
        }
        Ok(())
    }
}

/// The extension on a fresh connection to `access`'s display, or a clear
/// error when the server is not TigerVNC's.
fn open(access: &DisplayAccess) -> Result<(x11rb::rust_connection::RustConnection, VncExt)> {
    let conn = access.connect()?;
    match VncExt::find(&conn).map_err(|e| access.error(e))? {
        Some(ext) => Ok((conn, ext)),
        None => Err(missing(access)),
    }
}

fn missing(access: &DisplayAccess) -> X11Error {
    access.error(format!(
        "the display server has no {LEGACY_NAME} or {CURRENT_NAME} extension (it is not TigerVNC's Xvnc)"
    ))
}

/// Lets the display's VNC viewers type and point (`true`), or makes Xvnc
/// ignore their keyboard and pointer (`false`): the input side of a block.
/// Programs on the display itself are not affected.
///
/// # Errors
/// When the display cannot be reached, is not TigerVNC's, or refuses (the
/// parameters are not in its `-AllowOverride`).
pub fn set_input_allowed(access: &DisplayAccess, allowed: bool) -> Result<()> {
    let (conn, ext) = open(access)?;
    ext.set_input_allowed(&conn, access, allowed)
}

/// Whether the display's VNC viewers' keyboard and pointer are both
/// accepted (false if either is ignored): to check a block holds.
///
/// # Errors
/// When the display cannot be reached or is not TigerVNC's.
pub fn input_allowed(access: &DisplayAccess) -> Result<bool> {
    let (conn, ext) = open(access)?;
    ext.input_allowed(&conn, access)
}

/// Closes the connection of every VNC viewer of the display, as
/// `vncconfig -disconnect` does. The desktop goes on; viewers may connect
/// again.
///
/// # Errors
/// When the display cannot be reached, is not TigerVNC's, or says it could
/// not.
pub fn disconnect_viewers(access: &DisplayAccess) -> Result<()> {
    let (conn, ext) = open(access)?;
    if ext.disconnect_all(&conn).map_err(|e| access.error(e))? {
        Ok(())
    } else {
        Err(access.error("Xvnc could not disconnect its viewers"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(v: &[u8], i: usize) -> u16 {
        u16::from_ne_bytes([v[i], v[i + 1]])
    }

    #[test]
    fn set_param_1_12_sends_name_equals_value() {
        let r = set_param_request(140, Dialect::NameEqualsValue, "AcceptKeyEvents", "0").expect("short");
        // Header (4) + paramLen/pad (4) + "AcceptKeyEvents=0" (17) padded to 20.
        assert_eq!(r.len(), 28);
        assert_eq!((r[0], r[1], word(&r, 2)), (140, SET_PARAM, 7));
        assert_eq!(r[4], 17);
        assert_eq!(&r[8..25], b"AcceptKeyEvents=0");
        assert!(r[25..].iter().all(|b| *b == 0));
    }

    #[test]
    fn set_param_1_14_sends_name_and_value_apart() {
        let r = set_param_request(140, Dialect::Separate, "AcceptKeyEvents", "1").expect("short");
        // Header (4) + lengths (4) + name padded to 16 + value padded to 4.
        assert_eq!(r.len(), 28);
        assert_eq!((word(&r, 2), word(&r, 4), word(&r, 6)), (7, 15, 1));
        assert_eq!(&r[8..23], b"AcceptKeyEvents");
        assert_eq!(r[24], b'1');
    }

    #[test]
    fn get_param_and_connect_are_padded_to_words() {
        let g = get_param_request(9, "AcceptPointerEvents").expect("short");
        assert_eq!((g.len(), word(&g, 2), g[4]), (28, 7, 19));
        assert_eq!(&g[8..27], b"AcceptPointerEvents");
        let c = connect_request(9, "").expect("short");
        assert_eq!((c.len(), c[0], c[1], word(&c, 2)), (8, 9, CONNECT, 2));
        assert_eq!(&c[4..], &[0, 0, 0, 0]);
        assert!(set_param_request(9, Dialect::NameEqualsValue, &"x".repeat(300), "1").is_none());
    }

    fn reply(success: u8, extra: &[u8], value_len: u16, garbage: u8) -> Vec<u8> {
        let mut v = vec![garbage; 32];
        v[0] = 1;
        v[1] = success;
        let words = u32::try_from(extra.len().div_ceil(4)).expect("small");
        v[4..8].copy_from_slice(&words.to_ne_bytes());
        v[8..10].copy_from_slice(&value_len.to_ne_bytes());
        v.extend_from_slice(&pad4(extra.to_vec()));
        v
    }

    #[test]
    fn replies_are_parsed_defensively() {
        let ok = reply(1, b"", 0xffff, 0xaa);
        let (done, rest) = Done::try_parse(&ok).expect("parses");
        assert!(done.success && rest.is_empty());
        assert!(!Done::try_parse(&reply(0, b"", 0, 0)).expect("parses").0.success);
        let (v, _) = Value::try_parse(&reply(1, b"0", 1, 0)).expect("parses");
        assert_eq!(v.value.as_deref(), Some(&b"0"[..]));
        // A value length beyond the data is cut to the data.
        let (v, _) = Value::try_parse(&reply(1, b"1", 900, 0)).expect("parses");
        assert_eq!(v.value.as_deref(), Some(&b"1\0\0\0"[..]));
        assert!(
            Value::try_parse(&reply(0, b"", 0, 0))
                .expect("parses")
                .0
                .value
                .is_none()
        );
        assert!(Value::try_parse(&[1, 1, 0]).is_err());
        let mut short = reply(1, b"12345678", 8, 0);
        short.truncate(36);
        assert!(Value::try_parse(&short).is_err());
    }

    #[test]
    fn booleans_read_as_xvnc_writes_them() {
        assert_eq!(parse_bool(b"1"), Some(true));
        assert_eq!(parse_bool(b"0"), Some(false));
        assert_eq!(parse_bool(b"True"), Some(true));
        assert_eq!(parse_bool(b"maybe"), None);
    }
}
