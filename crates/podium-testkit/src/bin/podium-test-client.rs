//! X clients for Podium's tests, run inside real sessions as the test user.
//!
//! `podium-test-client save-on-delete FILE`: a window that, asked to close
//! with `WM_DELETE_WINDOW`, writes FILE and exits — an application saving.
//! `podium-test-client never-close [CLASS TITLE]`: a window that supports
//! `WM_DELETE_WINDOW` but never closes, like an app stuck on "Save?";
//! with CLASS and TITLE, its `WM_CLASS` and title ("Notebook",
//! "*Fractions - Notebook"), else `podium-test-client` for both.
//! `podium-test-client note-delete FILE`: a window that never closes
//! either, appending the time (`UNIX_NANOS`) to FILE each time it is asked.
//! Every window names its process (`_NET_WM_PID`), as applications do.
//! `podium-test-client paint RRGGBB`: fills the whole screen with a colour
//! and idles.
//! `podium-test-client cycle X Y W H PERIOD_MS [LOG]`: a W×H window at X,Y
//! (0×0: the whole screen) that takes the next colour of [`PALETTE`] every
//! PERIOD_MS, on the wall clock's multiples of it; with LOG, appends
//! `K UNIX_NANOS` once the X server has drawn colour K (`PALETTE[K % 8]`,
//! K counted in periods since the epoch): a change on the screen at a
//! known instant, for the benchmarks' change-to-picture latency.
#![forbid(unsafe_code)]

use podium_testkit::bench::live::PALETTE;
use std::process::ExitCode;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, CreateWindowAux, EventMask, PropMode, WindowClass};
use x11rb::wrapper::ConnectionExt as _;

/// Appends the time now, in nanoseconds since the epoch, to `file`.
fn note(file: &str) -> Result<(), String> {
    use std::io::Write;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_nanos();
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .and_then(|mut f| writeln!(f, "{nanos}"))
        .map_err(|e| format!("{file}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["save-on-delete", file] => window(Some(Asked::Save(file)), None, NAME),
        ["never-close"] => window(None, None, NAME),
        ["never-close", class, title] => window(None, None, (class, title)),
        ["note-delete", file] => window(Some(Asked::Note(file)), None, NAME),
        ["paint", color] => match u32::from_str_radix(color.trim_start_matches('#'), 16) {
            Ok(c) => window(None, Some(c), NAME),
            Err(_) => Err(format!("not a colour: {color}")),
        },
        ["cycle", x, y, w, h, period, log @ ..] if log.len() <= 1 => cycle(&[x, y, w, h, period], log.first().copied()),
        _ => Err(
            "usage: podium-test-client save-on-delete FILE | never-close [CLASS TITLE] | note-delete FILE | paint RRGGBB | cycle X Y W H PERIOD_MS [LOG]"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("podium-test-client: {e}");
            ExitCode::from(2)
        }
    }
}

fn cycle(numbers: &[&&str; 5], log: Option<&str>) -> Result<(), String> {
    let n: Vec<u32> = numbers
        .iter()
        .map(|v| v.parse::<u32>().map_err(|_| format!("not a number: {v}")))
        .collect::<Result<_, _>>()?;
    let period = u64::from(n[4].max(1));
    let (conn, screen_num) = x11rb::connect(None).map_err(|e| e.to_string())?;
    let screen = conn.setup().roots.get(screen_num).ok_or("no screen")?.clone();
    let (w, h) = if n[2] == 0 || n[3] == 0 {
        (screen.width_in_pixels, screen.height_in_pixels)
    } else {
        (
            u16::try_from(n[2]).map_err(|e| e.to_string())?,
            u16::try_from(n[3]).map_err(|e| e.to_string())?,
        )
    };
    let (x, y) = (
        i16::try_from(n[0]).map_err(|e| e.to_string())?,
        i16::try_from(n[1]).map_err(|e| e.to_string())?,
    );
    let win = conn.generate_id().map_err(|e| e.to_string())?;
    conn.create_window(
        screen.root_depth,
        win,
        screen.root,
        x,
        y,
        w,
        h,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new().background_pixel(PALETTE[0]).override_redirect(1),
    )
    .map_err(|e| e.to_string())?;
    conn.map_window(win).map_err(|e| e.to_string())?;
    conn.flush().map_err(|e| e.to_string())?;
    let mut log = match log {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{path}: {e}"))?,
        ),
        None => None,
    };
    loop {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?;
        let now_ms = u64::try_from(now.as_millis()).map_err(|e| e.to_string())?;
        let k = now_ms / period + 1;
        std::thread::sleep(std::time::Duration::from_millis(k * period - now_ms));
        let colour = PALETTE[usize::try_from(k % 8).unwrap_or(0)];
        conn.change_window_attributes(
            win,
            &x11rb::protocol::xproto::ChangeWindowAttributesAux::new().background_pixel(colour),
        )
        .map_err(|e| e.to_string())?;
        conn.clear_area(false, win, 0, 0, 0, 0).map_err(|e| e.to_string())?;
        // A round trip: once it is answered, the server has drawn the colour.
        conn.get_input_focus()
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?;
        if let Some(f) = log.as_mut() {
            let drawn = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| e.to_string())?;
            use std::io::Write;
            writeln!(f, "{k} {}", drawn.as_nanos()).map_err(|e| e.to_string())?;
        }
    }
}

/// What a window does when asked to close.
enum Asked<'a> {
    /// Writes the file and exits.
    Save(&'a str),
    /// Appends the time to the file and stays.
    Note(&'a str),
}

/// The class and title of a window not given others.
const NAME: (&str, &str) = ("podium-test-client", "podium-test-client");

/// The atom called `name`.
fn atom(conn: &impl Connection, name: &[u8]) -> Result<u32, String> {
    Ok(conn
        .intern_atom(false, name)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?
        .atom)
}

/// Names `win` as applications do: its title (`WM_NAME`, `_NET_WM_NAME`),
/// its class (`WM_CLASS`) and its process (`_NET_WM_PID`).
fn name_window(conn: &impl Connection, win: u32, (class, title): (&str, &str)) -> Result<(), String> {
    let atom = |name: &[u8]| atom(conn, name);
    let (net_wm_name, utf8, net_wm_pid) = (atom(b"_NET_WM_NAME")?, atom(b"UTF8_STRING")?, atom(b"_NET_WM_PID")?);
    let wm_class = format!("{class}\0{class}\0");
    for (property, kind, value) in [
        (
            u32::from(AtomEnum::WM_NAME),
            u32::from(AtomEnum::STRING),
            title.as_bytes(),
        ),
        (net_wm_name, utf8, title.as_bytes()),
        (AtomEnum::WM_CLASS.into(), AtomEnum::STRING.into(), wm_class.as_bytes()),
    ] {
        conn.change_property8(PropMode::REPLACE, win, property, kind, value)
            .map_err(|e| e.to_string())?;
    }
    conn.change_property32(
        PropMode::REPLACE,
        win,
        net_wm_pid,
        AtomEnum::CARDINAL,
        &[std::process::id()],
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}

fn window(asked: Option<Asked<'_>>, paint: Option<u32>, name: (&str, &str)) -> Result<(), String> {
    let (conn, screen_num) = x11rb::connect(None).map_err(|e| e.to_string())?;
    let screen = conn.setup().roots.get(screen_num).ok_or("no screen")?.clone();
    let atom = |name: &[u8]| atom(&conn, name);
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
    name_window(&conn, win, name)?;
    conn.map_window(win).map_err(|e| e.to_string())?;
    conn.flush().map_err(|e| e.to_string())?;
    loop {
        let event = conn.wait_for_event().map_err(|e| e.to_string())?;
        if let Event::ClientMessage(m) = event
            && m.type_ == protocols
            && m.data.as_data32()[0] == delete
        {
            match asked {
                Some(Asked::Save(file)) => {
                    std::fs::write(file, b"saved on WM_DELETE_WINDOW\n").map_err(|e| e.to_string())?;
                    return Ok(());
                }
                Some(Asked::Note(file)) => note(file)?,
                // never-close: an application stuck on its "Save?" question.
                None => {}
            }
        }
    }
}
