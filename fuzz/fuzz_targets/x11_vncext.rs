//! Replies of TigerVNC's X extension (`VNC-EXTENSION` / `TIGERVNC`), read
//! when a block turns the viewers' input off and checks it stays off. Xvnc
//! runs as the session's user, so its replies are bytes the user can
//! shape: any of them gives an answer or a parse error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_x11::vncext::{read_bool_reply, read_done_reply};

fuzz_target!(|data: &[u8]| {
    let done = read_done_reply(data);
    let value = read_bool_reply(data);
    // Both read the same header: a reply one can read, the other can too.
    assert_eq!(done.is_ok(), value.is_ok());
    if let Ok(success) = done {
        assert!(data.len() >= 32);
        assert_eq!(success, data[1] != 0);
        // A parameter that is not there has no value.
        if !success {
            assert_eq!(value.ok().flatten(), None);
        }
    }
});
