//! The dashboard's View and Take control (issue 19) through the daemon's
//! viewer relay, end to end: real sessions with an xterm, a teacher's
//! viewer typing and clicking through the relay, files the typed commands
//! write, the pointer's place on the real display, the clipboard, the
//! audit log. tests/e2e/view.mjs walks the dashboard in Chromium.

use podium_core::{AuditList, Role};
use podium_rfb::encodings as enc;
use podium_rfb::server::ServerKind;
use podium_testkit::desktop::Desktop;
use podium_testkit::rfb::Viewer;
use podium_testkit::web::{Events, Web};
use podium_testkit::{Kit, TestUser, wait_until};
use serde_json::json;
use std::time::{Duration, Instant};

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const SECOND: Duration = Duration::from_secs(1);

/// Desktops with a dark root window and a large xterm at +20+20.
const DESKTOP: &str = "command = 'sh -c \"xsetroot -solid \\\"#1e3a5f\\\"; exec xterm -geometry 120x40+20+20\"'\n";

/// What noVNC asks for, extended clipboard included (the relay strips it).
const NOVNC_ENCODINGS: [i32; 9] = [
    enc::TIGHT,
    enc::ZRLE,
    enc::COPY_RECT,
    enc::RAW,
    enc::CURSOR,
    enc::DESKTOP_SIZE,
    enc::LAST_RECT,
    enc::EXTENDED_DESKTOP_SIZE,
    enc::EXTENDED_CLIPBOARD,
];

/// Opens (or creates) `web`'s user's session; its id.
fn open_session(web: &Web) -> u32 {
    let r = web.post("/api/v1/station/session", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    u32::try_from(r.json()["session"]["id"].as_u64().expect("id")).expect("u32 id")
}

/// The owner's station, with a viewer on it.
fn station(kit: &Kit, web: &Web) -> Viewer {
    let ws = Events::station(kit, web, "").expect("the station relay opens");
    Viewer::over_relay(ws).expect("RFB handshake")
}

/// A teacher's viewer of session `id`.
fn viewer(kit: &Kit, web: &Web, id: u32, control: bool) -> Viewer {
    let ws = Events::viewer(kit, web, id, control).expect("the viewer relay opens");
    let mut v = Viewer::over_relay(ws).expect("RFB handshake through the viewer relay");
    v.ask_encodings(&NOVNC_ENCODINGS).expect("encodings");
    v
}

fn pointer(desktop: &Desktop) -> String {
    desktop.run("xdotool", &["getmouselocation"])
}

fn audit(kit: &Kit) -> AuditList {
    let out = kit.cli().args(["audit", "--json"]).run();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("audit JSON ({e}): {}", out.stdout))
}

/// The audit records of `kind` on session `id`.
fn records(kit: &Kit, kind: &str, id: u32) -> usize {
    audit(kit)
        .records
        .iter()
        .filter(|r| r.kind.as_str() == kind && r.session == Some(id))
        .count()
}

/// Sets the desktop's clipboard as a program of the session would.
fn set_clipboard(desktop_display: &str, user: &TestUser, text: &str) {
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("printf %s '{text}' | xclip -selection clipboard")])
        .env("DISPLAY", desktop_display)
        .env("XAUTHORITY", format!("/run/user/{}/podium-Xauthority", user.uid))
        .status()
        .expect("xclip");
    assert!(status.success());
}

#[test]
fn a_viewer_only_viewing_sends_keys_and_clicks_that_never_reach_the_desktop_nor_gets_its_clipboard() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let pupil = TestUser::create(Role::Standard);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let own = Web::login(&kit, &pupil);
    let id = open_session(&own);
    let desktop = Desktop::of(&kit, id, &pupil);
    let mut station = station(&kit, &own);
    station.point(300, 200).expect("the pupil's pointer over the xterm");
    station.pump(2 * SECOND).expect("the pupil's pictures");
    let before = pointer(&desktop);

    let dash = Web::login(&kit, &teacher);
    let mut v = viewer(&kit, &dash, id, false);
    let file = pupil.home.join("viewed.txt");
    v.point(700, 500).expect("pointer");
    v.click(700, 500).expect("click");
    v.point(300, 200).expect("pointer");
    v.type_text("echo x > ~/viewed.txt\n").expect("typing");
    let kinds = v.pump(3 * SECOND).expect("the viewer's pictures");
    assert!(
        kinds.contains(&ServerKind::Update),
        "the viewer sees the desktop: {kinds:?}"
    );
    assert!(!file.exists(), "a viewer's keys reached the desktop");
    assert_eq!(pointer(&desktop), before, "a viewer's pointer moved the desktop's");
    assert!(records(&kit, "view", id) >= 1, "the view is audited");

    // The pupil's own keys still arrive.
    station.type_text("echo own > ~/own.txt\n").expect("typing");
    wait_until(5 * SECOND, "the pupil's own keys arrive", || {
        pupil.home.join("own.txt").exists()
    });

    // The desktop's clipboard reaches the owner's station only.
    set_clipboard(&kit.display_of(id), &pupil, "secret answers");
    let at_station = station.pump(3 * SECOND).expect("station");
    let at_viewer = v.pump(SECOND).expect("viewer");
    assert!(
        at_station.contains(&ServerKind::CutText),
        "the owner gets the clipboard: {at_station:?}"
    );
    assert!(!at_viewer.contains(&ServerKind::CutText), "a viewer got the clipboard");
    assert!(
        at_viewer.contains(&ServerKind::Update),
        "the viewer still sees: {at_viewer:?}"
    );

    drop(v);
    wait_until(5 * SECOND, "the view's end is audited", || {
        records(&kit, "view", id) >= 2
    });
}

#[test]
fn control_drives_the_desktop_even_blocked_and_ends_when_the_tab_goes() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let pupil = TestUser::create(Role::Standard);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let own = Web::login(&kit, &pupil);
    let id = open_session(&own);
    let mut station = station(&kit, &own);
    station.pump(SECOND).expect("station");

    let dash = Web::login(&kit, &teacher);
    let mut c = viewer(&kit, &dash, id, true);
    c.point(300, 200).expect("pointer");
    c.click(300, 200).expect("click");
    c.type_text("echo x > ~/controlled.txt\n").expect("typing");
    c.pump(SECOND).expect("pictures");
    wait_until(5 * SECOND, "the controller's keys arrive", || {
        pupil.home.join("controlled.txt").exists()
    });
    assert!(records(&kit, "control", id) >= 1, "control is audited");

    // Blocked: the pupil's input is off, the teacher's still drives.
    let r = dash.post("/api/v1/sessions/block", &json!({"sessions": [id]}));
    assert_eq!(r.status, 200, "{}", r.text);
    c.pump(SECOND).expect("pictures");
    station.type_text("echo y > ~/pupil-blocked.txt\n").expect("typing");
    c.point(300, 200).expect("pointer");
    c.type_text("echo z > ~/teacher-blocked.txt\n").expect("typing");
    c.pump(2 * SECOND).expect("pictures");
    wait_until(5 * SECOND, "the controller's keys arrive on a blocked desktop", || {
        pupil.home.join("teacher-blocked.txt").exists()
    });
    assert!(
        !pupil.home.join("pupil-blocked.txt").exists(),
        "the pupil typed while blocked"
    );

    // A tab that stops answering (no pong) ends control within 5 s of its last word.
    let ends_before = records(&kit, "control", id);
    let quiet = Instant::now();
    wait_until(8 * SECOND, "control ends when the tab goes silent", || {
        records(&kit, "control", id) > ends_before
    });
    assert!(quiet.elapsed() < Duration::from_secs(7), "took {:?}", quiet.elapsed());
    assert!(c.closed_within(SECOND), "the silent tab's relay is closed");

    // A closed tab ends it at once.
    let c2 = viewer(&kit, &dash, id, true);
    wait_until(5 * SECOND, "the second control starts", || {
        records(&kit, "control", id) > ends_before + 1
    });
    let started = records(&kit, "control", id);
    drop(c2);
    wait_until(5 * SECOND, "closing the tab ends control", || {
        records(&kit, "control", id) > started
    });
}

#[test]
fn a_dashboard_user_may_neither_view_nor_control_an_administrators_session() {
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let admin = TestUser::create(Role::Admin);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let pupil = TestUser::create(Role::Standard);
    let id = open_session(&Web::login(&kit, &admin));
    let dash = Web::login(&kit, &teacher);
    for control in [false, true] {
        assert_eq!(Events::viewer(&kit, &dash, id, control).err(), Some(403));
        let r = dash.get(&format!("/api/v1/sessions/{id}/vnc?control={control}"));
        assert_eq!(r.status, 403, "{}", r.text);
        assert!(
            r.json()["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            r.text
        );
    }
    assert!(records(&kit, "refused", id) >= 2, "refusals are audited");
    // A pupil may not view another's session; an unknown one is 404; a
    // plain GET that may view is told it is a WebSocket route.
    let other = Web::login(&kit, &pupil);
    assert!(matches!(Events::viewer(&kit, &other, id, false).err(), Some(403 | 404)));
    assert_eq!(Events::viewer(&kit, &dash, 999_999, false).err(), Some(404));
    let admin2 = TestUser::create(Role::Admin);
    let boss = Web::login(&kit, &admin2);
    assert_eq!(boss.get(&format!("/api/v1/sessions/{id}/vnc")).status, 400);
    assert_eq!(
        boss.get(&format!("/api/v1/sessions/{id}/vnc?control=maybe")).status,
        400
    );
    let evil = Events::open(
        &kit,
        &format!("/api/v1/sessions/{id}/vnc"),
        boss.cookie_header().as_deref(),
        Some("https://evil.example"),
    );
    assert_eq!(evil.err(), Some(403), "another site's page");
}

/// tests/e2e/view.mjs in Debian's Chromium, in English and in French.
#[test]
fn view_and_take_control_work_in_a_real_browser_in_english_and_french() {
    let kit = Kit::start(PODIUM);
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let pupil = TestUser::create_named(Role::Standard, "Alice Martin");
    // A French pupil's desktop speaks French: so does its notice.
    let eleve = TestUser::create_named(Role::Standard, "Chloé Dubois");
    let admin = TestUser::create_named(Role::Admin, "Paul Martin");
    let desktop = kit.script(
        "view-desktop",
        "xsetroot -solid '#1f4e79'\n\
         xclock -geometry 200x200+20+20 -update 1 &\n\
         xterm -geometry 80x20+260+20 &\n\
         wait",
    );
    let desktop = desktop.to_string_lossy().into_owned();
    let _ = kit.start_session(&pupil, Some(&desktop));
    let _ = kit.start_session(&admin, Some(&desktop));
    let out = kit
        .cli()
        .args([
            "session",
            "start",
            &eleve.name,
            "--command",
            &desktop,
            "--locale",
            "fr_FR.UTF-8",
        ])
        .run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let config = json!({
        "teacher": {"user": teacher.name, "password": teacher.password},
        "pupil": {"user": pupil.name, "full_name": pupil.full_name, "uid": pupil.uid, "home": pupil.home},
        "eleve": {"user": eleve.name, "full_name": eleve.full_name, "uid": eleve.uid, "home": eleve.home},
        "admin": {"user": admin.name, "full_name": admin.full_name},
    });
    podium_testkit::browser::walk(&kit, "view.mjs", config);
}

/// `podium session view`: a native viewer's TCP connection reaches the
/// desktop through the daemon; a refusal is told at once, with its reason.
#[test]
fn the_cli_relays_a_native_viewer_and_tells_a_refusal() {
    use std::io::{Read, Write};
    let kit = Kit::start_with(PODIUM, DESKTOP);
    let pupil = TestUser::create(Role::Standard);
    let admin = TestUser::create(Role::Admin);
    let teacher = TestUser::create(Role::Dashboard);
    let id = open_session(&Web::login(&kit, &pupil));
    let admin_id = open_session(&Web::login(&kit, &admin));

    let out = kit
        .cli()
        .as_user(&teacher)
        .args(["session", "view", &admin_id.to_string(), "--listen", "127.0.0.1:0"])
        .run();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("administrator session"), "{}", out.stderr);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = std::process::Command::new(PODIUM)
        .args(["--socket", &kit.socket.to_string_lossy()])
        .args([
            "session",
            "view",
            &id.to_string(),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("podium session view");
    let mut tcp = None;
    wait_until(10 * SECOND, "the CLI listens", || {
        tcp = std::net::TcpStream::connect(("127.0.0.1", port)).ok();
        tcp.is_some()
    });
    let mut tcp = tcp.expect("connected");
    tcp.set_read_timeout(Some(5 * SECOND)).expect("timeout");
    let mut read = |n: usize| {
        let mut b = vec![0u8; n];
        tcp.read_exact(&mut b).expect("RFB bytes");
        b
    };
    assert_eq!(read(12), b"RFB 003.008\n");
    let send = |b: &[u8]| tcp.try_clone().expect("clone").write_all(b).expect("write");
    send(b"RFB 003.008\n");
    send(&[1]);
    send(&[0]);
    let mut read = |n: usize| {
        let mut b = vec![0u8; n];
        tcp.read_exact(&mut b).expect("RFB bytes");
        b
    };
    assert_eq!(read(2), vec![1, 1], "security types");
    assert_eq!(read(4), vec![0, 0, 0, 0], "security result");
    let init = read(24);
    assert_eq!(
        (
            u16::from_be_bytes([init[0], init[1]]),
            u16::from_be_bytes([init[2], init[3]])
        ),
        (1280, 800)
    );
    wait_until(5 * SECOND, "the view is audited", || records(&kit, "view", id) >= 1);
    let _ = child.kill();
    let _ = child.wait();
}
