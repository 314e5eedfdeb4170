//! Writing a [`Message`] as bytes: the header (major and minor opcode, two
//! bytes of data, the length in 8-byte units after the first 8), the
//! message's fixed fields, its lists, and padding to 8 bytes.

use crate::codec::{ByteOrder, MAX_ITEMS, Writer};
use crate::error::{Result, XsmpError};
use crate::message::{ErrorInfo, Message, Property, Save, Setup, ice, sm};

/// The bytes of `msg` in byte order `order`; XSMP messages go with major
/// opcode `xsmp_opcode` (the one their sender set up the protocol with).
///
/// # Errors
/// [`XsmpError::Encode`] when a field is too long for the wire or a list
/// has more than [`MAX_ITEMS`] items, and for [`Message::Unknown`], which
/// has no contents to write.
pub fn encode(msg: &Message, order: ByteOrder, xsmp_opcode: u8) -> Result<Vec<u8>> {
    let mut w = Writer::new(order);
    if msg.is_xsmp() {
        encode_sm(&mut w, msg, xsmp_opcode)?;
    } else {
        encode_ice(&mut w, msg)?;
    }
    w.finish()
}

/// The first four bytes and a length the writer fills in at the end.
fn header(w: &mut Writer, major: u8, minor: u8, data: [u8; 2]) {
    w.u8(major);
    w.u8(minor);
    w.bytes(&data);
    w.zeros(4);
}

fn encode_ice(w: &mut Writer, msg: &Message) -> Result<()> {
    match msg {
        Message::Error(e) => error(w, e),
        Message::ByteOrder(o) => header(w, 0, ice::BYTE_ORDER, [o.to_wire(), 0]),
        Message::ConnectionSetup(s) => {
            header(
                w,
                0,
                ice::CONNECTION_SETUP,
                [small(s.versions.len())?, small(s.auth_names.len())?],
            );
            w.u8(u8::from(s.must_authenticate));
            w.zeros(7);
            w.string(&s.vendor, "the vendor")?;
            w.string(&s.release, "the release")?;
            setup_lists(w, s)?;
        }
        Message::AuthRequired { auth_index, data } => auth(w, ice::AUTH_REQUIRED, *auth_index, data)?,
        Message::AuthReply { data } => auth(w, ice::AUTH_REPLY, 0, data)?,
        Message::AuthNextPhase { data } => auth(w, ice::AUTH_NEXT_PHASE, 0, data)?,
        Message::ConnectionReply {
            version_index,
            vendor,
            release,
        } => {
            header(w, 0, ice::CONNECTION_REPLY, [*version_index, 0]);
            w.string(vendor, "the vendor")?;
            w.string(release, "the release")?;
        }
        Message::ProtocolSetup {
            protocol_opcode,
            protocol_name,
            setup: s,
        } => {
            header(
                w,
                0,
                ice::PROTOCOL_SETUP,
                [*protocol_opcode, u8::from(s.must_authenticate)],
            );
            w.u8(small(s.versions.len())?);
            w.u8(small(s.auth_names.len())?);
            w.zeros(6);
            w.string(protocol_name, "the protocol name")?;
            w.string(&s.vendor, "the vendor")?;
            w.string(&s.release, "the release")?;
            setup_lists(w, s)?;
        }
        Message::ProtocolReply {
            version_index,
            protocol_opcode,
            vendor,
            release,
        } => {
            header(w, 0, ice::PROTOCOL_REPLY, [*version_index, *protocol_opcode]);
            w.string(vendor, "the vendor")?;
            w.string(release, "the release")?;
        }
        Message::Ping => header(w, 0, ice::PING, [0, 0]),
        Message::PingReply => header(w, 0, ice::PING_REPLY, [0, 0]),
        Message::WantToClose => header(w, 0, ice::WANT_TO_CLOSE, [0, 0]),
        Message::NoClose => header(w, 0, ice::NO_CLOSE, [0, 0]),
        _ => return Err(XsmpError::Encode("a message of an unknown kind")),
    }
    Ok(())
}

fn error(w: &mut Writer, e: &ErrorInfo) {
    w.u8(e.major);
    w.u8(ice::ERROR);
    w.u16(e.class);
    w.zeros(4);
    w.u8(e.offending_minor);
    w.u8(e.severity);
    w.zeros(2);
    w.u32(e.sequence);
    w.bytes(&e.values);
}

/// A count that goes in one byte, within our limit for lists.
fn small(n: usize) -> Result<u8> {
    if n > MAX_ITEMS {
        return Err(XsmpError::Encode("a list"));
    }
    u8::try_from(n).map_err(|_| XsmpError::Encode("a list"))
}

fn setup_lists(w: &mut Writer, s: &Setup) -> Result<()> {
    for name in &s.auth_names {
        w.string(name, "an authentication name")?;
    }
    for v in &s.versions {
        w.u16(v.major);
        w.u16(v.minor);
    }
    Ok(())
}

fn auth(w: &mut Writer, minor: u8, index: u8, data: &[u8]) -> Result<()> {
    header(w, 0, minor, [index, 0]);
    w.u16(u16::try_from(data.len()).map_err(|_| XsmpError::Encode("authentication data"))?);
    w.zeros(6);
    w.bytes(data);
    Ok(())
}

fn encode_sm(w: &mut Writer, msg: &Message, op: u8) -> Result<()> {
    match msg {
        Message::RegisterClient { previous_id: id } | Message::RegisterClientReply { client_id: id } => {
            let minor = if matches!(msg, Message::RegisterClient { .. }) {
                sm::REGISTER_CLIENT
            } else {
                sm::REGISTER_CLIENT_REPLY
            };
            header(w, op, minor, [0, 0]);
            w.array8(id, "a client id")?;
        }
        Message::SaveYourself(s) => {
            header(w, op, sm::SAVE_YOURSELF, [0, 0]);
            save(w, s);
            w.zeros(4);
        }
        Message::SaveYourselfRequest { save: s, global } => {
            header(w, op, sm::SAVE_YOURSELF_REQUEST, [0, 0]);
            save(w, s);
            w.u8(u8::from(*global));
            w.zeros(3);
        }
        Message::InteractRequest { dialog_type } => header(w, op, sm::INTERACT_REQUEST, [*dialog_type, 0]),
        Message::InteractDone { cancel_shutdown } => {
            header(w, op, sm::INTERACT_DONE, [u8::from(*cancel_shutdown), 0]);
        }
        Message::SaveYourselfDone { success } => header(w, op, sm::SAVE_YOURSELF_DONE, [u8::from(*success), 0]),
        Message::CloseConnection { reasons } => {
            header(w, op, sm::CLOSE_CONNECTION, [0, 0]);
            w.array8_list(reasons, "the reasons")?;
        }
        Message::DeleteProperties(names) => {
            header(w, op, sm::DELETE_PROPERTIES, [0, 0]);
            w.array8_list(names, "property names")?;
        }
        Message::SetProperties(props) | Message::PropertiesReply(props) => {
            let minor = if matches!(msg, Message::SetProperties(_)) {
                sm::SET_PROPERTIES
            } else {
                sm::PROPERTIES_REPLY
            };
            header(w, op, minor, [0, 0]);
            properties(w, props)?;
        }
        other => header(w, op, bare_sm_minor(other)?, [0, 0]),
    }
    Ok(())
}

/// The minor opcode of an XSMP message that is a header only.
fn bare_sm_minor(msg: &Message) -> Result<u8> {
    Ok(match msg {
        Message::Interact => sm::INTERACT,
        Message::Die => sm::DIE,
        Message::ShutdownCancelled => sm::SHUTDOWN_CANCELLED,
        Message::GetProperties => sm::GET_PROPERTIES,
        Message::SaveYourselfPhase2Request => sm::SAVE_YOURSELF_PHASE2_REQUEST,
        Message::SaveYourselfPhase2 => sm::SAVE_YOURSELF_PHASE2,
        Message::SaveComplete => sm::SAVE_COMPLETE,
        _ => return Err(XsmpError::Encode("a message of an unknown kind")),
    })
}

fn save(w: &mut Writer, s: &Save) {
    w.u8(s.save_type);
    w.u8(u8::from(s.shutdown));
    w.u8(s.interact_style);
    w.u8(u8::from(s.fast));
}

fn properties(w: &mut Writer, props: &[Property]) -> Result<()> {
    w.count(props.len(), "properties")?;
    for p in props {
        w.array8(p.name.as_bytes(), "a property name")?;
        w.array8(p.kind.as_bytes(), "a property type")?;
        w.array8_list(&p.values, "a property's values")?;
    }
    Ok(())
}
