//! Reading one message's bytes as a [`Message`].
//!
//! The bytes come from a program the session's user controls, so nothing
//! here may panic or allocate on a length it has not checked: every input
//! gives a message or an error (the `xsmp_message` fuzz target holds it
//! to that).

use crate::codec::{ByteOrder, MAX_ITEMS, MAX_MESSAGE, Reader};
use crate::error::{Result, XsmpError};
use crate::message::{ErrorInfo, Message, Property, Save, Setup, Version, ice, sm};

/// The size of a whole message, from its first 8 bytes (the header) in
/// the sender's byte order.
///
/// # Errors
/// [`XsmpError::Malformed`] for fewer than 8 bytes; [`XsmpError::TooLong`]
/// for a message over [`MAX_MESSAGE`] bytes.
pub fn frame_len(header: &[u8], order: ByteOrder) -> Result<usize> {
    let mut r = Reader::new(header, order);
    r.skip(4)
        .map_err(|_| XsmpError::Malformed("a message shorter than its header"))?;
    let units = r.u32()?;
    let len = 8 + 8 * u64::from(units);
    if len > MAX_MESSAGE as u64 {
        return Err(XsmpError::TooLong(len));
    }
    usize::try_from(len).map_err(|_| XsmpError::TooLong(len))
}

/// The message in `bytes`, which must be exactly one whole message, sent
/// in byte order `order`. Messages with major opcode `xsmp_opcode` (the
/// one the sender set XSMP up with) are read as XSMP; other major opcodes
/// but ICE's 0 give [`Message::Unknown`].
///
/// # Errors
/// [`XsmpError::Malformed`] when the bytes are not one well-formed
/// message; [`XsmpError::TooLong`] when its header announces more than
/// [`MAX_MESSAGE`] bytes.
pub fn decode(bytes: &[u8], order: ByteOrder, xsmp_opcode: Option<u8>) -> Result<Message> {
    if frame_len(bytes, order)? != bytes.len() {
        return Err(XsmpError::Malformed("a message's length field disagrees with its size"));
    }
    let mut r = Reader::new(bytes, order);
    let major = r.u8()?;
    let minor = r.u8()?;
    let data = [r.u8()?, r.u8()?];
    r.skip(4)?;
    let msg = if major == 0 {
        decode_ice(&mut r, minor, data, order)?
    } else if Some(major) == xsmp_opcode {
        decode_sm(&mut r, major, minor, data, order)?
    } else {
        return Ok(Message::Unknown { major, minor });
    };
    if !matches!(msg, Message::Unknown { .. }) {
        r.finish()?;
    }
    Ok(msg)
}

fn decode_ice(r: &mut Reader<'_>, minor: u8, data: [u8; 2], order: ByteOrder) -> Result<Message> {
    Ok(match minor {
        ice::ERROR => Message::Error(error(r, 0, data, order)?),
        ice::BYTE_ORDER => {
            Message::ByteOrder(ByteOrder::from_wire(data[0]).ok_or(XsmpError::Malformed("unknown byte order"))?)
        }
        ice::CONNECTION_SETUP => {
            let must_authenticate = r.u8()? != 0;
            r.skip(7)?;
            Message::ConnectionSetup(setup(r, must_authenticate, data[0], data[1])?)
        }
        ice::AUTH_REQUIRED => Message::AuthRequired {
            auth_index: data[0],
            data: auth_data(r)?,
        },
        ice::AUTH_REPLY => Message::AuthReply { data: auth_data(r)? },
        ice::AUTH_NEXT_PHASE => Message::AuthNextPhase { data: auth_data(r)? },
        ice::CONNECTION_REPLY => Message::ConnectionReply {
            version_index: data[0],
            vendor: r.string()?,
            release: r.string()?,
        },
        ice::PROTOCOL_SETUP => {
            let (versions, auths) = (r.u8()?, r.u8()?);
            r.skip(6)?;
            let protocol_name = r.string()?;
            Message::ProtocolSetup {
                protocol_opcode: data[0],
                protocol_name,
                setup: setup(r, data[1] != 0, versions, auths)?,
            }
        }
        ice::PROTOCOL_REPLY => Message::ProtocolReply {
            version_index: data[0],
            protocol_opcode: data[1],
            vendor: r.string()?,
            release: r.string()?,
        },
        ice::PING => Message::Ping,
        ice::PING_REPLY => Message::PingReply,
        ice::WANT_TO_CLOSE => Message::WantToClose,
        ice::NO_CLOSE => Message::NoClose,
        _ => Message::Unknown { major: 0, minor },
    })
}

/// An Error message's fields after the header; the class is in the
/// header's two data bytes.
fn error(r: &mut Reader<'_>, major: u8, data: [u8; 2], order: ByteOrder) -> Result<ErrorInfo> {
    let class = Reader::new(&data, order).u16()?;
    let offending_minor = r.u8()?;
    let severity = r.u8()?;
    r.skip(2)?;
    let sequence = r.u32()?;
    let values = r.bytes(r.remaining())?.to_vec();
    Ok(ErrorInfo {
        major,
        class,
        offending_minor,
        severity,
        sequence,
        values,
    })
}

/// The words an error's values carry, for the classes whose value is a
/// `STRING` (ICE's `IceSetupFailed`, `IceAuthRejected`, `IceAuthFailed`).
#[must_use]
pub fn error_reason(e: &ErrorInfo, order: ByteOrder) -> Option<String> {
    const SETUP_FAILED: u16 = 3;
    const AUTH_FAILED: u16 = 5;
    if e.major != 0 || !(SETUP_FAILED..=AUTH_FAILED).contains(&e.class) {
        return None;
    }
    Reader::new(&e.values, order).string().ok()
}

fn setup(r: &mut Reader<'_>, must_authenticate: bool, versions: u8, auths: u8) -> Result<Setup> {
    let vendor = r.string()?;
    let release = r.string()?;
    let auth_names = r.strings(auths)?;
    if usize::from(versions) > MAX_ITEMS {
        return Err(XsmpError::Malformed("a list has more items than allowed"));
    }
    let versions = (0..versions)
        .map(|_| {
            Ok(Version {
                major: r.u16()?,
                minor: r.u16()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Setup {
        must_authenticate,
        vendor,
        release,
        auth_names,
        versions,
    })
}

fn auth_data(r: &mut Reader<'_>) -> Result<Vec<u8>> {
    let len = usize::from(r.u16()?);
    r.skip(6)?;
    Ok(r.bytes(len)?.to_vec())
}

fn decode_sm(r: &mut Reader<'_>, major: u8, minor: u8, data: [u8; 2], order: ByteOrder) -> Result<Message> {
    Ok(match minor {
        sm::ERROR => Message::Error(error(r, major, data, order)?),
        sm::REGISTER_CLIENT => Message::RegisterClient {
            previous_id: r.array8()?,
        },
        sm::REGISTER_CLIENT_REPLY => Message::RegisterClientReply { client_id: r.array8()? },
        sm::SAVE_YOURSELF => {
            let s = save(r)?;
            r.skip(4)?;
            Message::SaveYourself(s)
        }
        sm::SAVE_YOURSELF_REQUEST => {
            let s = save(r)?;
            let global = r.u8()? != 0;
            r.skip(3)?;
            Message::SaveYourselfRequest { save: s, global }
        }
        sm::INTERACT_REQUEST => Message::InteractRequest { dialog_type: data[0] },
        sm::INTERACT => Message::Interact,
        sm::INTERACT_DONE => Message::InteractDone {
            cancel_shutdown: data[0] != 0,
        },
        sm::SAVE_YOURSELF_DONE => Message::SaveYourselfDone { success: data[0] != 0 },
        sm::DIE => Message::Die,
        sm::SHUTDOWN_CANCELLED => Message::ShutdownCancelled,
        sm::CLOSE_CONNECTION => Message::CloseConnection {
            reasons: r.array8_list()?,
        },
        sm::SET_PROPERTIES => Message::SetProperties(properties(r)?),
        sm::DELETE_PROPERTIES => Message::DeleteProperties(r.array8_list()?),
        sm::GET_PROPERTIES => Message::GetProperties,
        sm::PROPERTIES_REPLY => Message::PropertiesReply(properties(r)?),
        sm::SAVE_YOURSELF_PHASE2_REQUEST => Message::SaveYourselfPhase2Request,
        sm::SAVE_YOURSELF_PHASE2 => Message::SaveYourselfPhase2,
        sm::SAVE_COMPLETE => Message::SaveComplete,
        _ => Message::Unknown { major, minor },
    })
}

fn save(r: &mut Reader<'_>) -> Result<Save> {
    Ok(Save {
        save_type: r.u8()?,
        shutdown: r.u8()? != 0,
        interact_style: r.u8()?,
        fast: r.u8()? != 0,
    })
}

fn properties(r: &mut Reader<'_>) -> Result<Vec<Property>> {
    let count = r.count()?;
    (0..count)
        .map(|_| {
            Ok(Property {
                name: String::from_utf8_lossy(&r.array8()?).into_owned(),
                kind: String::from_utf8_lossy(&r.array8()?).into_owned(),
                values: r.array8_list()?,
            })
        })
        .collect()
}
