//! The TigerVNC `Xvnc` server of a session: how it is started.
//!
//! Xvnc picks a free display number itself and tells it through
//! `-displayfd`, which avoids races between sessions starting together.
//! It runs as the session's user (like TigerVNC's own `vncsession`), so a
//! flaw in the X server gains nobody more than the user already has. It
//! listens for X clients on its Unix socket only (`-nolisten tcp`) and for
//! VNC on a Unix socket in a directory only the user can enter
//! (`-rfbport -1` turns the TCP listener off); the daemon relays stations
//! to it after checking the socket's owner, so VNC authentication is left to
//! the daemon (`SecurityTypes None`).

use crate::worker::protocol::WorkerSpec;
use podium_sys::spawn::PASSED_FD;

/// The parameters the daemon may change on a running Xvnc through its X
/// extension (`x11::vncext`): Xvnc's default list, plus `AcceptKeyEvents`
/// so that a block can turn the viewers' keyboard off, not only the mouse.
pub const ALLOW_OVERRIDE: &str =
    "desktop,AcceptPointerEvents,AcceptKeyEvents,SendCutText,AcceptCutText,SendPrimary,SetPrimary";

/// Xvnc's argv (argv\[0\] included).
#[must_use]
pub fn xvnc_args(spec: &WorkerSpec) -> Vec<String> {
    let vnc = spec.vnc_socket().to_string_lossy().into_owned();
    let auth = spec.display_xauth().to_string_lossy().into_owned();
    // A station asks for its screen area's size (RFB SetDesktopSize);
    // with a fixed size, Xvnc refuses and the station scales the picture.
    let resize = if spec.follow_station_size {
        "-AcceptSetDesktopSize=1"
    } else {
        "-AcceptSetDesktopSize=0"
    };
    [
        "Xvnc",
        "-displayfd",
        &PASSED_FD.to_string(),
        "-geometry",
        &spec.geometry,
        "-depth",
        "24",
        "-nolisten",
        "tcp",
        "-auth",
        &auth,
        "-noreset",
        "-rfbport",
        "-1",
        "-rfbunixpath",
        &vnc,
        "-rfbunixmode",
        "0600",
        "-SecurityTypes",
        "None",
        "-AllowOverride",
        ALLOW_OVERRIDE,
        "-AlwaysShared",
        resize,
        "-desktop",
        &spec.desktop_name,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}
