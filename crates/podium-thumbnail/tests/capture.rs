//! Capturing a real TigerVNC display, with MIT-SHM and without: the
//! pixels are right, and a screen made huge by a program of the user's is
//! never copied into the daemon's memory through the socket.

use podium_testkit::xvnc::{Display, HEIGHT, WIDTH};
use podium_thumbnail::capture::{Capturer, MAX_SOCKET_CAPTURE};
use podium_thumbnail::{Service, Size, ThumbError};
use std::time::Duration;
use x11rb::connection::Connection;

/// `xsetroot`'s colour, as the capture's B, G, R bytes.
const COLOUR: &str = "#3366cc";
const BGR: [u8; 3] = [0xcc, 0x66, 0x33];

fn painted(shm: bool) -> Display {
    let d = if shm {
        Display::start(true)
    } else {
        Display::start_with(true, &["-extension", "MIT-SHM"])
    };
    d.run("xsetroot", &["-solid", COLOUR]);
    d
}

/// 8192×4096 is 128 MiB at 4 bytes a pixel: more than a socket capture may copy.
const HUGE: (u16, u16) = (8192, 4096);

fn resize(d: &Display, (w, h): (u16, u16)) {
    d.run("xrandr", &["--fb", &format!("{w}x{h}")]);
}

#[test]
fn without_mit_shm_a_huge_screen_is_refused_not_copied() {
    assert!(usize::from(HUGE.0) * usize::from(HUGE.1) * 4 > MAX_SOCKET_CAPTURE);
    let d = painted(false);
    let conn = d.conn();
    let root = conn.setup().roots[0].root;
    let mut capturer = Capturer::new(&conn, root).expect("a 24-bit screen");
    assert!(!capturer.uses_shm(), "the server was started without MIT-SHM");
    {
        let p = capturer.grab(&conn).expect("captured through the socket");
        assert_eq!((p.width, p.height), (u32::from(WIDTH), u32::from(HEIGHT)));
        assert_eq!(p.data[..3], BGR, "the root window's colour");
    }

    resize(&d, HUGE);
    let before = podium_testkit::procfs::resident_kib();
    let e = capturer.grab(&conn).expect_err("too large for the socket");
    assert!(
        matches!(
            e,
            ThumbError::TooLarge {
                width: 8192,
                height: 4096
            }
        ),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(text.contains("8192×4096") && text.contains("MIT-SHM"), "{text}");
    let grown = podium_testkit::procfs::resident_kib().saturating_sub(before);
    assert!(grown < 16 * 1024, "grew by {grown} KiB");

    // Back to a normal size: captured again.
    resize(&d, (WIDTH, HEIGHT));
    let p = capturer.grab(&conn).expect("captured again");
    assert_eq!((p.width, p.height), (u32::from(WIDTH), u32::from(HEIGHT)));
}

#[test]
fn with_mit_shm_a_huge_screen_is_captured_in_the_servers_memory() {
    let d = painted(true);
    let conn = d.conn();
    let root = conn.setup().roots[0].root;
    let mut capturer = Capturer::new(&conn, root).expect("a 24-bit screen");
    assert!(capturer.uses_shm(), "Xvnc offers MIT-SHM");
    resize(&d, HUGE);
    let p = capturer.grab(&conn).expect("captured through shared memory");
    assert_eq!((p.width, p.height), (u32::from(HUGE.0), u32::from(HUGE.1)));
    assert!(matches!(p.data, std::borrow::Cow::Borrowed(_)), "no copy was made");
    assert_eq!(p.data[..3], BGR);
}

#[test]
fn thumbnails_go_on_after_the_screen_was_too_large_for_a_while() {
    let d = painted(false);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let service = Service::new(Duration::from_millis(200));
    service.start(1, 0, d.access.clone());
    let _watching = service.watch(0, true);
    let get = || rt.block_on(service.get(1, Size::Small));
    let first = get().expect("a thumbnail");

    resize(&d, HUGE);
    let mut refused = None;
    for _ in 0..50 {
        match get() {
            Err(e @ ThumbError::NotNow(_)) => {
                refused = Some(e);
                break;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("an error that stops thumbnails: {e}"),
        }
    }
    let refused = refused.expect("the huge screen is refused within 5 s");
    assert!(refused.to_string().contains("too large"), "{refused}");

    resize(&d, (WIDTH, HEIGHT));
    d.run("xsetroot", &["-solid", "#228b22"]);
    let mut again = None;
    for _ in 0..50 {
        match get() {
            Ok(t) if t.etag != first.etag => {
                again = Some(t);
                break;
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    assert!(
        again.is_some(),
        "a new thumbnail within 5 s once the screen is small again"
    );
    service.stop(1);
}

/// A coloured window of `w`×`h` at (`x`, `y`), mapped over everything.
fn paint_window(conn: &x11rb::rust_connection::RustConnection, (x, y, w, h): (i16, i16, u16, u16), colour: u32) {
    use x11rb::protocol::xproto::{ConnectionExt as _, CreateWindowAux, WindowClass};
    let screen = &conn.setup().roots[0];
    let win = conn.generate_id().expect("id");
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
        &CreateWindowAux::new().background_pixel(colour).override_redirect(1),
    )
    .expect("create");
    conn.map_window(win).expect("map");
    conn.flush().expect("flush");
}

#[test]
fn a_small_change_is_copied_scaled_and_encoded_alone_and_pictured_as_a_whole_capture_would() {
    let d = painted(true);
    let conn = d.conn();
    // Detail around the place that will change, so a seam would show.
    for (i, colour) in [0x00aa_3311u32, 0x0011_aa33, 0x0033_11aa, 0x00ee_ee00]
        .into_iter()
        .enumerate()
    {
        let i = i16::try_from(i).expect("small");
        paint_window(&conn, (560 + i * 23, 300 + i * 17, 61, 43), colour);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let service = Service::new(Duration::from_millis(100));
    service.start(1, 0, d.access.clone());
    let _watching = service.watch(0, true);
    rt.block_on(service.get(1, Size::Large)).expect("a thumbnail");
    // The display reports its whole screen changed once at first: let
    // that capture pass.
    let mut captures = service.captures();
    loop {
        std::thread::sleep(Duration::from_millis(400));
        if service.captures() == captures {
            break;
        }
        captures = service.captures();
    }
    let first = rt.block_on(service.get(1, Size::Large)).expect("a thumbnail");
    let pixels_before = service.captured_pixels();

    paint_window(&conn, (601, 333, 37, 19), 0x00ff_ffff);
    let mut changed = None;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        let t = rt.block_on(service.get(1, Size::Large)).expect("a thumbnail");
        if t.etag != first.etag {
            changed = Some(t);
            break;
        }
    }
    let changed = changed.expect("the change is pictured within 5 s");
    let copied = service.captured_pixels() - pixels_before;
    let screen = u64::from(WIDTH) * u64::from(HEIGHT);
    assert!(
        copied > 0 && copied < screen / 50,
        "{copied} pixels copied for a 37×19 change on a {screen}-pixel screen"
    );

    // The same screen, captured and scaled whole, makes the same picture.
    let root = conn.setup().roots[0].root;
    let mut capturer = Capturer::new(&conn, root).expect("capturer");
    let whole = capturer.grab(&conn).expect("grab");
    let (w, h) = Size::Large.dimensions(whole.width, whole.height);
    let scaled = podium_thumbnail::scale::Scaler::default()
        .scale(&whole, w, h)
        .expect("scale");
    let jpeg = podium_thumbnail::encode::Encoder::new()
        .expect("encoder")
        .jpeg(&scaled)
        .expect("encode");
    let decode = |j: &[u8]| jpeg_decoder::Decoder::new(j).decode().expect("decodes");
    assert!(
        decode(&changed.jpeg) == decode(&jpeg),
        "the kept picture, remade and re-encoded in part, differs from a whole capture"
    );
    service.stop(1);
}

/// A JPEG's width and height.
fn jpeg_size(jpeg: &[u8]) -> (u16, u16) {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    d.read_info().expect("a JPEG");
    let info = d.info().expect("its header");
    (info.width, info.height)
}

#[test]
fn thumbnails_follow_the_screen_to_its_new_size_and_aspect() {
    let d = painted(true);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let service = Service::new(Duration::from_millis(100));
    service.start(1, 0, d.access.clone());
    let _watching = service.watch(0, true);
    let get = || rt.block_on(service.get(1, Size::Medium)).expect("a thumbnail");
    assert_eq!(jpeg_size(&get().jpeg), (320, 200), "16:10 at first");

    // Wider (a station's window, 16:9), then back: nothing is drawn on the
    // root window meanwhile, the resize alone is seen.
    for (screen, thumb) in [((1600, 900), (320, 180)), ((WIDTH, HEIGHT), (320, 200))] {
        resize(&d, screen);
        let started = std::time::Instant::now();
        let mut seen = None;
        while started.elapsed() < Duration::from_secs(5) {
            let size = jpeg_size(&get().jpeg);
            if size == thumb {
                seen = Some(started.elapsed());
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let took = seen.unwrap_or_else(|| panic!("a {thumb:?} thumbnail of the {screen:?} screen within 5 s"));
        println!("{screen:?}: thumbnail {thumb:?} after {} ms", took.as_millis());
    }
    service.stop(1);
}

#[test]
fn the_shared_segment_grows_and_shrinks_with_the_screen() {
    let d = painted(true);
    let conn = d.conn();
    let root = conn.setup().roots[0].root;
    let mut capturer = Capturer::new(&conn, root).expect("a 24-bit screen");
    let bytes = |(w, h): (u16, u16)| usize::from(w) * usize::from(h) * 4;
    capturer.grab(&conn).expect("captured");
    assert_eq!(capturer.shared_bytes(), bytes((WIDTH, HEIGHT)));

    resize(&d, (1600, 900));
    capturer.screen_resized(&conn, (1600, 900));
    let p = capturer.grab(&conn).expect("captured larger");
    assert_eq!((p.width, p.height), (1600, 900));
    assert_eq!(p.data[..3], BGR);
    assert_eq!(capturer.shared_bytes(), bytes((1600, 900)), "grown");

    resize(&d, (WIDTH, HEIGHT));
    capturer.screen_resized(&conn, (u32::from(WIDTH), u32::from(HEIGHT)));
    assert_eq!(capturer.shared_bytes(), 0, "the larger segment is given back");
    capturer.grab(&conn).expect("captured smaller");
    assert_eq!(capturer.shared_bytes(), bytes((WIDTH, HEIGHT)), "shrunk");
}
