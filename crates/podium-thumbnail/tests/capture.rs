//! Capturing a real TigerVNC display, with MIT-SHM and without: the
//! pixels are right, and a screen made huge by a program of the user's is
//! never copied into the daemon's memory through the socket.

use podium_testkit::xvnc::{Display, HEIGHT, WIDTH};
use podium_thumbnail::capture::{CaptureError, Capturer, MAX_SOCKET_CAPTURE};
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
            CaptureError::TooLarge {
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
