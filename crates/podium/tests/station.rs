//! The station: a user's own desktop over the daemon's VNC relay. The
//! relay's rules are checked here with a WebSocket client speaking to the
//! real daemon; tests/e2e/station.mjs walks the page in Debian's Chromium.

use podium_core::Role;
use podium_testkit::web::{Events, Web};
use podium_testkit::{Kit, TestUser, browser, procfs, wait_until};
use serde_json::json;
use std::time::Duration;

const PODIUM: &str = env!("CARGO_BIN_EXE_podium");
const SECOND: Duration = Duration::from_secs(1);

/// The colour of the station desktop's root window (see [`desktop_toml`]).
const ROOT_COLOR: &str = "#1e6f5c";

/// A `[session]` command giving every web-started desktop a coloured root
/// window and an xterm at +20+20.
fn desktop_toml() -> String {
    format!("command = 'sh -c \"xsetroot -solid \\\"{ROOT_COLOR}\\\"; exec xterm -geometry 100x30+20+20\"'\n")
}

fn assert_error(r: &podium_testkit::web::WebReply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.json()["error"]["code"], code, "{}", r.text);
}

/// Reads the RFB greeting the session's Xvnc sends first.
fn greeting(ws: &mut Events) -> String {
    let bytes = ws.next_binary(5 * SECOND).expect("the desktop speaks first");
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn the_station_opens_one_session_per_user_and_relays_it_to_its_owner_only() {
    let kit = Kit::start_with(PODIUM, &desktop_toml());
    let alice = TestUser::create(Role::Standard);
    let bruno = TestUser::create(Role::Standard);
    let web = Web::login(&kit, &alice);

    // Before any session: nothing to relay.
    assert_eq!(
        web.get("/api/v1/station").json(),
        json!({"session": null, "locked": false, "messages": [], "follow_size": true})
    );
    assert_eq!(Events::station(&kit, &web, "").err(), Some(404));

    // The first call creates the session, the second returns the same.
    let first = web.post("/api/v1/station/session", &json!({}));
    assert_eq!(first.status, 200, "{}", first.text);
    let id = first.json()["session"]["id"].as_u64().expect("a session id");
    assert_eq!(first.json()["session"]["user"], alice.name.as_str());
    assert_eq!(first.json()["session"]["state"], "disconnected", "no station yet");
    let again = web.post("/api/v1/station/session", &json!({}));
    assert_eq!(again.json()["session"]["id"], id);
    assert_eq!(kit.sessions().sessions.len(), 1, "one session per user");

    // The owner gets the desktop's own RFB stream; the session is active.
    let mut ws = Events::station(&kit, &web, "").expect("the owner's relay opens");
    assert_eq!(greeting(&mut ws), "RFB 003.008\n");
    ws.send_binary(b"RFB 003.008\n").expect("answer the greeting");
    let security = ws.next_binary(5 * SECOND).expect("security types");
    assert_eq!(security, vec![1, 1], "one security type: None (the relay is the gate)");
    let info = web.get("/api/v1/station").json();
    assert_eq!(info["session"]["state"], "active");
    assert_eq!(info["session"]["station"]["kind"], "browser");
    assert_eq!(info["session"]["station"]["address"], "127.0.0.1");

    // Another user may not open it, by id or otherwise.
    let other = Web::login(&kit, &bruno);
    assert_eq!(
        Events::station(&kit, &other, &format!("?session={id}")).err(),
        Some(403)
    );
    assert_eq!(
        Events::station(&kit, &other, "").err(),
        Some(404),
        "bruno has no session of his own"
    );
    // Neither may a page of another site, nor a request without a login.
    assert_eq!(
        Events::open(
            &kit,
            "/api/v1/station/vnc",
            web.cookie_header().as_deref(),
            Some("https://evil.example")
        )
        .err(),
        Some(403)
    );
    assert_eq!(
        Events::open(&kit, "/api/v1/station/vnc", None, Some(web.origin())).err(),
        Some(401)
    );
    assert_eq!(Events::station(&kit, &web, "?session=abc").err(), Some(400));
    assert_eq!(Events::station(&kit, &web, "?unknown=1").err(), Some(400));
    // A plain GET is told it is a WebSocket route.
    assert_error(&web.get("/api/v1/station/vnc"), 400, "bad_request");

    // Closing the relay leaves the session running, disconnected.
    drop(ws);
    wait_until(5 * SECOND, "the session shows disconnected", || {
        web.get("/api/v1/station").json()["session"]["state"] == "disconnected"
    });
    assert!(
        procfs::of_user(alice.uid)
            .iter()
            .any(|p| p.cmdline.starts_with("xterm")),
        "the desktop still runs"
    );
    // Naming one's own session is allowed.
    let mut own = Events::station(&kit, &web, &format!("?session={id}")).expect("own session by id");
    assert!(greeting(&mut own).starts_with("RFB"));
    drop(own);
    let audit = kit.cli().args(["audit", "--json"]).run();
    assert!(
        audit.stdout.contains("\"station\""),
        "station connections are audited: {}",
        audit.stdout
    );
}

#[test]
fn a_newer_station_disconnect_lock_and_log_off_each_close_the_relay_with_their_code() {
    let kit = Kit::start_with(PODIUM, &desktop_toml());
    let alice = TestUser::create(Role::Standard);
    let web = Web::login(&kit, &alice);
    let id = web.post("/api/v1/station/session", &json!({})).json()["session"]["id"]
        .as_u64()
        .expect("session id");

    // A second station takes over: the first is closed with 4001.
    let mut first = Events::station(&kit, &web, "").expect("first station");
    assert!(greeting(&mut first).starts_with("RFB"));
    let elsewhere = Web::login(&kit, &alice);
    let mut second = Events::station(&kit, &elsewhere, "").expect("second station");
    assert!(greeting(&mut second).starts_with("RFB"));
    assert_eq!(first.close_code(5 * SECOND), Some(4001), "taken over");

    // Disconnect (the user's own session, from the page): 4002.
    let r = web.post("/api/v1/sessions/disconnect", &json!({"sessions": [id]}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["results"][0]["outcome"], "done", "{}", r.text);
    assert_eq!(second.close_code(5 * SECOND), Some(4002), "disconnected");
    assert_eq!(kit.sessions().sessions[0].state.as_str(), "disconnected");

    // Lock: 4003, no new relay (423), wrong password refused, right one unlocks.
    let mut third = Events::station(&kit, &web, "").expect("third station");
    assert!(greeting(&mut third).starts_with("RFB"));
    assert_eq!(web.post("/api/v1/station/lock", &json!({})).status, 204);
    assert_eq!(third.close_code(5 * SECOND), Some(4003), "locked");
    assert_eq!(Events::station(&kit, &web, "").err(), Some(423));
    assert_eq!(
        Events::station(&kit, &elsewhere, "").err(),
        Some(423),
        "locked for every browser"
    );
    assert_eq!(web.get("/api/v1/station").json()["locked"], true);
    assert_error(
        &web.post("/api/v1/station/unlock", &json!({"password": "not-it"})),
        401,
        "unauthorized",
    );
    assert_error(&web.post("/api/v1/station/unlock", &json!({})), 400, "bad_request");
    assert_eq!(Events::station(&kit, &web, "").err(), Some(423), "still locked");
    let r = web.post("/api/v1/station/unlock", &json!({"password": alice.password}));
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(web.get("/api/v1/station").json()["locked"], false);

    // Log off: 4004, then everything is gone.
    let mut fourth = Events::station(&kit, &web, "").expect("station after unlock");
    assert!(greeting(&mut fourth).starts_with("RFB"));
    let r = web.post(
        "/api/v1/sessions/logoff",
        &json!({"sessions": [id], "grace_seconds": 0, "wait": true}),
    );
    assert_eq!(r.json()["results"][0]["outcome"], "done", "{}", r.text);
    assert_eq!(fourth.close_code(5 * SECOND), Some(4004), "ended");
    wait_until(10 * SECOND, "alice's processes are gone", || {
        procfs::of_user(alice.uid).is_empty()
    });
    assert_eq!(
        web.get("/api/v1/station").json(),
        json!({"session": null, "locked": false, "messages": [], "follow_size": true})
    );
    // Lock and unlock without a session are refused cleanly.
    assert_error(&web.post("/api/v1/station/lock", &json!({})), 404, "not_found");
    assert_error(
        &web.post("/api/v1/station/unlock", &json!({"password": "x"})),
        404,
        "not_found",
    );
}

#[test]
fn a_lock_survives_a_daemon_restart() {
    let mut kit = Kit::start_with(PODIUM, &desktop_toml());
    let alice = TestUser::create(Role::Standard);
    let web = Web::login(&kit, &alice);
    let id = web.post("/api/v1/station/session", &json!({})).json()["session"]["id"].clone();
    assert_eq!(web.post("/api/v1/station/lock", &json!({})).status, 204);
    kit.kill_daemon();
    kit.start_daemon();
    assert_eq!(web.get("/api/v1/station").json()["session"]["id"], id);
    assert_eq!(web.get("/api/v1/station").json()["locked"], true);
    assert_eq!(Events::station(&kit, &web, "").err(), Some(423));
}

#[test]
fn the_station_works_in_a_real_browser() {
    let kit = Kit::start_with(PODIUM, &desktop_toml());
    let pupil = TestUser::create_named(Role::Standard, "Alice Martin");
    let other = TestUser::create_named(Role::Standard, "Bruno Lefèvre");
    let teacher = TestUser::create_named(Role::Dashboard, "Marie Curie");
    let other_session = kit.start_session(&other, None);
    let config = json!({
        "root_color": ROOT_COLOR,
        "pupil": {"user": pupil.name, "password": pupil.password, "full_name": pupil.full_name, "uid": pupil.uid, "home": pupil.home},
        "other": {"user": other.name, "uid": other.uid, "session": other_session},
        "teacher": {"user": teacher.name, "password": teacher.password},
    });
    browser::walk(&kit, "station.mjs", config);
}

/// The pupil's part of a browser walk's config.
fn pupil_config(pupil: &TestUser) -> serde_json::Value {
    json!({"user": pupil.name, "password": pupil.password, "uid": pupil.uid, "home": pupil.home})
}

#[test]
fn the_desktop_follows_the_station_window_and_text_copies_both_ways_in_a_real_browser() {
    let kit = Kit::start_with(PODIUM, &desktop_toml());
    let pupil = TestUser::create_named(Role::Standard, "Alice Martin");
    let config = json!({"root_color": ROOT_COLOR, "fixed": false, "pupil": pupil_config(&pupil)});
    browser::walk(&kit, "station-resize.mjs", config);
}

#[test]
fn with_a_fixed_size_the_desktop_keeps_it_and_the_station_scales_it() {
    let kit = Kit::start_with(PODIUM, &format!("{}follow_station_size = false\n", desktop_toml()));
    let pupil = TestUser::create_named(Role::Standard, "Alice Martin");
    let config = json!({"root_color": ROOT_COLOR, "fixed": true, "pupil": pupil_config(&pupil)});
    browser::walk(&kit, "station-resize.mjs", config);
    // Xvnc itself refuses a station's size, whatever the page asks.
    let xvnc = procfs::of_user(pupil.uid)
        .into_iter()
        .find(|p| p.cmdline.starts_with("Xvnc"))
        .expect("the session's Xvnc runs");
    assert!(xvnc.cmdline.contains("-AcceptSetDesktopSize=0"), "{}", xvnc.cmdline);
}
