//! Blocks, messages and disconnections on a real TigerVNC display: an Xvnc
//! started for each test (as root, with its own cookie and VNC socket),
//! checked through the server itself — its pixels, its window stack, the
//! pointer and keyboard as a VNC viewer moves them, the viewer's socket.

use podium_testkit::wait_until;
use podium_testkit::xvnc::{Display, HEIGHT, WIDTH};
use podium_x11::block::BlockNotice;
use podium_x11::canvas::fonts;
use podium_x11::message::{self, MessageBox, QueuedMessage};
use podium_x11::notice::{Content, Notice};
use podium_x11::{Lang, vncext};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ChangeWindowAttributesAux, ConfigureWindowAux, ConnectionExt, CreateWindowAux, EventMask, ImageFormat,
    ImageOrder, MapState, StackMode, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;

/// The block notice's backdrop colour.
const BACKDROP: u32 = 0x111827;

/// A VNC viewer speaking RFB 3.8 by hand.
struct Viewer(UnixStream);

impl Viewer {
    fn connect(socket: &Path) -> Viewer {
        let mut s = UnixStream::connect(socket).expect("VNC socket accepts");
        s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        let mut version = [0u8; 12];
        s.read_exact(&mut version).expect("server version");
        assert!(version.starts_with(b"RFB 003."), "{version:?}");
        s.write_all(b"RFB 003.008\n").expect("client version");
        let mut n = [0u8; 1];
        s.read_exact(&mut n).expect("security types");
        let mut types = vec![0u8; usize::from(n[0])];
        s.read_exact(&mut types).expect("security types");
        assert!(types.contains(&1), "None security offered: {types:?}");
        s.write_all(&[1]).expect("choose None");
        let mut result = [0u8; 4];
        s.read_exact(&mut result).expect("security result");
        assert_eq!(result, [0; 4], "security handshake succeeded");
        s.write_all(&[1]).expect("ClientInit, shared");
        let mut init = [0u8; 24];
        s.read_exact(&mut init).expect("ServerInit");
        assert_eq!(
            (
                u16::from_be_bytes([init[0], init[1]]),
                u16::from_be_bytes([init[2], init[3]])
            ),
            (WIDTH, HEIGHT)
        );
        let name_len = u32::from_be_bytes([init[20], init[21], init[22], init[23]]);
        let mut name = vec![0u8; usize::try_from(name_len).expect("small")];
        s.read_exact(&mut name).expect("desktop name");
        Viewer(s)
    }

    fn pointer(&mut self, x: u16, y: u16) {
        let mut m = vec![5, 0];
        m.extend_from_slice(&x.to_be_bytes());
        m.extend_from_slice(&y.to_be_bytes());
        self.0.write_all(&m).expect("PointerEvent");
    }

    fn key(&mut self, keysym: u32, down: bool) {
        let mut m = vec![4, u8::from(down), 0, 0];
        m.extend_from_slice(&keysym.to_be_bytes());
        self.0.write_all(&m).expect("KeyEvent");
    }

    /// Whether the server closes the connection within `limit`.
    fn closed_within(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            self.0
                .set_read_timeout(Some(
                    deadline
                        .saturating_duration_since(Instant::now())
                        .max(Duration::from_millis(1)),
                ))
                .expect("timeout");
            match self.0.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return false;
                }
                Err(_) => return true,
            }
        }
        false
    }
}

fn root(conn: &RustConnection) -> Window {
    conn.setup().roots[0].root
}

fn pointer_at(conn: &RustConnection) -> (i16, i16) {
    let p = conn.query_pointer(root(conn)).expect("query").reply().expect("pointer");
    (p.root_x, p.root_y)
}

fn any_key_down(conn: &RustConnection) -> bool {
    let keys = conn.query_keymap().expect("query").reply().expect("keymap");
    keys.keys.iter().any(|b| *b != 0)
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

fn top(conn: &RustConnection) -> Option<Window> {
    stack(conn).last().map(|(w, _)| *w)
}

/// The screen's pixels, `0xRRGGBB`.
fn screen_pixels(conn: &RustConnection) -> Vec<u32> {
    let img = conn
        .get_image(ImageFormat::Z_PIXMAP, root(conn), 0, 0, WIDTH, HEIGHT, !0)
        .expect("get image")
        .reply()
        .expect("image");
    let lsb = conn.setup().image_byte_order == ImageOrder::LSB_FIRST;
    img.data
        .chunks_exact(4)
        .map(|p| {
            let b = [p[0], p[1], p[2], p[3]];
            (if lsb {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }) & 0xff_ffff
        })
        .collect()
}

fn pixel(pixels: &[u32], x: u16, y: u16) -> u32 {
    pixels[usize::from(y) * usize::from(WIDTH) + usize::from(x)]
}

fn sent_minutes_ago(m: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(60 * m)
}

#[test]
fn viewers_input_is_ignored_while_blocked_and_accepted_again_after() {
    let d = Display::start(true);
    let conn = d.conn();
    assert!(vncext::input_allowed(&d.access).expect("reads"));
    let mut viewer = Viewer::connect(&d.vnc_socket());
    viewer.pointer(10, 10);
    wait_until(Duration::from_secs(10), "the viewer moves the pointer", || {
        pointer_at(&conn) == (10, 10)
    });

    vncext::set_input_allowed(&d.access, false).expect("input off");
    assert!(!vncext::input_allowed(&d.access).expect("reads"));
    viewer.pointer(300, 200);
    viewer.key(0x61, true); // a
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(pointer_at(&conn), (10, 10), "the pointer did not move");
    assert!(!any_key_down(&conn), "no key is down");
    viewer.key(0x61, false);

    vncext::set_input_allowed(&d.access, true).expect("input on");
    assert!(vncext::input_allowed(&d.access).expect("reads"));
    viewer.pointer(300, 200);
    wait_until(Duration::from_secs(10), "the viewer moves the pointer again", || {
        pointer_at(&conn) == (300, 200)
    });
    viewer.key(0x61, true);
    wait_until(Duration::from_secs(10), "the viewer's key is down", || {
        any_key_down(&conn)
    });
    viewer.key(0x61, false);
    wait_until(Duration::from_secs(10), "the viewer's key is up", || {
        !any_key_down(&conn)
    });
}

#[test]
fn without_allow_override_the_keyboard_cannot_be_turned_off_and_the_error_says_why() {
    let d = Display::start(false);
    let e = vncext::set_input_allowed(&d.access, false).expect_err("Xvnc refuses");
    let text = e.to_string();
    assert!(
        text.contains("AcceptKeyEvents") && text.contains("AllowOverride"),
        "{text}"
    );
}

#[test]
fn disconnect_viewers_closes_every_viewer_and_the_desktop_goes_on() {
    let d = Display::start(true);
    let mut first = Viewer::connect(&d.vnc_socket());
    let mut second = Viewer::connect(&d.vnc_socket());
    assert!(
        !first.closed_within(Duration::from_millis(300)),
        "viewers stay connected"
    );
    let start = Instant::now();
    vncext::disconnect_viewers(&d.access).expect("disconnects");
    assert!(first.closed_within(Duration::from_secs(3)), "first viewer dropped");
    assert!(second.closed_within(Duration::from_secs(3)), "second viewer dropped");
    eprintln!("viewers disconnected in {:?}", start.elapsed());
    // The display is still there, and takes viewers again.
    let mut again = Viewer::connect(&d.vnc_socket());
    assert!(!again.closed_within(Duration::from_millis(300)));
    assert!(vncext::input_allowed(&d.access).is_ok());
}

#[test]
fn block_notice_covers_the_screen_and_windows_mapped_later() {
    let mut d = Display::start(true);
    let conn = d.conn();
    conn.change_window_attributes(
        root(&conn),
        &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
    )
    .expect("select");
    conn.flush().expect("flush");

    let block = BlockNotice::show(&d.access, Lang::En, "").expect("block shown");
    let window = find(&conn, "Podium block").expect("block window");
    assert_covers_the_screen(&conn, window);
    assert_covers_a_client_mapped_later(&mut d, &conn, window);
    assert_covers_override_redirect_windows(&conn, window);

    // A teacher's words: drawn, still full screen.
    let before = screen_pixels(&conn);
    block.update("Eyes on the board, please. We start again in five minutes.");
    wait_until(Duration::from_secs(10), "the new words are drawn", || {
        screen_pixels(&conn) != before
    });
    assert!(block.is_shown());
    assert_eq!(pixel(&screen_pixels(&conn), 0, 0), BACKDROP);
    d.run("import", &["-window", "root", "/tmp/podium-block-notice.png"]);
    block.close();
    assert!(find(&conn, "Podium block").is_none(), "closing takes the window away");
}

/// The block window is full screen, out of any window manager's reach, and
/// its backdrop covers the screen.
fn assert_covers_the_screen(conn: &RustConnection, window: u32) {
    let g = conn.get_geometry(window).expect("q").reply().expect("geometry");
    assert_eq!((g.x, g.y, g.width, g.height), (0, 0, WIDTH, HEIGHT));
    let attrs = conn
        .get_window_attributes(window)
        .expect("q")
        .reply()
        .expect("attributes");
    assert!(attrs.override_redirect, "no window manager can move or close it");
    let pixels = screen_pixels(conn);
    let backdrop = pixels.iter().filter(|p| **p == BACKDROP).count();
    assert!(
        backdrop * 10 > pixels.len() * 6,
        "the backdrop covers most of the screen"
    );
    for (x, y) in [
        (0, 0),
        (WIDTH - 1, 0),
        (0, HEIGHT - 1),
        (WIDTH - 1, HEIGHT - 1),
        (100, 400),
        (1200, 400),
    ] {
        assert_eq!(pixel(&pixels, x, y), BACKDROP, "({x}, {y})");
    }
}

/// An application window mapped after the block is under it again at once.
fn assert_covers_a_client_mapped_later(d: &mut Display, conn: &RustConnection, window: u32) {
    while conn.poll_for_event().expect("events").is_some() {}
    d.client("xclock", &["-geometry", "300x300+40+40", "-update", "1"]);
    let mapped = loop {
        match conn.wait_for_event().expect("event") {
            Event::MapNotify(m) if m.window != window => break Instant::now(),
            _ => {}
        }
    };
    wait_until(Duration::from_secs(10), "the block is back on top of xclock", || {
        top(conn) == Some(window)
    });
    eprintln!("block back on top {:?} after xclock mapped", mapped.elapsed());
    wait_until(Duration::from_secs(10), "xclock is covered", || {
        pixel(&screen_pixels(conn), 190, 190) == BACKDROP
    });
}

/// An override-redirect window (a menu, a tooltip, a window that wants the
/// whole screen), and one that raises itself again and again: both covered.
fn assert_covers_override_redirect_windows(conn: &RustConnection, window: u32) {
    let other = conn.generate_id().expect("id");
    let screen = &conn.setup().roots[0];
    conn.create_window(
        screen.root_depth,
        other,
        screen.root,
        0,
        0,
        WIDTH,
        HEIGHT,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new().override_redirect(1).background_pixel(0xff0000),
    )
    .expect("create");
    let start = Instant::now();
    conn.map_window(other).expect("map");
    conn.flush().expect("flush");
    wait_until(
        Duration::from_secs(1),
        "the block is back on top of an override-redirect window",
        || top(conn) == Some(window),
    );
    eprintln!(
        "block back on top {:?} after an override-redirect window mapped",
        start.elapsed()
    );
    // A window that raises itself, again and again: the block answers the
    // stacking change itself, well before its half-second timer would.
    let mut slowest = Duration::ZERO;
    for i in 0..5 {
        std::thread::sleep(Duration::from_millis(90 + 70 * i));
        let start = Instant::now();
        conn.configure_window(other, &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE))
            .expect("raise");
        conn.flush().expect("flush");
        while top(conn) != Some(window) {
            assert!(start.elapsed() < Duration::from_secs(5), "the block stays covered");
        }
        slowest = slowest.max(start.elapsed());
    }
    // Answered by the stacking event, not the half-second timer (a figure,
    // not an assertion: a loaded machine may take longer either way).
    eprintln!("block back on top at most {slowest:?} after a window raised itself");
    wait_until(Duration::from_secs(10), "the red window is covered", || {
        pixel(&screen_pixels(conn), 640, 20) == BACKDROP
    });
}

/// One pixel of the screen, `0xRRGGBB`, wherever the screen's size.
fn pixel_at(conn: &RustConnection, x: i16, y: i16) -> u32 {
    let img = conn
        .get_image(ImageFormat::Z_PIXMAP, root(conn), x, y, 1, 1, !0)
        .expect("get image")
        .reply()
        .expect("image");
    let b = [img.data[0], img.data[1], img.data[2], img.data[3]];
    let lsb = conn.setup().image_byte_order == ImageOrder::LSB_FIRST;
    (if lsb {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    }) & 0xff_ffff
}

#[test]
fn a_huge_screen_costs_the_block_notice_no_screen_sized_memory() {
    // Any program of the user's may make the screen huge (RandR allows up
    // to 32768 a side; 16384² is 1 GiB at 4 bytes a pixel). The notice,
    // drawn by root, keeps drawing only its card.
    let d = Display::start(true);
    let conn = d.conn();
    let f = fonts().expect("fonts");
    let long = "Eyes on the board, please. ".repeat(12);
    let block = BlockNotice::show(&d.access, Lang::En, &long).expect("block shown");
    let window = find(&conn, "Podium block").expect("block window");
    let before = podium_testkit::procfs::resident_kib();
    let (w, h) = (8192u16, 8192u16);
    d.run("xrandr", &["--fb", &format!("{w}x{h}")]);
    wait_until(Duration::from_secs(10), "the block covers the larger screen", || {
        let g = conn.get_geometry(window).expect("q").reply().expect("geometry");
        (g.width, g.height) == (w, h)
    });
    let card = podium_x11::block::layout(f, (w, h), Lang::En, &long).card;
    let inside = (card.x + 10, card.y + 10);
    wait_until(Duration::from_secs(10), "the card is drawn in the middle", || {
        pixel_at(&conn, inside.0, inside.1) != BACKDROP
    });
    for (x, y) in [(0, 0), (8191, 0), (0, 8191), (8191, 8191), (card.x - 40, 4096)] {
        assert_eq!(pixel_at(&conn, x, y), BACKDROP, "({x}, {y})");
    }
    let grown = podium_testkit::procfs::resident_kib().saturating_sub(before);
    eprintln!("resident memory grew by {grown} KiB when the screen became {w}×{h}");
    // A screen-sized picture alone would be 256 MiB.
    assert!(grown < 32 * 1024, "grew by {grown} KiB");

    // Shorter words, a smaller card: nothing of the old card is left.
    let last_line = (card.x + 10, card.y + i16::try_from(card.height).expect("height") - 10);
    assert_ne!(
        pixel_at(&conn, last_line.0, last_line.1),
        BACKDROP,
        "the long card reaches down"
    );
    block.update("");
    let small = podium_x11::block::layout(f, (w, h), Lang::En, "").card;
    assert!(small.y > card.y, "the one-line card is shorter");
    // One picture over both places: the new card, backdrop around it.
    wait_until(
        Duration::from_secs(10),
        "the old card is wiped and the new one drawn",
        || {
            pixel_at(&conn, card.x + 10, card.y + 10) == BACKDROP
                && pixel_at(&conn, small.x + 10, small.y + 10) != BACKDROP
        },
    );
    block.close();
}

#[test]
fn block_notice_turns_input_off_again_if_a_program_turns_it_on() {
    let d = Display::start(true);
    vncext::set_input_allowed(&d.access, false).expect("input off");
    let block = BlockNotice::show(&d.access, Lang::Fr, "").expect("block shown");
    // What any program of the user's could do: vncconfig -set AcceptKeyEvents=1.
    vncext::set_input_allowed(&d.access, true).expect("input on");
    wait_until(Duration::from_secs(3), "input is off again", || {
        !vncext::input_allowed(&d.access).expect("reads")
    });
    block.close();
    vncext::set_input_allowed(&d.access, true).expect("input on");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        vncext::input_allowed(&d.access).expect("reads"),
        "a closed notice holds nothing"
    );
}

fn messages() -> Vec<QueuedMessage> {
    vec![
        QueuedMessage {
            id: 11,
            from: "Marie Curie".into(),
            text: "Please save your work in the Documents folder and open the worksheet on page 42. \
                   We will go through the first exercise together in five minutes."
                .into(),
            sent_at: sent_minutes_ago(2),
        },
        QueuedMessage {
            id: 12,
            from: "Marie Curie".into(),
            text: "Remember to hand in your report before Friday.".into(),
            sent_at: sent_minutes_ago(1),
        },
        QueuedMessage {
            id: 13,
            from: "Pierre Curie".into(),
            text: "The lab is open after lunch.".into(),
            sent_at: SystemTime::now(),
        },
    ]
}

/// Where the OK button of the message box is on the screen.
fn ok_button(conn: &RustConnection, window: Window, first: &QueuedMessage, count: usize) -> (i32, i32) {
    let g = conn.get_geometry(window).expect("q").reply().expect("geometry");
    let f = fonts().expect("fonts");
    let l = message::layout(f, (WIDTH, HEIGHT), Lang::En, first, count, SystemTime::now());
    assert_eq!((g.width, g.height), (l.card.width, l.card.height));
    let b = l.button;
    (
        i32::from(g.x) + i32::from(b.x) + i32::from(b.width) / 2,
        i32::from(g.y) + i32::from(b.y) + i32::from(b.height) / 2,
    )
}

fn next_dismissal(rx: &mut tokio::sync::mpsc::UnboundedReceiver<u64>, limit: Duration) -> Option<u64> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(id) = rx.try_recv() {
            return Some(id);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn message_box_shows_the_first_message_and_ok_dismisses_it() {
    let mut d = Display::start(true);
    let conn = d.conn();
    d.run("xsetroot", &["-solid", "#1f4e79"]);
    d.client("xclock", &["-geometry", "220x220+60+120"]);
    d.client("xterm", &["-geometry", "100x32+420+80", "-e", "sh"]);
    wait_until(Duration::from_secs(5), "xclock and xterm are up", || {
        stack(&conn).len() >= 2
    });

    let queue = messages();
    let shown = MessageBox::show(&d.access, Lang::En, queue.clone()).expect("message box");
    let mut rx = shown.dismissed();
    let mut second = shown.dismissed();
    assert!(
        second.try_recv().is_err() && second.is_closed(),
        "there is one receiver"
    );
    let window = find(&conn, "Podium message").expect("message window");
    wait_until(Duration::from_secs(10), "the box is shown on top", || {
        viewable(&conn, window) && top(&conn) == Some(window)
    });
    std::thread::sleep(Duration::from_millis(400));
    d.run("import", &["-window", "root", "/tmp/podium-message-box.png"]);

    // A click beside the button does nothing.
    let (x, y) = ok_button(&conn, window, &queue[0], 3);
    d.run(
        "xdotool",
        &[
            "mousemove",
            "--sync",
            &(x - 200).to_string(),
            &y.to_string(),
            "click",
            "1",
        ],
    );
    assert_eq!(next_dismissal(&mut rx, Duration::from_millis(400)), None);
    // A click on OK dismisses the first message, once.
    d.run(
        "xdotool",
        &["mousemove", "--sync", &x.to_string(), &y.to_string(), "click", "1"],
    );
    assert_eq!(next_dismissal(&mut rx, Duration::from_secs(10)), Some(11));
    d.run("xdotool", &["click", "1"]);
    assert_eq!(
        next_dismissal(&mut rx, Duration::from_millis(400)),
        None,
        "no second dismissal of 11"
    );

    // The caller takes it off the queue: the next one shows, and Return
    // with the pointer over the box dismisses it.
    shown.update(queue[1..].to_vec());
    wait_until(Duration::from_secs(10), "the box shrinks to the next message", || {
        let g = conn.get_geometry(window).expect("q").reply().expect("geometry");
        let f = fonts().expect("fonts");
        g.height
            == message::layout(f, (WIDTH, HEIGHT), Lang::En, &queue[1], 2, SystemTime::now())
                .card
                .height
    });
    let (x, y) = ok_button(&conn, window, &queue[1], 2);
    d.run(
        "xdotool",
        &["mousemove", "--sync", &(x - 150).to_string(), &y.to_string()],
    );
    std::thread::sleep(Duration::from_millis(400));
    d.run("xdotool", &["key", "Return"]);
    assert_eq!(next_dismissal(&mut rx, Duration::from_secs(10)), Some(12));

    // Space too; then an empty queue hides the box.
    shown.update(queue[2..].to_vec());
    std::thread::sleep(Duration::from_millis(500));
    d.run("xdotool", &["key", "space"]);
    assert_eq!(next_dismissal(&mut rx, Duration::from_secs(10)), Some(13));
    shown.update(Vec::new());
    wait_until(Duration::from_secs(10), "the box is hidden", || {
        !viewable(&conn, window)
    });
    shown.close();
    assert!(find(&conn, "Podium message").is_none());
    assert_eq!(next_dismissal(&mut rx, Duration::from_millis(100)), None);
    assert!(rx.is_closed(), "the channel ends with the box");
}

#[test]
fn message_under_block_under_logoff_warning() {
    let d = Display::start(true);
    let conn = d.conn();
    let warning = Notice::show(
        &d.access,
        Content::LogoffWarning {
            deadline: SystemTime::now() + Duration::from_secs(60),
            requested_by: "Marie Curie".into(),
        },
        Lang::En,
    )
    .expect("warning");
    let block = BlockNotice::show(&d.access, Lang::En, "").expect("block");
    let shown = MessageBox::show(&d.access, Lang::En, messages()).expect("messages");
    let order = |conn: &RustConnection| -> Vec<String> {
        stack(conn)
            .into_iter()
            .filter_map(|(_, n)| n.filter(|n| n.starts_with("Podium")))
            .collect()
    };
    wait_until(Duration::from_secs(3), "the overlays are in their layers", || {
        order(&conn) == ["Podium message", "Podium block", "Podium notice"]
    });
    // And they stay so: no overlay fights another.
    let mut restacks = 0;
    let window = find(&conn, "Podium block").expect("block");
    conn.change_window_attributes(
        root(&conn),
        &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
    )
    .expect("select");
    conn.flush().expect("flush");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        while let Some(e) = conn.poll_for_event().expect("events") {
            if matches!(e, Event::ConfigureNotify(c) if c.window == window) {
                restacks += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(restacks <= 1, "the block restacked {restacks} times in 2 s");
    assert_eq!(order(&conn), ["Podium message", "Podium block", "Podium notice"]);
    shown.close();
    block.close();
    warning.close();
    assert!(order(&conn).is_empty());
}
