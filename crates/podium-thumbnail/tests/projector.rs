//! The projector on a real TigerVNC display: whole JPEGs of the screen, a
//! new one when the screen changes and none while it does not, the latest
//! one at once for a viewer who joins late, and no capture once nobody
//! watches.

use podium_testkit::xvnc::{Display, HEIGHT, WIDTH};
use podium_thumbnail::projector::{Frames, MAX_FPS, Projector};
use std::time::{Duration, Instant};

/// The frame after the one `rx` has seen, within `timeout`.
fn next(rx: &mut Frames, timeout: Duration) -> Option<podium_thumbnail::projector::Frame> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    rt.block_on(async {
        tokio::time::timeout(timeout, rx.changed()).await.ok()?.ok()?;
        rx.borrow_and_update().clone()
    })
}

/// The RGB colour at the centre of a frame.
fn centre(jpeg: &[u8]) -> [u8; 3] {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let rgb = d.decode().expect("a JPEG");
    let info = d.info().expect("info");
    let at = (usize::from(info.height) / 2 * usize::from(info.width) + usize::from(info.width) / 2) * 3;
    [rgb[at], rgb[at + 1], rgb[at + 2]]
}

#[test]
fn one_capture_serves_every_viewer_a_whole_frame_per_change_and_stops_when_nobody_watches() {
    let d = Display::start(true);
    d.run("xsetroot", &["-solid", "#2050c0"]);
    let (projector, mut first) = Projector::start(d.access.clone(), "test".into()).expect("projector");
    let frame = next(&mut first, Duration::from_secs(5)).expect("a first frame");
    let mut dec = jpeg_decoder::Decoder::new(&frame.jpeg[..]);
    dec.decode().expect("a whole JPEG");
    let info = dec.info().expect("info");
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    assert!(centre(&frame.jpeg)[2] > 150, "the blue root window");

    // Nothing changes: no frame.
    assert!(
        next(&mut first, Duration::from_millis(800)).is_none(),
        "a still screen makes no frame"
    );

    // A viewer who joins late gets the latest frame at once, the same bytes.
    let late = projector.subscribe().expect("still running");
    assert_eq!(late.borrow().as_ref().map(|f| f.jpeg.clone()), Some(frame.jpeg.clone()));

    // A change makes a new frame for everyone.
    d.run("xsetroot", &["-solid", "#c02020"]);
    let red = next(&mut first, Duration::from_secs(5)).expect("a frame of the change");
    assert!(red.serial > frame.serial);
    assert!(centre(&red.jpeg)[0] > 150, "the red root window");

    // Changes faster than MAX_FPS are not all sent: at most that many a second.
    let made = projector.frames_made();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        d.run(
            "xsetroot",
            &[
                "-solid",
                if start.elapsed().as_millis().is_multiple_of(2) {
                    "#101010"
                } else {
                    "#f0f0f0"
                },
            ],
        );
    }
    let frames = u32::try_from(projector.frames_made() - made).unwrap_or(u32::MAX);
    let rate = f64::from(frames) / start.elapsed().as_secs_f64();
    assert!(rate <= f64::from(MAX_FPS) * 1.2, "{rate:.1} frames a second");

    // Nobody watching: the capture thread ends, and a new viewer needs a new projector.
    drop(first);
    drop(late);
    let until = Instant::now() + Duration::from_secs(3);
    while projector.is_running() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!projector.is_running(), "the projector stopped with its last viewer");
    assert!(projector.subscribe().is_none());
}
