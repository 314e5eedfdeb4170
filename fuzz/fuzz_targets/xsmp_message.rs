//! Messages a session manager sends Podium's XSMP client. The manager runs
//! as the session's user, so they are bytes the user can shape: any of
//! them gives a message or an error, never a panic, and what reads as a
//! message writes back and reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_xsmp::wire::{ByteOrder, MAX_MESSAGE, decode, encode, frame_len};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the manager's byte order and the XSMP opcode it
    // chose (none yet, or 1 to 3); the rest is one message.
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let order = if pick & 1 == 0 { ByteOrder::LsbFirst } else { ByteOrder::MsbFirst };
    let opcode = Some((pick >> 1) % 4).filter(|&o| o != 0);
    let framed = frame_len(bytes, order);
    if let Ok(len) = framed {
        assert!((8..=MAX_MESSAGE).contains(&len) && len % 8 == 0);
    }
    let Ok(msg) = decode(bytes, order, opcode) else {
        return;
    };
    assert_eq!(framed.ok(), Some(bytes.len()));
    let op = opcode.unwrap_or(1);
    if let Ok(again) = encode(&msg, order, op) {
        assert_eq!(decode(&again, order, Some(op)).ok(), Some(msg));
    }
});
