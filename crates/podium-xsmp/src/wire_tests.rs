//! The wire format: every message Podium sends against bytes worked out
//! by hand from `ICEproto.h` and `SMproto.h`, round trips of every
//! message in both byte orders, and input that must give an error, never
//! a panic.

use crate::codec::{ByteOrder, MAX_MESSAGE};
use crate::decode::{decode, error_reason, frame_len};
use crate::encode::encode;
use crate::error::XsmpError;
use crate::message::{ErrorInfo, Message, Property, Save, Setup, Version};
use crate::outgoing;

const LSB: ByteOrder = ByteOrder::LsbFirst;
const MSB: ByteOrder = ByteOrder::MsbFirst;
const OURS: u8 = 1;

fn bytes(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn byte_order_and_ping_reply() {
    assert_eq!(
        encode(&Message::ByteOrder(LSB), LSB, OURS).unwrap(),
        [0, 1, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        encode(&Message::ByteOrder(MSB), MSB, OURS).unwrap(),
        [0, 1, 1, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        encode(&Message::PingReply, LSB, OURS).unwrap(),
        [0, 10, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn connection_setup_with_a_cookie() {
    let expected = bytes(&[
        &[0, 2, 1, 1, 6, 0, 0, 0], // ICE, ConnectionSetup, 1 version, 1 auth name, 6 units after the first 8
        &[0, 0, 0, 0, 0, 0, 0, 0], // must authenticate: no; 7 unused
        b"\x06\x00Podium",         // STRING vendor: 2 + 6, no padding
        b"\x05\x000.1.0\x00",      // STRING release: 2 + 5, 1 byte of padding
        b"\x12\x00MIT-MAGIC-COOKIE-1", // STRING: 2 + 18
        &[1, 0, 0, 0],             // version 1.0
    ]);
    assert_eq!(expected.len(), 56);
    assert_eq!(
        encode(&outgoing::connection_setup("0.1.0", true), LSB, OURS).unwrap(),
        expected
    );
}

#[test]
fn connection_setup_without_a_cookie_and_big_endian() {
    let expected = bytes(&[
        &[0, 2, 1, 0, 0, 0, 0, 4], // no auth names; length 4, big-endian
        &[0; 8],
        b"\x00\x06Podium",
        b"\x00\x050.1.0\x00",
        &[0, 1, 0, 0], // version 1.0, big-endian
        &[0; 4],       // padding: 20 bytes after the header make 24
    ]);
    assert_eq!(
        encode(&outgoing::connection_setup("0.1.0", false), MSB, OURS).unwrap(),
        expected
    );
}

#[test]
fn protocol_setup_for_xsmp() {
    let expected = bytes(&[
        &[0, 7, 1, 0, 7, 0, 0, 0], // ICE, ProtocolSetup, our opcode 1, must authenticate: no, 7 units
        &[1, 1, 0, 0, 0, 0, 0, 0], // 1 version, 1 auth name, 6 unused
        b"\x04\x00XSMP\x00\x00",   // STRING: 2 + 4, 2 bytes of padding
        b"\x06\x00Podium",
        b"\x05\x000.1.0\x00",
        b"\x12\x00MIT-MAGIC-COOKIE-1",
        &[1, 0, 0, 0],
    ]);
    assert_eq!(
        encode(&outgoing::protocol_setup("0.1.0", true, 1), LSB, OURS).unwrap(),
        expected
    );
}

#[test]
fn auth_reply_carries_the_cookie() {
    let cookie: Vec<u8> = (1..=16).collect();
    let expected = bytes(&[&[0, 4, 0, 0, 3, 0, 0, 0], &[16, 0, 0, 0, 0, 0, 0, 0], &cookie]);
    assert_eq!(
        encode(&Message::AuthReply { data: cookie }, LSB, OURS).unwrap(),
        expected
    );
    let odd = encode(&Message::AuthReply { data: vec![7; 5] }, LSB, OURS).unwrap();
    assert_eq!(
        odd,
        bytes(&[&[0, 4, 0, 0, 2, 0, 0, 0], &[5, 0, 0, 0, 0, 0, 0, 0], &[7; 5], &[0; 3]])
    );
}

#[test]
fn register_client_with_no_previous_id() {
    assert_eq!(
        encode(&outgoing::register_client(), LSB, OURS).unwrap(),
        [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn set_properties_say_never_restart() {
    let expected = bytes(&[
        &[1, 12, 0, 0, 42, 0, 0, 0], // XSMP (our opcode 1), SetProperties, 42 units
        &[6, 0, 0, 0, 0, 0, 0, 0],   // 6 properties, 4 unused
        b"\x10\x00\x00\x00RestartStyleHint\x00\x00\x00\x00", // ARRAY8: 4 + 16, padded to 24
        b"\x05\x00\x00\x00CARD8\x00\x00\x00\x00\x00\x00\x00",
        &[1, 0, 0, 0, 0, 0, 0, 0], // one value
        &[1, 0, 0, 0, 3, 0, 0, 0], // SmRestartNever
        b"\x07\x00\x00\x00Program\x00\x00\x00\x00\x00",
        b"\x06\x00\x00\x00ARRAY8\x00\x00\x00\x00\x00\x00",
        &[1, 0, 0, 0, 0, 0, 0, 0],
        b"\x06\x00\x00\x00podium\x00\x00\x00\x00\x00\x00",
        b"\x06\x00\x00\x00UserID\x00\x00\x00\x00\x00\x00",
        b"\x06\x00\x00\x00ARRAY8\x00\x00\x00\x00\x00\x00",
        &[1, 0, 0, 0, 0, 0, 0, 0],
        b"\x04\x00\x00\x00root",
        b"\x09\x00\x00\x00ProcessID\x00\x00\x00",
        b"\x06\x00\x00\x00ARRAY8\x00\x00\x00\x00\x00\x00",
        &[1, 0, 0, 0, 0, 0, 0, 0],
        b"\x04\x00\x00\x001234",
        b"\x0c\x00\x00\x00CloneCommand",
        b"\x0c\x00\x00\x00LISTofARRAY8",
        &[1, 0, 0, 0, 0, 0, 0, 0],
        b"\x06\x00\x00\x00podium\x00\x00\x00\x00\x00\x00",
        b"\x0e\x00\x00\x00RestartCommand\x00\x00\x00\x00\x00\x00",
        b"\x0c\x00\x00\x00LISTofARRAY8",
        &[1, 0, 0, 0, 0, 0, 0, 0],
        b"\x06\x00\x00\x00podium\x00\x00\x00\x00\x00\x00",
    ]);
    assert_eq!(expected.len(), 8 + 42 * 8);
    assert_eq!(
        encode(&outgoing::properties("root", 1234), LSB, OURS).unwrap(),
        expected
    );
}

#[test]
fn save_yourself_done_request_and_close() {
    assert_eq!(
        encode(&outgoing::save_yourself_done(), LSB, OURS).unwrap(),
        [1, 8, 1, 0, 0, 0, 0, 0]
    );
    // Both, shutdown, interact style None, fast, global.
    assert_eq!(
        encode(&outgoing::logout_request(), LSB, OURS).unwrap(),
        [1, 4, 0, 0, 1, 0, 0, 0, 2, 1, 0, 1, 1, 0, 0, 0]
    );
    assert_eq!(
        encode(&outgoing::close_connection(), LSB, OURS).unwrap(),
        [1, 11, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
}

#[test]
fn a_big_endian_manager_is_read_right() {
    // What a big-endian libSM manager sends: ProtocolReply with its
    // opcode 3, RegisterClientReply, SaveYourself, an Error with a reason.
    let reply = bytes(&[
        &[0, 8, 0, 3, 0, 0, 0, 2],
        b"\x00\x03MIT\x00\x00\x00\x00\x031.0\x00\x00\x00",
    ]);
    assert_eq!(
        decode(&reply, MSB, None).unwrap(),
        Message::ProtocolReply {
            version_index: 0,
            protocol_opcode: 3,
            vendor: "MIT".into(),
            release: "1.0".into()
        }
    );
    let id = bytes(&[&[3, 2, 0, 0, 0, 0, 0, 1], &[0, 0, 0, 3], b"abc\x00"]);
    assert_eq!(
        decode(&id, MSB, Some(3)).unwrap(),
        Message::RegisterClientReply {
            client_id: b"abc".to_vec()
        }
    );
    let save = [3, 3, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        decode(&save, MSB, Some(3)).unwrap(),
        Message::SaveYourself(Save {
            save_type: 1,
            shutdown: false,
            interact_style: 0,
            fast: false
        })
    );
    // The same SaveYourself with another opcode than the manager's is not XSMP.
    assert_eq!(
        decode(&save, MSB, Some(1)).unwrap(),
        Message::Unknown { major: 3, minor: 3 }
    );
    let error = bytes(&[
        &[0, 0, 0, 4, 0, 0, 0, 2],
        &[4, 1, 0, 0, 0, 0, 0, 9],
        b"\x00\x04nope\x00\x00",
    ]);
    let Message::Error(e) = decode(&error, MSB, Some(3)).unwrap() else {
        panic!("not an error")
    };
    assert_eq!((e.class, e.severity, e.offending_minor, e.sequence), (4, 1, 4, 9));
    assert_eq!(error_reason(&e, MSB).as_deref(), Some("nope"));
    assert_eq!(
        error_reason(&e, LSB),
        None,
        "read in the wrong order, the length runs past the end"
    );
}

fn samples() -> Vec<Message> {
    let mut all = ice_samples();
    all.extend(sm_samples());
    all
}

fn ice_samples() -> Vec<Message> {
    let setup = Setup {
        must_authenticate: true,
        vendor: "v".into(),
        release: "r".into(),
        auth_names: vec!["A".into(), "BB".into()],
        versions: vec![Version { major: 1, minor: 0 }, Version { major: 2, minor: 7 }],
    };
    vec![
        Message::Error(ErrorInfo {
            major: 0,
            class: 0x8001,
            offending_minor: 3,
            severity: 2,
            sequence: 77,
            values: vec![1, 2, 3, 4, 5, 6, 7, 8],
        }),
        Message::ByteOrder(MSB),
        Message::ConnectionSetup(setup.clone()),
        Message::AuthRequired {
            auth_index: 1,
            data: vec![9; 3],
        },
        Message::AuthReply { data: Vec::new() },
        Message::AuthNextPhase { data: vec![1; 8] },
        Message::ConnectionReply {
            version_index: 1,
            vendor: "MIT".into(),
            release: "1.0".into(),
        },
        Message::ProtocolSetup {
            protocol_opcode: 1,
            protocol_name: "XSMP".into(),
            setup,
        },
        Message::ProtocolReply {
            version_index: 0,
            protocol_opcode: 2,
            vendor: String::new(),
            release: "4.18".into(),
        },
        Message::Ping,
        Message::PingReply,
        Message::WantToClose,
        Message::NoClose,
    ]
}

fn sm_samples() -> Vec<Message> {
    let save = Save {
        save_type: 2,
        shutdown: true,
        interact_style: 1,
        fast: false,
    };
    let props = vec![
        Property {
            name: "n".into(),
            kind: "LISTofARRAY8".into(),
            values: vec![b"x".to_vec(), Vec::new(), vec![0; 9]],
        },
        Property {
            name: String::new(),
            kind: "CARD8".into(),
            values: Vec::new(),
        },
    ];
    vec![
        Message::RegisterClient {
            previous_id: b"old".to_vec(),
        },
        Message::RegisterClientReply {
            client_id: vec![b'z'; 37],
        },
        Message::SaveYourself(save),
        Message::SaveYourselfRequest { save, global: true },
        Message::InteractRequest { dialog_type: 1 },
        Message::Interact,
        Message::InteractDone { cancel_shutdown: true },
        Message::SaveYourselfDone { success: false },
        Message::Die,
        Message::ShutdownCancelled,
        Message::CloseConnection {
            reasons: vec![b"bye".to_vec()],
        },
        Message::SetProperties(props.clone()),
        Message::DeleteProperties(vec![b"a".to_vec(), b"b".to_vec()]),
        Message::GetProperties,
        Message::PropertiesReply(props),
        Message::SaveYourselfPhase2Request,
        Message::SaveYourselfPhase2,
        Message::SaveComplete,
    ]
}

#[test]
fn every_message_round_trips_in_both_orders() {
    for order in [LSB, MSB] {
        for m in samples() {
            let b = encode(&m, order, 5).unwrap();
            assert_eq!(b.len() % 8, 0, "{m:?}");
            assert_eq!(frame_len(&b, order).unwrap(), b.len());
            assert_eq!(decode(&b, order, Some(5)).unwrap(), m, "{order:?}");
        }
    }
}

#[test]
fn every_cut_or_grown_message_is_an_error() {
    for m in samples() {
        let b = encode(&m, LSB, 5).unwrap();
        for cut in 0..b.len() {
            assert!(decode(&b[..cut], LSB, Some(5)).is_err(), "{m:?} cut at {cut}");
        }
        let mut grown = b.clone();
        grown.extend_from_slice(&[0; 8]);
        assert!(decode(&grown, LSB, Some(5)).is_err(), "{m:?} with 8 bytes more");
        if matches!(m, Message::Error(_)) {
            continue; // An error's values are whatever follows its header.
        }
        // The length field saying 8 more bytes than the contents need.
        if let Some(units) = grown.get_mut(4) {
            *units += 1;
        }
        assert!(
            matches!(decode(&grown, LSB, Some(5)), Err(XsmpError::Malformed(_))),
            "{m:?} with a longer length"
        );
    }
}

#[test]
fn lengths_over_the_limits_are_refused() {
    let huge = [0, 9, 0, 0, 0xff, 0xff, 0xff, 0xff];
    assert!(matches!(frame_len(&huge, LSB), Err(XsmpError::TooLong(_))));
    let just_over = u32::try_from((MAX_MESSAGE - 8) / 8 + 1).unwrap();
    let mut header = vec![0, 9, 0, 0];
    header.extend_from_slice(&just_over.to_le_bytes());
    assert!(frame_len(&header, LSB).is_err());
    header[4..].copy_from_slice(&(just_over - 1).to_le_bytes());
    assert_eq!(frame_len(&header, LSB).unwrap(), MAX_MESSAGE);
    // A list of 65 properties.
    let many = bytes(&[&[1, 15, 0, 0, 1, 0, 0, 0], &[65, 0, 0, 0, 0, 0, 0, 0]]);
    assert!(matches!(decode(&many, LSB, Some(1)), Err(XsmpError::Malformed(_))));
    // An ARRAY8 that says it is longer than its message.
    let long_id = bytes(&[&[1, 2, 0, 0, 1, 0, 0, 0], &[0xff, 0, 0, 0, 0, 0, 0, 0]]);
    assert!(decode(&long_id, LSB, Some(1)).is_err());
    // A byte order that is neither.
    assert!(decode(&[0, 1, 2, 0, 0, 0, 0, 0], LSB, None).is_err());
}

#[test]
fn unknown_opcodes_are_named_not_read() {
    let odd = [0, 42, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
    assert_eq!(
        decode(&odd, LSB, Some(1)).unwrap(),
        Message::Unknown { major: 0, minor: 42 }
    );
    let other_protocol = [7, 1, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        decode(&other_protocol, LSB, Some(1)).unwrap(),
        Message::Unknown { major: 7, minor: 1 }
    );
    assert!(encode(&Message::Unknown { major: 7, minor: 1 }, LSB, 1).is_err());
}

#[test]
fn garbage_never_panics() {
    // A small xorshift generator: random headers with a length that fits,
    // random opcodes among the real ones, random bodies.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let units = usize::try_from(next() % 6).unwrap();
        let mut b: Vec<u8> = (0..8 + units * 8).map(|_| next().to_le_bytes()[0]).collect();
        b[0] = [0, 1, 2][usize::try_from(next() % 3).unwrap()];
        b[1] %= 20;
        b[4..8].copy_from_slice(&u32::try_from(units).unwrap().to_le_bytes());
        let order = if next() % 2 == 0 { LSB } else { MSB };
        if order == MSB {
            b[4..8].reverse();
        }
        if let Ok(m) = decode(&b, order, Some(1)) {
            // Whatever reads back writes out and reads back the same.
            if let Ok(again) = encode(&m, order, 1) {
                assert_eq!(decode(&again, order, Some(1)).unwrap(), m);
            }
        }
    }
}
