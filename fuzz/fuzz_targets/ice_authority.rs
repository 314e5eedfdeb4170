//! The ICE authority file (`~/.ICEauthority`) Podium reads to find a
//! session manager's cookies. The session's user writes it, so any bytes
//! give cookies or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_xsmp::{IceSocket, MAX_AUTHORITY, cookies_for};

fuzz_target!(|data: &[u8]| {
    // The first two bytes pick the manager's pid; the rest is the file.
    let Some((pid, file)) = data.split_first_chunk::<2>() else {
        return;
    };
    let pid = u32::from(u16::from_le_bytes(*pid));
    for socket in [IceSocket::Abstract, IceSocket::Path] {
        let Ok(cookies) = cookies_for(file, pid, socket) else {
            continue;
        };
        assert!(file.len() <= MAX_AUTHORITY);
        // XSMP is answered with the ICE entry's cookie, as libICE does.
        if cookies.xsmp.is_some() {
            assert_eq!(cookies.xsmp, cookies.ice);
        }
        assert!(cookies.ice.as_ref().is_none_or(|c| !c.is_empty()));
    }
});
