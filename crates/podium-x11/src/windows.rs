//! Asking every application window to close the way a window manager does
//! (ICCCM `WM_DELETE_WINDOW`), so applications can save or ask to — and
//! only the applications': the desktop's own windows (its background, its
//! panels, the window manager's) are left alone, because a desktop asked
//! to close them answers with its own log-out dialog.

use crate::access::DisplayAccess;
use crate::error::Result;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window};
use x11rb::rust_connection::RustConnection;

/// How deep below a top-level window (a window manager's frame) to look for
/// the application's own window.
const MAX_DEPTH: u32 = 3;
/// The most of a title or class read from a window (the user's program
/// writes them).
const MAX_TEXT: u32 = 256;

struct Atoms {
    wm_protocols: u32,
    wm_delete_window: u32,
    wm_state: u32,
    net_wm_pid: u32,
    net_wm_name: u32,
    utf8_string: u32,
    net_wm_window_type: u32,
    type_desktop: u32,
    type_dock: u32,
    net_supporting_wm_check: u32,
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
        net_wm_pid: get(b"_NET_WM_PID")?,
        net_wm_name: get(b"_NET_WM_NAME")?,
        utf8_string: get(b"UTF8_STRING")?,
        net_wm_window_type: get(b"_NET_WM_WINDOW_TYPE")?,
        type_desktop: get(b"_NET_WM_WINDOW_TYPE_DESKTOP")?,
        type_dock: get(b"_NET_WM_WINDOW_TYPE_DOCK")?,
        net_supporting_wm_check: get(b"_NET_SUPPORTING_WM_CHECK")?,
    })
}

/// An application's window, as a teacher would name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppWindow {
    /// The window.
    pub window: Window,
    /// The process that says it owns the window (`_NET_WM_PID`).
    pub pid: Option<u32>,
    /// The application's class (`WM_CLASS`'s second string, "Mousepad").
    pub class: String,
    /// The window's title ("*Untitled 1 - Mousepad").
    pub title: String,
    /// Whether it can be asked to close (`WM_DELETE_WINDOW` in `WM_PROTOCOLS`).
    pub closable: bool,
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

fn property(conn: &RustConnection, w: Window, prop: u32, kind: u32, longs: u32) -> Option<(u8, Vec<u8>)> {
    conn.get_property(false, w, prop, kind, 0, longs)
        .ok()
        .and_then(|c| c.reply().ok())
        .map(|r| (r.format, r.value))
}

fn cardinal(conn: &RustConnection, w: Window, prop: u32, kind: AtomEnum) -> Option<u32> {
    property(conn, w, prop, kind.into(), 1)
        .filter(|(format, _)| *format == 32)
        .and_then(|(_, v)| v.get(..4).map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]])))
}

/// Text of a window property, cut to [`MAX_TEXT`] bytes, invalid UTF-8 replaced.
#[must_use]
pub fn text(value: &[u8]) -> String {
    let cut = value.get(..MAX_TEXT as usize).unwrap_or(value);
    String::from_utf8_lossy(cut).trim_end_matches('\0').to_owned()
}

/// The application's name from `WM_CLASS` (instance NUL class NUL): the
/// class, or the instance when the class is missing.
#[must_use]
pub fn class_name(value: &[u8]) -> String {
    let mut parts = value.split(|b| *b == 0).filter(|p| !p.is_empty());
    let instance = parts.next();
    parts.next().or(instance).map(text).unwrap_or_default()
}

fn describe(conn: &RustConnection, w: Window, a: &Atoms) -> AppWindow {
    let title = property(conn, w, a.net_wm_name, a.utf8_string, MAX_TEXT / 4)
        .filter(|(_, v)| !v.is_empty())
        .or_else(|| property(conn, w, AtomEnum::WM_NAME.into(), AtomEnum::ANY.into(), MAX_TEXT / 4))
        .map(|(_, v)| text(&v))
        .unwrap_or_default();
    let class = property(
        conn,
        w,
        AtomEnum::WM_CLASS.into(),
        AtomEnum::STRING.into(),
        MAX_TEXT / 4,
    )
    .map(|(_, v)| class_name(&v))
    .unwrap_or_default();
    AppWindow {
        window: w,
        pid: cardinal(conn, w, a.net_wm_pid, AtomEnum::CARDINAL),
        class,
        title,
        closable: protocols(conn, w, a).contains(&a.wm_delete_window),
    }
}

/// Whether a window is the desktop's own: its background or a panel (by
/// their EWMH types), or the window manager's.
fn desktops_own(conn: &RustConnection, w: Window, a: &Atoms, wm_pid: Option<u32>, pid: Option<u32>) -> bool {
    let types = property(conn, w, a.net_wm_window_type, AtomEnum::ATOM.into(), 16)
        .map(|(format, v)| parse_protocols(format, &v))
        .unwrap_or_default();
    types.iter().any(|t| *t == a.type_desktop || *t == a.type_dock) || (pid.is_some() && pid == wm_pid)
}

/// The window manager's process, from the window it names on the root.
fn window_manager_pid(conn: &RustConnection, root: Window, a: &Atoms) -> Option<u32> {
    let check = cardinal(conn, root, a.net_supporting_wm_check, AtomEnum::WINDOW)?;
    cardinal(conn, check, a.net_wm_pid, AtomEnum::CARDINAL)
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

/// The applications' windows on the screen, the desktop's own left out,
/// and those of the processes in `skip` (such as its session manager).
///
/// # Errors
/// When the display cannot be reached.
pub fn applications(access: &DisplayAccess, skip: &[u32]) -> Result<Vec<AppWindow>> {
    let conn = access.connect()?;
    let a = atoms(&conn, access)?;
    let root = root(&conn, access)?;
    let wm_pid = window_manager_pid(&conn, root, &a);
    Ok(client_windows(&conn, root, &a)
        .into_iter()
        .map(|w| describe(&conn, w, &a))
        .filter(|app| {
            !desktops_own(&conn, app.window, &a, wm_pid, app.pid) && !app.pid.is_some_and(|p| skip.contains(&p))
        })
        .collect())
}

fn root(conn: &RustConnection, access: &DisplayAccess) -> Result<Window> {
    conn.setup()
        .roots
        .first()
        .map(|s| s.root)
        .ok_or_else(|| access.error("no screen"))
}

/// Sends `WM_DELETE_WINDOW` to each of `apps` that supports it. Returns
/// the windows asked, to watch them go.
///
/// # Errors
/// When the display cannot be reached.
pub fn ask_to_close(access: &DisplayAccess, apps: &[AppWindow]) -> Result<Vec<Window>> {
    let conn = access.connect()?;
    let a = atoms(&conn, access)?;
    let mut asked = Vec::new();
    for app in apps.iter().filter(|app| app.closable) {
        let w = app.window;
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

    #[test]
    fn names_an_application_by_its_class() {
        assert_eq!(class_name(b"mousepad\0Mousepad\0"), "Mousepad");
        assert_eq!(class_name(b"libreoffice\0libreoffice-writer\0"), "libreoffice-writer");
        assert_eq!(class_name(b"xclock\0"), "xclock");
        assert_eq!(class_name(b""), "");
        assert_eq!(class_name(b"\0\0\0"), "");
    }

    #[test]
    fn reads_text_defensively() {
        assert_eq!(text(b"*Untitled 1 - Mousepad"), "*Untitled 1 - Mousepad");
        assert_eq!(text(b"caf\xc3\xa9\0"), "caf\u{e9}");
        assert_eq!(text(b"\xff\xfe"), "\u{fffd}\u{fffd}");
        assert_eq!(text(&[b'a'; 1000]).len(), MAX_TEXT as usize);
    }
}
