//! The properties read from a user's windows before a log off asks them to
//! close and names them in its outcome — `WM_PROTOCOLS`, `WM_CLASS` and the
//! title: they belong to the user's program and may hold any format and
//! any bytes. The input is the property's format (first byte) and its
//! value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_x11::windows::{class_name, parse_protocols, text};

fuzz_target!(|data: &[u8]| {
    let Some((&format, value)) = data.split_first() else {
        return;
    };
    let atoms = parse_protocols(format, value);
    if format == 32 {
        assert_eq!(atoms.len(), (value.len() / 4).min(64));
        for (atom, bytes) in atoms.iter().zip(value.chunks_exact(4)) {
            assert_eq!(atom.to_ne_bytes(), bytes);
        }
    } else {
        assert!(atoms.is_empty());
    }
    // A name and a title of bounded length, whatever the bytes.
    assert!(class_name(value).len() <= 256 * 3);
    assert!(text(value).len() <= 256 * 3);
});
