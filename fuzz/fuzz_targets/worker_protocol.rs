//! The lines the daemon and a session worker exchange (`worker/protocol.rs`):
//! the worker's spec on its stdin, the start report on its stdout, requests
//! and replies on its socket, end reports left on disk. Each side decodes
//! a line as the code does; whatever the bytes, a decoded message or an
//! error, and a decoded message written out again reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use podium_host::worker::protocol::{EndReport, ReclaimSpec, Reply, Request, Running, StartReport, WorkerSpec};
use podium_x11::Lang;
use podium_x11::xauth::Cookie;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

fn reads_back<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let line = serde_json::to_string(value).expect("protocol messages serialize");
    assert!(!line.contains('\n'), "a message must be one line: {line}");
    match serde_json::from_str::<T>(&line) {
        Ok(back) => assert_eq!(&back, value, "{line}"),
        Err(e) => panic!("{value:?} written as {line} does not read back: {e}"),
    }
}

/// What the daemon does with a session's running state it reads.
fn use_running(r: &Running) {
    let _ = Cookie::from_hex(&r.cookie);
    if let Some(locale) = &r.locale {
        let _ = Lang::from_locale(locale);
    }
}

fuzz_target!(|data: &[u8]| {
    // The worker reads requests as bytes, trimmed (`worker/mod.rs`).
    if let Ok(request) = serde_json::from_slice::<Request>(data.trim_ascii()) {
        if let Request::Terminate { timeout_ms } = request {
            let _ = std::time::Duration::from_millis(timeout_ms.min(600_000));
        }
        reads_back(&request);
    }
    if let Ok(report) = serde_json::from_slice::<EndReport>(data) {
        reads_back(&report);
    }
    // The daemon reads lines as text, trimmed (`worker/client.rs`).
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let line = line.trim();
    if let Ok(reply) = serde_json::from_str::<Reply>(line) {
        if let Reply::Status { running, .. } = &reply {
            use_running(running);
        }
        reads_back(&reply);
    }
    if let Ok(report) = serde_json::from_str::<StartReport>(line) {
        if let StartReport::Ready(running) = &report {
            use_running(running);
        }
        reads_back(&report);
    }
    if let Ok(spec) = serde_json::from_str::<WorkerSpec>(line) {
        let _ = (spec.socket(), spec.vnc_socket(), spec.progress_file());
        reads_back(&spec);
    }
    if let Ok(reclaim) = serde_json::from_str::<ReclaimSpec>(line) {
        if let Some(running) = &reclaim.running {
            use_running(running);
        }
        reads_back(&reclaim);
    }
});
