//! X clients for Podium's tests, run inside real sessions as the test user.
//!
//! `podium-test-client save-on-delete FILE`: a window that, asked to close
//! with `WM_DELETE_WINDOW`, writes FILE and exits — an application saving.
//! `podium-test-client never-close`: a window that supports
//! `WM_DELETE_WINDOW` but never closes, like an app stuck on "Save?".
//! `podium-test-client paint RRGGBB`: fills the whole screen with a colour
//! and idles.

use std::process::ExitCode;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, CreateWindowAux, EventMask, PropMode, WindowClass};
use x11rb::wrapper::ConnectionExt as _;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["save-on-delete", file] => window(Some(file), None),
        ["never-close"] => window(None, None),
        ["paint", color] => match u32::from_str_radix(color.trim_start_matches('#'), 16) {
            Ok(c) => window(None, Some(c)),
            Err(_) => Err(format!("not a colour: {color}")),
        },
        _ => Err("usage: podium-test-client save-on-delete FILE | never-close | paint RRGGBB".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("podium-test-client: {e}");
            ExitCode::from(2)
        }
    }
}

fn window(save_to: Option<&str>, paint: Option<u32>) -> Result<(), String> {
    let (conn, screen_num) = x11rb::connect(None).map_err(|e| e.to_string())?;
    let screen = conn.setup().roots.get(screen_num).ok_or("no screen")?.clone();
    let atom = |name: &[u8]| -> Result<u32, String> {
        Ok(conn
            .intern_atom(false, name)
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?
            .atom)
    };
    let protocols = atom(b"WM_PROTOCOLS")?;
    let delete = atom(b"WM_DELETE_WINDOW")?;
    let win = conn.generate_id().map_err(|e| e.to_string())?;
    let (w, h, bg) = match paint {
        Some(c) => (screen.width_in_pixels, screen.height_in_pixels, c),
        None => (240, 120, 0x00dd_dddd),
    };
    let aux = CreateWindowAux::new()
        .background_pixel(bg)
        .event_mask(EventMask::STRUCTURE_NOTIFY | EventMask::EXPOSURE);
    let override_redirect = if paint.is_some() { aux.override_redirect(1) } else { aux };
    conn.create_window(
        screen.root_depth,
        win,
        screen.root,
        0,
        0,
        w,
        h,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &override_redirect,
    )
    .map_err(|e| e.to_string())?;
    conn.change_property32(PropMode::REPLACE, win, protocols, AtomEnum::ATOM, &[delete])
        .map_err(|e| e.to_string())?;
    conn.change_property8(
        PropMode::REPLACE,
        win,
        AtomEnum::WM_NAME,
        AtomEnum::STRING,
        b"podium-test-client",
    )
    .map_err(|e| e.to_string())?;
    conn.map_window(win).map_err(|e| e.to_string())?;
    conn.flush().map_err(|e| e.to_string())?;
    loop {
        let event = conn.wait_for_event().map_err(|e| e.to_string())?;
        if let Event::ClientMessage(m) = event
            && m.type_ == protocols
            && m.data.as_data32()[0] == delete
        {
            if let Some(file) = save_to {
                std::fs::write(file, b"saved on WM_DELETE_WINDOW\n").map_err(|e| e.to_string())?;
                return Ok(());
            }
            // never-close: an application stuck on its "Save?" question.
        }
    }
}
