//! A teacher's control of a desktop and the bar that tells the pupil, on a
//! real TigerVNC display: keys typed through XTEST reach an xterm's shell
//! even while the display's VNC input is off (a blocked desktop), clicks
//! and the wheel reach a window where they are aimed, nothing stays
//! pressed when control ends, and the "being watched" bar sits at the top
//! above the block notice and lets clicks through.

use podium_testkit::wait_until;
use podium_testkit::xvnc::Display;
use podium_x11::block::BlockNotice;
use podium_x11::watched::{self, WatchedNotice, Watcher};
use podium_x11::xtest::{Input, Remote};
use podium_x11::{Lang, vncext};
use std::time::Duration;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt, CreateWindowAux, EventMask, KeyButMask, MapState, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;

const RETURN: u32 = 0xff0d;
const SHIFT_L: u32 = 0xffe1;

fn root(conn: &RustConnection) -> Window {
    conn.setup().roots[0].root
}

fn wm_name(conn: &RustConnection, w: Window) -> Option<String> {
    let r = conn
        .get_property(false, w, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 64)
        .ok()?
        .reply()
        .ok()?;
    Some(String::from_utf8_lossy(&r.value).into_owned())
}

/// The top-level windows, bottom to top, with their names.
fn stack(conn: &RustConnection) -> Vec<(Window, Option<String>)> {
    let tree = conn.query_tree(root(conn)).expect("query").reply().expect("tree");
    tree.children.into_iter().map(|w| (w, wm_name(conn, w))).collect()
}

fn find(conn: &RustConnection, name: &str) -> Option<Window> {
    stack(conn)
        .into_iter()
        .find(|(_, n)| n.as_deref() == Some(name))
        .map(|(w, _)| w)
}

fn viewable(conn: &RustConnection, w: Window) -> bool {
    conn.get_window_attributes(w)
        .ok()
        .and_then(|c| c.reply().ok())
        .is_some_and(|a| a.map_state == MapState::VIEWABLE)
}

/// Types `text` as a viewer's keys: keysyms down and up, without Shift
/// (the injector presses it where a character needs it).
fn type_text(remote: &Remote, text: &str) {
    for c in text.chars() {
        let keysym = if c == '\n' { RETURN } else { u32::from(c) };
        remote.send(Input::Key { keysym, down: true });
        remote.send(Input::Key { keysym, down: false });
    }
}

/// An xterm running a shell at the top left of the screen, mapped.
fn xterm(d: &mut Display) {
    d.client(
        "xterm",
        &["-geometry", "80x24+0+0", "-title", "podium-control-term", "-e", "sh"],
    );
    let conn = d.conn();
    wait_until(Duration::from_secs(10), "the xterm is on screen", || {
        stack(&conn)
            .iter()
            .any(|(w, n)| n.as_deref() == Some("podium-control-term") && viewable(&conn, *w))
    });
}

#[test]
fn keys_typed_through_xtest_reach_a_shell_while_the_vnc_input_is_off() {
    let mut d = Display::start(true);
    // What a block does: every VNC viewer's keys and pointer are ignored.
    vncext::set_input_allowed(&d.access, false).expect("input off");
    xterm(&mut d);
    let conn = d.conn();
    let out = std::env::temp_dir().join(format!("podium-xtest-{}", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let remote = Remote::start(&d.access).expect("XTEST control");
    // No window manager: the keyboard follows the pointer, so point at the
    // xterm first.
    remote.send(Input::Pointer {
        buttons: 0,
        x: 100,
        y: 100,
    });
    wait_until(Duration::from_secs(5), "the pointer is over the xterm", || {
        let p = conn
            .query_pointer(root(&conn))
            .expect("query")
            .reply()
            .expect("pointer");
        (p.root_x, p.root_y) == (100, 100)
    });
    // `>` and `_` are shifted keys on the display's US keyboard; the
    // viewer did not send Shift, so the injector pressed it around them.
    type_text(&remote, &format!("echo ok_1 > {}\n", out.display()));
    wait_until(Duration::from_secs(10), "the shell wrote the file", || {
        std::fs::read_to_string(&out).is_ok_and(|s| s == "ok_1\n")
    });
    // The viewer holds Shift itself (as noVNC does) for an upper-case
    // word; a `1`, plain on this keyboard, still comes out as `1`.
    remote.send(Input::Key {
        keysym: SHIFT_L,
        down: true,
    });
    type_text(&remote, "echo OK1");
    remote.send(Input::Key {
        keysym: SHIFT_L,
        down: false,
    });
    type_text(&remote, &format!(" >> {}\n", out.display()));
    wait_until(Duration::from_secs(10), "the shell appended the line", || {
        std::fs::read_to_string(&out).is_ok_and(|s| s == "ok_1\nOK1\n")
    });
    remote.finish();
    let _ = std::fs::remove_file(&out);
}

/// A window of our own at (x, y) that reports its button presses.
fn target_window(conn: &RustConnection, x: i16, y: i16) -> Window {
    let screen = &conn.setup().roots[0];
    let w = conn.generate_id().expect("id");
    conn.create_window(
        screen.root_depth,
        w,
        screen.root,
        x,
        y,
        200,
        150,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .override_redirect(1)
            .background_pixel(0x00ff_ffff)
            .event_mask(EventMask::BUTTON_PRESS | EventMask::BUTTON_RELEASE),
    )
    .expect("create");
    conn.map_window(w).expect("map");
    conn.flush().expect("flush");
    wait_until(Duration::from_secs(5), "our window is mapped", || viewable(conn, w));
    w
}

/// The button events our window got within `limit`: (pressed, button, x, y).
fn buttons_seen(conn: &RustConnection, count: usize) -> Vec<(bool, u8, i16, i16)> {
    let mut seen = Vec::new();
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while seen.len() < count && std::time::Instant::now() < until {
        match conn.poll_for_event().expect("events") {
            Some(Event::ButtonPress(e)) => seen.push((true, e.detail, e.event_x, e.event_y)),
            Some(Event::ButtonRelease(e)) => seen.push((false, e.detail, e.event_x, e.event_y)),
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    seen
}

#[test]
fn clicks_and_the_wheel_arrive_where_the_controller_points() {
    let d = Display::start(true);
    vncext::set_input_allowed(&d.access, false).expect("input off");
    let conn = d.conn();
    let _w = target_window(&conn, 300, 200);
    let remote = Remote::start(&d.access).expect("XTEST control");
    // Move, press button 1, release it; then a wheel notch down (button 5).
    remote.send(Input::Pointer {
        buttons: 0,
        x: 350,
        y: 260,
    });
    remote.send(Input::Pointer {
        buttons: 1,
        x: 350,
        y: 260,
    });
    remote.send(Input::Pointer {
        buttons: 0,
        x: 360,
        y: 270,
    });
    remote.send(Input::Pointer {
        buttons: 1 << 4,
        x: 360,
        y: 270,
    });
    remote.send(Input::Pointer {
        buttons: 0,
        x: 360,
        y: 270,
    });
    assert_eq!(
        buttons_seen(&conn, 4),
        vec![
            (true, 1, 50, 60),
            (false, 1, 60, 70),
            (true, 5, 60, 70),
            (false, 5, 60, 70)
        ]
    );
    remote.finish();
}

#[test]
fn nothing_stays_pressed_when_control_ends_and_bound_keys_are_cleared() {
    let d = Display::start(true);
    let conn = d.conn();
    let remote = Remote::start(&d.access).expect("XTEST control");
    // The euro sign is on no key of the display's US keyboard: it is bound
    // on a spare keycode while it is held.
    let euro = 0x20ac;
    remote.send(Input::Key {
        keysym: SHIFT_L,
        down: true,
    });
    remote.send(Input::Key {
        keysym: u32::from('a'),
        down: true,
    });
    remote.send(Input::Key {
        keysym: euro,
        down: true,
    });
    remote.send(Input::Pointer {
        buttons: 0b101,
        x: 10,
        y: 10,
    });
    let bound = |conn: &RustConnection| {
        let setup = conn.setup();
        let count = setup.max_keycode - setup.min_keycode + 1;
        let map = conn
            .get_keyboard_mapping(setup.min_keycode, count)
            .expect("mapping")
            .reply()
            .expect("mapping");
        map.keysyms.contains(&euro)
    };
    wait_until(Duration::from_secs(5), "keys and buttons are down", || {
        let keys = conn.query_keymap().expect("keymap").reply().expect("keymap");
        let down = keys.keys.iter().map(|b| b.count_ones()).sum::<u32>();
        let p = conn
            .query_pointer(root(&conn))
            .expect("query")
            .reply()
            .expect("pointer");
        down == 3 && p.mask.contains(KeyButMask::BUTTON1 | KeyButMask::BUTTON3)
    });
    assert!(bound(&conn), "the euro sign was bound on a spare keycode");
    remote.finish();
    let keys = conn.query_keymap().expect("keymap").reply().expect("keymap");
    assert!(keys.keys.iter().all(|b| *b == 0), "every key released: {:?}", keys.keys);
    let p = conn
        .query_pointer(root(&conn))
        .expect("query")
        .reply()
        .expect("pointer");
    assert!(
        !p.mask.intersects(KeyButMask::BUTTON1 | KeyButMask::BUTTON3),
        "buttons released: {:?}",
        p.mask
    );
    assert!(!bound(&conn), "the spare keycode is cleared again");
}

#[test]
fn the_watched_bar_sits_above_a_block_that_stands_aside_for_control_and_lets_clicks_through() {
    let d = Display::start(true);
    let conn = d.conn();
    let _target = target_window(&conn, 540, 0);
    let block = BlockNotice::show(&d.access, Lang::Fr, "").expect("block notice");
    let bar = WatchedNotice::show(
        &d.access,
        Lang::Fr,
        vec![Watcher {
            name: "Marie Curie".into(),
            controls: true,
        }],
    )
    .expect("watched bar");
    let window = find(&conn, watched::WINDOW_NAME).expect("the bar's window");
    let g = conn.get_geometry(window).expect("geometry").reply().expect("geometry");
    assert_eq!(g.y, 0, "at the top");
    assert!(g.width < 600 && g.height < 70, "small: {}×{}", g.width, g.height);
    let middle = i32::from(g.x) + i32::from(g.width) / 2;
    assert!((middle - 640).abs() <= 1, "centred: {middle}");
    // Above the block notice, which covers everything else.
    wait_until(Duration::from_secs(3), "the bar is on top of the block", || {
        let names: Vec<_> = stack(&conn).into_iter().filter_map(|(_, n)| n).collect();
        let at = |name: &str| names.iter().position(|n| n == name);
        at(watched::WINDOW_NAME) > at("Podium block") && at("Podium block").is_some()
    });
    // While a teacher drives the desktop, the block notice stands aside.
    let block_window = find(&conn, "Podium block").expect("the block's window");
    block.set_aside(true);
    wait_until(Duration::from_secs(3), "the block notice stands aside", || {
        !viewable(&conn, block_window)
    });
    block.set_aside(false);
    wait_until(Duration::from_secs(3), "the block notice is back", || {
        viewable(&conn, block_window)
    });
    block.close();
    // A click on the bar goes to the window under it.
    let remote = Remote::start(&d.access).expect("XTEST control");
    let (x, y) = (u16::try_from(middle).expect("x"), 10);
    remote.send(Input::Pointer { buttons: 1, x, y });
    remote.send(Input::Pointer { buttons: 0, x, y });
    let seen = buttons_seen(&conn, 2);
    assert_eq!(seen.len(), 2, "the window under the bar got the click: {seen:?}");
    remote.finish();
    // Updated, then closed: the window goes.
    bar.update(vec![
        Watcher {
            name: "Marie Curie".into(),
            controls: false,
        },
        Watcher {
            name: "Paul Langevin".into(),
            controls: false,
        },
    ]);
    wait_until(Duration::from_secs(3), "the bar grows for two names", || {
        conn.get_geometry(window)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|n| n.width != g.width)
    });
    bar.close();
    assert!(find(&conn, watched::WINDOW_NAME).is_none(), "the bar is gone");
}
