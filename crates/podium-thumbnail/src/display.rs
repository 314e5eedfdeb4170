//! A capture thread's connection to its session's display: DAMAGE on the
//! root window reported as a bounding box, the root window's own changes
//! (a station or a program resizing the screen), an XFixes region to fetch
//! the changed parts into, and the capturer.

use crate::capture::Capturer;
use crate::thumbnail::ThumbError;
use podium_x11::DisplayAccess;
use x11rb::connection::Connection;
use x11rb::protocol::damage::{ConnectionExt as _, ReportLevel};
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConnectionExt as _, EventMask, Window};
use x11rb::rust_connection::RustConnection;

/// The capture thread's connection to the display, watching for damage.
pub(crate) struct Display {
    pub conn: RustConnection,
    /// The root window, whose `ConfigureNotify` says the screen's new size.
    pub root: Window,
    pub damage: u32,
    /// Where each capture takes the changed region from the X server.
    pub region: u32,
    pub capturer: Capturer,
    /// The screen's size when the connection was made.
    pub size: (u32, u32),
}

/// Connects to the display and asks for its damage, as a bounding box.
pub(crate) fn open(access: &DisplayAccess) -> Result<Display, ThumbError> {
    let conn = access.connect().map_err(ThumbError::x)?;
    let screen = conn.setup().roots.first().ok_or(ThumbError::X("no screen".into()))?;
    let (root, size) = (
        screen.root,
        (u32::from(screen.width_in_pixels), u32::from(screen.height_in_pixels)),
    );
    conn.damage_query_version(1, 1)
        .map_err(ThumbError::x)?
        .reply()
        .map_err(ThumbError::x)?;
    conn.xfixes_query_version(5, 0)
        .map_err(ThumbError::x)?
        .reply()
        .map_err(ThumbError::x)?;
    let region = conn.generate_id().map_err(ThumbError::x)?;
    conn.xfixes_create_region(region, &[]).map_err(ThumbError::x)?;
    let damage = conn.generate_id().map_err(ThumbError::x)?;
    // BoundingBox: an event when the changed area grows beyond what was
    // reported since we last looked (none while changes stay inside it),
    // with the screen's size. Where exactly is asked at capture time.
    conn.damage_create(damage, root, ReportLevel::BOUNDING_BOX)
        .map_err(ThumbError::x)?;
    // RandR resizes the screen (a station's SetDesktopSize, `xrandr`) with
    // a ConfigureNotify of the root window: the capture learns the new
    // size even before anything is drawn at it.
    conn.change_window_attributes(
        root,
        &ChangeWindowAttributesAux::new().event_mask(EventMask::STRUCTURE_NOTIFY),
    )
    .map_err(ThumbError::x)?;
    let capturer = Capturer::new(&conn, root).map_err(ThumbError::x)?;
    conn.flush().map_err(ThumbError::x)?;
    Ok(Display {
        conn,
        root,
        damage,
        region,
        capturer,
        size,
    })
}
