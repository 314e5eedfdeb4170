//! Asking every application window to close the way a window manager does
//! (ICCCM `WM_DELETE_WINDOW`), so applications can save or ask to.

use crate::access::DisplayAccess;
use crate::error::Result;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window};
use x11rb::rust_connection::RustConnection;

/// How deep below a top-level window (a window manager's frame) to look for
/// the application's own window.
const MAX_DEPTH: u32 = 3;

struct Atoms {
    wm_protocols: u32,
    wm_delete_window: u32,
    wm_state: u32,
}

fn atoms(conn: &RustConnection, access: &DisplayAccess) -> Result<Atoms> {
    let get = |name: &[u8]| -> Result<u32> {
        Ok(conn
            .intern_atom(false, name)
            .map_err(|e| access.error(e))?
            .reply()
            .map_err(|e| access.error(e))?
            .atom)
    };
    Ok(Atoms {
        wm_protocols: get(b"WM_PROTOCOLS")?,
        wm_delete_window: get(b"WM_DELETE_WINDOW")?,
        wm_state: get(b"WM_STATE")?,
    })
}

/// Atoms listed in a window's `WM_PROTOCOLS`, read defensively: the
/// property belongs to the user's program and may hold anything.
#[must_use]
pub fn parse_protocols(format: u8, value: &[u8]) -> Vec<u32> {
    if format != 32 {
        return Vec::new();
    }
    value
        .chunks_exact(4)
        .take(64)
        .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn has_property(conn: &RustConnection, w: Window, prop: u32) -> bool {
    conn.get_property(false, w, prop, AtomEnum::ANY, 0, 0)
        .ok()
        .and_then(|c| c.reply().ok())
        .is_some_and(|r| r.type_ != u32::from(AtomEnum::NONE))
}

fn protocols(conn: &RustConnection, w: Window, a: &Atoms) -> Vec<u32> {
    conn.get_property(false, w, a.wm_protocols, AtomEnum::ATOM, 0, 64)
        .ok()
        .and_then(|c| c.reply().ok())
        .map(|r| parse_protocols(r.format, &r.value))
        .unwrap_or_default()
}

/// The application windows on the screen: top-level windows with
/// `WM_PROTOCOLS` or `WM_STATE`, or such windows inside a frame.
fn client_windows(conn: &RustConnection, root: Window, a: &Atoms) -> Vec<Window> {
    fn visit(conn: &RustConnection, w: Window, a: &Atoms, depth: u32, out: &mut Vec<Window>) {
        if has_property(conn, w, a.wm_state) || has_property(conn, w, a.wm_protocols) {
            out.push(w);
            return;
        }
        if depth >= MAX_DEPTH {
            return;
        }
        let Some(tree) = conn.query_tree(w).ok().and_then(|c| c.reply().ok()) else {
            return;
        };
        for child in tree.children {
            visit(conn, child, a, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    let Some(tree) = conn.query_tree(root).ok().and_then(|c| c.reply().ok()) else {
        return out;
    };
    for w in tree.children {
        let viewable = conn
            .get_window_attributes(w)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|attr| attr.map_state == MapState::VIEWABLE && !attr.override_redirect);
        if viewable {
            visit(conn, w, a, 0, &mut out);
        }
    }
    out
}

/// Sends `WM_DELETE_WINDOW` to every application window that supports it.
/// Returns the windows asked, to watch them go.
///
/// # Errors
/// When the display cannot be reached.
pub fn ask_all_to_close(access: &DisplayAccess) -> Result<Vec<Window>> {
    let conn = access.connect()?;
    let a = atoms(&conn, access)?;
    let root = conn
        .setup()
        .roots
        .first()
        .map(|s| s.root)
        .ok_or_else(|| access.error("no screen"))?;
    let mut asked = Vec::new();
    for w in client_windows(&conn, root, &a) {
        if !protocols(&conn, w, &a).contains(&a.wm_delete_window) {
            continue;
        }
        let event = ClientMessageEvent::new(32, w, a.wm_protocols, [a.wm_delete_window, 0, 0, 0, 0]);
        if conn.send_event(false, w, EventMask::NO_EVENT, event).is_ok() {
            asked.push(w);
        }
    }
    conn.flush().map_err(|e| access.error(e))?;
    // A round trip, so the server has delivered every message before we go.
    conn.get_input_focus()
        .map_err(|e| access.error(e))?
        .reply()
        .map_err(|e| access.error(e))?;
    Ok(asked)
}

/// How many of `windows` still exist.
///
/// # Errors
/// When the display cannot be reached (it may have gone with its clients).
pub fn still_open(access: &DisplayAccess, windows: &[Window]) -> Result<usize> {
    let conn = access.connect()?;
    Ok(windows
        .iter()
        .filter(|w| {
            conn.get_window_attributes(**w)
                .ok()
                .and_then(|c| c.reply().ok())
                .is_some()
        })
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_are_read_only_from_32_bit_properties() {
        let mut v = Vec::new();
        for a in [5u32, 7, 9] {
            v.extend_from_slice(&a.to_ne_bytes());
        }
        v.push(1); // a trailing partial atom is ignored
        assert_eq!(parse_protocols(32, &v), vec![5, 7, 9]);
        assert!(parse_protocols(8, &v).is_empty());
        assert_eq!(parse_protocols(32, &vec![0u8; 4096]).len(), 64);
    }
}
