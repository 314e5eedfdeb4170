//! Live thumbnails of real desktops: the right picture, new ETags and
//! events within 1.5 s of a change, no capture while nothing changes or
//! nobody watches, 304s, and the session list's visibility rules.

use podium_core::Role;
use podium_testkit::web::{Events, Message, Web};
use podium_testkit::{Kit, TestUser, procfs, wait_until};
use std::time::{Duration, Instant};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");

/// Average colour of a JPEG.
fn average(jpeg: &[u8]) -> (u8, u8, u8) {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let px = d.decode().expect("a JPEG");
    let n = px.len() / 3;
    let sum = px.chunks(3).fold((0usize, 0usize, 0usize), |a, p| {
        (
            a.0 + usize::from(p[0]),
            a.1 + usize::from(p[1]),
            a.2 + usize::from(p[2]),
        )
    });
    let avg = |v: usize| u8::try_from(v / n.max(1)).unwrap_or(255);
    (avg(sum.0), avg(sum.1), avg(sum.2))
}

fn close(a: (u8, u8, u8), b: (u8, u8, u8)) -> bool {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).abs();
    d(a.0, b.0) <= 8 && d(a.1, b.1) <= 8 && d(a.2, b.2) <= 8
}

/// Paints the whole display of session `display` (as root, with the user's cookie).
fn paint(kit: &Kit, user: &TestUser, display: &str, color: &str) -> std::process::Child {
    std::process::Command::new(kit.test_client())
        .args(["paint", color])
        .env("DISPLAY", display)
        .env("XAUTHORITY", format!("/run/user/{}/podium-Xauthority", user.uid))
        .stdin(std::process::Stdio::null())
        .spawn()
        .expect("paint client")
}

fn start_painted(kit: &Kit, user: &TestUser, color: &str) -> (u32, String) {
    let id = kit.start_session(user, Some(&format!("{} paint {color}", kit.test_client().display())));
    let display = kit
        .sessions()
        .sessions
        .iter()
        .find(|s| s.id == id)
        .expect("listed")
        .display
        .clone();
    wait_until(Duration::from_secs(5), "the painter runs", || {
        !procfs::of_user(user.uid).is_empty()
    });
    (id, display)
}

#[test]
fn thumbnails_show_the_desktop_and_follow_its_changes_within_a_second_and_a_half() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create(Role::Dashboard);
    let pupil = TestUser::create(Role::Standard);
    let (id, display) = start_painted(&kit, &pupil, "3366cc");
    let web = Web::login(&kit, &teacher);
    let mut events = Events::connect(&kit, web.cookie_header().as_deref(), Some(web.origin())).expect("events");
    assert_eq!(
        events.next(Duration::from_secs(5)).expect("snapshot")["type"],
        "snapshot"
    );
    let path = format!("/api/v1/sessions/{id}/thumbnail?size=medium");

    let mut first = (0, reqwest::header::HeaderMap::new(), Vec::new());
    wait_until(Duration::from_secs(5), "the blue desktop is pictured", || {
        first = web.get_bytes(&path, &[]);
        first.0 == 200 && close(average(&first.2), (0x33, 0x66, 0xcc))
    });
    let (_, headers, jpeg) = &first;
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["cache-control"], "no-cache");
    let etag = headers["etag"].to_str().expect("etag").to_owned();
    let mut d = jpeg_decoder::Decoder::new(jpeg.as_slice());
    d.decode().expect("decodes");
    let info = d.info().expect("info");
    assert_eq!((info.width, info.height), (320, 200));
    assert_eq!(web.get_bytes(&path, &[("if-none-match", &etag)]).0, 304);

    let started = Instant::now();
    let mut painter = paint(&kit, &pupil, &display, "cc3333");
    let event = loop {
        let e = events
            .wait_for("thumbnail_updated", Duration::from_millis(1500))
            .expect("thumbnail_updated within 1.5 s");
        if e["id"] == id && e["etags"]["medium"].as_str().is_some_and(|t| t != etag) {
            break e;
        }
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "no new picture within 1.5 s"
        );
    };
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1500), "new picture after {took:?}");
    let new_etag = event["etags"]["medium"].as_str().expect("medium etag").to_owned();
    let (status, headers, jpeg) = web.get_bytes(&path, &[("if-none-match", &etag)]);
    assert_eq!(status, 200, "the old ETag no longer matches");
    assert_eq!(headers["etag"].to_str().expect("etag"), new_etag);
    assert!(
        close(average(&jpeg), (0xcc, 0x33, 0x33)),
        "red now: {:?}",
        average(&jpeg)
    );
    let _ = painter.kill();
    let _ = painter.wait();
}

#[test]
fn the_events_stream_pushes_the_pictures_of_the_size_asked_for() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create(Role::Dashboard);
    let pupil = TestUser::create(Role::Standard);
    let (id, display) = start_painted(&kit, &pupil, "3366cc");
    let web = Web::login(&kit, &teacher);
    assert_eq!(
        Events::open(
            &kit,
            "/api/v1/events?thumbnails=huge",
            web.cookie_header().as_deref(),
            Some(web.origin())
        )
        .expect_err("a size that is not one"),
        400
    );
    let mut events = Events::pictures(&kit, &web, "small").expect("events with pictures");
    let picture = |events: &mut Events, colour: (u8, u8, u8)| {
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Some(Message::Picture {
                id: got, etag, jpeg, ..
            }) = events.next_message(Duration::from_millis(500))
                && got == id
                && close(average(&jpeg), colour)
            {
                return (etag, jpeg);
            }
        }
        panic!("no picture of {colour:?} pushed within 5 s");
    };
    let (etag, jpeg) = picture(&mut events, (0x33, 0x66, 0xcc));
    let mut d = jpeg_decoder::Decoder::new(jpeg.as_slice());
    d.decode().expect("decodes");
    let info = d.info().expect("info");
    assert_eq!((info.width, info.height), (160, 100), "the size asked for");
    let path = format!("/api/v1/sessions/{id}/thumbnail?size=small");
    assert_eq!(
        web.get_bytes(&path, &[("if-none-match", &etag)]).0,
        304,
        "the same picture"
    );

    let mut painter = paint(&kit, &pupil, &display, "cc3333");
    let (red, _) = picture(&mut events, (0xcc, 0x33, 0x33));
    assert_ne!(red, etag);
    let _ = painter.kill();
    let _ = painter.wait();

    // The pupil's own stream carries their pictures, and nobody else's.
    let other = TestUser::create(Role::Standard);
    let _ = start_painted(&kit, &other, "22aa22");
    let mut own = Events::pictures(&kit, &Web::login(&kit, &other), "small").expect("the pupil's events");
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if let Some(Message::Picture { id: got, .. }) = own.next_message(Duration::from_millis(300)) {
            assert_ne!(got, id, "another user's desktop pushed to a standard user");
        }
    }
}

#[test]
fn an_unchanged_or_unwatched_desktop_costs_no_capture() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create(Role::Dashboard);
    let pupil = TestUser::create(Role::Standard);
    let (id, display) = start_painted(&kit, &pupil, "22aa44");
    let web = Web::login(&kit, &teacher);
    let series = "podium_thumbnail_captures_total";

    // Nobody watches: a change is not captured…
    std::thread::sleep(Duration::from_millis(1500));
    let before = web.metric(series);
    let mut painter = paint(&kit, &pupil, &display, "884422");
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        (web.metric(series) - before).abs() < f64::EPSILON,
        "captured although nobody watched"
    );
    // …until somebody asks: exactly one fresh frame, on demand.
    let (status, _, jpeg) = web.get_bytes(&format!("/api/v1/sessions/{id}/thumbnail"), &[]);
    assert_eq!(status, 200);
    assert!(close(average(&jpeg), (0x88, 0x44, 0x22)), "{:?}", average(&jpeg));
    assert!(
        (web.metric(series) - before - 1.0).abs() < f64::EPSILON,
        "one capture on demand"
    );

    // Watched but unchanged for 5 s: no capture at all.
    let _events = Events::connect(&kit, web.cookie_header().as_deref(), Some(web.origin())).expect("events");
    std::thread::sleep(Duration::from_millis(1500));
    let settled = web.metric(series);
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        (web.metric(series) - settled).abs() < f64::EPSILON,
        "an unchanged desktop was captured"
    );
    let _ = painter.kill();
    let _ = painter.wait();
}

#[test]
fn thumbnails_are_visible_to_whoever_may_see_the_session() {
    let kit = Kit::start(PODIUM);
    let alice = TestUser::create(Role::Standard);
    let bob = TestUser::create(Role::Standard);
    let (a, _) = start_painted(&kit, &alice, "101010");
    let (b, _) = start_painted(&kit, &bob, "202020");
    let web = Web::login(&kit, &alice);
    assert_eq!(
        web.get_bytes(&format!("/api/v1/sessions/{a}/thumbnail"), &[]).0,
        200,
        "her own"
    );
    let (status, _, body) = web.get_bytes(&format!("/api/v1/sessions/{b}/thumbnail"), &[]);
    assert_eq!(status, 404, "not someone else's: {}", String::from_utf8_lossy(&body));
    assert_eq!(
        web.get_bytes(&format!("/api/v1/sessions/{a}/thumbnail?size=huge"), &[])
            .0,
        400
    );
    assert_eq!(web.get_bytes("/api/v1/sessions/abc/thumbnail", &[]).0, 400);
    assert_eq!(
        Web::new(&kit)
            .get_bytes(&format!("/api/v1/sessions/{a}/thumbnail"), &[])
            .0,
        401
    );
    for (size, w) in [("small", 160), ("medium", 320), ("large", 480)] {
        let (status, _, jpeg) = web.get_bytes(&format!("/api/v1/sessions/{a}/thumbnail?size={size}"), &[]);
        assert_eq!(status, 200);
        let mut d = jpeg_decoder::Decoder::new(jpeg.as_slice());
        d.decode().expect("decodes");
        assert_eq!(d.info().map(|i| (i.width, i.height)), Some((w, w * 5 / 8)), "{size}");
    }
}

/// The display's window tree (xwininfo), for failure messages.
fn window_tree(user: &TestUser, display: &str) -> String {
    std::process::Command::new("xwininfo")
        .args(["-root", "-tree", "-display", display])
        .env("XAUTHORITY", format!("/run/user/{}/podium-Xauthority", user.uid))
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr))
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn a_blocked_desktop_is_pictured_with_its_notice() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create(Role::Dashboard);
    let pupil = TestUser::create(Role::Standard);
    let (id, display) = start_painted(&kit, &pupil, "eeeeee");
    let web = Web::login(&kit, &teacher);
    let _events = Events::connect(&kit, web.cookie_header().as_deref(), Some(web.origin())).expect("events");
    let path = format!("/api/v1/sessions/{id}/thumbnail?size=medium");
    wait_until(Duration::from_secs(5), "the light desktop is pictured", || {
        let (status, _, jpeg) = web.get_bytes(&path, &[]);
        status == 200 && close(average(&jpeg), (0xee, 0xee, 0xee))
    });

    let out = kit.cli().args(["session", "block", &id.to_string()]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // The notice is dark all over: what the pupil sees is what the teacher sees.
    let mut last = (0, 0, 0);
    wait_until(Duration::from_secs(10), "the thumbnail shows the dark notice", || {
        let (status, _, jpeg) = web.get_bytes(&path, &[]);
        last = average(&jpeg);
        status == 200 && last.0 < 0x50 && last.1 < 0x50 && last.2 < 0x60
    });

    let out = kit.cli().args(["session", "unblock", &id.to_string()]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let shown = Instant::now();
    while !{
        let (status, _, jpeg) = web.get_bytes(&path, &[]);
        last = average(&jpeg);
        status == 200 && close(last, (0xee, 0xee, 0xee))
    } {
        assert!(
            shown.elapsed() < Duration::from_secs(10),
            "the desktop is not pictured again after the unblock: average {last:?}; windows:\n{}",
            window_tree(&pupil, &display)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
